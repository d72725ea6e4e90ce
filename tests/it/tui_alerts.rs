//! The Alerts pane: monitor evaluation on the app's data (panes' data and the monitor poller's),
//! navigation, evidence jumps, acknowledge, silence, history; snapshots of the pane in its
//! states, the evidence view and the history view at 80x24 and 160x45 with a fixed clock.

use crate::tui_support;

use cpitop::app::msg::{DataMsg, Effect, Msg};
use cpitop::app::state::{Mode, Pane, Route};
use cpitop::app::{State, apply};
use cpitop::cpi::MplFollow;
use cpitop::kit::table::Table;
use cpitop::monitor::{Evidence, QueueSnapshot, Status};
use cpitop::panes::alerts::AlertsLaunch;
use cpitop::panes::alerts::{Alerts, EvidenceRow};
use cpitop::tui::monitor_poll::{FetchPlan, MonitorFetched};
use crossterm::event::KeyCode;
use tui_support::*;

const MONITORS: &str = r#"
interval = "1m"
[[defaults]]
key = "stopped"
name = "iFlow not started"
rules = [{ kind = "not_started" }]
[[defaults]]
key = "invoice-failures"
name = "Invoice failures"
scope = { iflow = "Invoice_Outbound" }
rules = [{ kind = "failures", at_least = 2, within = "15m" }]
[[defaults]]
key = "orders-volume"
name = "Orders volume"
scope = { iflow = "Orders_Inbound" }
rules = [
  { kind = "failures", at_least = 1, within = "1h" },
  { kind = "min_messages", at_least = 10, within = "1h", severity = "warning" },
]
[[defaults]]
key = "dlq"
name = "Dead-letter queues"
rules = [{ kind = "dlq_not_empty" }]
[[defaults]]
key = "certs"
name = "Certificates"
rules = [{ kind = "cert_expiry", within = "30d" }]
[[defaults]]
key = "customers"
name = "Customer replication"
scope = { iflow = "Customer_Replication" }
rules = [{ kind = "failures", at_least = 5, within = "1h", statuses = ["FAILED", "ESCALATED"] }]
"#;

fn launch(toml_text: &str) -> AlertsLaunch {
    let table: toml::Table = toml::from_str(toml_text).expect("monitors toml");
    let cfg = cpitop::headless::monitors_from_table(&table, None).expect("valid monitors");
    let (launch, warnings) = AlertsLaunch::new(&cfg, "acme-prod", None, "/cfg/config.toml".into());
    assert!(warnings.is_empty(), "{warnings:?}");
    launch
}

fn with_monitors(w: u16, h: u16, toml_text: &str) -> State {
    let mut s = state(w, h);
    s.alerts = Alerts::new(launch(toml_text).setup, "acme-prod", NOW);
    s
}

fn fetch_plans(fx: &[Effect]) -> Vec<FetchPlan> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::MonitorFetch(p) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

fn status_of(s: &State, key: &str) -> Option<Status> {
    s.alerts.state.get(key).map(|m| m.status)
}

/// The monitor poller's answer to `plan`, from the fixtures (keystore refused).
fn answer(plan: &FetchPlan, at: i64) -> Msg {
    let snapshot = queues();
    let listed: Vec<QueueSnapshot> = snapshot
        .queues
        .into_iter()
        .map(|r| QueueSnapshot {
            queue: r.queue,
            messages: None,
        })
        .collect();
    Msg::Data(DataMsg::Monitor(Box::new(MonitorFetched {
        generation: plan.generation,
        at,
        artifacts: plan.artifacts.then(|| Ok(artifacts())),
        queues: plan.queues.then_some(Ok(listed)),
        broker: plan
            .broker
            .then(|| Ok(snapshot.broker.clone().unwrap_or_default())),
        keystore: plan
            .keystore
            .then(|| Err("GET /KeystoreEntries failed with HTTP 403: missing role".into())),
        messages: plan
            .messages
            .as_ref()
            .map(|_| Ok((vec![batch(&messages())], MplFollow::new(at)))),
        answered: true,
        ..MonitorFetched::default()
    })))
}

/// Every monitor evaluated once through the monitor poller (the Alerts pane polls no pane data).
fn evaluated(w: u16, h: u16) -> State {
    let mut s = with_monitors(w, h, MONITORS);
    apply(&mut s, [key('4')]);
    let fx = apply(&mut s, [Msg::Tick(NOW + 5_000)]);
    let plans = fetch_plans(&fx);
    assert_eq!(plans.len(), 1, "one monitor fetch: {fx:?}");
    apply(&mut s, [answer(&plans[0], NOW + 6_000)]);
    apply(&mut s, [Msg::Tick(NOW + 30_000)]);
    s
}

