//! The MPL window/delta design against a set that changes between every two requests: keyset
//! paging on LogEnd plus a delta from the load's start loses and duplicates nothing, while naive
//! `$skip` paging over the same moving set does. (The same proof against the simulated tenant is
//! in tests/it/client_sim_mpl.rs.)

use crate::client_support;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use client_support::*;
use cpitop::cpi::odata::EpochMs;
use cpitop::cpi::{CpiClient, GuidPage, MplDecoder, MplLoadOptions, MplQuery, decode_guid_page};
use tokio::sync::mpsc;

fn decoder() -> MplDecoder<GuidPage> {
    Arc::new(decode_guid_page)
}

/// Collect every page of a load into guid → newest LogEnd (what an upserting store holds).
async fn drain(mut rx: mpsc::Receiver<GuidPage>, into: &mut HashMap<String, EpochMs>) -> usize {
    let mut rows = 0;
    while let Some(page) = rx.recv().await {
        rows += page.rows.len();
        for (g, t) in page.rows {
            let e = into.entry(g).or_insert(t);
            *e = (*e).max(t);
        }
    }
    rows
}

async fn setup(rows: Vec<(String, i64)>, inserts: usize, moves: usize) -> (Canned, Arc<MplSet>, CpiClient) {
    let set = MplSet::new(rows, inserts, moves);
    let s2 = set.clone();
    let server = serve(Arc::new(move |r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        s2.answer(r)
    }))
    .await;
    let client = CpiClient::new(oauth_conn(&server.base)).expect("client");
    (server, set, client)
}

fn history(n: usize, span_ms: i64, now: i64) -> Vec<(String, i64)> {
    (0..n)
        .map(|i| {
            (
                format!("OLD{i:08}"),
                now - span_ms + (i as i64 * span_ms) / n as i64,
            )
        })
        .collect()
}

#[tokio::test]
async fn keyset_window_plus_delta_matches_ground_truth_while_the_set_moves() {
    let now = MplSet::now_ms();
    let (server, set, client) = setup(history(12_000, 3_600_000, now), 40, 25).await;
    // The window's slices are fetched concurrently, so a message written while one slice's request
    // runs can carry an older LogEnd than a row another slice already returned: it is "late" like
    // a commit-lagged message, and a delta finds it through its check (by design within
    // `check_every` plus a refresh). This test asks one delta for everything, so that delta checks.
    let opts = MplLoadOptions {
        check_every: std::time::Duration::ZERO,
        ..MplLoadOptions::default()
    };
    let checking = CpiClient::with_options(oauth_conn(&server.base), opts).expect("client");
    set.mutating.store(true, Ordering::SeqCst);
    let query = MplQuery::last_hours(now, 1);

    let (tx, rx) = mpsc::channel(8);
    let mut held = HashMap::new();
    let (outcome, rows) = tokio::join!(
        client.fetch_mpl_window(&query, decoder(), tx, None),
        drain(rx, &mut held)
    );
    let outcome = outcome.expect("window");
    assert!(outcome.pages >= 12, "paged at 1000 rows: {} pages", outcome.pages);
    assert_eq!(outcome.rows as usize, rows);

    // The tenant stops changing; deltas (with their check) bring everything that changed during
    // the load.
    set.mutating.store(false, Ordering::SeqCst);
    let before = server.requests().len();
    let (tx, rx) = mpsc::channel(8);
    let (delta, _) = tokio::join!(
        checking.fetch_mpl_delta(&query, &outcome.follow, decoder(), tx, None),
        drain(rx, &mut held)
    );
    let mut delta = delta.expect("delta");
    assert!(delta.watermark >= outcome.watermark);
    assert!(server.requests().len() - before >= 1);
    // Late messages beyond the by-id batch wait for the next deltas (`cpi::mpl_follow`): a few
    // more refreshes of the idle tenant bring them, and then nothing is pending.
    for _ in 0..10 {
        if delta.follow.pending() == 0 {
            break;
        }
        let (tx, rx) = mpsc::channel(8);
        let (next, _) = tokio::join!(
            checking.fetch_mpl_delta(&query, &delta.follow, decoder(), tx, None),
            drain(rx, &mut held)
        );
        delta = next.expect("delta");
    }
    assert_eq!(delta.follow.pending(), 0, "late messages still waiting");

    let truth: HashMap<String, i64> = set
        .truth()
        .into_iter()
        .filter(|(_, t)| *t >= query.from.unwrap_or(0))
        .collect();
    let missing: Vec<&String> = truth.keys().filter(|g| !held.contains_key(*g)).collect();
    let extra: Vec<&String> = held.keys().filter(|g| !truth.contains_key(*g)).collect();
    let stale: Vec<&String> = truth
        .iter()
        .filter(|(g, t)| held.get(*g) != Some(t))
        .map(|(g, _)| g)
        .collect();
    assert!(
        missing.is_empty(),
        "{} messages missing, e.g. {:?}",
        missing.len(),
        missing.first()
    );
    assert!(extra.is_empty(), "{} unknown messages", extra.len());
    assert!(stale.is_empty(), "{} messages with a stale LogEnd", stale.len());
    assert!(
        truth.len() > 12_000,
        "the set grew during the load: {}",
        truth.len()
    );

    // Steady state: between checks (`check_every`), a delta with nothing new is exactly one
    // request and brings nothing.
    let before = server.requests().len();
    let (tx, rx) = mpsc::channel(8);
    let mut scratch = HashMap::new();
    let (again, rows) = tokio::join!(
        client.fetch_mpl_delta(&query, &delta.follow, decoder(), tx, None),
        drain(rx, &mut scratch)
    );
    let again = again.expect("idle delta");
    assert_eq!(
        (server.requests().len() - before, again.check_pages, rows),
        (1, 0, 0),
        "one request per idle refresh"
    );
}

