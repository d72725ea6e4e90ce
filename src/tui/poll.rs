//! Pollers: one task per visible pane, at most one request in flight each, interval from the
//! config, jittered backoff on errors, cancellable, parameters through a `watch`, results tagged
//! with the generation they were asked under (the state drops stale ones).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::app::msg::{DataMsg, Generation, MessageQuery, MessagesEvent, Msg, PollKind, PollPlan, PollSpec};
use crate::cpi::MplFollow;
use crate::cpi::client::CpiClient;
use crate::resources::{self, FetchError};
use crate::store::MplBatch;

/// What a poller is told through its `watch`.
#[derive(Debug, Clone, PartialEq)]
pub struct PollParams {
    pub generation: Generation,
    pub interval: Duration,
    /// Queue name (queue messages) or the message window.
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    None,
    Queue(String),
    Messages(MessageQuery),
}

struct Running {
    cancel: CancellationToken,
    params: watch::Sender<PollParams>,
    refresh: Arc<Notify>,
}

/// The running pollers of one tenant (none while the tenant cannot be used: `client` `None`).
pub struct Pollers {
    client: Option<CpiClient>,
    tx: mpsc::Sender<Msg>,
    running: HashMap<PollKind, Running>,
}

impl Pollers {
    pub fn new(client: CpiClient, tx: mpsc::Sender<Msg>) -> Self {
        Self::for_client(Some(client), tx)
    }

    /// Pollers of `client`, or none at all (`None`: the tenant cannot be used).
    pub fn for_client(client: Option<CpiClient>, tx: mpsc::Sender<Msg>) -> Self {
        Self {
            client,
            tx,
            running: HashMap::new(),
        }
    }

    /// Start, stop and retune pollers to match `plan`.
    pub fn apply(&mut self, plan: &PollPlan) {
        let Some(client) = self.client.clone() else {
            return;
        };
        let wanted: [(PollKind, Option<PollParams>); 5] = [
            (
                PollKind::Artifacts,
                plan.artifacts.as_ref().map(|s| params(s, Target::None)),
            ),
            (
                PollKind::Queues,
                plan.queues.as_ref().map(|s| params(s, Target::None)),
            ),
            (
                PollKind::QueueMessages,
                plan.queue_messages
                    .as_ref()
                    .map(|(s, q)| params(s, Target::Queue(q.clone()))),
            ),
            (
                PollKind::Messages,
                plan.messages
                    .as_ref()
                    .map(|(s, q)| params(s, Target::Messages(q.clone()))),
            ),
            (
                PollKind::Keystore,
                plan.keystore.as_ref().map(|s| params(s, Target::None)),
            ),
        ];
        for (kind, want) in wanted {
            match (want, self.running.get(&kind)) {
                (None, Some(_)) => {
                    if let Some(r) = self.running.remove(&kind) {
                        r.cancel.cancel();
                    }
                }
                (Some(p), Some(r)) => {
                    if *r.params.borrow() != p {
                        // The poller picks the change up at once (it waits on `changed`).
                        let _ = r.params.send(p);
                    }
                }
                (Some(p), None) => {
                    let r = self.spawn(&client, kind, p);
                    self.running.insert(kind, r);
                }
                (None, None) => {}
            }
        }
    }

    /// Poll every running poller now (`r`).
    pub fn refresh_now(&self) {
        for r in self.running.values() {
            r.refresh.notify_one();
        }
    }

    pub fn stop_all(&mut self) {
        for (_, r) in self.running.drain() {
            r.cancel.cancel();
        }
    }

    fn spawn(&self, client: &CpiClient, kind: PollKind, p: PollParams) -> Running {
        let cancel = CancellationToken::new();
        let (ptx, prx) = watch::channel(p);
        let refresh = Arc::new(Notify::new());
        let task = PollTask {
            kind,
            client: client.clone(),
            tx: self.tx.clone(),
            params: prx,
            refresh: refresh.clone(),
            cancel: cancel.clone(),
        };
        tokio::spawn(task.run());
        Running {
            cancel,
            params: ptx,
            refresh,
        }
    }
}

