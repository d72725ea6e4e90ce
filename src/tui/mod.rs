//! The I/O shell of the terminal UI: everything that talks to the terminal, the tenant, the clock
//! and the disk on behalf of the pure state code in `app`.
//!
//! - [`launch`]: from the command line (configured tenant or `--demo`) to a running session.
//! - [`run`]: the event loop, the one owner of `app::State`: input, ticks and client counters in,
//!   `update`, effects out, a frame when something changed.
//! - [`effects`]: the effect runner, the only place `update`'s requests turn into I/O;
//!   [`poll`] the pollers, [`monitor_poll`] the monitors' fetches, [`fleet`] every tenant's
//!   overview (the Tenants pane), [`tenant_effects`] the offline cache and tenant switching,
//!   [`writes`] guarded writes with their [`audit`] log, [`alerts_io`] alert state files and
//!   notifications, [`errors_io`] the remembered error signatures, [`clipboard`], [`export`],
//!   [`plugins`] (running the user's plugins, audited).

pub mod alerts_io;
pub mod audit;
pub mod clipboard;
pub mod effects;
pub mod errors_io;
pub mod export;
pub mod fleet;
pub mod launch;
pub mod monitor_poll;
pub mod plugins;
pub mod poll;
pub mod run;
pub mod tenant_effects;
pub mod writes;
