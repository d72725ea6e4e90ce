//! The one duration grammar of cpitop: `90s`, `15m`, `1h`, `2d`, `1w`, `250ms`, and compounds
//! such as `1h30m`. The config (`poll.messages`, `limits.request_timeout`, …), the monitors
//! (`within`, `for`), the TUI (`:window`, `:silence`), `cpitop get --since` and the environment
//! (`$CPITOP_SECRET_TIMEOUT`) all read durations through [`parse_duration`]. Parsing reports what
//! is wrong and what is accepted, because these strings are typed by hand.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration written as a human string (`15m`). Serialises back in the same form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct HumanDuration(pub Duration);

impl HumanDuration {
    pub const fn from_secs(secs: u64) -> Self {
        Self(Duration::from_secs(secs))
    }
    pub const fn from_mins(mins: u64) -> Self {
        Self(Duration::from_secs(mins * 60))
    }
    pub fn as_duration(self) -> Duration {
        self.0
    }
    /// Milliseconds, saturating (for arithmetic on `EpochMs`).
    pub fn as_millis_i64(self) -> i64 {
        i64::try_from(self.0.as_millis()).unwrap_or(i64::MAX)
    }
}

/// Why a duration string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("empty duration; write a number with a unit, e.g. \"15m\"")]
    Empty,
    #[error(
        "duration {input:?}: number {number:?} has no unit; add one of s, m, h, d, w (e.g. \"{number}m\")"
    )]
    MissingUnit { input: String, number: String },
    #[error("duration {input:?}: unknown unit {unit:?}; use s, m, h, d or w (or ms; e.g. \"15m\", \"2d\")")]
    UnknownUnit { input: String, unit: String },
    #[error("duration {input:?}: expected a number before {found:?}; write e.g. \"15m\" or \"1h30m\"")]
    ExpectedNumber { input: String, found: String },
    #[error("duration {input:?}: fractions are not supported; combine units instead, e.g. \"1h30m\"")]
    Fraction { input: String },
    #[error("duration {input:?} is too large")]
    Overflow { input: String },
}

/// Parse `15m`, `1h30m`, `2d`, `45s`, `1w`, `250ms` (units ms, s, m, h, d, w; also the long forms `min`, `sec`,
/// `hour(s)`, `day(s)`, `week(s)`). Whitespace between parts is allowed. Zero is allowed (`0s`).
pub fn parse_duration(input: &str) -> Result<Duration, DurationError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        rest = rest.trim_start();
        let digits_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits_end == 0 {
            return Err(DurationError::ExpectedNumber {
                input: input.to_string(),
                found: rest.chars().take(8).collect(),
            });
        }
        let number = &rest[..digits_end];
        let value: u64 = number.parse().map_err(|_| DurationError::Overflow {
            input: input.to_string(),
        })?;
        rest = rest[digits_end..].trim_start();
        if rest.starts_with(['.', ',']) {
            return Err(DurationError::Fraction {
                input: input.to_string(),
            });
        }
        let unit_end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        if unit.is_empty() {
            return Err(DurationError::MissingUnit {
                input: input.to_string(),
                number: number.to_string(),
            });
        }
        let factor: u64 = match unit.to_ascii_lowercase().as_str() {
            "ms" => 1,
            "s" | "sec" | "secs" | "second" | "seconds" => 1_000,
            "m" | "min" | "mins" | "minute" | "minutes" => 60_000,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000,
            "d" | "day" | "days" => 86_400_000,
            "w" | "week" | "weeks" => 604_800_000,
            _ => {
                return Err(DurationError::UnknownUnit {
                    input: input.to_string(),
                    unit: unit.to_string(),
                });
            }
        };
        total = value
            .checked_mul(factor)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| DurationError::Overflow {
                input: input.to_string(),
            })?;
        rest = &rest[unit_end..];
    }
    Ok(Duration::from_millis(total))
}

/// Format in the largest exact units: `15m`, `1h30m`, `2d`, `45s`, `250ms`, `0s`.
pub fn format_duration(d: Duration) -> String {
    let mut ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ] {
        if ms >= size {
            out.push_str(&format!("{}{unit}", ms / size));
            ms %= size;
        }
    }
    out
}

impl std::str::FromStr for HumanDuration {
    type Err = DurationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_duration(s).map(Self)
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(self.0))
    }
}

impl Serialize for HumanDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_compounds() {
        let cases: &[(&str, u64)] = &[
            ("15m", 900),
            ("1h", 3_600),
            ("2d", 172_800),
            ("45s", 45),
            ("1w", 604_800),
            ("1h30m", 5_400),
            ("1h 30m", 5_400),
            (" 10 min ", 600),
            ("0s", 0),
            ("3Hours", 10_800),
        ];
        for (text, secs) in cases {
            assert_eq!(parse_duration(text), Ok(Duration::from_secs(*secs)), "{text}");
        }
        assert_eq!(parse_duration("1s250ms"), Ok(Duration::from_millis(1_250)));
    }

    #[test]
    fn reports_bad_input_clearly() {
        assert_eq!(parse_duration("  "), Err(DurationError::Empty));
        let e = parse_duration("15").unwrap_err();
        assert!(matches!(e, DurationError::MissingUnit { .. }), "{e:?}");
        assert!(e.to_string().contains("\"15m\""), "{e}");
        let e = parse_duration("15x").unwrap_err();
        assert!(matches!(e, DurationError::UnknownUnit { ref unit, .. } if unit == "x"));
        assert!(e.to_string().contains("use s, m, h, d or w"), "{e}");
        let e = parse_duration("m15").unwrap_err();
        assert!(matches!(e, DurationError::ExpectedNumber { .. }), "{e:?}");
        let e = parse_duration("-5m").unwrap_err();
        assert!(matches!(e, DurationError::ExpectedNumber { .. }), "{e:?}");
        let e = parse_duration("1.5h").unwrap_err();
        assert!(matches!(e, DurationError::Fraction { .. }), "{e:?}");
        assert!(e.to_string().contains("1h30m"), "{e}");
        let e = parse_duration("99999999999999999999w").unwrap_err();
        assert!(matches!(e, DurationError::Overflow { .. }));
        let e = parse_duration("9999999999999999w").unwrap_err();
        assert!(matches!(e, DurationError::Overflow { .. }));
    }

    #[test]
    fn formats_round_trip() {
        for text in ["15m", "1h30m", "2d", "45s", "0s", "1d2h3m4s", "250ms", "1s5ms"] {
            let d = parse_duration(text).unwrap();
            assert_eq!(format_duration(d), text);
        }
        let h: HumanDuration = serde_json::from_str("\"1h\"").unwrap();
        assert_eq!(h, HumanDuration::from_mins(60));
        assert_eq!(serde_json::to_string(&h).unwrap(), "\"1h\"");
        let e = serde_json::from_str::<HumanDuration>("\"1y\"").unwrap_err();
        assert!(e.to_string().contains("unknown unit"), "{e}");
    }
}
