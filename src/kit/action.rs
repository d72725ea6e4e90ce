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
    PaneAlerts,
    PaneKeystore,
    Acknowledge,
    Silence,
    AlertHistory,
    /// Guarded writes (issue 6; see `features::writes`).
    Mark,
    MarkAll,
    Retry,
    Move,
    Delete,
    RetryAll,
    MoveAll,
    Restart,
    Undeploy,
    /// The failed messages of the artifact (or the evidence's iFlow), newest first.
    Failures,
    /// Wide/narrow columns: every column (scrolling off the right edge) or those that fit.
    Wide,
    /// Quit from any view or mode (Ctrl-C).
    QuitNow,
    PaneTenants,
    /// The version drift of the selected tenant's landscape.
    Drift,
    /// The drift view's tenant column to the left / right.
    ColumnPrev,
    ColumnNext,
    /// The drift view's next landscape.
    NextLandscape,
    /// The Errors pane (issue 16).
    PaneErrors,
    NewestError,
    SplitIflow,
}

/// (keymap name, action, short hint for the footer, description for help).
const TABLE: &[(&str, Action, &str, &str)] = &[
    ("quit", Action::Quit, "quit", "quit (in a drill-down: back)"),
    ("back", Action::Back, "back", "back / clear filter"),
    (
        "pane_artifacts",
        Action::PaneArtifacts,
        "artifacts",
        "artifacts pane",
    ),
    ("pane_messages", Action::PaneMessages, "messages", "messages pane"),
    ("pane_queues", Action::PaneQueues, "queues", "queues pane"),
    ("pane_next", Action::PaneNext, "next pane", "next pane"),
    ("pane_prev", Action::PanePrev, "prev pane", "previous pane"),
    ("command", Action::Command, "command", "command"),
    ("help", Action::Help, "help", "help"),
    ("refresh", Action::Refresh, "refresh", "refresh now"),
    ("toggle_time", Action::ToggleTime, "utc/local", "UTC/local time"),
    ("up", Action::Up, "up", "up"),
    ("down", Action::Down, "down", "down"),
    ("page_up", Action::PageUp, "page up", "page up"),
    ("page_down", Action::PageDown, "page down", "page down"),
    ("top", Action::Top, "top", "top"),
    ("bottom", Action::Bottom, "bottom", "bottom"),
    ("open", Action::Open, "open", "open"),
    ("filter", Action::Filter, "filter", "filter"),
    ("sort", Action::Sort, "sort", "sort by column letter"),
    ("sort_prev", Action::SortPrev, "sort ←", "sort by previous column"),
    ("sort_next", Action::SortNext, "sort →", "sort by next column"),
    ("copy_id", Action::CopyId, "copy id", "copy id"),
    ("copy_link", Action::CopyLink, "copy link", "copy web-UI link"),
    ("export", Action::Export, "export", "export CSV/JSON"),
    ("toggle_failed", Action::ToggleFailed, "failed", "failed only"),
    ("window", Action::Window, "window", "time window"),
    ("live", Action::Live, "live", "live mode"),
    (
        "jump_artifact",
        Action::JumpArtifact,
        "artifact",
        "go to artifact",
    ),
    (
        "correlated",
        Action::Correlated,
        "correlated",
        "same correlation id",
    ),
    ("attachments", Action::Attachments, "attachments", "attachments"),
    ("pane_alerts", Action::PaneAlerts, "alerts", "alerts pane"),
    ("pane_keystore", Action::PaneKeystore, "keystore", "keystore pane"),
    (
        "acknowledge",
        Action::Acknowledge,
        "ack",
        "acknowledge the alert (again: remove)",
    ),
    (
        "silence",
        Action::Silence,
        "silence",
        "silence the monitor (1h, 4h, 24h, typed, off)",
    ),
    (
        "alert_history",
        Action::AlertHistory,
        "history",
        "history of alert transitions",
    ),
    ("mark", Action::Mark, "mark", "mark / unmark the message"),
    (
        "mark_all",
        Action::MarkAll,
        "mark all",
        "mark / unmark every shown message",
    ),
    (
        "retry",
        Action::Retry,
        "retry",
        "retry the marked (or selected) messages",
    ),
    (
        "move",
        Action::Move,
        "move",
        "move the marked (or selected) messages",
    ),
    (
        "delete",
        Action::Delete,
        "delete",
        "delete the marked (or selected) messages",
    ),
    (
        "retry_all",
        Action::RetryAll,
        "retry all",
        "retry every message of the queue",
    ),
    (
        "move_all",
        Action::MoveAll,
        "move all",
        "move every message of the queue",
    ),
    (
        "restart",
        Action::Restart,
        "restart",
        "restart (redeploy the active version)",
    ),
    ("undeploy", Action::Undeploy, "undeploy", "undeploy the artifact"),
    (
        "failures",
        Action::Failures,
        "failures",
        "its failed messages, newest first (Enter: the top one's error)",
    ),
    (
        "wide",
        Action::Wide,
        "wide",
        "wide/narrow columns: every column, or the ones that matter first",
    ),
    (
        "quit_now",
        Action::QuitNow,
        "quit",
        "quit at once, from any view or mode (the cache is saved first)",
    ),
    ("pane_tenants", Action::PaneTenants, "tenants", "tenants pane"),
    (
        "drift",
        Action::Drift,
        "drift",
        "version drift of the selected tenant's landscape",
    ),
    (
        "column_prev",
        Action::ColumnPrev,
        "tenant ←",
        "tenant column to the left",
    ),
    (
        "column_next",
        Action::ColumnNext,
        "tenant →",
        "tenant column to the right",
    ),
    (
        "landscape_next",
        Action::NextLandscape,
        "landscape",
        "next landscape",
    ),
    ("pane_errors", Action::PaneErrors, "errors", "errors pane"),
    (
        "newest_error",
        Action::NewestError,
        "newest",
        "the newest member's error (its message)",
    ),
    (
        "split_iflow",
        Action::SplitIflow,
        "per iFlow",
        "one group per signature and iFlow / across iFlows",
    ),
];

