//! The contract between a pane and the app.
//!
//! A pane holds its slice of the state and its own views (`PaneState::Route`: its list and its
//! drill-downs). The app asks it, for the view in focus, for its table, its freshness, what `y`
//! copies, what its keys do (`act`: a [`Reply`] — effects as data ([`Out`]), its own next view
//! (`push`), intents to go elsewhere (`kit::nav::Nav`), a notice); and how to draw it
//! (`PaneView`, in the pane's `view.rs`). Handlers and drawing get their slice and a narrow
//! context (`kit::cx::Cx`), never the whole application state.
//!
//! The app reaches the focused view through [`Focus`] / [`FocusMut`] (built by one match on its
//! `Route`), so adding a pane adds one arm there rather than one per question.

use std::fmt::Debug;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::features::writes::{Job, Known};
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::doc::DocLine;
use crate::kit::hint::Hint;
use crate::kit::keymap::Context;
use crate::kit::load::Load;
use crate::kit::nav::Nav;
use crate::kit::subject::Subject;
use crate::kit::table::{CellCx, Table};
use crate::kit::tenant::Intervals;
use crate::kit::toast::Say;
use crate::kit::widgets::theme::Theme;
use crate::monitor::AlertControls;

/// What a view asks the outside world to do (the app turns each into an effect).
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    FetchArtifactError {
        id: String,
    },
    FetchMessage {
        guid: String,
    },
    FetchCorrelated {
        correlation_id: String,
    },
    FetchAttachment {
        id: String,
    },
    FetchCertificate {
        alias: String,
    },
    /// A guarded write (the app checks read-only and opens its confirmation).
    Write {
        job: Job,
        known: Known,
    },
    /// Keep the acknowledgements and silences.
    SaveAlertControls(AlertControls),
    /// Run a monitor round now.
    AlertRound,
    /// Open the command line with this text typed (`S` asks for the silence period).
    Prompt(String),
    /// Read every tenant's overview now (`r` on the Tenants pane).
    RefreshTenants,
}

/// A view's answer to a key: effects, its own next view, intents to go elsewhere, a notice.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<R> {
    pub out: Vec<Out>,
    /// Drill into one of the pane's own views (pushed on the navigation stack).
    pub push: Option<R>,
    pub nav: Vec<Nav>,
    pub say: Option<Say>,
}

impl<R> Default for Reply<R> {
    fn default() -> Self {
        Self {
            out: Vec::new(),
            push: None,
            nav: Vec::new(),
            say: None,
        }
    }
}

impl<R> Reply<R> {
    pub fn none() -> Self {
        Self::default()
    }
    pub fn say(say: Say) -> Self {
        Self {
            say: Some(say),
            ..Self::default()
        }
    }
    pub fn nav(nav: Nav) -> Self {
        Self {
            nav: vec![nav],
            ..Self::default()
        }
    }
    pub fn push(route: R, out: Vec<Out>) -> Self {
        Self {
            out,
            push: Some(route),
            ..Self::default()
        }
    }
    pub fn out(out: Out) -> Self {
        Self {
            out: vec![out],
            ..Self::default()
        }
    }
    /// The same reply for an outer route type.
    pub fn map<S>(self, f: impl FnOnce(R) -> S) -> Reply<S> {
        Reply {
            out: self.out,
            push: self.push.map(f),
            nav: self.nav,
            say: self.say,
        }
    }
}

