//! Tenant switching inside the TUI, k9s style: `:ctx` opens the Tenants pane, `:ctx NAME` (or
//! Enter on a tenant there) switches. The switch is a round trip through effects: the runner
//! stops the old tenant's pollers and resolves the new tenant's connection on a blocking thread
//! (a `*_command` may take a moment; a client the overview already uses is reused), then `Ready`
//! parks the old tenant's panes ([`Parked`]: switching back shows them as they were), brings
//! back the new tenant's parked panes or starts them afresh, installs the new client, reads the
//! new tenant's cache and starts polling. The tenant is remembered as the last used one
//! (`config::state`). A failed switch leaves the old tenant in place and polling again.

use std::sync::Arc;
use std::time::Duration;

use super::msg::{Effect, Msg};
use super::state::{Intervals, Mode, Parked, Route, State, TenantInfo, ToastKind};
use crate::config::{Config, Paths, Profile};

/// What switching needs besides the state: the loaded config and where its files live.
#[derive(Debug)]
pub struct TenantConfig {
    pub paths: Paths,
    pub config: Config,
    /// `--read-only`: forces every tenant read-only.
    pub force_read_only: bool,
}

pub use crate::features::ctx::{CtxEntry, CtxState};
use crate::kit::nav::Pane;

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

/// `:ctx [NAME]`: the Tenants pane (the current tenant selected), or switch to `NAME`.
pub fn command(s: &mut State, arg: Option<&str>, fx: &mut Vec<Effect>) {
    match arg {
        None => {
            s.switch_pane(Pane::Tenants);
            let current = s.ctx.current.clone();
            select_tenant(s, &current);
        }
        Some(name) => switch(s, name, fx),
    }
}

/// Select `name` in the Tenants pane.
fn select_tenant(s: &mut State, name: &str) {
    use crate::kit::table::Table;
    let pos = s.tenants.list.rows().position(|r| s.tenants.key(r) == name);
    if let Some(pos) = pos {
        s.tenants.select_position(pos);
        let rows = s.table_rows();
        s.tenants.list.scroll_into_view(rows);
    }
}

