//! Notification settings (`[monitors.notify]`).

use serde::{Deserialize, Deserializer, Serialize};

use crate::monitor::duration::HumanDuration;
use crate::secret::Secret;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// Transitions within this window after the first one are sent together (default 30s).
    #[serde(default = "default_group_window")]
    pub group_window: HumanDuration,
    /// At most one notification per monitor per interval (default 5m); a monitor that flaps
    /// within it is reported once with its latest status.
    #[serde(default = "default_min_interval")]
    pub min_interval: HumanDuration,
    /// Retries of a failed webhook delivery (5xx, 429, network error), default 3.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// First retry delay; doubles each retry (default 2s).
    #[serde(default = "default_backoff")]
    pub retry_backoff: HumanDuration,
    /// Per-request timeout of a webhook call (default 10s).
    #[serde(default = "default_timeout")]
    pub timeout: HumanDuration,
    #[serde(default)]
    pub webhooks: Vec<WebhookTarget>,
    #[serde(default)]
    pub commands: Vec<CommandHook>,
}

impl NotifyConfig {
    /// Whether any notification goes anywhere.
    pub fn has_channels(&self) -> bool {
        !self.webhooks.is_empty() || !self.commands.is_empty()
    }
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            group_window: default_group_window(),
            min_interval: default_min_interval(),
            retries: default_retries(),
            retry_backoff: default_backoff(),
            timeout: default_timeout(),
            webhooks: Vec::new(),
            commands: Vec::new(),
        }
    }
}

fn default_group_window() -> HumanDuration {
    HumanDuration::from_secs(30)
}
fn default_min_interval() -> HumanDuration {
    HumanDuration::from_mins(5)
}
fn default_retries() -> u32 {
    3
}
fn default_backoff() -> HumanDuration {
    HumanDuration::from_secs(2)
}
fn default_timeout() -> HumanDuration {
    HumanDuration::from_secs(10)
}

/// A webhook receiving one POST per notification batch.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookTarget {
    /// Shown in logs instead of the URL (which may carry a key).
    #[serde(default)]
    pub name: String,
    #[serde(deserialize_with = "de_secret")]
    pub url: Secret,
    #[serde(default)]
    pub format: WebhookFormat,
}

impl WebhookTarget {
    /// The name for logs and errors: the configured name, else the URL's host (never the URL).
    pub fn label(&self) -> String {
        if !self.name.is_empty() {
            return self.name.clone();
        }
        url::Url::parse(self.url.expose())
            .ok()
            .and_then(|u| u.host_str().map(|h| format!("webhook at {h}")))
            .unwrap_or_else(|| "webhook".into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    /// cpitop's own JSON (see `format::generic_body`).
    #[default]
    Generic,
    /// Microsoft Teams (Workflows webhook): a message with an Adaptive Card attachment.
    Teams,
    /// Slack incoming webhook: `text` plus Block Kit `blocks`.
    Slack,
}

/// A program run once per alert with the alert in `CPITOP_ALERT_*` environment variables. It is
/// run directly (no shell); put a shell in `program` if you need one.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandHook {
    pub program: String,
    #[serde(default)]
    pub args: Vec<String>,
    /// Killed after this long (default 30s).
    #[serde(default = "default_command_timeout")]
    pub timeout: HumanDuration,
}

fn default_command_timeout() -> HumanDuration {
    HumanDuration::from_secs(30)
}

fn de_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
    String::deserialize(d).map(Secret::new)
}

impl NotifyConfig {
    /// Problems serde cannot see. Never quotes a webhook URL.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, w) in self.webhooks.iter().enumerate() {
            let ok = url::Url::parse(w.url.expose())
                .map(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                .unwrap_or(false);
            if !ok {
                out.push(format!(
                    "monitors.notify.webhooks[{i}] ({}): url is not an http(s) URL",
                    if w.name.is_empty() { "unnamed" } else { &w.name }
                ));
            }
        }
        for (i, c) in self.commands.iter().enumerate() {
            if c.program.trim().is_empty() {
                out.push(format!("monitors.notify.commands[{i}]: program is empty"));
            }
        }
        out
    }
}
