//! The application state: one owner (the `tui` loop), mutated only by `update`, drawn by
//! `frame`. It holds each pane's slice, the navigation stack of views (`Route`), the input mode
//! and what the features keep (writes, cache, tenant list).
//!
//! `Route` names every view of every pane (`Route::Messages(messages::Route::Detail { .. })`);
//! [`State::focus`] and [`State::focus_mut`] are the one place a route is matched to its pane.

use std::path::PathBuf;

use super::msg::{ApiStats, PollPlan};
use crate::cpi::odata::EpochMs;
use crate::features::cache::CacheSync;
use crate::features::ctx::CtxState;
use crate::features::writes::Writes;
use crate::kit::cx::Cx;
use crate::kit::format::TimeFmt;
use crate::kit::keymap::Keymap;
use crate::kit::line::{History, LineEdit};
use crate::kit::load::Load;
use crate::kit::table::{CellCx, Table};
use crate::panes::pane::{At, AtMut, Focus, FocusMut};
use crate::panes::{alerts, artifacts, errors, keystore, messages, queues, tenants};

pub use crate::kit::nav::Pane;
pub use crate::kit::tenant::{Environment, Intervals, TenantInfo};
pub use crate::kit::toast::{Toast, ToastKind};

/// A view: which pane's, and which of its views. The navigation stack starts with a pane's list;
/// drill-downs push (a message's detail can sit on a queue's stack).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Tenants(tenants::Route),
    Artifacts(artifacts::Route),
    Messages(messages::Route),
    Queues(queues::Route),
    Alerts(alerts::Route),
    Errors(errors::Route),
    Keystore(keystore::Route),
}

impl Route {
    /// A pane's list, where its stack starts.
    pub fn home(p: Pane) -> Route {
        match p {
            Pane::Tenants => Route::Tenants(tenants::Route::List),
            Pane::Artifacts => Route::Artifacts(artifacts::Route::List),
            Pane::Messages => Route::Messages(messages::Route::List),
            Pane::Queues => Route::Queues(queues::Route::List),
            Pane::Alerts => Route::Alerts(alerts::Route::List),
            Pane::Errors => Route::Errors(errors::Route::List),
            Pane::Keystore => Route::Keystore(keystore::Route::List),
        }
    }

    /// The pane whose view this is.
    pub fn pane(&self) -> Pane {
        match self {
            Route::Tenants(_) => Pane::Tenants,
            Route::Artifacts(_) => Pane::Artifacts,
            Route::Messages(_) => Pane::Messages,
            Route::Queues(_) => Pane::Queues,
            Route::Alerts(_) => Pane::Alerts,
            Route::Errors(_) => Pane::Errors,
            Route::Keystore(_) => Pane::Keystore,
        }
    }

    /// Whether this is a pane's list (the bottom of a stack).
    pub fn is_home(&self) -> bool {
        *self == Route::home(self.pane())
    }
}

/// Where the stack falls back to (it is never empty; this keeps drawing total).
static HOME: Route = Route::Artifacts(artifacts::Route::List);

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Normal,
    /// Typing a `/` filter; the text lives in the focused table's list state.
    Filter,
    /// Typing a `:` command (edited as in a shell: `kit::line`).
    Command(LineEdit),
    /// `s` was pressed: the next letter picks the sort column.
    SortPending,
    /// `?` help overlay, scrolled by this many lines.
    Help(usize),
}

/// A tenant's panes while another tenant is open: switching back shows them as they were
/// (their data then refreshes), instead of starting from the cache (`app::tenant`).
#[derive(Debug)]
pub struct Parked {
    pub tenant: String,
    pub artifacts: artifacts::Artifacts,
    pub messages: messages::Messages,
    pub queues: queues::Queues,
    pub alerts: alerts::Alerts,
    /// Where the user was (a view of the Tenants pane is not kept: it is every tenant's).
    pub stack: Vec<Route>,
}

