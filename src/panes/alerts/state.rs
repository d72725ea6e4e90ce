//! The Alerts pane's state: the tenant's monitors, their statuses (evaluated by
//! [`super::eval`]), acknowledgements and silences, the per-rule results behind each status (the
//! evidence view), the transition history, and the monitor-only data the monitor poller fetched
//! (`resources::monitor_data`); what the keys of its views do: open the evidence, jump to it (as
//! `Nav` intents), the history, acknowledge (`a`) and silence (`S`, then
//! `:silence 1h|4h|24h|<duration>|off`).
//!
//! Everything here is plain data mutated by `update`; files are written by effects.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::schema::{EvidenceRecord, MonitorRecord, TransitionRecord};
use crate::cpi::MplFollow;
use crate::cpi::model::{JmsBroker, KeystoreEntry, RuntimeArtifact};
use crate::cpi::odata::EpochMs;
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::keymap::Context;
use crate::kit::list::{Column, ListState, Width};
use crate::kit::load::Load;
use crate::kit::nav::{Nav, Pane};
use crate::kit::table::{CellCx, Table, Tone};
use crate::kit::tenant::Intervals;
use crate::kit::toast::{self, Say};
use crate::monitor::{
    AlertControls, ArtifactTracker, Evaluation, Evidence, MonitorSpec, MonitorState, MonitorStatus, Needs,
    QueueSnapshot, Status, TenantHealth, Transition,
};
use crate::panes::pane::{Out, PaneState, Reply};
use crate::store::MessageStore;

/// Transitions kept in memory for the history view (the file keeps `history_limit`).
pub const HISTORY_SHOWN: usize = 500;
/// How long the header flashes after a transition to warning/error.
pub const FLASH_MS: i64 = 3_000;
/// A monitor fetch that has not answered after this long no longer blocks the next round.
pub const FETCH_TIMEOUT_MS: i64 = 120_000;
/// The first round waits this long after start, so the visible pane's first poll can land.
pub const FIRST_ROUND_DELAY_MS: i64 = 3_000;
/// Packages (iFlow → package) change with deployments: re-read at most this often.
pub const PACKAGES_REFRESH_MS: i64 = 30 * 60_000;
/// Keystore entries change rarely and expire over days: re-read at most this often.
pub const KEYSTORE_REFRESH_MS: i64 = 10 * 60_000;

pub const COLUMNS: &[Column] = &[
    Column::new("status", "STATUS", Width::Fixed(14), 's'),
    Column::new("monitor", "MONITOR", Width::Fill(14), 'm'),
    Column::new("alert", "ALERT", Width::Fill(24), 'a'),
    Column::new("since", "SINCE", Width::Fixed(7), 'i').right(),
    Column::new("note", "NOTE", Width::Fixed(12), 'n'),
    Column::new("checked", "CHECKED", Width::Fixed(7), 'c').right(),
];

/// The word shown for a status (ux.md: the word is always shown, colour only adds).
pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::NotCalculated => "not_calculated",
        Status::Warning => "warning",
        Status::Error => "error",
    }
}

pub fn status_tone(s: Status) -> Tone {
    match s {
        Status::Ok => Tone::Good,
        Status::NotCalculated => Tone::Muted,
        Status::Warning => Tone::Warn,
        Status::Error => Tone::Bad,
    }
}

/// How the TUI's monitors are set up (from the config, or the demo set).
#[derive(Debug, Clone, Default)]
pub struct AlertsSetup {
    /// The active and inactive monitors of the tenant (inactive ones are not evaluated).
    pub specs: Vec<MonitorSpec>,
    pub interval_ms: i64,
    /// Ring the terminal bell on a transition to warning/error.
    pub bell: bool,
    /// The `[monitors]` table could not be used: this says why and where.
    pub config_error: Option<String>,
    /// Restored from the state directory.
    pub state: Option<MonitorState>,
    pub controls: AlertControls,
    /// The newest transitions from the history file, oldest first.
    pub history: Vec<Transition>,
    /// Where the monitors come from (for the empty pane's hint), e.g. the config file path.
    pub origin: String,
}

