//! The Tenants pane's state: one row per configured tenant, fed by each tenant's overview rounds
//! (`resources::overview`, run by the shell for every tenant at once) and, for the open tenant,
//! by what its panes already poll (handed in by the app); worst first. Its second view is the
//! version drift of a landscape (`landscape::drift`), one column per tenant.
//!
//! What a row shows is derived from the data held: nothing here reads a clock or does I/O.

use std::cmp::Ordering;

use super::schema::{TenantRecord, environment};
use crate::config::{Config, Environment, Profile};
use crate::cpi::CpiError;
use crate::cpi::model::{JmsBroker, KeystoreEntry, RuntimeArtifact};
use crate::cpi::odata::EpochMs;
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::format::age;
use crate::kit::keymap::Context;
use crate::kit::list::{Column, ListState, Width};
use crate::kit::load::{Load, Phase};
use crate::kit::nav::Nav;
use crate::kit::schema::Time;
use crate::kit::table::{CellCx, Table, Tone};
use crate::kit::tenant::Intervals;
use crate::kit::toast;
use crate::landscape::{DriftTable, DriftTracker, Landscape, TenantRef, compare, group};
use crate::monitor::{
    ArtifactTracker, MonitorSpec, QueueSnapshot, Snapshot, Status, StatusCounts, TenantHealth, evaluate,
};
use crate::panes::pane::{Out, PaneState, Reply};
use crate::resources::FetchError;
use crate::resources::overview::{OverviewFetched, OverviewQueues, QueueSummary};

/// The failed messages of this window are counted per tenant.
pub const FAILED_WINDOW_MS: i64 = 3_600_000;
/// Certificates expiring within this are counted.
pub const CERT_HORIZON_MS: i64 = 30 * 86_400_000;
/// How the overview explains the message rules it does not evaluate for a tenant that is not
/// open (their part error; `Snapshot::why_missing`).
pub const NO_MESSAGE_WINDOW: &str =
    "the overview reads no message window; the tenant's message rules run while it is open";

pub const COLUMNS: &[Column] = &[
    Column::new("tenant", "TENANT", Width::Fill(12), 't'),
    Column::new("env", "ENV", Width::Fixed(6), 'e'),
    Column::new("state", "STATE", Width::Fixed(13), 's'),
    Column::new("alerts", "ALERTS", Width::Fixed(7), 'a'),
    Column::new("not_started", "STOPPED", Width::Fixed(7), 'n').right(),
    Column::new("failed", "FAILED", Width::Fixed(6), 'f').right(),
    Column::new("dlq", "DLQ", Width::Fixed(6), 'd').right(),
    Column::new("dlq_oldest", "OLDEST", Width::Fixed(6), 'o').right(),
    Column::new("broker", "BROKER", Width::Fixed(6), 'b').right(),
    Column::new("certs", "CERTS", Width::Fixed(5), 'c').right(),
    Column::new("age", "AGE", Width::Fixed(6), 'g').right(),
    Column::new("rate", "REQ/MIN", Width::Fixed(7), 'r').right(),
    Column::new("note", "NOTE", Width::Fill(20), 'x'),
];

/// Whether the tenant answers, from the typed errors of its last round.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Reach {
    /// Nothing known yet.
    #[default]
    Unknown,
    /// It answered (a refused part, HTTP 403 or 404, is an answer).
    Up,
    /// The credentials were refused (HTTP 401, or the token endpoint refused the client).
    Unauthorised(String),
    /// No answer: unreachable, timed out, connection dropped, 5xx.
    Down(String),
    /// Its connection could not be set up (its secret, its config).
    NotConnected(String),
}

impl Reach {
    /// From a round's failures (`any_ok`: some part was read).
    pub fn of(errors: &[&FetchError], any_ok: bool) -> Reach {
        let unauthorised = errors.iter().find(|e| {
            matches!(
                e.cause(),
                Some(CpiError::Unauthorized { .. } | CpiError::BadCredentials { .. })
            )
        });
        if let Some(e) = unauthorised {
            return Reach::Unauthorised(e.to_string());
        }
        if any_ok || errors.iter().any(|e| e.tenant_answered()) {
            return Reach::Up;
        }
        match errors.first() {
            Some(e) => Reach::Down(e.to_string()),
            None => Reach::Unknown,
        }
    }
    /// The reason of a tenant that is not up.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Reach::Unauthorised(r) | Reach::Down(r) | Reach::NotConnected(r) => Some(r),
            Reach::Unknown | Reach::Up => None,
        }
    }
}

/// A configured tenant, as the app installs it.
#[derive(Debug, Clone)]
pub struct TenantSetup {
    pub tenant: TenantRef,
    /// Badge colour from the config (a colour name or `#rrggbb`).
    pub color: String,
    pub read_only: bool,
    /// API host, for the note.
    pub host: Option<String>,
    /// How often its overview is read.
    pub interval_ms: u64,
    /// Its active monitors (evaluated on the overview's data while it is not open).
    pub specs: Vec<MonitorSpec>,
}

