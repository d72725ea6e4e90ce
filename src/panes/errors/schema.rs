//! The error-group and member records: what `cpitop get errors -o json|ndjson|csv` and the
//! Errors pane's exports write (conventions: `kit::schema`; fields: README, "Machine output").

use serde::Serialize;

use crate::kit::schema::{Time, text};
use crate::signature::{FailedRow, Group, GroupKind, Grouped, Text, Texts};

/// One group of failed messages sharing an error signature.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ErrorGroupRecord {
    /// The signature's key (stable across runs and tenants for the same signature).
    pub key: String,
    /// The error text with what varies masked (`… to <host> … after <n> ms`), or a
    /// `[[errors.rules]]` name.
    pub template: String,
    /// `signature`, `provisional` (grouped by iFlow and status until texts are read),
    /// `no_error_information`.
    pub kind: String,
    /// The `[[errors.rules]]` rule that named the group, if one did.
    pub rule: Option<String>,
    pub count: i64,
    /// The iFlows of the members with their counts, most first.
    pub iflows: Vec<IflowCount>,
    /// The oldest and newest member's failure.
    pub first: Option<Time>,
    pub last: Option<Time>,
    /// Members per equal slice of the window, oldest first.
    pub trend: Vec<u32>,
    /// None of its signatures was seen before the window began.
    pub new: bool,
    /// The newest member's message id.
    pub sample: Option<String>,
    /// Every member's message id, newest first.
    pub members: Vec<String>,
}

/// An iFlow of a group and how many of the group's messages it has.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IflowCount {
    pub iflow: String,
    pub count: i64,
}

fn kind_word(k: &GroupKind) -> &'static str {
    match k {
        GroupKind::Signature { .. } => "signature",
        GroupKind::Pending => "provisional",
        GroupKind::NoText => "no_error_information",
    }
}

impl ErrorGroupRecord {
    pub fn of(g: &Group, grouped: &Grouped) -> Self {
        let members: Vec<String> = g
            .members
            .iter()
            .filter_map(|&i| grouped.rows.get(i).map(|r| r.guid.clone()))
            .collect();
        let rule = match &g.kind {
            GroupKind::Signature { rule } => rule.clone(),
            GroupKind::Pending | GroupKind::NoText => None,
        };
        Self {
            key: g.key.to_string(),
            template: g.template.clone(),
            kind: kind_word(&g.kind).into(),
            rule,
            count: g.count as i64,
            iflows: g
                .iflows
                .iter()
                .map(|(f, n)| IflowCount {
                    iflow: f.clone(),
                    count: *n as i64,
                })
                .collect(),
            first: Some(Time(g.first_ms)),
            last: Some(Time(g.last_ms)),
            trend: g.trend.clone(),
            new: g.new,
            sample: members.first().cloned(),
            members,
        }
    }
}

/// One member of a group (the members view's export).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ErrorMemberRecord {
    pub message_id: String,
    /// `FAILED`, `ESCALATED`, … (`COMPLETED` for a custom status counted as an error).
    pub status: String,
    pub custom_status: Option<String>,
    pub iflow: Option<String>,
    /// When it failed (`LogEnd`, else `LogStart`).
    pub end: Option<Time>,
    /// The error text as read (`null`: none, DISCARDED, or not read yet — see `error_read`).
    pub error: Option<String>,
    /// Whether the error text was read (a DISCARDED message has none to read).
    pub error_read: bool,
}

impl ErrorMemberRecord {
    pub fn of(r: &FailedRow, texts: &Texts) -> Self {
        let (status, custom) = match r.status.split_once('/') {
            Some((s, c)) => (s.to_string(), text(c)),
            None => (r.status.clone(), None),
        };
        let known = texts.get(&r.guid);
        Self {
            message_id: r.guid.clone(),
            status,
            custom_status: custom,
            iflow: text(&r.iflow),
            end: Some(Time(r.at_ms)),
            error: match known {
                Some(Text::Known(t)) if !r.discarded => Some(t.to_string()),
                _ => None,
            },
            error_read: known.is_some() && !r.discarded,
        }
    }
}
