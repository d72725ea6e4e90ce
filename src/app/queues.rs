//! The Queues pane: every JMS queue with its depth and health, the `DLQ_` partner beside its
//! source queue, and the broker's capacity.

use std::cmp::Ordering;

use crate::cpi::model::{JmsBroker, JmsMessage, JmsMessageState};
use crate::cpi::odata::EpochMs;
use crate::kit::list::{Column, ListState, Width};
use crate::kit::load::Load;
use crate::kit::table::{CellCx, Table, Tone};
pub use crate::resources::queues::{
    DLQ_PREFIX, QueueRow, QueueStats, QueuesSnapshot, base_name, broker_only_notice, broker_rows, fill_word,
    is_dlq,
};

pub const COLUMNS: &[Column] = &[
    Column::new("name", "QUEUE", Width::Fill(24), 'n'),
    Column::new("depth", "DEPTH", Width::Fixed(8), 'd').right(),
    Column::new("failed", "FAILED", Width::Fixed(7), 'f').right(),
    Column::new("blocked", "BLOCKED", Width::Fixed(8), 'b').right(),
    Column::new("oldest", "OLDEST", Width::Fixed(7), 'o').right(),
    Column::new("state", "STATE", Width::Fixed(8), 's'),
    Column::new("exclusive", "EXCL", Width::Fixed(5), 'x'),
    Column::new("dlq", "DLQ", Width::Fixed(6), 'q').right(),
    Column::new("size", "SIZE", Width::Fixed(10), 'z').right(),
    // Last: on a narrow terminal it gives way before the DLQ depth does.
    Column::new("fill", "FILL", Width::Fixed(8), 'l'),
];

#[derive(Debug, Default)]
pub struct Queues {
    pub broker: Option<JmsBroker>,
    pub rows: Vec<QueueRow>,
    pub load: Load,
    pub list: ListState,
    /// `f`: only queues with failed or blocked messages, and non-empty DLQs.
    pub problems_only: bool,
    pub web_ui: Option<String>,
    /// No queue list on this tenant: why, and that the rows come from the broker.
    pub missing: Option<String>,
}

impl Queues {
    /// When the rows were loaded, if they came from a queue list (not from the broker alone).
    pub fn loaded_at_listed(&self) -> Option<EpochMs> {
        self.load.loaded_at.filter(|_| self.missing.is_none())
    }
    /// DLQs that hold messages.
    pub fn dlqs_with_messages(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| is_dlq(&r.queue.name) && r.queue.numb_of_msgs > 0)
            .count()
    }
    pub fn partner_depth(&self, name: &str) -> Option<i64> {
        self.partner(name)
            .filter(|r| !r.broker_only)
            .map(|r| r.queue.numb_of_msgs)
    }
    /// The `DLQ_` partner row of a source queue.
    fn partner(&self, name: &str) -> Option<&QueueRow> {
        if is_dlq(name) {
            return None;
        }
        let dlq = format!("{DLQ_PREFIX}{name}");
        self.rows.iter().find(|r| r.queue.name == dlq)
    }
    pub fn selected(&self) -> Option<&QueueRow> {
        self.list.selected_row().and_then(|r| self.rows.get(r))
    }
    fn has_problem(&self, r: &QueueRow) -> bool {
        (is_dlq(&r.queue.name) && r.queue.numb_of_msgs > 0)
            || r.stats.is_some_and(|s| s.failed + s.blocked > 0)
            || !r.queue.active
            || r.fill.is_some_and(|f| f > 0)
    }
}

