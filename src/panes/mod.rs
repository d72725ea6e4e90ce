//! One folder per pane: its state and keys (`state.rs`), its documents (`doc.rs`), its drawing
//! (`view.rs`) and its `cpitop get` face (`get.rs`). [`pane`] is the contract between a pane and
//! the app: a pane answers for its own views only, returns effects as data and intents to go
//! elsewhere, and never calls another pane.

pub mod alerts;
pub mod artifacts;
pub mod errors;
pub mod keystore;
pub mod messages;
pub mod pane;
pub mod queues;
pub mod tenants;
