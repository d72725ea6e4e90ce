//! The Artifacts pane's state: every deployed runtime artifact, anything not STARTED first; one
//! artifact's detail with its deployment error; the keys of both views.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::features::writes::{ArtifactOp, Job, Known};
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::keymap::Context;
use crate::kit::subject::{Subject, Var};
use crate::kit::tenant::Intervals;
use crate::kit::toast;
use crate::panes::pane::{Out, PaneState, Reply};
use crate::resources::FetchError;

use super::schema::ArtifactRecord;
use crate::cpi::model::{ArtifactStatus, RuntimeArtifact};
use crate::cpi::odata::EpochMs;
use crate::kit::list::{Column, ListState, Width};
use crate::kit::load::{Fetch, Load};
use crate::kit::table::{CellCx, Table, Tone};
use crate::monitor::snapshot::ArtifactTracker;

pub const COLUMNS: &[Column] = &[
    Column::new("status", "STATUS", Width::Fixed(9), 's'),
    Column::new("name", "NAME", Width::Fill(20), 'n'),
    Column::new("id", "ID", Width::Fill(16), 'i'),
    Column::new("type", "TYPE", Width::Fixed(16), 't'),
    Column::new("version", "VERSION", Width::Fixed(8), 'v'),
    Column::new("deployed_by", "DEPLOYED BY", Width::Fill(12), 'b'),
    Column::new("deployed_on", "DEPLOYED ON", Width::Fixed(19), 'o'),
    Column::new("since", "SINCE", Width::Fixed(10), 'e'),
];

/// `cpitop get artifacts`: every column but SINCE (the last), which needs cpitop to have watched.
pub const GET_COLUMNS: &[Column] = COLUMNS.split_at(COLUMNS.len() - 1).0;

#[derive(Debug, Default)]
pub struct Artifacts {
    pub items: Vec<RuntimeArtifact>,
    pub load: Load,
    pub list: ListState,
    /// `f`: only artifacts that are not STARTED.
    pub not_started_only: bool,
    /// Deployment error texts fetched so far, by artifact id. `None` in `Done`: the tenant has no
    /// error for it (204).
    pub errors: HashMap<String, Fetch<Option<String>>>,
    /// Base of the web UI (`https://<sub>.integrationsuite…`) for links, when known.
    pub web_ui: Option<String>,
    /// Since when each artifact is non-STARTED: the monitor's tracker as of the last poll (one
    /// tracker, so the pane and the alerts agree). Empty for `cpitop get`.
    pub tracker: ArtifactTracker,
    /// Scroll of the detail view.
    pub scroll: usize,
}

/// The pane's views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    List,
    /// One artifact and its deployment error.
    Detail {
        id: String,
    },
}

/// Since when an artifact is in its non-STARTED state, as far as cpitop knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// Seen changing to it at this time.
    Known(EpochMs),
    /// Already so when cpitop started watching, first seen at this time: the start is unknown.
    SeenAtStart(EpochMs),
}

impl Artifacts {
    /// A poll's artifacts (with the monitors' tracker, so SINCE agrees with the alerts).
    pub fn loaded(&mut self, items: Vec<RuntimeArtifact>, tracker: ArtifactTracker, at: EpochMs, cx: &Cx) {
        self.items = items;
        self.tracker = tracker;
        self.load.ok(at);
        self.rebuild(&cx.cell());
        self.list.scroll_into_view(cx.table_rows);
    }

    /// An artifact's deployment error arrived.
    pub fn error_fetched(&mut self, id: String, result: Result<Option<String>, FetchError>) {
        self.errors.insert(id, Fetch::from_result(result));
    }

    /// Open an artifact's detail: its deployment error is read unless it is known.
    pub fn open_detail(&mut self, id: &str) -> Vec<Out> {
        self.scroll = 0;
        if matches!(self.errors.get(id), Some(Fetch::Done(_))) {
            return Vec::new();
        }
        self.errors.insert(id.to_string(), Fetch::Pending);
        vec![Out::FetchArtifactError { id: id.to_string() }]
    }

    /// Select the artifact `id` in the list, if it is shown.
    pub fn select(&mut self, id: &str) {
        let pos = self
            .list
            .rows()
            .position(|r| self.items.get(r).is_some_and(|a| a.id == id));
        if let Some(pos) = pos {
            self.select_position(pos);
        }
    }

    /// `ctrl-r` / `ctrl-u` on an artifact: the write, with what the confirmation states.
    fn write(&self, route: &Route, a: Action) -> Reply<Route> {
        let art = match route {
            Route::Detail { id } => Some(match self.by_id(id) {
                Some(a) => (a.id.clone(), a.name.clone()),
                None => (id.clone(), String::new()),
            }),
            Route::List => self.selected().map(|a| (a.id.clone(), a.name.clone())),
        };
        let Some((id, name)) = art else {
            return Reply::say(toast::info("no artifact selected"));
        };
        let known = Known {
            artifact_now: self
                .by_id(&id)
                .map(|a| format!("{} · version {}", a.status.as_str(), a.version)),
            ..Known::default()
        };
        let op = if a == Action::Restart {
            ArtifactOp::Restart
        } else {
            ArtifactOp::Undeploy
        };
        Reply::out(Out::Write {
            job: Job::Artifact { op, id, name },
            known,
        })
    }