#[test]
fn an_error_artifact_in_the_panes_data_turns_the_monitor_to_error() {
    let only_stopped = r#"
[[defaults]]
key = "stopped"
name = "iFlow not started"
rules = [{ kind = "not_started" }]
"#;
    let mut s = with_monitors(80, 24, only_stopped);
    assert_eq!(s.pane(), Pane::Artifacts);
    // The first round starts at once; the Artifacts pane has not loaded yet, so the round
    // reads the artifacts itself rather than wait for the pane.
    let fx = apply(&mut s, [Msg::Tick(NOW + 1_000)]);
    let plan = fetch_plans(&fx).pop().expect("the first round, at once");
    assert!(plan.artifacts, "{plan:?}");
    assert_eq!(status_of(&s, "stopped"), None);
    let b = screen(&s);
    assert!(
        find(&b, "waiting for artifacts").is_some() || {
            apply(&mut s, [key('4')]);
            find(&screen(&s), "waiting for artifacts").is_some()
        },
        "the pane says what it waits for"
    );
    apply(&mut s, [key('1')]);

    // All started: ok.
    load_artifacts(&mut s, vec![artifacts()[0].clone()]);
    // (Fetched before the pane's next poll below: the newest copy of the artifacts counts.)
    let mut started = answer(&plan, NOW - 5_000);
    if let Msg::Data(DataMsg::Monitor(f)) = &mut started {
        f.artifacts = Some(Ok(vec![artifacts()[0].clone()]));
    }
    let fx = apply(&mut s, [started]);
    assert_eq!(status_of(&s, "stopped"), Some(Status::Ok));
    assert!(!fx.contains(&Effect::Bell));

    // The pane's next poll shows an ERROR artifact: the next round says error, with no fetch of
    // its own (the Artifacts pane polls them and has loaded them).
    load_artifacts(&mut s, artifacts());
    let fx = apply(&mut s, [Msg::Tick(NOW + 4_000 + 60_000)]);
    assert!(fetch_plans(&fx).is_empty(), "{fx:?}");
    assert_eq!(status_of(&s, "stopped"), Some(Status::Error));
    let m = s.alerts.state.get("stopped").expect("evaluated");
    assert!(m.text.contains("Invoice_Outbound"), "{}", m.text);
    assert!(m.evidence.contains(&Evidence::Artifact {
        id: "Material_Master".into()
    }));
    assert!(fx.contains(&Effect::Bell), "bell on ok → error: {fx:?}");
    assert!(s.alerts.flashing(s.now), "header flashes");
    assert_eq!(
        screen(&s).buffer()[(1, 0)].bg,
        ratatui::style::Color::Red,
        "the header is drawn in the alert colour while it flashes"
    );
    assert!(fx.iter().any(
        |e| matches!(e, Effect::AlertNotify(t) if t.len() == 1 && t[0].0.to == Status::Error && !t[0].1)
    ));
    assert!(fx.iter().any(
        |e| matches!(e, Effect::SaveAlerts { state: Some(_), transitions, .. } if transitions.len() == 1)
    ));
    assert_eq!(s.alerts.history.items.len(), 1);
    // The flash ends by itself.
    apply(&mut s, [Msg::Tick(NOW + 4_000 + 60_000 + 3_500)]);
    assert!(!s.alerts.flashing(s.now));
    assert_ne!(screen(&s).buffer()[(1, 0)].bg, ratatui::style::Color::Red);
}

