//! Decode, upsert and eviction tests. Query, sort and stats tests live next to their modules.

use std::time::Duration;

use super::testgen::MplPageGen;
use super::*;
use crate::cpi::model::MplStatus;
use crate::cpi::mpl_row::DecodedMplPage;

/// A row in the wire shape of docs/cpi-api.md, "Message processing logs".
pub(crate) fn wire_row(guid: &str, status: &str, log_end: i64, extra: &str) -> String {
    format!(
        r#"{{"__metadata":{{"id":"https://t1/api/v1/MessageProcessingLogs('{guid}')","uri":"https://t1/api/v1/MessageProcessingLogs('{guid}')","type":"com.sap.hci.api.MessageProcessingLog"}},
"MessageGuid":"{guid}","CorrelationId":"C{guid}","ApplicationMessageId":null,"ApplicationMessageType":null,
"LogStart":"/Date({start})/","LogEnd":"/Date({log_end})/","Sender":"ERP","Receiver":null,
"IntegrationFlowName":"Orders_Inbound","Status":"{status}","CustomStatus":"{status}"{extra}}}"#,
        start = log_end - 100
    )
}

pub(crate) fn wire_page(rows: &[String]) -> Vec<u8> {
    format!(
        r#"{{"d":{{"__count":"{}","results":[{}]}}}}"#,
        rows.len(),
        rows.join(",")
    )
    .into_bytes()
}

const ARTIFACT: &str = r#","IntegrationArtifact":{"__metadata":{"type":"com.sap.hci.api.IntegrationArtifact"},"Id":"Orders_Inbound","Name":"Orders Inbound","Type":"INTEGRATION_FLOW","PackageId":"SalesIntegration","PackageName":"Sales Integration"}"#;

#[test]
fn decodes_the_real_shape_with_nulls_escapes_and_date_forms() {
    let page = br#"{"d":{"__count":"2","results":[
 {"__metadata":{"id":"u","uri":"u","type":"com.sap.hci.api.MessageProcessingLog"},"MessageGuid":"AGZ0aBcDeFgHiJkLmNoPqRsTuVwX",
  "CorrelationId":"AGZ0aBc1xYz2wVu3tSr4qPo5nMl6","ApplicationMessageId":"PO\u002d1","ApplicationMessageType":null,
  "LogStart":"\/Date(1718000000000)\/","LogEnd":"/Date(1718000002345+0060)/","Sender":"S4\"HANA","Receiver":null,
  "IntegrationFlowName":"Orders_Inbound","Status":"FAILED","CustomStatus":"Rejected \u00e9",
  "IntegrationArtifact":{"__metadata":{"type":"com.sap.hci.api.IntegrationArtifact"},"Id":"Orders_Inbound","Name":"Orders Inbound",
  "Type":"INTEGRATION_FLOW","PackageId":"SalesIntegration","PackageName":"Sales Integration"}},
 {"MessageGuid":"AGZ0aBcDeFgHiJkLmNoPqRsTuVwY","LogStart":null,"LogEnd":null,"IntegrationFlowName":"Legacy_Flow","Status":"NEWSTATE"}],
 "__next":"https://t1/api/v1/MessageProcessingLogs?$skiptoken=1000"}}"#;
    let batch = MplBatch::decode(page).expect("decodes");
    assert_eq!(batch.row_count(), 2);
    assert_eq!(batch.max_log_end(), Some(1_718_000_002_345));
    let mut store = MessageStore::default();
    let stats = store.merge(batch);
    assert_eq!((stats.inserted, stats.updated), (2, 0));
    let m = store.row(store.find("AGZ0aBcDeFgHiJkLmNoPqRsTuVwX").expect("found"));
    assert_eq!(m.correlation_id, "AGZ0aBc1xYz2wVu3tSr4qPo5nMl6");
    assert_eq!(m.application_message_id, "PO-1");
    assert_eq!(m.application_message_type, "");
    assert_eq!(m.log_start, Some(1_718_000_000_000));
    assert_eq!(m.log_end, 1_718_000_002_345);
    assert_eq!(m.duration_ms(), Some(2345));
    assert_eq!(m.sender, "S4\"HANA");
    assert_eq!(m.receiver, "");
    assert_eq!((m.iflow_id, m.iflow_name), ("Orders_Inbound", "Orders Inbound"));
    assert_eq!(
        (m.package_id, m.package_name),
        ("SalesIntegration", "Sales Integration")
    );
    assert_eq!(m.status, MplStatus::Failed);
    assert_eq!(m.custom_status, "Rejected é");
    // No IntegrationArtifact: the id comes from IntegrationFlowName; no times; unknown status.
    let m = store.row(store.find("AGZ0aBcDeFgHiJkLmNoPqRsTuVwY").expect("found"));
    assert_eq!((m.iflow_id, m.iflow_name), ("Legacy_Flow", ""));
    assert_eq!((m.log_start, m.log_end, m.duration_ms()), (None, 0, None));
    assert_eq!(m.status, MplStatus::Unknown);
}

