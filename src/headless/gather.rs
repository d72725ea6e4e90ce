//! Snapshot gathering for `check` and `watch`: fetch only what the active monitors read
//! ([`Needs`]), the parts in parallel through `resources::monitor_data` (the TUI's monitor poller
//! fetches the same way), and keep the message data fresh with watermark deltas.
//!
//! A part that fails is *missing* for this round (its rules report `not_calculated`); the
//! failure is reported in [`GatherReport`]. Whether the tenant answered at all feeds
//! [`TenantHealth`] (for `tenant_unreachable`).
//!
//! With an [`ErrorsFeed`] the failed messages of the window are grouped by error signature each
//! round (for the signature rules and `watch`'s events; `super::errors_feed`).

use std::time::Duration;

use crate::cpi::model::{JmsBroker, KeystoreEntry, RuntimeArtifact};
use crate::cpi::odata::EpochMs;
use crate::cpi::{CpiClient, CpiError, MplFollow};
use crate::monitor::{
    ArtifactTracker, MessageStats, Needs, PackageMap, QueueSnapshot, Snapshot, StoreStats, TenantHealth,
};
use crate::resources::FetchError;
use crate::resources::monitor_data::{self, FetchPlan, MessagesFetch};
use crate::store::{MessageStore, StoreLimits};

pub use super::errors_feed::ErrorsFeed;

/// Extra age kept in the message store beyond the longest rule window.
const STORE_SLACK_MS: i64 = 5 * 60_000;

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
    fn of(part: &'static str, e: &FetchError) -> Self {
        Self {
            part,
            status: e.cause().and_then(CpiError::status),
            error: e.to_string(),
            check: e.cause().and_then(CpiError::what_to_check),
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
    /// Failed messages grouped by error signature (`None`: not asked for).
    pub errors: Option<ErrorsFeed>,
    /// The tenant's landscape side by side and since when its artifacts drift
    /// (`version_drift`; `None`: not read).
    pub landscape: Option<(crate::landscape::DriftTable, crate::landscape::DriftTracker)>,
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
            errors: None,
            landscape: None,
        }
    }

    /// Group the window's failed messages by error signature every round.
    pub fn with_errors(mut self, feed: ErrorsFeed) -> Self {
        self.errors = Some(feed);
        self
    }

    /// The window's failed messages grouped by signature, their texts read newest first within
    /// the budget at `now` (after `refresh`; nothing without messages).
    pub async fn group_errors(&mut self, now: EpochMs) {
        let (Some(feed), Some(msgs)) = (self.errors.as_mut(), self.messages.as_ref()) else {
            return;
        };
        let Some(from) = msgs.from else { return };
        let from = from.max(now.saturating_sub(msgs.window_ms));
        feed.refresh(&self.client, &msgs.store, from, now).await;
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

    /// Fetch every needed part once (in parallel, `resources::monitor_data`, as the TUI's monitor
    /// poller does) and update tracker and health. `now` is the evaluation time (tenant clock).
    pub async fn refresh(&mut self, now: EpochMs) -> GatherReport {
        let needs = &self.needs;
        let plan = FetchPlan {
            artifacts: needs.artifacts,
            packages: needs.packages.clone(),
            queues: needs.queues,
            queue_messages: needs.queue_messages.clone(),
            broker: needs.broker,
            keystore: needs.keystore,
            messages: self.messages.as_ref().map(|feed| MessagesFetch {
                from: now.saturating_sub(feed.window_ms),
                follow: feed.follow.clone(),
            }),
            ..FetchPlan::default()
        };
        let f = monitor_data::fetch(&self.client, &plan).await;
        let mut report = GatherReport::default();
        self.parts.artifacts = take("artifacts", f.artifacts, &mut report);
        self.parts.packages = take("packages", f.packages, &mut report);
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
        self.parts.queues = take("queues", f.queues, &mut report);
        self.parts.broker = take("broker", f.broker, &mut report);
        self.parts.keystore = take("keystore", f.keystore, &mut report);
        if let (Some(feed), Some(m)) = (self.messages.as_mut(), take("messages", f.messages, &mut report)) {
            let (batches, follow) = m;
            let mut changed = 0;
            for b in batches {
                let s = feed.store.merge(b);
                changed += s.inserted + s.updated;
            }
            if feed.follow.is_none() {
                feed.from = plan.messages.as_ref().map(|m| m.from);
            }
            feed.follow = Some(follow);
            feed.store.enforce_limits(now);
            report.messages_changed = changed;
        }
        for f in &report.failed {
            tracing::warn!(tenant = %self.tenant, part = f.part, error = %f.error, "monitor data not fetched");
        }
        self.part_errors = report.failed.iter().map(|f| (f.part, f.error.clone())).collect();
        if let Some(a) = &self.parts.artifacts {
            self.tracker.observe(a, now);
        }
        self.health.watching_since.get_or_insert(now);
        // An HTTP 4xx is an answer (the tenant is up; the call is refused or absent); no reply,
        // a timeout or a 5xx counts as the tenant not answering.
        if f.answered {
            self.health.last_success = Some(now);
            self.health.last_error = None;
        } else if let Some(e) = f.error {
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
        s.errors = self.errors.as_ref().and_then(|e| {
            Some(crate::monitor::ErrorSignatures {
                grouped: e.grouped.as_ref()?,
                seen: &e.seen,
            })
        });
        s.drift = self.landscape.as_ref().map(|(t, _)| t);
        s.drift_since = self.landscape.as_ref().map(|(_, t)| t);
        s.part_errors = &self.part_errors;
        f(&s)
    }
}

/// A part's result for the round: kept when fetched, reported when it failed.
fn take<T>(part: &'static str, r: Option<Result<T, FetchError>>, report: &mut GatherReport) -> Option<T> {
    match r? {
        Ok(v) => {
            report.fetched.push(part);
            Some(v)
        }
        Err(e) => {
            report.failed.push(PartFailure::of(part, &e));
            None
        }
    }
}
