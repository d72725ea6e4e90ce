//! Guarded writes end to end against the simulated tenant over loopback: keys → `update` → the
//! effect runner's write task → the client → the sim, then the tenant's state is read back
//! (admin truth). Pollers are not started (their `Poll` effects are skipped) so request counts
//! are exact; data is fed the way the pollers would, from the same client.
//!
//! CSRF: the sim refuses writes without a fetched token (`require_csrf`, checked raw in
//! tests/it/client_sim.rs `writes_with_csrf_change_the_tenant`), so every successful write here went
//! through the client's fetch-and-replay.

use std::time::Duration;

use cpitop::app::msg::{DataMsg, Effect, Msg};
use cpitop::app::state::{Environment, TenantInfo};
use cpitop::app::{Keymap, State, update};
use cpitop::cpi::client::CpiClient;
use cpitop::cpi::conn::{Limits, TenantConn};
use cpitop::features::writes::{Dialog, Follow, Report};
use cpitop::kit::table::Table;
use cpitop::resources::queues::{QueueRow, QueuesSnapshot};
use cpitop::sim::{FaultKind, FaultRule, QueueApi, SimAdmin, SimConfig, SimHandle};
use cpitop::tui::audit::{AuditLog, Identity};
use cpitop::tui::effects::EffectRunner;
use cpitop::tui::writes::{WriteSetup, install};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc;

struct H {
    _sim: SimHandle,
    a: SimAdmin,
    client: CpiClient,
    s: State,
    runner: EffectRunner,
    rx: mpsc::Receiver<Msg>,
    audit: Option<AuditLog>,
    dir: tempfile::TempDir,
    secret: String,
}

fn limits() -> Limits {
    Limits {
        requests_per_second: 1000.0,
        burst: 1000,
        max_retries: 1,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        request_timeout: Duration::from_secs(10),
        ..Limits::default()
    }
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}
fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}
fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}
fn typed(t: &str) -> Vec<Msg> {
    t.chars().map(key).collect()
}

impl H {
    async fn new(api: QueueApi, read_only: bool, flag: bool) -> H {
        cpitop::cpi::client::install_tls_provider();
        let sim = cpitop::sim::spawn(SimConfig {
            seed: 5,
            message_rate: 0.0,
            history_messages: Some(200),
            queue_api: api,
            // Writes need a fetched CSRF token: every success below proves the replay.
            require_csrf: true,
            ..SimConfig::default()
        })
        .await
        .expect("sim");
        let conn = TenantConn {
            limits: limits(),
            ..sim.demo_conn("sim")
        };
        let client = CpiClient::new(conn.clone()).expect("client");
        let (tx, rx) = mpsc::channel(1024);
        let tenant = TenantInfo {
            name: "sim-tenant".into(),
            env: Some(Environment::Test),
            label: None,
            read_only,
            web_ui: None,
        };
        let mut s = State::new(tenant, Keymap::defaults(), cpitop::tui::poll::now_ms());
        s.writes.follow = Follow {
            interval_ms: 100,
            timeout_ms: 20_000,
        };
        let mut runner = EffectRunner::new(client.clone(), tx);
        let dir = tempfile::tempdir().expect("tmp");
        let setup = WriteSetup {
            audit_path: Some(AuditLog::path_in(&dir.path().join("state"))),
            who: Identity::of(&conn),
            read_only_flag: flag,
            config_file: Some("/home/op/.config/cpitop/config.toml".into()),
        };
        let audit = install(&setup, &mut s, &mut runner.writes);
        let mut h = H {
            a: sim.admin(),
            secret: sim.client_secret.clone(),
            _sim: sim,
            client,
            s,
            runner,
            rx,
            audit,
            dir,
        };
        h.send([Msg::Resize(120, 40)]);
        h
    }

    /// Apply messages and run their effects, except starting pollers.
    fn send(&mut self, msgs: impl IntoIterator<Item = Msg>) {
        let mut term = Vec::new();
        for m in msgs {
            for e in update(&mut self.s, m) {
                if !matches!(e, Effect::Poll(_)) {
                    self.runner.run(e, &mut term);
                }
            }
        }
    }

