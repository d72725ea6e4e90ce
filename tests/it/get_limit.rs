//! `get messages --limit N` (issue 15, item 2): the tenant is asked for the newest rows only
//! (`$orderby=LogEnd desc`, `$top` of about N, with the in-flight listing), not for the whole
//! window; and the result is the first N rows of the whole window's. Against the sim over
//! loopback, counting the requests and the rows it served.

use std::time::Duration;

use cpitop::cpi::CpiClient;
use cpitop::cpi::conn::{Limits, TenantConn};
use cpitop::get::filter::{MessageFilter, TimeArg};
use cpitop::kit::format::TimeFmt;
use cpitop::kit::print::{Printed, TableOpts};
use cpitop::kit::table::CellCx;
use cpitop::sim::{SimAdmin, SimConfig, SimHandle};
use serde_json::Value;

async fn sim() -> (SimHandle, CpiClient) {
    cpitop::cpi::client::install_tls_provider();
    let sim = cpitop::sim::spawn(SimConfig {
        seed: 5,
        message_rate: 0.0,
        history: Duration::from_secs(2 * 3600),
        history_messages: Some(20_000),
        ..SimConfig::default()
    })
    .await
    .expect("sim");
    let conn = TenantConn {
        limits: Limits {
            requests_per_second: 1000.0,
            burst: 1000,
            ..Limits::default()
        },
        ..sim.demo_conn("sim")
    };
    let client = CpiClient::new(conn).expect("client");
    (sim, client)
}

/// What one `get messages` cost the sim: list requests (their decoded URLs) and rows served.
struct Served {
    requests: Vec<String>,
    rows: u64,
}

