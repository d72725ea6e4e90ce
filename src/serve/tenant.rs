//! One tenant's pollers and monitors, headless: exactly one task per resource (artifacts, the
//! message window and its deltas, queues with the broker, the keystore) and one monitor
//! evaluator, however many scrapes, OTLP pushes and `/events` clients there are. Each poller
//! fetches through `crate::resources` (the TUI's and `check`/`watch`'s fetchers) with the
//! tenant's one `CpiClient` (its limiter, retries and budgets), then reduces the answer into the
//! held state (`state::Held`, what scrapes read) and the monitors' inputs.
//!
//! After each message poll the window's failed messages are grouped by error signature as `watch`
//! groups them (`headless::errors_feed`): error texts are read within the `[errors] budget` per
//! minute — the newly failed messages' first (at most `error_texts_per_round` a poll, and as many
//! of the budget, up to half, kept for them), then the older ones newest first — never twice, never
//! for a DISCARDED message. The grouping gives the newly failed messages their signature (events,
//! OTLP log records), the metrics their error-signature counts and the signature rules their
//! input; the signatures seen are remembered in the state dir.
//!
//! A poller that fails backs off (its interval doubled per failure, at most five minutes, with
//! jitter) and keeps the last good values for the metrics; the monitors see the part as missing
//! (their rules say `not_calculated`), as `check`/`watch` do.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::events::Hub;
use super::otlp::{FailedMessage, Otlp};
use super::state::{QueueMetric, Resource, TenantState, signature_metrics};
use crate::config::ErrorsConfig;
use crate::cpi::model::{JmsBroker, KeystoreEntry, MplStatus, RuntimeArtifact};
use crate::cpi::odata::EpochMs;
use crate::cpi::{CpiClient, MplFollow, MplQuery, QueueListing};
use crate::headless::errors_feed::{ErrorsFeed, Priority};
use crate::monitor::glob::glob_match;
use crate::monitor::notify::NotifierInput;
use crate::monitor::{
    ArtifactTracker, ErrorSignatures, MessageRef, MonitorsConfig, Needs, NewFailures, QueueSnapshot,
    Snapshot, StoreStats, TenantHealth, TenantMonitors, needs,
};
use crate::resources::FetchError;
use crate::resources::queues::{Listing, QueueStats, is_dlq};
use crate::store::{MessageStore, MplBatch, StoreLimits};

/// Extra age kept in the message store beyond the window (as `check`/`watch` keep).
const STORE_SLACK_MS: i64 = 5 * 60_000;

/// How long a counted message's id is remembered after it was last seen: far beyond what a
/// delta looks back (its overlap, 10 s by default), so nothing is counted twice, while a busy
/// tenant's hour is not held twice in memory.
const COUNTED_ID_RETENTION_MS: i64 = 15 * 60_000;

/// Packages (for package-scoped monitors) are read with every this many artifact polls.
const PACKAGES_EVERY: u64 = 10;

/// One tenant to serve.
#[derive(Debug, Clone)]
pub struct TenantSetup {
    pub name: String,
    pub client: CpiClient,
    pub artifacts_every: Duration,
    pub messages_every: Duration,
    pub queues_every: Duration,
    /// The message window held (monitors' longer windows and the failure look-back extend it).
    pub window: Duration,
    pub max_rows: usize,
}

/// What every tenant of the process shares.
#[derive(Clone)]
pub struct Shared {
    pub hub: Hub,
    pub otlp: Option<Arc<Otlp>>,
    pub notify: Option<mpsc::UnboundedSender<NotifierInput>>,
    pub monitors: Arc<MonitorsConfig>,
    /// `[errors]`: signature rules, error-text budget, custom statuses.
    pub errors: Arc<ErrorsConfig>,
    /// Error-signature groups with their own series per tenant.
    pub max_signatures: usize,
    pub keystore_every: Duration,
    /// Newly failed messages whose error texts are read first, per message poll.
    pub error_texts_per_round: usize,
    pub read_queue_messages: String,
    /// Monitor state, history, artifact tracker and tenant health (`None`: in memory only).
    pub state_dir: Option<PathBuf>,
    /// How far back newly failed messages are looked for (`watch`'s look-back).
    pub failure_lookback: Duration,
}