#[test]
fn malformed_pages_say_what_and_where() {
    let e = MplBatch::decode(b"{\"d\":{\"results\":[{\"MessageGuid\":\"A\",}]}}").unwrap_err();
    assert!(e.contains("line 1 column"), "{e}");
    let e = MplBatch::decode(b"<html>login</html>").unwrap_err();
    assert!(e.contains("not a message list") && e.contains("column 1"), "{e}");
    let e =
        MplBatch::decode(b"{\"d\":{\"results\":[{\"MessageGuid\":\"A\",\"LogEnd\":\"/Date(42").unwrap_err();
    assert!(e.contains("EOF"), "{e}");
}

#[test]
fn rows_that_cannot_be_placed_are_kept_aside_not_a_failed_page() {
    // Before: "MPL page row 0: MessageGuid is empty" failed the whole page (and a live pane
    // stayed stale for good).
    for body in [
        &b"{\"d\":{\"results\":[{\"Status\":\"FAILED\"},{\"MessageGuid\":\"A\",\"LogEnd\":\"/Date(5)/\"}]}}"
            [..],
        b"{\"d\":{\"results\":[{\"MessageGuid\":null},{\"MessageGuid\":\"A\",\"LogEnd\":\"/Date(5)/\"}]}}",
        b"{\"d\":{\"results\":[{\"MessageGuid\":\"\"},{\"MessageGuid\":\"A\",\"LogEnd\":\"/Date(5)/\"}]}}",
        b"{\"d\":{\"results\":[null,{\"MessageGuid\":\"A\",\"LogEnd\":\"/Date(5)/\"}]}}",
    ] {
        let b = MplBatch::decode(body).expect("decodes");
        assert_eq!((b.len(), b.skipped()), (1, 1));
    }
}

/// A row in flight as real tenants send it: no `LogEnd`, `LogStart` and the artifact's fields
/// null (docs/cpi-api.md, "Message processing logs").
fn in_flight_row(guid: &str, status: &str, log_start: Option<i64>) -> String {
    let start = log_start.map_or("null".to_owned(), |t| format!("\"/Date({t})/\""));
    format!(
        r#"{{"MessageGuid":"{guid}","CorrelationId":null,"LogStart":{start},"LogEnd":null,"IntegrationFlowName":null,
"Status":"{status}","CustomStatus":"{status}","IntegrationArtifact":{{"Id":null,"Name":null,"Type":null,"PackageId":null,"PackageName":null}}}}"#
    )
}

fn in_flight_batch(rows: &[String], at: i64, kind: crate::cpi::mpl_row::InFlightPage) -> MplBatch {
    let mut b = MplBatch::decode(&wire_page(rows)).expect("decodes");
    b.observed(at, kind);
    b
}

