//! One fetcher per CPI resource: what to ask the tenant and the owned snapshot it answers with,
//! shared by the TUI's pollers and effects, the monitors (in the TUI and in `check`/`watch`),
//! `cpitop get` and the load bench. No view state here, no terminal: plain async functions over a
//! `CpiClient`.
//!
//! - [`artifacts`]: the runtime artifacts, one artifact's deployment error, the `$count` ping.
//! - [`queues`]: the queue list with the messages of the queues asked for (read in parallel) and
//!   the broker; the Queues pane's snapshot and the monitors' queue rows are two views of it.
//! - [`messages`]: the message window and its deltas (one stream, three ways to take it: as pages
//!   on a channel, collected, or merged into a store), the correlated messages.
//! - [`message_detail`]: the parts of one message (record, custom headers, error text,
//!   attachments, runs and steps) and an attachment's content.
//! - [`packages`], [`keystore`]: iFlow → package, the keystore entries.
//! - [`monitor_data`]: what one monitor round reads, fetched in parallel.
//! - [`errors`]: the failed messages of a window and their error texts (`get errors`, `check`,
//!   `watch`).
//! - [`overview`]: one round of the Tenants pane's overview of a tenant (lean: a listing, a
//!   `$count`, the queue list and the broker; DLQ messages and keystore when due).
//!
//! Failures carry the client's typed error ([`FetchError`]); whether the tenant answered is
//! decided from its kind ([`FetchError::tenant_answered`]), never from its text.

pub mod artifacts;
pub mod errors;
pub mod keystore;
pub mod message_detail;
pub mod messages;
pub mod monitor_data;
pub mod overview;
pub mod packages;
pub mod queues;

use std::fmt;

use crate::cpi::CpiError;
use crate::cpi::odata::EpochMs;

/// Why a fetch failed: the client's typed error, possibly told in cpitop's words, or a failure
/// of cpitop's own (no client error behind it). What is shown is its `Display`; what it means for
/// the tenant's reachability is [`FetchError::tenant_answered`].
#[derive(Debug, Clone)]
pub enum FetchError {
    /// The client's error, as it tells it.
    Client(CpiError),
    /// The client's error in cpitop's words (a sentence with more context): `text` is shown,
    /// `cause` decides.
    Explained { text: String, cause: CpiError },
    /// Not the client's: cpitop's own account (a message the tenant no longer has, a test's text).
    Other(String),
}

impl FetchError {
    /// The client's error behind this failure, if there is one.
    pub fn cause(&self) -> Option<&CpiError> {
        match self {
            Self::Client(e) | Self::Explained { cause: e, .. } => Some(e),
            Self::Other(_) => None,
        }
    }

    /// Whether the tenant answered the call that failed: an HTTP 4xx (401, 403, 404, 429, an
    /// OData refusal) is the tenant up and refusing; no reply, a timeout, a dropped connection
    /// or a 5xx is the tenant not answering. A failure that is not the client's counts as no
    /// answer.
    pub fn tenant_answered(&self) -> bool {
        self.cause().is_some_and(tenant_answered)
    }
}

/// Whether a client error is an answer of the tenant (see [`FetchError::tenant_answered`]).
pub fn tenant_answered(e: &CpiError) -> bool {
    e.status().is_some_and(|s| (400..500).contains(&s))
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Client(e) => e.fmt(f),
            Self::Explained { text, .. } | Self::Other(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for FetchError {}

/// Equal when they read the same (parts of a message are compared in tests).
impl PartialEq for FetchError {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl From<CpiError> for FetchError {
    fn from(e: CpiError) -> Self {
        Self::Client(e)
    }
}

impl From<String> for FetchError {
    fn from(text: String) -> Self {
        Self::Other(text)
    }
}

impl From<&str> for FetchError {
    fn from(text: &str) -> Self {
        Self::Other(text.to_string())
    }
}

/// Requests of one fetch sent at once (queue listings, package contents); the client's limiter
/// still bounds what is in flight overall.
pub(crate) const PARALLEL: usize = 4;

/// Wall clock in epoch ms (stamps fetched data; the state never reads the clock itself).
pub fn now_ms() -> EpochMs {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reachability_comes_from_the_kind() {
        let refused = FetchError::from(CpiError::Forbidden {
            endpoint: "IntegrationRuntimeArtifacts".into(),
            message: None,
        });
        assert!(refused.tenant_answered(), "403: the tenant answered");
        let dropped = FetchError::from(CpiError::ConnectionDropped {
            endpoint: "IntegrationRuntimeArtifacts".into(),
            detail: "reset".into(),
            attempts: 3,
        });
        assert!(!dropped.tenant_answered());
        let five = CpiError::Server {
            endpoint: "Queues".into(),
            status: 503,
            message: None,
            app_error: false,
            attempts: 4,
        };
        let explained = FetchError::Explained {
            text: "no queue list, no broker".into(),
            cause: five,
        };
        assert!(!explained.tenant_answered());
        assert_eq!(explained.to_string(), "no queue list, no broker");
        // Text that merely looks like a 4xx is not an answer: only the kind counts.
        assert!(!FetchError::from("GET /x failed with HTTP 403: forbidden").tenant_answered());
    }
}
