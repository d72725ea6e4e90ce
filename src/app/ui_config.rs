//! The TUI's sections of the config — `[keys]`, the theme (`theme = "light"` or `[theme]`),
//! `[[hotkeys]]` and `[[plugins]]` — checked against what the TUI knows (views, actions, key
//! names, colour roles and skins, `:` commands, the keymap a new key would clash with, plugin
//! variables), every mistake located like the rest of the config (file, line, column, the line).
//!
//! The TUI starts with what is valid and says what it left out; `cpitop config check` prints
//! every mistake and fails. Pure: the config (with its text) in, the setup and the errors out.

use crate::config::ui::{RawHotkey, RawPlugin};
use crate::config::{Config, ConfigError};
use crate::features::extend::args::{Arg, code_argument, reads_code_from_stdin};
use crate::features::extend::{Hotkey, Plugin, Scope};
use crate::kit::action::Action;
use crate::kit::keymap::{Context, Key, Keymap};
use crate::kit::widgets::theme::{Paint, Palette, Role, Skin, color_forms};

/// What the TUI takes from the config.
#[derive(Debug, Clone)]
pub struct UiSetup {
    pub keymap: Keymap,
    pub skin: Skin,
    pub palette: Palette,
    pub hotkeys: Vec<Hotkey>,
    pub plugins: Vec<Plugin>,
    /// `[keys]` entries applied, colours changed by `[theme]`.
    pub key_overrides: usize,
    pub colour_overrides: usize,
}

impl Default for UiSetup {
    fn default() -> Self {
        Self {
            keymap: Keymap::defaults(),
            skin: Skin::Default,
            palette: Skin::Default.palette(),
            hotkeys: Vec::new(),
            plugins: Vec::new(),
            key_overrides: 0,
            colour_overrides: 0,
        }
    }
}

impl UiSetup {
    /// One line for `config check`.
    pub fn describe(&self) -> String {
        let n = |k: usize, what: &str| match k {
            1 => format!("1 {what}"),
            k => format!("{k} {what}s"),
        };
        format!(
            "skin {}{}, {}, {}, {}",
            self.skin.name(),
            match self.colour_overrides {
                0 => String::new(),
                k => format!(" ({} changed)", n(k, "colour")),
            },
            n(self.key_overrides, "key override"),
            n(self.hotkeys.len(), "hotkey"),
            n(self.plugins.len(), "plugin"),
        )
    }
}

/// The setup from the config: everything valid applied, every mistake returned.
pub fn setup(config: &Config) -> (UiSetup, Vec<ConfigError>) {
    let mut errors = Vec::new();
    let (keymap, key_overrides) = keys(config, &mut errors);
    let (skin, palette, colour_overrides) = theme(config, &mut errors);
    let mut taken = Vec::new();
    let hotkeys = hotkeys(config, &keymap, &mut taken, &mut errors);
    let plugins = plugins(config, &keymap, &mut taken, &mut errors);
    (
        UiSetup {
            keymap,
            skin,
            palette,
            hotkeys,
            plugins,
            key_overrides,
            colour_overrides,
        },
        errors,
    )
}

/// `cpitop config check`'s view of the TUI's sections.
pub fn check(config: &Config) -> crate::config::cli::UiCheck {
    let (setup, errors) = setup(config);
    crate::config::cli::UiCheck {
        summary: setup.describe(),
        errors,
    }
}

/// A key path: `at` and more segments.
fn path<'a>(at: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    at.iter().chain(more).copied().collect()
}

/// How a key may be written (error messages).
const KEY_FORMS: &str = "a character (\"q\", \"G\", \"?\") or a name (enter, esc, tab, backtab, space, \
     backspace, up, down, left, right, pgup, pgdn, home, end, f1 … f12), optionally after ctrl- or alt-";