#[test]
fn messages_in_flight_are_running_rows_replaced_by_their_end_and_retired_when_gone() {
    use crate::cpi::mpl_row::InFlightPage::{Complete, No, Partial};
    let mut store = MessageStore::default();
    store.merge(MplBatch::decode(&wire_page(&[wire_row("DONE", "COMPLETED", 1_000, "")])).expect("decodes"));
    // Listed in flight at 10_000: running, timed when listed, no end, no duration.
    let s = store.merge(in_flight_batch(
        &[
            in_flight_row("P1", "PROCESSING", Some(9_000)),
            in_flight_row("P2", "PROCESSING", None),
            in_flight_row("R1", "RETRY", Some(8_000)),
        ],
        10_000,
        Complete,
    ));
    assert_eq!((s.inserted, s.retired), (3, 0));
    assert_eq!(store.running(), 3);
    let p1 = store.row(store.find("P1").expect("held"));
    assert!(p1.running);
    assert_eq!((p1.log_end, p1.end(), p1.duration_ms()), (10_000, None, None));
    assert_eq!(p1.running_for(12_000), Some(3_000));
    assert_eq!(p1.iflow_id, "");
    let p2 = store.row(store.find("P2").expect("held"));
    assert_eq!((p2.log_start, p2.running_for(12_000)), (None, None));
    // P1 ends (its LogEnd is older than when it was listed: it still replaces the running row).
    let s = store.merge(
        MplBatch::decode(&wire_page(&[wire_row("P1", "COMPLETED", 9_500, ARTIFACT)])).expect("decodes"),
    );
    assert_eq!((s.inserted, s.updated), (0, 1));
    let p1 = store.row(store.find("P1").expect("held"));
    assert!(!p1.running);
    assert_eq!(
        (p1.status, p1.end(), p1.iflow_id),
        (MplStatus::Completed, Some(9_500), "Orders_Inbound")
    );
    // A listing read before it ended, arriving late, never rolls it back.
    let s = store.merge(in_flight_batch(
        &[in_flight_row("P1", "PROCESSING", Some(9_000))],
        9_400,
        No,
    ));
    assert_eq!((s.updated, s.unchanged), (0, 1));
    assert_eq!(
        store.row(store.find("P1").expect("held")).status,
        MplStatus::Completed
    );
    // A partial listing retires nothing; a complete one retires what it no longer lists.
    let s = store.merge(in_flight_batch(
        &[in_flight_row("R1", "RETRY", Some(8_000))],
        20_000,
        Partial,
    ));
    assert_eq!((s.retired, store.len()), (0, 4));
    let s = store.merge(in_flight_batch(
        &[in_flight_row("R1", "RETRY", Some(8_000))],
        20_000,
        Complete,
    ));
    assert_eq!(s.retired, 1);
    assert_eq!(store.find("P2"), None);
    assert!(store.find("R1").is_some() && store.find("P1").is_some() && store.find("DONE").is_some());
    assert_eq!(store.row(store.find("R1").expect("held")).log_end, 20_000);
    // A PROCESSING row with a LogEnd (tenants that send one) counts as in flight too.
    store.merge(MplBatch::decode(&wire_page(&[wire_row("P3", "PROCESSING", 21_000, "")])).expect("decodes"));
    let s = store.merge(in_flight_batch(&[], 30_000, Complete));
    assert_eq!(s.retired, 2);
    assert_eq!(store.running(), 0);
    assert_eq!(store.len(), 2);
}

#[test]
fn upsert_updates_never_duplicates() {
    let mut store = MessageStore::default();
    let first = wire_page(&[
        wire_row("G1", "PROCESSING", 1_000, ""),
        wire_row("G2", "COMPLETED", 1_001, ARTIFACT),
    ]);
    let s = store.merge(MplBatch::decode(&first).expect("decodes"));
    assert_eq!((s.inserted, s.updated, s.unchanged), (2, 0, 0));
    let g0 = store.generation();
    // Same page again: nothing changes, not even the generation.
    let s = store.merge(MplBatch::decode(&first).expect("decodes"));
    assert_eq!((s.inserted, s.updated, s.unchanged), (0, 0, 2));
    assert_eq!(store.generation(), g0);
    // G1 completes later, with an application id now set (ids grow: arena append path).
    let later = wire_page(&[wire_row("G1", "COMPLETED", 5_000, ARTIFACT).replace(
        "\"ApplicationMessageId\":null",
        "\"ApplicationMessageId\":\"PO-4711\"",
    )]);
    let s = store.merge(MplBatch::decode(&later).expect("decodes"));
    assert_eq!((s.inserted, s.updated), (0, 1));
    assert_eq!(store.len(), 2);
    let m = store.row(store.find("G1").expect("found"));
    assert_eq!(
        (m.status, m.log_end, m.application_message_id),
        (MplStatus::Completed, 5_000, "PO-4711")
    );
    assert_eq!(m.iflow_name, "Orders Inbound");
    assert!(store.generation() > g0);
    // An older version arriving late does not roll the row back.
    let s = store.merge(MplBatch::decode(&first).expect("decodes"));
    assert_eq!((s.updated, s.unchanged), (0, 2));
    assert_eq!(
        store.row(store.find("G1").expect("found")).status,
        MplStatus::Completed
    );
    // Duplicates inside one page.
    let dup = wire_page(&[
        wire_row("G3", "RETRY", 6_000, ""),
        wire_row("G3", "FAILED", 6_100, ""),
    ]);
    let s = store.merge(MplBatch::decode(&dup).expect("decodes"));
    assert_eq!((s.inserted, s.updated), (1, 1));
    assert_eq!(store.len(), 3);
    assert_eq!(
        store.row(store.find("G3").expect("found")).status,
        MplStatus::Failed
    );
    assert_eq!(store.find("G4"), None);
}

