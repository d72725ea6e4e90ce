//! `?`: help generated from the keymap (the focused view's keys first) and the command list.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::command::COMMANDS;
use super::state::State;
use crate::kit::keymap::Context;
use crate::kit::widgets::theme::Theme;

pub fn lines(s: &State, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let contexts = s.focus(s.route()).contexts();
    for ctx in contexts {
        let binds = s.keymap.context(ctx);
        if binds.is_empty() {
            continue;
        }
        out.push(Line::styled(format!("{} keys", title(ctx)), theme.title()));
        let mut binds: Vec<_> = binds.iter().collect();
        binds.sort_by_key(|(a, _)| *a);
        for (action, keys) in binds {
            if keys.is_empty() {
                continue;
            }
            let k: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            let mut line = vec![
                Span::styled(format!("  {:<17} ", k.join(" ")), theme.key_hint()),
                Span::raw(action.describe().to_string()),
            ];
            if s.keymap.is_dangerous(*action) {
                // k9s style: actions that change the tenant are marked.
                line[0].style = theme.tone(crate::kit::table::Tone::Bad);
                line.push(Span::styled(
                    " ⚠ dangerous",
                    theme.tone(crate::kit::table::Tone::Bad),
                ));
            }
            out.push(Line::from(line));
        }
        out.push(Line::raw(""));
    }
    user_bindings(s, &contexts, theme, &mut out);
    out.push(Line::styled("Commands (:)", theme.title()));
    for (name, aliases, usage) in COMMANDS {
        let names = std::iter::once(*name)
            .chain(aliases.iter().copied())
            .collect::<Vec<_>>()
            .join(" ");
        out.push(Line::from(vec![
            Span::styled(format!("  :{names:<16} "), theme.key_hint()),
            Span::raw(usage.to_string()),
        ]));
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        "Keys: [keys] of the config; your own: [[hotkeys]] and [[plugins]] (cpitop config check checks them).",
        theme.muted(),
    ));
    out
}

/// The user's hotkeys and plugins that work in this view (`[[hotkeys]]`, `[[plugins]]`).
fn user_bindings(s: &State, contexts: &[Context], theme: &Theme, out: &mut Vec<Line<'static>>) {
    use crate::kit::table::Tone;
    use crate::sanitize::one_line;
    let hotkeys: Vec<_> = s
        .ext
        .hotkeys
        .iter()
        .filter(|h| h.scope.applies(contexts))
        .collect();
    let plugins: Vec<_> = s
        .ext
        .plugins
        .iter()
        .filter(|p| p.scope.applies(contexts))
        .collect();
    if hotkeys.is_empty() && plugins.is_empty() {
        return;
    }
    out.push(Line::styled("Your hotkeys and plugins", theme.title()));
    for h in hotkeys {
        out.push(Line::from(vec![
            Span::styled(format!("  {:<17} ", h.key.to_string()), theme.key_hint()),
            Span::raw(one_line(&h.description).into_owned()),
            Span::styled(format!("  :{}", one_line(&h.command)), theme.muted()),
        ]));
    }
    for p in plugins {
        let what = if p.description.is_empty() {
            p.name.clone()
        } else {
            format!("{}: {}", p.name, p.description)
        };
        let how = if p.background {
            "background"
        } else {
            "in the terminal"
        };
        let mut line = vec![
            Span::styled(format!("  {:<17} ", p.key.to_string()), theme.key_hint()),
            Span::raw(one_line(&what).into_owned()),
        ];
        if p.dangerous {
            line[0].style = theme.tone(Tone::Bad);
            line.push(Span::styled(" ⚠ dangerous", theme.tone(Tone::Bad)));
        }
        line.push(Span::styled(
            format!("  plugin, {how}: {}", one_line(&p.written())),
            theme.muted(),
        ));
        out.push(Line::from(line));
    }
    out.push(Line::raw(""));
}

fn title(ctx: Context) -> String {
    let n = ctx.name().replace('_', " ");
    let mut c = n.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => n,
    }
}

pub fn render(buf: &mut Buffer, area: Rect, s: &State, scroll: usize, theme: &Theme) {
    let w = area.width.saturating_sub(4).min(90);
    let h = area.height.saturating_sub(2);
    let rect = Rect::new(area.x + (area.width - w) / 2, area.y + 1, w, h);
    Clear.render(rect, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Line::styled(" Help — esc closes, j/k scroll ", theme.title()))
        .border_style(theme.muted());
    let inner = block.inner(rect);
    block.render(rect, buf);
    let all = lines(s, theme);
    let max = all.len().saturating_sub(inner.height as usize);
    for (i, l) in all
        .iter()
        .skip(scroll.min(max))
        .take(inner.height as usize)
        .enumerate()
    {
        buf.set_line(inner.x + 1, inner.y + i as u16, l, inner.width.saturating_sub(1));
    }
}
