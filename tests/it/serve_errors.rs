//! `cpitop serve` with error signatures, against the simulated tenant over loopback: each tenant's
//! held window of failed messages is grouped by signature as `cpitop get errors` groups it, and
//! `/metrics` shows the failed messages per signature (`cpitop_error_signature_messages`, capped by
//! `[serve] max_signatures` with the rest as `other`); error texts are read within the `[errors]
//! budget` per minute of the tenant's clock (counted on the wire), newest first, once each, never
//! for a DISCARDED message; a monitor with an `error_signature_count` rule is evaluated under
//! serve and fires.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use cpitop::config::ErrorsConfig;
use cpitop::cpi::CpiClient;
use cpitop::cpi::conn::{Limits, TenantConn};
use cpitop::kit::format::TimeFmt;
use cpitop::kit::print::TableOpts;
use cpitop::kit::table::CellCx;
use cpitop::monitor::Status;
use cpitop::panes::errors::Settings;
use cpitop::panes::errors::get::{ErrorsQuery, table};
use cpitop::serve::state::{TEMPLATE_LABEL_MAX, template_label};
use cpitop::serve::{ServeHandle, TenantSetup};
use cpitop::signature::SeenSignatures;
use cpitop::sim::{SimConfig, SimHandle};

use crate::serve_util::{self, FLOW, get, setup, start};

const FAMILY: &str = "cpitop_error_signature_messages";

/// One series: its labels and value.
type Sample = (BTreeMap<String, String>, f64);

/// Every series of `name` in a text exposition, label values unescaped.
fn series(exposition: &str, name: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for line in exposition.lines() {
        let Some(rest) = line.strip_prefix(name).and_then(|r| r.strip_prefix('{')) else {
            continue;
        };
        let mut labels = BTreeMap::new();
        let mut chars = rest.char_indices().peekable();
        let end = loop {
            let mut key = String::new();
            for (_, c) in chars.by_ref() {
                if c == '=' {
                    break;
                }
                key.push(c);
            }
            assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "{line}");
            let mut value = String::new();
            while let Some((_, c)) = chars.next() {
                match c {
                    '\\' => match chars.next().map(|(_, c)| c) {
                        Some('n') => value.push('\n'),
                        Some(o) => value.push(o),
                        None => {}
                    },
                    '"' => break,
                    o => value.push(o),
                }
            }
            labels.insert(key, value);
            match chars.next() {
                Some((_, ',')) => continue,
                Some((i, '}')) => break i + 1,
                other => panic!("{other:?} in {line}"),
            }
        };
        let value: f64 = rest[end..].trim().parse().expect("a value");
        out.push((labels, value));
    }
    out
}

/// A simulated tenant with a fixed history and no live traffic (nothing changes but the clock).
async fn quiet_sim(history: u64) -> SimHandle {
    cpitop::sim::spawn(SimConfig {
        seed: 11,
        message_rate: 0.0,
        history: Duration::from_secs(1800),
        history_messages: Some(history),
        ..SimConfig::default()
    })
    .await
    .expect("sim starts")
}

fn conn(sim: &SimHandle, name: &str) -> TenantConn {
    TenantConn {
        limits: Limits {
            max_retries: 0,
            requests_per_second: 500.0,
            burst: 500,
            max_concurrency: 8,
            request_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(1),
            ..Limits::default()
        },
        ..sim.demo_conn(name)
    }
}

/// A fast-polling tenant of `sim` whose client is not limited by the test's request rates.
fn tenant(sim: &SimHandle, name: &str) -> TenantSetup {
    TenantSetup {
        client: CpiClient::new(conn(sim, name)).expect("client"),
        ..serve_util::fast_tenant(sim, name)
    }
}

fn errors(budget: u32) -> ErrorsConfig {
    ErrorsConfig {
        budget,
        ..ErrorsConfig::default()
    }
}

/// What `cpitop get errors` prints for the sim's failed messages: (key, template, count) of
/// each signature group, and the number of failed messages.
async fn get_errors(sim: &SimHandle) -> (Vec<(String, String, u64)>, u64) {
    let client = CpiClient::new(conn(sim, "get")).expect("client");
    let now = client.server_now();
    let q = ErrorsQuery {
        from: now - 2 * 3_600_000,
        to: None,
        iflow: None,
        per_iflow: false,
        budget: 100_000,
        settings: Settings::default(),
        describe: "last 2h".into(),
    };
    let cx = CellCx {
        now,
        time: TimeFmt::default(),
    };
    let printed = table(&client, &q, SeenSignatures::default(), &TableOpts::default(), &cx)
        .await
        .expect("get errors");
    let mut total = 0;
    let mut groups = Vec::new();
    for g in &printed.records {
        let count = g["count"].as_u64().expect("count");
        total += count;
        assert_eq!(g["kind"], "signature", "every text read: {g}");
        groups.push((
            g["key"].as_str().expect("key").to_string(),
            g["template"].as_str().expect("template").to_string(),
            count,
        ));
    }
    (groups, total)
}

