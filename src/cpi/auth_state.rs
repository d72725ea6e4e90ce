//! What the client keeps of its authentication: the cached OAuth token (with its generation)
//! and the CSRF token of the write session. How they are fetched and used is `auth`; the
//! transport (`http`) holds them.

use std::sync::atomic::AtomicU64;
use std::time::Instant;

use crate::secret::Secret;

/// An `Authorization` header value and the token generation it came from (0 for Basic).
pub(crate) struct AuthHeader {
    pub(crate) value: Secret,
    pub(crate) generation: u64,
}

#[derive(Debug, Default)]
pub(crate) struct AuthState {
    pub(super) token: tokio::sync::Mutex<Option<CachedToken>>,
    pub(super) generation: AtomicU64,
    pub(super) csrf: tokio::sync::Mutex<Option<Csrf>>,
}

#[derive(Debug)]
pub(super) struct CachedToken {
    pub(super) value: Secret,
    /// When to stop using it: the expiry minus a safety margin.
    pub(super) refresh_at: Instant,
    pub(super) generation: u64,
}

/// A CSRF token and the cookies of the session it belongs to (replayed on writes).
#[derive(Debug, Clone, Default)]
pub(crate) struct Csrf {
    pub(crate) token: Option<Secret>,
    pub(crate) cookies: Option<Secret>,
}
