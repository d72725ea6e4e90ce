//! `cpitop get tenants` and `cpitop get drift`: every configured tenant (or `--demo`'s three
//! simulated ones) read at once, each through its own client within its own time limit, so one
//! tenant that does not answer delays nothing but its own row.

use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr, eyre};

use super::Output;
use crate::args::GlobalArgs;
use crate::config::{Config, Paths};
use crate::cpi::client::CpiClient;
use crate::kit::format::TimeFmt;
use crate::kit::print::TableOpts;
use crate::kit::table::CellCx;
use crate::panes::tenants::get::{DRIFT_PLAN, GET_TIMEOUT, Member, full_plan, read_all, unread};
use crate::panes::tenants::{TenantSetup, Tenants};

/// The longest a tenant's secret may take to resolve here (its command has its own limit).
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(90);

/// The tenants to read, and the simulated ones to keep running (`--demo`).
struct Fleet {
    members: Vec<Member>,
    _sims: Vec<crate::sim::SimHandle>,
}

/// `--demo`: the demo landscape (dev, test, prod with drift), with the demo monitors.
async fn demo(seed: u64) -> Result<Fleet> {
    let members = crate::landscape::demo::spawn(seed, |c| crate::sim::SimConfig {
        history: Duration::from_secs(2 * 3600),
        ..c
    })
    .await
    .map_err(|e| eyre!("cannot start the simulated tenants: {e}"))?;
    let table: toml::Table =
        toml::from_str(crate::headless::DEMO_MONITORS).wrap_err("built-in demo monitors")?;
    let monitors = crate::headless::monitors_from_table(&table, None)?;
    let mut out = Vec::new();
    let mut sims = Vec::new();
    for m in members {
        let name = m.tenant.name.clone();
        let env = m.tenant.environment;
        out.push(Member {
            setup: TenantSetup {
                color: env.default_color().to_string(),
                read_only: env == crate::config::Environment::Prod,
                host: Some("simulated".into()),
                interval_ms: crate::panes::tenants::DEMO_INTERVAL_MS,
                specs: monitors.monitors_for(&name).into_iter().cloned().collect(),
                tenant: m.tenant,
            },
            client: CpiClient::new(m.sim.demo_conn(&name)).map_err(|e| e.to_string()),
        });
        sims.push(m.sim);
    }
    Ok(Fleet {
        members: out,
        _sims: sims,
    })
}

/// Every configured tenant; each tenant's secret resolved on its own blocking thread (a
/// tenant whose secret cannot be resolved is a row saying why, not an error of the command).
async fn configured(global: &GlobalArgs) -> Result<Fleet> {
    let paths = Paths::from_env(global.config.as_deref())?;
    let config = tokio::task::spawn_blocking(move || Config::load(&paths))
        .await
        .wrap_err("reading the config failed")??;
    crate::config::load::eprint_warnings(config.warnings.iter());
    if config.tenants.is_empty() {
        return Err(eyre!(
            "no tenants are configured (cpitop config init writes a starter config)"
        ));
    }
    let setups = crate::panes::tenants::setups_of(&config, global.read_only);
    let config = std::sync::Arc::new(config);
    let resolve = setups.into_iter().map(|setup| {
        let config = config.clone();
        async move {
            let name = setup.tenant.name.clone();
            let task = tokio::task::spawn_blocking(move || -> Result<CpiClient, String> {
                let p = config.tenant(&name).map_err(|e| e.to_string())?;
                let (conn, warnings) = p.to_conn().map_err(|e| e.to_string())?;
                crate::config::load::eprint_warnings(warnings.iter());
                CpiClient::new(conn).map_err(|e| e.to_string())
            });
            let client = match tokio::time::timeout(RESOLVE_TIMEOUT, task).await {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => Err(format!("resolving the tenant failed: {e}")),
                Err(_) => Err(format!(
                    "resolving the tenant's secret did not finish within {}s",
                    RESOLVE_TIMEOUT.as_secs()
                )),
            };
            Member { setup, client }
        }
    });
    Ok(Fleet {
        members: futures_util::future::join_all(resolve).await,
        _sims: Vec::new(),
    })
}

async fn fleet(global: &GlobalArgs) -> Result<Fleet> {
    if global.demo {
        demo(global.demo_seed()).await
    } else {
        configured(global).await
    }
}

/// `get tenants`: the Tenants pane's rows, worst first. Exit 0 when printed (a tenant that is
/// down is a row saying so).
pub async fn tenants(global: &GlobalArgs, output: Output, opts: &TableOpts) -> Result<(String, String)> {
    let f = fleet(global).await?;
    let now = chrono::Utc::now().timestamp_millis();
    let window = crate::panes::tenants::state::FAILED_WINDOW_MS;
    let mut pane = read_all(f.members, full_plan(window), GET_TIMEOUT, now).await;
    let cx = CellCx {
        now,
        time: TimeFmt::default(),
    };
    let printed = crate::panes::tenants::get::table(&mut pane, opts, &cx).map_err(|e| eyre!("{e}"))?;
    let colour = output == Output::Table
        && std::io::IsTerminal::is_terminal(&std::io::stdout())
        && std::env::var_os("NO_COLOR").is_none();
    let tones = colour.then_some(printed.tones.as_slice());
    let text = super::output::render(output, &printed, tones);
    Ok((text, printed.summary))
}

/// `get drift`: each landscape's artifacts side by side (or the one named). The second part
/// names the tenants whose artifacts could not be read (printed as unknown, `?`).
pub async fn drift(
    global: &GlobalArgs,
    landscape: Option<&str>,
    output: Output,
) -> Result<(String, Vec<String>)> {
    let f = fleet(global).await?;
    let now = chrono::Utc::now().timestamp_millis();
    // The landscape is checked before any tenant is asked.
    let names: Vec<TenantSetup> = f.members.iter().map(|m| m.setup.clone()).collect();
    let known = Tenants::new(names, "");
    if let Some(l) = landscape
        && !known.landscapes().iter().any(|x| x.name == l)
    {
        return Err(eyre!("{}", crate::panes::tenants::get::no_landscape(&known, l)));
    }
    let pane = read_all(f.members, DRIFT_PLAN, GET_TIMEOUT, now).await;
    let text = crate::panes::tenants::get::drift(&pane, landscape, output).map_err(|e| eyre!("{e}"))?;
    let members: Vec<String> = match landscape {
        Some(l) => pane
            .landscapes()
            .into_iter()
            .filter(|x| x.name == l)
            .flat_map(|x| x.tenants.into_iter().map(|t| t.name))
            .collect(),
        None => pane.rows.iter().map(|r| r.name().to_string()).collect(),
    };
    let unread: Vec<String> = unread(&pane)
        .into_iter()
        .filter(|u| members.iter().any(|m| u.starts_with(&format!("{m}: "))))
        .collect();
    Ok((text, unread))
}
