//! A queue's messages (drill-down from Queues).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::theme::Theme;
use crate::app::action::Action;
use crate::app::state::State;

pub const HINTS: &[Action] = &[
    Action::Open,
    Action::Back,
    Action::Filter,
    Action::Sort,
    Action::CopyId,
    Action::Export,
    Action::Help,
];

pub fn render(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let what = format!("messages in {}", s.queue_messages.queue);
    super::table_or_placeholder(
        buf,
        area,
        s,
        &s.queue_messages,
        &s.queue_messages.load,
        s.intervals.queues,
        &what,
        theme,
    );
}
