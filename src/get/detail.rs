//! `cpitop get message GUID` and `get artifact ID`: the TUI's detail documents as plain text, or
//! every part as JSON.

use serde_json::{Value, json};

use crate::app::detail::MessageDetail;
use crate::app::doc;
use crate::app::keymap::Keymap;
use crate::app::load::Fetch;
use crate::app::state::{Pane, Route, State, TenantInfo};
use crate::cpi::client::CpiClient;
use crate::cpi::odata::EpochMs;

use super::output::Output;

/// A state holding just what a detail document needs; `width` wraps its lines.
fn state_for(route: Route, pane: Pane, now: EpochMs, width: u16) -> State {
    let mut s = State::new(TenantInfo::default(), Keymap::defaults(), now);
    s.stack = vec![Route::Pane(pane), route];
    s.size = (width, 50);
    s
}

fn doc_text(s: &State) -> String {
    let mut out = String::new();
    for line in doc::current(s) {
        out.push_str(line.text().trim_end());
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

/// A message's properties, error text, custom header properties, attachments and runs with
/// their steps. Fails when the message cannot be read; a part that could not be read is shown
/// (or set to `null` with an entry in `errors`) and fails the command after printing.
pub async fn message(
    client: &CpiClient,
    guid: &str,
    format: Output,
    now: EpochMs,
    width: u16,
) -> Result<(String, Vec<String>), String> {
    let d: MessageDetail = crate::app::fetch::message_detail(client, guid).await;
    if let Fetch::Failed(e) = &d.log {
        return Err(format!("cannot read message {guid}: {e}"));
    }
    let mut errors = Vec::new();
    let text = match format {
        Output::Json => {
            let log = part(&d.log, &mut errors, "properties");
            let error = part(&d.error, &mut errors, "error text");
            let attachments = part(&d.attachments, &mut errors, "attachments");
            let runs = match &d.runs {
                Fetch::Done(runs) => Value::Array(
                    runs.iter()
                        .map(|r| json!({ "run": r.run, "steps": r.steps }))
                        .collect(),
                ),
                Fetch::Failed(e) => {
                    errors.push(format!("runs: {e}"));
                    Value::Null
                }
                Fetch::Pending => Value::Null,
            };
            let custom = d
                .log
                .done()
                .map(|m| json!(m.custom_header_properties))
                .unwrap_or(Value::Null);
            let doc = json!({
                "message": log,
                "error": error,
                "custom_header_properties": custom,
                "attachments": attachments,
                "runs": runs,
                "errors": errors,
            });
            let mut s = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
            s.push('\n');
            s
        }
        Output::Table => {
            for (f, what) in [
                (matches!(d.error, Fetch::Failed(_)), "error text"),
                (matches!(d.attachments, Fetch::Failed(_)), "attachments"),
                (matches!(d.runs, Fetch::Failed(_)), "runs"),
            ] {
                if f {
                    errors.push(format!("{what} could not be read (see above)"));
                }
            }
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
    Ok((text, errors))
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
            let mut s = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
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