/// How often `--demo` reads each simulated tenant's overview.
pub const DEMO_INTERVAL_MS: u64 = 30_000;

impl TenantSetup {
    /// The configured tenant `p` with its active monitors `specs`.
    pub fn of(p: &Profile, force_read_only: bool, specs: Vec<MonitorSpec>) -> Self {
        Self {
            tenant: TenantRef::of(p),
            color: p.color.clone(),
            read_only: p.read_only || force_read_only,
            host: p
                .url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_string)),
            interval_ms: u64::try_from(p.poll.overview.as_millis()).unwrap_or(60_000),
            specs,
        }
    }
}

/// Every configured tenant, in the config's order, with its monitors (evaluated on the
/// overview's data while it is not open).
pub fn setups_of(config: &Config, force_read_only: bool) -> Vec<TenantSetup> {
    let monitors = crate::config::monitors::typed_monitors(&config.monitors, config.file.as_deref()).ok();
    config
        .tenants
        .iter()
        .map(|p| {
            let specs = monitors
                .as_ref()
                .map(|m| m.monitors_for(&p.name).into_iter().cloned().collect())
                .unwrap_or_default();
            TenantSetup::of(p, force_read_only, specs)
        })
        .collect()
}

/// One tenant's row.
#[derive(Debug, Clone)]
pub struct TenantRow {
    pub setup: TenantSetup,
    /// `loaded_at`: the last round that read something; `error`: the last failure.
    pub load: Load,
    pub reach: Reach,
    pub artifacts: Option<(EpochMs, Vec<RuntimeArtifact>)>,
    pub failed: Option<u64>,
    pub queues: Option<OverviewQueues>,
    pub broker: Option<JmsBroker>,
    pub keystore: Option<(EpochMs, Vec<KeystoreEntry>)>,
    /// Monitor statuses: the Alerts pane's for the open tenant, the overview's own otherwise.
    pub alerts: Option<StatusCounts>,
    /// Requests per minute cpitop sends to the tenant.
    pub per_minute: f64,
    /// Parts of the last round that failed while others were read (`part: error`).
    pub partial: Vec<String>,
    /// For the overview's own monitor evaluation.
    pub tracker: ArtifactTracker,
    pub health: TenantHealth,
}

impl TenantRow {
    pub fn new(setup: TenantSetup) -> Self {
        Self {
            setup,
            load: Load::default(),
            reach: Reach::Unknown,
            artifacts: None,
            failed: None,
            queues: None,
            broker: None,
            keystore: None,
            alerts: None,
            per_minute: 0.0,
            partial: Vec::new(),
            tracker: ArtifactTracker::default(),
            health: TenantHealth::default(),
        }
    }
    pub fn name(&self) -> &str {
        &self.setup.tenant.name
    }
    pub fn env(&self) -> Environment {
        self.setup.tenant.environment
    }
    pub fn not_started(&self) -> Option<usize> {
        self.artifacts
            .as_ref()
            .map(|(_, a)| a.iter().filter(|a| !a.status.is_started()).count())
    }
    pub fn summary(&self) -> Option<&QueueSummary> {
        self.queues.as_ref().map(|q| &q.summary)
    }
    /// Broker usage in percent.
    pub fn broker_percent(&self) -> Option<f64> {
        self.broker
            .as_ref()
            .filter(|b| b.max_capacity > 0)
            .map(|b| b.used_fraction() * 100.0)
    }
    /// Keystore entries expired or expiring within [`CERT_HORIZON_MS`] of `now`: `(expiring,
    /// expired)`.
    pub fn certs(&self, now: EpochMs) -> Option<(usize, usize)> {
        let (_, entries) = self.keystore.as_ref()?;
        let mut out = (0, 0);
        for t in entries.iter().filter_map(|e| e.valid_not_after) {
            if t < now {
                out.1 += 1;
            } else if t - now <= CERT_HORIZON_MS {
                out.0 += 1;
            }
        }
        Some(out)
    }
    /// [`TenantRow::certs`] as of when the keystore was read.
    pub fn keystore_certs(&self) -> Option<(usize, usize)> {
        self.certs(self.keystore.as_ref()?.0)
    }
    pub fn phase(&self, now: EpochMs) -> Phase {
        self.load.phase(now, self.setup.interval_ms as i64)
    }
    /// The data shown is the last that was read, and the latest round failed: the row keeps
    /// it, marked stale (dimmed, its age in warning colour).
    pub fn stale(&self) -> bool {
        self.load.loaded_at.is_some() && self.load.error.is_some()
    }
    /// How much attention the row needs (lower first): not reachable, then alerts in error,
    /// then any problem, then fine, then nothing known yet. (Staleness is shown in STATE; it
    /// does not reorder rows.)
    pub fn rank(&self) -> u8 {
        match &self.reach {
            Reach::Down(_) | Reach::Unauthorised(_) | Reach::NotConnected(_) => return 0,
            Reach::Unknown => return 4,
            Reach::Up => {}
        }
        let alerts = self.alerts.unwrap_or_default();
        if alerts.error > 0 {
            return 1;
        }
        let problem = alerts.warning > 0
            || self.not_started().unwrap_or(0) > 0
            || self.failed.unwrap_or(0) > 0
            || self.summary().is_some_and(|q| q.dlq_messages > 0)
            || self.keystore_certs().is_some_and(|(a, b)| a + b > 0)
            || self.broker_percent().is_some_and(|p| p >= 80.0);
        if problem { 2 } else { 3 }
    }
}

