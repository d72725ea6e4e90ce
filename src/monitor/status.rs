//! Per-monitor status over time: what each monitor says now, since when, and the transitions
//! between statuses. Pure, except `load`/`save`, which keep it across restarts (so "since" stays
//! true, acknowledgements stay valid and a restart does not re-announce a standing alert).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::eval::{Evaluation, Evidence, Status};
use super::persist::{PersistError, read_json, tenant_file, write_atomic};
use super::spec::MonitorSpec;
use crate::cpi::odata::EpochMs;

/// What one monitor says now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorStatus {
    pub key: String,
    pub name: String,
    pub status: Status,
    pub text: String,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    pub last_evaluated: EpochMs,
    /// Since when the monitor has been in `status`.
    pub since: EpochMs,
}

/// A change of a monitor's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    pub tenant: String,
    /// The monitor's key.
    pub monitor: String,
    pub name: String,
    pub from: Status,
    pub to: Status,
    pub text: String,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    pub at: EpochMs,
    /// When the monitor entered `from` (`None` on its first evaluation).
    #[serde(default)]
    pub from_since: Option<EpochMs>,
}

/// The statuses of one tenant's monitors, in configuration order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MonitorState {
    pub tenant: String,
    monitors: Vec<MonitorStatus>,
}

impl MonitorState {
    pub fn new(tenant: impl Into<String>) -> Self {
        Self {
            tenant: tenant.into(),
            monitors: Vec::new(),
        }
    }

    /// Take in one round of evaluations (every active monitor) and return the transitions.
    ///
    /// - A known monitor whose status changed yields a transition; otherwise only its text,
    ///   evidence and `last_evaluated` are updated.
    /// - A monitor evaluated for the first time yields a transition from `not_calculated` only if
    ///   it starts in warning or error (starting ok or unknown is not news).
    /// - Monitors absent from `evaluations` (removed or deactivated) are dropped.
    pub fn apply(&mut self, evaluations: &[(&MonitorSpec, Evaluation)], now: EpochMs) -> Vec<Transition> {
        let mut transitions = Vec::new();
        let mut next = Vec::with_capacity(evaluations.len());
        for (spec, ev) in evaluations {
            let prev = self.monitors.iter().find(|m| m.key == spec.key);
            let (changed, from, from_since) = match prev {
                Some(p) => (p.status != ev.status, p.status, Some(p.since)),
                None => (ev.status.is_alert(), Status::NotCalculated, None),
            };
            let since = match prev {
                Some(p) if !changed => p.since,
                _ => now,
            };
            if changed {
                transitions.push(Transition {
                    tenant: self.tenant.clone(),
                    monitor: spec.key.clone(),
                    name: spec.name.clone(),
                    from,
                    to: ev.status,
                    text: ev.text.clone(),
                    evidence: ev.evidence.clone(),
                    at: now,
                    from_since,
                });
            }
            next.push(MonitorStatus {
                key: spec.key.clone(),
                name: spec.name.clone(),
                status: ev.status,
                text: ev.text.clone(),
                evidence: ev.evidence.clone(),
                last_evaluated: now,
                since,
            });
        }
        self.monitors = next;
        transitions
    }

    /// In configuration order.
    pub fn monitors(&self) -> &[MonitorStatus] {
        &self.monitors
    }

    pub fn get(&self, key: &str) -> Option<&MonitorStatus> {
        self.monitors.iter().find(|m| m.key == key)
    }

    /// For the Alerts pane: errors first, then warnings, unknowns, ok; longest-standing first,
    /// then by name.
    pub fn by_severity(&self) -> Vec<&MonitorStatus> {
        let mut v: Vec<&MonitorStatus> = self.monitors.iter().collect();
        v.sort_by(|a, b| {
            b.status
                .cmp(&a.status)
                .then_with(|| a.since.cmp(&b.since))
                .then_with(|| a.name.cmp(&b.name))
        });
        v
    }

    /// The worst status, `Ok` if there are no monitors.
    pub fn worst(&self) -> Status {
        self.monitors.iter().map(|m| m.status).max().unwrap_or(Status::Ok)
    }

    /// How many monitors are in `status`.
    pub fn count(&self, status: Status) -> usize {
        self.monitors.iter().filter(|m| m.status == status).count()
    }

    /// Where the state of `tenant` is kept in `state_dir`.
    pub fn path(state_dir: &Path, tenant: &str) -> PathBuf {
        tenant_file(state_dir, "monitor-state", tenant, "json")
    }

