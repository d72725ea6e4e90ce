//! Typed models of the CPI entities cpitop reads (docs/cpi-api.md, "Runtime artifacts", "Message processing logs", "JMS queues", "Other entity sets"). Field names follow the
//! wire exactly through `serde(rename)`; every decoder is tolerant (see `odata`), so a tenant that
//! sends a number as a string, `null` for an empty string or an unexpected date form still decodes.
//! Unknown fields are ignored. Where the reference marks a shape uncertain (U) the comment says so.

use serde::{Deserialize, Serialize};

use super::odata::{EpochMs, Expanded, de_bool, de_i64, de_opt_date, de_opt_i64, de_string};

/// `IntegrationRuntimeArtifacts` status (§3). Unknown values are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum ArtifactStatus {
    Started,
    Starting,
    Stopping,
    Error,
    Other(String),
}

impl ArtifactStatus {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Started => "STARTED",
            Self::Starting => "STARTING",
            Self::Stopping => "STOPPING",
            Self::Error => "ERROR",
            Self::Other(s) => s,
        }
    }
    pub fn is_started(&self) -> bool {
        matches!(self, Self::Started)
    }
}

impl From<String> for ArtifactStatus {
    fn from(s: String) -> Self {
        match s.as_str() {
            "STARTED" => Self::Started,
            "STARTING" => Self::Starting,
            "STOPPING" => Self::Stopping,
            "ERROR" => Self::Error,
            _ => Self::Other(s),
        }
    }
}

impl From<ArtifactStatus> for String {
    fn from(s: ArtifactStatus) -> Self {
        s.as_str().to_string()
    }
}

impl std::fmt::Display for ArtifactStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One deployed runtime artifact (`com.sap.hci.api.IntegrationRuntimeArtifact`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuntimeArtifact {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "Version", default, deserialize_with = "de_string")]
    pub version: String,
    #[serde(rename = "Name", default, deserialize_with = "de_string")]
    pub name: String,
    /// `INTEGRATION_FLOW` (C); `VALUE_MAPPING`, `MESSAGE_MAPPING`, `SCRIPT_COLLECTION`,
    /// `REST_API`, `SOAP_API`, `ODATA_SERVICE` (U).
    #[serde(rename = "Type", default, deserialize_with = "de_string")]
    pub kind: String,
    #[serde(rename = "DeployedBy", default, deserialize_with = "de_string")]
    pub deployed_by: String,
    #[serde(rename = "DeployedOn", default, deserialize_with = "de_opt_date")]
    pub deployed_on: Option<EpochMs>,
    #[serde(rename = "Status")]
    pub status: ArtifactStatus,
}

/// `IntegrationRuntimeArtifacts('<Id>')/ErrorInformation/$value` (§3): decoded in
/// `artifact_error`, which knows the forms real tenants send.
pub use super::artifact_error::{ArtifactErrorInformation, ArtifactErrorMessage};

/// MPL status (§4). Unknown values are kept verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[repr(u8)]
pub enum MplStatus {
    Completed = 0,
    Processing = 1,
    Retry = 2,
    Escalated = 3,
    Failed = 4,
    Cancelled = 5,
    Discarded = 6,
    Abandoned = 7,
    Unknown = 8,
}

impl MplStatus {
    pub const ALL: [MplStatus; 9] = [
        Self::Completed,
        Self::Processing,
        Self::Retry,
        Self::Escalated,
        Self::Failed,
        Self::Cancelled,
        Self::Discarded,
        Self::Abandoned,
        Self::Unknown,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "COMPLETED",
            Self::Processing => "PROCESSING",
            Self::Retry => "RETRY",
            Self::Escalated => "ESCALATED",
            Self::Failed => "FAILED",
            Self::Cancelled => "CANCELLED",
            Self::Discarded => "DISCARDED",
            Self::Abandoned => "ABANDONED",
            Self::Unknown => "UNKNOWN",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "COMPLETED" => Self::Completed,
            "PROCESSING" => Self::Processing,
            "RETRY" => Self::Retry,
            "ESCALATED" => Self::Escalated,
            "FAILED" => Self::Failed,
            "CANCELLED" => Self::Cancelled,
            "DISCARDED" => Self::Discarded,
            "ABANDONED" => Self::Abandoned,
            _ => Self::Unknown,
        }
    }
    pub fn from_u8(v: u8) -> Self {
        Self::ALL.get(v as usize).copied().unwrap_or(Self::Unknown)
    }
    /// Whether the message has reached a final state (its LogEnd no longer moves).
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Processing | Self::Retry)
    }
}

