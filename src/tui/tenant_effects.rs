//! The effect runner's side of the offline cache and of tenant switching: file I/O and secret
//! resolution on blocking threads, results back to the state owner as messages.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc;

use crate::app::cache::{CacheLoaded, CacheSave};
use crate::app::msg::Msg;
use crate::app::tenant::{ClientHandle, TenantConfig, TenantMsg, TenantReady};
use crate::config::{Cache, CacheLoad, Paths};
use crate::cpi::client::CpiClient;
use crate::cpi::odata::EpochMs;
use crate::features::cache::data::{
    self as kinds, CachedArtifacts, CachedErrorTexts, CachedMessages, CachedQueues,
};

/// The runner's bookkeeping of cache saves and tenant switches (its own, not the process's: two
/// runners in one process, as in the tests, never wait for or serialise each other's saves).
pub struct CacheIo {
    tx: mpsc::Sender<Msg>,
    /// Configured tenants and paths (switching, cache); `None` in `--demo`.
    tenants: Option<Arc<TenantConfig>>,
    /// Numbers the client handles of tenant switches (equality of effects).
    serial: u64,
    saves: Arc<Saves>,
    /// Where the overview's clients come from, and the clients (a switch reuses them).
    fleet: Option<super::fleet::Source>,
    pool: super::fleet::Pool,
}

#[derive(Debug, Default)]
struct Saves {
    /// Background saves queued or running; the final save on quit waits for them (bounded).
    in_flight: AtomicUsize,
    /// One save at a time, so an older snapshot never lands after a newer one.
    lock: Mutex<()>,
}

impl Saves {
    /// Write `save` after any save still writing.
    fn write(&self, paths: &Paths, save: CacheSave) {
        let _one_at_a_time = self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        save_now(paths, save);
    }

    /// Wait (up to `timeout`) until background saves are written: the process may end right after.
    fn drain(&self, timeout: Duration) {
        let until = std::time::Instant::now() + timeout;
        while self.in_flight.load(Ordering::SeqCst) > 0 && std::time::Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
/// How long quitting waits for background saves still under way.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(3);

fn system_time(ms: EpochMs) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

fn epoch_ms(t: SystemTime) -> EpochMs {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl CacheIo {
    pub fn new(tx: mpsc::Sender<Msg>) -> Self {
        Self {
            tx,
            tenants: None,
            serial: 0,
            saves: Arc::default(),
            fleet: None,
            pool: super::fleet::Pool::default(),
        }
    }

    /// The overview's source and clients: switching reuses a client the overview already has
    /// (and `--demo` switches between its simulated tenants).
    pub fn set_fleet(&mut self, source: Option<super::fleet::Source>, pool: super::fleet::Pool) {
        self.fleet = source;
        self.pool = pool;
    }

    /// What switching tenants and the cache need (not in `--demo`).
    pub fn set_tenants(&mut self, tenants: Option<Arc<TenantConfig>>) {
        self.tenants = tenants;
    }

    /// `Effect::SaveCache`: off the loop, one save at a time; the save at quit is waited for
    /// (bounded).
    pub fn save(&self, save: Box<CacheSave>) {
        let Some(paths) = self.paths() else { return };
        if save.wait {
            // The save at quit: on its own thread and waited for at most DRAIN_TIMEOUT, so a
            // hung file system cannot keep `q` from exiting.
            let (done_tx, done_rx) = std::sync::mpsc::channel();
            let saves = Arc::clone(&self.saves);
            let started = std::thread::Builder::new()
                .name("cpitop-cache-save".into())
                .spawn(move || {
                    saves.write(&paths, *save);
                    let _ = done_tx.send(());
                });
            if started.is_err() || done_rx.recv_timeout(DRAIN_TIMEOUT).is_err() {
                tracing::warn!("the cache was not saved within {DRAIN_TIMEOUT:?}; quitting without it");
            }
            self.saves.drain(DRAIN_TIMEOUT);
        } else {
            let saves = Arc::clone(&self.saves);
            saves.in_flight.fetch_add(1, Ordering::SeqCst);
            tokio::task::spawn_blocking(move || {
                saves.write(&paths, *save);
                saves.in_flight.fetch_sub(1, Ordering::SeqCst);
            });
        }
    }

    /// `Effect::LoadCache`: read on a blocking thread, answered with `Msg::Cache`.
    pub fn load(&self, tenant: String, url: String, message_rows: usize) {
        let Some(paths) = self.paths() else { return };
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let loaded = load_now(&paths, &tenant, &url, message_rows);
            let _ = tx.blocking_send(Msg::Cache(Box::new(loaded)));
        });
    }

    /// `Effect::SwitchTenant` (the runner has stopped the old tenant's pollers): resolve the
    /// new tenant on a blocking thread (a `*_command` may take a moment), answered with
    /// `Msg::Tenant`.
    pub fn switch(&mut self, name: String) {
        self.serial += 1;
        let serial = self.serial;
        let tx = self.tx.clone();
        let Some(tc) = self.tenants.clone() else {
            let msg = match &self.fleet {
                Some(super::fleet::Source::Demo(list)) => resolve_demo(list, name, serial, &self.pool),
                _ => Msg::Tenant(TenantMsg::Failed {
                    name,
                    error: "no tenants are configured".to_string(),
                }),
            };
            tokio::spawn(async move {
                let _ = tx.send(msg).await;
            });
            return;
        };
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let _ = tx.blocking_send(resolve(&tc, name, serial, &pool));
        });
    }

    fn paths(&self) -> Option<Paths> {
        self.tenants.as_ref().map(|t| t.paths.clone())
    }
}