/// The drift view: one landscape at a time, a selected tenant column.
#[derive(Debug, Clone, Default)]
pub struct DriftView {
    /// The landscape shown (index into the pane's landscapes).
    pub landscape: usize,
    pub table: Option<DriftTable>,
    pub list: ListState,
    /// The selected tenant column.
    pub column: usize,
}

/// The drift view's columns (filter, sort, export); the tenants' columns are drawn beside them.
pub const DRIFT_COLUMNS: &[Column] = &[
    Column::new("id", "ARTIFACT", Width::Fill(20), 'i'),
    Column::new("name", "NAME", Width::Fill(12), 'n'),
    Column::new("type", "TYPE", Width::Fixed(16), 't'),
    Column::new("drift", "DRIFT", Width::Fill(16), 'd'),
    Column::new("versions", "VERSIONS", Width::Fill(20), 'v'),
];

impl DriftView {
    fn row(&self, r: usize) -> Option<&crate::landscape::DriftRow> {
        self.table.as_ref().and_then(|t| t.rows.get(r))
    }
    pub fn selected(&self) -> Option<&crate::landscape::DriftRow> {
        self.list.selected_row().and_then(|r| self.row(r))
    }
    /// The tenant of the selected column.
    pub fn selected_tenant(&self) -> Option<&TenantRef> {
        self.table.as_ref().and_then(|t| t.tenants.get(self.column))
    }
}

impl Table for DriftView {
    fn columns(&self) -> &'static [Column] {
        DRIFT_COLUMNS
    }
    fn row_count(&self) -> usize {
        self.table.as_ref().map_or(0, |t| t.rows.len())
    }
    fn cell(&self, row: usize, col: usize, _cx: &CellCx) -> String {
        let (Some(t), Some(r)) = (self.table.as_ref(), self.row(row)) else {
            return String::new();
        };
        match col {
            0 => r.id.clone(),
            1 => r.name.clone(),
            2 => r.kind.clone(),
            3 => r.marks.label(),
            4 => t
                .tenants
                .iter()
                .zip(&r.cells)
                .map(|(t, c)| format!("{} {}", t.name, c.text()))
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        }
    }
    fn key(&self, row: usize) -> String {
        self.row(row).map(|r| r.id.clone()).unwrap_or_default()
    }
    fn record(&self, row: usize, _cx: &CellCx) -> serde_json::Value {
        let r = match (self.table.as_ref(), self.row(row)) {
            (Some(t), Some(r)) => super::schema::DriftRecord::of(t, r),
            _ => super::schema::DriftRecord::default(),
        };
        crate::kit::schema::value(&r)
    }
    fn fields(&self) -> Vec<String> {
        crate::kit::schema::fields_of::<super::schema::DriftRecord>()
    }
    fn tone(&self, row: usize, _col: usize) -> Tone {
        match self.row(row).map(|r| r.marks) {
            Some(m) if m.missing_in_prod || m.not_started_in_prod => Tone::Bad,
            Some(m) if m.versions_differ => Tone::Warn,
            _ => Tone::Normal,
        }
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
}

/// The pane: every configured tenant, and the drift view.
#[derive(Debug, Default)]
pub struct Tenants {
    pub rows: Vec<TenantRow>,
    pub list: ListState,
    /// The open tenant.
    pub current: String,
    /// `loaded_at`: the newest round of any tenant (the pane's freshness in the header).
    pub load: Load,
    pub drift: DriftView,
    /// Since when artifacts drift, per landscape (observed as the tables are rebuilt).
    pub trackers: Vec<(String, DriftTracker)>,
    /// The failed-message window counted.
    pub window_ms: i64,
}

/// The pane's views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    List,
    /// The version drift of a landscape (`d`, `:drift`).
    Drift,
}

impl Tenants {
    /// Rows for the configured tenants (in the config's order); `current` is open.
    pub fn new(setups: Vec<TenantSetup>, current: &str) -> Self {
        Self {
            rows: setups.into_iter().map(TenantRow::new).collect(),
            current: current.to_string(),
            window_ms: FAILED_WINDOW_MS,
            ..Tenants::default()
        }
    }

    pub fn row(&self, name: &str) -> Option<&TenantRow> {
        self.rows.iter().find(|r| r.name() == name)
    }
    fn row_mut(&mut self, name: &str) -> Option<&mut TenantRow> {
        self.rows.iter_mut().find(|r| r.name() == name)
    }
    pub fn selected(&self) -> Option<&TenantRow> {
        self.list.selected_row().and_then(|r| self.rows.get(r))
    }

    /// Every tenant as the landscapes know them.
    pub fn refs(&self) -> Vec<TenantRef> {
        self.rows.iter().map(|r| r.setup.tenant.clone()).collect()
    }
    pub fn landscapes(&self) -> Vec<Landscape> {
        group(&self.refs())
    }

