//! Since when an artifact's versions have differed between the tenants of a landscape, across
//! polls (and, saved in the state dir, across `cpitop check` runs from cron): what the monitor
//! rule `version_drift` times its grace period by.
//!
//! The first observation of a drift cannot know when it began: it is taken to begin with the
//! newest deployment among the tenants that have the artifact (the moment the current set of
//! versions came to be at the latest), or now when no deployment date is known.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::drift::{Cell, DriftTable};
use crate::cpi::odata::EpochMs;
use crate::monitor::persist::{PersistError, read_json, tenant_file, write_atomic};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftTracker {
    /// Artifact id → since when its versions differ.
    since: BTreeMap<String, EpochMs>,
}

impl DriftTracker {
    /// Record the drift of `table` at `now`: a new drift starts (see the module docs), a drift
    /// that ended is forgotten. An artifact some tenant's list is unknown for keeps what it had
    /// (missing data is no evidence either way).
    pub fn observe(&mut self, table: &DriftTable, now: EpochMs) {
        let mut seen: BTreeMap<String, EpochMs> = BTreeMap::new();
        for r in &table.rows {
            let partial = r.cells.iter().any(|c| matches!(c, Cell::Unknown));
            match (r.marks.versions_differ, self.since.get(&r.id)) {
                (true, Some(&at)) => {
                    seen.insert(r.id.clone(), at);
                }
                (true, None) => {
                    let start = r.newest_deployment().map_or(now, |d| d.min(now));
                    seen.insert(r.id.clone(), start);
                }
                (false, Some(&at)) if partial => {
                    seen.insert(r.id.clone(), at);
                }
                (false, _) => {}
            }
        }
        self.since = seen;
    }

    /// Since when the versions of `id` differ (`None`: they do not, as far as observed).
    pub fn since(&self, id: &str) -> Option<EpochMs> {
        self.since.get(id).copied()
    }

    pub fn path(state_dir: &Path, landscape: &str) -> PathBuf {
        tenant_file(state_dir, "drift-tracker", landscape, "json")
    }
    /// The saved tracker of `landscape`, or an empty one.
    pub fn load(state_dir: &Path, landscape: &str) -> Result<Self, PersistError> {
        Ok(read_json(&Self::path(state_dir, landscape))?.unwrap_or_default())
    }
    pub fn save(&self, state_dir: &Path, landscape: &str) -> Result<(), PersistError> {
        let path = Self::path(state_dir, landscape);
        let bytes = serde_json::to_vec(self).map_err(|source| PersistError::Corrupt {
            path: path.clone(),
            source,
        })?;
        write_atomic(&path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Environment;
    use crate::cpi::model::{ArtifactStatus, RuntimeArtifact};
    use crate::landscape::{TenantRef, compare, group};

    fn art(id: &str, version: &str, on: Option<i64>) -> RuntimeArtifact {
        RuntimeArtifact {
            id: id.into(),
            version: version.into(),
            name: id.into(),
            kind: "INTEGRATION_FLOW".into(),
            deployed_by: String::new(),
            deployed_on: on,
            status: ArtifactStatus::Started,
        }
    }

    #[test]
    fn a_drift_starts_at_the_newest_deployment_and_ends_when_versions_agree() {
        let l = group(&[
            TenantRef::new("dev", Environment::Dev, "eu"),
            TenantRef::new("prod", Environment::Prod, "eu"),
        ])
        .remove(0);
        let mut t = DriftTracker::default();
        let dev = vec![art("A", "2", Some(500)), art("B", "1", None)];
        let prod = vec![art("A", "1", Some(100)), art("B", "0", None)];
        t.observe(&compare(&l, &[Some(&dev), Some(&prod)]), 1_000);
        assert_eq!(t.since("A"), Some(500), "the newest deployment made them differ");
        assert_eq!(t.since("B"), Some(1_000), "no dates: seen now");
        // Later observations keep the start; a tenant unknown keeps it too.
        t.observe(&compare(&l, &[Some(&dev), Some(&prod)]), 2_000);
        t.observe(&compare(&l, &[Some(&dev), None]), 3_000);
        assert_eq!(t.since("A"), Some(500));
        // Promoted: the drift is over and forgotten; a new one starts afresh.
        let prod2 = vec![art("A", "2", Some(4_000)), art("B", "0", None)];
        t.observe(&compare(&l, &[Some(&dev), Some(&prod2)]), 4_000);
        assert_eq!(t.since("A"), None);
        let dir = tempfile::tempdir().unwrap();
        t.save(dir.path(), "eu").unwrap();
        assert_eq!(DriftTracker::load(dir.path(), "eu").unwrap(), t);
        assert_eq!(
            DriftTracker::load(dir.path(), "us").unwrap(),
            DriftTracker::default()
        );
    }
}
