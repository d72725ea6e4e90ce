//! Snapshot gathering for `check` and `watch`: fetch only what the active monitors read
//! ([`Needs`]), the parts in parallel (the client's limiter bounds the requests in flight), and
//! keep the message data fresh with watermark deltas.
//!
//! A part that fails is *missing* for this round (its rules report `not_calculated`); the
//! failure is reported in [`GatherReport`]. Whether the tenant answered at all feeds
//! [`TenantHealth`] (for `tenant_unreachable`).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt as _;
use futures_util::future::{BoxFuture, FutureExt as _};
use tokio::sync::mpsc;

use crate::cpi::model::{JmsBroker, JmsMessage, KeystoreEntry, RuntimeArtifact};
use crate::cpi::odata::EpochMs;
use crate::cpi::{CpiClient, CpiError, MplDecoder, MplFollow, MplQuery};
use crate::monitor::{
    ArtifactTracker, MessageStats, Needs, PackageMap, QueueSnapshot, Snapshot, StoreStats, TenantHealth,
};
use crate::store::{MessageStore, MplBatch, StoreLimits};

/// Extra age kept in the message store beyond the longest rule window.
const STORE_SLACK_MS: i64 = 5 * 60_000;
/// Queue listings fetched at once (the client's limiter still applies).
const QUEUE_FETCH_PARALLEL: usize = 4;

/// The non-message data of the last round; `None` = not needed or failed this round.
#[derive(Debug, Default)]
pub struct Parts {
    pub artifacts: Option<Vec<RuntimeArtifact>>,
    pub packages: Option<PackageMap>,
    pub queues: Option<Vec<QueueSnapshot>>,
    pub broker: Option<JmsBroker>,
    pub keystore: Option<Vec<KeystoreEntry>>,
}

/// Messages kept fresh: one window load, then deltas from the watermark.
#[derive(Debug)]
struct MessageFeed {
    store: MessageStore,
    window_ms: i64,
    /// Start of the completely loaded range (`None` until the first window load succeeds).
    from: Option<EpochMs>,
    /// Where the next delta starts (`None` until the first window load succeeds).
    follow: Option<MplFollow>,
}

/// A part that could not be read this round, with its cause.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PartFailure {
    /// `artifacts`, `messages`, `queues`, `broker`, `keystore`, `packages`.
    pub part: &'static str,
    /// The HTTP status of the reply, if there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The whole error: what happened, where, and what to check.
    pub error: String,
    /// What to check, in a few words (the missing role of a 403, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
}

impl PartFailure {
    fn of(part: &'static str, e: &CpiError) -> Self {
        Self {
            part,
            status: e.status(),
            error: e.to_string(),
            check: e.what_to_check(),
        }
    }
}

/// What one round fetched and what failed.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct GatherReport {
    /// Parts fetched successfully this round.
    pub fetched: Vec<&'static str>,
    /// Each part that failed, with its cause.
    pub failed: Vec<PartFailure>,
    /// Messages inserted or updated by this round's message load.
    pub messages_changed: usize,
}

/// One tenant's data source for monitor evaluation.
pub struct Gatherer {
    client: CpiClient,
    tenant: String,
    needs: Needs,
    messages: Option<MessageFeed>,
    parts: Parts,
    pub tracker: ArtifactTracker,
    pub health: TenantHealth,
    /// Why each part is missing this round (`Snapshot::part_errors`).
    part_errors: Vec<(&'static str, String)>,
}

impl Gatherer {
    /// `message_window`: how far back messages are needed (`None`: no messages); usually
    /// `needs.message_window`, longer for `watch` (which reports failed messages).
    pub fn new(
        client: CpiClient,
        tenant: &str,
        needs: Needs,
        message_window: Option<Duration>,
        tracker: ArtifactTracker,
        health: TenantHealth,
    ) -> Self {
        let messages = message_window.map(|w| {
            let window_ms = i64::try_from(w.as_millis()).unwrap_or(i64::MAX / 4);
            let max_age = Duration::from_millis(
                u64::try_from(window_ms.saturating_add(STORE_SLACK_MS)).unwrap_or(u64::MAX),
            );
            MessageFeed {
                store: MessageStore::new(StoreLimits {
                    max_messages: StoreLimits::default().max_messages,
                    max_age: Some(max_age),
                }),
                window_ms,
                from: None,
                follow: None,
            }
        });
        Self {
            client,
            tenant: tenant.to_string(),
            needs,
            messages,
            parts: Parts::default(),
            tracker,
            health,
            part_errors: Vec::new(),
        }
    }

    pub fn client(&self) -> &CpiClient {
        &self.client
    }
    pub fn needs(&self) -> &Needs {
        &self.needs
    }
    pub fn parts(&self) -> &Parts {
        &self.parts
    }

    /// The current time on the tenant's clock (local clock corrected by the observed skew).
    pub fn now(&self) -> EpochMs {
        self.client.server_now()
    }

