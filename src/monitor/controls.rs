//! Acknowledgements and silences, kept per tenant in the state directory.
//!
//! - An acknowledgement says "someone is on it" for one standing alert: it holds while the
//!   monitor stays in the acknowledged status (same status, same `since`), and lapses at the next
//!   transition.
//! - A silence mutes a monitor's notifications (and bell) until a time; the monitor is still
//!   evaluated and shown.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::eval::Status;
use super::persist::{PersistError, read_json, tenant_file, write_atomic};
use super::status::{MonitorState, MonitorStatus};
use crate::cpi::odata::EpochMs;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// The status that was acknowledged and since when the monitor had been in it.
    pub status: Status,
    pub since: EpochMs,
    /// When it was acknowledged.
    pub at: EpochMs,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Silence {
    pub until: EpochMs,
    pub at: EpochMs,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertControls {
    /// Monitor key → acknowledgement.
    #[serde(default)]
    pub acks: BTreeMap<String, Ack>,
    /// Monitor key → silence.
    #[serde(default)]
    pub silences: BTreeMap<String, Silence>,
}

impl AlertControls {
    pub fn path(state_dir: &Path, tenant: &str) -> PathBuf {
        tenant_file(state_dir, "alert-controls", tenant, "json")
    }

    /// The saved controls of `tenant`; none saved yet is an empty set.
    pub fn load(state_dir: &Path, tenant: &str) -> Result<Self, PersistError> {
        Ok(read_json(&Self::path(state_dir, tenant))?.unwrap_or_default())
    }

    pub fn save(&self, state_dir: &Path, tenant: &str) -> Result<(), PersistError> {
        let path = Self::path(state_dir, tenant);
        let bytes = serde_json::to_vec_pretty(self).map_err(|source| PersistError::Corrupt {
            path: path.clone(),
            source,
        })?;
        write_atomic(&path, &bytes)
    }

    /// Acknowledge the monitor's current status. Returns false (and does nothing) if it is not
    /// in warning or error.
    pub fn acknowledge(&mut self, m: &MonitorStatus, now: EpochMs, note: &str) -> bool {
        if !m.status.is_alert() {
            return false;
        }
        self.acks.insert(
            m.key.clone(),
            Ack {
                status: m.status,
                since: m.since,
                at: now,
                note: note.to_string(),
            },
        );
        true
    }

    pub fn is_acknowledged(&self, m: &MonitorStatus) -> bool {
        self.acks
            .get(&m.key)
            .is_some_and(|a| a.status == m.status && a.since == m.since)
    }

    pub fn silence(&mut self, key: &str, until: EpochMs, now: EpochMs, note: &str) {
        self.silences.insert(
            key.to_string(),
            Silence {
                until,
                at: now,
                note: note.to_string(),
            },
        );
    }

    /// Returns whether there was a silence.
    pub fn unsilence(&mut self, key: &str) -> bool {
        self.silences.remove(key).is_some()
    }

    /// Silenced until strictly after `now`.
    pub fn is_silenced(&self, key: &str, now: EpochMs) -> bool {
        self.silences.get(key).is_some_and(|s| now < s.until)
    }

    /// Drop expired silences and acknowledgements that no longer match their monitor (or whose
    /// monitor is gone). Returns whether anything changed (then save).
    pub fn prune(&mut self, state: &MonitorState, now: EpochMs) -> bool {
        let before = (self.acks.len(), self.silences.len());
        self.silences.retain(|_, s| now < s.until);
        self.acks.retain(|key, a| {
            state
                .get(key)
                .is_some_and(|m| m.status == a.status && m.since == a.since)
        });
        before != (self.acks.len(), self.silences.len())
    }
}
