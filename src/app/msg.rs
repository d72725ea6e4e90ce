//! Everything that reaches the state owner (`Msg`) and everything `update` asks the outside world
//! to do (`Effect`). Both are plain data: tests build them by hand. Failures carry the client's
//! typed error (`FetchError`); what they mean for the tenant's reachability comes from its kind.

use std::path::PathBuf;

use crossterm::event::{KeyEvent, MouseEvent};

use crate::cpi::client::CpiClient;
use crate::cpi::model::{JmsMessage, KeystoreEntry, MessageProcessingLog, RuntimeArtifact};
use crate::cpi::odata::EpochMs;
use crate::kit::action::Action;
use crate::kit::tenant::{Intervals, TenantInfo};
pub use crate::resources::FetchError;
use crate::resources::message_detail::MessagePart;
use crate::resources::queues::QueuesSnapshot;

pub type Generation = u64;

/// Moved once through the channel: boxing the large variants would only add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste): never read as keys.
    Paste(String),
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
    Write(crate::features::writes::WriteMsg),
    /// A tenant's offline cache, read back (`Effect::LoadCache`).
    Cache(Box<crate::features::cache::CacheLoaded>),
    /// The outcome of `Effect::SwitchTenant`.
    Tenant(TenantMsg),
    /// The overview runner: a tenant's round, a tenant it cannot connect to, request rates.
    Fleet(FleetMsg),
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
    /// A background filter of the message store returned (`Effect::FilterMessages`).
    MessagesFiltered {
        job: u64,
        done: crate::store::Filtered,
    },
    /// A grouping of the failed messages returned (`Effect::GroupErrors`): job `job` took
    /// `took_ms` on its thread.
    ErrorsGrouped {
        job: u64,
        grouped: Box<crate::signature::Grouped>,
        took_ms: u64,
    },
    /// A plugin run ended (`Effect::Plugin`).
    Plugin(crate::features::extend::PluginMsg),
}

/// Results of pollers and one-off fetches: owned data, tagged so stale ones are dropped.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum DataMsg {
    Artifacts {
        generation: Generation,
        at: EpochMs,
        result: Result<Vec<RuntimeArtifact>, FetchError>,
    },
    ArtifactError {
        id: String,
        result: Result<Option<String>, FetchError>,
    },
    Queues {
        generation: Generation,
        at: EpochMs,
        result: Result<QueuesSnapshot, FetchError>,
    },
    QueueMessages {
        generation: Generation,
        queue: String,
        at: EpochMs,
        result: Result<Vec<JmsMessage>, FetchError>,
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
        result: Result<Vec<MessageProcessingLog>, FetchError>,
    },
    Attachment {
        id: String,
        result: Result<String, FetchError>,
    },
    Keystore {
        generation: Generation,
        at: EpochMs,
        result: Result<Vec<KeystoreEntry>, FetchError>,
    },
    /// One keystore entry read by alias (`Effect::FetchCertificate`); `None`: no such alias.
    Certificate {
        alias: String,
        result: Result<Option<KeystoreEntry>, FetchError>,
    },
    /// A failed message's error text for the Errors pane (`Effect::FetchErrorTexts`); `None`
    /// when the message has none.
    ErrorText {
        guid: String,
        result: Result<Option<String>, FetchError>,
    },
    /// The answer to `Effect::LearnWebUi`: a link of the tenant's, if it has any.
    WebLink {
        probe: u64,
        link: Option<String>,
    },
    /// A monitor round's data (`resources::monitor_data`).
    Monitor(Box<crate::resources::monitor_data::MonitorFetched>),
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
    Failed(FetchError),
}

/// What the overview runner (`tui::fleet`) reports.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum FleetMsg {
    /// One round of a tenant's overview, with its client's requests per minute.
    Round {
        tenant: String,
        fetched: crate::resources::overview::OverviewFetched,
        per_minute: f64,
    },
    /// A tenant's connection could not be set up (its secret, its config).
    NotConnected { tenant: String, error: String },
    /// Requests per minute of each tenant's client.
    Rates(Vec<(String, f64)>),
}

/// What the overview runner should do: every configured tenant read at its interval, the open
/// one without what its panes poll anyway.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FleetPlan {
    /// Read the overview at all.
    pub on: bool,
    /// The open tenant.
    pub current: String,
    /// The open tenant's artifacts / queues and broker are polled by its panes.
    pub skip_artifacts: bool,
    pub skip_queues: bool,
    /// The failed messages of this window are counted.
    pub window_ms: i64,
    /// Every tenant with its overview interval.
    pub tenants: Vec<(String, u64)>,
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
    Keystore,
}