    /// Fetch every needed part once (in parallel) and update tracker and health. `now` is the
    /// evaluation time (tenant clock).
    pub async fn refresh(&mut self, now: EpochMs) -> GatherReport {
        let needs = &self.needs;
        let client = &self.client;
        let artifacts = async {
            if needs.artifacts {
                Some(client.runtime_artifacts().await)
            } else {
                None
            }
        };
        let packages = async {
            if needs.packages.is_empty() {
                None
            } else {
                Some(fetch_packages(client, &needs.packages).await)
            }
        };
        let queues = async {
            if needs.queues {
                Some(fetch_queues(client, needs).await)
            } else {
                None
            }
        };
        let broker = async {
            if needs.broker {
                Some(client.jms_broker().await)
            } else {
                None
            }
        };
        let keystore = async {
            if needs.keystore {
                Some(client.keystore_entries().await)
            } else {
                None
            }
        };
        let messages = refresh_messages(client, self.messages.as_mut(), now);
        let (artifacts, packages, queues, broker, keystore, messages) =
            tokio::join!(artifacts, packages, queues, broker, keystore, messages);

        let mut report = GatherReport::default();
        let mut answered = false;
        let mut last_error: Option<String> = None;
        let mut note = |part: &'static str, r: Result<(), &CpiError>, report: &mut GatherReport| match r {
            Ok(()) => {
                answered = true;
                report.fetched.push(part);
            }
            Err(e) => {
                // An HTTP 4xx is an answer (the tenant is up; the call is refused or absent);
                // no reply, a timeout or a 5xx counts as the tenant not answering.
                if e.status().is_some_and(|s| (400..500).contains(&s)) {
                    answered = true;
                }
                last_error.get_or_insert_with(|| e.to_string());
                tracing::warn!(tenant = %self.tenant, part, error = %e, "monitor data not fetched");
                report.failed.push(PartFailure::of(part, e));
            }
        };
        self.parts.artifacts = take("artifacts", artifacts, &mut note, &mut report);
        self.parts.packages = take("packages", packages, &mut note, &mut report);
        // A package whose listing failed is missing on its own (its scope's rules say why).
        if let Some(p) = &self.parts.packages {
            for (pkg, e) in &p.failed {
                report.failed.push(PartFailure {
                    part: "packages",
                    status: None,
                    error: format!("package {pkg}: {e}"),
                    check: None,
                });
            }
        }
        self.parts.queues = take("queues", queues, &mut note, &mut report);
        self.parts.broker = take("broker", broker, &mut note, &mut report);
        self.parts.keystore = take("keystore", keystore, &mut note, &mut report);
        if let Some(m) = messages {
            match m {
                Ok(changed) => {
                    report.messages_changed = changed;
                    note("messages", Ok(()), &mut report);
                }
                Err(e) => note("messages", Err(&e), &mut report),
            }
        }
        self.part_errors = report.failed.iter().map(|f| (f.part, f.error.clone())).collect();
        if let Some(a) = &self.parts.artifacts {
            self.tracker.observe(a, now);
        }
        self.health.watching_since.get_or_insert(now);
        if answered {
            self.health.last_success = Some(now);
            self.health.last_error = None;
        } else if let Some(e) = last_error {
            self.health.last_error = Some(e);
        }
        report
    }

    /// The loaded messages with the range known completely (`None` if no messages are kept).
    pub fn message_stats(&self) -> Option<StoreStats<'_>> {
        let feed = self.messages.as_ref()?;
        let coverage = match (feed.from, feed.follow.as_ref().map(MplFollow::watermark)) {
            (Some(from), Some(to)) => {
                // Eviction by age moves the start up.
                let evicted_below = to.saturating_sub(feed.window_ms).saturating_sub(STORE_SLACK_MS);
                Some((from.max(evicted_below), to))
            }
            _ => None,
        };
        Some(StoreStats::new(&feed.store, coverage))
    }

    /// Run `f` on a snapshot of the current data.
    pub fn with_snapshot<R>(&self, f: impl FnOnce(&Snapshot<'_>) -> R) -> R {
        let stats = self.message_stats();
        let mut s = Snapshot::new(&self.tenant);
        s.artifacts = self.parts.artifacts.as_deref();
        s.not_started_since = self.parts.artifacts.as_ref().map(|_| self.tracker.since());
        s.not_started_at_start = self.parts.artifacts.as_ref().map(|_| self.tracker.at_start());
        s.packages = self.parts.packages.as_ref();
        s.messages = stats.as_ref().map(|m| m as &dyn MessageStats);
        s.queues = self.parts.queues.as_deref();
        s.broker = self.parts.broker.as_ref();
        s.keystore = self.parts.keystore.as_deref();
        s.health = self.needs.health.then_some(&self.health);
        s.part_errors = &self.part_errors;
        f(&s)
    }
}

