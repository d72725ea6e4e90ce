//! The tenant and drift records: what `cpitop get tenants|drift -o json|ndjson|csv` and the
//! Tenants pane's exports write (conventions: `kit::schema`; fields: README, "Machine output").

use serde::Serialize;

use crate::config::Environment;
use crate::kit::schema::Time;
use crate::landscape::drift::Cell;
use crate::landscape::{DriftRow, DriftTable};

/// `dev`, `test`, `prod`: the config's word.
pub fn environment(e: Environment) -> String {
    match e {
        Environment::Dev => "dev",
        Environment::Test => "test",
        Environment::Prod => "prod",
    }
    .into()
}

/// A row of `get tenants` and of the Tenants pane's export.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TenantRecord {
    pub tenant: String,
    /// `dev`, `test` or `prod` (the config's `environment`).
    pub environment: String,
    /// The config's `landscape` (`default` when it names none).
    pub landscape: String,
    /// The tenant open in the TUI (always `false` in `cpitop get`).
    pub open: bool,
    pub read_only: bool,
    /// The API host, when the config names it (a service key carries its own).
    pub host: Option<String>,
    /// `loading`, `up`, `stale`, `unauthorised`, `down`, `not_connected`.
    pub state: String,
    /// Why it is not `up` (the error, with what to check).
    pub reason: Option<String>,
    /// Parts of the last round that could not be read, each `part: why`.
    pub unread: Vec<String>,
    /// Its monitors in error / warning (`null`: no monitors, or none evaluated yet).
    pub monitors_error: Option<usize>,
    pub monitors_warning: Option<usize>,
    /// Runtime artifacts not STARTED.
    pub not_started: Option<usize>,
    /// FAILED messages within `failed_window_ms` before the round.
    pub failed: Option<u64>,
    pub failed_window_ms: i64,
    /// Messages in all `DLQ_` queues, and when the oldest of them was created.
    pub dlq_messages: Option<u64>,
    pub dlq_oldest: Option<Time>,
    /// The broker's use in percent, one decimal.
    pub broker_used_percent: Option<f64>,
    /// Keystore entries expiring within 30 days, and those already expired.
    pub certificates_expiring: Option<usize>,
    pub certificates_expired: Option<usize>,
    /// When its data was last read, and how old it is; `stale`: the latest round failed (the
    /// data is the last that was read).
    pub read_at: Option<Time>,
    pub data_age_ms: Option<i64>,
    pub stale: bool,
    /// Requests per minute cpitop sends to the tenant.
    pub requests_per_minute: f64,
}

/// A tenant's side of one artifact in a landscape.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DriftCellRecord {
    pub tenant: String,
    pub environment: String,
    /// The tenant's artifact list was read (else nothing is known of it here).
    pub known: bool,
    /// Deployed there (`null` when not known).
    pub deployed: Option<bool>,
    pub version: Option<String>,
    pub status: Option<String>,
    pub deployed_on: Option<Time>,
}

/// One runtime artifact across a landscape's tenants (a row of the drift view, `get drift -o
/// ndjson|csv`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DriftRecord {
    pub landscape: String,
    pub id: String,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The tenants that have it deployed run different versions.
    pub versions_differ: bool,
    /// Deployed in a dev/test tenant, not deployed in a prod one.
    pub missing_in_prod: bool,
    /// STARTED in a dev/test tenant, deployed but not STARTED in a prod one.
    pub not_started_in_prod: bool,
    /// The versions deployed, distinct, in the tenants' order.
    pub versions: Vec<String>,
    /// Each tenant's side, in promotion order (dev → test → prod).
    pub tenants: Vec<DriftCellRecord>,
}

impl DriftRecord {
    pub fn of(t: &DriftTable, r: &DriftRow) -> Self {
        let tenants = t
            .tenants
            .iter()
            .zip(&r.cells)
            .map(|(tn, c)| {
                let d = c.deployed();
                DriftCellRecord {
                    tenant: tn.name.clone(),
                    environment: environment(tn.environment),
                    known: !matches!(c, Cell::Unknown),
                    deployed: match c {
                        Cell::Unknown => None,
                        Cell::Missing => Some(false),
                        Cell::Deployed(_) => Some(true),
                    },
                    version: d.and_then(|d| crate::kit::schema::text(&d.version)),
                    status: d.map(|d| d.status.as_str().to_string()),
                    deployed_on: d.and_then(|d| Time::of(d.deployed_on)),
                }
            })
            .collect();
        Self {
            landscape: t.landscape.clone(),
            id: r.id.clone(),
            name: crate::kit::schema::text(&r.name),
            kind: crate::kit::schema::text(&r.kind),
            versions_differ: r.marks.versions_differ,
            missing_in_prod: r.marks.missing_in_prod,
            not_started_in_prod: r.marks.not_started_in_prod,
            versions: r.versions().into_iter().map(str::to_string).collect(),
            tenants,
        }
    }
}

/// A tenant of a landscape as `get drift -o json` lists it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DriftTenantRecord {
    pub tenant: String,
    pub environment: String,
    /// Its artifact list was read.
    pub known: bool,
}

/// `get drift -o json`: one per landscape.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LandscapeDriftRecord {
    pub landscape: String,
    /// Its tenants in promotion order (dev → test → prod).
    pub tenants: Vec<DriftTenantRecord>,
    /// Artifacts whose versions differ, and artifacts with any mark.
    pub differing: usize,
    pub marked: usize,
    /// Every artifact, marked ones first.
    pub rows: Vec<DriftRecord>,
}

impl LandscapeDriftRecord {
    pub fn of(t: &DriftTable) -> Self {
        Self {
            landscape: t.landscape.clone(),
            tenants: t
                .tenants
                .iter()
                .enumerate()
                .map(|(i, tn)| DriftTenantRecord {
                    tenant: tn.name.clone(),
                    environment: environment(tn.environment),
                    known: t.known(i),
                })
                .collect(),
            differing: t.differing(),
            marked: t.marked(),
            rows: t.rows.iter().map(|r| DriftRecord::of(t, r)).collect(),
        }
    }
}
