//! `MessageProcessingLogs`: the list (with the LogEnd-index fast path), `/$count`, single
//! entities; the navigations are in `mpl_navs`.

use std::borrow::Cow;

use super::catalog::PACKAGES;
use super::filter::{self, Expr, FieldType, Val};
use super::json::Json;
use super::mpl_gen::Gen;
use super::mpl_navs;
use super::mpl_store::{MplStore, MsgState};
use super::query::{self, PAGE_SIZE, Query};
use super::resp::{Resp, bad_request, method_not_allowed, not_found, odata_error};
use super::routing::{Ctx, Seg, count};
use super::world::World;

/// Properties of a MessageProcessingLog in wire order (docs/cpi-api.md, "Message processing logs"). The bit of a
/// property in a `$select` mask is its position here.
pub const PROPS: &[&str] = &[
    "MessageGuid",
    "CorrelationId",
    "ApplicationMessageId",
    "PredecessorMessageGuid",
    "ApplicationMessageType",
    "LogStart",
    "LogEnd",
    "Sender",
    "Receiver",
    "IntegrationFlowName",
    "Status",
    "AlternateWebLink",
    "IntegrationArtifact",
    "LogLevel",
    "CustomStatus",
    "ArchivingStatus",
    "ArchivingSenderChannelMessages",
    "ArchivingReceiverChannelMessages",
    "ArchivingLogAttachments",
    "ArchivingPersistedMessages",
    "TransactionId",
    "PreviousComponentName",
    "LocalComponentName",
    "OriginComponentName",
    "CustomHeaderProperties",
    "MessageStoreEntries",
    "ErrorInformation",
    "AdapterAttributes",
    "Attachments",
    "Runs",
];

/// Filterable properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum F {
    MessageGuid,
    CorrelationId,
    ApplicationMessageId,
    ApplicationMessageType,
    LogStart,
    LogEnd,
    Sender,
    Receiver,
    IFlow,
    IFlowName,
    PackageId,
    Status,
    CustomStatus,
    LogLevel,
}

pub fn resolve(name: &str) -> Option<(F, FieldType)> {
    use FieldType::*;
    Some(match name {
        "MessageGuid" => (F::MessageGuid, Str),
        "CorrelationId" => (F::CorrelationId, Str),
        "ApplicationMessageId" => (F::ApplicationMessageId, Str),
        "ApplicationMessageType" => (F::ApplicationMessageType, Str),
        "LogStart" => (F::LogStart, Date),
        "LogEnd" => (F::LogEnd, Date),
        "Sender" => (F::Sender, Str),
        "Receiver" => (F::Receiver, Str),
        // Deprecated for filters; CPI maps it to IntegrationArtifact/Id (docs/cpi-api.md, "Message processing logs").
        "IntegrationFlowName" | "IntegrationArtifact/Id" => (F::IFlow, Str),
        "IntegrationArtifact/Name" => (F::IFlowName, Str),
        "IntegrationArtifact/PackageId" => (F::PackageId, Str),
        "Status" => (F::Status, Str),
        "CustomStatus" => (F::CustomStatus, Str),
        "LogLevel" => (F::LogLevel, Str),
        _ => return None,
    })
}

pub use super::mpl_flow::{custom_status, flow};

// --- Realism of message rows (docs/sim.md, "Message rows"): decided by the message's hash, so a
// message looks the same on every request; off with `SimConfig::clean` (`MsgState::real`). The
// custom status's salt (46) is in `mpl_flow`.
const SALT_NO_START: u64 = 47;
const SALT_TRIMMED: u64 = 48;
const SALT_STR_BOOL: u64 = 49;

/// `Receiver`: several names comma-joined for the multicast iFlows (`catalog::MULTICAST`).
pub fn receiver(st: &MsgState) -> &'static str {
    let fl = flow(st);
    if st.real && !st.in_flight {
        super::catalog::multicast(fl.id).unwrap_or(fl.receiver)
    } else {
        fl.receiver
    }
}

/// Whether a message in flight also lacks its `LogStart` (half of them).
fn start_hidden(mg: &Gen, st: &MsgState) -> bool {
    st.in_flight && mg.h(st.i, SALT_NO_START) % 2 == 0
}

