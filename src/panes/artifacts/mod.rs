//! The Artifacts pane: every deployed runtime artifact, anything not STARTED first, and one
//! artifact's detail with its deployment error.
//!
//! - [`state`]: the slice, its columns, its views (`Route`) and what its keys do.
//! - [`doc`]: the detail's document. [`view`]: hints, breadcrumbs and drawing.
//! - [`get`]: `cpitop get artifacts` and `cpitop get artifact ID`.
//! - [`schema`]: the artifact record of machine output (`-o json|ndjson|csv`, the export).

pub mod doc;
pub mod get;
pub mod schema;
pub mod state;
pub mod view;

pub use state::{Artifacts, COLUMNS, GET_COLUMNS, Route, Since, since_cell};
