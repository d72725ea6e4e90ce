//! Messages sharing a correlation id (from a message's detail).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::chrome::{Hint, h};
use super::theme::Theme;
use crate::app::action::Action;
use crate::app::load::Fetch;
use crate::app::state::State;
use crate::app::table::Tone;

pub const HINTS: &[Hint] = &[
    h(Action::Open),
    h(Action::Back),
    h(Action::Filter),
    h(Action::CopyId),
    h(Action::CopyLink),
    h(Action::Export),
];

pub fn render(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    match &s.correlated.items {
        Fetch::Pending => super::placeholder(
            buf,
            area,
            Line::styled(
                format!("{} Loading messages with this correlation id…", super::spinner(s)),
                theme.muted(),
            ),
        ),
        Fetch::Failed(e) => super::placeholder(
            buf,
            area,
            Line::styled(
                format!("Could not list correlated messages: {e}"),
                theme.tone(Tone::Bad),
            ),
        ),
        Fetch::Done(_) => super::table::render(buf, area, &s.correlated, &s.cell_cx(), theme),
    }
}
