//! From the command line to a tenant and its monitors: the configured tenant, or with `--demo` an
//! in-process simulated tenant (with [`DEMO_MONITORS`] when the config defines none).

use std::path::{Path, PathBuf};

use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::args::GlobalArgs;
use crate::config::{Config, Paths};
use crate::cpi::CpiClient;
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
    Ok(Target {
        tenant: profile.name.clone(),
        client,
        monitors,
        state_dir: Some(paths.state_dir.clone()),
        notes,
        sim: None,
        errors: config.errors.clone(),
    })
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
        assert!(n.artifacts && n.queues && n.broker && n.keystore && n.health);
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