#[test]
fn the_monitor_poller_fetches_only_what_no_pane_shows() {
    let mut s = with_monitors(80, 24, MONITORS);
    // On the Artifacts pane: artifacts come from the pane; queues, broker-less DLQ rule,
    // keystore and messages from the monitor poller.
    let fx = apply(&mut s, [Msg::Tick(NOW + 5_000)]);
    let plan = fetch_plans(&fx).pop().expect("a monitor fetch");
    assert!(
        plan.artifacts,
        "the Artifacts pane polls them but has not loaded them: the first round reads them"
    );
    assert!(plan.queues && plan.keystore && !plan.broker && plan.packages.is_empty());
    assert_eq!(plan.messages.as_ref().map(|m| m.follow.is_none()), Some(true));
    // One round in flight: no second fetch on the next ticks.
    assert!(fetch_plans(&apply(&mut s, [Msg::Tick(NOW + 70_000)])).is_empty());
    // A stale answer (other generation) is dropped.
    let mut stale = plan.clone();
    stale.generation += 7;
    apply(&mut s, [answer(&stale, NOW + 71_000)]);
    assert_eq!(status_of(&s, "dlq"), None);
    apply(&mut s, [answer(&plan, NOW + 71_000)]);
    assert_eq!(status_of(&s, "dlq"), Some(Status::Error));
    // The next round asks for a delta from the watermark; the pane's artifacts count now.
    load_artifacts(&mut s, artifacts());
    let fx = apply(&mut s, [Msg::Tick(NOW + 200_000)]);
    let next = fetch_plans(&fx).pop().expect("next round");
    assert!(!next.artifacts, "the Artifacts pane polls them and has them");
    assert_eq!(
        next.messages
            .as_ref()
            .and_then(|m| m.follow.as_ref().map(MplFollow::watermark)),
        Some(NOW + 71_000)
    );
    assert!(next.keystore, "a refused keystore is asked again next round");
    assert!(next.queues, "queues are re-read every round (no pane shows them)");
    // Once read, the keystore is re-read every 10 minutes, not every round.
    let mut ok = answer(&next, NOW + 201_000);
    if let Msg::Data(DataMsg::Monitor(f)) = &mut ok {
        f.keystore = Some(Ok(Vec::new()));
    }
    apply(&mut s, [ok]);
    assert_eq!(status_of(&s, "certs"), Some(Status::Ok));
    let fx = apply(&mut s, [Msg::Tick(NOW + 300_000)]);
    let third = fetch_plans(&fx).pop().expect("third round");
    assert!(!third.keystore);
    let fx = apply(&mut s, [answer(&third, NOW + 301_000), Msg::Tick(NOW + 900_000)]);
    assert!(fetch_plans(&fx).pop().expect("fourth round").keystore);

    // On the Messages pane with an unfiltered 1h window the pane's store serves the message
    // rules; on the Queues pane the queue list comes from the pane.
    let mut s = with_monitors(80, 24, MONITORS);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    let fx = apply(&mut s, [Msg::Tick(NOW + 5_000)]);
    let plan = fetch_plans(&fx).pop().expect("fetch");
    assert!(plan.messages.is_none() && plan.artifacts && plan.queues);
    apply(&mut s, [answer(&plan, NOW + 6_000)]);
    assert_eq!(status_of(&s, "invoice-failures"), Some(Status::Error));
    assert_eq!(status_of(&s, "orders-volume"), Some(Status::Warning));
    assert_eq!(status_of(&s, "certs"), Some(Status::NotCalculated));
}

/// A round that read the queues lends them to the Queues pane while it holds none of its own:
/// `3` shows them at once instead of waiting for a second read of the same queues; the pane's
/// own poll replaces them, and a later round does not overwrite what the pane read itself.
#[test]
fn the_queues_a_round_read_are_on_the_queues_pane_at_once() {
    let mut s = with_monitors(80, 24, MONITORS);
    let fx = apply(&mut s, [Msg::Tick(NOW + 5_000)]);
    let plan = fetch_plans(&fx).pop().expect("a monitor fetch");
    assert!(plan.queues, "{plan:?}");
    let with_dlq_messages = |plan: &FetchPlan, at: i64| {
        let mut m = answer(plan, at);
        if let Msg::Data(DataMsg::Monitor(f)) = &mut m {
            for q in f.queues.iter_mut().flatten().flatten() {
                if q.queue.name == "DLQ_ORDERS_IN" {
                    q.messages = Some(queue_messages());
                }
            }
        }
        m
    };
    // An answer of another round (another generation, e.g. the tenant before a `:ctx`) lends
    // nothing.
    let mut stale = plan.clone();
    stale.generation += 7;
    apply(&mut s, [with_dlq_messages(&stale, NOW + 6_000)]);
    assert_eq!(s.queues.load.loaded_at, None);
    apply(&mut s, [with_dlq_messages(&plan, NOW + 6_000)]);
    assert_eq!(s.queues.load.loaded_at, Some(NOW + 6_000));
    apply(&mut s, [key('3')]);
    let b = screen(&s);
    let (_, y) = find(&b, "DLQ_ORDERS_IN").expect("the round's queues on the pane");
    let row = row_text(&b, y);
    let words: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(words.get(1), Some(&"3"), "depth: {row}");
    assert!(
        words.contains(&"5h"),
        "the oldest message's age, from the round's read: {row}"
    );
    assert!(
        row_text(&b, 1).contains("3 Queues (1 DLQ)"),
        "{}",
        row_text(&b, 1)
    );
    // The pane's own poll replaces them; a later round leaves the pane's own data alone.
    let mut own = queues();
    own.queues.retain(|r| r.queue.name != "AUDIT_LOG");
    load_queues(&mut s, own);
    let polled_at = s.queues.load.loaded_at;
    let fx = apply(&mut s, [Msg::Tick(NOW + 200_000)]);
    if let Some(next) = fetch_plans(&fx).pop() {
        apply(&mut s, [with_dlq_messages(&next, NOW + 201_000)]);
    }
    assert_eq!(s.queues.load.loaded_at, polled_at);
    assert!(!s.queues.rows.iter().any(|r| r.queue.name == "AUDIT_LOG"));
}

