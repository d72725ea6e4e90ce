//! `check` and `watch` end to end against the simulated tenant over loopback, in process: each
//! scenario (stopped iFlow, failing iFlow, DLQ filled, certificate expired, tenant down) turns its
//! monitor to error within one evaluation and recovers; `watch` streams the transitions and the
//! newly failed messages, and a webhook receiver gets exactly one notification per transition.

use crate::hook;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cpitop::cpi::CpiClient;
use cpitop::cpi::conn::{Limits, TenantConn};
use cpitop::headless::{Target, WatchOptions, check, monitors_from_table, watch};
use cpitop::monitor::{Status, WatchEvent};
use cpitop::sim::{DownMode, SimConfig, SimHandle};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// A flow with steady traffic in the simulated catalog.
const FLOW: &str = "Orders_Inbound";
/// An empty dead-letter queue of the simulated tenant.
const DLQ: &str = "DLQ_DELIVERY_3PL";
/// A certificate valid for 300 days in the simulated tenant.
const CERT: &str = "sap_cloudintegrationcertificate";

fn monitors_toml(webhook: Option<&str>) -> String {
    let mut s = format!(
        r#"
[[defaults]]
key = "stopped"
name = "{FLOW} not started"
scope = {{ iflow = "{FLOW}" }}
rules = [{{ kind = "not_started" }}]
[[defaults]]
key = "failing"
name = "{FLOW} failing"
scope = {{ iflow = "{FLOW}" }}
rules = [{{ kind = "failures", at_least = 3, within = "2m" }}]
[[defaults]]
key = "dlq"
name = "Dead letters"
rules = [{{ kind = "dlq_not_empty", queues = "{DLQ}" }}]
[[defaults]]
key = "cert"
name = "Tenant certificate"
rules = [{{ kind = "cert_expiry", aliases = "{CERT}", within = "30d" }}]
[[defaults]]
key = "tenant"
name = "Tenant reachable"
rules = [{{ kind = "tenant_unreachable", for = "1s" }}]
"#
    );
    if let Some(url) = webhook {
        s.push_str(&format!(
            r#"
[notify]
group_window = "0s"
min_interval = "0s"
retries = 0
webhooks = [{{ name = "test", url = "{url}" }}]
"#
        ));
    }
    s
}

async fn sim() -> SimHandle {
    cpitop::sim::spawn(SimConfig {
        seed: 11,
        message_rate: 2.0,
        history: Duration::from_secs(3600),
        history_messages: Some(2_000),
        ..SimConfig::default()
    })
    .await
    .expect("sim starts")
}

fn target(sim: &SimHandle, monitors: &str, state_dir: Option<&std::path::Path>) -> Target {
    let conn = TenantConn {
        limits: Limits {
            max_retries: 0,
            request_timeout: Duration::from_secs(3),
            connect_timeout: Duration::from_secs(1),
            ..Limits::default()
        },
        ..sim.demo_conn("simtest")
    };
    let table: toml::Table = toml::from_str(monitors).expect("monitor toml");
    Target {
        tenant: "simtest".into(),
        client: CpiClient::new(conn).expect("client"),
        monitors: monitors_from_table(&table, None).expect("valid monitors"),
        state_dir: state_dir.map(std::path::Path::to_path_buf),
        notes: Vec::new(),
        sim: None,
        errors: Default::default(),
        landscape: None,
        peers: Vec::new(),
    }
}

async fn statuses(t: &Target) -> Vec<(String, Status, String)> {
    let out = check(t).await.expect("check runs");
    out.report
        .monitors
        .iter()
        .map(|m| (m.key.clone(), m.status, m.text.clone()))
        .collect()
}

fn status_of(all: &[(String, Status, String)], key: &str) -> Status {
    all.iter()
        .find(|(k, _, _)| k == key)
        .map(|(_, s, _)| *s)
        .unwrap_or_else(|| panic!("monitor {key} not in {all:?}"))
}

