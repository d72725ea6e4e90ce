//! The offline cache of a tenant (issue 4), the parts the state code uses: the bookkeeping of
//! what was saved when ([`CacheSync`]), a save request ([`CacheSave`]) and what a read brought
//! back ([`CacheLoaded`]); [`data`] has the cached forms (artifacts, queues, a window of message
//! rows, error texts). Deciding when to save and applying what was read is the app's
//! (`app::cache`, it reads every pane); the file I/O is the shell's (`tui::tenant_effects`).

pub mod data;

use std::sync::Arc;

use crate::cpi::odata::EpochMs;
use crate::resources::queues::QueuesSnapshot;
use crate::store::{MessageStore, MplBatch};
use data::{CachedArtifacts, CachedErrorTexts, CachedQueues};

/// Debounce of cache writes.
pub const SAVE_EVERY_MS: i64 = 15_000;
/// The message window changes with every poll in live mode and is the largest file: written at
/// most this often (and on quit and before a tenant switch).
pub const SAVE_MESSAGES_EVERY_MS: i64 = 60_000;
/// Error texts remembered per kind (the most recently fetched are kept). The Errors pane reads
/// the texts of a window's failed messages; a few thousand keep a busy hour's.
pub const MAX_ERROR_TEXTS: usize = 2_000;

/// Cache bookkeeping in the state.
#[derive(Debug, Default)]
pub struct CacheSync {
    /// The tenant whose cache this is; `None`: no cache (`--demo`).
    pub tenant: Option<String>,
    /// The tenant's API URL: with the name, it keys the cache (a tenant whose URL changed is
    /// another tenant's data).
    pub url: String,
    /// At most this many message rows are cached (0: messages are not cached).
    pub message_rows: usize,
    /// Reading the cache is under way.
    pub loading: bool,
    /// Error texts fetched so far (and those read from the cache).
    pub errors: CachedErrorTexts,
    /// What was last saved (or read back), by when it was fetched.
    pub saved_artifacts: Option<EpochMs>,
    pub saved_queues: Option<EpochMs>,
    pub saved_messages: Option<(EpochMs, u64)>,
    /// Error texts changed since the last save.
    pub errors_dirty: bool,
    pub last_save: Option<EpochMs>,
    pub last_messages_save: Option<EpochMs>,
}

impl CacheSync {
    pub fn for_tenant(tenant: &str, url: &str, message_rows: usize) -> Self {
        Self {
            tenant: Some(tenant.to_string()),
            url: url.to_string(),
            message_rows,
            ..Self::default()
        }
    }
}

/// A save request: owned copies of what changed since the last save.
#[derive(Debug, Clone)]
pub struct CacheSave {
    pub tenant: String,
    /// The tenant's API URL (part of the cache key).
    pub url: String,
    /// Write before returning (quit): the process may end right after.
    pub wait: bool,
    pub artifacts: Option<(EpochMs, CachedArtifacts)>,
    pub queues: Option<(EpochMs, CachedQueues)>,
    /// The store and how many of its newest rows to keep.
    pub messages: Option<(EpochMs, Arc<MessageStore>, usize)>,
    pub errors: Option<CachedErrorTexts>,
}

impl PartialEq for CacheSave {
    fn eq(&self, o: &Self) -> bool {
        let at = |m: &Option<(EpochMs, Arc<MessageStore>, usize)>| {
            m.as_ref().map(|(t, st, n)| (*t, st.generation(), *n))
        };
        self.tenant == o.tenant
            && self.url == o.url
            && self.wait == o.wait
            && self.artifacts == o.artifacts
            && self.queues == o.queues
            && at(&self.messages) == at(&o.messages)
            && self.errors == o.errors
    }
}

/// What was read back from a tenant's cache (decoded off the loop).
#[derive(Debug, Default)]
pub struct CacheLoaded {
    pub tenant: String,
    pub artifacts: Option<(EpochMs, CachedArtifacts)>,
    pub queues: Option<(EpochMs, QueuesSnapshot)>,
    pub messages: Option<(EpochMs, MplBatch)>,
    pub errors: Option<CachedErrorTexts>,
    /// Files that were unusable (corrupt, truncated, old format): ignored, removed, rebuilt.
    pub warnings: Vec<String>,
}
