//! One message's detail, part by part: the record with its custom header properties, the error
//! text, the attachments, the runs with their steps — each fetched on its own so the first part
//! can show at once — and an attachment's content as text. Shared by the TUI's effects and
//! `cpitop get message`.

use super::FetchError;
use crate::cpi::CpiClient;
use crate::cpi::model::{CustomHeaderProperty, MessageProcessingLog, MplAttachment, MplRun, MplRunStep, Nav};

/// Attachment content shown as text up to this size.
const MAX_ATTACHMENT_TEXT: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunWithSteps {
    pub run: MplRun,
    pub steps: Vec<MplRunStep>,
}

/// A navigation of a message as read: its rows, or "this tenant does not offer it" (the
/// navigation answered 404 although the message exists — e.g. `Runs` on some tenants). Shown as
/// such, never as an error and never as "none".
#[derive(Debug, Clone, PartialEq)]
pub enum NavPart<T> {
    Rows(Vec<T>),
    NotOnTenant,
}

impl<T> NavPart<T> {
    /// The rows; none when the tenant does not offer the navigation.
    pub fn rows(&self) -> &[T] {
        match self {
            NavPart::Rows(v) => v,
            NavPart::NotOnTenant => &[],
        }
    }
}

impl<T> From<Vec<T>> for NavPart<T> {
    fn from(v: Vec<T>) -> Self {
        NavPart::Rows(v)
    }
}

impl<T> From<Option<Vec<T>>> for NavPart<T> {
    /// `None` is what the client returns for a navigation that answered 404.
    fn from(v: Option<Vec<T>>) -> Self {
        v.map_or(NavPart::NotOnTenant, NavPart::Rows)
    }
}

/// One part of a message's detail, fetched independently so the first part shows at once.
/// Moved once through the channel, so the size difference of the variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum MessagePart {
    /// The full record with `$expand=AdapterAttributes,CustomHeaderProperties`.
    Log(Result<MessageProcessingLog, FetchError>),
    /// The custom header properties: from the record when the tenant expanded them, else read
    /// by the message's key (also when the record itself could not be read).
    Headers(Result<NavPart<CustomHeaderProperty>, FetchError>),
    /// `/ErrorInformation/$value`; `None` when the tenant has none (204).
    Error(Result<Option<String>, FetchError>),
    Attachments(Result<NavPart<MplAttachment>, FetchError>),
    Runs(Result<NavPart<RunWithSteps>, FetchError>),
}

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
            let e = FetchError::Other(format!(
                "{NO_SUCH_MESSAGE} {guid} (it may have been deleted by retention)"
            ));
            (Err(e.clone()), Err(e))
        }
        // The record failed, its parts may still answer: read the headers on their own.
        Err(e) => (Err(e.into()), headers_by_key(c, guid, None).await),
    };
    (MessagePart::Log(log), MessagePart::Headers(headers))
}

async fn headers_by_key(
    c: &CpiClient,
    guid: &str,
    deferred: Option<&str>,
) -> Result<NavPart<CustomHeaderProperty>, FetchError> {
    c.mpl_navigation(guid, "CustomHeaderProperties", deferred)
        .await
        .map(NavPart::from)
        .map_err(FetchError::from)
}

/// The error text (`None` when the message has none).
pub async fn message_error(c: &CpiClient, guid: &str) -> MessagePart {
    MessagePart::Error(c.mpl_error_text(guid).await.map_err(FetchError::from))
}

pub async fn message_attachments(c: &CpiClient, guid: &str) -> MessagePart {
    MessagePart::Attachments(
        c.mpl_navigation(guid, "Attachments", None)
            .await
            .map(NavPart::from)
            .map_err(FetchError::from),
    )
}

/// The runs, each with its steps; `NotOnTenant` when the tenant has no `Runs` navigation.
pub async fn message_runs(c: &CpiClient, guid: &str) -> MessagePart {
    let r = async {
        let Some(runs) = c
            .mpl_navigation::<crate::cpi::model::MplRun>(guid, "Runs", None)
            .await
            .map_err(FetchError::from)?
        else {
            return Ok(NavPart::NotOnTenant);
        };
        let mut out = Vec::with_capacity(runs.len());
        for run in runs {
            let steps = c.mpl_run_steps(&run.id).await.map_err(FetchError::from)?;
            out.push(RunWithSteps { run, steps });
        }
        Ok(NavPart::Rows(out))
    }
    .await;
    MessagePart::Runs(r)
}

/// Every part of a message, fetched concurrently (record and headers, error, attachments, runs).
pub async fn all_parts(c: &CpiClient, guid: &str) -> Vec<MessagePart> {
    let ((log, headers), error, attachments, runs) = tokio::join!(
        message_log(c, guid),
        message_error(c, guid),
        message_attachments(c, guid),
        message_runs(c, guid)
    );
    vec![log, headers, error, attachments, runs]
}

/// An attachment's content as text (`text_of`).
pub async fn attachment_text(c: &CpiClient, id: &str) -> Result<String, FetchError> {
    Ok(text_of(&c.mpl_attachment_content(id).await?))
}

/// Attachment bytes as text; binary content is described, not dumped on the terminal.
pub fn text_of(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(MAX_ATTACHMENT_TEXT)];
    if shown.contains(&0) {
        return format!("(binary content, {}; not shown)", bytes_text(bytes.len()));
    }
    let mut text = String::from_utf8_lossy(shown).into_owned();
    // Control characters other than newline and tab would be interpreted by the terminal.
    text.retain(|c| !c.is_control() || c == '\n' || c == '\t');
    if bytes.len() > shown.len() {
        text.push_str(&format!(
            "\n… ({} more not shown)",
            bytes_text(bytes.len() - shown.len())
        ));
    }
    text
}

fn bytes_text(n: usize) -> String {
    crate::kit::format::bytes(i64::try_from(n).unwrap_or(i64::MAX))
}