/// Without `$select`, one record in 8 lacks a few properties (trimmed records of older tenants).
fn trimmed(mg: &Gen, st: &MsgState, mask: u64) -> bool {
    st.real && mask == u64::MAX && mg.h(st.i, SALT_TRIMMED) % 8 == 0
}

pub fn get<'a>(mg: &Gen, st: &'a MsgState, f: F) -> Val<'a> {
    let fl = flow(st);
    let owned = |b: [u8; 28]| Val::Str(Cow::Owned(String::from_utf8_lossy(&b).into_owned()));
    let opt = |v: &'static str| {
        if v.is_empty() {
            Val::Null
        } else {
            Val::Str(Cow::Borrowed(v))
        }
    };
    // A message in flight: no LogEnd, often no LogStart, and null ids, iFlow and artifact
    // (docs/sim.md, "Messages in flight").
    let fl_ = !st.in_flight;
    match f {
        F::MessageGuid => owned(mg.guid(st.i)),
        F::CorrelationId if fl_ => owned(mg.correlation(st.i)),
        F::ApplicationMessageId => mg.app_id(st.i, fl).map_or(Val::Null, |s| Val::Str(Cow::Owned(s))),
        F::ApplicationMessageType => opt(fl.msg_type),
        F::LogStart if !start_hidden(mg, st) => Val::Date(st.life.start),
        F::LogEnd if fl_ => Val::Date(st.log_end),
        F::Sender => opt(fl.sender),
        F::Receiver => opt(receiver(st)),
        F::IFlow if fl_ => opt(fl.id),
        F::IFlowName if fl_ => opt(super::catalog::display_name(fl, st.real)),
        F::PackageId if fl_ => opt(PACKAGES[fl.package].0),
        F::Status => Val::Str(Cow::Borrowed(st.status.as_str())),
        F::CustomStatus => Val::Str(Cow::Borrowed(custom_status(mg, st))),
        F::LogLevel if fl_ => Val::Str(Cow::Borrowed(mg.log_level(st.i))),
        _ => Val::Null,
    }
}

/// `$select` → bit mask over `PROPS` (`None` = everything). Unknown names are a 400.
fn select_mask(q: &Query) -> Result<u64, Resp> {
    let Some(sel) = &q.select else { return Ok(u64::MAX) };
    let mut m = 0u64;
    for name in sel {
        if name == "*" {
            return Ok(u64::MAX);
        }
        let base = name.split('/').next().unwrap_or(name);
        match PROPS.iter().position(|p| *p == base) {
            Some(b) => m |= 1 << b,
            None => return Err(bad_request(&format!("unknown property '{name}' in $select"))),
        }
    }
    Ok(m)
}