impl std::fmt::Display for MplStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `IntegrationArtifact` complex property of an MPL.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MplArtifactRef {
    #[serde(rename = "Id", default, deserialize_with = "de_string")]
    pub id: String,
    #[serde(rename = "Name", default, deserialize_with = "de_string")]
    pub name: String,
    #[serde(rename = "Type", default, deserialize_with = "de_string")]
    pub kind: String,
    #[serde(rename = "PackageId", default, deserialize_with = "de_string")]
    pub package_id: String,
    #[serde(rename = "PackageName", default, deserialize_with = "de_string")]
    pub package_name: String,
}

/// One message processing log with every field of the reference (§4). Used for the detail view;
/// the message list holds a compact form (see `store`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageProcessingLog {
    #[serde(rename = "MessageGuid")]
    pub message_guid: String,
    #[serde(rename = "CorrelationId", default, deserialize_with = "de_string")]
    pub correlation_id: String,
    #[serde(rename = "ApplicationMessageId", default, deserialize_with = "de_string")]
    pub application_message_id: String,
    #[serde(rename = "PredecessorMessageGuid", default, deserialize_with = "de_string")]
    pub predecessor_message_guid: String,
    #[serde(rename = "ApplicationMessageType", default, deserialize_with = "de_string")]
    pub application_message_type: String,
    #[serde(rename = "LogStart", default, deserialize_with = "de_opt_date")]
    pub log_start: Option<EpochMs>,
    #[serde(rename = "LogEnd", default, deserialize_with = "de_opt_date")]
    pub log_end: Option<EpochMs>,
    #[serde(rename = "Sender", default, deserialize_with = "de_string")]
    pub sender: String,
    #[serde(rename = "Receiver", default, deserialize_with = "de_string")]
    pub receiver: String,
    #[serde(rename = "IntegrationFlowName", default, deserialize_with = "de_string")]
    pub integration_flow_name: String,
    #[serde(rename = "Status", default, deserialize_with = "de_string")]
    pub status: String,
    #[serde(rename = "AlternateWebLink", default, deserialize_with = "de_string")]
    pub alternate_web_link: String,
    #[serde(rename = "IntegrationArtifact", default)]
    pub integration_artifact: Option<MplArtifactRef>,
    #[serde(rename = "LogLevel", default, deserialize_with = "de_string")]
    pub log_level: String,
    #[serde(rename = "CustomStatus", default, deserialize_with = "de_string")]
    pub custom_status: String,
    #[serde(rename = "ArchivingStatus", default, deserialize_with = "de_string")]
    pub archiving_status: String,
    #[serde(
        rename = "ArchivingSenderChannelMessages",
        default,
        deserialize_with = "de_bool"
    )]
    pub archiving_sender_channel_messages: bool,
    #[serde(
        rename = "ArchivingReceiverChannelMessages",
        default,
        deserialize_with = "de_bool"
    )]
    pub archiving_receiver_channel_messages: bool,
    #[serde(rename = "ArchivingLogAttachments", default, deserialize_with = "de_bool")]
    pub archiving_log_attachments: bool,
    #[serde(rename = "ArchivingPersistedMessages", default, deserialize_with = "de_bool")]
    pub archiving_persisted_messages: bool,
    #[serde(rename = "TransactionId", default, deserialize_with = "de_string")]
    pub transaction_id: String,
    #[serde(rename = "PreviousComponentName", default, deserialize_with = "de_string")]
    pub previous_component_name: String,
    #[serde(rename = "LocalComponentName", default, deserialize_with = "de_string")]
    pub local_component_name: String,
    #[serde(rename = "OriginComponentName", default, deserialize_with = "de_string")]
    pub origin_component_name: String,
    /// Read only with `$expand=CustomHeaderProperties`; a tenant may still defer it ([`Nav`]).
    #[serde(rename = "CustomHeaderProperties", default)]
    pub custom_header_properties: Nav<CustomHeaderProperty>,
    /// Read only with `$expand=AdapterAttributes`; a tenant may still defer it ([`Nav`]).
    #[serde(rename = "AdapterAttributes", default)]
    pub adapter_attributes: Nav<AdapterAttribute>,
}