/// The family's series of `handle`'s one tenant, once every error text is read.
async fn signatures_when_read(handle: &ServeHandle) -> Vec<Sample> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (status, text) = get(handle.addr, "/metrics", &[]).await;
        assert_eq!(status, 200);
        let s = series(&text, FAMILY);
        let provisional = s
            .iter()
            .find(|(l, _)| l["signature"] == "provisional")
            .map(|(_, v)| *v);
        if provisional == Some(0.0) {
            return s;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "error texts not all read within 60s: {s:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_the_windows_failures_per_signature_as_get_errors_groups_them() {
    let sim = quiet_sim(1_500).await;
    let (groups, failed) = get_errors(&sim).await;
    assert!(
        groups.len() >= 4 && failed >= 30,
        "a handful of groups of many failures: {groups:#?}"
    );

    // Uncapped: one series per signature, with get errors' key, template and count.
    let mut s = setup(vec![tenant(&sim, "simtest")], "");
    s.errors = errors(600);
    let handle = start(s).await;
    let got = signatures_when_read(&handle).await;
    let by_key: BTreeMap<&str, (&str, f64)> = got
        .iter()
        .map(|(l, v)| (l["signature"].as_str(), (l["template"].as_str(), *v)))
        .collect();
    for (key, template, count) in &groups {
        let (t, n) = by_key
            .get(key.as_str())
            .unwrap_or_else(|| panic!("no series of {key} `{template}`: {got:#?}"));
        assert_eq!(*n, *count as f64, "{template}");
        // The template as a label: one line, cut at the documented length.
        assert_eq!(*t, &*template_label(template));
        assert!(t.chars().count() <= TEMPLATE_LABEL_MAX);
    }
    assert!(got.iter().all(|(l, _)| l["tenant"] == "simtest"));
    assert_eq!(
        got.iter().map(|(_, v)| v).sum::<f64>(),
        failed as f64,
        "every failed message in one series: {got:#?}"
    );
    assert_eq!(
        got.len(),
        groups.len() + 1,
        "the signatures and provisional (0): {got:#?}"
    );
    handle.shutdown().await;

    // Capped at 2: the two largest, the rest summed as `other`.
    let mut s = setup(vec![tenant(&sim, "simtest")], "");
    s.errors = errors(600);
    s.config.caps.signatures = 2;
    let handle = start(s).await;
    let got = signatures_when_read(&handle).await;
    let mut largest = groups.clone();
    largest.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let keys: Vec<&str> = got.iter().map(|(l, _)| l["signature"].as_str()).collect();
    assert_eq!(
        keys,
        [
            largest[0].0.as_str(),
            largest[1].0.as_str(),
            "other",
            "provisional"
        ],
        "{got:#?}"
    );
    let other: u64 = largest[2..].iter().map(|g| g.2).sum();
    assert_eq!(got[2].1, other as f64);
    assert_eq!(
        got[2].0["template"],
        "(other signatures, beyond [serve] max_signatures)"
    );
    assert_eq!(got.iter().map(|(_, v)| v).sum::<f64>(), failed as f64);
    handle.shutdown().await;
}