/// What `launch` prepares for the TUI's monitors.
#[derive(Debug, Clone, Default)]
pub struct AlertsLaunch {
    pub setup: AlertsSetup,
    /// Where state, controls and history are kept (`None`: in memory only, e.g. `--demo`).
    pub state_dir: Option<std::path::PathBuf>,
    pub history_limit: usize,
    pub notify: crate::monitor::notify::NotifyConfig,
}

/// Data only the monitors read, fetched by the monitor poller (never shown by another pane).
#[derive(Debug, Default)]
pub struct MonitorData {
    pub artifacts: Option<(EpochMs, Vec<RuntimeArtifact>)>,
    pub packages: Option<crate::monitor::PackageMap>,
    /// When the packages / keystore were last read (successfully or not).
    pub packages_at: Option<EpochMs>,
    pub keystore_at: Option<EpochMs>,
    pub queues: Option<(EpochMs, Vec<QueueSnapshot>)>,
    pub broker: Option<(EpochMs, JmsBroker)>,
    pub keystore: Option<Vec<KeystoreEntry>>,
    /// Messages for the message rules when the Messages pane does not hold an unfiltered window
    /// long enough: one window load, then deltas following `follow`.
    pub store: MessageStore,
    pub messages_from: Option<EpochMs>,
    pub follow: Option<MplFollow>,
    /// The start of the window load on its way (becomes `messages_from` when it lands).
    pub requested_from: Option<EpochMs>,
    /// `(part, error)` of the last fetch's failures.
    pub failed: Vec<(String, String)>,
}

/// One rule's own result, for the evidence view.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleResult {
    pub kind: &'static str,
    pub evaluation: Evaluation,
}

/// A row of the evidence view: what a jump leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceRow {
    Item(Evidence),
    /// The Messages pane filtered to this iFlow's failed messages.
    FailedMessagesOf(String),
}

impl EvidenceRow {
    pub fn kind(&self) -> &'static str {
        match self {
            EvidenceRow::Item(Evidence::Message { .. }) => "message",
            EvidenceRow::Item(Evidence::Artifact { .. }) => "artifact",
            EvidenceRow::Item(Evidence::Queue { .. }) => "queue",
            EvidenceRow::Item(Evidence::QueueMessage { .. }) => "queued msg",
            EvidenceRow::Item(Evidence::Certificate { .. }) => "certificate",
            EvidenceRow::Item(Evidence::Broker { .. }) => "broker",
            EvidenceRow::Item(Evidence::Tenant { .. }) => "tenant",
            EvidenceRow::FailedMessagesOf(_) => "messages",
        }
    }
    pub fn label(&self) -> String {
        match self {
            EvidenceRow::Item(e) => e.label(),
            EvidenceRow::FailedMessagesOf(iflow) => format!("failed messages of {iflow}"),
        }
    }
    /// Where Enter leads.
    pub fn target(&self) -> &'static str {
        match self {
            EvidenceRow::Item(Evidence::Message { .. }) => "message detail",
            EvidenceRow::Item(Evidence::Artifact { .. }) => "artifact detail",
            EvidenceRow::Item(Evidence::Queue { .. } | Evidence::QueueMessage { .. }) => "queue messages",
            EvidenceRow::Item(Evidence::Certificate { .. }) => "certificate details",
            EvidenceRow::Item(Evidence::Broker { .. }) => "queues pane",
            EvidenceRow::Item(Evidence::Tenant { .. }) => "—",
            EvidenceRow::FailedMessagesOf(_) => "messages pane, FAILED",
        }
    }
}

pub const EVIDENCE_COLUMNS: &[Column] = &[
    Column::new("kind", "KIND", Width::Fixed(12), 'k'),
    Column::new("evidence", "EVIDENCE", Width::Fill(30), 'e'),
    Column::new("opens", "ENTER OPENS", Width::Fixed(22), 'o'),
];

