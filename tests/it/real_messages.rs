//! Messages as real tenants send them (issue 12, items 1–4): messages in flight (no `LogEnd`,
//! nulls everywhere) are listed, shown running and replaced by their end; a row that cannot be
//! placed never fails a page; a receiver is found inside a comma-joined list; a custom status
//! that differs from the status is shown and filterable.

use crate::client_support;
use crate::tui_support::*;
use client_support as support;

use std::collections::{HashMap, HashSet};
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use assert_cmd::Command;
use bytes::Bytes;
use cpitop::app::msg::{DataMsg, MessagesEvent, Msg};
use cpitop::app::{State, apply};
use cpitop::cpi::model::{MessageProcessingLog, MplStatus};
use cpitop::cpi::mpl_row::{DecodedMplPage, InFlightPage};
use cpitop::cpi::{CpiClient, MplDecoder, MplLoadOptions, MplQuery};
use cpitop::sim::{SimConfig, SimHandle, spawn};
use cpitop::store::{MessageStore, MplBatch};
use crossterm::event::KeyCode;
use serde_json::Value;
use support::{json, oauth_conn, serve, token_reply};
use tokio::sync::mpsc;

// --- the Messages pane ---------------------------------------------------------------------

/// A message in flight as real tenants send it: no `LogEnd`, no iFlow, an artifact whose fields
/// are all null (`LogStart` sometimes null too).
fn in_flight(guid: &str, status: &str, started_min_ago: Option<i64>) -> MessageProcessingLog {
    MessageProcessingLog {
        message_guid: guid.into(),
        log_start: started_min_ago.map(|m| NOW - m * MIN),
        log_end: None,
        sender: "S4HANA".into(),
        receiver: "A_SOAP,B_SOAP".into(),
        status: status.into(),
        custom_status: status.into(),
        integration_artifact: Some(Default::default()),
        ..MessageProcessingLog::default()
    }
}

/// The listing of the messages in flight, as the client marks it (`cpi::mpl_window`).
fn listing(s: &State, msgs: &[MessageProcessingLog], at: i64) -> Msg {
    let mut b = batch(msgs);
    b.observed(at, InFlightPage::Complete);
    Msg::Data(DataMsg::Messages {
        generation: s.messages.load.generation,
        at,
        event: MessagesEvent::Page(b),
    })
}

fn done(s: &State) -> Msg {
    Msg::Data(DataMsg::Messages {
        generation: s.messages.load.generation,
        at: NOW,
        event: MessagesEvent::Done,
    })
}

fn business_error() -> MessageProcessingLog {
    MessageProcessingLog {
        custom_status: "ERROR".into(),
        ..mpl(
            "AGZ0bbbbbbbbbbbbbbbbbbbbbb01",
            "Orders_Inbound",
            "COMPLETED",
            4,
            700,
        )
    }
}

