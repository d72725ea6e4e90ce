//! Config errors and warnings. Every message says where (file, line, column, key path), what was
//! wrong, and what is allowed. No message ever contains a secret value: errors name the variable,
//! command or file a secret comes from, never its text or a command's output.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use super::paths::PathsError;

/// A position in a config file, with the offending line for context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub line_text: String,
}

impl Location {
    /// Line/column of byte offset `span.start` in `text`.
    pub fn from_span(file: &std::path::Path, text: &str, span: Range<usize>) -> Self {
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let before = &text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..start].chars().count() + 1;
        let line_text = redact_inline_secret(
            text[line_start..]
                .split('\n')
                .next()
                .unwrap_or("")
                .trim_end_matches('\r'),
        );
        Self {
            file: file.to_path_buf(),
            line,
            column,
            line_text,
        }
    }

    /// The offending line with a caret under the column:
    /// ```text
    ///    12 | client_secet = "x"
    ///       | ^
    /// ```
    pub fn snippet(&self) -> String {
        let num = self.line.to_string();
        let pad = " ".repeat(num.len());
        let caret = " ".repeat(self.column.saturating_sub(1));
        format!("\n {num} | {}\n {pad} | {caret}^", self.line_text)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// Keys whose inline values are secrets; a quoted config line never shows their value.
const SECRET_KEYS: [&str; 2] = ["client_secret", "password"];

/// `client_secret = "abc"` → `client_secret = ***` (also inside inline tables: the rest of the
/// line after the key is hidden).
pub fn redact_inline_secret(line: &str) -> String {
    for key in SECRET_KEYS {
        let mut from = 0;
        while let Some(pos) = line[from..].find(key) {
            let at = from + pos;
            let after = &line[at + key.len()..];
            let before_ok = line[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
            let rest = after.trim_start();
            if before_ok && rest.starts_with('=') {
                let eq = at + key.len() + (after.len() - rest.len());
                return format!("{} ***", &line[..=eq]);
            }
            from = at + key.len();
        }
    }
    line.to_string()
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "config file {} does not exist; run `cpitop config init` to create one, or try `cpitop --demo`",
        path.display()
    )]
    NotFound { path: PathBuf },

    #[error("cannot read config file {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },

    #[error("{loc}: TOML syntax error: {message}{}", loc.snippet())]
    Syntax { loc: Box<Location>, message: String },

    #[error(
        "{}unknown key `{key_path}`{}{}{}",
        prefix(loc),
        suggest(suggestion),
        snippet(loc),
        allowed_list("allowed keys here", allowed)
    )]
    UnknownKey {
        loc: Option<Box<Location>>,
        key_path: String,
        suggestion: Option<String>,
        allowed: Vec<String>,
    },

    #[error(
        "{}invalid value for `{key_path}`: {message}{}{}{}",
        prefix(loc),
        allowed_list("allowed values", allowed),
        suggest(suggestion),
        snippet(loc)
    )]
    InvalidValue {
        loc: Option<Box<Location>>,
        key_path: String,
        message: String,
        allowed: Vec<String>,
        suggestion: Option<String>,
    },

    #[error("{}tenant `{tenant}` is missing `{key}`: {hint}{}", prefix(loc), snippet(loc))]
    Missing {
        loc: Option<Box<Location>>,
        tenant: String,
        key: String,
        hint: String,
    },

    #[error(
        "no tenants are configured in {}; add a [tenants.NAME] table (see `cpitop config init`), or try `cpitop --demo`",
        file.display()
    )]
    NoTenants { file: PathBuf },

    #[error("no tenant named `{name}`{}; configured tenants: {}", suggest(suggestion), known.join(", "))]
    UnknownTenant {
        name: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },

    /// A secret could not be resolved (missing variable, failing command, unreadable key file).
    #[error("tenant `{tenant}`: {message}")]
    Secret { tenant: String, message: String },

    #[error(transparent)]
    Paths(#[from] PathsError),
}

fn prefix(loc: &Option<Box<Location>>) -> String {
    loc.as_ref().map(|l| format!("{l}: ")).unwrap_or_default()
}
fn snippet(loc: &Option<Box<Location>>) -> String {
    loc.as_ref().map(|l| l.snippet()).unwrap_or_default()
}
fn suggest(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}
fn allowed_list(what: &str, allowed: &[String]) -> String {
    if allowed.is_empty() {
        String::new()
    } else {
        format!("\n  {what}: {}", allowed.join(", "))
    }
}

/// Something the user should know that does not stop cpitop (shown at start, logged, printed by
/// `config check`). Never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningKind {
    /// A file holding a secret is readable by group or others.
    Permissions,
    /// A cache or state file was ignored (corrupt, truncated, old version, other tenant).
    Cache,
    /// A state file could not be read or written.
    State,
}

impl Warning {
    pub fn new(kind: WarningKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Levenshtein distance (by chars).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate to `word`, if it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn distance_and_suggestion() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(
            did_you_mean("client_secet", ["client_id", "client_secret"]),
            Some("client_secret".into())
        );
        assert_eq!(did_you_mean("zzzzzz", ["client_id", "client_secret"]), None);
        assert_eq!(did_you_mean("PROD", ["dev", "test", "prod"]), Some("prod".into()));
    }

    #[test]
    fn inline_secrets_are_hidden_in_snippets() {
        assert_eq!(
            redact_inline_secret("client_secret = \"abc"),
            "client_secret = ***"
        );
        assert_eq!(
            redact_inline_secret("auth = { password=\"x\" }"),
            "auth = { password= ***"
        );
        assert_eq!(
            redact_inline_secret("client_secret_env = \"VAR\""),
            "client_secret_env = \"VAR\""
        );
        assert_eq!(redact_inline_secret("my_password = 1"), "my_password = 1");
    }

    #[test]
    fn location_from_span() {
        let text = "a = 1\nbé = \"x\"\r\nc = 3\n";
        let off = text.find('"').unwrap();
        let loc = Location::from_span(Path::new("/c.toml"), text, off..off + 1);
        assert_eq!((loc.line, loc.column), (2, 6));
        assert_eq!(loc.line_text, "bé = \"x\"");
        assert_eq!(loc.to_string(), "/c.toml:2:6");
        assert_eq!(loc.snippet(), "\n 2 | bé = \"x\"\n   |      ^");
    }
}
