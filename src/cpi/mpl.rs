//! Message processing log reads for the detail views (docs/cpi-api.md, "Message detail: navigations"). Message
//! lists are loaded by `mpl_window` (keyset paging, streamed decoding).
//!
//! A navigation is read by the message's own key (`MessageProcessingLogs('<guid>')/<Nav>`), never
//! by a URI from a reply: real tenants defer navigations although `$expand` asked for them, and
//! their deferred URIs can name another entity. The deferred URI only passes the origin gate
//! (`Transport::reply_link`): one outside the tenant is refused and reported, and nothing is sent.

use reqwest::StatusCode;

use super::client::CpiClient;
use super::error::CpiError;
use super::http::{BodyKind, Req};
use super::model::{
    AdapterAttribute, CustomHeaderProperty, MessageProcessingLog, MessageStoreEntry, MplAttachment, MplRun,
    MplRunStep,
};
use super::mpl_window::MplQuery;
use super::paging::{get_all, get_count, get_one};
use super::query::{key, lit, url};

impl CpiClient {
    /// One message with every field, `$expand=AdapterAttributes,CustomHeaderProperties`;
    /// `None` if it does not exist.
    pub async fn mpl(&self, guid: &str) -> Result<Option<MessageProcessingLog>, CpiError> {
        let t = self.t();
        let u = url(
            &t.root,
            &format!("MessageProcessingLogs({})", key(guid)),
            &[("$expand", "AdapterAttributes,CustomHeaderProperties".into())],
        );
        match get_one(t, u).await {
            Ok(m) => Ok(Some(m)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The plain-text error of a message (`/ErrorInformation/$value`); `None` on 204/404 (the
    /// message did not fail).
    pub async fn mpl_error_text(&self, guid: &str) -> Result<Option<String>, CpiError> {
        let t = self.t();
        let u = url(
            &t.root,
            &format!("MessageProcessingLogs({})/ErrorInformation/$value", key(guid)),
            &[],
        );
        let reply = match t.send(&Req::get(u).accept("*/*").kind(BodyKind::Text)).await {
            Ok(r) => r,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        if reply.status == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        if super::http::looks_like_html(&reply.headers, &reply.body) {
            return Err(CpiError::HtmlPage {
                endpoint: reply.endpoint,
            });
        }
        let text = String::from_utf8_lossy(&reply.body).trim().to_string();
        Ok((!text.is_empty()).then_some(text))
    }

    pub async fn mpl_custom_header_properties(
        &self,
        guid: &str,
    ) -> Result<Vec<CustomHeaderProperty>, CpiError> {
        self.mpl_nav(guid, "CustomHeaderProperties").await
    }

    pub async fn mpl_adapter_attributes(&self, guid: &str) -> Result<Vec<AdapterAttribute>, CpiError> {
        self.mpl_nav(guid, "AdapterAttributes").await
    }

    pub async fn mpl_attachments(&self, guid: &str) -> Result<Vec<MplAttachment>, CpiError> {
        self.mpl_nav(guid, "Attachments").await
    }

    pub async fn mpl_message_store_entries(&self, guid: &str) -> Result<Vec<MessageStoreEntry>, CpiError> {
        self.mpl_nav(guid, "MessageStoreEntries").await
    }

    pub async fn mpl_runs(&self, guid: &str) -> Result<Vec<MplRun>, CpiError> {
        self.mpl_nav(guid, "Runs").await
    }

    /// `MessageProcessingLogRuns('<runId>')/RunSteps?$expand=RunStepProperties`.
    pub async fn mpl_run_steps(&self, run_id: &str) -> Result<Vec<MplRunStep>, CpiError> {
        let t = self.t();
        get_all(
            t,
            url(
                &t.root,
                &format!("MessageProcessingLogRuns({})/RunSteps", key(run_id)),
                &[("$expand", "RunStepProperties".into())],
            ),
        )
        .await
    }

    /// The content of an attachment: `MessageProcessingLogAttachments('<Id>')/$value`.
    pub async fn mpl_attachment_content(&self, attachment_id: &str) -> Result<bytes::Bytes, CpiError> {
        let t = self.t();
        let u = url(
            &t.root,
            &format!("MessageProcessingLogAttachments({})/$value", key(attachment_id)),
            &[],
        );
        Ok(t.send(&Req::get(u).accept("*/*").kind(BodyKind::Attachment))
            .await?
            .body)
    }

    /// All messages sharing a correlation id (the whole chain of an exchange), full records
    /// (chains are short, so no `$select`).
    pub async fn mpls_by_correlation_id(
        &self,
        correlation_id: &str,
    ) -> Result<Vec<MessageProcessingLog>, CpiError> {
        let t = self.t();
        get_all(
            t,
            url(
                &t.root,
                "MessageProcessingLogs",
                &[
                    ("$filter", format!("CorrelationId eq {}", lit(correlation_id))),
                    ("$orderby", "LogEnd asc".into()),
                ],
            ),
        )
        .await
    }

    /// `MessageProcessingLogs/$count?$filter=…` for a query (time window included).
    pub async fn mpl_count(&self, query: &MplQuery) -> Result<u64, CpiError> {
        let t = self.t();
        let filter = self.in_dialect(query).filter(query.from, query.to);
        let opts: Vec<(&str, String)> = filter.map(|f| ("$filter", f)).into_iter().collect();
        get_count(t, url(&t.root, "MessageProcessingLogs/$count", &opts)).await
    }

    /// A navigation of a message (`CustomHeaderProperties`, `Attachments`, `Runs`, …) read by the
    /// message's own key. `deferred` is the `__deferred` URI the tenant sent for it, if any: it is
    /// checked against the tenant's origin and service root (a URI elsewhere fails with
    /// `CpiError::ForeignLink` and nothing is requested) and otherwise unused. `Ok(None)`: the
    /// navigation answered 404 — the tenant does not offer it (e.g. `Runs` on some tenants).
    pub async fn mpl_navigation<T: serde::de::DeserializeOwned>(
        &self,
        guid: &str,
        nav: &str,
        deferred: Option<&str>,
    ) -> Result<Option<Vec<T>>, CpiError> {
        let t = self.t();
        let entity = format!("MessageProcessingLogs({})", key(guid));
        if let Some(uri) = deferred {
            t.reply_link(uri, &super::http::endpoint_of(&url(&t.root, &entity, &[])))?;
        }
        match get_all(t, url(&t.root, &format!("{entity}/{nav}"), &[])).await {
            Ok(rows) => Ok(Some(rows)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn mpl_nav<T: serde::de::DeserializeOwned>(
        &self,
        guid: &str,
        nav: &str,
    ) -> Result<Vec<T>, CpiError> {
        let t = self.t();
        get_all(
            t,
            url(
                &t.root,
                &format!("MessageProcessingLogs({})/{nav}", key(guid)),
                &[],
            ),
        )
        .await
    }
}