#[test]
fn statuses_texts_and_order_errors_first() {
    let s = evaluated(80, 24);
    assert_eq!(status_of(&s, "stopped"), Some(Status::Error));
    assert_eq!(status_of(&s, "invoice-failures"), Some(Status::Error));
    assert_eq!(status_of(&s, "dlq"), Some(Status::Error));
    assert_eq!(status_of(&s, "orders-volume"), Some(Status::Warning));
    assert_eq!(status_of(&s, "certs"), Some(Status::NotCalculated));
    assert_eq!(status_of(&s, "customers"), Some(Status::Ok));
    let order: Vec<Status> = s.alerts.rows.iter().map(|m| m.status).collect();
    let mut sorted = order.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(order, sorted, "errors first");
    assert_eq!(s.alerts.errors(), 3);
    // Each rule of a multi-rule monitor has its own result.
    let rules = &s.alerts.rules["orders-volume"];
    assert_eq!(
        rules
            .iter()
            .map(|r| (r.kind, r.evaluation.status))
            .collect::<Vec<_>>(),
        [("failures", Status::Ok), ("min_messages", Status::Warning)]
    );
    // The tenant answered: health recorded.
    assert!(s.alerts.health.last_success.is_some());
}

#[test]
fn navigation_evidence_and_jumps() {
    let mut s = evaluated(80, 24);
    assert_eq!(s.route(), &Route::home(Pane::Alerts));
    let first = s.alerts.selected_key();
    apply(&mut s, [key('j')]);
    assert_ne!(s.alerts.selected_key(), first, "j moves");
    apply(&mut s, [key('g')]);
    assert_eq!(s.alerts.selected_key(), first);

    // Open the invoice failures monitor: message evidence plus "failed messages of".
    let pos = s
        .alerts
        .list
        .rows()
        .position(|r| s.alerts.rows[r].key == "invoice-failures")
        .expect("listed");
    s.alerts.select_position(pos);
    apply(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(
        s.route(),
        &Route::Alerts(cpitop::panes::alerts::Route::Evidence {
            key: "invoice-failures".into()
        })
    );
    let rows = s.alerts.evidence.rows.clone();
    assert!(rows.contains(&EvidenceRow::FailedMessagesOf("Invoice_Outbound".into())));
    // Enter on a message: its detail is fetched.
    let fx = apply(&mut s, [code(KeyCode::Enter)]);
    let guid = match s.route() {
        Route::Messages(cpitop::panes::messages::Route::Detail { guid }) => guid.clone(),
        r => panic!("expected message detail, got {r:?}"),
    };
    assert!(fx.contains(&Effect::FetchMessage { guid }));
    // Back to the evidence, then to the failed messages of the iFlow.
    apply(&mut s, [code(KeyCode::Esc)]);
    apply(&mut s, [key('G')]);
    apply(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(s.route(), &Route::home(Pane::Messages));
    assert_eq!(s.messages.query.iflow.as_deref(), Some("Invoice_Outbound"));
    assert_eq!(s.messages.query.status.as_deref(), Some("FAILED"));

    // The stopped monitor jumps to the artifact's detail.
    apply(&mut s, [key('4')]);
    let pos = s
        .alerts
        .list
        .rows()
        .position(|r| s.alerts.rows[r].key == "stopped")
        .expect("listed");
    s.alerts.select_position(pos);
    apply(&mut s, [code(KeyCode::Enter)]);
    let fx = apply(&mut s, [code(KeyCode::Enter)]);
    assert!(
        matches!(
            s.route(),
            Route::Artifacts(cpitop::panes::artifacts::Route::Detail { .. })
        ),
        "{:?}",
        s.route()
    );
    assert_eq!(s.pane(), Pane::Artifacts);
    assert!(fx.iter().any(|e| matches!(e, Effect::FetchArtifactError { .. })));

    // The DLQ monitor jumps to the queue's messages.
    apply(&mut s, [key('4')]);
    let pos = s
        .alerts
        .list
        .rows()
        .position(|r| s.alerts.rows[r].key == "dlq")
        .expect("listed");
    s.alerts.select_position(pos);
    apply(&mut s, [code(KeyCode::Enter), code(KeyCode::Enter)]);
    assert_eq!(
        s.route(),
        &Route::Queues(cpitop::panes::queues::Route::Messages {
            queue: "DLQ_ORDERS_IN".into()
        })
    );
    assert!(s.polling.queue_messages.is_some(), "the queue's messages poll");
}

#[test]
fn acknowledge_and_silence_are_kept_and_saved() {
    let mut s = evaluated(80, 24);
    s.alerts.select_position(0);
    let key0 = s.alerts.selected_key().expect("selected");
    assert_eq!(status_of(&s, &key0), Some(Status::Error));
    let fx = apply(&mut s, [key('a')]);
    let m = s.alerts.state.get(&key0).expect("monitor").clone();
    assert!(s.alerts.controls.is_acknowledged(&m));
    assert!(fx.iter().any(|e| matches!(e, Effect::SaveAlerts { controls: Some(c), state: None, .. } if c.acks.contains_key(&key0))));
    assert!(s.alerts.note(&m, s.now).contains("ack"));
    // `a` again removes it.
    apply(&mut s, [key('a')]);
    assert!(!s.alerts.controls.is_acknowledged(&m));
    // An ok monitor cannot be acknowledged.
    let ok_pos = s
        .alerts
        .list
        .rows()
        .position(|r| s.alerts.rows[r].status == Status::Ok)
        .expect("an ok monitor");
    s.alerts.select_position(ok_pos);
    let fx = apply(&mut s, [key('a')]);
    assert!(fx.is_empty(), "{fx:?}");
    assert!(
        s.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("only warnings and errors"))
    );

    // `S` asks for the period on the command line; 4h silences.
    s.alerts.select_position(0);
    apply(&mut s, [key('S')]);
    assert_eq!(s.mode, Mode::Command("silence ".into()));
    let fx = apply(
        &mut s,
        typed("4h")
            .into_iter()
            .chain([code(KeyCode::Enter)])
            .collect::<Vec<_>>(),
    );
    assert_eq!(s.mode, Mode::Normal);
    let until = s.alerts.controls.silences.get(&key0).map(|x| x.until);
    assert_eq!(until, Some(s.now + 4 * 3_600_000));
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::SaveAlerts {
            controls: Some(_),
            ..
        }
    )));
    // A silenced monitor's transition neither rings nor is notified as unsilenced.
    let n_before = s.alerts.history.items.len();
    s.alerts.state = cpitop::monitor::MonitorState::new("acme-prod");
    let due = s.alerts.next_due;
    let fx = apply(&mut s, [Msg::Tick(due)]);
    let plan = fetch_plans(&fx).pop().expect("round");
    let fx = apply(&mut s, [answer(&plan, due + 1_000)]);
    assert!(s.alerts.history.items.len() > n_before);
    let notified = fx
        .iter()
        .find_map(|e| match e {
            Effect::AlertNotify(t) => Some(t.clone()),
            _ => None,
        })
        .expect("notified");
    assert!(
        notified
            .iter()
            .any(|(t, silenced)| t.monitor == key0 && *silenced)
    );
    // Unsilence; a bad duration is refused.
    apply(&mut s, [Msg::Command("silence soon".into())]);
    assert!(s.toast.as_ref().is_some_and(|t| t.text.contains("cannot read")));
    apply(&mut s, [Msg::Command("silence off".into())]);
    assert!(!s.alerts.controls.silences.contains_key(&key0));
}

