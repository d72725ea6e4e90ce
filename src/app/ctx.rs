//! Tenant switching inside the TUI, k9s style: `:ctx` lists the configured tenants, `:ctx NAME`
//! (or Enter in the list) switches. The switch is a round trip through effects: the runner stops
//! the old tenant's pollers and resolves the new tenant's secret and connection on a blocking
//! thread (a `*_command` may take a moment), then `Ready` clears the data, installs the new
//! client, reads the new tenant's cache and starts polling. The tenant is remembered as the last
//! used one (`config::state`). A failed switch leaves the old tenant in place and polling again.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent};

use super::msg::{Effect, Msg};
use super::state::{Intervals, Mode, Route, State, TenantInfo, ToastKind};
use crate::config::{Config, Paths, Profile};
use crate::cpi::client::CpiClient;

/// What switching needs besides the state: the loaded config and where its files live.
#[derive(Debug)]
pub struct TenantConfig {
    pub paths: Paths,
    pub config: Config,
    /// `--read-only`: forces every tenant read-only.
    pub force_read_only: bool,
}

/// One line of the `:ctx` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtxEntry {
    pub name: String,
    pub environment: crate::config::Environment,
    /// Badge colour from the config (a colour name or `#rrggbb`).
    pub color: String,
    pub read_only: bool,
    /// Host of the API URL when the config names it (service keys carry theirs inside).
    pub host: Option<String>,
}

impl CtxEntry {
    pub fn of(p: &Profile, force_read_only: bool) -> Self {
        Self {
            name: p.name.clone(),
            environment: p.environment,
            color: p.color.clone(),
            read_only: p.read_only || force_read_only,
            host: p
                .url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_string)),
        }
    }
}

/// Tenant switching state.
#[derive(Debug, Default)]
pub struct CtxState {
    /// Configured tenants in file order (empty in `--demo`).
    pub entries: Vec<CtxEntry>,
    /// The current tenant's config name.
    pub current: String,
    /// A switch to this tenant is under way.
    pub switching: Option<String>,
    /// Tenants whose config sets `web_ui_url`: their links are not learned from the tenant.
    pub web_ui_configured: Vec<String>,
    /// Tags the current tenant's web-UI probe; an answer about an earlier tenant is dropped.
    pub web_ui_probe: u64,
}

impl CtxState {
    pub fn demo(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn position(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.name == name)
    }
}

/// A new tenant's client, handed from the runner through the state back to the runner.
#[derive(Clone)]
pub struct ClientHandle {
    pub client: CpiClient,
    /// The connection it was built from, for runner parts that need more than the client (the
    /// identity of guarded writes, …). Its secret is a redacting `Secret`; never shown.
    pub conn: crate::cpi::conn::TenantConn,
    pub tenant: String,
    /// The new tenant's alert monitors (from the same config), started by the runner.
    pub alerts: Option<std::sync::Arc<super::alerts::AlertsLaunch>>,
    /// Distinguishes two handles for the same tenant (equality of effects).
    pub serial: u64,
}

impl std::fmt::Debug for ClientHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClientHandle({}, #{})", self.tenant, self.serial)
    }
}

impl PartialEq for ClientHandle {
    fn eq(&self, o: &Self) -> bool {
        self.tenant == o.tenant && self.serial == o.serial
    }
}

/// Everything about the new tenant the state needs.
#[derive(Debug)]
pub struct TenantReady {
    pub name: String,
    pub info: TenantInfo,
    pub intervals: Intervals,
    pub window_ms: i64,
    /// Message rows held in memory (`messages.max_rows`).
    pub max_rows: usize,
    pub cache_rows: usize,
    pub client: ClientHandle,
    /// Config/permission warnings of the new tenant (shown as a toast).
    pub warnings: Vec<String>,
}

/// Outcome of a switch requested with `Effect::SwitchTenant`.
#[derive(Debug)]
pub enum TenantMsg {
    Ready(Box<TenantReady>),
    Failed { name: String, error: String },
}

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
    s.cache = super::cache_sync::CacheSync::for_tenant(current, api_url, rows);
    let mut fx: Vec<Effect> = super::cache_sync::load_effect(s).into_iter().collect();
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
    let last = s.ctx.entries.len().saturating_sub(1);
    match k.code {
        KeyCode::Esc | KeyCode::Char('q') => s.mode = Mode::Normal,
        KeyCode::Down | KeyCode::Char('j') => s.mode = Mode::Ctx((selected + 1).min(last)),
        KeyCode::Up | KeyCode::Char('k') => s.mode = Mode::Ctx(selected.saturating_sub(1)),
        KeyCode::Home | KeyCode::Char('g') => s.mode = Mode::Ctx(0),
        KeyCode::End | KeyCode::Char('G') => s.mode = Mode::Ctx(last),
        KeyCode::Enter => {
            s.mode = Mode::Normal;
            if let Some(name) = s.ctx.entries.get(selected).map(|e| e.name.clone()) {
                switch(s, &name, fx);
            }
        }
        _ => {}
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
    if name == s.ctx.current {
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
    fx.extend(super::cache_sync::flush(s));
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
            s.ctx.current = r.name.clone();
            reset(s, r.info, r.intervals, r.window_ms);
            hold_at_most(s, r.max_rows);
            // The new tenant's monitors replace the old one's (state, controls and history are
            // per tenant).
            if let Some(launch) = &r.client.alerts {
                s.alerts = super::alerts::Alerts::new(launch.setup.clone(), &r.name, s.now);
            }
            let api_url = r.client.client.service_root().to_string();
            s.cache = super::cache_sync::CacheSync::for_tenant(&r.name, &api_url, r.cache_rows);
            // A probe still under way is about the old tenant.
            s.ctx.web_ui_probe += 1;
            fx.push(Effect::UseTenant(r.client));
            fx.extend(super::cache_sync::load_effect(s));
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
        s.queue_messages.load.generation,
        s.messages.load.generation,
    );
    s.tenant = info;
    s.intervals = intervals;
    s.artifacts = super::artifacts::Artifacts {
        web_ui: web_ui.clone(),
        ..Default::default()
    };
    s.queues = super::queues::Queues {
        web_ui: web_ui.clone(),
        ..Default::default()
    };
    s.queue_messages = Default::default();
    s.messages = super::messages::Messages::with_web_ui(web_ui);
    s.messages.query.window_ms = window_ms;
    // One past the old tenant's: none of its results can match, whatever was polling.
    s.artifacts.load.generation = gens.0 + 1;
    s.queues.load.generation = gens.1 + 1;
    s.queue_messages.load.generation = gens.2 + 1;
    s.messages.load.generation = gens.3 + 1;
    s.message = None;
    s.correlated = Default::default();
    s.attachments = Default::default();
    s.attachment = None;
    s.artifact_scroll = 0;
    s.stats = Default::default();
    s.stack = vec![Route::Pane(pane)];
    s.mode = Mode::Normal;
    // Nothing polls for the new tenant yet: `update` starts what the view needs.
    s.polling = Default::default();
    s.dirty = true;
}

/// A message for the state owner (the runner's side of a switch).
pub fn ready_msg(r: TenantReady) -> Msg {
    Msg::Tenant(TenantMsg::Ready(Box::new(r)))
}