async fn get(
    client: &CpiClient,
    admin: &SimAdmin,
    f: &MessageFilter,
    opts: &TableOpts,
    cx: &CellCx,
) -> (Printed, Served) {
    admin.clear_requests();
    let rows_before = admin.mpl_rows_served();
    let now = client.server_now();
    let q = f.to_query(now).expect("query");
    let pane_query = f.pane_query(q.from.map_or(0, |from| now - from));
    let printed =
        cpitop::panes::messages::get::table(client, &q, pane_query, &f.describe(now), false, opts, cx)
            .await
            .expect("messages");
    let requests = admin
        .recent_requests()
        .into_iter()
        .filter(|r| r.contains("/MessageProcessingLogs?"))
        .map(|r| {
            percent_encoding::percent_decode_str(&r)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let served = Served {
        requests,
        rows: admin.mpl_rows_served() - rows_before,
    };
    (printed, served)
}

fn ids(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["message_id"].as_str().unwrap())
        .collect()
}

/// The limited records equal the first N of a whole read made just before or just after (the
/// sim's messages in flight end as its clock runs, so one of the two reads may see a change).
async fn limited_equals_the_whole_windows_first_rows(
    f: MessageFilter,
    grep: Option<&str>,
    n: usize,
) -> (Served, Served, Printed) {
    let (sim, client) = sim().await;
    let admin = sim.admin();
    let cx = CellCx {
        now: client.server_now(),
        time: TimeFmt::default(),
    };
    let whole_opts = TableOpts {
        grep: grep.map(str::to_string),
        ..TableOpts::default()
    };
    let limited_opts = TableOpts {
        limit: Some(n),
        ..whole_opts.clone()
    };
    let (before, whole) = get(&client, &admin, &f, &whole_opts, &cx).await;
    let (limited, served) = get(&client, &admin, &f, &limited_opts, &cx).await;
    let (after, _) = get(&client, &admin, &f, &whole_opts, &cx).await;
    assert!(
        before.records.len() > n,
        "the window holds more than {n}: {}",
        before.records.len()
    );
    assert_eq!(limited.records.len(), n);
    let first = |p: &Printed| p.records[..n].to_vec();
    assert!(
        limited.records == first(&before) || limited.records == first(&after),
        "limited {:?}\nwhole before {:?}\nwhole after {:?}",
        ids(&limited.records),
        ids(&first(&before)),
        ids(&first(&after))
    );
    // The table's rows too (what `-o table` prints), not only the records.
    assert!(limited.rows == before.rows[..n] || limited.rows == after.rows[..n]);
    (served, whole, limited)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_asks_the_tenant_for_the_newest_rows_only() {
    let f = MessageFilter {
        since: Some(TimeArg::Ago(3_600_000)),
        ..MessageFilter::default()
    };
    let (limited, whole, printed) = limited_equals_the_whole_windows_first_rows(f, None, 5).await;
    // The whole hour: thousands of rows over many pages.
    assert!(
        whole.rows > 5_000 && whole.requests.len() > 5,
        "{} rows, {:?}",
        whole.rows,
        whole.requests.len()
    );
    // Limited: one page of the newest six (the sixth tells that the fifth is final) and the
    // listing of the messages in flight, which sort first.
    assert_eq!(limited.requests.len(), 2, "{:#?}", limited.requests);
    let page = &limited.requests[0];
    assert!(
        page.contains("$orderby=LogEnd desc") && page.contains("$top=6"),
        "{page}"
    );
    assert!(
        limited.requests[1].contains("LogEnd eq null"),
        "{:#?}",
        limited.requests
    );
    assert!(limited.rows < 100, "rows served: {}", limited.rows);
    assert!(
        printed.summary.contains("the rest of the window was not read"),
        "{}",
        printed.summary
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_with_a_local_filter_reads_pages_until_its_rows_are_final() {
    // `--grep` filters what came back: pages newest first, growing, until 5 rows match and no
    // unread message could come before them.
    let f = MessageFilter {
        since: Some(TimeArg::Ago(3_600_000)),
        ..MessageFilter::default()
    };
    let (limited, whole, _) = limited_equals_the_whole_windows_first_rows(f, Some("FAILED"), 5).await;
    assert!(
        limited.requests.len() > 2,
        "more than one page: {:#?}",
        limited.requests
    );
    assert!(
        limited
            .requests
            .iter()
            .all(|r| r.contains("LogEnd desc") || r.contains("LogEnd eq null"))
    );
    assert!(
        limited.rows * 5 < whole.rows,
        "a fraction of the window: {} of {} rows",
        limited.rows,
        whole.rows
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_beyond_the_window_reads_it_whole_and_counts_it() {
    let (sim, client) = sim().await;
    let admin = sim.admin();
    let cx = CellCx {
        now: client.server_now(),
        time: TimeFmt::default(),
    };
    // A fixed range of failed messages: fewer than the limit.
    let now = client.server_now();
    let f = MessageFilter {
        since: Some(TimeArg::At(now - 2 * 3_600_000)),
        until: Some(TimeArg::At(now - 3_600_000)),
        statuses: vec![cpitop::cpi::model::MplStatus::Failed],
        ..MessageFilter::default()
    };
    let (whole, _) = get(&client, &admin, &f, &TableOpts::default(), &cx).await;
    let opts = TableOpts {
        limit: Some(100_000),
        ..TableOpts::default()
    };
    let (limited, served) = get(&client, &admin, &f, &opts, &cx).await;
    assert!(!whole.records.is_empty());
    assert_eq!(
        limited.records, whole.records,
        "a fixed range in the past does not change"
    );
    // Read newest first (the limited reading), until a page came back short: the window's end.
    assert!(
        served.requests.iter().all(|r| r.contains("$orderby=LogEnd desc")),
        "{:#?}",
        served.requests
    );
    // No in-flight listing for a range in the past; the filter went to the tenant.
    assert!(
        served.requests.iter().all(|r| r.contains("Status eq 'FAILED'")),
        "{:#?}",
        served.requests
    );
    assert_eq!(served.rows, whole.records.len() as u64);
    assert_eq!(
        limited.summary, whole.summary,
        "the whole window was read: its counts are known"
    );
}
