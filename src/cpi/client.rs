//! `CpiClient`: the handle everything else uses. Cheap to clone (one `Arc`); all clones share the
//! `reqwest::Client` (connection pool), the token and CSRF caches, the limiter and the counters of
//! one tenant.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, Ordering};
use std::time::Duration;

use super::auth::AuthState;
use super::conn::{Auth, TenantConn};
use super::error::CpiError;
use super::http::Transport;
use super::limiter::Limiter;
use super::stats::{ClientStats, Stats};

/// Which JMS queue API a tenant answers (docs/cpi-api.md, "JMS queues").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueApiKind {
    /// `Queues` / `JmsMessages` (the web UI's queue-monitor service).
    Classic,
    /// `MessagingQueues` / `MessagingMessages` (+ `RetryMessagingMessages`, `MoveMessagingMessages`).
    Messaging,
}

/// Tuning of MPL window loads and deltas.
#[derive(Debug, Clone)]
pub struct MplLoadOptions {
    /// Rows per page (`$top`); CPI serves at most 1000.
    pub page_size: u32,
    /// How far before the last check's watermark a delta's check looks for messages that
    /// became visible late (commit lag) and for residual clock skew (the `Date` correction leaves at most
    /// ~2.5 s). Default 10 s. The check lists this range by id only; just the messages not yet
    /// received are then downloaded (`cpi::mpl_follow`). U: SAP documents no bound on the MPL
    /// commit lag; if a tenant shows late messages missing in live mode, raise this.
    pub delta_overlap: Duration,
    /// Late messages up to this many are fetched by id within the delta's filter; the rest
    /// are read by range (`cpi::mpl_follow::plan_delta`). 0 reads all of them by range (what a
    /// follower falls back to by itself when the tenant refuses the ids with HTTP 400).
    pub late_by_id: usize,
    /// How often a delta's check runs (server time between checks); zero = every refresh.
    /// Default 10 s: late messages appear within this plus a refresh (`cpi::mpl_follow`).
    pub check_every: Duration,
    /// `false`: no check; every delta re-reads the whole overlap in full rows (the behaviour
    /// before the check, kept for comparison in `benches/tenant_load.rs`).
    pub overlap_check: bool,
    /// A window is split into at most this many time slices, fetched concurrently.
    pub max_slices: usize,
    /// Slices are never shorter than this.
    pub min_slice: Duration,
    /// List the messages in flight (no `LogEnd`, or PROCESSING) with every load and delta of an
    /// open-ended window: one more request each (`cpi::mpl_window`, "In-flight messages").
    pub in_flight: bool,
}

impl Default for MplLoadOptions {
    fn default() -> Self {
        Self {
            page_size: 1000,
            delta_overlap: Duration::from_secs(10),
            late_by_id: crate::cpi::mpl_follow::MAX_LATE_BY_ID,
            check_every: Duration::from_secs(10),
            overlap_check: true,
            max_slices: 8,
            min_slice: Duration::from_secs(5 * 60),
            in_flight: true,
        }
    }
}

/// reqwest is built with `rustls-no-provider`: install ring as the process's TLS provider. Any
/// code that builds its own `reqwest::Client` (tests, benches, webhooks) calls this first; a second
/// install is a harmless no-op.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[derive(Debug, Clone)]
pub struct CpiClient {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) t: Transport,
    /// 0 = not yet detected, 1 = classic, 2 = messaging.
    pub(crate) queue_api: AtomicU8,
    pub(crate) mpl: MplLoadOptions,
    /// The tenant refused `LogEnd eq null` in the in-flight listing: it lists by status.
    pub(crate) in_flight_by_status: AtomicBool,
    /// The tenant refused `substringof`: senders and receivers are matched with `eq`.
    pub(crate) parties_by_eq: AtomicBool,
}

impl CpiClient {
    /// Build a client for one tenant. Performs no request; the first call fetches the token.
    pub fn new(conn: TenantConn) -> Result<CpiClient, CpiError> {
        Self::with_options(conn, MplLoadOptions::default())
    }