#[derive(Debug)]
pub struct State {
    pub now: EpochMs,
    pub time: TimeFmt,
    pub tenant: TenantInfo,
    pub keymap: Keymap,
    pub intervals: Intervals,
    /// Navigation stack; never empty, `stack[0]` is a pane's list.
    pub stack: Vec<Route>,
    pub mode: Mode,
    pub artifacts: artifacts::Artifacts,
    pub messages: messages::Messages,
    pub queues: queues::Queues,
    /// Alert monitors (statuses, evidence, history, monitor-only data).
    pub alerts: alerts::Alerts,
    /// Failed messages of the message window grouped by error signature.
    pub errors: errors::Errors,
    pub keystore: keystore::Keystore,
    pub stats: ApiStats,
    pub toast: Option<Toast>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Something visible changed since the last frame.
    pub dirty: bool,
    pub quit: bool,
    /// What the pollers were last told.
    pub polling: PollPlan,
    /// Where `e` writes exports.
    pub export_dir: PathBuf,
    /// Number of exports written (names files uniquely within a second).
    pub exports: u32,
    /// Guarded writes: the open dialog, the running action, read-only and audit setup.
    pub writes: Writes,
    /// The offline cache of the current tenant.
    pub cache: CacheSync,
    /// Configured tenants and switching (`:ctx`).
    pub ctx: CtxState,
    /// The `:` commands run before (kept in the state dir: `Effect::SaveHistory`).
    pub history: History,
    /// What the last Tab in the `:` line found when several values fit (shown under it).
    pub completions: Vec<String>,
    /// The current tenant cannot be used (its secret is missing): why. Nothing polls; the
    /// banner says so and how to switch (`:ctx`).
    pub unusable: Option<String>,
    /// Every configured tenant at once (the Tenants pane) and the version drift.
    pub tenants: tenants::Tenants,
    /// The panes of tenants switched away from, kept for switching back.
    pub parked: Vec<Parked>,
    /// What the overview runner was last told.
    pub fleet: Option<super::msg::FleetPlan>,
    /// The user's hotkeys and plugins (`[[hotkeys]]`, `[[plugins]]`), their dialogs and runs.
    pub ext: crate::features::extend::Extensions,
}

impl State {
    pub fn new(tenant: TenantInfo, keymap: Keymap, now: EpochMs) -> Self {
        let mut s = State {
            now,
            time: TimeFmt::default(),
            artifacts: artifacts::Artifacts {
                web_ui: tenant.web_ui.clone(),
                ..Default::default()
            },
            queues: queues::Queues {
                web_ui: tenant.web_ui.clone(),
                ..Default::default()
            },
            messages: messages::Messages::with_web_ui(tenant.web_ui.clone()),
            alerts: alerts::Alerts::default(),
            errors: errors::Errors::default(),
            keystore: keystore::Keystore::default(),
            tenant,
            keymap,
            intervals: Intervals::default(),
            stack: vec![Route::home(Pane::Artifacts)],
            mode: Mode::Normal,
            stats: ApiStats::default(),
            toast: None,
            size: (80, 24),
            dirty: true,
            quit: false,
            polling: PollPlan::default(),
            export_dir: std::env::temp_dir(),
            exports: 0,
            writes: Default::default(),
            cache: Default::default(),
            ctx: Default::default(),
            history: History::default(),
            completions: Vec::new(),
            unusable: None,
            tenants: Default::default(),
            parked: Vec::new(),
            fleet: None,
            ext: Default::default(),
        };
        s.messages.query.window_ms = 3_600_000;
        s
    }

    pub fn route(&self) -> &Route {
        // The stack is never empty (see `back`); the fallback keeps render total.
        self.stack.last().unwrap_or(&HOME)
    }

    pub fn pane(&self) -> Pane {
        self.stack.first().map_or(Pane::Artifacts, Route::pane)
    }