    /// Feed messages from the runner until the write's result dialog is shown.
    async fn until_done(&mut self) -> Report {
        loop {
            if self.s.writes.running.is_none() {
                if let Some(Dialog::Result { report, .. }) = &self.s.writes.dialog {
                    return report.clone();
                }
            }
            let m = tokio::time::timeout(Duration::from_secs(30), self.rx.recv())
                .await
                .expect("the write finishes in time")
                .expect("channel open");
            self.send([m]);
        }
    }

    async fn load_queues(&mut self) {
        let qs = self.client.queues().await.expect("queues");
        let generation = self.s.queues.load.generation;
        self.send([Msg::Data(DataMsg::Queues {
            generation,
            at: self.s.now,
            result: Ok(QueuesSnapshot {
                broker: None,
                missing: None,
                queues: qs
                    .into_iter()
                    .map(|queue| QueueRow {
                        queue,
                        ..QueueRow::default()
                    })
                    .collect(),
            }),
        })]);
    }

    /// Queues pane with `name` selected.
    async fn select_queue(&mut self, name: &str) {
        self.send([key('3')]);
        self.load_queues().await;
        self.send([key('g')]);
        for _ in 0..self.s.queues.rows.len() {
            if self.s.queues.selected_key().as_deref() == Some(name) {
                return;
            }
            self.send([key('j')]);
        }
        panic!("queue {name} not in the list");
    }

    async fn load_queue_messages(&mut self) {
        let q = self.s.queues.messages.queue.clone();
        let items = self.client.queue_messages(&q).await.expect("messages");
        let generation = self.s.queues.messages.load.generation;
        self.send([Msg::Data(DataMsg::QueueMessages {
            generation,
            queue: q,
            at: self.s.now,
            result: Ok(items),
        })]);
    }

    async fn open_queue(&mut self, name: &str) {
        self.select_queue(name).await;
        self.send([code(KeyCode::Enter)]);
        assert_eq!(self.s.queues.messages.queue, name);
        self.load_queue_messages().await;
    }

    async fn load_artifacts(&mut self) {
        let items = self.client.runtime_artifacts().await.expect("artifacts");
        let generation = self.s.artifacts.load.generation;
        self.send([Msg::Data(DataMsg::Artifacts {
            generation,
            at: self.s.now,
            result: Ok(items),
        })]);
    }

    async fn select_artifact(&mut self, id: &str) {
        self.send([key('1')]);
        self.load_artifacts().await;
        self.send([key('g')]);
        for _ in 0..self.s.artifacts.items.len() {
            if self.s.artifacts.selected_key().as_deref() == Some(id) {
                return;
            }
            self.send([key('j')]);
        }
        panic!("artifact {id} not in the list");
    }

    fn ids(&self, q: &str) -> Vec<String> {
        self.a
            .truth_queue(q)
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.msgid)
            .collect()
    }

    fn audit_lines(&self) -> Vec<serde_json::Value> {
        let log = self.audit.as_ref().expect("audit log open");
        assert!(log.sink().flush(Duration::from_secs(5)), "audit flushed");
        let text = std::fs::read_to_string(&log.path).expect("audit file");
        assert!(
            !text.contains(&self.secret),
            "the client secret never reaches the audit log"
        );
        text.lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect()
    }

    fn confirm_dialog(&self) -> (Option<String>, Vec<(String, String)>, Vec<String>) {
        match &self.s.writes.dialog {
            Some(Dialog::Confirm { plan, .. }) => (
                plan.confirm_word.clone(),
                plan.facts.clone(),
                plan.warnings.clone(),
            ),
            other => panic!("expected a confirmation, got {other:?}"),
        }
    }
}