/// The evidence items of one monitor, as a table.
#[derive(Debug, Clone, Default)]
pub struct EvidenceTable {
    pub key: String,
    pub rows: Vec<EvidenceRow>,
    pub list: ListState,
}

impl EvidenceTable {
    pub fn of(key: &str, evidence: &[Evidence]) -> Self {
        let mut rows: Vec<EvidenceRow> = evidence.iter().cloned().map(EvidenceRow::Item).collect();
        let mut flows: Vec<String> = Vec::new();
        for e in evidence {
            if let Evidence::Message { iflow, .. } = e
                && !iflow.is_empty()
                && !flows.contains(iflow)
            {
                flows.push(iflow.clone());
            }
        }
        rows.extend(flows.into_iter().map(EvidenceRow::FailedMessagesOf));
        Self {
            key: key.to_string(),
            rows,
            list: ListState::default(),
        }
    }
    pub fn selected(&self) -> Option<&EvidenceRow> {
        self.list.selected_row().and_then(|r| self.rows.get(r))
    }
}

impl Table for EvidenceTable {
    fn columns(&self) -> &'static [Column] {
        EVIDENCE_COLUMNS
    }
    fn row_count(&self) -> usize {
        self.rows.len()
    }
    fn cell(&self, row: usize, col: usize, _cx: &CellCx) -> String {
        let Some(r) = self.rows.get(row) else {
            return String::new();
        };
        match col {
            0 => r.kind().to_string(),
            1 => r.label(),
            2 => r.target().to_string(),
            _ => String::new(),
        }
    }
    fn record(&self, row: usize, _cx: &CellCx) -> serde_json::Value {
        let r = match self.rows.get(row) {
            Some(EvidenceRow::Item(e)) => EvidenceRecord::of(e),
            Some(EvidenceRow::FailedMessagesOf(iflow)) => EvidenceRecord::failed_messages_of(iflow),
            None => EvidenceRecord::default(),
        };
        crate::kit::schema::value(&r)
    }
    fn fields(&self) -> Vec<String> {
        crate::kit::schema::fields_of::<EvidenceRecord>()
    }
    fn key(&self, row: usize) -> String {
        self.rows.get(row).map(EvidenceRow::label).unwrap_or_default()
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
}

pub const HISTORY_COLUMNS: &[Column] = &[
    Column::new("time", "TIME", Width::Fixed(19), 't'),
    Column::new("monitor", "MONITOR", Width::Fill(16), 'm'),
    Column::new("change", "CHANGE", Width::Fixed(28), 'c'),
    Column::new("text", "TEXT", Width::Fill(30), 'x'),
];

/// The transition history, newest first.
#[derive(Debug, Clone, Default)]
pub struct HistoryTable {
    /// Oldest first (as read and appended).
    pub items: Vec<Transition>,
    pub list: ListState,
}

impl HistoryTable {
    pub fn push(&mut self, ts: &[Transition]) {
        self.items.extend(ts.iter().cloned());
        let over = self.items.len().saturating_sub(HISTORY_SHOWN);
        self.items.drain(..over);
    }
}