/// A pane's state: its slice, its views, what its keys do.
pub trait PaneState {
    /// The pane's views: its list and its drill-downs.
    type Route: Clone + PartialEq + Debug;
    /// The keymap contexts of a view, most specific first.
    fn contexts(route: &Self::Route) -> [Context; 3];
    /// The view's table, if it is one.
    fn table(&self, route: &Self::Route) -> Option<&dyn Table>;
    fn table_mut(&mut self, route: &Self::Route) -> Option<&mut dyn Table>;
    /// The polled data the view stands on, with its refresh interval (`None`: one-off fetches).
    fn load<'a>(&'a self, route: &Self::Route, intervals: &Intervals) -> Option<(&'a Load, u64)>;
    /// The scroll position of a text view.
    fn scroll_mut(&mut self, route: &Self::Route) -> Option<&mut usize>;
    /// What `y` copies: what it is, and the text (`None`: nothing selected).
    fn copy_id(&self, route: &Self::Route) -> (&'static str, Option<String>);
    /// What `Y` copies: the tenant's web-UI link of what is shown or selected.
    fn link(&self, route: &Self::Route) -> Option<String> {
        let t = self.table(route)?;
        t.list().selected_row().and_then(|r| t.link(r))
    }
    /// The word export files of a table view are named after.
    fn export_name(&self, route: &Self::Route) -> String;
    /// What a plugin (`[[plugins]]`) is given of the view: its selected row(s) and their ids
    /// (`None`: nothing selected). By default a table's selected row as its record
    /// (`Table::record`), with its web-UI link; panes add the ids their rows carry.
    fn subject(&self, route: &Self::Route, cx: &CellCx) -> Option<Subject> {
        let mut s = Subject::from_table(self.table(route)?, cx)?;
        if let Some(link) = self.link(route) {
            s.set(crate::kit::subject::Var::WebLink, &link);
        }
        Some(s)
    }
    /// What a key does in this view; `None`: nothing here.
    fn act(&mut self, route: &Self::Route, a: Action, cx: &Cx) -> Option<Reply<Self::Route>>;
    /// `r`: read the view's one-off data again (polled data is refreshed by the app).
    fn refresh(&mut self, route: &Self::Route) -> Reply<Self::Route>;
}

/// How a pane's views look: footer hints, breadcrumbs, documents, the tab's count, the drawing.
pub trait PaneView: PaneState {
    /// The commands a view declares for its footer (most useful first).
    fn hints(route: &Self::Route) -> &'static [Hint];
    /// The view's part of the breadcrumb line.
    fn crumbs(&self, route: &Self::Route, cx: &Cx, out: &mut Vec<String>);
    /// The text view's document, wrapped to the screen (empty for tables).
    fn doc(&self, route: &Self::Route, cx: &Cx) -> Vec<DocLine>;
    /// The count on the pane's tab, and whether it needs attention.
    fn badge(&self) -> (String, bool);
    fn render(&self, route: &Self::Route, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme);
}

/// The view in focus, read-only, whatever its pane (see [`At`]).
pub trait Focus<'a> {
    fn contexts(&self) -> [Context; 3];
    fn table(&self) -> Option<&'a dyn Table>;
    fn load(&self, intervals: &Intervals) -> Option<(&'a Load, u64)>;
    fn copy_id(&self) -> (&'static str, Option<String>);
    fn link(&self) -> Option<String>;
    fn export_name(&self) -> String;
    fn subject(&self, cx: &CellCx) -> Option<Subject>;
    fn hints(&self) -> &'static [Hint];
    fn crumbs(&self, cx: &Cx, out: &mut Vec<String>);
    fn doc(&self, cx: &Cx) -> Vec<DocLine>;
    fn badge(&self) -> (String, bool);
    fn render(&self, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme);
}

/// A pane and one of its views.
pub struct At<'a, P: PaneView>(pub &'a P, pub &'a P::Route);

impl<'a, P: PaneView> Focus<'a> for At<'a, P> {
    fn contexts(&self) -> [Context; 3] {
        P::contexts(self.1)
    }
    fn table(&self) -> Option<&'a dyn Table> {
        self.0.table(self.1)
    }
    fn load(&self, intervals: &Intervals) -> Option<(&'a Load, u64)> {
        self.0.load(self.1, intervals)
    }
    fn copy_id(&self) -> (&'static str, Option<String>) {
        self.0.copy_id(self.1)
    }
    fn link(&self) -> Option<String> {
        self.0.link(self.1)
    }
    fn export_name(&self) -> String {
        self.0.export_name(self.1)
    }
    fn subject(&self, cx: &CellCx) -> Option<Subject> {
        self.0.subject(self.1, cx)
    }
    fn hints(&self) -> &'static [Hint] {
        P::hints(self.1)
    }
    fn crumbs(&self, cx: &Cx, out: &mut Vec<String>) {
        self.0.crumbs(self.1, cx, out)
    }
    fn doc(&self, cx: &Cx) -> Vec<DocLine> {
        self.0.doc(self.1, cx)
    }
    fn badge(&self) -> (String, bool) {
        self.0.badge()
    }
    fn render(&self, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
        self.0.render(self.1, buf, area, cx, theme)
    }
}

/// The view in focus, mutable, whatever its pane; `R` is the app's route (see [`AtMut`]).
pub trait FocusMut<'a, R> {
    fn table_mut(self: Box<Self>) -> Option<&'a mut dyn Table>;
    fn scroll_mut(self: Box<Self>) -> Option<&'a mut usize>;
    fn act(self: Box<Self>, a: Action, cx: &Cx) -> Option<Reply<R>>;
    fn refresh(self: Box<Self>) -> Reply<R>;
}

/// A pane, one of its views, and how its views are named among all views (`wrap`).
pub struct AtMut<'a, P: PaneState, R>(pub &'a mut P, pub &'a P::Route, pub fn(P::Route) -> R);

impl<'a, P: PaneState, R> FocusMut<'a, R> for AtMut<'a, P, R> {
    fn table_mut(self: Box<Self>) -> Option<&'a mut dyn Table> {
        let AtMut(pane, route, _) = *self;
        pane.table_mut(route)
    }
    fn scroll_mut(self: Box<Self>) -> Option<&'a mut usize> {
        let AtMut(pane, route, _) = *self;
        pane.scroll_mut(route)
    }
    fn act(self: Box<Self>, a: Action, cx: &Cx) -> Option<Reply<R>> {
        let AtMut(pane, route, wrap) = *self;
        pane.act(route, a, cx).map(|r| r.map(wrap))
    }
    fn refresh(self: Box<Self>) -> Reply<R> {
        let AtMut(pane, route, wrap) = *self;
        pane.refresh(route).map(wrap)
    }
}