fn take<T, F>(
    part: &'static str,
    r: Option<Result<T, CpiError>>,
    note: &mut F,
    report: &mut GatherReport,
) -> Option<T>
where
    F: FnMut(&'static str, Result<(), &CpiError>, &mut GatherReport),
{
    match r? {
        Ok(v) => {
            note(part, Ok(()), report);
            Some(v)
        }
        Err(e) => {
            note(part, Err(&e), report);
            None
        }
    }
}

/// The design-time artifacts of the scoped packages (`ids`), one call per package — only what
/// message rows cannot tell (their `IntegrationArtifact/PackageId` names the package of every
/// iFlow that logged). Degrades per package: a package whose listing fails is named in
/// `PackageMap::failed` and the others are still known. `Err` only when none answered and the
/// tenant did not answer at all (a timeout, 5xx), so that reachability is not misjudged.
pub(crate) async fn fetch_packages(client: &CpiClient, ids: &[String]) -> Result<PackageMap, CpiError> {
    // Boxed futures collected first: a closure or a borrowing `async` block inside the stream's
    // type makes the whole future not `Send` for every lifetime (rust-lang/rust#102211).
    let calls: Vec<BoxFuture<'_, _>> = ids
        .iter()
        .map(|p| async move { (p.clone(), client.designtime_artifacts(p).await) }.boxed())
        .collect();
    let lists: Vec<_> = futures_util::stream::iter(calls)
        .buffer_unordered(QUEUE_FETCH_PARALLEL)
        .collect()
        .await;
    let mut map = PackageMap::default();
    let mut silent: Option<CpiError> = None;
    for (pkg, list) in lists {
        match list {
            Ok(arts) => {
                for a in arts {
                    map.artifacts.insert(a.id, pkg.clone());
                }
                map.listed.insert(pkg);
            }
            Err(e) => {
                tracing::warn!(package = %pkg, error = %e, "design-time artifacts of a package not read");
                if !e.status().is_some_and(|s| (400..500).contains(&s)) {
                    silent.get_or_insert(e.clone());
                }
                map.failed.insert(pkg, e.to_string());
            }
        }
    }
    match silent {
        Some(e) if map.listed.is_empty() && map.failed.len() == ids.len() => Err(e),
        _ => Ok(map),
    }
}

/// The queue list, and the messages of the queues the rules look into. A queue whose listing
/// fails keeps `messages: None` (its age/blocked rules then say so).
pub(crate) async fn fetch_queues(client: &CpiClient, needs: &Needs) -> Result<Vec<QueueSnapshot>, CpiError> {
    let queues = client.queues().await?;
    let calls: Vec<BoxFuture<'_, (usize, Option<Vec<JmsMessage>>)>> = queues
        .iter()
        .enumerate()
        // An empty queue has no messages to list (the queue list says so).
        .filter(|(_, q)| needs.queue_messages_of(&q.name) && q.numb_of_msgs > 0)
        .map(|(i, q)| {
            async move {
                match client.queue_messages(&q.name).await {
                    Ok(m) => (i, Some(m)),
                    Err(e) => {
                        tracing::warn!(queue = %q.name, error = %e, "queue messages not listed");
                        (i, None)
                    }
                }
            }
            .boxed()
        })
        .collect();
    let listed: Vec<(usize, Option<Vec<JmsMessage>>)> = futures_util::stream::iter(calls)
        .buffer_unordered(QUEUE_FETCH_PARALLEL)
        .collect()
        .await;
    let mut out: Vec<QueueSnapshot> = queues
        .into_iter()
        .map(|queue| QueueSnapshot {
            queue,
            messages: None,
        })
        .collect();
    for q in out.iter_mut() {
        if q.queue.numb_of_msgs <= 0 && needs.queue_messages_of(&q.queue.name) {
            q.messages = Some(Vec::new());
        }
    }
    for (i, m) in listed {
        out[i].messages = m;
    }
    Ok(out)
}

/// Load the window (first time, or until it once succeeds) or the delta since the watermark,
/// merging pages into the store as they arrive. Returns the rows inserted or updated; `None` if
/// no messages are kept.
async fn refresh_messages(
    client: &CpiClient,
    feed: Option<&mut MessageFeed>,
    now: EpochMs,
) -> Option<Result<usize, CpiError>> {
    let feed = feed?;
    let (tx, mut rx) = mpsc::channel::<MplBatch>(8);
    let decoder: MplDecoder<MplBatch> = Arc::new(|b: Bytes| MplBatch::decode(&b));
    let window_from = now.saturating_sub(feed.window_ms);
    let load = async {
        match &feed.follow {
            Some(f) => {
                client
                    .fetch_mpl_delta(&MplQuery::default(), f, decoder, tx, None)
                    .await
            }
            None => {
                let q = MplQuery {
                    from: Some(window_from),
                    ..MplQuery::default()
                };
                client.fetch_mpl_window(&q, decoder, tx, None).await
            }
        }
    };
    let store = &mut feed.store;
    let merge = async {
        let mut changed = 0;
        while let Some(batch) = rx.recv().await {
            let s = store.merge(batch);
            changed += s.inserted + s.updated;
        }
        changed
    };
    let (outcome, changed) = tokio::join!(load, merge);
    match outcome {
        Ok(o) => {
            if feed.follow.is_none() {
                feed.from = Some(window_from);
            }
            feed.follow = Some(o.follow);
            feed.store.enforce_limits(now);
            Some(Ok(changed))
        }
        Err(e) => Some(Err(e)),
    }
}
