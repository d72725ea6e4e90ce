//! The Messages pane's state: message processing logs of a time window, newest first, held in
//! the columnar `MessageStore` (only the rows on screen are ever formatted); one message's detail,
//! the messages sharing its correlation id, its attachments and one attachment's content; the
//! keys of these views.

use std::cmp::Ordering;
use std::sync::Arc;

use super::detail::{
    AttachmentContent, Attachments, Correlated, MessageDetail, MessagePart, NavPart, status_tone,
};
use super::schema::MessageRecord;
use crate::cpi::model::MessageProcessingLog;
use crate::cpi::model::MplStatus;
use crate::cpi::odata::EpochMs;
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::format::TimeFmt;
use crate::kit::keymap::Context;
use crate::kit::list::{Column, ListState, Sort, SortDir, Width};
use crate::kit::load::{Fetch, Load};
use crate::kit::nav::Nav;
use crate::kit::subject::{Subject, Var};
use crate::kit::table::{CellCx, Table, Tone};
use crate::kit::tenant::Intervals;
use crate::kit::toast;
use crate::panes::pane::{Out, PaneState, Reply};
use crate::resources::FetchError;
pub use crate::resources::messages::MessageQuery;
use crate::store::{
    MessageRef, MessageStore, MessageView, MplBatch, Query, RowId, SortColumn, SortKey, StatusSet,
    StoreLimits,
};

/// Windows `w` cycles through.
pub const WINDOWS_MS: [i64; 4] = [15 * 60_000, 3_600_000, 4 * 3_600_000, 24 * 3_600_000];

pub const COLUMNS: &[Column] = &[
    // `COMPLETED/ERROR` where the custom status differs (a business error).
    Column::new("status", "STATUS", Width::Fixed(16), 's'),
    Column::new("end", "END", Width::Fixed(8), 'e'),
    Column::new("iflow", "IFLOW", Width::Fill(18), 'i'),
    Column::new("sender", "SENDER", Width::Fill(10), 'n'),
    Column::new("receiver", "RECEIVER", Width::Fill(10), 'r'),
    Column::new("app_id", "APP ID", Width::Fill(12), 'a'),
    Column::new("duration", "DURATION", Width::Fixed(8), 'd').right(),
    Column::new("guid", "MESSAGE ID", Width::Fixed(28), 'm'),
];

#[derive(Debug)]
pub struct Messages {
    pub query: MessageQuery,
    pub load: Load,
    pub list: ListState,
    /// `f`: only FAILED (and ESCALATED) messages, filtered locally.
    pub failed_only: bool,
    /// `l`: follow the newest message, poll faster.
    pub live: bool,
    /// The query whose results are held (to know whether a restarted poller may keep them).
    pub held_query: Option<MessageQuery>,
    /// Shared so that a sort can run on a blocking thread over the same store (see `SortJob`)
    /// and a cache save can write it without a copy; pages merge only while it is not shared
    /// (`flush`).
    pub store: Arc<MessageStore>,
    /// FAILED messages held (counted on every rebuild, shown in the tab line).
    pub failed: usize,
    /// Web UI root for message links.
    pub web_ui: Option<String>,
    /// The store's filtered, sorted rows.
    pub view: MessageView,
    /// Stores with at least this many messages are re-sorted on a blocking thread, off the
    /// input path (`Effect::SortMessages`); smaller ones at once.
    pub background_sort_min: usize,
    /// The sort running on a blocking thread, if any.
    pub sorting: Option<SortJob>,
    /// A sort to hand to the effects (taken by `update`).
    sort_request: bool,
    sort_jobs: u64,
    /// Pages that arrived while a sort or a cache save shared the store: merged as soon as it is
    /// ours alone again (changing it while shared would copy it whole).
    deferred: Vec<MplBatch>,
    /// New store limits waiting the same way.
    deferred_limits: Option<StoreLimits>,
    /// The message whose detail is open (or was last).
    pub detail: Option<MessageDetail>,
    /// Messages sharing the open message's correlation id.
    pub correlated: Correlated,
    /// The open message's attachments.
    pub attachments: Attachments,
    /// The attachment shown.
    pub attachment: Option<AttachmentContent>,
}

