//! What one monitor round reads, fetched in parallel: the TUI's monitor poller and the gatherer
//! of `cpitop check`/`watch` both call [`fetch`] with a [`FetchPlan`] (the TUI's leaves out what
//! a polling pane provides fresh). A part that fails is missing for this round; whether the
//! tenant answered at all (for `tenant_unreachable`) is decided from the errors' kinds.

use super::FetchError;
use crate::cpi::model::{JmsBroker, KeystoreEntry, RuntimeArtifact};
use crate::cpi::odata::EpochMs;
use crate::cpi::{CpiClient, CpiError, MplFollow, MplQuery};
use crate::monitor::{Needs, PackageMap, QueueSnapshot};
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
    /// The scoped packages whose design-time artifacts are read (none: no package listing).
    pub packages: Vec<String>,
    /// The queue list (with the messages of the queues matching `queue_messages`).
    pub queues: bool,
    pub queue_messages: Vec<String>,
    pub broker: bool,
    pub keystore: bool,
    pub messages: Option<MessagesFetch>,
    /// One cheap call (`IntegrationRuntimeArtifacts/$count`) so `tenant_unreachable` has an
    /// answer to time while nothing else is asked.
    pub ping: bool,
    /// Someone is waiting for this round (the TUI's first: the Alerts pane has nothing to show
    /// before it): its requests go ahead of background loads in the client's limiter.
    pub foreground: bool,
}

impl FetchPlan {
    /// What the round reads, in words (`artifacts`, `messages of the last 15m`, …), for a pane
    /// that says what it waits for.
    pub fn parts(&self, now: EpochMs) -> Vec<String> {
        let mut out = Vec::new();
        if self.artifacts {
            out.push("artifacts".to_string());
        }
        if !self.packages.is_empty() {
            out.push(format!("packages {}", self.packages.join(", ")));
        }
        match (self.queues, self.queue_messages.is_empty()) {
            (true, true) => out.push("queues".into()),
            (true, false) => out.push("queues and their messages".into()),
            (false, _) => {}
        }
        if self.broker {
            out.push("the JMS broker".into());
        }
        if self.keystore {
            out.push("the keystore".into());
        }
        if let Some(m) = &self.messages {
            out.push(match m.follow {
                Some(_) => "new messages".to_string(),
                None => format!(
                    "messages of the last {}",
                    crate::kit::format::window_label(now - m.from)
                ),
            });
        }
        if self.ping {
            out.push("a sign of life from the tenant".into());
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        !(self.ping
            || self.artifacts
            || !self.packages.is_empty()
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
    pub artifacts: Option<Result<Vec<RuntimeArtifact>, FetchError>>,
    pub packages: Option<Result<PackageMap, FetchError>>,
    pub queues: Option<Result<Vec<QueueSnapshot>, FetchError>>,
    pub broker: Option<Result<JmsBroker, FetchError>>,
    pub keystore: Option<Result<Vec<KeystoreEntry>, FetchError>>,
    /// Decoded pages and the state for the next delta.
    pub messages: Option<Result<(Vec<MplBatch>, MplFollow), FetchError>>,
    /// Whether the tenant answered any call (an HTTP 4xx is an answer).
    pub answered: bool,
    /// The first failure's text (secret-free, from the client's errors).
    pub error: Option<String>,
}

/// Fetch the parts of `plan` in parallel (the client's limiter bounds requests in flight).
pub async fn fetch(client: &CpiClient, plan: &FetchPlan) -> MonitorFetched {
    let needs = Needs {
        queues: plan.queues,
        queue_messages: plan.queue_messages.clone(),
        ..Needs::default()
    };
    let artifacts = async {
        match plan.artifacts {
            true => Some(super::artifacts::list(client).await),
            false => None,
        }
    };
    let packages = async {
        match plan.packages.is_empty() {
            false => Some(super::packages::of_scoped(client, &plan.packages).await),
            true => None,
        }
    };
    let queues = async {
        match plan.queues {
            true => Some(super::queues::for_rules(client, &needs).await),
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
            true => Some(super::keystore::entries(client).await),
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
            true => Some(super::artifacts::ping(client).await),
            false => None,
        }
    };
    let (artifacts, packages, queues, broker, keystore, messages, ping) =
        tokio::join!(artifacts, packages, queues, broker, keystore, messages, ping);
    let mut out = MonitorFetched {
        generation: plan.generation,
        at: super::now_ms(),
        ..MonitorFetched::default()
    };
    out.artifacts = note("artifacts", &mut out.answered, &mut out.error, artifacts);
    out.packages = note("packages", &mut out.answered, &mut out.error, packages);
    out.queues = note("queues", &mut out.answered, &mut out.error, queues);
    out.broker = note("broker", &mut out.answered, &mut out.error, broker);
    out.keystore = note("keystore", &mut out.answered, &mut out.error, keystore);
    out.messages = note("messages", &mut out.answered, &mut out.error, messages);
    let _ = note("ping", &mut out.answered, &mut out.error, ping);
    out
}

/// Keep a part's result with its typed error, noting whether the tenant answered.
fn note<T>(
    part: &str,
    answered: &mut bool,
    first_error: &mut Option<String>,
    r: Option<Result<T, CpiError>>,
) -> Option<Result<T, FetchError>> {
    Some(match r? {
        Ok(v) => {
            *answered = true;
            Ok(v)
        }
        Err(e) => {
            let e = FetchError::from(e);
            // A 4xx is the tenant refusing, not the tenant down.
            if e.tenant_answered() {
                *answered = true;
            }
            tracing::warn!(part, error = %e, "monitor data not fetched");
            first_error.get_or_insert_with(|| e.to_string());
            Err(e)
        }
    })
}

async fn fetch_messages(
    client: &CpiClient,
    m: &MessagesFetch,
) -> Result<(Vec<MplBatch>, MplFollow), CpiError> {
    let query = MplQuery {
        from: Some(m.from),
        ..MplQuery::default()
    };
    // A delta asks for everything new since the last load (the query's window is the load's).
    let query = match &m.follow {
        Some(_) => MplQuery::default(),
        None => query,
    };
    let (outcome, batches) = super::messages::collect(client, &query, m.follow.as_ref()).await?;
    Ok((batches, outcome.follow))
}