impl Drop for Pollers {
    fn drop(&mut self) {
        self.stop_all();
    }
}

fn params(s: &PollSpec, target: Target) -> PollParams {
    PollParams {
        generation: s.generation,
        interval: Duration::from_millis(s.interval_ms.max(500)),
        target,
    }
}

struct PollTask {
    kind: PollKind,
    client: CpiClient,
    tx: mpsc::Sender<Msg>,
    params: watch::Receiver<PollParams>,
    refresh: Arc<Notify>,
    cancel: CancellationToken,
}

/// Delay after `failures` consecutive errors: the interval doubled per failure, capped at five
/// minutes, with jitter so many cpitops do not hammer a recovering tenant in step.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return interval;
    }
    let base = interval
        .saturating_mul(1 << failures.min(6))
        .min(Duration::from_secs(300));
    let half = base / 2;
    half + half.mul_f64(fastrand::f64())
}

impl PollTask {
    async fn run(mut self) {
        let mut failures = 0u32;
        // Messages: the watermark of the last complete load for this generation.
        let mut follow: Option<(Generation, MplFollow)> = None;
        loop {
            let p = self.params.borrow_and_update().clone();
            let started = Msg::Data(DataMsg::Started {
                kind: self.kind,
                generation: p.generation,
            });
            if self.tx.send(started).await.is_err() {
                return;
            }
            // New parameters (a new window, a filter) abandon the poll under way: a 24 h load
            // must not run to its end before the window asked for now starts.
            let mut watch = self.params.clone();
            let superseded = async {
                loop {
                    if watch.changed().await.is_err() {
                        // The poller is being stopped: its cancellation ends it.
                        std::future::pending::<()>().await;
                    }
                    let now = watch.borrow_and_update();
                    if now.generation != p.generation || now.target != p.target {
                        return;
                    }
                }
            };
            let ok = tokio::select! {
                _ = self.cancel.cancelled() => return,
                ok = self.poll_once(&p, &mut follow) => ok,
                () = superseded => continue,
            };
            failures = if ok { 0 } else { failures + 1 };
            let delay = backoff(p.interval, failures);
            tokio::select! {
                _ = self.cancel.cancelled() => return,
                _ = tokio::time::sleep(delay) => {}
                _ = self.refresh.notified() => {}
                changed = self.params.changed() => if changed.is_err() { return },
            }
        }
    }

    /// One poll; `true` when it succeeded. The result goes to the state as a message.
    async fn poll_once(&self, p: &PollParams, follow: &mut Option<(Generation, MplFollow)>) -> bool {
        let generation = p.generation;
        let (msg, ok) = match (&self.kind, &p.target) {
            (PollKind::Artifacts, _) => {
                let r = resources::artifacts::list(&self.client)
                    .await
                    .map_err(FetchError::from);
                let ok = r.is_ok();
                (
                    DataMsg::Artifacts {
                        generation,
                        at: now_ms(),
                        result: r,
                    },
                    ok,
                )
            }
            (PollKind::Queues, _) => {
                let r = resources::queues::snapshot(&self.client).await;
                let ok = r.is_ok();
                (
                    DataMsg::Queues {
                        generation,
                        at: now_ms(),
                        result: r,
                    },
                    ok,
                )
            }
            (PollKind::QueueMessages, Target::Queue(q)) => {
                let r = self.client.queue_messages(q).await.map_err(FetchError::from);
                let ok = r.is_ok();
                (
                    DataMsg::QueueMessages {
                        generation,
                        queue: q.clone(),
                        at: now_ms(),
                        result: r,
                    },
                    ok,
                )
            }
            (PollKind::Keystore, _) => {
                let r = resources::keystore::entries(&self.client)
                    .await
                    .map_err(FetchError::from);
                let ok = r.is_ok();
                (
                    DataMsg::Keystore {
                        generation,
                        at: now_ms(),
                        result: r,
                    },
                    ok,
                )
            }
            (PollKind::Messages, Target::Messages(q)) => {
                return self.poll_messages(generation, q, follow).await;
            }
            _ => return true,
        };
        let _ = self.tx.send(Msg::Data(msg)).await;
        ok
    }

