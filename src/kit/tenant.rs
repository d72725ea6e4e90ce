//! What the views know about the tenant: its name and environment, read-only, the web UI's root,
//! and how often its data is refreshed.

pub use crate::config::Environment;

#[derive(Debug, Clone, Default)]
pub struct TenantInfo {
    pub name: String,
    /// The configured environment (`None` for the simulated tenants of `--demo` and the load
    /// bench).
    pub env: Option<Environment>,
    /// The badge shown where no environment is configured (`demo` → `DEMO`).
    pub label: Option<String>,
    pub read_only: bool,
    /// Web UI root for `Y` links when known (`https://<sub>.integrationsuite…`).
    pub web_ui: Option<String>,
}

impl TenantInfo {
    /// The badge text: the environment (`PROD`), else the label in capitals, else nothing.
    pub fn badge(&self) -> String {
        match (self.env, &self.label) {
            (Some(e), _) => e.label().to_string(),
            (None, Some(l)) => l.to_uppercase(),
            (None, None) => String::new(),
        }
    }
    pub fn is_prod(&self) -> bool {
        self.env == Some(Environment::Prod)
    }
}

/// Refresh intervals per pane, in ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intervals {
    pub artifacts: u64,
    pub messages: u64,
    pub messages_live: u64,
    pub queues: u64,
}

impl Default for Intervals {
    fn default() -> Self {
        Self {
            artifacts: 30_000,
            messages: 15_000,
            messages_live: 3_000,
            queues: 20_000,
        }
    }
}
