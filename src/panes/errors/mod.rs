//! The Errors pane: the failed messages of the message window (and those whose custom status is
//! configured as an error) grouped by error signature — one broken receiver failing five iFlows
//! is one group — with count, iFlows, first and last seen, a trend over the window, whether the
//! signature is new, and a sample message; one group's member messages, from where a message's
//! detail opens (`Nav::OpenMessage`).
//!
//! - [`state`]: the slice (groups, texts read, the budget, remembered signatures), its columns,
//!   its views (`Route`), what its keys do, and the grouping job run off the input path.
//! - [`view`]: hints, breadcrumbs, the texts line and drawing.
//! - [`get`]: `cpitop get errors`.
//! - [`schema`]: the error-group and member records of machine output and the export.

pub mod get;
pub mod schema;
pub mod state;
pub mod view;

pub use state::{
    COLUMNS, Errors, ErrorsLaunch, GroupJob, MEMBER_COLUMNS, Members, Route, Settings, failed_rows, run_group,
};
