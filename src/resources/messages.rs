//! Message processing logs: the window (and its deltas) as the TUI, the monitors, `check`/`watch`,
//! `cpitop get messages` and the load bench read it — one load ([`stream`]) taken three ways: as
//! decoded pages on a channel, collected ([`collect`]), or merged into a store ([`into_store`]);
//! or only its newest messages ([`newest`], `get messages --limit N`).
//! Pages are decoded into `MplBatch`es on the blocking pool, never on the caller's thread.

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::cpi::model::MessageProcessingLog;
use crate::cpi::odata::EpochMs;
use crate::cpi::{CpiClient, CpiError, MplDecoder, MplFollow, MplLoadOutcome, MplQuery};
use crate::store::{MessageStore, MplBatch};

/// Decoded pages buffered between the loader and whoever takes them.
const PAGES_BUFFERED: usize = 8;

/// The message window the TUI asks the tenant for: its length (or a fixed range) and the
/// server-side filters (`:status`, `:iflow`, `:id`, `:sender`, `:receiver`, `:custom`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageQuery {
    /// Length of the window ending now, in ms; ignored when `range` is set.
    pub window_ms: i64,
    /// Fixed custom window `(from, to)`.
    pub range: Option<(EpochMs, EpochMs)>,
    /// Server-side filters. `status` is the status grammar's canonical text (`FAILED,RETRY`).
    pub status: Option<String>,
    pub iflow: Option<String>,
    pub id: Option<String>,
    /// A sender / receiver name, matched inside comma-joined lists (re-checked locally).
    pub sender: Option<String>,
    pub receiver: Option<String>,
    /// Custom statuses, comma-separated (`ERROR`): business errors behind a COMPLETED.
    pub custom: Option<String>,
}

impl MessageQuery {
    /// The server-side filters set, as `(name, value)` (for the breadcrumb).
    pub fn filters(&self) -> Vec<(&'static str, &str)> {
        [
            ("status", &self.status),
            ("iflow", &self.iflow),
            ("id", &self.id),
            ("sender", &self.sender),
            ("receiver", &self.receiver),
            ("custom", &self.custom),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect()
    }

    /// Whether any server-side filter narrows the window (a fixed range aside).
    pub fn is_filtered(&self) -> bool {
        !self.filters().is_empty()
    }

    /// The custom statuses asked for (`custom`, comma-separated).
    pub fn custom_statuses(&self) -> Vec<String> {
        self.custom
            .as_deref()
            .map(|c| {
                c.split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The server-side query of a message window. `:id` matches a message, correlation or
/// application id alike.
pub fn mpl_query(q: &MessageQuery, server_now: EpochMs) -> MplQuery {
    let (from, to) = match q.range {
        Some((f, t)) => (Some(f), Some(t)),
        None => (Some(server_now - q.window_ms), None),
    };
    // `:status` keeps only text the status grammar read.
    let statuses = q
        .status
        .as_deref()
        .and_then(|s| crate::grammar::status::parse_message_statuses(s).ok())
        .unwrap_or_default();
    MplQuery {
        from,
        to,
        statuses,
        iflow_id: q.iflow.clone(),
        any_id: q.id.clone(),
        sender: q.sender.clone(),
        receiver: q.receiver.clone(),
        custom_statuses: q.custom_statuses(),
        ..MplQuery::default()
    }
}

/// Load the window of `query` — or, after a complete load, only what changed since (`since`:
/// its `follow`) — and send each decoded page to `sink` as it arrives. The outcome's `follow`
/// starts the next delta.
pub async fn stream(
    client: &CpiClient,
    query: &MplQuery,
    since: Option<&MplFollow>,
    sink: mpsc::Sender<MplBatch>,
) -> Result<MplLoadOutcome, CpiError> {
    let decoder: MplDecoder<MplBatch> = Arc::new(|b: Bytes| MplBatch::decode(&b));
    match since {
        Some(f) => client.fetch_mpl_delta(query, f, decoder, sink, None).await,
        None => client.fetch_mpl_window(query, decoder, sink, None).await,
    }
}

/// [`stream`], the pages collected in arrival order.
pub async fn collect(
    client: &CpiClient,
    query: &MplQuery,
    since: Option<&MplFollow>,
) -> Result<(MplLoadOutcome, Vec<MplBatch>), CpiError> {
    let (sink, mut pages) = mpsc::channel::<MplBatch>(PAGES_BUFFERED);
    let gather = async {
        let mut out = Vec::new();
        while let Some(p) = pages.recv().await {
            out.push(p);
        }
        out
    };
    let (outcome, batches) = tokio::join!(stream(client, query, since, sink), gather);
    outcome.map(|o| (o, batches))
}

/// [`stream`], every page merged into `store` as it arrives; also returns how many messages
/// were inserted or updated.
pub async fn into_store(
    client: &CpiClient,
    query: &MplQuery,
    since: Option<&MplFollow>,
    store: &mut MessageStore,
) -> Result<(MplLoadOutcome, usize), CpiError> {
    let (sink, mut pages) = mpsc::channel::<MplBatch>(PAGES_BUFFERED);
    let merge = async {
        let mut changed = 0;
        while let Some(batch) = pages.recv().await {
            let s = store.merge(batch);
            changed += s.inserted + s.updated;
        }
        changed
    };
    let (outcome, changed) = tokio::join!(stream(client, query, since, sink), merge);
    outcome.map(|o| (o, changed))
}

/// The newest messages of `query`'s window, newest first (`cpi::mpl_newest`), each decoded page
/// to `sink`, until `enough(complete_after)` — every message with a `LogEnd` after it has been
/// handed over — or the window ends. `top`: rows the first page asks for.
pub async fn newest(
    client: &CpiClient,
    query: &MplQuery,
    top: u32,
    sink: impl FnMut(MplBatch),
    enough: impl FnMut(EpochMs) -> bool,
) -> Result<crate::cpi::NewestOutcome, CpiError> {
    let decoder: MplDecoder<MplBatch> = Arc::new(|b: Bytes| MplBatch::decode(&b));
    client.fetch_mpl_newest(query, top, decoder, sink, enough).await
}

/// The messages sharing a correlation id.
pub async fn correlated(
    client: &CpiClient,
    correlation_id: &str,
) -> Result<Vec<MessageProcessingLog>, CpiError> {
    client.mpls_by_correlation_id(correlation_id).await
}