fn key_error(config: &Config, at: &[&str], text: &str) -> ConfigError {
    config.invalid_at(at, format!("`{text}` is not a key: write {KEY_FORMS}"), &[], None)
}

/// The names `[keys]` takes: the views' contexts and `dangerous`.
fn key_sections() -> Vec<&'static str> {
    let mut v: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
    v.push("dangerous");
    v
}

/// `[keys]`: per view (`[keys.messages]`, `[keys.global]`, …) `action = "key"` or a list of keys;
/// `dangerous = [actions]` marks more actions dangerous.
fn keys(config: &Config, errors: &mut Vec<ConfigError>) -> (Keymap, usize) {
    let actions: Vec<&str> = Action::names().collect();
    let mut valid = toml::Table::new();
    let mut count = 0;
    for (section, value) in &config.keys {
        if section == "dangerous" {
            let Some(list) = value.as_array() else {
                errors.push(config.invalid_at(
                    &["keys", "dangerous"],
                    "a list of action names, e.g. dangerous = [\"refresh\"]",
                    &[],
                    None,
                ));
                continue;
            };
            let mut ok = Vec::new();
            for (i, v) in list.iter().enumerate() {
                let idx = format!("[{i}]");
                match v.as_str() {
                    Some(name) if Action::parse(name).is_some() => ok.push(v.clone()),
                    Some(name) => errors.push(config.invalid_at(
                        &["keys", "dangerous", &idx],
                        format!("`{name}` is not an action"),
                        &actions,
                        Some(name),
                    )),
                    None => errors.push(config.invalid_at(
                        &["keys", "dangerous", &idx],
                        "an action name (a string)",
                        &[],
                        None,
                    )),
                }
            }
            valid.insert(section.clone(), toml::Value::Array(ok));
            continue;
        }
        let Some(_ctx) = Context::parse(section) else {
            if Action::parse(section).is_some() && !value.is_table() {
                errors.push(config.invalid_at(
                    &["keys", section.as_str()],
                    format!(
                        "keys are set per view: write `{section} = …` under [keys.global] (every view) \
                         or [keys.<view>] (one view: {})",
                        Context::ALL
                            .iter()
                            .filter(|c| c.kind().is_some())
                            .map(|c| c.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    &[],
                    None,
                ));
            } else {
                errors.push(config.unknown_key_at(&["keys", section.as_str()], &key_sections()));
            }
            continue;
        };
        let Some(table) = value.as_table() else {
            errors.push(config.invalid_at(
                &["keys", section.as_str()],
                format!("a table of action = [\"key\", …], e.g. [keys.{section}] refresh = [\"r\", \"f5\"]"),
                &[],
                None,
            ));
            continue;
        };
        let mut ok = toml::Table::new();
        for (action, keys) in table {
            let at = ["keys", section.as_str(), action.as_str()];
            if Action::parse(action).is_none() {
                errors.push(config.unknown_key_at(&at, &actions));
                continue;
            }
            let good = match keys {
                toml::Value::String(k) => match Key::parse(k) {
                    Some(_) => true,
                    None => {
                        errors.push(key_error(config, &at, k));
                        false
                    }
                },
                toml::Value::Array(list) => {
                    let mut all = true;
                    for (i, k) in list.iter().enumerate() {
                        let idx = format!("[{i}]");
                        let at_i = path(&at, &[idx.as_str()]);
                        match k.as_str() {
                            Some(text) if Key::parse(text).is_some() => {}
                            Some(text) => {
                                errors.push(key_error(config, &at_i, text));
                                all = false;
                            }
                            None => {
                                errors.push(config.invalid_at(&at_i, "a key (a string)", &[], None));
                                all = false;
                            }
                        }
                    }
                    all
                }
                _ => {
                    errors.push(config.invalid_at(
                        &at,
                        "a key or a list of keys, e.g. [\"r\", \"f5\"]",
                        &[],
                        None,
                    ));
                    false
                }
            };
            if good {
                ok.insert(action.clone(), keys.clone());
                count += 1;
            }
        }
        valid.insert(section.clone(), toml::Value::Table(ok));
    }
    let (keymap, _checked_above) = Keymap::with_table(&valid, "[keys]");
    (keymap, count)
}

/// The theme: `theme = "light"`, or `[theme]` with `skin = "…"` and a colour per role.
fn theme(config: &Config, errors: &mut Vec<ConfigError>) -> (Skin, Palette, usize) {
    let skins: Vec<&str> = Skin::ALL.iter().map(|s| s.name()).collect();
    let skin_of = |at: &[&str], v: &toml::Value, errors: &mut Vec<ConfigError>| match v.as_str() {
        Some(name) => match Skin::parse(name) {
            Some(s) => Some(s),
            None => {
                errors.push(config.invalid_at(
                    at,
                    format!("`{name}` is not a built-in skin"),
                    &skins,
                    Some(name),
                ));
                None
            }
        },
        None => {
            errors.push(config.invalid_at(at, "the name of a skin (a string)", &skins, None));
            None
        }
    };
    let mut skin = Skin::Default;
    let mut overrides = Vec::new();
    match &config.theme {
        None => {}
        Some(v @ toml::Value::String(_)) => skin = skin_of(&["theme"], v, errors).unwrap_or(skin),
        Some(toml::Value::Table(t)) => {
            let mut keys: Vec<&str> = vec!["skin"];
            keys.extend(Role::ALL.iter().map(|r| r.name()));
            for (k, v) in t {
                let at = ["theme", k.as_str()];
                if k == "skin" {
                    skin = skin_of(&at, v, errors).unwrap_or(skin);
                    continue;
                }
                let Some(role) = Role::parse(k) else {
                    errors.push(config.unknown_key_at(&at, &keys));
                    continue;
                };
                let forms = color_forms();
                match v.as_str().map(Paint::parse) {
                    Some(Ok(p)) => overrides.push((role, p)),
                    Some(Err(e)) => errors.push(config.invalid_at(&at, e, &forms, v.as_str())),
                    None => errors.push(config.invalid_at(&at, "a colour (a string)", &forms, None)),
                }
            }
        }
        Some(_) => errors.push(config.invalid_at(
            &["theme"],
            "write theme = \"light\" (a built-in skin) or a [theme] table (skin and colours per role)",
            &skins,
            None,
        )),
    }
    let mut palette = skin.palette();
    for (role, paint) in &overrides {
        palette.set(*role, *paint);
    }
    (skin, palette, overrides.len())
}

/// A key taken by a hotkey or plugin: where, and by whom (for clash messages).
type Taken = (Key, Scope, String);

/// The views a `views = [...]` list names.
fn scope(config: &Config, views: &[String], at: &[&str]) -> Result<Scope, ConfigError> {
    let names: Vec<&str> = Context::ALL
        .iter()
        .filter(|c| **c != Context::Global)
        .map(|c| c.name())
        .collect();
    let mut out = Vec::new();
    for (i, v) in views.iter().enumerate() {
        let idx = format!("[{i}]");
        let at_i = path(at, &["views", idx.as_str()]);
        match Context::parse(v).filter(|c| *c != Context::Global) {
            Some(c) => out.push(c),
            None if v == "global" => {
                return Err(config.invalid_at(&at_i, "`global` is every view: leave `views` out", &[], None));
            }
            None => {
                return Err(config.invalid_at(&at_i, format!("`{v}` is not a view"), &names, Some(v)));
            }
        }
    }
    Ok(Scope(out))
}

/// Whether `key` in `scope` is free: not a built-in key of a view it works in, not ctrl-c, not
/// another hotkey's or plugin's in an overlapping scope.
fn clash(km: &Keymap, key: Key, scope: &Scope, taken: &[Taken]) -> Option<String> {
    if key == Key::parse("ctrl-c")? {
        return Some("ctrl-c always quits cpitop; pick another key".into());
    }
    let views: Vec<Context> = Context::ALL.into_iter().filter(|c| c.kind().is_some()).collect();
    for v in &views {
        if !scope.reaches(*v) {
            continue;
        }
        if let Some(a) = km.lookup(&v.chain(), key) {
            return Some(format!(
                "`{key}` is already `{}` in the {} view (built-in); pick another key, or give `{}` another key in [keys]",
                a.name(),
                v.name(),
                a.name()
            ));
        }
    }
    for (k, s, who) in taken {
        if *k == key && views.iter().any(|v| s.reaches(*v) && scope.reaches(*v)) {
            return Some(format!("`{key}` is already taken by {who} in the same views"));
        }
    }
    None
}

/// The key of a hotkey or plugin: readable and free.
fn bound_key(
    config: &Config,
    km: &Keymap,
    text: &str,
    scope: &Scope,
    taken: &[Taken],
    at: &[&str],
) -> Result<Key, ConfigError> {
    let at_key = path(at, &["key"]);
    let key = Key::parse(text.trim()).ok_or_else(|| key_error(config, &at_key, text))?;
    match clash(km, key, scope, taken) {
        Some(why) => Err(config.invalid_at(&at_key, why, &[], None)),
        None => Ok(key),
    }
}

fn hotkeys(
    config: &Config,
    km: &Keymap,
    taken: &mut Vec<Taken>,
    errors: &mut Vec<ConfigError>,
) -> Vec<Hotkey> {
    let raw = match crate::config::ui::hotkeys(config) {
        Ok(r) => r,
        Err(e) => {
            errors.push(e);
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, h) in raw.into_iter().enumerate() {
        let idx = format!("[{i}]");
        match hotkey(config, km, taken, &h, &["hotkeys", idx.as_str()]) {
            Ok(hk) => {
                taken.push((
                    hk.key,
                    hk.scope.clone(),
                    format!("hotkeys{idx} (`:{}`)", hk.command),
                ));
                out.push(hk);
            }
            Err(e) => errors.push(e),
        }
    }
    out
}

fn hotkey(
    config: &Config,
    km: &Keymap,
    taken: &[Taken],
    h: &RawHotkey,
    at: &[&str],
) -> Result<Hotkey, ConfigError> {
    let scope = scope(config, &h.views, at)?;
    let command = h.command.trim().trim_start_matches(':').trim().to_string();
    if let Err((why, suggestion)) = super::command::check(&command) {
        let mut e = config.invalid_at(&path(at, &["command"]), why, &[], None);
        if let ConfigError::InvalidValue { suggestion: s, .. } = &mut e {
            *s = suggestion;
        }
        return Err(e);
    }
    let key = bound_key(config, km, &h.key, &scope, taken, at)?;
    Ok(Hotkey {
        key,
        description: h.description.clone().unwrap_or_else(|| format!(":{command}")),
        command,
        scope,
    })
}

fn plugins(
    config: &Config,
    km: &Keymap,
    taken: &mut Vec<Taken>,
    errors: &mut Vec<ConfigError>,
) -> Vec<Plugin> {
    let raw = match crate::config::ui::plugins(config) {
        Ok(r) => r,
        Err(e) => {
            errors.push(e);
            return Vec::new();
        }
    };
    let mut out: Vec<Plugin> = Vec::new();
    for (i, p) in raw.into_iter().enumerate() {
        let idx = format!("[{i}]");
        let at = ["plugins", idx.as_str()];
        if out.iter().any(|o| o.name == p.name.trim()) {
            errors.push(config.invalid_at(
                &path(&at, &["name"]),
                format!(
                    "another plugin is named `{}`; names tell runs apart in the audit log",
                    p.name.trim()
                ),
                &[],
                None,
            ));
            continue;
        }
        match plugin(config, km, taken, &p, &at) {
            Ok(pl) => {
                taken.push((pl.key, pl.scope.clone(), format!("plugin `{}`", pl.name)));
                out.push(pl);
            }
            Err(e) => errors.push(e),
        }
    }
    out
}

fn plugin(
    config: &Config,
    km: &Keymap,
    taken: &[Taken],
    p: &RawPlugin,
    at: &[&str],
) -> Result<Plugin, ConfigError> {
    let name = p.name.trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(config.invalid_at(
            &path(at, &["name"]),
            "a plugin needs a name (shown in help and the audit log)",
            &[],
            None,
        ));
    }
    let scope = scope(config, &p.views, at)?;
    let program = p.command.trim();
    if program.is_empty() {
        return Err(config.invalid_at(
            &path(at, &["command"]),
            "the program to run (a path, or a name found in PATH; its arguments go in `args`)",
            &[],
            None,
        ));
    }
    if program.contains('$') {
        return Err(config.invalid_at(
            &path(at, &["command"]),
            "the program is fixed: variables go in `args`",
            &[],
            None,
        ));
    }
    if program.contains(char::is_whitespace) && !std::path::Path::new(program).is_absolute() {
        return Err(config.invalid_at(
            &path(at, &["command"]),
            format!(
                "`{program}` is one program, not a command line (nothing is run through a shell): \
                 put its arguments in `args`, e.g. command = \"{}\", args = [\"{}\"]",
                program.split_whitespace().next().unwrap_or(""),
                program
                    .split_whitespace()
                    .skip(1)
                    .collect::<Vec<_>>()
                    .join("\", \"")
            ),
            &[],
            None,
        ));
    }
    if reads_code_from_stdin(program, &p.args) {
        return Err(config.invalid_at(
            &path(at, &["command"]),
            format!(
                "{program} without a script would read its code from stdin, where cpitop writes the \
                 selected rows (the tenant's data): give it a script (args = [\"-c\", \"…\"] or a file)"
            ),
            &[],
            None,
        ));
    }
    let mut args = Vec::new();
    for (j, a) in p.args.iter().enumerate() {
        let idx = format!("[{j}]");
        let at_j = path(at, &["args", idx.as_str()]);
        let parsed = Arg::parse(a).map_err(|e| {
            let vars: Vec<String> = crate::kit::subject::Var::ALL
                .iter()
                .map(|v| v.to_string())
                .collect();
            let allowed: Vec<&str> = vars.iter().map(String::as_str).collect();
            config.invalid_at(&at_j, e, &allowed, None)
        })?;
        args.push(parsed);
    }
    if let Some(j) = code_argument(program, &p.args)
        && let Some(first) = args.get(j).and_then(|a| a.vars().next())
    {
        let idx = format!("[{j}]");
        return Err(config.invalid_at(
            &path(at, &["args", idx.as_str()]),
            format!(
                "{program} runs this argument as code: {first} in it would put the tenant's data into \
                 code. Pass it as an argument of its own after the script (args = [\"-c\", \
                 'grep -- \"$$1\" /var/log/app.log', \"sh\", \"{first}\"]) or read it from the \
                 environment (${first_name} in the script: write $${first_name})",
                first_name = first.name()
            ),
            &[],
            None,
        ));
    }
    if p.wait && p.background {
        return Err(config.invalid_at(
            &path(at, &["wait"]),
            "`wait` is for plugins that run in the terminal; a background plugin's output is kept (:plugins)",
            &[],
            None,
        ));
    }
    let key = bound_key(config, km, &p.key, &scope, taken, at)?;
    Ok(Plugin {
        name: name.to_string(),
        key,
        program: program.to_string(),
        args,
        scope,
        description: p.description.clone().unwrap_or_default(),
        confirm: p.confirm || p.dangerous,
        background: p.background,
        dangerous: p.dangerous,
        wait: p.wait,
    })
}