fn fact<'a>(facts: &'a [(String, String)], k: &str) -> &'a str {
    facts
        .iter()
        .find(|(l, _)| l == k)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {k} in {facts:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_move_delete_change_the_tenant_in_both_queue_apis() {
    for api in [QueueApi::Classic, QueueApi::Messaging] {
        let mut h = H::new(api, false, false).await;
        h.a.fill_queue("DLQ_ACT", 6, true);
        h.a.fill_queue("ACT", 1, false);
        let all = h.ids("DLQ_ACT");
        h.open_queue("DLQ_ACT").await;

        // Retry the selected message: plain confirmation.
        h.send([key('g')]);
        let first = h.s.queues.messages.selected_key().expect("row");
        h.send([key('R')]);
        let (word, facts, _) = h.confirm_dialog();
        assert_eq!(word, None, "{api:?}: retry is confirmed with y");
        assert_eq!(fact(&facts, "Tenant"), "sim-tenant [TEST]");
        assert_eq!(fact(&facts, "Messages"), "1 message");
        assert_eq!(fact(&facts, "Queue"), "DLQ_ACT");
        h.send([key('y')]);
        let r = h.until_done().await;
        assert!(r.ok, "{api:?}: {r:?}");
        assert_eq!(r.succeeded, vec![first.clone()]);
        let m = h.a.truth_queue("DLQ_ACT").expect("q");
        assert!(
            !m.iter().find(|m| m.msgid == first).expect("still queued").failed,
            "{api:?}: retried message is no longer failed"
        );
        h.send([code(KeyCode::Esc)]);
        assert!(h.s.writes.dialog.is_none());

        // Mark two, move them back to the source queue (the default target).
        h.load_queue_messages().await;
        h.send([key('g'), key(' '), key(' ')]);
        assert_eq!(h.s.queues.messages.marks.len(), 2);
        let marked: Vec<String> = h.s.queues.messages.marks.iter().cloned().collect();
        h.send([key('M')]);
        let (word, facts, _) = h.confirm_dialog();
        assert_eq!(word, None, "moving some (not all) is confirmed with y");
        assert_eq!((fact(&facts, "From"), fact(&facts, "To")), ("DLQ_ACT", "ACT"));
        h.send([code(KeyCode::Enter)]);
        let r = h.until_done().await;
        assert!(r.ok, "{api:?}: {r:?}");
        let dlq = h.ids("DLQ_ACT");
        let src = h.ids("ACT");
        for id in &marked {
            assert!(!dlq.contains(id) && src.contains(id), "{api:?}: {id} moved");
        }
        assert!(h.s.queues.messages.marks.is_empty(), "moved ones are unmarked");
        h.send([code(KeyCode::Esc)]);

        // Delete needs the typed word.
        h.load_queue_messages().await;
        h.send([key('g')]);
        let victim = h.s.queues.messages.selected_key().expect("row");
        h.send([ctrl('d')]);
        assert_eq!(h.confirm_dialog().0.as_deref(), Some("delete"));
        h.send(typed("delet"));
        h.send([code(KeyCode::Enter)]);
        assert!(
            matches!(&h.s.writes.dialog, Some(Dialog::Confirm { error: Some(_), .. })),
            "a wrong word does not confirm"
        );
        assert!(h.s.writes.running.is_none());
        h.send([key('e'), code(KeyCode::Enter)]);
        let r = h.until_done().await;
        assert!(r.ok, "{api:?}: {r:?}");
        assert!(!h.ids("DLQ_ACT").contains(&victim), "{api:?}: deleted");
        h.send([code(KeyCode::Esc)]);

        // Move all from the Queues pane: typed confirmation with the queue's name.
        let left = h.ids("DLQ_ACT");
        let before_src = h.ids("ACT").len();
        h.send([code(KeyCode::Esc)]);
        h.select_queue("DLQ_ACT").await;
        h.send([key('M')]);
        let (word, facts, _) = h.confirm_dialog();
        assert_eq!(word.as_deref(), Some("DLQ_ACT"));
        assert!(fact(&facts, "Messages").starts_with("all messages (3 at the last refresh"));
        h.send(typed("DLQ_ACT"));
        h.send([code(KeyCode::Enter)]);
        let r = h.until_done().await;
        assert!(r.ok, "{api:?}: {r:?}");
        assert_eq!(r.succeeded.len(), left.len());
        assert!(h.ids("DLQ_ACT").is_empty(), "{api:?}: DLQ emptied");
        assert_eq!(h.ids("ACT").len(), before_src + left.len(), "{api:?}: none lost");
        assert_eq!(all.len(), 6);

        // The audit log: an attempt and a result per write, identity without the secret.
        let lines = h.audit_lines();
        let actions: Vec<(String, String)> = lines
            .iter()
            .map(|l| {
                (
                    l["action"].as_str().unwrap_or("").to_string(),
                    l["phase"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = ["queue.retry", "queue.move", "queue.delete", "queue.move"]
            .iter()
            .flat_map(|a| {
                [
                    (a.to_string(), "attempt".to_string()),
                    (a.to_string(), "result".to_string()),
                ]
            })
            .collect();
        assert_eq!(actions, want, "{api:?}");
        for l in &lines {
            assert_eq!(l["tenant"], "sim-tenant");
            assert_eq!(l["client_id"], h._sim.client_id.as_str());
            assert!(!l["user"].as_str().unwrap_or("").is_empty());
            assert!(l["time"].as_str().is_some_and(|t| t.ends_with('Z')));
        }
        assert_eq!(lines[0]["targets"]["messages"][0], first.as_str());
        assert_eq!(lines[1]["result"]["ok"], true);
        assert_eq!(lines[3]["targets"]["to"], "ACT");
        assert_eq!(lines[6]["targets"]["messages"], "all");
        assert_eq!(
            lines[7]["result"]["succeeded"].as_array().map(Vec::len),
            Some(left.len())
        );
        drop(h.dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_move_failing_half_way_reports_exactly_what_moved() {
    // Classic moves one message per request: requests 3.. fail. Messaging moves 100 per
    // request: the second batch fails.
    for (api, n, rule, moved) in [
        (
            QueueApi::Classic,
            6,
            FaultRule::new(FaultKind::Http500).path("operation=move").after(2),
            2,
        ),
        (
            QueueApi::Messaging,
            150,
            FaultRule::new(FaultKind::Http500)
                .path("MoveMessagingMessages")
                .after(1),
            100,
        ),
    ] {
        let mut h = H::new(api, false, false).await;
        h.a.fill_queue("DLQ_BULK", n, true);
        h.a.fill_queue("BULK", 1, false);
        let ids = h.ids("DLQ_BULK");
        let before_target = h.ids("BULK");
        h.open_queue("DLQ_BULK").await;
        h.send([ctrl('a')]);
        assert_eq!(h.s.queues.messages.marks.len(), n);
        h.a.add_fault(rule);
        h.send([key('M')]);
        // Every message of the queue marked: a move all, typed.
        assert_eq!(h.confirm_dialog().0.as_deref(), Some("DLQ_BULK"));
        h.send(typed("DLQ_BULK"));
        h.send([code(KeyCode::Enter)]);
        assert!(matches!(h.s.writes.dialog, Some(Dialog::Progress)));
        let r = h.until_done().await;
        h.a.clear_faults();
        assert!(!r.ok);
        let left = h.ids("DLQ_BULK");
        let target = h.ids("BULK");
        let arrived: Vec<&String> = target.iter().filter(|id| !before_target.contains(id)).collect();
        assert_eq!(r.succeeded.len(), moved, "{api:?}: {}", r.headline);
        assert_eq!(
            r.succeeded.len() + r.failed.len(),
            n,
            "{api:?}: each id reported once"
        );
        assert_eq!(arrived.len(), r.succeeded.len(), "{api:?}: none duplicated");
        for id in &r.succeeded {
            assert!(!left.contains(id) && target.contains(id), "{api:?}: {id} moved");
        }
        for f in &r.failed {
            assert!(
                left.contains(&f.msgid),
                "{api:?}: {} reported failed, still in source",
                f.msgid
            );
            assert!(!target.contains(&f.msgid));
            assert!(!f.reason.is_empty());
        }
        let mut union: Vec<String> = left.iter().chain(arrived.iter().copied()).cloned().collect();
        union.sort();
        let mut all = ids.clone();
        all.sort();
        assert_eq!(union, all, "{api:?}: none lost");
        assert_eq!(r.headline, format!("{moved} of {n} moved, {} not", n - moved));
        assert!(
            r.notes.iter().any(|n| n.contains("still in DLQ_BULK")),
            "{api:?}: read back: {:?}",
            r.notes
        );
        // The failed ones stay marked for another try; the moved ones are unmarked.
        assert_eq!(h.s.queues.messages.marks.len(), n - moved);
        let lines = h.audit_lines();
        let result = lines.last().expect("result line");
        assert_eq!(result["result"]["ok"], false);
        assert_eq!(
            result["result"]["failed"].as_array().map(Vec::len),
            Some(n - moved)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_follows_the_status_and_undeploy_removes() {
    let mut h = H::new(QueueApi::Classic, false, false).await;
    let id = h
        .client
        .runtime_artifacts()
        .await
        .expect("artifacts")
        .into_iter()
        .find(|a| a.status.is_started())
        .expect("a started artifact")
        .id;
    h.select_artifact(&id).await;
    h.send([ctrl('r')]);
    let (word, facts, _) = h.confirm_dialog();
    assert_eq!(word, None);
    assert!(fact(&facts, "Artifact").contains(&id));
    h.send([key('y')]);
    // The loop keeps taking keys while the job runs: hide the progress and move around.
    h.send([code(KeyCode::Esc), key('2'), key('1')]);
    assert!(h.s.writes.dialog.is_none() && h.s.writes.running.is_some());
    // Let the follow see STARTING, then let the sim finish the deploy.
    let (a, rx_wait) = (h.a.clone(), tokio::time::sleep(Duration::from_millis(400)));
    let advance = tokio::spawn(async move {
        rx_wait.await;
        a.advance_clock(Duration::from_secs(5));
    });
    let r = h.until_done().await;
    advance.await.expect("advance");
    assert!(r.ok, "{r:?}");
    assert!(r.headline.contains("STARTED"), "{}", r.headline);
    assert_eq!(h.a.truth_artifact_status(&id).as_deref(), Some("STARTED"));
    h.send([code(KeyCode::Esc)]);

    // A broken artifact ends in ERROR, with the deploy error text.
    let broken = "Contract_Sync";
    h.select_artifact(broken).await;
    h.send([ctrl('r'), key('y')]);
    let a = h.a.clone();
    let advance = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(400)).await;
        a.advance_clock(Duration::from_secs(5));
    });
    let r = h.until_done().await;
    advance.await.expect("advance");
    assert!(!r.ok);
    assert!(r.headline.contains("ERROR"), "{}", r.headline);
    assert!(!r.notes.is_empty(), "the error text is shown");
    h.send([code(KeyCode::Esc)]);

    // Undeploy: typed with the artifact id.
    h.select_artifact(&id).await;
    h.send([ctrl('u')]);
    assert_eq!(h.confirm_dialog().0.as_deref(), Some(id.as_str()));
    h.send(typed(&id));
    h.send([code(KeyCode::Enter)]);
    let r = h.until_done().await;
    assert!(r.ok, "{r:?}");
    assert_eq!(h.a.truth_artifact_status(&id), None, "undeployed");
    let lines = h.audit_lines();
    let actions: Vec<&str> = lines.iter().filter_map(|l| l["action"].as_str()).collect();
    assert_eq!(
        actions,
        [
            "artifact.restart",
            "artifact.restart",
            "artifact.restart",
            "artifact.restart",
            "artifact.undeploy",
            "artifact.undeploy"
        ]
    );
    assert_eq!(lines[0]["targets"]["artifact"], id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_refuses_every_write_before_the_tenant() {
    for flag in [false, true] {
        let mut h = H::new(QueueApi::Classic, true, flag).await;
        h.a.fill_queue("DLQ_RO", 3, true);
        h.open_queue("DLQ_RO").await;
        let truth_before = h.a.truth_queue("DLQ_RO");
        let art = h.client.runtime_artifacts().await.expect("artifacts")[0]
            .id
            .clone();
        let before = h.a.request_count();
        let mut refusals = Vec::new();
        for k in [key('R'), key('M'), ctrl('d')] {
            h.send([key(' ')]);
            h.send([k]);
            match &h.s.writes.dialog {
                Some(Dialog::Notice { lines, .. }) => refusals.push(lines.join(" ")),
                other => panic!("expected a refusal, got {other:?}"),
            }
            h.send([code(KeyCode::Esc)]);
        }
        // Back on the Queues pane: move all and retry all.
        h.send([code(KeyCode::Esc)]);
        for k in [key('M'), key('R')] {
            h.send([k]);
            assert!(matches!(h.s.writes.dialog, Some(Dialog::Notice { .. })));
            h.send([code(KeyCode::Esc)]);
        }
        // Artifacts (the list is fed from the state, not the tenant, to keep the count exact).
        let mut one: cpitop::cpi::model::RuntimeArtifact =
            serde_json::from_str(r#"{"Id":"x","Status":"STARTED"}"#).expect("artifact");
        one.id = art.clone();
        let arts = vec![one];
        h.send([key('1')]);
        let generation = h.s.artifacts.load.generation;
        h.send([Msg::Data(DataMsg::Artifacts {
            generation,
            at: h.s.now,
            result: Ok(arts),
        })]);
        for k in [ctrl('r'), ctrl('u')] {
            h.send([k]);
            assert!(matches!(h.s.writes.dialog, Some(Dialog::Notice { .. })));
            h.send([code(KeyCode::Esc)]);
        }
        assert_eq!(h.a.request_count(), before, "no request reached the tenant");
        assert_eq!(h.a.truth_queue("DLQ_RO"), truth_before);
        assert_eq!(h.a.truth_artifact_status(&art).as_deref(), Some("STARTED"));
        for r in &refusals {
            assert!(
                r.contains("read_only = false") && r.contains("[tenants.sim-tenant]"),
                "{r}"
            );
            assert!(r.contains("--read-only"), "{r}");
            assert!(r.contains("config.toml"), "{r}");
        }
        if flag {
            assert!(refusals[0].contains("Writes are off for this session (--read-only)"));
        } else {
            assert!(refusals[0].contains("Tenant sim-tenant is read-only"));
        }
        let lines = h.audit_lines();
        assert_eq!(lines.len(), 7, "every refusal is recorded");
        assert!(lines.iter().all(|l| l["result"]["ok"] == false));
        assert!(lines.iter().all(|l| l["phase"] == "refused"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_bulk_retry_reports_the_rest_as_not_attempted() {
    let mut h = H::new(QueueApi::Classic, false, false).await;
    h.a.fill_queue("DLQ_SLOW", 8, true);
    h.open_queue("DLQ_SLOW").await;
    h.a.add_fault(FaultRule::new(FaultKind::Latency { ms: 150 }).method("POST"));
    h.send([ctrl('a'), key('R'), key('y')]);
    // Wait for the first message to be done, then cancel.
    loop {
        let m = tokio::time::timeout(Duration::from_secs(10), h.rx.recv())
            .await
            .expect("progress")
            .expect("open");
        h.send([m]);
        if h.s.writes.running.as_ref().is_some_and(|r| r.done >= 1) {
            break;
        }
    }
    h.send([key('c')]);
    assert!(h.s.writes.running.as_ref().is_some_and(|r| r.cancelling));
    let r = h.until_done().await;
    h.a.clear_faults();
    assert!(!r.ok);
    assert_eq!(r.succeeded.len() + r.failed.len(), 8, "every message reported");
    assert!(r.succeeded.len() < 8, "stopped early: {}", r.headline);
    let truth = h.a.truth_queue("DLQ_SLOW").expect("q");
    for id in &r.succeeded {
        assert!(
            !truth.iter().find(|m| &m.msgid == id).expect("queued").failed,
            "{id} retried"
        );
    }
    for f in &r.failed {
        assert!(f.reason.contains("not attempted"), "{f:?}");
        assert!(
            truth.iter().find(|m| m.msgid == f.msgid).expect("queued").failed,
            "{} untouched",
            f.msgid
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_that_does_not_settle_in_time_says_so() {
    let mut h = H::new(QueueApi::Classic, false, false).await;
    h.s.writes.follow = Follow {
        interval_ms: 50,
        timeout_ms: 400,
    };
    let id = h
        .client
        .runtime_artifacts()
        .await
        .expect("artifacts")
        .into_iter()
        .find(|a| a.status.is_started())
        .expect("a started artifact")
        .id;
    h.select_artifact(&id).await;
    h.send([ctrl('r'), key('y')]);
    // The sim's deploy takes 4 s of sim time; the clock is not advanced.
    let r = h.until_done().await;
    assert!(!r.ok);
    assert!(
        r.headline.contains("still STARTING") && r.headline.contains("Artifacts pane"),
        "{}",
        r.headline
    );
    assert_eq!(h.a.truth_artifact_status(&id).as_deref(), Some("STARTING"));
    let lines = h.audit_lines();
    assert_eq!(lines[1]["result"]["ok"], false);
}