/// The monitors' inputs and the message window (the parts of the answers that metrics do not
/// keep), behind one lock that is never held across an `.await`.
struct Data {
    artifacts: Option<Vec<RuntimeArtifact>>,
    packages: Option<crate::monitor::PackageMap>,
    tracker: ArtifactTracker,
    queues: Option<Vec<QueueSnapshot>>,
    broker: Option<JmsBroker>,
    keystore: Option<Vec<KeystoreEntry>>,
    store: MessageStore,
    window_ms: i64,
    /// Start of the completely loaded range (after the first window load).
    from: Option<EpochMs>,
    follow: Option<MplFollow>,
    failures: NewFailures,
    /// The window's failed messages grouped by error signature.
    errors: ErrorsFeed,
}

impl Data {
    fn stats(&self) -> StoreStats<'_> {
        stats_of(&self.store, self.from, self.follow.as_ref(), self.window_ms)
    }
}

/// The held window with the range known completely (window start, moved up by eviction, to the
/// delta watermark), as `check`/`watch` compute it.
fn stats_of<'a>(
    store: &'a MessageStore,
    from: Option<EpochMs>,
    follow: Option<&MplFollow>,
    window_ms: i64,
) -> StoreStats<'a> {
    let coverage = match (from, follow.map(MplFollow::watermark)) {
        (Some(from), Some(to)) => {
            let evicted_below = to.saturating_sub(window_ms).saturating_sub(STORE_SLACK_MS);
            Some((from.max(evicted_below), to))
        }
        _ => None,
    };
    StoreStats::new(store, coverage)
}

struct Runtime {
    setup: TenantSetup,
    state: Arc<TenantState>,
    shared: Shared,
    needs: Needs,
    data: Mutex<Data>,
    cancel: CancellationToken,
}

impl Runtime {
    fn data(&self) -> MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now(&self) -> EpochMs {
        self.setup.client.server_now()
    }

    /// Record a poll's outcome in the held state; a change of reachability is published.
    fn record(&self, r: Resource, outcome: Result<(), &FetchError>) {
        let now = crate::resources::now_ms();
        let o = outcome.map_err(|e| (e.to_string(), e.tenant_answered()));
        let (changed, error) = {
            let mut h = self.state.write();
            let changed = h.record_poll(r, now, o);
            (changed, h.poll(r).last_error.clone())
        };
        if let Some(reachable) = changed {
            let error = if reachable { None } else { error };
            tracing::info!(tenant = %self.setup.name, reachable, "tenant reachability changed");
            self.shared
                .hub
                .reachability(&self.setup.name, reachable, error.as_deref(), now);
        }
    }

    /// Sleep until the next poll (backing off after failures); `false` when cancelled.
    async fn pause(&self, interval: Duration, failures: u32) -> bool {
        tokio::select! {
            _ = self.cancel.cancelled() => false,
            _ = tokio::time::sleep(backoff(interval, failures)) => true,
        }
    }

    async fn artifacts_loop(self: Arc<Self>) {
        let mut failures = 0u32;
        let mut round = 0u64;
        loop {
            let packages_due = !self.needs.packages.is_empty() && round % PACKAGES_EVERY == 0;
            let fetch = async {
                let list = crate::resources::artifacts::list(&self.setup.client).await;
                let packages = match packages_due {
                    true => Some(
                        crate::resources::packages::of_scoped(&self.setup.client, &self.needs.packages).await,
                    ),
                    false => None,
                };
                (list, packages)
            };
            let (list, packages) = tokio::select! {
                _ = self.cancel.cancelled() => return,
                r = fetch => r,
            };
            round += 1;
            let now = self.now();
            match list {
                Ok(list) => {
                    self.state.write().set_artifacts(&list);
                    let mut d = self.data();
                    d.tracker.observe(&list, now);
                    d.artifacts = Some(list);
                    match packages {
                        Some(Ok(p)) => d.packages = Some(p),
                        Some(Err(e)) => {
                            tracing::warn!(tenant = %self.setup.name, error = %e, "packages not read")
                        }
                        None => {}
                    }
                    drop(d);
                    self.record(Resource::Artifacts, Ok(()));
                    failures = 0;
                }
                Err(e) => {
                    let e = FetchError::from(e);
                    tracing::warn!(tenant = %self.setup.name, error = %e, "artifacts not polled");
                    self.data().artifacts = None;
                    self.record(Resource::Artifacts, Err(&e));
                    failures += 1;
                }
            }
            if !self.pause(self.setup.artifacts_every, failures).await {
                return;
            }
        }
    }

