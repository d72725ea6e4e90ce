//! The `:` line's history, one command a line, oldest first, in the state directory
//! (`$XDG_STATE_HOME/cpitop/history`): owner-only and written atomically like every file of
//! cpitop's (`fsutil`), bounded when read.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::fsutil::{atomic_write, read_regular_capped};
use super::paths::Paths;

/// The largest history file read (a longer one is read up to here, newest lines lost).
pub const MAX_HISTORY_FILE: u64 = 256 << 10;

/// Where the history is kept.
pub fn path(paths: &Paths) -> PathBuf {
    paths.state_dir.join("history")
}

/// The commands kept in `path`, oldest first; a missing or unreadable file is an empty history
/// (never an error: it is a convenience).
pub fn load(path: &Path) -> Vec<String> {
    match read_regular_capped(path, MAX_HISTORY_FILE) {
        Ok(bytes) => String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        Err(e) => {
            if e.kind() != io::ErrorKind::NotFound {
                tracing::warn!("command history {} not read: {e}", path.display());
            }
            Vec::new()
        }
    }
}

/// Write `items` (oldest first) to `path`, mode `0600` in a `0700` directory. Lines with control
/// characters are not kept (a command line never has them).
pub fn save(path: &Path, items: &[String]) -> io::Result<()> {
    atomic_write(path, |w| {
        for line in items.iter().filter(|l| !l.chars().any(char::is_control)) {
            w.write_all(line.as_bytes())?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn kept_owner_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path());
        let p = path(&paths);
        assert!(load(&p).is_empty(), "no file: no history");
        save(
            &p,
            &[
                "window 4h".into(),
                "iflow X\u{1b}]0;t".into(),
                "status FAILED".into(),
            ],
        )
        .unwrap();
        assert_eq!(load(&p), vec!["window 4h", "status FAILED"]);
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dmode = std::fs::metadata(p.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dmode, 0o700);
    }
}
