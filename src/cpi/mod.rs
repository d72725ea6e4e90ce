//! The async CPI client. Must not depend on ratatui or crossterm (checked in tests/it/architecture.rs).
//!
//! Layout: `client` (the `CpiClient` handle) over `http` (transport, retries, error mapping),
//! `auth` (OAuth token cache, Basic, CSRF), `limiter` (concurrency + request rate), `retry`
//! (backoff, `Retry-After`), `paging` (`__next`), `origin` (the one gate for URLs taken from a
//! reply, and the redirect policy), `query` (URL/literal encoding), `stats`; one
//! module per entity area (`artifacts`, `content`, `mpl`, `mpl_window`, `queues`); `service_key`; `weblink` (the tenant's web-UI links).
pub mod conn;
pub mod model;
pub mod mpl_row;
pub mod odata;

pub mod artifact_error;
pub mod artifacts;
mod auth;
mod auth_state;
pub mod client;
pub mod content;
pub mod error;
pub mod error_body;
mod http;
mod limiter;
pub mod mpl;
pub mod mpl_follow;
pub mod mpl_newest;
pub mod mpl_window;
mod origin;
mod paging;
mod query;
pub mod queues;
mod retry;
pub mod service_key;
pub mod stats;
pub mod weblink;

pub use client::{CpiClient, MplLoadOptions, QueueApiKind, install_tls_provider};
pub use error::CpiError;
pub use mpl_follow::MplFollow;
pub use mpl_newest::NewestOutcome;
pub use mpl_window::{
    GuidPage, LoadProgress, MplDecoder, MplLoadOutcome, MplQuery, ProgressFn, decode_guid_page,
};
pub use queues::{BulkFailure, BulkOutcome, JmsMessageKey, QueueListing, QueueListsMissing};
pub use service_key::tenant_from_service_key;
pub use stats::ClientStats;
