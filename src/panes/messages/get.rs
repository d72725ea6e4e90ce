//! `cpitop get messages` and `cpitop get message GUID`: the pane's table and the detail's
//! document without a terminal UI, built from the pane's own structures (same columns, order,
//! filter and text as the TUI), or every part of a message as JSON.

use serde_json::{Value, json};

use super::detail::{MessageDetail, NavPart};
use super::state::{COLUMNS, MessageQuery, Messages};
use crate::cpi::MplQuery;
use crate::cpi::client::CpiClient;
use crate::kit::format::TimeFmt;
use crate::kit::load::Fetch;
use crate::kit::print::{Output, Printed, TableOpts, finish, shown};
use crate::kit::table::CellCx;
use crate::resources::message_detail::{NO_SUCH_MESSAGE, all_parts};

/// `get messages`: the window and filters asked of the server (`query`; paged by the client's
/// keyset loader), then the TUI's message table over what came back. `pane_query`: the same
/// filters as the pane holds them (its table re-checks what the server matched loosely: names
/// inside receiver lists, custom statuses). `describe` names the window and filters for the
/// summary.
pub async fn table(
    client: &CpiClient,
    query: &MplQuery,
    pane_query: MessageQuery,
    describe: &str,
    failed_only: bool,
    opts: &TableOpts,
    cx: &CellCx,
) -> Result<Printed, String> {
    let (_, batches) = crate::resources::messages::collect(client, query, None)
        .await
        .map_err(|e| format!("cannot list the messages ({describe}): {e}"))?;
    let mut pane = Messages::default();
    // The table re-checks what the server matched loosely (names inside receiver lists).
    pane.query = pane_query;
    for b in batches {
        pane.merge(b);
    }
    pane.failed_only = failed_only;
    let (rows, tones) = finish(&mut pane, opts, cx)?;
    Ok(Printed {
        columns: COLUMNS,
        summary: format!(
            "{} ({describe}), {} failed",
            shown(rows.len(), pane.total(), "messages"),
            pane.failed_in_window()
        ),
        rows,
        tones,
    })
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

fn part<T: serde::Serialize>(f: &Fetch<T>, errors: &mut Vec<String>, what: &str) -> Value {
    match f {
        Fetch::Done(v) => serde_json::to_value(v).unwrap_or(Value::Null),
        Fetch::Failed(e) => {
            errors.push(format!("{what}: {e}"));
            Value::Null
        }
        Fetch::Pending => Value::Null,
    }
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
            let mut errors = Vec::new();
            let log = part(&d.log, &mut errors, "properties");
            let custom = nav_part(&d.headers, &mut errors, "custom header properties", |v| json!(v));
            let error = part(&d.error, &mut errors, "error text");
            let attachments = nav_part(&d.attachments, &mut errors, "attachments", |v| json!(v));
            let runs = nav_part(&d.runs, &mut errors, "runs", |runs| {
                Value::Array(
                    runs.iter()
                        .map(|r| json!({ "run": r.run, "steps": r.steps }))
                        .collect(),
                )
            });
            let doc = json!({
                "message": log,
                "error": error,
                "custom_header_properties": custom,
                "attachments": attachments,
                "runs": runs,
                "not_available": not_on_tenant,
                "errors": errors,
            });
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
                "a message is not a table: use -o table or -o json (CSV is for artifacts, messages, \
                 queues and queue)"
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

/// A navigation part as JSON: its rows, or `null` (not offered by the tenant, or not read — the
/// latter with an entry in `errors`).
fn nav_part<T>(
    f: &Fetch<NavPart<T>>,
    errors: &mut Vec<String>,
    what: &str,
    rows: impl FnOnce(&[T]) -> Value,
) -> Value {
    match f {
        Fetch::Done(NavPart::Rows(v)) => rows(v),
        Fetch::Done(NavPart::NotOnTenant) | Fetch::Pending => Value::Null,
        Fetch::Failed(e) => {
            errors.push(format!("{what}: {e}"));
            Value::Null
        }
    }
}
