//! The lean, borrowed form of an MPL list row: what the message list needs and nothing more, decoded
//! without allocating for strings that need no unescaping. The `$select` below is what the client
//! asks for; a field added here must be added there.

use std::borrow::Cow;

use serde::Deserialize;

/// `$select` for message lists (docs/cpi-api.md, "Message processing logs"). The full record (~2.5 KB) is fetched only
/// for the detail view.
pub const MPL_LIST_SELECT: &str = "MessageGuid,CorrelationId,ApplicationMessageId,ApplicationMessageType,\
LogStart,LogEnd,Sender,Receiver,IntegrationFlowName,Status,CustomStatus,IntegrationArtifact";

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct MplRow<'a> {
    #[serde(rename = "MessageGuid", borrow)]
    pub message_guid: Cow<'a, str>,
    #[serde(rename = "CorrelationId", borrow, default)]
    pub correlation_id: Option<Cow<'a, str>>,
    #[serde(rename = "ApplicationMessageId", borrow, default)]
    pub application_message_id: Option<Cow<'a, str>>,
    #[serde(rename = "ApplicationMessageType", borrow, default)]
    pub application_message_type: Option<Cow<'a, str>>,
    /// `/Date(ms)/` text; parse with `odata::parse_date`.
    #[serde(rename = "LogStart", borrow, default)]
    pub log_start: Option<Cow<'a, str>>,
    #[serde(rename = "LogEnd", borrow, default)]
    pub log_end: Option<Cow<'a, str>>,
    #[serde(rename = "Sender", borrow, default)]
    pub sender: Option<Cow<'a, str>>,
    #[serde(rename = "Receiver", borrow, default)]
    pub receiver: Option<Cow<'a, str>>,
    #[serde(rename = "IntegrationFlowName", borrow, default)]
    pub integration_flow_name: Option<Cow<'a, str>>,
    #[serde(rename = "Status", borrow, default)]
    pub status: Option<Cow<'a, str>>,
    #[serde(rename = "CustomStatus", borrow, default)]
    pub custom_status: Option<Cow<'a, str>>,
    #[serde(rename = "IntegrationArtifact", borrow, default)]
    pub integration_artifact: Option<MplArtifactRow<'a>>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct MplArtifactRow<'a> {
    #[serde(rename = "Id", borrow, default)]
    pub id: Option<Cow<'a, str>>,
    #[serde(rename = "Name", borrow, default)]
    pub name: Option<Cow<'a, str>>,
    #[serde(rename = "Type", borrow, default)]
    pub kind: Option<Cow<'a, str>>,
    #[serde(rename = "PackageId", borrow, default)]
    pub package_id: Option<Cow<'a, str>>,
    #[serde(rename = "PackageName", borrow, default)]
    pub package_name: Option<Cow<'a, str>>,
}

/// One page of MPL rows: `{"d":{"results":[…],"__count":"N","__next":"…"}}`.
#[derive(Debug, Deserialize)]
pub struct MplRowPage<'a> {
    #[serde(borrow)]
    pub d: MplRowPageBody<'a>,
}

#[derive(Debug, Deserialize)]
pub struct MplRowPageBody<'a> {
    #[serde(borrow)]
    pub results: Vec<MplRow<'a>>,
    #[serde(rename = "__count", borrow, default)]
    pub count: Option<Cow<'a, str>>,
    #[serde(rename = "__next", borrow, default)]
    pub next: Option<Cow<'a, str>>,
}

impl<'a> MplRow<'a> {
    /// The iFlow id: `IntegrationArtifact/Id`, else the deprecated `IntegrationFlowName`.
    pub fn iflow_id(&self) -> &str {
        self.integration_artifact
            .as_ref()
            .and_then(|a| a.id.as_deref())
            .or(self.integration_flow_name.as_deref())
            .unwrap_or("")
    }
}

/// Decode one MPL list page, borrowing from `bytes`.
pub fn decode_page(bytes: &[u8]) -> Result<MplRowPage<'_>, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// What the MPL fetcher needs to know of a page it had decoded by the caller's decoder (the store's
/// columnar batch, or a plain `Vec` in tests): how many rows, and the newest `LogEnd` among them,
/// which is where keyset paging continues.
pub trait DecodedMplPage: Send + 'static {
    fn row_count(&self) -> usize;
    fn max_log_end(&self) -> Option<crate::cpi::odata::EpochMs>;
    /// Each row's `MessageGuid` and `LogEnd` (what a delta's check compares; `mpl_follow`).
    fn for_each_key(&self, f: &mut dyn FnMut(&str, crate::cpi::odata::EpochMs));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_borrowed_with_nulls_and_escapes() {
        let body = br#"{"d":{"__count":"2","results":[
 {"__metadata":{"id":"u","uri":"u","type":"com.sap.hci.api.MessageProcessingLog"},"MessageGuid":"AGZ0aBcDeFgHiJkLmNoPqRsTuVwX",
  "CorrelationId":"AGZ0aBc1xYz2wVu3tSr4qPo5nMl6","ApplicationMessageId":null,"LogStart":"\/Date(1718000000000)\/",
  "LogEnd":"/Date(1718000002345)/","Sender":"S4\"HANA","Receiver":null,"IntegrationFlowName":"Orders_Inbound","Status":"FAILED",
  "IntegrationArtifact":{"__metadata":{"type":"com.sap.hci.api.IntegrationArtifact"},"Id":"Orders_Inbound","Name":"Orders Inbound",
  "Type":"INTEGRATION_FLOW","PackageId":"SalesIntegration","PackageName":"Sales Integration"}}],
 "__next":"https://t1/api/v1/MessageProcessingLogs?$skiptoken=1000"}}"#;
        let page = decode_page(body).expect("decodes");
        assert_eq!(page.d.count.as_deref(), Some("2"));
        let row = &page.d.results[0];
        assert!(matches!(row.message_guid, Cow::Borrowed(_)));
        assert_eq!(row.sender.as_deref(), Some("S4\"HANA"));
        assert_eq!(row.iflow_id(), "Orders_Inbound");
        assert_eq!(
            row.log_start.as_deref().and_then(crate::cpi::odata::parse_date),
            Some(1_718_000_000_000)
        );
    }
}