    /// The drift table of `tenant`'s landscape with its tracker (the monitors of the open
    /// tenant read it).
    pub fn drift_of(&self, tenant: &str) -> Option<(DriftTable, Option<&DriftTracker>)> {
        let name = &self.row(tenant)?.setup.tenant.landscape;
        let l = self.landscapes().into_iter().find(|l| &l.name == name)?;
        let table = self.compare(&l);
        let tracker = self.trackers.iter().find(|(n, _)| n == name).map(|(_, t)| t);
        Some((table, tracker))
    }

    fn compare(&self, l: &Landscape) -> DriftTable {
        let lists: Vec<Option<&[RuntimeArtifact]>> = l
            .tenants
            .iter()
            .map(|t| {
                self.row(&t.name)
                    .and_then(|r| r.artifacts.as_ref())
                    .map(|(_, a)| a.as_slice())
            })
            .collect();
        compare(l, &lists)
    }

    /// One overview round of `tenant` arrived (`per_minute`: its client's request rate).
    pub fn round(&mut self, tenant: &str, f: OverviewFetched, per_minute: f64, cx: &Cx) {
        let now = cx.now;
        let current = tenant == self.current;
        let Some(row) = self.row_mut(tenant) else { return };
        row.per_minute = per_minute;
        let errors: Vec<FetchError> = f.errors().into_iter().cloned().collect();
        let any_ok = f.any_ok();
        row.reach = Reach::of(&errors.iter().collect::<Vec<_>>(), any_ok);
        row.partial = Vec::new();
        fn note(part: &str, e: &FetchError, partial: &mut Vec<String>) {
            partial.push(format!("{part}: {e}"));
        }
        let at = f.at;
        match f.artifacts {
            Some(Ok(a)) => {
                row.tracker.observe(&a, now);
                row.artifacts = Some((at, a));
            }
            Some(Err(e)) => note("artifacts", &e, &mut row.partial),
            None => {}
        }
        match f.failed {
            Some(Ok(n)) => row.failed = Some(n),
            Some(Err(e)) => note("failed messages", &e, &mut row.partial),
            None => {}
        }
        match f.queues {
            Some(Ok(mut q)) => {
                // The oldest DLQ message is read every few rounds: keep the last one known.
                if !q.summary.oldest_known
                    && let Some(old) = row.summary().filter(|s| s.oldest_known)
                {
                    q.summary.dlq_oldest = old.dlq_oldest;
                    q.summary.oldest_known = q.summary.dlqs > 0;
                }
                if q.summary.dlqs == 0 {
                    q.summary.dlq_oldest = None;
                    q.summary.oldest_known = true;
                }
                row.queues = Some(q);
            }
            Some(Err(e)) => note("queues", &e, &mut row.partial),
            None => {}
        }
        match f.broker {
            Some(Ok(b)) => row.broker = Some(b),
            // A tenant without JMS has no broker either: the queues part says why.
            Some(Err(_)) if row.summary().is_some_and(|s| s.missing.is_some()) => row.broker = None,
            Some(Err(e)) => note("broker", &e, &mut row.partial),
            None => {}
        }
        match f.keystore {
            Some(Ok(k)) => row.keystore = Some((at, k)),
            Some(Err(e)) => note("keystore", &e, &mut row.partial),
            None => {}
        }
        match (any_ok, errors.first()) {
            (true, _) => row.load.ok(at),
            (false, Some(e)) => row.load.failed(e),
            (false, None) => {}
        }
        // Health for `tenant_unreachable`: a 4xx is an answer.
        match &row.reach {
            Reach::Up | Reach::Unauthorised(_) => row.health.record(now, Ok(())),
            Reach::Down(e) => row.health.record(now, Err(e.clone())),
            Reach::Unknown | Reach::NotConnected(_) => {}
        }
        if any_ok {
            self.fresher(at);
        }
        self.after_change(now, (!current).then_some(tenant));
        self.rebuild(&cx.cell());
        self.list.scroll_into_view(cx.table_rows);
    }

    /// The pane's freshness is its newest data (a round arriving late for an old `at` does not
    /// make the whole pane look older).
    fn fresher(&mut self, at: EpochMs) {
        let newest = self.load.loaded_at.map_or(at, |t| t.max(at));
        self.load.ok(newest);
    }

    /// A tenant's connection could not be set up (its secret command failed, …).
    pub fn not_connected(&mut self, tenant: &str, error: String, cx: &Cx) {
        if let Some(row) = self.row_mut(tenant) {
            row.reach = Reach::NotConnected(error.clone());
            row.load.failed(error);
        }
        self.rebuild(&cx.cell());
    }

    /// Request rates of the tenants' clients.
    pub fn rates(&mut self, rates: &[(String, f64)]) -> bool {
        let mut changed = false;
        for (name, rate) in rates {
            if let Some(row) = self.row_mut(name)
                && (row.per_minute - rate).abs() > f64::EPSILON
            {
                row.per_minute = *rate;
                changed = true;
            }
        }
        changed
    }