impl Table for HistoryTable {
    fn columns(&self) -> &'static [Column] {
        HISTORY_COLUMNS
    }
    fn row_count(&self) -> usize {
        self.items.len()
    }
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String {
        let Some(t) = self.items.get(row) else {
            return String::new();
        };
        match col {
            0 => cx.time.datetime(Some(t.at)),
            1 => t.name.clone(),
            2 => format!("{} → {}", status_word(t.from), status_word(t.to)),
            3 => t.text.replace('\n', " "),
            _ => String::new(),
        }
    }
    fn record(&self, row: usize, _cx: &CellCx) -> serde_json::Value {
        let r = self.items.get(row).map(TransitionRecord::of).unwrap_or_default();
        crate::kit::schema::value(&r)
    }
    fn fields(&self) -> Vec<String> {
        crate::kit::schema::fields_of::<TransitionRecord>()
    }
    fn key(&self, row: usize) -> String {
        self.items
            .get(row)
            .map(|t| format!("{}@{}", t.monitor, t.at))
            .unwrap_or_default()
    }
    /// Newest first.
    fn natural(&self, a: usize, b: usize) -> Ordering {
        b.cmp(&a)
    }
    fn tone(&self, row: usize, col: usize) -> Tone {
        match (self.items.get(row), col) {
            (Some(t), 2) => status_tone(t.to),
            _ => Tone::Normal,
        }
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
}

#[derive(Debug, Default)]
pub struct Alerts {
    pub specs: Vec<MonitorSpec>,
    /// What the active monitors read.
    pub needs: Needs,
    pub interval_ms: i64,
    pub bell: bool,
    pub config_error: Option<String>,
    pub origin: String,
    /// Statuses (the rows of the pane).
    pub state: MonitorState,
    pub controls: AlertControls,
    /// Monitor key → each rule's own result at the last evaluation.
    pub rules: HashMap<String, Vec<RuleResult>>,
    /// `loaded_at`: the last evaluation.
    pub load: Load,
    pub list: ListState,
    /// Rows as shown: the statuses in severity order (rebuilt with the list).
    pub rows: Vec<MonitorStatus>,
    /// When the next round is due.
    pub next_due: EpochMs,
    /// A monitor fetch is on its way (started at this time, with this generation).
    pub fetching: Option<(u64, EpochMs)>,
    pub fetch_generation: u64,
    pub data: MonitorData,
    pub tracker: ArtifactTracker,
    pub health: TenantHealth,
    pub history: HistoryTable,
    pub evidence: EvidenceTable,
    /// The header flashes until then.
    pub flash_until: Option<EpochMs>,
    /// Certificate detail scroll.
    pub cert_scroll: usize,
}

/// Silence choices offered by `S`.
pub const SILENCE_CHOICES: &str = "1h · 4h · 24h · <duration> · off";

/// The pane's views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    List,
    /// A monitor's evidence (Enter on a monitor).
    Evidence {
        key: String,
    },
    /// The tenant's alert transitions (`h`).
    History,
    /// A keystore entry named by an alert (there is no keystore pane).
    Certificate {
        alias: String,
    },
}

impl Alerts {
    pub fn new(setup: AlertsSetup, tenant: &str, now: EpochMs) -> Self {
        let needs = crate::monitor::needs(&setup.specs);
        let state = setup.state.unwrap_or_else(|| MonitorState::new(tenant));
        let mut a = Alerts {
            needs,
            interval_ms: setup.interval_ms.max(1_000),
            bell: setup.bell,
            config_error: setup.config_error,
            origin: setup.origin,
            state,
            controls: setup.controls,
            next_due: now + FIRST_ROUND_DELAY_MS,
            specs: setup.specs,
            ..Alerts::default()
        };
        a.history.items = setup.history;
        a.history.push(&[]);
        a.load.loading = a.configured();
        // Restored statuses show at once (with their age) until the first round replaces them.
        if a.configured() {
            a.refresh_rows();
        }
        a
    }

    /// Whether any active monitor exists (and the config was usable).
    pub fn configured(&self) -> bool {
        self.config_error.is_none() && self.specs.iter().any(|s| s.active)
    }

    pub fn errors(&self) -> usize {
        self.state.count(Status::Error)
    }
    pub fn warnings(&self) -> usize {
        self.state.count(Status::Warning)
    }

    pub fn selected(&self) -> Option<&MonitorStatus> {
        self.list.selected_row().and_then(|r| self.rows.get(r))
    }

    pub fn spec(&self, key: &str) -> Option<&MonitorSpec> {
        self.specs.iter().find(|s| s.key == key)
    }

