//! `cpitop get artifacts` and `cpitop get artifact ID`: the pane's table and detail document
//! without a terminal UI, built from the pane's own structures (same columns, order, filter and
//! text as the TUI).

use super::doc;
use super::schema::{ArtifactDetail, ArtifactRecord, DeploymentError};
use super::state::{Artifacts, GET_COLUMNS};
use crate::cpi::artifact_error::ArtifactErrorInformation;
use crate::cpi::client::CpiClient;
use crate::cpi::model::RuntimeArtifact;
use crate::kit::load::Fetch;
use crate::kit::print::{Output, Printed, TableOpts, finish, shown};
use crate::kit::table::{CellCx, Table};

/// `get artifacts`: every runtime artifact, anything not STARTED first. `statuses` (upper-case)
/// filter locally: the artifact list is small and its `$filter` is limited (cpi-api.md §3).
pub async fn table(
    client: &CpiClient,
    statuses: &[String],
    not_started: bool,
    opts: &TableOpts,
    cx: &CellCx,
) -> Result<Printed, String> {
    let mut items = crate::resources::artifacts::list(client)
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
    let mut shown_rows = finish(&mut pane, opts, cx)?;
    // SINCE needs a tracker watching over time; a one-shot `get` has none (TUI only).
    let cols = GET_COLUMNS;
    shown_rows.rows.iter_mut().for_each(|r| r.truncate(cols.len()));
    shown_rows.tones.iter_mut().for_each(|r| r.truncate(cols.len()));
    let summary = format!(
        "{}, {not_started_count} not started",
        shown(shown_rows.rows.len(), total, "artifacts")
    );
    Ok(shown_rows.printed(cols, pane.fields(), summary))
}

/// `get artifact ID -o json`: the artifact's record and its deployment error as read (`info`:
/// `None` when the tenant has none; an error goes to `unread`).
pub fn detail_record(
    a: &RuntimeArtifact,
    info: &Result<Option<ArtifactErrorInformation>, String>,
) -> ArtifactDetail {
    let (deployment_error, unread) = match info {
        Ok(i) => (i.as_ref().map(DeploymentError::of), Vec::new()),
        Err(e) => (None, vec![format!("deployment error: {e}")]),
    };
    ArtifactDetail {
        artifact: ArtifactRecord::of(a, None),
        deployment_error,
        unread,
    }
}

/// `get artifact ID`: the artifact's fields and its deployment error text (the detail view's
/// document, or everything as JSON); also the parts that could not be read.
pub async fn detail(
    client: &CpiClient,
    id: &str,
    format: Output,
    cx: &CellCx,
    width: u16,
) -> Result<(String, Vec<String>), String> {
    let a = crate::resources::artifacts::one(client, id)
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
        Output::Json | Output::Ndjson => {
            let detail = detail_record(&a, &info);
            errors.clone_from(&detail.unread);
            let doc = crate::kit::schema::value(&detail);
            if format == Output::Ndjson {
                crate::kit::export::to_ndjson_values(std::slice::from_ref(&doc))
            } else {
                let mut s = crate::sanitize::to_json_pretty(&doc).map_err(|e| e.to_string())?;
                s.push('\n');
                s
            }
        }
        Output::Table => {
            if error.is_err() {
                errors.push("the deployment error could not be read (see above)".into());
            }
            let mut pane = Artifacts {
                items: vec![a],
                ..Artifacts::default()
            };
            pane.errors.insert(id.to_string(), Fetch::from_result(error));
            crate::kit::doc::plain_text(&doc::detail(&pane, id, cx, width as usize))
        }
        Output::Csv => {
            return Err("an artifact is not a table: use -o table, json or ndjson".into());
        }
    };
    Ok((text, errors))
}