    async fn messages_loop(self: Arc<Self>) {
        let mut failures = 0u32;
        loop {
            let (query, follow) = {
                let d = self.data();
                let query = match &d.follow {
                    // A delta asks for everything new since the last load.
                    Some(_) => MplQuery::default(),
                    None => MplQuery {
                        from: Some(self.now().saturating_sub(d.window_ms)),
                        ..MplQuery::default()
                    },
                };
                (query, d.follow.clone())
            };
            let r = tokio::select! {
                _ = self.cancel.cancelled() => return,
                r = crate::resources::messages::collect(&self.setup.client, &query, follow.as_ref()) => r,
            };
            match r {
                Ok((outcome, batches)) => {
                    let fresh = self.take_messages(query.from, outcome.follow, batches);
                    self.record(Resource::Messages, Ok(()));
                    failures = 0;
                    self.report_failures(fresh).await;
                }
                Err(e) => {
                    let e = FetchError::from(e);
                    tracing::warn!(tenant = %self.setup.name, error = %e, "messages not polled");
                    self.record(Resource::Messages, Err(&e));
                    failures += 1;
                }
            }
            if !self.pause(self.setup.messages_every, failures).await {
                return;
            }
        }
    }

    /// Count the pages (each message once), merge them into the window, recount what is in
    /// flight and find the newly failed messages.
    fn take_messages(
        &self,
        from: Option<EpochMs>,
        follow: MplFollow,
        batches: Vec<MplBatch>,
    ) -> Vec<MessageRef> {
        let now = self.now();
        {
            let mut h = self.state.write();
            let h = &mut *h;
            h.messages.observe(&batches, &mut h.iflow_labels);
        }
        let mut d = self.data();
        for b in batches {
            d.store.merge(b);
        }
        if d.follow.is_none() {
            d.from = from;
        }
        d.follow = Some(follow);
        d.store.enforce_limits(now);
        // In flight: PROCESSING and RETRY messages of the held window.
        let mut in_flight: HashMap<(Arc<str>, MplStatus), u64> = HashMap::new();
        let mut flows: Vec<(String, MplStatus)> = Vec::new();
        for r in 0..d.store.len() as u32 {
            let s = d.store.status(r);
            if matches!(s, MplStatus::Processing | MplStatus::Retry) {
                flows.push((d.store.row(r).iflow_id.to_string(), s));
            }
        }
        let window_ms = d.window_ms;
        let fresh = {
            let Data {
                store,
                from,
                follow,
                failures,
                ..
            } = &mut *d;
            let stats = stats_of(store, *from, follow.as_ref(), window_ms);
            failures.poll(&stats, now)
        };
        drop(d);
        let mut h = self.state.write();
        let h = &mut *h;
        for (iflow, s) in flows {
            *in_flight.entry((h.iflow_labels.label(&iflow), s)).or_default() += 1;
        }
        h.messages.in_flight = in_flight;
        h.messages
            .forget_before(now.saturating_sub(COUNTED_ID_RETENTION_MS));
        fresh
    }