pub use crate::resources::messages::MessageQuery;

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
    pub keystore: Option<PollSpec>,
}

pub use crate::kit::export::ExportFormat;

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
    FetchCertificate {
        alias: String,
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
    /// Write a table's records to a file; the runner reports where.
    Export {
        path: PathBuf,
        format: ExportFormat,
        /// The records' field names (the CSV header).
        fields: Vec<String>,
        records: Vec<serde_json::Value>,
    },
    /// Fetch what the next monitor round needs (`resources::monitor_data`).
    MonitorFetch(crate::resources::monitor_data::FetchPlan),
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
    Write(crate::features::writes::WriteEffect),
    /// Write the offline cache (off the loop unless `wait`).
    SaveCache(Box<crate::features::cache::CacheSave>),
    /// Sort every row of the message store by `key` on a blocking thread; answered by
    /// `Msg::MessagesSorted` (the Messages pane's `SortJob` `job`).
    SortMessages {
        job: u64,
        key: crate::store::SortKey,
        store: StoreSnapshot,
    },
    /// Keep the `:` line's history (oldest first) in the state directory.
    SaveHistory(Vec<String>),
    /// Filter the message store on a blocking thread; answered by `Msg::MessagesFiltered` (the
    /// Messages pane's `FilterJob` `job`).
    FilterMessages {
        job: u64,
        task: crate::store::FilterTask,
        store: StoreSnapshot,
    },
    /// Group the failed messages of the window on a blocking thread; answered by
    /// `Msg::ErrorsGrouped` (the latest job wins).
    GroupErrors(Box<crate::panes::errors::GroupJob>),
    /// Fetch these failed messages' error texts (one request each, within the Errors pane's
    /// budget); each answered by `DataMsg::ErrorText`.
    FetchErrorTexts {
        guids: Vec<String>,
    },
    /// Keep the tenant's remembered error signatures in the state directory.
    SaveErrorsSeen(std::sync::Arc<crate::signature::SeenSignatures>),
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
    UseTenant(ClientHandle),
    /// Run the tenants' overviews as planned.
    Fleet(FleetPlan),
    /// Read every tenant's overview now.
    FleetRefresh,
    /// Run a plugin (in the background, or in the terminal with the TUI stepped aside), or
    /// record a refused one; every run is audited.
    Plugin(crate::features::extend::PluginEffect),
}

/// The message store shared with a blocking task; equal when it is the same store.
#[derive(Debug, Clone)]
pub struct StoreSnapshot(pub std::sync::Arc<crate::store::MessageStore>);

impl PartialEq for StoreSnapshot {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// A new tenant's client, handed from the runner through the state back to the runner.
#[derive(Clone)]
pub struct ClientHandle {
    pub client: CpiClient,
    /// The connection it was built from, for runner parts that need more than the client (the
    /// identity of guarded writes, …). Its secret is a redacting `Secret`; never shown.
    pub conn: crate::cpi::conn::TenantConn,
    pub tenant: String,
    /// The new tenant's alert monitors (from the same config), started by the runner.
    pub alerts: Option<std::sync::Arc<crate::panes::alerts::AlertsLaunch>>,
    /// The new tenant's Errors pane settings and remembered signatures (and where the runner
    /// keeps them).
    pub errors: Option<std::sync::Arc<crate::panes::errors::ErrorsLaunch>>,
    /// Distinguishes two handles for the same tenant (equality of effects).
    pub serial: u64,
}

impl std::fmt::Debug for ClientHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClientHandle({}, #{})", self.tenant, self.serial)
    }
}

impl PartialEq for ClientHandle {
    fn eq(&self, o: &Self) -> bool {
        self.tenant == o.tenant && self.serial == o.serial
    }
}

/// Everything about the new tenant the state needs.
#[derive(Debug)]
pub struct TenantReady {
    pub name: String,
    pub info: TenantInfo,
    pub intervals: Intervals,
    pub window_ms: i64,
    /// Message rows held in memory (`messages.max_rows`).
    pub max_rows: usize,
    pub cache_rows: usize,
    pub client: ClientHandle,
    /// Config/permission warnings of the new tenant (shown as a toast).
    pub warnings: Vec<String>,
}

/// Outcome of a switch requested with `Effect::SwitchTenant`.
#[derive(Debug)]
pub enum TenantMsg {
    Ready(Box<TenantReady>),
    Failed { name: String, error: String },
}
