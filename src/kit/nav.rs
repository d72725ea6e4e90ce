//! Where the user can go: the top-level panes (the tab line), and the intents a view returns to
//! go somewhere (`Nav`). The app applies intents in one place (`app::nav`): no pane calls another
//! pane's handlers.

/// Top-level panes, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Tenants,
    Artifacts,
    Messages,
    Queues,
    Alerts,
    Errors,
    Keystore,
}

impl Pane {
    /// The tab order (`index` places each pane in it).
    pub const ALL: [Pane; 7] = [
        Pane::Tenants,
        Pane::Artifacts,
        Pane::Messages,
        Pane::Queues,
        Pane::Alerts,
        Pane::Errors,
        Pane::Keystore,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Pane::Tenants => "Tenants",
            Pane::Artifacts => "Artifacts",
            Pane::Messages => "Messages",
            Pane::Queues => "Queues",
            Pane::Alerts => "Alerts",
            Pane::Errors => "Errors",
            Pane::Keystore => "Keystore",
        }
    }
    /// The pane's place in the tab line.
    pub fn index(self) -> usize {
        match self {
            Pane::Tenants => 0,
            Pane::Artifacts => 1,
            Pane::Messages => 2,
            Pane::Queues => 3,
            Pane::Alerts => 4,
            Pane::Errors => 5,
            Pane::Keystore => 6,
        }
    }
    /// The pane's number key, fixed across versions (`0` Tenants … `6` Keystore), shown in the
    /// tab line: a pane not in this build leaves its number unused.
    pub fn number(self) -> u8 {
        match self {
            Pane::Tenants => 0,
            Pane::Artifacts => 1,
            Pane::Messages => 2,
            Pane::Queues => 3,
            Pane::Alerts => 4,
            Pane::Errors => 5,
            Pane::Keystore => 6,
        }
    }
}

/// An intent to go somewhere else than the view's own drill-downs, returned by a view and applied
/// by the app (`app::nav`). A view drills into its own views itself (`Reply::push`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nav {
    /// Show a pane at its top (the navigation stack starts over).
    SwitchPane(Pane),
    /// One message's detail, over the current view.
    OpenMessage(String),
    /// One artifact's detail, over the current view.
    OpenArtifact(String),
    /// The Artifacts pane with this artifact selected and its detail open.
    ShowArtifact(String),
    /// The Queues pane with this queue's messages open.
    ShowQueue(String),
    /// The Messages pane asking the tenant for this iFlow's messages of these statuses.
    ShowMessagesOf { iflow: String, status: String },
    /// A keystore entry's certificate view (the Keystore pane's), over the current view.
    OpenCertificate(String),
    /// The tenant's alert transitions, over the current view.
    OpenAlertHistory,
    /// Open this configured tenant (as `:ctx NAME`; its panes and cache are kept per tenant).
    SwitchTenant(String),
    /// An artifact's detail in a tenant (switching to it first when it is not open).
    OpenArtifactIn { tenant: String, id: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_order_and_places_agree() {
        for (i, p) in Pane::ALL.iter().enumerate() {
            assert_eq!(p.index(), i, "{p:?}");
        }
        let mut numbers: Vec<u8> = Pane::ALL.iter().map(|p| p.number()).collect();
        assert!(numbers.is_sorted(), "the tab line shows the numbers in order");
        numbers.dedup();
        assert_eq!(numbers.len(), Pane::ALL.len(), "one number each");
        assert_eq!(Pane::Tenants.number(), 0, "the team's fixed numbering");
    }
}
