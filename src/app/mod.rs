//! The root of the state code: the only place that knows every pane. No I/O here: `tui` runs it.
//!
//! Data flows one way (so `update` stays pure and testable): producers (terminal events, a tick,
//! pollers) send `Msg`s on one channel to the loop that owns `State`; `update` mutates it and
//! returns `Effect`s, which the effect runner (`tui::effects`) executes; `frame` draws `&State`
//! when it is dirty.
//!
//! - [`state`]: the state (each pane's slice, the navigation stack of `Route`s, the mode) and the
//!   one match from a route to its pane ([`State::focus`]).
//! - [`msg`]: what reaches the state (`Msg`, `DataMsg` with typed fetch errors) and what `update`
//!   asks for (`Effect`).
//! - [`update`]: dispatch, the poll plan, and the hooks after each message (cache, monitors).
//! - [`input`], [`command`], [`actions`]: keys, `:` commands, what actions do; [`nav`]: applying
//!   the views' replies and intents.
//! - Glue that reads several panes: [`monitors`] (alert evaluation), [`cache`] (offline cache),
//!   [`tenant`] (switching tenants), [`writes`] (guarded writes), [`errors`] (the Errors pane's
//!   window, texts and remembered signatures), [`extend`] (the user's hotkeys and plugins).
//! - The TUI's sections of the config (`[keys]`, theme, `[[hotkeys]]`, `[[plugins]]`), checked:
//!   [`ui_config`].
//! - Drawing the frame: [`frame`], [`chrome`] (header, tabs, banner, breadcrumb, footer), [`help`].

pub mod actions;
pub mod cache;
pub mod chrome;
pub mod command;
pub mod errors;
pub mod extend;
pub mod frame;
pub mod help;
pub mod input;
pub mod monitors;
pub mod msg;
pub mod nav;
pub mod state;
pub mod tenant;
pub mod ui_config;
pub mod update;
pub mod writes;

pub use crate::kit::action::Action;
pub use crate::kit::keymap::Keymap;
pub use msg::{DataMsg, Effect, Msg};
pub use state::{Pane, Route, State};
pub use update::{apply, update};