/// The pane's views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    List,
    /// One message: properties, error, custom headers, attachments, runs.
    Detail {
        guid: String,
    },
    /// The messages sharing a correlation id (`c` in a detail).
    Correlated {
        correlation_id: String,
    },
    /// A message's attachments (`v` in a detail).
    Attachments {
        guid: String,
    },
    /// One attachment's content.
    Attachment {
        id: String,
    },
}

/// What `Effect::SortMessages` computes on a blocking thread: every row of `store` in `key`
/// order, with the store state it is valid for (`MessageView::stamp`).
pub fn sort_all(store: &MessageStore, key: SortKey) -> ((u64, u64), Vec<RowId>) {
    let at = MessageView::stamp(store);
    let mut order: Vec<RowId> = (0..store.len() as RowId).collect();
    crate::store::sort_rows(store, &mut order, key);
    (at, order)
}

/// A re-sort of the message store running on a blocking thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortJob {
    pub id: u64,
    pub key: SortKey,
}

impl Default for Messages {
    fn default() -> Self {
        Self {
            query: MessageQuery::default(),
            load: Load::default(),
            list: ListState::default(),
            failed_only: false,
            live: false,
            held_query: None,
            store: Arc::default(),
            failed: 0,
            web_ui: None,
            view: MessageView::default(),
            background_sort_min: 100_000,
            sorting: None,
            sort_request: false,
            sort_jobs: 0,
            deferred: Vec::new(),
            deferred_limits: None,
            detail: None,
            correlated: Correlated::default(),
            attachments: Attachments::default(),
            attachment: None,
        }
    }
}

/// The store's sort key for a table column (`None`: newest first).
fn sort_key(sort: Option<Sort>) -> SortKey {
    let Some(Sort { column, dir }) = sort else {
        return SortKey::default();
    };
    let column = match column {
        0 => SortColumn::Status,
        1 => SortColumn::Time,
        2 => SortColumn::IflowId,
        3 => SortColumn::Sender,
        4 => SortColumn::Receiver,
        5 => SortColumn::AppMessageId,
        6 => SortColumn::Duration,
        _ => SortColumn::MessageGuid,
    };
    SortKey {
        column,
        descending: dir == SortDir::Desc,
    }
}

impl Messages {
    pub fn with_web_ui(web_ui: Option<String>) -> Self {
        Self {
            web_ui,
            ..Self::default()
        }
    }

    /// `last 1h`, `15m`, or the custom range.
    pub fn window_label(&self, time: &crate::kit::format::TimeFmt) -> String {
        match self.query.range {
            Some((from, to)) => format!("{} – {}", time.datetime(Some(from)), time.datetime(Some(to))),
            None => format!("last {}", crate::kit::format::window_label(self.query.window_ms)),
        }
    }

    /// Drop every message held (new window or server filter).
    pub fn clear(&mut self) {
        // A rolling window drops what slides out of it; a fixed range keeps everything.
        let max_age = match self.query.range {
            None => u64::try_from(self.query.window_ms)
                .ok()
                .map(std::time::Duration::from_millis),
            Some(_) => None,
        };
        let limits = self.deferred_limits.take().unwrap_or_else(|| self.store.limits());
        self.store = Arc::new(MessageStore::new(StoreLimits { max_age, ..limits }));
        // A sort of the old store is of no use any more.
        self.sorting = None;
        self.sort_request = false;
        self.deferred.clear();
        self.view = MessageView::new(self.view.sort(), self.view.query().clone());
        self.list.view.clear();
        self.list.selected = 0;
        self.list.offset = 0;
        self.failed = 0;
    }

    /// Upsert a decoded page (by message id).
    /// While a sort or a cache save shares the store, the page waits (see `flush`).
    pub fn merge(&mut self, batch: MplBatch) {
        self.deferred.push(batch);
        self.flush();
    }

    /// The store's limits (the messages held beyond them are dropped); applied as soon as the
    /// store is ours alone (see `flush`).
    pub fn set_limits(&mut self, limits: StoreLimits) {
        self.deferred_limits = Some(limits);
        self.flush();
    }

