//! The message record: one message processing log as `cpitop get messages|message -o
//! json|ndjson|csv` and the Messages pane's exports (the list, the correlated messages) write it;
//! the detail record is the same fields plus the detail's own; attachments, runs and steps
//! (conventions: `kit::schema`; fields: README, "Machine output").

use serde::Serialize;

use crate::cpi::model::{
    AdapterAttribute, CustomHeaderProperty, MessageProcessingLog, MplAttachment, MplRun, MplRunStep,
    MplStatus, NameValue,
};
use crate::cpi::odata::EpochMs;
use crate::kit::schema::{Time, text};
use crate::store::MessageRef;

/// A row of `get messages`, of the pane's export and of the correlated messages; the first
/// fields of `get message GUID`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MessageRecord {
    /// `MessageGuid`.
    pub message_id: String,
    pub correlation_id: Option<String>,
    /// `ApplicationMessageId` (the TUI's APP ID).
    pub application_id: Option<String>,
    /// `ApplicationMessageType`.
    pub application_type: Option<String>,
    /// `COMPLETED`, `FAILED`, `PROCESSING`, … (`null` only in a detail whose properties could
    /// not be read).
    pub status: Option<String>,
    /// What the iFlow set as `CustomStatus` (`ERROR` on a COMPLETED message: a business error).
    pub custom_status: Option<String>,
    /// The iFlow's id (`IntegrationArtifact/Id`, else `IntegrationFlowName`).
    pub iflow: Option<String>,
    pub iflow_name: Option<String>,
    /// `IntegrationArtifact/Type` (`INTEGRATION_FLOW`, …).
    pub artifact_type: Option<String>,
    pub package_id: Option<String>,
    pub package_name: Option<String>,
    /// One name, or several comma-joined as the tenant sends them.
    pub sender: Option<String>,
    pub receiver: Option<String>,
    /// `LogStart`.
    pub start: Option<Time>,
    /// `LogEnd`; `null` while the message is in flight.
    pub end: Option<Time>,
    /// `end − start`; `null` in flight or without a start.
    pub duration_ms: Option<i64>,
    /// No `LogEnd` yet: PROCESSING, or a RETRY waiting.
    pub in_flight: bool,
    /// How long a message in flight has been running (`null` otherwise, or without a start).
    pub running_ms: Option<i64>,
}

fn duration(start: Option<EpochMs>, end: Option<EpochMs>) -> Option<i64> {
    Some(end?.saturating_sub(start?).max(0))
}

fn running(in_flight: bool, start: Option<EpochMs>, now: EpochMs) -> Option<i64> {
    in_flight
        .then_some(start)
        .flatten()
        .map(|s| now.saturating_sub(s).max(0))
}

impl MessageRecord {
    /// A message of the pane's store (the list's lean row) at `now`.
    pub fn of_row(m: &MessageRef<'_>, now: EpochMs) -> Self {
        let end = m.end();
        Self {
            message_id: m.guid.to_string(),
            correlation_id: text(m.correlation_id),
            application_id: text(m.application_message_id),
            application_type: text(m.application_message_type),
            status: Some(m.status.as_str().to_string()),
            custom_status: text(m.custom_status),
            iflow: text(m.iflow_id),
            iflow_name: text(m.iflow_name),
            artifact_type: text(m.artifact_type),
            package_id: text(m.package_id),
            package_name: text(m.package_name),
            sender: text(m.sender),
            receiver: text(m.receiver),
            start: Time::of(m.log_start),
            end: Time::of(end),
            duration_ms: duration(m.log_start, end),
            in_flight: m.running,
            running_ms: running(m.running, m.log_start, now),
        }
    }

    /// A message's full record (the detail, the correlated messages) at `now`.
    pub fn of_log(m: &MessageProcessingLog, now: EpochMs) -> Self {
        let art = m.integration_artifact.clone().unwrap_or_default();
        let in_flight = m.log_end.is_none();
        // An unknown status is kept as the tenant sent it.
        let status = match m.status() {
            MplStatus::Unknown => text(&m.status),
            s => Some(s.as_str().to_string()),
        };
        Self {
            message_id: m.message_guid.clone(),
            correlation_id: text(&m.correlation_id),
            application_id: text(&m.application_message_id),
            application_type: text(&m.application_message_type),
            status,
            custom_status: text(&m.custom_status),
            iflow: text(m.iflow_id()),
            iflow_name: text(&art.name),
            artifact_type: text(&art.kind),
            package_id: text(&art.package_id),
            package_name: text(&art.package_name),
            sender: text(&m.sender),
            receiver: text(&m.receiver),
            start: Time::of(m.log_start),
            end: Time::of(m.log_end),
            duration_ms: duration(m.log_start, m.log_end),
            in_flight,
            running_ms: running(in_flight, m.log_start, now),
        }
    }
}

