//! What the TUI writes to a tenant's offline cache (`config::Cache`), and back: owned, serde forms
//! of the last artifacts, queues (+ broker), a bounded window of message rows and fetched error
//! texts. Building the message form copies rows out of a cloned `MessageStore`; decoding turns it
//! back into an `MplBatch`. Both run on a blocking thread, never on the loop.
//!
//! Nothing here can hold a secret: these are tenant data only (and `Secret` is not `Serialize`).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::cpi::model::{JmsBroker, Queue, RuntimeArtifact};
use crate::cpi::mpl_row::{MplArtifactRow, MplRow};
use crate::cpi::odata::{EpochMs, format_date};
use crate::resources::queues::{QueueRow, QueueStats, QueuesSnapshot};
use crate::store::{MessageStore, MplBatch, RowId};

/// Cache file kinds (`<cache>/tenants/<tenant>/<kind>.json`).
pub const ARTIFACTS: &str = "artifacts";
pub const QUEUES: &str = "queues";
pub const MESSAGES: &str = "messages";
pub const ERROR_TEXTS: &str = "error_texts";

/// The queues pane as cached.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CachedQueues {
    #[serde(with = "broker_wire")]
    pub broker: Option<JmsBroker>,
    pub queues: Vec<CachedQueue>,
    /// Why the rows come from the broker (no queue list on this tenant).
    #[serde(default)]
    pub missing: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedQueue {
    pub queue: Queue,
    /// `(failed, blocked, oldest)`; `None` when the messages were not read.
    pub stats: Option<(usize, usize, Option<EpochMs>)>,
    #[serde(default)]
    pub fill: Option<i64>,
    #[serde(default)]
    pub broker_only: bool,
}

impl CachedQueues {
    pub fn of(broker: Option<&JmsBroker>, rows: &[QueueRow], missing: Option<&str>) -> Self {
        Self {
            broker: broker.cloned(),
            missing: missing.map(str::to_string),
            queues: rows
                .iter()
                .map(|r| CachedQueue {
                    queue: r.queue.clone(),
                    stats: r.stats.map(|s| (s.failed, s.blocked, s.oldest)),
                    fill: r.fill,
                    broker_only: r.broker_only,
                })
                .collect(),
        }
    }

    pub fn into_snapshot(self) -> QueuesSnapshot {
        QueuesSnapshot {
            broker: self.broker,
            missing: self.missing,
            queues: self
                .queues
                .into_iter()
                .map(|q| QueueRow {
                    queue: q.queue,
                    stats: q.stats.map(|(failed, blocked, oldest)| QueueStats {
                        failed,
                        blocked,
                        oldest,
                    }),
                    fill: q.fill,
                    broker_only: q.broker_only,
                })
                .collect(),
        }
    }
}

/// `JmsBroker`'s `QueueStates`/`InactiveQueues` decode from the OData `{"results":[…]}` form
/// only; write them in that form so the broker reads back unchanged.
mod broker_wire {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::cpi::model::JmsBroker;

    pub fn serialize<S: Serializer>(b: &Option<JmsBroker>, s: S) -> Result<S::Ok, S::Error> {
        let Some(b) = b else { return s.serialize_none() };
        let mut v = serde_json::to_value(b).map_err(serde::ser::Error::custom)?;
        for key in ["QueueStates", "InactiveQueues"] {
            if let Some(field) = v.get_mut(key) {
                let list = field.take();
                *field = serde_json::json!({ "results": list });
            }
        }
        v.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<JmsBroker>, D::Error> {
        Option::<JmsBroker>::deserialize(d)
    }
}

/// Artifacts as cached.
pub type CachedArtifacts = Vec<RuntimeArtifact>;

/// Error texts fetched from the tenant (artifact deployment errors, message errors), shown
/// instead of a failed fetch while the tenant is unreachable.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CachedErrorTexts {
    /// Artifact id → text.
    pub artifacts: BTreeMap<String, CachedText>,
    /// Message guid → text.
    pub messages: BTreeMap<String, CachedText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedText {
    pub text: String,
    pub fetched_at: EpochMs,
}

/// The most of one error text that is cached (64 KiB): a tenant can return megabytes of payload
/// in an error, which would bloat the cache file and sit on disk. Longer texts are cut at a
/// character boundary and end with [`CUT_MARKER`] and the number of bytes left out.
pub const MAX_CACHED_ERROR_TEXT: usize = 64 << 10;

/// Starts the note appended to a cut error text.
pub const CUT_MARKER: &str = "\n[… cut by cpitop's cache:";

impl CachedText {
    /// `text` as cached: at most [`MAX_CACHED_ERROR_TEXT`] bytes of it, plus the cut note.
    pub fn new(text: &str, fetched_at: EpochMs) -> Self {
        let text = if text.len() <= MAX_CACHED_ERROR_TEXT {
            text.to_string()
        } else {
            let mut end = MAX_CACHED_ERROR_TEXT;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}{CUT_MARKER} {} more bytes]", &text[..end], text.len() - end)
        };
        Self { text, fetched_at }
    }
}

