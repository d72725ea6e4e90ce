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
mod config;
mod dispatch;
pub mod faults;
pub mod filter;
mod jms;
pub mod json;
mod keystore;
pub mod mpl_errors;
pub mod mpl_flow;
pub mod mpl_gen;
pub mod mpl_navs;
pub mod mpl_routes;
pub mod mpl_store;
pub mod query;
mod reqlog;
mod resp;
mod routing;
mod server;
mod state;
mod world;

use std::net::SocketAddr;
use std::sync::Arc;

pub use admin::{SimAdmin, TruthQueueMessage};
pub use cli::{SimArgs, run_cli};
pub use config::{ArtifactChange, Change, QueueApi, SIM_SUITE_ROOT, SimConfig, Stage, WebLinkForm};
pub use faults::{FaultKind, FaultRule};
pub use resp::ErrorShape;
pub use world::DownMode;

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
