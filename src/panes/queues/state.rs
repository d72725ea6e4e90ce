//! The Queues pane's state: every JMS queue with its depth and health, the `DLQ_` partner beside
//! its source queue, the broker's capacity; one queue's messages; the keys of both views (the
//! guarded writes among them).

use std::cmp::Ordering;

use super::messages::QueueMessages;
use super::schema::QueueRecord;
use crate::cpi::model::{JmsBroker, JmsMessage};
use crate::cpi::odata::EpochMs;
use crate::cpi::queues::JmsMessageKey;
use crate::features::writes::plan::queue_op;
use crate::features::writes::{Job, Known, Selection, count_word};
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::keymap::Context;
use crate::kit::list::{Column, ListState, Width};
use crate::kit::load::Load;
use crate::kit::nav::Nav;
use crate::kit::subject::{Subject, Var};
use crate::kit::table::{CellCx, Table, Tone};
use crate::kit::tenant::Intervals;
use crate::kit::toast;
use crate::panes::pane::{Out, PaneState, Reply};
use crate::resources::FetchError;
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
    /// The messages of the queue open (`Route::Messages`).
    pub messages: QueueMessages,
}

/// The pane's views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    List,
    /// One queue's messages.
    Messages {
        queue: String,
    },
}

impl Queues {
    /// A poll of the queue list.
    pub fn loaded(&mut self, snap: QueuesSnapshot, at: EpochMs, cx: &Cx) {
        self.broker = snap.broker;
        self.missing = snap.missing;
        self.rows = snap.queues;
        self.load.ok(at);
        self.rebuild(&cx.cell());
        self.list.scroll_into_view(cx.table_rows);
    }

    /// A poll of the open queue's messages (dropped when another queue is open now).
    pub fn messages_loaded(
        &mut self,
        queue: &str,
        result: Result<Vec<JmsMessage>, FetchError>,
        at: EpochMs,
        cx: &Cx,
    ) {
        let qm = &mut self.messages;
        if queue != qm.queue {
            return;
        }
        match result {
            Ok(items) => {
                qm.items = items;
                qm.state_now = at;
                qm.load.ok(at);
                qm.rebuild(&cx.cell());
                qm.list.scroll_into_view(cx.table_rows);
            }
            Err(e) => qm.load.failed(e),
        }
    }

    /// Open a queue's message list (its generation keeps counting, so late results are dropped).
    pub fn open_queue(&mut self, name: &str) {
        let generation = self.messages.load.generation;
        self.messages = QueueMessages {
            queue: name.to_string(),
            ..QueueMessages::default()
        };
        self.messages.load.generation = generation;
    }

    /// `space`: mark or unmark the selected message, then move on.
    fn mark(&mut self) {
        let qm = &mut self.messages;
        let Some(id) = qm.selected_key() else { return };
        if !qm.marks.remove(&id) {
            qm.marks.insert(id);
        }
        qm.move_selection(1);
    }

    /// `ctrl-a`: mark every shown (filtered) message; when all are marked already, unmark them.
    fn mark_all(&mut self) -> Reply<Route> {
        let qm = &mut self.messages;
        let shown: Vec<String> = qm.list.rows().map(|r| qm.key(r)).collect();
        if shown.iter().all(|id| qm.marks.contains(id)) {
            for id in &shown {
                qm.marks.remove(id);
            }
            Reply::say(toast::info("unmarked every shown message"))
        } else {
            let n = shown.len();
            qm.marks.extend(shown);
            Reply::say(toast::info(format!("marked {}", count_word(n, "message"))))
        }
    }

    /// The marked messages still in the queue, else the selected row.
    fn selected_messages(&self) -> Vec<JmsMessageKey> {
        let qm = &self.messages;
        if !qm.marks.is_empty() {
            let mut rows: Vec<usize> = (0..qm.items.len())
                .filter(|&r| qm.marks.contains(&qm.items[r].msgid))
                .collect();
            // In the order shown; hidden marked rows after them.
            rows.sort_by_key(|&r| qm.list.rows().position(|v| v == r).unwrap_or(usize::MAX));
            return rows.iter().map(|&r| JmsMessageKey::from(&qm.items[r])).collect();
        }
        qm.list
            .selected_row()
            .and_then(|r| qm.items.get(r))
            .map(|m| vec![JmsMessageKey::from(m)])
            .unwrap_or_default()
    }

    /// What the confirmation of a write states about these messages and queues.
    fn known(&self, msgs: Option<&[JmsMessageKey]>) -> Known {
        let qm = &self.messages;
        let (whole_queue, hidden) = match msgs {
            Some(m) => (
                m.len() == qm.items.len(),
                m.iter()
                    .filter(|k| {
                        !qm.list
                            .rows()
                            .any(|r| qm.items.get(r).is_some_and(|m| m.msgid == k.msgid))
                    })
                    .count(),
            ),
            None => (false, 0),
        };
        Known {
            queues: self.rows.iter().map(|r| r.queue.name.clone()).collect(),
            whole_queue,
            hidden,
            artifact_now: None,
        }
    }

