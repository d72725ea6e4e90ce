//! What evaluation reads: the data the pollers already fetch, borrowed for one evaluation.
//! Every part is optional; a rule whose data is missing reports `NotCalculated` and names it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::persist::{PersistError, read_json, tenant_file, write_atomic};
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
    /// Messages of `iflow` in `[from, to]` whose custom status is one of `custom`
    /// (case-insensitive; `COMPLETED` with `ERROR` is a business error) and whose status is not
    /// in `except` (those are counted by `count` already).
    fn count_custom(
        &self,
        iflow: &str,
        custom: &[String],
        except: &[MplStatus],
        from: EpochMs,
        to: EpochMs,
    ) -> u64;
    /// Up to `limit` newest messages as `count_custom` selects them, newest first.
    fn newest_custom(
        &self,
        iflow: Option<&str>,
        custom: &[String],
        except: &[MplStatus],
        from: EpochMs,
        to: EpochMs,
        limit: usize,
    ) -> Vec<MessageRef>;
    /// The package of `iflow` as its messages carry it (every message row has
    /// `IntegrationArtifact/PackageId`); `None` when no message of it says.
    fn package_of(&self, _iflow: &str) -> Option<String> {
        None
    }
}

/// Whether `custom` names `m`'s custom status (case-insensitive).
fn custom_matches(m: &MessageRef, custom: &[String]) -> bool {
    m.custom_status
        .as_deref()
        .map(str::trim)
        .is_some_and(|v| !v.is_empty() && custom.iter().any(|c| c.trim().eq_ignore_ascii_case(v)))
}

/// One message as evidence: enough to name it in a text and to jump to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRef {
    pub guid: String,
    pub iflow: String,
    #[serde(with = "status_name")]
    pub status: MplStatus,
    /// `LogEnd`, else `LogStart` (epoch ms); for a message in flight when it was last listed.
    pub time: EpochMs,
    /// The custom status when it differs from the status (`ERROR` on a COMPLETED message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_status: Option<String>,
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
    fn count_custom(
        &self,
        iflow: &str,
        custom: &[String],
        except: &[MplStatus],
        from: EpochMs,
        to: EpochMs,
    ) -> u64 {
        self.selected(Some(iflow), &[], from, to)
            .filter(|m| custom_matches(m, custom) && !except.contains(&m.status))
            .count() as u64
    }
    fn newest_custom(
        &self,
        iflow: Option<&str>,
        custom: &[String],
        except: &[MplStatus],
        from: EpochMs,
        to: EpochMs,
        limit: usize,
    ) -> Vec<MessageRef> {
        let mut v: Vec<&MessageRef> = self
            .selected(iflow, &[], from, to)
            .filter(|m| custom_matches(m, custom) && !except.contains(&m.status))
            .collect();
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

impl TenantHealth {
    /// Record one API call's outcome: a success moves `last_success` and clears the error; a
    /// failure keeps its (secret-free) text. Starts `watching_since` on the first call.
    pub fn record(&mut self, now: EpochMs, outcome: Result<(), String>) {
        self.watching_since.get_or_insert(now);
        match outcome {
            Ok(()) => {
                self.last_success = Some(now);
                self.last_error = None;
            }
            Err(e) => self.last_error = Some(e),
        }
    }
    pub fn path(state_dir: &Path, tenant: &str) -> PathBuf {
        tenant_file(state_dir, "tenant-health", tenant, "json")
    }
    /// The saved health of `tenant` (so `cpitop check` from cron can time an outage across
    /// runs), or an empty one.
    pub fn load(state_dir: &Path, tenant: &str) -> Result<Self, PersistError> {
        Ok(read_json(&Self::path(state_dir, tenant))?.unwrap_or_default())
    }
    pub fn save(&self, state_dir: &Path, tenant: &str) -> Result<(), PersistError> {
        let path = Self::path(state_dir, tenant);
        let bytes = serde_json::to_vec(self).map_err(|source| PersistError::Corrupt {
            path: path.clone(),
            source,
        })?;
        write_atomic(&path, &bytes)
    }
}

/// Which package the artifacts belong to, from the design-time listings of the packages that
/// monitors are scoped to (`IntegrationPackages('<id>')/IntegrationDesigntimeArtifacts`), one
/// call per scoped package. Message rows tell the package of every iFlow that logged
/// (`MessageStats::package_of`); these listings are read only for what rows cannot tell (an
/// artifact without messages). A package whose listing fails is missing on its own: the scopes of
/// other packages are still known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageMap {
    /// Artifact id → package id, from the listings that answered.
    pub artifacts: HashMap<String, String>,
    /// Packages whose listing answered: every artifact of theirs is in `artifacts`.
    pub listed: BTreeSet<String>,
    /// Package id → why its listing failed (one line).
    pub failed: BTreeMap<String, String>,
}

impl PackageMap {
    /// The package of `id` per the listings.
    pub fn get(&self, id: &str) -> Option<&str> {
        self.artifacts.get(id).map(String::as_str)
    }

