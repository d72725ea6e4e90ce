//! OData v2 wire conventions of the CPI API (see docs/cpi-api.md, "Conventions"), in one place so that a
//! correction to the real API's shape is made once.
//!
//! - Collections come as `{"d":{"results":[…]}}` (+ `"__count":"N"` and `"__next":"url"`),
//!   single entities as `{"d":{…}}`.
//! - `Edm.DateTime` is `/Date(ms)/`; `Edm.DateTimeOffset` may carry an offset `/Date(ms+0060)/`;
//!   some entity sets use ISO-8601 (uncertain; docs/cpi-api.md, "Conventions") — all are accepted.
//! - `Edm.Int64` is a JSON string; Int32 a number. Both are accepted for either.
//! - Empty strings are `null`.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer};

/// Milliseconds since the Unix epoch, UTC: how every CPI timestamp is held in cpitop.
pub type EpochMs = i64;

/// Parse an OData v2 date in any of the forms a tenant sends:
/// `/Date(1718000000000)/`, `\/Date(…)\/`, `/Date(1718000000000+0060)/` (offset in minutes,
/// the instant is still the epoch value), a bare epoch-ms string (`"1521116198486"`, used by
/// design-time entities and the queue service), or ISO-8601 with or without zone.
pub fn parse_date(text: &str) -> Option<EpochMs> {
    let t = text.trim();
    let t = t.strip_prefix('\\').unwrap_or(t);
    if let Some(rest) = t.strip_prefix("/Date(") {
        let inner = rest
            .trim_end_matches('/')
            .trim_end_matches('\\')
            .strip_suffix(')')?;
        // The digits, optionally signed, then an optional +hhmm / -hhmm offset. The epoch value is
        // already UTC; the offset only says which zone the sender was in.
        let (sign, digits) = match inner.strip_prefix('-') {
            Some(d) => (-1, d),
            None => (1, inner),
        };
        let end = digits.find(['+', '-']).unwrap_or(digits.len());
        return digits[..end].parse::<i64>().ok().map(|v| sign * v);
    }
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok();
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.timestamp_millis());
    }
    // ISO without a zone (`2021-02-15T16:06:34.08`): CPI means UTC.
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| Utc.from_utc_datetime(&n).timestamp_millis())
}

/// Format an instant the way CPI writes `Edm.DateTime`: `/Date(ms)/`.
pub fn format_date(ms: EpochMs) -> String {
    format!("/Date({ms})/")
}

/// Format an instant as an OData v2 `datetime'…'` literal for `$filter`. CPI parses these as UTC
/// and does not accept a `Z` or an offset (docs/cpi-api.md, "Conventions"), so none is written.
pub fn datetime_literal(ms: EpochMs) -> String {
    let dt = Utc.timestamp_millis_opt(ms).single().unwrap_or_default();
    format!("datetime'{}'", dt.format("%Y-%m-%dT%H:%M:%S%.3f"))
}

/// Parse the inside of a `datetime'…'` literal (`2024-01-01T00:00:00`, optional fraction) as UTC.
pub fn parse_datetime_literal(text: &str) -> Option<EpochMs> {
    let t = text.trim();
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M"))
        .ok()
        .map(|n| Utc.from_utc_datetime(&n).timestamp_millis())
}

/// serde: an optional date in any accepted form; `null` or unparsable text is `None`.
pub fn de_opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<EpochMs>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw<'a> {
        #[serde(borrow)]
        S(std::borrow::Cow<'a, str>),
        N(i64),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        None => None,
        Some(Raw::S(s)) => parse_date(&s),
        Some(Raw::N(n)) => Some(n),
    })
}

/// serde: an integer sent either as a JSON number or as a JSON string (`Edm.Int64`).
pub fn de_opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw<'a> {
        N(i64),
        F(f64),
        #[serde(borrow)]
        S(std::borrow::Cow<'a, str>),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        None => None,
        Some(Raw::N(n)) => Some(n),
        Some(Raw::F(f)) => Some(f as i64),
        Some(Raw::S(s)) => s.trim().parse().ok(),
    })
}

