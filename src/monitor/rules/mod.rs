//! One function per rule kind. Each is pure: it reads the [`Snapshot`](crate::monitor::Snapshot) and returns a
//! [`RuleOutcome`] whose text names the evidence, or what data is missing.
//!
//! Boundaries (all tested): counts alert at exactly the threshold (`at_least`), windows are
//! `[now - within, now]` inclusive, durations alert once reached (`for`, `older_than` strictly
//! older), thresholds in percent alert at the value.

mod drift;
mod errors;
mod flows;
mod infra;

pub use drift::version_drift;
pub use errors::{error_signature_count, new_error_signature};
pub use flows::{Counted, failures, min_messages, no_success, not_started};
pub use infra::{
    blocked_messages, broker_capacity, cert_expiry, dlq_not_empty, queue_age, queue_depth, tenant_unreachable,
};

use chrono::{TimeZone, Utc};

use super::model::{Evidence, Status};
use super::spec::Severity;
use crate::cpi::odata::EpochMs;

/// What one rule found.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleOutcome {
    pub status: Status,
    pub text: String,
    pub evidence: Vec<Evidence>,
}

impl RuleOutcome {
    pub(crate) fn ok(text: impl Into<String>) -> Self {
        Self {
            status: Status::Ok,
            text: text.into(),
            evidence: Vec::new(),
        }
    }
    pub(crate) fn missing(text: impl Into<String>) -> Self {
        Self {
            status: Status::NotCalculated,
            text: text.into(),
            evidence: Vec::new(),
        }
    }
    pub(crate) fn alert(sev: Severity, text: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Self {
            status: match sev {
                Severity::Warning => Status::Warning,
                Severity::Error => Status::Error,
            },
            text: text.into(),
            evidence,
        }
    }
}

/// A span of milliseconds in at most two units: `45s`, `7m`, `2h5m`, `3d4h`.
pub fn fmt_span(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3_600, (s % 3_600) / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h{m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d{h}h"),
    }
}

/// `14:03 UTC` (the date too if not today relative to `now`).
pub fn fmt_clock(ms: EpochMs, now: EpochMs) -> String {
    let (Some(t), Some(n)) = (
        Utc.timestamp_millis_opt(ms).single(),
        Utc.timestamp_millis_opt(now).single(),
    ) else {
        return format!("{ms}");
    };
    if t.date_naive() == n.date_naive() {
        t.format("%H:%M UTC").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

/// `2026-11-23`.
pub fn fmt_day(ms: EpochMs) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| format!("{ms}"))
}

/// List at most `max` items, then "and N more".
pub(crate) fn list_some(items: &[String], max: usize) -> String {
    if items.len() <= max {
        items.join(", ")
    } else {
        format!("{}, and {} more", items[..max].join(", "), items.len() - max)
    }
}

/// `1 message` / `3 messages`.
pub(crate) fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests;