    /// `ack`, `silenced 3h`, or both.
    pub fn note(&self, m: &MonitorStatus, now: EpochMs) -> String {
        let mut parts = Vec::new();
        if self.controls.is_acknowledged(m) {
            parts.push("ack".to_string());
        }
        if let Some(sil) = self.controls.silences.get(&m.key).filter(|x| now < x.until) {
            parts.push(format!("silenced {}", crate::kit::format::age(sil.until - now)));
        }
        parts.join(" · ")
    }

    /// Copy the statuses into the rows in severity order (errors first).
    pub fn refresh_rows(&mut self) {
        self.rows = self.state.by_severity().into_iter().cloned().collect();
    }

    /// Whether the header flashes now.
    pub fn flashing(&self, now: EpochMs) -> bool {
        self.flash_until.is_some_and(|t| now < t)
    }

    /// Re-run order and selection of the monitor list (and the open evidence table).
    pub fn rebuild_all(&mut self, cx: &Cx) {
        let cell = cx.cell();
        let rows = cx.table_rows;
        self.rebuild(&cell);
        self.list.scroll_into_view(rows);
        // The open evidence view follows its monitor's latest evidence (selection kept by key).
        let key = self.evidence.key.clone();
        if !key.is_empty() {
            let evidence = self
                .state
                .get(&key)
                .map(|m| m.evidence.clone())
                .unwrap_or_default();
            let fresh = EvidenceTable::of(&key, &evidence);
            if fresh.rows != self.evidence.rows {
                self.evidence.rows = fresh.rows;
                self.evidence.rebuild(&cell);
                self.evidence.list.scroll_into_view(rows);
            }
        }
        self.history.rebuild(&cell);
        self.history.list.scroll_into_view(rows);
    }

    /// The monitor the view is about: the evidence view's, else the list's selection.
    pub fn focused_key(&self, route: &Route) -> Option<String> {
        match route {
            Route::Evidence { key } => Some(key.clone()),
            Route::List => self.selected().map(|m| m.key.clone()),
            Route::History | Route::Certificate { .. } => None,
        }
    }

    /// Open a monitor's evidence.
    pub fn open_evidence(&mut self, key: &str) {
        let evidence = self
            .state
            .get(key)
            .map(|m| m.evidence.clone())
            .unwrap_or_default();
        self.evidence = EvidenceTable::of(key, &evidence);
    }

    /// Where an evidence row leads.
    fn jump(&self, row: EvidenceRow) -> Reply<Route> {
        match row {
            EvidenceRow::Item(Evidence::Message { guid, .. }) => Reply::nav(Nav::OpenMessage(guid)),
            EvidenceRow::FailedMessagesOf(iflow) => Reply {
                nav: vec![Nav::ShowMessagesOf {
                    iflow: iflow.clone(),
                    status: "FAILED".into(),
                }],
                say: Some(toast::info(format!(
                    "messages of {iflow}, status FAILED (:iflow all and :status all clear)"
                ))),
                ..Reply::none()
            },
            EvidenceRow::Item(Evidence::Artifact { id }) => Reply::nav(Nav::ShowArtifact(id)),
            EvidenceRow::Item(Evidence::Queue { name } | Evidence::QueueMessage { queue: name, .. }) => {
                Reply::nav(Nav::ShowQueue(name))
            }
            EvidenceRow::Item(Evidence::Certificate { alias, .. }) => Reply::nav(Nav::OpenCertificate(alias)),
            EvidenceRow::Item(Evidence::Broker { .. }) => Reply::nav(Nav::SwitchPane(Pane::Queues)),
            EvidenceRow::Item(Evidence::Tenant { name }) => Reply::say(toast::info(format!(
                "tenant {name}: see the header's connection state and the error banner"
            ))),
        }
    }

