//! The `:ctx` tenant list: a centred box over the current view, one line per configured tenant
//! (current marked `●`, environment in its badge colour, read-only marked, API host).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::{CtxEntry, CtxState};
use crate::kit::widgets::theme::{ColorLevel, Theme};

/// Badge style of a tenant: its configured colour as background (PROD-red by default).
fn badge(theme: &Theme, e: &CtxEntry) -> Style {
    let s = Style::default().add_modifier(Modifier::BOLD);
    match theme.level {
        ColorLevel::None => {
            if e.environment == crate::config::Environment::Prod {
                s.add_modifier(Modifier::REVERSED)
            } else {
                s
            }
        }
        _ => {
            let bg = e.color.parse::<Color>().unwrap_or(Color::Gray);
            let fg = match bg {
                Color::Red | Color::Blue | Color::Magenta | Color::DarkGray | Color::Black => Color::White,
                _ => Color::Black,
            };
            // A `#rrggbb` badge colour as the terminal can show it (256 or 16 colours).
            s.bg(theme.adapt(bg).unwrap_or(bg)).fg(fg)
        }
    }
}

/// The list's lines; `current` names the tenant shown (the demo's when nothing is configured).
pub fn lines(ctx: &CtxState, current: &str, selected: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if ctx.demo() {
        out.push(Line::from(vec![
            Span::styled(" ● ", theme.title()),
            Span::styled(current.to_string(), Style::default().add_modifier(Modifier::BOLD)),
        ]));
        out.push(Line::raw(""));
        out.push(Line::styled(
            " --demo runs one simulated tenant. Configure tenants in config.toml",
            theme.muted(),
        ));
        out.push(Line::styled(
            " (cpitop config init) and start without --demo to switch.",
            theme.muted(),
        ));
        return out;
    }
    let name_w = ctx
        .entries
        .iter()
        .map(|e| e.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    for (i, e) in ctx.entries.iter().enumerate() {
        let current = e.name == ctx.current;
        let switching = ctx.switching.as_deref() == Some(e.name.as_str());
        let cursor = if i == selected { "›" } else { " " };
        let mark = if current {
            "● "
        } else if switching {
            "◐ "
        } else {
            "  "
        };
        let mut spans = vec![
            Span::styled(cursor, theme.key_hint()),
            Span::styled(mark, theme.title()),
            Span::styled(
                format!("{:<name_w$}", e.name),
                if current {
                    Style::default().add_modifier(Modifier::BOLD)
                } else {
                    Style::default()
                },
            ),
            Span::raw("  "),
            Span::styled(format!(" {:<4} ", e.environment.label()), badge(theme, e)),
            Span::raw("  "),
            Span::styled(
                format!("{:<9}", if e.read_only { "READ-ONLY" } else { "" }),
                theme.tone(crate::kit::table::Tone::Warn),
            ),
            Span::raw("  "),
            Span::styled(
                e.host.clone().unwrap_or_else(|| "(service key)".into()),
                theme.muted(),
            ),
        ];
        if current {
            spans.push(Span::styled("  (current)", theme.muted()));
        }
        let mut line = Line::from(spans);
        if i == selected {
            line = line.patch_style(theme.selected());
        }
        out.push(line);
    }
    out
}

pub fn render(buf: &mut Buffer, area: Rect, ctx: &CtxState, current: &str, selected: usize, theme: &Theme) {
    let body = lines(ctx, current, selected, theme);
    let content_w = body.iter().map(Line::width).max().unwrap_or(20) as u16 + 3;
    let w = content_w.max(44).min(area.width.saturating_sub(2));
    let h = (body.len() as u16 + 4).min(area.height.saturating_sub(2));
    if w < 10 || h < 4 {
        return;
    }
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 3,
        w,
        h,
    );
    Clear.render(rect, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.title())
        .title(Span::styled(" Tenants (:ctx) ", theme.title()));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let rows = inner.height.saturating_sub(1) as usize;
    let first = selected.saturating_sub(rows.saturating_sub(1));
    for (i, line) in body.iter().skip(first).take(rows).enumerate() {
        buf.set_line(inner.x, inner.y + i as u16, line, inner.width);
    }
    let hint = if ctx.demo() {
        " esc close"
    } else {
        " ↑↓ move · enter switch · esc close"
    };
    buf.set_line(
        inner.x,
        inner.y + inner.height.saturating_sub(1),
        &Line::styled(hint, theme.muted()),
        inner.width,
    );
}