/// A to-many navigation property of an entity as the tenant sent it. Real tenants may answer
/// `__deferred` although `$expand` asked for the navigation (docs/cpi-api.md, "Message detail: navigations"), so
/// "not expanded" must not read as "none". The deferred `uri` is kept only to be checked against
/// the tenant's origin before the navigation is read; the URL that is read is built from the
/// entity's own key (deferred URIs of real tenants can name another entity).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Nav<T> {
    /// `{"results":[…]}` (or a bare array, the form cpitop itself serialises).
    Expanded(Vec<T>),
    /// `{"__deferred":{"uri":…}}`: not read; `None` when the marker has no usable `uri`.
    Deferred(Option<String>),
    /// Absent or `null`: not read either.
    #[default]
    Missing,
}

impl<T> Nav<T> {
    /// The rows, when the tenant expanded the navigation.
    pub fn expanded(&self) -> Option<&[T]> {
        match self {
            Nav::Expanded(v) => Some(v),
            _ => None,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nav<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct DeferredBody {
            #[serde(default)]
            uri: Option<String>,
        }
        /// `results` required: an object with neither marker is not an expanded navigation.
        #[derive(Deserialize)]
        struct Results<T> {
            results: Vec<T>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw<T> {
            Deferred {
                #[serde(rename = "__deferred")]
                deferred: DeferredBody,
            },
            Expanded(Results<T>),
            Bare(Vec<T>),
            Other(serde::de::IgnoredAny),
        }
        Ok(match Option::<Raw<T>>::deserialize(d)? {
            Some(Raw::Deferred { deferred }) => Nav::Deferred(deferred.uri.filter(|u| !u.trim().is_empty())),
            Some(Raw::Expanded(e)) => Nav::Expanded(e.results),
            Some(Raw::Bare(v)) => Nav::Expanded(v),
            Some(Raw::Other(_)) | None => Nav::Missing,
        })
    }
}

/// Serialised as the rows when they were read, `null` when they were not (JSON output and
/// exports never show an unread navigation as an empty list).
impl<T: Serialize> Serialize for Nav<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Nav::Expanded(v) => v.serialize(s),
            _ => s.serialize_none(),
        }
    }
}

impl MessageProcessingLog {
    pub fn status(&self) -> MplStatus {
        MplStatus::parse(&self.status)
    }
    /// The iFlow id: `IntegrationArtifact/Id`, else the deprecated `IntegrationFlowName`.
    pub fn iflow_id(&self) -> &str {
        match &self.integration_artifact {
            Some(a) if !a.id.is_empty() => &a.id,
            _ => &self.integration_flow_name,
        }
    }
}

/// A navigation that is either `{"__deferred":…}` (not expanded: empty) or `{"results":[…]}`.
fn de_expanded<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Nav<T> {
        Expanded(Expanded<T>),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Option::<Nav<T>>::deserialize(d)? {
        Some(Nav::Expanded(e)) => e.results,
        _ => Vec::new(),
    })
}

