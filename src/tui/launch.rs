//! From the command line to a running TUI: the configured tenant (`cpitop`) or the in-process
//! simulated one (`cpitop --demo`). Both end in the same `run::run` with a real `CpiClient`.

use color_eyre::eyre::{Result, WrapErr, eyre};

use super::audit::{AuditLog, Identity};
use super::run::{Session, run};
use super::writes::WriteSetup;
use crate::app::state::{Intervals, TenantInfo};
use crate::args::GlobalArgs;
use crate::config::{Config, Paths};
use crate::cpi::client::CpiClient;
use crate::cpi::conn::TenantConn;
use crate::features::extend::Extensions;
use crate::kit::keymap::Keymap;
use crate::kit::widgets::theme::{ColorLevel, Theme};

/// The web UI root guessed from a CF API host (`crate::cpi::weblink::guess_root`): the last
/// resort, after `web_ui_url` in the config and the root learned from the tenant's own links.
pub fn web_ui_root(api_base: &str) -> Option<String> {
    crate::cpi::weblink::guess_root(api_base)
}

/// How long quitting waits for blocking file work still under way (cache loads and saves) once the
/// TUI has ended; dropping the runtime would wait for it without a bound.
const QUIT_IO_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")
}

/// The TUI draws on stdout: refuse plainly when it is not a terminal (a pipe, a file, cron).
fn ensure_terminal() -> Result<()> {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        return Ok(());
    }
    Err(eyre!(
        "cpitop's terminal UI needs a terminal, but stdout is not one (a pipe or a file?). \
         For scripts use `cpitop get artifacts|messages|queues|message GUID` (see `cpitop get --help`)"
    ))
}

fn export_dir() -> std::path::PathBuf {
    std::env::current_dir().unwrap_or_else(|_| std::env::temp_dir())
}

/// `cpitop` with a configured tenant.
pub fn launch(global: &GlobalArgs) -> Result<()> {
    if global.demo {
        return launch_demo(global, global.demo_seed());
    }
    let paths = Paths::from_env(global.config.as_deref())?;
    let _log = crate::config::logging::init(&paths, global.log_level.as_deref())?;
    let config = Config::load(&paths)?;
    let last = crate::config::state::last_tenant(&paths);
    let profile = config.select(global.tenant.as_deref(), last.as_deref())?;
    // A tenant whose secret is missing (a variable not set, a command failing): the TUI opens
    // anyway, says what is missing and offers `:ctx` to switch (other tenants may be fine).
    let (conn, conn_warnings, unusable) = match profile.to_conn() {
        Ok((conn, warnings)) => (Some(conn), warnings, None),
        Err(crate::config::ConfigError::Secret { tenant, message }) => {
            tracing::warn!("tenant `{tenant}`: {message}");
            // The banner's one line: what is missing (the log has the advice after it).
            let what = message.split(';').next().unwrap_or(&message).trim().to_string();
            (None, Vec::new(), Some(what))
        }
        Err(e) => return Err(e.into()),
    };
    if let Err(e) = crate::config::state::remember_tenant(&paths, &profile.name) {
        tracing::warn!(
            "cannot remember the tenant in {}: {e}",
            paths.state_file().display()
        );
    }
    let (ui, mut warnings) = ui_setup(&config);
    warnings.extend(config.warnings.iter().map(|w| w.to_string()));
    warnings.extend(conn_warnings.iter().map(|w| w.to_string()));
    let (mut alerts, alert_warnings) =
        crate::panes::alerts::AlertsLaunch::from_config(&config, &profile.name, Some(&paths.state_dir));
    warnings.extend(alert_warnings);
    let writes = WriteSetup {
        audit_path: Some(AuditLog::path_in(&paths.state_dir)),
        who: conn.as_ref().map(Identity::of).unwrap_or_default(),
        read_only_flag: global.read_only,
        config_file: config.file.as_ref().map(|f| f.display().to_string()),
    };
    // A tenant's own `poll.alerts` (when set to other than its default) overrides
    // `[monitors] interval` for that tenant.
    alerts.setup.interval_ms = super::alerts_io::interval_of(profile, alerts.setup.interval_ms);
    let (errors, notice) =
        super::errors_io::errors_launch(&config.errors, &profile.name, Some(&paths.state_dir));
    warnings.extend(notice);
    ensure_terminal()?;
    let base_url = match &conn {
        Some(c) => c.base_url.clone(),
        None => profile.url.clone().unwrap_or_default(),
    };
    let (tenant, intervals, window_ms) = crate::app::tenant::setup_of(profile, global.read_only, &base_url);
    let tenants = std::sync::Arc::new(crate::app::tenant::TenantConfig {
        paths: paths.clone(),
        config: config.clone(),
        force_read_only: global.read_only,
    });
    let history_file = crate::config::history::path(&paths);
    let fleet = crate::panes::tenants::setups_of(&config, global.read_only);
    let rt = runtime()?;
    let result = rt.block_on(async move {
        let client = match conn.clone() {
            Some(conn) => Some(CpiClient::new(conn).map_err(|e| eyre!("{e}"))?),
            None => None,
        };
        let unusable = unusable.map(|why| (why, base_url));
        // The monitors of a tenant that cannot be reached are not evaluated.
        let alerts = client.is_some().then_some(alerts);
        run(Session {
            client,
            tenant,
            keymap: ui.keymap,
            intervals,
            window_ms,
            warnings,
            theme: Theme::with_palette(ColorLevel::detect(), ui.palette),
            ext: Extensions::new(ui.hotkeys, ui.plugins),
            export_dir: export_dir(),
            alerts,
            writes,
            tenants: Some(tenants),
            history_file: Some(history_file),
            unusable,
            conn,
            fleet,
            demo: None,
            errors,
        })
        .await
    });
    finish(rt, result)
}

