//! One-off fetches shared by the TUI's effect runner and `cpitop get`: each returns owned data
//! (a `MessagePart`) so the caller decides whether it goes over the channel or straight to output.

use super::detail::{MessageDetail, MessagePart, RunWithSteps};
use crate::cpi::client::CpiClient;

/// The full record with its custom header properties.
pub async fn message_log(c: &CpiClient, guid: &str) -> MessagePart {
    MessagePart::Log(match c.mpl(guid).await {
        Ok(Some(m)) => Ok(m),
        Ok(None) => Err(format!(
            "the tenant has no message {guid} (it may have been deleted by retention)"
        )),
        Err(e) => Err(e.to_string()),
    })
}

/// The error text (`None` when the message has none).
pub async fn message_error(c: &CpiClient, guid: &str) -> MessagePart {
    MessagePart::Error(c.mpl_error_text(guid).await.map_err(|e| e.to_string()))
}

pub async fn message_attachments(c: &CpiClient, guid: &str) -> MessagePart {
    MessagePart::Attachments(c.mpl_attachments(guid).await.map_err(|e| e.to_string()))
}

/// The runs, each with its steps.
pub async fn message_runs(c: &CpiClient, guid: &str) -> MessagePart {
    let r = async {
        let runs = c.mpl_runs(guid).await.map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity(runs.len());
        for run in runs {
            let steps = c.mpl_run_steps(&run.id).await.map_err(|e| e.to_string())?;
            out.push(RunWithSteps { run, steps });
        }
        Ok(out)
    }
    .await;
    MessagePart::Runs(r)
}

/// Every part of a message's detail, fetched concurrently.
pub async fn message_detail(c: &CpiClient, guid: &str) -> MessageDetail {
    let (log, error, attachments, runs) = tokio::join!(
        message_log(c, guid),
        message_error(c, guid),
        message_attachments(c, guid),
        message_runs(c, guid)
    );
    let mut d = MessageDetail::new(guid);
    for part in [log, error, attachments, runs] {
        d.apply(part);
    }
    d
}