    async fn poll_messages(
        &self,
        generation: Generation,
        q: &MessageQuery,
        follow: &mut Option<(Generation, MplFollow)>,
    ) -> bool {
        let query = mpl_query(q, self.client.server_now());
        let (sink, mut pages) = mpsc::channel::<MplBatch>(4);
        let since = follow
            .as_ref()
            .filter(|(g, _)| *g == generation)
            .map(|(_, f)| f.clone());
        let fetch = resources::messages::stream(&self.client, &query, since.as_ref(), sink);
        let tx = self.tx.clone();
        let forward = async move {
            while let Some(page) = pages.recv().await {
                let ev = MessagesEvent::Page(page);
                if tx
                    .send(Msg::Data(DataMsg::Messages {
                        generation,
                        at: now_ms(),
                        event: ev,
                    }))
                    .await
                    .is_err()
                {
                    break;
                }
            }
        };
        let (outcome, ()) = tokio::join!(fetch, forward);
        let (event, ok) = match outcome {
            Ok(o) => {
                *follow = Some((generation, o.follow));
                (MessagesEvent::Done, true)
            }
            Err(e) => (MessagesEvent::Failed(e.into()), false),
        };
        let _ = self
            .tx
            .send(Msg::Data(DataMsg::Messages {
                generation,
                at: now_ms(),
                event,
            }))
            .await;
        ok
    }
}

pub use crate::resources::messages::mpl_query;
pub use crate::resources::now_ms;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpi::model::MplStatus;

    #[test]
    fn backoff_grows_and_caps() {
        let i = Duration::from_secs(10);
        assert_eq!(backoff(i, 0), i);
        let b1 = backoff(i, 1);
        assert!(b1 >= Duration::from_secs(10) && b1 <= Duration::from_secs(20));
        let b9 = backoff(i, 9);
        assert!(b9 <= Duration::from_secs(300) && b9 >= Duration::from_secs(150));
    }

    #[test]
    fn message_query_maps_to_server_filters() {
        let q = MessageQuery {
            window_ms: 3_600_000,
            status: Some("FAILED,retry".into()),
            id: Some("AGZ0aBcDeFgHiJkLmNoPqRsTuVwX".into()),
            ..MessageQuery::default()
        };
        let m = mpl_query(&q, 10_000_000);
        assert_eq!(m.from, Some(10_000_000 - 3_600_000));
        assert_eq!(m.statuses, vec![MplStatus::Failed, MplStatus::Retry]);
        assert_eq!(m.any_id.as_deref(), Some("AGZ0aBcDeFgHiJkLmNoPqRsTuVwX"));
        assert_eq!(
            m.user_filter().as_deref(),
            Some(
                "(Status eq 'FAILED' or Status eq 'RETRY') and (MessageGuid eq 'AGZ0aBcDeFgHiJkLmNoPqRsTuVwX' \
                 or CorrelationId eq 'AGZ0aBcDeFgHiJkLmNoPqRsTuVwX' \
                 or ApplicationMessageId eq 'AGZ0aBcDeFgHiJkLmNoPqRsTuVwX')"
            )
        );
        let q2 = MessageQuery {
            id: Some("PO-1".into()),
            range: Some((1, 2)),
            ..q
        };
        let m2 = mpl_query(&q2, 0);
        assert_eq!((m2.from, m2.to), (Some(1), Some(2)));
        assert_eq!(m2.any_id.as_deref(), Some("PO-1"));
    }
}
