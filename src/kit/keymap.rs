//! Keymaps as data: the embedded default TOML (`keys.toml`), user overrides applied on top, and
//! warnings (never failures) for entries that cannot be used. Help and footer hints are generated
//! from here, so what the screen says is what the keys do.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

pub const DEFAULT_KEYS: &str = include_str!("keys.toml");

/// Where a binding applies. Lookup goes from the focused view's context to its kind (`Table` or
/// `Detail`) to `Global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    Global,
    Table,
    Detail,
    Artifacts,
    Messages,
    Queues,
    ArtifactDetail,
    MessageDetail,
    QueueMessages,
    Correlated,
    Attachments,
    Attachment,
    Alerts,
    AlertEvidence,
    AlertHistory,
    Keystore,
    Certificate,
    Tenants,
    Drift,
    Errors,
    ErrorMembers,
}

impl Context {
    pub const ALL: [Context; 21] = [
        Self::Global,
        Self::Table,
        Self::Detail,
        Self::Artifacts,
        Self::Messages,
        Self::Queues,
        Self::ArtifactDetail,
        Self::MessageDetail,
        Self::QueueMessages,
        Self::Correlated,
        Self::Attachments,
        Self::Attachment,
        Self::Alerts,
        Self::AlertEvidence,
        Self::AlertHistory,
        Self::Keystore,
        Self::Certificate,
        Self::Tenants,
        Self::Drift,
        Self::Errors,
        Self::ErrorMembers,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::Table => "table",
            Self::Detail => "detail",
            Self::Artifacts => "artifacts",
            Self::Messages => "messages",
            Self::Queues => "queues",
            Self::ArtifactDetail => "artifact_detail",
            Self::MessageDetail => "message_detail",
            Self::QueueMessages => "queue_messages",
            Self::Correlated => "correlated",
            Self::Attachments => "attachments",
            Self::Attachment => "attachment",
            Self::Alerts => "alerts",
            Self::AlertEvidence => "alert_evidence",
            Self::AlertHistory => "alert_history",
            Self::Keystore => "keystore",
            Self::Certificate => "certificate",
            Self::Tenants => "tenants",
            Self::Drift => "drift",
            Self::Errors => "errors",
            Self::ErrorMembers => "error_members",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == s)
    }

    /// What a view's own context falls back to before `global`: `table` (every list) or
    /// `detail` (every text view); `None` for `global`, `table` and `detail` themselves.
    pub fn kind(self) -> Option<Context> {
        match self {
            Self::Global | Self::Table | Self::Detail => None,
            Self::Artifacts
            | Self::Messages
            | Self::Queues
            | Self::QueueMessages
            | Self::Correlated
            | Self::Attachments
            | Self::Alerts
            | Self::AlertEvidence
            | Self::AlertHistory
            | Self::Errors
            | Self::ErrorMembers
            | Self::Keystore
            | Self::Tenants
            | Self::Drift => Some(Self::Table),
            Self::ArtifactDetail | Self::MessageDetail | Self::Attachment | Self::Certificate => {
                Some(Self::Detail)
            }
        }
    }

    /// The lookup chain of a view with this context: itself, its kind, `global`.
    pub fn chain(self) -> Vec<Context> {
        let mut v = vec![self];
        v.extend(self.kind());
        if self != Self::Global {
            v.push(Self::Global);
        }
        v
    }
}

/// A key as written in the keymap: code plus ctrl/alt. Shift is folded into the character
/// (`G`, `?`), as terminals report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub code: KeyName,
    pub ctrl: bool,
    pub alt: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyName {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    F(u8),
}

impl Key {
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let code = match ev.code {
            KeyCode::Char(c) => KeyName::Char(c),
            KeyCode::Enter => KeyName::Enter,
            KeyCode::Esc => KeyName::Esc,
            KeyCode::Tab => KeyName::Tab,
            KeyCode::BackTab => KeyName::BackTab,
            KeyCode::Backspace => KeyName::Backspace,
            KeyCode::Up => KeyName::Up,
            KeyCode::Down => KeyName::Down,
            KeyCode::Left => KeyName::Left,
            KeyCode::Right => KeyName::Right,
            KeyCode::PageUp => KeyName::PageUp,
            KeyCode::PageDown => KeyName::PageDown,
            KeyCode::Home => KeyName::Home,
            KeyCode::End => KeyName::End,
            KeyCode::F(n) => KeyName::F(n),
            _ => return None,
        };
        Some(Key {
            code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        })
    }

    pub fn parse(text: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = text;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyName::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyName::Enter,
                "esc" | "escape" => KeyName::Esc,
                "tab" => KeyName::Tab,
                "backtab" | "shift-tab" => KeyName::BackTab,
                "space" => KeyName::Char(' '),
                "backspace" => KeyName::Backspace,
                "up" => KeyName::Up,
                "down" => KeyName::Down,
                "left" => KeyName::Left,
                "right" => KeyName::Right,
                "pgup" | "pageup" => KeyName::PageUp,
                "pgdn" | "pagedown" => KeyName::PageDown,
                "home" => KeyName::Home,
                "end" => KeyName::End,
                f if f.starts_with('f') => KeyName::F(f[1..].parse().ok().filter(|n| (1..=12).contains(n))?),
                _ => return None,
            },
        };
        Some(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyName::Char(' ') => f.write_str("space"),
            KeyName::Char(c) => write!(f, "{c}"),
            KeyName::Enter => f.write_str("enter"),
            KeyName::Esc => f.write_str("esc"),
            KeyName::Tab => f.write_str("tab"),
            KeyName::BackTab => f.write_str("shift-tab"),
            KeyName::Backspace => f.write_str("backspace"),
            KeyName::Up => f.write_str("↑"),
            KeyName::Down => f.write_str("↓"),
            KeyName::Left => f.write_str("←"),
            KeyName::Right => f.write_str("→"),
            KeyName::PageUp => f.write_str("pgup"),
            KeyName::PageDown => f.write_str("pgdn"),
            KeyName::Home => f.write_str("home"),
            KeyName::End => f.write_str("end"),
            KeyName::F(n) => write!(f, "f{n}"),
        }
    }
}

