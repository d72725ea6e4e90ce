//! The Messages pane: message processing logs of a time window, newest first; one message's
//! detail (properties, error, custom headers, attachments, runs); the messages sharing its
//! correlation id; its attachments.
//!
//! - [`state`]: the slice (the window in the columnar store, the open detail, correlated
//!   messages, attachments), its columns, its views (`Route`) and what its keys do.
//! - [`detail`]: the drill-down tables and the detail's parts as held.
//! - [`doc`]: the detail's and an attachment's documents. [`view`]: hints, breadcrumbs, drawing.
//! - [`get`]: `cpitop get messages` and `cpitop get message GUID`.
//! - [`schema`]: the message record (list row and detail) of machine output and the export.

pub mod detail;
pub mod doc;
pub mod get;
pub mod schema;
pub mod state;
pub mod view;

pub use detail::{
    AttachmentContent, Attachments, Correlated, MessageDetail, MessagePart, NavPart, RunWithSteps,
};
pub use state::{COLUMNS, Messages, Route, SortJob, WINDOWS_MS, sort_all};