/// The config's `[keys]`, theme, `[[hotkeys]]` and `[[plugins]]`: what is valid, and a warning
/// (file, line, what) for each mistake left out (`cpitop config check` shows them in full).
fn ui_setup(config: &Config) -> (crate::app::ui_config::UiSetup, Vec<String>) {
    let (ui, errors) = crate::app::ui_config::setup(config);
    let warnings = errors
        .iter()
        .map(|e| {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or_default().to_string();
            format!("{first} (left out; `cpitop config check` shows every mistake)")
        })
        .collect();
    (ui, warnings)
}

/// After the TUI ended (terminal already restored): background I/O gets `QUIT_IO_TIMEOUT` to
/// finish; when a signal ended it, exit with `128 + signal`, the status a shell expects from a
/// process ended by that signal.
fn finish(rt: tokio::runtime::Runtime, result: Result<Option<i32>>) -> Result<()> {
    rt.shutdown_timeout(QUIT_IO_TIMEOUT);
    if let Some(sig) = result? {
        let _ = crate::config::logging::flush_for_exit();
        std::process::exit(128 + sig);
    }
    Ok(())
}

/// `cpitop --demo`: the simulated tenant in this process, then exactly the configured path: a
/// `TenantConn` with OAuth client credentials against the sim's URL and token endpoint.
///
/// `seed` picks the generated data (`cpitop --demo --seed N`; the default is the sim's).
pub fn launch_demo(global: &GlobalArgs, seed: u64) -> Result<()> {
    // Logs go to the state dir as usual; without a usable one the demo runs without a log file.
    let paths = Paths::from_env(global.config.as_deref()).ok();
    let _log = paths
        .as_ref()
        .and_then(|p| crate::config::logging::init(p, global.log_level.as_deref()).ok());
    ensure_terminal()?;
    let rt = runtime()?;
    let result = rt.block_on(async move {
        let (sims, tenants) = demo_landscape(global, seed).await?;
        let Some(first) = tenants.first().cloned() else {
            return Err(eyre!("the demo landscape has no tenant"));
        };
        let conn = first.conn.clone();
        let mut session = session_for(conn.clone(), first.info.clone())?;
        session.history_file = paths.as_ref().map(crate::config::history::path);
        // The config's keys, theme, hotkeys and plugins apply to the demo too.
        let config = Paths::from_env(global.config.as_deref())
            .ok()
            .and_then(|p| Config::load_or_empty(&p).ok())
            .unwrap_or_default();
        let (ui, ui_warnings) = ui_setup(&config);
        session.keymap = ui.keymap;
        session.theme = Theme::with_palette(session.theme.level, ui.palette);
        session.ext = Extensions::new(ui.hotkeys, ui.plugins);
        session.warnings.extend(ui_warnings);
        let (_, alert_warnings) = demo_alerts(global, &first.info.name);
        session.alerts = first.alerts.as_deref().cloned();
        session.warnings.extend(alert_warnings);
        // The config's `[errors]` applies to the demo too (each demo tenant's launch).
        session.errors = first.errors.as_deref().cloned().unwrap_or_default();
        // The demo is writable (unless --read-only; its prod tenant is read-only, as a
        // configured prod tenant is); its writes are audited like any other.
        session.writes = WriteSetup {
            audit_path: paths.as_ref().map(|p| AuditLog::path_in(&p.state_dir)),
            who: Identity::of(&conn),
            read_only_flag: global.read_only,
            config_file: None,
        };
        session.conn = Some(conn);
        session.fleet = tenants
            .iter()
            .map(|d| {
                let env = d.info.env.unwrap_or(crate::config::Environment::Dev);
                crate::panes::tenants::TenantSetup {
                    tenant: crate::landscape::TenantRef::new(
                        &d.info.name,
                        env,
                        crate::landscape::demo::LANDSCAPE,
                    ),
                    color: env.default_color().to_string(),
                    read_only: d.info.read_only,
                    host: Some("simulated".into()),
                    interval_ms: crate::panes::tenants::DEMO_INTERVAL_MS,
                    specs: d
                        .alerts
                        .as_ref()
                        .map(|a| a.setup.specs.clone())
                        .unwrap_or_default(),
                }
            })
            .collect();
        session.demo = Some(tenants);
        let result = run(session).await;
        drop(sims);
        result
    });
    finish(rt, result)
}