    pub fn not_started(&self) -> usize {
        self.items.iter().filter(|a| !a.status.is_started()).count()
    }
    pub fn by_id(&self, id: &str) -> Option<&RuntimeArtifact> {
        self.items.iter().find(|a| a.id == id)
    }
    pub fn selected(&self) -> Option<&RuntimeArtifact> {
        self.list.selected_row().and_then(|r| self.items.get(r))
    }
    /// `a`'s record (`-o json`, the export, a plugin's row).
    pub fn record_of(&self, a: &RuntimeArtifact) -> ArtifactRecord {
        let since = self.since(a).map(|s| match s {
            Since::Known(at) => (at, true),
            Since::SeenAtStart(at) => (at, false),
        });
        ArtifactRecord::of(a, since)
    }
    /// Since when `a` is non-STARTED; `None` when STARTED or not observed.
    pub fn since(&self, a: &RuntimeArtifact) -> Option<Since> {
        if a.status.is_started() {
            return None;
        }
        let seen = *self.tracker.since().get(&a.id)?;
        Some(if self.tracker.at_start().contains(&a.id) {
            Since::SeenAtStart(seen)
        } else {
            Since::Known(seen)
        })
    }
}

/// The SINCE cell: `12m` when the change was seen, `seen 12:04` (or `seen 11-30`) when it was
/// already so when cpitop started (the deployment date is in DEPLOYED ON).
pub fn since_cell(since: Option<Since>, cx: &CellCx) -> String {
    match since {
        None => String::new(),
        Some(Since::Known(at)) => crate::kit::format::age(cx.now - at),
        Some(Since::SeenAtStart(at)) => {
            let day = |ms| cx.time.datetime(Some(ms)).get(..10).map(str::to_string);
            if day(at) == day(cx.now) {
                format!("seen {}", cx.time.clock(at).get(..5).unwrap_or_default())
            } else {
                format!(
                    "seen {}",
                    cx.time.datetime(Some(at)).get(5..10).unwrap_or_default()
                )
            }
        }
    }
}

fn status_rank(s: &ArtifactStatus) -> u8 {
    match s {
        ArtifactStatus::Error => 0,
        ArtifactStatus::Other(_) => 1,
        ArtifactStatus::Stopping => 2,
        ArtifactStatus::Starting => 3,
        ArtifactStatus::Started => 4,
    }
}

impl Table for Artifacts {
    fn columns(&self) -> &'static [Column] {
        COLUMNS
    }
    fn row_count(&self) -> usize {
        self.items.len()
    }
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String {
        let Some(a) = self.items.get(row) else {
            return String::new();
        };
        match col {
            0 => a.status.as_str().to_string(),
            1 => a.name.clone(),
            2 => a.id.clone(),
            3 => a.kind.clone(),
            4 => a.version.clone(),
            5 => a.deployed_by.clone(),
            6 => cx.time.datetime(a.deployed_on),
            7 => since_cell(self.since(a), cx),
            _ => String::new(),
        }
    }
    fn record(&self, row: usize, _cx: &CellCx) -> serde_json::Value {
        let r = self.items.get(row).map(|a| self.record_of(a)).unwrap_or_default();
        crate::kit::schema::value(&r)
    }
    fn fields(&self) -> Vec<String> {
        crate::kit::schema::fields_of::<ArtifactRecord>()
    }
    fn key(&self, row: usize) -> String {
        self.items.get(row).map(|a| a.id.clone()).unwrap_or_default()
    }
    fn natural(&self, a: usize, b: usize) -> Ordering {
        let (x, y) = (&self.items[a], &self.items[b]);
        status_rank(&x.status)
            .cmp(&status_rank(&y.status))
            .then_with(|| x.name.to_lowercase().cmp(&y.name.to_lowercase()))
            .then_with(|| x.id.cmp(&y.id))
    }
    fn tone(&self, row: usize, col: usize) -> Tone {
        let Some(a) = self.items.get(row) else {
            return Tone::Normal;
        };
        let t = match a.status {
            ArtifactStatus::Started => Tone::Good,
            ArtifactStatus::Error => Tone::Bad,
            ArtifactStatus::Starting | ArtifactStatus::Stopping => Tone::Busy,
            ArtifactStatus::Other(_) => Tone::Warn,
        };
        // The status word always; the whole row when it needs attention.
        if col == 0 || !a.status.is_started() {
            t
        } else {
            Tone::Normal
        }
    }
    fn link(&self, row: usize) -> Option<String> {
        let a = self.items.get(row)?;
        let base = self.web_ui.as_deref()?;
        // docs/cpi-api.md, "Web UI links": /shell/monitoring/Artifacts/<enc {"type":"ALL","status":…,"artifact":id}>.
        let json = format!(
            r#"{{"type":"ALL","status":"{}","artifact":"{}"}}"#,
            a.status.as_str(),
            a.id
        );
        Some(format!(
            "{base}/shell/monitoring/Artifacts/{}",
            percent_encoding::utf8_percent_encode(&json, percent_encoding::NON_ALPHANUMERIC)
        ))
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
    fn rebuild(&mut self, cx: &CellCx) {
        let mut list = std::mem::take(&mut self.list);
        let only = self.not_started_only;
        {
            let this = &*self;
            list.rebuild(
                this.items.len(),
                COLUMNS.len(),
                |r, c| this.cell(r, c, cx),
                |r| this.key(r),
                |a, b| this.natural(a, b),
            );
            if only {
                list.retain_rows(|r| !this.items[r].status.is_started());
                list.reselect(|r| this.key(r));
            }
        }
        self.list = list;
    }
}

