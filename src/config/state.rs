//! Small state remembered across runs, in the XDG state dir: the last used tenant.
//! (Alert acknowledgements and history belong to the monitor module; it can keep its own files
//! under [`Paths::state_dir`].)

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::error::{Warning, WarningKind};
use super::fsutil::{atomic_write, read_regular_capped};
use super::paths::Paths;

const STATE_FORMAT: u32 = 1;

/// The largest state file read (64 KiB; it holds one tenant name).
pub const MAX_STATE_FILE: u64 = 64 << 10;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppState {
    #[serde(default)]
    pub format: u32,
    #[serde(default)]
    pub last_tenant: Option<String>,
}

/// Read the state file. A missing file is the default state; an unreadable or corrupt one is the
/// default state plus a warning (it is rewritten on the next save).
pub fn load(paths: &Paths) -> (AppState, Option<Warning>) {
    let path = paths.state_file();
    let bytes = match read_regular_capped(&path, MAX_STATE_FILE) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return (AppState::default(), None),
        Err(e) => {
            let w = format!(
                "state file {} cannot be read ({e}); starting without it",
                path.display()
            );
            return (AppState::default(), Some(Warning::new(WarningKind::State, w)));
        }
    };
    match serde_json::from_slice::<AppState>(&bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let w = format!(
                "state file {} is corrupt (line {}, column {}); starting without it",
                path.display(),
                e.line(),
                e.column()
            );
            (AppState::default(), Some(Warning::new(WarningKind::State, w)))
        }
    }
}

/// Write the state file atomically.
pub fn save(paths: &Paths, state: &AppState) -> io::Result<()> {
    let state = AppState {
        format: STATE_FORMAT,
        ..state.clone()
    };
    atomic_write(&paths.state_file(), |w| {
        serde_json::to_writer_pretty(&mut *w, &state).map_err(io::Error::other)?;
        w.write_all(b"\n")
    })
}

/// The tenant used last, if any.
pub fn last_tenant(paths: &Paths) -> Option<String> {
    load(paths).0.last_tenant
}

/// Remember `name` as the last used tenant (call on start and on `:ctx NAME`).
pub fn remember_tenant(paths: &Paths, name: &str) -> io::Result<()> {
    let (mut state, _) = load(paths);
    if state.last_tenant.as_deref() == Some(name) {
        return Ok(());
    }
    state.last_tenant = Some(name.to_string());
    save(paths, &state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_and_survives_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path());
        assert_eq!(last_tenant(&paths), None);
        remember_tenant(&paths, "acme-prod").unwrap();
        assert_eq!(last_tenant(&paths).as_deref(), Some("acme-prod"));
        std::fs::write(paths.state_file(), "{\"last_ten").unwrap();
        let (s, w) = load(&paths);
        assert_eq!(s, AppState::default());
        assert!(w.unwrap().message.contains("is corrupt"));
        remember_tenant(&paths, "acme-dev").unwrap();
        assert_eq!(last_tenant(&paths).as_deref(), Some("acme-dev"));
    }
}