/// Write one MPL entity with the properties in `mask`.
pub fn write_mpl(j: &mut Json, ctx: &Ctx, mg: &Gen, st: &MsgState, mask: u64, expand: &[String]) {
    let fl = flow(st);
    let guid_b = mg.guid(st.i);
    let guid = std::str::from_utf8(&guid_b).unwrap_or("");
    let key = ["/MessageProcessingLogs('", guid, "')"];
    let uri = [ctx.api, key[0], key[1], key[2]];
    let trim = trimmed(mg, st, mask);
    // Trimmed records (no `$select`) lack these: ApplicationMessageType, TransactionId, the
    // archiving flags and the component names.
    let on = |p: usize| mask & (1 << p) != 0 && !(trim && matches!(p, 4 | 15..=23));
    let live = !st.in_flight;
    j.obj();
    if !mpl_navs::without_metadata(ctx, mg, st) {
        j.key("__metadata").obj();
        j.key("id").str_parts(&uri).key("uri").str_parts(&uri);
        j.key("type")
            .str("com.sap.hci.api.MessageProcessingLog")
            .end_obj();
    }
    if on(0) {
        j.key("MessageGuid").str(guid);
    }
    if on(1) {
        let c = mg.correlation(st.i);
        j.key("CorrelationId")
            .opt_str(live.then(|| std::str::from_utf8(&c).unwrap_or("")));
    }
    if on(2) {
        j.key("ApplicationMessageId")
            .opt_str(mg.app_id(st.i, fl).as_deref());
    }
    if on(3) {
        j.key("PredecessorMessageGuid").null();
    }
    if on(4) {
        j.key("ApplicationMessageType").opt_str(Some(fl.msg_type));
    }
    if on(5) {
        if start_hidden(mg, st) {
            j.key("LogStart").null();
        } else {
            j.key("LogStart").date(st.life.start);
        }
    }
    if on(6) {
        if live {
            j.key("LogEnd").date(st.log_end);
        } else {
            j.key("LogEnd").null();
        }
    }
    if on(7) {
        j.key("Sender").opt_str(Some(fl.sender));
    }
    if on(8) {
        j.key("Receiver").opt_str(Some(receiver(st)));
    }
    if on(9) {
        j.key("IntegrationFlowName").opt_str(live.then_some(fl.id));
    }
    if on(10) {
        j.key("Status").str(st.status.as_str());
    }
    if on(11) {
        let base = ctx.api.strip_suffix("/api/v1").unwrap_or(ctx.api);
        let root = ctx.cfg.web_link.root(base);
        j.key("AlternateWebLink").str_parts(&[
            &root,
            "/shell/monitoring/Messages/%7B%22identifier%22%3A%22",
            guid,
            "%22%7D",
        ]);
    }
    if on(12) {
        let (pid, pname, _) = PACKAGES[fl.package];
        j.key("IntegrationArtifact").obj();
        j.key("__metadata")
            .obj()
            .key("type")
            .str("com.sap.hci.api.IntegrationArtifact")
            .end_obj();
        if live {
            j.key("Id")
                .str(fl.id)
                .key("Name")
                .str(super::catalog::display_name(fl, st.real))
                .key("Type")
                .str("INTEGRATION_FLOW");
            j.key("PackageId")
                .str(pid)
                .key("PackageName")
                .str(pname)
                .end_obj();
        } else {
            for k in ["Id", "Name", "Type", "PackageId", "PackageName"] {
                j.key(k).null();
            }
            j.end_obj();
        }
    }
    if on(13) {
        j.key("LogLevel").opt_str(live.then(|| mg.log_level(st.i)));
    }
    if on(14) {
        j.key("CustomStatus").str(custom_status(mg, st));
    }
    if on(15) {
        j.key("ArchivingStatus").str("NOT_RELEVANT");
    }
    for (b, name) in [
        (16, "ArchivingSenderChannelMessages"),
        (17, "ArchivingReceiverChannelMessages"),
        (18, "ArchivingLogAttachments"),
        (19, "ArchivingPersistedMessages"),
    ] {
        if on(b) {
            // SAP's examples send the archiving flags as strings, live tenants as booleans.
            if st.real && mg.h(st.i, SALT_STR_BOOL) % 2 == 0 {
                j.key(name).str("false");
            } else {
                j.key(name).bool(false);
            }
        }
    }
    if on(20) {
        let t = mg.transaction_id(st.i);
        j.key("TransactionId")
            .opt_str(live.then(|| std::str::from_utf8(&t).unwrap_or("")));
    }
    for (b, name) in [
        (21, "PreviousComponentName"),
        (22, "LocalComponentName"),
        (23, "OriginComponentName"),
    ] {
        if on(b) {
            // Real tenants send a single space for some of them.
            let blank = st.real && b != 22 && mg.h(st.i, SALT_STR_BOOL) % 5 == 0;
            j.key(name).str(if blank { " " } else { "CPI_sim" });
        }
    }
    for (b, nav) in PROPS.iter().enumerate().skip(24) {
        if !on(b) {
            continue;
        }
        j.key(nav);
        let asked = expand.iter().any(|e| e == nav);
        if asked && mpl_navs::defers_despite_expand(ctx, mg, st) {
            // Deferred although asked for, naming another message (docs/sim.md).
            let other = mpl_navs::deferred_guid(mg, st);
            j.deferred(&[ctx.api, key[0], &other, key[2], "/", nav]);
        } else if asked {
            j.obj().key("results");
            mpl_navs::write_nav_rows(j, ctx, mg, st, nav);
            j.end_obj();
        } else if expand.is_empty() && mpl_navs::empty_results_unexpanded(ctx, mg, st) {
            j.obj().key("results").arr().end_arr().end_obj();
        } else {
            j.deferred(&[ctx.api, key[0], key[1], key[2], "/", nav]);
        }
    }
    j.end_obj();
}

