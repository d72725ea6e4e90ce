//! Where cpitop keeps its files. Every other module asks [`Paths`] instead of building paths itself.
//!
//! Resolution, first match wins:
//! - config file: `--config PATH`, then `$CPITOP_CONFIG`, then `$XDG_CONFIG_HOME/cpitop/config.toml`,
//!   then the platform config dir from `directories` (`~/.config/cpitop/config.toml` on Linux);
//! - cache: `$XDG_CACHE_HOME/cpitop`, then the platform cache dir;
//! - state (last tenant, logs, alert history): `$XDG_STATE_HOME/cpitop`, then the platform state dir
//!   (`~/.local/state/cpitop`), or the local data dir where the platform has no state dir.
//!
//! `XDG_*` variables are honoured on every platform (also macOS), and only when absolute, as the XDG
//! base-directory specification asks. The environment is read through a lookup function so tests
//! never have to mutate the process environment.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

const APP: &str = "cpitop";

/// Where a config file path came from (shown by `cpitop info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    /// `--config PATH`
    Flag,
    /// `$CPITOP_CONFIG`
    Env,
    /// The XDG/platform default location.
    Default,
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigSource::Flag => "--config",
            ConfigSource::Env => "$CPITOP_CONFIG",
            ConfigSource::Default => "default location",
        })
    }
}

/// The resolved directories and files. Plain data: construct it with [`Paths::resolve`] (from the
/// environment) or [`Paths::under`] (everything below one root, for tests and `--demo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub config_file: PathBuf,
    pub config_source: ConfigSource,
    pub cache_dir: PathBuf,
    pub state_dir: PathBuf,
}

/// Failure to find a home directory when no `XDG_*` variable says where to go.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot determine the {what} directory: no home directory found and ${var} is not set to an \
     absolute path; set ${var} or HOME"
)]
pub struct PathsError {
    what: &'static str,
    var: &'static str,
}

impl Paths {
    /// Resolve from the real process environment.
    pub fn from_env(config_flag: Option<&Path>) -> Result<Self, PathsError> {
        Self::resolve(config_flag, |k| std::env::var_os(k))
    }

