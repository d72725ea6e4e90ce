//! The options every command takes (`--demo`, `--seed`, `--config`, `--tenant`, `--log-level`,
//! `--read-only`, `--verbose`), and those of `cpitop completions` and `cpitop man`. Apart from
//! `cli`, which assembles the commands, so that the commands (and `shell`, which needs the
//! assembly to describe it) can read them without importing the assembly back.

use std::ffi::OsStr;
use std::path::PathBuf;

use clap_complete::engine::CompletionCandidate;

/// Flags that apply to every subcommand, accepted before or after it (`cpitop check --demo` and
/// `cpitop --demo check` are the same). They are listed under their own heading in every help
/// text, after the subcommand's own options.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct GlobalArgs {
    /// Run against an in-process simulated tenant (no configuration needed).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub demo: bool,
    /// Seed of the simulated tenant's data (with --demo, and for `cpitop sim`) [default: 1].
    #[arg(long, global = true, value_name = "N", help_heading = GLOBAL)]
    pub seed: Option<u64>,
    /// Config file [default: $CPITOP_CONFIG, else $XDG_CONFIG_HOME/cpitop/config.toml].
    #[arg(long, global = true, value_name = "PATH", value_hint = clap::ValueHint::FilePath, help_heading = GLOBAL)]
    pub config: Option<std::path::PathBuf>,
    /// Tenant to use [default: the last used one, else `default_tenant`, else the first].
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        help_heading = GLOBAL,
        add = clap_complete::ArgValueCompleter::new(tenant_names)
    )]
    pub tenant: Option<String>,
    /// Log level or filter (error, warn, info, debug, trace, or RUST_LOG syntax) [default:
    /// $RUST_LOG, else info]. Logs go to the state dir (see `cpitop info`), never the terminal.
    #[arg(long, global = true, value_name = "LEVEL", help_heading = GLOBAL)]
    pub log_level: Option<String>,
    /// Disable every write action (undeploy, restart, queue retry/move/delete) for all tenants.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub read_only: bool,
    /// On an error, print every cause on its own line (by default an error is one line; the log
    /// file has the details).
    #[arg(short, long, global = true, help_heading = GLOBAL)]
    pub verbose: bool,
}

const GLOBAL: &str = "Global options";

impl GlobalArgs {
    /// The seed of the `--demo` tenant's data.
    pub fn demo_seed(&self) -> u64 {
        self.seed.unwrap_or(crate::sim::SimConfig::default().seed)
    }
}

/// `--tenant <Tab>`: the tenants of the config file ($CPITOP_CONFIG or the XDG default). Reads
/// the file only — no secret command runs, nothing is contacted — and completes nothing when the
/// file cannot be read.
pub fn tenant_names(current: &OsStr) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    let Ok(paths) = crate::config::Paths::from_env(None) else {
        return Vec::new();
    };
    let Ok(config) = crate::config::Config::load_or_empty(&paths) else {
        return Vec::new();
    };
    config
        .tenants
        .iter()
        .filter(|t| t.name.starts_with(current.as_ref()))
        .map(|t| {
            let help = match &t.url {
                Some(url) => format!("{} {url}", t.environment.label()),
                None => t.environment.label().to_string(),
            };
            CompletionCandidate::new(t.name.clone())
                .help(Some(crate::sanitize::one_line(&help).into_owned().into()))
        })
        .collect()
}

/// `cpitop completions SHELL [--static]` (run by `shell`).
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    /// A self-contained script that never runs cpitop while completing (no tenant names).
    #[arg(long = "static")]
    pub static_script: bool,
}

/// `cpitop man [--dir DIR]` (run by `shell`).
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `cpitop.1` and one page per subcommand (`cpitop-get.1`, …) into DIR instead of
    /// printing `cpitop.1` on stdout.
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}
