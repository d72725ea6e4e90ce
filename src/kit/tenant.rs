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

/// The tenant's timings, in ms: the refresh interval per pane, and how long before its end a
/// certificate counts as expiring (`keystore.expiring`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intervals {
    pub artifacts: u64,
    pub messages: u64,
    pub messages_live: u64,
    pub queues: u64,
    pub keystore: u64,
    pub keystore_expiring: u64,
}

impl Default for Intervals {
    fn default() -> Self {
        Self {
            artifacts: 30_000,
            messages: 15_000,
            messages_live: 3_000,
            queues: 20_000,
            keystore: 300_000,
            keystore_expiring: 30 * 86_400_000,
        }
    }
}
