//! The Queues pane: every JMS queue with its depth and health, the `DLQ_` partner beside its
//! source queue, the broker's capacity; one queue's messages with the guarded writes (retry,
//! move, delete) on them.
//!
//! - [`state`]: the slice, its columns, its views (`Route`) and what its keys do.
//! - [`messages`]: a queue's messages as a table. [`view`]: hints, breadcrumbs and drawing.
//! - [`get`]: `cpitop get queues` and `cpitop get queue NAME`.
//! - [`schema`]: the queue, queue-message and broker records of machine output and the export.

pub mod get;
pub mod messages;
pub mod schema;
pub mod state;
pub mod view;

pub use messages::{MESSAGE_COLUMNS, QueueMessages, jms_state_word};
pub use state::{COLUMNS, Queues, Route};
