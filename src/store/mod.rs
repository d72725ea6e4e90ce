//! The in-memory message store: columnar, dictionary-coded, built for a busy tenant's day of
//! message processing logs (issue 7).
//!
//! # Data flow
//! The MPL fetcher calls [`MplBatch::decode`] on the raw page bytes on a blocking thread and sends
//! the batch over a channel; the state owner calls [`MessageStore::merge`]. Views borrow the store.
//!
//! # Layout (per message)
//! - ids (`MessageGuid`, `CorrelationId`, `ApplicationMessageId`) back to back in one byte arena,
//!   with a `u32` start and three `u16` lengths per row;
//! - `LogStart`/`LogEnd` as `i64` epoch ms;
//! - status as `u8`; iFlow, sender, receiver, message type and custom status as `u32` codes into
//!   per-column dictionaries (iFlow name and package hang off the iFlow code);
//! - a guid → row open-addressing table of `u32` row ids.
//!
//! Rows are appended; an update (same guid, e.g. PROCESSING → COMPLETED) rewrites the row in
//! place. Eviction (window limits) compacts every column and rebuilds the index, which moves rows:
//! see [`MessageStore::layout`].
mod batch;
mod columns;
mod dict;
mod index;
mod query;
mod sort;
mod stats;
#[allow(clippy::module_inception)]
mod store;
pub mod testgen;
mod text;
mod view;

pub use batch::MplBatch;
pub use dict::IflowInfo;
pub use query::{Query, StatusSet, TEXT_COLUMNS, decide_probe, filter_rows};
pub use sort::{SortColumn, SortKey, sort_rows};
pub use stats::{StatusCounts, WindowStats};
pub use store::{Distinct, MergeStats, MessageRef, MessageStore, RowId, StoreLimits};
pub use text::match_ranges;
pub use view::{FilterTask, Filtered, MessageView};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod view_tests;
