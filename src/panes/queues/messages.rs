//! A queue's messages (drill-down from the Queues pane): state, age, retries, and the marks of a
//! bulk action.

use std::cmp::Ordering;

use crate::cpi::model::{JmsMessage, JmsMessageState};
use crate::cpi::odata::EpochMs;
use crate::kit::list::{Column, ListState, Width};
use crate::kit::load::Load;
use crate::kit::table::{CellCx, Table, Tone};

/// Messages of one queue (drill-down from the Queues pane).
pub const MESSAGE_COLUMNS: &[Column] = &[
    Column::new("status", "STATUS", Width::Fixed(8), 's'),
    Column::new("msgid", "MESSAGE ID", Width::Fill(14), 'i'),
    Column::new("mplid", "MPL ID", Width::Fixed(28), 'm'),
    Column::new("age", "AGE", Width::Fixed(5), 'a').right(),
    Column::new("retries", "RETRIES", Width::Fixed(7), 'r').right(),
    Column::new("next_retry", "NEXT RETRY", Width::Fixed(11), 'n'),
    Column::new("created", "CREATED", Width::Fixed(19), 'c'),
];

#[derive(Debug, Default)]
pub struct QueueMessages {
    pub queue: String,
    pub items: Vec<JmsMessage>,
    pub load: Load,
    pub list: ListState,
    /// `now` as of the last refresh (message states depend on it; fixed per snapshot).
    pub state_now: EpochMs,
    /// Message ids marked for a bulk action (space, mark all). Kept across refreshes; ids that
    /// left the queue are ignored when an action is planned.
    pub marks: std::collections::BTreeSet<String>,
}

use super::schema::QueueMessageRecord;
pub use super::schema::jms_state_word;

impl Table for QueueMessages {
    fn columns(&self) -> &'static [Column] {
        MESSAGE_COLUMNS
    }
    fn row_count(&self) -> usize {
        self.items.len()
    }
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String {
        let Some(m) = self.items.get(row) else {
            return String::new();
        };
        match col {
            0 => jms_state_word(m.state(cx.now)).into(),
            1 => m.msgid.clone(),
            2 => m.mplid.clone(),
            3 => crate::kit::format::age_since(m.created_at, cx.now),
            4 => m.retry_count.to_string(),
            5 => cx.time.short(m.next_retry, cx.now),
            6 => cx.time.datetime(m.created_at),
            _ => String::new(),
        }
    }
    fn record(&self, row: usize, cx: &CellCx) -> serde_json::Value {
        let r = self
            .items
            .get(row)
            .map(|m| QueueMessageRecord::of(&self.queue, m, cx.now))
            .unwrap_or_default();
        crate::kit::schema::value(&r)
    }
    fn fields(&self) -> Vec<String> {
        crate::kit::schema::fields_of::<QueueMessageRecord>()
    }
    fn key(&self, row: usize) -> String {
        self.items.get(row).map(|m| m.msgid.clone()).unwrap_or_default()
    }
    /// Oldest first: the order the broker delivers them.
    fn natural(&self, a: usize, b: usize) -> Ordering {
        self.items[a]
            .created_at
            .cmp(&self.items[b].created_at)
            .then_with(|| self.items[a].msgid.cmp(&self.items[b].msgid))
    }
    fn tone(&self, row: usize, col: usize) -> Tone {
        let Some(m) = self.items.get(row) else {
            return Tone::Normal;
        };
        match (col, m.state(self.state_now)) {
            (0, JmsMessageState::Failed) => Tone::Bad,
            (0, JmsMessageState::Blocked | JmsMessageState::Overdue) => Tone::Warn,
            (0, JmsMessageState::Waiting) => Tone::Busy,
            _ => Tone::Normal,
        }
    }
    fn marked(&self, row: usize) -> Option<bool> {
        Some(self.items.get(row).is_some_and(|m| self.marks.contains(&m.msgid)))
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
}
