//! The core of `cpitop check` and `cpitop watch`, without I/O: exit codes, report texts, and the
//! JSON-lines event stream.
//!
//! Exit codes of `check` (Nagios-style): 0 every monitor ok, 1 a warning, 2 an error,
//! 3 could not evaluate. A known problem outranks missing data (error 2 > warning 1 > unknown 3);
//! nothing evaluated at all (no active monitors) is 3, so a misconfigured check does not pass.

use std::collections::{HashSet, VecDeque};

use serde::Serialize;

use super::eval::{Evaluation, Evidence, Status};
use super::notify::format::{label, rfc3339};
use super::snapshot::{MessageRef, MessageStats};
use super::spec::MonitorSpec;
use super::status::Transition;
use crate::cpi::model::MplStatus;
use crate::cpi::odata::EpochMs;

pub const EXIT_OK: i32 = 0;
pub const EXIT_WARNING: i32 = 1;
pub const EXIT_ERROR: i32 = 2;
pub const EXIT_UNKNOWN: i32 = 3;

/// The exit code for a set of statuses (see the module docs).
pub fn exit_code(statuses: impl IntoIterator<Item = Status>) -> i32 {
    let mut any = false;
    let mut worst = Status::Ok;
    for s in statuses {
        any = true;
        worst = worst.max(s);
    }
    if !any {
        return EXIT_UNKNOWN;
    }
    match worst {
        Status::Error => EXIT_ERROR,
        Status::Warning => EXIT_WARNING,
        Status::NotCalculated => EXIT_UNKNOWN,
        Status::Ok => EXIT_OK,
    }
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CheckFormat {
    #[default]
    Text,
    Json,
}

impl std::str::FromStr for CheckFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!("unknown format {other:?}; use text or json")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckEntry {
    pub key: String,
    pub name: String,
    pub status: Status,
    pub text: String,
    pub evidence: Vec<Evidence>,
}

/// One tenant's check: every active monitor evaluated once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    pub tenant: String,
    pub evaluated_at: String,
    pub status: Status,
    pub exit_code: i32,
    /// Errors first, then warnings, unknowns, ok; by name within each.
    pub monitors: Vec<CheckEntry>,
}

impl CheckReport {
    pub fn new(tenant: &str, evaluations: &[(&MonitorSpec, Evaluation)], now: EpochMs) -> Self {
        let mut monitors: Vec<CheckEntry> = evaluations
            .iter()
            .map(|(spec, ev)| CheckEntry {
                key: spec.key.clone(),
                name: spec.name.clone(),
                status: ev.status,
                text: ev.text.clone(),
                evidence: ev.evidence.clone(),
            })
            .collect();
        monitors.sort_by(|a, b| b.status.cmp(&a.status).then_with(|| a.name.cmp(&b.name)));
        let status = monitors
            .iter()
            .map(|m| m.status)
            .max()
            .unwrap_or(Status::NotCalculated);
        Self {
            tenant: tenant.to_string(),
            evaluated_at: rfc3339(now),
            status,
            exit_code: exit_code(monitors.iter().map(|m| m.status)),
            monitors,
        }
    }

    /// A header line (`prod: ERROR (1 error, 2 ok)`), then one aligned line per monitor.
    pub fn to_text(&self) -> String {
        let mut counts = Vec::new();
        for s in [Status::Error, Status::Warning, Status::NotCalculated, Status::Ok] {
            let n = self.monitors.iter().filter(|m| m.status == s).count();
            if n > 0 {
                counts.push(format!("{n} {}", s.as_str().replace('_', " ")));
            }
        }
        let overall = if self.monitors.is_empty() {
            "UNKNOWN (no active monitors)".to_string()
        } else {
            format!("{} ({})", label(self.status), counts.join(", "))
        };
        let mut out = format!("{} at {}: {overall}\n", self.tenant, self.evaluated_at);
        let width = self
            .monitors
            .iter()
            .map(|m| m.name.chars().count())
            .max()
            .unwrap_or(0);
        for m in &self.monitors {
            let pad = width - m.name.chars().count();
            out.push_str(&format!(
                "{:<8} {}{}  {}\n",
                label(m.status),
                m.name,
                " ".repeat(pad),
                m.text.replace('\n', " ")
            ));
        }
        out
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    pub fn render(&self, format: CheckFormat) -> String {
        match format {
            CheckFormat::Text => self.to_text(),
            CheckFormat::Json => {
                let mut s = serde_json::to_string_pretty(&self.to_json()).unwrap_or_default();
                s.push('\n');
                s
            }
        }
    }
}

/// The exit code over several tenants' reports (the worst by the same precedence).
pub fn combined_exit_code(reports: &[CheckReport]) -> i32 {
    exit_code(reports.iter().flat_map(|r| r.monitors.iter().map(|m| m.status)))
}

/// One line of `cpitop watch` output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WatchEvent {
    /// A monitor changed status.
    Transition {
        tenant: String,
        monitor: String,
        name: String,
        from: Status,
        to: Status,
        text: String,
        evidence: Vec<Evidence>,
        time: String,
        time_ms: EpochMs,
    },
    /// What a monitor says when watching begins (one per monitor, after the first round), so
    /// a consumer starts from the whole picture, not only from changes.
    State {
        tenant: String,
        monitor: String,
        name: String,
        status: Status,
        text: String,
        evidence: Vec<Evidence>,
        /// Since when the monitor has been in `status` (kept across restarts).
        since: String,
        since_ms: EpochMs,
        time: String,
        time_ms: EpochMs,
    },
    /// The watcher is alive: printed at a fixed interval whatever happens, so a consumer can tell
    /// an idle tenant from a hung watcher.
    Heartbeat {
        tenant: String,
        /// Evaluation rounds finished so far.
        rounds: u64,
        /// When the last round finished (`None` before the first).
        #[serde(skip_serializing_if = "Option::is_none")]
        last_round: Option<String>,
        /// Seconds the round in progress has been running, when one is.
        #[serde(skip_serializing_if = "Option::is_none")]
        round_running_s: Option<u64>,
        /// Monitors per status after the last round.
        monitors: StatusCounts,
        time: String,
        time_ms: EpochMs,
    },
    /// A message reached a failed status since watching began.
    MessageFailed {
        tenant: String,
        iflow: String,
        guid: String,
        status: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// Its error signature, once its text is read (texts are read within the budget).
        #[serde(skip_serializing_if = "Option::is_none")]
        signature: Option<EventSignature>,
        time: String,
        time_ms: EpochMs,
    },
}

