//! Application state, `update`, effects and pollers; testable without a terminal.
//!
//! Data flow, one way (so `update` stays pure and testable): producers (terminal events, a tick, pollers) send `Msg`s on one
//! channel to the loop that owns `State`; `update` mutates it and returns `Effect`s, which the
//! effect runner executes; views render `&State` when it is dirty.

pub mod actions;
pub mod alerts;
pub mod alerts_actions;
pub mod alerts_eval;
pub mod artifacts;
pub mod cache_data;
pub mod cache_sync;
pub mod command;
pub mod ctx;
pub mod detail;
pub mod doc;
pub mod fetch;
pub mod input;
pub mod messages;
pub mod msg;
pub mod queues;
pub mod state;
pub mod update;
pub mod write_actions;
pub mod write_plan;

pub use crate::kit::action::Action;
pub use crate::kit::keymap::Keymap;
pub use msg::{DataMsg, Effect, Msg};
pub use state::{Pane, Route, State};
pub use update::{apply, update};
