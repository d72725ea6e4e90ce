//! `[[hotkeys]]` and `[[plugins]]` as written, typed with the same located errors as the rest of
//! the config (file, line, column, key path, the allowed keys and a "did you mean").
//!
//! The loader keeps both as raw values (as it does `[monitors]` and `[serve]`), so a plugin typo
//! does not stop `cpitop get` or `check`; the TUI and `cpitop config check` type them here, then
//! check what only the TUI knows (key names, views, `:` commands, clashes with the keymap,
//! variables) in `crate::app::ui_config`.

use serde::Deserialize;

use super::error::{ConfigError, Location};
use super::load::{Config, map_de_error};
use super::locate::{Doc, join_path};

/// `[[hotkeys]]`: a key that runs a `:` command.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHotkey {
    /// `"F2"`, `"ctrl-o"`, `"alt-1"`.
    pub key: String,
    /// A `:` command line, e.g. `"iflow Orders_Inbound"` (the leading `:` may be written).
    pub command: String,
    /// The views it works in (keymap contexts: `messages`, `message_detail`, `table`, …); empty:
    /// every view.
    #[serde(default)]
    pub views: Vec<String>,
    /// Shown in help (`?`); default: the command.
    pub description: Option<String>,
}

/// `[[plugins]]`: a key that runs a program on the selected row(s).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlugin {
    /// Shown in help, the confirmation and the audit log.
    pub name: String,
    pub key: String,
    /// The program (a path, or a name looked up in `PATH`). Never run through a shell by cpitop.
    pub command: String,
    /// Its arguments; `$TENANT`, `$MESSAGE_ID`, … are replaced per argument (`$$` is a `$`).
    #[serde(default)]
    pub args: Vec<String>,
    /// The views it works in; empty: every view.
    #[serde(default)]
    pub views: Vec<String>,
    pub description: Option<String>,
    /// Ask before running.
    #[serde(default)]
    pub confirm: bool,
    /// Run without the terminal, its output captured and kept (`:plugins` shows it again);
    /// otherwise the TUI steps aside while it runs in the terminal.
    #[serde(default)]
    pub background: bool,
    /// It changes something: always confirmed, refused on read-only tenants.
    #[serde(default)]
    pub dangerous: bool,
    /// Foreground only: after the program ends, wait for Enter before the TUI comes back.
    #[serde(default)]
    pub wait: bool,
}

#[derive(Deserialize)]
struct OnlyHotkeys {
    #[serde(default)]
    hotkeys: Vec<RawHotkey>,
}

#[derive(Deserialize)]
struct OnlyPlugins {
    #[serde(default)]
    plugins: Vec<RawPlugin>,
}

/// `[[hotkeys]]` typed; `Err`: the first mistake, located.
pub fn hotkeys(config: &Config) -> Result<Vec<RawHotkey>, ConfigError> {
    if config.hotkeys.is_none() {
        return Ok(Vec::new());
    }
    typed(config, "hotkeys", |text| {
        toml::from_str::<OnlyHotkeys>(text).map(|o| o.hotkeys)
    })
}

/// `[[plugins]]` typed; `Err`: the first mistake, located.
pub fn plugins(config: &Config) -> Result<Vec<RawPlugin>, ConfigError> {
    if config.plugins.is_none() {
        return Ok(Vec::new());
    }
    typed(config, "plugins", |text| {
        toml::from_str::<OnlyPlugins>(text).map(|o| o.plugins)
    })
}