impl Table for Queues {
    fn columns(&self) -> &'static [Column] {
        COLUMNS
    }
    fn row_count(&self) -> usize {
        self.rows.len()
    }
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String {
        let Some(r) = self.rows.get(row) else {
            return String::new();
        };
        let q = &r.queue;
        let stat = |f: fn(&QueueStats) -> usize| {
            r.stats.map(|s| f(&s).to_string()).unwrap_or_else(|| {
                if q.numb_of_msgs == 0 && !r.broker_only {
                    "0".into()
                } else {
                    "?".into()
                }
            })
        };
        // What the broker alone does not tell.
        let unknown = || "?".to_string();
        match col {
            0 => q.name.clone(),
            1 if r.broker_only => unknown(),
            1 => crate::kit::format::thousands(q.numb_of_msgs.max(0) as u64),
            2 => stat(|s| s.failed),
            3 => stat(|s| s.blocked),
            4 => crate::kit::format::age_since(r.stats.and_then(|s| s.oldest), cx.now),
            5 => if q.active { "active" } else { "stopped" }.into(),
            6 if r.broker_only => unknown(),
            6 => if q.exclusive { "yes" } else { "no" }.into(),
            7 => match self.partner(&q.name) {
                Some(p) if p.broker_only => unknown(),
                Some(p) => crate::kit::format::thousands(p.queue.numb_of_msgs.max(0) as u64),
                None => String::new(),
            },
            8 if r.broker_only => unknown(),
            8 => crate::kit::format::bytes(q.size),
            9 => r.fill.map(fill_word).unwrap_or_default().into(),
            _ => String::new(),
        }
    }
    fn key(&self, row: usize) -> String {
        self.rows
            .get(row)
            .map(|r| r.queue.name.clone())
            .unwrap_or_default()
    }
    /// Source queues by name, each followed by its `DLQ_` partner.
    fn natural(&self, a: usize, b: usize) -> Ordering {
        let (x, y) = (&self.rows[a].queue.name, &self.rows[b].queue.name);
        base_name(x)
            .to_lowercase()
            .cmp(&base_name(y).to_lowercase())
            .then_with(|| is_dlq(x).cmp(&is_dlq(y)))
            .then_with(|| x.cmp(y))
    }
    fn tone(&self, row: usize, col: usize) -> Tone {
        let Some(r) = self.rows.get(row) else {
            return Tone::Normal;
        };
        let q = &r.queue;
        match col {
            0 | 1 if is_dlq(&q.name) && q.numb_of_msgs > 0 => Tone::Bad,
            2 if r.stats.is_some_and(|s| s.failed > 0) => Tone::Bad,
            3 if r.stats.is_some_and(|s| s.blocked > 0) => Tone::Warn,
            5 if !q.active => Tone::Warn,
            5 => Tone::Good,
            9 if r.fill == Some(1) => Tone::Warn,
            9 if r.fill.is_some_and(|f| f >= 2) => Tone::Bad,
            7 if self.partner_depth(&q.name).is_some_and(|d| d > 0) => Tone::Bad,
            _ if r.broker_only => Tone::Normal,
            _ if q.numb_of_msgs == 0 => Tone::Muted,
            _ => Tone::Normal,
        }
    }
    fn link(&self, _row: usize) -> Option<String> {
        let base = self.web_ui.as_deref()?;
        Some(format!(
            "{base}/shell/monitoring/MessageQueues/{}",
            percent_encoding::utf8_percent_encode(r#"{"type":"ALL"}"#, percent_encoding::NON_ALPHANUMERIC)
        ))
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
                this.rows.len(),
                COLUMNS.len(),
                |r, c| this.cell(r, c, cx),
                |r| this.key(r),
                |a, b| this.natural(a, b),
            );
            if this.problems_only {
                list.retain_rows(|r| this.has_problem(&this.rows[r]));
                list.reselect(|r| this.key(r));
            }
        }
        self.list = list;
    }
}

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

pub fn jms_state_word(s: JmsMessageState) -> &'static str {
    match s {
        JmsMessageState::Failed => "Failed",
        JmsMessageState::Blocked => "Blocked",
        JmsMessageState::Overdue => "Overdue",
        JmsMessageState::Waiting => "Waiting",
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpi::model::Queue;

    fn q(name: &str, depth: i64) -> QueueRow {
        QueueRow {
            queue: Queue {
                name: name.into(),
                numb_of_msgs: depth,
                active: true,
                ..Queue::default()
            },
            ..QueueRow::default()
        }
    }

    #[test]
    fn dlq_sits_beside_its_queue() {
        let mut p = Queues {
            rows: vec![
                q("DLQ_ORDERS", 3),
                q("INVOICES", 0),
                q("ORDERS", 10),
                q("ALPHA", 1),
            ],
            ..Queues::default()
        };
        let cx = CellCx {
            now: 0,
            time: Default::default(),
        };
        p.rebuild(&cx);
        let names: Vec<_> = p.list.rows().map(|r| p.rows[r].queue.name.as_str()).collect();
        assert_eq!(names, ["ALPHA", "INVOICES", "ORDERS", "DLQ_ORDERS"]);
        assert_eq!(p.dlqs_with_messages(), 1);
        assert_eq!(p.cell(2, 7, &cx), "3", "ORDERS shows its DLQ depth");
        assert_eq!(p.tone(0, 0), Tone::Bad);
    }
}