/// A window of message rows in compact form: every string column dictionary-coded into
/// `strings`, one JSON array per row, newest first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CachedMessages {
    pub strings: Vec<String>,
    /// iFlow id code → codes of (name, type, package id, package name).
    pub iflows: Vec<(u32, [u32; 4])>,
    pub rows: Vec<CachedMessage>,
}

/// `(guid, correlation id, application message id, status, LogStart, LogEnd, iFlow, sender,
/// receiver, application message type, custom status)`; strings other than the ids are codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedMessage(
    pub String,
    pub String,
    pub String,
    pub u32,
    pub Option<EpochMs>,
    pub EpochMs,
    pub u32,
    pub u32,
    pub u32,
    pub u32,
    pub u32,
);

/// `None` for an empty string (the wire sends null), else borrowed.
fn opt(v: &str) -> Option<Cow<'_, str>> {
    (!v.is_empty()).then_some(Cow::Borrowed(v))
}

#[derive(Default)]
struct Interner<'a> {
    codes: HashMap<&'a str, u32>,
    strings: Vec<String>,
}

impl<'a> Interner<'a> {
    fn code(&mut self, s: &'a str) -> u32 {
        if let Some(&c) = self.codes.get(s) {
            return c;
        }
        let c = self.strings.len() as u32;
        self.strings.push(s.to_string());
        self.codes.insert(s, c);
        c
    }
}

