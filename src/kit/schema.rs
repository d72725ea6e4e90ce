//! Machine output is data: the conventions every resource's record follows, whatever writes it
//! (`cpitop get … -o json|ndjson|csv`, the TUI's `e` / `:export`).
//!
//! Each resource has ONE serde struct (its pane's `schema.rs`) that a list row and the detail
//! record share: a detail is the row's fields plus its own. The conventions:
//!
//! - times are RFC 3339 in UTC with milliseconds ([`Time`]: `2024-06-10T06:13:20.123Z`);
//! - durations and ages are whole milliseconds, named `…_ms`; sizes are bytes, named `…_bytes`;
//! - numbers are JSON numbers, flags are booleans;
//! - a value the tenant did not send (or cpitop does not know) is `null`, never `""` or `?`;
//! - field names are `snake_case` and mean the same in every resource (`message_id` is always
//!   an MPL's `MessageGuid`, `iflow` always an iFlow's id, `status` the resource's own status).
//!
//! CSV writes the same fields in the same order ([`csv_cell`]): a list is its items separated by
//! spaces, an object (or a list of objects) its compact JSON.

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::cpi::odata::EpochMs;

/// A point in time as RFC 3339 UTC with milliseconds (`2024-06-10T06:13:20.123Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Time(pub EpochMs);

impl Time {
    /// `Some(Time)` of an optional epoch-ms value.
    pub fn of(ms: Option<EpochMs>) -> Option<Time> {
        ms.map(Time)
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&rfc3339(self.0))
    }
}

/// `2024-06-10T06:13:20.123Z`; an instant chrono cannot represent (a hostile reply) as its
/// epoch milliseconds in text.
pub fn rfc3339(ms: EpochMs) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_else(|| ms.to_string())
}

/// `None` for an empty (or blank) string: what the tenant did not send is `null`.
pub fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| s.to_string())
}

/// A record as the JSON value every output writes (field order as declared: `serde_json`'s
/// `preserve_order`).
pub fn value<T: Serialize>(record: &T) -> Value {
    serde_json::to_value(record).unwrap_or(Value::Null)
}

/// The top-level field names of a record type, in order (the CSV header, and what the README
/// documents): the keys of its default value.
pub fn fields_of<T: Serialize + Default>() -> Vec<String> {
    match value(&T::default()) {
        Value::Object(m) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// One CSV cell of a record's field: text as is, numbers and booleans as JSON writes them,
/// `null` empty, a list of plain values space-separated, anything nested as compact JSON.
pub fn csv_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(_) | Value::Number(_) => v.to_string(),
        Value::Array(items) if items.iter().all(|i| !i.is_array() && !i.is_object()) => {
            items.iter().map(csv_cell).collect::<Vec<_>>().join(" ")
        }
        Value::Array(_) | Value::Object(_) => serde_json::to_string(v).unwrap_or_default(),
    }
}

/// The records as CSV rows over `fields` (a missing field is empty).
pub fn csv_rows(fields: &[String], records: &[Value]) -> Vec<Vec<String>> {
    records
        .iter()
        .map(|r| {
            fields
                .iter()
                .map(|f| r.get(f).map(csv_cell).unwrap_or_default())
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Default)]
    struct R {
        id: String,
        at: Option<Time>,
        took_ms: Option<i64>,
        tags: Vec<String>,
        parts: Vec<(String, u32)>,
        ok: bool,
    }

    #[test]
    fn times_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(rfc3339(1_718_000_000_123), "2024-06-10T06:13:20.123Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(i64::MAX), i64::MAX.to_string());
        let v = value(&R {
            id: "a".into(),
            at: Time::of(Some(1_718_000_000_000)),
            ..R::default()
        });
        assert_eq!(v["at"], "2024-06-10T06:13:20.000Z");
    }

    #[test]
    fn fields_keep_the_declared_order() {
        assert_eq!(fields_of::<R>(), ["id", "at", "took_ms", "tags", "parts", "ok"]);
    }

    #[test]
    fn csv_cells_follow_the_json_values() {
        let v = value(&R {
            id: "x".into(),
            at: None,
            took_ms: Some(1500),
            tags: vec!["a".into(), "b".into()],
            parts: vec![("p".into(), 2)],
            ok: true,
        });
        let rows = csv_rows(&fields_of::<R>(), &[v]);
        assert_eq!(rows[0], ["x", "", "1500", "a b", r#"[["p",2]]"#, "true"]);
        assert_eq!(text(" "), None);
        assert_eq!(text("A"), Some("A".into()));
    }
}
