//! Drill-down data: one message with its error, runs and attachments; the messages sharing its
//! correlation id; an attachment's content.

use std::cmp::Ordering;

use super::schema::{AttachmentRecord, MessageDetailRecord, MessageRecord, NameValueRecord, RunRecord};
use crate::cpi::model::{CustomHeaderProperty, MessageProcessingLog, MplAttachment, MplRunStep, MplStatus};
use crate::cpi::odata::EpochMs;
use crate::kit::list::{Column, ListState, Width};
use crate::kit::load::Fetch;
use crate::kit::table::{CellCx, Table, Tone};
pub use crate::resources::message_detail::{MessagePart, NavPart, RunWithSteps};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MessageDetail {
    pub guid: String,
    pub log: Fetch<MessageProcessingLog>,
    pub headers: Fetch<NavPart<CustomHeaderProperty>>,
    pub error: Fetch<Option<String>>,
    pub attachments: Fetch<NavPart<MplAttachment>>,
    pub runs: Fetch<NavPart<RunWithSteps>>,
    pub scroll: usize,
}

impl MessageDetail {
    pub fn new(guid: &str) -> Self {
        Self {
            guid: guid.to_string(),
            ..Self::default()
        }
    }
    pub fn apply(&mut self, part: MessagePart) {
        match part {
            MessagePart::Log(r) => self.log = Fetch::from_result(r),
            MessagePart::Headers(r) => self.headers = Fetch::from_result(r),
            MessagePart::Error(r) => self.error = Fetch::from_result(r),
            MessagePart::Attachments(r) => self.attachments = Fetch::from_result(r),
            MessagePart::Runs(r) => self.runs = Fetch::from_result(r),
        }
    }

    /// The parts that could not be read, each as `what: why` (a part the tenant does not offer
    /// is not among them). Empty when everything was read.
    pub fn unread(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut note = |what: &str, e: Option<&String>| {
            if let Some(e) = e {
                out.push(format!("{what}: {e}"));
            }
        };
        note("properties", failed(&self.log));
        note("custom header properties", failed(&self.headers));
        note("error text", failed(&self.error));
        note("attachments", failed(&self.attachments));
        note("runs", failed(&self.runs));
        out
    }

    /// The navigations the tenant does not offer (answered 404), by name.
    pub fn not_on_tenant(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if matches!(self.headers, Fetch::Done(NavPart::NotOnTenant)) {
            out.push("custom header properties");
        }
        if matches!(self.attachments, Fetch::Done(NavPart::NotOnTenant)) {
            out.push("attachments");
        }
        if matches!(self.runs, Fetch::Done(NavPart::NotOnTenant)) {
            out.push("runs");
        }
        out
    }

    /// Whether any part was read at all (a part the tenant does not offer counts as read).
    pub fn anything_read(&self) -> bool {
        matches!(self.log, Fetch::Done(_))
            || matches!(self.headers, Fetch::Done(_))
            || matches!(self.error, Fetch::Done(_))
            || matches!(self.attachments, Fetch::Done(_))
            || matches!(self.runs, Fetch::Done(_))
    }
}

impl MessageDetail {
    /// The detail's record (`get message GUID -o json`, a plugin's stdin): the properties'
    /// fields, then each part as read — `null` when not read (named in `unread`) or not offered
    /// (named in `not_available`).
    pub fn record(&self, now: EpochMs) -> MessageDetailRecord {
        let mut r = match &self.log {
            Fetch::Done(log) => MessageDetailRecord::of_log(log, now),
            _ => MessageDetailRecord {
                message: MessageRecord {
                    message_id: self.guid.clone(),
                    ..MessageRecord::default()
                },
                ..MessageDetailRecord::default()
            },
        };
        r.error = match &self.error {
            Fetch::Done(t) => t.as_deref().and_then(crate::kit::schema::text),
            Fetch::Failed(_) | Fetch::Pending => None,
        };
        r.custom_header_properties = rows_of(&self.headers, NameValueRecord::of_header);
        r.attachments = rows_of(&self.attachments, AttachmentRecord::of);
        r.runs = rows_of(&self.runs, |x| RunRecord::of(&x.run, &x.steps));
        r.not_available = self.not_on_tenant().into_iter().map(str::to_string).collect();
        r.unread = self.unread();
        r
    }
}

/// A navigation part's rows as records, `None` when not read or not offered.
fn rows_of<T, R>(f: &Fetch<NavPart<T>>, record: impl Fn(&T) -> R) -> Option<Vec<R>> {
    match f {
        Fetch::Done(NavPart::Rows(v)) => Some(v.iter().map(record).collect()),
        Fetch::Done(NavPart::NotOnTenant) | Fetch::Failed(_) | Fetch::Pending => None,
    }
}

fn failed<T>(f: &Fetch<T>) -> Option<&String> {
    match f {
        Fetch::Failed(e) => Some(e),
        _ => None,
    }
}

/// Is a run step the one that failed?
pub fn step_failed(step: &MplRunStep) -> bool {
    !step.error.trim().is_empty() || step.status.eq_ignore_ascii_case("FAILED")
}

