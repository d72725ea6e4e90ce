//! Evaluation: a pure function of a monitor's spec, a [`Snapshot`] and the time.

use serde::{Deserialize, Serialize};

use super::rules::{self, RuleOutcome};
use super::snapshot::Snapshot;
use super::spec::{MonitorSpec, Rule};
use crate::cpi::odata::EpochMs;

pub use super::model::{Evidence, Status};

/// The result of evaluating one monitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub status: Status,
    /// What is wrong, naming the evidence ("3 FAILED in 15m; last: HTTP 401 from receiver ERP");
    /// for `not_calculated`, what data is missing.
    pub text: String,
    pub evidence: Vec<Evidence>,
}

/// Evaluate one monitor: every rule, the worst status wins. Texts of the rules that decide the
/// status are joined with " | "; evidence of those rules is kept (deduplicated, in order).
///
/// A known problem outranks missing data: one rule in error and another not calculated gives
/// error; all rules ok but one not calculated gives not calculated.
pub fn evaluate(spec: &MonitorSpec, snap: &Snapshot<'_>, now: EpochMs) -> Evaluation {
    let outcomes: Vec<RuleOutcome> = spec
        .rules
        .iter()
        .map(|r| evaluate_rule(r, spec, snap, now))
        .collect();
    combine(outcomes)
}

/// Evaluate every active monitor of a list: `(key, evaluation)` in list order.
pub fn evaluate_all<'s>(
    specs: &[&'s MonitorSpec],
    snap: &Snapshot<'_>,
    now: EpochMs,
) -> Vec<(&'s MonitorSpec, Evaluation)> {
    specs
        .iter()
        .filter(|s| s.active)
        .map(|s| (*s, evaluate(s, snap, now)))
        .collect()
}

fn evaluate_rule(rule: &Rule, spec: &MonitorSpec, snap: &Snapshot<'_>, now: EpochMs) -> RuleOutcome {
    use super::spec::Severity;
    let sev = |s: &Option<Severity>| s.unwrap_or(Severity::Error);
    match rule {
        Rule::NotStarted {
            for_at_least,
            severity,
        } => rules::not_started(&spec.scope, *for_at_least, sev(severity), snap, now),
        Rule::Failures {
            at_least,
            within,
            statuses,
            custom_statuses,
            severity,
        } => rules::failures(
            &spec.scope,
            *at_least,
            *within,
            &rules::Counted {
                statuses,
                custom: custom_statuses,
            },
            sev(severity),
            snap,
            now,
        ),
        Rule::NoSuccess { within, severity } => {
            rules::no_success(&spec.scope, *within, sev(severity), snap, now)
        }
        Rule::MinMessages {
            at_least,
            within,
            severity,
        } => rules::min_messages(&spec.scope, *at_least, *within, sev(severity), snap, now),
        Rule::QueueDepth {
            queues,
            above,
            severity,
        } => rules::queue_depth(queues, *above, sev(severity), snap),
        Rule::QueueAge {
            queues,
            older_than,
            severity,
        } => rules::queue_age(queues, *older_than, sev(severity), snap, now),
        Rule::DlqNotEmpty { queues, severity } => rules::dlq_not_empty(queues, sev(severity), snap),
        Rule::BlockedMessages {
            queues,
            at_least,
            severity,
        } => rules::blocked_messages(queues, *at_least, sev(severity), snap, now),
        Rule::BrokerCapacity {
            warning_percent,
            critical_percent,
        } => rules::broker_capacity(*warning_percent, *critical_percent, snap),
        Rule::CertExpiry {
            within,
            aliases,
            severity,
        } => rules::cert_expiry(aliases, *within, severity.unwrap_or(Severity::Warning), snap, now),
        Rule::TenantUnreachable {
            for_at_least,
            severity,
        } => rules::tenant_unreachable(*for_at_least, sev(severity), snap, now),
        Rule::VersionDrift {
            for_at_least,
            severity,
        } => rules::version_drift(
            &spec.scope,
            *for_at_least,
            severity.unwrap_or(Severity::Warning),
            snap,
            now,
        ),
        Rule::NewErrorSignature {
            unseen_for,
            within,
            severity,
        } => rules::new_error_signature(
            &spec.scope,
            *unseen_for,
            *within,
            severity.unwrap_or(Severity::Warning),
            snap,
            now,
        ),
        Rule::ErrorSignatureCount {
            above,
            within,
            severity,
        } => rules::error_signature_count(&spec.scope, *above, *within, sev(severity), snap, now),
    }
}

fn combine(outcomes: Vec<RuleOutcome>) -> Evaluation {
    let Some(worst) = outcomes.iter().map(|o| o.status).max() else {
        return Evaluation {
            status: Status::NotCalculated,
            text: "monitor has no rules".into(),
            evidence: Vec::new(),
        };
    };
    let deciding: Vec<&RuleOutcome> = if worst == Status::Ok {
        outcomes.iter().collect()
    } else if worst == Status::NotCalculated {
        outcomes
            .iter()
            .filter(|o| o.status == Status::NotCalculated)
            .collect()
    } else {
        // Warnings and errors are both worth reading when the monitor is in error.
        outcomes.iter().filter(|o| o.status.is_alert()).collect()
    };
    let text = deciding
        .iter()
        .map(|o| o.text.as_str())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" | ");
    let mut evidence: Vec<Evidence> = Vec::new();
    for o in &deciding {
        for e in &o.evidence {
            if !evidence.contains(e) {
                evidence.push(e.clone());
            }
        }
    }
    Evaluation {
        status: worst,
        text,
        evidence,
    }
}
