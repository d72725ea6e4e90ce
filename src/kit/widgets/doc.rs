//! Draw a document (`kit::doc`) with a scroll position and a scroll indicator.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::theme::Theme;
use crate::kit::doc::DocLine;

pub fn render(buf: &mut Buffer, area: Rect, lines: &[DocLine], scroll: usize, theme: &Theme) {
    let rows = area.height as usize;
    let max = lines.len().saturating_sub(rows);
    let scroll = scroll.min(max);
    for (i, l) in lines.iter().skip(scroll).take(rows).enumerate() {
        let spans: Vec<Span> =
            l.0.iter()
                .map(|seg| {
                    let mut st = theme.tone(seg.tone);
                    if seg.bold {
                        st = st.add_modifier(Modifier::BOLD);
                    }
                    Span::styled(seg.text.clone(), st)
                })
                .collect();
        buf.set_line(area.x, area.y + i as u16, &Line::from(spans), area.width);
    }
    if lines.len() > rows && area.width > 12 {
        let text = format!(
            " {}–{} of {} ",
            scroll + 1,
            (scroll + rows).min(lines.len()),
            lines.len()
        );
        let w = text.chars().count() as u16;
        buf.set_stringn(
            area.x + area.width - w,
            area.y + area.height - 1,
            text,
            w as usize,
            theme.muted().add_modifier(Modifier::REVERSED),
        );
    }
}
