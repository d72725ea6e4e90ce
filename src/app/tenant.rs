//! Tenant switching inside the TUI, k9s style: `:ctx` lists the configured tenants, `:ctx NAME`
//! (or Enter in the list) switches. The switch is a round trip through effects: the runner stops
//! the old tenant's pollers and resolves the new tenant's secret and connection on a blocking
//! thread (a `*_command` may take a moment), then `Ready` clears the data, installs the new
//! client, reads the new tenant's cache and starts polling. The tenant is remembered as the last
//! used one (`config::state`). A failed switch leaves the old tenant in place and polling again.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyEvent;

use super::msg::{Effect, Msg};
use super::state::{Intervals, Mode, Route, State, TenantInfo, ToastKind};
use crate::config::{Config, Paths, Profile};

/// What switching needs besides the state: the loaded config and where its files live.
#[derive(Debug)]
pub struct TenantConfig {
    pub paths: Paths,
    pub config: Config,
    /// `--read-only`: forces every tenant read-only.
    pub force_read_only: bool,
}

use crate::features::ctx::ListKey;
pub use crate::features::ctx::{CtxEntry, CtxState};

pub use super::msg::{ClientHandle, TenantMsg, TenantReady};

/// The header info, poll intervals and message window of a configured tenant.
pub fn setup_of(p: &Profile, force_read_only: bool, base_url: &str) -> (TenantInfo, Intervals, i64) {
    let info = TenantInfo {
        name: p.name.clone(),
        env: Some(p.environment),
        label: None,
        read_only: p.read_only || force_read_only,
        // `web_ui_url` in the config wins; otherwise a guess until the tenant's own links
        // teach the real root (`learn_web_ui`).
        web_ui: p
            .web_ui_url
            .clone()
            .or_else(|| crate::cpi::weblink::guess_root(base_url)),
    };
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let intervals = Intervals {
        artifacts: ms(p.poll.artifacts),
        messages: ms(p.poll.messages),
        messages_live: ms(p.poll.messages).min(3_000),
        queues: ms(p.poll.queues),
        keystore: ms(p.poll.keystore),
        keystore_expiring: ms(p.keystore_expiring),
    };
    let window_ms = i64::try_from(p.messages.window.as_millis()).unwrap_or(3_600_000);
    (info, intervals, window_ms)
}

/// Set up switching and the cache for a configured tenant (`current`); `None` (demo) leaves
/// both off. Returns the effects to run at start (reading the cache).
pub fn install(
    s: &mut State,
    tenants: Option<&Arc<TenantConfig>>,
    current: &str,
    api_url: &str,
) -> Vec<Effect> {
    let Some(tc) = tenants else {
        return probe_web_ui(s).into_iter().collect();
    };
    s.ctx.entries = tc
        .config
        .tenants
        .iter()
        .map(|p| CtxEntry::of(p, tc.force_read_only))
        .collect();
    s.ctx.web_ui_configured = tc
        .config
        .tenants
        .iter()
        .filter(|p| p.web_ui_url.is_some())
        .map(|p| p.name.clone())
        .collect();
    s.ctx.current = current.to_string();
    let profile = tc.config.tenants.iter().find(|p| p.name == current);
    if let Some(p) = profile {
        hold_at_most(s, p.messages.max_rows);
    }
    let rows = profile.map_or(0, |p| p.messages.cache_rows);
    s.cache = super::cache::CacheSync::for_tenant(current, api_url, rows);
    let mut fx: Vec<Effect> = super::cache::load_effect(s).into_iter().collect();
    fx.extend(probe_web_ui(s));
    fx
}

/// Ask the tenant for one of its own web-UI links (unless the config names the web UI).
fn probe_web_ui(s: &State) -> Option<Effect> {
    (!web_ui_configured(s)).then_some(Effect::LearnWebUi {
        probe: s.ctx.web_ui_probe,
    })
}

