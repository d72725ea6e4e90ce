//! Messages sharing a correlation id (from a message's detail).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::chrome::{Hint, h};
use crate::app::doc::{DocLine, Seg, wrap};
use crate::app::state::State;
use crate::kit::action::Action;
use crate::kit::load::Fetch;
use crate::kit::table::Tone;
use crate::kit::widgets::theme::Theme;

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
        Fetch::Failed(e) => {
            // Wrapped, not cut: the whole error is the only thing on screen.
            let line = DocLine(vec![Seg {
                text: format!("Could not list correlated messages: {e}"),
                tone: Tone::Bad,
                bold: false,
            }]);
            let style = theme.tone(Tone::Bad);
            for (i, l) in wrap(&[line], area.width as usize)
                .iter()
                .take(area.height as usize)
                .enumerate()
            {
                buf.set_stringn(area.x, area.y + i as u16, l.text(), area.width as usize, style);
            }
        }
        Fetch::Done(items) => {
            crate::kit::widgets::table::render(buf, area, &s.correlated, &s.cell_cx(), theme);
            let list = &s.correlated.list;
            let text = if items.is_empty() {
                Some(format!(
                    "The tenant returned no messages with correlation id {}.",
                    s.correlated.correlation_id
                ))
            } else if list.is_empty() && !list.filter.is_empty() {
                Some(format!(
                    "No messages match /{} — Esc clears the filter.",
                    list.filter
                ))
            } else {
                None
            };
            if let Some(text) = text {
                let inner = Rect::new(area.x, area.y + 1, area.width, area.height.saturating_sub(1));
                super::placeholder(buf, inner, Line::styled(text, theme.muted()));
            }
        }
    }
}