#[test]
fn history_view_lists_transitions_newest_first() {
    let mut s = evaluated(80, 24);
    apply(&mut s, [key('h')]);
    assert_eq!(s.route(), &Route::Alerts(cpitop::panes::alerts::Route::History));
    let t = s.table().expect("history table");
    assert_eq!(t.row_count(), 4, "stopped, invoice, dlq, orders turned to alerts");
    assert!(
        t.cell(t.list().row_at(0).expect("a row"), 2, &s.cell_cx())
            .contains("→")
    );
    apply(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(s.route(), &Route::home(Pane::Alerts));
}

/// Queue rows the Queues pane holds from an earlier visit are not the monitors' data once the
/// pane no longer polls: a round that cannot read the queues leaves their monitors not
/// calculated instead of judging the old rows as current.
#[test]
fn queue_rows_of_an_earlier_visit_do_not_stand_in_for_a_failed_read() {
    let mut s = with_monitors(80, 24, MONITORS);
    apply(&mut s, [key('3')]);
    load_queues(&mut s, queues());
    apply(&mut s, [key('4')]);
    let fx = apply(&mut s, [Msg::Tick(NOW + 5_000)]);
    let plan = fetch_plans(&fx).pop().expect("a round");
    assert!(plan.queues, "the pane does not poll: the round reads the queues");
    let mut failed = answer(&plan, NOW + 6_000);
    if let Msg::Data(DataMsg::Monitor(f)) = &mut failed {
        f.queues = Some(Err("GET /Queues failed with HTTP 503".into()));
    }
    apply(&mut s, [failed]);
    assert_eq!(status_of(&s, "dlq"), Some(Status::NotCalculated));
    assert_eq!(status_of(&s, "stopped"), Some(Status::Error), "the rest was read");
}

#[test]
fn an_unanswered_round_is_shown_and_the_open_history_follows() {
    let mut s = evaluated(80, 24);
    apply(&mut s, [key('h')]);
    let before = s.table().expect("history").list().len();
    let due = s.alerts.next_due;
    let fx = apply(&mut s, [Msg::Tick(due)]);
    let plan = fetch_plans(&fx).pop().expect("round");
    let down = "GET /IntegrationRuntimeArtifacts failed: connect timeout";
    fn fail<T>(asked: bool, e: &str) -> Option<Result<T, cpitop::resources::FetchError>> {
        asked.then(|| Err(e.into()))
    }
    apply(
        &mut s,
        [Msg::Data(DataMsg::Monitor(Box::new(MonitorFetched {
            generation: plan.generation,
            at: due + 1_000,
            artifacts: fail(plan.artifacts, down),
            queues: fail(plan.queues, down),
            messages: fail(plan.messages.is_some(), down),
            answered: false,
            error: Some(down.into()),
            ..MonitorFetched::default()
        })))],
    );
    // Missing data is not ok: the monitors that read it are not calculated now.
    assert_eq!(status_of(&s, "stopped"), Some(Status::NotCalculated));
    assert_eq!(status_of(&s, "dlq"), Some(Status::NotCalculated));
    assert_eq!(s.banner().as_deref(), Some(down), "shown under the header");
    assert_eq!(s.alerts.health.last_error.as_deref(), Some(down));
    let after = s.table().expect("history").list().len();
    assert!(after > before, "the open history shows the new transitions");
}

#[test]
fn reachability_is_timed_by_a_ping_only_when_nothing_else_calls_the_tenant() {
    let only_tenant = r#"
[[defaults]]
key = "tenant"
name = "Tenant reachable"
rules = [{ kind = "tenant_unreachable", for = "5m" }]
"#;
    // The Artifacts pane polls: its results time reachability, no extra call.
    let mut s = with_monitors(80, 24, only_tenant);
    load_artifacts(&mut s, artifacts());
    let fx = apply(&mut s, [Msg::Tick(NOW + 5_000)]);
    assert!(fetch_plans(&fx).is_empty(), "{fx:?}");
    assert_eq!(status_of(&s, "tenant"), Some(Status::Ok));
    // On the Alerts pane nothing polls: one cheap call per round.
    apply(&mut s, [key('4')]);
    let fx = apply(&mut s, [Msg::Tick(NOW + 70_000)]);
    let plan = fetch_plans(&fx).pop().expect("a ping");
    assert!(plan.ping && !plan.artifacts && !plan.queues && plan.messages.is_none());
    // It goes unanswered for longer than `for`: error.
    let mut t = NOW + 70_000;
    let mut generation = plan.generation;
    while t < NOW + 70_000 + 6 * 60_000 {
        apply(
            &mut s,
            [Msg::Data(DataMsg::Monitor(Box::new(MonitorFetched {
                generation,
                at: t + 500,
                answered: false,
                error: Some("connect timeout".into()),
                ..MonitorFetched::default()
            })))],
        );
        t += 60_000;
        let fx = apply(&mut s, [Msg::Tick(t)]);
        generation = fetch_plans(&fx).pop().expect("next ping").generation;
    }
    assert_eq!(status_of(&s, "tenant"), Some(Status::Error));
}

/// Issue 12, item 14: a pane poll that the tenant refuses (401/403/404/429) is the tenant
/// answering; only no answer (a dropped connection, a timeout, a 5xx) counts toward
/// `tenant_unreachable`. Decided from the typed error's kind, not from its text.
#[test]
fn a_refused_pane_poll_is_an_answer_a_dropped_connection_is_not() {
    use cpitop::cpi::CpiError;
    let only_tenant = r#"
[[defaults]]
key = "tenant"
name = "Tenant reachable"
rules = [{ kind = "tenant_unreachable", for = "5m" }]
"#;
    let endpoint = || "GET IntegrationRuntimeArtifacts".to_string();
    let cases = [
        (
            CpiError::Forbidden {
                endpoint: endpoint(),
                message: Some("missing role MonitoringDataRead".into()),
            },
            Status::Ok,
        ),
        (CpiError::Unauthorized { endpoint: endpoint() }, Status::Ok),
        (
            CpiError::RateLimited {
                endpoint: endpoint(),
                attempts: 4,
            },
            Status::Ok,
        ),
        (
            CpiError::ConnectionDropped {
                endpoint: endpoint(),
                detail: "connection reset by peer".into(),
                attempts: 4,
            },
            Status::Error,
        ),
        (
            CpiError::Timeout {
                endpoint: endpoint(),
                after: std::time::Duration::from_secs(30),
                attempts: 4,
            },
            Status::Error,
        ),
    ];
    for (error, want) in cases {
        let mut s = with_monitors(80, 24, only_tenant);
        load_artifacts(&mut s, artifacts());
        let mut t = NOW;
        while t < NOW + 8 * 60_000 {
            t += 30_000;
            let generation = s.artifacts.load.generation;
            let fx = apply(
                &mut s,
                [
                    Msg::Data(DataMsg::Artifacts {
                        generation,
                        at: t,
                        result: Err(error.clone().into()),
                    }),
                    Msg::Tick(t + 1),
                ],
            );
            assert!(
                fetch_plans(&fx).is_empty(),
                "the pane's polls time reachability: {fx:?}"
            );
        }
        assert_eq!(status_of(&s, "tenant"), Some(want), "{error}");
        assert_eq!(
            s.banner(),
            Some(error.to_string()),
            "the pane still shows why it failed"
        );
    }
}

#[test]
fn a_bad_monitors_table_is_shown_not_fatal() {
    let table: toml::Table =
        toml::from_str("[[defaults]]\nkey = \"x\"\nname = \"X\"\nrules = [{ kind = \"not_startd\" }]\n")
            .expect("toml");
    let config = cpitop::config::Config {
        file: Some("/cfg/config.toml".into()),
        monitors: table,
        ..cpitop::config::Config::default()
    };
    let (launch, warnings) = AlertsLaunch::from_config(&config, "acme-prod", None);
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains("/cfg/config.toml [monitors]"),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].contains("not_startd"), "{}", warnings[0]);
    let mut s = state(80, 24);
    s.alerts = Alerts::new(launch.setup, "acme-prod", NOW);
    assert!(!s.alerts.configured());
    assert!(apply(&mut s, [Msg::Tick(NOW + 100_000)]).is_empty());
    apply(&mut s, [key('4')]);
    let b = screen(&s);
    assert!(find(&b, "monitors disabled").is_some());
    assert!(find(&b, "4 Alerts (config error)").is_some());
}

