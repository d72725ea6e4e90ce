//! The client's typed error. Every variant's `Display` says what happened and what to check, and
//! names the endpoint or host involved. Nothing here ever holds a secret: texts that could echo a
//! request (response bodies, transport errors) pass through `Secret::redact_in` before they are
//! stored (see `http::Redactor`).

use std::time::Duration;

/// What went wrong talking to a tenant.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CpiError {
    /// The connection settings themselves are unusable (bad URL, unreadable CA bundle, …).
    #[error("invalid connection settings: {0}")]
    Config(String),
    /// DNS failure or connection refused.
    #[error(
        "cannot reach {host}: {detail}; check the host name in the API URL, your network/VPN and \
         the HTTPS_PROXY/NO_PROXY settings"
    )]
    Unreachable { host: String, detail: String },
    /// TLS handshake or certificate verification failed.
    #[error(
        "TLS handshake with {host} failed: {detail}; if a corporate proxy inspects TLS, set \
         `ca_bundle` to its CA certificate (PEM)"
    )]
    Tls { host: String, detail: String },
    /// No (complete) answer within the per-request timeout, after retries for reads.
    #[error(
        "{endpoint} did not answer within {}s (after {attempts} attempt(s)); the tenant may be \
         overloaded or the network slow — retry later or raise the request timeout",
        after.as_secs_f64()
    )]
    Timeout {
        endpoint: String,
        after: Duration,
        attempts: u32,
    },
    /// The connection dropped mid-request, after retries for reads.
    #[error(
        "the connection to {endpoint} was dropped ({detail}) after {attempts} attempt(s); check \
         the network and whether the tenant is up"
    )]
    ConnectionDropped {
        endpoint: String,
        detail: String,
        attempts: u32,
    },
    /// The OAuth token endpoint refused the client credentials.
    #[error(
        "the token endpoint {token_url} refused the client credentials (HTTP {status}{}); check \
         client id and client secret of the service key (plan `api`, grant client credentials)",
        error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
    )]
    BadCredentials {
        token_url: String,
        status: u16,
        /// OAuth `error` (+ `error_description`) from the reply.
        error: Option<String>,
    },
    /// 401 on the API even with a fresh token / with Basic credentials.
    #[error(
        "the tenant rejected the credentials for {endpoint} (HTTP 401); check the user/password \
         or that the service key belongs to this tenant"
    )]
    Unauthorized { endpoint: String },
    /// 403: authenticated but not allowed.
    #[error(
        "the tenant refused {endpoint} (HTTP 403{}); the user or service key lacks the role for \
         it: check {}",
        message.as_deref().map(|m| format!(": {m}")).unwrap_or_default(),
        role_hint(endpoint)
    )]
    Forbidden {
        endpoint: String,
        message: Option<String>,
    },
    /// 404: the entity (or the entity set on this tenant) does not exist.
    #[error(
        "{endpoint} was not found (HTTP 404{}); the entity may not exist (an artifact that is not \
         deployed, a message that was deleted) or this tenant does not offer this API",
        message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
    )]
    NotFound {
        endpoint: String,
        message: Option<String>,
    },
    /// A 200 HTML page where JSON was expected: a login page or SAML redirect.
    #[error(
        "the tenant returned an HTML page (a login page?) for {endpoint}; check the API URL and \
         token URL (the API URL is the service key's `url`, not the web UI host)"
    )]
    HtmlPage { endpoint: String },
    /// 429 after all retries.
    #[error(
        "{endpoint} is rate limited by the tenant (HTTP 429) even after {attempts} attempt(s); \
         lower `requests_per_second` / `max_concurrency` for this tenant or refresh less often"
    )]
    RateLimited { endpoint: String, attempts: u32 },
    /// An OData error reply (4xx other than the ones above).
    #[error("{endpoint} failed with HTTP {status}{}{}", code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default(), message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    OData {
        endpoint: String,
        status: u16,
        code: Option<String>,
        message: Option<String>,
    },
    /// 5xx after retries (reads) or at once (writes). What it says depends on what the tenant
    /// said: 502/503/504 (or a page without an error text) may be maintenance or overload; a 500
    /// with an error text is the tenant rejecting this request; 501 is an API this tenant does
    /// not offer. It never guesses a cause the body contradicts.
    #[error("{}", server_text(endpoint, *status, message.as_deref(), *app_error, *attempts))]
    Server {
        endpoint: String,
        status: u16,
        message: Option<String>,
        /// The body was an error document with a message (an application error), not a page.
        app_error: bool,
        attempts: u32,
    },
    /// The body was not the JSON expected (malformed, truncated, wrong shape).
    #[error(
        "the reply of {endpoint} is not the expected JSON ({detail}); the reply may have been cut \
         off, or the tenant speaks a different API version"
    )]
    Malformed { endpoint: String, detail: String },
    /// The caller's page decoder rejected a page.
    #[error("a page of {endpoint} could not be decoded: {detail}")]
    Decode { endpoint: String, detail: String },
    /// A write was refused because of CSRF even after fetching a fresh token.
    #[error(
        "the tenant refused the CSRF token for {endpoint} (HTTP 403, X-CSRF-Token: Required) even \
         after fetching a fresh one; check that cookies are not stripped by a proxy"
    )]
    Csrf { endpoint: String },
    /// A reply named a URL outside the tenant (another scheme, host or port, or outside the
    /// service root); nothing was sent there (`cpi::origin`).
    #[error(
        "the reply of {endpoint} links to {link}, outside the tenant's service root {root}; \
         cpitop only follows links within the tenant (same scheme, host and port, under the \
         service root) and sent nothing there"
    )]
    ForeignLink {
        endpoint: String,
        link: String,
        root: String,
    },
    /// A redirect to another origin (or too many redirects); not followed (`cpi::origin`).
    #[error(
        "{endpoint} answered with a redirect to {target} ({reason}); cpitop does not follow \
         redirects away from the tenant or its token endpoint — check the API URL and token URL \
         (a proxy or single sign-on page may be in the way)"
    )]
    Redirected {
        endpoint: String,
        target: String,
        reason: String,
    },
    /// A reply body exceeded the limit for its kind of request (`http::BodyKind`).
    #[error(
        "the reply of {endpoint} is larger than {} ({kind} limit); cpitop stopped reading it — \
         the tenant sent far more than such a reply holds (narrow the query or check the tenant)",
        human_bytes(*limit)
    )]
    TooLarge {
        endpoint: String,
        kind: &'static str,
        limit: usize,
    },
    /// The receiver of a streamed load went away (the view was closed).
    #[error("the load was cancelled: its receiver was dropped")]
    Cancelled,
}

