//! Small helpers for the monitor files in the XDG state directory: atomic writes, per-tenant
//! file names, and an error that names the file and what to check.

use std::io::Write;
use std::path::{Path, PathBuf};

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
/// half-written file. Creates the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PersistError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io("create directory", dir))?;
    }
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(io("create", &tmp))?;
    f.write_all(bytes).map_err(io("write", &tmp))?;
    f.sync_all().map_err(io("sync", &tmp))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io("replace", path))
}

/// Read and decode a JSON file; a missing file is `Ok(None)`.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, PersistError> {
    match std::fs::read(path) {
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
