//! Header, tab line, error banner, breadcrumb and footer (hints, command and filter input, toast).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::state::{Mode, Pane, Route, State, ToastKind};
use crate::kit::action::Action;
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
        _ if s.unusable.is_some() => Span::styled("○ not connected", theme.tone(Tone::Bad)),
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

/// How much of a tab's label a line has room for (see [`tab_labels`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TabLevel {
    /// `2 Messages (351 failed/1h)`
    Full,
    /// `2 Mes (351 failed/1h)`: titles abbreviated, counts whole.
    Short,
    /// `2 Mes 351!`: counts compact.
    Compact,
    /// `2 Mes 351!` for the focused tab too (it stands out by its colour).
    Tight,
    /// `2 351!`: numbers and counts only (the focused tab keeps its title).
    Numbers,
}

/// A badge's count, compact: the first number in it, `!` when it needs attention
/// (` (351 failed/1h)` → `351!`, ` (4!)` → `4!`, ` (ok)` → ``).
fn compact_badge(badge: &str, bad: bool) -> String {
    let digits: String = badge
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .collect();
    match (digits.is_empty(), bad) {
        (true, true) => "!".into(),
        (true, false) => String::new(),
        (false, true) => format!("{digits}!"),
        (false, false) => digits,
    }
}

/// Each pane's tab label at `level` (the focused one never below its title), and the badge
/// part, separately (it is coloured).
fn tab_labels(s: &State, level: TabLevel) -> Vec<(Pane, String, String, bool)> {
    Pane::ALL
        .iter()
        .map(|&p| {
            let (badge, bad) = s.focus(&Route::home(p)).badge();
            let focused = p == s.pane();
            let n = p.number();
            let title = p.title();
            let short: String = title.chars().take(3).collect();
            let compact = compact_badge(&badge, bad);
            let space = |b: String| if b.is_empty() { b } else { format!(" {b}") };
            let (label, badge) = match level {
                TabLevel::Full => (format!("{n} {title}"), badge),
                TabLevel::Short if focused => (format!("{n} {title}"), badge),
                TabLevel::Short => (format!("{n} {short}"), badge),
                TabLevel::Compact if focused => (format!("{n} {title}"), space(compact)),
                TabLevel::Compact | TabLevel::Tight => (format!("{n} {short}"), space(compact)),
                TabLevel::Numbers if focused => (format!("{n} {short}"), space(compact)),
                TabLevel::Numbers => (format!("{n}"), space(compact)),
            };
            (p, label, badge, bad)
        })
        .collect()
}