fn assert_all(all: &[(String, Status, String)], expected: &[(&str, Status)]) {
    for (key, st) in expected {
        assert_eq!(status_of(all, key), *st, "{key}: {all:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_turns_its_monitor_to_error_in_one_evaluation_and_recovers() {
    let sim = sim().await;
    let admin = sim.admin();
    let state = tempfile::tempdir().unwrap();
    let t = target(&sim, &monitors_toml(None), Some(state.path()));
    let ok = Status::Ok;
    let err = Status::Error;

    let healthy = statuses(&t).await;
    assert_all(
        &healthy,
        &[
            ("stopped", ok),
            ("failing", ok),
            ("dlq", ok),
            ("cert", ok),
            ("tenant", ok),
        ],
    );
    assert!(
        state.path().join("tenant-health-simtest.json").exists(),
        "tenant health persisted for the next run"
    );

    admin.stop_iflow(FLOW).unwrap();
    assert_all(
        &statuses(&t).await,
        &[("stopped", err), ("failing", ok), ("dlq", ok)],
    );
    admin.start_iflow(FLOW).unwrap();
    assert_all(&statuses(&t).await, &[("stopped", ok)]);

    admin.fail_next(FLOW, 3, "HTTP 500 from receiver ERP").unwrap();
    // Let the next messages of the flow arrive (and become visible) on the sim clock.
    admin.advance_clock(Duration::from_secs(60));
    let failing = statuses(&t).await;
    assert_all(&failing, &[("failing", err), ("stopped", ok)]);

    admin.fill_queue(DLQ, 2, true);
    assert_all(&statuses(&t).await, &[("dlq", err)]);

    admin.expire_certificate(CERT, None).unwrap();
    let expired = statuses(&t).await;
    assert_all(&expired, &[("cert", err), ("dlq", err)]);

    admin.tenant_down(DownMode::Unavailable);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let down = statuses(&t).await;
    assert_all(&down, &[("tenant", err)]);
    for key in ["stopped", "dlq", "cert"] {
        assert_eq!(
            status_of(&down, key),
            Status::NotCalculated,
            "{key}: data missing while down"
        );
    }
    admin.tenant_up();
    assert_all(&statuses(&t).await, &[("tenant", ok), ("stopped", ok)]);
}

/// Wait for an event matching `pred`, failing after `secs`.
async fn next_matching(
    rx: &mut mpsc::UnboundedReceiver<WatchEvent>,
    seen: &mut Vec<WatchEvent>,
    secs: u64,
    pred: impl Fn(&WatchEvent) -> bool,
) -> WatchEvent {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(ev)) => {
                seen.push(ev.clone());
                if pred(&ev) {
                    return ev;
                }
            }
            Ok(None) => panic!("watch ended; events so far: {seen:#?}"),
            Err(_) => panic!("no matching event within {secs}s; events so far: {seen:#?}"),
        }
    }
}

