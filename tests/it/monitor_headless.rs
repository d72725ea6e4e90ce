//! `check` exit codes and output, `watch` event lines, and a full round through TenantMonitors.

use cpitop::cpi::model::{ArtifactStatus, MplStatus, RuntimeArtifact};
use cpitop::monitor::eval::{Evaluation, Evidence, Status};
use cpitop::monitor::headless::{
    CheckFormat, CheckReport, EXIT_ERROR, EXIT_OK, EXIT_UNKNOWN, EXIT_WARNING, NewFailures, WatchEvent,
    combined_exit_code, exit_code,
};
use cpitop::monitor::{
    MessageRef, MonitorSpec, MonitorsConfig, Rule, Scope, Snapshot, TenantMonitors, Transition,
    VecMessageStats,
};

const NOW: i64 = 1_764_000_000_000; // 2025-11-24T16:00:00Z
const MIN: i64 = 60_000;

fn spec(key: &str, name: &str) -> MonitorSpec {
    MonitorSpec {
        key: key.into(),
        name: name.into(),
        active: true,
        scope: Scope::All,
        rules: vec![Rule::NotStarted {
            for_at_least: None,
            severity: None,
        }],
    }
}

fn ev(status: Status, text: &str) -> Evaluation {
    Evaluation {
        status,
        text: text.into(),
        evidence: vec![],
    }
}

#[test]
fn exit_codes_table() {
    use Status::*;
    let cases: &[(&[Status], i32)] = &[
        (&[Ok, Ok], EXIT_OK),
        (&[Ok, Warning], EXIT_WARNING),
        (&[Warning, Error, Ok], EXIT_ERROR),
        (&[NotCalculated, Ok], EXIT_UNKNOWN),
        (&[NotCalculated, Warning], EXIT_WARNING),
        (&[NotCalculated, Error], EXIT_ERROR),
        (&[], EXIT_UNKNOWN),
    ];
    for (statuses, want) in cases {
        assert_eq!(exit_code(statuses.iter().copied()), *want, "{statuses:?}");
    }
}

#[test]
fn check_report_text_and_json() {
    let (a, b, c, d) = (
        spec("stopped", "iFlow not started"),
        spec("orders", "Orders failing"),
        spec("certs", "Certificates"),
        spec("platform", "Platform"),
    );
    let mut failing = ev(Status::Error, "3 FAILED in 15m; last: HTTP 401 from receiver ERP");
    failing.evidence = vec![Evidence::Message {
        guid: "G1".into(),
        iflow: "Orders_Inbound".into(),
    }];
    let evals = vec![
        (&a, ev(Status::Ok, "12 artifacts STARTED")),
        (&b, failing),
        (&c, ev(Status::Warning, "my_sftp_key expires in 5d (2025-11-29)")),
        (&d, ev(Status::NotCalculated, "JMS broker not loaded yet")),
    ];
    let r = CheckReport::new("prod", &evals, NOW);
    assert_eq!(r.exit_code, EXIT_ERROR);
    insta::assert_snapshot!("check_text", r.render(CheckFormat::Text));
    insta::assert_snapshot!("check_json", r.render(CheckFormat::Json));
    let ok = CheckReport::new("dev", &[(&a, ev(Status::Ok, "fine"))], NOW);
    assert_eq!(ok.exit_code, EXIT_OK);
    assert_eq!(combined_exit_code(&[ok.clone(), r]), EXIT_ERROR);
    let none = CheckReport::new("qa", &[], NOW);
    assert_eq!(none.exit_code, EXIT_UNKNOWN);
    assert_eq!(
        none.to_text(),
        "qa at 2025-11-24T16:00:00Z: UNKNOWN (no active monitors)\n"
    );
    assert_eq!("json".parse::<CheckFormat>(), Ok(CheckFormat::Json));
    assert!("xml".parse::<CheckFormat>().is_err());
}

#[test]
fn watch_event_lines() {
    let t = Transition {
        tenant: "prod".into(),
        monitor: "orders".into(),
        name: "Orders failing".into(),
        from: Status::Ok,
        to: Status::Error,
        text: "3 FAILED in 15m;\nlast: x".into(),
        evidence: vec![Evidence::Queue {
            name: "DLQ_ORDERS".into(),
        }],
        at: NOW,
        from_since: Some(NOW - MIN),
    };
    let line = WatchEvent::transition(&t).to_line();
    assert_eq!(line.matches('\n').count(), 1, "one line: {line}");
    assert_eq!(
        line,
        "{\"event\":\"transition\",\"tenant\":\"prod\",\"monitor\":\"orders\",\"name\":\"Orders failing\",\
\"from\":\"ok\",\"to\":\"error\",\"text\":\"3 FAILED in 15m;\\nlast: x\",\
\"evidence\":[{\"kind\":\"queue\",\"name\":\"DLQ_ORDERS\"}],\"time\":\"2025-11-24T16:00:00Z\",\"time_ms\":1764000000000}\n"
    );
    let m = MessageRef {
        guid: "G9".into(),
        iflow: "Billing".into(),
        status: MplStatus::Failed,
        time: NOW,
        custom_status: None,
        error: Some("HTTP 500".into()),
    };
    let line = WatchEvent::message_failed("prod", &m).to_line();
    assert_eq!(
        line,
        "{\"event\":\"message_failed\",\"tenant\":\"prod\",\"iflow\":\"Billing\",\"guid\":\"G9\",\
\"status\":\"FAILED\",\"error\":\"HTTP 500\",\"time\":\"2025-11-24T16:00:00Z\",\"time_ms\":1764000000000}\n"
    );
}

