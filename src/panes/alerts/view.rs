//! The Alerts pane's views: the monitors (errors first) under a summary line, the evidence view
//! (the monitor, each rule's result, the evidence to jump to) and the history of transitions. A
//! certificate named by the evidence opens in the Keystore pane's certificate view.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::state::{Alerts, Route};
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::doc::{DocLine, Seg, wrap};
use crate::kit::hint::{Hint, h};
use crate::kit::table::{Table, Tone};
use crate::kit::widgets::theme::Theme;
use crate::kit::widgets::{no_match, placeholder, spinner, table};
use crate::panes::pane::PaneView;

pub const HINTS: &[Hint] = &[
    Hint(Action::Open, Some("evidence")),
    h(Action::Acknowledge),
    h(Action::Silence),
    h(Action::AlertHistory),
    h(Action::Filter),
    h(Action::Refresh),
    h(Action::Help),
    h(Action::Command),
];

pub const EVIDENCE_HINTS: &[Hint] = &[
    Hint(Action::Open, Some("jump")),
    h(Action::Failures),
    h(Action::Back),
    h(Action::Acknowledge),
    h(Action::Silence),
    h(Action::AlertHistory),
    h(Action::CopyId),
    h(Action::Help),
];

pub const HISTORY_HINTS: &[Hint] = &[
    h(Action::Back),
    h(Action::Filter),
    h(Action::Sort),
    h(Action::Export),
    h(Action::Help),
];

/// The summary line above the list: `1 error · 2 warning · 3 ok — every 1m, next in 42s`.
fn summary(a: &Alerts, cx: &Cx, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    let counts = [
        (a.errors(), "error", Tone::Bad),
        (a.warnings(), "warning", Tone::Warn),
        (
            a.state.count(crate::monitor::Status::NotCalculated),
            "not calculated",
            Tone::Muted,
        ),
        (a.state.count(crate::monitor::Status::Ok), "ok", Tone::Good),
    ];
    let mut first = true;
    for (n, word, tone) in counts {
        if n == 0 {
            continue;
        }
        if !first {
            spans.push(Span::styled(" · ", theme.muted()));
        }
        first = false;
        spans.push(Span::styled(format!("{n} {word}"), theme.tone(tone)));
    }
    let every = crate::kit::format::age(a.interval_ms);
    let next = if a.fetching.is_some() {
        format!("{} evaluating…", spinner(cx.now))
    } else {
        format!("next in {}", crate::kit::format::age(a.next_due - cx.now))
    };
    spans.push(Span::styled(
        format!("   evaluated every {every}, {next}"),
        theme.muted(),
    ));
    if !a.data.failed.is_empty() {
        let parts: Vec<&str> = a.data.failed.iter().map(|(p, _)| p.as_str()).collect();
        spans.push(Span::styled(
            format!(" · not fetched: {}", parts.join(", ")),
            theme.tone(Tone::Warn),
        ));
    }
    Line::from(spans)
}

fn list(a: &Alerts, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
    if let Some(e) = &a.config_error {
        let lines = wrap(
            &[DocLine(vec![Seg {
                text: e.clone(),
                tone: Tone::Bad,
                bold: false,
            }])],
            area.width as usize,
        );
        crate::kit::widgets::doc::render(buf, area, &lines, 0, theme);
        return;
    }
    if !a.configured() {
        let origin = if a.origin.is_empty() {
            "the config file"
        } else {
            a.origin.as_str()
        };
        let text = format!(
            "No monitors for tenant {}. Add [[monitors.defaults]] or [[monitors.tenants.{}]] to {} (see the README).",
            cx.tenant.name, cx.tenant.name, origin
        );
        let lines = wrap(
            &[DocLine(vec![Seg {
                text,
                tone: Tone::Muted,
                bold: false,
            }])],
            area.width as usize,
        );
        let y = area.height / 3;
        let inner = Rect::new(
            area.x + 1,
            area.y + y,
            area.width.saturating_sub(2),
            area.height - y,
        );
        crate::kit::widgets::doc::render(buf, inner, &lines, 0, theme);
        return;
    }
    if a.rows.is_empty() {
        let text = if a.load.loaded_at.is_some() {
            "No active monitors were evaluated.".to_string()
        } else {
            // Until the first round ends: what it waits for.
            let waiting = a
                .fetch_plan
                .as_ref()
                .map(|p| p.parts(cx.now))
                .filter(|p| !p.is_empty())
                .map(|p| format!(": waiting for {}", p.join(", ")))
                .unwrap_or_default();
            format!(
                "{} Evaluating {} monitors{waiting}…",
                spinner(cx.now),
                a.specs.iter().filter(|m| m.active).count()
            )
        };
        if text.chars().count() + 2 <= area.width as usize {
            placeholder(buf, area, Line::styled(text, theme.muted()));
            return;
        }
        let lines = wrap(
            &[DocLine(vec![Seg {
                text,
                tone: Tone::Muted,
                bold: false,
            }])],
            area.width.saturating_sub(2) as usize,
        );
        let y = area.height / 3;
        let inner = Rect::new(
            area.x + 1,
            area.y + y,
            area.width.saturating_sub(2),
            area.height - y,
        );
        crate::kit::widgets::doc::render(buf, inner, &lines, 0, theme);
        return;
    }
    let mut area = area;
    if area.height > 3 {
        buf.set_line(area.x, area.y, &summary(a, cx, theme), area.width);
        area = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    }
    table::render(buf, area, a, &cx.cell(), theme);
    if a.list.view.is_empty() {
        no_match(buf, area, "monitors", &a.list.filter, theme);
    }
}