    /// Resolve with an explicit environment lookup (tests pass a map).
    pub fn resolve(
        config_flag: Option<&Path>,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Self, PathsError> {
        let abs = |var: &str| env(var).map(PathBuf::from).filter(|p| p.is_absolute());
        // Only consulted when an XDG variable is missing; on Linux `directories` reads the same
        // variables, which we have already checked ourselves.
        let project = || directories::ProjectDirs::from("", "", APP);

        let (config_file, config_source) = if let Some(p) = config_flag {
            (p.to_path_buf(), ConfigSource::Flag)
        } else if let Some(p) = env("CPITOP_CONFIG").filter(|v| !v.is_empty()) {
            (PathBuf::from(p), ConfigSource::Env)
        } else if let Some(dir) = abs("XDG_CONFIG_HOME") {
            (dir.join(APP).join("config.toml"), ConfigSource::Default)
        } else {
            let dirs = project().ok_or(PathsError {
                what: "config",
                var: "XDG_CONFIG_HOME",
            })?;
            (dirs.config_dir().join("config.toml"), ConfigSource::Default)
        };

        let cache_dir = match abs("XDG_CACHE_HOME") {
            Some(dir) => dir.join(APP),
            None => project()
                .ok_or(PathsError {
                    what: "cache",
                    var: "XDG_CACHE_HOME",
                })?
                .cache_dir()
                .to_path_buf(),
        };
        let state_dir = match abs("XDG_STATE_HOME") {
            Some(dir) => dir.join(APP),
            None => {
                let dirs = project().ok_or(PathsError {
                    what: "state",
                    var: "XDG_STATE_HOME",
                })?;
                dirs.state_dir()
                    .unwrap_or_else(|| dirs.data_local_dir())
                    .to_path_buf()
            }
        };
        Ok(Self {
            config_file,
            config_source,
            cache_dir,
            state_dir,
        })
    }

    /// Everything below one root directory: `root/config/cpitop/config.toml`, `root/cache/cpitop`,
    /// `root/state/cpitop`. For tests and throw-away sessions.
    pub fn under(root: &Path) -> Self {
        Self {
            config_file: root.join("config").join(APP).join("config.toml"),
            config_source: ConfigSource::Default,
            cache_dir: root.join("cache").join(APP),
            state_dir: root.join("state").join(APP),
        }
    }

    /// The directory holding the config file (service keys are often kept beside it).
    pub fn config_dir(&self) -> &Path {
        self.config_file.parent().unwrap_or(Path::new("."))
    }

    /// Rotating log files (`cpitop.YYYY-MM-DD.log`).
    pub fn log_dir(&self) -> PathBuf {
        self.state_dir.join("logs")
    }

    /// Small state file: last used tenant.
    pub fn state_file(&self) -> PathBuf {
        self.state_dir.join("state.json")
    }

    /// Root of the per-tenant caches (`<cache_dir>/tenants/<name>/`).
    pub fn tenant_cache_root(&self) -> PathBuf {
        self.cache_dir.join("tenants")
    }

    /// At start: tighten cpitop's existing cache, state and log directories to `0700` (those this
    /// user owns; older versions created them `0755`) and remove the temporary files of saves a
    /// crash interrupted. Best effort: a failure is logged, never fatal. Returns the number of
    /// temporary files removed.
    pub fn secure_own_dirs(&self) -> usize {
        use super::fsutil::{remove_stale_temps, tighten_dir};
        let root = self.tenant_cache_root();
        let mut dirs = vec![
            self.cache_dir.clone(),
            root.clone(),
            self.state_dir.clone(),
            self.log_dir(),
        ];
        // `tenants/<name>/` and, below it, one directory per tenant URL (`config::cache`).
        let tenants: Vec<PathBuf> = std::fs::read_dir(&root)
            .map(|es| es.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect())
            .unwrap_or_default();
        for t in &tenants {
            if let Ok(entries) = std::fs::read_dir(t) {
                dirs.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
            }
        }
        dirs.extend(tenants);
        for d in &dirs {
            if let Err(e) = tighten_dir(d) {
                tracing::warn!(dir = %d.display(), "cannot make the directory owner-only: {e}");
            }
        }
        // Cache: `<cache_dir>/tenants/<tenant>/<url>/…`; state: `<state_dir>/…` (logs hold no temps).
        remove_stale_temps(&self.cache_dir, 3) + remove_stale_temps(&self.state_dir, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn xdg_variables_win() {
        let p = Paths::resolve(
            None,
            env(&[
                ("XDG_CONFIG_HOME", "/x/conf"),
                ("XDG_CACHE_HOME", "/x/cache"),
                ("XDG_STATE_HOME", "/x/state"),
                ("HOME", "/home/nobody"),
            ]),
        )
        .unwrap();
        assert_eq!(p.config_file, PathBuf::from("/x/conf/cpitop/config.toml"));
        assert_eq!(p.config_source, ConfigSource::Default);
        assert_eq!(p.cache_dir, PathBuf::from("/x/cache/cpitop"));
        assert_eq!(p.state_dir, PathBuf::from("/x/state/cpitop"));
        assert_eq!(p.log_dir(), PathBuf::from("/x/state/cpitop/logs"));
    }

    #[test]
    fn flag_beats_env_beats_xdg() {
        let e = env(&[
            ("CPITOP_CONFIG", "/e/c.toml"),
            ("XDG_CONFIG_HOME", "/x/conf"),
            ("XDG_CACHE_HOME", "/x/cache"),
            ("XDG_STATE_HOME", "/x/state"),
        ]);
        let p = Paths::resolve(Some(Path::new("/f/c.toml")), &e).unwrap();
        assert_eq!(p.config_file, PathBuf::from("/f/c.toml"));
        assert_eq!(p.config_source, ConfigSource::Flag);
        let p = Paths::resolve(None, &e).unwrap();
        assert_eq!(p.config_file, PathBuf::from("/e/c.toml"));
        assert_eq!(p.config_source, ConfigSource::Env);
    }

    #[test]
    fn relative_xdg_is_ignored() {
        let p = Paths::resolve(
            None,
            env(&[("XDG_CACHE_HOME", "relative/cache"), ("XDG_STATE_HOME", "/s")]),
        );
        // Falls back to the platform dir (which needs HOME from the real process); either way the
        // relative path must not be used.
        if let Ok(p) = p {
            assert!(!p.cache_dir.starts_with("relative"));
            assert_eq!(p.state_dir, PathBuf::from("/s/cpitop"));
        }
    }
}
