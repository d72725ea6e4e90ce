//! The simulated CPI tenant: a real HTTP server on loopback speaking the OData v2 API of
//! docs/cpi-api.md, with generated data, a live clock and fault injection.
//!
//! - `server`: hyper accept loop, fault application, request pipeline.
//! - `routing`: OData resource paths (`Set('key')/Nav/$value`) → handlers.
//! - `query`, `filter`: system query options and `$filter`.
//! - `json`: the hand-written JSON writer.
//! - `mpl_gen`, `mpl_store`, `mpl_routes`: messages (generated from `(seed, index)`, an index by
//!   LogEnd, the MPL endpoints).
//! - `artifacts`, `jms`, `keystore`: the other entity sets.
//! - `auth`: OAuth token endpoint, Basic, CSRF. `faults`: fault rules. `admin`: scenario hooks.
//! - `world`: the one state owner behind a mutex; `cli`: `cpitop sim`.

mod admin;
mod artifacts;
mod auth;
mod catalog;
mod cli;
pub mod faults;
pub mod filter;
mod jms;
pub mod json;
mod keystore;
pub mod mpl_gen;
pub mod mpl_navs;
pub mod mpl_routes;
pub mod mpl_store;
pub mod query;
mod reqlog;
mod resp;
mod routing;
mod server;
mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use admin::{SimAdmin, TruthQueueMessage};
pub use cli::{SimArgs, run_cli};
pub use faults::{FaultKind, FaultRule};
pub use mpl_routes::WebLinkForm;
pub use resp::ErrorShape;
pub use world::DownMode;

/// Which queue-list API the tenant answers; the others answer 404, or 501 on a tenant without
/// JMS (`none`: trial tenants answer 501; see `SimConfig::queue_api_absent_status`). The broker
/// (`JmsBrokers`) answers in every case.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum QueueApi {
    /// `Queues` / `JmsMessages`.
    #[default]
    Classic,
    /// `MessagingQueues` / `MessagingMessages`.
    Messaging,
    Both,
    /// Neither queue list (a tenant without JMS in its plan, a trial tenant).
    None,
}

impl QueueApi {
    pub fn classic(self) -> bool {
        matches!(self, QueueApi::Classic | QueueApi::Both)
    }
    pub fn messaging(self) -> bool {
        matches!(self, QueueApi::Messaging | QueueApi::Both)
    }
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    /// 0 = a free port.
    pub port: u16,
    /// Live messages per second (0 = none).
    pub message_rate: f64,
    /// How far back the history reaches.
    pub history: Duration,
    /// Exact number of history messages (spread over `history`) instead of `history × rate`.
    pub history_messages: Option<u64>,
    pub token_lifetime: Duration,
    pub queue_api: QueueApi,
    /// HTTP status of the queue APIs the tenant does not offer; 0 = as real tenants: 501 when it
    /// offers none (trial tenants), else 404 for the one it lacks.
    pub queue_api_absent_status: u16,
    /// Writes need a fetched `X-CSRF-Token`.
    pub require_csrf: bool,
    /// Fault rules active from the start.
    pub faults: Vec<FaultRule>,
    /// Pin the sim clock's start (epoch ms) instead of the real time, for fully reproducible
    /// timestamps in tests.
    pub start_time_ms: Option<i64>,
    /// Turn the real-tenant behaviours off (docs/sim.md): a tenant as clean as the spec, for
    /// benchmarks that need one. Default `false`: the sim is as messy as real tenants.
    pub clean: bool,
    /// Share of messages (0–1) whose `Runs` navigation answers 404, as on tenants without it;
    /// 1 = no message has runs. Ignored when `clean`.
    pub runs_404: f64,
    /// The form of the `AlternateWebLink` of messages.
    pub web_link: mpl_routes::WebLinkForm,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            port: 0,
            message_rate: 3.0,
            history: Duration::from_secs(24 * 3600),
            history_messages: None,
            token_lifetime: Duration::from_secs(3600),
            queue_api: QueueApi::Classic,
            queue_api_absent_status: 0,
            require_csrf: true,
            faults: Vec::new(),
            start_time_ms: None,
            clean: false,
            runs_404: 0.05,
            web_link: mpl_routes::WebLinkForm::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("the simulated tenant could not listen on 127.0.0.1:{port}: {source} (is the port in use?)")]
    Bind { port: u16, source: std::io::Error },
    #[error("invalid simulated tenant configuration: {0}")]
    Config(String),
}

/// A running simulated tenant. Dropping it stops the server.
pub struct SimHandle {
    /// Service root without `/api/v1`, e.g. `http://127.0.0.1:40123`.
    pub base_url: String,
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub username: String,
    pub password: String,
    pub addr: SocketAddr,
    sim: Arc<world::Sim>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    /// A connection profile for this sim: OAuth client credentials against its token endpoint,
    /// default limits (what `--demo`, `get --demo` and `check --demo` use).
    pub fn demo_conn(&self, name: &str) -> crate::cpi::conn::TenantConn {
        crate::cpi::conn::TenantConn {
            name: name.to_string(),
            base_url: self.base_url.clone(),
            auth: crate::cpi::conn::Auth::OAuth {
                token_url: self.token_url.clone(),
                client_id: self.client_id.clone(),
                client_secret: crate::secret::Secret::new(self.client_secret.clone()),
            },
            limits: crate::cpi::conn::Limits::default(),
            ca_bundle: None,
        }
    }
    /// In-process control of the scenario (the same operations as `/sim/admin/...`).
    pub fn admin(&self) -> SimAdmin {
        SimAdmin::new(self.sim.clone())
    }
    /// Stop the server and close its connections.
    pub async fn shutdown(mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
            let _ = t.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// Start a simulated tenant on 127.0.0.1 on the current tokio runtime.
pub async fn spawn(cfg: SimConfig) -> Result<SimHandle, SimError> {
    if !(cfg.message_rate >= 0.0 && cfg.message_rate.is_finite()) {
        return Err(SimError::Config(format!(
            "message_rate must be >= 0, got {}",
            cfg.message_rate
        )));
    }
    if !(0.0..=1.0).contains(&cfg.runs_404) {
        return Err(SimError::Config(format!(
            "runs_404 must be a share between 0 and 1, got {}",
            cfg.runs_404
        )));
    }
    if cfg.history_messages.is_some_and(|n| n > 100_000_000) {
        return Err(SimError::Config(
            "history_messages is limited to 100,000,000".into(),
        ));
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", cfg.port))
        .await
        .map_err(|source| SimError::Bind {
            port: cfg.port,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SimError::Bind {
        port: cfg.port,
        source,
    })?;
    let base_url = format!("http://{addr}");
    let sim = Arc::new(world::Sim::new(cfg, &base_url));
    let creds = sim.creds.clone();
    let task = tokio::spawn(server::serve(listener, sim.clone()));
    tracing::info!(%base_url, "simulated tenant listening");
    Ok(SimHandle {
        token_url: format!("{base_url}/oauth/token"),
        base_url,
        client_id: creds.client_id,
        client_secret: creds.client_secret,
        username: creds.username,
        password: creds.password,
        addr,
        sim,
        task: Some(task),
    })
}
