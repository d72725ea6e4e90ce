//! The monitor poller: fetches what the active monitors read and no pane provides fresh
//! (keystore, packages, queue messages; artifacts, queues and the broker while their pane is not
//! polling; messages while the Messages pane holds no unfiltered window). The state decides what
//! a round needs ([`FetchPlan`], see `alerts_eval::plan`); one task per round fetches the parts
//! in parallel (the client's limiter bounds requests in flight) and sends the owned result back
//! as `DataMsg::Monitor`. At most one round is in flight (the state holds its generation).
//!
//! Packages and queue listings reuse the headless gatherer's fetchers (`headless::gather`).

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

use super::msg::{DataMsg, Msg};
use crate::cpi::MplFollow;
use crate::cpi::model::{JmsBroker, KeystoreEntry, RuntimeArtifact};
use crate::cpi::mpl_window::{MplDecoder, MplQuery};
use crate::cpi::odata::EpochMs;
use crate::cpi::{CpiClient, CpiError};
use crate::monitor::{Needs, QueueSnapshot};
use crate::store::MplBatch;

/// The message part of a round: a window load from `from`, or a delta following `follow`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagesFetch {
    pub from: EpochMs,
    pub follow: Option<MplFollow>,
}

/// What one monitor round fetches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FetchPlan {
    pub generation: u64,
    pub artifacts: bool,
    pub packages: bool,
    /// The queue list (with the messages of the queues matching `queue_messages`).
    pub queues: bool,
    pub queue_messages: Vec<String>,
    pub broker: bool,
    pub keystore: bool,
    pub messages: Option<MessagesFetch>,
    /// One cheap call (`IntegrationRuntimeArtifacts/$count`) so `tenant_unreachable` has an
    /// answer to time while no pane polls.
    pub ping: bool,
}

impl FetchPlan {
    pub fn is_empty(&self) -> bool {
        !(self.ping
            || self.artifacts
            || self.packages
            || self.queues
            || self.broker
            || self.keystore
            || self.messages.is_some())
    }
}

/// The outcome of one round; `None` parts were not asked for.
#[derive(Debug, Default)]
pub struct MonitorFetched {
    pub generation: u64,
    pub at: EpochMs,
    pub artifacts: Option<Result<Vec<RuntimeArtifact>, String>>,
    pub packages: Option<Result<crate::monitor::PackageMap, String>>,
    pub queues: Option<Result<Vec<QueueSnapshot>, String>>,
    pub broker: Option<Result<JmsBroker, String>>,
    pub keystore: Option<Result<Vec<KeystoreEntry>, String>>,
    /// Decoded pages and the state for the next delta.
    pub messages: Option<Result<(Vec<MplBatch>, MplFollow), String>>,
    /// Whether the tenant answered any call (an HTTP 4xx is an answer).
    pub answered: bool,
    /// The first failure's text (secret-free, from the client's errors).
    pub error: Option<String>,
}

/// Run one round and send the result to the state owner.
pub fn spawn(client: CpiClient, plan: FetchPlan, tx: mpsc::Sender<Msg>) {
    tokio::spawn(async move {
        let fetched = fetch(&client, &plan).await;
        let _ = tx.send(Msg::Data(DataMsg::Monitor(Box::new(fetched)))).await;
    });
}

/// Fetch the parts of `plan` in parallel.
pub async fn fetch(client: &CpiClient, plan: &FetchPlan) -> MonitorFetched {
    let needs = Needs {
        queues: plan.queues,
        queue_messages: plan.queue_messages.clone(),
        ..Needs::default()
    };
    let artifacts = async {
        match plan.artifacts {
            true => Some(client.runtime_artifacts().await),
            false => None,
        }
    };
    let packages = async {
        match plan.packages {
            true => Some(crate::headless::gather::fetch_packages(client, &needs.packages).await),
            false => None,
        }
    };
    let queues = async {
        match plan.queues {
            true => Some(crate::headless::gather::fetch_queues(client, &needs).await),
            false => None,
        }
    };
    let broker = async {
        match plan.broker {
            true => Some(client.jms_broker().await),
            false => None,
        }
    };
    let keystore = async {
        match plan.keystore {
            true => Some(client.keystore_entries().await),
            false => None,
        }
    };
    let messages = async {
        match &plan.messages {
            Some(m) => Some(fetch_messages(client, m).await),
            None => None,
        }
    };
    let ping = async {
        match plan.ping {
            true => Some(client.runtime_artifact_count().await),
            false => None,
        }
    };
    let (artifacts, packages, queues, broker, keystore, messages, ping) =
        tokio::join!(artifacts, packages, queues, broker, keystore, messages, ping);
    let mut out = MonitorFetched {
        generation: plan.generation,
        at: super::poll::now_ms(),
        ..MonitorFetched::default()
    };
    out.artifacts = note(&mut out.answered, &mut out.error, artifacts);
    out.packages = note(&mut out.answered, &mut out.error, packages);
    out.queues = note(&mut out.answered, &mut out.error, queues);
    out.broker = note(&mut out.answered, &mut out.error, broker);
    out.keystore = note(&mut out.answered, &mut out.error, keystore);
    out.messages = note(&mut out.answered, &mut out.error, messages);
    let _ = note(&mut out.answered, &mut out.error, ping);
    out
}

/// Turn a part's result into text errors, noting whether the tenant answered.
fn note<T>(
    answered: &mut bool,
    first_error: &mut Option<String>,
    r: Option<Result<T, CpiError>>,
) -> Option<Result<T, String>> {
    Some(match r? {
        Ok(v) => {
            *answered = true;
            Ok(v)
        }
        Err(e) => {
            // As in `headless::gather`: a 4xx is the tenant refusing, not the tenant down.
            if e.status().is_some_and(|s| (400..500).contains(&s)) {
                *answered = true;
            }
            let text = e.to_string();
            tracing::warn!(error = %text, "monitor data not fetched");
            first_error.get_or_insert_with(|| text.clone());
            Err(text)
        }
    })
}

async fn fetch_messages(
    client: &CpiClient,
    m: &MessagesFetch,
) -> Result<(Vec<MplBatch>, MplFollow), CpiError> {
    let (sink, mut pages) = mpsc::channel::<MplBatch>(8);
    let decoder: MplDecoder<MplBatch> = Arc::new(|b: Bytes| MplBatch::decode(&b));
    let load = async {
        match &m.follow {
            Some(f) => {
                client
                    .fetch_mpl_delta(&MplQuery::default(), f, decoder, sink, None)
                    .await
            }
            None => {
                let q = MplQuery {
                    from: Some(m.from),
                    ..MplQuery::default()
                };
                client.fetch_mpl_window(&q, decoder, sink, None).await
            }
        }
    };
    let collect = async {
        let mut out = Vec::new();
        while let Some(p) = pages.recv().await {
            out.push(p);
        }
        out
    };
    let (outcome, batches) = tokio::join!(load, collect);
    outcome.map(|o| (batches, o.follow))
}