    /// The limits in force, or about to be.
    pub fn limits(&self) -> StoreLimits {
        self.deferred_limits.unwrap_or_else(|| self.store.limits())
    }

    /// Apply the limits and merge the pages that waited, if the store is ours alone again.
    /// Returns whether anything was.
    pub fn flush(&mut self) -> bool {
        if self.deferred.is_empty() && self.deferred_limits.is_none() {
            return false;
        }
        let Some(store) = Arc::get_mut(&mut self.store) else {
            return false;
        };
        if let Some(limits) = self.deferred_limits.take() {
            store.set_limits(limits);
        }
        for batch in self.deferred.drain(..) {
            store.merge(batch);
        }
        true
    }

    /// Pages waiting for the store (see `flush`).
    pub fn deferred(&self) -> usize {
        self.deferred.len()
    }

    /// The sort `rebuild` asked for, if any, with the store it sorts (shared until it returns).
    pub fn take_sort_request(&mut self) -> Option<(SortJob, Arc<MessageStore>)> {
        if !std::mem::take(&mut self.sort_request) {
            return None;
        }
        let job = self.sorting?;
        Some((job, Arc::clone(&self.store)))
    }

    /// A background sort returned: show its order if it is still the one wanted (the view
    /// patches in whatever changed since), merge the pages that waited, rebuild.
    pub fn sorted(&mut self, job: u64, key: SortKey, at: (u64, u64), order: Vec<RowId>, cx: &CellCx) {
        if self.sorting.is_some_and(|j| j.id == job && j.key == key) {
            self.sorting = None;
            self.view.install_order(key, order, at);
        }
        self.flush();
        self.rebuild(cx);
    }

    /// Select the newest message (live mode).
    pub fn follow_newest(&mut self) {
        self.list.selected = 0;
        self.list.offset = 0;
        self.list.selected_key = self.list.selected_row().map(|r| self.key(r));
    }

    /// A decoded page of the window. Live mode follows the newest message while the selection is
    /// on it; so does the first load of a window (its pages arrive oldest first within a slice).
    /// Otherwise the selection stays on its message.
    pub fn page(&mut self, batch: MplBatch, cx: &Cx) {
        let follow = (self.live && self.list.selected == 0) || self.load.loaded_at.is_none();
        self.merge(batch);
        self.rebuild(&cx.cell());
        if follow {
            self.follow_newest();
        }
        self.list.scroll_into_view(cx.table_rows);
    }

    /// `w`: the next of the windows `w` cycles through.
    pub fn next_window(&self) -> i64 {
        let cur = self.query.window_ms;
        WINDOWS_MS
            .iter()
            .copied()
            .find(|w| *w > cur)
            .unwrap_or(WINDOWS_MS[0])
    }

    /// Ask the tenant for another window; the notice says which.
    pub fn set_window(
        &mut self,
        window_ms: i64,
        range: Option<(EpochMs, EpochMs)>,
        time: &TimeFmt,
    ) -> toast::Say {
        self.query.window_ms = window_ms;
        self.query.range = range;
        toast::info(format!("messages window: {}", self.window_label(time)))
    }

    /// `l`: follow the newest message (and poll faster), or stop.
    pub fn toggle_live(&mut self) -> toast::Say {
        self.live ^= true;
        if self.live {
            self.follow_newest();
        }
        let word = if self.live {
            "on: following new messages"
        } else {
            "off"
        };
        toast::info(format!("live mode {word}"))
    }

    /// Open a message's detail; its parts are read.
    pub fn open_detail(&mut self, guid: &str) -> Vec<Out> {
        self.detail = Some(MessageDetail::new(guid));
        vec![Out::FetchMessage {
            guid: guid.to_string(),
        }]
    }

    /// A part of a message's detail arrived; returns the tenant's own web link of the message
    /// when the record came (it teaches the web UI's root).
    pub fn detail_part(&mut self, guid: &str, part: MessagePart) -> Option<String> {
        let d = self.detail.as_mut().filter(|d| d.guid == guid)?;
        let link = match &part {
            MessagePart::Log(Ok(m)) => Some(m.alternate_web_link.clone()),
            _ => None,
        };
        d.apply(part);
        link
    }

