//! The Messages pane: message processing logs of a time window, newest first, held in the
//! columnar `MessageStore`. Only the rows on screen are ever formatted.

use std::cmp::Ordering;

use super::detail::status_tone;
use super::list::{Column, ListState, Sort, SortDir, Width};
use super::load::Load;
use super::msg::MessageQuery;
use super::table::{CellCx, Table, Tone};
use crate::cpi::model::MplStatus;
use crate::store::{
    MessageRef, MessageStore, MessageView, MplBatch, Query, RowId, SortColumn, SortKey, StatusSet,
    StoreLimits,
};

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
    pub store: MessageStore,
    /// FAILED messages held (counted on every rebuild, shown in the tab line).
    pub failed: usize,
    /// Web UI root for message links.
    pub web_ui: Option<String>,
    /// The store's filtered, sorted rows.
    pub view: MessageView,
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
    /// `last 1h`, `15m`, or the custom range.
    pub fn window_label(&self, time: &super::format::TimeFmt) -> String {
        match self.query.range {
            Some((from, to)) => format!("{} – {}", time.datetime(Some(from)), time.datetime(Some(to))),
            None => format!("last {}", super::format::window_label(self.query.window_ms)),
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
        self.store = MessageStore::new(StoreLimits {
            max_age,
            ..self.store.limits()
        });
        self.view = MessageView::new(self.view.sort(), self.view.query().clone());
        self.list.view.clear();
        self.list.selected = 0;
        self.list.offset = 0;
        self.failed = 0;
    }

    /// Upsert a decoded page (by message id).
    pub fn merge(&mut self, batch: MplBatch) {
        self.store.merge(batch);
    }

    /// Select the newest message (live mode).
    pub fn follow_newest(&mut self) {
        self.list.selected = 0;
        self.list.offset = 0;
        self.list.selected_key = self.list.selected_row().map(|r| self.key(r));
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
            0 => m.status.as_str().to_string(),
            1 => cx.time.short(Some(m.log_end), cx.now),
            2 => m.iflow_id.to_string(),
            3 => m.sender.to_string(),
            4 => m.receiver.to_string(),
            5 => m.application_message_id.to_string(),
            6 => m.duration_ms().map(super::format::duration).unwrap_or_default(),
            7 => m.guid.to_string(),
            _ => String::new(),
        }
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
            status_tone(self.store.status(row as RowId))
        } else {
            Tone::Normal
        }
    }
    /// shared/cpi-api.md §7: `/shell/monitoring/Messages/<enc {"identifier":"<guid>"}>`.
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
            ..Query::default()
        };
        let sort = sort_key(self.list.sort);
        if self.view.sort() != sort {
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