enum Order {
    LogEndAsc,
    LogEndDesc,
    Other(Vec<(F, bool)>),
}

fn order(q: &Query) -> Result<Order, Resp> {
    let mut keys = Vec::new();
    for (name, desc) in &q.orderby {
        let (f, _) =
            resolve(name).ok_or_else(|| bad_request(&format!("unknown property '{name}' in $orderby")))?;
        keys.push((f, *desc));
    }
    Ok(match keys.as_slice() {
        [] | [(F::LogEnd, false)] => Order::LogEndAsc,
        [(F::LogEnd, true)] => Order::LogEndDesc,
        _ => Order::Other(keys),
    })
}

/// True if `e` only bounds LogEnd by dates through an `and` chain (then the index range is
/// exact: rows without a LogEnd never match a bound).
fn only_log_end(e: &Expr<F>) -> bool {
    match e {
        Expr::And(a, b) => only_log_end(a) && only_log_end(b),
        Expr::Cmp(F::LogEnd, op, filter::Lit::Date(_) | filter::Lit::Int(_)) => *op != filter::Op::Ne,
        _ => false,
    }
}

/// True if the `and` chain of `e` holds a term that only messages in flight or PROCESSING /
/// RETRY can satisfy: an `or` of `LogEnd eq null`, `Status eq 'PROCESSING'` and
/// `Status eq 'RETRY'` (the client's in-flight listing). Such a filter scans `MplStore::open`
/// instead of every message.
fn only_open(e: &Expr<F>) -> bool {
    fn branch(e: &Expr<F>) -> bool {
        match e {
            Expr::Or(a, b) => branch(a) && branch(b),
            Expr::Cmp(F::LogEnd, filter::Op::Eq, filter::Lit::Null) => true,
            Expr::Cmp(F::Status, filter::Op::Eq, filter::Lit::Str(s)) => s == "PROCESSING" || s == "RETRY",
            _ => false,
        }
    }
    match e {
        Expr::And(a, b) => only_open(a) || only_open(b),
        other => branch(other),
    }
}

