//! Table-driven tests of every rule, with boundaries and missing data.

use std::collections::HashMap;
use std::time::Duration;

use super::*;
use crate::cpi::model::{
    ArtifactStatus, JmsBroker, JmsMessage, KeystoreEntry, MplStatus, Queue, RuntimeArtifact,
};
use crate::monitor::duration::HumanDuration;
use crate::monitor::eval::{Evidence, Status, evaluate};
use crate::monitor::snapshot::{
    MessageRef, PackageMap, QueueSnapshot, Snapshot, TenantHealth, VecMessageStats,
};
use crate::monitor::spec::{MonitorSpec, Rule, Scope, Severity};

const NOW: i64 = 1_764_000_000_000; // 2025-11-24T16:00:00Z
const S: i64 = 1_000;
const MIN: i64 = 60 * S;
const H: i64 = 60 * MIN;
const D: i64 = 24 * H;
const E: Severity = Severity::Error;

fn art(id: &str, status: ArtifactStatus) -> RuntimeArtifact {
    RuntimeArtifact {
        id: id.into(),
        version: "1.0.0".into(),
        name: id.into(),
        kind: "INTEGRATION_FLOW".into(),
        deployed_by: String::new(),
        deployed_on: None,
        status,
    }
}

fn msg(guid: &str, iflow: &str, status: MplStatus, time: i64, error: Option<&str>) -> MessageRef {
    MessageRef {
        guid: guid.into(),
        iflow: iflow.into(),
        status,
        time,
        custom_status: None,
        error: error.map(str::to_string),
    }
}