#[test]
fn many_generated_pages_round_trip_through_the_index() {
    let mut g = MplPageGen::new(7, 1_700_000_000_000);
    let mut store = MessageStore::new(StoreLimits {
        max_messages: None,
        max_age: None,
    });
    let mut guids = Vec::new();
    for _ in 0..20 {
        let b = MplBatch::decode(&g.page(1000)).expect("decodes");
        guids.extend(b.guids().map(str::to_owned));
        let s = store.merge(b);
        assert_eq!(s.inserted, 1000);
    }
    assert_eq!(store.len(), 20_000);
    for (i, guid) in guids.iter().enumerate() {
        let r = store.find(guid).expect("every guid is found");
        assert_eq!(r as usize, i);
        assert_eq!(store.row(r).guid, guid);
    }
    // Updates from the generator (PROCESSING rows re-sent as COMPLETED/FAILED) are upserts.
    g.update_per_mille = 300;
    let s = store.merge(MplBatch::decode(&g.page(1000)).expect("decodes"));
    assert!(s.updated > 100, "{s:?}");
    assert_eq!(store.len(), 20_000 + s.inserted);
}

#[test]
fn eviction_by_count_drops_the_oldest_and_frees_space() {
    let mut store = MessageStore::new(StoreLimits {
        max_messages: Some(10_000),
        max_age: None,
    });
    let mut g = MplPageGen::new(3, 1_700_000_000_000);
    let mut all = Vec::new();
    for _ in 0..30 {
        let b = MplBatch::decode(&g.page(1000)).expect("decodes");
        all.extend(b.guids().map(str::to_owned));
        store.merge(b);
        // Amortised: at most the limit plus its slack.
        assert!(store.len() <= 10_000 + 1024, "{}", store.len());
    }
    let layout = store.layout();
    assert!(layout > 0);
    let evicted = store.enforce_limits(0);
    assert_eq!(store.len(), 10_000, "evicted {evicted}");
    // Exactly the newest 10 000 by time remain, each still findable.
    let min_kept = (0..store.len() as u32)
        .map(|r| store.time(r))
        .min()
        .expect("rows");
    let mut times: Vec<(i64, &String)> = Vec::new();
    let mut g2 = MplPageGen::new(3, 1_700_000_000_000);
    for _ in 0..30 {
        let b = MplBatch::decode(&g2.page(1000)).expect("decodes");
        let mut s = MessageStore::new(StoreLimits {
            max_messages: None,
            max_age: None,
        });
        s.merge(b);
        for r in 0..s.len() as u32 {
            times.push((s.time(r), &all[times.len()]));
        }
    }
    for (t, guid) in &times {
        let found = store.find(guid);
        if *t > min_kept {
            assert!(found.is_some(), "newer message {guid} at {t} was evicted");
        } else if *t < min_kept {
            assert!(found.is_none(), "older message {guid} at {t} was kept");
        }
        if let Some(r) = found {
            assert_eq!(store.row(r).guid, guid.as_str());
        }
    }
    assert!(
        store.cols.ids.capacity() < 10_000 * 80 * 2,
        "arena not shrunk: {}",
        store.cols.ids.capacity()
    );
}

#[test]
fn eviction_by_age() {
    let hour = 3_600_000;
    let mut store = MessageStore::new(StoreLimits {
        max_messages: None,
        max_age: Some(Duration::from_secs(3600)),
    });
    let rows: Vec<String> = (0..100)
        .map(|i| wire_row(&format!("G{i}"), "COMPLETED", i * hour / 10, ""))
        .collect();
    store.merge(MplBatch::decode(&wire_page(&rows)).expect("decodes"));
    let evicted = store.enforce_limits(10 * hour);
    assert_eq!(store.len(), 10, "evicted {evicted}");
    assert!(store.find("G89").is_none() && store.find("G90").is_some() && store.find("G99").is_some());
    // Updates after a compaction still land on the right rows.
    let upd = wire_page(&[wire_row("G95", "FAILED", 10 * hour, "")]);
    let s = store.merge(MplBatch::decode(&upd).expect("decodes"));
    assert_eq!((s.inserted, s.updated), (0, 1));
    assert_eq!(
        store.row(store.find("G95").expect("found")).status,
        MplStatus::Failed
    );
    // Lowering the count limit applies at once.
    store.set_limits(StoreLimits {
        max_messages: Some(5),
        max_age: None,
    });
    assert_eq!(store.len(), 5);
    assert!(store.find("G95").is_some() && store.find("G94").is_none());
}

