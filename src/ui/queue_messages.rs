//! A queue's messages (drill-down from Queues).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::chrome::{Hint, h};
use crate::app::state::State;
use crate::kit::action::Action;
use crate::kit::widgets::theme::Theme;

pub const HINTS: &[Hint] = &[
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

pub fn render(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let what = format!("messages in {}", s.queue_messages.queue);
    super::table_or_placeholder(
        buf,
        area,
        s,
        &s.queue_messages,
        (&s.queue_messages.load, s.intervals.queues),
        &what,
        theme,
    );
}
