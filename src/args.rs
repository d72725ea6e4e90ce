//! The options every command takes (`--demo`, `--config`, `--tenant`, `--log-level`,
//! `--read-only`). Apart from `cli`, which assembles the commands, so that the commands can read
//! them without importing the assembly.

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
