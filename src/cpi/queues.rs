//! JMS: the broker and the two queue APIs (`Queues`/`JmsMessages`, and the 2026
//! `MessagingQueues`/`MessagingMessages`). Which one a tenant answers is detected on first use —
//! a 404/501 from one means "try the other" — and remembered per client.
//!
//! Both queue APIs are marked U (uncertain) in the reference; every URL and body shape of them is
//! written in this file only (`Classic`/`Messaging` helpers below) so a correction is made here.
//!
//! Bulk actions report per message: `BulkOutcome::succeeded` holds only ids the tenant confirmed,
//! everything else is in `failed` with the reason. Nothing is claimed that was not confirmed.

use std::sync::atomic::Ordering;

use reqwest::Method;
use serde::Deserialize;

use super::client::{CpiClient, QueueApiKind};
use super::error::CpiError;
use super::http::Req;
use super::model::{JmsBroker, JmsMessage, Queue};
use super::odata::de_i64;
use super::paging::{get_all, get_one};
use super::query::{key, lit, url};

/// `pageSize` for `MessagingMessages` listings (100–10000, U).
const MESSAGING_PAGE_SIZE: u32 = 10_000;

/// The messaging API's function imports and their parameters, all in this one place.
///
/// Known (SAP's public JMS API of 2026): `RetryMessagingMessages` and `MoveMessagingMessages`
/// are OData function imports called with POST, and SAP's own UI moves at most 100 messages at
/// once. OData V2 passes function-import parameters in the URL as literals (`name='value'`), not
/// in a body, and allows only primitive types, so the ids of a batch travel as one joined string.
/// UNCERTAIN: the parameter names and the separator below are taken from an earlier community
/// client, not from SAP's reference; if a tenant rejects them, correct them here (docs/cpi-api.md,
/// "JMS queues").
pub mod messaging_fi {
    pub const RETRY: &str = "RetryMessagingMessages";
    pub const MOVE: &str = "MoveMessagingMessages";
    /// The queue whose messages are retried.
    pub const QUEUE: &str = "queueName";
    pub const SOURCE: &str = "sourceQueue";
    pub const TARGET: &str = "targetQueue";
    /// The message ids of the batch, joined by [`ID_SEPARATOR`].
    pub const IDS: &str = "jmsMessageIds";
    pub const ID_SEPARATOR: &str = ",";
    /// At most this many messages per call (as SAP's UI; the tenant refuses more).
    pub const BATCH: usize = 100;
}

/// Messages per retry/move call of the messaging API (see [`messaging_fi::BATCH`]).
pub const MESSAGING_BATCH: usize = messaging_fi::BATCH;

/// The per-message result of a bulk action.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkOutcome {
    /// Message ids the tenant confirmed.
    pub succeeded: Vec<String>,
    /// Message ids that were not processed, with the reason.
    pub failed: Vec<BulkFailure>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BulkFailure {
    pub msgid: String,
    pub reason: String,
}

impl BulkOutcome {
    pub fn all_succeeded(&self) -> bool {
        self.failed.is_empty()
    }
    fn fail(&mut self, msgid: &str, reason: String) {
        self.failed.push(BulkFailure {
            msgid: msgid.to_string(),
            reason,
        });
    }
}

/// A queued message as the client addresses it: id, queue, and the `Failed` key part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JmsMessageKey {
    pub msgid: String,
    pub queue: String,
    pub failed: bool,
}

impl From<&JmsMessage> for JmsMessageKey {
    fn from(m: &JmsMessage) -> Self {
        Self {
            msgid: m.msgid.clone(),
            queue: m.queue.clone(),
            failed: m.failed,
        }
    }
}

/// Reply of `RetryMessagingMessages`/`MoveMessagingMessages`: `{"operation":"MOVE","processedCount":"1"}`
/// (possibly inside `d`, U).
#[derive(Debug, Deserialize)]
struct OperationReply {
    #[serde(rename = "processedCount", default, deserialize_with = "de_i64")]
    processed_count: i64,
}

/// `processedCount` of a function-import reply: at the top, inside `d`, or inside
/// `d.<FunctionImportName>` (how OData V2 wraps a complex-type result). `None` when absent.
fn processed_count(body: &[u8]) -> Option<i64> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let d = v.get("d").cloned().unwrap_or(v);
    let inner = if d.get("processedCount").is_some() {
        d
    } else {
        [messaging_fi::RETRY, messaging_fi::MOVE]
            .iter()
            .find_map(|n| d.get(*n).cloned())?
    };
    inner.get("processedCount")?;
    serde_json::from_value::<OperationReply>(inner)
        .ok()
        .map(|r| r.processed_count)
}

