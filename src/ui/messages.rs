//! Messages pane: the generic table over the message window, newest first.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::chrome::{Hint, h};
use crate::app::state::State;
use crate::kit::action::Action;
use crate::kit::widgets::theme::Theme;

pub const HINTS: &[Hint] = &[
    h(Action::Open),
    h(Action::Filter),
    h(Action::ToggleFailed),
    h(Action::Window),
    h(Action::Live),
    h(Action::CopyId),
    h(Action::Export),
    h(Action::Help),
    h(Action::Command),
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
        (&s.messages.load, interval),
        "messages",
        theme,
    );
}
