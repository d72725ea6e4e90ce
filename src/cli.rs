//! Command-line interface. Each subcommand's arguments live in the module that owns the feature;
//! this file only assembles them (the options every command takes are `args::GlobalArgs`, below
//! the commands that read them).

use clap::{Parser, Subcommand};

pub use crate::args::GlobalArgs;

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
    /// Serve every configured tenant (or the named ones) headless: `/metrics` for Prometheus,
    /// OTLP push, live `/events` (WebSocket/SSE), `/healthz`, `/readyz`. Stops on SIGTERM/SIGINT.
    Serve(crate::serve::ServeArgs),
    /// Print a shell completion script: `cpitop completions bash|zsh|fish|powershell|elvish`.
    Completions(crate::args::CompletionsArgs),
    /// Print the man page (roff) on stdout, or write one page per command into a directory.
    Man(crate::args::ManArgs),
    /// Benchmark: load a message window into the store and time it (scripts/load_vs_curl.sh).
    #[command(hide = true)]
    LoadBench(crate::loadbench::LoadBenchArgs),
}
