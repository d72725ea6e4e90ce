//! JMS queues: the queue list, the messages of the queues asked for (read in parallel) and the
//! broker. One fetcher ([`fetch`]) behind two views of it: the Queues pane's snapshot (also
//! `cpitop get queues`: every queue with its failed/blocked counts and the broker's fill state;
//! the broker's queue states on a tenant without a queue list) and the monitors' queue rows
//! ([`for_rules`]: the messages of the queues their rules look into).

use futures_util::StreamExt as _;
use futures_util::future::{BoxFuture, FutureExt as _};

use super::FetchError;
use crate::cpi::model::{JmsBroker, JmsMessage, JmsMessageState, Queue};
use crate::cpi::odata::EpochMs;
use crate::cpi::{CpiClient, CpiError, QueueListing};
use crate::monitor::{Needs, QueueSnapshot};

/// Prefix of the dead-letter queue convention (a customer convention, not SAP's: docs/cpi-api.md).
pub const DLQ_PREFIX: &str = "DLQ_";

/// What the queue list does not say and the queue's messages do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    pub failed: usize,
    pub blocked: usize,
    pub oldest: Option<EpochMs>,
}

impl QueueStats {
    pub fn of(messages: &[JmsMessage], now: EpochMs) -> Self {
        let mut s = QueueStats::default();
        for m in messages {
            match m.state(now) {
                JmsMessageState::Failed => s.failed += 1,
                JmsMessageState::Blocked => s.blocked += 1,
                _ => {}
            }
            if let Some(c) = m.created_at {
                s.oldest = Some(s.oldest.map_or(c, |o: EpochMs| o.min(c)));
            }
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueueRow {
    pub queue: Queue,
    /// `None` when the messages were not read (empty queue, or the read failed).
    pub stats: Option<QueueStats>,
    /// The broker's fill state of the queue (`QueueStates`: 0 OK, 1 warning, 2 critical), when
    /// the broker lists it.
    pub fill: Option<i64>,
    /// Known only from the broker's `QueueStates` (no queue list on this tenant): name and fill
    /// state, but not depth, size or exclusivity.
    pub broker_only: bool,
}

/// One poll of the Queues pane.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueuesSnapshot {
    pub broker: Option<JmsBroker>,
    pub queues: Vec<QueueRow>,
    /// Set when the tenant offers no queue list and the rows come from the broker: which API is
    /// missing, what provides it, and what is shown instead.
    pub missing: Option<String>,
}

/// Rows from the broker alone, for a tenant without a queue list: every queue of `QueueStates`
/// with its fill state; a stopped queue (`InactiveQueues` holds full queue entities) with what
/// that entity says. Sorted by the pane like any other rows.
pub fn broker_rows(b: &JmsBroker) -> Vec<QueueRow> {
    let mut rows: Vec<QueueRow> = b
        .queue_states
        .iter()
        .map(|st| match b.inactive_queues.iter().find(|q| q.name == st.name) {
            Some(q) => QueueRow {
                queue: Queue {
                    active: false,
                    ..q.clone()
                },
                stats: None,
                fill: Some(st.state),
                broker_only: false,
            },
            None => QueueRow {
                queue: Queue {
                    name: st.name.clone(),
                    // Listed in QueueStates and not among the stopped ones.
                    active: true,
                    ..Queue::default()
                },
                stats: None,
                fill: Some(st.state),
                broker_only: true,
            },
        })
        .collect();
    for q in &b.inactive_queues {
        if !rows.iter().any(|r| r.queue.name == q.name) {
            rows.push(QueueRow {
                queue: Queue {
                    active: false,
                    ..q.clone()
                },
                ..QueueRow::default()
            });
        }
    }
    rows
}

/// The sentence shown above broker-only rows: what is missing, and how much the broker lists
/// (its `QueueNumber` can exceed the queues it lists).
pub fn broker_only_notice(explain: &str, b: &JmsBroker, listed: usize) -> String {
    let count = if b.queue_number > listed as i64 {
        format!("{listed} of its {} queues", b.queue_number)
    } else {
        format!("{listed} queue(s)")
    };
    format!("{explain}. Shown: the broker's queue states ({count}), without depth or counts")
}

/// The fill word of a `QueueStates` state.
pub fn fill_word(state: i64) -> &'static str {
    match state {
        0 => "ok",
        1 => "warning",
        2 => "critical",
        _ => "?",
    }
}

pub fn is_dlq(name: &str) -> bool {
    name.starts_with(DLQ_PREFIX)
}

/// The source queue's name for a DLQ, or the name itself.
pub fn base_name(name: &str) -> &str {
    name.strip_prefix(DLQ_PREFIX).unwrap_or(name)
}

/// What one fetch read: the queues (or why this tenant lists none), the messages of the queues
/// asked for, and the broker when asked.
#[derive(Debug)]
pub struct Listing {
    pub queues: QueueListing,
    /// Per listed queue, in the same order: its messages when asked for and read (`None`: not
    /// asked, or the read failed — logged).
    pub messages: Vec<Option<Vec<JmsMessage>>>,
    pub broker: Option<Result<JmsBroker, CpiError>>,
}

/// The queue list, the messages of the non-empty queues `read_messages` picks (at most
/// `PARALLEL` listings at once), and the broker (`broker`, read beside the list).
pub async fn fetch(
    client: &CpiClient,
    read_messages: &(dyn Fn(&Queue) -> bool + Sync),
    broker: bool,
) -> Result<Listing, CpiError> {
    let read_broker = async {
        match broker {
            true => Some(client.jms_broker().await),
            false => None,
        }
    };
    let (listing, broker) = tokio::join!(client.queue_listing(), read_broker);
    let queues = listing?;
    let listed: &[Queue] = match &queues {
        QueueListing::Listed(q) => q,
        QueueListing::Missing(_) => &[],
    };
    // Boxed futures collected first: a closure or a borrowing `async` block inside the stream's
    // type makes the whole future not `Send` for every lifetime (rust-lang/rust#102211).
    let calls: Vec<BoxFuture<'_, (usize, Option<Vec<JmsMessage>>)>> = listed
        .iter()
        .enumerate()
        // An empty queue has no messages to list (the queue list says so).
        .filter(|(_, q)| q.numb_of_msgs > 0 && read_messages(q))
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
    let read: Vec<(usize, Option<Vec<JmsMessage>>)> = futures_util::stream::iter(calls)
        .buffer_unordered(super::PARALLEL)
        .collect()
        .await;
    let mut messages = vec![None; listed.len()];
    for (i, m) in read {
        messages[i] = m;
    }
    Ok(Listing {
        queues,
        messages,
        broker,
    })
}

/// One poll of the Queues pane (also `cpitop get queues`): every queue with the failed/blocked
/// counts and oldest age from its messages (the non-empty ones are read) and the broker's fill
/// state. A tenant without a queue list (both queue-list APIs answer 404/501) still has a broker:
/// its `QueueStates` become the rows, and `missing` says what is missing and what provides it.
pub async fn snapshot(client: &CpiClient) -> Result<QueuesSnapshot, FetchError> {
    let Listing {
        queues,
        messages,
        broker,
    } = fetch(client, &|_| true, true).await?;
    let broker = broker.unwrap_or(Err(CpiError::Cancelled));
    let queues = match queues {
        QueueListing::Listed(q) => q,
        QueueListing::Missing(m) => {
            return match broker {
                Ok(b) => {
                    let rows = broker_rows(&b);
                    let missing = broker_only_notice(&m.explain(), &b, b.queue_states.len());
                    Ok(QueuesSnapshot {
                        broker: Some(b),
                        queues: rows,
                        missing: Some(missing),
                    })
                }
                Err(e) => Err(FetchError::Explained {
                    text: format!(
                        "{}; the broker JmsBrokers('Broker1') is not readable either: {e}",
                        m.explain()
                    ),
                    cause: e,
                }),
            };
        }
    };
    // The broker is reported separately: a tenant without it still lists queues.
    let broker = match broker {
        Ok(b) => Some(b),
        Err(e) => {
            tracing::warn!("JMS broker not readable: {e}");
            None
        }
    };
    let now = client.server_now();
    let rows = queues
        .into_iter()
        .zip(messages)
        .map(|(q, msgs)| listed_row(q, msgs.as_deref(), broker.as_ref(), now))
        .collect();
    Ok(QueuesSnapshot {
        broker,
        queues: rows,
        missing: None,
    })
}

/// A listed queue's row: failed/blocked counts and the oldest age from its messages (they are
/// not in the queue list; `None` when a non-empty queue's messages were not read), its fill
/// state from the broker.
fn listed_row(
    q: Queue,
    messages: Option<&[JmsMessage]>,
    broker: Option<&JmsBroker>,
    now: EpochMs,
) -> QueueRow {
    let stats = if q.numb_of_msgs > 0 {
        messages.map(|m| QueueStats::of(m, now))
    } else {
        Some(QueueStats::default())
    };
    let fill = broker
        .and_then(|b| b.queue_states.iter().find(|st| st.name == q.name))
        .map(|st| st.state);
    QueueRow {
        queue: q,
        stats,
        fill,
        broker_only: false,
    }
}

/// The Queues pane's snapshot from what a monitor round read at `at` ([`for_rules`], and the
/// broker when a rule asked for it): every listed queue, with counts and ages for the queues
/// whose messages the rules read (the others' unknown until the pane's own poll).
pub fn snapshot_of_rules(queues: &[QueueSnapshot], broker: Option<JmsBroker>, at: EpochMs) -> QueuesSnapshot {
    let rows = queues
        .iter()
        .map(|q| listed_row(q.queue.clone(), q.messages.as_deref(), broker.as_ref(), at))
        .collect();
    QueuesSnapshot {
        broker,
        queues: rows,
        missing: None,
    }
}

/// The queue rows the monitors' rules read: the list, with the messages of the queues their
/// rules look into (`needs.queue_messages`). A queue whose listing fails keeps `messages: None`
/// (its age/blocked rules then say so); an empty one asked for has none to list. A tenant
/// without a queue list has no rows for the rules (the broker's queue states carry no depth).
pub async fn for_rules(client: &CpiClient, needs: &Needs) -> Result<Vec<QueueSnapshot>, CpiError> {
    let wanted = |q: &Queue| needs.queue_messages_of(&q.name);
    let Listing { queues, messages, .. } = fetch(client, &wanted, false).await?;
    let queues = match queues {
        QueueListing::Listed(q) => q,
        QueueListing::Missing(m) => return Err(m.into_error()),
    };
    Ok(queues
        .into_iter()
        .zip(messages)
        .map(|(queue, messages)| {
            let messages = match messages {
                None if queue.numb_of_msgs <= 0 && wanted(&queue) => Some(Vec::new()),
                m => m,
            };
            QueueSnapshot { queue, messages }
        })
        .collect())
}
