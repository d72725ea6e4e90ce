//! Small helpers for the monitor files in the XDG state directory: atomic writes, per-tenant
//! file names, and an error that names the file and what to check.
//!
//! Files are owner-only (`0600` in a `0700` directory, through [`crate::config::fsutil`]); a file
//! is read back only if it is a regular file of at most [`MAX_STATE_FILE`] bytes.

use std::path::{Path, PathBuf};

use crate::config::fsutil;

/// The largest monitor state or history file read back (16 MiB: the history is bounded in lines,
/// state files are small). A larger one is an error naming the file.
pub const MAX_STATE_FILE: u64 = 16 << 20;

#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("could not {action} {path}: {source}; check that the state directory exists and is writable")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not valid ({source}); fix or delete the file (it is rewritten on the next change)")]
    Corrupt {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

pub(crate) fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> PersistError {
    let path = path.to_path_buf();
    move |source| PersistError::Io { action, path, source }
}

/// `<dir>/<stem>-<tenant>.<ext>` with the tenant name reduced to `[A-Za-z0-9._-]`.
pub fn tenant_file(dir: &Path, stem: &str, tenant: &str, ext: &str) -> PathBuf {
    let safe: String = tenant
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = if safe.is_empty() || safe.starts_with('.') {
        format!("_{safe}")
    } else {
        safe
    };
    dir.join(format!("{stem}-{safe}.{ext}"))
}

/// Write `bytes` to `path` through a temporary file and a rename, so a crash never leaves a
/// half-written file. Creates the directory. The file is `0600`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PersistError> {
    use std::io::Write;
    fsutil::atomic_write(path, |w| w.write_all(bytes)).map_err(io("write", path))
}

/// Read a whole state file: only a regular file, at most [`MAX_STATE_FILE`] bytes.
pub fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    fsutil::read_regular_capped(path, MAX_STATE_FILE)
}

/// Read and decode a JSON file; a missing file is `Ok(None)`.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, PersistError> {
    match read_bounded(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| PersistError::Corrupt {
                path: path.to_path_buf(),
                source,
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io("read", path)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_names_become_safe_file_names() {
        let d = Path::new("/s");
        assert_eq!(
            tenant_file(d, "h", "prod-eu10", "jsonl"),
            Path::new("/s/h-prod-eu10.jsonl")
        );
        assert_eq!(
            tenant_file(d, "h", "a/../b c", "jsonl"),
            Path::new("/s/h-a_.._b_c.jsonl")
        );
        assert_eq!(tenant_file(d, "h", "", "json"), Path::new("/s/h-_.json"));
    }
}
