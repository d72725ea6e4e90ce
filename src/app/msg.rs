//! Everything that reaches the state owner (`Msg`) and everything `update` asks the outside world
//! to do (`Effect`). Both are plain data: tests build them by hand.

use std::path::PathBuf;

use crossterm::event::{KeyEvent, MouseEvent};

use super::action::Action;
use super::detail::MessagePart;
use super::queues::QueuesSnapshot;
use crate::cpi::model::{JmsMessage, MessageProcessingLog, RuntimeArtifact};
use crate::cpi::odata::EpochMs;

pub type Generation = u64;

/// Moved once through the channel: boxing the large variants would only add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The clock (about 4 Hz): relative times, staleness, toasts.
    Tick(EpochMs),
    /// An action as if its key had been pressed (tests, scripted use).
    Action(Action),
    /// A command line as if typed after `:` (tests, scripted use).
    Command(String),
    Data(DataMsg),
    /// Client counters for the header.
    Stats(ApiStats),
    /// The outcome of an effect to tell the user (export written, copy failed, …).
    Notify {
        text: String,
        error: bool,
    },
    /// Progress and outcome of a guarded write (retry/move/delete, restart/undeploy).
    Write(super::write_actions::WriteMsg),
    /// A tenant's offline cache, read back (`Effect::LoadCache`).
    Cache(Box<super::cache_sync::CacheLoaded>),
    /// The outcome of `Effect::SwitchTenant`.
    Tenant(super::ctx::TenantMsg),
    /// The process was asked to end (SIGTERM, SIGHUP, SIGQUIT): quit as on `q` from any view,
    /// with the final cache save.
    Terminate,
    /// A background sort of the message store returned (`Effect::SortMessages`): every row as
    /// of store state `at`, in `key` order.
    MessagesSorted {
        job: u64,
        key: crate::store::SortKey,
        at: (u64, u64),
        order: Vec<crate::store::RowId>,
    },
}

/// Results of pollers and one-off fetches: owned data, tagged so stale ones are dropped.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum DataMsg {
    Artifacts {
        generation: Generation,
        at: EpochMs,
        result: Result<Vec<RuntimeArtifact>, String>,
    },
    ArtifactError {
        id: String,
        result: Result<Option<String>, String>,
    },
    Queues {
        generation: Generation,
        at: EpochMs,
        result: Result<QueuesSnapshot, String>,
    },
    QueueMessages {
        generation: Generation,
        queue: String,
        at: EpochMs,
        result: Result<Vec<JmsMessage>, String>,
    },
    Messages {
        generation: Generation,
        at: EpochMs,
        event: MessagesEvent,
    },
    Message {
        guid: String,
        part: MessagePart,
    },
    Correlated {
        correlation_id: String,
        result: Result<Vec<MessageProcessingLog>, String>,
    },
    Attachment {
        id: String,
        result: Result<String, String>,
    },
    /// The answer to `Effect::LearnWebUi`: a link of the tenant's, if it has any.
    WebLink {
        probe: u64,
        link: Option<String>,
    },
    /// A monitor round's data (`app::monitor_poll`).
    Monitor(Box<super::monitor_poll::MonitorFetched>),
    /// A poller started a request (for the spinner and "loading").
    Started {
        kind: PollKind,
        generation: Generation,
    },
}

/// Progress of the message window's poller.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum MessagesEvent {
    /// A decoded page of messages (new ones, or updates of held ones: upserted by message id).
    Page(crate::store::MplBatch),
    /// The window (or a delta) is complete.
    Done,
    Failed(String),
}

/// Request counters of the tenant's client (from `ClientStats`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ApiStats {
    pub requests: u64,
    pub throttled: u64,
    pub failed: u64,
    pub per_minute: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PollKind {
    Artifacts,
    Messages,
    Queues,
    QueueMessages,
}

/// Parameters of the message window the server is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageQuery {
    /// Length of the window ending now, in ms; ignored when `range` is set.
    pub window_ms: i64,
    /// Fixed custom window `(from, to)`.
    pub range: Option<(EpochMs, EpochMs)>,
    /// Server-side filters (`:status`, `:iflow`, `:id`, `:sender`, `:receiver`, `:custom`).
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

/// One poller the app wants running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollSpec {
    pub generation: Generation,
    pub interval_ms: u64,
}

/// The pollers that should run now; the effect runner starts, stops and retunes to match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PollPlan {
    pub artifacts: Option<PollSpec>,
    pub queues: Option<PollSpec>,
    pub queue_messages: Option<(PollSpec, String)>,
    pub messages: Option<(PollSpec, MessageQuery)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    Poll(PollPlan),
    /// Poll every running poller now.
    RefreshNow,
    FetchArtifactError {
        id: String,
    },
    FetchMessage {
        guid: String,
    },
    FetchCorrelated {
        correlation_id: String,
    },
    FetchAttachment {
        id: String,
    },
    /// Fetch one of the tenant's own web-UI links (`AlternateWebLink`) to learn its web-UI root;
    /// answered with `DataMsg::WebLink`.
    LearnWebUi {
        probe: u64,
    },
    /// Put text on the clipboard (OSC 52, and tmux's buffer inside tmux).
    Copy {
        text: String,
        what: String,
    },
    /// Write the table to a file; the runner reports where.
    Export {
        path: PathBuf,
        format: ExportFormat,
        columns: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Fetch what the next monitor round needs (`app::monitor_poll`).
    MonitorFetch(super::monitor_poll::FetchPlan),
    /// Keep alert state in the state directory: the statuses, the acknowledgements and
    /// silences, and transitions appended to the history (each part only when given).
    SaveAlerts {
        state: Option<crate::monitor::MonitorState>,
        controls: Option<crate::monitor::AlertControls>,
        transitions: Vec<crate::monitor::Transition>,
    },
    /// Hand transitions (with their silenced flag) to the notifier (`[monitors.notify]`).
    AlertNotify(Vec<(crate::monitor::Transition, bool)>),
    /// Ring the terminal bell.
    Bell,
    /// Run, cancel or record (refused) a guarded write.
    Write(super::write_actions::WriteEffect),
    /// Write the offline cache (off the loop unless `wait`).
    SaveCache(Box<super::cache_sync::CacheSave>),
    /// Sort every row of the message store by `key` on a blocking thread; answered by
    /// `Msg::MessagesSorted` (the Messages pane's `SortJob` `job`).
    SortMessages {
        job: u64,
        key: crate::store::SortKey,
        store: StoreSnapshot,
    },
    /// Read a tenant's offline cache; answered with `Msg::Cache`.
    LoadCache {
        tenant: String,
        /// The tenant's API URL (part of the cache key).
        url: String,
        message_rows: usize,
    },
    /// Stop polling and resolve tenant `name`; answered with `Msg::Tenant`.
    SwitchTenant {
        name: String,
    },
    /// Poll through this client from now on.
    UseTenant(super::ctx::ClientHandle),
}

/// The message store shared with a blocking task; equal when it is the same store.
#[derive(Debug, Clone)]
pub struct StoreSnapshot(pub std::sync::Arc<crate::store::MessageStore>);

impl PartialEq for StoreSnapshot {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}