/// Start switching to `name`.
pub fn switch(s: &mut State, name: &str, fx: &mut Vec<Effect>) {
    s.dirty = true;
    if s.ctx.demo() {
        s.toast(
            "no tenants are configured to switch to; configure them in config.toml (cpitop config init)",
            ToastKind::Info,
        );
        return;
    }
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
        // Where to go afterwards (`ctx.after_switch`) is applied by `update` once no switch is
        // under way.
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
            s.ctx.after_switch = None;
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
            let old = std::mem::replace(&mut s.ctx.current, r.name.clone());
            // From the Tenants pane the new tenant opens on its own panes.
            let from_overview = s.pane() == Pane::Tenants;
            let parked = park(s, &old, &r.name);
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
            if let Some(p) = parked {
                restore(s, p);
            }
            if from_overview && s.pane() == Pane::Tenants {
                s.stack = vec![Route::home(Pane::Artifacts)];
            }
            let tenant = s.tenant.clone();
            let cx = s.cx_with(&tenant);
            s.tenants.set_current(&r.name, &cx);
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

/// At most this many tenants' panes are kept (the least recently left are dropped; their cache
/// still serves them).
pub const PARKED_MAX: usize = 8;

/// Park the panes of `old` (the tenant being left) and take those of `new`, if parked.
fn park(s: &mut State, old: &str, new: &str) -> Option<Parked> {
    let stack: Vec<Route> = s
        .stack
        .iter()
        .filter(|r| r.pane() != Pane::Tenants)
        .cloned()
        .collect();
    let parked = Parked {
        tenant: old.to_string(),
        artifacts: std::mem::take(&mut s.artifacts),
        messages: std::mem::replace(
            &mut s.messages,
            crate::panes::messages::Messages::with_web_ui(None),
        ),
        queues: std::mem::take(&mut s.queues),
        alerts: std::mem::take(&mut s.alerts),
        stack,
    };
    // What is left behind counts generations on from the parked ones (see `reset`).
    s.artifacts.load.generation = parked.artifacts.load.generation;
    s.queues.load.generation = parked.queues.load.generation;
    s.queues.messages.load.generation = parked.queues.messages.load.generation;
    s.messages.load.generation = parked.messages.load.generation;
    s.alerts.fetch_generation = parked.alerts.fetch_generation;
    s.parked.retain(|p| p.tenant != old);
    s.parked.push(parked);
    if s.parked.len() > PARKED_MAX {
        s.parked.remove(0);
    }
    let i = s.parked.iter().position(|p| p.tenant == new)?;
    Some(s.parked.remove(i))
}

/// Bring back a tenant's parked panes (after `reset`): their generations move past every one in
/// use, so no result of a poller still on its way is taken for theirs.
fn restore(s: &mut State, p: Parked) {
    let gens = (
        s.artifacts.load.generation,
        s.queues.load.generation,
        s.queues.messages.load.generation,
        s.messages.load.generation,
    );
    let fetch_gen = s.alerts.fetch_generation;
    s.artifacts = p.artifacts;
    s.messages = p.messages;
    s.queues = p.queues;
    s.alerts = p.alerts;
    s.artifacts.load.generation = s.artifacts.load.generation.max(gens.0);
    s.queues.load.generation = s.queues.load.generation.max(gens.1);
    s.queues.messages.load.generation = s.queues.messages.load.generation.max(gens.2);
    s.messages.load.generation = s.messages.load.generation.max(gens.3);
    s.artifacts.load.loading = false;
    s.queues.load.loading = false;
    s.messages.load.loading = false;
    // A monitor fetch of the parked tenant never answers now: the next round starts at once.
    s.alerts.fetching = None;
    s.alerts.fetch_generation = s.alerts.fetch_generation.max(fetch_gen) + 1;
    s.alerts.next_due = s.now;
    if !p.stack.is_empty() {
        s.stack = p.stack;
    }
    s.rebuild_focused();
}

/// The Tenants pane's rows: every configured tenant (or the demo's), `current` open.
pub fn install_fleet(s: &mut State, setups: Vec<crate::panes::tenants::TenantSetup>) {
    let current = s.ctx.current.clone();
    let current = if current.is_empty() {
        s.tenant.name.clone()
    } else {
        current
    };
    if s.ctx.entries.is_empty() {
        s.ctx.entries = setups
            .iter()
            .map(|t| CtxEntry {
                name: t.tenant.name.clone(),
                environment: t.tenant.environment,
                color: t.color.clone(),
                read_only: t.read_only,
                host: t.host.clone(),
            })
            .collect();
        s.ctx.current = current.clone();
    }
    s.tenants = crate::panes::tenants::Tenants::new(setups, &current);
    let cell = s.cell_cx();
    crate::kit::table::Table::rebuild(&mut s.tenants, &cell);
}

/// What the overview runner reports.
pub fn fleet_msg(s: &mut State, m: super::msg::FleetMsg) {
    use super::msg::FleetMsg;
    let tenant = s.tenant.clone();
    let cx = s.cx_with(&tenant);
    let shown = s.pane() == Pane::Tenants;
    match m {
        FleetMsg::Round {
            tenant,
            fetched,
            per_minute,
        } => {
            s.tenants.round(&tenant, fetched, per_minute, &cx);
            s.dirty |= shown;
            // The tab's count may change on any pane.
            s.dirty = true;
        }
        FleetMsg::NotConnected { tenant, error } => {
            s.tenants.not_connected(&tenant, error, &cx);
            s.dirty = true;
        }
        FleetMsg::Rates(rates) => {
            // The open tenant's rate is the header's (its client is the same).
            let rates: Vec<(String, f64)> = rates.into_iter().filter(|(n, _)| *n != s.tenant.name).collect();
            if s.tenants.rates(&rates) && shown {
                s.dirty = true;
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
