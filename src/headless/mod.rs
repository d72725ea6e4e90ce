//! Alert monitors without a terminal UI: `cpitop check` (evaluate once, Nagios-style exit code)
//! and `cpitop watch` (evaluate continuously, one JSON line per event, notifications).
//!
//! - [`gather`]: fetch what the active monitors need (in parallel; watermark deltas for messages).
//! - [`errors_feed`]: the held window's failures grouped by error signature, round after round
//!   (also `serve`'s).
//! - [`setup`]: config file → tenant connection and typed `[monitors]`; `--demo` → in-process sim.
//! - [`check`]: one evaluation, persisted artifact tracker and tenant health, the report.
//! - [`watch`]: the evaluation loop, event lines, notifier, Ctrl-C/SIGTERM.

pub mod check;
pub mod errors_feed;
pub mod gather;
pub mod setup;
pub mod watch;

pub use check::{CheckOutcome, check, run_check};
pub use gather::{GatherReport, Gatherer, PartFailure, Parts};
pub use setup::{DEMO_MONITORS, Peer, PeerConn, Target, monitors_from_table, prepare, prepare_all};
pub use watch::{WatchOptions, run_watch, watch};

/// `cpitop check`
#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Output format: `text` (one line per monitor) or `json`.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    /// Every configured tenant at once (each tenant's monitors; `version_drift` compares the
    /// tenants of each landscape); the exit status is the worst tenant's.
    #[arg(long)]
    pub all_tenants: bool,
}

/// `cpitop watch`
#[derive(Debug, Clone, clap::Args)]
pub struct WatchArgs {
    /// Evaluation interval [default: `monitors.interval` of the config, else 1m].
    #[arg(long, value_name = "DURATION", value_parser = parse_interval)]
    pub interval: Option<std::time::Duration>,
    /// Print a `heartbeat` line this often, whatever happens (`0`: never).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_heartbeat)]
    pub heartbeat: Option<std::time::Duration>,
}

fn parse_heartbeat(s: &str) -> Result<std::time::Duration, String> {
    if s.trim() == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    let d = crate::monitor::parse_duration(s).map_err(|e| e.to_string())?;
    if !d.is_zero() && d < std::time::Duration::from_secs(1) {
        return Err(format!(
            "heartbeat {s:?} is too short; use at least 1s, or 0 for none"
        ));
    }
    Ok(d)
}

fn parse_interval(s: &str) -> Result<std::time::Duration, String> {
    let d = crate::monitor::parse_duration(s).map_err(|e| e.to_string())?;
    if d < std::time::Duration::from_secs(1) {
        return Err(format!("interval {s:?} is too short; use at least 1s"));
    }
    Ok(d)
}
