//! The Alerts pane (monitors, errors first), the evidence view (the monitor, each rule's result,
//! the evidence to jump to), the history of transitions, and a certificate's details.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::chrome::{Hint, h};
use crate::app::alerts_actions::{certificate_doc, evidence_doc};
use crate::app::state::State;
use crate::kit::action::Action;
use crate::kit::table::{Table, Tone};
use crate::kit::widgets::theme::Theme;

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

pub const CERTIFICATE_HINTS: &[Hint] = &[h(Action::Back), h(Action::CopyId), h(Action::Help)];

/// The summary line above the list: `1 error · 2 warning · 3 ok — every 1m, next in 42s`.
fn summary(s: &State, theme: &Theme) -> Line<'static> {
    let a = &s.alerts;
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
        format!("{} evaluating…", super::spinner(s))
    } else {
        format!("next in {}", crate::kit::format::age(a.next_due - s.now))
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

pub fn render(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let a = &s.alerts;
    if let Some(e) = &a.config_error {
        let lines = crate::app::doc::wrap(
            &[crate::app::doc::DocLine(vec![crate::app::doc::Seg {
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
            s.tenant.name, s.tenant.name, origin
        );
        let lines = crate::app::doc::wrap(
            &[crate::app::doc::DocLine(vec![crate::app::doc::Seg {
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
            format!(
                "{} Evaluating {} monitors… (first round within a few seconds)",
                super::spinner(s),
                a.specs.iter().filter(|m| m.active).count()
            )
        };
        super::placeholder(buf, area, Line::styled(text, theme.muted()));
        return;
    }
    let mut area = area;
    if area.height > 3 {
        buf.set_line(area.x, area.y, &summary(s, theme), area.width);
        area = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    }
    crate::kit::widgets::table::render(buf, area, &s.alerts, &s.cell_cx(), theme);
    if s.alerts.list.view.is_empty() {
        let text = format!(
            "No monitors match /{} — Esc clears the filter.",
            s.alerts.list.filter
        );
        let inner = Rect::new(area.x, area.y + 1, area.width, area.height.saturating_sub(1));
        super::placeholder(buf, inner, Line::styled(text, theme.muted()));
    }
}

pub fn render_evidence(buf: &mut Buffer, area: Rect, s: &State, key: &str, theme: &Theme) {
    let lines = evidence_doc(s, key);
    let ev = &s.alerts.evidence;
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
    crate::kit::widgets::table::render(buf, rest, ev, &s.cell_cx(), theme);
}

pub fn render_history(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let hist = &s.alerts.history;
    if hist.items.is_empty() {
        super::placeholder(
            buf,
            area,
            Line::styled("No transitions recorded for this tenant yet.", theme.muted()),
        );
        return;
    }
    crate::kit::widgets::table::render(buf, area, hist, &s.cell_cx(), theme);
    if hist.list().view.is_empty() {
        let inner = Rect::new(area.x, area.y + 1, area.width, area.height.saturating_sub(1));
        super::placeholder(
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

pub fn render_certificate(buf: &mut Buffer, area: Rect, s: &State, alias: &str, theme: &Theme) {
    let lines = certificate_doc(s, alias);
    crate::kit::widgets::doc::render(buf, area, &lines, 0, theme);
}