/// Per context: action → keys, in file order of the keys.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    bindings: BTreeMap<Context, Vec<(Action, Vec<Key>)>>,
    /// Actions marked `dangerous` (top-level `dangerous = [...]`): shown marked in help and the
    /// footer (k9s style). A user keymap can add marks, never remove them.
    dangerous: BTreeSet<Action>,
}

impl Keymap {
    /// The embedded defaults. They are tested to parse without warnings.
    pub fn defaults() -> Keymap {
        let mut km = Keymap::default();
        let mut warnings = Vec::new();
        km.apply(DEFAULT_KEYS, "built-in keymap", &mut warnings);
        debug_assert!(warnings.is_empty(), "{warnings:?}");
        km
    }

    /// Defaults with a user file applied on top. Bad entries are skipped with a warning that
    /// names the file and the entry.
    pub fn with_overrides(user: &str, origin: &str) -> (Keymap, Vec<String>) {
        let mut km = Keymap::defaults();
        let mut warnings = Vec::new();
        km.apply(user, origin, &mut warnings);
        (km, warnings)
    }

    /// Defaults with the `[keys]` table of the config applied (`[keys.messages]` …).
    pub fn with_table(user: &toml::Table, origin: &str) -> (Keymap, Vec<String>) {
        let mut km = Keymap::defaults();
        let mut warnings = Vec::new();
        km.apply_table(user.clone(), origin, &mut warnings);
        (km, warnings)
    }

    fn apply(&mut self, text: &str, origin: &str, warnings: &mut Vec<String>) {
        match toml::from_str::<toml::Table>(text) {
            Ok(t) => self.apply_table(t, origin, warnings),
            Err(e) => warnings.push(format!("{origin}: not valid TOML, keymap ignored: {e}")),
        }
    }

    fn apply_table(&mut self, table: toml::Table, origin: &str, warnings: &mut Vec<String>) {
        for (ctx_name, entries) in table {
            if ctx_name == "dangerous" {
                self.apply_dangerous(&entries, origin, warnings);
                continue;
            }
            let Some(ctx) = Context::parse(&ctx_name) else {
                warnings.push(format!(
                    "{origin}: unknown keymap section [{ctx_name}] (known: {})",
                    Context::ALL.map(|c| c.name()).join(", ")
                ));
                continue;
            };
            let Some(entries) = entries.as_table() else {
                warnings.push(format!(
                    "{origin}: [{ctx_name}] must be a table of action = [keys]"
                ));
                continue;
            };
            for (action_name, keys) in entries {
                let Some(action) = Action::parse(action_name) else {
                    warnings.push(format!("{origin}: [{ctx_name}] unknown action `{action_name}`"));
                    continue;
                };
                let list: Vec<&str> = match keys {
                    toml::Value::String(s) => vec![s.as_str()],
                    toml::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
                    _ => {
                        warnings.push(format!(
                            "{origin}: [{ctx_name}] {action_name}: expected a key or a list of keys"
                        ));
                        continue;
                    }
                };
                let mut parsed = Vec::new();
                for k in list {
                    match Key::parse(k) {
                        Some(key) => parsed.push(key),
                        None => warnings.push(format!(
                            "{origin}: [{ctx_name}] {action_name}: cannot read key `{k}`"
                        )),
                    }
                }
                let entries = self.bindings.entry(ctx).or_default();
                // A key now bound here is taken away from any other action of the context.
                for (_, ks) in entries.iter_mut() {
                    ks.retain(|k| !parsed.contains(k));
                }
                match entries.iter_mut().find(|(a, _)| *a == action) {
                    Some((_, ks)) => *ks = parsed,
                    None => entries.push((action, parsed)),
                }
            }
        }
    }

