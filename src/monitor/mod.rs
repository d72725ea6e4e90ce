//! Alert monitors: rules evaluated as pure functions of the polled data.
//!
//! - [`spec`]: the config types (`MonitorsConfig`, `MonitorSpec`, `Scope`, `Rule`).
//! - [`snapshot`]: what evaluation reads (`Snapshot`, the `MessageStats` trait).
//! - [`rules`]: one pure function per rule kind; [`eval`]: `evaluate(spec, &snapshot, now)`.
//! - [`status`]: per-monitor status and transitions; [`history`]: the transition log;
//!   [`controls`]: acknowledgements and silences.
//! - [`notify`]: grouping, rate limiting and delivery (webhooks, command hook).
//! - [`headless`]: `cpitop check` exit codes and output, the `cpitop watch` event lines.
//! - [`runtime`]: `TenantMonitors`, one tenant's evaluate → transitions → history → saved state.
//!
//! Wiring (TUI tick or `watch` loop), per tenant:
//! 1. `TenantMonitors::open(&cfg.monitors, tenant, Some(state_dir))`; send
//!    `NotifierInput::Seed(tm.state().clone())` to the notifier from `spawn_notifier`.
//! 2. `needs(tm.specs())` says what to poll beyond the panes (keystore, broker, queue messages,
//!    the message window).
//! 3. Every `interval`: build a `Snapshot` (or `SnapshotData::snapshot()`), call
//!    `tm.evaluate(&snap, now)`; send `NotifierInput::Transitions(round.for_notifier())`;
//!    ring the bell if `round.rings()`; for `watch`, print `WatchEvent::transition(t).to_line()`
//!    and `WatchEvent::message_failed` for each of `NewFailures::poll`.
//! 4. `check`: `evaluate_all`, then `CheckReport::new(..).render(format)`, exit with
//!    `report.exit_code` (or `combined_exit_code` over tenants).

/// The duration grammar (`crate::grammar::duration`), under its old path.
pub use crate::grammar::duration;
pub mod eval;
pub mod glob;
pub mod model;
pub mod notify;
pub mod rules;
pub mod snapshot;
pub mod spec;

pub use duration::{HumanDuration, parse_duration};
pub use eval::{Evaluation, Evidence, Status, evaluate, evaluate_all};
pub use snapshot::{
    ArtifactTracker, ErrorSignatures, MessageRef, MessageStats, PackageMap, QueueSnapshot, Snapshot,
    SnapshotData, TenantHealth, VecMessageStats,
};
pub use spec::{MonitorSpec, MonitorsConfig, Needs, Rule, Scope, Severity, needs};
pub mod controls;
pub mod history;
pub mod persist;
pub mod status;

pub use controls::AlertControls;
pub use history::History;
pub use status::{MonitorState, MonitorStatus, Transition};
pub mod headless;
pub mod runtime;
pub mod store_stats;

pub use headless::{
    CheckFormat, CheckReport, EventSignature, NewFailures, StatusCounts, WatchEvent, exit_code,
};
pub use runtime::{Round, TenantMonitors};
pub use store_stats::StoreStats;
