//! Alert monitors: rules evaluated as pure functions of the polled data.
//!
//! - [`spec`]: the config types (`MonitorsConfig`, `MonitorSpec`, `Scope`, `Rule`).
//! - [`snapshot`]: what evaluation reads (`Snapshot`, the `MessageStats` trait).
//! - [`rules`]: one pure function per rule kind; [`eval`]: `evaluate(spec, &snapshot, now)`.
//! - [`status`]: per-monitor status and transitions; [`history`]: the transition log;
//!   [`controls`]: acknowledgements and silences.
//! - [`notify`]: grouping, rate limiting and delivery (webhooks, command hook).
//! - [`headless`]: `cpitop check` exit codes and output, the `cpitop watch` event lines.

pub mod duration;
pub mod eval;
pub mod glob;
pub mod notify;
pub mod rules;
pub mod snapshot;
pub mod spec;

pub use duration::{HumanDuration, parse_duration};
pub use eval::{Evaluation, Evidence, Status, evaluate, evaluate_all};
pub use snapshot::{
    ArtifactTracker, MessageRef, MessageStats, QueueSnapshot, Snapshot, SnapshotData, TenantHealth,
    VecMessageStats,
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

pub use headless::{CheckFormat, CheckReport, NewFailures, WatchEvent, exit_code};
pub use runtime::{Round, TenantMonitors};
pub use store_stats::StoreStats;