    /// The messages of a correlation id arrived; returns a web link of the tenant's, if any.
    pub fn correlated_loaded(
        &mut self,
        correlation_id: &str,
        result: Result<Vec<MessageProcessingLog>, FetchError>,
        cx: &Cx,
    ) -> Option<Option<String>> {
        if self.correlated.correlation_id != correlation_id {
            return None;
        }
        let link = result
            .as_ref()
            .ok()
            .and_then(|items| items.first())
            .map(|m| m.alternate_web_link.clone());
        self.correlated.items = Fetch::from_result(result);
        self.correlated.rebuild(&cx.cell());
        Some(link)
    }

    /// An attachment's content arrived.
    pub fn attachment_loaded(&mut self, id: &str, result: Result<String, FetchError>) -> bool {
        match self.attachment.as_mut().filter(|a| a.id == id) {
            Some(a) => {
                a.content = Fetch::from_result(result);
                true
            }
            None => false,
        }
    }

    /// `a` in a detail: the message's iFlow.
    fn jump_artifact(&self) -> Reply<Route> {
        let id = self
            .detail
            .as_ref()
            .and_then(|d| d.log.done())
            .map(|m| m.iflow_id().to_string())
            .filter(|id| !id.is_empty());
        match id {
            Some(id) => Reply::nav(Nav::OpenArtifact(id)),
            None => Reply::say(toast::error("the message's iFlow is not known yet")),
        }
    }

    /// `c` in a detail: the messages sharing its correlation id.
    fn open_correlated(&mut self) -> Reply<Route> {
        let id = self
            .detail
            .as_ref()
            .and_then(|d| d.log.done())
            .map(|m| m.correlation_id.clone())
            .filter(|c| !c.is_empty());
        match id {
            Some(correlation_id) => {
                self.correlated = Correlated {
                    correlation_id: correlation_id.clone(),
                    ..Correlated::default()
                };
                Reply::push(
                    Route::Correlated {
                        correlation_id: correlation_id.clone(),
                    },
                    vec![Out::FetchCorrelated { correlation_id }],
                )
            }
            None => Reply::say(toast::error("this message has no correlation id")),
        }
    }

    /// `v` in a detail: its attachments.
    fn open_attachments(&mut self) -> Reply<Route> {
        let Some(d) = self.detail.as_ref() else {
            return Reply::none();
        };
        match &d.attachments {
            Fetch::Done(NavPart::NotOnTenant) => Reply::say(toast::info(
                "this tenant does not offer the attachments of a message",
            )),
            Fetch::Done(list) if !list.rows().is_empty() => {
                self.attachments = Attachments {
                    guid: d.guid.clone(),
                    items: list.rows().to_vec(),
                    ..Attachments::default()
                };
                let guid = d.guid.clone();
                Reply::push(Route::Attachments { guid }, Vec::new())
            }
            Fetch::Done(_) => Reply::say(toast::info("this message has no attachments")),
            Fetch::Pending => Reply::say(toast::info("attachments are still loading")),
            Fetch::Failed(e) => Reply::say(toast::error(format!("attachments could not be read: {e}"))),
        }
    }

    /// Enter on an attachment: its content.
    fn open_attachment(&mut self) -> Reply<Route> {
        let row = self.attachments.list.selected_row();
        let Some(a) = row.and_then(|r| self.attachments.items.get(r)).cloned() else {
            return Reply::none();
        };
        self.attachment = Some(AttachmentContent {
            id: a.id.clone(),
            name: a.name.clone(),
            content: Fetch::Pending,
            scroll: 0,
        });
        Reply::push(
            Route::Attachment { id: a.id.clone() },
            vec![Out::FetchAttachment { id: a.id }],
        )
    }

    pub fn failed_in_window(&self) -> usize {
        self.failed
    }

    pub fn total(&self) -> usize {
        self.store.len()
    }

    fn get(&self, row: usize) -> Option<MessageRef<'_>> {
        (row < self.store.len()).then(|| self.store.row(row as RowId))
    }
}

/// Whether a custom status reads as an error (`ERROR`, `FAILED`, `…_ERROR`, `Error: …`).
fn is_error_word(custom: &str) -> bool {
    let up = custom.to_ascii_uppercase();
    up.contains("ERROR") || up.contains("FAIL") || up.contains("ESCALATED")
}

