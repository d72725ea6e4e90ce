//! `cpitop get message GUID` and `get artifact ID`: the TUI's detail documents as plain text, or
//! every part as JSON.

use serde_json::{Value, json};

use crate::app::detail::{MessageDetail, NavPart};
use crate::app::doc;
use crate::app::state::{Pane, Route, State, TenantInfo};
use crate::cpi::client::CpiClient;
use crate::cpi::odata::EpochMs;
use crate::kit::keymap::Keymap;
use crate::kit::load::Fetch;

use super::output::Output;

/// A state holding just what a detail document needs; `width` wraps its lines.
fn state_for(route: Route, pane: Pane, now: EpochMs, width: u16) -> State {
    let mut s = State::new(TenantInfo::default(), Keymap::defaults(), now);
    s.stack = vec![Route::Pane(pane), route];
    s.size = (width, 50);
    s
}

/// The document as plain lines; each line neutralised (`sanitize::one_line`): the error text
/// and names in it come from the tenant.
fn doc_text(s: &State) -> String {
    let mut out = String::new();
    for line in doc::current(s) {
        out.push_str(&crate::sanitize::one_line(line.text().trim_end()));
        out.push('\n');
    }
    out
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
    now: EpochMs,
    width: u16,
) -> Result<DetailRead, String> {
    let d: MessageDetail = crate::app::fetch::message_detail(client, guid).await;
    let gone = matches!(&d.log, Fetch::Failed(e) if e.starts_with(crate::app::fetch::NO_SUCH_MESSAGE));
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
        Output::Json => {
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
            let mut s = crate::sanitize::to_json_pretty(&doc).map_err(|e| e.to_string())?;
            s.push('\n');
            s
        }
        Output::Table => {
            let mut s = state_for(
                Route::MessageDetail {
                    guid: guid.to_string(),
                },
                Pane::Messages,
                now,
                width,
            );
            s.message = Some(d);
            doc_text(&s)
        }
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

/// An artifact's fields and its deployment error text.
pub async fn artifact(
    client: &CpiClient,
    id: &str,
    format: Output,
    now: EpochMs,
    width: u16,
) -> Result<(String, Vec<String>), String> {
    let a = client
        .runtime_artifact(id)
        .await
        .map_err(|e| format!("cannot read artifact {id}: {e}"))?
        .ok_or_else(|| {
            format!("the tenant has no deployed artifact {id} (list them with `cpitop get artifacts`)")
        })?;
    let info = client.runtime_artifact_error(id).await.map_err(|e| e.to_string());
    // The decoded levels for JSON; the same readable text as the TUI for the table.
    let error = info
        .as_ref()
        .map(|o| o.as_ref().map(|i| i.text()).filter(|t| !t.trim().is_empty()))
        .map_err(Clone::clone);
    let mut errors = Vec::new();
    let text = match format {
        Output::Json => {
            let err = match &info {
                Ok(i) => json!(i.as_ref().map(|i| i.report())),
                Err(e) => {
                    errors.push(format!("error text: {e}"));
                    Value::Null
                }
            };
            let doc = json!({ "artifact": a, "error": err, "errors": errors });
            let mut s = crate::sanitize::to_json_pretty(&doc).map_err(|e| e.to_string())?;
            s.push('\n');
            s
        }
        Output::Table => {
            if error.is_err() {
                errors.push("the deployment error could not be read (see above)".into());
            }
            let mut s = state_for(
                Route::ArtifactDetail { id: id.to_string() },
                Pane::Artifacts,
                now,
                width,
            );
            s.artifacts.items = vec![a];
            s.artifacts
                .errors
                .insert(id.to_string(), Fetch::from_result(error));
            doc_text(&s)
        }
        Output::Csv => {
            return Err("an artifact is not a table: use -o table or -o json".into());
        }
    };
    Ok((text, errors))
}
