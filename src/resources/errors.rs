//! Failed messages and their error texts, for `cpitop get errors`, `check` and `watch` (the TUI
//! groups the Messages pane's window and fetches texts through its effects): the failed messages
//! of a window asked of the tenant by status (and by custom status when some count as errors),
//! and error texts, one request each, never for DISCARDED messages.

use futures_util::future::join_all;

use super::FetchError;
use crate::cpi::model::MplStatus;
use crate::cpi::odata::EpochMs;
use crate::cpi::{CpiClient, MplQuery};
use crate::store::{MessageStore, StoreLimits};

/// The statuses the tenant is asked for: failed messages.
pub const FAILED: [MplStatus; 2] = [MplStatus::Failed, MplStatus::Escalated];

/// The failed messages of `[from, to]` (`to` open: up to now), optionally of one iFlow; with
/// `custom` statuses also the messages carrying one of them (a second query: the tenant ANDs
/// status and custom status).
pub async fn failed_window(
    client: &CpiClient,
    from: EpochMs,
    to: Option<EpochMs>,
    iflow: Option<&str>,
    custom: &[String],
) -> Result<MessageStore, FetchError> {
    let mut store = MessageStore::new(StoreLimits {
        max_messages: None,
        max_age: None,
    });
    let base = MplQuery {
        from: Some(from),
        to,
        iflow_id: iflow.map(str::to_owned),
        ..MplQuery::default()
    };
    let failed = MplQuery {
        statuses: FAILED.to_vec(),
        ..base.clone()
    };
    super::messages::into_store(client, &failed, None, &mut store).await?;
    if !custom.is_empty() {
        let business = MplQuery {
            custom_statuses: custom.to_vec(),
            ..base
        };
        super::messages::into_store(client, &business, None, &mut store).await?;
    }
    Ok(store)
}

/// The error texts of `guids` (`ErrorInformation/$value`), fetched concurrently (the client's
/// limiter bounds requests in flight); `Ok(None)` where a message has none. The caller decides
/// how many within its budget, and never asks for DISCARDED messages.
pub async fn texts(
    client: &CpiClient,
    guids: &[String],
) -> Vec<(String, Result<Option<String>, FetchError>)> {
    join_all(guids.iter().map(|g| async move {
        let r = client.mpl_error_text(g).await.map_err(FetchError::from);
        (g.clone(), r)
    }))
    .await
}
