//! Logging: `tracing` to a daily-rotated file in `<state_dir>/logs/` (a week kept), never to the
//! terminal the TUI draws on. Level: `--log-level`, else `RUST_LOG`, else `info`.
//!
//! Log files are `0600` in a `0700` directory: tracing-appender creates them with the umask's
//! mode, so they are tightened after the appender opens one and whenever the day (and with it
//! the file) changes. Starting logging also tightens cpitop's other directories and removes the
//! temporary files of interrupted saves ([`Paths::secure_own_dirs`]).
//!
//! Nothing logged may contain a secret: `Secret` prints as `***`, and code logs sources
//! (variable names, commands, files), not values.

use std::io::Write;
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;

use super::fsutil::{create_private_dir_all, tighten_file};
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
    create_private_dir_all(&paths.state_dir)
        .and_then(|()| create_private_dir_all(&dir))
        .map_err(|source| LoggingError::Dir {
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
    tighten_logs(&dir);
    let appender = PrivateLog {
        inner: appender,
        dir: dir.clone(),
        day: chrono::Utc::now().date_naive(),
    };
    let (writer, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|_| LoggingError::AlreadyInit)?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "cpitop started");
    let removed = paths.secure_own_dirs();
    if removed > 0 {
        tracing::info!(removed, "temporary files of interrupted saves removed");
    }
    if let Ok(mut w) = WRITER.lock() {
        *w = Some((guard, dir.clone()));
    }
    Ok(LogGuard { dir })
}

/// The rolling appender, with every log file it opens made owner-only (see the module doc).
struct PrivateLog {
    inner: RollingFileAppender,
    dir: PathBuf,
    /// The UTC day of the file last tightened; the appender rotates daily in UTC.
    day: chrono::NaiveDate,
}

impl Write for PrivateLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        let today = chrono::Utc::now().date_naive();
        if today != self.day {
            tighten_logs(&self.dir);
            // The appender rolls over on its own clock: until today's file exists, check again on
            // the next write.
            if self
                .dir
                .join(format!("cpitop.{}.log", today.format("%Y-%m-%d")))
                .exists()
            {
                self.day = today;
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Make cpitop's log files in `dir` owner-only (best effort: logging must not fail over it).
fn tighten_logs(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("cpitop") && name.ends_with(".log") {
            let _ = tighten_file(&e.path());
        }
    }
}
