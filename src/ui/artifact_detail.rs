//! An artifact and its deployment error (the `parameter` texts), wrapped and scrollable.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::chrome::{Hint, h};
use crate::app::state::State;
use crate::kit::action::Action;
use crate::kit::widgets::theme::Theme;

pub const HINTS: &[Hint] = &[
    h(Action::Back),
    h(Action::Down),
    h(Action::Up),
    h(Action::CopyId),
    h(Action::CopyLink),
    h(Action::Refresh),
    h(Action::Help),
];

pub fn render(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let lines = crate::app::doc::current(s);
    crate::kit::widgets::doc::render(buf, area, &lines, s.artifact_scroll, theme);
}