fn jms_message_path(k: &JmsMessageKey) -> String {
    format!(
        "JmsMessages(Msgid={},Name={},Failed={})",
        key(&k.msgid),
        key(&k.queue),
        k.failed
    )
}

fn messaging_message_path(msgid: &str, queue: &str) -> String {
    format!(
        "MessagingMessages(jmsMessageId={},queueName={})",
        key(msgid),
        key(queue)
    )
}

/// What [`CpiClient::queue_listing`] found.
#[derive(Debug, Clone)]
pub enum QueueListing {
    Listed(Vec<Queue>),
    /// Neither `Queues` nor `MessagingQueues` answered (404/501).
    Missing(QueueListsMissing),
}

/// Both queue-list APIs answered 404 or 501: this tenant's plan or edition has no queue list.
#[derive(Debug, Clone)]
pub struct QueueListsMissing {
    /// The reply of `Queues`.
    pub classic: CpiError,
    /// The reply of `MessagingQueues`.
    pub messaging: CpiError,
}

impl QueueListsMissing {
    /// Which API is missing and what provides it, in one sentence.
    pub fn explain(&self) -> String {
        let code = |e: &CpiError| e.status().map(|s| s.to_string()).unwrap_or_else(|| "?".into());
        format!(
            "no JMS queue list on this tenant (Queues: HTTP {}, MessagingQueues: HTTP {}): JMS is \
             not in Basic edition and trial tenants answer 501 — an edition or plan with JMS \
             provides the lists; reading them needs the role DataStoresAndQueuesRead",
            code(&self.classic),
            code(&self.messaging)
        )
    }

    /// As an error for callers that need the list itself (it keeps the tenant's status).
    pub fn into_error(self) -> CpiError {
        CpiError::OData {
            endpoint: "the JMS queue lists (Queues, MessagingQueues)".into(),
            status: self.messaging.status().unwrap_or(404),
            code: None,
            message: Some(self.explain()),
        }
    }
}

/// 404 or 501: this tenant does not offer that queue API.
fn api_missing(e: &CpiError) -> bool {
    matches!(e.status(), Some(404 | 501))
}

impl CpiClient {
    /// `JmsBrokers('Broker1')?$expand=QueueStates,InactiveQueues`.
    pub async fn jms_broker(&self) -> Result<JmsBroker, CpiError> {
        let t = self.t();
        get_one(
            t,
            url(
                &t.root,
                "JmsBrokers('Broker1')",
                &[("$expand", "QueueStates,InactiveQueues".into())],
            ),
        )
        .await
    }

    /// Every queue, from whichever queue API the tenant offers. A tenant that offers neither
    /// gives an error that says so (see [`QueueListsMissing::explain`]).
    pub async fn queues(&self) -> Result<Vec<Queue>, CpiError> {
        match self.queue_listing().await? {
            QueueListing::Listed(q) => Ok(q),
            QueueListing::Missing(m) => Err(m.into_error()),
        }
    }

