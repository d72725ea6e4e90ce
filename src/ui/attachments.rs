//! A message's attachments; Enter shows one.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::chrome::{Hint, h};
use crate::app::state::State;
use crate::kit::action::Action;
use crate::kit::widgets::theme::Theme;

pub const HINTS: &[Hint] = &[
    h(Action::Open),
    h(Action::Back),
    h(Action::Filter),
    h(Action::CopyId),
    h(Action::Export),
];

pub fn render(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    crate::kit::widgets::table::render(buf, area, &s.attachments, &s.cell_cx(), theme);
    let list = &s.attachments.list;
    if list.is_empty() && !list.filter.is_empty() {
        let inner = Rect::new(area.x, area.y + 1, area.width, area.height.saturating_sub(1));
        let text = format!("No attachments match /{} — Esc clears the filter.", list.filter);
        super::placeholder(buf, inner, Line::styled(text, theme.muted()));
    }
}
