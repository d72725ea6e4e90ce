//! `cpitop get messages` and `cpitop get message GUID`: the pane's table and the detail's
//! document without a terminal UI, built from the pane's own structures (same columns, order,
//! filter and text as the TUI), or every part of a message as JSON.

use serde_json::Value;

use super::detail::MessageDetail;
use super::state::{COLUMNS, MessageQuery, Messages};
use crate::cpi::MplQuery;
use crate::cpi::client::CpiClient;
use crate::kit::format::TimeFmt;
use crate::kit::load::Fetch;
use crate::kit::print::{Output, Printed, TableOpts, finish, shown};
use crate::kit::table::{CellCx, Table};
use crate::resources::message_detail::{NO_SUCH_MESSAGE, all_parts};
use crate::store::{MplBatch, RowId};

/// `get messages`: the window and filters asked of the server (`query`), then the TUI's message
/// table over what came back. `pane_query`: the same filters as the pane holds them (its table
/// re-checks what the server matched loosely: names inside receiver lists, custom statuses).
/// `describe` names the window and filters for the summary.
///
/// With `--limit N` (and the pane's own order, newest first) only the newest messages are read:
/// pages newest first, `$top` of about N, until the first N rows after the local filters are
/// final (`cpi::mpl_newest`). The whole window is read (keyset pages over time slices) only when
/// the output needs it: without a limit, or to sort by another column.
pub async fn table(
    client: &CpiClient,
    query: &MplQuery,
    pane_query: MessageQuery,
    describe: &str,
    failed_only: bool,
    opts: &TableOpts,
    cx: &CellCx,
) -> Result<Printed, String> {
    let mut pane = Messages::default();
    // The table re-checks what the server matched loosely (names inside receiver lists).
    pane.query = pane_query;
    pane.failed_only = failed_only;
    let cannot = |e: crate::cpi::CpiError| format!("cannot list the messages ({describe}): {e}");
    let whole = match (opts.limit, &opts.sort) {
        (Some(n), None) => newest(client, query, &mut pane, n, opts, cx)
            .await
            .map_err(cannot)?,
        _ => {
            let (_, batches) = crate::resources::messages::collect(client, query, None)
                .await
                .map_err(cannot)?;
            for b in batches {
                pane.merge(b);
            }
            true
        }
    };
    let rows = finish(&mut pane, opts, cx)?;
    let summary = if whole {
        format!(
            "{} ({describe}), {} failed",
            shown(rows.rows.len(), pane.total(), "messages"),
            pane.failed_in_window()
        )
    } else {
        format!(
            "the newest {} messages ({describe}; --limit: the rest of the window was not read)",
            rows.rows.len()
        )
    };
    Ok(rows.printed(COLUMNS, pane.fields(), summary))
}

/// Read the newest messages of `query` into `pane` until its first `n` rows — after the local
/// filters (`--grep`, exact names in lists, custom statuses) and in its order — can no longer
/// change. Returns whether the whole window was read after all (it holds fewer).
async fn newest(
    client: &CpiClient,
    query: &MplQuery,
    pane: &mut Messages,
    n: usize,
    opts: &TableOpts,
    cx: &CellCx,
) -> Result<bool, crate::cpi::CpiError> {
    if let Some(g) = &opts.grep {
        pane.list.filter = g.clone();
    }
    let pending = std::sync::Mutex::new(Vec::new());
    let take = |pending: &std::sync::Mutex<Vec<MplBatch>>, pane: &mut Messages| {
        let batches = std::mem::take(&mut *pending.lock().unwrap_or_else(|p| p.into_inner()));
        for b in batches {
            pane.merge(b);
        }
    };
    // One row more than asked: the first page then tells whether the Nth row is final.
    let top = u32::try_from(n.saturating_add(1)).unwrap_or(u32::MAX);
    let outcome = crate::resources::messages::newest(
        client,
        query,
        top,
        |b| pending.lock().unwrap_or_else(|p| p.into_inner()).push(b),
        |complete_after| {
            take(&pending, pane);
            pane.rebuild(cx);
            // Rows newer than `complete_after` are final, and so is their order.
            let settled = pane
                .list
                .rows()
                .take_while(|&r| pane.store.time(r as RowId) > complete_after)
                .take(n)
                .count();
            settled >= n
        },
    )
    .await?;
    take(&pending, pane);
    tracing::debug!(
        pages = outcome.pages,
        rows = outcome.rows,
        in_flight = outcome.in_flight,
        exhausted = outcome.exhausted,
        "newest messages read"
    );
    Ok(outcome.exhausted)
}

/// A document as `-o json` (pretty) or `-o ndjson` (one line) prints it.
pub fn json_text(doc: &Value, format: Output) -> Result<String, String> {
    if format == Output::Ndjson {
        return Ok(crate::kit::export::to_ndjson_values(std::slice::from_ref(doc)));
    }
    let mut s = crate::sanitize::to_json_pretty(doc).map_err(|e| e.to_string())?;
    s.push('\n');
    Ok(s)
}

/// Every part of a message's detail, fetched concurrently.
pub async fn message_detail(client: &CpiClient, guid: &str) -> MessageDetail {
    let mut d = MessageDetail::new(guid);
    for part in all_parts(client, guid).await {
        d.apply(part);
    }
    d
}

/// What a detail command read: the text to print, the parts that could not be read
/// (`what: why`), and whether anything was read at all.
#[derive(Debug)]
pub struct DetailRead {
    pub text: String,
    pub unread: Vec<String>,
    /// Navigations the tenant does not offer (answered 404): said, not an error.
    pub not_on_tenant: Vec<&'static str>,
}

/// A message's properties, error text, custom header properties, attachments and runs with
/// their steps. Fails only when nothing could be read (e.g. the message does not exist); every
/// part that was read is printed, every part that was not is listed in `unread` (JSON: `null`
/// and an entry in `errors`). A navigation the tenant does not offer is `not_available`.
pub async fn message(
    client: &CpiClient,
    guid: &str,
    format: Output,
    time: &TimeFmt,
    width: u16,
) -> Result<DetailRead, String> {
    let d: MessageDetail = message_detail(client, guid).await;
    let gone = matches!(&d.log, Fetch::Failed(e) if e.starts_with(NO_SUCH_MESSAGE));
    if gone || !d.anything_read() {
        let why = match &d.log {
            Fetch::Failed(e) => e.clone(),
            _ => d.unread().join("; "),
        };
        return Err(format!("cannot read message {guid}: {why}"));
    }
    let unread = d.unread();
    let not_on_tenant = d.not_on_tenant();
    let text = match format {
        Output::Json | Output::Ndjson => {
            let doc = crate::kit::schema::value(&d.record(client.server_now()));
            json_text(&doc, format)?
        }
        Output::Table => crate::kit::doc::plain_text(&super::doc::message(
            &d,
            time,
            client.server_now(),
            width as usize,
        )),
        Output::Csv => {
            return Err(
                "a message is not a table: use -o table, json or ndjson (CSV is for the lists: \
                 artifacts, messages, queues, queue, errors)"
                    .into(),
            );
        }
    };
    Ok(DetailRead {
        text,
        unread,
        not_on_tenant,
    })
}
