//! The write dialogs: move target, confirmation (plain or typed), progress, result and notices;
//! and the one-line progress shown while a running action's dialog is hidden.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::{Dialog, Plan, Report, Running, Writes};
use crate::cpi::odata::EpochMs;
use crate::kit::table::Tone;
use crate::kit::widgets::spinner;
use crate::kit::widgets::theme::Theme;

/// Draw the open dialog, or the hidden progress line.
pub fn render(buf: &mut Buffer, area: Rect, w: &Writes, now: EpochMs, theme: &Theme) {
    match &w.dialog {
        Some(d) => dialog(buf, area, w, d, now, theme),
        None => {
            if let Some(r) = &w.running {
                mini(buf, area, r, now, theme);
            }
        }
    }
}

fn dialog(buf: &mut Buffer, area: Rect, w: &Writes, d: &Dialog, now: EpochMs, theme: &Theme) {
    let bad = theme.tone(Tone::Bad).add_modifier(Modifier::BOLD);
    let warn = theme.tone(Tone::Warn);
    let (title, border, lines, scroll) = match d {
        Dialog::Target { plan, input, error } => {
            let mut l = facts(plan, theme);
            // The target is what is being typed below.
            l.retain(|line| !line.spans.first().is_some_and(|s| s.content.starts_with("To ")));
            l.push(Line::raw(""));
            l.push(input_line("Move to queue: ", input, theme));
            if let Some(e) = error {
                l.push(Line::styled(format!("✘ {e}"), bad));
            }
            l.push(Line::raw(""));
            l.push(keys("enter next · esc cancel", theme));
            (" Move messages — target queue ".to_string(), theme.muted(), l, 0)
        }
        Dialog::Confirm { plan, typed, error } => {
            let mut l = facts(plan, theme);
            for w in &plan.warnings {
                l.push(Line::styled(format!("⚠ {w}"), warn));
            }
            l.push(Line::raw(""));
            let move_hint = if matches!(
                plan.job,
                super::Job::Queue {
                    op: super::QueueOp::Move { .. },
                    ..
                }
            ) {
                " · tab change target"
            } else {
                ""
            };
            match &plan.confirm_word {
                Some(word) => {
                    if plan.job.verb() == "delete" {
                        l.push(Line::styled("This cannot be undone.", bad));
                    }
                    l.push(input_line(&format!("Type {word} to confirm: "), typed, theme));
                    if let Some(e) = error {
                        l.push(Line::styled(format!("✘ {e}"), bad));
                    }
                    l.push(Line::raw(""));
                    l.push(keys(&format!("enter confirm{move_hint} · esc cancel"), theme));
                }
                None => l.push(keys(
                    &format!("y / enter confirm{move_hint} · n / esc cancel"),
                    theme,
                )),
            }
            let border = if plan.confirm_word.is_some() { bad } else { warn };
            (format!(" Confirm: {} ", plan.job.title()), border, l, 0)
        }
        Dialog::Progress => match &w.running {
            Some(r) => (
                format!(" Running: {} ", r.title),
                warn,
                progress_lines(r, now, theme),
                0,
            ),
            None => (" Running ".to_string(), warn, vec![Line::raw("finishing…")], 0),
        },
        Dialog::Result { report, scroll } => {
            let border = if report.ok { theme.tone(Tone::Good) } else { bad };
            let word = if report.ok {
                "Done"
            } else {
                "Finished with failures"
            };
            (
                format!(" {word}: {} ", report.title),
                border,
                result_lines(report, theme),
                *scroll,
            )
        }
        Dialog::Notice { title, lines } => {
            let mut l: Vec<Line> = lines.iter().map(|t| Line::raw(t.clone())).collect();
            l.push(Line::raw(""));
            l.push(keys("esc / enter close", theme));
            (format!(" {title} "), bad, l, 0)
        }
    };
    boxed(buf, area, &title, border, lines, scroll, theme);
}

fn keys(text: &str, theme: &Theme) -> Line<'static> {
    Line::styled(text.to_string(), theme.muted())
}

fn input_line(label: &str, text: &str, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(label.to_string(), theme.key_hint()),
        Span::styled(text.to_string(), Style::default().add_modifier(Modifier::BOLD)),
        Span::styled("█", theme.muted()),
    ])
}