/// A simulated tenant of `--demo` to switch to (its client from the pool, or a new one).
fn resolve_demo(
    list: &[super::fleet::DemoTenant],
    name: String,
    serial: u64,
    pool: &super::fleet::Pool,
) -> Msg {
    let Some(d) = list.iter().find(|d| d.info.name == name) else {
        return Msg::Tenant(TenantMsg::Failed {
            name: name.clone(),
            error: format!("no simulated tenant {name}"),
        });
    };
    let pooled = super::fleet::lock(pool).get(&name).cloned();
    let (client, conn) = match pooled {
        Some(x) => x,
        None => match CpiClient::new(d.conn.clone()) {
            Ok(c) => {
                super::fleet::lock(pool).insert(name.clone(), (c.clone(), d.conn.clone()));
                (c, d.conn.clone())
            }
            Err(e) => {
                return Msg::Tenant(TenantMsg::Failed {
                    name,
                    error: e.to_string(),
                });
            }
        },
    };
    let defaults = crate::config::MessageWindow::default();
    crate::app::tenant::ready_msg(TenantReady {
        name: name.clone(),
        info: d.info.clone(),
        intervals: crate::app::state::Intervals::default(),
        window_ms: i64::try_from(defaults.window.as_millis()).unwrap_or(3_600_000),
        max_rows: defaults.max_rows,
        cache_rows: 0,
        client: ClientHandle {
            client,
            conn,
            tenant: name,
            alerts: d.alerts.clone(),
            errors: d.errors.clone(),
            serial,
        },
        warnings: Vec::new(),
    })
}

/// Resolve the secret and build the client of tenant `name` (blocking: may run a command); a
/// client the overview already uses for it is reused.
fn resolve(tc: &TenantConfig, name: String, serial: u64, pool: &super::fleet::Pool) -> Msg {
    let failed = |error: String| {
        Msg::Tenant(TenantMsg::Failed {
            name: name.clone(),
            error,
        })
    };
    let pooled = super::fleet::lock(pool).get(&name).cloned();
    let (profile, conn, warnings, client) = match pooled {
        Some((client, conn)) => {
            let mut profile = match tc.config.tenant(&name) {
                Ok(p) => p.clone(),
                Err(e) => return failed(e.to_string()),
            };
            profile.read_only |= tc.force_read_only;
            let mut warnings = Vec::new();
            if let Err(e) = crate::config::state::remember_tenant(&tc.paths, &profile.name) {
                warnings.push(crate::config::Warning::new(
                    crate::config::WarningKind::State,
                    format!("cannot remember the last used tenant: {e}"),
                ));
            }
            (profile, conn, warnings, client)
        }
        None => {
            let (profile, conn, warnings) =
                match crate::config::switch_tenant(&tc.paths, &tc.config, &name, tc.force_read_only) {
                    Ok(x) => x,
                    Err(e) => return failed(e.to_string()),
                };
            let client = match CpiClient::new(conn.clone()) {
                Ok(c) => c,
                Err(e) => return failed(e.to_string()),
            };
            let mut pool = super::fleet::lock(pool);
            let (client, _) = pool.entry(name.clone()).or_insert((client, conn.clone())).clone();
            (profile, conn, warnings, client)
        }
    };
    let (info, intervals, window_ms) =
        crate::app::tenant::setup_of(&profile, tc.force_read_only, &conn.base_url);
    let (alerts, alert_warnings) =
        crate::panes::alerts::AlertsLaunch::from_config(&tc.config, &profile.name, Some(&tc.paths.state_dir));
    let mut warnings: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
    warnings.extend(alert_warnings);
    let (errors, notice) =
        super::errors_io::errors_launch(&tc.config.errors, &profile.name, Some(&tc.paths.state_dir));
    warnings.extend(notice);
    crate::app::tenant::ready_msg(TenantReady {
        name: profile.name.clone(),
        info,
        intervals,
        window_ms,
        max_rows: profile.messages.max_rows,
        cache_rows: profile.messages.cache_rows,
        client: ClientHandle {
            client,
            conn,
            tenant: profile.name.clone(),
            alerts: Some(std::sync::Arc::new(alerts)),
            errors: Some(std::sync::Arc::new(errors)),
            serial,
        },
        warnings,
    })
}

