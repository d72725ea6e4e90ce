//! The monitor, evidence and transition records: what the Alerts pane's exports write
//! (conventions: `kit::schema`; fields: README, "Machine output").

use serde::Serialize;

use crate::cpi::odata::EpochMs;
use crate::kit::schema::{Time, text};
use crate::monitor::{AlertControls, Evidence, MonitorStatus, Transition};

/// One monitor and what it says now (a row of the Alerts pane).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MonitorRecord {
    /// The monitor's key in the config.
    pub key: String,
    pub name: String,
    /// `ok`, `not_calculated`, `warning`, `error`.
    pub status: String,
    /// The alert text.
    pub text: Option<String>,
    /// Since when the monitor is in `status`.
    pub since: Option<Time>,
    pub last_evaluated: Option<Time>,
    /// The current status was acknowledged (`a`).
    pub acknowledged: bool,
    /// Silenced (`S`) until then, if it is.
    pub silenced_until: Option<Time>,
    /// What the alert points at.
    pub evidence: Vec<EvidenceRecord>,
}

impl MonitorRecord {
    pub fn of(m: &MonitorStatus, controls: &AlertControls, now: EpochMs) -> Self {
        Self {
            key: m.key.clone(),
            name: m.name.clone(),
            status: m.status.as_str().into(),
            text: text(&m.text),
            since: Some(Time(m.since)),
            last_evaluated: Some(Time(m.last_evaluated)),
            acknowledged: controls.is_acknowledged(m),
            silenced_until: controls
                .silences
                .get(&m.key)
                .filter(|s| now < s.until)
                .map(|s| Time(s.until)),
            evidence: m.evidence.iter().map(EvidenceRecord::of).collect(),
        }
    }
}

/// One thing an alert points at (the evidence view's export; a monitor's `evidence`). Only the
/// fields of its kind are set.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EvidenceRecord {
    /// `message`, `artifact`, `queue`, `queue_message`, `certificate`, `broker`, `tenant`, or
    /// `messages` (an iFlow's failed messages).
    pub kind: String,
    /// What the evidence view shows.
    pub label: String,
    pub message_id: Option<String>,
    pub iflow: Option<String>,
    pub artifact: Option<String>,
    pub queue: Option<String>,
    pub jms_message_id: Option<String>,
    pub certificate_alias: Option<String>,
    pub broker: Option<String>,
    pub tenant: Option<String>,
}

impl EvidenceRecord {
    pub fn of(e: &Evidence) -> Self {
        let base = |kind: &str| Self {
            kind: kind.into(),
            label: e.label(),
            ..Self::default()
        };
        match e {
            Evidence::Message { guid, iflow } => Self {
                message_id: Some(guid.clone()),
                iflow: text(iflow),
                ..base("message")
            },
            Evidence::Artifact { id } => Self {
                artifact: Some(id.clone()),
                ..base("artifact")
            },
            Evidence::Queue { name } => Self {
                queue: Some(name.clone()),
                ..base("queue")
            },
            Evidence::QueueMessage { queue, msgid } => Self {
                queue: Some(queue.clone()),
                jms_message_id: Some(msgid.clone()),
                ..base("queue_message")
            },
            Evidence::Certificate { alias, .. } => Self {
                certificate_alias: Some(alias.clone()),
                ..base("certificate")
            },
            Evidence::Broker { key } => Self {
                broker: Some(key.clone()),
                ..base("broker")
            },
            Evidence::Tenant { name } => Self {
                tenant: Some(name.clone()),
                ..base("tenant")
            },
        }
    }

    /// The evidence view's row leading to an iFlow's failed messages.
    pub fn failed_messages_of(iflow: &str) -> Self {
        Self {
            kind: "messages".into(),
            label: format!("failed messages of {iflow}"),
            iflow: Some(iflow.to_string()),
            ..Self::default()
        }
    }
}

/// A monitor's change of status (the history view's export).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TransitionRecord {
    pub time: Option<Time>,
    /// The monitor's key.
    pub monitor: String,
    pub name: String,
    pub from: String,
    pub to: String,
    pub text: Option<String>,
    pub evidence: Vec<EvidenceRecord>,
}

impl TransitionRecord {
    pub fn of(t: &Transition) -> Self {
        Self {
            time: Some(Time(t.at)),
            monitor: t.monitor.clone(),
            name: t.name.clone(),
            from: t.from.as_str().into(),
            to: t.to.as_str().into(),
            text: text(&t.text),
            evidence: t.evidence.iter().map(EvidenceRecord::of).collect(),
        }
    }
}
