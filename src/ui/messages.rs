//! Messages pane: the generic table over the message window, newest first.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::theme::Theme;
use crate::app::action::Action;
use crate::app::state::State;

pub const HINTS: &[Action] = &[
    Action::Open,
    Action::Filter,
    Action::ToggleFailed,
    Action::Window,
    Action::Live,
    Action::CopyId,
    Action::Export,
    Action::Help,
    Action::Command,
];

pub fn render(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let interval = if s.messages.live {
        s.intervals.messages_live
    } else {
        s.intervals.messages
    };
    super::table_or_placeholder(
        buf,
        area,
        s,
        &s.messages,
        &s.messages.load,
        interval,
        "messages",
        theme,
    );
}
