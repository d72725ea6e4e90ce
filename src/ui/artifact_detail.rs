//! An artifact and its deployment error (the `parameter` texts), wrapped and scrollable.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::theme::Theme;
use crate::app::action::Action;
use crate::app::state::State;

pub const HINTS: &[Action] = &[
    Action::Back,
    Action::Down,
    Action::Up,
    Action::CopyId,
    Action::CopyLink,
    Action::Refresh,
    Action::Help,
];

pub fn render(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let lines = crate::app::doc::current(s);
    super::doc::render(buf, area, &lines, s.artifact_scroll, theme);
}