/// `MessageProcessingLogs('<guid>')/ErrorInformation` (§4): the plain-text error is at `/$value`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MplErrorInformation {
    #[serde(rename = "MessageGuid", default, deserialize_with = "de_string")]
    pub message_guid: String,
    #[serde(rename = "Type", default, deserialize_with = "de_string")]
    pub kind: String,
    #[serde(rename = "LastErrorModelStepId", default, deserialize_with = "de_string")]
    pub last_error_model_step_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomHeaderProperty {
    #[serde(rename = "Id", default, deserialize_with = "de_string")]
    pub id: String,
    #[serde(rename = "Name", default, deserialize_with = "de_string")]
    pub name: String,
    #[serde(rename = "Value", default, deserialize_with = "de_string")]
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdapterAttribute {
    #[serde(rename = "Id", default, deserialize_with = "de_string")]
    pub id: String,
    #[serde(rename = "AdapterId", default, deserialize_with = "de_string")]
    pub adapter_id: String,
    #[serde(rename = "AdapterMessageId", default, deserialize_with = "de_string")]
    pub adapter_message_id: String,
    #[serde(rename = "Name", default, deserialize_with = "de_string")]
    pub name: String,
    #[serde(rename = "Value", default, deserialize_with = "de_string")]
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MplAttachment {
    #[serde(rename = "Id", default, deserialize_with = "de_string")]
    pub id: String,
    #[serde(rename = "MessageGuid", default, deserialize_with = "de_string")]
    pub message_guid: String,
    #[serde(rename = "TimeStamp", default, deserialize_with = "de_opt_date")]
    pub timestamp: Option<EpochMs>,
    #[serde(rename = "Name", default, deserialize_with = "de_string")]
    pub name: String,
    #[serde(rename = "ContentType", default, deserialize_with = "de_string")]
    pub content_type: String,
    #[serde(rename = "PayloadSize", default, deserialize_with = "de_i64")]
    pub payload_size: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageStoreEntry {
    #[serde(rename = "Id", default, deserialize_with = "de_string")]
    pub id: String,
    #[serde(rename = "MessageGuid", default, deserialize_with = "de_string")]
    pub message_guid: String,
    #[serde(rename = "MessageStoreId", default, deserialize_with = "de_string")]
    pub message_store_id: String,
    #[serde(rename = "TimeStamp", default, deserialize_with = "de_opt_date")]
    pub timestamp: Option<EpochMs>,
    #[serde(rename = "HasAttachments", default, deserialize_with = "de_bool")]
    pub has_attachments: bool,
}

/// `MessageProcessingLogs('<guid>')/Runs` (§4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MplRun {
    #[serde(rename = "Id", default, deserialize_with = "de_string")]
    pub id: String,
    #[serde(rename = "RunStart", default, deserialize_with = "de_opt_date")]
    pub run_start: Option<EpochMs>,
    #[serde(rename = "RunStop", default, deserialize_with = "de_opt_date")]
    pub run_stop: Option<EpochMs>,
    #[serde(rename = "LogLevel", default, deserialize_with = "de_string")]
    pub log_level: String,
    #[serde(rename = "OverallState", default, deserialize_with = "de_string")]
    pub overall_state: String,
    #[serde(rename = "ProcessId", default, deserialize_with = "de_string")]
    pub process_id: String,
}

/// `MessageProcessingLogRuns('<runId>')/RunSteps?$expand=RunStepProperties` (§4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MplRunStep {
    #[serde(rename = "RunId", default, deserialize_with = "de_string")]
    pub run_id: String,
    #[serde(rename = "ChildCount", default, deserialize_with = "de_i64")]
    pub child_count: i64,
    #[serde(rename = "StepStart", default, deserialize_with = "de_opt_date")]
    pub step_start: Option<EpochMs>,
    #[serde(rename = "StepStop", default, deserialize_with = "de_opt_date")]
    pub step_stop: Option<EpochMs>,
    #[serde(rename = "StepId", default, deserialize_with = "de_string")]
    pub step_id: String,
    #[serde(rename = "ModelStepId", default, deserialize_with = "de_string")]
    pub model_step_id: String,
    #[serde(rename = "BranchId", default, deserialize_with = "de_string")]
    pub branch_id: String,
    #[serde(rename = "Status", default, deserialize_with = "de_string")]
    pub status: String,
    #[serde(rename = "Error", default, deserialize_with = "de_string")]
    pub error: String,
    #[serde(rename = "Activity", default, deserialize_with = "de_string")]
    pub activity: String,
    #[serde(rename = "RunStepProperties", default, deserialize_with = "de_expanded")]
    pub properties: Vec<NameValue>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NameValue {
    #[serde(rename = "Name", default, deserialize_with = "de_string")]
    pub name: String,
    #[serde(rename = "Value", default, deserialize_with = "de_string")]
    pub value: String,
}

/// `JmsBrokers('Broker1')`. Int64 fields arrive as strings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JmsBroker {
    #[serde(rename = "Key", default, deserialize_with = "de_string")]
    pub key: String,
    /// Bytes used.
    #[serde(rename = "Capacity", default, deserialize_with = "de_i64")]
    pub capacity: i64,
    #[serde(rename = "MaxCapacity", default, deserialize_with = "de_i64")]
    pub max_capacity: i64,
    #[serde(rename = "IsTransactedSessionsHigh", default, deserialize_with = "de_i64")]
    pub is_transacted_sessions_high: i64,
    #[serde(rename = "IsConsumersHigh", default, deserialize_with = "de_i64")]
    pub is_consumers_high: i64,
    #[serde(rename = "IsProducersHigh", default, deserialize_with = "de_i64")]
    pub is_producers_high: i64,
    #[serde(rename = "IsQueuesHigh", default, deserialize_with = "de_opt_i64")]
    pub is_queues_high: Option<i64>,
    #[serde(rename = "IsMessageSpoolHigh", default, deserialize_with = "de_opt_i64")]
    pub is_message_spool_high: Option<i64>,
    #[serde(rename = "MaxQueueNumber", default, deserialize_with = "de_i64")]
    pub max_queue_number: i64,
    #[serde(rename = "QueueNumber", default, deserialize_with = "de_i64")]
    pub queue_number: i64,
    /// Presumably the number of queues per fill state (U).
    #[serde(rename = "CapacityOk", default, deserialize_with = "de_i64")]
    pub capacity_ok: i64,
    #[serde(rename = "CapacityWarning", default, deserialize_with = "de_i64")]
    pub capacity_warning: i64,
    #[serde(rename = "CapacityError", default, deserialize_with = "de_i64")]
    pub capacity_error: i64,
    #[serde(rename = "QueueStates", default, deserialize_with = "de_expanded")]
    pub queue_states: Vec<QueueState>,
    #[serde(rename = "InactiveQueues", default, deserialize_with = "de_expanded")]
    pub inactive_queues: Vec<Queue>,
}

/// Broker fill level as the web UI words it: Critical below 20 % free, Exhausted at 95 % used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CapacityLevel {
    Ok,
    Critical,
    Exhausted,
}

