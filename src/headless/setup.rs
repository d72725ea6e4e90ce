//! From the command line to a tenant and its monitors: the configured tenant, or with `--demo` an
//! in-process simulated tenant (with [`DEMO_MONITORS`] when the config defines none).

use std::path::{Path, PathBuf};

use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::args::GlobalArgs;
use crate::config::{Config, Paths};
use crate::cpi::CpiClient;
use crate::landscape::{Landscape, TenantRef};
use crate::monitor::MonitorsConfig;
use crate::sim::{SimConfig, SimHandle};

/// The monitors `--demo` uses when the config file defines none (`[monitors]` syntax).
pub const DEMO_MONITORS: &str = r#"
interval = "30s"
[[defaults]]
key = "stopped"
name = "iFlow not started"
rules = [{ kind = "not_started" }]
[[defaults]]
key = "failures"
name = "Failed messages"
rules = [{ kind = "failures", at_least = 5, within = "15m" }]
[[defaults]]
key = "dlq"
name = "Dead-letter queues"
rules = [{ kind = "dlq_not_empty" }]
[[defaults]]
key = "blocked"
name = "Blocked queue messages"
rules = [{ kind = "blocked_messages" }]
[[defaults]]
key = "broker"
name = "JMS broker capacity"
rules = [{ kind = "broker_capacity" }]
[[defaults]]
key = "certs"
name = "Certificates"
rules = [{ kind = "cert_expiry", within = "30d" }]
[[defaults]]
key = "tenant"
name = "Tenant reachable"
rules = [{ kind = "tenant_unreachable", for = "5m" }]
[[defaults]]
key = "drift"
name = "Version drift"
rules = [{ kind = "version_drift", for = "1d" }]
"#;

/// What `check`/`watch` run against.
pub struct Target {
    pub tenant: String,
    pub client: CpiClient,
    pub monitors: MonitorsConfig,
    /// Where monitor state, artifact tracker and tenant health are kept (`None` for `--demo`:
    /// the simulated tenant is new on every run).
    pub state_dir: Option<PathBuf>,
    /// Things the user should know (e.g. "demo monitors used"), shown with the output.
    pub notes: Vec<String>,
    /// Keeps the `--demo` tenant running.
    pub sim: Option<SimHandle>,
    /// `[errors]` of the config: the error-text budget, custom statuses that count, rules.
    pub errors: crate::config::ErrorsConfig,
    /// The tenant's landscape (its tenants in promotion order) and how to reach the others:
    /// `version_drift` compares their artifact lists. `None`: not known here (`--demo`).
    pub landscape: Option<Landscape>,
    pub peers: Vec<Peer>,
}

/// Another tenant of the landscape, connected only when a rule reads it.
pub struct Peer {
    pub tenant: TenantRef,
    pub conn: PeerConn,
}

pub enum PeerConn {
    /// A configured tenant: its secret is resolved when needed (a command may run).
    Profile(Box<crate::config::Profile>),
    /// A tenant already connected (another target of `check --all-tenants`, `--demo`).
    Client(CpiClient),
}

impl Peer {
    /// The peer's client (resolving its secret on a blocking thread).
    pub async fn client(&self) -> Result<CpiClient, String> {
        match &self.conn {
            PeerConn::Client(c) => Ok(c.clone()),
            PeerConn::Profile(p) => {
                let p = p.clone();
                let task = tokio::task::spawn_blocking(move || {
                    let (conn, _) = p.to_conn_quiet().map_err(|e| e.to_string())?;
                    CpiClient::new(conn).map_err(|e| e.to_string())
                });
                match tokio::time::timeout(RESOLVE_TIMEOUT, task).await {
                    Ok(Ok(r)) => r,
                    Ok(Err(e)) => Err(format!("resolving the tenant failed: {e}")),
                    Err(_) => Err(format!(
                        "resolving the tenant's secret did not finish within {}s",
                        RESOLVE_TIMEOUT.as_secs()
                    )),
                }
            }
        }
    }
}

/// The longest a tenant's secret may take to resolve (its command has its own limit).
pub const RESOLVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);

/// The landscape of `name` among the configured tenants, and its other tenants as peers.
fn landscape_of(config: &Config, name: &str, force_read_only: bool) -> (Option<Landscape>, Vec<Peer>) {
    let refs: Vec<TenantRef> = config.tenants.iter().map(TenantRef::of).collect();
    let Some(l) = crate::landscape::landscape_of(&refs, name) else {
        return (None, Vec::new());
    };
    let peers = l
        .tenants
        .iter()
        .filter(|t| t.name != name)
        .filter_map(|t| {
            let mut p = config.tenant(&t.name).ok()?.clone();
            p.read_only |= force_read_only;
            Some(Peer {
                tenant: t.clone(),
                conn: PeerConn::Profile(Box::new(p)),
            })
        })
        .collect();
    (Some(l), peers)
}

