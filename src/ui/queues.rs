//! Queues pane: the broker's capacity gauge, then the generic table over queues.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::chrome::{Hint, h};
use crate::app::state::State;
use crate::cpi::model::{CapacityLevel, JmsBroker};
use crate::kit::action::Action;
use crate::kit::format::bytes;
use crate::kit::table::Tone;
use crate::kit::widgets::theme::Theme;

pub const HINTS: &[Hint] = &[
    h(Action::Open),
    h(Action::Filter),
    Hint(Action::ToggleFailed, Some("problems")),
    h(Action::Sort),
    h(Action::CopyId),
    h(Action::Export),
    h(Action::Help),
    h(Action::Command),
    h(Action::RetryAll),
    h(Action::MoveAll),
];

/// `Broker1 ████████░░░░  81.2% of 9.1 GiB · CRITICAL · 12/30 queues`
pub fn gauge_line(b: &JmsBroker, width: u16, theme: &Theme) -> Line<'static> {
    let used = b.used_fraction().clamp(0.0, 1.0);
    let (word, tone) = match b.capacity_level() {
        CapacityLevel::Ok => ("ok", Tone::Good),
        CapacityLevel::Critical => ("CRITICAL", Tone::Warn),
        CapacityLevel::Exhausted => ("EXHAUSTED", Tone::Bad),
    };
    let tail = format!(
        " {:>5.1}% of {} · {word} · {}/{} queues",
        used * 100.0,
        bytes(b.max_capacity),
        b.queue_number,
        b.max_queue_number
    );
    let name = format!(" {} ", if b.key.is_empty() { "Broker" } else { &b.key });
    let bar_w = (width as usize)
        .saturating_sub(name.chars().count() + tail.chars().count() + 1)
        .clamp(4, 40);
    let filled = ((used * bar_w as f64).round() as usize).min(bar_w);
    Line::from(vec![
        Span::styled(name, theme.title()),
        Span::styled("█".repeat(filled), theme.tone(tone)),
        Span::styled("░".repeat(bar_w - filled), theme.muted()),
        Span::styled(tail, theme.tone(tone).add_modifier(Modifier::BOLD)),
    ])
}

pub fn render(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let mut area = area;
    if let Some(b) = &s.queues.broker {
        if area.height > 2 {
            buf.set_line(area.x, area.y, &gauge_line(b, area.width, theme), area.width);
            area = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
        }
    }
    // No queue list on this tenant: say why above the broker's rows (wrapped, at most 4 lines).
    if let Some(why) = &s.queues.missing {
        let width = usize::from(area.width.saturating_sub(1)).max(20);
        let lines: Vec<String> = word_wrap(why, width).into_iter().take(4).collect();
        let n = lines.len() as u16;
        if area.height > n + 2 {
            for (i, l) in lines.iter().enumerate() {
                let line = Line::from(Span::styled(format!(" {l}"), theme.tone(Tone::Warn)));
                buf.set_line(area.x, area.y + i as u16, &line, area.width);
            }
            area = Rect::new(area.x, area.y + n, area.width, area.height - n);
        }
    }
    super::table_or_placeholder(
        buf,
        area,
        s,
        &s.queues,
        (&s.queues.load, s.intervals.queues),
        "queues",
        theme,
    );
}

/// Wrap at spaces to `width` display columns (a word longer than a line is cut). The notice is
/// cpitop's own sentence; four lines of a plain greedy wrap are all it needs.
fn word_wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let need = if cur.is_empty() {
            word.width()
        } else {
            cur.width() + 1 + word.width()
        };
        if need > width && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::word_wrap;

    #[test]
    fn notice_wraps_between_words() {
        assert_eq!(
            word_wrap("neither queue list answers here", 12),
            ["neither", "queue list", "answers here"]
        );
    }
}
