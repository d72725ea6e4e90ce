//! What an evaluation says, shared by the rules and their evaluation: a monitor's [`Status`] and
//! the [`Evidence`] the UI can jump to.

use serde::{Deserialize, Serialize};

/// A monitor's status. Ordered by how much attention it needs: `Ok < NotCalculated < Warning <
/// Error` (an unknown is worse than ok, better than a known problem).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    NotCalculated,
    Warning,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::NotCalculated => "not_calculated",
            Status::Warning => "warning",
            Status::Error => "error",
        }
    }
    /// Warning or error.
    pub fn is_alert(self) -> bool {
        matches!(self, Status::Warning | Status::Error)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something the UI can jump to from an alert.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    Message { guid: String, iflow: String },
    Artifact { id: String },
    Queue { name: String },
    QueueMessage { queue: String, msgid: String },
    Certificate { alias: String, hexalias: String },
    Broker { key: String },
    Tenant { name: String },
}

impl Evidence {
    /// A short human label: `message AGZ0… (Orders_Inbound)`, `queue DLQ_ORDERS`, …
    pub fn label(&self) -> String {
        match self {
            Evidence::Message { guid, iflow } => format!("message {guid} ({iflow})"),
            Evidence::Artifact { id } => format!("artifact {id}"),
            Evidence::Queue { name } => format!("queue {name}"),
            Evidence::QueueMessage { queue, msgid } => format!("queued message {msgid} in {queue}"),
            Evidence::Certificate { alias, .. } => format!("keystore entry {alias}"),
            Evidence::Broker { key } => format!("JMS broker {key}"),
            Evidence::Tenant { name } => format!("tenant {name}"),
        }
    }
}
