//! The no-loss/no-duplicate proof against the simulated tenant while it keeps writing (a few
//! hundred messages per second, messages becoming visible 0–1.5 s after their LogEnd, RETRY and
//! PROCESSING messages moving to a later LogEnd): a window load plus deltas holds exactly the
//! tenant's messages in their current state, and naive `$skip` paging over the same tenant at the
//! same time duplicates or loses messages. At a busy tenant's rate, the deltas download no held
//! message again (the overlap is checked by id, `cpi::mpl_follow`), where re-reading the overlap
//! did, and without the overlap messages that become visible late are lost.

use crate::client_support;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use client_support::*;
use cpitop::cpi::mpl_row::{DecodedMplPage, decode_page};
use cpitop::cpi::odata::{EpochMs, parse_date};
use cpitop::cpi::{CpiClient, MplFollow, MplLoadOptions, MplQuery};
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
    fn for_each_key(&self, f: &mut dyn FnMut(&str, EpochMs)) {
        for (guid, end, _) in &self.0 {
            f(guid, *end);
        }
    }
}

/// The rows with a LogEnd: this proof is about the `LogEnd` keyset. Messages in flight (no
/// `LogEnd`, as real tenants and the realistic sim send them) come with the in-flight listing
/// and are left aside here (the ground truth `truth_messages` lists LogEnd ranges too).
fn decode(b: Bytes) -> Result<StatusPage, String> {
    let p = decode_page(&b).map_err(|e| e.to_string())?;
    Ok(StatusPage(
        p.d.results
            .iter()
            .filter_map(|r| {
                let end = r.log_end.as_deref().and_then(parse_date)?;
                Some((
                    r.message_guid.to_string(),
                    end,
                    r.status.as_deref().unwrap_or("").to_string(),
                ))
            })
            .collect(),
    ))
}

/// A client with `opts` for the sim, and the query of its last hour (with its start).
fn last_hour(h: &cpitop::sim::SimHandle, opts: MplLoadOptions) -> (CpiClient, MplQuery, EpochMs) {
    let c = CpiClient::with_options(sim_conn(h), opts).expect("client");
    let from = h.admin().now_ms() - 3_600_000;
    let q = MplQuery {
        from: Some(from),
        ..MplQuery::default()
    };
    (c, q, from)
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
    // A check with every delta (late messages are certain at once, not within `check_every`).
    let opts = MplLoadOptions {
        check_every: std::time::Duration::ZERO,
        ..MplLoadOptions::default()
    };
    let (c, q, from) = last_hour(&h, opts);

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

    // Messages keep arriving; deltas a little apart, each following the previous one.
    let mut follow = out.follow;
    let mut watermark = out.watermark;
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        let (tx, mut rx) = mpsc::channel::<StatusPage>(16);
        let (delta, _) = tokio::join!(
            c.fetch_mpl_delta(&q, &follow, Arc::new(decode), tx, None),
            async {
                while let Some(p) = rx.recv().await {
                    upsert(&mut held, p);
                }
            }
        );
        let delta = delta.expect("delta");
        assert!(delta.check_pages >= 1, "each delta checks its overlap");
        follow = delta.follow;
        watermark = delta.watermark;
    }
    assert!(
        held.len() > after_load,
        "the deltas brought the messages that arrived meanwhile"
    );

    // Every message the tenant had settled before the delta began is held, in its current state.
    let settled = admin.truth_messages(from, watermark - 2_000);
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

/// What following a window with `deltas` deltas `every` apart brought.
#[derive(Debug)]
struct Followed {
    /// Delta rows already held in the same state (same guid and LogEnd).
    held_again: usize,
    /// Delta rows in all.
    delta_rows: usize,
    /// Late messages the checks found.
    late: u64,
    /// Messages settled before the last check that are not held.
    lost: usize,
    /// Checks made.
    checks: usize,
    /// MPL requests of the deltas, checks included.
    requests: usize,
}