/// The matching entries of a list request, as one page: `(rows, total if counted, more)`.
pub fn select_page(
    store: &MplStore,
    q: &Query,
    need_total: bool,
) -> Result<(Vec<MsgState>, Option<usize>, bool), Resp> {
    let mg = &store.mg;
    let bound = match &q.filter {
        Some(f) => Some(filter::bind(f.clone(), &resolve).map_err(|e| bad_request(&e.0))?),
        None => None,
    };
    let ord = order(q)?;
    let (mut lo, hi) = bound
        .as_ref()
        .map_or((None, None), |b| filter::int_bounds(b, F::LogEnd));
    // `(LogEnd ge … or MessageGuid eq …)`: the range from the bound plus the ids by lookup.
    let or_keys = bound
        .as_ref()
        .and_then(|b| filter::or_of_lower_bound_and_keys(b, F::LogEnd, F::MessageGuid))
        .filter(|(or_lo, _)| or_lo.is_some());
    if let Some((or_lo, _)) = &or_keys {
        lo = lo.max(*or_lo);
    }
    let range = store.range(lo, hi);
    let idx = store.index();
    // Rows without a LogEnd satisfy no LogEnd bound; otherwise they are candidates too.
    let bounded = lo.is_some() || hi.is_some();
    let open_only = bound.as_ref().is_some_and(only_open);
    let lookup = |g: &str| {
        mg.guid_index(g)
            .and_then(|i| store.state(i))
            .map(|st| (st.log_end, st.i))
    };
    // A MessageGuid eq lookup needs no scan: the guid encodes the message index.
    let by_guid = bound.as_ref().and_then(|b| filter::eq_str(b, F::MessageGuid));
    let candidates: Box<dyn Iterator<Item = (i64, u32)> + '_> = if let Some(g) = by_guid {
        Box::new(lookup(g).into_iter())
    } else if let Some((_, keys)) = &or_keys {
        // The looked-up entries below the range, in order, then the range.
        let start = lo.unwrap_or(i64::MIN);
        let mut below: Vec<(i64, u32)> = keys
            .iter()
            .filter_map(|g| lookup(g))
            .filter(|e| e.0 < start)
            .collect();
        below.sort_unstable();
        below.dedup();
        match ord {
            Order::LogEndDesc => Box::new(
                idx[range.clone()]
                    .iter()
                    .rev()
                    .copied()
                    .chain(below.into_iter().rev()),
            ),
            _ => Box::new(below.into_iter().chain(idx[range.clone()].iter().copied())),
        }
    } else if open_only {
        // In-flight rows (no LogEnd) first in ascending order, as nulls sort first.
        let mut open: Vec<(i64, u32)> = store
            .open()
            .filter_map(|i| store.state(i))
            .map(|st| (if st.in_flight { i64::MIN } else { st.log_end }, st.i))
            .filter(|e| {
                !bounded || (e.0 != i64::MIN && lo.is_none_or(|l| e.0 >= l) && hi.is_none_or(|h| e.0 < h))
            })
            .collect();
        open.sort_unstable();
        match ord {
            Order::LogEndDesc => Box::new(open.into_iter().rev()),
            _ => Box::new(open.into_iter()),
        }
    } else if !bounded && store.in_flight_len() > 0 {
        let flying = || store.in_flight().map(|i| (i64::MIN, i));
        match ord {
            Order::LogEndDesc => Box::new(idx[range.clone()].iter().rev().copied().chain(flying().rev())),
            _ => Box::new(flying().chain(idx[range.clone()].iter().copied())),
        }
    } else {
        match ord {
            Order::LogEndDesc => Box::new(idx[range.clone()].iter().rev().copied()),
            _ => Box::new(idx[range.clone()].iter().copied()),
        }
    };
    let pass = |st: &MsgState| {
        bound
            .as_ref()
            .is_none_or(|b| filter::eval(b, &mut |f| get(mg, st, f)))
    };
    match ord {
        Order::LogEndAsc | Order::LogEndDesc => {
            let exact = by_guid.is_none()
                && or_keys.is_none()
                && !open_only
                && (bounded || store.in_flight_len() == 0)
                && bound.as_ref().is_none_or(only_log_end);
            if exact {
                let total = range.len();
                let (off, n, more) = query::window(q, total);
                let rows = match ord {
                    Order::LogEndDesc => idx[range.clone()]
                        .iter()
                        .rev()
                        .skip(off)
                        .take(n)
                        .map(|&e| store.state_of_entry(e))
                        .collect(),
                    _ => idx[range.start + off..range.start + off + n]
                        .iter()
                        .map(|&e| store.state_of_entry(e))
                        .collect(),
                };
                return Ok((rows, Some(total), more));
            }
            let off = q.skip.saturating_add(q.skiptoken);
            let want = q.top.map_or(usize::MAX, |t| t.saturating_sub(q.skiptoken));
            let limit = want.min(PAGE_SIZE);
            let mut rows = Vec::new();
            let mut matched = 0usize;
            let mut more = false;
            for e in candidates {
                let st = store.state_of_entry(e);
                if !pass(&st) {
                    continue;
                }
                if matched >= off {
                    if rows.len() < limit {
                        rows.push(st);
                    } else if want > PAGE_SIZE {
                        more = true;
                        if !need_total {
                            break;
                        }
                    } else if !need_total {
                        break;
                    }
                }
                matched += 1;
            }
            Ok((rows, need_total.then_some(matched), more))
        }
        Order::Other(keys) => {
            let mut all: Vec<MsgState> = candidates
                .map(|e| store.state_of_entry(e))
                .filter(|st| pass(st))
                .collect();
            all.sort_by(|a, b| {
                for &(f, desc) in &keys {
                    let o = super::routing::cmp_val(&get(mg, a, f), &get(mg, b, f));
                    let o = if desc { o.reverse() } else { o };
                    if o.is_ne() {
                        return o;
                    }
                }
                a.i.cmp(&b.i)
            });
            let total = all.len();
            let (off, n, more) = query::window(q, total);
            let rows = all.drain(off..off + n).collect();
            Ok((rows, Some(total), more))
        }
    }
}