fn is_transition(ev: &WatchEvent, key: &str, to: Status) -> bool {
    matches!(ev, WatchEvent::Transition { monitor, to: t, .. } if monitor == key && *t == to)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_streams_transitions_and_failed_messages_and_notifies_once_per_transition() {
    let sim = sim().await;
    let admin = sim.admin();
    let (url, hooks) = hook::receiver().await;
    let t = target(&sim, &monitors_toml(Some(&url)), None);
    let opts = WatchOptions {
        interval: Duration::from_millis(300),
        ..WatchOptions::from_target(&t)
    };
    let cancel = CancellationToken::new();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let lines_w = lines.clone();
    let stop = cancel.clone();
    let task = tokio::spawn(async move {
        watch(&t, &opts, stop, |ev| {
            lines_w.lock().expect("lock").push(ev.to_line());
            let _ = tx.send(ev.clone());
            Ok(())
        })
        .await
    });
    let mut seen = Vec::new();

    // A healthy start is not news; the stop is, within one interval, and so is the recovery.
    tokio::time::sleep(Duration::from_millis(800)).await;
    admin.stop_iflow(FLOW).unwrap();
    next_matching(&mut rx, &mut seen, 10, |e| {
        is_transition(e, "stopped", Status::Error)
    })
    .await;
    admin.start_iflow(FLOW).unwrap();
    next_matching(&mut rx, &mut seen, 10, |e| {
        is_transition(e, "stopped", Status::Ok)
    })
    .await;

    // Newly failed messages are reported once each, with their error text.
    admin.fail_next(FLOW, 2, "HTTP 500 from receiver ERP").unwrap();
    admin.advance_clock(Duration::from_secs(60));
    let failed = next_matching(
        &mut rx,
        &mut seen,
        10,
        |e| matches!(e, WatchEvent::MessageFailed { iflow, .. } if iflow == FLOW),
    )
    .await;
    let WatchEvent::MessageFailed { error, signature, .. } = &failed else {
        unreachable!()
    };
    assert_eq!(error.as_deref(), Some("HTTP 500 from receiver ERP"));
    // With its error signature: never seen on this tenant since watching began, so new.
    let sig = signature
        .as_ref()
        .expect("a signature: its text was read within the budget");
    assert_eq!(sig.template, "HTTP 500 from receiver ERP");
    assert!(sig.new, "{sig:?}");
    assert_eq!(sig.key.len(), 16);

    // Give the notifier its moment, then stop cleanly.
    tokio::time::sleep(Duration::from_millis(700)).await;
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("watch stops on cancel")
        .expect("no panic")
        .expect("watch ends without error");
    while let Ok(ev) = rx.try_recv() {
        seen.push(ev);
    }

    let guids: Vec<&str> = seen
        .iter()
        .filter_map(|e| match e {
            WatchEvent::MessageFailed { guid, .. } => Some(guid.as_str()),
            _ => None,
        })
        .collect();
    let mut unique = guids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), guids.len(), "each failed message once: {guids:?}");

    let stopped: Vec<Status> = seen
        .iter()
        .filter_map(|e| match e {
            WatchEvent::Transition { monitor, to, .. } if monitor == "stopped" => Some(*to),
            _ => None,
        })
        .collect();
    assert_eq!(stopped, vec![Status::Error, Status::Ok], "{seen:#?}");

    // One webhook alert per (notifiable) transition, in order.
    let transitions: Vec<(String, Status)> = seen
        .iter()
        .filter_map(|e| match e {
            WatchEvent::Transition { monitor, to, .. } if *to != Status::NotCalculated => {
                Some((monitor.clone(), *to))
            }
            _ => None,
        })
        .collect();
    let alerts: Vec<(String, String)> = hooks
        .lock()
        .unwrap()
        .iter()
        .flat_map(|b| b["alerts"].as_array().cloned().unwrap_or_default())
        .map(|a| {
            (
                a["monitor"].as_str().unwrap_or_default().to_string(),
                a["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = transitions
        .iter()
        .map(|(m, s)| (m.clone(), s.as_str().to_string()))
        .collect();
    assert_eq!(alerts, expected, "webhook alerts vs transitions");

    // Every line is one JSON object with an event tag.
    for line in lines.lock().unwrap().iter() {
        assert!(line.ends_with('\n') && !line.trim_end().contains('\n'));
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        assert!(
            ["transition", "message_failed", "state", "heartbeat"]
                .contains(&v["event"].as_str().unwrap_or("")),
            "{line}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_starts_with_every_monitors_state_and_beats_while_slow_or_idle() {
    let sim = sim().await;
    // Every request takes 1.2 s: the first round is slow, and heartbeats must come meanwhile.
    let fault = sim
        .admin()
        .add_fault(cpitop::sim::FaultRule::new(cpitop::sim::FaultKind::Latency { ms: 1_200 }).count(40));
    let t = target(&sim, &monitors_toml(None), None);
    let keys: Vec<String> = t
        .monitors
        .monitors_for("simtest")
        .iter()
        .map(|m| m.key.clone())
        .collect();
    assert!(keys.len() >= 2, "{keys:?}");
    let opts = WatchOptions {
        interval: Duration::from_secs(30),
        heartbeat: Some(Duration::from_millis(250)),
        ..WatchOptions::from_target(&t)
    };
    let cancel = CancellationToken::new();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let stop = cancel.clone();
    let task = tokio::spawn(async move {
        watch(&t, &opts, stop, |ev| {
            let _ = tx.send(ev.clone());
            Ok(())
        })
        .await
    });
    let mut seen = Vec::new();
    // A heartbeat while the first round is still running.
    next_matching(&mut rx, &mut seen, 10, |e| {
        matches!(
            e,
            WatchEvent::Heartbeat {
                rounds: 0,
                round_running_s: Some(_),
                ..
            }
        )
    })
    .await;
    // Then the state of every monitor, in configuration order, before anything else of the round.
    let first_state = next_matching(&mut rx, &mut seen, 30, |e| matches!(e, WatchEvent::State { .. })).await;
    let mut states = vec![first_state];
    while states.len() < keys.len() {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Some(e)) => states.push(e),
            other => panic!("{keys:?}: states {states:#?}, then {other:?}"),
        }
    }
    let state_keys: Vec<String> = states
        .iter()
        .map(|e| match e {
            WatchEvent::State {
                monitor,
                since_ms,
                time_ms,
                ..
            } => {
                assert!(since_ms <= time_ms, "{e:?}");
                monitor.clone()
            }
            other => panic!("expected only states first, got {other:?}"),
        })
        .collect();
    assert_eq!(state_keys, keys);
    assert!(
        seen[..seen.len() - 1]
            .iter()
            .all(|e| matches!(e, WatchEvent::Heartbeat { rounds: 0, .. })),
        "only heartbeats before the first round ended: {seen:#?}"
    );
    // Idle between rounds: heartbeats keep coming, counting the finished round.
    sim.admin().remove_fault(fault);
    let beat = next_matching(&mut rx, &mut seen, 5, |e| {
        matches!(
            e,
            WatchEvent::Heartbeat {
                rounds: 1,
                round_running_s: None,
                ..
            }
        )
    })
    .await;
    let WatchEvent::Heartbeat {
        monitors, last_round, ..
    } = &beat
    else {
        unreachable!()
    };
    assert_eq!(
        monitors.error + monitors.warning + monitors.not_calculated + monitors.ok,
        keys.len()
    );
    assert!(last_round.is_some());
    // As JSON lines.
    let line = beat.to_line();
    assert!(
        line.starts_with(r#"{"event":"heartbeat","tenant":"simtest","rounds":1,"#),
        "{line}"
    );
    assert!(
        states[0]
            .to_line()
            .starts_with(r#"{"event":"state","tenant":"simtest","monitor":"#)
    );
    // Without a notification channel nothing is due: a stop is prompt, not a group window later.
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

/// The signature rules from `cpitop check`, run by cron: the window's failures grouped by
/// signature (texts read within the budget), a signature above its count alerts, and one that
/// appears after the first run — remembered in the state dir between runs — is new.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_evaluates_the_signature_rules_across_runs() {
    let sim = sim().await;
    let admin = sim.admin();
    let state = tempfile::tempdir().unwrap();
    let monitors = r#"
[[defaults]]
key = "new-errors"
name = "New error signatures"
rules = [{ kind = "new_error_signature", unseen_for = "1d", within = "30m" }]
[[defaults]]
key = "big-error"
name = "A big error"
rules = [{ kind = "error_signature_count", above = 2, within = "30m" }]
"#;
    let mut t = target(&sim, monitors, Some(state.path()));
    t.errors.budget = 500;
    let first = check(&t).await.expect("check runs");
    let by_key = |out: &cpitop::headless::CheckOutcome, key: &str| {
        out.report
            .monitors
            .iter()
            .find(|m| m.key == key)
            .map(|m| (m.status, m.text.clone()))
            .expect("monitor")
    };
    let (status, text) = by_key(&first, "new-errors");
    assert_eq!(
        status,
        Status::Ok,
        "the first run only begins remembering: {text}"
    );
    let (status, text) = by_key(&first, "big-error");
    assert_eq!(status, Status::Error, "{text}");
    assert!(text.contains("failed messages in 30m (> 2;"), "{text}");
    assert!(
        state.path().join("errors-seen-simtest.json").exists(),
        "signatures remembered for the next run"
    );

    admin
        .fail_next(
            FLOW,
            3,
            "com.acme.PartnerGoneException: partner gateway 10.2.3.4 closed session 0x7f3a",
        )
        .unwrap();
    admin.advance_clock(Duration::from_secs(60));
    let second = check(&t).await.expect("check runs");
    let (status, text) = by_key(&second, "new-errors");
    assert_eq!(status, Status::Warning, "{text}");
    assert!(
        text.contains("`com.acme.PartnerGoneException: partner gateway <ip> closed session <n>` (first seen"),
        "{text}"
    );
    assert!(text.contains(FLOW), "{text}");
    let new = second
        .report
        .monitors
        .iter()
        .find(|m| m.key == "new-errors")
        .expect("monitor");
    assert!(
        !new.evidence.is_empty(),
        "the new signature's messages as evidence"
    );
}
