//! The queue, queue-message and broker records: what `cpitop get queues|queue -o
//! json|ndjson|csv` and the Queues pane's exports write (conventions: `kit::schema`; fields:
//! README, "Machine output").

use serde::Serialize;

use crate::cpi::model::{CapacityLevel, JmsBroker, JmsMessage, JmsMessageState};
use crate::cpi::odata::EpochMs;
use crate::kit::schema::{Time, text};
use crate::resources::queues::{QueueRow, fill_word, is_dlq};

/// A row of `get queues` and of the pane's export.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueueRecord {
    pub name: String,
    /// A `DLQ_` queue: the dead letters of the queue named without the prefix.
    pub dead_letter: bool,
    /// Messages in the queue (`null`: the tenant lists no queues, only the broker's states).
    pub depth: Option<i64>,
    /// Failed and blocked messages (`null` when its messages were not read).
    pub failed: Option<i64>,
    pub blocked: Option<i64>,
    /// When the oldest message was created, and its age at the time of the output.
    pub oldest: Option<Time>,
    pub oldest_age_ms: Option<i64>,
    /// `active` or `stopped`.
    pub state: String,
    pub exclusive: Option<bool>,
    /// The queue's `DLQ_` partner, when the tenant has one.
    pub dlq: Option<String>,
    pub dlq_depth: Option<i64>,
    pub size_bytes: Option<i64>,
    /// The broker's fill state of the queue: `ok`, `warning`, `critical`.
    pub fill: Option<String>,
}

impl QueueRecord {
    /// A row, its `DLQ_` partner's row (when there is one), at `now`.
    pub fn of(r: &QueueRow, partner: Option<&QueueRow>, now: EpochMs) -> Self {
        let q = &r.queue;
        let known = |v: i64| (!r.broker_only).then_some(v);
        // Messages are read only of a non-empty queue: an empty one has none of either.
        let stat = |f: fn(&crate::resources::queues::QueueStats) -> usize| match r.stats {
            Some(s) => Some(f(&s) as i64),
            None if q.numb_of_msgs == 0 && !r.broker_only => Some(0),
            None => None,
        };
        let oldest = r.stats.and_then(|s| s.oldest);
        Self {
            name: q.name.clone(),
            dead_letter: is_dlq(&q.name),
            depth: known(q.numb_of_msgs.max(0)),
            failed: stat(|s| s.failed),
            blocked: stat(|s| s.blocked),
            oldest: Time::of(oldest),
            oldest_age_ms: oldest.map(|o| now.saturating_sub(o).max(0)),
            state: if q.active { "active" } else { "stopped" }.into(),
            exclusive: (!r.broker_only).then_some(q.exclusive),
            dlq: partner.map(|p| p.queue.name.clone()),
            dlq_depth: partner
                .filter(|p| !p.broker_only)
                .map(|p| p.queue.numb_of_msgs.max(0)),
            size_bytes: known(q.size.max(0)),
            fill: r.fill.map(fill_word).filter(|w| *w != "?").map(str::to_string),
        }
    }
}

/// A message of one queue (`get queue NAME`, the queue's export).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueueMessageRecord {
    pub queue: String,
    /// The JMS message id (`Msgid`).
    pub jms_message_id: String,
    /// The message processing log that queued it (`Mplid`).
    pub message_id: Option<String>,
    /// `Failed`, `Blocked` (no next retry after retries: the dead-letter lock), `Overdue`, `Waiting`.
    pub status: String,
    pub failed: bool,
    pub retries: i64,
    pub created: Option<Time>,
    pub age_ms: Option<i64>,
    pub next_retry: Option<Time>,
    pub overdue_at: Option<Time>,
    pub expires: Option<Time>,
    pub content_type: Option<String>,
    /// The rest only from the newer messaging API (`null` from `JmsMessages`).
    pub sender: Option<String>,
    pub receiver: Option<String>,
    pub application_type: Option<String>,
    pub application_id: Option<String>,
    pub correlation_id: Option<String>,
    pub custom_status: Option<String>,
}

/// The word of a queued message's state.
pub fn jms_state_word(s: JmsMessageState) -> &'static str {
    match s {
        JmsMessageState::Failed => "Failed",
        JmsMessageState::Blocked => "Blocked",
        JmsMessageState::Overdue => "Overdue",
        JmsMessageState::Waiting => "Waiting",
    }
}

impl QueueMessageRecord {
    pub fn of(queue: &str, m: &JmsMessage, now: EpochMs) -> Self {
        Self {
            queue: if m.queue.is_empty() { queue } else { &m.queue }.to_string(),
            jms_message_id: m.msgid.clone(),
            message_id: text(&m.mplid),
            status: jms_state_word(m.state(now)).into(),
            failed: m.failed,
            retries: m.retry_count,
            created: Time::of(m.created_at),
            age_ms: m.created_at.map(|c| now.saturating_sub(c).max(0)),
            next_retry: Time::of(m.next_retry),
            overdue_at: Time::of(m.overdue_at),
            expires: Time::of(m.expiration_date),
            content_type: text(&m.content_type),
            sender: text(&m.sender),
            receiver: text(&m.receiver),
            application_type: text(&m.message_type),
            application_id: text(&m.application_id),
            correlation_id: text(&m.correlation_id),
            custom_status: text(&m.custom_status),
        }
    }
}

/// The JMS broker (`get queues -o json`'s `broker`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BrokerRecord {
    pub key: String,
    pub used_bytes: i64,
    pub max_bytes: i64,
    /// `used_bytes / max_bytes` in percent, one decimal.
    pub used_percent: f64,
    /// `ok`, `critical` (more than 80 % used), `exhausted` (95 % or more).
    pub level: String,
    pub queues: i64,
    pub max_queues: i64,
    /// Queues per fill state, as the broker counts them.
    pub queues_ok: i64,
    pub queues_warning: i64,
    pub queues_critical: i64,
    pub transacted_sessions_high: bool,
    pub consumers_high: bool,
    pub producers_high: bool,
    pub queues_high: Option<bool>,
    pub message_spool_high: Option<bool>,
}

/// The broker's fill level as a word.
pub fn level_word(l: CapacityLevel) -> &'static str {
    match l {
        CapacityLevel::Ok => "ok",
        CapacityLevel::Critical => "critical",
        CapacityLevel::Exhausted => "exhausted",
    }
}

impl BrokerRecord {
    pub fn of(b: &JmsBroker) -> Self {
        Self {
            key: b.key.clone(),
            used_bytes: b.capacity,
            max_bytes: b.max_capacity,
            used_percent: (b.used_fraction() * 1000.0).round() / 10.0,
            level: level_word(b.capacity_level()).into(),
            queues: b.queue_number,
            max_queues: b.max_queue_number,
            queues_ok: b.capacity_ok,
            queues_warning: b.capacity_warning,
            queues_critical: b.capacity_error,
            transacted_sessions_high: b.is_transacted_sessions_high != 0,
            consumers_high: b.is_consumers_high != 0,
            producers_high: b.is_producers_high != 0,
            queues_high: b.is_queues_high.map(|v| v != 0),
            message_spool_high: b.is_message_spool_high.map(|v| v != 0),
        }
    }
}

/// `get queues -o json`: the rows, the broker, the queue API that answered and why the rows may
/// come from the broker alone.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueuesDocument {
    pub queues: Vec<serde_json::Value>,
    pub broker: Option<BrokerRecord>,
    /// `Queues` or `MessagingQueues`; `null` when the tenant offers no queue list.
    pub queue_list: Option<String>,
    /// Why there is no queue list (the rows are the broker's queue states), else `null`.
    pub missing: Option<String>,
}