/// Start the demo landscape's simulated tenants (dev, test, prod with some drift between them:
/// `landscape::demo`); the handles keep them running.
pub async fn demo_landscape(
    global: &GlobalArgs,
    seed: u64,
) -> Result<(Vec<crate::sim::SimHandle>, Vec<super::fleet::DemoTenant>)> {
    let members = crate::landscape::demo::spawn(seed, |c| c)
        .await
        .map_err(|e| eyre!("{e}"))?;
    // The config's `[errors]` applies to the demo too; its signatures are not kept (the
    // simulated tenants are new on every run).
    let errors = Paths::from_env(global.config.as_deref())
        .ok()
        .and_then(|p| Config::load_or_empty(&p).ok())
        .map(|c| c.errors)
        .unwrap_or_default();
    let mut sims = Vec::new();
    let mut tenants = Vec::new();
    for m in members {
        let (name, env) = (m.tenant.name.as_str(), m.tenant.environment);
        let (alerts, _) = demo_alerts(global, name);
        tenants.push(super::fleet::DemoTenant {
            info: TenantInfo {
                name: name.into(),
                env: Some(env),
                label: None,
                read_only: global.read_only || env == crate::config::Environment::Prod,
                web_ui: None,
            },
            conn: m.sim.demo_conn(name),
            alerts: Some(std::sync::Arc::new(alerts)),
            errors: Some(std::sync::Arc::new(
                super::errors_io::errors_launch(&errors, name, None).0,
            )),
        });
        sims.push(m.sim);
    }
    Ok((sims, tenants))
}

/// A session for a given connection (used by `--demo` and tests).
pub fn session_for(conn: TenantConn, tenant: TenantInfo) -> Result<Session> {
    Ok(Session {
        client: Some(CpiClient::new(conn).map_err(|e| eyre!("{e}"))?),
        tenant,
        keymap: Keymap::defaults(),
        intervals: Intervals::default(),
        window_ms: 3_600_000,
        warnings: Vec::new(),
        theme: Theme::new(ColorLevel::detect()),
        export_dir: export_dir(),
        alerts: None,
        writes: WriteSetup::default(),
        tenants: None,
        history_file: None,
        unusable: None,
        conn: None,
        fleet: Vec::new(),
        demo: None,
        errors: Default::default(),
        ext: Extensions::default(),
    })
}

/// `--demo`'s monitors of tenant `tenant`: the config's if it defines any for tenant `demo` (or
/// `tenant`), else the headless demo set. Kept in memory (the simulated tenants are new on every
/// run).
fn demo_alerts(global: &GlobalArgs, tenant: &str) -> (crate::panes::alerts::AlertsLaunch, Vec<String>) {
    use crate::panes::alerts::AlertsLaunch;
    let config = Paths::from_env(global.config.as_deref())
        .ok()
        .and_then(|p| Config::load_or_empty(&p).ok());
    if let Some(c) = &config
        && let Ok(cfg) = crate::headless::monitors_from_table(&c.monitors, c.file.as_deref())
        && cfg.monitors_for("demo").iter().any(|m| m.active)
    {
        return AlertsLaunch::new(&cfg, tenant, None, "the config file".into());
    }
    let typed = toml::from_str::<toml::Table>(crate::headless::DEMO_MONITORS)
        .map_err(|e| e.to_string())
        .and_then(|t| crate::headless::monitors_from_table(&t, None).map_err(|e| e.to_string()));
    match typed {
        Ok(cfg) => AlertsLaunch::new(&cfg, tenant, None, "the built-in demo monitors".into()),
        Err(e) => (
            AlertsLaunch::default(),
            vec![format!("demo monitors not usable: {e}")],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_ui_from_api_host() {
        assert_eq!(
            web_ui_root("https://acme.it-cpi018.cfapps.eu10.hana.ondemand.com").as_deref(),
            Some("https://acme.integrationsuite.cfapps.eu10.hana.ondemand.com")
        );
        assert_eq!(web_ui_root("http://127.0.0.1:4567"), None);
    }
}
