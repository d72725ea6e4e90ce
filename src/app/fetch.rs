//! One-off fetches shared by the TUI's effect runner and `cpitop get` (`resources::message_detail`),
//! and a message's whole detail for `get message`.

use super::detail::MessageDetail;
use crate::cpi::client::CpiClient;
pub use crate::resources::message_detail::{
    NO_SUCH_MESSAGE, message_attachments, message_error, message_log, message_runs,
};

/// Every part of a message's detail, fetched concurrently.
pub async fn message_detail(c: &CpiClient, guid: &str) -> MessageDetail {
    let mut d = MessageDetail::new(guid);
    for part in crate::resources::message_detail::all_parts(c, guid).await {
        d.apply(part);
    }
    d
}