fn web_ui_configured(s: &State) -> bool {
    s.ctx.web_ui_configured.contains(&s.ctx.current)
}

/// The answer to `Effect::LearnWebUi`: a link of the tenant's (or nothing to learn from).
pub fn web_link_sampled(s: &mut State, probe: u64, link: Option<&str>) {
    if probe == s.ctx.web_ui_probe
        && let Some(link) = link
    {
        learn_web_ui(s, link);
    }
}

/// Learn the current tenant's web-UI root from one of its own links (`AlternateWebLink`): it
/// takes precedence over the guess from the API host; `web_ui_url` in the config over both.
pub fn learn_web_ui(s: &mut State, link: &str) {
    if web_ui_configured(s) {
        return;
    }
    let Some(root) = crate::cpi::weblink::root_of_link(link) else {
        return;
    };
    if s.tenant.web_ui.as_deref() == Some(root.as_str()) {
        return;
    }
    tracing::debug!(root = %root, "web UI root learned from the tenant's links");
    s.tenant.web_ui = Some(root.clone());
    s.artifacts.web_ui = Some(root.clone());
    s.queues.web_ui = Some(root.clone());
    s.messages.web_ui = Some(root);
    s.dirty = true;
}

/// `:ctx [NAME]`.
pub fn command(s: &mut State, arg: Option<&str>, fx: &mut Vec<Effect>) {
    if s.ctx.demo() {
        s.mode = Mode::Ctx(0);
        s.toast(
            "--demo runs one simulated tenant; configure tenants in config.toml (cpitop config init) to switch",
            ToastKind::Info,
        );
        return;
    }
    match arg {
        None => s.mode = Mode::Ctx(s.ctx.position(&s.ctx.current).unwrap_or(0)),
        Some(name) => switch(s, name, fx),
    }
}

/// Keys of the `:ctx` list.
pub fn key(s: &mut State, selected: usize, k: KeyEvent, fx: &mut Vec<Effect>) {
    match crate::features::ctx::key(&s.ctx, selected, k) {
        ListKey::Select(i) => s.mode = Mode::Ctx(i),
        ListKey::Close => s.mode = Mode::Normal,
        ListKey::Switch(name) => {
            s.mode = Mode::Normal;
            switch(s, &name, fx);
        }
        ListKey::Ignored => {}
    }
}

/// Start switching to `name`.
pub fn switch(s: &mut State, name: &str, fx: &mut Vec<Effect>) {
    s.dirty = true;
    if s.ctx.position(name).is_none() {
        let names: Vec<&str> = s.ctx.entries.iter().map(|e| e.name.as_str()).collect();
        let hint = match crate::config::error::did_you_mean(name, names.iter().copied()) {
            Some(d) => format!("did you mean `{d}`? "),
            None => String::new(),
        };
        s.toast(
            format!(
                "no tenant `{name}` in the config — {hint}configured: {}",
                names.join(", ")
            ),
            ToastKind::Error,
        );
        return;
    }
    // The current tenant again only when it could not be used (its secret may be there now).
    if name == s.ctx.current && s.unusable.is_none() {
        s.toast(format!("already on tenant {name}"), ToastKind::Info);
        return;
    }
    if let Some(other) = &s.ctx.switching {
        s.toast(
            format!("still switching to {other}; try again in a moment"),
            ToastKind::Info,
        );
        return;
    }
    s.ctx.switching = Some(name.to_string());
    // What the old tenant showed is saved before it is cleared.
    fx.extend(super::cache::flush(s));
    fx.extend(super::errors::flush(s));
    fx.push(Effect::SwitchTenant {
        name: name.to_string(),
    });
    s.toast(format!("switching to tenant {name}…"), ToastKind::Info);
}