    fn apply_dangerous(&mut self, v: &toml::Value, origin: &str, warnings: &mut Vec<String>) {
        let Some(list) = v.as_array() else {
            warnings.push(format!("{origin}: `dangerous` must be a list of action names"));
            return;
        };
        for name in list {
            match name.as_str().and_then(Action::parse) {
                Some(a) => {
                    self.dangerous.insert(a);
                }
                None => warnings.push(format!("{origin}: dangerous: unknown action `{name}`")),
            }
        }
    }

    /// Marked dangerous in the keymap data (help and footer show the mark).
    pub fn is_dangerous(&self, a: Action) -> bool {
        self.dangerous.contains(&a)
    }

    /// The action bound to `key` in the first of `contexts` that binds it.
    pub fn lookup(&self, contexts: &[Context], key: Key) -> Option<Action> {
        contexts.iter().find_map(|c| {
            self.bindings
                .get(c)?
                .iter()
                .find(|(_, ks)| ks.contains(&key))
                .map(|(a, _)| *a)
        })
    }

    /// The first key that triggers `action` in the given contexts (for hints).
    pub fn key_for(&self, contexts: &[Context], action: Action) -> Option<Key> {
        contexts.iter().find_map(|c| {
            self.bindings
                .get(c)?
                .iter()
                .find(|(a, ks)| *a == action && !ks.is_empty())
                .map(|(_, ks)| ks[0])
        })
    }

    /// Bindings of one context, for help.
    pub fn context(&self, ctx: Context) -> &[(Action, Vec<Key>)] {
        self.bindings.get(&ctx).map(Vec::as_slice).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_without_warnings() {
        let (km, warnings) = Keymap::with_overrides("", "none");
        assert!(warnings.is_empty(), "{warnings:?}");
        let q = Key::parse("q").expect("key");
        assert_eq!(
            km.lookup(&[Context::Messages, Context::Table, Context::Global], q),
            Some(Action::Quit)
        );
        let f = Key::parse("f").expect("key");
        assert_eq!(
            km.lookup(&[Context::Messages, Context::Table, Context::Global], f),
            Some(Action::ToggleFailed)
        );
        assert_eq!(
            km.lookup(&[Context::Attachment, Context::Detail, Context::Global], f),
            None
        );
    }

    #[test]
    fn overrides_replace_and_warn() {
        let user = r#"
[messages]
toggle_failed = ["F", "ctrl-x"]
window = "W"
fly = ["x"]
live = ["nonsense-key"]
[nowhere]
quit = ["x"]
"#;
        let (km, warnings) = Keymap::with_overrides(user, "keys.toml");
        let ctx = [Context::Messages, Context::Table, Context::Global];
        assert_eq!(
            km.lookup(&ctx, Key::parse("F").expect("k")),
            Some(Action::ToggleFailed)
        );
        assert_eq!(km.lookup(&ctx, Key::parse("f").expect("k")), None);
        assert_eq!(
            km.lookup(&ctx, Key::parse("ctrl-x").expect("k")),
            Some(Action::ToggleFailed)
        );
        assert_eq!(km.lookup(&ctx, Key::parse("W").expect("k")), Some(Action::Window));
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings.iter().any(|w| w.contains("unknown action `fly`")));
        assert!(warnings.iter().any(|w| w.contains("nonsense-key")));
        assert!(warnings.iter().any(|w| w.contains("[nowhere]")));
        let (_, bad) = Keymap::with_overrides("[[[", "k.toml");
        assert!(bad[0].contains("not valid TOML"));
    }

    #[test]
    fn every_write_is_marked_dangerous_and_users_cannot_unmark() {
        let km = Keymap::defaults();
        for (_, a, ..) in crate::kit::action::tests::all() {
            assert_eq!(km.is_dangerous(a), a.is_write(), "{a:?}");
        }
        let (km, w) = Keymap::with_overrides("dangerous = [\"refresh\", \"nope\"]", "k.toml");
        assert!(km.is_dangerous(Action::Refresh) && km.is_dangerous(Action::Delete));
        assert!(w[0].contains("unknown action"), "{w:?}");
        let ctx = [Context::QueueMessages, Context::Table, Context::Global];
        assert_eq!(
            km.lookup(&ctx, Key::parse("space").expect("k")),
            Some(Action::Mark)
        );
        assert_eq!(
            km.lookup(&ctx, Key::parse("ctrl-d").expect("k")),
            Some(Action::Delete)
        );
    }

    #[test]
    fn keys_round_trip() {
        for k in [
            "q", "ctrl-c", "G", "enter", "backtab", "pgdn", "f5", "alt-x", "space",
        ] {
            let key = Key::parse(k).expect("parses");
            assert_eq!(Key::parse(&key.to_string().replace('↑', "up")), Some(key), "{k}");
        }
        assert!(Key::parse("f13").is_none());
        assert!(Key::parse("").is_none());
    }
}
