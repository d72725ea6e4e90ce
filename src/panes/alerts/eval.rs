//! Monitor evaluation inside the TUI: a pure function of the data held, run from `update` at
//! the monitors' interval (never in render).
//!
//! Each round: decide what the monitors need that no pane provides fresh ([`plan`]); if nothing,
//! evaluate at once, else ask the monitor poller ([`Step::Fetch`]) and evaluate when its result
//! arrives ([`fetched`]). Evaluation reads the other panes' data where they hold it — handed in as
//! [`Sources`] by the app (artifacts, queues and broker while their pane polls; the Messages
//! pane's store while it holds an unfiltered window long enough) — and the poller's data
//! otherwise. Tenant health comes from every poll result ([`observe_poll`]).
//!
//! A round's transitions become steps for the app: state and history written, notifications
//! sent, the bell rung (configurable); the header flashes.

use std::time::Duration;

use super::state::{
    Alerts, FETCH_TIMEOUT_MS, FLASH_MS, KEYSTORE_REFRESH_MS, PACKAGES_REFRESH_MS, RuleResult,
};
use crate::cpi::MplFollow;
use crate::cpi::model::{JmsBroker, RuntimeArtifact};
use crate::cpi::odata::EpochMs;
use crate::kit::cx::Cx;
use crate::monitor::{
    AlertControls, Evaluation, MessageStats, MonitorSpec, MonitorState, QueueSnapshot, Snapshot, StoreStats,
    Transition, evaluate,
};
use crate::resources::FetchError;
use crate::resources::monitor_data::{FetchPlan, MessagesFetch, MonitorFetched};
use crate::resources::queues::QueueRow;
use crate::store::{MessageStore, StoreLimits};

/// Extra age kept in the monitors' own message store beyond the longest rule window.
const STORE_SLACK_MS: i64 = 5 * 60_000;