impl PaneState for Artifacts {
    type Route = Route;

    fn contexts(route: &Route) -> [Context; 3] {
        match route {
            Route::List => [Context::Artifacts, Context::Table, Context::Global],
            Route::Detail { .. } => [Context::ArtifactDetail, Context::Detail, Context::Global],
        }
    }
    fn table(&self, route: &Route) -> Option<&dyn Table> {
        match route {
            Route::List => Some(self),
            Route::Detail { .. } => None,
        }
    }
    fn table_mut(&mut self, route: &Route) -> Option<&mut dyn Table> {
        match route {
            Route::List => Some(self),
            Route::Detail { .. } => None,
        }
    }
    fn load<'a>(&'a self, _route: &Route, intervals: &Intervals) -> Option<(&'a Load, u64)> {
        Some((&self.load, intervals.artifacts))
    }
    fn scroll_mut(&mut self, route: &Route) -> Option<&mut usize> {
        match route {
            Route::List => None,
            Route::Detail { .. } => Some(&mut self.scroll),
        }
    }
    fn copy_id(&self, route: &Route) -> (&'static str, Option<String>) {
        match route {
            Route::List => ("artifact id", self.selected_key()),
            Route::Detail { id } => ("artifact id", Some(id.clone())),
        }
    }
    fn link(&self, route: &Route) -> Option<String> {
        match route {
            Route::List => self.list.selected_row().and_then(|r| Table::link(self, r)),
            Route::Detail { id } => self
                .items
                .iter()
                .position(|a| a.id == *id)
                .and_then(|r| Table::link(self, r)),
        }
    }
    fn export_name(&self, _route: &Route) -> String {
        "artifacts".into()
    }
    /// The artifact (and, for an integration flow, `$IFLOW`): the list's row, or the detail's
    /// artifact, as its record.
    fn subject(&self, route: &Route, cx: &CellCx) -> Option<Subject> {
        let (a, mut s) = match route {
            Route::List => (self.selected()?, Subject::from_table(self, cx)?),
            Route::Detail { id } => {
                let a = self.items.iter().find(|a| a.id == *id)?;
                let mut s = Subject {
                    rows: vec![crate::kit::schema::value(&self.record_of(a))],
                    ..Subject::default()
                };
                if let Some(link) = PaneState::link(self, route) {
                    s.set(Var::WebLink, &link);
                }
                (a, s)
            }
        };
        s.set(Var::Artifact, &a.id);
        if a.kind.eq_ignore_ascii_case("INTEGRATION_FLOW") {
            s.set(Var::Iflow, &a.id);
        }
        Some(s)
    }
    fn act(&mut self, route: &Route, a: Action, cx: &Cx) -> Option<Reply<Route>> {
        match (route, a) {
            (Route::List, Action::Open) => Some(match self.selected().map(|a| a.id.clone()) {
                Some(id) => Reply::push(Route::Detail { id: id.clone() }, self.open_detail(&id)),
                None => Reply::none(),
            }),
            (Route::List, Action::ToggleFailed) => {
                self.not_started_only ^= true;
                self.rebuild(&cx.cell());
                self.list.scroll_into_view(cx.table_rows);
                Some(Reply::none())
            }
            (_, Action::Restart | Action::Undeploy) => Some(self.write(route, a)),
            _ => None,
        }
    }
    fn refresh(&mut self, route: &Route) -> Reply<Route> {
        match route {
            Route::List => Reply::none(),
            Route::Detail { id } => {
                self.errors.remove(id);
                Reply::out(Out::FetchArtifactError { id: id.clone() })
            }
        }
    }
}