    /// The saved state of `tenant`, or an empty one if none was saved.
    pub fn load(state_dir: &Path, tenant: &str) -> Result<Self, PersistError> {
        let mut s: Self = read_json(&Self::path(state_dir, tenant))?.unwrap_or_default();
        s.tenant = tenant.to_string();
        Ok(s)
    }

    pub fn save(&self, state_dir: &Path) -> Result<(), PersistError> {
        let bytes = serde_json::to_vec(self).map_err(|source| PersistError::Corrupt {
            path: Self::path(state_dir, &self.tenant),
            source,
        })?;
        write_atomic(&Self::path(state_dir, &self.tenant), &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::spec::{Rule, Scope};

    fn spec(key: &str) -> MonitorSpec {
        MonitorSpec {
            key: key.into(),
            name: format!("Monitor {key}"),
            active: true,
            scope: Scope::All,
            rules: vec![Rule::NotStarted {
                for_at_least: None,
                severity: None,
            }],
        }
    }
    fn ev(status: Status, text: &str) -> Evaluation {
        Evaluation {
            status,
            text: text.into(),
            evidence: vec![],
        }
    }

    #[test]
    fn transitions_table() {
        let (a, b) = (spec("a"), spec("b"));
        let mut st = MonitorState::new("t1");
        // First round: only the alerting monitor is news.
        let t = st.apply(
            &[(&a, ev(Status::Ok, "fine")), (&b, ev(Status::Error, "bad"))],
            100,
        );
        assert_eq!(t.len(), 1);
        assert_eq!(
            (t[0].monitor.as_str(), t[0].from, t[0].to),
            ("b", Status::NotCalculated, Status::Error)
        );
        assert_eq!(t[0].from_since, None);
        assert_eq!(t[0].tenant, "t1");
        // Same statuses, new texts: no transition, since unchanged, text updated.
        let t = st.apply(
            &[(&a, ev(Status::Ok, "fine2")), (&b, ev(Status::Error, "bad2"))],
            200,
        );
        assert!(t.is_empty());
        assert_eq!(
            st.get("b").map(|m| (m.since, m.last_evaluated, m.text.as_str())),
            Some((100, 200, "bad2"))
        );
        // Changes in both directions.
        let t = st.apply(&[(&a, ev(Status::Warning, "w")), (&b, ev(Status::Ok, "ok"))], 300);
        let got: Vec<_> = t
            .iter()
            .map(|t| (t.monitor.as_str(), t.from, t.to, t.from_since))
            .collect();
        assert_eq!(
            got,
            [
                ("a", Status::Ok, Status::Warning, Some(100)),
                ("b", Status::Error, Status::Ok, Some(100))
            ]
        );
        assert_eq!(st.get("a").map(|m| m.since), Some(300));
        assert_eq!(st.worst(), Status::Warning);
        assert_eq!(st.count(Status::Ok), 1);
        // Not calculated is a status too.
        let t = st.apply(&[(&a, ev(Status::NotCalculated, "no data"))], 400);
        assert_eq!(t.len(), 1);
        assert_eq!(st.monitors().len(), 1, "b was dropped");
    }

    #[test]
    fn by_severity_puts_errors_first() {
        let (a, b, c) = (spec("a"), spec("b"), spec("c"));
        let mut st = MonitorState::new("t1");
        st.apply(
            &[
                (&a, ev(Status::Ok, "")),
                (&b, ev(Status::Error, "")),
                (&c, ev(Status::Warning, "")),
            ],
            1,
        );
        let order: Vec<&str> = st.by_severity().iter().map(|m| m.key.as_str()).collect();
        assert_eq!(order, ["b", "c", "a"]);
    }

    #[test]
    fn save_and_load_keep_since() {
        let dir = tempfile::tempdir().unwrap();
        let a = spec("a");
        let mut st = MonitorState::new("prod");
        st.apply(&[(&a, ev(Status::Error, "x"))], 100);
        st.save(dir.path()).unwrap();
        let mut back = MonitorState::load(dir.path(), "prod").unwrap();
        assert_eq!(back, st);
        // After a restart the standing error is not news again.
        assert!(back.apply(&[(&a, ev(Status::Error, "x"))], 500).is_empty());
        assert_eq!(back.get("a").map(|m| m.since), Some(100));
        assert_eq!(
            MonitorState::load(dir.path(), "other").unwrap().monitors().len(),
            0
        );
        std::fs::write(MonitorState::path(dir.path(), "bad"), "{").unwrap();
        let e = MonitorState::load(dir.path(), "bad").unwrap_err().to_string();
        assert!(e.contains("fix or delete"), "{e}");
    }
}