    /// `a`: acknowledge the monitor's alert (again: remove the acknowledgement).
    pub fn acknowledge(&mut self, route: &Route, cx: &Cx) -> Reply<Route> {
        let Some(key) = self.focused_key(route) else {
            return Reply::say(toast::info("select a monitor to acknowledge"));
        };
        let now = cx.now;
        let Some(m) = self.state.get(&key).cloned() else {
            return Reply::none();
        };
        let say = if self.controls.is_acknowledged(&m) {
            self.controls.acks.remove(&key);
            toast::info(format!("{}: acknowledgement removed", m.name))
        } else if self.controls.acknowledge(&m, now, "") {
            toast::info(format!("{}: acknowledged until its status changes", m.name))
        } else {
            return Reply::say(toast::info(format!(
                "{} is {}: only warnings and errors can be acknowledged",
                m.name, m.status
            )));
        };
        self.rebuild_all(cx);
        Reply {
            out: vec![self.save_controls()],
            say: Some(say),
            ..Reply::none()
        }
    }

    /// `S`: ask for the silence period on the command line.
    pub fn silence_prompt(&self, route: &Route) -> Reply<Route> {
        if self.focused_key(route).is_none() {
            return Reply::say(toast::info("select a monitor to silence"));
        }
        Reply {
            out: vec![Out::Prompt("silence ".into())],
            say: Some(toast::info(format!("silence for: {SILENCE_CHOICES}"))),
            ..Reply::none()
        }
    }

    /// `:silence <duration>|off` for the monitor `key` (the focused one: `focused_key`).
    pub fn silence(&mut self, key: Option<String>, arg: &str, cx: &Cx) -> (Vec<Out>, Say) {
        let Some(key) = key else {
            return (
                Vec::new(),
                toast::error("silence works on the Alerts pane: select a monitor first"),
            );
        };
        let name = self
            .state
            .get(&key)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| key.clone());
        let arg = arg.trim();
        if arg.eq_ignore_ascii_case("off") {
            let (out, say) = if self.controls.unsilence(&key) {
                (
                    vec![self.save_controls()],
                    toast::info(format!("{name}: silence lifted")),
                )
            } else {
                (Vec::new(), toast::info(format!("{name} is not silenced")))
            };
            self.rebuild_all(cx);
            return (out, say);
        }
        let arg = if arg.is_empty() { "1h" } else { arg };
        match crate::kit::format::parse_duration(arg) {
            Some(ms) => {
                let now = cx.now;
                self.controls.silence(&key, now + ms, now, "");
                let say = toast::info(format!(
                    "{name}: silenced for {} (no bell, no notifications)",
                    crate::kit::format::age(ms)
                ));
                let out = vec![self.save_controls()];
                self.rebuild_all(cx);
                (out, say)
            }
            None => (
                Vec::new(),
                toast::error(format!(
                    "cannot read {arg:?} as a duration; use {SILENCE_CHOICES}"
                )),
            ),
        }
    }

    fn save_controls(&self) -> Out {
        Out::SaveAlertControls(self.controls.clone())
    }
}

impl PaneState for Alerts {
    type Route = Route;

