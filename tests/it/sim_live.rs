//! The sim's live behaviour: arrivals, commit lag, PROCESSING/RETRY messages moving to a later
//! LogEnd — and `$skip` paging really misbehaving over the moving set, as on a real tenant.

use crate::sim_util;

use std::collections::HashSet;
use std::time::Duration;

use cpitop::cpi::odata::datetime_literal;
use cpitop::sim::SimConfig;
use sim_util::{T, date_ms, enc, results, small};

fn range(a: i64, b: i64) -> String {
    enc(&format!(
        "LogEnd ge {} and LogEnd lt {}",
        datetime_literal(a),
        datetime_literal(b)
    ))
}

#[tokio::test]
async fn messages_arrive_live_with_commit_lag() {
    let t = T::new(SimConfig {
        message_rate: 60.0,
        ..small()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let now = t.h.admin().now_ms();
    let (a, b) = (now - 2_000, now);
    let url = format!("/MessageProcessingLogs/$count?$filter={}", range(a, b));
    let first: usize = t.get(&url).await.body.parse().expect("n");
    let v = t
        .json(&format!(
            "/MessageProcessingLogs?$top=1000&$filter={}",
            range(now - 60_000, now + 60_000)
        ))
        .await;
    assert!(
        results(&v)
            .iter()
            .all(|r| date_ms(&r["LogEnd"]) <= t.h.admin().now_ms()),
        "nothing from the future"
    );
    tokio::time::sleep(Duration::from_millis(1_700)).await;
    let later: usize = t.get(&url).await.body.parse().expect("n");
    assert!(
        later > first,
        "messages with LogEnd in the past became visible later (commit lag): {first} → {later}"
    );
    let total: usize = t
        .get("/MessageProcessingLogs/$count")
        .await
        .body
        .parse()
        .expect("n");
    assert!(total > 7_200 + 120, "live arrivals: {total}");
}

#[tokio::test]
async fn retry_and_processing_messages_move_forward() {
    let t = T::new(SimConfig {
        message_rate: 5.0,
        ..small()
    })
    .await;
    let f = enc("Status eq 'RETRY' or Status eq 'PROCESSING'");
    let v = t
        .json(&format!(
            "/MessageProcessingLogs?$top=1000&$select=MessageGuid,Status,LogEnd&$filter={f}"
        ))
        .await;
    // Messages in flight have no LogEnd (as on real tenants): every PROCESSING row and the RETRY
    // rows of messages that hang.
    let moving: Vec<(String, String, Option<i64>)> = results(&v)
        .iter()
        .map(|r| {
            (
                r["MessageGuid"].as_str().expect("g").to_string(),
                r["Status"].as_str().expect("s").to_string(),
                (!r["LogEnd"].is_null()).then(|| date_ms(&r["LogEnd"])),
            )
        })
        .collect();
    assert!(
        moving.iter().any(|m| m.1 == "RETRY"),
        "some messages are retrying"
    );
    assert!(
        moving
            .iter()
            .filter(|m| m.1 == "PROCESSING")
            .all(|m| m.2.is_none()),
        "PROCESSING rows have no LogEnd"
    );
    assert!(moving.iter().any(|m| m.2.is_some()), "some RETRY rows have one");
    t.h.admin().advance_clock(Duration::from_secs(40 * 60));
    for (g, _, end) in &moving {
        let v = t.json(&format!("/MessageProcessingLogs('{g}')")).await;
        let st = v["d"]["Status"].as_str().expect("s");
        assert!(st == "COMPLETED" || st == "FAILED", "{g} ended: {st}");
        let now_end = date_ms(&v["d"]["LogEnd"]);
        assert!(end.is_none_or(|e| now_end > e), "its LogEnd moved forward");
    }
}

#[tokio::test]
async fn skip_paging_over_a_moving_set_duplicates_rows() {
    let t = T::new(SimConfig {
        message_rate: 20.0,
        ..small()
    })
    .await;
    let q = |skip: usize| {
        format!("/MessageProcessingLogs?$orderby=LogEnd%20desc&$top=200&$skip={skip}&$select=MessageGuid")
    };
    let p1 = t.json(&q(0)).await;
    t.h.admin().advance_clock(Duration::from_secs(5));
    let p2 = t.json(&q(200)).await;
    let a: HashSet<&str> = results(&p1)
        .iter()
        .filter_map(|r| r["MessageGuid"].as_str())
        .collect();
    let dup = results(&p2)
        .iter()
        .filter_map(|r| r["MessageGuid"].as_str())
        .filter(|g| a.contains(g))
        .count();
    assert!(dup > 50, "new arrivals shift $skip pages: {dup} rows seen twice");
}