    /// After a message poll: the window's failures regrouped by error signature (their texts
    /// read within the budget, the newly failed messages' first), then one `message_failed`
    /// event and one OTLP log record for each newly failed message, with its error text and
    /// signature; the signatures are remembered after they were reported (so an event says `new`
    /// once) and the held signature counts follow the grouping.
    async fn report_failures(&self, fresh: Vec<MessageRef>) {
        let now = self.now();
        let plan = {
            let mut d = self.data();
            let Data {
                store,
                from,
                follow,
                window_ms,
                errors,
                ..
            } = &mut *d;
            // The range known completely (as the monitors' message rules see it).
            let start = stats_of(store, *from, follow.as_ref(), *window_ms)
                .coverage
                .map_or(now.saturating_sub(*window_ms), |(start, _)| start);
            let first: Vec<&str> = fresh.iter().map(|m| m.guid.as_str()).collect();
            let per_round = self.shared.error_texts_per_round;
            let priority = Priority {
                first: &first,
                cap: per_round,
                reserve: per_round.min(errors.budget.per_minute() as usize / 2),
            };
            errors.plan(store, start, now, &priority)
        };
        let read = tokio::select! {
            _ = self.cancel.cancelled() => return,
            r = crate::resources::errors::texts(&self.setup.client, &plan.read) => r,
        };
        // The tenant's clock (as the message times are): observed is never before the time.
        let observed = self.now();
        let (reports, counts) = {
            let mut d = self.data();
            let e = &mut d.errors;
            e.regroup(plan, read);
            for f in &e.failed {
                tracing::debug!(tenant = %self.setup.name, "error text not read: {f}");
            }
            let reports: Vec<_> = fresh.iter().map(|m| e.report(m)).collect();
            e.observe(observed);
            let counts = e
                .grouped
                .as_ref()
                .map(|g| signature_metrics(g, self.shared.max_signatures));
            (reports, counts)
        };
        self.state.write().signatures = counts;
        for (m, sig) in reports {
            self.shared.hub.message_failed(&self.setup.name, &m, sig.clone());
            if let Some(o) = &self.shared.otlp {
                o.push_log(FailedMessage {
                    tenant: self.state.name.clone(),
                    guid: m.guid.clone(),
                    iflow: m.iflow.clone(),
                    status: m.status.as_str(),
                    error: m.error.clone(),
                    signature: sig.clone(),
                    time: m.time,
                    observed,
                });
            }
        }
    }

    async fn queues_loop(self: Arc<Self>) {
        let mut failures = 0u32;
        loop {
            let glob = self.shared.read_queue_messages.clone();
            let needs = self.needs.clone();
            let wanted = move |q: &crate::cpi::model::Queue| {
                (!glob.is_empty() && glob_match(&glob, &q.name)) || needs.queue_messages_of(&q.name)
            };
            let r = tokio::select! {
                _ = self.cancel.cancelled() => return,
                r = crate::resources::queues::fetch(&self.setup.client, &wanted, true) => r,
            };
            match r {
                Ok(listing) => {
                    self.take_queues(listing, &wanted);
                    failures = 0;
                }
                Err(e) => {
                    let e = FetchError::from(e);
                    tracing::warn!(tenant = %self.setup.name, error = %e, "queues not polled");
                    {
                        let mut d = self.data();
                        d.queues = None;
                        d.broker = None;
                    }
                    self.record(Resource::Queues, Err(&e));
                    failures += 1;
                }
            }
            if !self.pause(self.setup.queues_every, failures).await {
                return;
            }
        }
    }

    fn take_queues(&self, l: Listing, wanted: &dyn Fn(&crate::cpi::model::Queue) -> bool) {
        let now = self.now();
        let (broker, broker_err) = match l.broker {
            Some(Ok(b)) => (Some(b), None),
            Some(Err(e)) => (None, Some(FetchError::from(e))),
            None => (None, None),
        };
        let (snapshots, missing) = match l.queues {
            QueueListing::Listed(qs) => {
                let snaps: Vec<QueueSnapshot> = qs
                    .into_iter()
                    .zip(l.messages)
                    .map(|(queue, messages)| {
                        let messages = match messages {
                            None if queue.numb_of_msgs <= 0 && wanted(&queue) => Some(Vec::new()),
                            m => m,
                        };
                        QueueSnapshot { queue, messages }
                    })
                    .collect();
                (Some(snaps), None)
            }
            QueueListing::Missing(m) => (None, Some(m.explain())),
        };
        {
            let mut h = self.state.write();
            let h = &mut *h;
            h.queues = snapshots.as_ref().map(|snaps| {
                snaps
                    .iter()
                    .map(|s| QueueMetric {
                        label: h.queue_labels.label(&s.queue.name),
                        depth: s.queue.numb_of_msgs,
                        oldest: s.messages.as_deref().and_then(|m| QueueStats::of(m, now).oldest),
                        dlq: is_dlq(&s.queue.name),
                    })
                    .collect()
            });
            if broker.is_some() || broker_err.is_some() {
                h.broker = broker.clone();
            }
        }
        {
            let mut d = self.data();
            d.queues = snapshots;
            d.broker = broker;
        }
        if let Some(m) = &missing {
            tracing::debug!(tenant = %self.setup.name, "no queue list: {m}");
        }
        // The poll counts as answered when the list or the broker came back; a tenant without
        // a queue list (404/501) and without a broker is reported with the broker's error.
        match (&missing, &broker_err) {
            (Some(_), Some(e)) => self.record(Resource::Queues, Err(e)),
            _ => self.record(Resource::Queues, Ok(())),
        }
    }

