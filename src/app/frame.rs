//! One frame: the chrome (header, tab line, error banner, breadcrumb, footer) around the focused
//! view, and the overlays (help, the write dialogs). Draws `&State` only: no I/O,
//! no awaiting, no clock (`State::now` is the clock).

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::state::{Mode, State};
use super::{chrome, help};
use crate::kit::widgets::theme::Theme;

pub use crate::kit::widgets::theme::ColorLevel;

/// Draw one frame.
pub fn render(frame: &mut Frame, s: &State, theme: &Theme) {
    let area = frame.area();
    draw(frame.buffer_mut(), area, s, theme);
}

/// Draw into a buffer (what `render` does; also used by tests and benches).
pub fn draw(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    if area.height < 5 || area.width < 20 {
        buf.set_stringn(
            area.x,
            area.y,
            "cpitop: window too small",
            area.width as usize,
            Style::default(),
        );
        return;
    }
    let mut y = area.y;
    chrome::header(buf, Rect::new(area.x, y, area.width, 1), s, theme);
    y += 1;
    chrome::tabs(buf, Rect::new(area.x, y, area.width, 1), s, theme);
    y += 1;
    if let Some(err) = s.banner() {
        chrome::banner(buf, Rect::new(area.x, y, area.width, 1), s, &err, theme);
        y += 1;
    }
    chrome::breadcrumb(buf, Rect::new(area.x, y, area.width, 1), s, theme);
    y += 1;
    let footer_y = area.y + area.height - 1;
    let body = Rect::new(area.x, y, area.width, footer_y.saturating_sub(y));
    s.focus(s.route()).render(buf, body, &s.cx(), theme);
    chrome::footer(buf, Rect::new(area.x, footer_y, area.width, 1), s, theme);
    if let Mode::Help(scroll) = s.mode {
        help::render(buf, area, s, scroll, theme);
    }
    crate::features::writes::view::render(buf, area, &s.writes, s.now, theme);
    crate::features::extend::view::render(buf, area, &s.ext, theme);
    body_colours(buf, area, theme);
}

/// A skin with its own text and background colours (`light`, `high-contrast`) gives them to every
/// cell that has none of its own, overlays included.
fn body_colours(buf: &mut Buffer, area: Rect, theme: &Theme) {
    use ratatui::style::Color;
    let (fg, bg) = theme.body();
    if fg.is_none() && bg.is_none() {
        return;
    }
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            if let Some(c) = fg.filter(|_| cell.fg == Color::Reset) {
                cell.fg = c;
            }
            if let Some(c) = bg.filter(|_| cell.bg == Color::Reset) {
                cell.bg = c;
            }
        }
    }
}
