//! Durations in the config: a string in the one duration grammar (`"250ms"`, `"30s"`, `"1h30m"`,
//! `"1d"`; see `crate::grammar::duration`), or a bare TOML integer meaning seconds.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A duration read from the config. Converts into [`Duration`] with `.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConfigDuration(pub Duration);

pub const DURATION_HINT: &str =
    "a duration such as \"500ms\", \"30s\", \"5m\", \"1h30m\" or \"1d\", or whole seconds as a bare number";

/// Parse a duration string with the one grammar of cpitop (`crate::grammar::duration`): units
/// ms, s, m, h, d, w and compounds (`1h30m`). Returns a message naming what was wrong on failure.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    crate::grammar::duration::parse_duration(text).map_err(|e| e.to_string())
}

/// Render a duration the way the grammar writes it (`90s` → `"1m30s"`, `3600s` → `"1h"`).
pub fn format_duration(d: Duration) -> String {
    crate::grammar::duration::format_duration(d)
}

impl<'de> Deserialize<'de> for ConfigDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ConfigDuration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(DURATION_HINT)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                u64::try_from(v)
                    .map(|s| ConfigDuration(Duration::from_secs(s)))
                    .map_err(|_| E::custom(format!("invalid duration {v}: must not be negative")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(ConfigDuration(Duration::from_secs(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                parse_duration(v).map(ConfigDuration).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl Serialize for ConfigDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_duration(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_use_the_one_grammar_and_numbers_are_seconds() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("5x").unwrap_err().contains("unknown unit \"x\""));
        assert!(parse_duration("30").unwrap_err().contains("has no unit"));
        let d: ConfigDuration = toml::from_str::<toml::Table>("d = 30")
            .unwrap()
            .get("d")
            .cloned()
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(d, ConfigDuration(Duration::from_secs(30)));
    }

    #[test]
    fn formats_round_trip() {
        for s in ["250ms", "30s", "5m", "4h", "1d", "1m30s"] {
            assert_eq!(format_duration(parse_duration(s).unwrap()), s);
        }
    }
}