impl CpiError {
    /// True for 404 (used for "no such entity" → `None`, and for queue-API detection).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }
    /// True for errors a later retry may cure (network, throttling, 5xx).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. }
                | Self::Timeout { .. }
                | Self::ConnectionDropped { .. }
                | Self::RateLimited { .. }
                | Self::Server {
                    status: 500 | 502..=504,
                    ..
                }
        )
    }
    /// What to check, in a few words (for JSON output next to the full text): the role a 403
    /// lacks, the credentials of a 401, the plan of a 501, …; `None` when the text says it all.
    pub fn what_to_check(&self) -> Option<String> {
        let s = |t: &str| Some(t.to_owned());
        match self {
            Self::Forbidden { endpoint, .. } => Some(role_hint(endpoint).to_owned()),
            Self::Unauthorized { .. } => {
                s("the user and password, or that the service key belongs to this tenant")
            }
            Self::BadCredentials { .. } => s("client id and client secret of the service key"),
            Self::NotFound { .. } => s("that the entity exists and this tenant offers this API"),
            Self::Server { status: 501, .. } => s("the tenant's plan or edition: it does not offer this API"),
            Self::Server {
                status: 502..=504, ..
            }
            | Self::Server { app_error: false, .. } => s("the SAP BTP status page; retry later"),
            Self::Server { .. } => s("what the tenant's message names"),
            Self::RateLimited { .. } => s("requests_per_second / max_concurrency of this tenant"),
            Self::Unreachable { .. } | Self::ConnectionDropped { .. } | Self::Timeout { .. } => {
                s("the network, the host name in the API URL and the proxy settings")
            }
            Self::HtmlPage { .. } | Self::Redirected { .. } => s("the API URL and the token URL"),
            Self::Tls { .. } => s("ca_bundle, if a proxy inspects TLS"),
            _ => None,
        }
    }

    /// The HTTP status behind this error, if it came from a reply.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::BadCredentials { status, .. }
            | Self::OData { status, .. }
            | Self::Server { status, .. } => Some(*status),
            Self::Unauthorized { .. } => Some(401),
            Self::Forbidden { .. } | Self::Csrf { .. } => Some(403),
            Self::NotFound { .. } => Some(404),
            Self::RateLimited { .. } => Some(429),
            _ => None,
        }
    }
}