/// A failed message's error signature in `watch`'s events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventSignature {
    /// The group's stable key (hex).
    pub key: String,
    /// The error text with what varies masked.
    pub template: String,
    /// None of its signatures had been seen on this tenant before (since cpitop began
    /// remembering them).
    pub new: bool,
}

impl WatchEvent {
    pub fn transition(t: &Transition) -> Self {
        Self::Transition {
            tenant: t.tenant.clone(),
            monitor: t.monitor.clone(),
            name: t.name.clone(),
            from: t.from,
            to: t.to,
            text: t.text.clone(),
            evidence: t.evidence.clone(),
            time: rfc3339(t.at),
            time_ms: t.at,
        }
    }

    pub fn state(tenant: &str, m: &crate::monitor::status::MonitorStatus, now: EpochMs) -> Self {
        Self::State {
            tenant: tenant.to_string(),
            monitor: m.key.clone(),
            name: m.name.clone(),
            status: m.status,
            text: m.text.clone(),
            evidence: m.evidence.clone(),
            since: rfc3339(m.since),
            since_ms: m.since,
            time: rfc3339(now),
            time_ms: now,
        }
    }

    pub fn heartbeat(
        tenant: &str,
        rounds: u64,
        last_round: Option<EpochMs>,
        round_running_s: Option<u64>,
        monitors: StatusCounts,
        now: EpochMs,
    ) -> Self {
        Self::Heartbeat {
            tenant: tenant.to_string(),
            rounds,
            last_round: last_round.map(rfc3339),
            round_running_s,
            monitors,
            time: rfc3339(now),
            time_ms: now,
        }
    }

    pub fn message_failed(tenant: &str, m: &MessageRef) -> Self {
        Self::MessageFailed {
            tenant: tenant.to_string(),
            iflow: m.iflow.clone(),
            guid: m.guid.clone(),
            status: m.status.as_str().to_string(),
            error: m.error.clone(),
            signature: None,
            time: rfc3339(m.time),
            time_ms: m.time,
        }
    }

    /// The event with the message's error signature (only a `message_failed` carries one).
    pub fn with_signature(mut self, sig: Option<EventSignature>) -> Self {
        if let Self::MessageFailed { signature, .. } = &mut self {
            *signature = sig;
        }
        self
    }

    /// One JSON object, newline-terminated (JSON strings escape newlines, so it is one line).
    pub fn to_line(&self) -> String {
        let mut s = serde_json::to_string(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// How many monitors are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub error: usize,
    pub warning: usize,
    pub not_calculated: usize,
    pub ok: usize,
}

impl StatusCounts {
    pub fn of<'a>(statuses: impl IntoIterator<Item = &'a Status>) -> Self {
        let mut c = Self::default();
        for s in statuses {
            match s {
                Status::Error => c.error += 1,
                Status::Warning => c.warning += 1,
                Status::NotCalculated => c.not_calculated += 1,
                Status::Ok => c.ok += 1,
            }
        }
        c
    }
}

/// Statuses `watch` reports as failed messages.
pub const FAILED_STATUSES: [MplStatus; 2] = [MplStatus::Failed, MplStatus::Escalated];

/// Finds messages that failed since watching began, each reported once.
#[derive(Debug, Clone)]
pub struct NewFailures {
    start: EpochMs,
    /// How far back each poll looks (bounds the work; a message reported late by the tenant is
    /// still found if it is at most this old).
    lookback_ms: i64,
    seen: HashSet<String>,
    order: VecDeque<String>,
    cap: usize,
}

impl NewFailures {
    /// Report failures with a time at or after `start`, looking back at most `lookback_ms`.
    pub fn new(start: EpochMs, lookback_ms: i64) -> Self {
        Self {
            start,
            lookback_ms,
            seen: HashSet::new(),
            order: VecDeque::new(),
            cap: 50_000,
        }
    }

    /// The failed messages not reported before, oldest first.
    pub fn poll(&mut self, stats: &dyn MessageStats, now: EpochMs) -> Vec<MessageRef> {
        let from = self.start.max(now.saturating_sub(self.lookback_ms));
        let mut fresh: Vec<MessageRef> = stats
            .newest(None, &FAILED_STATUSES, from, now, 10_000)
            .into_iter()
            .filter(|m| !self.seen.contains(&m.guid))
            .collect();
        fresh.reverse();
        for m in &fresh {
            self.seen.insert(m.guid.clone());
            self.order.push_back(m.guid.clone());
            if self.order.len() > self.cap
                && let Some(old) = self.order.pop_front()
            {
                self.seen.remove(&old);
            }
        }
        fresh
    }
}