/// What the other panes hold that the monitors can read instead of fetching it again.
#[derive(Debug, Default)]
pub struct Sources<'a> {
    /// The Artifacts pane's list, with when it was fetched.
    pub artifacts: Option<(EpochMs, &'a [RuntimeArtifact])>,
    /// The Queues pane's rows from a queue list (not from the broker alone).
    pub queues: Option<(EpochMs, &'a [QueueRow])>,
    /// The Queues pane's broker.
    pub broker: Option<(EpochMs, &'a JmsBroker)>,
    /// The Messages pane's store and the range it covers completely, when it answers the message
    /// rules (see [`message_coverage`]).
    pub messages: Option<(&'a MessageStore, (EpochMs, EpochMs))>,
    /// The Messages pane's refresh interval (late messages are tolerated for twice it).
    pub messages_interval_ms: i64,
    /// The Errors pane's grouping of the message window and the signatures remembered, when it
    /// answers the signature rules (grouped, not split per iFlow).
    pub errors: Option<crate::monitor::ErrorSignatures<'a>>,
    /// Which pollers run (what they keep fresh, a round does not fetch).
    pub polling: Polling,
    /// The tenant's landscape side by side, from the tenants' overviews (`version_drift`).
    pub drift: Option<&'a crate::landscape::DriftTable>,
    /// Since when its artifacts drift.
    pub drift_since: Option<&'a crate::landscape::DriftTracker>,
}

/// Which of the panes' pollers run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Polling {
    pub artifacts: bool,
    pub queues: bool,
    pub messages: bool,
    pub queue_messages: bool,
}

/// What a round asks of the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Fetch what the round needs (the monitor poller).
    Fetch(FetchPlan),
    /// Keep alert state: the statuses, the acknowledgements and silences, transitions appended
    /// to the history (each part only when given).
    Save {
        state: Option<MonitorState>,
        controls: Option<AlertControls>,
        transitions: Vec<Transition>,
    },
    /// Hand transitions (with their silenced flag) to the notifier.
    Notify(Vec<(Transition, bool)>),
    /// Ring the terminal bell.
    Bell,
}

/// How far back the message rules look, in ms (`None`: no message rule).
pub fn window_ms(a: &Alerts) -> Option<i64> {
    a.needs
        .message_window
        .map(|w| i64::try_from(w.as_millis()).unwrap_or(i64::MAX / 4))
}

/// The Messages pane's window answers the message rules when its poller runs over an unfiltered
/// window at least as long as the rules look back: then the range it covers, else `None`.
/// `polling`: its poller runs; `query`: what it asks; `loaded_at`: its last complete load.
pub fn message_coverage(
    a: &Alerts,
    polling: bool,
    query: &crate::resources::messages::MessageQuery,
    loaded_at: Option<EpochMs>,
) -> Option<(EpochMs, EpochMs)> {
    let need = window_ms(a)?;
    let q = query;
    if !polling || q.is_filtered() || q.range.is_some() || q.window_ms < need {
        return None;
    }
    let at = loaded_at?;
    Some((at - q.window_ms, at))
}

/// What the next round must fetch itself: what no pane keeps fresh, and what a polling pane has
/// not loaded yet (the first round starts at once, it does not wait for the panes' first polls).
pub fn plan(a: &Alerts, src: &Sources, now: EpochMs) -> FetchPlan {
    let n = &a.needs;
    let queue_pane = src.polling.queues && src.queues.is_some();
    let artifacts_pane = src.polling.artifacts && src.artifacts.is_some();
    let due = |at: Option<EpochMs>, every: i64| at.is_none_or(|t| now - t >= every);
    let mut p = FetchPlan {
        generation: a.fetch_generation + 1,
        artifacts: n.artifacts && !artifacts_pane,
        // The design-time artifacts of the scoped packages only.
        packages: match due(a.data.packages_at, PACKAGES_REFRESH_MS) {
            true => n.packages.clone(),
            false => Vec::new(),
        },
        // Queue messages are never kept by the Queues pane (it keeps counts only).
        queues: (n.queues && !queue_pane) || !n.queue_messages.is_empty(),
        queue_messages: n.queue_messages.clone(),
        broker: n.broker && !(src.polling.queues && src.broker.is_some()),
        keystore: n.keystore && due(a.data.keystore_at, KEYSTORE_REFRESH_MS),
        messages: match (window_ms(a), &src.messages) {
            (Some(w), None) => Some(MessagesFetch {
                from: now - w,
                follow: a.data.follow.clone(),
            }),
            _ => None,
        },
        ping: false,
        // The first round is the Alerts pane's answer: it should not queue behind the panes'
        // and the overview's first loads (issue 14: alerts at once).
        foreground: a.load.loaded_at.is_none(),
    };
    // Reachability needs some call to time: when neither this round nor a pane asks anything.
    let p_ = src.polling;
    let panes_poll = p_.artifacts || p_.queues || p_.messages || p_.queue_messages;
    p.ping = n.health && p.is_empty() && !panes_poll;
    p
}

/// Called on every tick: start a round when one is due. Returns whether something shown
/// changed (the header's flash ended, a round started or was evaluated).
pub fn tick(a: &mut Alerts, src: &Sources, cx: &Cx, steps: &mut Vec<Step>) -> bool {
    let now = cx.now;
    let mut redraw = false;
    if a.flash_until.is_some_and(|t| t <= now) {
        a.flash_until = None;
        redraw = true;
    }
    if !a.configured() {
        return redraw;
    }
    if let Some((_, started)) = a.fetching {
        if now - started < FETCH_TIMEOUT_MS {
            return redraw;
        }
        tracing::warn!("monitor data fetch did not answer within 2 minutes; evaluating without it");
        a.fetching = None;
        a.fetch_plan = None;
    }
    if now < a.next_due {
        return redraw;
    }
    start_round(a, src, cx, steps);
    true
}

/// Start a round now (`r` on the Alerts pane, or when due).
pub fn start_round(a: &mut Alerts, src: &Sources, cx: &Cx, steps: &mut Vec<Step>) {
    if !a.configured() || a.fetching.is_some() {
        return;
    }
    let now = cx.now;
    a.next_due = now + a.interval_ms;
    let p = plan(a, src, now);
    if p.is_empty() {
        evaluate_now(a, src, cx, steps);
    } else {
        a.fetch_generation = p.generation;
        a.data.requested_from = p.messages.as_ref().map(|m| m.from);
        a.fetching = Some((p.generation, now));
        a.fetch_plan = Some(p.clone());
        if a.load.loaded_at.is_none() {
            a.load.loading = true;
        }
        steps.push(Step::Fetch(p));
    }
}

/// Record what a pane's poll says about the tenant (health; the artifact tracker). Whether a
/// failed poll means the tenant is down comes from the error's kind: a 4xx (401, 403, 404, 429)
/// is the tenant answering, and never counts toward `tenant_unreachable`.
pub fn observe_poll(a: &mut Alerts, at: EpochMs, r: Result<(), &FetchError>) {
    let h = &mut a.health;
    match r {
        Ok(()) => h.record(at, Ok(())),
        // The tenant answered (it refused the call): up, as far as reachability goes.
        Err(e) if e.tenant_answered() => h.record(at, Ok(())),
        Err(e) => h.record(at, Err(e.to_string())),
    }
}

/// The monitor poller's result: keep the parts, then evaluate.
pub fn fetched(a: &mut Alerts, f: MonitorFetched, src: &Sources, cx: &Cx, steps: &mut Vec<Step>) {
    if a.fetching.map(|(g, _)| g) != Some(f.generation) {
        return;
    }
    a.fetching = None;
    a.fetch_plan = None;
    let at = f.at;
    a.data.failed.clear();
    let mut failed = |part: &str, e: FetchError| a.data.failed.push((part.to_string(), e.to_string()));
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
    evaluate_now(a, src, cx, steps);
    // Nothing answered: say so under the header (the statuses stay, marked by their rules).
    if let Some(e) = down {
        a.load.failed(e);
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
pub fn evaluate_now(a: &mut Alerts, src: &Sources, cx: &Cx, steps: &mut Vec<Step>) {
    let now = cx.now;
    let (evals, per_rule) = {
        let a = &*a;
        let pane_arts = src.artifacts;
        let own_arts = a.data.artifacts.as_ref().map(|(t, v)| (*t, v.as_slice()));
        let artifacts: Option<&[RuntimeArtifact]> = newest(pane_arts, own_arts);

        // Queues: the poller's listing when it carries messages the rules need, else the newest.
        // Rows known only from the broker (no queue list) have no depth: never rule input.
        let pane_queues: Option<(EpochMs, Vec<QueueSnapshot>)> = src.queues.map(|(t, rows)| {
            let rows = rows
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
        let broker = newest(src.broker, a.data.broker.as_ref().map(|(t, b)| (*t, b)));

        let pane_stats = src.messages.map(|(store, c)| StoreStats::new(store, Some(c)));
        let watermark = a.data.follow.as_ref().map(MplFollow::watermark);
        let own_stats = match (a.data.messages_from, watermark, window_ms(a)) {
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
            u64::try_from(2 * a.interval_ms.max(src.messages_interval_ms)).unwrap_or(120_000),
        )
        .max(Duration::from_secs(120));
        snap.queues = queues;
        snap.broker = broker;
        snap.keystore = a.data.keystore.as_deref();
        snap.health = a.needs.health.then_some(&a.health);
        snap.drift = src.drift;
        snap.drift_since = src.drift_since;
        snap.errors = src.errors;
        evaluate_specs(&a.specs, &snap, now)
    };
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
        steps.push(Step::Save {
            state: (!transitions.is_empty()).then(|| a.state.clone()),
            controls: pruned.then(|| a.controls.clone()),
            transitions: transitions.clone(),
        });
    }
    if !transitions.is_empty() {
        steps.push(Step::Notify(transitions.into_iter().zip(silenced).collect()));
    }
    if rings {
        a.flash_until = Some(now + FLASH_MS);
        if a.bell {
            steps.push(Step::Bell);
        }
    }
    a.rebuild_all(cx);
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