/// Write what a save request carries; failures are logged (the cache is a convenience). The
/// runner calls it one save at a time.
pub fn save_now(paths: &Paths, save: CacheSave) {
    if save.artifacts.is_none() && save.queues.is_none() && save.messages.is_none() && save.errors.is_none() {
        return;
    }
    let cache = Cache::for_tenant(paths, &save.tenant, &save.url);
    let mut results = Vec::new();
    if let Some((at, items)) = &save.artifacts {
        results.push(cache.save_at(kinds::ARTIFACTS, items, system_time(*at)));
    }
    if let Some((at, q)) = &save.queues {
        results.push(cache.save_at(kinds::QUEUES, q, system_time(*at)));
    }
    if let Some((at, store, rows)) = &save.messages {
        let cached = CachedMessages::of(store, *rows);
        results.push(cache.save_at(kinds::MESSAGES, &cached, system_time(*at)));
    }
    if let Some(errors) = &save.errors {
        results.push(cache.save(kinds::ERROR_TEXTS, errors));
    }
    for r in results {
        if let Err(e) = r {
            tracing::warn!(tenant = %save.tenant, "{e}");
        }
    }
}

/// Read the cache of tenant `tenant` at API URL `url` and decode it for the state (blocking).
/// Files of the older name-only layout are deleted: they may hold another URL's data.
pub fn load_now(paths: &Paths, tenant: &str, url: &str, message_rows: usize) -> CacheLoaded {
    let cache = Cache::for_tenant(paths, tenant, url);
    cache.remove_name_only_files();
    let mut out = CacheLoaded {
        tenant: tenant.to_string(),
        ..CacheLoaded::default()
    };
    fn take<T>(l: CacheLoad<T>, warnings: &mut Vec<String>) -> Option<(EpochMs, T)> {
        match l {
            CacheLoad::Found { value, saved_at } => Some((epoch_ms(saved_at), value)),
            CacheLoad::Missing => None,
            CacheLoad::Ignored(w) => {
                warnings.push(w.message);
                None
            }
        }
    }
    out.artifacts = take(cache.load::<CachedArtifacts>(kinds::ARTIFACTS), &mut out.warnings);
    out.queues = take(cache.load::<CachedQueues>(kinds::QUEUES), &mut out.warnings)
        .map(|(at, q)| (at, q.into_snapshot()));
    if message_rows > 0 {
        let msgs = take(cache.load::<CachedMessages>(kinds::MESSAGES), &mut out.warnings);
        if let Some((at, mut m)) = msgs {
            m.rows.truncate(message_rows);
            match m.to_batch() {
                Ok(b) => out.messages = Some((at, b)),
                Err(e) => {
                    let _ = std::fs::remove_file(cache.file(kinds::MESSAGES));
                    let w = format!(
                        "cached messages of tenant `{tenant}` ignored: {} is corrupt ({e}); it will be rebuilt from the tenant",
                        cache.file(kinds::MESSAGES).display()
                    );
                    tracing::warn!("{w}");
                    out.warnings.push(w);
                }
            }
        }
    }
    out.errors = take(
        cache.load::<CachedErrorTexts>(kinds::ERROR_TEXTS),
        &mut out.warnings,
    )
    .map(|(_, e)| e);
    tracing::info!(
        tenant,
        artifacts = out.artifacts.is_some(),
        queues = out.queues.is_some(),
        messages = out.messages.as_ref().map_or(0, |(_, b)| b.len()),
        "cache read"
    );
    out
}
