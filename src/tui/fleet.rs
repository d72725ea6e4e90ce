//! The overview runner: every configured tenant read at once, in the background, for the
//! Tenants pane — one task per tenant, each with its own client (its own limiter and request
//! budget, `cpi::limiter`), its own interval and a time limit per round, so one tenant that does
//! not answer never slows or blocks another. Each round is a few lean requests
//! (`resources::overview`); the open tenant's round leaves out what its panes poll anyway.
//!
//! The clients are kept in a [`Pool`] shared with tenant switching: switching to a tenant the
//! overview already reads reuses its client (no second secret command, one limiter per tenant),
//! and the open tenant's client serves its overview.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::app::msg::{FleetMsg, FleetPlan, Msg};
use crate::app::tenant::TenantConfig;
use crate::cpi::client::CpiClient;
use crate::cpi::conn::TenantConn;
use crate::kit::tenant::TenantInfo;
use crate::resources::overview::{self, OverviewPlan};

/// The longest one overview round may take; then its parts count as not answered.
pub const ROUND_TIMEOUT: Duration = Duration::from_secs(45);
/// The DLQs' messages (their oldest) are read every this many rounds.
pub const DLQ_EVERY: u64 = 5;
/// The keystore is read every this many rounds.
pub const KEYSTORE_EVERY: u64 = 10;
/// How often the tenants' request rates are reported.
const RATES_EVERY: Duration = Duration::from_secs(2);

/// Clients by tenant, with the connection each was built from.
pub type Pool = Arc<Mutex<HashMap<String, (CpiClient, TenantConn)>>>;

/// A tenant of `--demo`: a simulated tenant's connection and what the TUI shows of it.
#[derive(Clone)]
pub struct DemoTenant {
    pub info: TenantInfo,
    pub conn: TenantConn,
    pub alerts: Option<Arc<crate::panes::alerts::AlertsLaunch>>,
    pub errors: Option<Arc<crate::panes::errors::ErrorsLaunch>>,
}

/// Where tenants' connections come from.
#[derive(Clone)]
pub enum Source {
    /// The config: a tenant's secret is resolved on a blocking thread.
    Config(Arc<TenantConfig>),
    /// `--demo`'s simulated tenants.
    Demo(Arc<Vec<DemoTenant>>),
}

/// The client of `name` from the pool, or a new one from `source` (then pooled).
pub async fn client_of(name: &str, source: &Source, pool: &Pool) -> Result<CpiClient, String> {
    if let Some((c, _)) = lock(pool).get(name) {
        return Ok(c.clone());
    }
    let conn = match source {
        Source::Demo(list) => list
            .iter()
            .find(|d| d.conn.name == name)
            .map(|d| d.conn.clone())
            .ok_or_else(|| format!("no simulated tenant {name}"))?,
        Source::Config(tc) => {
            let tc = tc.clone();
            let n = name.to_string();
            let resolve = tokio::task::spawn_blocking(move || {
                let mut p = tc.config.tenant(&n).map_err(|e| e.to_string())?.clone();
                p.read_only |= tc.force_read_only;
                p.to_conn_quiet().map(|(c, _)| c).map_err(|e| e.to_string())
            });
            // A secret command has its own limit (60 s by default); this only bounds the wait.
            match tokio::time::timeout(Duration::from_secs(90), resolve).await {
                Ok(Ok(r)) => r?,
                Ok(Err(e)) => return Err(format!("resolving the tenant failed: {e}")),
                Err(_) => return Err("resolving the tenant's secret did not finish within 90s".into()),
            }
        }
    };
    let client = CpiClient::new(conn.clone()).map_err(|e| e.to_string())?;
    let mut pool = lock(pool);
    // Switching may have built one meanwhile: one client per tenant.
    let (c, _) = pool.entry(name.to_string()).or_insert((client, conn));
    Ok(c.clone())
}

pub fn lock(pool: &Pool) -> std::sync::MutexGuard<'_, HashMap<String, (CpiClient, TenantConn)>> {
    pool.lock().unwrap_or_else(|p| p.into_inner())
}

/// What one tenant's task is told.
#[derive(Debug, Clone, PartialEq)]
struct Params {
    on: bool,
    interval: Duration,
    window_ms: i64,
    skip_artifacts: bool,
    skip_queues: bool,
}

struct Member {
    params: watch::Sender<Params>,
    refresh: Arc<Notify>,
    cancel: CancellationToken,
}

/// The running overview tasks.
pub struct Fleet {
    tx: mpsc::Sender<Msg>,
    source: Option<Source>,
    pool: Pool,
    members: HashMap<String, Member>,
    rates: Option<CancellationToken>,
}

impl Fleet {
    pub fn new(tx: mpsc::Sender<Msg>) -> Self {
        Self {
            tx,
            source: None,
            pool: Pool::default(),
            members: HashMap::new(),
            rates: None,
        }
    }

    pub fn set_source(&mut self, source: Option<Source>) {
        self.source = source;
    }
    pub fn source(&self) -> Option<Source> {
        self.source.clone()
    }
    pub fn pool(&self) -> Pool {
        self.pool.clone()
    }

    /// The open tenant's client serves its overview too (one limiter per tenant).
    pub fn adopt(&self, name: &str, client: CpiClient, conn: TenantConn) {
        lock(&self.pool).insert(name.to_string(), (client, conn));
    }