fn evidence(a: &Alerts, key: &str, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
    let lines = super::doc::evidence(a, key, cx);
    let ev = &a.evidence;
    // The document gets what it needs, but leaves the evidence table at least 4 rows.
    let table_min = if ev.rows.is_empty() { 2 } else { 4 + 1 };
    let top = (lines.len() as u16 + 1).min(area.height.saturating_sub(table_min));
    crate::kit::widgets::doc::render(buf, Rect::new(area.x, area.y, area.width, top), &lines, 0, theme);
    let rest = Rect::new(area.x, area.y + top, area.width, area.height - top);
    if rest.height == 0 {
        return;
    }
    if ev.rows.is_empty() {
        buf.set_line(
            rest.x,
            rest.y,
            &Line::styled(
                " No evidence items: the rules name nothing to jump to.",
                theme.muted(),
            ),
            rest.width,
        );
        return;
    }
    table::render(buf, rest, ev, &cx.cell(), theme);
}

fn history(a: &Alerts, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
    let hist = &a.history;
    if hist.items.is_empty() {
        placeholder(
            buf,
            area,
            Line::styled("No transitions recorded for this tenant yet.", theme.muted()),
        );
        return;
    }
    table::render(buf, area, hist, &cx.cell(), theme);
    if hist.list().view.is_empty() {
        let inner = Rect::new(area.x, area.y + 1, area.width, area.height.saturating_sub(1));
        placeholder(
            buf,
            inner,
            Line::styled(
                format!(
                    "No transitions match /{} — Esc clears the filter.",
                    hist.list.filter
                ),
                theme.muted(),
            ),
        );
    }
}

impl PaneView for Alerts {
    fn hints(route: &Route) -> &'static [Hint] {
        match route {
            Route::List => HINTS,
            Route::Evidence { .. } => EVIDENCE_HINTS,
            Route::History => HISTORY_HINTS,
        }
    }

    fn crumbs(&self, route: &Route, _cx: &Cx, out: &mut Vec<String>) {
        match route {
            Route::List => out.push("Alerts".into()),
            Route::Evidence { key } => out.push(
                self.state
                    .get(key)
                    .map(|m| m.name.clone())
                    .unwrap_or_else(|| key.clone()),
            ),
            Route::History => out.push("history".into()),
        }
    }

    fn doc(&self, route: &Route, _cx: &Cx) -> Vec<DocLine> {
        match route {
            Route::List | Route::Evidence { .. } | Route::History => Vec::new(),
        }
    }

    fn badge(&self) -> (String, bool) {
        if self.config_error.is_some() {
            return (" (config error)".into(), true);
        }
        if self.rows.is_empty() {
            return (String::new(), false);
        }
        match (self.errors(), self.warnings()) {
            (0, 0) => (" (ok)".into(), false),
            (0, w) => (format!(" ({w} warning)"), true),
            (e, _) => (format!(" ({e} error)"), true),
        }
    }

    fn render(&self, route: &Route, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
        match route {
            Route::List => list(self, buf, area, cx, theme),
            Route::Evidence { key } => evidence(self, key, buf, area, cx, theme),
            Route::History => history(self, buf, area, cx, theme),
        }
    }
}
