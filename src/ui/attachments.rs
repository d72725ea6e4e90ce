//! A message's attachments; Enter shows one.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::chrome::{Hint, h};
use super::theme::Theme;
use crate::app::action::Action;
use crate::app::state::State;

pub const HINTS: &[Hint] = &[
    h(Action::Open),
    h(Action::Back),
    h(Action::Filter),
    h(Action::CopyId),
    h(Action::Export),
];

pub fn render(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    super::table::render(buf, area, &s.attachments, &s.cell_cx(), theme);
}
