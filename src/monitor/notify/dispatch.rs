//! Which notifications to send and when: pure, driven by transitions and the clock.
//!
//! - **Coalescing**: per monitor, cpitop remembers the status it last announced. A transition
//!   makes the monitor *pending* with its newest status; when it is sent, the alert says
//!   "previous → current" relative to what was last announced. A monitor that flaps back to the
//!   announced status before it is sent is not sent at all.
//! - **Minimum interval**: a monitor is announced at most once per `min_interval`; a pending
//!   monitor waits until its interval has passed.
//! - **Grouping**: the first pending monitor opens a batch that is sent `group_window` later,
//!   together with every other monitor that is pending and allowed to send by then.
//! - `not_calculated` is never announced (missing data is not an outage by itself; the
//!   `tenant_unreachable` rule covers that), and silenced monitors are not announced.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cpi::odata::EpochMs;
use crate::monitor::eval::{Evidence, Status};
use crate::monitor::status::{MonitorState, Transition};

/// One alert in a notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub tenant: String,
    /// The monitor's key.
    pub monitor: String,
    pub name: String,
    pub status: Status,
    /// The status last announced for this monitor.
    pub previous: Status,
    pub text: String,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// When the monitor reached `status`.
    pub at: EpochMs,
}

/// The alerts sent together in one notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub alerts: Vec<Alert>,
    /// When the batch was put together.
    pub sent_at: EpochMs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub group_window_ms: i64,
    pub min_interval_ms: i64,
}

impl Policy {
    pub fn from_config(cfg: &super::NotifyConfig) -> Self {
        Self {
            group_window_ms: cfg.group_window.as_millis_i64(),
            min_interval_ms: cfg.min_interval.as_millis_i64(),
        }
    }
}

#[derive(Debug, Clone)]
struct PerMonitor {
    announced: Status,
    last_sent: Option<EpochMs>,
    pending: Option<(Alert, EpochMs)>,
}

impl Default for PerMonitor {
    fn default() -> Self {
        Self {
            announced: Status::Ok,
            last_sent: None,
            pending: None,
        }
    }
}

/// The notification state machine (one for all tenants).
#[derive(Debug, Clone)]
pub struct Dispatcher {
    policy: Policy,
    /// (tenant, monitor key) → its notification state.
    monitors: BTreeMap<(String, String), PerMonitor>,
}

impl Dispatcher {
    pub fn new(policy: Policy) -> Self {
        Self {
            policy,
            monitors: BTreeMap::new(),
        }
    }

    /// Start from a restored state: its alerting statuses count as already announced, so a
    /// restart does not repeat them (and a later recovery is announced).
    pub fn seed(&mut self, state: &MonitorState) {
        for m in state.monitors() {
            if m.status != Status::NotCalculated {
                self.monitors
                    .entry((state.tenant.clone(), m.key.clone()))
                    .or_default()
                    .announced = m.status;
            }
        }
    }

    /// Take in one transition. `silenced`: the monitor is silenced now.
    pub fn offer(&mut self, t: &Transition, silenced: bool, now: EpochMs) {
        if t.to == Status::NotCalculated {
            return;
        }
        let m = self
            .monitors
            .entry((t.tenant.clone(), t.monitor.clone()))
            .or_default();
        if silenced {
            m.pending = None;
            return;
        }
        let opened = m.pending.as_ref().map_or(now, |(_, since)| *since);
        m.pending = Some((
            Alert {
                tenant: t.tenant.clone(),
                monitor: t.monitor.clone(),
                name: t.name.clone(),
                status: t.to,
                previous: m.announced,
                text: t.text.clone(),
                evidence: t.evidence.clone(),
                at: t.at,
            },
            opened,
        ));
    }

    fn rate_ok(&self, m: &PerMonitor, now: EpochMs) -> bool {
        m.last_sent
            .is_none_or(|s| now >= s.saturating_add(self.policy.min_interval_ms))
    }

    fn due(&self, m: &PerMonitor) -> Option<EpochMs> {
        let (_, opened) = m.pending.as_ref()?;
        let grouped = opened.saturating_add(self.policy.group_window_ms);
        let limited = m
            .last_sent
            .map_or(i64::MIN, |s| s.saturating_add(self.policy.min_interval_ms));
        Some(grouped.max(limited))
    }

    /// When `poll` may next return a batch (`None`: nothing pending).
    pub fn next_due(&self) -> Option<EpochMs> {
        self.monitors.values().filter_map(|m| self.due(m)).min()
    }