    /// The open tenant's Artifacts pane polled its artifacts.
    pub fn open_artifacts(&mut self, items: &[RuntimeArtifact], at: EpochMs, cx: &Cx) {
        let name = self.current.clone();
        let Some(row) = self.row_mut(&name) else { return };
        row.tracker.observe(items, cx.now);
        row.artifacts = Some((at, items.to_vec()));
        row.reach = Reach::Up;
        row.load.ok(at);
        self.fresher(at);
        self.after_change(cx.now, None);
        self.rebuild(&cx.cell());
    }

    /// The open tenant's Queues pane polled its queues.
    pub fn open_queues(&mut self, q: OverviewQueues, broker: Option<JmsBroker>, at: EpochMs, cx: &Cx) {
        let name = self.current.clone();
        let Some(row) = self.row_mut(&name) else { return };
        row.queues = Some(q);
        if broker.is_some() {
            row.broker = broker;
        }
        row.reach = Reach::Up;
        row.load.ok(at);
        self.fresher(at);
        self.rebuild(&cx.cell());
    }

    /// A poll of the open tenant's panes failed: the tenant's state, from the error's kind.
    pub fn open_failed(&mut self, e: &FetchError, cx: &Cx) {
        let name = self.current.clone();
        let Some(row) = self.row_mut(&name) else { return };
        row.reach = Reach::of(&[e], false);
        row.load.failed(e);
        self.rebuild(&cx.cell());
    }

    /// The open tenant's monitor statuses (the Alerts pane's); `None`: no monitors.
    pub fn open_alerts(&mut self, counts: Option<StatusCounts>) -> bool {
        let name = self.current.clone();
        let Some(row) = self.row_mut(&name) else {
            return false;
        };
        if row.alerts == counts {
            return false;
        }
        row.alerts = counts;
        true
    }

    /// Another tenant is open now.
    pub fn set_current(&mut self, name: &str, cx: &Cx) {
        self.current = name.to_string();
        self.rebuild(&cx.cell());
    }

    /// After new data: the drift trackers observe, the drift view is rebuilt, and the monitors
    /// of `evaluate` (a tenant that is not open) are evaluated on the overview's data — and those
    /// of every other tenant not open whose rules compare the landscape (its drift may have
    /// changed with this tenant's list).
    fn after_change(&mut self, now: EpochMs, evaluate: Option<&str>) {
        let landscapes = self.landscapes();
        for l in &landscapes {
            let table = self.compare(l);
            match self.trackers.iter_mut().find(|(n, _)| *n == l.name) {
                Some((_, t)) => t.observe(&table, now),
                None => {
                    let mut t = DriftTracker::default();
                    t.observe(&table, now);
                    self.trackers.push((l.name.clone(), t));
                }
            }
        }
        let due: Vec<String> = self
            .rows
            .iter()
            .filter(|r| r.name() != self.current)
            .filter(|r| {
                evaluate == Some(r.name())
                    || crate::monitor::needs(r.setup.specs.iter().filter(|s| s.active)).landscape
            })
            .map(|r| r.name().to_string())
            .collect();
        for name in due {
            let counts = self.evaluate_overview(&name, now);
            if let Some(row) = self.row_mut(&name) {
                row.alerts = counts;
            }
        }
        self.refresh_drift();
    }

    /// A tenant's monitors on what the overview holds (no message window: message rules are
    /// not calculated, with [`NO_MESSAGE_WINDOW`] as their reason).
    fn evaluate_overview(&self, tenant: &str, now: EpochMs) -> Option<StatusCounts> {
        let row = self.row(tenant)?;
        let active: Vec<&MonitorSpec> = row.setup.specs.iter().filter(|s| s.active).collect();
        if active.is_empty() {
            return None;
        }
        let drift = self.drift_of(tenant);
        let queue_rows: Option<Vec<QueueSnapshot>> = row.queues.as_ref().map(|q| q.rows.clone());
        let errors = [("messages", NO_MESSAGE_WINDOW.to_string())];
        let mut snap = Snapshot::new(tenant);
        snap.artifacts = row.artifacts.as_ref().map(|(_, a)| a.as_slice());
        snap.not_started_since = row.artifacts.as_ref().map(|_| row.tracker.since());
        snap.not_started_at_start = row.artifacts.as_ref().map(|_| row.tracker.at_start());
        snap.queues = queue_rows.as_deref();
        snap.broker = row.broker.as_ref();
        snap.keystore = row.keystore.as_ref().map(|(_, k)| k.as_slice());
        snap.health = Some(&row.health);
        snap.drift = drift.as_ref().map(|(t, _)| t);
        snap.drift_since = drift.as_ref().and_then(|(_, t)| *t);
        snap.part_errors = &errors;
        let statuses: Vec<Status> = active.iter().map(|s| evaluate(s, &snap, now).status).collect();
        Some(StatusCounts::of(&statuses))
    }

