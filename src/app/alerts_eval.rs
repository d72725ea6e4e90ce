//! Monitor evaluation inside the TUI: a pure function of the app's data, run from `update` at
//! the monitors' interval (never in render).
//!
//! Each round: decide what the monitors need that no pane provides fresh ([`plan`]); if nothing,
//! evaluate at once, else ask the monitor poller (`Effect::MonitorFetch`) and evaluate when its
//! result arrives ([`fetched`]). Evaluation reads the panes' data where they hold it (artifacts,
//! queues and broker while their pane polls; the Messages pane's store while it holds an
//! unfiltered window long enough) and the poller's data otherwise. Tenant health comes from every
//! poll result ([`observe`]).
//!
//! A round's transitions become effects: state and history written, notifications sent, the bell
//! rung (configurable) and the header flashed.

use std::time::Duration;

use super::alerts::{FETCH_TIMEOUT_MS, FLASH_MS, KEYSTORE_REFRESH_MS, PACKAGES_REFRESH_MS, RuleResult};
use super::monitor_poll::{FetchPlan, MessagesFetch, MonitorFetched};
use super::msg::{DataMsg, Effect, MessagesEvent};
use super::state::State;
use crate::cpi::MplFollow;
use crate::cpi::model::RuntimeArtifact;
use crate::cpi::odata::EpochMs;
use crate::monitor::{Evaluation, MessageStats, MonitorSpec, QueueSnapshot, Snapshot, StoreStats, evaluate};
use crate::store::{MessageStore, StoreLimits};

/// Extra age kept in the monitors' own message store beyond the longest rule window.
const STORE_SLACK_MS: i64 = 5 * 60_000;

fn window_ms(s: &State) -> Option<i64> {
    s.alerts
        .needs
        .message_window
        .map(|w| i64::try_from(w.as_millis()).unwrap_or(i64::MAX / 4))
}

/// The Messages pane's store answers the message rules when its poller runs over an unfiltered
/// window at least as long as the rules look back: then its coverage, else `None`.
pub fn pane_message_coverage(s: &State) -> Option<(EpochMs, EpochMs)> {
    let need = window_ms(s)?;
    let m = &s.messages;
    let q = &m.query;
    if s.polling.messages.is_none() || q.is_filtered() || q.range.is_some() || q.window_ms < need {
        return None;
    }
    let at = m.load.loaded_at?;
    Some((at - q.window_ms, at))
}

/// What the next round must fetch itself.
pub fn plan(s: &State) -> FetchPlan {
    let a = &s.alerts;
    let n = &a.needs;
    let queue_pane = s.polling.queues.is_some();
    let due = |at: Option<EpochMs>, every: i64| at.is_none_or(|t| s.now - t >= every);
    let mut p = FetchPlan {
        generation: a.fetch_generation + 1,
        artifacts: n.artifacts && s.polling.artifacts.is_none(),
        packages: !n.packages.is_empty() && due(a.data.packages_at, PACKAGES_REFRESH_MS),
        // Queue messages are never kept by the Queues pane (it keeps counts only).
        queues: (n.queues && !queue_pane) || !n.queue_messages.is_empty(),
        queue_messages: n.queue_messages.clone(),
        broker: n.broker && !queue_pane,
        keystore: n.keystore && due(a.data.keystore_at, KEYSTORE_REFRESH_MS),
        messages: match (window_ms(s), pane_message_coverage(s)) {
            (Some(w), None) => Some(MessagesFetch {
                from: s.now - w,
                follow: a.data.follow.clone(),
            }),
            _ => None,
        },
        ping: false,
    };
    // Reachability needs some call to time: when neither this round nor a pane asks anything.
    let panes_poll = s.polling.artifacts.is_some()
        || s.polling.queues.is_some()
        || s.polling.messages.is_some()
        || s.polling.queue_messages.is_some();
    p.ping = n.health && p.is_empty() && !panes_poll;
    p
}

