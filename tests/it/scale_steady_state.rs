//! Issue 7, tenant load: in steady state the TUI's Messages pane (24 h window, live mode) makes
//! exactly one delta request per refresh, with `$select` and `$top=1000`, ordered by `LogEnd`
//! from a point at or after the previous load's start, preceded every `check_every` by one check
//! of the overlap by id (`$select=MessageGuid,LogEnd`), and downloads no message it holds again —
//! checked on the wire (the simulated tenant's request log), through the real `State`/`update`
//! and `Pollers`. Not timed: the figures (requests per minute, rows re-downloaded) come from
//! `cargo bench --bench tenant_load`.

use std::time::Duration;

use cpitop::cpi::{CpiClient, MplLoadOptions};
use cpitop::loadbench::tenant::steady_state;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_live_refresh_is_one_lean_delta_request_and_some_add_a_check() {
    let sim = cpitop::sim::spawn(cpitop::sim::SimConfig {
        seed: 5,
        message_rate: 2.0,
        history: Duration::from_secs(24 * 3600),
        history_messages: Some(3_000),
        ..cpitop::sim::SimConfig::default()
    })
    .await
    .expect("sim");
    let admin = sim.admin();
    // A check every 4 s (default 10 s) so that 8 s of live mode see refreshes with and without.
    let opts = MplLoadOptions {
        check_every: Duration::from_secs(4),
        ..MplLoadOptions::default()
    };
    let client = CpiClient::with_options(sim.demo_conn("t"), opts).expect("client");
    let r = steady_state(
        client,
        &admin,
        24 * 3_600_000,
        true,
        Duration::from_secs(60),
        // The live interval is 3 s: at least two refreshes.
        Duration::from_secs(8),
    )
    .await
    .expect("steady state");

    assert!(r.initial_rows >= 3_000, "first load: {} rows", r.initial_rows);
    assert!(r.refreshes >= 2, "{} refreshes in 8 s of live mode", r.refreshes);
    let per = &r.requests_per_refresh;
    assert!(
        per.iter().all(|&n| n == 1 || n == 3) && per.contains(&1) && per.contains(&3),
        "one request per refresh, three with a check and the in-flight listing: {per:?}"
    );
    let checks = r
        .mpl_requests
        .iter()
        .filter(|u| u.contains("$select=MessageGuid,LogEnd&") || u.ends_with("$select=MessageGuid,LogEnd"))
        .count();
    // The listing of the messages in flight goes with the check (`cpi::mpl_window`): bounded,
    // lean, no time range (a message in flight has no LogEnd).
    let (listings, ranged): (Vec<&String>, Vec<&String>) = r
        .mpl_requests
        .iter()
        .partition(|u| u.contains("LogEnd%20eq%20null"));
    assert_eq!(
        listings.len(),
        checks,
        "one in-flight listing per check: {listings:#?}"
    );
    for u in &listings {
        assert!(
            u.contains("$top=1000") && u.contains("$select=MessageGuid"),
            "{u}"
        );
    }
    let deltas = ranged.len() - checks;
    // The log may hold one more refresh: one whose reply had not been handled at the cut-off.
    assert!(
        deltas as u32 >= r.refreshes && deltas as u32 <= r.refreshes + 1,
        "{deltas} deltas for {} refreshes: {:#?}",
        r.refreshes,
        r.mpl_requests
    );
    let with_check = per.iter().filter(|&&n| n == 3).count();
    assert!(
        checks >= with_check && checks <= with_check + 1,
        "{checks} checks, {with_check} refreshes with two requests: {:#?}",
        r.mpl_requests
    );
    for u in &ranged {
        assert!(u.contains("$select=MessageGuid"), "no $select: {u}");
        assert!(u.contains("$top=1000"), "not paged at 1000: {u}");
        assert!(u.contains("$orderby=LogEnd%20asc"), "not keyset-ordered: {u}");
        assert!(
            u.contains("LogEnd%20ge%20datetime"),
            "not a delta from a LogEnd: {u}"
        );
        assert!(!u.contains("$skip"), "offset paging in steady state: {u}");
    }
    assert_eq!(
        r.unchanged, 0,
        "no held message downloaded again ({} rows: {} new, {} changed)",
        r.rows, r.inserted, r.updated
    );
    // Live messages arrive at 2/s and the deltas bring them.
    assert!(r.inserted > 0, "no new messages in {:?}", r.observed);
}
