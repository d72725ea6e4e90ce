//! The transition history of one tenant: JSON lines, appended, bounded. When the file grows past
//! `limit` lines it is rewritten with the newest three quarters of them, so appends stay cheap and
//! the file never holds more than `limit` lines.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use super::persist::{MAX_STATE_FILE, PersistError, io, read_bounded, tenant_file, write_atomic};
use super::status::Transition;
use crate::config::fsutil;

pub struct History {
    path: PathBuf,
    limit: usize,
    lines: usize,
}

impl History {
    /// Open (or prepare) the history of `tenant` in `state_dir`, keeping at most `limit` lines.
    pub fn open(state_dir: &Path, tenant: &str, limit: usize) -> Result<Self, PersistError> {
        let path = tenant_file(state_dir, "alert-history", tenant, "jsonl");
        let lines = match fsutil::open_regular(&path) {
            Ok(f) => {
                let len = f.metadata().map_err(io("read", &path))?.len();
                if len > MAX_STATE_FILE {
                    let e = std::io::Error::new(
                        std::io::ErrorKind::FileTooLarge,
                        format!(
                            "it is larger than the maximum of {}",
                            fsutil::human_size(MAX_STATE_FILE)
                        ),
                    );
                    return Err(io("open", &path)(e));
                }
                BufReader::new(f.take(MAX_STATE_FILE)).lines().count()
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(io("open", &path)(e)),
        };
        Ok(Self {
            path,
            limit: limit.max(1),
            lines,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append transitions (one JSON line each), trimming the file if it exceeds the limit.
    pub fn append(&mut self, transitions: &[Transition]) -> Result<(), PersistError> {
        if transitions.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::new();
        for t in transitions {
            // Serialising plain data cannot fail; skip defensively rather than panic.
            if let Ok(line) = serde_json::to_string(t) {
                buf.extend_from_slice(line.as_bytes());
                buf.push(b'\n');
            }
        }
        if let Some(dir) = self.path.parent() {
            fsutil::create_private_dir_all(dir).map_err(io("create directory", dir))?;
        }
        let mut f = fsutil::create_file(&self.path, fsutil::PRIVATE_FILE_MODE, false)
            .map_err(io("open", &self.path))?;
        f.write_all(&buf).map_err(io("append to", &self.path))?;
        drop(f);
        self.lines += transitions.len();
        if self.lines > self.limit {
            self.trim()?;
        }
        Ok(())
    }

    fn trim(&mut self) -> Result<(), PersistError> {
        let text = read_text(&self.path).map_err(io("read", &self.path))?;
        let all: Vec<&str> = text.lines().collect();
        let keep = (self.limit * 3 / 4).max(1).min(all.len());
        let mut out = all[all.len() - keep..].join("\n");
        out.push('\n');
        write_atomic(&self.path, out.as_bytes())?;
        self.lines = keep;
        Ok(())
    }

    /// The newest `n` transitions, oldest first. Lines that do not decode are skipped (logged).
    pub fn recent(&self, n: usize) -> Result<Vec<Transition>, PersistError> {
        let text = match read_text(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io("read", &self.path)(e)),
        };
        let mut out: Vec<Transition> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str(line) {
                Ok(t) => out.push(t),
                Err(e) => tracing::warn!(
                    path = %self.path.display(),
                    line = i + 1,
                    error = %e,
                    "skipping an unreadable alert history line"
                ),
            }
        }
        let skip = out.len().saturating_sub(n);
        Ok(out.split_off(skip))
    }
}

/// The history file as text, bounded (see [`read_bounded`]); invalid UTF-8 is replaced so one bad
/// line is skipped, not the whole history.
fn read_text(path: &Path) -> std::io::Result<String> {
    read_bounded(path).map(|b| String::from_utf8_lossy(&b).into_owned())
}