#[test]
fn correlation_lookup() {
    let mut store = MessageStore::default();
    let rows = vec![
        wire_row("A1", "COMPLETED", 30, "").replace("\"CorrelationId\":\"CA1\"", "\"CorrelationId\":\"X\""),
        wire_row("A2", "FAILED", 10, "").replace("\"CorrelationId\":\"CA2\"", "\"CorrelationId\":\"X\""),
        wire_row("A3", "FAILED", 20, ""),
    ];
    store.merge(MplBatch::decode(&wire_page(&rows)).expect("decodes"));
    let got: Vec<&str> = store
        .rows_with_correlation("X")
        .into_iter()
        .map(|r| store.row(r).guid)
        .collect();
    assert_eq!(got, ["A2", "A1"]);
    assert!(store.rows_with_correlation("").is_empty());
}

/// A row whose `LogStart` is given explicitly (the wire rows put it 100 ms before `LogEnd`).
fn timed_row(guid: &str, start: Option<i64>, end: i64) -> String {
    let start = start.map_or("null".to_owned(), |s| format!("\"/Date({s})/\""));
    format!(
        r#"{{"MessageGuid":"{guid}","LogStart":{start},"LogEnd":"/Date({end})/","IntegrationFlowName":"F","Status":"COMPLETED"}}"#
    )
}

#[test]
fn log_start_is_kept_exactly_as_a_gap_or_aside_through_updates_and_eviction() {
    const DAY: i64 = 86_400_000;
    let t = 1_718_000_000_000;
    let rows = [
        timed_row("old", Some(t - 5), t),
        timed_row("none", None, t + 10),
        timed_row("after", Some(t + 30), t + 20),
        timed_row("weeks", Some(t - 60 * DAY), t + 30),
        timed_row("plain", Some(t + 39), t + 40),
    ];
    let mut store = MessageStore::new(StoreLimits {
        max_messages: Some(4),
        max_age: None,
    });
    store.merge(MplBatch::decode(&wire_page(&rows)).expect("decodes"));
    let times = |store: &MessageStore, g: &str| {
        let m = store.row(store.find(g).expect("held"));
        (m.log_start, m.duration_ms())
    };
    assert_eq!(times(&store, "none"), (None, None));
    assert_eq!(times(&store, "after"), (Some(t + 30), Some(-10)));
    assert_eq!(times(&store, "weeks"), (Some(t - 60 * DAY), Some(60 * DAY + 30)));
    assert_eq!(times(&store, "plain"), (Some(t + 39), Some(1)));
    // Sorting by start and by duration reads the same values.
    let order = |column| {
        let mut v = MessageView::new(
            SortKey {
                column,
                descending: false,
            },
            Query::default(),
        );
        v.refresh(&store);
        v.rows()
            .iter()
            .map(|&r| store.row(r).guid.to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        order(SortColumn::LogStart),
        ["none", "weeks", "old", "after", "plain"]
    );
    assert_eq!(
        order(SortColumn::Duration),
        ["none", "after", "plain", "old", "weeks"]
    );
    // An update moves a far start back to a gap and a gap to a far start.
    let updates = [
        timed_row("weeks", Some(t + 45), t + 50),
        timed_row("plain", Some(t + 60), t + 55),
    ];
    store.merge(MplBatch::decode(&wire_page(&updates)).expect("decodes"));
    assert_eq!(times(&store, "weeks"), (Some(t + 45), Some(5)));
    assert_eq!(times(&store, "plain"), (Some(t + 60), Some(-5)));
    // Evicting the oldest row renumbers the rest: the far start follows its row.
    assert_eq!(store.enforce_limits(t + 100), 1);
    assert!(store.find("old").is_none());
    assert_eq!(times(&store, "plain"), (Some(t + 60), Some(-5)));
    assert_eq!(times(&store, "after"), (Some(t + 30), Some(-10)));
    assert_eq!(times(&store, "none"), (None, None));
}