/// Type the config file's `[monitors]` table and validate it. Errors name the file.
pub fn monitors_from_table(table: &toml::Table, file: Option<&Path>) -> Result<MonitorsConfig> {
    // One implementation for the TUI, `check`/`watch` and `config check`.
    crate::config::monitors::typed_monitors(table, file).map_err(|e| eyre!("{e}"))
}

fn has_monitors(cfg: &MonitorsConfig, tenant: &str) -> bool {
    cfg.monitors_for(tenant).iter().any(|m| m.active)
}

/// Resolve the tenant, its client and monitors. Must run inside the tokio runtime (`--demo`
/// starts the simulated tenant on it).
pub async fn prepare(global: &GlobalArgs, paths: &Paths) -> Result<Target> {
    if global.demo {
        return prepare_demo(paths, global.demo_seed()).await;
    }
    let config = Config::load(paths)?;
    let profile = config.select(global.tenant.as_deref(), None)?;
    let (conn, warnings) = profile.to_conn()?;
    let monitors = monitors_from_table(&config.monitors, config.file.as_deref())?;
    let mut notes: Vec<String> = config
        .warnings
        .iter()
        .chain(&warnings)
        .map(|w| w.to_string())
        .collect();
    if !has_monitors(&monitors, &profile.name) {
        notes.push(format!(
            "no active monitors for tenant {} in {}; add [[monitors.defaults]] (see README)",
            profile.name,
            paths.config_file.display()
        ));
    }
    let client = CpiClient::new(conn).map_err(|e| eyre!("{e}"))?;
    let (landscape, peers) = landscape_of(&config, &profile.name, global.read_only);
    Ok(Target {
        tenant: profile.name.clone(),
        client,
        monitors,
        state_dir: Some(paths.state_dir.clone()),
        notes,
        sim: None,
        errors: config.errors.clone(),
        landscape,
        peers,
    })
}

/// `check --all-tenants`: every configured tenant (or `--demo`'s landscape of three) as a
/// target, each tenant's secret resolved on its own blocking thread; a tenant that cannot be
/// set up is `Err((tenant, why))`, not an error of the whole check.
pub async fn prepare_all(
    global: &GlobalArgs,
    paths: &Paths,
) -> Result<Vec<Result<Target, (String, String)>>> {
    if global.demo {
        return prepare_demo_landscape(paths, global.demo_seed()).await;
    }
    let config = Config::load(paths)?;
    if config.tenants.is_empty() {
        return Err(eyre!(
            "no tenants are configured in {} (cpitop config init writes a starter config)",
            paths.config_file.display()
        ));
    }
    let monitors = monitors_from_table(&config.monitors, config.file.as_deref())?;
    let notes: Vec<String> = config.warnings.iter().map(|w| w.to_string()).collect();
    let config = std::sync::Arc::new(config);
    let one = |name: String| {
        let (config, monitors, notes) = (config.clone(), monitors.clone(), notes.clone());
        let (state_dir, file) = (paths.state_dir.clone(), paths.config_file.clone());
        let read_only = global.read_only;
        async move {
            let resolve = {
                let (config, name) = (config.clone(), name.clone());
                tokio::task::spawn_blocking(move || -> Result<(CpiClient, Vec<String>), String> {
                    let mut p = config.tenant(&name).map_err(|e| e.to_string())?.clone();
                    p.read_only |= read_only;
                    let (conn, warnings) = p.to_conn_quiet().map_err(|e| e.to_string())?;
                    let client = CpiClient::new(conn).map_err(|e| e.to_string())?;
                    Ok((client, warnings.iter().map(|w| w.to_string()).collect()))
                })
            };
            let (client, warnings) = match tokio::time::timeout(RESOLVE_TIMEOUT, resolve).await {
                Ok(Ok(Ok(x))) => x,
                Ok(Ok(Err(e))) => return Err((name, e)),
                Ok(Err(e)) => return Err((name, format!("resolving the tenant failed: {e}"))),
                Err(_) => {
                    return Err((
                        name,
                        format!(
                            "resolving the tenant's secret did not finish within {}s",
                            RESOLVE_TIMEOUT.as_secs()
                        ),
                    ));
                }
            };
            let mut notes = notes;
            notes.extend(warnings);
            if !has_monitors(&monitors, &name) {
                notes.push(format!(
                    "no active monitors for tenant {name} in {}; add [[monitors.defaults]] (see README)",
                    file.display()
                ));
            }
            let (landscape, peers) = landscape_of(&config, &name, read_only);
            Ok(Target {
                tenant: name,
                client,
                monitors,
                state_dir: Some(state_dir),
                notes,
                sim: None,
                errors: config.errors.clone(),
                landscape,
                peers,
            })
        }
    };
    let names: Vec<String> = config.tenants.iter().map(|p| p.name.clone()).collect();
    Ok(futures_util::future::join_all(names.into_iter().map(one)).await)
}

