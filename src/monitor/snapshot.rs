//! What evaluation reads: the data the pollers already fetch, borrowed for one evaluation.
//! Every part is optional; a rule whose data is missing reports `NotCalculated` and names it.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cpi::model::{JmsBroker, JmsMessage, KeystoreEntry, MplStatus, Queue, RuntimeArtifact};
use crate::cpi::odata::EpochMs;

/// Message aggregates the message rules need. The store implements it over its columns;
/// [`VecMessageStats`] is a plain implementation (tests, `cpitop check` over one fetched page).
///
/// A message's *time* is its `LogEnd` when set, else its `LogStart` (the moment its status was
/// reached). All ranges are inclusive at both ends.
pub trait MessageStats {
    /// The range `(from, to)` over which messages are completely known; `None` if none are loaded.
    fn coverage(&self) -> Option<(EpochMs, EpochMs)>;
    /// Distinct iFlow ids with at least one message in `[from, to]`.
    fn iflows(&self, from: EpochMs, to: EpochMs) -> Vec<String>;
    /// Messages of `iflow` in `[from, to]` whose status is in `statuses` (every status if empty).
    fn count(&self, iflow: &str, statuses: &[MplStatus], from: EpochMs, to: EpochMs) -> u64;
    /// Time of the newest COMPLETED message of `iflow`, even if older than the coverage.
    fn last_completed(&self, iflow: &str) -> Option<EpochMs>;
    /// Up to `limit` newest messages in `[from, to]` with a status in `statuses` (every status if
    /// empty), newest first; `iflow = None` means every iFlow.
    fn newest(
        &self,
        iflow: Option<&str>,
        statuses: &[MplStatus],
        from: EpochMs,
        to: EpochMs,
        limit: usize,
    ) -> Vec<MessageRef>;
}

/// One message as evidence: enough to name it in a text and to jump to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRef {
    pub guid: String,
    pub iflow: String,
    #[serde(with = "status_name")]
    pub status: MplStatus,
    /// `LogEnd`, else `LogStart` (epoch ms).
    pub time: EpochMs,
    /// The error text if known (`ErrorInformation/$value`, first line), e.g. "HTTP 401 from
    /// receiver ERP".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub(crate) mod status_name {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::cpi::model::MplStatus;

    pub fn serialize<S: Serializer>(v: &MplStatus, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.as_str())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<MplStatus, D::Error> {
        Ok(MplStatus::parse(&String::deserialize(d)?))
    }
}

/// A `MessageStats` over a plain list of messages, with an explicit coverage.
#[derive(Debug, Clone, Default)]
pub struct VecMessageStats {
    pub messages: Vec<MessageRef>,
    /// What range the list covers completely (e.g. the `$filter` window of the fetch).
    pub coverage: Option<(EpochMs, EpochMs)>,
}

impl VecMessageStats {
    pub fn new(messages: Vec<MessageRef>, coverage: (EpochMs, EpochMs)) -> Self {
        Self {
            messages,
            coverage: Some(coverage),
        }
    }
    fn selected<'a>(
        &'a self,
        iflow: Option<&'a str>,
        statuses: &'a [MplStatus],
        from: EpochMs,
        to: EpochMs,
    ) -> impl Iterator<Item = &'a MessageRef> + 'a {
        self.messages.iter().filter(move |m| {
            iflow.is_none_or(|i| m.iflow == i)
                && (statuses.is_empty() || statuses.contains(&m.status))
                && m.time >= from
                && m.time <= to
        })
    }
}

impl MessageStats for VecMessageStats {
    fn coverage(&self) -> Option<(EpochMs, EpochMs)> {
        self.coverage
    }
    fn iflows(&self, from: EpochMs, to: EpochMs) -> Vec<String> {
        let mut seen = HashSet::new();
        self.selected(None, &[], from, to)
            .filter(|m| seen.insert(m.iflow.as_str()))
            .map(|m| m.iflow.clone())
            .collect()
    }
    fn count(&self, iflow: &str, statuses: &[MplStatus], from: EpochMs, to: EpochMs) -> u64 {
        self.selected(Some(iflow), statuses, from, to).count() as u64
    }
    fn last_completed(&self, iflow: &str) -> Option<EpochMs> {
        self.messages
            .iter()
            .filter(|m| m.iflow == iflow && m.status == MplStatus::Completed)
            .map(|m| m.time)
            .max()
    }
    fn newest(
        &self,
        iflow: Option<&str>,
        statuses: &[MplStatus],
        from: EpochMs,
        to: EpochMs,
        limit: usize,
    ) -> Vec<MessageRef> {
        let mut v: Vec<&MessageRef> = self.selected(iflow, statuses, from, to).collect();
        v.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| a.guid.cmp(&b.guid)));
        v.into_iter().take(limit).cloned().collect()
    }
}

/// A queue with its messages if they were listed (`None`: only the queue list is known).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueSnapshot {
    pub queue: Queue,
    pub messages: Option<Vec<JmsMessage>>,
}

