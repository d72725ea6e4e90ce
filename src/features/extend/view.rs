//! The plugin dialogs: the confirmation (what runs, where, on what), a refusal, and the kept
//! output of background runs (newest first). Every text from a program or the tenant is made
//! safe for the terminal first (`sanitize`): no escape sequence it prints reaches the screen.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::{Dialog, Extensions, RunStatus};
use crate::kit::table::Tone;
use crate::kit::widgets::theme::Theme;
use crate::sanitize::one_line;

/// Draw the open dialog, if any.
pub fn render(buf: &mut Buffer, area: Rect, ext: &Extensions, theme: &Theme) {
    let Some(d) = &ext.dialog else { return };
    let bad = theme.tone(Tone::Bad).add_modifier(Modifier::BOLD);
    let keys = |t: &str| Line::styled(t.to_string(), theme.key_hint());
    let (title, border, lines, scroll) = match d {
        Dialog::Confirm(r) => {
            let mut l = vec![
                fact("Tenant", &r.tenant, theme),
                fact("Runs", &r.command_line(), theme),
                fact(
                    "On",
                    &match r.rows {
                        0 => "no row".to_string(),
                        1 => "the selected row (JSON on stdin)".to_string(),
                        n => format!("{n} rows (JSON on stdin, one per line)"),
                    },
                    theme,
                ),
                fact(
                    "How",
                    if r.background {
                        "in the background, output kept (:plugins)"
                    } else {
                        "in this terminal (cpitop steps aside and comes back)"
                    },
                    theme,
                ),
            ];
            if r.dangerous {
                l.push(Line::raw(""));
                l.push(Line::styled("⚠ marked dangerous: it changes something", bad));
            }
            l.push(Line::raw(""));
            l.push(keys("y / enter run · n / esc cancel"));
            let border = if r.dangerous { bad } else { theme.tone(Tone::Warn) };
            (format!(" Run plugin {}? ", one_line(&r.plugin)), border, l, 0)
        }
        Dialog::Refused { title, lines } => {
            let mut l: Vec<Line<'static>> = lines
                .iter()
                .map(|t| Line::raw(one_line(t).into_owned()))
                .collect();
            l.push(Line::raw(""));
            l.push(keys("esc / enter close"));
            (format!(" {title} "), bad, l, 0)
        }
        Dialog::Output { scroll } => (
            " Plugin output — j/k scroll, esc closes ".to_string(),
            theme.muted(),
            output_lines(ext, theme),
            *scroll,
        ),
    };
    crate::features::writes::view::boxed(buf, area, &title, border, lines, scroll, theme);
}

fn fact(label: &str, value: &str, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<8}"), theme.muted()),
        Span::raw(one_line(value).into_owned()),
    ])
}

/// Every kept run, newest first: a heading (plugin, status, command), then its output.
pub fn output_lines(ext: &Extensions, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if ext.runs.is_empty() {
        out.push(Line::styled(
            "No background plugin has run yet (plugins with background = true keep their output here).",
            theme.muted(),
        ));
    }
    for r in ext.runs.iter().rev() {
        let (status, tone) = match &r.status {
            RunStatus::Running => ("running…".to_string(), Tone::Busy),
            RunStatus::Done(e) if e.ok() => (e.to_string(), Tone::Good),
            RunStatus::Done(e) => (e.to_string(), Tone::Bad),
        };
        out.push(Line::from(vec![
            Span::styled(format!("▸ {} ", one_line(&r.plugin)), theme.title()),
            Span::styled(status, theme.tone(tone)),
            Span::styled(format!("  {}", one_line(&r.command)), theme.muted()),
        ]));
        for l in r.output.lines() {
            out.push(Line::raw(one_line(l).into_owned()));
        }
        if r.truncated {
            out.push(Line::styled(
                format!(
                    "[… more output not kept: at most {} KiB per stream]",
                    super::MAX_OUTPUT / 1024
                ),
                theme.muted(),
            ));
        }
        out.push(Line::raw(""));
    }
    out
}