impl JmsBroker {
    pub fn used_fraction(&self) -> f64 {
        if self.max_capacity <= 0 {
            return 0.0;
        }
        self.capacity as f64 / self.max_capacity as f64
    }
    pub fn capacity_level(&self) -> CapacityLevel {
        let used = self.used_fraction();
        if used >= 0.95 {
            CapacityLevel::Exhausted
        } else if used > 0.80 {
            CapacityLevel::Critical
        } else {
            CapacityLevel::Ok
        }
    }
}

/// `QueueStates` of a broker: `State` 0 OK / 1 warning / 2 critical (sent as a string).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueState {
    #[serde(rename = "Name", default, deserialize_with = "de_string")]
    pub name: String,
    #[serde(rename = "State", default, deserialize_with = "de_i64")]
    pub state: i64,
}

/// One JMS queue, from the queue-monitor service `Queues` (U overall) or the newer
/// `MessagingQueues` (U); the client maps both into this shape.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Queue {
    #[serde(rename = "Name", alias = "queueName", default, deserialize_with = "de_string")]
    pub name: String,
    #[serde(
        rename = "NumbOfMsgs",
        alias = "numberOfMessages",
        default,
        deserialize_with = "de_i64"
    )]
    pub numb_of_msgs: i64,
    /// Bytes (U).
    #[serde(rename = "Size", default, deserialize_with = "de_i64")]
    pub size: i64,
    #[serde(rename = "Type", default, deserialize_with = "de_i64")]
    pub kind: i64,
    /// Meaning unknown (U).
    #[serde(rename = "State", default, deserialize_with = "de_i64")]
    pub state: i64,
    #[serde(rename = "FillGrade", default, deserialize_with = "de_i64")]
    pub fill_grade: i64,
    /// "1" = started (guessed, uncertain).
    #[serde(rename = "Active", alias = "active", default, deserialize_with = "de_bool")]
    pub active: bool,
    #[serde(
        rename = "Exclusive",
        alias = "exclusive",
        default,
        deserialize_with = "de_bool"
    )]
    pub exclusive: bool,
}