    fn contexts(route: &Route) -> [Context; 3] {
        match route {
            Route::List => [Context::Alerts, Context::Table, Context::Global],
            Route::Evidence { .. } => [Context::AlertEvidence, Context::Table, Context::Global],
            Route::History => [Context::AlertHistory, Context::Table, Context::Global],
            Route::Certificate { .. } => [Context::Certificate, Context::Detail, Context::Global],
        }
    }
    fn table(&self, route: &Route) -> Option<&dyn Table> {
        match route {
            Route::List => Some(self),
            Route::Evidence { .. } => Some(&self.evidence),
            Route::History => Some(&self.history),
            Route::Certificate { .. } => None,
        }
    }
    fn table_mut(&mut self, route: &Route) -> Option<&mut dyn Table> {
        match route {
            Route::List => Some(self),
            Route::Evidence { .. } => Some(&mut self.evidence),
            Route::History => Some(&mut self.history),
            Route::Certificate { .. } => None,
        }
    }
    fn load<'a>(&'a self, route: &Route, _intervals: &Intervals) -> Option<(&'a Load, u64)> {
        match route {
            Route::List => Some((&self.load, u64::try_from(self.interval_ms).unwrap_or(60_000))),
            Route::Evidence { .. } | Route::History | Route::Certificate { .. } => None,
        }
    }
    fn scroll_mut(&mut self, _route: &Route) -> Option<&mut usize> {
        None
    }
    fn copy_id(&self, route: &Route) -> (&'static str, Option<String>) {
        match route {
            Route::List => ("monitor key", self.selected_key()),
            Route::Evidence { .. } => ("evidence", self.evidence.selected_key()),
            Route::History => ("transition", self.history.selected_key()),
            Route::Certificate { alias } => ("certificate alias", Some(alias.clone())),
        }
    }
    fn export_name(&self, route: &Route) -> String {
        match route {
            Route::List => "alerts",
            Route::Evidence { .. } | Route::History | Route::Certificate { .. } => "table",
        }
        .into()
    }
    fn act(&mut self, route: &Route, a: Action, cx: &Cx) -> Option<Reply<Route>> {
        Some(match (route, a) {
            (Route::List, Action::Open) => match self.selected().map(|m| m.key.clone()) {
                Some(key) => {
                    self.open_evidence(&key);
                    Reply::push(Route::Evidence { key }, Vec::new())
                }
                None => Reply::none(),
            },
            (Route::Evidence { .. }, Action::Open) => match self.evidence.selected().cloned() {
                Some(row) => self.jump(row),
                None => Reply::none(),
            },
            (_, Action::Acknowledge) => self.acknowledge(route, cx),
            (_, Action::Silence) => self.silence_prompt(route),
            (Route::History, Action::AlertHistory) => Reply::none(),
            (_, Action::AlertHistory) => Reply::push(Route::History, Vec::new()),
            _ => return None,
        })
    }
    fn refresh(&mut self, route: &Route) -> Reply<Route> {
        match route {
            Route::List | Route::Evidence { .. } => Reply::out(Out::AlertRound),
            Route::History | Route::Certificate { .. } => Reply::none(),
        }
    }
}

impl Table for Alerts {
    fn columns(&self) -> &'static [Column] {
        COLUMNS
    }
    fn row_count(&self) -> usize {
        self.rows.len()
    }
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String {
        let Some(m) = self.rows.get(row) else {
            return String::new();
        };
        match col {
            0 => status_word(m.status).to_string(),
            1 => m.name.clone(),
            2 => m.text.replace('\n', " "),
            3 => crate::kit::format::age_since(Some(m.since), cx.now),
            4 => self.note(m, cx.now),
            5 => crate::kit::format::age_since(Some(m.last_evaluated), cx.now),
            _ => String::new(),
        }
    }
    fn record(&self, row: usize, cx: &CellCx) -> serde_json::Value {
        let r = self
            .rows
            .get(row)
            .map(|m| MonitorRecord::of(m, &self.controls, cx.now))
            .unwrap_or_default();
        crate::kit::schema::value(&r)
    }
    fn fields(&self) -> Vec<String> {
        crate::kit::schema::fields_of::<MonitorRecord>()
    }
    fn key(&self, row: usize) -> String {
        self.rows.get(row).map(|m| m.key.clone()).unwrap_or_default()
    }
    /// The order of `rows` (severity, longest-standing first).
    fn natural(&self, a: usize, b: usize) -> Ordering {
        a.cmp(&b)
    }
    fn tone(&self, row: usize, col: usize) -> Tone {
        let Some(m) = self.rows.get(row) else {
            return Tone::Normal;
        };
        match col {
            0 => status_tone(m.status),
            2 if m.status.is_alert() => status_tone(m.status),
            4 => Tone::Warn,
            _ => Tone::Normal,
        }
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
}
