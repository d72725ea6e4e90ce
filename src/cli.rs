//! Command-line interface. Each subcommand's arguments live in the module that owns the feature;
//! this file only assembles them.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "cpitop",
    version,
    about = "k9s-style terminal UI for SAP Cloud Integration tenants"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

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
        add = clap_complete::ArgValueCompleter::new(crate::shell::tenant_names)
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

impl Cli {
    /// Checks clap cannot make for global flags: `requires` is checked before a global flag given
    /// before the subcommand reaches it (`cpitop --demo check --seed 1` would be refused).
    pub fn check_usage(&self) -> Result<(), clap::Error> {
        use clap::CommandFactory;
        let sim = matches!(self.command, Some(Command::Sim(_)));
        if self.global.seed.is_some() && !self.global.demo && !sim {
            return Err(Cli::command().error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "--seed picks the simulated tenant's data and needs --demo",
            ));
        }
        Ok(())
    }
}

impl GlobalArgs {
    /// The seed of the `--demo` tenant's data.
    pub fn demo_seed(&self) -> u64 {
        self.seed.unwrap_or(crate::sim::SimConfig::default().seed)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create (`init`) or validate and test (`check`) the configuration.
    Config(crate::config::cli::ConfigArgs),
    /// Print the config, cache, state and log paths in use, and the configured tenants.
    Info,
    /// Manage the per-tenant cache (`clear [--tenant NAME]`).
    Cache(crate::config::cli::CacheArgs),
    /// Run the simulated CPI tenant (a local OData server with generated data).
    Sim(crate::sim::SimArgs),
    /// Evaluate every alert monitor once; exit 0 ok, 1 warning, 2 error, 3 could not evaluate.
    Check(crate::headless::CheckArgs),
    /// Run the alert monitors continuously; one JSON line per event on stdout.
    Watch(crate::headless::WatchArgs),
    /// Print a view without the TUI: `artifacts`, `artifact ID`, `messages`, `message GUID`,
    /// `queues`, `queue NAME` (`-o table|json|csv`).
    Get(crate::get::GetArgs),
    /// Print a shell completion script: `cpitop completions bash|zsh|fish|powershell|elvish`.
    Completions(crate::shell::CompletionsArgs),
    /// Print the man page (roff) on stdout, or write one page per command into a directory.
    Man(crate::shell::ManArgs),
    /// Benchmark: load a message window into the store and time it (scripts/load_vs_curl.sh).
    #[command(hide = true)]
    LoadBench(crate::loadbench::LoadBenchArgs),
}
