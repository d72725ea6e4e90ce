//! `cpitop get queues` and `cpitop get queue NAME`: the pane's tables without a terminal UI,
//! built from the pane's own structures (same columns, order, filter and text as the TUI); for
//! `-o json` also the broker and why rows may come from it alone.

use super::messages::{MESSAGE_COLUMNS, QueueMessages};
use super::schema::{BrokerRecord, QueuesDocument, level_word};
use super::state::{COLUMNS, Queues};
use crate::cpi::client::{CpiClient, QueueApiKind};
use crate::cpi::model::JmsBroker;
use crate::kit::print::{Printed, TableOpts, finish, shown};
use crate::kit::table::{CellCx, Table};

/// `get queues`: the table, and for `-o json` the broker and why rows may come from it alone.
pub struct QueuesPrinted {
    pub table: Printed,
    pub broker: Option<JmsBroker>,
    /// Set when the tenant offers no queue list (the rows are the broker's queue states).
    pub missing: Option<String>,
    /// The queue-list API that answered (`Queues` / `MessagingQueues`).
    pub queue_list: Option<&'static str>,
}

impl QueuesPrinted {
    /// `-o json`: the rows' records under `queues`, the broker, the queue API that answered and
    /// `missing` (`QueuesDocument`).
    pub fn json(&self) -> String {
        let doc = QueuesDocument {
            queues: self.table.records.clone(),
            broker: self.broker.as_ref().map(BrokerRecord::of),
            queue_list: self.queue_list.map(str::to_string),
            missing: self.missing.clone(),
        };
        let mut out = crate::sanitize::to_json_pretty(&doc).unwrap_or_else(|_| "{}".into());
        out.push('\n');
        out
    }
}

/// `get queues`: every JMS queue with its `DLQ_` partner beside it, and the broker's capacity.
/// On a tenant without a queue list, the broker's queue states, and the summary says why.
pub async fn table(
    client: &CpiClient,
    problems_only: bool,
    opts: &TableOpts,
    cx: &CellCx,
) -> Result<QueuesPrinted, String> {
    let snap = crate::resources::queues::snapshot(client)
        .await
        .map_err(|e| format!("cannot list the JMS queues: {e}"))?;
    let mut pane = Queues {
        broker: snap.broker,
        rows: snap.queues,
        problems_only,
        missing: snap.missing,
        ..Queues::default()
    };
    let total = pane.rows.len();
    let dlqs = pane.dlqs_with_messages();
    let rows = finish(&mut pane, opts, cx)?;
    let broker = match &pane.broker {
        Some(b) => format!(
            ", broker {:.0}% used ({})",
            b.used_fraction() * 100.0,
            level_word(b.capacity_level())
        ),
        None => ", broker not readable".into(),
    };
    let summary = match &pane.missing {
        Some(why) => format!("{}{broker}; {why}", shown(rows.rows.len(), total, "queues")),
        None => format!(
            "{}, {dlqs} dead-letter queue(s) with messages{broker}",
            shown(rows.rows.len(), total, "queues")
        ),
    };
    let queue_list = match (&pane.missing, client.queue_api()) {
        (None, Some(QueueApiKind::Classic)) => Some("Queues"),
        (None, Some(QueueApiKind::Messaging)) => Some("MessagingQueues"),
        _ => None,
    };
    Ok(QueuesPrinted {
        table: rows.printed(COLUMNS, pane.fields(), summary),
        broker: pane.broker,
        missing: pane.missing,
        queue_list,
    })
}

/// `get queue NAME`: the messages of one queue, oldest first.
pub async fn queue_messages(
    client: &CpiClient,
    name: &str,
    opts: &TableOpts,
    cx: &CellCx,
) -> Result<Printed, String> {
    let items = client
        .queue_messages(name)
        .await
        .map_err(|e| format!("cannot list the messages of queue {name}: {e}"))?;
    let mut pane = QueueMessages {
        queue: name.to_string(),
        items,
        state_now: cx.now,
        ..QueueMessages::default()
    };
    let total = pane.items.len();
    let rows = finish(&mut pane, opts, cx)?;
    let summary = format!("{} in queue {name}", shown(rows.rows.len(), total, "messages"));
    Ok(rows.printed(MESSAGE_COLUMNS, pane.fields(), summary))
}
