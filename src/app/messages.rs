//! The Messages pane: message processing logs of a time window, newest first.

use super::list::{Column, ListState, Width};
use super::load::Load;
use super::msg::MessageQuery;

/// Windows `w` cycles through.
pub const WINDOWS_MS: [i64; 4] = [15 * 60_000, 3_600_000, 4 * 3_600_000, 24 * 3_600_000];

pub const COLUMNS: &[Column] = &[
    Column::new("status", "STATUS", Width::Fixed(10), 's'),
    Column::new("end", "END", Width::Fixed(8), 'e'),
    Column::new("iflow", "IFLOW", Width::Fill(18), 'i'),
    Column::new("sender", "SENDER", Width::Fill(10), 'n'),
    Column::new("receiver", "RECEIVER", Width::Fill(10), 'r'),
    Column::new("app_id", "APP ID", Width::Fill(12), 'a'),
    Column::new("duration", "DURATION", Width::Fixed(8), 'd').right(),
    Column::new("guid", "MESSAGE ID", Width::Fixed(28), 'm'),
];

#[derive(Debug, Default)]
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
    pub items: Vec<MessageProcessingLog>,
    /// Row of each message id in `items`.
    pub index: std::collections::HashMap<String, usize>,
}

impl Messages {
    /// `last 1h`, `15m`, or the custom range.
    pub fn window_label(&self, time: &super::format::TimeFmt) -> String {
        match self.query.range {
            Some((from, to)) => format!("{} – {}", time.datetime(Some(from)), time.datetime(Some(to))),
            None => format!("last {}", super::format::window_label(self.query.window_ms)),
        }
    }
}

// Rows held: until the columnar store is wired in, the message list holds decoded records.
use std::cmp::Ordering;

use super::detail::status_tone;
use super::table::{CellCx, Table, Tone};
use crate::cpi::model::{MessageProcessingLog, MplStatus};

impl Messages {
    /// Drop every message held (new window or server filter).
    pub fn clear(&mut self) {
        self.items.clear();
        self.index.clear();
        self.list.view.clear();
        self.list.selected = 0;
        self.list.offset = 0;
    }
    /// Add new messages and replace held ones with the same id (status changes, deltas).
    pub fn upsert(&mut self, rows: Vec<MessageProcessingLog>) {
        for m in rows {
            match self.index.get(&m.message_guid) {
                Some(&i) => self.items[i] = m,
                None => {
                    self.index.insert(m.message_guid.clone(), self.items.len());
                    self.items.push(m);
                }
            }
        }
    }
    /// Select the newest message (live mode).
    pub fn follow_newest(&mut self) {
        self.list.selected = 0;
        self.list.offset = 0;
        self.list.selected_key = self.list.selected_row().map(|r| self.key(r));
    }
    pub fn failed_in_window(&self) -> usize {
        self.items
            .iter()
            .filter(|m| m.status() == MplStatus::Failed)
            .count()
    }
    pub fn total(&self) -> usize {
        self.items.len()
    }
}

impl Table for Messages {
    fn columns(&self) -> &'static [Column] {
        COLUMNS
    }
    fn row_count(&self) -> usize {
        self.items.len()
    }
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String {
        let Some(m) = self.items.get(row) else {
            return String::new();
        };
        match col {
            0 => m.status.clone(),
            1 => cx.time.short(m.log_end, cx.now),
            2 => m.iflow_id().to_string(),
            3 => m.sender.clone(),
            4 => m.receiver.clone(),
            5 => m.application_message_id.clone(),
            6 => match (m.log_start, m.log_end) {
                (Some(a), Some(b)) => super::format::duration(b - a),
                _ => String::new(),
            },
            7 => m.message_guid.clone(),
            _ => String::new(),
        }
    }
    fn key(&self, row: usize) -> String {
        self.items
            .get(row)
            .map(|m| m.message_guid.clone())
            .unwrap_or_default()
    }
    fn natural(&self, a: usize, b: usize) -> Ordering {
        self.items[b]
            .log_end
            .cmp(&self.items[a].log_end)
            .then_with(|| a.cmp(&b))
    }
    fn tone(&self, row: usize, col: usize) -> Tone {
        match self.items.get(row) {
            Some(m) if col == 0 => status_tone(m.status()),
            _ => Tone::Normal,
        }
    }
    fn link(&self, row: usize) -> Option<String> {
        self.items
            .get(row)
            .map(|m| m.alternate_web_link.clone())
            .filter(|l| !l.is_empty())
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
    fn rebuild(&mut self, cx: &CellCx) {
        let mut list = std::mem::take(&mut self.list);
        {
            let this = &*self;
            list.rebuild(
                this.items.len(),
                COLUMNS.len(),
                |r, c| this.cell(r, c, cx),
                |r| this.key(r),
                |a, b| this.natural(a, b),
            );
            if this.failed_only {
                list.view
                    .retain(|&r| matches!(this.items[r].status(), MplStatus::Failed | MplStatus::Escalated));
                list.reselect(|r| this.key(r));
            }
        }
        self.list = list;
    }
}