impl Table for Messages {
    fn columns(&self) -> &'static [Column] {
        COLUMNS
    }
    fn row_count(&self) -> usize {
        self.store.len()
    }
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String {
        let Some(m) = self.get(row) else {
            return String::new();
        };
        match col {
            0 => match m.custom_differs() {
                Some(c) => format!("{}/{c}", m.status.as_str()),
                None => m.status.as_str().to_string(),
            },
            // A message in flight has no end yet.
            1 => cx.time.short(m.end(), cx.now),
            2 => m.iflow_id.to_string(),
            3 => m.sender.to_string(),
            4 => m.receiver.to_string(),
            5 => m.application_message_id.to_string(),
            6 if m.running => match m.running_for(cx.now) {
                // Still running: how long so far.
                Some(ms) => format!("{}…", crate::kit::format::duration(ms)),
                None => "running".into(),
            },
            6 => m
                .duration_ms()
                .map(crate::kit::format::duration)
                .unwrap_or_default(),
            7 => m.guid.to_string(),
            _ => String::new(),
        }
    }
    fn record(&self, row: usize, cx: &CellCx) -> serde_json::Value {
        let r = self
            .get(row)
            .map(|m| MessageRecord::of_row(&m, cx.now))
            .unwrap_or_default();
        crate::kit::schema::value(&r)
    }
    fn fields(&self) -> Vec<String> {
        crate::kit::schema::fields_of::<MessageRecord>()
    }
    fn key(&self, row: usize) -> String {
        self.get(row).map(|m| m.guid.to_string()).unwrap_or_default()
    }
    fn natural(&self, a: usize, b: usize) -> Ordering {
        let (x, y) = (a as RowId, b as RowId);
        self.store
            .time(y)
            .cmp(&self.store.time(x))
            .then_with(|| a.cmp(&b))
    }
    fn tone(&self, row: usize, col: usize) -> Tone {
        if col == 0 && row < self.store.len() {
            let m = self.store.row(row as RowId);
            match m.custom_differs() {
                // A custom status that reads as an error is one (COMPLETED/ERROR).
                Some(c) if is_error_word(c) => Tone::Bad,
                _ => status_tone(m.status),
            }
        } else {
            Tone::Normal
        }
    }
    /// docs/cpi-api.md, "Web UI links": `/shell/monitoring/Messages/<enc {"identifier":"<guid>"}>`.
    fn link(&self, row: usize) -> Option<String> {
        let base = self.web_ui.as_deref()?;
        let m = self.get(row)?;
        let json = format!(r#"{{"identifier":"{}"}}"#, m.guid);
        Some(format!(
            "{base}/shell/monitoring/Messages/{}",
            percent_encoding::utf8_percent_encode(&json, percent_encoding::NON_ALPHANUMERIC)
        ))
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
    /// Filter and sort through the store's `MessageView` (a dictionary pass and a case-folded id
    /// search; refinements of the previous text filter only the previous result), then put the
    /// selection back on its message.
    fn rebuild(&mut self, _cx: &CellCx) {
        let query = Query {
            statuses: if self.failed_only {
                StatusSet::of(&[MplStatus::Failed, MplStatus::Escalated])
            } else {
                StatusSet::default()
            },
            text: self.list.filter.clone(),
            // The server matched these inside lists (`substringof`); exact names here.
            receiver: self.query.receiver.clone(),
            sender: self.query.sender.clone(),
            custom_statuses: self.query.custom_statuses(),
            ..Query::default()
        };
        let sort = sort_key(self.list.sort);
        if self.view.sort() == sort {
            self.sorting = None;
        } else if self.store.len() >= self.background_sort_min {
            // Off the input path: the old order stays on screen until the sort returns.
            if self.sorting.map(|j| j.key) != Some(sort) {
                self.sort_jobs += 1;
                self.sorting = Some(SortJob {
                    id: self.sort_jobs,
                    key: sort,
                });
                self.sort_request = true;
            }
        } else {
            self.sorting = None;
            self.view.set_sort(&self.store, sort);
        }
        if *self.view.query() != query {
            self.view.set_query(&self.store, query);
        } else {
            self.view.refresh(&self.store);
        }
        self.failed = (0..self.store.len() as RowId)
            .filter(|&r| self.store.status(r) == MplStatus::Failed)
            .count();
        self.list.set_rows(self.view.rows().iter().map(|&r| r as usize));
        let pos = self
            .list
            .selected_key
            .as_deref()
            .and_then(|k| self.store.find(k))
            .and_then(|row| self.view.position(row));
        match pos {
            Some(p) => self.list.selected = p,
            None => {
                self.list.selected = self.list.selected.min(self.list.view.len().saturating_sub(1));
                self.list.selected_key = self.list.selected_row().map(|r| self.key(r));
            }
        }
    }
}

impl PaneState for Messages {
    type Route = Route;

    fn contexts(route: &Route) -> [Context; 3] {
        match route {
            Route::List => [Context::Messages, Context::Table, Context::Global],
            Route::Detail { .. } => [Context::MessageDetail, Context::Detail, Context::Global],
            Route::Correlated { .. } => [Context::Correlated, Context::Table, Context::Global],
            Route::Attachments { .. } => [Context::Attachments, Context::Table, Context::Global],
            Route::Attachment { .. } => [Context::Attachment, Context::Detail, Context::Global],
        }
    }
    fn table(&self, route: &Route) -> Option<&dyn Table> {
        match route {
            Route::List => Some(self),
            Route::Correlated { .. } => Some(&self.correlated),
            Route::Attachments { .. } => Some(&self.attachments),
            Route::Detail { .. } | Route::Attachment { .. } => None,
        }
    }
    fn table_mut(&mut self, route: &Route) -> Option<&mut dyn Table> {
        match route {
            Route::List => Some(self),
            Route::Correlated { .. } => Some(&mut self.correlated),
            Route::Attachments { .. } => Some(&mut self.attachments),
            Route::Detail { .. } | Route::Attachment { .. } => None,
        }
    }
    fn load<'a>(&'a self, route: &Route, intervals: &Intervals) -> Option<(&'a Load, u64)> {
        match route {
            Route::List => Some((
                &self.load,
                if self.live {
                    intervals.messages_live
                } else {
                    intervals.messages
                },
            )),
            Route::Detail { .. }
            | Route::Correlated { .. }
            | Route::Attachments { .. }
            | Route::Attachment { .. } => None,
        }
    }
    fn scroll_mut(&mut self, route: &Route) -> Option<&mut usize> {
        match route {
            Route::Detail { .. } => self.detail.as_mut().map(|d| &mut d.scroll),
            Route::Attachment { .. } => self.attachment.as_mut().map(|a| &mut a.scroll),
            Route::List | Route::Correlated { .. } | Route::Attachments { .. } => None,
        }
    }
    fn copy_id(&self, route: &Route) -> (&'static str, Option<String>) {
        match route {
            Route::List => ("message id", self.selected_key()),
            Route::Correlated { .. } => ("message id", self.correlated.selected_key()),
            Route::Detail { guid } => ("message id", Some(guid.clone())),
            Route::Attachments { .. } => ("attachment id", self.attachments.selected_key()),
            Route::Attachment { id } => ("attachment id", Some(id.clone())),
        }
    }
    fn link(&self, route: &Route) -> Option<String> {
        match route {
            Route::Detail { .. } => self
                .detail
                .as_ref()
                .and_then(|d| d.log.done())
                .map(|m| crate::cpi::weblink::web_link(&m.alternate_web_link))
                .filter(|l| !l.is_empty()),
            Route::List | Route::Correlated { .. } | Route::Attachments { .. } => {
                let t = self.table(route)?;
                t.list().selected_row().and_then(|r| t.link(r))
            }
            Route::Attachment { .. } => None,
        }
    }
    fn export_name(&self, route: &Route) -> String {
        match route {
            Route::List => "messages",
            Route::Correlated { .. } => "correlated",
            Route::Attachments { .. } => "attachments",
            Route::Detail { .. } | Route::Attachment { .. } => "table",
        }
        .into()
    }
    /// A message's ids and iFlow: from the list, the correlated messages, the detail (whose row
    /// is the detail's record, `get message GUID -o json`) and its attachments.
    fn subject(&self, route: &Route, cx: &CellCx) -> Option<Subject> {
        let ids = |s: Subject, guid: &str, correlation: &str, iflow: &str| {
            s.with(Var::MessageId, guid)
                .with(Var::CorrelationId, correlation)
                .with(Var::Iflow, iflow)
                .with(Var::Artifact, iflow)
        };
        match route {
            Route::List => {
                let m = self.get(self.list.selected_row()?)?;
                let s = Subject::from_table(self, cx)?;
                Some(ids(s, m.guid, m.correlation_id, m.iflow_id))
            }
            Route::Correlated { .. } => {
                let t = &self.correlated;
                let m = t.items.done()?.get(t.list.selected_row()?)?;
                let s = Subject::from_table(t, cx)?;
                Some(ids(s, &m.message_guid, &m.correlation_id, m.iflow_id()))
            }
            Route::Detail { guid } => {
                let d = self.detail.as_ref().filter(|d| &d.guid == guid)?;
                let log = d.log.done();
                // The detail's record, as `get message GUID -o json` prints it.
                let mut s = Subject {
                    rows: vec![crate::kit::schema::value(&d.record(cx.now))],
                    ..Subject::default()
                };
                s.set(Var::MessageId, guid);
                if let Some(m) = log {
                    s = ids(s, guid, &m.correlation_id, m.iflow_id());
                }
                if let Some(link) = PaneState::link(self, route) {
                    s.set(Var::WebLink, &link);
                }
                Some(s)
            }
            Route::Attachments { guid } => {
                Some(Subject::from_table(&self.attachments, cx)?.with(Var::MessageId, guid))
            }
            Route::Attachment { .. } => None,
        }
    }
    fn act(&mut self, route: &Route, a: Action, cx: &Cx) -> Option<Reply<Route>> {
        Some(match (route, a) {
            (Route::List, Action::Open) => match self.selected_key() {
                Some(guid) => Reply::push(Route::Detail { guid: guid.clone() }, self.open_detail(&guid)),
                None => Reply::none(),
            },
            (Route::Correlated { .. }, Action::Open) => match self.correlated.selected_key() {
                Some(guid) => Reply::push(Route::Detail { guid: guid.clone() }, self.open_detail(&guid)),
                None => Reply::none(),
            },
            (Route::Attachments { .. }, Action::Open) => self.open_attachment(),
            (Route::List, Action::ToggleFailed) => {
                self.failed_only ^= true;
                self.rebuild(&cx.cell());
                self.list.scroll_into_view(cx.table_rows);
                Reply::none()
            }
            (Route::Detail { .. }, Action::JumpArtifact) => self.jump_artifact(),
            (Route::Detail { .. }, Action::Correlated) => self.open_correlated(),
            (Route::Detail { .. }, Action::Attachments) => self.open_attachments(),
            _ => return None,
        })
    }
    fn refresh(&mut self, route: &Route) -> Reply<Route> {
        match route {
            Route::Detail { guid } => Reply {
                out: self.open_detail(guid),
                ..Reply::none()
            },
            Route::Correlated { correlation_id } => {
                self.correlated.items = Fetch::Pending;
                Reply::out(Out::FetchCorrelated {
                    correlation_id: correlation_id.clone(),
                })
            }
            Route::List | Route::Attachments { .. } | Route::Attachment { .. } => Reply::none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::format::TimeFmt;
    use crate::kit::list::{Sort, SortDir};
    use crate::store::testgen::MplPageGen;

    fn cx() -> CellCx {
        CellCx {
            now: 1_763_000_000_000,
            time: TimeFmt::default(),
        }
    }

    /// What the sort effect does, on this thread: sort the snapshot, let go of it, answer.
    fn run_sort((job, store): (SortJob, Arc<MessageStore>)) -> (u64, SortKey, (u64, u64), Vec<RowId>) {
        let (at, order) = sort_all(&store, job.key);
        (job.id, job.key, at, order)
    }

    fn sorted_by(m: &Messages, key: SortKey) -> Vec<RowId> {
        let mut v = MessageView::new(key, Query::default());
        v.refresh(&m.store);
        v.rows().to_vec()
    }

    /// A large store is re-sorted on a blocking thread: the old order stays until the sort
    /// returns, pages arriving meanwhile wait and are merged after, and a sort the user has
    /// moved on from is dropped.
    #[test]
    fn large_sorts_run_off_the_input_path() {
        let mut g = MplPageGen::new(3, 1_763_000_000_000);
        let mut m = Messages {
            background_sort_min: 1000,
            ..Messages::default()
        };
        for _ in 0..3 {
            m.merge(MplBatch::decode(&g.page(500)).expect("decodes"));
        }
        m.rebuild(&cx());
        assert!(m.take_sort_request().is_none(), "newest first needs no sort");
        let newest_first = m.view.rows().to_vec();

        // Sort by sender: nothing is sorted on this thread.
        m.list.sort = Some(Sort {
            column: 3,
            dir: SortDir::Asc,
        });
        m.rebuild(&cx());
        let sender = sort_key(m.list.sort);
        assert_eq!(m.sorting.map(|j| j.key), Some(sender));
        assert_eq!(
            m.view.rows(),
            &newest_first[..],
            "old order until the sort returns"
        );
        let first = m.take_sort_request().expect("a sort effect");
        assert!(m.take_sort_request().is_none(), "asked once");

        // Changed mind: by receiver. The sender sort comes back first and is dropped.
        m.list.sort = Some(Sort {
            column: 4,
            dir: SortDir::Desc,
        });
        m.rebuild(&cx());
        let receiver = sort_key(m.list.sort);
        let second = m.take_sort_request().expect("a second sort effect");
        // A page arrives while both sorts share the store: it waits.
        let held = m.store.len();
        m.merge(MplBatch::decode(&g.page(300)).expect("decodes"));
        assert_eq!(m.store.len(), held);
        assert_eq!(m.deferred(), 1);

        let (job, key, at, order) = run_sort(first);
        m.sorted(job, key, at, order, &cx());
        assert_eq!(m.view.sort(), SortKey::default(), "a stale sort is not shown");
        assert_eq!(m.deferred(), 1, "the second sort still shares the store");

        let (job, key, at, order) = run_sort(second);
        assert_eq!(key, receiver);
        m.sorted(job, key, at, order, &cx());
        assert!(m.sorting.is_none());
        assert_eq!(m.deferred(), 0);
        assert_eq!(m.store.len(), held + 300, "the page that waited is merged");
        assert_eq!(m.view.sort(), receiver);
        assert_eq!(
            m.view.rows(),
            &sorted_by(&m, receiver)[..],
            "sorted, page patched in"
        );

        // A small store sorts at once.
        m.background_sort_min = usize::MAX;
        m.list.sort = Some(Sort {
            column: 3,
            dir: SortDir::Asc,
        });
        m.rebuild(&cx());
        assert!(m.take_sort_request().is_none());
        assert_eq!(m.view.rows(), &sorted_by(&m, sender)[..]);
    }

    /// New limits while a sort shares the store wait for it (no copy of the store), then apply.
    #[test]
    fn limits_wait_for_a_shared_store() {
        let mut g = MplPageGen::new(4, 1_763_000_000_000);
        let mut m = Messages {
            background_sort_min: 100,
            ..Messages::default()
        };
        m.merge(MplBatch::decode(&g.page(500)).expect("decodes"));
        m.rebuild(&cx());
        m.list.sort = Some(Sort {
            column: 3,
            dir: SortDir::Asc,
        });
        m.rebuild(&cx());
        let sort = m.take_sort_request().expect("a sort effect");
        let shared = Arc::as_ptr(&m.store);
        let limits = StoreLimits {
            max_messages: Some(100),
            ..m.limits()
        };
        m.set_limits(limits);
        assert_eq!(Arc::as_ptr(&m.store), shared, "not copied");
        assert_eq!(m.store.len(), 500, "not applied while shared");
        assert_eq!(m.limits().max_messages, Some(100));
        let (job, key, at, order) = run_sort(sort);
        m.sorted(job, key, at, order, &cx());
        assert_eq!(m.store.len(), 100, "applied once the store is ours again");
        assert_eq!(m.view.len(), 100);
    }
}