/// Write a page of the MPL list; also the benchmark's entry point.
pub fn list_page(ctx: &Ctx, store: &MplStore) -> Resp {
    let mask = match select_mask(&ctx.q) {
        Ok(m) => m,
        Err(e) => return e,
    };
    let (rows, total, more) = match select_page(store, &ctx.q, ctx.q.inlinecount) {
        Ok(r) => r,
        Err(e) => return e,
    };
    store
        .rows_served
        .fetch_add(rows.len() as u64, std::sync::atomic::Ordering::Relaxed);
    let per_row = if mask == u64::MAX { 2600 } else { 1400 };
    let mut j = Json::with_capacity(rows.len() * per_row + 512);
    j.obj().key("d").obj();
    if let (true, Some(t)) = (ctx.q.inlinecount, total) {
        j.key("__count").int_str(t as i64);
    }
    j.key("results").arr();
    for st in &rows {
        write_mpl(&mut j, ctx, &store.mg, st, mask, &ctx.q.expand);
    }
    j.end_arr();
    if more {
        j.key("__next")
            .str(&query::next_link(ctx.api, &ctx.path, &ctx.q, rows.len()));
    }
    j.end_obj().end_obj();
    Resp::json_ok(j)
}

pub fn route(ctx: &Ctx, w: &mut World, segs: &[Seg]) -> Resp {
    if ctx.method.as_str() != "GET" {
        return method_not_allowed(ctx.method.as_str(), &segs[0].name);
    }
    let store = &w.mpl;
    let first = &segs[0];
    let nav: Vec<&str> = segs[1..].iter().map(|s| s.name.as_str()).collect();
    match (first.name.as_str(), &first.key, nav.as_slice()) {
        ("MessageProcessingLogs", None, []) => list_page(ctx, store),
        ("MessageProcessingLogs", None, ["$count"]) => {
            let mut q = ctx.q.clone();
            q.top = None;
            q.skip = 0;
            q.skiptoken = 0;
            match select_page(store, &q, true) {
                Ok((_, total, _)) => count(total.unwrap_or(0)),
                Err(e) => e,
            }
        }
        ("MessageProcessingLogs", Some(_), rest) => {
            let guid = first.single_key().unwrap_or_default();
            let Some(st) = store.mg.guid_index(&guid).and_then(|i| store.state(i)) else {
                return not_found();
            };
            match rest {
                [] if mpl_navs::record_fails(ctx, &store.mg, &st) => odata_error(
                    http::StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal Server Error",
                    "Internal error while reading the message processing log",
                ),
                [] => {
                    let mask = match select_mask(&ctx.q) {
                        Ok(m) => m,
                        Err(e) => return e,
                    };
                    let mut j = Json::with_capacity(4096);
                    j.obj().key("d");
                    write_mpl(&mut j, ctx, &store.mg, &st, mask, &ctx.q.expand);
                    j.end_obj();
                    Resp::json_ok(j)
                }
                [nav, tail @ ..] => mpl_navs::nav(ctx, &store.mg, &st, nav, tail),
            }
        }
        ("MessageProcessingLogRuns", Some(_), rest) => {
            mpl_navs::run_route(ctx, store, &first.single_key().unwrap_or_default(), rest)
        }
        ("MessageProcessingLogAttachments", Some(_), rest) => {
            mpl_navs::attachment_route(ctx, store, &first.single_key().unwrap_or_default(), rest)
        }
        ("MessageStoreEntries", Some(_), rest) => {
            mpl_navs::store_entry_route(ctx, store, &first.single_key().unwrap_or_default(), rest)
        }
        _ => not_found(),
    }
}

/// Render one MPL list page for `raw_query` (e.g. `$select=…&$top=1000`) straight from a store,
/// without HTTP: the entry point of the page-serving benchmark. Errors are the OData error body.
pub fn render_page(store: &MplStore, api: &str, raw_query: &str) -> Result<Vec<u8>, String> {
    let q = query::parse(Some(raw_query))?;
    let headers = http::HeaderMap::new();
    let body = bytes::Bytes::new();
    let cfg = super::SimConfig::default();
    let ctx = Ctx {
        api,
        path: "/MessageProcessingLogs".into(),
        method: http::Method::GET,
        headers: &headers,
        q,
        body: &body,
        now: store.now(),
        cfg: &cfg,
    };
    let r = list_page(&ctx, store);
    if r.status.is_success() {
        Ok(r.body.to_vec())
    } else {
        Err(String::from_utf8_lossy(&r.body).into_owned())
    }
}