    /// Rebuild the drift view's table (its landscape's tenants side by side).
    pub fn refresh_drift(&mut self) {
        let landscapes = self.landscapes();
        if landscapes.is_empty() {
            self.drift.table = None;
            return;
        }
        self.drift.landscape = self.drift.landscape.min(landscapes.len() - 1);
        let table = self.compare(&landscapes[self.drift.landscape]);
        self.drift.column = self.drift.column.min(table.tenants.len().saturating_sub(1));
        self.drift.table = Some(table);
        let mut list = std::mem::take(&mut self.drift.list);
        {
            let d = &self.drift;
            let cx = CellCx {
                now: 0,
                time: Default::default(),
            };
            list.rebuild(
                d.row_count(),
                DRIFT_COLUMNS.len(),
                |r, c| d.cell(r, c, &cx),
                |r| d.key(r),
                |a, b| a.cmp(&b),
            );
        }
        self.drift.list = list;
    }

    /// Show landscape `name` in the drift view; `Err`: no such landscape (the known ones).
    pub fn show_landscape(&mut self, name: &str) -> Result<(), String> {
        let ls = self.landscapes();
        match ls.iter().position(|l| l.name == name) {
            Some(i) => {
                self.drift.landscape = i;
                self.drift.list = ListState::default();
                self.refresh_drift();
                Ok(())
            }
            None => Err(ls.iter().map(|l| l.name.clone()).collect::<Vec<_>>().join(", ")),
        }
    }

    /// The landscape the drift view shows.
    pub fn drift_landscape(&self) -> Option<String> {
        self.drift.table.as_ref().map(|t| t.landscape.clone())
    }

    /// How many tenants cannot be reached or refuse the credentials.
    pub fn unreachable(&self) -> usize {
        self.rows.iter().filter(|r| r.reach.reason().is_some()).count()
    }
}

/// A tenant's row as its record (`open`: the tenant open in the TUI).
pub fn tenant_record(r: &TenantRow, open: bool, window_ms: i64, now: EpochMs) -> TenantRecord {
    let state = match &r.reach {
        Reach::Unknown => "loading",
        Reach::Up if r.phase(now) == Phase::Stale => "stale",
        Reach::Up => "up",
        Reach::Unauthorised(_) => "unauthorised",
        Reach::Down(_) => "down",
        Reach::NotConnected(_) => "not_connected",
    };
    let certs = r.certs(now);
    let summary = r.summary();
    TenantRecord {
        tenant: r.name().to_string(),
        environment: environment(r.env()),
        landscape: r.setup.tenant.landscape.clone(),
        open,
        read_only: r.setup.read_only,
        host: r.setup.host.clone(),
        state: state.into(),
        reason: r.reach.reason().map(str::to_string),
        unread: r.partial.clone(),
        monitors_error: r.alerts.map(|c| c.error),
        monitors_warning: r.alerts.map(|c| c.warning),
        not_started: r.not_started(),
        failed: r.failed,
        failed_window_ms: window_ms,
        dlq_messages: summary.map(|s| s.dlq_messages),
        dlq_oldest: summary.and_then(|s| Time::of(s.dlq_oldest)),
        broker_used_percent: r.broker_percent().map(|p| (p * 10.0).round() / 10.0),
        certificates_expiring: certs.map(|(n, _)| n),
        certificates_expired: certs.map(|(_, n)| n),
        read_at: Time::of(r.load.loaded_at),
        data_age_ms: r.load.loaded_at.map(|t| now.saturating_sub(t).max(0)),
        stale: r.stale(),
        requests_per_minute: r.per_minute,
    }
}

fn env_tone(e: Environment) -> Tone {
    match e {
        Environment::Prod => Tone::Bad,
        Environment::Test => Tone::Warn,
        Environment::Dev => Tone::Good,
    }
}

/// `2E 1W`, `ok`, or empty when the tenant has no monitors.
pub fn alerts_cell(c: Option<StatusCounts>) -> String {
    let Some(c) = c else { return String::new() };
    let mut parts = Vec::new();
    if c.error > 0 {
        parts.push(format!("{}E", c.error));
    }
    if c.warning > 0 {
        parts.push(format!("{}W", c.warning));
    }
    if parts.is_empty() {
        return if c.ok > 0 { "ok".into() } else { "?".into() };
    }
    parts.join(" ")
}

impl TenantRow {
    /// The STATE cell.
    pub fn state_word(&self, now: EpochMs) -> &'static str {
        match &self.reach {
            Reach::Unknown => "loading",
            Reach::Up if self.phase(now) == Phase::Stale => "stale",
            Reach::Up => "up",
            Reach::Unauthorised(_) => "UNAUTHORISED",
            Reach::Down(_) => "DOWN",
            Reach::NotConnected(_) => "NOT CONNECTED",
        }
    }
    /// The NOTE cell: why it is not up, what failed, else its landscape.
    pub fn note(&self) -> String {
        if let Some(r) = self.reach.reason() {
            return r.to_string();
        }
        if let Some(p) = self.partial.first() {
            return p.clone();
        }
        if let Some(m) = self.summary().and_then(|s| s.missing.as_deref()) {
            return m.to_string();
        }
        let mut parts = vec![format!("landscape {}", self.setup.tenant.landscape)];
        if self.setup.read_only {
            parts.push("read-only".into());
        }
        if let Some(h) = &self.setup.host {
            parts.push(h.clone());
        }
        parts.join(" · ")
    }
}