/// What `failures` counts: these statuses, no custom status.
fn only(statuses: &'static [MplStatus]) -> Counted<'static> {
    Counted {
        statuses,
        custom: &[],
    }
}

fn mins(m: u64) -> HumanDuration {
    HumanDuration::from_mins(m)
}

fn queue(name: &str, n: i64, messages: Option<Vec<JmsMessage>>) -> QueueSnapshot {
    QueueSnapshot {
        queue: Queue {
            name: name.into(),
            numb_of_msgs: n,
            ..Queue::default()
        },
        messages,
    }
}

fn jms(id: &str, created: i64) -> JmsMessage {
    JmsMessage {
        msgid: id.into(),
        created_at: Some(created),
        next_retry: Some(created + H),
        ..JmsMessage::default()
    }
}

fn blocked(id: &str) -> JmsMessage {
    JmsMessage {
        msgid: id.into(),
        created_at: Some(NOW - H),
        retry_count: 2,
        next_retry: None,
        ..JmsMessage::default()
    }
}

// ---------- not_started ----------

#[test]
fn not_started_table() {
    let arts = vec![
        art("Orders_Inbound", ArtifactStatus::Error),
        art("Orders_Outbound", ArtifactStatus::Started),
        art("Billing", ArtifactStatus::Started),
    ];
    let mut since = HashMap::new();
    since.insert("Orders_Inbound".to_string(), NOW - 5 * MIN);
    // (scope, for, since-map present, expected status, text fragment)
    let cases: Vec<(Scope, Option<HumanDuration>, bool, Status, &str)> = vec![
        (
            Scope::All,
            None,
            true,
            Status::Error,
            "Orders_Inbound is ERROR for 5m",
        ),
        (
            Scope::All,
            Some(mins(5)),
            true,
            Status::Error,
            "Orders_Inbound is ERROR for 5m",
        ),
        (Scope::All, Some(mins(6)), true, Status::Ok, "(alert after 6m)"),
        (
            Scope::All,
            Some(mins(5)),
            false,
            Status::NotCalculated,
            "not known since when",
        ),
        (Scope::All, None, false, Status::Error, "Orders_Inbound is ERROR"),
        (
            Scope::Glob("Orders_*".into()),
            None,
            true,
            Status::Error,
            "Orders_Inbound",
        ),
        (
            Scope::Glob("Bill*".into()),
            None,
            true,
            Status::Ok,
            "1 artifact STARTED",
        ),
        (
            Scope::Glob("Nothing*".into()),
            None,
            true,
            Status::NotCalculated,
            "no deployed artifact",
        ),
        (
            Scope::Iflow("Billing".into()),
            None,
            true,
            Status::Ok,
            "1 artifact STARTED",
        ),
        (
            Scope::Iflow("Gone".into()),
            None,
            true,
            Status::Error,
            "Gone is not deployed",
        ),
    ];
    for (scope, for_at_least, with_since, want, frag) in cases {
        let mut snap = Snapshot::new("t1");
        snap.artifacts = Some(&arts);
        if with_since {
            snap.not_started_since = Some(&since);
        }
        let out = not_started(&scope, for_at_least, E, &snap, NOW);
        assert_eq!(out.status, want, "{scope:?} {for_at_least:?}: {}", out.text);
        assert!(
            out.text.contains(frag),
            "{scope:?}: {:?} lacks {frag:?}",
            out.text
        );
        if want == Status::Error {
            assert!(!out.evidence.is_empty());
        }
    }
}

/// An artifact already non-STARTED at the tracker's first observation: its state counts from
/// `DeployedOn` (so `for` fires at once for an old deployment), or fires at once without one;
/// the text says what is known instead of "for 0s".
#[test]
fn not_started_already_broken_when_watching_began() {
    let with_deploy = |id: &str, st: ArtifactStatus, deployed: Option<i64>| RuntimeArtifact {
        deployed_on: deployed,
        ..art(id, st)
    };
    // (artifact, seen at the first observation?, for, expected, text fragment)
    let cases: Vec<(RuntimeArtifact, bool, Option<HumanDuration>, Status, &str)> = vec![
        (
            with_deploy("Old", ArtifactStatus::Error, Some(NOW - 3 * D)),
            true,
            Some(mins(10)),
            Status::Error,
            "Old is ERROR (seen since 16:00 UTC; deployed 2025-11-21)",
        ),
        (
            with_deploy("Fresh", ArtifactStatus::Starting, Some(NOW - 2 * MIN)),
            true,
            Some(mins(10)),
            Status::Ok,
            "Fresh is STARTING (seen since 16:00 UTC; deployed 15:58 UTC) (alert after 10m)",
        ),
        (
            with_deploy("Fresh", ArtifactStatus::Starting, Some(NOW - 10 * MIN)),
            true,
            Some(mins(10)),
            Status::Error,
            "deployed 15:50 UTC",
        ),
        (
            with_deploy("NoDate", ArtifactStatus::Error, None),
            true,
            Some(mins(10)),
            Status::Error,
            "NoDate is ERROR (seen since 16:00 UTC)",
        ),
        (
            with_deploy("Old", ArtifactStatus::Error, Some(NOW - 3 * D)),
            true,
            None,
            Status::Error,
            "seen since 16:00 UTC; deployed 2025-11-21",
        ),
        // Seen changing: timed from then, the deployment does not matter.
        (
            with_deploy("Old", ArtifactStatus::Error, Some(NOW - 3 * D)),
            false,
            Some(mins(10)),
            Status::Ok,
            "Old is ERROR for 0s (alert after 10m)",
        ),
    ];
    for (a, at_start, for_at_least, want, frag) in cases {
        let id = a.id.clone();
        let arts = vec![a];
        let since = HashMap::from([(id.clone(), NOW)]);
        let first: std::collections::HashSet<String> = if at_start {
            [id.clone()].into()
        } else {
            Default::default()
        };
        let mut snap = Snapshot::new("t1");
        snap.artifacts = Some(&arts);
        snap.not_started_since = Some(&since);
        snap.not_started_at_start = Some(&first);
        let out = not_started(&Scope::All, for_at_least, E, &snap, NOW);
        assert_eq!(out.status, want, "{id} {at_start} {for_at_least:?}: {}", out.text);
        assert!(out.text.contains(frag), "{id}: {:?} lacks {frag:?}", out.text);
        assert!(
            !(at_start && out.text.contains(" for ")),
            "no made-up duration: {}",
            out.text
        );
    }
}

#[test]
fn not_started_missing_data_and_packages_and_severity() {
    let snap = Snapshot::new("t1");
    let out = not_started(&Scope::All, None, E, &snap, NOW);
    assert_eq!(out.status, Status::NotCalculated);
    assert!(out.text.contains("runtime artifacts not loaded"));

    let arts = vec![
        art("A", ArtifactStatus::Stopping),
        art("B", ArtifactStatus::Started),
    ];
    let mut snap = Snapshot::new("t1");
    snap.artifacts = Some(&arts);
    let pkg = Scope::Package("Finance".into());
    let out = not_started(&pkg, None, E, &snap, NOW);
    assert_eq!(out.status, Status::NotCalculated, "{}", out.text);
    assert!(out.text.contains("package"));

    let packages = PackageMap::complete([
        ("A".to_string(), "Sales".to_string()),
        ("B".to_string(), "Finance".to_string()),
    ]);
    snap.packages = Some(&packages);
    assert_eq!(not_started(&pkg, None, E, &snap, NOW).status, Status::Ok);
    let sales = Scope::Package("Sales".into());
    let out = not_started(&sales, None, Severity::Warning, &snap, NOW);
    assert_eq!(out.status, Status::Warning);
    assert_eq!(out.evidence, vec![Evidence::Artifact { id: "A".into() }]);

    let arts = vec![
        art("A", ArtifactStatus::Error),
        art("B", ArtifactStatus::Stopping),
    ];
    snap.artifacts = Some(&arts);
    let out = not_started(&Scope::All, None, E, &snap, NOW);
    assert!(out.text.starts_with("2 not started: "), "{}", out.text);
}

// ---------- failures ----------

fn fail_stats(times: &[i64], coverage: (i64, i64)) -> VecMessageStats {
    let mut v: Vec<MessageRef> = times
        .iter()
        .enumerate()
        .map(|(i, t)| {
            msg(
                &format!("G{i}"),
                "Orders_Inbound",
                MplStatus::Failed,
                *t,
                Some("HTTP 401 from receiver ERP\n  at step CallERP"),
            )
        })
        .collect();
    v.push(msg("C1", "Orders_Inbound", MplStatus::Completed, NOW - MIN, None));
    VecMessageStats::new(v, coverage)
}

#[test]
fn failures_table() {
    let full = (NOW - D, NOW);
    let w = mins(15);
    // (failure times, coverage, at_least, expected)
    type Case = (Vec<i64>, (i64, i64), u32, Status);
    let cases: Vec<Case> = vec![
        (
            vec![NOW - MIN, NOW - 2 * MIN, NOW - 3 * MIN],
            full,
            3,
            Status::Error,
        ),
        (vec![NOW - MIN, NOW - 2 * MIN], full, 3, Status::Ok),
        // window edges: exactly now-15m counts, 1 ms earlier does not
        (
            vec![NOW - MIN, NOW - 2 * MIN, NOW - 15 * MIN],
            full,
            3,
            Status::Error,
        ),
        (
            vec![NOW - MIN, NOW - 2 * MIN, NOW - 15 * MIN - 1],
            full,
            3,
            Status::Ok,
        ),
        (vec![NOW], full, 1, Status::Error),
        (vec![], full, 1, Status::Ok),
        // partial coverage: below threshold is unknown, at threshold is known
        (vec![NOW - MIN], (NOW - 5 * MIN, NOW), 2, Status::NotCalculated),
        (
            vec![NOW - MIN, NOW - 2 * MIN],
            (NOW - 5 * MIN, NOW),
            2,
            Status::Error,
        ),
        // stale coverage (ends 10 minutes ago, tolerance 2m)
        (vec![], (NOW - D, NOW - 10 * MIN), 1, Status::NotCalculated),
        (vec![], (NOW - D, NOW - 2 * MIN), 1, Status::Ok),
    ];
    for (times, cov, n, want) in cases {
        let stats = fail_stats(&times, cov);
        let mut snap = Snapshot::new("t1");
        snap.messages = Some(&stats);
        let out = failures(&Scope::All, n, w, &only(&[MplStatus::Failed]), E, &snap, NOW);
        assert_eq!(out.status, want, "{times:?} {cov:?} n={n}: {}", out.text);
    }
}

#[test]
fn failures_text_evidence_scope_and_statuses() {
    let stats = VecMessageStats::new(
        vec![
            msg(
                "G1",
                "Orders_Inbound",
                MplStatus::Failed,
                NOW - 3 * MIN,
                Some("timeout"),
            ),
            msg("G2", "Orders_Inbound", MplStatus::Failed, NOW - 2 * MIN, None),
            msg(
                "G3",
                "Orders_Inbound",
                MplStatus::Failed,
                NOW - MIN,
                Some("HTTP 401 from receiver ERP"),
            ),
            msg("G4", "Billing", MplStatus::Escalated, NOW - MIN, None),
            msg("G5", "Billing", MplStatus::Failed, NOW - 4 * MIN, None),
        ],
        (NOW - D, NOW),
    );
    let mut snap = Snapshot::new("t1");
    snap.messages = Some(&stats);
    let glob = Scope::Glob("Orders_*".into());
    let out = failures(&glob, 3, mins(15), &only(&[MplStatus::Failed]), E, &snap, NOW);
    assert_eq!(out.status, Status::Error);
    assert_eq!(out.text, "3 FAILED in 15m; last: HTTP 401 from receiver ERP");
    assert_eq!(
        out.evidence[0],
        Evidence::Message {
            guid: "G3".into(),
            iflow: "Orders_Inbound".into()
        }
    );
    assert_eq!(out.evidence.len(), 3);

    let out = failures(
        &Scope::All,
        5,
        mins(15),
        &only(&[MplStatus::Failed, MplStatus::Escalated]),
        E,
        &snap,
        NOW,
    );
    assert_eq!(out.status, Status::Error, "{}", out.text);
    assert!(
        out.text
            .starts_with("5 FAILED/ESCALATED in 15m (Orders_Inbound 3, Billing 2); last ("),
        "{}",
        out.text
    );

    let one = Scope::Iflow("Billing".into());
    let out = failures(&one, 1, mins(15), &only(&[MplStatus::Failed]), E, &snap, NOW);
    assert_eq!(out.status, Status::Error);
    assert!(out.text.contains("last: FAILED G5 at"), "{}", out.text);

    let none = Snapshot::new("t1");
    let out = failures(
        &Scope::All,
        1,
        mins(15),
        &only(&[MplStatus::Failed]),
        E,
        &none,
        NOW,
    );
    assert_eq!(out.status, Status::NotCalculated);
    assert_eq!(out.text, "messages not loaded yet");
}

// ---------- no_success / min_messages ----------

#[test]
fn no_success_table() {
    let arts = vec![
        art("A", ArtifactStatus::Started),
        art("B", ArtifactStatus::Started),
    ];
    let full = (NOW - D, NOW);
    // (last completed of A, of B, coverage, scope, expected)
    type Case = (Option<i64>, Option<i64>, (i64, i64), Scope, Status);
    let cases: Vec<Case> = vec![
        (Some(NOW - H), Some(NOW - MIN), full, Scope::All, Status::Ok),
        (
            Some(NOW - H - 1),
            Some(NOW - MIN),
            full,
            Scope::All,
            Status::Error,
        ),
        (None, Some(NOW - MIN), full, Scope::All, Status::Error),
        (None, Some(NOW - MIN), full, Scope::Iflow("B".into()), Status::Ok),
        (
            None,
            Some(NOW - MIN),
            (NOW - 30 * MIN, NOW),
            Scope::All,
            Status::NotCalculated,
        ),
        // a completion known from before the coverage still proves success
        (
            Some(NOW - 50 * MIN),
            Some(NOW - MIN),
            (NOW - 10 * MIN, NOW),
            Scope::All,
            Status::Ok,
        ),
        (None, None, full, Scope::Glob("Z*".into()), Status::NotCalculated),
    ];
    for (a, b, cov, scope, want) in cases {
        let mut v = Vec::new();
        if let Some(t) = a {
            v.push(msg("a", "A", MplStatus::Completed, t, None));
        }
        if let Some(t) = b {
            v.push(msg("b", "B", MplStatus::Completed, t, None));
        }
        let stats = VecMessageStats::new(v, cov);
        let mut snap = Snapshot::new("t1");
        snap.artifacts = Some(&arts);
        snap.messages = Some(&stats);
        let out = no_success(&scope, mins(60), E, &snap, NOW);
        assert_eq!(out.status, want, "{a:?} {b:?} {cov:?} {scope:?}: {}", out.text);
        if want == Status::Error {
            assert!(out.text.starts_with("no COMPLETED in 1h: A ("), "{}", out.text);
            assert_eq!(out.evidence, vec![Evidence::Artifact { id: "A".into() }]);
        }
    }
    // Without artifacts a glob scope cannot be enumerated; a single iFlow can.
    let stats = VecMessageStats::new(vec![], full);
    let mut snap = Snapshot::new("t1");
    snap.messages = Some(&stats);
    assert_eq!(
        no_success(&Scope::All, mins(60), E, &snap, NOW).status,
        Status::NotCalculated
    );
    let out = no_success(&Scope::Iflow("A".into()), mins(60), E, &snap, NOW);
    assert_eq!(out.status, Status::Error);
    assert!(out.text.contains("none seen"), "{}", out.text);
}

#[test]
fn min_messages_table() {
    let arts = vec![art("A", ArtifactStatus::Started)];
    let full = (NOW - D, NOW);
    // (message count in the window, one extra message just outside, coverage, expected)
    let cases: Vec<(usize, (i64, i64), Status)> = vec![
        (10, full, Status::Ok),
        (9, full, Status::Error),
        (0, full, Status::Error),
        (9, (NOW - 10 * MIN, NOW), Status::NotCalculated),
        (10, (NOW - 10 * MIN, NOW), Status::Ok),
    ];
    for (n, cov, want) in cases {
        let mut v: Vec<MessageRef> = (0..n)
            .map(|i| {
                msg(
                    &format!("m{i}"),
                    "A",
                    MplStatus::Completed,
                    NOW - H + i as i64,
                    None,
                )
            })
            .collect();
        v.push(msg("old", "A", MplStatus::Completed, NOW - H - 1, None));
        let stats = VecMessageStats::new(v, cov);
        let mut snap = Snapshot::new("t1");
        snap.artifacts = Some(&arts);
        snap.messages = Some(&stats);
        let out = min_messages(&Scope::All, 10, mins(60), E, &snap, NOW);
        assert_eq!(out.status, want, "n={n} {cov:?}: {}", out.text);
        if want == Status::Error {
            assert_eq!(out.text, format!("fewer than 10 messages in 1h: A {n}"));
        }
    }
    let snap = Snapshot::new("t1");
    assert_eq!(
        min_messages(&Scope::All, 1, mins(1), E, &snap, NOW).status,
        Status::NotCalculated
    );
}

// ---------- queues ----------

#[test]
fn queue_depth_table() {
    let cases: Vec<(i64, Status)> = vec![(100, Status::Ok), (101, Status::Error), (0, Status::Ok)];
    for (n, want) in cases {
        let qs = vec![queue("ORDERS_IN", n, None), queue("OTHER", 5000, None)];
        let mut snap = Snapshot::new("t1");
        snap.queues = Some(&qs);
        let out = queue_depth("ORDERS_*", 100, E, &snap);
        assert_eq!(out.status, want, "{n}: {}", out.text);
        if want == Status::Error {
            assert_eq!(out.text, "ORDERS_IN holds 101 messages (limit 100)");
            assert_eq!(
                out.evidence,
                vec![Evidence::Queue {
                    name: "ORDERS_IN".into()
                }]
            );
        }
    }
    let qs = vec![queue("A", 300, None), queue("B", 200, None)];
    let mut snap = Snapshot::new("t1");
    snap.queues = Some(&qs);
    assert_eq!(
        queue_depth("*", 100, E, &snap).text,
        "2 queues over 100 messages: A 300, B 200"
    );
    assert_eq!(queue_depth("X*", 100, E, &snap).status, Status::Ok);
    assert_eq!(
        queue_depth("*", 1, E, &Snapshot::new("t")).status,
        Status::NotCalculated
    );
}

#[test]
fn queue_age_table() {
    // (oldest created, listed?, count, expected)
    let cases: Vec<(i64, bool, i64, Status)> = vec![
        (NOW - H, true, 1, Status::Ok),
        (NOW - H - 1, true, 1, Status::Error),
        (NOW - 2 * H, false, 1, Status::NotCalculated),
        (NOW - 2 * H, false, 0, Status::Ok),
    ];
    for (created, listed, n, want) in cases {
        let messages = listed.then(|| vec![jms("ID:1", NOW - MIN), jms("ID:old", created)]);
        let qs = vec![queue("ORDERS_IN", n, messages)];
        let mut snap = Snapshot::new("t1");
        snap.queues = Some(&qs);
        let out = queue_age("*", mins(60), E, &snap, NOW);
        assert_eq!(out.status, want, "{created} {listed} {n}: {}", out.text);
        if want == Status::Error {
            assert!(out.text.contains("ORDERS_IN oldest 1h old"), "{}", out.text);
            assert!(out.evidence.contains(&Evidence::QueueMessage {
                queue: "ORDERS_IN".into(),
                msgid: "ID:old".into()
            }));
        }
    }
}

#[test]
fn dlq_and_blocked_table() {
    let qs = vec![queue("DLQ_ORDERS", 0, None), queue("ORDERS_IN", 7, None)];
    let mut snap = Snapshot::new("t1");
    snap.queues = Some(&qs);
    assert_eq!(dlq_not_empty("DLQ_*", E, &snap).status, Status::Ok);
    let qs = vec![queue("DLQ_ORDERS", 1, None)];
    snap.queues = Some(&qs);
    let out = dlq_not_empty("DLQ_*", E, &snap);
    assert_eq!(out.status, Status::Error);
    assert_eq!(out.text, "DLQ_ORDERS holds 1 message");
    assert_eq!(
        dlq_not_empty("DLQ_*", E, &Snapshot::new("t")).status,
        Status::NotCalculated
    );

    // (blocked count, at_least, listed, expected)
    let cases: Vec<(usize, u32, bool, Status)> = vec![
        (2, 2, true, Status::Error),
        (1, 2, true, Status::Ok),
        (0, 1, true, Status::Ok),
        (0, 1, false, Status::NotCalculated),
    ];
    for (n, at_least, listed, want) in cases {
        let mut ms: Vec<JmsMessage> = (0..n).map(|i| blocked(&format!("ID:b{i}"))).collect();
        ms.push(jms("ID:waiting", NOW - MIN));
        let qs = vec![queue("ORDERS_IN", ms.len() as i64, listed.then_some(ms))];
        let mut snap = Snapshot::new("t1");
        snap.queues = Some(&qs);
        let out = blocked_messages("*", at_least, E, &snap, NOW);
        assert_eq!(out.status, want, "{n} {at_least} {listed}: {}", out.text);
        if want == Status::Error {
            assert_eq!(out.text, "2 blocked messages: ORDERS_IN 2");
            assert_eq!(out.evidence.len(), 3);
        }
    }
}

// ---------- broker, certificates, tenant ----------

#[test]
fn broker_capacity_table() {
    let cases: Vec<(i64, Status)> = vec![
        (799, Status::Ok),
        (800, Status::Warning),
        (949, Status::Warning),
        (950, Status::Error),
    ];
    for (used, want) in cases {
        let b = JmsBroker {
            key: "Broker1".into(),
            capacity: used * 1_000_000,
            max_capacity: 1_000_000_000,
            ..JmsBroker::default()
        };
        let mut snap = Snapshot::new("t1");
        snap.broker = Some(&b);
        let out = broker_capacity(80.0, 95.0, &snap);
        assert_eq!(out.status, want, "{used}: {}", out.text);
    }
    assert_eq!(
        broker_capacity(80.0, 95.0, &Snapshot::new("t")).status,
        Status::NotCalculated
    );
    let b = JmsBroker::default();
    let mut snap = Snapshot::new("t1");
    snap.broker = Some(&b);
    assert_eq!(broker_capacity(80.0, 95.0, &snap).status, Status::NotCalculated);
}

#[test]
fn cert_expiry_table() {
    let entry = |alias: &str, after: Option<i64>| KeystoreEntry {
        hexalias: hex(alias),
        alias: alias.into(),
        valid_not_after: after,
        ..KeystoreEntry::default()
    };
    let w = HumanDuration::from_secs(30 * 86_400);
    let cases: Vec<(Option<i64>, Status, &str)> = vec![
        (
            Some(NOW + 30 * D),
            Status::Warning,
            "my_sftp_key expires in 30d (2025-12-24)",
        ),
        (Some(NOW + 30 * D + 1), Status::Ok, "valid beyond 30d"),
        (Some(NOW), Status::Error, "my_sftp_key expired 0s ago"),
        (Some(NOW - 3 * D), Status::Error, "expired 3d ago (2025-11-21)"),
        (None, Status::Ok, "no dated keystore entry"),
    ];
    for (after, want, frag) in cases {
        let ks = vec![entry("my_sftp_key", after), entry("other", Some(NOW - D))];
        let mut snap = Snapshot::new("t1");
        snap.keystore = Some(&ks);
        let out = cert_expiry("my_*", w, Severity::Warning, &snap, NOW);
        assert_eq!(out.status, want, "{after:?}: {}", out.text);
        assert!(out.text.contains(frag), "{:?} lacks {frag:?}", out.text);
        if want != Status::Ok {
            assert_eq!(
                out.evidence,
                vec![Evidence::Certificate {
                    alias: "my_sftp_key".into(),
                    hexalias: hex("my_sftp_key")
                }]
            );
        }
    }
    assert_eq!(
        cert_expiry("*", w, E, &Snapshot::new("t"), NOW).status,
        Status::NotCalculated
    );
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn tenant_unreachable_table() {
    let h = |last: Option<i64>, since: Option<i64>| TenantHealth {
        last_success: last,
        watching_since: since,
        last_error: Some("connect timeout".into()),
    };
    let cases: Vec<(TenantHealth, Status)> = vec![
        (h(Some(NOW - 5 * MIN), Some(NOW - H)), Status::Error),
        (h(Some(NOW - 5 * MIN + 1), Some(NOW - H)), Status::Ok),
        (h(None, Some(NOW - 5 * MIN)), Status::Error),
        (h(None, Some(NOW - MIN)), Status::NotCalculated),
        (h(None, None), Status::NotCalculated),
    ];
    for (health, want) in cases {
        let mut snap = Snapshot::new("prod");
        snap.health = Some(&health);
        let out = tenant_unreachable(mins(5), E, &snap, NOW);
        assert_eq!(out.status, want, "{health:?}: {}", out.text);
        if want == Status::Error {
            assert!(
                out.text.starts_with("tenant prod has not answered"),
                "{}",
                out.text
            );
            assert!(
                out.text.ends_with("; last error: connect timeout"),
                "{}",
                out.text
            );
            assert_eq!(out.evidence, vec![Evidence::Tenant { name: "prod".into() }]);
        }
    }
    assert_eq!(
        tenant_unreachable(mins(5), E, &Snapshot::new("t"), NOW).status,
        Status::NotCalculated
    );
}

// ---------- combining rules ----------

#[test]
fn evaluate_worst_wins_and_missing_data_is_not_ok() {
    let arts = vec![art("A", ArtifactStatus::Error)];
    let spec = |rules: Vec<Rule>| MonitorSpec {
        key: "k".into(),
        name: "n".into(),
        active: true,
        scope: Scope::All,
        rules,
    };
    let stopped = Rule::NotStarted {
        for_at_least: None,
        severity: None,
    };
    let silent = Rule::NoSuccess {
        within: mins(60),
        severity: None,
    };
    let broker = Rule::BrokerCapacity {
        warning_percent: 80.0,
        critical_percent: 95.0,
    };
    let mut snap = Snapshot::new("t1");
    snap.artifacts = Some(&arts);

    let ev = evaluate(&spec(vec![stopped.clone(), silent.clone()]), &snap, NOW);
    assert_eq!(ev.status, Status::Error, "error outranks missing data");
    assert_eq!(ev.text, "A is ERROR");
    assert_eq!(ev.evidence, vec![Evidence::Artifact { id: "A".into() }]);

    let ok_arts = vec![art("A", ArtifactStatus::Started)];
    snap.artifacts = Some(&ok_arts);
    let ev = evaluate(&spec(vec![stopped.clone(), broker]), &snap, NOW);
    assert_eq!(ev.status, Status::NotCalculated, "ok + missing is not ok");
    assert!(ev.text.starts_with("JMS broker not loaded"), "{}", ev.text);

    let ev = evaluate(&spec(vec![stopped]), &snap, NOW);
    assert_eq!(ev.status, Status::Ok);
    assert_eq!(ev.text, "1 artifact STARTED");

    let ev = evaluate(&spec(vec![]), &snap, NOW);
    assert_eq!(ev.status, Status::NotCalculated);
}

#[test]
fn formatting_helpers() {
    assert_eq!(fmt_span(45 * S), "45s");
    assert_eq!(fmt_span(7 * MIN + 5 * S), "7m");
    assert_eq!(fmt_span(2 * H), "2h");
    assert_eq!(fmt_span(2 * H + 5 * MIN), "2h5m");
    assert_eq!(fmt_span(3 * D + 4 * H), "3d4h");
    assert_eq!(fmt_span(-5), "0s");
    assert_eq!(fmt_clock(NOW - H, NOW), "15:00 UTC");
    assert_eq!(fmt_clock(NOW - D, NOW), "2025-11-23 16:00 UTC");
    let _ = Duration::from_secs(1);
}

// ---------- custom statuses and package scopes (issue 12, items 4 and 15) ----------

#[test]
fn failures_count_a_configured_custom_status_once_per_message() {
    let custom = |guid: &str, status: MplStatus, c: Option<&str>, t: i64| MessageRef {
        custom_status: c.map(str::to_owned),
        ..msg(guid, "Orders_Inbound", status, t, None)
    };
    let stats = VecMessageStats::new(
        vec![
            custom("B1", MplStatus::Completed, Some("ERROR"), NOW - 3 * MIN),
            custom("B2", MplStatus::Completed, Some("error"), NOW - 2 * MIN),
            // FAILED with ERROR as its custom status: counted once.
            custom("F1", MplStatus::Failed, Some("ERROR"), NOW - 4 * MIN),
            custom("C1", MplStatus::Completed, None, NOW - MIN),
        ],
        (NOW - D, NOW),
    );
    let mut snap = Snapshot::new("t1");
    snap.messages = Some(&stats);
    let errors = ["ERROR".to_string()];
    let both = Counted {
        statuses: &[MplStatus::Failed],
        custom: &errors,
    };
    let out = failures(&Scope::All, 3, mins(15), &both, E, &snap, NOW);
    assert_eq!(out.status, Status::Error, "{}", out.text);
    assert_eq!(
        out.text,
        "3 FAILED or custom ERROR in 15m; last: COMPLETED/error B2 at 15:58 UTC"
    );
    // Without the option a business error is not a failure (the default stays FAILED).
    let out = failures(
        &Scope::All,
        2,
        mins(15),
        &only(&[MplStatus::Failed]),
        E,
        &snap,
        NOW,
    );
    assert_eq!(out.status, Status::Ok, "{}", out.text);
    // Custom statuses alone.
    let alone = Counted {
        statuses: &[],
        custom: &errors,
    };
    let out = failures(&Scope::All, 2, mins(15), &alone, E, &snap, NOW);
    assert_eq!(out.status, Status::Error, "{}", out.text);
    // F1 (FAILED, custom ERROR) counts too: only the custom status is asked.
    assert!(out.text.starts_with("3 custom ERROR in 15m"), "{}", out.text);
}

/// A store of message rows carrying `IntegrationArtifact/PackageId`.
fn store_with_packages(rows: &[(&str, &str, &str, &str, i64)]) -> crate::store::MessageStore {
    let rows: Vec<String> = rows
        .iter()
        .map(|(guid, iflow, pkg, status, t)| {
            format!(
                r#"{{"MessageGuid":"{guid}","LogStart":"/Date({s})/","LogEnd":"/Date({t})/","Status":"{status}","CustomStatus":"{status}",
"IntegrationArtifact":{{"Id":"{iflow}","Name":"{iflow}","Type":"INTEGRATION_FLOW","PackageId":"{pkg}","PackageName":"{pkg}"}}}}"#,
                s = t - 100
            )
        })
        .collect();
    let page = format!(r#"{{"d":{{"results":[{}]}}}}"#, rows.join(","));
    let mut store = crate::store::MessageStore::default();
    store.merge(crate::store::MplBatch::decode(page.as_bytes()).expect("decodes"));
    store
}

#[test]
fn a_package_scope_takes_the_package_from_the_message_rows() {
    let store = store_with_packages(&[
        ("G1", "Orders_Inbound", "Sales", "FAILED", NOW - 3 * MIN),
        ("G2", "Orders_Inbound", "Sales", "FAILED", NOW - 2 * MIN),
        ("G3", "Billing", "Finance", "FAILED", NOW - MIN),
        ("G4", "Billing", "Finance", "COMPLETED", NOW - MIN),
    ]);
    let stats = crate::monitor::store_stats::StoreStats::new(&store, Some((NOW - D, NOW)));
    let mut snap = Snapshot::new("t1");
    snap.messages = Some(&stats);
    // No design-time call at all: before, "package of each iFlow not known yet".
    let sales = Scope::Package("Sales".into());
    let out = failures(&sales, 2, mins(15), &only(&[MplStatus::Failed]), E, &snap, NOW);
    assert_eq!(out.status, Status::Error, "{}", out.text);
    assert!(out.text.starts_with("2 FAILED in 15m"), "{}", out.text);
    let finance = Scope::Package("Finance".into());
    let out = failures(&finance, 2, mins(15), &only(&[MplStatus::Failed]), E, &snap, NOW);
    assert_eq!(out.status, Status::Ok, "{}", out.text);
}

#[test]
fn a_failed_package_listing_leaves_only_its_own_scope_not_calculated() {
    let store = store_with_packages(&[("G1", "Orders_Inbound", "Sales", "COMPLETED", NOW - MIN)]);
    let stats = crate::monitor::store_stats::StoreStats::new(&store, Some((NOW - D, NOW)));
    // `Contract_Sync` has no messages: only a design-time listing tells its package.
    let arts = vec![
        art("Orders_Inbound", ArtifactStatus::Error),
        art("Contract_Sync", ArtifactStatus::Error),
        art("Payroll_Export", ArtifactStatus::Started),
    ];
    let mut packages = PackageMap::complete([("Payroll_Export".to_string(), "HR".to_string())]);
    packages
        .failed
        .insert("Legal".into(), "the tenant refused … (HTTP 403)".into());
    let mut snap = Snapshot::new("t1");
    snap.messages = Some(&stats);
    snap.artifacts = Some(&arts);
    snap.packages = Some(&packages);
    // Sales: known from the rows, alerts although the listing of another package failed.
    let out = not_started(&Scope::Package("Sales".into()), None, E, &snap, NOW);
    assert_eq!(out.status, Status::Error, "{}", out.text);
    assert_eq!(out.text, "Orders_Inbound is ERROR");
    // HR: its listing answered, so the unknown Contract_Sync is not in it.
    let out = not_started(&Scope::Package("HR".into()), None, E, &snap, NOW);
    assert_eq!(out.status, Status::Ok, "{}", out.text);
    // Legal: its listing failed; the artifacts of unknown package are not known to be fine.
    let out = not_started(&Scope::Package("Legal".into()), None, E, &snap, NOW);
    assert_eq!(out.status, Status::NotCalculated, "{}", out.text);
    assert!(
        out.text.contains("Contract_Sync")
            && out.text.contains("package Legal could not be read")
            && out.text.contains("403"),
        "{}",
        out.text
    );
}

fn versioned(id: &str, version: &str, deployed_on: i64) -> RuntimeArtifact {
    RuntimeArtifact {
        version: version.into(),
        deployed_on: Some(deployed_on),
        ..art(id, ArtifactStatus::Started)
    }
}

#[test]
fn version_drift_table() {
    use crate::config::Environment;
    use crate::landscape::{DriftTracker, TenantRef, compare, group};
    let l = group(&[
        TenantRef::new("dev", Environment::Dev, "eu"),
        TenantRef::new("qa", Environment::Test, "eu"),
        TenantRef::new("prod", Environment::Prod, "eu"),
    ])
    .remove(0);
    let dev = vec![
        versioned("Orders", "1.3.0", NOW - 2 * D),
        versioned("Same", "1.0.0", NOW - 9 * D),
        versioned("Fresh", "2.0.0", NOW - H),
    ];
    let qa = vec![
        versioned("Orders", "1.2.0", NOW - 5 * D),
        versioned("Same", "1.0.0", NOW - 9 * D),
        versioned("Fresh", "1.0.0", NOW - 9 * D),
    ];
    let prod = vec![
        versioned("Orders", "1.2.0", NOW - 5 * D),
        versioned("Same", "1.0.0", NOW - 9 * D),
    ];
    let table = compare(&l, &[Some(&dev), Some(&qa), Some(&prod)]);
    let grace = HumanDuration::from_secs(86_400);
    let w = Severity::Warning;
    let mut snap = Snapshot::new("prod");
    // Without the landscape: not calculated, saying what reads it.
    let out = version_drift(&Scope::All, grace, w, &snap, NOW);
    assert_eq!(out.status, Status::NotCalculated, "{}", out.text);
    assert!(out.text.contains("--all-tenants"), "{}", out.text);

    snap.drift = Some(&table);
    // prod runs Orders 1.2.0 while dev runs 1.3.0 since 2 days (longer than the 1d grace).
    let out = version_drift(&Scope::All, grace, w, &snap, NOW);
    assert_eq!(out.status, Status::Warning, "{}", out.text);
    assert_eq!(out.text, "Orders 1.2.0 here, 1.3.0 in dev (differs for 2d)");
    assert_eq!(out.evidence, vec![Evidence::Artifact { id: "Orders".into() }]);
    // A grace longer than the drift: ok, naming what is pending.
    let out = version_drift(&Scope::All, HumanDuration::from_secs(3 * 86_400), w, &snap, NOW);
    assert_eq!(out.status, Status::Ok, "{}", out.text);
    assert!(
        out.text
            .starts_with("1 drift within the grace period (alert after 3d)"),
        "{}",
        out.text
    );
    // qa also differs for Fresh, but only for an hour: within the grace; Orders fires.
    snap.tenant = "qa";
    let out = version_drift(&Scope::All, grace, E, &snap, NOW);
    assert_eq!(out.status, Status::Error, "{}", out.text);
    assert_eq!(out.text, "Orders 1.2.0 here, 1.3.0 in dev (differs for 2d)");
    // dev: both Orders and Fresh differ; at a grace of 30m, both fire.
    snap.tenant = "dev";
    let out = version_drift(&Scope::All, mins(30), w, &snap, NOW);
    assert_eq!(out.status, Status::Warning, "{}", out.text);
    assert!(
        out.text
            .starts_with("2 artifacts drift in landscape eu: Fresh 2.0.0 here, 1.0.0 in qa (differs for 1h)"),
        "{}",
        out.text
    );
    // Scope narrows it.
    let out = version_drift(&Scope::Iflow("Same".into()), mins(30), w, &snap, NOW);
    assert_eq!(out.status, Status::Ok, "{}", out.text);
    // The tracker's start wins over the deployment dates (seen differing for 10 minutes only).
    let mut tracker = DriftTracker::default();
    tracker.observe(&table, NOW - 10 * MIN);
    let mut later = DriftTracker::default();
    later.observe(&compare(&l, &[Some(&dev), Some(&qa), Some(&prod)]), NOW);
    assert_eq!(later.since("Orders"), Some(NOW - 2 * D));
    snap.tenant = "prod";
    snap.drift_since = Some(&tracker);
    assert_eq!(
        tracker.since("Orders"),
        Some(NOW - 2 * D),
        "estimated from deployments"
    );
    // A peer down: evaluated among the others, said so.
    let table2 = compare(&l, &[None, Some(&qa), Some(&prod)]);
    snap.drift = Some(&table2);
    snap.drift_since = None;
    let out = version_drift(&Scope::All, grace, w, &snap, NOW);
    assert_eq!(out.status, Status::Ok, "{}", out.text);
    assert_eq!(out.text, "same versions as qa (landscape eu) (dev not read)");
    // Nobody else known: not calculated.
    let table3 = compare(&l, &[None, None, Some(&prod)]);
    snap.drift = Some(&table3);
    let out = version_drift(&Scope::All, grace, w, &snap, NOW);
    assert_eq!(out.status, Status::NotCalculated, "{}", out.text);
    assert!(out.text.contains("dev, qa"), "{}", out.text);
    // The rule's spec: default grace 1d, warning; needs the landscape and the artifacts.
    let spec: MonitorSpec =
        toml::from_str("key = \"drift\"\nname = \"Drift\"\nrules = [{ kind = \"version_drift\" }]\n")
            .unwrap();
    let n = crate::monitor::needs([&spec]);
    assert!(n.landscape && n.artifacts);
    snap.drift = Some(&table);
    let ev = evaluate(&spec, &snap, NOW);
    assert_eq!(ev.status, Status::Warning, "{}", ev.text);
}
