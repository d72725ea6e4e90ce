//! `?`: help generated from the keymap (the focused view's keys first) and the command list.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::command::COMMANDS;
use super::state::State;
use crate::kit::action::Action;
use crate::kit::keymap::Context;
use crate::kit::widgets::theme::Theme;

pub fn lines(s: &State, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let contexts = s.focus(s.route()).contexts();
    for (i, ctx) in contexts.iter().copied().enumerate() {
        // The user's own hotkeys and plugins of this view right after its own keys (before the
        // keys every table or view shares), so they are on the first page of help.
        if i == 1 {
            user_bindings(s, &contexts, theme, &mut out);
        }
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
                Span::raw(describe_in(*action, ctx).to_string()),
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
    // What the keymap does not hold: typing in the filter and the `:` line, the mouse, pasting.
    out.push(Line::styled("Filter (/) and the : line", theme.title()));
    for (keys, what) in TYPING {
        out.push(Line::from(vec![
            Span::styled(format!("  {keys:<17} "), theme.key_hint()),
            Span::raw(what.to_string()),
        ]));
    }
    out.push(Line::raw(""));
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

/// What the action does in a view of keymap context `ctx` (help): where one key means
/// different things in different views, each view says its own.
pub fn describe_in(action: Action, ctx: Context) -> &'static str {
    use Context as C;
    match (action, ctx) {
        (Action::ToggleFailed, C::Artifacts) => "only artifacts not started (ERROR, STARTING, …)",
        (Action::ToggleFailed, C::Queues) => "only queues with problems (dead letters, blocked, stopped)",
        (Action::ToggleFailed, C::Messages) => "only failed messages (FAILED, ESCALATED)",
        (Action::Open, C::Artifacts) => "open: the artifact's deployment error and details",
        (Action::Open, C::Messages | C::Correlated) => "open: the message (error text, properties, runs)",
        (Action::Open, C::Queues) => "open: the queue's messages",
        (Action::Open, C::QueueMessages) => "open: the message's processing log",
        (Action::Open, C::Alerts) => "open: the monitor's rules and evidence",
        (Action::Open, C::AlertEvidence) => "jump to the evidence (message, artifact, queue, …)",
        (Action::Open, C::Attachments) => "open: the attachment's content",
        (Action::Failures, C::AlertEvidence) => "failed messages of the evidence's iFlow, newest first",
        _ => action.describe(),
    }
}

/// Keys and words of the filter and the `:` line (fixed: not in the keymap).
pub const TYPING: &[(&str, &str)] = &[
    ("/a b", "rows matching a and b (words in any column, any case)"),
    ("/!a", "rows not matching a (e.g. /!COMPLETED)"),
    ("/~re", "a regular expression (/~^ORD.*IN$, /!~^TEST)"),
    ("/\"a b\"", "a b as one phrase"),
    ("enter / esc", "filter: keep it / clear it"),
    ("ctrl-w alt-⌫", "delete a word (filter and : line)"),
    ("ctrl-u ctrl-k", "delete to the start / to the end (: line)"),
    ("← → home end", "move in the : line (ctrl-a, ctrl-e too)"),
    ("↑ ↓", ": line history (kept in the state dir)"),
    (
        "tab",
        "complete a command, an iFlow, window, tenant, status, column",
    ),
    ("paste", "over a list: filters it by the pasted text (an id)"),
    ("mouse wheel", "move the selection"),
];

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
    let width = inner.width.saturating_sub(1) as usize;
    let all: Vec<Line> = lines(s, theme).iter().flat_map(|l| wrap(l, width)).collect();
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

/// Width of the key column of a help line (`  keys… ` before the description).
const KEY_COLUMN: usize = 20;

/// A help line too wide for `width` columns, wrapped at word boundaries: the key column stays on
/// the first line and the description continues under itself (nothing is cut on a narrow
/// terminal).
fn wrap(line: &Line<'static>, width: usize) -> Vec<Line<'static>> {
    use unicode_width::UnicodeWidthStr;
    if line.width() <= width || width <= KEY_COLUMN + 10 {
        return vec![line.clone()];
    }
    let mut spans = line.spans.iter();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    // A key line keeps its key column whole; any other line wraps from its start.
    let indent = match line.spans.first() {
        Some(k) if line.spans.len() > 1 && k.width() == KEY_COLUMN => {
            current.push(k.clone());
            used = KEY_COLUMN;
            spans.next();
            KEY_COLUMN
        }
        _ => 0,
    };
    let mut out = Vec::new();
    for span in spans {
        // Words with the space before them, so the text is rebuilt as it was.
        let text = span.content.as_ref();
        let mut start = 0;
        let mut pieces = Vec::new();
        for (i, c) in text.char_indices() {
            if c == ' ' && i > start {
                pieces.push(&text[start..i]);
                start = i;
            }
        }
        pieces.push(&text[start..]);
        for piece in pieces {
            let w = piece.width();
            if used + w > width && used > indent {
                out.push(Line::from(std::mem::take(&mut current)));
                current.push(Span::raw(" ".repeat(indent)));
                used = indent;
                let piece = piece.trim_start();
                current.push(Span::styled(piece.to_string(), span.style));
                used += piece.width();
            } else {
                current.push(Span::styled(piece.to_string(), span.style));
                used += w;
            }
        }
    }
    out.push(Line::from(current));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn a_long_description_wraps_under_itself() {
        let line = Line::from(vec![
            Span::raw(format!("  {:<17} ", "F")),
            Span::raw("its failed messages, newest first (Enter: the top one's error)"),
            Span::raw(" ⚠ dangerous"),
        ]);
        let wrapped: Vec<String> = wrap(&line, 50).iter().map(text).collect();
        assert_eq!(
            wrapped,
            vec![
                "  F                 its failed messages, newest",
                "                    first (Enter: the top one's",
                "                    error) ⚠ dangerous",
            ]
        );
        // A line that fits is left alone.
        assert_eq!(wrap(&line, 200).len(), 1);
    }
}
