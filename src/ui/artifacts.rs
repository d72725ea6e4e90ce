//! Artifacts pane: the generic table over runtime artifacts.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::chrome::{Hint, h};
use crate::app::state::State;
use crate::kit::action::Action;
use crate::kit::widgets::theme::Theme;

pub const HINTS: &[Hint] = &[
    h(Action::Open),
    h(Action::Filter),
    Hint(Action::ToggleFailed, Some("not started")),
    h(Action::Sort),
    h(Action::CopyId),
    h(Action::Export),
    h(Action::Help),
    h(Action::Command),
    h(Action::Restart),
    h(Action::Undeploy),
];

pub fn render(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    super::table_or_placeholder(
        buf,
        area,
        s,
        &s.artifacts,
        (&s.artifacts.load, s.intervals.artifacts),
        "artifacts",
        theme,
    );
}