pub fn status_tone(s: MplStatus) -> Tone {
    match s {
        MplStatus::Completed => Tone::Good,
        MplStatus::Failed => Tone::Bad,
        MplStatus::Retry | MplStatus::Escalated => Tone::Warn,
        MplStatus::Processing => Tone::Busy,
        MplStatus::Cancelled | MplStatus::Discarded | MplStatus::Abandoned => Tone::Muted,
        MplStatus::Unknown => Tone::Normal,
    }
}

/// Messages that share a correlation id (from a message's detail, `c`).
#[derive(Debug, Default)]
pub struct Correlated {
    pub correlation_id: String,
    pub items: Fetch<Vec<MessageProcessingLog>>,
    pub list: ListState,
}

pub const CORRELATED_COLUMNS: &[Column] = &[
    Column::new("status", "STATUS", Width::Fixed(10), 's'),
    Column::new("end", "END", Width::Fixed(19), 'e'),
    Column::new("iflow", "IFLOW", Width::Fill(20), 'i'),
    Column::new("guid", "MESSAGE ID", Width::Fixed(28), 'm'),
    Column::new("sender", "SENDER", Width::Fill(10), 'n'),
    Column::new("receiver", "RECEIVER", Width::Fill(10), 'r'),
];

impl Correlated {
    fn rows(&self) -> &[MessageProcessingLog] {
        self.items.done().map(Vec::as_slice).unwrap_or(&[])
    }
}

impl Table for Correlated {
    fn columns(&self) -> &'static [Column] {
        CORRELATED_COLUMNS
    }
    fn row_count(&self) -> usize {
        self.rows().len()
    }
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String {
        let Some(m) = self.rows().get(row) else {
            return String::new();
        };
        match col {
            0 => m.status.clone(),
            1 => cx.time.datetime(m.log_end),
            2 => m.iflow_id().to_string(),
            3 => m.message_guid.clone(),
            4 => m.sender.clone(),
            5 => m.receiver.clone(),
            _ => String::new(),
        }
    }
    fn record(&self, row: usize, cx: &CellCx) -> serde_json::Value {
        let r = self
            .rows()
            .get(row)
            .map(|m| MessageRecord::of_log(m, cx.now))
            .unwrap_or_default();
        crate::kit::schema::value(&r)
    }
    fn fields(&self) -> Vec<String> {
        crate::kit::schema::fields_of::<MessageRecord>()
    }
    fn key(&self, row: usize) -> String {
        self.rows()
            .get(row)
            .map(|m| m.message_guid.clone())
            .unwrap_or_default()
    }
    /// In processing order: the chain of an exchange reads top to bottom.
    fn natural(&self, a: usize, b: usize) -> Ordering {
        let r = self.rows();
        r[a].log_start.cmp(&r[b].log_start).then_with(|| a.cmp(&b))
    }
    fn tone(&self, row: usize, col: usize) -> Tone {
        match self.rows().get(row) {
            Some(m) if col == 0 => status_tone(m.status()),
            _ => Tone::Normal,
        }
    }
    fn link(&self, row: usize) -> Option<String> {
        self.rows()
            .get(row)
            .map(|m| crate::cpi::weblink::web_link(&m.alternate_web_link))
            .filter(|l| !l.is_empty())
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
}

/// A message's attachments (`v` in its detail); a copy of the list held by the detail.
#[derive(Debug, Default)]
pub struct Attachments {
    pub guid: String,
    pub items: Vec<MplAttachment>,
    pub list: ListState,
}

pub const ATTACHMENT_COLUMNS: &[Column] = &[
    Column::new("name", "NAME", Width::Fill(24), 'n'),
    Column::new("type", "CONTENT TYPE", Width::Fill(16), 't'),
    Column::new("size", "SIZE", Width::Fixed(10), 'z').right(),
    Column::new("time", "TIME", Width::Fixed(19), 'w'),
];

impl Table for Attachments {
    fn columns(&self) -> &'static [Column] {
        ATTACHMENT_COLUMNS
    }
    fn row_count(&self) -> usize {
        self.items.len()
    }
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String {
        let Some(a) = self.items.get(row) else {
            return String::new();
        };
        match col {
            0 => a.name.clone(),
            1 => a.content_type.clone(),
            2 => crate::kit::format::bytes(a.payload_size),
            3 => cx.time.datetime(a.timestamp),
            _ => String::new(),
        }
    }
    fn record(&self, row: usize, _cx: &CellCx) -> serde_json::Value {
        let r = self.items.get(row).map(AttachmentRecord::of).unwrap_or_default();
        crate::kit::schema::value(&r)
    }
    fn fields(&self) -> Vec<String> {
        crate::kit::schema::fields_of::<AttachmentRecord>()
    }
    fn key(&self, row: usize) -> String {
        self.items.get(row).map(|a| a.id.clone()).unwrap_or_default()
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
}

/// One attachment's content, shown as text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttachmentContent {
    pub id: String,
    pub name: String,
    pub content: Fetch<String>,
    pub scroll: usize,
}