impl Action {
    /// Every action's keymap name, in the keymap's order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        TABLE.iter().map(|(n, ..)| *n)
    }
    pub fn parse(name: &str) -> Option<Action> {
        TABLE.iter().find(|(n, ..)| *n == name).map(|(_, a, ..)| *a)
    }
    pub fn name(self) -> &'static str {
        TABLE
            .iter()
            .find(|(_, a, ..)| *a == self)
            .map(|(n, ..)| *n)
            .unwrap_or("?")
    }
    pub fn describe(self) -> &'static str {
        TABLE
            .iter()
            .find(|(_, a, ..)| *a == self)
            .map(|(.., d)| *d)
            .unwrap_or("")
    }
    /// Changes the tenant: refused on read-only tenants, always confirmed, audited. This is the
    /// safety rule in code; the keymap's `dangerous` marks (display) are tested to agree.
    pub fn is_write(self) -> bool {
        matches!(
            self,
            Action::Retry
                | Action::Move
                | Action::Delete
                | Action::RetryAll
                | Action::MoveAll
                | Action::Restart
                | Action::Undeploy
        )
    }
    /// One or two words for the footer.
    pub fn hint(self) -> &'static str {
        TABLE
            .iter()
            .find(|(_, a, ..)| *a == self)
            .map(|(_, _, h, _)| *h)
            .unwrap_or("")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn all() -> Vec<(&'static str, Action, &'static str, &'static str)> {
        TABLE.to_vec()
    }

    #[test]
    fn every_action_has_a_unique_name() {
        let mut names: Vec<_> = TABLE.iter().map(|(n, ..)| *n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), TABLE.len());
        for (n, a, ..) in TABLE {
            assert_eq!(Action::parse(n), Some(*a));
            assert_eq!(a.name(), *n);
        }
    }
}
