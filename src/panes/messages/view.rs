//! The Messages pane's views: the table over the message window (newest first); one message
//! (properties, error text, custom headers, attachments, runs); the messages sharing its
//! correlation id; its attachments and one attachment's content.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::state::{Messages, Route};
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::doc::{DocLine, Seg, wrap};
use crate::kit::format::{thousands, window_label};
use crate::kit::hint::{Hint, h};
use crate::kit::load::Fetch;
use crate::kit::table::Tone;
use crate::kit::widgets::theme::Theme;
use crate::kit::widgets::{doc, no_match, placeholder, spinner, table, table_or_placeholder};
use crate::panes::pane::{PaneState, PaneView};

pub const HINTS: &[Hint] = &[
    h(Action::Open),
    h(Action::Filter),
    Hint(Action::Top, Some("newest")),
    h(Action::ToggleFailed),
    h(Action::Window),
    h(Action::Live),
    h(Action::CopyId),
    h(Action::Export),
    h(Action::Help),
    h(Action::Command),
];

pub const DETAIL_HINTS: &[Hint] = &[
    h(Action::Back),
    h(Action::JumpArtifact),
    h(Action::Correlated),
    h(Action::Attachments),
    h(Action::CopyId),
    h(Action::CopyLink),
    h(Action::Down),
    h(Action::Help),
];

pub const ATTACHMENT_HINTS: &[Hint] = &[
    h(Action::Back),
    h(Action::Down),
    h(Action::Up),
    h(Action::PageDown),
    h(Action::CopyId),
];

pub const CORRELATED_HINTS: &[Hint] = &[
    h(Action::Open),
    h(Action::Back),
    h(Action::Filter),
    h(Action::CopyId),
    h(Action::CopyLink),
    h(Action::Export),
];

pub const ATTACHMENTS_HINTS: &[Hint] = &[
    h(Action::Open),
    h(Action::Back),
    h(Action::Filter),
    h(Action::CopyId),
    h(Action::Export),
];