    /// A map from known `artifact → package` pairs, every package of them listed (tests and
    /// callers that know the whole assignment).
    pub fn complete(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut m = PackageMap::default();
        for (a, p) in pairs {
            m.listed.insert(p.clone());
            m.artifacts.insert(a, p);
        }
        m
    }
}

/// Everything one evaluation reads. Build it from the state owner's data; all borrowed.
pub struct Snapshot<'a> {
    pub tenant: &'a str,
    /// Runtime artifacts of the last successful poll; `None` if never loaded.
    pub artifacts: Option<&'a [RuntimeArtifact]>,
    /// Artifact id → when it was first seen non-STARTED, continuously (see [`ArtifactTracker`]).
    pub not_started_since: Option<&'a HashMap<String, EpochMs>>,
    /// Ids of `not_started_since` that were already non-STARTED when watching began (see
    /// [`ArtifactTracker::at_start`]); `None`: every time there is when the change was seen.
    pub not_started_at_start: Option<&'a HashSet<String>>,
    /// Artifact id → package id from the design-time listings of the scoped packages (message
    /// rows tell the rest: `MessageStats::package_of`).
    pub packages: Option<&'a PackageMap>,
    pub messages: Option<&'a dyn MessageStats>,
    /// How far the message coverage may lag behind `now` and still count as current (about two
    /// message poll intervals). Default 2 minutes.
    pub message_lag_tolerance: Duration,
    pub queues: Option<&'a [QueueSnapshot]>,
    pub broker: Option<&'a JmsBroker>,
    pub keystore: Option<&'a [KeystoreEntry]>,
    pub health: Option<&'a TenantHealth>,
    /// The tenant's landscape side by side (`version_drift`); `None`: the other tenants' lists
    /// are not read here.
    pub drift: Option<&'a crate::landscape::DriftTable>,
    /// Since when each artifact's versions differ in that landscape.
    pub drift_since: Option<&'a crate::landscape::DriftTracker>,
    /// The failed messages of the message window grouped by error signature, with the
    /// signatures remembered (`new_error_signature`, `error_signature_count`).
    pub errors: Option<ErrorSignatures<'a>>,
    /// Why a part is missing this round: `(part, the error with what to check)`, parts named as
    /// in [`Snapshot::why_missing`] (`artifacts`, `messages`, `queues`, `broker`, `keystore`,
    /// `errors`).
    pub part_errors: &'a [(&'static str, String)],
}

impl Snapshot<'_> {
    /// What a rule says when `part` is missing: the cause when it failed this round (HTTP
    /// status, message, what to check), else `not_loaded`.
    pub fn why_missing(&self, part: &str, what: &str) -> String {
        match self.part_errors.iter().find(|(p, _)| *p == part) {
            Some((_, e)) => format!("{what} could not be read: {e}"),
            None => format!("{what} not loaded yet"),
        }
    }
}

impl<'a> Snapshot<'a> {
    /// A snapshot with nothing loaded; set the parts you have.
    pub fn new(tenant: &'a str) -> Self {
        Self {
            tenant,
            artifacts: None,
            not_started_since: None,
            not_started_at_start: None,
            packages: None,
            messages: None,
            message_lag_tolerance: Duration::from_secs(120),
            queues: None,
            broker: None,
            keystore: None,
            health: None,
            drift: None,
            drift_since: None,
            errors: None,
            part_errors: &[],
        }
    }
}

/// What the signature rules read: a window's failures grouped (not split per iFlow), and the
/// tenant's remembered signatures.
#[derive(Debug, Clone, Copy)]
pub struct ErrorSignatures<'a> {
    pub grouped: &'a crate::signature::Grouped,
    pub seen: &'a crate::signature::SeenSignatures,
}

/// Owned data for one evaluation, for callers that fetch once (`cpitop check`) rather than keep
/// a store. `snapshot()` borrows it.
#[derive(Debug, Clone, Default)]
pub struct SnapshotData {
    pub tenant: String,
    pub artifacts: Option<Vec<RuntimeArtifact>>,
    pub not_started_since: Option<HashMap<String, EpochMs>>,
    pub not_started_at_start: Option<HashSet<String>>,
    pub packages: Option<PackageMap>,
    pub messages: Option<VecMessageStats>,
    pub queues: Option<Vec<QueueSnapshot>>,
    pub broker: Option<JmsBroker>,
    pub keystore: Option<Vec<KeystoreEntry>>,
    pub health: Option<TenantHealth>,
}

impl SnapshotData {
    pub fn snapshot(&self) -> Snapshot<'_> {
        let mut s = Snapshot::new(&self.tenant);
        s.artifacts = self.artifacts.as_deref();
        s.not_started_since = self.not_started_since.as_ref();
        s.not_started_at_start = self.not_started_at_start.as_ref();
        s.packages = self.packages.as_ref();
        s.messages = self.messages.as_ref().map(|m| m as &dyn MessageStats);
        s.queues = self.queues.as_deref();
        s.broker = self.broker.as_ref();
        s.keystore = self.keystore.as_deref();
        s.health = self.health.as_ref();
        s
    }
}

