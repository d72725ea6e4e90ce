//! How to reach one tenant: what the client is built from. Filled from a config profile, a BTP
//! service key, or the simulated tenant in `--demo`.

use std::path::PathBuf;
use std::time::Duration;

use crate::secret::Secret;

#[derive(Debug, Clone)]
pub struct TenantConn {
    /// Display name of the tenant (profile name).
    pub name: String,
    /// Service root *without* `/api/v1`, e.g. `https://sub.it-cpi018.cfapps.eu10.hana.ondemand.com`
    /// (the service key's `url`). The client appends `/api/v1`.
    pub base_url: String,
    pub auth: Auth,
    pub limits: Limits,
    /// Extra PEM CA bundle to trust (corporate TLS inspection).
    pub ca_bundle: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub enum Auth {
    /// OAuth2 client credentials (docs/cpi-api.md, "Authentication and rate limits").
    OAuth {
        token_url: String,
        client_id: String,
        client_secret: Secret,
    },
    /// HTTP Basic with an IdP user.
    Basic { username: String, password: Secret },
}

/// How gently the client treats the tenant. Defaults stay far below SAP's documented limits
/// (MPL 100 req/s per user, runtime artifacts 50 req/s per user; docs/cpi-api.md, "Authentication and rate limits").
#[derive(Debug, Clone)]
pub struct Limits {
    /// Requests in flight at once.
    pub max_concurrency: usize,
    /// Sustained requests per second (token bucket).
    pub requests_per_second: f64,
    /// Burst size of the token bucket.
    pub burst: u32,
    /// Per-request timeout.
    pub request_timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Retries of a retryable failure (429, 5xx, dropped connection) before it is reported.
    pub max_retries: u32,
    /// First backoff; doubles each retry, with jitter, capped at `max_backoff`.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_concurrency: 4,
            requests_per_second: 10.0,
            burst: 20,
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 4,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
        }
    }
}
