//! Several tenants at once: which tenants are compared with which (a *landscape*: the tenants a
//! change is promoted through, dev → test → prod, named by `landscape` in the config), and the
//! version drift between them. Pure functions of the artifact lists the pollers hold: the
//! Tenants pane's drift view, `cpitop get drift` and the monitor rule `version_drift` read the
//! same [`DriftTable`].
//!
//! - [`drift`]: every runtime artifact of a landscape side by side, one cell per tenant; the rows
//!   that differ (versions, or deployed in dev/test but missing or not started in prod) first
//!   and marked.
//! - [`tracker`]: since when an artifact's versions differ (kept across `cpitop check` runs), so
//!   that `version_drift` alerts only after its grace period.

pub mod demo;
pub mod drift;
pub mod tracker;

pub use drift::{DriftCell, DriftRow, DriftTable, Marks, compare};
pub use tracker::DriftTracker;

use crate::config::Environment;

/// A tenant as the landscape knows it: its name, environment and landscape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantRef {
    pub name: String,
    pub environment: Environment,
    pub landscape: String,
}

impl TenantRef {
    pub fn new(name: &str, environment: Environment, landscape: &str) -> Self {
        Self {
            name: name.to_string(),
            environment,
            landscape: landscape.to_string(),
        }
    }

    /// The configured tenant `p`.
    pub fn of(p: &crate::config::Profile) -> Self {
        Self::new(&p.name, p.environment, &p.landscape)
    }
}

/// The tenants of one landscape, in promotion order (dev → test → prod; the config's order
/// among tenants of one environment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landscape {
    pub name: String,
    pub tenants: Vec<TenantRef>,
}

impl Landscape {
    pub fn position(&self, tenant: &str) -> Option<usize> {
        self.tenants.iter().position(|t| t.name == tenant)
    }
}

/// The landscapes of `tenants`, in the order each is first named; each landscape's tenants in
/// promotion order.
pub fn group(tenants: &[TenantRef]) -> Vec<Landscape> {
    let mut out: Vec<Landscape> = Vec::new();
    for t in tenants {
        match out.iter_mut().find(|l| l.name == t.landscape) {
            Some(l) => l.tenants.push(t.clone()),
            None => out.push(Landscape {
                name: t.landscape.clone(),
                tenants: vec![t.clone()],
            }),
        }
    }
    for l in &mut out {
        // Stable: the config's order within one environment.
        l.tenants.sort_by_key(|t| t.environment.rank());
    }
    out
}

/// The landscape of `tenant` among `tenants`.
pub fn landscape_of(tenants: &[TenantRef], tenant: &str) -> Option<Landscape> {
    let name = &tenants.iter().find(|t| t.name == tenant)?.landscape;
    group(tenants).into_iter().find(|l| &l.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landscapes_keep_first_mention_order_and_promotion_order() {
        let ts = [
            TenantRef::new("us-prod", Environment::Prod, "us"),
            TenantRef::new("eu-prod", Environment::Prod, "eu"),
            TenantRef::new("eu-dev", Environment::Dev, "eu"),
            TenantRef::new("us-qa", Environment::Test, "us"),
            TenantRef::new("eu-qa", Environment::Test, "eu"),
            TenantRef::new("us-dev", Environment::Dev, "us"),
        ];
        let g = group(&ts);
        let names: Vec<(&str, Vec<&str>)> = g
            .iter()
            .map(|l| {
                (
                    l.name.as_str(),
                    l.tenants.iter().map(|t| t.name.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("us", vec!["us-dev", "us-qa", "us-prod"]),
                ("eu", vec!["eu-dev", "eu-qa", "eu-prod"]),
            ]
        );
        assert_eq!(landscape_of(&ts, "eu-qa").map(|l| l.name), Some("eu".to_string()));
        assert!(landscape_of(&ts, "nope").is_none());
    }
}