#[tokio::test]
async fn naive_skip_paging_over_the_same_moving_set_loses_or_duplicates() {
    let now = MplSet::now_ms();
    let (server, set, _client) = setup(history(12_000, 3_600_000, now), 40, 25).await;
    set.mutating.store(true, Ordering::SeqCst);
    let from = cpitop::cpi::odata::datetime_literal(now - 3_600_000);
    // Newest first with $skip, as a web UI pages — what the design avoids.
    let http = raw_http();
    let mut seen: Vec<String> = Vec::new();
    for page in 0.. {
        let url = format!(
            "{}/api/v1/MessageProcessingLogs?$filter=LogEnd%20ge%20{}&$orderby=LogEnd%20desc&$top=1000&$skip={}",
            server.base,
            from,
            page * 1000
        );
        let body = http
            .get(url)
            .send()
            .await
            .expect("get")
            .bytes()
            .await
            .expect("body");
        let p = decode_guid_page(body).expect("page");
        let n = p.rows.len();
        seen.extend(p.rows.into_iter().map(|(g, _)| g));
        if n < 1000 {
            break;
        }
    }
    set.mutating.store(false, Ordering::SeqCst);
    let unique: std::collections::HashSet<&String> = seen.iter().collect();
    let duplicates = seen.len() - unique.len();
    // Messages that existed before the load and never changed are certainly in the window.
    let truth = set.truth();
    let lost = history(12_000, 3_600_000, now)
        .iter()
        .filter(|(g, t)| truth.get(g) == Some(t) && !unique.contains(g))
        .count();
    assert!(
        duplicates > 0 || lost > 0,
        "naive paging should drift: {duplicates} duplicates, {lost} lost"
    );
    assert!(
        duplicates > 0,
        "inserts at the top shift rows down: duplicates expected"
    );
}

#[tokio::test]
async fn more_than_a_page_in_one_millisecond_is_read_completely() {
    let now = MplSet::now_ms();
    let mut rows = history(500, 600_000, now - 1_000);
    let crowded = now - 300_000;
    rows.extend((0..2_500).map(|i| (format!("SAME{i:06}"), crowded)));
    let (server, set, client) = setup(rows, 0, 0).await;
    let query = MplQuery {
        from: Some(now - 700_000),
        to: Some(now),
        ..MplQuery::default()
    };
    let (tx, rx) = mpsc::channel(8);
    let mut held = HashMap::new();
    let (outcome, _) = tokio::join!(
        client.fetch_mpl_window(&query, decoder(), tx, None),
        drain(rx, &mut held)
    );
    outcome.expect("window");
    let truth = set.truth();
    assert_eq!(held.len(), truth.len(), "every message, none invented");
    assert!(truth.keys().all(|g| held.contains_key(g)));
    assert!(
        server.count(|r| r.path.contains("$skip=")) >= 2,
        "the crowded millisecond was read by offset"
    );
}

#[tokio::test]
async fn newest_slice_is_requested_first_and_progress_is_reported() {
    let now = MplSet::now_ms();
    let (server, _set, client) = setup(history(3_000, 6 * 3_600_000, now), 0, 0).await;
    let query = MplQuery::last_hours(now, 6);
    let progress: Arc<std::sync::Mutex<Vec<cpitop::cpi::LoadProgress>>> = Arc::default();
    let p2 = progress.clone();
    let (tx, rx) = mpsc::channel(8);
    let mut held = HashMap::new();
    let (outcome, _) = tokio::join!(
        client.fetch_mpl_window(
            &query,
            decoder(),
            tx,
            Some(Arc::new(move |p| p2.lock().expect("p").push(p)))
        ),
        drain(rx, &mut held)
    );
    let outcome = outcome.expect("window");
    assert_eq!(held.len(), 3_000);
    let first = server
        .requests()
        .into_iter()
        .find(|r| r.path.contains("MessageProcessingLogs"))
        .expect("an MPL request");
    // The newest slice has no upper bound (live window); it goes first.
    assert!(
        !first.path.contains("LogEnd%20lt"),
        "first request: {}",
        first.path
    );
    let p = progress.lock().expect("p");
    let last = p.last().expect("progress reported");
    assert_eq!(last.rows, 3_000);
    assert_eq!(last.slices_done, last.slices);
    assert!(last.slices > 1, "a 6 h window is sliced");
    assert_eq!(outcome.pages, last.pages);
}