/// Remembers since when each artifact has been non-STARTED, across polls (the state owner calls
/// `observe` with each new artifact list). `load`/`save` keep it across runs, so that a
/// `not_started` rule with `for` also works for `cpitop check` run from cron.
///
/// Its first observation cannot know since when an artifact was already non-STARTED: those ids
/// are kept in `at_start` (see `not_started` for how a rule with `for` treats them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArtifactTracker {
    since: HashMap<String, EpochMs>,
    /// Ids that were already non-STARTED at the first observation (their `since` is when they
    /// were first seen, not when their state began). Absent in files of older versions.
    #[serde(default)]
    at_start: HashSet<String>,
    /// When the first observation was made.
    #[serde(default)]
    first_observed: Option<EpochMs>,
}

impl ArtifactTracker {
    pub fn path(state_dir: &Path, tenant: &str) -> PathBuf {
        tenant_file(state_dir, "artifact-tracker", tenant, "json")
    }
    /// The saved tracker of `tenant`, or an empty one.
    pub fn load(state_dir: &Path, tenant: &str) -> Result<Self, PersistError> {
        Ok(read_json(&Self::path(state_dir, tenant))?.unwrap_or_default())
    }
    pub fn save(&self, state_dir: &Path, tenant: &str) -> Result<(), PersistError> {
        let path = Self::path(state_dir, tenant);
        let bytes = serde_json::to_vec(self).map_err(|source| PersistError::Corrupt {
            path: path.clone(),
            source,
        })?;
        write_atomic(&path, &bytes)
    }

    pub fn observe(&mut self, artifacts: &[RuntimeArtifact], now: EpochMs) {
        let not_started: HashSet<&str> = artifacts
            .iter()
            .filter(|a| !a.status.is_started())
            .map(|a| a.id.as_str())
            .collect();
        let first = self.first_observed.is_none();
        self.first_observed.get_or_insert(now);
        self.since.retain(|id, _| not_started.contains(id.as_str()));
        self.at_start.retain(|id| not_started.contains(id.as_str()));
        for id in not_started {
            if let std::collections::hash_map::Entry::Vacant(e) = self.since.entry(id.to_string()) {
                e.insert(now);
                if first {
                    self.at_start.insert(id.to_string());
                }
            }
        }
    }
    /// Artifact id → when it was first seen non-STARTED, continuously.
    pub fn since(&self) -> &HashMap<String, EpochMs> {
        &self.since
    }
    /// Ids already non-STARTED at the first observation: the start of their state is unknown.
    pub fn at_start(&self) -> &HashSet<String> {
        &self.at_start
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
        assert!(t.at_start().contains("a"), "a was ERROR at the first observation");
        assert!(!t.at_start().contains("b"), "b was seen changing");
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
        assert!(t.at_start().is_empty(), "a's new spell was seen starting");
        assert_eq!(t.since().get("b"), None, "undeployed artifact forgotten");
    }

    #[test]
    fn tracker_persists_and_snapshot_data_borrows() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = ArtifactTracker::default();
        t.observe(&[art("a", ArtifactStatus::Error)], 10);
        t.save(dir.path(), "prod").unwrap();
        assert_eq!(ArtifactTracker::load(dir.path(), "prod").unwrap(), t);
        assert_eq!(
            ArtifactTracker::load(dir.path(), "dev").unwrap(),
            ArtifactTracker::default()
        );

        let data = SnapshotData {
            tenant: "prod".into(),
            artifacts: Some(vec![art("a", ArtifactStatus::Error)]),
            not_started_since: Some(t.since().clone()),
            messages: Some(VecMessageStats::new(vec![], (0, 5))),
            ..SnapshotData::default()
        };
        let snap = data.snapshot();
        assert_eq!(snap.tenant, "prod");
        assert_eq!(snap.artifacts.map(<[_]>::len), Some(1));
        assert_eq!(snap.not_started_since.and_then(|m| m.get("a")), Some(&10));
        assert_eq!(snap.messages.and_then(|m| m.coverage()), Some((0, 5)));
        assert!(snap.queues.is_none() && snap.broker.is_none() && snap.keystore.is_none());
    }

    #[test]
    fn tenant_health_records_and_persists() {
        let mut h = TenantHealth::default();
        h.record(100, Err("connect timeout".into()));
        assert_eq!((h.watching_since, h.last_success), (Some(100), None));
        h.record(200, Ok(()));
        h.record(300, Err("HTTP 503".into()));
        assert_eq!(h.watching_since, Some(100));
        assert_eq!(h.last_success, Some(200));
        assert_eq!(h.last_error.as_deref(), Some("HTTP 503"));
        h.record(400, Ok(()));
        assert_eq!(h.last_error, None);
        let dir = tempfile::tempdir().unwrap();
        h.save(dir.path(), "prod").unwrap();
        assert_eq!(TenantHealth::load(dir.path(), "prod").unwrap(), h);
        assert_eq!(
            TenantHealth::load(dir.path(), "x").unwrap(),
            TenantHealth::default()
        );
    }

    #[test]
    fn vec_stats_ranges_are_inclusive() {
        let m = |g: &str, s, t| MessageRef {
            guid: g.into(),
            iflow: "f".into(),
            status: s,
            time: t,
            custom_status: None,
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
