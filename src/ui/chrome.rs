//! Header, tab line, error banner, breadcrumb and footer (hints, command and filter input, toast).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::theme::Theme;
use crate::app::action::Action;
use crate::app::format::{age, thousands, window_label};
use crate::app::load::{Load, Phase};
use crate::app::state::{Environment, Mode, Pane, Route, State, ToastKind};
use crate::app::table::Tone;

fn width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(|s| s.width()).sum()
}

/// The load behind what the focused view shows, and its interval: the nearest polled list
/// down the navigation stack (a message opened from a queue shows the queue's freshness).
pub fn focused_load(s: &State) -> (&Load, u64) {
    s.stack
        .iter()
        .rev()
        .find_map(|r| s.load_of(r))
        .unwrap_or((&s.artifacts.load, s.intervals.artifacts))
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
    let env = s.tenant.env.label();
    let prod = s.tenant.env == Environment::Prod;
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
    let (load, interval) = focused_load(s);
    let phase = load.phase(s.now, interval as i64);
    let conn = match (&load.error, load.loaded_at, load.loading) {
        (Some(_), _, _) => Span::styled("● error", theme.tone(Tone::Bad)),
        (None, Some(_), _) if load.from_cache => Span::styled(
            format!("{} connecting", super::spinner(s)),
            theme.tone(Tone::Warn),
        ),
        (None, Some(_), _) => Span::styled("● connected", theme.tone(Tone::Good)),
        (None, None, _) => Span::styled(
            format!("{} connecting", super::spinner(s)),
            theme.tone(Tone::Warn),
        ),
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
    let mut spans = vec![Span::raw(" ")];
    for p in Pane::ALL {
        let (count, bad) = match p {
            Pane::Artifacts if s.artifacts.load.loaded_at.is_some() => match s.artifacts.not_started() {
                0 => (format!(" ({})", s.artifacts.items.len()), false),
                n => (format!(" ({n}!)"), true),
            },
            Pane::Messages if s.messages.load.loaded_at.is_some() => {
                let w = match s.messages.query.range {
                    Some(_) => "window".to_string(),
                    None => window_label(s.messages.query.window_ms),
                };
                let n = s.messages.failed_in_window();
                (format!(" ({} failed/{w})", thousands(n as u64)), n > 0)
            }
            Pane::Queues if s.queues.load.loaded_at.is_some() => match s.queues.dlqs_with_messages() {
                0 => (format!(" ({})", s.queues.rows.len()), false),
                n => (format!(" ({n} DLQ)"), true),
            },
            Pane::Alerts if s.alerts.config_error.is_some() => (" (config error)".into(), true),
            Pane::Alerts if !s.alerts.rows.is_empty() => match (s.alerts.errors(), s.alerts.warnings()) {
                (0, 0) => (" (ok)".into(), false),
                (0, w) => (format!(" ({w} warning)"), true),
                (e, _) => (format!(" ({e} error)"), true),
            },
            _ => (String::new(), false),
        };
        let label = format!("{} {}", p.index() + 1, p.title());
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
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

pub fn banner(buf: &mut Buffer, area: Rect, s: &State, err: &str, theme: &Theme) {
    buf.set_style(area, theme.banner());
    let (load, _) = focused_load(s);
    let tail = match load.loaded_at {
        Some(at) => format!(" — showing data from {} ago", age(s.now - at)),
        None => String::new(),
    };
    let text = format!(" ✘ {}{tail}", err.lines().next().unwrap_or(err));
    let (text, _) = super::table::fit(&text, area.width as usize);
    buf.set_stringn(area.x, area.y, text, area.width as usize, theme.banner());
}

/// Crumbs of one route.
fn crumbs(s: &State, r: &Route, out: &mut Vec<String>) {
    match r {
        Route::Pane(Pane::Artifacts) => {
            out.push("Artifacts".into());
            if s.artifacts.not_started_only {
                out.push("not started".into());
            }
        }
        Route::Pane(Pane::Messages) => {
            out.push("Messages".into());
            out.push(s.messages.window_label(&s.time));
            let q = &s.messages.query;
            for (k, v) in q.filters() {
                out.push(format!("{k}={v}"));
            }
            if s.messages.failed_only {
                out.push("failed only".into());
            }
            if s.messages.live {
                out.push("live".into());
            }
            if s.messages.sorting.is_some() {
                out.push("sorting…".into());
            }
        }
        Route::Pane(Pane::Queues) => {
            out.push("Queues".into());
            if s.queues.problems_only {
                out.push("problems only".into());
            }
        }
        Route::ArtifactDetail { id } => out.push(
            s.artifacts
                .by_id(id)
                .map(|a| a.name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| id.clone()),
        ),
        Route::MessageDetail { guid } => out.push(format!("message {guid}")),
        Route::Correlated { correlation_id } => out.push(format!("correlation {correlation_id}")),
        Route::Attachments { .. } => out.push("attachments".into()),
        Route::Attachment { .. } => out.push(
            s.attachment
                .as_ref()
                .map(|a| a.name.clone())
                .unwrap_or_else(|| "attachment".into()),
        ),
        Route::QueueMessages { queue } => {
            out.push(queue.clone());
            if !s.queue_messages.marks.is_empty() {
                out.push(format!("{} marked", s.queue_messages.marks.len()));
            }
        }
        Route::Pane(Pane::Alerts) => out.push("Alerts".into()),
        Route::AlertEvidence { key } => out.push(
            s.alerts
                .state
                .get(key)
                .map(|m| m.name.clone())
                .unwrap_or_else(|| key.clone()),
        ),
        Route::AlertHistory => out.push("history".into()),
        Route::Certificate { alias } => out.push(format!("certificate {alias}")),
    }
}

pub fn breadcrumb(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let mut parts = Vec::new();
    for r in &s.stack {
        crumbs(s, r, &mut parts);
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
        left = super::table::fit(&left, avail).0;
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

/// A command a view declares for its footer, with an optional view-specific label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint(pub Action, pub Option<&'static str>);

pub const fn h(a: Action) -> Hint {
    Hint(a, None)
}

/// The commands a view declares for its footer (most useful first).
pub fn hints(r: &Route) -> &'static [Hint] {
    match r {
        Route::Pane(Pane::Artifacts) => super::artifacts::HINTS,
        Route::Pane(Pane::Messages) => super::messages::HINTS,
        Route::Pane(Pane::Queues) => super::queues::HINTS,
        Route::QueueMessages { .. } => super::queue_messages::HINTS,
        Route::Correlated { .. } => super::correlated::HINTS,
        Route::Attachments { .. } => super::attachments::HINTS,
        Route::ArtifactDetail { .. } => super::artifact_detail::HINTS,
        Route::MessageDetail { .. } => super::message_detail::HINTS,
        Route::Attachment { .. } => super::message_detail::ATTACHMENT_HINTS,
        Route::Pane(Pane::Alerts) => super::alerts::HINTS,
        Route::AlertEvidence { .. } => super::alerts::EVIDENCE_HINTS,
        Route::AlertHistory => super::alerts::HISTORY_HINTS,
        Route::Certificate { .. } => super::alerts::CERTIFICATE_HINTS,
    }
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
            let contexts = s.route().contexts();
            let mut spans = Vec::new();
            for Hint(a, label) in hints(s.route()) {
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
        let (text, _) = super::table::fit(&text, w as usize);
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