fn mref(guid: &str, status: MplStatus, time: i64) -> MessageRef {
    MessageRef {
        guid: guid.into(),
        iflow: "F".into(),
        status,
        time,
        custom_status: None,
        error: None,
    }
}

#[test]
fn new_failures_are_reported_once() {
    let mut nf = NewFailures::new(NOW, 60 * MIN);
    let mut stats = VecMessageStats::new(
        vec![
            mref("before", MplStatus::Failed, NOW - MIN),
            mref("ok", MplStatus::Completed, NOW + MIN),
            mref("f1", MplStatus::Failed, NOW + MIN),
        ],
        (NOW - 60 * MIN, NOW + MIN),
    );
    let got: Vec<String> = nf.poll(&stats, NOW + MIN).into_iter().map(|m| m.guid).collect();
    assert_eq!(got, ["f1"], "failures before watching began are not news");
    stats
        .messages
        .push(mref("e1", MplStatus::Escalated, NOW + 2 * MIN));
    stats.messages.push(mref("f2", MplStatus::Failed, NOW + 3 * MIN));
    let got: Vec<String> = nf
        .poll(&stats, NOW + 3 * MIN)
        .into_iter()
        .map(|m| m.guid)
        .collect();
    assert_eq!(got, ["e1", "f2"], "oldest first, each once");
    assert!(nf.poll(&stats, NOW + 4 * MIN).is_empty());
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

#[test]
fn tenant_monitors_round_trip_with_state_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg: MonitorsConfig = toml::from_str(
        r#"
[[defaults]]
key = "stopped"
name = "iFlow not started"
rules = [{ kind = "not_started" }]
[[defaults]]
key = "off"
name = "Inactive"
active = false
rules = [{ kind = "not_started" }]
"#,
    )
    .expect("config");
    let mut tm = TenantMonitors::open(&cfg, "prod", Some(dir.path())).expect("open");
    let running = vec![art("A", ArtifactStatus::Started)];
    let stopped = vec![art("A", ArtifactStatus::Error)];

    let mut snap = Snapshot::new("prod");
    snap.artifacts = Some(&running);
    let r = tm.evaluate(&snap, NOW);
    assert!(r.transitions.is_empty() && r.errors.is_empty());
    assert_eq!(r.evaluations.len(), 1, "inactive monitor skipped");

    snap.artifacts = Some(&stopped);
    let r = tm.evaluate(&snap, NOW + MIN);
    assert_eq!(r.transitions.len(), 1);
    assert!(!r.for_notifier()[0].1);
    assert!(
        tm.acknowledge("stopped", NOW + 2 * MIN, "looking")
            .expect("saved")
    );
    assert!(!tm.acknowledge("nope", NOW, "").expect("no-op"));
    tm.silence("stopped", NOW + 60 * MIN, NOW + 2 * MIN, "deploy")
        .expect("saved");

    // Restart: the standing error is not news, the acknowledgement still holds.
    let mut tm = TenantMonitors::open(&cfg, "prod", Some(dir.path())).expect("reopen");
    let r = tm.evaluate(&snap, NOW + 3 * MIN);
    assert!(r.transitions.is_empty());
    let m = tm.state().get("stopped").expect("monitor");
    assert_eq!(m.since, NOW + MIN);
    assert!(tm.controls().is_acknowledged(m));

    // Recovery while silenced: recorded, flagged silenced, acknowledgement lapses.
    snap.artifacts = Some(&running);
    let r = tm.evaluate(&snap, NOW + 4 * MIN);
    assert_eq!(r.for_notifier().len(), 1);
    assert!(r.silenced[0]);
    assert!(tm.controls().acks.is_empty());
    let h = tm.history(10).expect("history");
    let seen: Vec<(Status, Status)> = h.iter().map(|t| (t.from, t.to)).collect();
    assert_eq!(seen, [(Status::Ok, Status::Error), (Status::Error, Status::Ok)]);
    assert!(tm.unsilence("stopped").expect("saved"));
    assert!(!tm.unsilence("stopped").expect("no-op"));
}