/// `get message GUID -o json`: the row's fields, then every part of the detail. A part that was
/// not read is `null` and named in `unread`; a navigation the tenant does not offer is `null`
/// and named in `not_available`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MessageDetailRecord {
    #[serde(flatten)]
    pub message: MessageRecord,
    /// `PredecessorMessageGuid`.
    pub predecessor_message_id: Option<String>,
    pub transaction_id: Option<String>,
    pub log_level: Option<String>,
    pub archiving_status: Option<String>,
    pub archiving_sender_channel_messages: Option<bool>,
    pub archiving_receiver_channel_messages: Option<bool>,
    pub archiving_log_attachments: Option<bool>,
    pub archiving_persisted_messages: Option<bool>,
    pub local_component: Option<String>,
    pub origin_component: Option<String>,
    pub previous_component: Option<String>,
    /// The message in the tenant's web UI (`AlternateWebLink`, its port repaired).
    pub web_link: Option<String>,
    /// `AdapterAttributes` (`null` when the tenant did not expand them).
    pub adapter_attributes: Option<Vec<AdapterAttributeRecord>>,
    /// The error text (`ErrorInformation/$value`; `null`: none, or not read).
    pub error: Option<String>,
    pub custom_header_properties: Option<Vec<NameValueRecord>>,
    pub attachments: Option<Vec<AttachmentRecord>>,
    pub runs: Option<Vec<RunRecord>>,
    /// Parts the tenant does not offer (a navigation answering 404).
    pub not_available: Vec<String>,
    /// Parts that could not be read, each `what: why`.
    pub unread: Vec<String>,
}

impl MessageDetailRecord {
    /// The properties' fields of a message's full record (the parts are set by the caller).
    pub fn of_log(m: &MessageProcessingLog, now: EpochMs) -> Self {
        let link = crate::cpi::weblink::web_link(&m.alternate_web_link);
        Self {
            message: MessageRecord::of_log(m, now),
            predecessor_message_id: text(&m.predecessor_message_guid),
            transaction_id: text(&m.transaction_id),
            log_level: text(&m.log_level),
            archiving_status: text(&m.archiving_status),
            archiving_sender_channel_messages: Some(m.archiving_sender_channel_messages),
            archiving_receiver_channel_messages: Some(m.archiving_receiver_channel_messages),
            archiving_log_attachments: Some(m.archiving_log_attachments),
            archiving_persisted_messages: Some(m.archiving_persisted_messages),
            local_component: text(&m.local_component_name),
            origin_component: text(&m.origin_component_name),
            previous_component: text(&m.previous_component_name),
            web_link: text(&link),
            adapter_attributes: m
                .adapter_attributes
                .expanded()
                .map(|v| v.iter().map(AdapterAttributeRecord::of).collect()),
            ..Self::default()
        }
    }
}

/// A name and its value: a custom header property, a run step's property.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NameValueRecord {
    pub name: String,
    pub value: Option<String>,
}

impl NameValueRecord {
    pub fn of_header(h: &CustomHeaderProperty) -> Self {
        Self {
            name: h.name.clone(),
            value: text(&h.value),
        }
    }
    pub fn of_pair(p: &NameValue) -> Self {
        Self {
            name: p.name.clone(),
            value: text(&p.value),
        }
    }
}

/// One of a message's `AdapterAttributes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AdapterAttributeRecord {
    pub adapter_id: Option<String>,
    pub adapter_message_id: Option<String>,
    pub name: String,
    pub value: Option<String>,
}

impl AdapterAttributeRecord {
    pub fn of(a: &AdapterAttribute) -> Self {
        Self {
            adapter_id: text(&a.adapter_id),
            adapter_message_id: text(&a.adapter_message_id),
            name: a.name.clone(),
            value: text(&a.value),
        }
    }
}

/// One attachment of a message (the detail's `attachments`, the attachments view's export).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AttachmentRecord {
    pub id: String,
    pub message_id: Option<String>,
    pub name: Option<String>,
    pub content_type: Option<String>,
    pub size_bytes: i64,
    pub time: Option<Time>,
}

impl AttachmentRecord {
    pub fn of(a: &MplAttachment) -> Self {
        Self {
            id: a.id.clone(),
            message_id: text(&a.message_guid),
            name: text(&a.name),
            content_type: text(&a.content_type),
            size_bytes: a.payload_size,
            time: Time::of(a.timestamp),
        }
    }
}

/// One run of a message with its steps.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunRecord {
    pub id: String,
    pub start: Option<Time>,
    pub stop: Option<Time>,
    pub duration_ms: Option<i64>,
    /// `OverallState` (`COMPLETED`, `FAILED`, …).
    pub state: Option<String>,
    pub log_level: Option<String>,
    pub process_id: Option<String>,
    pub steps: Vec<StepRecord>,
}

impl RunRecord {
    pub fn of(run: &MplRun, steps: &[MplRunStep]) -> Self {
        Self {
            id: run.id.clone(),
            start: Time::of(run.run_start),
            stop: Time::of(run.run_stop),
            duration_ms: duration(run.run_start, run.run_stop),
            state: text(&run.overall_state),
            log_level: text(&run.log_level),
            process_id: text(&run.process_id),
            steps: steps.iter().map(StepRecord::of).collect(),
        }
    }
}

/// One step of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StepRecord {
    pub step_id: Option<String>,
    pub model_step_id: Option<String>,
    pub branch_id: Option<String>,
    pub activity: Option<String>,
    pub status: Option<String>,
    /// The step's error (the failing step has one).
    pub error: Option<String>,
    pub start: Option<Time>,
    pub stop: Option<Time>,
    pub duration_ms: Option<i64>,
    pub child_count: i64,
    pub properties: Vec<NameValueRecord>,
}

impl StepRecord {
    pub fn of(s: &MplRunStep) -> Self {
        Self {
            step_id: text(&s.step_id),
            model_step_id: text(&s.model_step_id),
            branch_id: text(&s.branch_id),
            activity: text(&s.activity),
            status: text(&s.status),
            error: text(&s.error),
            start: Time::of(s.step_start),
            stop: Time::of(s.step_stop),
            duration_ms: duration(s.step_start, s.step_stop),
            child_count: s.child_count,
            properties: s.properties.iter().map(NameValueRecord::of_pair).collect(),
        }
    }
}