    /// A write key in a view: the job and what its confirmation states.
    fn write(&self, route: &Route, a: Action) -> Option<Reply<Route>> {
        let job = match (route, a) {
            (Route::Messages { queue }, Action::Retry | Action::Move | Action::Delete) => {
                let msgs = self.selected_messages();
                if msgs.is_empty() {
                    return Some(Reply::say(toast::info("no message selected")));
                }
                let known = self.known(Some(&msgs));
                return Some(Reply::out(Out::Write {
                    job: Job::Queue {
                        op: queue_op(a, queue),
                        queue: queue.clone(),
                        selection: Selection::Messages(msgs),
                    },
                    known,
                }));
            }
            (Route::Messages { queue }, Action::RetryAll | Action::MoveAll) => Job::Queue {
                op: queue_op(a, queue),
                selection: Selection::All {
                    expected: self.messages.items.len() as i64,
                },
                queue: queue.clone(),
            },
            (Route::List, Action::RetryAll | Action::MoveAll) => {
                let Some(row) = self.selected() else {
                    return Some(Reply::say(toast::info("no queue selected")));
                };
                let (queue, depth) = (row.queue.name.clone(), row.queue.numb_of_msgs);
                if depth <= 0 {
                    return Some(Reply::say(toast::info(format!("{queue} is empty"))));
                }
                Job::Queue {
                    op: queue_op(a, &queue),
                    queue,
                    selection: Selection::All { expected: depth },
                }
            }
            _ => return None,
        };
        Some(Reply::out(Out::Write {
            job,
            known: self.known(None),
        }))
    }

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
    fn record(&self, row: usize, cx: &CellCx) -> serde_json::Value {
        let r = self
            .rows
            .get(row)
            .map(|r| QueueRecord::of(r, self.partner(&r.queue.name), cx.now))
            .unwrap_or_default();
        crate::kit::schema::value(&r)
    }
    fn fields(&self) -> Vec<String> {
        crate::kit::schema::fields_of::<QueueRecord>()
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

impl PaneState for Queues {
    type Route = Route;

    fn contexts(route: &Route) -> [Context; 3] {
        match route {
            Route::List => [Context::Queues, Context::Table, Context::Global],
            Route::Messages { .. } => [Context::QueueMessages, Context::Table, Context::Global],
        }
    }
    fn table(&self, route: &Route) -> Option<&dyn Table> {
        match route {
            Route::List => Some(self),
            Route::Messages { .. } => Some(&self.messages),
        }
    }
    fn table_mut(&mut self, route: &Route) -> Option<&mut dyn Table> {
        match route {
            Route::List => Some(self),
            Route::Messages { .. } => Some(&mut self.messages),
        }
    }
    fn load<'a>(&'a self, route: &Route, intervals: &Intervals) -> Option<(&'a Load, u64)> {
        Some(match route {
            Route::List => (&self.load, intervals.queues),
            Route::Messages { .. } => (&self.messages.load, intervals.queues),
        })
    }
    fn scroll_mut(&mut self, _route: &Route) -> Option<&mut usize> {
        None
    }
    fn copy_id(&self, route: &Route) -> (&'static str, Option<String>) {
        match route {
            Route::List => ("queue name", self.selected_key()),
            Route::Messages { .. } => ("JMS message id", self.messages.selected_key()),
        }
    }
    fn export_name(&self, route: &Route) -> String {
        match route {
            Route::List => "queues".into(),
            Route::Messages { queue } => format!("queue-{queue}"),
        }
    }
    /// `$QUEUE`; in a queue's messages also `$MESSAGE_ID` (the message's processing log, when it
    /// has one), and the rows are the marked messages when some are marked (else the selected).
    fn subject(&self, route: &Route, cx: &CellCx) -> Option<Subject> {
        match route {
            Route::List => {
                let q = self.selected()?;
                Some(Subject::from_table(self, cx)?.with(Var::Queue, &q.queue.name))
            }
            Route::Messages { queue } => {
                let t = &self.messages;
                let m = t.items.get(t.list.selected_row()?)?;
                let mut s = Subject::from_table(t, cx)?;
                let marked: Vec<usize> = t
                    .list
                    .rows()
                    .filter(|&r| t.items.get(r).is_some_and(|m| t.marks.contains(&m.msgid)))
                    .collect();
                if !marked.is_empty() {
                    s.rows = marked
                        .into_iter()
                        .map(|r| crate::kit::subject::row_json(t, r, cx))
                        .collect();
                }
                Some(s.with(Var::Queue, queue).with(Var::MessageId, &m.mplid))
            }
        }
    }
    fn act(&mut self, route: &Route, a: Action, cx: &Cx) -> Option<Reply<Route>> {
        match (route, a) {
            (Route::List, Action::Open) => Some(match self.selected().map(|q| q.queue.name.clone()) {
                Some(queue) => {
                    self.open_queue(&queue);
                    Reply::push(Route::Messages { queue }, Vec::new())
                }
                None => Reply::none(),
            }),
            (Route::List, Action::ToggleFailed) => {
                self.problems_only ^= true;
                self.rebuild(&cx.cell());
                self.list.scroll_into_view(cx.table_rows);
                Some(Reply::none())
            }
            (Route::Messages { .. }, Action::Open) => {
                let qm = &self.messages;
                let row = qm.list.selected_row();
                Some(match row.and_then(|r| qm.items.get(r)).map(|m| m.mplid.clone()) {
                    Some(mpl) if !mpl.is_empty() => Reply::nav(Nav::OpenMessage(mpl)),
                    Some(_) => Reply::say(toast::error("this queued message has no message log id")),
                    None => Reply::none(),
                })
            }
            (Route::Messages { .. }, Action::Mark) => {
                self.mark();
                Some(Reply::none())
            }
            (Route::Messages { .. }, Action::MarkAll) => Some(self.mark_all()),
            _ => self.write(route, a),
        }
    }
    fn refresh(&mut self, _route: &Route) -> Reply<Route> {
        Reply::none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpi::model::Queue;
    use crate::kit::table::CellCx;

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