impl Table for Tenants {
    fn columns(&self) -> &'static [Column] {
        COLUMNS
    }
    fn row_count(&self) -> usize {
        self.rows.len()
    }
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String {
        let Some(r) = self.rows.get(row) else {
            return String::new();
        };
        let known = |v: Option<String>| v.unwrap_or_default();
        match col {
            0 => {
                let mark = if r.name() == self.current { "●" } else { " " };
                format!("{mark} {}", r.name())
            }
            1 => r.env().label().to_string(),
            2 => r.state_word(cx.now).to_string(),
            3 => alerts_cell(r.alerts),
            4 => known(r.not_started().map(|n| n.to_string())),
            5 => known(r.failed.map(|n| n.to_string())),
            6 => known(r.summary().map(|s| s.dlq_messages.to_string())),
            7 => match r.summary() {
                Some(s) if s.dlqs == 0 => String::new(),
                Some(s) => match s.dlq_oldest {
                    Some(t) => age(cx.now - t),
                    None => "?".into(),
                },
                None => String::new(),
            },
            8 => known(r.broker_percent().map(|p| format!("{p:.0}%"))),
            9 => known(r.certs(cx.now).map(|(a, b)| (a + b).to_string())),
            10 => known(r.load.loaded_at.map(|t| age(cx.now - t))),
            11 => format!("{:.0}", r.per_minute),
            12 => r.note(),
            _ => String::new(),
        }
    }
    fn key(&self, row: usize) -> String {
        self.rows
            .get(row)
            .map(|r| r.name().to_string())
            .unwrap_or_default()
    }
    fn record(&self, row: usize, cx: &CellCx) -> serde_json::Value {
        let r = self
            .rows
            .get(row)
            .map(|r| tenant_record(r, r.name() == self.current, self.window_ms, cx.now))
            .unwrap_or_default();
        crate::kit::schema::value(&r)
    }
    fn fields(&self) -> Vec<String> {
        crate::kit::schema::fields_of::<super::schema::TenantRecord>()
    }
    fn natural(&self, a: usize, b: usize) -> Ordering {
        // Without a clock here, staleness does not reorder rows (the STATE cell shows it).
        let (x, y) = (&self.rows[a], &self.rows[b]);
        x.rank()
            .cmp(&y.rank())
            .then_with(|| y.env().rank().cmp(&x.env().rank()))
            .then_with(|| a.cmp(&b))
    }
    fn tone(&self, row: usize, col: usize) -> Tone {
        let Some(r) = self.rows.get(row) else {
            return Tone::Normal;
        };
        let bad_if = |n: Option<u64>| match n {
            Some(n) if n > 0 => Tone::Bad,
            _ => Tone::Normal,
        };
        // Held data of a tenant whose latest round failed: dimmed, never shown as current.
        if r.stale() && (3..=9).contains(&col) {
            return Tone::Muted;
        }
        match col {
            1 => env_tone(r.env()),
            2 => match &r.reach {
                Reach::Unknown => Tone::Busy,
                Reach::Up if r.load.error.is_some() => Tone::Warn,
                Reach::Up => Tone::Good,
                Reach::Unauthorised(_) | Reach::Down(_) | Reach::NotConnected(_) => Tone::Bad,
            },
            3 => match r.alerts {
                Some(c) if c.error > 0 => Tone::Bad,
                Some(c) if c.warning > 0 => Tone::Warn,
                Some(_) => Tone::Good,
                None => Tone::Muted,
            },
            4 => bad_if(r.not_started().map(|n| n as u64)),
            5 => bad_if(r.failed),
            6 | 7 => bad_if(r.summary().map(|s| s.dlq_messages)),
            8 => match r.broker_percent() {
                Some(p) if p >= 95.0 => Tone::Bad,
                Some(p) if p >= 80.0 => Tone::Warn,
                _ => Tone::Normal,
            },
            9 => match r.keystore_certs() {
                Some((_, expired)) if expired > 0 => Tone::Bad,
                Some((n, _)) if n > 0 => Tone::Warn,
                _ => Tone::Normal,
            },
            10 if r.stale() => Tone::Warn,
            10 | 11 => Tone::Muted,
            12 => match (&r.reach, r.partial.is_empty()) {
                (Reach::Up, true) => Tone::Muted,
                (Reach::Up, false) => Tone::Warn,
                _ => Tone::Bad,
            },
            _ => Tone::Normal,
        }
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
}

impl PaneState for Tenants {
    type Route = Route;