/// Called on every tick: start a round when one is due.
pub fn tick(s: &mut State, fx: &mut Vec<Effect>) {
    let now = s.now;
    if s.alerts.flash_until.is_some_and(|t| t <= now) {
        s.alerts.flash_until = None;
        s.dirty = true;
    }
    if !s.alerts.configured() {
        return;
    }
    if let Some((_, started)) = s.alerts.fetching {
        if now - started < FETCH_TIMEOUT_MS {
            return;
        }
        tracing::warn!("monitor data fetch did not answer within 2 minutes; evaluating without it");
        s.alerts.fetching = None;
    }
    if now < s.alerts.next_due {
        return;
    }
    start_round(s, fx);
}

/// Start a round now (`r` on the Alerts pane, or when due).
pub fn start_round(s: &mut State, fx: &mut Vec<Effect>) {
    if !s.alerts.configured() || s.alerts.fetching.is_some() {
        return;
    }
    let now = s.now;
    s.alerts.next_due = now + s.alerts.interval_ms;
    let p = plan(s);
    if p.is_empty() {
        evaluate_now(s, fx);
    } else {
        s.alerts.fetch_generation = p.generation;
        s.alerts.data.requested_from = p.messages.as_ref().map(|m| m.from);
        s.alerts.fetching = Some((p.generation, now));
        if s.alerts.load.loaded_at.is_none() {
            s.alerts.load.loading = true;
        }
        fx.push(Effect::MonitorFetch(p));
    }
}

/// Record what a pane's poll says about the tenant (health; the artifact tracker).
pub fn observe(s: &mut State, d: &DataMsg) {
    let outcome: Option<(EpochMs, Result<(), &String>)> = match d {
        DataMsg::Artifacts { at, result, .. } => {
            if let Ok(items) = result {
                s.alerts.tracker.observe(items, *at);
            }
            Some((*at, result.as_ref().map(|_| ())))
        }
        DataMsg::Queues { at, result, .. } => Some((*at, result.as_ref().map(|_| ()))),
        DataMsg::QueueMessages { at, result, .. } => Some((*at, result.as_ref().map(|_| ()))),
        DataMsg::Messages { at, event, .. } => match event {
            MessagesEvent::Done => Some((*at, Ok(()))),
            MessagesEvent::Failed(e) => Some((*at, Err(e))),
            MessagesEvent::Page(_) => None,
        },
        _ => None,
    };
    if let Some((at, r)) = outcome {
        record_health(s, at, r.map_err(|e| e.as_str()));
    }
}

fn record_health(s: &mut State, at: EpochMs, r: Result<(), &str>) {
    let h = &mut s.alerts.health;
    match r {
        Ok(()) => h.record(at, Ok(())),
        // The client's text for an HTTP 4xx: the tenant answered (it refused the call).
        Err(e) if is_client_error(e) => h.record(at, Ok(())),
        Err(e) => h.record(at, Err(e.to_string())),
    }
}

fn is_client_error(text: &str) -> bool {
    text.split("failed with HTTP 4")
        .nth(1)
        .is_some_and(|rest| rest.chars().take(2).all(|c| c.is_ascii_digit()))
}