/// One message in a JMS queue (`JmsMessages`; `MessagingMessages`). Times are epoch-ms
/// strings on the wire.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JmsMessage {
    #[serde(
        rename = "Msgid",
        alias = "jmsMessageId",
        default,
        deserialize_with = "de_string"
    )]
    pub msgid: String,
    /// The queue name.
    #[serde(rename = "Name", alias = "queueName", default, deserialize_with = "de_string")]
    pub queue: String,
    #[serde(rename = "Failed", alias = "failed", default, deserialize_with = "de_bool")]
    pub failed: bool,
    #[serde(rename = "Mplid", alias = "mplId", default, deserialize_with = "de_string")]
    pub mplid: String,
    #[serde(
        rename = "CreatedAt",
        alias = "createdAt",
        default,
        deserialize_with = "de_opt_date"
    )]
    pub created_at: Option<EpochMs>,
    #[serde(
        rename = "RetryCount",
        alias = "retryCount",
        default,
        deserialize_with = "de_i64"
    )]
    pub retry_count: i64,
    #[serde(
        rename = "NextRetry",
        alias = "nextRetry",
        default,
        deserialize_with = "de_opt_date"
    )]
    pub next_retry: Option<EpochMs>,
    #[serde(
        rename = "OverdueAt",
        alias = "overdueAt",
        default,
        deserialize_with = "de_opt_date"
    )]
    pub overdue_at: Option<EpochMs>,
    #[serde(
        rename = "ExpirationDate",
        alias = "expirationDate",
        default,
        deserialize_with = "de_opt_date"
    )]
    pub expiration_date: Option<EpochMs>,
    #[serde(rename = "MimeMsgid", default, deserialize_with = "de_string")]
    pub mime_msgid: String,
    #[serde(rename = "ContentType", default, deserialize_with = "de_string")]
    pub content_type: String,
    /// The rest are sent only by the messaging API (`MessagingMessages`); empty from `JmsMessages`.
    #[serde(default, deserialize_with = "de_string")]
    pub sender: String,
    #[serde(default, deserialize_with = "de_string")]
    pub receiver: String,
    #[serde(rename = "messageType", default, deserialize_with = "de_string")]
    pub message_type: String,
    #[serde(rename = "applicationId", default, deserialize_with = "de_string")]
    pub application_id: String,
    #[serde(rename = "correlationId", default, deserialize_with = "de_string")]
    pub correlation_id: String,
    /// The MPL's custom status (e.g. `ERROR` on a COMPLETED message: a business error).
    #[serde(rename = "customStatus", default, deserialize_with = "de_string")]
    pub custom_status: String,
}

/// What the web UI shows as a queued message's status, derived from its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JmsMessageState {
    Failed,
    Blocked,
    Overdue,
    Waiting,
}

impl JmsMessage {
    /// Failed if flagged; Blocked if not failed and without a next retry after at least one retry
    /// (the dead-letter lock); Overdue past `OverdueAt`; otherwise Waiting.
    pub fn state(&self, now: EpochMs) -> JmsMessageState {
        if self.failed {
            JmsMessageState::Failed
        } else if self.next_retry.is_none() && self.retry_count > 0 {
            JmsMessageState::Blocked
        } else if self.overdue_at.is_some_and(|o| o < now) {
            JmsMessageState::Overdue
        } else {
            JmsMessageState::Waiting
        }
    }
}

/// `KeystoreEntries` (§6).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeystoreEntry {
    #[serde(rename = "Hexalias", default, deserialize_with = "de_string")]
    pub hexalias: String,
    #[serde(rename = "Alias", default, deserialize_with = "de_string")]
    pub alias: String,
    #[serde(rename = "KeyType", default, deserialize_with = "de_string")]
    pub key_type: String,
    #[serde(rename = "KeySize", default, deserialize_with = "de_i64")]
    pub key_size: i64,
    #[serde(rename = "ValidNotBefore", default, deserialize_with = "de_opt_date")]
    pub valid_not_before: Option<EpochMs>,
    #[serde(rename = "ValidNotAfter", default, deserialize_with = "de_opt_date")]
    pub valid_not_after: Option<EpochMs>,
    #[serde(rename = "SerialNumber", default, deserialize_with = "de_string")]
    pub serial_number: String,
    #[serde(rename = "SignatureAlgorithm", default, deserialize_with = "de_string")]
    pub signature_algorithm: String,
    #[serde(rename = "SubjectDN", default, deserialize_with = "de_string")]
    pub subject_dn: String,
    #[serde(rename = "IssuerDN", default, deserialize_with = "de_string")]
    pub issuer_dn: String,
    #[serde(rename = "Type", default, deserialize_with = "de_string")]
    pub kind: String,
    #[serde(rename = "Owner", default, deserialize_with = "de_string")]
    pub owner: String,
    #[serde(rename = "Status", default, deserialize_with = "de_string")]
    pub status: String,
    /// `secp256r1` for EC keys; null otherwise.
    #[serde(rename = "EllipticCurve", default, deserialize_with = "de_string")]
    pub elliptic_curve: String,
    /// Colon-separated hex (`0D:56:…`); absent on some tenants.
    #[serde(rename = "FingerprintSha1", default, deserialize_with = "de_string")]
    pub fingerprint_sha1: String,
    #[serde(rename = "FingerprintSha256", default, deserialize_with = "de_string")]
    pub fingerprint_sha256: String,
    #[serde(rename = "FingerprintSha512", default, deserialize_with = "de_string")]
    pub fingerprint_sha512: String,
    #[serde(rename = "LastModifiedBy", default, deserialize_with = "de_string")]
    pub last_modified_by: String,
    #[serde(rename = "LastModifiedTime", default, deserialize_with = "de_opt_date")]
    pub last_modified_time: Option<EpochMs>,
}

