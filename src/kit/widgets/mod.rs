//! Drawing parts shared by every view: the data table, a scrolled document, the theme, and what
//! stands in for a table while there is nothing to show. No I/O, no clock: the time is passed in.

pub mod doc;
pub mod table;
pub mod theme;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::load::{Load, Phase};
use super::table::{CellCx, Table, Tone};
use crate::cpi::odata::EpochMs;
use theme::Theme;

/// A line of text in the middle of an empty body.
pub fn placeholder(buf: &mut Buffer, area: Rect, line: Line<'_>) {
    if area.height == 0 {
        return;
    }
    let y = area.y + area.height / 3;
    let w = line.width().min(area.width as usize) as u16;
    let x = area.x + (area.width - w) / 2;
    buf.set_line(x, y, &line, w);
}

const SPINNER: [&str; 4] = ["◐", "◓", "◑", "◒"];

/// The spinner's frame at `now` (a quarter turn every 250 ms).
pub fn spinner(now: EpochMs) -> &'static str {
    SPINNER[((now / 250).rem_euclid(4)) as usize]
}

/// Render a polled table, or what stands in for it while there is nothing to show.
pub fn table_or_placeholder(
    buf: &mut Buffer,
    area: Rect,
    t: &dyn Table,
    (load, interval_ms): (&Load, u64),
    what: &str,
    cx: &CellCx,
    theme: &Theme,
) {
    let phase = load.phase(cx.now, interval_ms as i64);
    match phase {
        Phase::Idle | Phase::Loading => {
            placeholder(
                buf,
                area,
                Line::styled(format!("{} Loading {what}…", spinner(cx.now)), theme.muted()),
            );
        }
        Phase::Failed => {
            let text = format!(
                "Could not load {what} (error above); retrying every {}.",
                crate::kit::format::age(interval_ms as i64)
            );
            placeholder(buf, area, Line::styled(text, theme.tone(Tone::Bad)));
        }
        Phase::Fresh | Phase::Stale => {
            table::render(buf, area, t, cx, theme);
            if t.list().view.is_empty() {
                let text = if t.row_count() == 0 {
                    format!("No {what}.")
                } else if !t.list().filter.is_empty() {
                    format!("No {what} match /{} — Esc clears the filter.", t.list().filter)
                } else {
                    format!("No {what} match the toggles (f).")
                };
                let inner = Rect::new(area.x, area.y + 1, area.width, area.height.saturating_sub(1));
                placeholder(buf, inner, Line::styled(text, theme.muted()));
            }
        }
    }
}

/// A table's empty state under its column titles when the `/` filter hides every row.
pub fn no_match(buf: &mut Buffer, area: Rect, what: &str, filter: &str, theme: &Theme) {
    let inner = Rect::new(area.x, area.y + 1, area.width, area.height.saturating_sub(1));
    let text = format!("No {what} match /{filter} — Esc clears the filter.");
    placeholder(buf, inner, Line::styled(text, theme.muted()));
}