/// The message id in `GET /api/v1/MessageProcessingLogs('<id>')/ErrorInformation/$value`.
fn guid_of(request: &str) -> String {
    request
        .split("MessageProcessingLogs('")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_texts_are_read_within_the_budget_per_minute_newest_first_once_each() {
    const BUDGET: usize = 7;
    let sim = quiet_sim(3_000).await;
    let admin = sim.admin();
    let mut s = setup(vec![tenant(&sim, "simtest")], "");
    s.errors = errors(BUDGET as u32);
    // No newly failed messages here (no traffic): nothing is kept for them.
    s.config.error_texts_per_round = 0;
    admin.clear_requests();
    let handle = start(s).await;
    let texts = || -> Vec<String> {
        let r = admin
            .recent_requests()
            .into_iter()
            .filter(|r| r.contains("/ErrorInformation"))
            .map(|r| guid_of(&r))
            .collect();
        admin.clear_requests();
        r
    };
    // The tenant's failed messages (its own record), before and after each minute.
    let client = CpiClient::new(conn(&sim, "check")).expect("client");
    let failed_now = || async {
        let now = client.server_now();
        let store = cpitop::resources::errors::failed_window(&client, now - 3 * 3_600_000, None, None, &[])
            .await
            .expect("failed messages");
        (0..store.len() as u32)
            .map(|r| (store.row(r).guid.to_string(), store.time(r)))
            .collect::<BTreeMap<String, i64>>()
    };
    let mut before = failed_now().await;
    let mut read: HashSet<String> = HashSet::new();
    for minute in 0..3 {
        if minute > 0 {
            admin.advance_clock(Duration::from_secs(60));
        }
        // Many polls (every 300 ms) within the minute: the budget, not the polls, decides.
        let mut got = Vec::new();
        serve_util::until(20, "the minute's budget read", || {
            got.extend(texts());
            got.len() >= BUDGET
        })
        .await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        got.extend(texts());
        assert_eq!(got.len(), BUDGET, "minute {minute}: {got:?}");
        let after = failed_now().await;
        // Failed messages only, once each, never a DISCARDED one.
        for g in &got {
            assert!(after.contains_key(g), "{g} is not a failed message");
            assert!(read.insert(g.clone()), "{g} read twice");
            assert_ne!(admin.truth_message_status(g).as_deref(), Some("DISCARDED"), "{g}");
        }
        // Newest first: no unread failure is newer than this minute's oldest, but for one that
        // failed only now (a message that was still retrying).
        let oldest = got.iter().map(|g| after[g]).min().expect("some");
        let newer: Vec<(&String, &i64)> = after
            .iter()
            .filter(|(g, t)| **t > oldest && !read.contains(*g) && before.contains_key(*g))
            .collect();
        assert!(newer.is_empty(), "minute {minute}: unread and newer: {newer:?}");
        before = after;
    }
    // The rest waits, grouped provisionally.
    let (_, text) = get(handle.addr, "/metrics", &[]).await;
    let provisional = series(&text, FAMILY)
        .into_iter()
        .find(|(l, _)| l["signature"] == "provisional")
        .map(|(_, v)| v);
    let window = before.len() - read.len();
    assert!(
        provisional.is_some_and(|p| p > 0.0 && p <= window as f64),
        "{provisional:?} of {window} unread"
    );
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_count_monitor_is_evaluated_and_fires_under_serve() {
    // Live traffic only: the window starts empty of failures.
    let sim = cpitop::sim::spawn(SimConfig {
        seed: 11,
        message_rate: 2.0,
        history: Duration::from_secs(60),
        history_messages: Some(0),
        ..SimConfig::default()
    })
    .await
    .expect("sim starts");
    let monitors = r#"
[[defaults]]
key = "sigs"
name = "Error signatures"
rules = [{ kind = "error_signature_count", above = 4, within = "30m" }]
"#;
    let mut s = setup(vec![tenant(&sim, "simtest")], monitors);
    s.errors = errors(600);
    let handle = start(s).await;
    let status = || {
        handle.fleet.tenants[0]
            .read()
            .monitors
            .iter()
            .find(|(k, ..)| &**k == "sigs")
            .map(|(.., s)| *s)
    };
    serve_util::until(30, "the signature rule evaluated", || {
        status() == Some(Status::Ok)
    })
    .await;
    let mut events = handle.hub.subscribe();

    // Six failures with one error text (and whatever else a minute brings).
    sim.admin()
        .fail_next(FLOW, 6, "Partner ACME refused order 4711")
        .unwrap();
    sim.admin().advance_clock(Duration::from_secs(120));
    serve_util::until(30, "the signature rule fires", || status() == Some(Status::Error)).await;
    let mut transition = None;
    serve_util::until(10, "the transition event", || {
        while let Ok(line) = events.try_recv() {
            if line.contains("\"event\":\"transition\"") && line.contains("\"monitor\":\"sigs\"") {
                transition = Some(line.to_string());
            }
        }
        transition.is_some()
    })
    .await;
    let t: serde_json::Value = serde_json::from_str(transition.as_deref().unwrap()).unwrap();
    assert_eq!(t["to"], "error", "{t}");
    assert!(
        t["text"]
            .as_str()
            .is_some_and(|x| x.contains("Partner ACME refused order") && x.contains("6 failed messages")),
        "{t}"
    );
    let (_, text) = get(handle.addr, "/metrics", &[]).await;
    assert_eq!(
        serve_util::sample(
            &text,
            "cpitop_monitor_status",
            &["monitor=\"sigs\"", "status=\"error\""]
        ),
        Some(1.0),
        "{text}"
    );
    handle.shutdown().await;
}
