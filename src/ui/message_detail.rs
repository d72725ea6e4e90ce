//! A message: properties, error text (first exception line and HTTP status emphasised), custom
//! header properties, attachments, runs with their steps (the failing step marked). Also draws
//! an attachment's content.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::theme::Theme;
use crate::app::action::Action;
use crate::app::state::{Route, State};

pub const HINTS: &[Action] = &[
    Action::Back,
    Action::JumpArtifact,
    Action::Correlated,
    Action::Attachments,
    Action::CopyId,
    Action::CopyLink,
    Action::Down,
    Action::Help,
];

pub const ATTACHMENT_HINTS: &[Action] = &[
    Action::Back,
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::CopyId,
];

pub fn render(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let lines = crate::app::doc::current(s);
    let scroll = match s.route() {
        Route::Attachment { .. } => s.attachment.as_ref().map_or(0, |a| a.scroll),
        _ => s.message.as_ref().map_or(0, |d| d.scroll),
    };
    super::doc::render(buf, area, &lines, scroll, theme);
}
