//! JMS: the broker (`JmsBrokers`), the queue-monitor service (`Queues`/`JmsMessages`, uncertain
//! overall) and the 2026 `MessagingQueues`/`MessagingMessages` (docs/cpi-api.md, "JMS queues").
//! Which queue API answers is `SimConfig::queue_api`; the other gives 404.
//!
//! Scenario: source queues with `DLQ_<queue>` partners holding messages that failed their 5
//! retries, retrying messages, blocked messages, a stopped queue, broker capacity in warning.

use http::StatusCode;

use super::filter::{FieldType, Val};
use super::json::Json;
use super::mpl_gen::{Status, mix};
use super::mpl_store::MplStore;
use super::resp::{Resp, bad_request, method_not_allowed, not_found, odata_error};
use super::routing::{Ctx, FieldTable, Seg, collection, filter_sort, metadata, s, single};
use super::world::World;

pub use super::state::{Jms, QMsg, Queue};

impl Queue {
    fn size(&self) -> i64 {
        self.msgs.len() as i64 * 2_348
    }
    /// 0 OK / 1 warning / 2 critical, by fill.
    fn state(&self) -> i64 {
        match self.msgs.len() {
            0..20 => 0,
            20..200 => 1,
            _ => 2,
        }
    }
}

const DAY: i64 = 86_400_000;
/// Bytes of the broker used by things other than the listed queues, so that capacity is in
/// warning (84% used; the UI calls < 20% free critical).
const BASE_USED: i64 = 8_190_000_000;
const MAX_CAPACITY: i64 = 9_751_756_800;
/// Queues the broker counts in `QueueNumber` but does not list in `QueueStates` (real brokers
/// report more queues than they list).
const UNLISTED_QUEUES: i64 = 2;

impl Jms {
    pub fn new(mpl: &MplStore, t0: i64) -> Self {
        let seed = mpl.mg.seed;
        let mut j = Self {
            queues: Vec::new(),
            counter: 0,
            host: format!("{:x}", mix(seed) >> 16),
            seed,
        };
        // (name, active, exclusive, count, kind): kind 0 waiting, 1 DLQ failed, 2 retrying, 3 blocked
        let plan: &[(&str, bool, bool, usize, u8)] = &[
            ("ORDERS_IN", true, false, 12, 0),
            ("DLQ_ORDERS_IN", true, false, 7, 1),
            ("INVOICES_OUT", true, false, 3, 2),
            ("DLQ_INVOICES_OUT", true, false, 25, 1),
            ("DELIVERY_3PL", true, false, 2, 3),
            ("DLQ_DELIVERY_3PL", true, false, 0, 1),
            ("BP_REPLICATION", true, true, 4, 0),
            ("PAYMENTS_EVENTS", false, false, 40, 0),
            ("WEBHOOKS_OUT", true, false, 1, 2),
            ("DLQ_WEBHOOKS_OUT", true, false, 3, 1),
            ("MASTERDATA_SYNC", true, true, 0, 0),
        ];
        for &(name, active, exclusive, n, kind) in plan {
            let mut q = Queue {
                name: name.into(),
                active,
                exclusive,
                msgs: Vec::new(),
            };
            for k in 0..n {
                let m = j.new_msg(mpl, t0 - (k as i64 + 1) * 7 * 60_000, kind);
                q.msgs.push(m);
            }
            j.queues.push(q);
        }
        j
    }

    fn new_msg(&mut self, mpl: &MplStore, created: i64, kind: u8) -> QMsg {
        self.counter += 1;
        let n = self.counter;
        let mpl_index = pick_mpl(mpl, mix(self.seed ^ n), kind == 1);
        let (failed, retry, next, overdue) = match kind {
            1 => (true, 5, None, Some(created + 7 * DAY)),
            2 => {
                let r = 1 + (n % 4) as i64;
                (
                    false,
                    r,
                    Some(created + 60_000 * (1 << r)),
                    Some(created + 7 * DAY),
                )
            }
            3 => (false, 2, None, Some(created + 7 * DAY)),
            _ => (false, 0, None, Some(created + 7 * DAY)),
        };
        QMsg {
            msgid: format!("ID:10.147.158.68{}:{}", self.host, n),
            mplid: mpl_index.map(|i| String::from_utf8_lossy(&mpl.mg.guid(i)).into_owned()),
            mpl_index,
            failed,
            created_at: created,
            retry_count: retry,
            next_retry: next,
            overdue_at: overdue,
            expiration: created + 90 * DAY,
        }
    }