/// The rows on screen below the header line, trimmed.
fn table_rows(s: &State) -> Vec<String> {
    let b = screen(s);
    (4..b.buffer().area.height - 1)
        .map(|y| row_text(&b, y).trim_end().to_string())
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// The window (the fixture's PROCESSING message has a LogEnd, as some tenants send; the
/// listing below does not list it, so it has ended: retired) and a listing of three messages in
/// flight.
fn messages_with_flight(w: u16, h: u16) -> State {
    let mut s = state(w, h);
    apply(&mut s, [key('2')]);
    let mut window = messages();
    window.push(business_error());
    let first = page(&s, &window);
    let flying = listing(
        &s,
        &[
            in_flight("AGZ0ffffffffffffffffffffff01", "PROCESSING", Some(3)),
            in_flight("AGZ0ffffffffffffffffffffff02", "PROCESSING", None),
            in_flight("AGZ0ffffffffffffffffffffff03", "RETRY", Some(50)),
        ],
        NOW - 2_000,
    );
    let d = done(&s);
    apply(&mut s, [first, flying, d]);
    s
}

/// Messages in flight run at the top of newest-first, END empty, their duration running (never
/// `01-01 00:00` at the bottom, as the row without LogEnd showed before); a COMPLETED message
/// with the custom status ERROR shows both.
#[test]
fn in_flight_rows_run_at_the_top_and_a_custom_status_shows_beside_the_status() {
    for (w, h) in [(160, 45), (80, 24)] {
        let s = messages_with_flight(w, h);
        insta::assert_snapshot!(format!("messages_in_flight_{w}x{h}"), screen(&s));
        let rows = table_rows(&s);
        for r in &rows[..3] {
            assert!(
                r.starts_with("PROCESSING ") || r.starts_with("RETRY "),
                "in flight first: {rows:#?}"
            );
            assert!(!r.contains("01-01"), "never the epoch: {r}");
        }
        assert!(rows.iter().any(|r| r.starts_with("COMPLETED/ERROR")), "{rows:#?}");
    }
    let s = messages_with_flight(160, 45);
    let rows = table_rows(&s);
    let running = rows.iter().find(|r| r.contains("ffffff01")).expect("in flight");
    // END empty (the column is blank after the status), running for 3 minutes so far.
    assert!(running.contains("3m 0s…"), "{running}");
    let unknown_start = rows.iter().find(|r| r.contains("ffffff02")).expect("held");
    assert!(unknown_start.contains("running"), "{unknown_start}");
}

/// The detail of a message in flight says so: no end yet, running for how long; no iFlow yet.
#[test]
fn the_detail_of_a_message_in_flight_says_it_has_no_end_yet() {
    use cpitop::panes::messages::detail::MessagePart;
    for (w, h) in [(160, 45), (80, 24)] {
        let mut s = messages_with_flight(w, h);
        apply(&mut s, [code(KeyCode::Enter)]);
        let guid = "AGZ0ffffffffffffffffffffff01";
        let log = MessageProcessingLog {
            application_message_type: "ORDERS05".into(),
            ..in_flight(guid, "PROCESSING", Some(3))
        };
        let parts = [
            MessagePart::Log(Ok(log)),
            MessagePart::Error(Ok(None)),
            MessagePart::Headers(Ok(cpitop::panes::messages::detail::NavPart::Rows(vec![]))),
            MessagePart::Attachments(Ok(cpitop::panes::messages::detail::NavPart::Rows(vec![]))),
            MessagePart::Runs(Ok(cpitop::panes::messages::detail::NavPart::Rows(vec![]))),
        ];
        for part in parts {
            apply(
                &mut s,
                [Msg::Data(DataMsg::Message {
                    guid: guid.into(),
                    part,
                })],
            );
        }
        let b = screen(&s);
        let text: String = (0..b.buffer().area.height)
            .map(|y| row_text(&b, y))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(text.contains("(in flight, no end yet)"), "{text}");
        assert!(text.contains("running for 3m"), "{text}");
        insta::assert_snapshot!(format!("message_detail_in_flight_{w}x{h}"), b);
    }
}

/// Later refreshes: the message that ended replaces its running row (one row, by MessageGuid);
/// a listing read before it ended never rolls it back; one that the next complete listing no
/// longer lists (it ended outside the query, or no longer matches it) leaves.
#[test]
fn a_message_that_ends_replaces_its_running_row_without_duplicates() {
    let mut s = messages_with_flight(160, 45);
    let held = s.messages.total();
    let ended = MessageProcessingLog {
        log_start: Some(NOW - 3 * MIN),
        log_end: Some(NOW - 1_000),
        integration_flow_name: "Orders_Inbound".into(),
        ..mpl(
            "AGZ0ffffffffffffffffffffff01",
            "Orders_Inbound",
            "COMPLETED",
            0,
            0,
        )
    };
    let delta = page(&s, &[ended]);
    let late_listing = listing(
        &s,
        &[
            in_flight("AGZ0ffffffffffffffffffffff01", "PROCESSING", Some(3)),
            in_flight("AGZ0ffffffffffffffffffffff02", "PROCESSING", None),
            in_flight("AGZ0ffffffffffffffffffffff03", "RETRY", Some(50)),
        ],
        NOW - 1_500,
    );
    let d = done(&s);
    apply(&mut s, [delta, late_listing, d]);
    assert_eq!(s.messages.total(), held, "no duplicate row");
    let store = &s.messages.store;
    let m = store.row(store.find("AGZ0ffffffffffffffffffffff01").expect("held"));
    assert_eq!(
        (m.status, m.running, m.end()),
        (MplStatus::Completed, false, Some(NOW - 1_000))
    );
    assert!(
        table_rows(&s)
            .iter()
            .any(|r| r.starts_with("COMPLETED ") && r.contains("ffffff01") && r.contains("06:13:19")),
        "{:#?}",
        table_rows(&s)
    );
    // The next complete listing has only the RETRY one: the other PROCESSING one left.
    let next = listing(
        &s,
        &[in_flight("AGZ0ffffffffffffffffffffff03", "RETRY", Some(50))],
        NOW + 10_000,
    );
    let d = done(&s);
    apply(&mut s, [next, d]);
    let store = &s.messages.store;
    assert_eq!(store.find("AGZ0ffffffffffffffffffffff02"), None);
    assert_eq!(store.running(), 1);
    assert_eq!(s.messages.total(), held - 1);
}

/// `:receiver B_SOAP` is asked of the tenant (`substringof`) and re-checked in the table by
/// exact membership of the comma-joined list; `:custom ERROR` the same for custom statuses.
#[test]
fn receiver_and_custom_status_commands_filter_by_list_membership() {
    let mut s = state(160, 45);
    apply(&mut s, [key('2')]);
    let command = |s: &mut State, line: &str| {
        apply(s, [key(':')]);
        apply(s, typed(line));
        apply(s, [code(KeyCode::Enter)]);
    };
    command(&mut s, "receiver B_SOAP");
    assert_eq!(s.messages.query.receiver.as_deref(), Some("B_SOAP"));
    let q = cpitop::resources::messages::mpl_query(&s.messages.query, NOW);
    assert!(
        q.user_filter()
            .is_some_and(|f| f.contains("substringof('B_SOAP',Receiver)")),
        "{:?}",
        q.user_filter()
    );
    let mut lists = messages()[..3].to_vec();
    lists[0].receiver = "A_SOAP,B_SOAP".into();
    lists[1].receiver = "B_SOAP_TEST".into(); // what substringof also finds
    lists[2].receiver = "B_SOAP".into();
    load_messages(&mut s, lists);
    let rows = table_rows(&s);
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(rows.iter().all(|r| !r.contains("B_SOAP_TEST")), "{rows:#?}");
    assert!(
        row_text(&screen(&s), 2).contains("receiver=B_SOAP"),
        "breadcrumb names the filter"
    );

    command(&mut s, "receiver all");
    command(&mut s, "custom error");
    let q = cpitop::resources::messages::mpl_query(&s.messages.query, NOW);
    assert!(
        q.user_filter()
            .is_some_and(|f| f.contains("CustomStatus eq 'error'")),
        "{:?}",
        q.user_filter()
    );
    let mut window = messages();
    window.push(business_error());
    load_messages(&mut s, window);
    let rows = table_rows(&s);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert!(rows[0].starts_with("COMPLETED/ERROR"), "{rows:#?}");
}

// --- the client against a tenant that sends nulls ------------------------------------------

/// A check page and a delta page each carry a row with `LogEnd: null` (a message in flight) and
/// one without `MessageGuid`. Before, the check failed ("message … has no valid LogEnd") and
/// the pane stayed stale for good; now both pages decode and the rows are kept aside or held as
/// running.
#[tokio::test]
async fn a_null_log_end_in_a_check_or_delta_page_does_not_fail_the_refresh() {
    let now = support::MplSet::now_ms();
    let row = |guid: &str, end: Option<i64>| {
        let end = end.map_or("null".to_owned(), |t| format!("\"/Date({t})/\""));
        format!(
            r#"{{"MessageGuid":"{guid}","LogStart":null,"LogEnd":{end},"Status":"PROCESSING","IntegrationArtifact":{{"Id":null,"Name":null}}}}"#
        )
    };
    let page = move |rows: Vec<String>| format!(r#"{{"d":{{"results":[{}]}}}}"#, rows.join(","));
    let body = page(vec![
        row("DONE", Some(now - 5_000)),
        row("FLY", None),
        r#"{"MessageGuid":null,"Status":"FAILED"}"#.to_owned(),
        "null".to_owned(),
    ]);
    let server = serve(Arc::new(move |r: &support::Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        json(200, &body)
    }))
    .await;
    let opts = MplLoadOptions {
        check_every: Duration::ZERO,
        ..MplLoadOptions::default()
    };
    let client = CpiClient::with_options(oauth_conn(&server.base), opts).expect("client");
    let query = MplQuery::last_hours(now, 1);
    let decoder: MplDecoder<MplBatch> = Arc::new(|b: Bytes| MplBatch::decode(&b));
    let mut store = MessageStore::default();
    let (tx, mut rx) = mpsc::channel::<MplBatch>(8);
    let (out, batches) = tokio::join!(
        client.fetch_mpl_window(&query, decoder.clone(), tx, None),
        async {
            let mut v = Vec::new();
            while let Some(b) = rx.recv().await {
                v.push(b);
            }
            v
        }
    );
    let out = out.expect("the window loads");
    for b in batches {
        assert_eq!(
            b.skipped(),
            2,
            "two rows without a MessageGuid kept aside per page"
        );
        store.merge(b);
    }
    let (tx, mut rx) = mpsc::channel::<MplBatch>(8);
    let (delta, batches) = tokio::join!(
        client.fetch_mpl_delta(&query, &out.follow, decoder, tx, None),
        async {
            let mut v = Vec::new();
            while let Some(b) = rx.recv().await {
                v.push(b);
            }
            v
        }
    );
    let delta = delta.expect("the delta with its check succeeds");
    assert!(
        delta.check_pages >= 1,
        "a check ran over a page with a null LogEnd"
    );
    for b in batches {
        store.merge(b);
    }
    assert_eq!(store.len(), 2);
    let fly = store.row(store.find("FLY").expect("held"));
    assert!(fly.running, "held as in flight");
    assert!(!store.row(store.find("DONE").expect("held")).running);
}

// --- against the simulated tenant ----------------------------------------------------------

async fn busy_sim() -> SimHandle {
    spawn(SimConfig {
        message_rate: 20.0,
        history: Duration::from_secs(3600),
        history_messages: Some(20_000),
        ..SimConfig::default()
    })
    .await
    .expect("sim")
}

async fn load_into(
    c: &CpiClient,
    q: &MplQuery,
    store: &mut MessageStore,
    follow: Option<&cpitop::cpi::MplFollow>,
) -> cpitop::cpi::MplLoadOutcome {
    let decoder: MplDecoder<MplBatch> = Arc::new(|b: Bytes| MplBatch::decode(&b));
    let (tx, mut rx) = mpsc::channel::<MplBatch>(8);
    let fetch = async {
        match follow {
            Some(f) => c.fetch_mpl_delta(q, f, decoder, tx, None).await,
            None => c.fetch_mpl_window(q, decoder, tx, None).await,
        }
    };
    let (out, ()) = tokio::join!(fetch, async {
        while let Some(b) = rx.recv().await {
            store.merge(b);
        }
    });
    out.expect("load")
}

/// Against the realistic sim: the window load lists every message in flight (rows without
/// LogEnd: invisible to any `LogEnd ge` range before); after the sim's clock moves 20 minutes,
/// one delta later every message held as running is in flight on the tenant, and every one that
/// ended is held once, in its final state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_in_flight_are_listed_and_settle_as_the_tenant_moves() {
    let h = busy_sim().await;
    let admin = h.admin();
    let opts = MplLoadOptions {
        check_every: Duration::ZERO,
        ..MplLoadOptions::default()
    };
    let c = CpiClient::with_options(h.demo_conn("sim"), opts).expect("client");
    let q = MplQuery::last_hours(admin.now_ms(), 1);
    let mut store = MessageStore::default();
    // The sim's clock runs during the load: the messages in flight all along are certain.
    let before: HashSet<String> = admin.truth_in_flight().into_iter().collect();
    let out = load_into(&c, &q, &mut store, None).await;
    let after: HashSet<String> = admin.truth_in_flight().into_iter().collect();
    let flying: Vec<String> = before.intersection(&after).cloned().collect();
    assert!(
        flying.len() > 5,
        "the sim has messages in flight: {}",
        flying.len()
    );
    let listed = out.in_flight.expect("listed") as usize;
    let changed = before.symmetric_difference(&after).count();
    assert!(
        listed >= flying.len() && listed <= flying.len() + changed,
        "{listed} listed, {} in flight all along, {changed} changed",
        flying.len()
    );
    for g in &flying {
        let m = store.row(store.find(g).unwrap_or_else(|| panic!("{g} in flight is listed")));
        assert!(m.running && m.end().is_none(), "{g} held as running");
    }

    admin.advance_clock(Duration::from_secs(20 * 60));
    // Truth before and after the delta (the clock keeps running): a message judged on both.
    let status = |g: &str| admin.truth_message_status(g).expect("still on the tenant");
    let mid: HashSet<String> = admin.truth_in_flight().into_iter().collect();
    let mid_status: HashMap<String, String> = flying.iter().map(|g| (g.clone(), status(g))).collect();
    let delta = load_into(&c, &q, &mut store, Some(&out.follow)).await;
    assert!(delta.in_flight.is_some(), "listed with the check");
    let post: HashSet<String> = admin.truth_in_flight().into_iter().collect();
    let mut ended = 0;
    for g in &flying {
        let row = store.find(g).map(|r| store.row(r));
        match (mid.contains(g), post.contains(g)) {
            (true, true) => assert!(row.is_some_and(|m| m.running), "{g} still in flight"),
            (false, false) => {
                ended += 1;
                let m = row.unwrap_or_else(|| panic!("{g} ended ({}) and is held", status(g)));
                assert!(!m.running, "{g} no longer running");
                let (was, now) = (&mid_status[g], status(g));
                assert!(
                    m.status.as_str() == was || m.status.as_str() == now,
                    "{g} in its final state: held {}, tenant {was} → {now}",
                    m.status
                );
            }
            _ => {} // ended while the delta ran: either state is right
        }
    }
    assert!(ended > 0, "some messages ended in 20 minutes");
    // Nothing held twice, nothing running that the tenant does not have in flight.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for r in 0..store.len() as u32 {
        let m = store.row(r);
        *seen.entry(m.guid).or_default() += 1;
        if m.running {
            assert!(
                mid.contains(m.guid) || post.contains(m.guid),
                "{} held as running",
                m.guid
            );
        }
    }
    assert!(seen.values().all(|&n| n == 1));
}