    /// As `new`, with MPL load tuning.
    pub fn with_options(conn: TenantConn, mpl: MplLoadOptions) -> Result<CpiClient, CpiError> {
        install_tls_provider();
        let base = conn.base_url.trim().trim_end_matches('/');
        let base = base.strip_suffix("/api/v1").unwrap_or(base);
        let parsed = url::Url::parse(base).map_err(|e| {
            CpiError::Config(format!("API URL {base:?} is not a valid URL ({e}); expected e.g. https://<sub>.it-cpi018.cfapps.eu10.hana.ondemand.com"))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(CpiError::Config(format!(
                "API URL {base:?} must be an http(s) URL with a host"
            )));
        }
        if let Auth::OAuth { token_url, .. } = &conn.auth {
            url::Url::parse(token_url)
                .map_err(|e| CpiError::Config(format!("token URL {token_url:?} is not a valid URL ({e})")))?;
        }
        let mut builder = reqwest::Client::builder()
            .connect_timeout(conn.limits.connect_timeout)
            .pool_max_idle_per_host(conn.limits.max_concurrency.max(1) * 2)
            .redirect(super::origin::redirect_policy())
            .user_agent(concat!("cpitop/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &conn.ca_bundle {
            let pem = std::fs::read(path)
                .map_err(|e| CpiError::Config(format!("cannot read CA bundle {}: {e}", path.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| CpiError::Config(format!("CA bundle {} is not PEM: {e}", path.display())))?;
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .build()
            .map_err(|e| CpiError::Config(format!("cannot set up HTTPS: {e}")))?;
        let root = format!("{base}/api/v1");
        let origin = super::origin::ServiceRoot::new(&root)
            .map_err(|e| CpiError::Config(format!("API URL {base:?} is not a valid URL ({e})")))?;
        let t = Transport {
            http,
            origin,
            limiter: Limiter::new(&conn.limits),
            conn,
            root,
            stats: Stats::default(),
            auth: AuthState::default(),
            skew_ms: AtomicI64::new(0),
            no_select: std::sync::Mutex::default(),
        };
        Ok(CpiClient {
            inner: Arc::new(Inner {
                t,
                queue_api: AtomicU8::new(0),
                mpl,
                in_flight_by_status: AtomicBool::new(false),
                parties_by_eq: AtomicBool::new(false),
            }),
        })
    }

    pub(crate) fn t(&self) -> &Transport {
        &self.inner.t
    }

    /// The tenant's display name (profile name).
    pub fn name(&self) -> &str {
        &self.inner.t.conn.name
    }

    /// The service root, `base_url + "/api/v1"`.
    pub fn service_root(&self) -> &str {
        &self.inner.t.root
    }

    /// A snapshot of the request counters (cheap; call per frame if you like).
    pub fn stats(&self) -> ClientStats {
        self.inner.t.stats.snapshot()
    }

    /// The tenant's clock now, epoch ms (local clock corrected by the server's `Date` header).
    pub fn server_now(&self) -> i64 {
        self.inner.t.server_now()
    }

    /// Whether an OAuth token is cached right now.
    pub async fn has_token(&self) -> bool {
        self.inner.t.auth.has_token().await
    }

    /// The queue API detected so far (`None` before the first queue call).
    pub fn queue_api(&self) -> Option<QueueApiKind> {
        match self.inner.queue_api.load(Ordering::Relaxed) {
            1 => Some(QueueApiKind::Classic),
            2 => Some(QueueApiKind::Messaging),
            _ => None,
        }
    }

    /// Force a queue API instead of detecting it.
    pub fn set_queue_api(&self, kind: QueueApiKind) {
        let v = match kind {
            QueueApiKind::Classic => 1,
            QueueApiKind::Messaging => 2,
        };
        self.inner.queue_api.store(v, Ordering::Relaxed);
    }

    pub fn mpl_options(&self) -> &MplLoadOptions {
        &self.inner.mpl
    }
}