    pub fn queue(&self, name: &str) -> Option<&Queue> {
        self.queues.iter().find(|q| q.name == name)
    }
    fn queue_mut(&mut self, name: &str) -> Option<&mut Queue> {
        self.queues.iter_mut().find(|q| q.name == name)
    }

    /// Admin: add `n` messages (failed ones when `failed`), creating the queue if needed.
    pub fn fill(&mut self, mpl: &MplStore, name: &str, n: usize, failed: bool, now: i64) {
        if self.queue(name).is_none() {
            self.queues.push(Queue {
                name: name.into(),
                active: true,
                exclusive: false,
                msgs: Vec::new(),
            });
        }
        let msgs: Vec<QMsg> = (0..n)
            .map(|k| self.new_msg(mpl, now - k as i64 * 1000, if failed { 1 } else { 0 }))
            .collect();
        if let Some(q) = self.queue_mut(name) {
            q.msgs.extend(msgs);
        }
    }

    /// Retry: the message is redelivered (not failed, next retry now).
    fn retry(m: &mut QMsg, now: i64) {
        m.failed = false;
        m.next_retry = Some(now);
        m.overdue_at = Some(now + 7 * DAY);
    }

    /// Move messages (`None` = all) from `src` to `dst`; returns how many moved.
    pub fn move_msgs(&mut self, src: &str, dst: &str, ids: Option<&[String]>) -> Result<usize, Resp> {
        if src == dst {
            return Err(bad_request(&format!(
                "Source and target queue are the same ('{src}'); nothing was moved."
            )));
        }
        if self.queue(dst).is_none() {
            return Err(odata_error(
                StatusCode::NOT_FOUND,
                "Not Found",
                &format!("Target queue '{dst}' does not exist."),
            ));
        }
        let Some(sq) = self.queue_mut(src) else {
            return Err(not_found());
        };
        let mut moved = Vec::new();
        sq.msgs.retain(|m| {
            let hit = ids.is_none_or(|ids| ids.contains(&m.msgid));
            if hit {
                moved.push(m.clone());
            }
            !hit
        });
        let n = moved.len();
        if let Some(dq) = self.queue_mut(dst) {
            for mut m in moved {
                m.failed = false;
                m.retry_count = 0;
                m.next_retry = None;
                dq.msgs.push(m);
            }
        }
        Ok(n)
    }
}

fn pick_mpl(mpl: &MplStore, h: u64, want_failed: bool) -> Option<u32> {
    let n = mpl.mg.hist_n;
    if n == 0 {
        return None;
    }
    let start = (h % n as u64) as u32;
    for k in 0..400u32 {
        let i = (start + k) % n;
        let Some(st) = mpl.state(i) else { continue };
        if !want_failed || st.status == Status::Failed {
            return Some(i);
        }
    }
    Some(start)
}

// ---- classic `Queues` / `JmsMessages` -------------------------------------------------------

fn queue_fields() -> FieldTable<Queue> {
    &[
        ("Name", FieldType::Str, |q| s(&q.name)),
        ("NumbOfMsgs", FieldType::Int, |q| Val::Int(q.msgs.len() as i64)),
    ]
}

fn write_queue(j: &mut Json, ctx: &Ctx, q: &Queue) {
    let key = format!("/Queues('{}')", q.name);
    j.obj();
    metadata(j, &[ctx.api, &key], "com.sap.hci.api.Queue", None);
    // All values are strings on the wire (docs/cpi-api.md, "JMS queues"); Type/State meanings are uncertain.
    j.key("Name")
        .str(&q.name)
        .key("NumbOfMsgs")
        .int_str(q.msgs.len() as i64)
        .key("Size")
        .int_str(q.size());
    j.key("Type")
        .int_str(0)
        .key("State")
        .int_str(q.state())
        .key("FillGrade")
        .int_str((q.msgs.len() as i64 * 100 / 2000).min(100));
    j.key("Active")
        .int_str(q.active as i64)
        .key("Exclusive")
        .int_str(q.exclusive as i64);
    for nav in ["Messages", "Artifacts", "JmsQueues", "Broker"] {
        j.key(nav).deferred(&[ctx.api, &key, "/", nav]);
    }
    j.end_obj();
}