// --- `cpitop get messages` as a script runs it ---------------------------------------------

fn bin() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("cpitop"));
    c.env("RUST_BACKTRACE", "0").env("NO_COLOR", "1");
    c
}

fn demo(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    bin()
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .args(["--demo", "get"])
        .args(args)
        .output()
        .unwrap()
}

fn json_rows(out: &Output) -> Vec<Value> {
    assert!(
        out.status.success(),
        "exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    v.as_array().expect("an array").clone()
}

/// `get messages --status PROCESSING` lists the messages in flight (before: none, every list
/// filtered `LogEnd ge …`), with no end and a running duration.
#[test]
fn get_messages_lists_messages_in_flight() {
    let rows = json_rows(&demo(&["messages", "--status", "PROCESSING", "-o", "json"]));
    assert!(rows.len() > 3, "{rows:#?}");
    for r in &rows {
        assert_eq!(r["status"], "PROCESSING", "{r}");
        assert!(r["end"].is_null(), "no end: {r}");
        assert!(r["duration_ms"].is_null(), "{r}");
        assert_eq!(r["in_flight"], true, "{r}");
        // Running for as long as since its start (half of them have none yet).
        assert!(r["start"].is_null() || r["running_ms"].is_i64(), "running: {r}");
    }
}

/// `--receiver ARCHIVE_SOAP` finds the multicast messages sent to `EDI_Partner_Metro,ARCHIVE_SOAP`
/// (before: `Receiver eq` found none); a part of a name finds nothing.
#[test]
fn get_messages_receiver_matches_inside_a_comma_joined_list() {
    let rows = json_rows(&demo(&["messages", "--receiver", "ARCHIVE_SOAP", "-o", "json"]));
    assert!(!rows.is_empty(), "multicast messages found");
    for r in &rows {
        let rec = r["receiver"].as_str().expect("receiver");
        assert!(rec.split(',').any(|x| x == "ARCHIVE_SOAP"), "{rec}");
    }
    assert!(
        rows.iter()
            .any(|r| r["receiver"] == "EDI_Partner_Metro,ARCHIVE_SOAP")
    );
    let none = json_rows(&demo(&["messages", "--receiver", "ARCHIVE", "-o", "json"]));
    assert!(none.is_empty(), "a part of a name is no receiver: {none:#?}");
}

/// `--custom-status ERROR`: COMPLETED messages carrying a business error, shown as
/// `COMPLETED/ERROR`.
#[test]
fn get_messages_custom_status_finds_business_errors() {
    let rows = json_rows(&demo(&["messages", "--custom-status", "ERROR", "-o", "json"]));
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["status"] == "COMPLETED" && r["custom_status"] == "ERROR"),
        "{rows:#?}"
    );
}
