//! Header, tab line, error banner, breadcrumb and footer (hints, command and filter input, toast).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::state::{Mode, Pane, Route, State, ToastKind};
use crate::kit::format::{age, thousands};
use crate::kit::hint::Hint;
use crate::kit::load::Phase;
use crate::kit::table::Tone;
use crate::kit::widgets::spinner;
use crate::kit::widgets::theme::Theme;

fn width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(|s| s.width()).sum()
}

pub fn header(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let sep = || Span::styled(" ─ ", theme.muted());
    // (priority, spans): lowest priority is dropped first when the line does not fit.
    let mut parts: Vec<(u8, Vec<Span>)> = Vec::new();
    parts.push((1, vec![Span::styled(" cpitop", theme.title())]));
    let mut tenant = vec![Span::styled(
        s.tenant.name.clone(),
        Style::default().add_modifier(Modifier::BOLD),
    )];
    let env = s.tenant.badge();
    let prod = s.tenant.is_prod();
    let mut badge = env.clone();
    if s.tenant.read_only {
        if !badge.is_empty() {
            badge.push_str(" · ");
        }
        badge.push_str("READ-ONLY");
    }
    if !badge.is_empty() {
        tenant.push(Span::raw(" "));
        tenant.push(Span::styled(format!("[{badge}]"), theme.badge(prod)));
    }
    parts.push((9, tenant));
    let (load, interval) = s.focused_load();
    let phase = load.phase(s.now, interval as i64);
    let conn = match (&load.error, load.loaded_at, load.loading) {
        (Some(_), _, _) => Span::styled("● error", theme.tone(Tone::Bad)),
        (None, Some(_), _) if load.from_cache => {
            Span::styled(format!("{} connecting", spinner(s.now)), theme.tone(Tone::Warn))
        }
        (None, Some(_), _) => Span::styled("● connected", theme.tone(Tone::Good)),
        (None, None, _) => Span::styled(format!("{} connecting", spinner(s.now)), theme.tone(Tone::Warn)),
    };
    parts.push((8, vec![conn]));
    if let Some(at) = load.loaded_at {
        let text = if load.from_cache {
            format!("cached data {} old", age(s.now - at))
        } else {
            format!("data {} old", age(s.now - at))
        };
        let span = if phase == Phase::Stale {
            Span::styled(
                format!("{text} (STALE)"),
                theme.tone(Tone::Warn).add_modifier(Modifier::BOLD),
            )
        } else {
            Span::raw(text)
        };
        parts.push((7, vec![span]));
    }
    let mut rate = vec![Span::raw(format!("{:.1} req/min", s.stats.per_minute))];
    if s.stats.throttled > 0 {
        rate.push(Span::styled(
            format!(" · {} throttled", thousands(s.stats.throttled)),
            theme.tone(Tone::Warn),
        ));
    }
    if s.stats.failed > 0 {
        rate.push(Span::styled(
            format!(" · {} failed", thousands(s.stats.failed)),
            theme.tone(Tone::Bad),
        ));
    }
    parts.push((4, rate));
    parts.push((
        5,
        vec![Span::raw(format!("{} {}", s.time.clock(s.now), s.time.zone()))],
    ));
    let total = |parts: &Vec<(u8, Vec<Span>)>| {
        parts.iter().map(|(_, sp)| width(sp)).sum::<usize>() + 3 * parts.len().saturating_sub(1)
    };
    while total(&parts) > area.width as usize && parts.len() > 1 {
        let lowest = parts
            .iter()
            .enumerate()
            .min_by_key(|(_, (p, _))| *p)
            .map(|(i, _)| i)
            .unwrap_or(0);
        parts.remove(lowest);
    }
    let mut spans = Vec::new();
    for (i, (_, sp)) in parts.into_iter().enumerate() {
        if i > 0 {
            spans.push(sep());
        }
        spans.extend(sp);
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    if s.alerts.flashing(s.now) {
        // A monitor just turned to warning/error (see the Alerts pane).
        buf.set_style(area, theme.banner());
    }
}

pub fn tabs(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    // The full tab line, else more and more compact until it fits (every pane keeps its number).
    let mut spans = Vec::new();
    for level in 0..=3 {
        spans = tab_spans(s, theme, level);
        if width(&spans) <= area.width as usize {
            break;
        }
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

/// The tab line at a compaction `level`: 0 everything; 1 the counts of other panes only where
/// they need attention; 2 also titles cut to four letters; 3 no counts but the active pane's.
fn tab_spans<'a>(s: &State, theme: &Theme, level: u8) -> Vec<Span<'a>> {
    let mut spans = vec![Span::raw(" ")];
    for p in Pane::ALL {
        let home = Route::home(p);
        let (count, bad) = s.focus(&home).badge();
        let active = p == s.pane();
        let count = match level {
            0 => count,
            1 | 2 if active || bad => count,
            3 if active => count,
            _ => String::new(),
        };
        let title: String = if level >= 2 && !active {
            p.title().chars().take(4).collect()
        } else {
            p.title().to_string()
        };
        let label = format!("{} {title}", p.number());
        if p == s.pane() {
            spans.push(Span::styled(format!(" {label}"), theme.tab_active()));
            spans.push(Span::styled(format!("{count} "), theme.tab_active()));
        } else {
            spans.push(Span::raw(format!(" {label}")));
            let st = if bad {
                theme.tone(Tone::Bad).add_modifier(Modifier::BOLD)
            } else {
                theme.muted()
            };
            spans.push(Span::styled(count, st));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::raw(" "));
    }
    spans
}

pub fn banner(buf: &mut Buffer, area: Rect, s: &State, err: &str, theme: &Theme) {
    buf.set_style(area, theme.banner());
    let (load, _) = s.focused_load();
    let tail = match load.loaded_at {
        Some(at) => format!(" — showing data from {} ago", age(s.now - at)),
        None => String::new(),
    };
    let text = format!(" ✘ {}{tail}", err.lines().next().unwrap_or(err));
    let (text, _) = crate::kit::widgets::table::fit(&text, area.width as usize);
    buf.set_stringn(area.x, area.y, text, area.width as usize, theme.banner());
}

pub fn breadcrumb(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let mut parts = Vec::new();
    let cx = s.cx();
    for r in &s.stack {
        s.focus(r).crumbs(&cx, &mut parts);
    }
    let table = s.table();
    if let Some(t) = table {
        if !t.list().filter.is_empty() {
            parts.push(format!("/{}", t.list().filter));
        }
    }
    let right = match table {
        Some(t) => format!(
            " {} of {} ",
            thousands(t.list().len() as u64),
            thousands(t.row_count() as u64)
        ),
        None => String::new(),
    };
    let mut left = format!("─ {} ", parts.join(" › "));
    let avail = (area.width as usize).saturating_sub(right.chars().count() + 2);
    if left.chars().count() > avail {
        left = crate::kit::widgets::table::fit(&left, avail).0;
    }
    let fill = (area.width as usize).saturating_sub(left.chars().count() + right.chars().count() + 1);
    let line = Line::from(vec![
        Span::styled(left, theme.title()),
        Span::styled("─".repeat(fill), theme.muted()),
        Span::styled(right, Style::default().add_modifier(Modifier::BOLD)),
        Span::styled("─", theme.muted()),
    ]);
    buf.set_line(area.x, area.y, &line, area.width);
}

pub fn footer(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let line = match &s.mode {
        Mode::Command(text) => Line::from(vec![
            Span::styled(":", theme.key_hint()),
            Span::raw(text.clone()),
            Span::styled("█", theme.muted()),
            Span::styled("   enter run · tab complete · esc cancel", theme.muted()),
        ]),
        Mode::Filter => {
            let text = s.table().map(|t| t.list().filter.clone()).unwrap_or_default();
            Line::from(vec![
                Span::styled("/", theme.key_hint()),
                Span::raw(text),
                Span::styled("█", theme.muted()),
                Span::styled("   enter keep · esc clear", theme.muted()),
            ])
        }
        Mode::SortPending => {
            let mut spans = vec![Span::styled("sort by: ", theme.key_hint())];
            if let Some(t) = s.table() {
                for c in t.columns() {
                    spans.push(Span::styled(c.sort_key.to_string(), theme.key_hint()));
                    spans.push(Span::raw(format!(" {}  ", c.title.to_lowercase())));
                }
            }
            Line::from(spans)
        }
        _ => {
            let focus = s.focus(s.route());
            let contexts = focus.contexts();
            let mut spans = Vec::new();
            for Hint(a, label) in focus.hints() {
                if let Some(k) = s.keymap.key_for(&contexts, *a) {
                    // Dangerous actions (keymap `dangerous`) are marked, k9s style.
                    let style = if s.keymap.is_dangerous(*a) {
                        theme.tone(Tone::Bad).add_modifier(Modifier::BOLD)
                    } else {
                        theme.key_hint()
                    };
                    spans.push(Span::styled(format!(" {k}"), style));
                    spans.push(Span::raw(format!(" {} ", label.unwrap_or(a.hint()))));
                }
            }
            Line::from(spans)
        }
    };
    buf.set_line(area.x, area.y, &line, area.width);
    if let Some(t) = &s.toast {
        let text = format!(" {} ", t.text);
        let w = text.chars().count().min(area.width as usize) as u16;
        let x = area.x + area.width - w;
        let (text, _) = crate::kit::widgets::table::fit(&text, w as usize);
        buf.set_style(
            Rect::new(x, area.y, w, 1),
            Style::default().add_modifier(Modifier::REVERSED),
        );
        buf.set_stringn(
            x,
            area.y,
            text,
            w as usize,
            theme
                .toast(t.kind == ToastKind::Error)
                .add_modifier(Modifier::REVERSED),
        );
    }
}