    /// The batch due at `now`, if any.
    pub fn poll(&mut self, now: EpochMs) -> Option<Batch> {
        // Flapped back to what was announced: nothing to say.
        for m in self.monitors.values_mut() {
            if m.pending.as_ref().is_some_and(|(a, _)| a.status == m.announced) {
                m.pending = None;
            }
        }
        if self.next_due().is_none_or(|d| d > now) {
            return None;
        }
        let ready: Vec<(String, String)> = self
            .monitors
            .iter()
            .filter(|(_, m)| m.pending.is_some() && self.rate_ok(m, now))
            .map(|(k, _)| k.clone())
            .collect();
        let mut alerts = Vec::new();
        for k in ready {
            if let Some(m) = self.monitors.get_mut(&k)
                && let Some((mut alert, _)) = m.pending.take()
            {
                alert.previous = m.announced;
                m.announced = alert.status;
                m.last_sent = Some(now);
                alerts.push(alert);
            }
        }
        if alerts.is_empty() {
            return None;
        }
        // Worst first, then by tenant and name.
        alerts.sort_by(|a, b| {
            b.status
                .cmp(&a.status)
                .then_with(|| a.tenant.cmp(&b.tenant))
                .then_with(|| a.name.cmp(&b.name))
        });
        Some(Batch { alerts, sent_at: now })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: i64 = 1_000;

    fn policy() -> Policy {
        Policy {
            group_window_ms: 30 * SEC,
            min_interval_ms: 300 * SEC,
        }
    }

    fn tr(key: &str, from: Status, to: Status, at: EpochMs) -> Transition {
        Transition {
            tenant: "prod".into(),
            monitor: key.into(),
            name: key.to_uppercase(),
            from,
            to,
            text: format!("{key} {to}"),
            evidence: vec![],
            at,
            from_since: None,
        }
    }

    fn keys(b: &Batch) -> Vec<(String, Status, Status)> {
        b.alerts
            .iter()
            .map(|a| (a.monitor.clone(), a.previous, a.status))
            .collect()
    }

    #[test]
    fn groups_within_the_window() {
        let mut d = Dispatcher::new(policy());
        d.offer(&tr("a", Status::Ok, Status::Error, 0), false, 0);
        d.offer(&tr("b", Status::Ok, Status::Warning, 10 * SEC), false, 10 * SEC);
        assert_eq!(d.next_due(), Some(30 * SEC));
        assert!(d.poll(29 * SEC).is_none());
        let b = d.poll(30 * SEC).expect("batch due");
        assert_eq!(
            keys(&b),
            [
                ("a".into(), Status::Ok, Status::Error),
                ("b".into(), Status::Ok, Status::Warning)
            ]
        );
        assert!(d.poll(31 * SEC).is_none(), "sent once");
        assert_eq!(d.next_due(), None);
    }

    #[test]
    fn minimum_interval_coalesces_flapping() {
        let mut d = Dispatcher::new(policy());
        d.offer(&tr("a", Status::Ok, Status::Error, 0), false, 0);
        assert_eq!(d.poll(30 * SEC).map(|b| b.alerts.len()), Some(1));
        // Recovers and fails again within the interval: nothing new to say.
        d.offer(&tr("a", Status::Error, Status::Ok, 40 * SEC), false, 40 * SEC);
        d.offer(&tr("a", Status::Ok, Status::Error, 50 * SEC), false, 50 * SEC);
        assert!(d.poll(400 * SEC).is_none());
        // Recovers for good: announced once the interval since the last send has passed.
        d.offer(&tr("a", Status::Error, Status::Ok, 60 * SEC), false, 60 * SEC);
        assert_eq!(d.next_due(), Some(330 * SEC));
        assert!(d.poll(329 * SEC).is_none());
        let b = d.poll(330 * SEC).expect("recovery");
        assert_eq!(keys(&b), [("a".into(), Status::Error, Status::Ok)]);
    }

    #[test]
    fn warning_then_error_is_one_alert_from_ok() {
        let mut d = Dispatcher::new(policy());
        d.offer(&tr("a", Status::Ok, Status::Warning, 0), false, 0);
        d.offer(&tr("a", Status::Warning, Status::Error, 5 * SEC), false, 5 * SEC);
        let b = d.poll(30 * SEC).expect("batch");
        assert_eq!(keys(&b), [("a".into(), Status::Ok, Status::Error)]);
        assert_eq!(b.alerts[0].at, 5 * SEC);
    }

    #[test]
    fn not_calculated_and_silenced_are_not_announced() {
        let mut d = Dispatcher::new(policy());
        d.offer(&tr("a", Status::Ok, Status::NotCalculated, 0), false, 0);
        d.offer(&tr("b", Status::Ok, Status::Error, 0), true, 0);
        assert_eq!(d.next_due(), None);
        assert!(d.poll(100 * SEC).is_none());
        // After the silence, recovery of the never-announced error is not news either.
        d.offer(&tr("b", Status::Error, Status::Ok, 200 * SEC), false, 200 * SEC);
        assert!(d.poll(300 * SEC).is_none());
    }

    #[test]
    fn seeded_state_is_not_repeated() {
        use crate::monitor::eval::Evaluation;
        use crate::monitor::spec::{MonitorSpec, Rule, Scope};
        let spec = MonitorSpec {
            key: "a".into(),
            name: "A".into(),
            active: true,
            scope: Scope::All,
            rules: vec![Rule::NotStarted {
                for_at_least: None,
                severity: None,
            }],
        };
        let mut st = MonitorState::new("prod");
        let ev = Evaluation {
            status: Status::Error,
            text: String::new(),
            evidence: vec![],
        };
        st.apply(&[(&spec, ev)], 0);
        let mut d = Dispatcher::new(policy());
        d.seed(&st);
        d.offer(&tr("a", Status::Error, Status::Ok, 10 * SEC), false, 10 * SEC);
        let b = d.poll(40 * SEC).expect("recovery announced");
        assert_eq!(keys(&b), [("a".into(), Status::Error, Status::Ok)]);
    }
}
