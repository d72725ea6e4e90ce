//! The Tenants pane's overview of one tenant (also `cpitop get tenants`): what a row shows,
//! read with a few lean requests per round and never a message window:
//!
//! - the runtime artifacts (one listing with the artifact list's lean `$select`);
//! - the failed messages of the window as one `MessageProcessingLogs/$count` with a
//!   `Status eq 'FAILED' and LogEnd ge …` filter;
//! - the queue list and the broker (one request each); the messages of the non-empty `DLQ_`
//!   queues only when asked (their oldest message), a few at a time;
//! - the keystore entries, when asked (they change rarely).
//!
//! The caller decides how often each part is due (the pane: artifacts, count, queues and broker
//! every round; DLQ messages and the keystore every few rounds) and skips what a pane of the
//! open tenant already polls.

use super::FetchError;
use super::queues::{Listing, is_dlq};
use crate::cpi::model::{JmsBroker, JmsMessage, KeystoreEntry, MplStatus, RuntimeArtifact};
use crate::cpi::odata::EpochMs;
use crate::cpi::{CpiClient, MplQuery, QueueListing};

/// What one round reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OverviewPlan {
    pub artifacts: bool,
    /// Count the FAILED messages of this window (ms back from now); `None`: not this round.
    pub failed_window_ms: Option<i64>,
    /// The queue list and the broker.
    pub queues: bool,
    /// With the queue list, the messages of the non-empty DLQs (for their oldest message).
    pub dlq_messages: bool,
    pub keystore: bool,
}

impl OverviewPlan {
    pub fn is_empty(&self) -> bool {
        !(self.artifacts || self.failed_window_ms.is_some() || self.queues || self.keystore)
    }
}

/// The queues as a row shows them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueSummary {
    /// Queues listed.
    pub queues: usize,
    /// Messages in all `DLQ_*` queues.
    pub dlq_messages: u64,
    /// Non-empty DLQs.
    pub dlqs: usize,
    /// The oldest message in a DLQ, when their messages were read.
    pub dlq_oldest: Option<EpochMs>,
    /// Whether the DLQs' messages were read (else `dlq_oldest` is unknown, not absent).
    pub oldest_known: bool,
    /// The tenant lists no queues (no JMS): what is missing.
    pub missing: Option<String>,
}

impl QueueSummary {
    /// From the queue list and, per queue, its messages when read.
    pub fn of(queues: &[crate::cpi::model::Queue], messages: &[Option<Vec<JmsMessage>>], read: bool) -> Self {
        let mut s = QueueSummary {
            queues: queues.len(),
            oldest_known: read,
            ..QueueSummary::default()
        };
        for (i, q) in queues.iter().enumerate() {
            if !is_dlq(&q.name) || q.numb_of_msgs <= 0 {
                continue;
            }
            s.dlqs += 1;
            s.dlq_messages += q.numb_of_msgs as u64;
            match messages.get(i).and_then(Option::as_ref) {
                Some(m) => {
                    if let Some(t) = m.iter().filter_map(|m| m.created_at).min() {
                        s.dlq_oldest = Some(s.dlq_oldest.map_or(t, |o| o.min(t)));
                    }
                }
                // A DLQ whose listing failed: its oldest is not known.
                None if read => s.oldest_known = false,
                None => {}
            }
        }
        s
    }
}

/// The queues of a round: the summary a row shows, and the queue rows the tenant's monitors read
/// (with the messages of the DLQs when they were read).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OverviewQueues {
    pub summary: QueueSummary,
    pub rows: Vec<crate::monitor::QueueSnapshot>,
}

impl OverviewQueues {
    /// From the Queues pane's rows (the open tenant's queues are polled there): the DLQs'
    /// oldest from the counts its rows carry.
    pub fn of_rows(rows: &[super::queues::QueueRow], missing: Option<String>) -> Self {
        let listed: Vec<&super::queues::QueueRow> = rows.iter().filter(|r| !r.broker_only).collect();
        let mut summary = QueueSummary {
            queues: listed.len(),
            oldest_known: true,
            missing,
            ..QueueSummary::default()
        };
        for r in listed
            .iter()
            .filter(|r| is_dlq(&r.queue.name) && r.queue.numb_of_msgs > 0)
        {
            summary.dlqs += 1;
            summary.dlq_messages += r.queue.numb_of_msgs as u64;
            match r.stats.and_then(|st| st.oldest) {
                Some(t) => summary.dlq_oldest = Some(summary.dlq_oldest.map_or(t, |o| o.min(t))),
                None => summary.oldest_known = false,
            }
        }
        let rows = listed
            .iter()
            .map(|r| crate::monitor::QueueSnapshot {
                queue: r.queue.clone(),
                messages: None,
            })
            .collect();
        OverviewQueues { summary, rows }
    }
}

/// One round's answers; `None` parts were not asked for.
#[derive(Debug, Default)]
pub struct OverviewFetched {
    /// When the round ended (local clock).
    pub at: EpochMs,
    pub artifacts: Option<Result<Vec<RuntimeArtifact>, FetchError>>,
    pub failed: Option<Result<u64, FetchError>>,
    pub queues: Option<Result<OverviewQueues, FetchError>>,
    pub broker: Option<Result<JmsBroker, FetchError>>,
    pub keystore: Option<Result<Vec<KeystoreEntry>, FetchError>>,
}

