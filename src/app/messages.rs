//! The Messages pane: message processing logs of a time window, newest first, held in the
//! columnar `MessageStore`. Only the rows on screen are ever formatted.

use std::cmp::Ordering;

use super::detail::status_tone;
use super::list::{Column, ListState, Sort, SortDir, Width, contains_ci};
use super::load::Load;
use super::msg::MessageQuery;
use super::table::{CellCx, Table, Tone};
use crate::cpi::model::MplStatus;
use crate::store::{MessageRef, MessageStore, MplBatch, RowId};

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
        self.store = MessageStore::new(self.store.limits());
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

    /// Does a row's visible text contain `needle` (lower-case)? Compares the borrowed strings,
    /// no formatting: the filter runs over every held message on each keystroke.
    fn matches(m: &MessageRef<'_>, needle: &str) -> bool {
        contains_ci(m.status.as_str(), needle)
            || contains_ci(m.iflow_id, needle)
            || contains_ci(m.sender, needle)
            || contains_ci(m.receiver, needle)
            || contains_ci(m.application_message_id, needle)
            || contains_ci(m.guid, needle)
            || contains_ci(m.correlation_id, needle)
    }

    fn compare(&self, a: usize, b: usize, sort: Option<Sort>) -> Ordering {
        let (x, y) = (self.store.row(a as RowId), self.store.row(b as RowId));
        let newest_first = y.log_end.cmp(&x.log_end).then_with(|| x.guid.cmp(y.guid));
        let Some(Sort { column, dir }) = sort else {
            return newest_first;
        };
        let ci = |p: &str, q: &str| p.to_lowercase().cmp(&q.to_lowercase());
        let o = match column {
            0 => x.status.as_str().cmp(y.status.as_str()),
            1 => x.log_end.cmp(&y.log_end),
            2 => ci(x.iflow_id, y.iflow_id),
            3 => ci(x.sender, y.sender),
            4 => ci(x.receiver, y.receiver),
            5 => ci(x.application_message_id, y.application_message_id),
            6 => x.duration_ms().cmp(&y.duration_ms()),
            _ => x.guid.cmp(y.guid),
        };
        let o = if dir == SortDir::Desc { o.reverse() } else { o };
        o.then(newest_first)
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
        self.compare(a, b, None)
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
    fn rebuild(&mut self, _cx: &CellCx) {
        let needle = self.list.filter.to_lowercase();
        let n = self.store.len();
        let mut failed = 0;
        let mut view: Vec<usize> = Vec::with_capacity(n);
        for r in 0..n {
            let st = self.store.status(r as RowId);
            if st == MplStatus::Failed {
                failed += 1;
            }
            if self.failed_only && !matches!(st, MplStatus::Failed | MplStatus::Escalated) {
                continue;
            }
            if !needle.is_empty() && !Self::matches(&self.store.row(r as RowId), &needle) {
                continue;
            }
            view.push(r);
        }
        let sort = self.list.sort;
        if sort.is_none() {
            // Newest first, by the time column alone (cheap keys).
            view.sort_unstable_by(|&a, &b| {
                self.store
                    .time(b as RowId)
                    .cmp(&self.store.time(a as RowId))
                    .then_with(|| a.cmp(&b))
            });
        } else {
            view.sort_by(|&a, &b| self.compare(a, b, sort));
        }
        self.failed = failed;
        self.list.view = view;
        let store = &self.store;
        self.list.reselect(|r| {
            if r < store.len() {
                store.row(r as RowId).guid.to_string()
            } else {
                String::new()
            }
        });
    }
}