/// Whether the tenant answers: the pollers record their last success and last failure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantHealth {
    /// Last time any API call succeeded.
    pub last_success: Option<EpochMs>,
    /// When cpitop started talking to the tenant (so "never answered" can be timed too).
    pub watching_since: Option<EpochMs>,
    /// The last failure's text (already free of secrets), e.g. "connect timeout".
    pub last_error: Option<String>,
}

/// Everything one evaluation reads. Build it from the state owner's data; all borrowed.
pub struct Snapshot<'a> {
    pub tenant: &'a str,
    /// Runtime artifacts of the last successful poll; `None` if never loaded.
    pub artifacts: Option<&'a [RuntimeArtifact]>,
    /// Artifact id → when it was first seen non-STARTED, continuously (see [`ArtifactTracker`]).
    pub not_started_since: Option<&'a HashMap<String, EpochMs>>,
    /// Artifact id → package id (from design-time artifacts or MPL `IntegrationArtifact`).
    pub packages: Option<&'a HashMap<String, String>>,
    pub messages: Option<&'a dyn MessageStats>,
    /// How far the message coverage may lag behind `now` and still count as current (about two
    /// message poll intervals). Default 2 minutes.
    pub message_lag_tolerance: Duration,
    pub queues: Option<&'a [QueueSnapshot]>,
    pub broker: Option<&'a JmsBroker>,
    pub keystore: Option<&'a [KeystoreEntry]>,
    pub health: Option<&'a TenantHealth>,
}

impl<'a> Snapshot<'a> {
    /// A snapshot with nothing loaded; set the parts you have.
    pub fn new(tenant: &'a str) -> Self {
        Self {
            tenant,
            artifacts: None,
            not_started_since: None,
            packages: None,
            messages: None,
            message_lag_tolerance: Duration::from_secs(120),
            queues: None,
            broker: None,
            keystore: None,
            health: None,
        }
    }
}

/// Remembers since when each artifact has been non-STARTED, across polls (pure; the state owner
/// calls `observe` with each new artifact list).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArtifactTracker {
    since: HashMap<String, EpochMs>,
}

impl ArtifactTracker {
    pub fn observe(&mut self, artifacts: &[RuntimeArtifact], now: EpochMs) {
        let not_started: HashSet<&str> = artifacts
            .iter()
            .filter(|a| !a.status.is_started())
            .map(|a| a.id.as_str())
            .collect();
        self.since.retain(|id, _| not_started.contains(id.as_str()));
        for id in not_started {
            self.since.entry(id.to_string()).or_insert(now);
        }
    }
    pub fn since(&self) -> &HashMap<String, EpochMs> {
        &self.since
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpi::model::ArtifactStatus;

    fn art(id: &str, status: ArtifactStatus) -> RuntimeArtifact {
        RuntimeArtifact {
            id: id.into(),
            version: "1".into(),
            name: id.into(),
            kind: "INTEGRATION_FLOW".into(),
            deployed_by: String::new(),
            deployed_on: None,
            status,
        }
    }

    #[test]
    fn tracker_keeps_first_time_and_forgets_recovered() {
        let mut t = ArtifactTracker::default();
        t.observe(
            &[art("a", ArtifactStatus::Error), art("b", ArtifactStatus::Started)],
            10,
        );
        t.observe(
            &[
                art("a", ArtifactStatus::Error),
                art("b", ArtifactStatus::Stopping),
            ],
            20,
        );
        assert_eq!(t.since().get("a"), Some(&10));
        assert_eq!(t.since().get("b"), Some(&20));
        t.observe(
            &[
                art("a", ArtifactStatus::Started),
                art("b", ArtifactStatus::Stopping),
            ],
            30,
        );
        assert_eq!(t.since().get("a"), None);
        t.observe(&[art("a", ArtifactStatus::Error)], 40);
        assert_eq!(t.since().get("a"), Some(&40));
        assert_eq!(t.since().get("b"), None, "undeployed artifact forgotten");
    }

    #[test]
    fn vec_stats_ranges_are_inclusive() {
        let m = |g: &str, s, t| MessageRef {
            guid: g.into(),
            iflow: "f".into(),
            status: s,
            time: t,
            error: None,
        };
        let st = VecMessageStats::new(
            vec![
                m("1", MplStatus::Failed, 100),
                m("2", MplStatus::Failed, 200),
                m("3", MplStatus::Completed, 300),
            ],
            (0, 1000),
        );
        assert_eq!(st.count("f", &[MplStatus::Failed], 100, 200), 2);
        assert_eq!(st.count("f", &[MplStatus::Failed], 101, 200), 1);
        assert_eq!(st.count("f", &[], 0, 300), 3);
        assert_eq!(st.count("g", &[], 0, 300), 0);
        assert_eq!(st.last_completed("f"), Some(300));
        let newest = st.newest(None, &[MplStatus::Failed], 0, 1000, 1);
        assert_eq!(newest[0].guid, "2");
        assert_eq!(st.iflows(0, 1000), vec!["f".to_string()]);
    }
}
