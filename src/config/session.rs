//! Starting against a configured tenant, in one call: paths → config → tenant choice (`--tenant`,
//! last used, `default_tenant`, first) → secrets → connection, remembering the tenant for next
//! time. Used by the TUI and headless commands; `:ctx NAME` uses [`switch_tenant`].
//!
//! Resolving a secret may run a command (up to [`super::secrets::SECRET_COMMAND_TIMEOUT`]), so
//! from async code call these inside `tokio::task::spawn_blocking`.

use super::error::{ConfigError, Warning, WarningKind};
use super::load::{Config, Profile};
use super::paths::Paths;
use super::state;
use crate::args::GlobalArgs;
use crate::cpi::conn::TenantConn;

/// Everything needed to start against one tenant.
#[derive(Debug)]
pub struct Startup {
    pub paths: Paths,
    pub config: Config,
    /// The chosen tenant, with `--read-only` applied.
    pub profile: Profile,
    pub conn: TenantConn,
    /// Show these to the user (and log them): permissions, unreadable state, …
    pub warnings: Vec<Warning>,
}

/// Resolve paths from the environment and `--config`, then [`open_with`].
pub fn open(global: &GlobalArgs) -> Result<Startup, ConfigError> {
    let paths = Paths::from_env(global.config.as_deref())?;
    open_with(paths, global)
}

/// Load the config at `paths`, pick the tenant and build its connection.
pub fn open_with(paths: Paths, global: &GlobalArgs) -> Result<Startup, ConfigError> {
    let config = Config::load(&paths)?;
    let mut warnings = config.warnings.clone();
    let (st, w) = state::load(&paths);
    warnings.extend(w);
    let name = config
        .select(global.tenant.as_deref(), st.last_tenant.as_deref())?
        .name
        .clone();
    let (profile, conn, w) = switch_tenant(&paths, &config, &name, global.read_only)?;
    warnings.extend(w);
    Ok(Startup {
        paths,
        config,
        profile,
        conn,
        warnings,
    })
}

/// Switch to tenant `name` (`:ctx NAME`): resolve its secret, build its connection and remember
/// it as the last used tenant. `force_read_only` is the `--read-only` flag.
pub fn switch_tenant(
    paths: &Paths,
    config: &Config,
    name: &str,
    force_read_only: bool,
) -> Result<(Profile, TenantConn, Vec<Warning>), ConfigError> {
    let mut profile = config.tenant(name)?.clone();
    profile.read_only |= force_read_only;
    let (conn, mut warnings) = profile.to_conn_quiet()?;
    for w in &warnings {
        tracing::warn!("{w}");
    }
    if let Err(e) = state::remember_tenant(paths, &profile.name) {
        let w = Warning::new(
            WarningKind::State,
            format!(
                "cannot remember the last used tenant in {}: {e}",
                paths.state_file().display()
            ),
        );
        tracing::warn!("{w}");
        warnings.push(w);
    }
    tracing::info!(tenant = %profile.name, read_only = profile.read_only, "tenant selected");
    Ok((profile, conn, warnings))
}