/// The outcome of a switch.
pub fn on_msg(s: &mut State, m: TenantMsg, fx: &mut Vec<Effect>) {
    s.dirty = true;
    match m {
        TenantMsg::Failed { name, error } => {
            if s.ctx.switching.as_deref() != Some(name.as_str()) {
                return;
            }
            s.ctx.switching = None;
            // The runner stopped the pollers: start them again for the current tenant.
            s.polling = Default::default();
            s.toast(
                format!(
                    "cannot switch to tenant {name}: {error} — still on {}",
                    s.ctx.current
                ),
                ToastKind::Error,
            );
        }
        TenantMsg::Ready(r) => {
            if s.ctx.switching.as_deref() != Some(r.name.as_str()) {
                return; // superseded
            }
            let r = *r;
            s.ctx.switching = None;
            s.unusable = None;
            s.ctx.current = r.name.clone();
            reset(s, r.info, r.intervals, r.window_ms);
            hold_at_most(s, r.max_rows);
            // The new tenant's monitors replace the old one's (state, controls and history are
            // per tenant).
            if let Some(launch) = &r.client.alerts {
                s.alerts = crate::panes::alerts::Alerts::new(launch.setup.clone(), &r.name, s.now);
            }
            // Error signatures are remembered per tenant.
            let launch = r.client.errors.as_deref().cloned().unwrap_or_default();
            s.errors = crate::panes::errors::Errors::launched(&launch, &s.errors);
            let api_url = r.client.client.service_root().to_string();
            s.cache = super::cache::CacheSync::for_tenant(&r.name, &api_url, r.cache_rows);
            // A probe still under way is about the old tenant.
            s.ctx.web_ui_probe += 1;
            fx.push(Effect::UseTenant(r.client));
            fx.extend(super::cache::load_effect(s));
            fx.extend(probe_web_ui(s));
            match r.warnings.first() {
                Some(w) => s.toast(w.clone(), ToastKind::Error),
                None => s.toast(format!("switched to tenant {}", r.name), ToastKind::Info),
            }
        }
    }
}

/// The message store holds at most `max_rows` messages (the oldest go first).
pub fn hold_at_most(s: &mut State, max_rows: usize) {
    let limits = crate::store::StoreLimits {
        max_messages: Some(max_rows.max(1)),
        ..s.messages.limits()
    };
    s.messages.set_limits(limits);
}

/// Forget everything of the old tenant; keep the generations counting up so that results of its
/// pollers still on their way are dropped.
pub fn reset(s: &mut State, info: TenantInfo, intervals: Intervals, window_ms: i64) {
    let web_ui = info.web_ui.clone();
    let pane = s.pane();
    let gens = (
        s.artifacts.load.generation,
        s.queues.load.generation,
        s.queues.messages.load.generation,
        s.messages.load.generation,
        s.keystore.load.generation,
    );
    s.tenant = info;
    s.intervals = intervals;
    s.artifacts = crate::panes::artifacts::Artifacts {
        web_ui: web_ui.clone(),
        ..Default::default()
    };
    s.queues = crate::panes::queues::Queues {
        web_ui: web_ui.clone(),
        ..Default::default()
    };
    s.messages = crate::panes::messages::Messages::with_web_ui(web_ui);
    s.messages.query.window_ms = window_ms;
    // One past the old tenant's: none of its results can match, whatever was polling.
    s.artifacts.load.generation = gens.0 + 1;
    s.queues.load.generation = gens.1 + 1;
    s.queues.messages.load.generation = gens.2 + 1;
    s.messages.load.generation = gens.3 + 1;
    s.keystore = crate::panes::keystore::Keystore::default();
    s.keystore.load.generation = gens.4 + 1;
    s.stats = Default::default();
    s.stack = vec![Route::home(pane)];
    s.mode = Mode::Normal;
    // Nothing polls for the new tenant yet: `update` starts what the view needs.
    s.polling = Default::default();
    s.dirty = true;
}

/// A message for the state owner (the runner's side of a switch).
pub fn ready_msg(r: TenantReady) -> Msg {
    Msg::Tenant(TenantMsg::Ready(Box::new(r)))
}
