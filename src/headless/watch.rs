//! `cpitop watch`: run the monitors at the configured interval without a terminal UI. Each event
//! is one JSON line, written and flushed as it happens: after the first round the state of every
//! monitor (`state`), then each status transition and each newly failed message as they happen,
//! and a `heartbeat` at a fixed interval whatever happens (also while a round is slow), so a
//! consumer can tell an idle tenant from a hung watcher. Transitions also go to the configured
//! notifications. Message data is kept fresh
//! with watermark deltas (never re-downloaded). Failed messages carry their error signature and
//! whether it is new: the window's failures are grouped every round, their texts read newest
//! first within `[errors] budget` per minute. Ctrl-C or SIGTERM stops cleanly: the round in
//! progress is abandoned, due notifications are still sent (within one group window).

use std::io::Write as _;
use std::time::Duration;

use color_eyre::eyre::{Result, eyre};
use tokio_util::sync::CancellationToken;

use super::WatchArgs;
use super::check::{load_persisted, save_persisted};
use super::gather::Gatherer;
use super::setup::{Target, prepare, runtime};
use crate::args::GlobalArgs;
use crate::config::Paths;
use crate::monitor::notify::{NotifierInput, spawn_notifier};
use crate::monitor::{MessageRef, NewFailures, StatusCounts, TenantMonitors, WatchEvent, needs};

/// How `watch` runs.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Time between evaluation rounds.
    pub interval: Duration,
    /// How far back failed messages are looked for on each round (a message the tenant shows late
    /// is still reported if at most this old). Also the minimum message window kept.
    pub failure_lookback: Duration,
    /// Stop after this many rounds (`None`: until cancelled).
    pub max_rounds: Option<u64>,
    /// Time between heartbeat lines (`None`: no heartbeat).
    pub heartbeat: Option<Duration>,
}

/// Default time between heartbeat lines.
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(60);

impl WatchOptions {
    pub fn from_target(target: &Target) -> Self {
        Self {
            interval: target.monitors.interval.0,
            failure_lookback: Duration::from_secs(15 * 60),
            max_rounds: None,
            heartbeat: Some(DEFAULT_HEARTBEAT),
        }
    }
}