/// The monitor poller's result: keep the parts, then evaluate.
pub fn fetched(s: &mut State, f: MonitorFetched, fx: &mut Vec<Effect>) {
    if s.alerts.fetching.map(|(g, _)| g) != Some(f.generation) {
        return;
    }
    s.alerts.fetching = None;
    let at = f.at;
    let a = &mut s.alerts;
    a.data.failed.clear();
    let mut failed = |part: &str, e: String| a.data.failed.push((part.to_string(), e));
    match f.artifacts {
        Some(Ok(items)) => {
            a.tracker.observe(&items, at);
            a.data.artifacts = Some((at, items));
        }
        Some(Err(e)) => {
            a.data.artifacts = None;
            failed("artifacts", e)
        }
        None => {}
    }
    // A part that failed is missing for this round (its rules say not_calculated), as in
    // `headless::gather`; packages and keystore are retried on the next round.
    if matches!(f.packages, Some(Ok(_))) {
        a.data.packages_at = Some(at);
    }
    if matches!(f.keystore, Some(Ok(_))) {
        a.data.keystore_at = Some(at);
    }
    match f.packages {
        Some(Ok(p)) => a.data.packages = Some(p),
        Some(Err(e)) => {
            a.data.packages = None;
            failed("packages", e)
        }
        None => {}
    }
    match f.queues {
        Some(Ok(q)) => a.data.queues = Some((at, q)),
        Some(Err(e)) => {
            a.data.queues = None;
            failed("queues", e)
        }
        None => {}
    }
    match f.broker {
        Some(Ok(b)) => a.data.broker = Some((at, b)),
        Some(Err(e)) => {
            a.data.broker = None;
            failed("broker", e)
        }
        None => {}
    }
    match f.keystore {
        Some(Ok(k)) => a.data.keystore = Some(k),
        Some(Err(e)) => {
            a.data.keystore = None;
            failed("keystore", e)
        }
        None => {}
    }
    match f.messages {
        Some(Ok((batches, follow))) => {
            if a.data.follow.is_none() {
                // A window load: start a store bounded by the rules' window.
                let w = a.needs.message_window.map_or(Duration::from_secs(3600), |w| w);
                a.data.store = MessageStore::new(StoreLimits {
                    max_age: Some(w + Duration::from_millis(STORE_SLACK_MS as u64)),
                    ..StoreLimits::default()
                });
                let w_ms = i64::try_from(w.as_millis()).unwrap_or(0);
                a.data.messages_from = Some(a.data.requested_from.unwrap_or(at - w_ms));
            }
            for b in batches {
                a.data.store.merge(b);
            }
            a.data.store.enforce_limits(at);
            a.data.follow = Some(follow);
        }
        Some(Err(e)) => failed("messages", e),
        None => {}
    }
    a.health.watching_since.get_or_insert(at);
    let down = match (f.answered, f.error) {
        (true, _) => {
            a.health.record(at, Ok(()));
            None
        }
        (false, Some(e)) => {
            a.health.record(at, Err(e.clone()));
            Some(e)
        }
        (false, None) => None,
    };
    evaluate_now(s, fx);
    // Nothing answered: say so under the header (the statuses stay, marked by their rules).
    if let Some(e) = down {
        s.alerts.load.failed(e);
    }
}

