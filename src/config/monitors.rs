//! `[monitors]` typed and validated for whoever runs monitors (the TUI, `cpitop check`/`watch`,
//! `cpitop config check`), with errors that say where: the file, line and column of the
//! offending value when the file can be read again, and what is wrong.
//!
//! The config loader keeps `[monitors]` as a raw table (`schema::MonitorsSection`), so a
//! monitor typo does not stop the rest of the config from loading; this is the one place that
//! turns it into [`MonitorsConfig`].

use std::path::Path;

use serde::Deserialize;

use super::error::Location;
use crate::monitor::MonitorsConfig;

/// Only `[monitors]` of a config file; every other table is ignored here.
#[derive(Deserialize)]
struct OnlyMonitors {
    #[serde(default)]
    monitors: Option<toml::Value>,
}

/// Deserialized only for the position of its error.
#[allow(dead_code)]
#[derive(Deserialize)]
struct TypedMonitors {
    #[serde(default)]
    monitors: MonitorsConfig,
}

/// Type and validate the `[monitors]` table read from `file`.
pub fn typed_monitors(table: &toml::Table, file: Option<&Path>) -> Result<MonitorsConfig, String> {
    let place = file
        .map(|f| format!("{} [monitors]", f.display()))
        .unwrap_or_else(|| "[monitors]".into());
    let text = file.and_then(|f| std::fs::read_to_string(f).ok());
    let cfg: MonitorsConfig = match toml::Value::Table(table.clone()).try_into() {
        Ok(c) => c,
        Err(e) => {
            let e: toml::de::Error = e;
            let message = e.message().trim().to_string();
            // The table has no positions; the file text does.
            if let (Some(f), Some(text)) = (file, text.as_deref())
                && let Some(loc) = locate_de_error(f, text)
            {
                return Err(format!("{loc}: [monitors]: {message}{}", loc.snippet()));
            }
            return Err(format!("{place}: {message}"));
        }
    };
    if let Err(problems) = cfg.validate() {
        let located: Vec<String> = problems
            .iter()
            .map(|p| match (file, text.as_deref()) {
                (Some(f), Some(text)) => match locate_monitor(f, text, p) {
                    Some(loc) => format!("{loc}: {p}"),
                    None => p.clone(),
                },
                _ => p.clone(),
            })
            .collect();
        return Err(format!("{place}: {}", located.join("; ")));
    }
    Ok(cfg)
}

/// Deserialize `[monitors]` again from the text to get the error's position.
fn locate_de_error(file: &Path, text: &str) -> Option<Location> {
    let raw: OnlyMonitors = toml::from_str(text).ok()?;
    raw.monitors?;
    let e = toml::from_str::<TypedMonitors>(text).err()?;
    let span = e.span()?;
    Some(Location::from_span(file, text, span))
}

/// The line of `key = "<key>"` of the monitor a validation problem names (`monitor "x": …`),
/// else of the `monitors.*` setting it names.
fn locate_monitor(file: &Path, text: &str, problem: &str) -> Option<Location> {
    let needle = |line: &str, key: &str, value: &str| {
        let l = line.trim_start();
        l.starts_with(key)
            && l[key.len()..].trim_start().starts_with('=')
            && l.contains(&format!("\"{value}\""))
    };
    let offset_of = |pred: &dyn Fn(&str) -> bool| {
        let mut off = 0;
        for line in text.split_inclusive('\n') {
            if pred(line) {
                return Some(off + (line.len() - line.trim_start().len()));
            }
            off += line.len();
        }
        None
    };
    let start = if let Some(rest) = problem.split("monitor \"").nth(1) {
        let key = rest.split('"').next()?;
        offset_of(&|l| needle(l, "key", key))?
    } else if let Some(rest) = problem.split("key \"").nth(1) {
        let key = rest.split('"').next()?;
        offset_of(&|l| needle(l, "key", key))?
    } else {
        let setting = ["interval", "history_limit", "group_window", "min_interval"]
            .into_iter()
            .find(|s| problem.contains(s))?;
        offset_of(&|l| {
            let t = l.trim_start();
            t.starts_with(setting) && t[setting.len()..].trim_start().starts_with('=')
        })?
    };
    Some(Location::from_span(file, text, start..start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    fn table(text: &str) -> toml::Table {
        let all: toml::Table = toml::from_str(text).unwrap();
        all.get("monitors")
            .and_then(|v| v.as_table())
            .cloned()
            .unwrap_or_default()
    }

    #[test]
    fn type_errors_point_at_the_line() {
        let text = "default_tenant = \"x\"\n[monitors]\ninterval = \"1m\"\n[[monitors.defaults]]\nkey = \"a\"\nname = \"A\"\nrulez = []\n";
        let (_d, path) = write(text);
        let e = typed_monitors(&table(text), Some(&path)).unwrap_err();
        assert!(e.contains(&format!("{}:7:", path.display())), "{e}");
        assert!(e.contains("rulez"), "{e}");
        // Without a readable file the error still names the table.
        let e = typed_monitors(&table(text), Some(Path::new("/nonexistent/c.toml"))).unwrap_err();
        assert!(e.starts_with("/nonexistent/c.toml [monitors]: "), "{e}");
    }

    #[test]
    fn validation_problems_point_at_the_monitor() {
        let text = "[monitors]\n[[monitors.defaults]]\nkey = \"ok1\"\nname = \"A\"\nrules = [{ kind = \"not_started\" }]\n[[monitors.defaults]]\nkey = \"bad\"\nname = \"B\"\nrules = []\n";
        let (_d, path) = write(text);
        let e = typed_monitors(&table(text), Some(&path)).unwrap_err();
        assert!(e.contains(&format!("{}:7:1: ", path.display())), "{e}");
        assert!(e.contains("has no rules"), "{e}");
        let ok = "[monitors]\n[[monitors.defaults]]\nkey = \"a\"\nname = \"A\"\nrules = [{ kind = \"not_started\" }]\n";
        let cfg = typed_monitors(&table(ok), None).unwrap();
        assert_eq!(cfg.monitors_for("any").len(), 1);
    }

    #[test]
    fn the_example_config_has_valid_monitors() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/cpitop.example.toml");
        let c = super::super::Config::load_file(&path).unwrap();
        let cfg = typed_monitors(&c.monitors, Some(&path)).unwrap();
        let n = crate::monitor::needs(cfg.monitors_for("acme-prod"));
        assert!(n.artifacts && n.keystore && n.health && n.message_window.is_some());
        assert!(cfg.monitors_for("acme-prod").len() > cfg.monitors_for("acme-dev").len());
    }
}