impl KeystoreEntry {
    /// The entry's key in the API: the alias's bytes in lower-case hex (`Hexalias`).
    pub fn hex_of(alias: &str) -> String {
        alias.bytes().map(|b| format!("{b:02x}")).collect()
    }
}

/// `IntegrationPackages` (§6). Dates are epoch-ms strings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IntegrationPackage {
    #[serde(rename = "Id", default, deserialize_with = "de_string")]
    pub id: String,
    #[serde(rename = "Name", default, deserialize_with = "de_string")]
    pub name: String,
    #[serde(rename = "Description", default, deserialize_with = "de_string")]
    pub description: String,
    #[serde(rename = "ShortText", default, deserialize_with = "de_string")]
    pub short_text: String,
    #[serde(rename = "Version", default, deserialize_with = "de_string")]
    pub version: String,
    #[serde(rename = "Vendor", default, deserialize_with = "de_string")]
    pub vendor: String,
    #[serde(rename = "Mode", default, deserialize_with = "de_string")]
    pub mode: String,
    #[serde(rename = "CreatedBy", default, deserialize_with = "de_string")]
    pub created_by: String,
    #[serde(rename = "CreationDate", default, deserialize_with = "de_opt_date")]
    pub creation_date: Option<EpochMs>,
    #[serde(rename = "ModifiedBy", default, deserialize_with = "de_string")]
    pub modified_by: String,
    #[serde(rename = "ModifiedDate", default, deserialize_with = "de_opt_date")]
    pub modified_date: Option<EpochMs>,
}

/// `IntegrationDesigntimeArtifacts` (§6), key `(Id, Version)`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DesigntimeArtifact {
    #[serde(rename = "Id", default, deserialize_with = "de_string")]
    pub id: String,
    #[serde(rename = "Version", default, deserialize_with = "de_string")]
    pub version: String,
    #[serde(rename = "PackageId", default, deserialize_with = "de_string")]
    pub package_id: String,
    #[serde(rename = "Name", default, deserialize_with = "de_string")]
    pub name: String,
    #[serde(rename = "Description", default, deserialize_with = "de_string")]
    pub description: String,
    #[serde(rename = "Sender", default, deserialize_with = "de_string")]
    pub sender: String,
    #[serde(rename = "Receiver", default, deserialize_with = "de_string")]
    pub receiver: String,
    #[serde(rename = "CreatedBy", default, deserialize_with = "de_string")]
    pub created_by: String,
    #[serde(rename = "CreatedAt", default, deserialize_with = "de_opt_date")]
    pub created_at: Option<EpochMs>,
    #[serde(rename = "ModifiedBy", default, deserialize_with = "de_string")]
    pub modified_by: String,
    #[serde(rename = "ModifiedAt", default, deserialize_with = "de_opt_date")]
    pub modified_at: Option<EpochMs>,
}

/// `BuildAndDeployStatus(TaskId='…')` (§3): `SUCCESS` (C), `DEPLOYING`/`FAIL` (U).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BuildAndDeployStatus {
    #[serde(rename = "TaskId", default, deserialize_with = "de_string")]
    pub task_id: String,
    #[serde(rename = "Status", default, deserialize_with = "de_string")]
    pub status: String,
}