impl OverviewFetched {
    /// Every failure of the round.
    pub fn errors(&self) -> Vec<&FetchError> {
        let mut out = Vec::new();
        fn push<'a, T>(out: &mut Vec<&'a FetchError>, r: &'a Option<Result<T, FetchError>>) {
            if let Some(Err(e)) = r {
                out.push(e);
            }
        }
        push(&mut out, &self.artifacts);
        push(&mut out, &self.failed);
        push(&mut out, &self.queues);
        push(&mut out, &self.broker);
        push(&mut out, &self.keystore);
        out
    }
    /// Whether any part was read.
    pub fn any_ok(&self) -> bool {
        matches!(self.artifacts, Some(Ok(_)))
            || matches!(self.failed, Some(Ok(_)))
            || matches!(self.queues, Some(Ok(_)))
            || matches!(self.broker, Some(Ok(_)))
            || matches!(self.keystore, Some(Ok(_)))
    }
}

/// The DLQs whose messages are read in one round, at most (the rest keep their oldest unknown).
pub const MAX_DLQ_LISTINGS: usize = 8;

/// Read one round of `plan` (the parts in parallel; the client's limiter bounds what is in
/// flight). `server_now` is the tenant's clock (the failed-message window ends there).
pub async fn fetch(client: &CpiClient, plan: &OverviewPlan, server_now: EpochMs) -> OverviewFetched {
    let artifacts = async {
        match plan.artifacts {
            true => Some(super::artifacts::list(client).await.map_err(FetchError::from)),
            false => None,
        }
    };
    let failed = async {
        let w = plan.failed_window_ms?;
        let q = MplQuery {
            from: Some(server_now.saturating_sub(w)),
            statuses: vec![MplStatus::Failed],
            ..MplQuery::default()
        };
        Some(client.mpl_count(&q).await.map_err(FetchError::from))
    };
    let queues = async {
        if !plan.queues {
            return None;
        }
        Some(queues(client, plan.dlq_messages).await)
    };
    let keystore = async {
        match plan.keystore {
            true => Some(super::keystore::entries(client).await.map_err(FetchError::from)),
            false => None,
        }
    };
    let (artifacts, failed, queues, keystore) = tokio::join!(artifacts, failed, queues, keystore);
    let (queues, broker) = match queues {
        Some((q, b)) => (Some(q), Some(b)),
        None => (None, None),
    };
    OverviewFetched {
        at: super::now_ms(),
        artifacts,
        failed,
        queues,
        broker,
        keystore,
    }
}

async fn queues(
    client: &CpiClient,
    dlq_messages: bool,
) -> (Result<OverviewQueues, FetchError>, Result<JmsBroker, FetchError>) {
    let picked = std::sync::atomic::AtomicUsize::new(0);
    let read = |q: &crate::cpi::model::Queue| {
        dlq_messages
            && is_dlq(&q.name)
            && picked.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < MAX_DLQ_LISTINGS
    };
    match super::queues::fetch(client, &read, true).await {
        Ok(Listing {
            queues,
            messages,
            broker,
        }) => {
            let broker = broker
                .unwrap_or(Err(crate::cpi::CpiError::Cancelled))
                .map_err(FetchError::from);
            let q = match queues {
                QueueListing::Listed(q) => {
                    let summary = QueueSummary::of(&q, &messages, dlq_messages);
                    let rows = q
                        .into_iter()
                        .zip(messages)
                        .map(|(queue, messages)| crate::monitor::QueueSnapshot { queue, messages })
                        .collect();
                    OverviewQueues { summary, rows }
                }
                QueueListing::Missing(m) => OverviewQueues {
                    summary: QueueSummary {
                        missing: Some(m.explain()),
                        ..QueueSummary::default()
                    },
                    rows: Vec::new(),
                },
            };
            (Ok(q), broker)
        }
        Err(e) => {
            let e = FetchError::from(e);
            (Err(e.clone()), Err(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpi::model::Queue;

    fn q(name: &str, n: i64) -> Queue {
        Queue {
            name: name.into(),
            numb_of_msgs: n,
            ..Queue::default()
        }
    }
    fn m(created: i64) -> JmsMessage {
        JmsMessage {
            created_at: Some(created),
            ..JmsMessage::default()
        }
    }

    #[test]
    fn dlqs_are_summed_and_their_oldest_found() {
        let queues = [
            q("ORDERS", 5),
            q("DLQ_ORDERS", 3),
            q("DLQ_EMPTY", 0),
            q("DLQ_INV", 2),
        ];
        let messages = [None, Some(vec![m(300), m(200)]), None, Some(vec![m(250)])];
        let s = QueueSummary::of(&queues, &messages, true);
        assert_eq!((s.queues, s.dlqs, s.dlq_messages), (4, 2, 5));
        assert_eq!(s.dlq_oldest, Some(200));
        assert!(s.oldest_known);
        // A DLQ whose messages could not be read: the oldest is not known.
        let s = QueueSummary::of(&queues, &[None, None, None, Some(vec![m(250)])], true);
        assert!(!s.oldest_known);
        // Not asked: counts only.
        let s = QueueSummary::of(&queues, &[None, None, None, None], false);
        assert_eq!((s.dlq_messages, s.dlq_oldest, s.oldest_known), (5, None, false));
    }
}
