//! The tables of `cpitop get`: fetched with the same client calls as the TUI's pollers and put
//! into the TUI's own pane structures, so filtering, ordering and cell text are the TUI's.

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::app::artifacts::Artifacts;
use crate::app::list::{Column, Sort, SortDir};
use crate::app::messages::Messages;
use crate::app::queues::{QueueMessages, Queues};
use crate::app::table::{CellCx, Table, Tone};
use crate::cpi::client::{CpiClient, QueueApiKind};
use crate::cpi::model::{CapacityLevel, JmsBroker};
use crate::cpi::mpl_window::MplDecoder;
use crate::store::MplBatch;

use super::filter::MessageFilter;

/// Options every table shares: the TUI's `/` filter, sort and a row limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableOpts {
    /// Case-insensitive text over the shown cells (the TUI's `/`).
    pub grep: Option<String>,
    /// A column id, optionally with `:desc` (`status`, `name:desc`).
    pub sort: Option<String>,
    /// At most this many rows (after ordering).
    pub limit: Option<usize>,
}

/// What a `get` of a table prints: its columns, rows, and a one-line summary for people.
#[derive(Debug, Clone, PartialEq)]
pub struct Printed {
    pub columns: &'static [Column],
    pub rows: Vec<Vec<String>>,
    /// The TUI's colour of each cell (used on a terminal).
    pub tones: Vec<Vec<Tone>>,
    pub summary: String,
}

/// Resolve `--sort` against a table's columns.
pub fn parse_sort(spec: &str, columns: &[Column]) -> Result<Sort, String> {
    let (id, dir) = match spec.rsplit_once(':') {
        Some((id, "desc")) => (id, SortDir::Desc),
        Some((id, "asc")) => (id, SortDir::Asc),
        _ => (spec, SortDir::Asc),
    };
    let id = id.trim().to_ascii_lowercase();
    match columns.iter().position(|c| c.id == id) {
        Some(column) => Ok(Sort { column, dir }),
        None => {
            let ids: Vec<&str> = columns.iter().map(|c| c.id).collect();
            Err(format!(
                "cannot sort by {spec:?}: the columns are {} (add :desc to reverse)",
                ids.join(", ")
            ))
        }
    }
}

type Rows = (Vec<Vec<String>>, Vec<Vec<Tone>>);

/// Apply the shared options, order and filter as the TUI does, and take the rows and their tones.
fn finish(t: &mut dyn Table, opts: &TableOpts, cx: &CellCx) -> Result<Rows, String> {
    if let Some(g) = &opts.grep {
        t.list_mut().filter = g.clone();
    }
    if let Some(s) = &opts.sort {
        t.list_mut().sort = Some(parse_sort(s, t.columns())?);
    }
    t.rebuild(cx);
    let mut rows = t.export_rows(cx);
    let ncols = t.columns().len();
    let mut tones: Vec<Vec<Tone>> = t
        .list()
        .rows()
        .map(|r| (0..ncols).map(|c| t.tone(r, c)).collect())
        .collect();
    if let Some(n) = opts.limit {
        rows.truncate(n);
        tones.truncate(n);
    }
    Ok((rows, tones))
}

fn shown(rows: usize, of: usize, what: &str) -> String {
    if rows == of {
        format!("{rows} {what}")
    } else {
        format!("{rows} of {of} {what}")
    }
}

/// `get artifacts`: every runtime artifact, anything not STARTED first. `statuses` (upper-case)
/// filter locally: the artifact list is small and its `$filter` is limited (cpi-api.md §3).
pub async fn artifacts(
    client: &CpiClient,
    statuses: &[String],
    not_started: bool,
    opts: &TableOpts,
    cx: &CellCx,
) -> Result<Printed, String> {
    let mut items = client
        .runtime_artifacts()
        .await
        .map_err(|e| format!("cannot list the runtime artifacts: {e}"))?;
    let total = items.len();
    if !statuses.is_empty() {
        items.retain(|a| statuses.iter().any(|s| s == a.status.as_str()));
    }
    let mut pane = Artifacts {
        items,
        not_started_only: not_started,
        ..Artifacts::default()
    };
    let not_started_count = pane.not_started();
    let (mut rows, mut tones) = finish(&mut pane, opts, cx)?;
    // SINCE needs a tracker watching over time; a one-shot `get` has none (TUI only).
    let cols = crate::app::artifacts::GET_COLUMNS;
    rows.iter_mut().for_each(|r| r.truncate(cols.len()));
    tones.iter_mut().for_each(|r| r.truncate(cols.len()));
    Ok(Printed {
        columns: cols,
        summary: format!(
            "{}, {not_started_count} not started",
            shown(rows.len(), total, "artifacts")
        ),
        rows,
        tones,
    })
}

