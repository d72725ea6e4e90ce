//! Error signatures: failed messages grouped by what went wrong, across iFlows and over time.
//!
//! A message's error text (plus the `ErrorInformation` `Type` where the tenant gives one) becomes
//! a **template** by masking what varies between occurrences ([`normalise`]); users' own rules
//! (`[[errors.rules]]`: a name and a regular expression) come first and merge or split groups.
//! The signature key is a stable hash of the algorithm version, the type and the template, so it
//! is the same across runs, restarts and machines. Within a window, templates the rules left
//! apart but that differ only in value-like words are merged by [`mine`] (order-independent).
//!
//! **Versioned:** [`VERSION`] is part of every key and of the remembered signatures
//! ([`seen::SeenSignatures`]): a change of the masking rules bumps it, so history is never
//! silently regrouped — signatures remembered under another version are set aside with a notice.
//!
//! Pure code (no I/O but [`seen::SeenSignatures::load`]/`save`); used by the Errors pane, `get
//! errors`, `watch` and the signature monitor rules.

pub mod budget;
pub mod group;
pub mod mine;
pub mod normalise;
pub mod seen;
pub mod window;

pub use budget::Budget;
pub use group::{ErrorText, Failure, Group, GroupKind, GroupOptions, KeySeen, group};
pub use normalise::normalise;
pub use seen::SeenSignatures;
pub use window::{FailedRow, Grouped, Text, Texts, group_window};

/// Version of the masking rules. Bump it whenever [`normalise`] changes what it produces.
pub const VERSION: u32 = 1;
/// [`VERSION`] as it enters the keys.
pub(crate) const VERSION_TEXT: &str = "1";

/// A signature's stable key (FNV-1a over version, type and template; the iFlow too when groups
/// are split per iFlow).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SigKey(pub u64);

impl SigKey {
    fn of(parts: &[&str]) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                // A separator that cannot occur in the parts' text keeps ("a","bc") ≠ ("ab","c").
                h = fnv(h, &[0xff]);
            }
            h = fnv(h, part.as_bytes());
        }
        SigKey(h)
    }
}

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl std::fmt::Display for SigKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl std::str::FromStr for SigKey {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        u64::from_str_radix(s, 16).map(SigKey)
    }
}

/// A user's fingerprint rule: texts matching `regex` are one group named `name`; capture groups,
/// if any, split it by their values (`name: a, b`).
#[derive(Debug, Clone)]
pub struct UserRule {
    pub name: String,
    regex: regex::Regex,
}

impl UserRule {
    /// A rule from config; the error names the rule and what is wrong with its expression.
    pub fn new(name: &str, pattern: &str) -> Result<Self, String> {
        if name.trim().is_empty() {
            return Err("an error rule needs a non-empty `name`".into());
        }
        let regex = regex::RegexBuilder::new(pattern)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| {
                // The regex crate draws the error over several lines: one line, single spaces.
                let why = e.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
                format!(
                    "error rule `{name}`: invalid `regex`: {}",
                    crate::sanitize::one_line(&why)
                )
            })?;
        Ok(UserRule {
            name: name.to_string(),
            regex,
        })
    }

    fn template(&self, text: &str) -> Option<String> {
        let caps = self.regex.captures(text)?;
        let values: Vec<&str> = caps.iter().skip(1).flatten().map(|m| m.as_str()).collect();
        Some(if values.is_empty() {
            self.name.clone()
        } else {
            format!("{}: {}", self.name, values.join(", "))
        })
    }
}

/// Turns error texts into signatures.
#[derive(Debug, Clone, Default)]
pub struct Signer {
    pub rules: Vec<UserRule>,
}

/// One text's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub key: SigKey,
    pub template: String,
    /// Index of the user rule that matched, if one did.
    pub rule: Option<usize>,
}

impl Signer {
    pub fn new(rules: Vec<UserRule>) -> Self {
        Signer { rules }
    }

    /// The signature of one error text; `error_type` is `ErrorInformation.Type` where known.
    pub fn sign(&self, text: &str, error_type: Option<&str>) -> Signed {
        let ty = error_type.unwrap_or("");
        for (i, rule) in self.rules.iter().enumerate() {
            if let Some(template) = rule.template(text) {
                let key = SigKey::of(&["rule", &rule.name, &template]);
                return Signed {
                    key,
                    template,
                    rule: Some(i),
                };
            }
        }
        let template = normalise(text);
        Signed {
            key: SigKey::of(&[VERSION_TEXT, ty, &template]),
            template,
            rule: None,
        }
    }
}

#[cfg(test)]
mod corpus;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_text_is_the_version() {
        assert_eq!(VERSION_TEXT, VERSION.to_string());
    }

    #[test]
    fn keys_are_stable_and_separated() {
        // Fixed expectations: a change here regroups every user's history (bump VERSION).
        let s = Signer::default();
        let a = s.sign("HTTP 401 from https://a.example.com/x: Unauthorized", None);
        let b = s.sign("HTTP 401 from https://b.example.com/y/z: Unauthorized", None);
        assert_eq!(a.key, b.key);
        assert_eq!(a.key.to_string().len(), 16);
        assert_eq!(a.key.to_string().parse::<SigKey>(), Ok(a.key));
        assert_ne!(
            s.sign("x", Some("A")).key,
            s.sign("x", Some("B")).key,
            "the error type separates"
        );
        assert_ne!(SigKey::of(&["a", "bc"]), SigKey::of(&["ab", "c"]));
    }

    #[test]
    fn user_rules_merge_and_split() {
        let s = Signer::new(vec![
            UserRule::new("SFTP auth", "(?i)auth(?:entication)? fail").unwrap(),
            UserRule::new("Partner down", r"receiver (\w+) is down").unwrap(),
        ]);
        let a = s.sign("SSH: Auth fail for user x on sftp.a.com", None);
        let b = s.sign("com.jcraft.jsch.JSchException: Authentication failed", None);
        assert_eq!(
            (a.key, a.template.as_str(), a.rule),
            (b.key, "SFTP auth", Some(0))
        );
        let c = s.sign("receiver ACME is down since 10:00", None);
        let d = s.sign("receiver GLOBEX is down since 11:00", None);
        assert_eq!(c.template, "Partner down: ACME");
        assert_ne!(c.key, d.key, "a capture group splits");
        let e = UserRule::new("bad", "(unclosed").unwrap_err();
        assert!(e.starts_with("error rule `bad`: invalid `regex`:"), "{e}");
        assert!(UserRule::new(" ", "x").is_err());
    }
}
