//! The monitors inside the TUI, tied to the other panes: what the Artifacts, Queues and Messages
//! panes hold is handed to the Alerts pane's evaluation (`panes::alerts::eval`) as its sources,
//! every poll result feeds the tenant's health, and a round's steps become effects.

use super::msg::{DataMsg, Effect, MessagesEvent};
use super::state::State;
use crate::cpi::odata::EpochMs;
use crate::kit::cx::Cx;
use crate::panes::alerts::Alerts;
use crate::panes::alerts::eval::{self, Polling, Sources, Step};
use crate::panes::artifacts::Artifacts;
use crate::panes::errors::Errors;
use crate::panes::messages::Messages;
use crate::panes::queues::Queues;
use crate::resources::FetchError;
use crate::resources::monitor_data::MonitorFetched;

fn polling(s: &State) -> Polling {
    Polling {
        artifacts: s.polling.artifacts.is_some(),
        queues: s.polling.queues.is_some(),
        messages: s.polling.messages.is_some(),
        queue_messages: s.polling.queue_messages.is_some(),
    }
}

/// What the other panes hold, as the monitors' sources; `coverage`: what the Messages pane's
/// window covers for the message rules (`eval::message_coverage`).
fn sources<'a>(
    artifacts: &'a Artifacts,
    queues: &'a Queues,
    messages: &'a Messages,
    errors: &'a Errors,
    polling: Polling,
    messages_interval_ms: i64,
    coverage: Option<(EpochMs, EpochMs)>,
) -> Sources<'a> {
    Sources {
        artifacts: artifacts.load.loaded_at.map(|t| (t, artifacts.items.as_slice())),
        // Rows known only from the broker (no queue list) have no depth: never rule input.
        // Only while the pane polls: rows it holds from an earlier visit (or lent by a round,
        // `lend_queues`) must not stand in for a round that could not read the queues.
        queues: queues
            .loaded_at_listed()
            .filter(|_| polling.queues)
            .map(|t| (t, queues.rows.as_slice())),
        broker: match (&queues.broker, queues.load.loaded_at) {
            (Some(b), Some(t)) if polling.queues => Some((t, b)),
            _ => None,
        },
        messages: coverage.map(|c| (messages.store.as_ref(), c)),
        messages_interval_ms,
        // The Errors pane groups the Messages pane's window (while monitors need signatures).
        errors: (errors.grouped_once && !errors.grouped.per_iflow).then(|| crate::monitor::ErrorSignatures {
            grouped: errors.grouped.as_ref(),
            seen: errors.seen.as_ref(),
        }),
        polling,
        drift: None,
        drift_since: None,
    }
}

/// Run `f` on the Alerts pane with the other panes as sources; its steps become effects.
fn with_alerts<R>(
    s: &mut State,
    fx: &mut Vec<Effect>,
    f: impl FnOnce(&mut Alerts, &Sources, &Cx, &mut Vec<Step>) -> R,
) -> R {
    let tenant = s.tenant.clone();
    let cx = s.cx_with(&tenant);
    let polling = polling(s);
    let coverage = eval::message_coverage(
        &s.alerts,
        polling.messages,
        &s.messages.query,
        s.messages.complete_at(),
    );
    let mut steps = Vec::new();
    let State {
        alerts,
        artifacts,
        queues,
        messages,
        errors,
        intervals,
        tenants,
        tenant: open,
        ..
    } = s;
    // The landscape only when a rule reads it (building it compares every artifact list).
    let drift = alerts
        .needs
        .landscape
        .then(|| tenants.drift_of(&open.name))
        .flatten();
    let mut src = sources(
        artifacts,
        queues,
        messages,
        errors,
        polling,
        intervals.messages as i64,
        coverage,
    );
    src.drift = drift.as_ref().map(|(t, _)| t);
    src.drift_since = drift.as_ref().and_then(|(_, t)| *t);
    let r = f(alerts, &src, &cx, &mut steps);
    for step in steps {
        fx.push(match step {
            Step::Fetch(plan) => Effect::MonitorFetch(plan),
            Step::Save {
                state,
                controls,
                transitions,
            } => Effect::SaveAlerts {
                state,
                controls,
                transitions,
            },
            Step::Notify(t) => Effect::AlertNotify(t),
            Step::Bell => Effect::Bell,
        });
    }
    r
}

/// Every tick: a round when one is due.
pub fn tick(s: &mut State, fx: &mut Vec<Effect>) {
    if with_alerts(s, fx, eval::tick) {
        s.dirty = true;
    }
}

/// A round now (`r` on the Alerts pane).
pub fn start_round(s: &mut State, fx: &mut Vec<Effect>) {
    with_alerts(s, fx, eval::start_round);
    s.dirty = true;
}

/// The monitor poller's result.
pub fn fetched(s: &mut State, f: MonitorFetched, fx: &mut Vec<Effect>) {
    if s.alerts.fetching.map(|(g, _)| g) == Some(f.generation) {
        lend_queues(s, &f);
    }
    with_alerts(s, fx, |a, src, cx, steps| eval::fetched(a, f, src, cx, steps));
    s.dirty = true;
}

/// A round read the queues while the Queues pane holds none of its own (or only the offline
/// cache's): the pane shows them at once instead of asking the tenant again before its first
/// answer; its own poll replaces them (with every queue's counts) when it runs.
fn lend_queues(s: &mut State, f: &MonitorFetched) {
    let held = &s.queues.load;
    if held.loaded_at.is_some() && !held.from_cache {
        return;
    }
    let Some(Ok(queues)) = &f.queues else {
        return;
    };
    let broker = match &f.broker {
        Some(Ok(b)) => Some(b.clone()),
        _ => None,
    };
    let snap = crate::resources::queues::snapshot_of_rules(queues, broker, f.at);
    let tenant = s.tenant.clone();
    let cx = s.cx_with(&tenant);
    s.queues.loaded(snap, f.at, &cx);
    s.dirty = true;
}

/// What a pane's poll says about the tenant (health; the artifact tracker).
pub fn observe(s: &mut State, d: &DataMsg) {
    let outcome: Option<(EpochMs, Result<(), &FetchError>)> = match d {
        DataMsg::Artifacts { at, result, .. } => {
            if let Ok(items) = result {
                s.alerts.tracker.observe(items, *at);
            }
            Some((*at, result.as_ref().map(|_| ())))
        }
        DataMsg::Queues { at, result, .. } => Some((*at, result.as_ref().map(|_| ()))),
        DataMsg::QueueMessages { at, result, .. } => Some((*at, result.as_ref().map(|_| ()))),
        DataMsg::Keystore { at, result, .. } => Some((*at, result.as_ref().map(|_| ()))),
        DataMsg::Messages { at, event, .. } => match event {
            MessagesEvent::Done => Some((*at, Ok(()))),
            MessagesEvent::Failed(e) => Some((*at, Err(e))),
            MessagesEvent::Page(_) => None,
        },
        DataMsg::ArtifactError { .. }
        | DataMsg::Message { .. }
        | DataMsg::Correlated { .. }
        | DataMsg::Attachment { .. }
        | DataMsg::Certificate { .. }
        | DataMsg::ErrorText { .. }
        | DataMsg::WebLink { .. }
        | DataMsg::Monitor(_)
        | DataMsg::Started { .. } => None,
    };
    if let Some((at, r)) = outcome {
        eval::observe_poll(&mut s.alerts, at, r);
    }
}
