//! A whole incident through the monitor pipeline: evaluation → transitions → history →
//! notifier → webhook on loopback, and `check`'s exit code along the way. The tenant's data is
//! built in the test (the simulated tenant drives the same path in the lead's end-to-end tests).

use crate::hook;

use std::time::Duration;

use cpitop::cpi::model::{ArtifactStatus, JmsMessage, KeystoreEntry, MplStatus, Queue, RuntimeArtifact};
use cpitop::monitor::eval::Status;
use cpitop::monitor::headless::{CheckReport, EXIT_ERROR, EXIT_OK};
use cpitop::monitor::notify::{DeliveryReport, NotifierInput, spawn_notifier};
use cpitop::monitor::{
    ArtifactTracker, MessageRef, MonitorsConfig, QueueSnapshot, SnapshotData, TenantHealth, TenantMonitors,
    VecMessageStats,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const T0: i64 = 1_764_000_000_000;
const MIN: i64 = 60_000;
const DAY: i64 = 86_400_000;

fn config(url: &str) -> MonitorsConfig {
    let text = format!(
        r#"
[[defaults]]
key = "stopped"
name = "iFlow not started"
rules = [{{ kind = "not_started" }}]
[[defaults]]
key = "failing"
name = "Billing failing"
scope = {{ iflow = "Billing" }}
rules = [{{ kind = "failures", at_least = 3, within = "15m" }}]
[[defaults]]
key = "dlq"
name = "Dead letters"
rules = [{{ kind = "dlq_not_empty" }}]
[[defaults]]
key = "certs"
name = "Certificates"
rules = [{{ kind = "cert_expiry", within = "7d" }}]
[[defaults]]
key = "down"
name = "Tenant reachable"
rules = [{{ kind = "tenant_unreachable", for = "2m" }}]
[notify]
group_window = "50ms"
min_interval = "0s"
retries = 0
webhooks = [{{ name = "test", url = "{url}" }}]
"#
    );
    let cfg: MonitorsConfig = toml::from_str(&text).expect("config parses");
    cfg.validate().expect("config valid");
    cfg
}

fn art(id: &str, status: ArtifactStatus) -> RuntimeArtifact {
    RuntimeArtifact {
        id: id.into(),
        version: "1".into(),
        name: id.into(),
        kind: "INTEGRATION_FLOW".into(),
        deployed_by: String::new(),
        deployed_on: None,
        status,
    }
}

/// The simulated tenant's observable state.
struct World {
    orders: ArtifactStatus,
    billing_failures: Vec<i64>,
    dlq_depth: i64,
    cert_expiry: i64,
    last_answer: i64,
}

fn snapshot(w: &World, now: i64, tracker: &mut ArtifactTracker) -> SnapshotData {
    let artifacts = vec![
        art("Orders", w.orders.clone()),
        art("Billing", ArtifactStatus::Started),
    ];
    tracker.observe(&artifacts, now);
    let mut msgs: Vec<MessageRef> = w
        .billing_failures
        .iter()
        .enumerate()
        .map(|(i, t)| MessageRef {
            guid: format!("F{i}"),
            iflow: "Billing".into(),
            status: MplStatus::Failed,
            time: *t,
            custom_status: None,
            error: Some("HTTP 401 from receiver ERP".into()),
        })
        .collect();
    msgs.push(MessageRef {
        guid: "C".into(),
        iflow: "Orders".into(),
        status: MplStatus::Completed,
        time: now - MIN,
        custom_status: None,
        error: None,
    });
    let dlq = QueueSnapshot {
        queue: Queue {
            name: "DLQ_ORDERS".into(),
            numb_of_msgs: w.dlq_depth,
            ..Queue::default()
        },
        messages: Some(
            (0..w.dlq_depth)
                .map(|i| JmsMessage {
                    msgid: format!("ID:{i}"),
                    ..JmsMessage::default()
                })
                .collect(),
        ),
    };
    let cert = KeystoreEntry {
        alias: "erp_client".into(),
        hexalias: "6572705f636c69656e74".into(),
        valid_not_after: Some(w.cert_expiry),
        ..KeystoreEntry::default()
    };
    SnapshotData {
        tenant: "prod".into(),
        artifacts: Some(artifacts),
        not_started_since: Some(tracker.since().clone()),
        not_started_at_start: Some(tracker.at_start().clone()),
        packages: None,
        messages: Some(VecMessageStats::new(msgs, (now - DAY, w.last_answer))),
        queues: Some(vec![dlq]),
        broker: None,
        keystore: Some(vec![cert]),
        health: Some(TenantHealth {
            last_success: Some(w.last_answer),
            watching_since: Some(T0),
            last_error: (w.last_answer < now).then(|| "connect timeout".to_string()),
        }),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_and_recovery() {
    let (url, log) = hook::receiver().await;
    let cfg = config(&url);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut tm = TenantMonitors::open(&cfg, "prod", Some(dir.path())).expect("open");
    let (reports_tx, mut reports) = mpsc::unbounded_channel::<DeliveryReport>();
    let cancel = CancellationToken::new();
    let (tx, handle) =
        spawn_notifier(cfg.notify.clone(), Some(reports_tx), cancel.clone()).expect("notifier");
    let mut tracker = ArtifactTracker::default();
    let mut w = World {
        orders: ArtifactStatus::Started,
        billing_failures: vec![],
        dlq_depth: 0,
        cert_expiry: T0 + 90 * DAY,
        last_answer: T0,
    };

    let mut now = T0;
    let mut expected: Vec<(String, String, String)> = Vec::new();
    // One step: change the world, evaluate once, expect these monitors to turn to `to`.
    let mut step = async |w: &World, now: i64, changed: &[&str], to: Status, tm: &mut TenantMonitors| {
        let data = snapshot(w, now, &mut tracker);
        let round = tm.evaluate(&data.snapshot(), now);
        assert!(round.errors.is_empty(), "{:?}", round.errors);
        let mut got: Vec<&str> = round.transitions.iter().map(|t| t.monitor.as_str()).collect();
        got.sort();
        let mut want = changed.to_vec();
        want.sort();
        assert_eq!(got, want, "at +{}m", (now - T0) / MIN);
        assert!(round.transitions.iter().all(|t| t.to == to));
        assert_eq!(round.rings(), to == Status::Error && !changed.is_empty());
        if !round.transitions.is_empty() {
            tx.send(NotifierInput::Transitions(round.for_notifier()))
                .expect("notifier alive");
            let r = tokio::time::timeout(Duration::from_secs(10), reports.recv())
                .await
                .expect("delivered within 10s")
                .expect("report");
            assert!(r.failures.is_empty(), "{:?}", r.failures);
            assert_eq!(r.alerts, changed.len());
        }
        CheckReport::new(
            "prod",
            &tm.specs()
                .iter()
                .filter_map(|s| {
                    round
                        .evaluations
                        .iter()
                        .find(|(k, _)| *k == s.key)
                        .map(|(_, e)| (s, e.clone()))
                })
                .collect::<Vec<_>>(),
            now,
        )
        .exit_code
    };

    assert_eq!(step(&w, now, &[], Status::Ok, &mut tm).await, EXIT_OK);

    now += MIN;
    w.last_answer = now;
    w.orders = ArtifactStatus::Error;
    assert_eq!(
        step(&w, now, &["stopped"], Status::Error, &mut tm).await,
        EXIT_ERROR
    );
    expected.push(("stopped".into(), "ok".into(), "error".into()));

    now += MIN;
    w.last_answer = now;
    w.billing_failures = vec![now - 3 * MIN, now - 2 * MIN, now - MIN];
    step(&w, now, &["failing"], Status::Error, &mut tm).await;
    expected.push(("failing".into(), "ok".into(), "error".into()));

    now += MIN;
    w.last_answer = now;
    w.dlq_depth = 4;
    step(&w, now, &["dlq"], Status::Error, &mut tm).await;
    expected.push(("dlq".into(), "ok".into(), "error".into()));

    now += MIN;
    w.last_answer = now;
    w.cert_expiry = now - 1;
    step(&w, now, &["certs"], Status::Error, &mut tm).await;
    expected.push(("certs".into(), "ok".into(), "error".into()));

    // The tenant stops answering: one evaluation short of 2 minutes nothing, then an error.
    let down_at = now;
    now += MIN;
    step(&w, now, &[], Status::Error, &mut tm).await;
    now = down_at + 2 * MIN;
    assert_eq!(step(&w, now, &["down"], Status::Error, &mut tm).await, EXIT_ERROR);
    expected.push(("down".into(), "ok".into(), "error".into()));

    // Everything recovers at once: one batch with five recoveries.
    now += 20 * MIN;
    w.last_answer = now;
    w.orders = ArtifactStatus::Started;
    w.dlq_depth = 0;
    w.cert_expiry = now + 365 * DAY;
    assert_eq!(
        step(
            &w,
            now,
            &["stopped", "failing", "dlq", "certs", "down"],
            Status::Ok,
            &mut tm
        )
        .await,
        EXIT_OK
    );
    for k in ["certs", "dlq", "down", "failing", "stopped"] {
        expected.push((k.into(), "error".into(), "ok".into()));
    }

    let bodies = log.lock().expect("lock").clone();
    assert_eq!(bodies.len(), 6, "one POST per round with transitions");
    let got: Vec<(String, String, String)> = bodies
        .iter()
        .flat_map(|b| b["alerts"].as_array().cloned().unwrap_or_default())
        .map(|a| {
            let s = |k: &str| a[k].as_str().unwrap_or_default().to_string();
            (s("monitor"), s("previous_status"), s("status"))
        })
        .collect();
    let mut got_sorted = got.clone();
    let mut want_sorted = expected.clone();
    got_sorted.sort();
    want_sorted.sort();
    assert_eq!(got_sorted, want_sorted, "exactly one notification per transition");
    let first_text = bodies[1]["alerts"][0]["text"].as_str().unwrap_or_default();
    assert_eq!(first_text, "3 FAILED in 15m; last: HTTP 401 from receiver ERP");

    // The history holds all ten transitions.
    assert_eq!(tm.history(100).expect("history").len(), 10);

    drop(tx);
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .expect("stops")
        .expect("no panic");
    cancel.cancel();
}
