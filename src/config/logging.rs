//! Logging: `tracing` to a daily-rotated file in `<state_dir>/logs/` (a week kept), never to the
//! terminal the TUI draws on. Level: `--log-level`, else `RUST_LOG`, else `info`.
//!
//! Nothing logged may contain a secret: `Secret` prints as `***`, and code logs sources
//! (variable names, commands, files), not values.

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;

use super::paths::Paths;

/// Log files kept (one per day).
pub const KEEP_LOG_FILES: usize = 7;

/// The log writer's guard, held here rather than on a stack frame so that the panic hook
/// (`crate::crash`) can flush the log before the process exits.
static WRITER: std::sync::Mutex<Option<(WorkerGuard, PathBuf)>> = std::sync::Mutex::new(None);

/// Keep this alive until exit: dropping it flushes the log.
#[must_use = "dropping the guard stops logging; keep it until the program exits"]
pub struct LogGuard {
    pub dir: PathBuf,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        let _ = flush_for_exit();
    }
}

/// Flush what is logged so far to the file and stop the writer (waits at most about a second);
/// returns the log directory when a log file was open.
pub fn flush_for_exit() -> Option<PathBuf> {
    let taken = WRITER.lock().ok()?.take();
    // Dropping the guard makes the writer thread write out its queue.
    taken.map(|(guard, dir)| {
        drop(guard);
        dir
    })
}

#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    #[error(
        "invalid log level `{level}`: {message}; use error, warn, info, debug, trace or a RUST_LOG-style filter such as `cpitop=debug`"
    )]
    BadLevel { level: String, message: String },
    #[error("cannot create the log directory {}: {source}; set XDG_STATE_HOME to a writable directory", dir.display())]
    Dir { dir: PathBuf, source: std::io::Error },
    #[error("cannot open a log file in {}: {message}", dir.display())]
    File { dir: PathBuf, message: String },
    #[error("logging was already initialised in this process")]
    AlreadyInit,
}

/// The filter from `--log-level` (wins) or `RUST_LOG`, else `info`.
pub fn filter(level: Option<&str>) -> Result<EnvFilter, LoggingError> {
    match level {
        Some(l) => EnvFilter::try_new(l).map_err(|e| LoggingError::BadLevel {
            level: l.to_string(),
            message: e.to_string(),
        }),
        None => match std::env::var("RUST_LOG") {
            Ok(v) if !v.trim().is_empty() => EnvFilter::try_new(&v).map_err(|e| LoggingError::BadLevel {
                level: v.clone(),
                message: format!("{e} (from RUST_LOG)"),
            }),
            _ => Ok(EnvFilter::new("info")),
        },
    }
}

/// Install the global subscriber writing to the rotating log file.
pub fn init(paths: &Paths, level: Option<&str>) -> Result<LogGuard, LoggingError> {
    let filter = filter(level)?;
    let dir = paths.log_dir();
    std::fs::create_dir_all(&dir).map_err(|source| LoggingError::Dir {
        dir: dir.clone(),
        source,
    })?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("cpitop")
        .filename_suffix("log")
        .max_log_files(KEEP_LOG_FILES)
        .build(&dir)
        .map_err(|e| LoggingError::File {
            dir: dir.clone(),
            message: e.to_string(),
        })?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|_| LoggingError::AlreadyInit)?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "cpitop started");
    if let Ok(mut w) = WRITER.lock() {
        *w = Some((guard, dir.clone()));
    }
    Ok(LogGuard { dir })
}