/// serde: an integer as number or string, `0` when missing or null.
pub fn de_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(de_opt_i64(d)?.unwrap_or(0))
}

/// serde: a boolean sent as `true`/`false`, `"true"`/`"false"`, `1`/`0` or `"1"`/`"0"` (the queue
/// service sends flags as strings, docs/cpi-api.md, "JMS queues").
pub fn de_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw<'a> {
        B(bool),
        N(i64),
        #[serde(borrow)]
        S(std::borrow::Cow<'a, str>),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        None => false,
        Some(Raw::B(b)) => b,
        Some(Raw::N(n)) => n != 0,
        Some(Raw::S(s)) => matches!(s.trim(), "1" | "true" | "TRUE" | "True"),
    })
}

/// serde: a string where CPI sends `null` for empty; both become `""`.
pub fn de_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// `{"d":{"results":[…],"__count":"N","__next":"…"}}`
#[derive(Debug, Deserialize)]
pub struct Collection<T> {
    pub d: CollectionBody<T>,
}

#[derive(Debug, Deserialize)]
pub struct CollectionBody<T> {
    pub results: Vec<T>,
    #[serde(rename = "__count", default, deserialize_with = "de_opt_i64")]
    pub count: Option<i64>,
    #[serde(rename = "__next", default)]
    pub next: Option<String>,
}

/// `{"d":{…}}`
#[derive(Debug, Deserialize)]
pub struct Single<T> {
    pub d: T,
}

/// An expanded to-many navigation: `{"results":[…]}`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Expanded<T> {
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
}

/// OData error body: `{"error":{"code":"…","message":{"lang":"en","value":"…"}}}`. `value` can be
/// null on some 403/500 replies (docs/cpi-api.md, "Conventions", uncertain).
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorInner,
}

#[derive(Debug, Deserialize)]
pub struct ErrorInner {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<ErrorMessage>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorMessage {
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_form() {
        assert_eq!(parse_date("/Date(1718000000000)/"), Some(1_718_000_000_000));
        assert_eq!(parse_date("\\/Date(1718000000000)\\/"), Some(1_718_000_000_000));
        assert_eq!(parse_date("/Date(1718000000000+0060)/"), Some(1_718_000_000_000));
        assert_eq!(parse_date("/Date(1718000000000-0120)/"), Some(1_718_000_000_000));
        assert_eq!(parse_date("/Date(-1000)/"), Some(-1000));
        assert_eq!(parse_date("1521116198486"), Some(1_521_116_198_486));
        assert_eq!(parse_date("2021-02-15T16:06:34.08"), Some(1_613_405_194_080));
        assert_eq!(parse_date("2021-02-15T16:06:34Z"), Some(1_613_405_194_000));
        assert_eq!(parse_date("2021-02-15T17:06:34+01:00"), Some(1_613_405_194_000));
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("/Date(abc)/"), None);
    }

    #[test]
    fn datetime_literal_round_trip_without_zone() {
        let lit = datetime_literal(1_613_405_194_080);
        assert_eq!(lit, "datetime'2021-02-15T16:06:34.080'");
        let inner = lit.trim_start_matches("datetime'").trim_end_matches('\'');
        assert_eq!(parse_datetime_literal(inner), Some(1_613_405_194_080));
        assert_eq!(
            parse_datetime_literal("2024-01-01T00:00:00"),
            Some(1_704_067_200_000)
        );
    }

    #[test]
    fn tolerant_numbers_and_flags() {
        #[derive(Deserialize)]
        struct T {
            #[serde(deserialize_with = "de_i64")]
            a: i64,
            #[serde(deserialize_with = "de_i64")]
            b: i64,
            #[serde(deserialize_with = "de_bool")]
            c: bool,
            #[serde(deserialize_with = "de_bool")]
            d: bool,
            #[serde(deserialize_with = "de_string")]
            e: String,
        }
        let t: T =
            serde_json::from_str(r#"{"a":"794616135","b":3,"c":"1","d":true,"e":null}"#).expect("decodes");
        assert_eq!(
            (t.a, t.b, t.c, t.d, t.e.as_str()),
            (794_616_135, 3, true, true, "")
        );
    }
}
