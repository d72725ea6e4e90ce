//! The Errors pane's views: a line on the error texts (how many read, how many still to fetch
//! within the budget) above the table of signature groups; one group's member messages.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::state::{Errors, Route};
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::doc::DocLine;
use crate::kit::format::thousands;
use crate::kit::hint::{Hint, h};
use crate::kit::load::Phase;
use crate::kit::table::Tone;
use crate::kit::widgets::theme::Theme;
use crate::kit::widgets::{placeholder, spinner, table_or_placeholder};
use crate::panes::pane::{PaneState, PaneView};

pub const HINTS: &[Hint] = &[
    Hint(Action::Open, Some("members")),
    h(Action::NewestError),
    h(Action::Filter),
    h(Action::SplitIflow),
    h(Action::Sort),
    h(Action::CopyId),
    h(Action::Export),
    h(Action::Help),
    h(Action::Command),
];

pub const MEMBERS_HINTS: &[Hint] = &[
    h(Action::Open),
    h(Action::Back),
    h(Action::NewestError),
    h(Action::Filter),
    h(Action::CopyId),
    h(Action::Export),
    h(Action::Help),
];

/// `350 failures · 9 signatures (2 new) · texts: 310 read, 40 to fetch (60/min) · last 1h`.
pub fn header_line(e: &Errors, cx: &Cx, theme: &Theme) -> Line<'static> {
    let g = &e.grouped;
    let (sigs, new) = e.counts();
    let mut spans = vec![Span::styled(
        format!(" {} failed", thousands(g.rows.len() as u64)),
        theme.title(),
    )];
    let mut sig = format!(
        " · {} {}",
        thousands(sigs as u64),
        if sigs == 1 { "signature" } else { "signatures" }
    );
    if new > 0 {
        sig.push_str(&format!(" ({new} new)"));
    }
    spans.push(Span::raw(sig));
    let unfetched = e.unfetched();
    let read = g.rows.len().saturating_sub(unfetched);
    let texts = format!(
        " · texts: {} read, {} to fetch ({}/min)",
        thousands(read as u64),
        thousands(unfetched as u64),
        e.budget.per_minute()
    );
    let tone = if unfetched > 0 { Tone::Warn } else { Tone::Normal };
    spans.push(Span::styled(texts, theme.tone(tone)));
    if !e.failed.is_empty() {
        spans.push(Span::styled(
            format!(" · {} failed (r retries)", e.failed.len()),
            theme.tone(Tone::Bad),
        ));
    }
    if e.running.is_some() {
        spans.push(Span::styled(
            format!(" · {} grouping", spinner(cx.now)),
            theme.muted(),
        ));
    }
    Line::from(spans)
}

impl PaneView for Errors {
    fn hints(route: &Route) -> &'static [Hint] {
        match route {
            Route::List => HINTS,
            Route::Members { .. } => MEMBERS_HINTS,
        }
    }

    fn crumbs(&self, route: &Route, _cx: &Cx, out: &mut Vec<String>) {
        match route {
            Route::List => {
                out.push("Errors".into());
                if !self.window_label.is_empty() {
                    out.push(self.window_label.clone());
                }
                if self.per_iflow {
                    out.push("per iFlow".into());
                }
            }
            Route::Members { .. } => {
                let template = self
                    .members
                    .key
                    .and_then(|k| self.members.grouped.group(k))
                    .map(|g| g.template.clone())
                    .unwrap_or_else(|| "group".into());
                out.push(template);
            }
        }
    }

    fn doc(&self, _route: &Route, _cx: &Cx) -> Vec<DocLine> {
        Vec::new()
    }

    /// Signatures, and the new ones as needing attention.
    fn badge(&self) -> (String, bool) {
        if !self.grouped_once {
            return (String::new(), false);
        }
        match self.counts() {
            (n, 0) => (format!(" ({n})"), false),
            (_, new) => (format!(" ({new} new)"), true),
        }
    }

    fn render(&self, route: &Route, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
        let load = self.load(route, &cx.intervals).unwrap_or((&self.load, 0));
        let phase = load.0.phase(cx.now, load.1 as i64);
        let held = matches!(phase, Phase::Fresh | Phase::Stale);
        match route {
            Route::List => {
                let mut area = area;
                if held && self.grouped_once && area.height > 2 {
                    buf.set_line(area.x, area.y, &header_line(self, cx, theme), area.width);
                    area = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
                }
                if held && !self.grouped_once {
                    placeholder(
                        buf,
                        area,
                        Line::styled(
                            format!("{} Grouping the failed messages…", spinner(cx.now)),
                            theme.muted(),
                        ),
                    );
                    return;
                }
                table_or_placeholder(buf, area, self, load, "failed messages", &cx.cell(), theme);
            }
            Route::Members { .. } => {
                let mut area = area;
                if self.members.gone && area.height > 2 {
                    let line = Line::from(Span::styled(
                        " This group is no longer in the window (its messages were regrouped as their texts arrived, or left the window); shown as it was.",
                        theme.tone(Tone::Warn),
                    ));
                    buf.set_line(area.x, area.y, &line, area.width);
                    area = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
                }
                table_or_placeholder(buf, area, &self.members, load, "members", &cx.cell(), theme);
            }
        }
    }
}