    /// Start, retune and stop tenants' tasks to match `plan`.
    pub fn apply(&mut self, plan: &FleetPlan) {
        let Some(source) = self.source.clone() else { return };
        for (name, interval_ms) in &plan.tenants {
            let current = *name == plan.current;
            let p = Params {
                on: plan.on,
                interval: Duration::from_millis((*interval_ms).max(500)),
                window_ms: plan.window_ms,
                skip_artifacts: current && plan.skip_artifacts,
                skip_queues: current && plan.skip_queues,
            };
            match self.members.get(name) {
                Some(m) => {
                    if *m.params.borrow() != p {
                        let _ = m.params.send(p);
                    }
                }
                None => {
                    let m = self.spawn(name, p, source.clone());
                    self.members.insert(name.clone(), m);
                }
            }
        }
        let names: Vec<String> = self.members.keys().cloned().collect();
        for n in names {
            if !plan.tenants.iter().any(|(t, _)| *t == n)
                && let Some(m) = self.members.remove(&n)
            {
                m.cancel.cancel();
            }
        }
        match (plan.on, &self.rates) {
            (true, None) => self.rates = Some(self.spawn_rates()),
            (false, Some(_)) => {
                if let Some(c) = self.rates.take() {
                    c.cancel();
                }
            }
            _ => {}
        }
    }

    /// Read every tenant now (`r` on the Tenants pane).
    pub fn refresh(&self) {
        for m in self.members.values() {
            m.refresh.notify_one();
        }
    }

    pub fn stop(&mut self) {
        for (_, m) in self.members.drain() {
            m.cancel.cancel();
        }
        if let Some(c) = self.rates.take() {
            c.cancel();
        }
    }

    fn spawn(&self, name: &str, p: Params, source: Source) -> Member {
        let (ptx, prx) = watch::channel(p);
        let refresh = Arc::new(Notify::new());
        let cancel = CancellationToken::new();
        let task = Task {
            name: name.to_string(),
            source,
            pool: self.pool.clone(),
            params: prx,
            refresh: refresh.clone(),
            cancel: cancel.clone(),
            tx: self.tx.clone(),
        };
        tokio::spawn(task.run());
        Member {
            params: ptx,
            refresh,
            cancel,
        }
    }

    fn spawn_rates(&self) -> CancellationToken {
        let cancel = CancellationToken::new();
        let (pool, tx, stop) = (self.pool.clone(), self.tx.clone(), cancel.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(RATES_EVERY);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = every.tick() => {}
                }
                let rates: Vec<(String, f64)> = lock(&pool)
                    .iter()
                    .map(|(n, (c, _))| (n.clone(), c.stats().requests_per_minute as f64))
                    .collect();
                if let Err(mpsc::error::TrySendError::Closed(_)) =
                    tx.try_send(Msg::Fleet(FleetMsg::Rates(rates)))
                {
                    return;
                }
            }
        });
        cancel
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.stop();
    }
}

struct Task {
    name: String,
    source: Source,
    pool: Pool,
    params: watch::Receiver<Params>,
    refresh: Arc<Notify>,
    cancel: CancellationToken,
    tx: mpsc::Sender<Msg>,
}

impl Task {
    async fn run(mut self) {
        let mut round = 0u64;
        let mut failures = 0u32;
        let mut next = Instant::now();
        loop {
            let p = self.params.borrow_and_update().clone();
            if p.on && Instant::now() >= next {
                let ok = tokio::select! {
                    _ = self.cancel.cancelled() => return,
                    ok = self.round(&p, round) => ok,
                };
                round += 1;
                failures = if ok { 0 } else { failures + 1 };
                next = Instant::now() + super::poll::backoff(p.interval, failures);
            }
            let wait = match p.on {
                true => next.saturating_duration_since(Instant::now()),
                false => Duration::from_secs(3600),
            };
            tokio::select! {
                _ = self.cancel.cancelled() => return,
                _ = tokio::time::sleep(wait) => {}
                _ = self.refresh.notified() => next = Instant::now(),
                changed = self.params.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    // Something the last round left out is wanted now (the open tenant's panes
                    // stopped polling it, or the overview was switched on): read it at once.
                    let now = self.params.borrow().clone();
                    if (now.on && !p.on)
                        || (p.skip_artifacts && !now.skip_artifacts)
                        || (p.skip_queues && !now.skip_queues)
                    {
                        next = Instant::now();
                    }
                }
            }
        }
    }

    /// One round; `true` when the tenant answered something.
    async fn round(&self, p: &Params, round: u64) -> bool {
        let client = match client_of(&self.name, &self.source, &self.pool).await {
            Ok(c) => c,
            Err(error) => {
                tracing::warn!(tenant = %self.name, %error, "overview: no connection");
                let _ = self
                    .tx
                    .send(Msg::Fleet(FleetMsg::NotConnected {
                        tenant: self.name.clone(),
                        error,
                    }))
                    .await;
                return false;
            }
        };
        let plan = OverviewPlan {
            artifacts: !p.skip_artifacts,
            failed_window_ms: Some(p.window_ms),
            queues: !p.skip_queues,
            dlq_messages: !p.skip_queues && round % DLQ_EVERY == 0,
            keystore: round % KEYSTORE_EVERY == 0,
        };
        let fetched = match tokio::time::timeout(
            ROUND_TIMEOUT,
            overview::fetch(&client, &plan, client.server_now()),
        )
        .await
        {
            Ok(f) => f,
            Err(_) => crate::panes::tenants::get::timed_out(&plan, ROUND_TIMEOUT),
        };
        let ok = fetched.any_ok();
        if !ok && let Some(e) = fetched.errors().first() {
            tracing::info!(tenant = %self.name, error = %e, "overview round failed");
        }
        let msg = Msg::Fleet(FleetMsg::Round {
            tenant: self.name.clone(),
            fetched,
            per_minute: client.stats().requests_per_minute as f64,
        });
        let _ = self.tx.send(msg).await;
        ok
    }
}