fn facts(plan: &Plan, theme: &Theme) -> Vec<Line<'static>> {
    plan.facts
        .iter()
        .map(|(k, v)| {
            Line::from(vec![
                Span::styled(format!("{k:<9} "), theme.muted()),
                Span::styled(v.clone(), Style::default().add_modifier(Modifier::BOLD)),
            ])
        })
        .collect()
}

fn gauge(done: usize, total: usize, width: usize) -> String {
    let filled = (done.min(total) * width).checked_div(total).unwrap_or(0);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

fn progress_lines(r: &Running, now: EpochMs, theme: &Theme) -> Vec<Line<'static>> {
    let count = if r.total > 0 {
        format!(" {} of {}", r.done, r.total)
    } else {
        String::new()
    };
    let mut l = Vec::new();
    // Bulk actions show `n of m`; a single artifact action only its status.
    if r.total > 0 {
        l.push(Line::from(vec![
            Span::styled(gauge(r.done, r.total, 30), theme.tone(Tone::Busy)),
            Span::styled(count, Style::default().add_modifier(Modifier::BOLD)),
        ]));
    }
    l.push(Line::raw(format!(
        "{} {} · {}",
        spinner(now),
        r.note,
        crate::kit::format::age(now - r.started)
    )));
    if r.cancelling {
        l.push(Line::styled(
            "cancelling: stops after the request in flight",
            theme.tone(Tone::Warn),
        ));
    }
    l.push(Line::raw(""));
    let cancel = if r.cancel_hint.is_empty() {
        String::new()
    } else {
        format!(" · c {}", r.cancel_hint)
    };
    l.push(keys(&format!("esc hide (keeps running){cancel}"), theme));
    l
}

fn result_lines(r: &Report, theme: &Theme) -> Vec<Line<'static>> {
    let tone = if r.ok { Tone::Good } else { Tone::Bad };
    let mut l = vec![Line::styled(
        r.headline.clone(),
        theme.tone(tone).add_modifier(Modifier::BOLD),
    )];
    if !r.succeeded.is_empty() && !r.failed.is_empty() {
        l.push(Line::raw(format!("Succeeded: {}", r.succeeded.len())));
    }
    if !r.failed.is_empty() {
        l.push(Line::styled(
            format!("Not done ({}):", r.failed.len()),
            theme.tone(Tone::Bad),
        ));
        for f in &r.failed {
            l.push(Line::from(vec![
                Span::raw(format!("  {} ", f.msgid)),
                Span::styled(format!("— {}", f.reason), theme.muted()),
            ]));
        }
    }
    for n in &r.notes {
        l.push(Line::raw(n.clone()));
    }
    l.push(Line::raw(""));
    l.push(keys("j/k scroll · esc / enter close", theme));
    l
}

/// A centred box sized to its text (wrapped), at most the area (the plugin dialogs use it too).
pub fn boxed(
    buf: &mut Buffer,
    area: Rect,
    title: &str,
    border: Style,
    lines: Vec<Line<'static>>,
    scroll: usize,
    theme: &Theme,
) {
    let w = area.width.saturating_sub(4).min(100);
    let inner_w = w.saturating_sub(4).max(1) as usize;
    let wanted: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum::<usize>()
        + 2;
    let h = (wanted as u16).min(area.height.saturating_sub(2)).max(3);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height.saturating_sub(h)) / 2,
        w,
        h,
    );
    Clear.render(rect, buf);
    let (title, _) = crate::kit::widgets::table::fit(title, w.saturating_sub(2) as usize);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Line::styled(title, theme.title()));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let body = Rect::new(inner.x + 1, inner.y, inner.width.saturating_sub(2), inner.height);
    let max = wanted.saturating_sub(2).saturating_sub(body.height as usize);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll.min(max) as u16, 0))
        .render(body, buf);
}

/// `◐ move 6 messages … 3 of 6` above the footer while the dialog is hidden.
fn mini(buf: &mut Buffer, area: Rect, r: &Running, now: EpochMs, theme: &Theme) {
    if area.height < 3 {
        return;
    }
    let text = format!(" {} {} · {} of {} ", spinner(now), r.title, r.done, r.total);
    let (text, _) = crate::kit::widgets::table::fit(&text, area.width as usize);
    let w = unicode_width::UnicodeWidthStr::width(text.as_str()) as u16;
    let y = area.y + area.height - 2;
    let x = area.x + area.width - w;
    buf.set_stringn(
        x,
        y,
        text,
        w as usize,
        theme.tone(Tone::Busy).add_modifier(Modifier::REVERSED),
    );
}