/// `check --demo --all-tenants`: the demo landscape's three simulated tenants.
async fn prepare_demo_landscape(paths: &Paths, seed: u64) -> Result<Vec<Result<Target, (String, String)>>> {
    let config = Config::load_or_empty(paths)?;
    let members = crate::landscape::demo::spawn(seed, |c| SimConfig {
        history: std::time::Duration::from_secs(2 * 3600),
        ..c
    })
    .await
    .map_err(|e| eyre!("{e}"))?;
    let table: toml::Table = toml::from_str(DEMO_MONITORS).wrap_err("built-in demo monitors")?;
    let monitors = monitors_from_table(&table, None)?;
    let refs: Vec<TenantRef> = members.iter().map(|m| m.tenant.clone()).collect();
    let clients: Vec<Result<CpiClient, String>> = members
        .iter()
        .map(|m| CpiClient::new(m.sim.demo_conn(&m.tenant.name)).map_err(|e| e.to_string()))
        .collect();
    let mut out = Vec::new();
    for (i, m) in members.into_iter().enumerate() {
        let name = m.tenant.name.clone();
        let client = match &clients[i] {
            Ok(c) => c.clone(),
            Err(e) => {
                out.push(Err((name, e.clone())));
                continue;
            }
        };
        let peers = refs
            .iter()
            .zip(&clients)
            .filter(|(t, _)| t.name != name)
            .filter_map(|(t, c)| {
                Some(Peer {
                    tenant: t.clone(),
                    conn: PeerConn::Client(c.as_ref().ok()?.clone()),
                })
            })
            .collect();
        out.push(Ok(Target {
            tenant: name.clone(),
            client,
            monitors: monitors.clone(),
            state_dir: None,
            notes: vec![
                "running against the in-process simulated landscape (--demo): demo monitors".to_string(),
            ],
            sim: Some(m.sim),
            errors: config.errors.clone(),
            landscape: crate::landscape::landscape_of(&refs, &name),
            peers,
        }));
    }
    Ok(out)
}

async fn prepare_demo(paths: &Paths, seed: u64) -> Result<Target> {
    const TENANT: &str = "demo";
    let config = Config::load_or_empty(paths)?;
    let configured = monitors_from_table(&config.monitors, config.file.as_deref())?;
    let mut notes = vec!["running against the in-process simulated tenant (--demo)".to_string()];
    let monitors = if has_monitors(&configured, TENANT) {
        configured
    } else {
        notes.push(
            "the config defines no monitors; using the demo set (stopped iFlows, failures, \
             DLQs, blocked messages, broker, certificates, reachability)"
                .to_string(),
        );
        let table: toml::Table = toml::from_str(DEMO_MONITORS).wrap_err("built-in demo monitors")?;
        monitors_from_table(&table, None)?
    };
    let sim = crate::sim::spawn(SimConfig {
        history: std::time::Duration::from_secs(2 * 3600),
        seed,
        ..SimConfig::default()
    })
    .await
    .map_err(|e| eyre!("{e}"))?;
    let conn = sim.demo_conn(TENANT);
    let client = CpiClient::new(conn).map_err(|e| eyre!("{e}"))?;
    Ok(Target {
        tenant: TENANT.to_string(),
        client,
        monitors,
        state_dir: None,
        notes,
        sim: Some(sim),
        errors: config.errors.clone(),
        landscape: None,
        peers: Vec::new(),
    })
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_monitors_are_valid_and_cover_every_area() {
        let table: toml::Table = toml::from_str(DEMO_MONITORS).unwrap();
        let cfg = monitors_from_table(&table, None).unwrap();
        let n = crate::monitor::needs(cfg.monitors_for("demo"));
        assert!(n.artifacts && n.queues && n.broker && n.keystore && n.health && n.landscape);
        assert!(n.message_window.is_some());
    }

    #[test]
    fn monitor_errors_name_the_file() {
        let table: toml::Table =
            toml::from_str("[[defaults]]\nkey = \"x\"\nname = \"X\"\nrules = [{ kind = \"not_startd\" }]\n")
                .unwrap();
        let e = monitors_from_table(&table, Some(Path::new("/etc/cpitop.toml"))).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("/etc/cpitop.toml [monitors]: "), "{text}");
        assert!(text.contains("not_startd"), "{text}");

        let table: toml::Table = toml::from_str("interval = \"1s\"\n").unwrap();
        let e = monitors_from_table(&table, Some(Path::new("/c.toml"))).unwrap_err();
        assert!(e.to_string().contains("too short"), "{e}");
        assert!(monitors_from_table(&toml::Table::new(), None).is_ok());
    }
}