/// Run the loop until `cancel` (or `max_rounds`). Every event goes to `emit`; an `emit` error
/// (e.g. stdout closed) ends the loop with that error.
pub async fn watch(
    target: &Target,
    opts: &WatchOptions,
    cancel: CancellationToken,
    mut emit: impl FnMut(&WatchEvent) -> std::io::Result<()>,
) -> Result<()> {
    let mut notes = Vec::new();
    let mut monitors = TenantMonitors::open(&target.monitors, &target.tenant, target.state_dir.as_deref())
        .map_err(|e| eyre!("{e}"))?;
    let need = needs(monitors.specs());
    // The signature rules need the failures grouped before they are evaluated; without them
    // the grouping (for the events' signatures) comes after the round's state lines.
    let signature_rules = need.error_signatures;
    let landscape_rules = need.landscape;
    let window = need
        .message_window
        .map_or(opts.failure_lookback, |w| w.max(opts.failure_lookback));
    let (tracker, health) = load_persisted(target, &mut notes);
    let (feed, notice) =
        super::gather::ErrorsFeed::new(&target.errors, &target.tenant, target.state_dir.as_deref());
    notes.extend(notice);
    let mut g = Gatherer::new(
        target.client.clone(),
        &target.tenant,
        need,
        Some(window),
        tracker,
        health,
    )
    .with_errors(feed);
    let notifier_stop = CancellationToken::new();
    let (notify_tx, notifier) = spawn_notifier(target.monitors.notify.clone(), None, notifier_stop.clone())
        .map_err(|e| eyre!("notifications cannot start: {e}"))?;
    let _ = notify_tx.send(NotifierInput::Seed(monitors.state().clone()));
    let lookback_ms = i64::try_from(opts.failure_lookback.as_millis()).unwrap_or(i64::MAX);
    let mut failures = NewFailures::new(g.now(), lookback_ms);
    for n in &notes {
        tracing::warn!(tenant = %target.tenant, "{n}");
    }

    let mut rounds = 0u64;
    let mut last_round: Option<crate::cpi::odata::EpochMs> = None;
    let mut counts = StatusCounts::default();
    // A heartbeat far in the future stands for "none".
    let beat_every = opts.heartbeat.unwrap_or(Duration::from_secs(u64::from(u32::MAX)));
    let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + beat_every, beat_every);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let clock = target.client.clone();
    let result: Result<()> = loop {
        let started = std::time::Instant::now();
        let step = {
            let round_done = async {
                g.refresh(g.now()).await;
                let now = g.now();
                if landscape_rules {
                    // `version_drift`: the landscape's other tenants, read again each round.
                    let read = super::check::read_landscape(target, g.parts().artifacts.as_deref()).await;
                    let mut drift_notes = Vec::new();
                    g.landscape = Some(super::check::drift_of(
                        read,
                        target.state_dir.as_deref(),
                        now,
                        &mut drift_notes,
                    ));
                    for n in drift_notes {
                        tracing::warn!(tenant = %target.tenant, "{n}");
                    }
                }
                if signature_rules {
                    g.group_errors(now).await;
                }
                let round = g.with_snapshot(|snap| monitors.evaluate(snap, now));
                let fresh = g
                    .message_stats()
                    .map(|s| failures.poll(&s, now))
                    .unwrap_or_default();
                (round, fresh)
            };
            tokio::pin!(round_done);
            loop {
                tokio::select! {
                    _ = cancel.cancelled() => break Step::Cancelled,
                    r = &mut round_done => break Step::Done(r),
                    _ = beat.tick() => {
                        let running = Some(started.elapsed().as_secs());
                        let now = clock.server_now();
                        let hb = WatchEvent::heartbeat(&target.tenant, rounds, last_round, running, counts, now);
                        if let Err(e) = emit(&hb) {
                            break Step::EmitFailed(e);
                        }
                    }
                }
            }
        };
        let (round, fresh) = match step {
            Step::Cancelled => break Ok(()),
            Step::EmitFailed(e) => break Err(eyre!("cannot write the event stream: {e}")),
            Step::Done(r) => r,
        };
        let mut persist_notes = Vec::new();
        save_persisted(target, &g, &mut persist_notes);
        for n in persist_notes {
            tracing::warn!(tenant = %target.tenant, "{n}");
        }
        if !round.transitions.is_empty() {
            let _ = notify_tx.send(NotifierInput::Transitions(round.for_notifier()));
        }
        let now = g.now();
        let mut out = Ok(());
        if rounds == 0 {
            // The whole picture first: every monitor as it stands.
            for m in monitors.state().monitors() {
                out = out.and_then(|_| emit(&WatchEvent::state(&target.tenant, m, now)));
            }
        }
        counts = StatusCounts::of(monitors.state().monitors().iter().map(|m| &m.status));
        last_round = Some(now);
        for t in &round.transitions {
            out = out.and_then(|_| emit(&WatchEvent::transition(t)));
        }
        if !signature_rules {
            let now = g.now();
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = g.group_errors(now) => {}
            }
        }
        for m in &fresh {
            let ev = failed_event(&target.tenant, m, g.errors.as_ref());
            out = out.and_then(|_| emit(&ev));
        }
        if let Some(feed) = g.errors.as_mut()
            && let Some(e) = feed.remember(now)
        {
            tracing::warn!(tenant = %target.tenant, "error signatures not kept: {e}");
        }
        if let Err(e) = out {
            break Err(eyre!("cannot write the event stream: {e}"));
        }
        rounds += 1;
        if opts.max_rounds.is_some_and(|m| rounds >= m) {
            break Ok(());
        }
        let pause = tokio::time::sleep(opts.interval);
        tokio::pin!(pause);
        let woke = loop {
            tokio::select! {
                _ = cancel.cancelled() => break Err(None),
                _ = &mut pause => break Ok(()),
                _ = beat.tick() => {
                    let hb = WatchEvent::heartbeat(&target.tenant, rounds, last_round, None, counts, clock.server_now());
                    if let Err(e) = emit(&hb) {
                        break Err(Some(e));
                    }
                }
            }
        };
        match woke {
            Ok(()) => {}
            Err(None) => break Ok(()),
            Err(Some(e)) => break Err(eyre!("cannot write the event stream: {e}")),
        }
    };

    // Let the notifier send what is due, then stop it (nothing is due without a channel: a
    // Ctrl-C then ends at once instead of waiting out the group window).
    drop(notify_tx);
    let notify = &target.monitors.notify;
    let grace = if notify.has_channels() {
        notify.group_window.0 + notify.timeout.0
    } else {
        Duration::ZERO
    };
    let mut notifier = notifier;
    if tokio::time::timeout(grace, &mut notifier).await.is_err() {
        notifier_stop.cancel();
        let _ = notifier.await;
    }
    result
}