/// The newest of two timed copies of the same data.
fn newest<'a, T: ?Sized>(a: Option<(EpochMs, &'a T)>, b: Option<(EpochMs, &'a T)>) -> Option<&'a T> {
    match (a, b) {
        (Some((ta, x)), Some((tb, y))) => Some(if ta >= tb { x } else { y }),
        (Some((_, x)), None) | (None, Some((_, x))) => Some(x),
        (None, None) => None,
    }
}

/// Evaluate every active monitor on the data held now; record transitions and ask for their
/// effects.
pub fn evaluate_now(s: &mut State, fx: &mut Vec<Effect>) {
    let now = s.now;
    let (evals, per_rule) = {
        let a = &s.alerts;
        let pane_arts = s
            .artifacts
            .load
            .loaded_at
            .map(|t| (t, s.artifacts.items.as_slice()));
        let own_arts = a.data.artifacts.as_ref().map(|(t, v)| (*t, v.as_slice()));
        let artifacts: Option<&[RuntimeArtifact]> = newest(pane_arts, own_arts);

        // Queues: the poller's listing when it carries messages the rules need, else the newest.
        // Rows known only from the broker (no queue list) have no depth: never rule input.
        let pane_listed = s.queues.loaded_at_listed();
        let pane_queues: Option<(EpochMs, Vec<QueueSnapshot>)> = pane_listed.map(|t| {
            let rows = s
                .queues
                .rows
                .iter()
                .map(|r| QueueSnapshot {
                    queue: r.queue.clone(),
                    messages: None,
                })
                .collect();
            (t, rows)
        });
        let own_queues = a.data.queues.as_ref().map(|(t, v)| (*t, v.as_slice()));
        let queues: Option<&[QueueSnapshot]> = if !a.needs.queue_messages.is_empty() && own_queues.is_some() {
            own_queues.map(|(_, v)| v)
        } else {
            newest(pane_queues.as_ref().map(|(t, v)| (*t, v.as_slice())), own_queues)
        };
        let pane_broker = match (&s.queues.broker, s.queues.load.loaded_at) {
            (Some(b), Some(t)) => Some((t, b)),
            _ => None,
        };
        let broker = newest(pane_broker, a.data.broker.as_ref().map(|(t, b)| (*t, b)));

        let pane_stats = pane_message_coverage(s).map(|c| StoreStats::new(&s.messages.store, Some(c)));
        let watermark = a.data.follow.as_ref().map(MplFollow::watermark);
        let own_stats = match (a.data.messages_from, watermark, window_ms(s)) {
            (Some(from), Some(to), Some(w)) => {
                let evicted_below = to.saturating_sub(w).saturating_sub(STORE_SLACK_MS);
                Some(StoreStats::new(
                    &a.data.store,
                    Some((from.max(evicted_below), to)),
                ))
            }
            _ => None,
        };
        let stats = pane_stats.or(own_stats);

        let mut snap = Snapshot::new(&a.state.tenant);
        snap.artifacts = artifacts;
        snap.not_started_since = artifacts.map(|_| a.tracker.since());
        snap.not_started_at_start = artifacts.map(|_| a.tracker.at_start());
        snap.packages = a.data.packages.as_ref();
        snap.messages = stats.as_ref().map(|m| m as &dyn MessageStats);
        snap.message_lag_tolerance = Duration::from_millis(
            u64::try_from(2 * a.interval_ms.max(s.intervals.messages as i64)).unwrap_or(120_000),
        )
        .max(Duration::from_secs(120));
        snap.queues = queues;
        snap.broker = broker;
        snap.keystore = a.data.keystore.as_deref();
        snap.health = a.needs.health.then_some(&a.health);
        evaluate_specs(&a.specs, &snap, now)
    };
    let a = &mut s.alerts;
    let pairs: Vec<(&MonitorSpec, Evaluation)> = a.specs.iter().filter(|sp| sp.active).zip(evals).collect();
    let transitions = a.state.apply(&pairs, now);
    a.rules = per_rule;
    let silenced: Vec<bool> = transitions
        .iter()
        .map(|t| a.controls.is_silenced(&t.monitor, now))
        .collect();
    let rings = transitions
        .iter()
        .zip(&silenced)
        .any(|(t, sil)| !sil && t.to.is_alert() && t.to > t.from);
    let pruned = a.controls.prune(&a.state, now);
    a.history.push(&transitions);
    a.load.ok(now);
    a.refresh_rows();
    if !transitions.is_empty() || pruned {
        fx.push(Effect::SaveAlerts {
            state: (!transitions.is_empty()).then(|| a.state.clone()),
            controls: pruned.then(|| a.controls.clone()),
            transitions: transitions.clone(),
        });
    }
    if !transitions.is_empty() {
        fx.push(Effect::AlertNotify(
            transitions.into_iter().zip(silenced).collect(),
        ));
    }
    if rings {
        a.flash_until = Some(now + FLASH_MS);
        if a.bell {
            fx.push(Effect::Bell);
        }
    }
    super::alerts_actions::rebuild(s);
}

/// Evaluate the active specs (in order) and each multi-rule spec's rules on their own.
fn evaluate_specs(
    specs: &[MonitorSpec],
    snap: &Snapshot<'_>,
    now: EpochMs,
) -> (
    Vec<Evaluation>,
    std::collections::HashMap<String, Vec<RuleResult>>,
) {
    let mut evals = Vec::new();
    let mut per_rule = std::collections::HashMap::new();
    for spec in specs.iter().filter(|s| s.active) {
        let overall = evaluate(spec, snap, now);
        let rules: Vec<RuleResult> = if spec.rules.len() == 1 {
            vec![RuleResult {
                kind: spec.rules[0].kind(),
                evaluation: overall.clone(),
            }]
        } else {
            spec.rules
                .iter()
                .map(|r| {
                    let one = MonitorSpec {
                        rules: vec![r.clone()],
                        ..spec.clone()
                    };
                    RuleResult {
                        kind: r.kind(),
                        evaluation: evaluate(&one, snap, now),
                    }
                })
                .collect()
        };
        per_rule.insert(spec.key.clone(), rules);
        evals.push(overall);
    }
    (evals, per_rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_errors_are_answers() {
        assert!(is_client_error(
            "GET /IntegrationRuntimeArtifacts failed with HTTP 403: forbidden"
        ));
        assert!(!is_client_error(
            "GET /IntegrationRuntimeArtifacts failed with HTTP 503"
        ));
        assert!(!is_client_error("connect timeout"));
    }
}