impl CachedMessages {
    /// The newest `max_rows` messages of `store` (by their time, `LogEnd` else `LogStart`).
    /// Messages in flight are left out: they have no `LogEnd` to keep, and the next listing of
    /// the messages in flight brings them back as they are then.
    pub fn of(store: &MessageStore, max_rows: usize) -> Self {
        let mut rows: Vec<RowId> = (0..store.len() as RowId)
            .filter(|&r| !store.is_running(r))
            .collect();
        rows.sort_unstable_by_key(|&r| std::cmp::Reverse((store.time(r), r)));
        rows.truncate(max_rows);
        let mut dict = Interner::default();
        let mut iflows: BTreeMap<u32, [u32; 4]> = BTreeMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let m = store.row(r);
            let iflow = dict.code(m.iflow_id);
            if let std::collections::btree_map::Entry::Vacant(e) = iflows.entry(iflow) {
                e.insert([
                    dict.code(m.iflow_name),
                    dict.code(m.artifact_type),
                    dict.code(m.package_id),
                    dict.code(m.package_name),
                ]);
            }
            out.push(CachedMessage(
                m.guid.to_string(),
                m.correlation_id.to_string(),
                m.application_message_id.to_string(),
                dict.code(m.status.as_str()),
                m.log_start,
                m.log_end,
                iflow,
                dict.code(m.sender),
                dict.code(m.receiver),
                dict.code(m.application_message_type),
                dict.code(m.custom_status),
            ));
        }
        Self {
            strings: dict.strings,
            iflows: iflows.into_iter().collect(),
            rows: out,
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Back into a batch the store merges. A code outside the dictionary means the file was
    /// tampered with or damaged: the whole window is refused (the caller ignores the cache).
    pub fn to_batch(&self) -> Result<MplBatch, String> {
        let s = |code: u32| -> Result<&str, String> {
            self.strings
                .get(code as usize)
                .map(String::as_str)
                .ok_or_else(|| format!("string code {code} out of range ({})", self.strings.len()))
        };
        let mut info: HashMap<u32, [&str; 4]> = HashMap::with_capacity(self.iflows.len());
        for (code, [a, b, c, d]) in &self.iflows {
            info.insert(*code, [s(*a)?, s(*b)?, s(*c)?, s(*d)?]);
        }
        let mut batch = MplBatch::default();
        for (i, m) in self.rows.iter().enumerate() {
            let iflow = s(m.6)?;
            let artifact = info.get(&m.6).map(|[name, kind, pid, pname]| MplArtifactRow {
                id: Some(Cow::Borrowed(iflow)),
                name: opt(name),
                kind: opt(kind),
                package_id: opt(pid),
                package_name: opt(pname),
            });
            let row = MplRow {
                message_guid: Cow::Borrowed(&m.0),
                correlation_id: opt(&m.1),
                application_message_id: opt(&m.2),
                application_message_type: opt(s(m.9)?),
                log_start: m.4.map(|t| Cow::Owned(format_date(t))),
                log_end: Some(Cow::Owned(format_date(m.5))),
                sender: opt(s(m.7)?),
                receiver: opt(s(m.8)?),
                integration_flow_name: Some(Cow::Borrowed(iflow)),
                status: Some(Cow::Borrowed(s(m.3)?)),
                custom_status: opt(s(m.10)?),
                integration_artifact: artifact,
            };
            batch
                .push_row(&row)
                .map_err(|e| format!("cached message row {i}: {e}"))?;
        }
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreLimits;

    fn page(n: usize) -> Vec<u8> {
        let rows: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    r#"{{"MessageGuid":"AG{i:026}","CorrelationId":"C{i}","ApplicationMessageId":{app},
                    "ApplicationMessageType":"T","LogStart":"/Date({start})/","LogEnd":"/Date({end})/",
                    "Sender":"S4","Receiver":null,"IntegrationFlowName":"F{f}","Status":"{st}",
                    "CustomStatus":"{st}","IntegrationArtifact":{{"Id":"F{f}","Name":"Flow {f}",
                    "Type":"INTEGRATION_FLOW","PackageId":"P","PackageName":"Pkg"}}}}"#,
                    app = if i % 2 == 0 {
                        format!("\"PO-{i}\"")
                    } else {
                        "null".into()
                    },
                    start = 1_000_000 + i * 1000,
                    end = 1_000_500 + i * 1000,
                    f = i % 3,
                    st = if i % 4 == 0 { "FAILED" } else { "COMPLETED" },
                )
            })
            .collect();
        format!(r#"{{"d":{{"results":[{}]}}}}"#, rows.join(",")).into_bytes()
    }

    fn store(n: usize) -> MessageStore {
        let mut st = MessageStore::new(StoreLimits::default());
        st.merge(MplBatch::decode(&page(n)).unwrap());
        st
    }

    #[test]
    fn messages_round_trip_newest_first_and_bounded() {
        let st = store(50);
        let cached = CachedMessages::of(&st, 20);
        assert_eq!(cached.len(), 20);
        assert_eq!(cached.rows[0].0, format!("AG{:026}", 49), "newest first");
        let json = serde_json::to_string(&cached).unwrap();
        let back: CachedMessages = serde_json::from_str(&json).unwrap();
        let mut again = MessageStore::new(StoreLimits::default());
        again.merge(back.to_batch().unwrap());
        assert_eq!(again.len(), 20);
        for i in 30..50 {
            let guid = format!("AG{i:026}");
            let a = st.row(st.find(&guid).unwrap());
            let b = again.row(again.find(&guid).unwrap());
            assert_eq!(
                (a.guid, a.correlation_id, a.application_message_id, a.status),
                (b.guid, b.correlation_id, b.application_message_id, b.status)
            );
            assert_eq!((a.log_start, a.log_end), (b.log_start, b.log_end));
            assert_eq!(
                (a.iflow_id, a.iflow_name, a.package_name),
                (b.iflow_id, b.iflow_name, b.package_name)
            );
            assert_eq!(
                (a.sender, a.receiver, a.custom_status),
                (b.sender, b.receiver, b.custom_status)
            );
            assert_eq!(a.application_message_type, b.application_message_type);
        }
        assert!(
            again.find(&format!("AG{:026}", 29)).is_none(),
            "older rows not cached"
        );
    }

    #[test]
    fn long_error_texts_are_cut_with_a_marker() {
        let short = CachedText::new("boom", 1);
        assert_eq!(short.text, "boom");
        let long = "é".repeat(MAX_CACHED_ERROR_TEXT); // 2 bytes each: the cut falls on a boundary
        let cut = CachedText::new(&long, 1);
        assert!(cut.text.len() < MAX_CACHED_ERROR_TEXT + 100, "{}", cut.text.len());
        assert!(cut.text.contains(CUT_MARKER));
        assert!(
            cut.text
                .ends_with(&format!(" {} more bytes]", MAX_CACHED_ERROR_TEXT))
        );
    }

    #[test]
    fn bad_codes_are_refused() {
        let mut cached = CachedMessages::of(&store(3), 3);
        cached.rows[1].7 = 999;
        let e = cached.to_batch().unwrap_err();
        assert!(e.contains("out of range"), "{e}");
    }

    #[test]
    fn broker_round_trips_with_navigations() {
        let broker = JmsBroker {
            key: "Broker1".into(),
            capacity: 10,
            max_capacity: 100,
            queue_states: vec![crate::cpi::model::QueueState {
                name: "Q1".into(),
                state: 2,
            }],
            inactive_queues: vec![Queue {
                name: "Q9".into(),
                ..Queue::default()
            }],
            ..JmsBroker::default()
        };
        let q = CachedQueues::of(
            Some(&broker),
            &[QueueRow {
                queue: Queue {
                    name: "Q1".into(),
                    numb_of_msgs: 3,
                    active: true,
                    ..Queue::default()
                },
                stats: Some(QueueStats {
                    failed: 1,
                    blocked: 2,
                    oldest: Some(5),
                }),
                fill: Some(1),
                broker_only: true,
            }],
            Some("no queue list"),
        );
        let json = serde_json::to_string(&q).unwrap();
        let back: CachedQueues = serde_json::from_str(&json).unwrap();
        assert_eq!(back, q);
    }
}
