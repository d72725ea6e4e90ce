//! Artifacts pane: the generic table over runtime artifacts.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::theme::Theme;
use crate::app::action::Action;
use crate::app::state::State;

pub const HINTS: &[Action] = &[
    Action::Open,
    Action::Filter,
    Action::ToggleFailed,
    Action::Sort,
    Action::CopyId,
    Action::Export,
    Action::Help,
    Action::Command,
];

pub fn render(buf: &mut Buffer, area: Rect, s: &State, theme: &Theme) {
    super::table_or_placeholder(
        buf,
        area,
        s,
        &s.artifacts,
        &s.artifacts.load,
        s.intervals.artifacts,
        "artifacts",
        theme,
    );
}