    async fn keystore_loop(self: Arc<Self>) {
        let mut failures = 0u32;
        loop {
            let r = tokio::select! {
                _ = self.cancel.cancelled() => return,
                r = crate::resources::keystore::entries(&self.setup.client) => r,
            };
            match r {
                Ok(entries) => {
                    self.state.write().set_certificates(&entries);
                    self.data().keystore = Some(entries);
                    self.record(Resource::Keystore, Ok(()));
                    failures = 0;
                }
                Err(e) => {
                    let e = FetchError::from(e);
                    tracing::warn!(tenant = %self.setup.name, error = %e, "keystore not polled");
                    self.data().keystore = None;
                    self.record(Resource::Keystore, Err(&e));
                    failures += 1;
                }
            }
            if !self.pause(self.shared.keystore_every, failures).await {
                return;
            }
        }
    }

    /// Evaluate the monitors every `[monitors] interval` over what the pollers hold.
    async fn monitors_loop(self: Arc<Self>, mut tm: TenantMonitors) {
        let interval = self.shared.monitors.interval.0;
        self.publish_monitors(&tm);
        // The first evaluation waits for the first polls (at most two intervals), so a start is
        // not reported as every monitor going from unknown to ok; signature rules wait for the
        // first grouping too (unless the messages could not be polled).
        let deadline = tokio::time::Instant::now() + interval * 2;
        let ready = || {
            let (polled, messages) = {
                let h = self.state.read();
                (
                    h.first_polls_done(),
                    h.poll(Resource::Messages).last_success.is_some(),
                )
            };
            polled && (!self.needs.error_signatures || !messages || self.data().errors.grouped.is_some())
        };
        while !ready() && tokio::time::Instant::now() < deadline {
            tokio::select! {
                _ = self.cancel.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
        loop {
            let now = self.now();
            let health = self.state.read().health.clone();
            let round = {
                let d = self.data();
                let stats = d.stats();
                let mut s = Snapshot::new(&self.setup.name);
                s.artifacts = d.artifacts.as_deref();
                s.not_started_since = d.artifacts.as_ref().map(|_| d.tracker.since());
                s.not_started_at_start = d.artifacts.as_ref().map(|_| d.tracker.at_start());
                s.packages = d.packages.as_ref();
                s.messages = Some(&stats);
                s.queues = d.queues.as_deref();
                s.broker = d.broker.as_ref();
                s.keystore = d.keystore.as_deref();
                s.health = self.needs.health.then_some(&health);
                // The signature rules read the grouping of the last message poll.
                s.errors = d.errors.grouped.as_ref().map(|grouped| ErrorSignatures {
                    grouped,
                    seen: &d.errors.seen,
                });
                s.message_lag_tolerance = (self.setup.messages_every * 4).max(Duration::from_secs(120));
                tm.evaluate(&s, now)
            };
            self.publish_monitors(&tm);
            for t in &round.transitions {
                self.shared.hub.transition(t);
            }
            if !round.transitions.is_empty()
                && let Some(n) = &self.shared.notify
            {
                let _ = n.send(NotifierInput::Transitions(round.for_notifier()));
            }
            self.save_persisted();
            tokio::select! {
                _ = self.cancel.cancelled() => break,
                _ = tokio::time::sleep(interval) => {}
            }
        }
        self.save_persisted();
    }

    fn publish_monitors(&self, tm: &TenantMonitors) {
        let list = tm
            .state()
            .monitors()
            .iter()
            .map(|m| (Arc::from(m.key.as_str()), m.name.clone(), m.status))
            .collect();
        self.state.write().monitors = list;
    }

    /// The artifact tracker, tenant health and error signatures seen in the state dir (as
    /// `check`/`watch` keep them).
    fn save_persisted(&self) {
        let Some(dir) = &self.shared.state_dir else {
            return;
        };
        let (tracker, seen) = {
            let d = self.data();
            (d.tracker.clone(), d.errors.save())
        };
        if let Some(e) = seen {
            tracing::warn!(tenant = %self.setup.name, error = %e, "error signatures not kept");
        }
        if let Err(e) = tracker.save(dir, &self.setup.name) {
            tracing::warn!(tenant = %self.setup.name, error = %e, "artifact tracker not saved");
        }
        let health = self.state.read().health.clone();
        if let Err(e) = health.save(dir, &self.setup.name) {
            tracing::warn!(tenant = %self.setup.name, error = %e, "tenant health not saved");
        }
    }
}

/// Delay after `failures` consecutive errors: the interval doubled per failure, at most five
/// minutes, with jitter so many tenants do not retry in step.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return interval;
    }
    let base = interval
        .saturating_mul(1 << failures.min(6))
        .min(Duration::from_secs(300).max(interval));
    let half = base / 2;
    half + half.mul_f64(fastrand::f64())
}