    /// A view of any pane, read-only: the one place a route meets its pane.
    pub fn focus<'a>(&'a self, r: &'a Route) -> Box<dyn Focus<'a> + 'a> {
        match r {
            Route::Tenants(r) => Box::new(At(&self.tenants, r)),
            Route::Artifacts(r) => Box::new(At(&self.artifacts, r)),
            Route::Messages(r) => Box::new(At(&self.messages, r)),
            Route::Queues(r) => Box::new(At(&self.queues, r)),
            Route::Alerts(r) => Box::new(At(&self.alerts, r)),
            Route::Errors(r) => Box::new(At(&self.errors, r)),
            Route::Keystore(r) => Box::new(At(&self.keystore, r)),
        }
    }

    /// The focused view, mutable.
    pub fn focus_mut(&mut self) -> Box<dyn FocusMut<'_, Route> + '_> {
        let State {
            stack,
            artifacts,
            messages,
            queues,
            alerts,
            tenants,
            errors,
            keystore,
            ..
        } = self;
        match stack.last().unwrap_or(&HOME) {
            Route::Tenants(r) => Box::new(AtMut(tenants, r, Route::Tenants)),
            Route::Artifacts(r) => Box::new(AtMut(artifacts, r, Route::Artifacts)),
            Route::Messages(r) => Box::new(AtMut(messages, r, Route::Messages)),
            Route::Queues(r) => Box::new(AtMut(queues, r, Route::Queues)),
            Route::Alerts(r) => Box::new(AtMut(alerts, r, Route::Alerts)),
            Route::Errors(r) => Box::new(AtMut(errors, r, Route::Errors)),
            Route::Keystore(r) => Box::new(AtMut(keystore, r, Route::Keystore)),
        }
    }

    /// What handlers and views get besides their slice.
    pub fn cx(&self) -> Cx<'_> {
        self.cx_with(&self.tenant)
    }

    /// [`State::cx`] naming a tenant held elsewhere (a copy), so that the state can be borrowed
    /// mutably beside it.
    pub fn cx_with<'t>(&self, tenant: &'t TenantInfo) -> Cx<'t> {
        Cx {
            now: self.now,
            time: self.time,
            table_rows: self.table_rows(),
            body_rows: self.body_rows(),
            width: self.size.0,
            intervals: self.intervals,
            tenant,
        }
    }

    pub fn cell_cx(&self) -> CellCx {
        CellCx {
            now: self.now,
            time: self.time,
        }
    }

    /// The table of the focused view, if it is one.
    pub fn table(&self) -> Option<&dyn Table> {
        self.focus(self.route()).table()
    }

    pub fn table_mut(&mut self) -> Option<&mut dyn Table> {
        self.focus_mut().table_mut()
    }

    /// Lines of the body (table or detail text): the terminal minus header, tab line,
    /// breadcrumb and footer, and the error banner when shown.
    pub fn body_rows(&self) -> usize {
        let chrome = 4 + usize::from(self.banner().is_some());
        (self.size.1 as usize).saturating_sub(chrome).max(1)
    }

    /// Lines a table shows rows in (the body minus the column titles).
    pub fn table_rows(&self) -> usize {
        self.body_rows().saturating_sub(1).max(1)
    }

    /// The polled data behind a view, with its refresh interval (`None` for one-off fetches).
    pub fn load_of<'a>(&'a self, r: &'a Route) -> Option<(&'a Load, u64)> {
        self.focus(r).load(&self.intervals)
    }

    /// The load behind what the focused view shows, and its interval: the nearest polled view
    /// down the navigation stack (a message opened from a queue shows the queue's freshness).
    pub fn focused_load(&self) -> (&Load, u64) {
        self.stack
            .iter()
            .rev()
            .find_map(|r| self.load_of(r))
            .unwrap_or((&self.artifacts.load, self.intervals.artifacts))
    }

    /// The error to show under the header: the last failure of the data the view stands on.
    pub fn banner(&self) -> Option<String> {
        if let Some(why) = &self.unusable {
            return Some(format!("{why} · :ctx switches"));
        }
        let (load, _) = self.stack.iter().rev().find_map(|r| self.load_of(r))?;
        load.error.clone()
    }

    pub fn toast(&mut self, text: impl Into<String>, kind: ToastKind) {
        let ttl = if kind == ToastKind::Error { 8_000 } else { 4_000 };
        self.toast = Some(Toast {
            text: text.into(),
            kind,
            until: self.now + ttl,
        });
        self.dirty = true;
    }

    /// Re-run filter and sort of the focused table (after its filter, sort or the clock changed).
    pub fn rebuild_focused(&mut self) {
        let cx = self.cell_cx();
        let rows = self.table_rows();
        if let Some(t) = self.table_mut() {
            t.rebuild(&cx);
            t.list_mut().scroll_into_view(rows);
        }
        self.dirty = true;
    }

    /// After the user changed a table's filter or sort (or a toggle that narrows it): rebuild
    /// and start at the top row — the newest first on the Messages pane — rather than keep a
    /// position deep down that hides the best matches above the viewport.
    pub fn rebuild_focused_from_top(&mut self) {
        let cx = self.cell_cx();
        if let Some(t) = self.table_mut() {
            t.rebuild(&cx);
            t.select_position(0);
            t.list_mut().offset = 0;
        }
        self.dirty = true;
    }

    /// Show a pane at its list (the stack starts over).
    pub fn switch_pane(&mut self, p: Pane) {
        self.stack = vec![Route::home(p)];
        self.mode = Mode::Normal;
        self.rebuild_focused();
    }

    /// Leave the focused view (never the last one).
    pub fn back(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
            self.rebuild_focused();
        }
    }
}
