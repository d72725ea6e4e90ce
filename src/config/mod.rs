//! Configuration (TOML profiles), XDG paths, secrets, cache, state and logging.
//!
//! - [`paths`]: where every file lives (XDG, `CPITOP_CONFIG`, `--config`); all code asks here.
//! - [`load`]: the config file → [`Config`] with resolved [`Profile`]s; precise [`ConfigError`]s.
//! - [`secrets`]: a profile's credentials → [`crate::cpi::conn::TenantConn`].
//! - [`cache`]: per-tenant snapshots (atomic, versioned, never secrets).
//! - [`state`]: small remembered state (last used tenant).
//! - [`logging`]: `tracing` to a rotating file in the state dir.
//! - [`session`]: start against a tenant in one call (`--tenant`, last used, secrets, conn).
//! - [`ui`]: `[[hotkeys]]` and `[[plugins]]` typed with located errors (checked by the TUI).
//! - [`cli`]: `cpitop config init|check`, `cpitop info`, `cpitop cache clear`.

pub mod cache;
pub mod cli;
pub mod duration;
pub mod error;
pub(crate) mod fsutil;
pub mod history;
pub mod load;
mod locate;
pub mod logging;
pub mod monitors;
pub mod paths;
pub mod schema;
pub mod secrets;
pub mod serve;
pub mod session;
pub mod state;
pub mod ui;
mod validate;

pub use cache::{Cache, CacheLoad};
pub use error::{ConfigError, Location, Warning, WarningKind};
pub use load::{
    Config, Credentials, DEFAULT_LANDSCAPE, ErrorsConfig, MessageWindow, PollIntervals, Profile,
    SecretSource, valid_name,
};
pub use paths::Paths;
pub use schema::{Environment, MonitorsSection};
pub use session::{Startup, open as open_session, switch_tenant};
