//! The Tenants pane (`0`, `:tenants`, `:ctx`): every configured tenant at once, worst first —
//! reachable / unauthorised / down with the reason, artifacts not started, failed messages of
//! the last hour, DLQ messages and the oldest, broker capacity, monitors in error/warning,
//! certificates expiring within 30 days, the data's age and the requests per minute cpitop
//! sends — and the version drift of a landscape (`d`, `:drift`), its tenants side by side.
//!
//! - [`state`]: the rows (fed by each tenant's overview rounds and the open tenant's panes),
//!   their order, the drift view, what the keys do (`Enter` switches tenant, or opens an
//!   artifact in the selected column's tenant).
//! - [`doc`]: the line about the selected tenant or cell. [`view`]: hints, breadcrumbs, drawing.
//! - [`get`]: `cpitop get tenants` and `cpitop get drift`.

pub mod doc;
pub mod get;
pub mod schema;
pub mod state;
pub mod view;

pub use state::{COLUMNS, DEMO_INTERVAL_MS, Reach, Route, TenantRow, TenantSetup, Tenants, setups_of};