#[tokio::test]
async fn a_tenant_refusing_ids_in_a_delta_filter_gets_late_messages_by_range() {
    let now = MplSet::now_ms();
    let (server, set, _) = setup(history(2_000, 600_000, now), 0, 0).await;
    let opts = MplLoadOptions {
        check_every: std::time::Duration::ZERO,
        ..MplLoadOptions::default()
    };
    let client = CpiClient::with_options(oauth_conn(&server.base), opts).expect("client");
    let query = MplQuery::last_hours(now, 1);
    let mut held = HashMap::new();
    let (tx, rx) = mpsc::channel(8);
    let (out, _) = tokio::join!(
        client.fetch_mpl_window(&query, decoder(), tx, None),
        drain(rx, &mut held)
    );
    let mut follow = out.expect("window").follow;
    set.reject_ids.store(true, Ordering::SeqCst);
    for late in ["LATE1", "LATE2"] {
        // Committed late: its LogEnd lies before the watermark the last read started from.
        set.rows
            .lock()
            .expect("rows")
            .push((late.to_owned(), follow.watermark() - 2_000));
        let before = server.requests().len();
        let (tx, rx) = mpsc::channel(8);
        let (delta, _) = tokio::join!(
            client.fetch_mpl_delta(&query, &follow, decoder(), tx, None),
            drain(rx, &mut held)
        );
        let delta = delta.expect("the delta succeeds by range");
        assert!(held.contains_key(late), "{late} fetched");
        assert_eq!(delta.late, 1);
        assert!(delta.follow.ids_rejected());
        let by_id = server.requests()[before..]
            .iter()
            .filter(|r| r.path.contains("MessageGuid%20eq"))
            .count();
        // The first time the ids are tried and refused; afterwards never again.
        assert_eq!(by_id, usize::from(late == "LATE1"), "{late}");
        follow = delta.follow;
    }
}

/// `get messages --limit` reads newest first (`cpi::mpl_newest`): `LogEnd le` the oldest row of
/// the page before, `$top` growing; more rows in one millisecond than a page holds are read by
/// `$skip`. Read to the end it holds every row once; stopped early, exactly the newest rows.
#[tokio::test]
async fn newest_first_reads_every_row_once_also_past_a_crowded_millisecond() {
    let now = MplSet::now_ms();
    let mut rows = history(1_500, 3_600_000, now);
    // 130 messages ending in the same millisecond: more than a page (50) holds.
    let crowded = now - 1_800_000;
    rows.extend((0..130).map(|i| (format!("SAME{i:04}"), crowded)));
    let (server, _set, _) = setup(rows.clone(), 0, 0).await;
    let opts = MplLoadOptions {
        page_size: 50,
        in_flight: false,
        ..MplLoadOptions::default()
    };
    let client = CpiClient::with_options(oauth_conn(&server.base), opts).expect("client");
    let query = MplQuery::last_hours(now, 1);
    let in_window: Vec<&(String, i64)> = rows.iter().filter(|r| r.1 >= now - 3_600_000).collect();

    let mut held: HashMap<String, EpochMs> = HashMap::new();
    let mut handed = 0;
    let outcome = client
        .fetch_mpl_newest(
            &query,
            7,
            decoder(),
            |p: GuidPage| {
                handed += p.rows.len();
                held.extend(p.rows);
            },
            |_| false,
        )
        .await
        .expect("newest");
    assert!(outcome.exhausted, "{outcome:?}");
    assert_eq!(held.len(), in_window.len(), "every row of the window, once");
    assert!(in_window.iter().all(|(g, t)| held.get(g) == Some(t)));
    // Re-read rows are only those sharing a page's oldest millisecond.
    assert!(
        handed < in_window.len() + outcome.pages as usize * 2 + 130,
        "{handed}"
    );
    let skipped = server
        .requests()
        .iter()
        .filter(|r| r.path.contains("%24skip=") || r.path.contains("$skip="))
        .count();
    assert!(
        skipped >= 2,
        "the crowded millisecond is read by offset: {skipped}"
    );

    // Stopped as soon as the newest 20 are final: those and a page's worth, not the window.
    let newest: std::sync::Mutex<Vec<(String, EpochMs)>> = std::sync::Mutex::default();
    let outcome = client
        .fetch_mpl_newest(
            &query,
            21,
            decoder(),
            |p: GuidPage| newest.lock().unwrap().extend(p.rows),
            |after| newest.lock().unwrap().iter().filter(|r| r.1 > after).count() >= 20,
        )
        .await
        .expect("newest");
    let newest = newest.into_inner().unwrap();
    assert_eq!(outcome.pages, 1, "{outcome:?}");
    let mut truth: Vec<(String, EpochMs)> = in_window.iter().map(|r| (*r).clone()).collect();
    truth.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    assert_eq!(newest[..20], truth[..20]);
}