fn enc_key(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn write_jms_msg(j: &mut Json, ctx: &Ctx, q: &Queue, m: &QMsg) {
    let key = format!(
        "/JmsMessages(Msgid='{}',Name='{}',Failed={})",
        enc_key(&m.msgid),
        q.name,
        m.failed
    );
    j.obj();
    metadata(
        j,
        &[ctx.api, &key],
        "com.sap.hci.api.JmsMessage",
        Some("application/zip"),
    );
    j.key("Msgid")
        .str(&m.msgid)
        .key("Name")
        .str(&q.name)
        .key("Failed")
        .bool(m.failed);
    j.key("Mplid")
        .opt_str(m.mplid.as_deref())
        .key("CreatedAt")
        .int_str(m.created_at);
    j.key("RetryCount").int_str(m.retry_count);
    match m.next_retry {
        Some(t) => j.key("NextRetry").int_str(t),
        None => j.key("NextRetry").null(),
    };
    match m.overdue_at {
        Some(t) => j.key("OverdueAt").int_str(t),
        None => j.key("OverdueAt").null(),
    };
    j.key("ExpirationDate").int_str(m.expiration);
    j.key("MimeMsgid")
        .null()
        .key("ContentType")
        .null()
        .key("MimeVersion")
        .null();
    j.key("Queue").deferred(&[ctx.api, &key, "/Queue"]);
    j.end_obj();
}

fn write_broker(j: &mut Json, ctx: &Ctx, jms: &Jms) {
    let key = "/JmsBrokers('Broker1')";
    let used: i64 = BASE_USED + jms.queues.iter().map(Queue::size).sum::<i64>();
    let states: Vec<i64> = jms.queues.iter().map(Queue::state).collect();
    let cnt = |s: i64| states.iter().filter(|&&x| x == s).count() as i64;
    j.obj();
    metadata(j, &[ctx.api, key], "com.sap.hci.api.JmsBroker", None);
    j.key("Key")
        .str("Broker1")
        .key("Capacity")
        .int_str(used)
        .key("MaxCapacity")
        .int_str(MAX_CAPACITY);
    j.key("IsTransactedSessionsHigh")
        .int(0)
        .key("IsConsumersHigh")
        .int(0)
        .key("IsProducersHigh")
        .int(0);
    j.key("IsQueuesHigh").int(0).key("IsMessageSpoolHigh").int(0);
    j.key("MaxQueueNumber")
        .int_str(30)
        .key("QueueNumber")
        .int_str(jms.queues.len() as i64 + UNLISTED_QUEUES);
    j.key("CapacityOk")
        .int_str(cnt(0))
        .key("CapacityWarning")
        .int_str(cnt(1))
        .key("CapacityError")
        .int_str(cnt(2));
    j.key("QueueStates");
    if ctx.q.expands("QueueStates") {
        j.obj().key("results").arr();
        for q in &jms.queues {
            let k = format!("/QueueStates('{}')", q.name);
            j.obj();
            metadata(j, &[ctx.api, &k], "com.sap.hci.api.QueueState", None);
            j.key("Name").str(&q.name).key("State").int_str(q.state());
            j.key("Broker").deferred(&[ctx.api, &k, "/Broker"]).end_obj();
        }
        j.end_arr().end_obj();
    } else {
        j.deferred(&[ctx.api, key, "/QueueStates"]);
    }
    j.key("InactiveQueues");
    if ctx.q.expands("InactiveQueues") {
        j.obj().key("results").arr();
        for q in jms.queues.iter().filter(|q| !q.active) {
            write_queue(j, ctx, q);
        }
        j.end_arr().end_obj();
    } else {
        j.deferred(&[ctx.api, key, "/InactiveQueues"]);
    }
    j.key("QueueNamesHigh")
        .deferred(&[ctx.api, key, "/QueueNamesHigh"]);
    j.end_obj();
}

/// `JMSMessageID='a'` or `JMSMessageID='a' OR JMSMessageID='b'` → ids.
fn selector_ids(sel: &str) -> Result<Vec<String>, Resp> {
    let mut ids = Vec::new();
    for part in sel.split(" OR ").flat_map(|p| p.split(" or ")) {
        let v = part
            .trim()
            .strip_prefix("JMSMessageID")
            .map(str::trim)
            .and_then(|v| v.strip_prefix('='));
        match v {
            Some(v) => ids.push(super::routing::unquote(v)),
            None => {
                return Err(bad_request(&format!(
                    "unsupported selector '{sel}': expected JMSMessageID='<id>' [OR ...]"
                )));
            }
        }
    }
    Ok(ids)
}

fn classic(ctx: &Ctx, w: &mut World, segs: &[Seg]) -> Resp {
    let now = ctx.now;
    let first = &segs[0];
    let nav: Vec<&str> = segs[1..].iter().map(|s| s.name.as_str()).collect();
    let m = ctx.method.as_str();
    match (first.name.as_str(), &first.key, nav.as_slice(), m) {
        ("Queues", None, [], "GET") => match filter_sort(&ctx.q, &w.jms.queues, queue_fields()) {
            Ok(rows) => collection(ctx, &rows, |j, q| write_queue(j, ctx, q)),
            Err(e) => e,
        },
        ("Queues", Some(_), rest, _) => {
            let name = first.single_key().unwrap_or_default();
            let Some(q) = w.jms.queue(&name) else {
                return not_found();
            };
            match (rest, m) {
                ([], "GET") => single(|j| write_queue(j, ctx, q)),
                (["Messages"], "GET") => {
                    // `$filter` is ignored here on real tenants (docs/cpi-api.md, "JMS queues").
                    let mut c = ctx.q.clone();
                    c.filter = None;
                    super::routing::collection_q(ctx, &c, &q.msgs, |j, msg| write_jms_msg(j, ctx, q, msg))
                }
                ([], "MERGE" | "PATCH" | "PUT") => match ctx.q.param("operation") {
                    Some("move") => {
                        let Some(target) = ctx.q.param("target_queue") else {
                            return bad_request("operation=move needs target_queue=<queue>");
                        };
                        let ids = match ctx.q.param("selector").map(selector_ids) {
                            Some(Ok(ids)) => Some(ids),
                            Some(Err(e)) => return e,
                            None => None,
                        };
                        match w.jms.move_msgs(&name, target, ids.as_deref()) {
                            Ok(0) if ids.is_some() => not_found(),
                            Ok(_) => Resp::empty(StatusCode::NO_CONTENT),
                            Err(e) => e,
                        }
                    }
                    Some(other) => bad_request(&format!("unsupported operation '{other}' (move)")),
                    None => {
                        if let Some(q) = w.jms.queue_mut(&name) {
                            for msg in &mut q.msgs {
                                Jms::retry(msg, now);
                            }
                        }
                        Resp::empty(StatusCode::NO_CONTENT)
                    }
                },
                ([], m) => method_not_allowed(m, "Queues('<name>')"),
                _ => not_found(),
            }
        }
        ("JmsMessages", Some(_), rest, _) => {
            let id = first.named_key("Msgid").unwrap_or_default();
            let qn = first.named_key("Name").unwrap_or_default();
            let failed = first.named_key("Failed");
            let Some(qi) = w.jms.queues.iter().position(|q| q.name == qn) else {
                return not_found();
            };
            let Some(mi) = w.jms.queues[qi]
                .msgs
                .iter()
                .position(|x| x.msgid == id && failed.as_deref().is_none_or(|f| (f == "true") == x.failed))
            else {
                return not_found();
            };
            message_op(ctx, w, qi, mi, rest, m, |j, q, msg| write_jms_msg(j, ctx, q, msg))
        }
        ("JmsBrokers", Some(_), [], "GET") => {
            if first.single_key().as_deref() != Some("Broker1") {
                return not_found();
            }
            single(|j| write_broker(j, ctx, &w.jms))
        }
        (_, _, _, m) if m != "GET" => method_not_allowed(m, &first.name),
        _ => not_found(),
    }
}

/// GET / `$value` / retry (MERGE) / DELETE of one queued message (both queue APIs).
fn message_op(
    ctx: &Ctx,
    w: &mut World,
    qi: usize,
    mi: usize,
    rest: &[&str],
    m: &str,
    write: impl FnOnce(&mut Json, &Queue, &QMsg),
) -> Resp {
    match (rest, m) {
        ([], "GET") => {
            let q = &w.jms.queues[qi];
            single(|j| write(j, q, &q.msgs[mi]))
        }
        (["$value"], "GET") => {
            let msg = &w.jms.queues[qi].msgs[mi];
            // A real tenant sends a zip (body, headers.prop, properties.prop); the sim sends the
            // body as text with the same media type.
            let body = format!(
                "JMSMessageID={}\nSAP_MessageProcessingLogID={}\nSAPJMSRetries={}\n",
                msg.msgid,
                msg.mplid.as_deref().unwrap_or(""),
                msg.retry_count
            );
            Resp::new(StatusCode::OK, "application/zip", body)
        }
        ([], "MERGE" | "PATCH" | "PUT") => {
            Jms::retry(&mut w.jms.queues[qi].msgs[mi], ctx.now);
            Resp::empty(StatusCode::NO_CONTENT)
        }
        ([], "DELETE") => {
            let msg = w.jms.queues[qi].msgs.remove(mi);
            // Deleting a queued message cancels its MPL (docs/cpi-api.md, "JMS queues").
            if let Some(i) = msg.mpl_index {
                w.mpl.set_final(i, Status::Cancelled, None);
            }
            Resp::empty(StatusCode::NO_CONTENT)
        }
        ([], m) => method_not_allowed(m, "a queued message"),
        _ => not_found(),
    }
}

// ---- `MessagingQueues` / `MessagingMessages` (U) --------------------------------------

fn write_mq(j: &mut Json, ctx: &Ctx, q: &Queue) {
    let key = format!("/MessagingQueues('{}')", q.name);
    j.obj();
    metadata(j, &[ctx.api, &key], "com.sap.hci.api.MessagingQueue", None);
    j.key("queueName")
        .str(&q.name)
        .key("numberOfMessages")
        .int_str(q.msgs.len() as i64);
    j.key("active").bool(q.active).key("exclusive").bool(q.exclusive);
    j.key("MessagingMessages")
        .deferred(&[ctx.api, &key, "/MessagingMessages"]);
    j.end_obj();
}

fn write_mm(j: &mut Json, ctx: &Ctx, q: &Queue, m: &QMsg, mpl: &MplStore) {
    let key = format!(
        "/MessagingMessages(jmsMessageId='{}',queueName='{}')",
        enc_key(&m.msgid),
        q.name
    );
    let fl = m
        .mpl_index
        .map(|i| &super::catalog::FLOWS[mpl.mg.flow_of(i) as usize]);
    j.obj();
    metadata(
        j,
        &[ctx.api, &key],
        "com.sap.hci.api.MessagingMessage",
        Some("application/zip"),
    );
    j.key("jmsMessageId")
        .str(&m.msgid)
        .key("queueName")
        .str(&q.name)
        .key("failed")
        .bool(m.failed);
    j.key("mplId")
        .opt_str(m.mplid.as_deref())
        .key("createdAt")
        .int_str(m.created_at);
    j.key("retryCount").int_str(m.retry_count);
    match m.next_retry {
        Some(t) => j.key("nextRetry").int_str(t),
        None => j.key("nextRetry").null(),
    };
    match m.overdue_at {
        Some(t) => j.key("overdueAt").int_str(t),
        None => j.key("overdueAt").null(),
    };
    j.key("expirationDate").int_str(m.expiration);
    j.key("sender")
        .opt_str(fl.map(|f| f.sender))
        .key("receiver")
        .opt_str(fl.map(|f| f.receiver));
    j.key("messageType")
        .opt_str(fl.map(|f| f.msg_type))
        .key("applicationId")
        .null();
    j.key("correlationId").null();
    // The MPL's custom status, as the message log reports it.
    let custom = m
        .mpl_index
        .and_then(|i| mpl.state(i))
        .map(|st| super::mpl_flow::custom_status(&mpl.mg, &st));
    j.key("customStatus").opt_str(custom);
    j.end_obj();
}

/// Most messages one `RetryMessagingMessages`/`MoveMessagingMessages` call takes (SAP's UI moves
/// at most 100 at once).
pub const FI_BATCH_LIMIT: usize = 100;

/// A mandatory function-import parameter: an Edm.String literal in the URL (`name='value'`), as
/// OData V2 passes function-import parameters. A missing one is refused with 400, as an OData
/// V2 service refuses a call without a mandatory parameter.
fn fi_param(ctx: &Ctx, fi: &str, name: &str) -> Result<String, Resp> {
    match ctx.q.param(name) {
        Some(v) if !v.trim().is_empty() => Ok(super::routing::unquote(v)),
        _ => Err(bad_request(&format!(
            "Mandatory parameter '{name}' of function import '{fi}' is missing."
        ))),
    }
}

/// The message ids of a call: one comma-joined literal, at most [`FI_BATCH_LIMIT`] of them.
fn fi_ids(ctx: &Ctx, fi: &str) -> Result<Vec<String>, Resp> {
    let raw = fi_param(ctx, fi, "jmsMessageIds")?;
    let ids: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if ids.len() > FI_BATCH_LIMIT {
        return Err(bad_request(&format!(
            "The number of messages per request must not exceed {FI_BATCH_LIMIT}; {} were given.",
            ids.len()
        )));
    }
    Ok(ids)
}

fn op_reply(op: &str, n: usize) -> Resp {
    // `{"operation":"MOVE","processedCount":"1"}` as one client saw it (U), inside the OData V2
    // envelope of a complex-type function-import result: `{"d":{"<FunctionImport>":{…}}}`.
    let fi = if op == "MOVE" {
        "MoveMessagingMessages"
    } else {
        "RetryMessagingMessages"
    };
    let mut j = Json::default();
    j.obj().key("d").obj().key(fi).obj();
    j.key("operation").str(op).key("processedCount").int_str(n as i64);
    j.end_obj().end_obj().end_obj();
    Resp::json_ok(j)
}

fn messaging(ctx: &Ctx, w: &mut World, segs: &[Seg]) -> Resp {
    let first = &segs[0];
    let nav: Vec<&str> = segs[1..].iter().map(|s| s.name.as_str()).collect();
    let m = ctx.method.as_str();
    match (first.name.as_str(), &first.key, nav.as_slice(), m) {
        ("MessagingQueues", None, [], "GET") => collection(ctx, &w.jms.queues, |j, q| write_mq(j, ctx, q)),
        ("MessagingQueues", Some(_), rest, "GET") => {
            let name = first.single_key().unwrap_or_default();
            let Some(q) = w.jms.queue(&name) else {
                return not_found();
            };
            match rest {
                [] => single(|j| write_mq(j, ctx, q)),
                ["MessagingMessages"] => {
                    // `pageSize` (100–10000) instead of `$top` (U); default 1000 here.
                    let size = ctx
                        .q
                        .param("pageSize")
                        .and_then(|p| p.parse::<usize>().ok())
                        .unwrap_or(1000)
                        .clamp(1, 10_000);
                    let mut c = ctx.q.clone();
                    c.top = Some(size.max(c.top.unwrap_or(0)).min(size));
                    let mpl = &w.mpl;
                    super::routing::collection_q(ctx, &c, &q.msgs, |j, msg| write_mm(j, ctx, q, msg, mpl))
                }
                _ => not_found(),
            }
        }
        ("MessagingMessages", Some(_), rest, _) => {
            let id = first.named_key("jmsMessageId").unwrap_or_default();
            let qn = first.named_key("queueName").unwrap_or_default();
            let Some(qi) = w.jms.queues.iter().position(|q| q.name == qn) else {
                return not_found();
            };
            let Some(mi) = w.jms.queues[qi].msgs.iter().position(|x| x.msgid == id) else {
                return not_found();
            };
            if matches!(m, "MERGE" | "PATCH" | "PUT") {
                return method_not_allowed(m, "MessagingMessages (use RetryMessagingMessages)");
            }
            if rest.is_empty() && m == "GET" {
                let q = &w.jms.queues[qi];
                let mpl = &w.mpl;
                return single(|j| write_mm(j, ctx, q, &q.msgs[mi], mpl));
            }
            message_op(ctx, w, qi, mi, rest, m, |_, _, _| {})
        }
        ("RetryMessagingMessages", None, [], "POST") => {
            let fi = "RetryMessagingMessages";
            let (queue, ids) = match (fi_param(ctx, fi, "queueName"), fi_ids(ctx, fi)) {
                (Ok(q), Ok(ids)) => (q, ids),
                (Err(e), _) | (_, Err(e)) => return e,
            };
            let Some(q) = w.jms.queue_mut(&queue) else {
                return not_found();
            };
            let mut n = 0;
            for msg in q.msgs.iter_mut().filter(|x| ids.contains(&x.msgid)) {
                Jms::retry(msg, ctx.now);
                n += 1;
            }
            op_reply("RETRY", n)
        }
        ("MoveMessagingMessages", None, [], "POST") => {
            let fi = "MoveMessagingMessages";
            let (src, dst, ids) = match (
                fi_param(ctx, fi, "sourceQueue"),
                fi_param(ctx, fi, "targetQueue"),
                fi_ids(ctx, fi),
            ) {
                (Ok(s), Ok(d), Ok(ids)) => (s, d, ids),
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return e,
            };
            match w.jms.move_msgs(&src, &dst, Some(&ids)) {
                Ok(n) => op_reply("MOVE", n),
                Err(e) => e,
            }
        }
        (_, _, _, m) if m != "GET" => method_not_allowed(m, &first.name),
        _ => not_found(),
    }
}

pub fn route(ctx: &Ctx, w: &mut World, segs: &[Seg]) -> Resp {
    let api = ctx.cfg.queue_api;
    match segs[0].name.as_str() {
        "JmsBrokers" => classic(ctx, w, segs),
        "Queues" | "JmsMessages" if api.classic() => classic(ctx, w, segs),
        "MessagingQueues" | "MessagingMessages" | "RetryMessagingMessages" | "MoveMessagingMessages"
            if api.messaging() =>
        {
            messaging(ctx, w, segs)
        }
        other => absent(ctx, other),
    }
}

/// A queue API this tenant does not offer: 404 for the one API a tenant lacks, 501 on a tenant
/// without JMS (trial tenants), or the configured status.
fn absent(ctx: &Ctx, segment: &str) -> Resp {
    let status = match ctx.cfg.queue_api_absent_status {
        0 if ctx.cfg.queue_api == super::QueueApi::None => 501,
        0 => 404,
        s => s,
    };
    match StatusCode::from_u16(status) {
        Ok(StatusCode::NOT_FOUND) | Err(_) => odata_error(
            StatusCode::NOT_FOUND,
            "Not Found",
            &format!("Resource not found for the segment '{segment}'."),
        ),
        // A byte-order mark before the JSON (docs/sim.md, "Error replies"), unless clean.
        Ok(StatusCode::NOT_IMPLEMENTED) => super::resp::error_shaped(
            StatusCode::NOT_IMPLEMENTED,
            if ctx.cfg.clean {
                super::resp::ErrorShape::Wrapped
            } else {
                super::resp::ErrorShape::Bom
            },
            "Not Implemented",
            Some(&format!(
                "The resource '{segment}' is not available for this tenant."
            )),
        ),
        Ok(code) => odata_error(
            code,
            code.canonical_reason().unwrap_or("Error"),
            &format!("The resource '{segment}' is not available for this tenant."),
        ),
    }
}
