//! The Artifacts pane's views: the table over runtime artifacts, and one artifact with its
//! deployment error (wrapped, scrollable).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::state::{Artifacts, Route};
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::doc::DocLine;
use crate::kit::hint::{Hint, h};
use crate::kit::widgets::theme::Theme;
use crate::kit::widgets::{doc, table_or_placeholder};
use crate::panes::pane::{PaneState, PaneView};

pub const HINTS: &[Hint] = &[
    h(Action::Open),
    h(Action::Filter),
    Hint(Action::ToggleFailed, Some("not started")),
    h(Action::Sort),
    h(Action::CopyId),
    h(Action::Export),
    h(Action::Help),
    h(Action::Command),
    h(Action::Restart),
    h(Action::Undeploy),
];

pub const DETAIL_HINTS: &[Hint] = &[
    h(Action::Back),
    h(Action::Down),
    h(Action::Up),
    h(Action::CopyId),
    h(Action::CopyLink),
    h(Action::Refresh),
    h(Action::Help),
];

impl PaneView for Artifacts {
    fn hints(route: &Route) -> &'static [Hint] {
        match route {
            Route::List => HINTS,
            Route::Detail { .. } => DETAIL_HINTS,
        }
    }

    fn crumbs(&self, route: &Route, _cx: &Cx, out: &mut Vec<String>) {
        match route {
            Route::List => {
                out.push("Artifacts".into());
                if self.not_started_only {
                    out.push("not started".into());
                }
            }
            Route::Detail { id } => out.push(
                self.by_id(id)
                    .map(|a| a.name.clone())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| id.clone()),
            ),
        }
    }

    fn doc(&self, route: &Route, cx: &Cx) -> Vec<DocLine> {
        match route {
            Route::List => Vec::new(),
            Route::Detail { id } => super::doc::detail(self, id, &cx.cell(), cx.width as usize),
        }
    }

    fn badge(&self) -> (String, bool) {
        if self.load.loaded_at.is_none() {
            return (String::new(), false);
        }
        match self.not_started() {
            0 => (format!(" ({})", self.items.len()), false),
            n => (format!(" ({n}!)"), true),
        }
    }

    fn render(&self, route: &Route, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
        match route {
            Route::List => {
                let load = self.load(route, &cx.intervals).unwrap_or((&self.load, 0));
                table_or_placeholder(buf, area, self, load, "artifacts", &cx.cell(), theme);
            }
            Route::Detail { .. } => doc::render(buf, area, &self.doc(route, cx), self.scroll, theme),
        }
    }
}
