//! The Alerts pane's effects: statuses, acknowledgements, silences and history survive a restart
//! (XDG state dir), a restart does not announce a standing alert again, and transitions reach the
//! configured notifications (a command hook with the alert in its environment).

use crate::tui_support;

use std::time::Duration;

use cpitop::app::msg::{Effect, Msg};
use cpitop::app::{State, apply};
use cpitop::monitor::Status;
use cpitop::panes::alerts::Alerts;
use cpitop::panes::alerts::AlertsLaunch;
use cpitop::tui::alerts_io::AlertsIo;
use tokio::sync::mpsc;
use tui_support::*;

fn monitors(extra: &str) -> cpitop::monitor::MonitorsConfig {
    let text = format!(
        "[[defaults]]\nkey = \"stopped\"\nname = \"iFlow not started\"\nrules = [{{ kind = \"not_started\" }}]\n{extra}"
    );
    let table: toml::Table = toml::from_str(&text).expect("toml");
    cpitop::headless::monitors_from_table(&table, None).expect("valid")
}

/// Run the alert effects the way the effect runner does.
fn run_effects(io: &AlertsIo, fx: Vec<Effect>, tx: &mpsc::Sender<Msg>) {
    for e in fx {
        match e {
            Effect::SaveAlerts {
                state,
                controls,
                transitions,
            } => io.save(state, controls, transitions, tx.clone()),
            Effect::AlertNotify(t) => io.notify(t),
            _ => {}
        }
    }
}

async fn eventually(what: &str, mut ok: impl FnMut() -> bool) {
    for _ in 0..100 {
        if ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn started(cfg: &cpitop::monitor::MonitorsConfig, dir: &std::path::Path) -> (State, AlertsIo) {
    let (launch, warnings) = AlertsLaunch::new(cfg, "acme-prod", Some(dir), "test".into());
    assert!(warnings.is_empty(), "{warnings:?}");
    let (io, warnings) = AlertsIo::start(&launch, "acme-prod");
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut s = state(80, 24);
    s.alerts = Alerts::new(launch.setup, "acme-prod", NOW);
    (s, io)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledgements_silences_and_history_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = monitors("");
    let (tx, mut rx) = mpsc::channel::<Msg>(16);
    let (mut s, io) = started(&cfg, dir.path());
    load_artifacts(&mut s, artifacts());
    let fx = apply(&mut s, [Msg::Tick(NOW + 5_000)]);
    assert_eq!(
        s.alerts.state.get("stopped").map(|m| m.status),
        Some(Status::Error)
    );
    run_effects(&io, fx, &tx);
    apply(&mut s, [key('4')]);
    let fx = apply(&mut s, [key('a')]);
    run_effects(&io, fx, &tx);
    let fx = apply(&mut s, [Msg::Command("silence 4h".into())]);
    run_effects(&io, fx, &tx);
    let controls = dir.path().join("alert-controls-acme-prod.json");
    let history = dir.path().join("alert-history-acme-prod.jsonl");
    eventually("files written", || {
        std::fs::read_to_string(&controls).is_ok_and(|t| t.contains("acks") && t.contains("until"))
            && history.exists()
            && dir.path().join("monitor-state-acme-prod.json").exists()
    })
    .await;
    assert!(rx.try_recv().is_err(), "no save failed");
    drop(io);

    // Restart: the same statuses, acknowledgement, silence and history.
    let (mut s2, _io2) = started(&cfg, dir.path());
    let m = s2.alerts.state.get("stopped").expect("restored").clone();
    assert_eq!((m.status, m.since), (Status::Error, NOW + 5_000));
    assert!(s2.alerts.controls.is_acknowledged(&m));
    assert!(s2.alerts.controls.is_silenced("stopped", NOW + 3_600_000));
    assert_eq!(s2.alerts.history.items.len(), 1);
    // Shown at once, before the first round.
    apply(&mut s2, [key('4')]);
    let b = screen(&s2);
    assert!(find(&b, "iFlow not star").is_some(), "{b:?}");
    apply(&mut s2, [key('1')]);
    // The standing alert is not news after the restart: no transition, no bell.
    load_artifacts(&mut s2, artifacts());
    let fx = apply(&mut s2, [Msg::Tick(NOW + 10_000)]);
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::Bell | Effect::AlertNotify(_))),
        "{fx:?}"
    );
    assert_eq!(s2.alerts.history.items.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transitions_reach_the_command_hook() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hook.out");
    let script = format!(
        "printf '%s %s %s\\n' \"$CPITOP_ALERT_MONITOR\" \"$CPITOP_ALERT_STATUS\" \"$CPITOP_ALERT_TENANT\" >> {}",
        out.display()
    );
    let cfg = monitors(&format!(
        "[notify]\ngroup_window = \"0s\"\nmin_interval = \"0s\"\ncommands = [{{ program = \"sh\", args = [\"-c\", {script:?}] }}]\n"
    ));
    let (tx, _rx) = mpsc::channel::<Msg>(16);
    let (mut s, io) = started(&cfg, dir.path());
    load_artifacts(&mut s, artifacts());
    let fx = apply(&mut s, [Msg::Tick(NOW + 5_000)]);
    assert!(fx.iter().any(|e| matches!(e, Effect::AlertNotify(_))));
    run_effects(&io, fx, &tx);
    eventually("the hook ran", || {
        std::fs::read_to_string(&out).is_ok_and(|t| t.contains("stopped error acme-prod"))
    })
    .await;
    // Recovery is announced too.
    load_artifacts(&mut s, vec![artifacts()[0].clone()]);
    let fx = apply(&mut s, [Msg::Tick(NOW + 70_000)]);
    run_effects(&io, fx, &tx);
    eventually("the recovery hook ran", || {
        std::fs::read_to_string(&out).is_ok_and(|t| t.contains("stopped ok acme-prod"))
    })
    .await;
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 2, "one notification per transition: {text}");
}
