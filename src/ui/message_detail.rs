//! A message: properties, error text (first exception line and HTTP status emphasised), custom
//! header properties, attachments, runs with their steps (the failing step marked). Also draws
//! an attachment's content.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::chrome::{Hint, h};
use crate::app::state::{Route, State};
use crate::kit::action::Action;
use crate::kit::widgets::theme::Theme;

pub const HINTS: &[Hint] = &[
    h(Action::Back),
    h(Action::JumpArtifact),
    h(Action::Correlated),
    h(Action::Attachments),
    h(Action::CopyId),
    h(Action::CopyLink),
    h(Action::Down),
    h(Action::Help),
];

pub const ATTACHMENT_HINTS: &[Hint] = &[
    h(Action::Back),
    h(Action::Down),
    h(Action::Up),
    h(Action::PageDown),
    h(Action::CopyId),
];

pub fn render(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    let lines = crate::app::doc::current(s);
    let scroll = match s.route() {
        Route::Attachment { .. } => s.attachment.as_ref().map_or(0, |a| a.scroll),
        _ => s.message.as_ref().map_or(0, |d| d.scroll),
    };
    crate::kit::widgets::doc::render(buf, area, &lines, scroll, theme);
}