/// Start a tenant's pollers and monitor evaluator. The monitors' state, history, tracker and
/// health are loaded from the state dir first (errors there are returned: the state dir is the
/// same as the TUI's, a broken file must be seen).
pub fn spawn(
    setup: TenantSetup,
    state: Arc<TenantState>,
    shared: Shared,
    cancel: CancellationToken,
) -> Result<Vec<JoinHandle<()>>, String> {
    let tm = TenantMonitors::open(&shared.monitors, &setup.name, shared.state_dir.as_deref())
        .map_err(|e| e.to_string())?;
    let need = needs(tm.specs());
    let (tracker, health) = match &shared.state_dir {
        Some(dir) => (
            ArtifactTracker::load(dir, &setup.name).unwrap_or_else(|e| {
                tracing::warn!(tenant = %setup.name, error = %e, "artifact tracker not read; starting afresh");
                ArtifactTracker::default()
            }),
            TenantHealth::load(dir, &setup.name).unwrap_or_else(|e| {
                tracing::warn!(tenant = %setup.name, error = %e, "tenant health not read; starting afresh");
                TenantHealth::default()
            }),
        ),
        None => Default::default(),
    };
    state.write().health = health;
    let (errors, notice) = ErrorsFeed::new(&shared.errors, &setup.name, shared.state_dir.as_deref());
    if let Some(n) = notice {
        tracing::warn!(tenant = %setup.name, "{n}");
    }
    if let Some(n) = &shared.notify {
        let _ = n.send(NotifierInput::Seed(tm.state().clone()));
    }
    let window = need
        .message_window
        .map_or(setup.window, |w| w.max(setup.window))
        .max(shared.failure_lookback);
    let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX / 4);
    let max_age =
        Duration::from_millis(u64::try_from(window_ms.saturating_add(STORE_SLACK_MS)).unwrap_or(u64::MAX));
    let lookback_ms = i64::try_from(shared.failure_lookback.as_millis()).unwrap_or(i64::MAX);
    let data = Data {
        artifacts: None,
        packages: None,
        tracker,
        queues: None,
        broker: None,
        keystore: None,
        store: MessageStore::new(StoreLimits {
            max_messages: Some(setup.max_rows.max(1)),
            max_age: Some(max_age),
        }),
        window_ms,
        from: None,
        follow: None,
        failures: NewFailures::new(setup.client.server_now(), lookback_ms),
        errors,
    };
    let rt = Arc::new(Runtime {
        setup,
        state,
        shared,
        needs: need,
        data: Mutex::new(data),
        cancel,
    });
    Ok(vec![
        tokio::spawn(rt.clone().artifacts_loop()),
        tokio::spawn(rt.clone().messages_loop()),
        tokio::spawn(rt.clone().queues_loop()),
        tokio::spawn(rt.clone().keystore_loop()),
        tokio::spawn(rt.monitors_loop(tm)),
    ])
}
