//! The no-loss/no-duplicate proof against the simulated tenant while it keeps writing (a few
//! hundred messages per second, messages becoming visible 0–1.5 s after their LogEnd, RETRY and
//! PROCESSING messages moving to a later LogEnd): a window load plus one delta holds exactly the
//! tenant's messages in their current state, and naive `$skip` paging over the same tenant at the
//! same time duplicates or loses messages.

mod client_support;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use client_support::*;
use cpitop::cpi::mpl_row::{DecodedMplPage, decode_page};
use cpitop::cpi::odata::{EpochMs, parse_date};
use cpitop::cpi::{CpiClient, MplQuery};
use tokio::sync::mpsc;

/// Rows with their status: what the store would hold.
struct StatusPage(Vec<(String, EpochMs, String)>);

impl DecodedMplPage for StatusPage {
    fn row_count(&self) -> usize {
        self.0.len()
    }
    fn max_log_end(&self) -> Option<EpochMs> {
        self.0.iter().map(|r| r.1).max()
    }
}

fn decode(b: Bytes) -> Result<StatusPage, String> {
    let p = decode_page(&b).map_err(|e| e.to_string())?;
    p.d.results
        .iter()
        .map(|r| {
            let end = r.log_end.as_deref().and_then(parse_date).ok_or("no LogEnd")?;
            Ok((
                r.message_guid.to_string(),
                end,
                r.status.as_deref().unwrap_or("").to_string(),
            ))
        })
        .collect::<Result<Vec<_>, String>>()
        .map(StatusPage)
}

/// Upsert by guid, newest LogEnd wins (LogEnd only moves forward).
fn upsert(held: &mut HashMap<String, (EpochMs, String)>, page: StatusPage) {
    for (g, end, status) in page.0 {
        match held.get(&g) {
            Some((e, _)) if *e > end => {}
            _ => {
                held.insert(g, (end, status));
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_plus_delta_while_the_tenant_writes_loses_and_duplicates_nothing() {
    let h = sim(30_000, 1, 400.0).await;
    let admin = h.admin();
    let c = CpiClient::new(sim_conn(&h)).expect("client");
    let from = admin.now_ms() - 3_600_000;
    let q = MplQuery {
        from: Some(from),
        ..MplQuery::default()
    };

    let mut held: HashMap<String, (EpochMs, String)> = HashMap::new();
    let (tx, mut rx) = mpsc::channel::<StatusPage>(16);
    let load = c.fetch_mpl_window(&q, Arc::new(decode), tx, None);
    let collect = async {
        let mut rows = 0usize;
        while let Some(p) = rx.recv().await {
            rows += p.0.len();
            upsert(&mut held, p);
        }
        rows
    };
    let (out, rows) = tokio::join!(load, collect);
    let out = out.expect("window");
    assert!(out.pages >= 30, "{} pages", out.pages);
    let after_load = held.len();
    // Rows read twice at page boundaries are upserts, not extra messages.
    assert!(rows >= after_load);

    // Messages keep arriving; wait a little, then one delta.
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let (tx, mut rx) = mpsc::channel::<StatusPage>(16);
    let (delta, _) = tokio::join!(
        c.fetch_mpl_delta(&q, out.watermark, Arc::new(decode), tx, None),
        async {
            while let Some(p) = rx.recv().await {
                upsert(&mut held, p);
            }
        }
    );
    let delta = delta.expect("delta");
    assert!(
        held.len() > after_load,
        "the delta brought the messages that arrived meanwhile"
    );

    // Every message the tenant had settled before the delta began is held, in its current state.
    let settled = admin.truth_messages(from, delta.watermark - 2_000);
    assert!(settled.len() > 20_000, "{}", settled.len());
    let missing: Vec<&String> = settled.iter().filter(|g| !held.contains_key(*g)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} messages missing, e.g. {:?}",
        missing.len(),
        settled.len(),
        missing.first()
    );
    let stale: Vec<&String> = settled
        .iter()
        .filter(|g| admin.truth_message_status(g).as_deref() != held.get(*g).map(|h| h.1.as_str()))
        .collect();
    assert!(
        stale.is_empty(),
        "{} messages held in an outdated status, e.g. {:?}",
        stale.len(),
        stale.first()
    );
    // And nothing the tenant does not have.
    let all: HashSet<String> = admin.truth_messages(from, i64::MAX).into_iter().collect();
    assert!(
        held.keys().all(|g| all.contains(g)),
        "no invented or duplicated message"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn naive_skip_paging_on_the_same_live_tenant_duplicates_or_loses() {
    let h = sim(30_000, 1, 400.0).await;
    let admin = h.admin();
    let start = admin.now_ms();
    let from = cpitop::cpi::odata::datetime_literal(start - 3_600_000);
    let http = raw_http();
    let mut seen: Vec<String> = Vec::new();
    for page in 0.. {
        let url = format!(
            "{}/api/v1/MessageProcessingLogs?$filter=LogEnd%20ge%20{from}&$orderby=LogEnd%20desc&$top=1000&$skip={}&$select=MessageGuid,LogEnd,Status",
            h.base_url,
            page * 1000
        );
        let body = http
            .get(url)
            .basic_auth(&h.username, Some(&h.password))
            .header("accept", "application/json")
            .send()
            .await
            .expect("get")
            .bytes()
            .await
            .expect("body");
        let p = decode(body).expect("page");
        let n = p.0.len();
        seen.extend(p.0.into_iter().map(|r| r.0));
        if n < 1000 {
            break;
        }
        // A UI pages as the user scrolls; even 20 ms between pages is generous.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let unique: HashSet<&String> = seen.iter().collect();
    let duplicates = seen.len() - unique.len();
    // Messages settled before the load began and unchanged since are certainly in the window.
    let lost = admin
        .truth_messages(start - 3_600_000, start - 2_000)
        .iter()
        .filter(|g| !unique.contains(g))
        .count();
    assert!(
        duplicates > 0 || lost > 0,
        "naive paging should drift: {duplicates} duplicates, {lost} lost"
    );
}