// ── snapshots ──

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];

fn snap(name: &str, s: &State) {
    let (w, h) = s.size;
    insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(s));
}

#[test]
fn alerts_pane_snapshots() {
    for (w, h) in SIZES {
        let mut s = with_monitors(w, h, MONITORS);
        apply(&mut s, [key('4')]);
        snap("alerts_loading", &s);

        let mut s = state(w, h);
        apply(&mut s, [key('4')]);
        snap("alerts_empty", &s);

        let s = evaluated(w, h);
        snap("alerts_data", &s);
        let b = screen(&s);
        let (x, y) = find(&b, "error          ").expect("an error row");
        assert_eq!(b.buffer()[(x, y)].fg, ratatui::style::Color::Red, "error is red");

        let mut s = evaluated(w, h);
        let pos = s
            .alerts
            .list
            .rows()
            .position(|r| s.alerts.rows[r].key == "orders-volume")
            .expect("listed");
        s.alerts.select_position(pos);
        apply(&mut s, [code(KeyCode::Enter)]);
        snap("alerts_evidence", &s);

        let mut s = evaluated(w, h);
        apply(&mut s, [key('h')]);
        snap("alerts_history", &s);

        // A certificate named by an alert: the Keystore pane's certificate view over the
        // evidence, read by alias (the Keystore pane holds no list yet).
        let mut s = evaluated(w, h);
        let mut fx = Vec::new();
        cpitop::app::nav::go(
            &mut s,
            cpitop::kit::nav::Nav::OpenCertificate("partner_as2_signing".into()),
            &mut fx,
        );
        assert_eq!(
            fx,
            [Effect::FetchCertificate {
                alias: "partner_as2_signing".into()
            }]
        );
        let entry = cpitop::cpi::model::KeystoreEntry {
            alias: "partner_as2_signing".into(),
            key_type: "RSA".into(),
            key_size: 2048,
            valid_not_before: Some(NOW - 400 * 86_400_000),
            valid_not_after: Some(NOW - 2 * 86_400_000),
            subject_dn: "CN=as2.partner.example, O=Partner, C=NL".into(),
            issuer_dn: "CN=ACME Issuing CA, O=ACME, C=DE".into(),
            serial_number: "0x2002f".into(),
            signature_algorithm: "SHA256withRSA".into(),
            kind: "Certificate".into(),
            owner: "Tenant Administrator".into(),
            ..Default::default()
        };
        apply(
            &mut s,
            [Msg::Data(DataMsg::Certificate {
                alias: "partner_as2_signing".into(),
                result: Ok(Some(entry)),
            })],
        );
        snap("alerts_certificate", &s);
    }
}