/// Type one section from the file's text (the positions are the file's); without a text (a config
/// built in memory) from the raw value, unlocated.
fn typed<T>(
    config: &Config,
    section: &str,
    from_text: impl Fn(&str) -> Result<Vec<T>, toml::de::Error>,
) -> Result<Vec<T>, ConfigError>
where
    T: serde::de::DeserializeOwned,
{
    let (Some(file), Some(text)) = (config.file.as_deref(), config.text.as_ref().map(|t| t.as_str())) else {
        let value = match section {
            "hotkeys" => config.hotkeys.clone(),
            _ => config.plugins.clone(),
        };
        let mut t = toml::Table::new();
        if let Some(v) = value {
            t.insert(section.into(), v);
        }
        return from_text(&toml::to_string(&t).unwrap_or_default()).map_err(|e| ConfigError::InvalidValue {
            loc: None,
            key_path: section.into(),
            message: e.message().trim().to_string(),
            allowed: Vec::new(),
            suggestion: None,
        });
    };
    let doc = Doc::parse(text).map_err(|e| ConfigError::Syntax {
        loc: Box::new(Location::from_span(file, text, e.span().unwrap_or(0..0))),
        message: e.message().trim().to_string(),
    })?;
    from_text(text).map_err(|e| {
        let msg = e.message().trim();
        if !msg.starts_with("missing field") {
            return map_de_error(&e, text, file, &doc);
        }
        // `missing field `command``: say which entry lacks what (the loader's own wording is
        // about tenants).
        let span = e.span().unwrap_or(0..0);
        let (mut path, key_span) = doc.path_at(span.start);
        let key = msg.split('`').nth(1).unwrap_or("").to_string();
        // The entry without it: the first of the section's tables that lacks the key.
        let raw = match section {
            "hotkeys" => config.hotkeys.as_ref(),
            _ => config.plugins.as_ref(),
        };
        let entry = raw
            .and_then(|v| v.as_array())
            .and_then(|a| a.iter().position(|t| t.get(&key).is_none()));
        let mut span = key_span.unwrap_or(span);
        if let (Some(i), true) = (entry, path == [section]) {
            let idx = format!("[{i}]");
            if let Some(s) = doc.span_of(&[section, &idx]) {
                span = s;
            }
            path.push(idx);
        }
        ConfigError::InvalidValue {
            loc: Some(Box::new(Location::from_span(file, text, span))),
            key_path: join_path(&path),
            message: format!("`{key}` is missing"),
            allowed: Vec::new(),
            suggestion: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn cfg(text: &str) -> Config {
        Config::parse(text, Path::new("/c/config.toml")).expect("parses")
    }

    #[test]
    fn typed_with_defaults_and_located_mistakes() {
        let c = cfg(
            "[[hotkeys]]\nkey = \"F2\"\ncommand = \"iflow X\"\n\n[[plugins]]\nname = \"p\"\nkey = \"ctrl-t\"\ncommand = \"echo\"\nargs = [\"$IFLOW\"]\n",
        );
        let h = hotkeys(&c).expect("hotkeys");
        assert_eq!(h.len(), 1);
        assert!(h[0].views.is_empty() && h[0].description.is_none());
        let p = plugins(&c).expect("plugins");
        assert_eq!(p[0].args, ["$IFLOW"]);
        assert!(!p[0].background && !p[0].confirm && !p[0].dangerous && !p[0].wait);

        let e = plugins(&cfg(
            "[[plugins]]\nname = \"p\"\nkey = \"x\"\ncommand = \"echo\"\nbackgrund = true\n",
        ))
        .expect_err("typo");
        assert_eq!(
            e.to_string(),
            "/c/config.toml:5:1: unknown key `plugins[0].backgrund`; did you mean `background`?\n 5 | backgrund = true\n   | ^\n  allowed keys here: name, key, command, args, views, description, confirm, background, dangerous, wait"
        );
        let e = hotkeys(&cfg(
            "[[hotkeys]]\nkey = \"F2\"\ncommand = \"q\"\n\n[[hotkeys]]\nkey = \"F3\"\n",
        ))
        .expect_err("no command");
        assert_eq!(
            e.to_string(),
            "/c/config.toml:5:1: invalid value for `hotkeys[1]`: `command` is missing\n 5 | [[hotkeys]]\n   | ^"
        );
        let e = plugins(&cfg(
            "[[plugins]]\nname = \"p\"\nkey = \"x\"\ncommand = \"echo\"\nargs = \"$IFLOW\"\n",
        ))
        .expect_err("args must be a list");
        assert!(
            e.to_string()
                .starts_with("/c/config.toml:5:8: invalid value for `plugins[0].args`: invalid type: string"),
            "{e}"
        );
        assert!(hotkeys(&cfg("")).expect("none").is_empty());
    }
}
