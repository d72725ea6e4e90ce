//! The Queues pane's views: the broker's capacity gauge above the table over queues (with why
//! the rows come from the broker when the tenant has no queue list), and one queue's messages.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::state::{Queues, Route};
use crate::cpi::model::{CapacityLevel, JmsBroker};
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::doc::DocLine;
use crate::kit::format::bytes;
use crate::kit::hint::{Hint, h};
use crate::kit::table::Tone;
use crate::kit::widgets::table_or_placeholder;
use crate::kit::widgets::theme::Theme;
use crate::panes::pane::{PaneState, PaneView};

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

pub const MESSAGES_HINTS: &[Hint] = &[
    h(Action::Mark),
    h(Action::Retry),
    h(Action::Move),
    h(Action::Delete),
    h(Action::Open),
    h(Action::Back),
    h(Action::Filter),
    h(Action::Help),
    h(Action::MarkAll),
    h(Action::Sort),
    h(Action::CopyId),
    h(Action::Export),
];

impl PaneView for Queues {
    fn hints(route: &Route) -> &'static [Hint] {
        match route {
            Route::List => HINTS,
            Route::Messages { .. } => MESSAGES_HINTS,
        }
    }

    fn crumbs(&self, route: &Route, _cx: &Cx, out: &mut Vec<String>) {
        match route {
            Route::List => {
                out.push("Queues".into());
                if self.problems_only {
                    out.push("problems only".into());
                }
            }
            Route::Messages { queue } => {
                out.push(queue.clone());
                if !self.messages.marks.is_empty() {
                    out.push(format!("{} marked", self.messages.marks.len()));
                }
            }
        }
    }

    fn doc(&self, _route: &Route, _cx: &Cx) -> Vec<DocLine> {
        Vec::new()
    }

    fn badge(&self) -> (String, bool) {
        if self.load.loaded_at.is_none() {
            return (String::new(), false);
        }
        match self.dlqs_with_messages() {
            0 => (format!(" ({})", self.rows.len()), false),
            n => (format!(" ({n} DLQ)"), true),
        }
    }

    fn render(&self, route: &Route, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
        match route {
            Route::List => list(self, buf, area, cx, theme),
            Route::Messages { queue } => {
                let what = format!("messages in {queue}");
                let load = self
                    .load(route, &cx.intervals)
                    .unwrap_or((&self.messages.load, 0));
                table_or_placeholder(buf, area, &self.messages, load, &what, &cx.cell(), theme);
            }
        }
    }
}

fn list(q: &Queues, buf: &mut Buffer, area: Rect, cx: &Cx, theme: &Theme) {
    let mut area = area;
    if let Some(b) = &q.broker {
        if area.height > 2 {
            buf.set_line(area.x, area.y, &gauge_line(b, area.width, theme), area.width);
            area = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
        }
    }
    // No queue list on this tenant: say why above the broker's rows (wrapped, at most 4 lines).
    if let Some(why) = &q.missing {
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
    let load = (&q.load, cx.intervals.queues);
    table_or_placeholder(buf, area, q, load, "queues", &cx.cell(), theme);
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
