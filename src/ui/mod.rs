//! Views: render `&State` into ratatui widgets. No I/O, no awaiting, no clock: everything shown
//! comes from the state (`State::now` is the clock).

pub mod alerts;
pub mod artifact_detail;
pub mod artifacts;
pub mod attachments;
pub mod chrome;
pub mod correlated;
pub mod ctx;
pub mod dialog;
pub mod help;
pub mod message_detail;
pub mod messages;
pub mod queue_messages;
pub mod queues;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;

use crate::app::state::{Mode, Pane, Route, State};
use crate::kit::load::{Load, Phase};
use crate::kit::table::Table;
pub use crate::kit::widgets::theme::{ColorLevel, Theme};

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
    match s.route() {
        Route::Pane(Pane::Artifacts) => artifacts::render(buf, body, s, theme),
        Route::Pane(Pane::Messages) => messages::render(buf, body, s, theme),
        Route::Pane(Pane::Queues) => queues::render(buf, body, s, theme),
        Route::QueueMessages { .. } => queue_messages::render(buf, body, s, theme),
        Route::Correlated { .. } => correlated::render(buf, body, s, theme),
        Route::Attachments { .. } => attachments::render(buf, body, s, theme),
        Route::ArtifactDetail { .. } => artifact_detail::render(buf, body, s, theme),
        Route::MessageDetail { .. } | Route::Attachment { .. } => message_detail::render(buf, body, s, theme),
        Route::Pane(Pane::Alerts) => alerts::render(buf, body, s, theme),
        Route::AlertEvidence { key } => alerts::render_evidence(buf, body, s, key, theme),
        Route::AlertHistory => alerts::render_history(buf, body, s, theme),
        Route::Certificate { alias } => alerts::render_certificate(buf, body, s, alias, theme),
    }
    chrome::footer(buf, Rect::new(area.x, footer_y, area.width, 1), s, theme);
    if let Mode::Help(scroll) = s.mode {
        help::render(buf, area, s, scroll, theme);
    }
    dialog::render(buf, area, s, theme);
    if let Mode::Ctx(selected) = s.mode {
        ctx::render(buf, area, s, selected, theme);
    }
}

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

pub fn spinner(s: &State) -> &'static str {
    SPINNER[((s.now / 250).rem_euclid(4)) as usize]
}

/// Render a polled table, or what stands in for it while there is nothing to show.
pub fn table_or_placeholder(
    buf: &mut Buffer,
    area: Rect,
    s: &State,
    t: &dyn Table,
    (load, interval_ms): (&Load, u64),
    what: &str,
    theme: &Theme,
) {
    let phase = load.phase(s.now, interval_ms as i64);
    match phase {
        Phase::Idle | Phase::Loading => {
            placeholder(
                buf,
                area,
                Line::styled(format!("{} Loading {what}…", spinner(s)), theme.muted()),
            );
        }
        Phase::Failed => {
            let text = format!(
                "Could not load {what} (error above); retrying every {}.",
                crate::kit::format::age(interval_ms as i64)
            );
            placeholder(
                buf,
                area,
                Line::styled(text, theme.tone(crate::kit::table::Tone::Bad)),
            );
        }
        Phase::Fresh | Phase::Stale => {
            crate::kit::widgets::table::render(buf, area, t, &s.cell_cx(), theme);
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
