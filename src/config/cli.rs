//! `cpitop config init|check`, `cpitop info`, `cpitop cache clear`. These are commands whose
//! whole purpose is terminal output, so (unlike library code) they print to stdout.

use std::io::{self, Write};
use std::time::Instant;

use color_eyre::eyre::{Result, WrapErr, eyre};

use super::cache::{clear_all, clear_tenant, tenant_dir};
use super::error::ConfigError;
use super::fsutil::{PRIVATE_FILE_MODE, atomic_write_mode};
use super::load::{Config, Credentials, Profile, SecretSource};
use super::paths::Paths;
use super::{logging, state};
use crate::args::GlobalArgs;
use crate::cpi::CpiClient;
use crate::cpi::conn::Auth;
use crate::sanitize::one_line;

/// The commented example config, written by `cpitop config init`.
pub const EXAMPLE_CONFIG: &str = include_str!("../../config/cpitop.example.toml");

#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub command: ConfigCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {
    /// Write a commented starter config to the config path (see `cpitop info`).
    Init {
        /// Overwrite an existing config file.
        #[arg(long)]
        force: bool,
    },
    /// Validate the config, then per tenant fetch a token and make one cheap API call
    /// (only the tenant given with --tenant, if any). Exits non-zero on any failure.
    Check {
        /// Only validate the file and resolve secrets; do not contact any tenant.
        #[arg(long)]
        offline: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct CacheArgs {
    #[command(subcommand)]
    pub command: CacheCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum CacheCommand {
    /// Delete cached data: of the tenant given with --tenant NAME, or of all tenants.
    Clear,
}

fn paths(global: &GlobalArgs) -> Result<Paths> {
    Ok(Paths::from_env(global.config.as_deref())?)
}

/// What the TUI's own check of its sections found (`[keys]`, the theme, `[[hotkeys]]`,
/// `[[plugins]]`: `crate::app::ui_config`, handed in by the caller since the TUI's code sits above
/// the config's).
#[derive(Debug, Default)]
pub struct UiCheck {
    /// One line: the skin, key overrides, hotkeys, plugins (and the terminal's colour depth).
    pub summary: String,
    /// Every mistake, located.
    pub errors: Vec<ConfigError>,
}

/// Checks the TUI's sections of a loaded config.
pub type UiChecker<'a> = &'a dyn Fn(&Config) -> UiCheck;

/// `cpitop config ...`
pub fn run_config(global: &GlobalArgs, args: ConfigArgs, ui: UiChecker<'_>) -> Result<()> {
    let paths = paths(global)?;
    let mut out = io::stdout().lock();
    match args.command {
        ConfigCommand::Init { force } => init(&paths, force, &mut out),
        ConfigCommand::Check { offline } => {
            let _log = logging::init(&paths, global.log_level.as_deref())?;
            check(&paths, global.tenant.as_deref(), offline, &mut out, ui)
        }
    }
}

/// `cpitop info`
pub fn run_info(global: &GlobalArgs) -> Result<()> {
    info(&paths(global)?, &mut io::stdout().lock())
}

/// `cpitop cache clear [--tenant NAME]`
pub fn run_cache(global: &GlobalArgs, args: CacheArgs) -> Result<()> {
    let paths = paths(global)?;
    match args.command {
        CacheCommand::Clear => cache_clear(&paths, global.tenant.as_deref(), &mut io::stdout().lock()),
    }
}

pub fn init(paths: &Paths, force: bool, out: &mut dyn Write) -> Result<()> {
    let file = &paths.config_file;
    if file.exists() && !force {
        return Err(eyre!(
            "{} already exists; not overwriting it (use `cpitop config init --force` to replace it)",
            file.display()
        ));
    }
    // `--config ./x.toml config init` must not chmod the user's directory: only the file is private.
    atomic_write_mode(file, PRIVATE_FILE_MODE, |w| {
        w.write_all(EXAMPLE_CONFIG.as_bytes())
    })
    .wrap_err_with(|| format!("cannot write {}", file.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
            .wrap_err_with(|| format!("cannot restrict permissions of {}", file.display()))?;
    }
    writeln!(out, "wrote {}", file.display())?;
    writeln!(out, "edit the [tenants.*] tables, then run `cpitop config check`")?;
    Ok(())
}

pub fn info(paths: &Paths, out: &mut dyn Write) -> Result<()> {
    let exists = if paths.config_file.exists() {
        ""
    } else {
        " (does not exist)"
    };
    writeln!(out, "cpitop {}", env!("CARGO_PKG_VERSION"))?;
    writeln!(
        out,
        "config file: {}{exists}  [{}]",
        paths.config_file.display(),
        paths.config_source
    )?;
    writeln!(out, "cache dir:   {}", paths.cache_dir.display())?;
    writeln!(out, "state dir:   {}", paths.state_dir.display())?;
    writeln!(out, "log dir:     {}", paths.log_dir().display())?;
    let (st, warn) = state::load(paths);
    if let Some(w) = warn {
        writeln!(out, "! {}", one_line(&w.to_string()))?;
    }
    writeln!(out, "last tenant: {}", st.last_tenant.as_deref().unwrap_or("-"))?;
    let config = Config::load_or_empty(paths)?;
    if config.tenants.is_empty() {
        writeln!(
            out,
            "tenants:     none (run `cpitop config init`, or try `cpitop --demo`)"
        )?;
        return Ok(());
    }
    writeln!(out, "tenants:")?;
    let width = config.tenants.iter().map(|t| t.name.len()).max().unwrap_or(0);
    for t in &config.tenants {
        let default = if config.default_tenant.as_deref() == Some(&t.name) {
            " (default)"
        } else {
            ""
        };
        let landscape = if t.landscape == super::load::DEFAULT_LANDSCAPE {
            String::new()
        } else {
            format!("  landscape {}", t.landscape)
        };
        writeln!(
            out,
            "  {:width$}  {:4}  {}  {}  {}{default}{landscape}",
            t.name,
            t.environment.label(),
            if t.read_only { "read-only " } else { "read-write" },
            t.url.as_deref().unwrap_or("(url from service key)"),
            describe_credentials(t),
        )?;
    }
    for w in &config.warnings {
        writeln!(out, "! {}", one_line(&w.to_string()))?;
    }
    Ok(())
}

/// Where a tenant's credentials come from, without any secret.
pub fn describe_credentials(p: &Profile) -> String {
    let src = |s: &SecretSource| match s {
        SecretSource::Env(v) => format!("${v}"),
        SecretSource::Command(c) => format!("command `{c}`"),
        SecretSource::Inline(_) => "inline".to_string(),
    };
    match &p.credentials {
        Credentials::ServiceKey(path) => format!("service key {}", path.display()),
        Credentials::OAuth {
            client_id, secret, ..
        } => {
            format!("oauth {client_id}, secret from {}", src(secret))
        }
        Credentials::Basic { username, password } => {
            format!("basic {username}, password from {}", src(password))
        }
    }
}

pub fn check(
    paths: &Paths,
    only: Option<&str>,
    offline: bool,
    out: &mut dyn Write,
    ui: UiChecker<'_>,
) -> Result<()> {
    let config = Config::load(paths)?;
    writeln!(
        out,
        "✓ {}: valid, {} tenant(s)",
        paths.config_file.display(),
        config.tenants.len()
    )?;
    for w in &config.warnings {
        writeln!(out, "! {}", one_line(&w.to_string()))?;
        tracing::warn!("{w}");
    }
    let monitors_ok = check_monitors(&config, out)?;
    let serve_ok = check_serve(&config, out)?;
    check_landscapes(&config, out)?;
    let ui_ok = check_ui(&config, out, ui)?;
    if config.tenants.is_empty() {
        return Err(ConfigError::NoTenants {
            file: paths.config_file.clone(),
        }
        .into());
    }
    let selected: Vec<&Profile> = match only {
        Some(name) => vec![config.tenant(name)?],
        None => config.tenants.iter().collect(),
    };
    let width = selected.iter().map(|t| t.name.len()).max().unwrap_or(0);
    let rt = if offline {
        None
    } else {
        Some(
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .wrap_err("cannot start the async runtime")?,
        )
    };
    let mut failed = 0;
    for t in &selected {
        let result = check_tenant(t, rt.as_ref(), out);
        match result {
            Ok(summary) => writeln!(out, "✓ {:width$}  {summary}", t.name)?,
            Err(e) => {
                failed += 1;
                tracing::warn!(tenant = %t.name, "config check failed: {e}");
                // The error can quote the tenant (an OData error message): one neutral line.
                writeln!(out, "✗ {:width$}  {}", t.name, one_line(&e))?;
            }
        }
    }
    if failed > 0 {
        return Err(eyre!("{failed} of {} tenant check(s) failed", selected.len()));
    }
    if !monitors_ok {
        return Err(eyre!(
            "[monitors] is not valid (see above); the TUI shows no alerts and `cpitop check` fails until it is fixed"
        ));
    }
    if !serve_ok {
        return Err(eyre!(
            "[serve] is not valid (see above); `cpitop serve` does not start until it is fixed"
        ));
    }
    if !ui_ok {
        return Err(eyre!(
            "the TUI's settings ([keys], theme, [[hotkeys]], [[plugins]]) are not valid (see above); \
             the TUI leaves out what is wrong and says so at start"
        ));
    }
    Ok(())
}

/// The landscapes the version drift compares, each with its tenants in promotion order (dev →
/// test → prod): one line, when any tenant names a landscape. A landscape of a single tenant has
/// nothing to compare: said as a note (`!`), not an error.
fn check_landscapes(config: &Config, out: &mut dyn Write) -> Result<()> {
    if config
        .tenants
        .iter()
        .all(|t| t.landscape == super::load::DEFAULT_LANDSCAPE)
    {
        return Ok(());
    }
    let mut names: Vec<&str> = Vec::new();
    for t in &config.tenants {
        if !names.contains(&t.landscape.as_str()) {
            names.push(&t.landscape);
        }
    }
    let mut parts = Vec::new();
    let mut alone = Vec::new();
    for l in &names {
        let mut members: Vec<&Profile> = config.tenants.iter().filter(|t| t.landscape == *l).collect();
        members.sort_by_key(|t| t.environment.rank());
        let list: Vec<String> = members
            .iter()
            .map(|t| format!("{} {}", t.name, t.environment.label()))
            .collect();
        parts.push(format!("{l} ({})", list.join(" → ")));
        if members.len() == 1 {
            alone.push(*l);
        }
    }
    writeln!(out, "✓ landscapes: {}", parts.join("; "))?;
    for l in alone {
        writeln!(
            out,
            "! landscape `{l}` has one tenant: its version drift has nothing to compare (set `landscape = \"{l}\"` on the tenants it promotes to)"
        )?;
    }
    Ok(())
}

/// `[keys]`, the theme, `[[hotkeys]]` and `[[plugins]]` as the TUI reads them: one line when all
/// is well, else every mistake with its place and the line (`✗ tui: FILE:LINE:COL: …`).
fn check_ui(config: &Config, out: &mut dyn Write, ui: UiChecker<'_>) -> Result<bool> {
    let none = config.keys.is_empty()
        && config.theme.is_none()
        && config.hotkeys.is_none()
        && config.plugins.is_none();
    if none {
        return Ok(true);
    }
    let checked = ui(config);
    if checked.errors.is_empty() {
        writeln!(out, "✓ tui: {}", one_line(&checked.summary))?;
        return Ok(true);
    }
    for e in &checked.errors {
        tracing::warn!("config check: tui: {e}");
        writeln!(out, "✗ tui: {}", crate::sanitize::lines(&e.to_string()))?;
    }
    Ok(false)
}

/// `[serve]` typed and validated as `cpitop serve` does (its secrets are not resolved here);
/// one line saying so.
fn check_serve(config: &Config, out: &mut dyn Write) -> Result<bool> {
    if config.serve.is_empty() {
        return Ok(true);
    }
    match super::serve::typed_serve(&config.serve, config.file.as_deref()) {
        Ok(s) => {
            writeln!(out, "✓ serve: {}", crate::config::serve::describe(&s))?;
            Ok(true)
        }
        Err(e) => {
            tracing::warn!("config check: serve: {e}");
            writeln!(out, "✗ serve: {}", one_line(&e.to_string()))?;
            Ok(false)
        }
    }
}

/// `[monitors]` typed and validated as the TUI and `cpitop check` do; one line saying so.
fn check_monitors(config: &Config, out: &mut dyn Write) -> Result<bool> {
    if config.monitors.is_empty() {
        return Ok(true);
    }
    match super::monitors::typed_monitors(&config.monitors, config.file.as_deref()) {
        Ok(m) => {
            let tenant_specific: usize = m.tenants.values().map(Vec::len).sum();
            writeln!(
                out,
                "✓ monitors: {} default(s), {tenant_specific} tenant-specific, every {}; notify: {} webhook(s), {} command(s)",
                m.defaults.len(),
                m.interval,
                m.notify.webhooks.len(),
                m.notify.commands.len()
            )?;
            Ok(true)
        }
        Err(e) => {
            tracing::warn!("config check: monitors: {e}");
            writeln!(out, "✗ monitors: {}", one_line(&e.to_string()))?;
            Ok(false)
        }
    }
}

fn check_tenant(
    t: &Profile,
    rt: Option<&tokio::runtime::Runtime>,
    out: &mut dyn Write,
) -> std::result::Result<String, String> {
    let (mut conn, warnings) = t.to_conn().map_err(|e| match e {
        ConfigError::Secret { message, .. } => message,
        other => other.to_string(),
    })?;
    for w in warnings {
        tracing::warn!("{w}");
        let _ = writeln!(out, "! {}", one_line(&w.to_string()));
    }
    let Some(rt) = rt else {
        return Ok(format!(
            "credentials resolved ({}), not contacted (--offline)",
            describe_credentials(t)
        ));
    };
    // A check should answer promptly: at most one retry of a transient failure.
    conn.limits.max_retries = conn.limits.max_retries.min(1);
    let oauth = matches!(conn.auth, Auth::OAuth { .. });
    let client = CpiClient::new(conn).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let count = rt
        .block_on(client.runtime_artifact_count())
        .map_err(|e| e.to_string())?;
    let auth = if oauth { "token ok" } else { "basic auth ok" };
    tracing::info!(tenant = %t.name, count, "config check ok");
    Ok(format!(
        "{auth}, {count} runtime artifact(s) ({} ms)",
        started.elapsed().as_millis()
    ))
}

pub fn cache_clear(paths: &Paths, tenant: Option<&str>, out: &mut dyn Write) -> Result<()> {
    match tenant {
        Some(name) => {
            // Every URL the tenant had: its `url` need not be resolved (a service key) to clear.
            let dir = tenant_dir(paths, name);
            let removed =
                clear_tenant(paths, name).wrap_err_with(|| format!("cannot delete {}", dir.display()))?;
            if removed {
                writeln!(out, "cleared the cache of tenant `{name}` ({})", dir.display())?;
            } else {
                writeln!(out, "tenant `{name}` has no cache ({})", dir.display())?;
            }
        }
        None => {
            let root = paths.tenant_cache_root();
            let removed = clear_all(paths).wrap_err_with(|| format!("cannot delete {}", root.display()))?;
            if removed {
                writeln!(out, "cleared the cache of all tenants ({})", root.display())?;
            } else {
                writeln!(out, "nothing cached ({})", root.display())?;
            }
        }
    }
    Ok(())
}