/// At 80x24 an alert's reason is read on the list, wrapped, not cut at the column's edge.
#[test]
fn alert_texts_are_wrapped_not_cut() {
    let s = evaluated(80, 24);
    let b = screen(&s);
    let text: String = (0..b.buffer().area.height)
        .map(|y| row_text(&b, y))
        .collect::<Vec<_>>()
        .join(" ");
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let m = s
        .alerts
        .state
        .get("invoice-failures")
        .expect("evaluated")
        .text
        .clone();
    assert!(m.len() > 40, "a text longer than the column: {m}");
    for w in m.split_whitespace() {
        assert!(words(&text).contains(w), "{w:?} of {m:?} on screen:\n{b:?}");
    }
}

/// At 80x24 a STATUS column as wide as `not_calculated` is spaces beside `error` while the
/// monitors' names are cut: without a monitor not calculated it is as wide as `warning`, and the
/// names (up to 20 characters here) are whole.
#[test]
fn monitor_names_are_whole_at_80x24_when_no_status_needs_the_width() {
    let mut s = evaluated(80, 24);
    // The keystore answers this time: no monitor is left not calculated.
    let due = s.alerts.next_due;
    let fx = apply(&mut s, [Msg::Tick(due)]);
    let plan = fetch_plans(&fx).pop().expect("a round");
    let mut ok = answer(&plan, due + 1_000);
    if let Msg::Data(DataMsg::Monitor(f)) = &mut ok {
        f.keystore = Some(Ok(Vec::new()));
    }
    apply(&mut s, [ok]);
    assert!(
        s.alerts.rows.iter().all(|m| m.status != Status::NotCalculated),
        "{:?}",
        s.alerts
            .rows
            .iter()
            .map(|m| (&m.name, m.status))
            .collect::<Vec<_>>()
    );
    let b = screen(&s);
    for m in &s.alerts.rows {
        assert!(m.name.chars().count() <= 20, "{}", m.name);
        assert!(find(&b, &m.name).is_some(), "{} whole on screen:\n{b:?}", m.name);
    }
    // On a wide terminal the alert, not the name, takes most of what is spare.
    s.size = (160, 45);
    let b = screen(&s);
    let (alert_x, _) = find(&b, "ALERT").expect("the ALERT column");
    assert!(alert_x <= 45, "ALERT starts at {alert_x}:\n{b:?}");
    // A monitor not calculated gets its word whole again.
    let s = evaluated(80, 24);
    assert!(s.alerts.rows.iter().any(|m| m.status == Status::NotCalculated));
    assert!(find(&screen(&s), "not_calculated").is_some());
}