    /// The queue list, or — when both queue-list APIs answer 404/501 — why there is none (the
    /// broker, `JmsBrokers`, may still answer: see `resources::queues::snapshot`).
    pub async fn queue_listing(&self) -> Result<QueueListing, CpiError> {
        let t = self.t();
        let classic = || get_all::<Queue>(t, url(&t.root, "Queues", &[]));
        let messaging = || get_all::<Queue>(t, url(&t.root, "MessagingQueues", &[]));
        match self.queue_api() {
            Some(QueueApiKind::Classic) => classic().await.map(QueueListing::Listed),
            Some(QueueApiKind::Messaging) => messaging().await.map(QueueListing::Listed),
            None => match classic().await {
                Ok(q) => {
                    self.set_queue_api(QueueApiKind::Classic);
                    Ok(QueueListing::Listed(q))
                }
                Err(c) if api_missing(&c) => match messaging().await {
                    Ok(q) => {
                        self.set_queue_api(QueueApiKind::Messaging);
                        Ok(QueueListing::Listed(q))
                    }
                    Err(m) if api_missing(&m) => Ok(QueueListing::Missing(QueueListsMissing {
                        classic: c,
                        messaging: m,
                    })),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            },
        }
    }

    /// The queue API to use, detecting it with a queue listing on first use.
    async fn detected_queue_api(&self) -> Result<QueueApiKind, CpiError> {
        if let Some(k) = self.queue_api() {
            return Ok(k);
        }
        self.queues().await?;
        Ok(self.queue_api().unwrap_or(QueueApiKind::Classic))
    }

    /// The messages of one queue. (`$filter` is ignored by the classic API.)
    pub async fn queue_messages(&self, queue: &str) -> Result<Vec<JmsMessage>, CpiError> {
        let t = self.t();
        let mut msgs: Vec<JmsMessage> = match self.detected_queue_api().await? {
            QueueApiKind::Classic => {
                get_all(t, url(&t.root, &format!("Queues({})/Messages", key(queue)), &[])).await?
            }
            QueueApiKind::Messaging => {
                get_all(
                    t,
                    url(
                        &t.root,
                        &format!("MessagingQueues({})/MessagingMessages", key(queue)),
                        &[("pageSize", MESSAGING_PAGE_SIZE.to_string())],
                    ),
                )
                .await?
            }
        };
        for m in &mut msgs {
            if m.queue.is_empty() {
                m.queue = queue.to_string();
            }
        }
        Ok(msgs)
    }

    /// Retry one message (classic: `POST` + `X-HTTP-Method: MERGE` on `JmsMessages(…)` with the
    /// entity JSON → 204; messaging: `POST RetryMessagingMessages`).
    pub async fn retry_queue_message(&self, msg: &JmsMessageKey) -> Result<(), CpiError> {
        let t = self.t();
        match self.detected_queue_api().await? {
            QueueApiKind::Classic => {
                let body = serde_json::json!({"Msgid": msg.msgid, "Name": msg.queue, "Failed": msg.failed});
                let req = Req::write(Method::POST, url(&t.root, &jms_message_path(msg), &[]))
                    .header("X-HTTP-Method", "MERGE".into())
                    .json_body(body.to_string().into_bytes());
                t.send_write(&req).await?;
                Ok(())
            }
            QueueApiKind::Messaging => {
                let reply = self
                    .retry_call_messaging(&msg.queue, std::slice::from_ref(&msg.msgid))
                    .await?;
                match processed_count(&reply.body) {
                    Some(0) => Err(CpiError::OData {
                        endpoint: reply.endpoint,
                        status: reply.status.as_u16(),
                        code: None,
                        message: Some("the tenant processed no message (processedCount 0)".into()),
                    }),
                    _ => Ok(()),
                }
            }
        }
    }

    /// Retry every message of a queue (classic: MERGE `Queues('<q>')` → 204; messaging:
    /// `RetryMessagingMessages` in batches of at most 100, since no queue-wide retry is known).
    pub async fn retry_queue(&self, queue: &str) -> Result<BulkOutcome, CpiError> {
        let t = self.t();
        match self.detected_queue_api().await? {
            QueueApiKind::Classic => {
                let msgs = self.queue_messages(queue).await?;
                let body = serde_json::json!({ "Name": queue });
                let req = Req::write(
                    Method::POST,
                    url(&t.root, &format!("Queues({})", key(queue)), &[]),
                )
                .header("X-HTTP-Method", "MERGE".into())
                .json_body(body.to_string().into_bytes());
                match t.send_write(&req).await {
                    Ok(_) => Ok(BulkOutcome {
                        succeeded: msgs.into_iter().map(|m| m.msgid).collect(),
                        failed: Vec::new(),
                    }),
                    Err(e) => Err(e),
                }
            }
            QueueApiKind::Messaging => {
                let msgs = self.queue_messages(queue).await?;
                let keys: Vec<JmsMessageKey> = msgs.iter().map(JmsMessageKey::from).collect();
                Ok(self.retry_queue_messages(&keys).await)
            }
        }
    }

    /// Retry several messages; per-message results. Classic: one request each. Messaging: one
    /// `RetryMessagingMessages` per queue and batch of at most [`MESSAGING_BATCH`].
    pub async fn retry_queue_messages(&self, msgs: &[JmsMessageKey]) -> BulkOutcome {
        let mut out = BulkOutcome::default();
        let api = match self.detected_queue_api().await {
            Ok(k) => k,
            Err(e) => {
                let reason = e.to_string();
                for m in msgs {
                    out.fail(&m.msgid, reason.clone());
                }
                return out;
            }
        };
        match api {
            QueueApiKind::Classic => {
                for m in msgs {
                    match self.retry_queue_message(m).await {
                        Ok(()) => out.succeeded.push(m.msgid.clone()),
                        Err(e) => out.fail(&m.msgid, e.to_string()),
                    }
                }
            }
            QueueApiKind::Messaging => {
                // Grouped by queue, in first-seen order: one call names one queue.
                let mut queues: Vec<&str> = Vec::new();
                for m in msgs {
                    if !queues.contains(&m.queue.as_str()) {
                        queues.push(&m.queue);
                    }
                }
                for q in queues {
                    let ids: Vec<String> = msgs
                        .iter()
                        .filter(|m| m.queue == q)
                        .map(|m| m.msgid.clone())
                        .collect();
                    for batch in ids.chunks(MESSAGING_BATCH) {
                        self.retry_batch_messaging(q, batch, &mut out).await;
                    }
                }
            }
        }
        out
    }

    /// `POST RetryMessagingMessages?queueName='<q>'&jmsMessageIds='<id>,<id>'`.
    async fn retry_call_messaging(
        &self,
        queue: &str,
        ids: &[String],
    ) -> Result<super::http::Reply, CpiError> {
        let t = self.t();
        let u = url(
            &t.root,
            messaging_fi::RETRY,
            &[
                (messaging_fi::QUEUE, lit(queue)),
                (messaging_fi::IDS, lit(&ids.join(messaging_fi::ID_SEPARATOR))),
            ],
        );
        t.send_write(&Req::write(Method::POST, u)).await
    }

    /// One retry batch. The reply says only how many were retried, not which: when fewer than
    /// sent, none of the batch is claimed (a retried message stays in its queue, so reading the
    /// queue back cannot tell either).
    async fn retry_batch_messaging(&self, queue: &str, batch: &[String], out: &mut BulkOutcome) {
        match self.retry_call_messaging(queue, batch).await {
            Ok(reply) => match processed_count(&reply.body) {
                Some(n) if n == batch.len() as i64 => out.succeeded.extend(batch.iter().cloned()),
                other => {
                    let reason = match other {
                        Some(n) => format!(
                            "the tenant retried {n} of {} messages in this batch without saying which",
                            batch.len()
                        ),
                        None => "the tenant did not say how many messages it retried".into(),
                    };
                    for id in batch {
                        out.fail(id, reason.clone());
                    }
                }
            },
            Err(e) => {
                let reason = e.to_string();
                for id in batch {
                    out.fail(id, reason.clone());
                }
            }
        }
    }

    /// Delete one queued message (`DELETE JmsMessages(…)` / `MessagingMessages(…)` → 204).
    pub async fn delete_queue_message(&self, msg: &JmsMessageKey) -> Result<(), CpiError> {
        let t = self.t();
        let path = match self.detected_queue_api().await? {
            QueueApiKind::Classic => jms_message_path(msg),
            QueueApiKind::Messaging => messaging_message_path(&msg.msgid, &msg.queue),
        };
        t.send_write(&Req::write(Method::DELETE, url(&t.root, &path, &[])))
            .await?;
        Ok(())
    }

    /// Delete several messages; per-message results.
    pub async fn delete_queue_messages(&self, msgs: &[JmsMessageKey]) -> BulkOutcome {
        let mut out = BulkOutcome::default();
        for m in msgs {
            match self.delete_queue_message(m).await {
                Ok(()) => out.succeeded.push(m.msgid.clone()),
                Err(e) => out.fail(&m.msgid, e.to_string()),
            }
        }
        out
    }

    /// Move messages from `source` to `target`. Refuses to move a queue onto itself.
    ///
    /// Classic: one `MERGE Queues('<src>')?operation=move&target_queue=<dst>&selector=JMSMessageID='<id>'`
    /// per message (the weakest claim about this API). Messaging: `MoveMessagingMessages`
    /// in batches of at most 100; when the tenant reports fewer processed than sent, the source queue is
    /// read back and the ids still in it are reported as failed.
    pub async fn move_queue_messages(
        &self,
        source: &str,
        target: &str,
        msgids: &[String],
    ) -> Result<BulkOutcome, CpiError> {
        if source == target {
            return Err(CpiError::Config(format!(
                "refusing to move messages from {source} onto itself"
            )));
        }
        let t = self.t();
        let mut out = BulkOutcome::default();
        match self.detected_queue_api().await? {
            QueueApiKind::Classic => {
                for id in msgids {
                    let u = url(
                        &t.root,
                        &format!("Queues({})", key(source)),
                        &[
                            ("operation", "move".into()),
                            ("target_queue", target.to_string()),
                            ("selector", format!("JMSMessageID='{id}'")),
                        ],
                    );
                    let req = Req::write(Method::POST, u)
                        .header("X-HTTP-Method", "MERGE".into())
                        .json_body(serde_json::json!({ "Name": source }).to_string().into_bytes());
                    match t.send_write(&req).await {
                        Ok(_) => out.succeeded.push(id.clone()),
                        Err(e) => out.fail(id, e.to_string()),
                    }
                }
            }
            QueueApiKind::Messaging => {
                for batch in msgids.chunks(MESSAGING_BATCH) {
                    self.move_batch_messaging(source, target, batch, &mut out).await;
                }
            }
        }
        Ok(out)
    }

    async fn move_batch_messaging(
        &self,
        source: &str,
        target: &str,
        batch: &[String],
        out: &mut BulkOutcome,
    ) {
        let t = self.t();
        let u = url(
            &t.root,
            messaging_fi::MOVE,
            &[
                (messaging_fi::SOURCE, lit(source)),
                (messaging_fi::TARGET, lit(target)),
                (messaging_fi::IDS, lit(&batch.join(messaging_fi::ID_SEPARATOR))),
            ],
        );
        let req = Req::write(Method::POST, u);
        let reply = match t.send_write(&req).await {
            Ok(r) => r,
            Err(e) => {
                // The call may still have moved some (a 5xx after partial work): check.
                let reason = e.to_string();
                self.settle_by_reading_source(source, batch, &reason, out).await;
                return;
            }
        };
        match processed_count(&reply.body) {
            Some(n) if n == batch.len() as i64 => out.succeeded.extend(batch.iter().cloned()),
            other => {
                let reason = match other {
                    Some(n) => format!("the tenant moved {n} of {} messages in this batch", batch.len()),
                    None => "the tenant did not say how many messages it moved".into(),
                };
                self.settle_by_reading_source(source, batch, &reason, out).await;
            }
        }
    }

    /// After an uncertain move: ids no longer in the source queue moved; the rest failed.
    async fn settle_by_reading_source(
        &self,
        source: &str,
        batch: &[String],
        reason: &str,
        out: &mut BulkOutcome,
    ) {
        match self.queue_messages(source).await {
            Ok(left) => {
                for id in batch {
                    if left.iter().any(|m| &m.msgid == id) {
                        out.fail(id, format!("still in {source}: {reason}"));
                    } else {
                        out.succeeded.push(id.clone());
                    }
                }
            }
            Err(e) => {
                for id in batch {
                    out.fail(
                        id,
                        format!("{reason}; could not verify by reading {source} back: {e}"),
                    );
                }
            }
        }
    }

    /// Forget the detected queue API (e.g. after the tenant was upgraded).
    pub fn reset_queue_api(&self) {
        self.inner.queue_api.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_paths_are_encoded() {
        let k = JmsMessageKey {
            msgid: "ID:10.1.2.3a1b:17".into(),
            queue: "DLQ_ORDERS".into(),
            failed: true,
        };
        assert_eq!(
            jms_message_path(&k),
            "JmsMessages(Msgid='ID%3A10.1.2.3a1b%3A17',Name='DLQ_ORDERS',Failed=true)"
        );
        assert_eq!(
            messaging_message_path("ID:1", "Q"),
            "MessagingMessages(jmsMessageId='ID%3A1',queueName='Q')"
        );
    }

    #[test]
    fn processed_count_shapes() {
        assert_eq!(
            processed_count(br#"{"operation":"MOVE","processedCount":"3"}"#),
            Some(3)
        );
        assert_eq!(
            processed_count(br#"{"d":{"operation":"MOVE","processedCount":2}}"#),
            Some(2)
        );
        assert_eq!(
            processed_count(
                br#"{"d":{"MoveMessagingMessages":{"operation":"MOVE","processedCount":"100"}}}"#
            ),
            Some(100),
            "the OData V2 envelope of a complex-type function-import result"
        );
        assert_eq!(processed_count(br#"{"d":{"operation":"MOVE"}}"#), None);
        assert_eq!(processed_count(b""), None);
    }
}
