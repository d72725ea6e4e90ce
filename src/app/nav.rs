//! Applying what views answer: their effects (`Out` → `Effect`), their own drill-downs (pushed on
//! the navigation stack) and their intents to go elsewhere (`Nav`). The one place a jump from one
//! pane to another happens: no pane calls another pane's handlers.

use super::msg::Effect;
use super::state::{Mode, Pane, Route, State};
use crate::kit::nav::Nav;
use crate::panes::pane::{Out, Reply};
use crate::panes::{alerts, artifacts, keystore, messages, queues};

/// Apply a view's reply: effects, its drill-down, intents, then its notice.
pub fn reply(s: &mut State, r: Reply<Route>, fx: &mut Vec<Effect>) {
    outs(s, r.out, fx);
    if let Some(route) = r.push {
        s.stack.push(route);
        s.rebuild_focused();
    }
    for n in r.nav {
        go(s, n, fx);
    }
    if let Some((text, kind)) = r.say {
        s.toast(text, kind);
    }
}

/// A view's effects as the app's.
pub fn outs(s: &mut State, out: Vec<Out>, fx: &mut Vec<Effect>) {
    for o in out {
        match o {
            Out::FetchArtifactError { id } => fx.push(Effect::FetchArtifactError { id }),
            Out::FetchMessage { guid } => fx.push(Effect::FetchMessage { guid }),
            Out::FetchCorrelated { correlation_id } => fx.push(Effect::FetchCorrelated { correlation_id }),
            Out::FetchAttachment { id } => fx.push(Effect::FetchAttachment { id }),
            Out::FetchCertificate { alias } => fx.push(Effect::FetchCertificate { alias }),
            Out::Write { job, known } => super::writes::propose(s, job, known, fx),
            Out::SaveAlertControls(controls) => fx.push(Effect::SaveAlerts {
                state: None,
                controls: Some(controls),
                transitions: Vec::new(),
            }),
            Out::AlertRound => super::monitors::start_round(s, fx),
            Out::Prompt(text) => s.mode = Mode::Command(text.into()),
            Out::RefreshTenants => fx.push(Effect::FleetRefresh),
        }
    }
}

/// Go where an intent says.
pub fn go(s: &mut State, nav: Nav, fx: &mut Vec<Effect>) {
    match nav {
        Nav::SwitchPane(p) => s.switch_pane(p),
        Nav::OpenMessage(guid) => {
            let out = s.messages.open_detail(&guid);
            outs(s, out, fx);
            s.stack.push(Route::Messages(messages::Route::Detail { guid }));
        }
        Nav::OpenArtifact(id) => {
            let out = s.artifacts.open_detail(&id);
            outs(s, out, fx);
            s.stack.push(Route::Artifacts(artifacts::Route::Detail { id }));
        }
        Nav::ShowArtifact(id) => {
            s.switch_pane(Pane::Artifacts);
            s.artifacts.select(&id);
            go(s, Nav::OpenArtifact(id), fx);
        }
        Nav::ShowQueue(queue) => {
            s.switch_pane(Pane::Queues);
            s.queues.open_queue(&queue);
            s.stack.push(Route::Queues(queues::Route::Messages { queue }));
        }
        Nav::ShowMessagesOf { iflow, status } => {
            // A new question: a `/` filter left from the last one would hide its answer.
            s.messages.list.filter.clear();
            s.messages.query.iflow = Some(iflow);
            s.messages.query.status = Some(status);
            s.switch_pane(Pane::Messages);
            s.rebuild_focused_from_top();
        }
        Nav::OpenCertificate(alias) => {
            let out = s.keystore.open_certificate(&alias);
            outs(s, out, fx);
            s.stack
                .push(Route::Keystore(keystore::Route::Certificate { alias }));
        }
        Nav::OpenAlertHistory => {
            if !matches!(s.route(), Route::Alerts(alerts::Route::History)) {
                s.stack.push(Route::Alerts(alerts::Route::History));
            }
            s.rebuild_focused();
        }
        Nav::SwitchTenant(name) => {
            if name == s.ctx.current || (s.ctx.demo() && name == s.tenant.name) {
                // The open tenant: its panes.
                s.switch_pane(Pane::Artifacts);
            } else {
                super::tenant::switch(s, &name, fx);
            }
        }
        Nav::OpenArtifactIn { tenant, id } => go_in(s, &tenant, Nav::ShowArtifact(id), fx),
    }
    s.dirty = true;
}

/// An intent that needs another tenant open: switch, and go there once it is (`update` applies
/// `ctx.after_switch` when the switch is done).
fn go_in(s: &mut State, tenant: &str, then: Nav, fx: &mut Vec<Effect>) {
    if tenant == s.ctx.current || (s.ctx.demo() && tenant == s.tenant.name) {
        go(s, then, fx);
        return;
    }
    s.ctx.after_switch = Some(then);
    super::tenant::switch(s, tenant, fx);
    if s.ctx.switching.as_deref() != Some(tenant) {
        s.ctx.after_switch = None;
    }
}