    fn contexts(route: &Route) -> [Context; 3] {
        match route {
            Route::List => [Context::Tenants, Context::Table, Context::Global],
            Route::Drift => [Context::Drift, Context::Table, Context::Global],
        }
    }
    fn table(&self, route: &Route) -> Option<&dyn Table> {
        match route {
            Route::List => Some(self),
            Route::Drift => Some(&self.drift),
        }
    }
    fn table_mut(&mut self, route: &Route) -> Option<&mut dyn Table> {
        match route {
            Route::List => Some(self),
            Route::Drift => Some(&mut self.drift),
        }
    }
    fn load<'a>(&'a self, _route: &Route, intervals: &Intervals) -> Option<(&'a Load, u64)> {
        let every = self
            .rows
            .iter()
            .map(|r| r.setup.interval_ms)
            .max()
            .unwrap_or(intervals.artifacts);
        Some((&self.load, every))
    }
    fn scroll_mut(&mut self, _route: &Route) -> Option<&mut usize> {
        None
    }
    fn copy_id(&self, route: &Route) -> (&'static str, Option<String>) {
        match route {
            Route::List => ("tenant", self.selected_key()),
            Route::Drift => ("artifact id", self.drift.selected_key()),
        }
    }
    fn link(&self, _route: &Route) -> Option<String> {
        None
    }
    fn export_name(&self, route: &Route) -> String {
        match route {
            Route::List => "tenants".into(),
            Route::Drift => format!(
                "drift-{}",
                self.drift_landscape().unwrap_or_else(|| "landscape".into())
            ),
        }
    }
    fn act(&mut self, route: &Route, a: Action, cx: &Cx) -> Option<Reply<Route>> {
        match (route, a) {
            (Route::List, Action::Open) => Some(match self.selected() {
                Some(r) => Reply::nav(Nav::SwitchTenant(r.name().to_string())),
                None => Reply::none(),
            }),
            (Route::List, Action::Drift) => {
                // The landscape of the selected tenant.
                if let Some(l) = self.selected().map(|r| r.setup.tenant.landscape.clone()) {
                    let _ = self.show_landscape(&l);
                }
                self.refresh_drift();
                Some(Reply::push(Route::Drift, Vec::new()))
            }
            (Route::Drift, Action::ColumnPrev | Action::ColumnNext) => {
                let n = self.drift.table.as_ref().map_or(0, |t| t.tenants.len());
                if n > 0 {
                    let c = self.drift.column;
                    self.drift.column = match a {
                        Action::ColumnNext => (c + 1).min(n - 1),
                        _ => c.saturating_sub(1),
                    };
                }
                Some(Reply::none())
            }
            (Route::Drift, Action::NextLandscape) => {
                let ls = self.landscapes();
                if ls.len() < 2 {
                    return Some(Reply::say(toast::info(
                        "one landscape: set `landscape = \"NAME\"` on tenants to compare regions separately",
                    )));
                }
                let next = (self.drift.landscape + 1) % ls.len();
                let _ = self.show_landscape(&ls[next].name);
                self.drift.list.scroll_into_view(cx.table_rows);
                Some(Reply::none())
            }
            (Route::Drift, Action::Open) => {
                let (Some(row), Some(t)) = (self.drift.selected(), self.drift.selected_tenant()) else {
                    return Some(Reply::none());
                };
                let cell = row.cells.get(self.drift.column);
                if cell.and_then(|c| c.deployed()).is_none() {
                    return Some(Reply::say(toast::info(format!(
                        "{} is not deployed in {} — ←/→ pick another tenant",
                        row.id, t.name
                    ))));
                }
                Some(Reply::nav(Nav::OpenArtifactIn {
                    tenant: t.name.clone(),
                    id: row.id.clone(),
                }))
            }
            _ => None,
        }
    }
    fn refresh(&mut self, _route: &Route) -> Reply<Route> {
        Reply::out(Out::RefreshTenants)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_comes_from_the_error_kind() {
        let down = FetchError::from(CpiError::Unreachable {
            host: "h".into(),
            detail: "connection refused".into(),
        });
        let unauth = FetchError::from(CpiError::BadCredentials {
            token_url: "https://t/oauth/token".into(),
            status: 401,
            error: Some("invalid_client".into()),
        });
        let forbidden = FetchError::from(CpiError::Forbidden {
            endpoint: "Queues".into(),
            message: None,
        });
        assert!(matches!(Reach::of(&[&down], false), Reach::Down(r) if r.contains("connection refused")));
        assert!(matches!(
            Reach::of(&[&unauth, &down], false),
            Reach::Unauthorised(_)
        ));
        assert_eq!(Reach::of(&[&forbidden], false), Reach::Up, "a 403 is an answer");
        assert_eq!(Reach::of(&[&down], true), Reach::Up, "a part was read");
        assert_eq!(Reach::of(&[], false), Reach::Unknown);
    }

    #[test]
    fn alerts_cells() {
        let c = |error, warning, ok| StatusCounts {
            error,
            warning,
            not_calculated: 0,
            ok,
        };
        assert_eq!(alerts_cell(Some(c(2, 1, 3))), "2E 1W");
        assert_eq!(alerts_cell(Some(c(0, 1, 3))), "1W");
        assert_eq!(alerts_cell(Some(c(0, 0, 3))), "ok");
        assert_eq!(alerts_cell(Some(c(0, 0, 0))), "?");
        assert_eq!(alerts_cell(None), "");
    }
}
