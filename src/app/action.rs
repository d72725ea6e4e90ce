//! What a key can do. Every action has a keymap name and a description; help and footer hints
//! are generated from them.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Quit,
    Back,
    PaneArtifacts,
    PaneMessages,
    PaneQueues,
    PaneNext,
    PanePrev,
    Command,
    Help,
    Refresh,
    ToggleTime,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Filter,
    Sort,
    SortPrev,
    SortNext,
    CopyId,
    CopyLink,
    Export,
    ToggleFailed,
    Window,
    Live,
    JumpArtifact,
    Correlated,
    Attachments,
}

/// (keymap name, action, description).
const TABLE: &[(&str, Action, &str)] = &[
    ("quit", Action::Quit, "quit (in a detail view: back)"),
    ("back", Action::Back, "back / clear filter"),
    ("pane_artifacts", Action::PaneArtifacts, "artifacts pane"),
    ("pane_messages", Action::PaneMessages, "messages pane"),
    ("pane_queues", Action::PaneQueues, "queues pane"),
    ("pane_next", Action::PaneNext, "next pane"),
    ("pane_prev", Action::PanePrev, "previous pane"),
    ("command", Action::Command, "command"),
    ("help", Action::Help, "help"),
    ("refresh", Action::Refresh, "refresh now"),
    ("toggle_time", Action::ToggleTime, "UTC/local time"),
    ("up", Action::Up, "up"),
    ("down", Action::Down, "down"),
    ("page_up", Action::PageUp, "page up"),
    ("page_down", Action::PageDown, "page down"),
    ("top", Action::Top, "top"),
    ("bottom", Action::Bottom, "bottom"),
    ("open", Action::Open, "open"),
    ("filter", Action::Filter, "filter"),
    ("sort", Action::Sort, "sort by column letter"),
    ("sort_prev", Action::SortPrev, "sort by previous column"),
    ("sort_next", Action::SortNext, "sort by next column"),
    ("copy_id", Action::CopyId, "copy id"),
    ("copy_link", Action::CopyLink, "copy web-UI link"),
    ("export", Action::Export, "export CSV/JSON"),
    ("toggle_failed", Action::ToggleFailed, "failed only"),
    ("window", Action::Window, "time window"),
    ("live", Action::Live, "live mode"),
    ("jump_artifact", Action::JumpArtifact, "go to artifact"),
    ("correlated", Action::Correlated, "same correlation id"),
    ("attachments", Action::Attachments, "attachments"),
];

impl Action {
    pub fn parse(name: &str) -> Option<Action> {
        TABLE.iter().find(|(n, _, _)| *n == name).map(|(_, a, _)| *a)
    }
    pub fn name(self) -> &'static str {
        TABLE
            .iter()
            .find(|(_, a, _)| *a == self)
            .map(|(n, _, _)| *n)
            .unwrap_or("?")
    }
    pub fn describe(self) -> &'static str {
        TABLE
            .iter()
            .find(|(_, a, _)| *a == self)
            .map(|(_, _, d)| *d)
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_unique_name() {
        let mut names: Vec<_> = TABLE.iter().map(|(n, _, _)| *n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), TABLE.len());
        for (n, a, _) in TABLE {
            assert_eq!(Action::parse(n), Some(*a));
            assert_eq!(a.name(), *n);
        }
    }
}
