//! The Keystore pane's views: the table of keystore entries (expired and expiring first) and one
//! certificate's details (wrapped, scrollable).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::state::{Keystore, Route};
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::doc::DocLine;
use crate::kit::hint::{Hint, h};
use crate::kit::widgets::theme::Theme;
use crate::kit::widgets::{doc, table_or_placeholder};
use crate::panes::pane::{PaneState, PaneView};

pub const HINTS: &[Hint] = &[
    Hint(Action::Open, Some("certificate")),
    h(Action::Filter),
    Hint(Action::ToggleFailed, Some("expiring")),
    h(Action::Sort),
    Hint(Action::CopyId, Some("copy alias")),
    h(Action::Export),
    h(Action::Help),
    h(Action::Command),
];

pub const CERTIFICATE_HINTS: &[Hint] = &[
    h(Action::Back),
    h(Action::Down),
    h(Action::Up),
    Hint(Action::CopyId, Some("copy alias")),
    h(Action::Refresh),
    h(Action::Help),
];

impl PaneView for Keystore {
    fn hints(route: &Route) -> &'static [Hint] {
        match route {
            Route::List => HINTS,
            Route::Certificate { .. } => CERTIFICATE_HINTS,
        }
    }

    fn crumbs(&self, route: &Route, _cx: &Cx, out: &mut Vec<String>) {
        match route {
            Route::List => {
                out.push("Keystore".into());
                if self.due_only {
                    out.push(format!(
                        "expired or expiring within {}",
                        crate::kit::format::age(self.expiring_ms)
                    ));
                }
            }
            Route::Certificate { alias } => out.push(format!("certificate {alias}")),
        }
    }

    fn doc(&self, route: &Route, cx: &Cx) -> Vec<DocLine> {
        match route {
            Route::List => Vec::new(),
            Route::Certificate { alias } => {
                let expiring = i64::try_from(cx.intervals.keystore_expiring).unwrap_or(i64::MAX);
                super::doc::certificate(self, alias, expiring, &cx.cell(), cx.width as usize)
            }
        }
    }

    fn badge(&self) -> (String, bool) {
        if self.load.loaded_at.is_none() {
            return (String::new(), false);
        }
        match self.due() {
            0 => (format!(" ({})", self.items.len()), false),
            n => (format!(" ({n}!)"), true),
        }
    }

    fn render(&self, route: &Route, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
        match route {
            Route::List => {
                let load = self.load(route, &cx.intervals).unwrap_or((&self.load, 0));
                table_or_placeholder(buf, area, self, load, "keystore entries", &cx.cell(), theme);
            }
            Route::Certificate { .. } => doc::render(buf, area, &self.doc(route, cx), self.scroll, theme),
        }
    }
}