async fn follow_window(opts: MplLoadOptions, rate: f64, deltas: usize, every_ms: u64) -> Followed {
    let h = sim(3_000, 1, rate).await;
    let admin = h.admin();
    let (c, q, from) = last_hour(&h, opts);
    let mut held: HashMap<String, (EpochMs, String)> = HashMap::new();
    let (tx, mut rx) = mpsc::channel::<StatusPage>(16);
    let (out, ()) = tokio::join!(c.fetch_mpl_window(&q, Arc::new(decode), tx, None), async {
        while let Some(p) = rx.recv().await {
            upsert(&mut held, p);
        }
    });
    let out = out.expect("window");
    let mut follow: MplFollow = out.follow;
    let (mut held_again, mut delta_rows, mut late, mut checks) = (0, 0, 0, 0);
    admin.clear_requests();
    for _ in 0..deltas {
        tokio::time::sleep(std::time::Duration::from_millis(every_ms)).await;
        let (tx, mut rx) = mpsc::channel::<StatusPage>(16);
        let (delta, ()) = tokio::join!(
            c.fetch_mpl_delta(&q, &follow, Arc::new(decode), tx, None),
            async {
                while let Some(p) = rx.recv().await {
                    delta_rows += p.0.len();
                    held_again +=
                        p.0.iter()
                            .filter(|(g, end, _)| held.get(g).is_some_and(|h| h.0 == *end))
                            .count();
                    upsert(&mut held, p);
                }
            }
        );
        let delta = delta.expect("delta");
        late += delta.late;
        checks += usize::from(delta.check_pages > 0);
        follow = delta.follow;
    }
    let requests = admin
        .recent_requests()
        .iter()
        .filter(|r| r.contains("MessageProcessingLogs"))
        .count();
    // Late messages are certain once a check has listed them: those visible before the last
    // check (lag ≤ 1.5 s).
    let lost = admin
        .truth_messages(from, follow.checked() - 2_000)
        .iter()
        .filter(|g| !held.contains_key(*g))
        .count();
    Followed {
        held_again,
        delta_rows,
        late,
        lost,
        checks,
        requests,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deltas_download_no_held_message_again_and_lose_none() {
    // 35 messages/s is a busy tenant's day (3 M); the sim makes each visible 0–1.5 s late.
    let every_refresh = MplLoadOptions {
        check_every: std::time::Duration::ZERO,
        ..MplLoadOptions::default()
    };
    let f = follow_window(every_refresh, 35.0, 5, 800).await;
    assert!(f.delta_rows > 50, "{f:?}");
    assert!(f.late > 0, "the sim's commit lag makes some rows late: {f:?}");
    assert_eq!(f.held_again, 0, "no held message downloaded again: {f:?}");
    assert_eq!(f.lost, 0, "{f:?}");
    // Each delta is one check, one read (one page each at this rate) and, with the check, the
    // listing of the messages in flight (`cpi::mpl_window`, "In-flight messages").
    assert_eq!((f.checks, f.requests), (5, 15), "{f:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_check_every_two_seconds_most_refreshes_are_one_request() {
    let periodic = MplLoadOptions {
        check_every: std::time::Duration::from_secs(2),
        ..MplLoadOptions::default()
    };
    let f = follow_window(periodic, 35.0, 7, 800).await;
    // 5.6 s of refreshes: the load counts as the first check, then one every 2 s or so.
    assert!((1..=4).contains(&f.checks), "{f:?}");
    // With each check goes the listing of the messages in flight.
    assert_eq!(f.requests, 7 + 2 * f.checks, "{f:?}");
    assert!(f.late > 0, "{f:?}");
    assert_eq!(f.held_again, 0, "{f:?}");
    assert_eq!(f.lost, 0, "{f:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_check_the_overlap_is_read_again_and_without_the_overlap_late_ones_are_lost() {
    let reread = MplLoadOptions {
        overlap_check: false,
        ..MplLoadOptions::default()
    };
    let no_overlap = MplLoadOptions {
        delta_overlap: std::time::Duration::ZERO,
        check_every: std::time::Duration::ZERO,
        ..MplLoadOptions::default()
    };
    let (reread, no_overlap) = tokio::join!(
        follow_window(reread, 35.0, 4, 800),
        follow_window(no_overlap, 35.0, 4, 800)
    );
    assert!(
        reread.held_again * 2 > reread.delta_rows,
        "most rows of an overlap re-read were held: {reread:?}"
    );
    assert_eq!(reread.lost, 0, "{reread:?}");
    assert!(
        no_overlap.lost > 0,
        "late messages are lost without an overlap: {no_overlap:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_late_messages_than_fit_in_the_url_are_read_by_range_and_none_is_lost() {
    let two_by_id = MplLoadOptions {
        check_every: std::time::Duration::ZERO,
        late_by_id: 2,
        ..MplLoadOptions::default()
    };
    let f = follow_window(two_by_id, 35.0, 4, 800).await;
    assert!(f.late > 2 * 4, "more late messages than fit by id: {f:?}");
    assert_eq!(f.lost, 0, "{f:?}");
}