/// `get messages`: the window and filters asked of the server (paged by the client's keyset
/// loader), then the TUI's message table over what came back.
pub async fn messages(
    client: &CpiClient,
    filter: &MessageFilter,
    failed_only: bool,
    opts: &TableOpts,
    cx: &CellCx,
) -> Result<Printed, String> {
    let now = client.server_now();
    let query = filter.to_query(now)?;
    let (sink, mut pages) = mpsc::channel::<MplBatch>(4);
    let decoder: MplDecoder<MplBatch> = Arc::new(|b: Bytes| MplBatch::decode(&b));
    let fetch = client.fetch_mpl_window(&query, decoder, sink, None);
    let mut pane = Messages::default();
    // The table re-checks what the server matched loosely (names inside receiver lists).
    pane.query = filter.pane_query(query.from.map_or(0, |f| now - f));
    let collect = async {
        let mut batches = Vec::new();
        while let Some(b) = pages.recv().await {
            batches.push(b);
        }
        batches
    };
    let (outcome, batches) = tokio::join!(fetch, collect);
    outcome.map_err(|e| format!("cannot list the messages ({}): {e}", filter.describe(now)))?;
    for b in batches {
        pane.merge(b);
    }
    pane.failed_only = failed_only;
    let (rows, tones) = finish(&mut pane, opts, cx)?;
    Ok(Printed {
        columns: crate::app::messages::COLUMNS,
        summary: format!(
            "{} ({}), {} failed",
            shown(rows.len(), pane.total(), "messages"),
            filter.describe(now),
            pane.failed_in_window()
        ),
        rows,
        tones,
    })
}

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
    /// `-o json`: `{"queues": [rows by column id], "queue_list", "missing", "broker": {the
    /// broker as the tenant sends it, plus "CapacityUsedPercent" and "CapacityLevel"}}`.
    pub fn json(&self) -> String {
        let ids: Vec<String> = self.table.columns.iter().map(|c| c.id.to_string()).collect();
        let rows: Vec<serde_json::Map<String, serde_json::Value>> = self
            .table
            .rows
            .iter()
            .map(|r| {
                ids.iter()
                    .zip(r)
                    .map(|(c, v)| (c.clone(), serde_json::Value::String(v.clone())))
                    .collect()
            })
            .collect();
        let broker = self.broker.as_ref().map(|b| {
            let mut v = serde_json::to_value(b).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    "CapacityUsedPercent".into(),
                    serde_json::json!((b.used_fraction() * 1000.0).round() / 10.0),
                );
                o.insert("CapacityLevel".into(), level_word(b.capacity_level()).into());
            }
            v
        });
        let doc = serde_json::json!({
            "queues": rows,
            "queue_list": self.queue_list,
            "missing": self.missing,
            "broker": broker,
        });
        let mut out = crate::sanitize::to_json_pretty(&doc).unwrap_or_else(|_| "{}".into());
        out.push('\n');
        out
    }
}

fn level_word(l: CapacityLevel) -> &'static str {
    match l {
        CapacityLevel::Ok => "ok",
        CapacityLevel::Critical => "critical",
        CapacityLevel::Exhausted => "exhausted",
    }
}

/// `get queues`: every JMS queue with its `DLQ_` partner beside it, and the broker's capacity.
/// On a tenant without a queue list, the broker's queue states, and the summary says why.
pub async fn queues(
    client: &CpiClient,
    problems_only: bool,
    opts: &TableOpts,
    cx: &CellCx,
) -> Result<QueuesPrinted, String> {
    let snap = crate::app::poll::queues_snapshot(client)
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
    let (rows, tones) = finish(&mut pane, opts, cx)?;
    let broker = match &pane.broker {
        Some(b) => format!(
            ", broker {:.0}% used ({})",
            b.used_fraction() * 100.0,
            level_word(b.capacity_level())
        ),
        None => ", broker not readable".into(),
    };
    let summary = match &pane.missing {
        Some(why) => format!("{}{broker}; {why}", shown(rows.len(), total, "queues")),
        None => format!(
            "{}, {dlqs} dead-letter queue(s) with messages{broker}",
            shown(rows.len(), total, "queues")
        ),
    };
    let queue_list = match (&pane.missing, client.queue_api()) {
        (None, Some(QueueApiKind::Classic)) => Some("Queues"),
        (None, Some(QueueApiKind::Messaging)) => Some("MessagingQueues"),
        _ => None,
    };
    Ok(QueuesPrinted {
        table: Printed {
            columns: crate::app::queues::COLUMNS,
            summary,
            rows,
            tones,
        },
        broker: pane.broker,
        missing: pane.missing,
        queue_list,
    })
}

/// `get queue NAME`: the messages of one queue, oldest first.
pub async fn queue(client: &CpiClient, name: &str, opts: &TableOpts, cx: &CellCx) -> Result<Printed, String> {
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
    let (rows, tones) = finish(&mut pane, opts, cx)?;
    Ok(Printed {
        columns: crate::app::queues::MESSAGE_COLUMNS,
        summary: format!("{} in queue {name}", shown(rows.len(), total, "messages")),
        rows,
        tones,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_names_a_column() {
        let cols = crate::app::artifacts::COLUMNS;
        assert_eq!(
            parse_sort("name:desc", cols),
            Ok(Sort {
                column: 1,
                dir: SortDir::Desc
            })
        );
        assert_eq!(parse_sort("STATUS", cols).map(|s| s.column), Ok(0));
        let e = parse_sort("colour", cols).unwrap_err();
        assert!(e.contains("deployed_by"), "{e}");
    }
}