/// What to check when `endpoint` answers 403: the role that reads it (docs/cpi-api.md,
/// "Authentication and rate limits").
pub(crate) fn role_hint(endpoint: &str) -> &'static str {
    let set = endpoint
        .split("/api/v1/")
        .nth(1)
        .unwrap_or(endpoint)
        .split(['(', '/', '?'])
        .next()
        .unwrap_or("");
    match set {
        s if s.starts_with("MessageProcessingLog") || s == "MessageStoreEntries" => {
            "the role MonitoringDataRead (MessagePayloadsRead for payloads)"
        }
        "IntegrationRuntimeArtifacts" | "BuildAndDeployStatus" => {
            "the role MonitoringDataRead to read, WorkspaceArtifactsDeploy to deploy or undeploy"
        }
        "DeployIntegrationDesigntimeArtifact" => "the role WorkspaceArtifactsDeploy",
        "JmsBrokers" | "Queues" | "JmsMessages" | "MessagingQueues" | "MessagingMessages" => {
            "the role DataStoresAndQueuesRead (retrying, moving and deleting need \
             DataStoresAndQueuesDelete too)"
        }
        "RetryMessagingMessages" | "MoveMessagingMessages" => {
            "the roles DataStoresAndQueuesRead and DataStoresAndQueuesDelete"
        }
        "IntegrationPackages" | "IntegrationDesigntimeArtifacts" => "the role WorkspacePackagesRead",
        // U: SAP's name for the keystore read role of the Security Content API is not settled.
        "KeystoreEntries" | "Keystores" => "that the user may read keystores (Security Content API)",
        _ => {
            "its role (MonitoringDataRead for messages and artifacts, DataStoresAndQueuesRead for \
             queues, WorkspacePackagesRead for packages)"
        }
    }
}

/// The text of a 5xx reply (`CpiError::Server`).
fn server_text(endpoint: &str, status: u16, message: Option<&str>, app_error: bool, attempts: u32) -> String {
    let said = message.map(|m| format!(": {m}")).unwrap_or_default();
    match (status, app_error) {
        (501, _) => format!(
            "{endpoint} is not offered by this tenant (HTTP 501{said}); its plan or edition lacks \
             this API, or the request uses an option it does not support"
        ),
        (502..=504, _) | (_, false) => format!(
            "the tenant failed {endpoint} with HTTP {status}{said} after {attempts} attempt(s); \
             the tenant may be in maintenance or overloaded — check the SAP BTP status page and \
             retry later"
        ),
        (_, true) => format!(
            "the tenant rejected {endpoint} with HTTP {status}{said} (after {attempts} \
             attempt(s)); the message is the tenant's own — check what it names"
        ),
    }
}

/// `1048576` → `"1 MiB"`, `65536` → `"64 KiB"` (for limits in messages).
pub(crate) fn human_bytes(n: usize) -> String {
    if n >= 1024 * 1024 && n % (1024 * 1024) == 0 {
        format!("{} MiB", n / (1024 * 1024))
    } else if n >= 1024 && n % 1024 == 0 {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_in_messages() {
        assert_eq!(human_bytes(32 * 1024 * 1024), "32 MiB");
        assert_eq!(human_bytes(64 * 1024), "64 KiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }
}