/// OAuth token reply (§2).
#[derive(Debug, Clone, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default, deserialize_with = "de_opt_i64")]
    pub expires_in: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpi::odata::{Collection, Single};

    #[test]
    fn artifact_and_error_information_from_reference_payloads() {
        let body = r#"{"d":{"results":[{"__metadata":{"id":"x","uri":"x","type":"com.sap.hci.api.IntegrationRuntimeArtifact"},
 "Id":"Orders_Inbound","Version":"1.0.7","Name":"Orders Inbound","Type":"INTEGRATION_FLOW",
 "DeployedBy":"ops.user@acme.com","DeployedOn":"/Date(1718000000000)/","Status":"ERROR",
 "ErrorInformation":{"__deferred":{"uri":"x/ErrorInformation"}}}]}}"#;
        let c: Collection<RuntimeArtifact> = serde_json::from_str(body).expect("decodes");
        let a = &c.d.results[0];
        assert_eq!(a.status, ArtifactStatus::Error);
        assert_eq!(a.deployed_on, Some(1_718_000_000_000));
        let err = r#"{"message":{"subsystemName":"CONTENT","subsytemPartName":"CONTENT_DEPLOY","messageId":"GenerationFailed","messageText":""},
   "parameter":["The generation and build of the artifact were unsuccessful.\nScript file 'script1.groovy' not found"]}"#;
        let e: ArtifactErrorInformation = serde_json::from_str(err).expect("decodes");
        assert_eq!(
            e.message.as_ref().map(|m| m.subsystem_part_name.as_str()),
            Some("CONTENT_DEPLOY")
        );
        assert!(e.text().contains("script1.groovy"));
    }

    #[test]
    fn broker_with_expanded_queue_states() {
        let body = r#"{"d":{"Key":"Broker1","Capacity":"794616135","MaxCapacity":"9751756800","IsTransactedSessionsHigh":0,
 "IsConsumersHigh":0,"IsProducersHigh":0,"MaxQueueNumber":"30","QueueNumber":"2","CapacityOk":"1","CapacityWarning":"1",
 "CapacityError":"0","QueueStates":{"results":[{"Name":"ORDERS_IN","State":"0"},{"Name":"DLQ_ORDERS_IN","State":"1"}]}}}"#;
        let b: Single<JmsBroker> = serde_json::from_str(body).expect("decodes");
        assert_eq!(b.d.capacity, 794_616_135);
        assert_eq!(b.d.queue_states[1].state, 1);
        assert_eq!(b.d.capacity_level(), CapacityLevel::Ok);
    }

    #[test]
    fn jms_message_from_both_queue_apis() {
        let old = r#"{"Msgid":"ID:10.1.2.3a1b2c3d4e5f:17","Name":"ORDERS_IN","Failed":true,"Mplid":"AGZ0","CreatedAt":"1718000000000","RetryCount":"3","NextRetry":"1718003600000","OverdueAt":"1718604800000","ExpirationDate":"1725776000000","MimeMsgid":null}"#;
        let new = r#"{"jmsMessageId":"ID:10.1.2.3a1b2c3d4e5f:17","queueName":"ORDERS_IN","failed":true,"mplId":"AGZ0","createdAt":"1718000000000","retryCount":"3","nextRetry":"1718003600000","overdueAt":"1718604800000","expirationDate":"1725776000000","sender":"S4_ORDERS","receiver":"A_SOAP,B_SOAP","messageType":"ORDERS05","applicationId":"PO-1","correlationId":"AGc1","customStatus":"ERROR"}"#;
        let a: JmsMessage = serde_json::from_str(old).expect("old decodes");
        let b: JmsMessage = serde_json::from_str(new).expect("new decodes");
        assert_eq!(a.msgid, b.msgid);
        assert_eq!(a.retry_count, 3);
        assert_eq!(b.created_at, Some(1_718_000_000_000));
        assert_eq!(a.state(0), JmsMessageState::Failed);
        assert_eq!(
            (
                b.sender.as_str(),
                b.receiver.as_str(),
                b.message_type.as_str(),
                b.application_id.as_str(),
                b.correlation_id.as_str(),
                b.custom_status.as_str()
            ),
            ("S4_ORDERS", "A_SOAP,B_SOAP", "ORDERS05", "PO-1", "AGc1", "ERROR")
        );
        assert!(a.sender.is_empty() && a.custom_status.is_empty());
    }
}
