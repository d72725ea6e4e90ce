//! The Alerts pane: the tenant's monitors with their statuses (errors first), a monitor's
//! evidence, the history of transitions, a certificate named by an alert; acknowledging and
//! silencing; the evaluation of the monitors inside the TUI.
//!
//! - [`state`]: the slice (specs, statuses, controls, evidence and history tables, the data only
//!   the monitors read), its views (`Route`) and what its keys do.
//! - [`eval`]: a round: what to fetch, evaluating on the panes' and the poller's data, the
//!   transitions' steps (save, notify, bell).
//! - [`doc`]: the evidence view's and the certificate's documents. [`view`]: hints, drawing.
//! - [`schema`]: the monitor, evidence and transition records of the export.

pub mod doc;
pub mod eval;
pub mod schema;
pub mod state;
pub mod view;

pub use state::{
    Alerts, AlertsLaunch, AlertsSetup, EvidenceRow, EvidenceTable, HISTORY_SHOWN, HistoryTable, Route,
    status_tone, status_word,
};