/// The tab line: every pane, abbreviated rather than cut when the line is narrow (titles to
/// three letters, counts to their number, the focused tab's title too, then numbers only), so
/// that no tab disappears.
pub fn tabs(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let width = |labels: &[(Pane, String, String, bool)]| -> usize {
        1 + labels
            .iter()
            .map(|(_, l, b, _)| l.chars().count() + b.chars().count() + 3)
            .sum::<usize>()
    };
    let levels = [
        TabLevel::Full,
        TabLevel::Short,
        TabLevel::Compact,
        TabLevel::Tight,
        TabLevel::Numbers,
    ];
    let mut labels = tab_labels(s, TabLevel::Numbers);
    for level in levels {
        let l = tab_labels(s, level);
        if width(&l) <= area.width as usize {
            labels = l;
            break;
        }
    }
    let mut spans = vec![Span::raw(" ")];
    for (p, label, count, bad) in labels {
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
    let cx = s.cx();
    // One list of parts per view on the stack; the filter belongs to the view in focus.
    let mut views: Vec<Vec<String>> = s
        .stack
        .iter()
        .map(|r| {
            let mut parts = Vec::new();
            s.focus(r).crumbs(&cx, &mut parts);
            parts
        })
        .collect();
    let table = s.table();
    if let Some(t) = table {
        if !t.list().filter.is_empty() {
            if let Some(last) = views.last_mut() {
                last.push(format!("/{}", t.list().filter));
            }
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
    let avail = (area.width as usize).saturating_sub(right.chars().count() + 2);
    let left = fit_crumbs(&views, avail);
    let fill = (area.width as usize).saturating_sub(left.chars().count() + right.chars().count() + 1);
    let line = Line::from(vec![
        Span::styled(left, theme.title()),
        Span::styled("─".repeat(fill), theme.muted()),
        Span::styled(right, Style::default().add_modifier(Modifier::BOLD)),
        Span::styled("─", theme.muted()),
    ]);
    buf.set_line(area.x, area.y, &line, area.width);
}

/// The breadcrumb's text (`─ Messages › last 1h › message X `) within `avail` columns. Where it
/// does not fit, the views behind the one in focus give way first (their parts become `…`,
/// oldest first, the pane's name kept): the view in focus is what the operator is looking at.
/// Only when that alone is too wide is the end cut.
fn fit_crumbs(views: &[Vec<String>], avail: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let text = |parts: &[&str]| format!("─ {} ", parts.join(" › "));
    let all: Vec<&str> = views.iter().flatten().map(String::as_str).collect();
    // Parts that may give way: behind the view in focus, after the pane's name (the first).
    let behind: usize = views.iter().rev().skip(1).map(Vec::len).sum();
    let mut line = text(&all);
    for elided in 1..behind {
        if line.width() <= avail {
            break;
        }
        let parts: Vec<&str> = all
            .iter()
            .take(1)
            .copied()
            .chain(std::iter::once("…"))
            .chain(all.iter().skip(1 + elided).copied())
            .collect();
        line = text(&parts);
    }
    if line.width() > avail {
        crate::kit::widgets::table::fit(&line, avail).0
    } else {
        line
    }
}

pub fn footer(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let line = match &s.mode {
        Mode::Command(line) => {
            let (before, after) = line.split();
            let mut rest = after.chars();
            // The cursor: the character under it shown reversed, or a block at the end.
            let under = rest.next();
            let mut spans = vec![
                Span::styled(":", theme.key_hint()),
                Span::raw(before.to_string()),
                match under {
                    Some(c) => Span::styled(c.to_string(), Style::default().add_modifier(Modifier::REVERSED)),
                    None => Span::styled("█", theme.muted()),
                },
                Span::raw(rest.as_str().to_string()),
            ];
            if s.completions.is_empty() {
                spans.push(Span::styled(
                    "   enter run · tab complete · ↑↓ history · esc cancel",
                    theme.muted(),
                ));
            } else {
                spans.push(Span::styled(
                    format!("   {}", s.completions.join("  ")),
                    theme.key_hint(),
                ));
            }
            Line::from(spans)
        }
        Mode::Filter => {
            let text = s.table().map(|t| t.list().filter.clone()).unwrap_or_default();
            // A regular expression that does not compile is said here (and left out).
            let note = match crate::grammar::filter::Filter::parse(&text).error {
                Some(e) => Span::styled(format!("   {e}"), theme.tone(Tone::Warn)),
                None => Span::styled(
                    "   enter keep · esc clear · a b: both · !a: not · ~re: regex",
                    theme.muted(),
                ),
            };
            Line::from(vec![
                Span::styled("/", theme.key_hint()),
                Span::raw(text),
                Span::styled("█", theme.muted()),
                note,
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
            let mut hints: Vec<(Span, Span)> = Vec::new();
            let mut help = None;
            for Hint(a, label) in focus.hints() {
                if let Some(k) = s.keymap.key_for(&contexts, *a) {
                    // Dangerous actions (keymap `dangerous`) are marked, k9s style.
                    let style = if s.keymap.is_dangerous(*a) {
                        theme.tone(Tone::Bad).add_modifier(Modifier::BOLD)
                    } else {
                        theme.key_hint()
                    };
                    let hint = (
                        Span::styled(format!(" {k}"), style),
                        Span::raw(format!(" {} ", label.unwrap_or(a.hint()))),
                    );
                    if *a == Action::Help {
                        help = Some(hint);
                    } else {
                        hints.push(hint);
                    }
                }
            }
            // Whole hints only: the ones that do not fit are left out (help lists them all, so
            // its own hint is kept).
            let width = |h: &(Span, Span)| h.0.width() + h.1.width();
            let mut spans = Vec::new();
            let mut used = help.as_ref().map_or(0, width);
            for h in hints {
                let w = width(&h);
                if used + w > area.width as usize + 1 {
                    break;
                }
                used += w;
                spans.push(h.0);
                spans.push(h.1);
            }
            if let Some((k, l)) = help {
                spans.push(k);
                spans.push(l);
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

#[cfg(test)]
mod tests {
    use super::fit_crumbs;

    fn views(v: &[&[&str]]) -> Vec<Vec<String>> {
        v.iter()
            .map(|p| p.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn the_view_in_focus_is_kept_when_the_crumb_is_too_wide() {
        let v = views(&[
            &["Messages", "last 1h", "29 newer ↑"],
            &["message AGZ0aaaaaaaaaaaaaaaaaaaaaa02"],
            &["correlation AGZ0cccccccccccccccccccccc01"],
        ]);
        assert_eq!(
            fit_crumbs(&v, 200),
            "─ Messages › last 1h › 29 newer ↑ › message AGZ0aaaaaaaaaaaaaaaaaaaaaa02 › correlation AGZ0cccccccccccccccccccccc01 "
        );
        // The oldest parts give way first, the pane's name stays.
        assert_eq!(
            fit_crumbs(&v, 100),
            "─ Messages › … › message AGZ0aaaaaaaaaaaaaaaaaaaaaa02 › correlation AGZ0cccccccccccccccccccccc01 "
        );
        assert_eq!(
            fit_crumbs(&v, 60),
            "─ Messages › … › correlation AGZ0cccccccccccccccccccccc01 "
        );
        // Too narrow even for the view in focus: its end is cut.
        assert_eq!(fit_crumbs(&v, 30), "─ Messages › … › correlation …");
        // A single view is never elided, only cut.
        let one = views(&[&["Messages", "last 1h", "iflow=Orders_Inbound", "failed only"]]);
        assert_eq!(fit_crumbs(&one, 30), "─ Messages › last 1h › iflow=…");
    }
}