impl PaneView for Messages {
    fn hints(route: &Route) -> &'static [Hint] {
        match route {
            Route::List => HINTS,
            Route::Detail { .. } => DETAIL_HINTS,
            Route::Correlated { .. } => CORRELATED_HINTS,
            Route::Attachments { .. } => ATTACHMENTS_HINTS,
            Route::Attachment { .. } => ATTACHMENT_HINTS,
        }
    }

    fn crumbs(&self, route: &Route, cx: &Cx, out: &mut Vec<String>) {
        match route {
            Route::List => {
                out.push("Messages".into());
                out.push(self.window_label(&cx.time));
                let q = &self.query;
                for (k, v) in q.filters() {
                    out.push(format!("{k}={v}"));
                }
                if self.failed_only {
                    out.push("failed only".into());
                }
                if self.live {
                    out.push("live".into());
                }
                if self.sorting.is_some() {
                    out.push("sorting…".into());
                }
                if self.is_filtering() {
                    out.push("filtering…".into());
                }
                if let Some(prev) = &self.previous {
                    // What is on screen (dimmed) until the new query's rows arrive.
                    let mut was: Vec<String> =
                        prev.filters().iter().map(|(k, v)| format!("{k}={v}")).collect();
                    if was.is_empty() || prev.window_ms != self.query.window_ms || prev.range.is_some() {
                        was.insert(
                            0,
                            match prev.range {
                                Some(_) => "a fixed range".to_string(),
                                None => format!("last {}", window_label(prev.window_ms)),
                            },
                        );
                    }
                    out.push(format!("still showing {}", was.join(" ")));
                }
                if let Some(l) = self.loading {
                    out.push(format!(
                        "{} loading… {} rows",
                        spinner(cx.now),
                        thousands(l.rows as u64)
                    ));
                }
                let newer = self.newer_above();
                if newer > 0 {
                    out.push(format!("{} newer ↑", thousands(newer as u64)));
                }
            }
            Route::Detail { guid } => out.push(format!("message {guid}")),
            Route::Correlated { correlation_id } => out.push(format!("correlation {correlation_id}")),
            Route::Attachments { .. } => out.push("attachments".into()),
            Route::Attachment { .. } => out.push(
                self.attachment
                    .as_ref()
                    .map(|a| a.name.clone())
                    .unwrap_or_else(|| "attachment".into()),
            ),
        }
    }

    fn doc(&self, route: &Route, cx: &Cx) -> Vec<DocLine> {
        let width = cx.width as usize;
        match route {
            Route::Detail { .. } => self
                .detail
                .as_ref()
                .map(|d| super::doc::message(d, &cx.time, cx.now, width))
                .unwrap_or_default(),
            Route::Attachment { .. } => self
                .attachment
                .as_ref()
                .map(|a| super::doc::attachment(a, width))
                .unwrap_or_default(),
            Route::List | Route::Correlated { .. } | Route::Attachments { .. } => Vec::new(),
        }
    }

    fn badge(&self) -> (String, bool) {
        if self.load.loaded_at.is_none() {
            return (String::new(), false);
        }
        let w = match self.query.range {
            Some(_) => "window".to_string(),
            None => window_label(self.query.window_ms),
        };
        let n = self.failed_in_window();
        (format!(" ({} failed/{w})", thousands(n as u64)), n > 0)
    }

    fn render(&self, route: &Route, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
        match route {
            Route::List => {
                let load = self.load(route, &cx.intervals).unwrap_or((&self.load, 0));
                // What the list holds, so an empty one says what it looked for and where.
                let filters: Vec<String> = self
                    .query
                    .filters()
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                let mut what = "messages".to_string();
                if !filters.is_empty() {
                    what.push_str(&format!(" with {}", filters.join(", ")));
                }
                match self.query.range {
                    Some(_) => what.push_str(" in the range shown"),
                    None => what.push_str(&format!(" in the last {}", window_label(self.query.window_ms))),
                }
                table_or_placeholder(buf, area, self, load, &what, &cx.cell(), theme);
            }
            Route::Detail { .. } => {
                let scroll = self.detail.as_ref().map_or(0, |d| d.scroll);
                doc::render(buf, area, &self.doc(route, cx), scroll, theme);
            }
            Route::Attachment { .. } => {
                let scroll = self.attachment.as_ref().map_or(0, |a| a.scroll);
                doc::render(buf, area, &self.doc(route, cx), scroll, theme);
            }
            Route::Correlated { .. } => correlated(self, buf, area, cx, theme),
            Route::Attachments { .. } => {
                table::render(buf, area, &self.attachments, &cx.cell(), theme);
                let list = &self.attachments.list;
                if list.is_empty() && !list.filter.is_empty() {
                    no_match(buf, area, "attachments", &list.filter, theme);
                }
            }
        }
    }
}

/// Messages sharing a correlation id.
fn correlated(m: &Messages, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
    match &m.correlated.items {
        Fetch::Pending => placeholder(
            buf,
            area,
            Line::styled(
                format!("{} Loading messages with this correlation id…", spinner(cx.now)),
                theme.muted(),
            ),
        ),
        Fetch::Failed(e) => {
            // Wrapped, not cut: the whole error is the only thing on screen.
            let line = DocLine(vec![Seg {
                text: format!("Could not list correlated messages: {e}"),
                tone: Tone::Bad,
                bold: false,
            }]);
            let style = theme.tone(Tone::Bad);
            for (i, l) in wrap(&[line], area.width as usize)
                .iter()
                .take(area.height as usize)
                .enumerate()
            {
                buf.set_stringn(area.x, area.y + i as u16, l.text(), area.width as usize, style);
            }
        }
        Fetch::Done(items) => {
            table::render(buf, area, &m.correlated, &cx.cell(), theme);
            let list = &m.correlated.list;
            if items.is_empty() {
                let text = format!(
                    "The tenant returned no messages with correlation id {}.",
                    m.correlated.correlation_id
                );
                let inner = Rect::new(area.x, area.y + 1, area.width, area.height.saturating_sub(1));
                placeholder(buf, inner, Line::styled(text, theme.muted()));
            } else if list.is_empty() && !list.filter.is_empty() {
                no_match(buf, area, "messages", &list.filter, theme);
            }
        }
    }
}
