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
    /// Seed of the simulated tenant's data (`cpitop --demo --seed N`) [default: 1].
    #[arg(long, value_name = "N", requires = "demo")]
    pub seed: Option<u64>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Run against an in-process simulated tenant (no configuration needed).
    #[arg(long, global = true)]
    pub demo: bool,
    /// Config file [default: $CPITOP_CONFIG, else $XDG_CONFIG_HOME/cpitop/config.toml].
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<std::path::PathBuf>,
    /// Tenant to use [default: the last used one, else `default_tenant`, else the first].
    #[arg(long, global = true, value_name = "NAME")]
    pub tenant: Option<String>,
    /// Log level or filter (error, warn, info, debug, trace, or RUST_LOG syntax) [default:
    /// $RUST_LOG, else info]. Logs go to the state dir (see `cpitop info`), never the terminal.
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,
    /// Disable every write action (undeploy, restart, queue retry/move/delete) for all tenants.
    #[arg(long, global = true)]
    pub read_only: bool,
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
    /// Benchmark: load a message window into the store and time it (scripts/load_vs_curl.sh).
    #[command(hide = true)]
    LoadBench(crate::loadbench::LoadBenchArgs),
}