/// How waiting for a round ended.
enum Step<R> {
    Cancelled,
    Done(R),
    EmitFailed(std::io::Error),
}

/// A `message_failed` event: the message with its error text's first line and its signature,
/// when its text was read (within the budget; before this round's signatures are remembered).
fn failed_event(tenant: &str, m: &MessageRef, feed: Option<&super::gather::ErrorsFeed>) -> WatchEvent {
    match feed {
        Some(feed) => {
            let (m, sig) = feed.report(m);
            WatchEvent::message_failed(tenant, &m).with_signature(sig)
        }
        None => WatchEvent::message_failed(tenant, m),
    }
}

/// `cpitop watch` from the command line: events on stdout until Ctrl-C or SIGTERM.
pub fn run_watch(global: &GlobalArgs, args: &WatchArgs) -> Result<()> {
    let paths = Paths::from_env(global.config.as_deref())?;
    let _log = crate::config::logging::init(&paths, global.log_level.as_deref())?;
    let rt = runtime()?;
    rt.block_on(async {
        let target = prepare(global, &paths).await?;
        for n in &target.notes {
            eprintln!("note: {}", crate::sanitize::one_line(n));
        }
        let mut opts = WatchOptions::from_target(&target);
        if let Some(i) = args.interval {
            opts.interval = i;
        }
        opts.heartbeat = args.heartbeat.filter(|d| !d.is_zero());
        let cancel = CancellationToken::new();
        spawn_signal_handler(cancel.clone());
        let stdout = std::io::stdout();
        let r = watch(&target, &opts, cancel, |ev| {
            let mut out = stdout.lock();
            out.write_all(event_line(ev).as_bytes())?;
            out.flush()
        })
        .await;
        if let Some(sim) = target.sim {
            sim.shutdown().await;
        }
        r
    })
    // The error can quote the tenant: one neutral line (`sanitize::one_line`).
    .map_err(|e| eyre!("{}", crate::sanitize::one_line(&format!("{e:#}"))))
}

/// One event as the JSON line `watch` prints: C1 and bidi controls in tenant text (iFlow names,
/// error texts) escaped too (`sanitize::json`; serde_json escapes only C0).
pub fn event_line(ev: &WatchEvent) -> String {
    crate::sanitize::json(&ev.to_line()).into_owned()
}

/// Cancel on Ctrl-C (SIGINT) or SIGTERM.
fn spawn_signal_handler(cancel: CancellationToken) {
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "SIGTERM handler not installed; Ctrl-C still stops");
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        cancel.cancel();
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpi::model::MplStatus;

    #[test]
    fn event_lines_escape_c1_and_bidi() {
        let m = MessageRef {
            guid: "AGZ0".into(),
            iflow: "Orders\u{9b}2J\u{202e}".into(),
            status: MplStatus::Failed,
            time: 0,
            custom_status: None,
            error: Some("boom\u{1b}]52;c;eA==\u{7}\u{85}".into()),
        };
        let line = event_line(&WatchEvent::message_failed("t", &m));
        assert!(line.contains(r#"Orders\u009b2J\u202e"#), "{line}");
        assert!(line.contains(r#"boom\u001b]52;c;eA==\u0007\u0085"#), "{line}");
        assert!(
            line.ends_with('\n') && line.matches('\n').count() == 1,
            "{line:?}"
        );
        assert!(
            !line.trim_end().chars().any(crate::sanitize::is_unsafe),
            "{line:?}"
        );
    }
}
