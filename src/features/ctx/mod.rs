//! The configured tenants for switching (`:ctx NAME`, Enter in the Tenants pane): which one is
//! current, which one a switch is under way to, and where to go once it is done. Switching itself
//! (what changes for every pane, the runner's side) is the app's (`app::tenant`).

use crate::config::Profile;
use crate::kit::nav::Nav;

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
    /// Where to go once the switch under way is done (an artifact opened in another tenant).
    pub after_switch: Option<Nav>,
}

impl CtxState {
    pub fn demo(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn position(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.name == name)
    }
}
