//! One-off fetches shared by the TUI's effect runner and `cpitop get`: each returns owned data
//! (a `MessagePart`) so the caller decides whether it goes over the channel or straight to output.

use super::detail::{MessageDetail, MessagePart, NavPart, RunWithSteps};
use crate::cpi::client::CpiClient;
use crate::cpi::model::{CustomHeaderProperty, Nav};

/// How the record's error starts when the tenant has no such message (404 on the record): then
/// nothing else of it is worth showing.
pub const NO_SUCH_MESSAGE: &str = "the tenant has no message";

/// The full record, and its custom header properties: taken from the record when the tenant
/// expanded them; else (deferred despite `$expand`, missing, or the record itself failed) read
/// by the message's key (`CpiClient::mpl_navigation`).
pub async fn message_log(c: &CpiClient, guid: &str) -> (MessagePart, MessagePart) {
    let (log, headers) = match c.mpl(guid).await {
        Ok(Some(m)) => {
            let headers = match &m.custom_header_properties {
                Nav::Expanded(rows) => Ok(NavPart::Rows(rows.clone())),
                Nav::Deferred(uri) => headers_by_key(c, guid, uri.as_deref()).await,
                Nav::Missing => headers_by_key(c, guid, None).await,
            };
            (Ok(m), headers)
        }
        Ok(None) => {
            let e = format!("{NO_SUCH_MESSAGE} {guid} (it may have been deleted by retention)");
            (Err(e.clone()), Err(e))
        }
        // The record failed, its parts may still answer: read the headers on their own.
        Err(e) => (Err(e.to_string()), headers_by_key(c, guid, None).await),
    };
    (MessagePart::Log(log), MessagePart::Headers(headers))
}

async fn headers_by_key(
    c: &CpiClient,
    guid: &str,
    deferred: Option<&str>,
) -> Result<NavPart<CustomHeaderProperty>, String> {
    c.mpl_navigation(guid, "CustomHeaderProperties", deferred)
        .await
        .map(NavPart::from)
        .map_err(|e| e.to_string())
}

/// The error text (`None` when the message has none).
pub async fn message_error(c: &CpiClient, guid: &str) -> MessagePart {
    MessagePart::Error(c.mpl_error_text(guid).await.map_err(|e| e.to_string()))
}

pub async fn message_attachments(c: &CpiClient, guid: &str) -> MessagePart {
    MessagePart::Attachments(
        c.mpl_navigation(guid, "Attachments", None)
            .await
            .map(NavPart::from)
            .map_err(|e| e.to_string()),
    )
}

/// The runs, each with its steps; `NotOnTenant` when the tenant has no `Runs` navigation.
pub async fn message_runs(c: &CpiClient, guid: &str) -> MessagePart {
    let r = async {
        let Some(runs) = c
            .mpl_navigation::<crate::cpi::model::MplRun>(guid, "Runs", None)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(NavPart::NotOnTenant);
        };
        let mut out = Vec::with_capacity(runs.len());
        for run in runs {
            let steps = c.mpl_run_steps(&run.id).await.map_err(|e| e.to_string())?;
            out.push(RunWithSteps { run, steps });
        }
        Ok(NavPart::Rows(out))
    }
    .await;
    MessagePart::Runs(r)
}

/// Every part of a message's detail, fetched concurrently.
pub async fn message_detail(c: &CpiClient, guid: &str) -> MessageDetail {
    let ((log, headers), error, attachments, runs) = tokio::join!(
        message_log(c, guid),
        message_error(c, guid),
        message_attachments(c, guid),
        message_runs(c, guid)
    );
    let mut d = MessageDetail::new(guid);
    for part in [log, headers, error, attachments, runs] {
        d.apply(part);
    }
    d
}
