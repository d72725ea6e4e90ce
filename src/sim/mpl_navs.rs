//! Navigations of a message: custom headers, adapter attributes, attachments, message store
//! entries, error information, runs and run steps — all generated from the message.

use http::StatusCode;

use super::json::Json;
use super::mpl_flow::flow;
use super::mpl_gen::{Gen, SALT_RUN, Status};
use super::mpl_store::{MplStore, MsgState};
use super::resp::{Resp, not_found};
use super::routing::{Ctx, metadata};

const SALT_ATT: u64 = 10;
const SALT_MSE: u64 = 11;
const SALT_DEFER: u64 = 40;
const SALT_NO_META: u64 = 41;
const SALT_RECORD_FAILS: u64 = 42;
const SALT_NO_RUNS: u64 = 43;
const SALT_EMPTY_NAV: u64 = 44;

// --- Realism of a message's detail (docs/sim.md, "Message detail"). Each behaviour is decided by
// the message's hash, so it is the same on every request, and is off with `SimConfig::clean`.

/// Every 4th message answers its navigations `__deferred` although `$expand` asked for them, with
/// a URI naming another message (as real tenants' deferred URIs can).
pub fn defers_despite_expand(ctx: &Ctx, mg: &Gen, st: &MsgState) -> bool {
    !ctx.cfg.clean && mg.h(st.i, SALT_DEFER) % 4 == 0
}

/// The guid a deferred URI of a message names when the tenant defers despite `$expand`: its
/// neighbour's, never its own.
pub fn deferred_guid(mg: &Gen, st: &MsgState) -> String {
    String::from_utf8_lossy(&mg.guid(st.i ^ 1)).into_owned()
}

/// Every 10th message comes without `__metadata`.
pub fn without_metadata(ctx: &Ctx, mg: &Gen, st: &MsgState) -> bool {
    !ctx.cfg.clean && mg.h(st.i, SALT_NO_META) % 10 == 0
}

/// On a plain list (no `$expand`), every 3rd message's navigations come as `{"results":[]}`
/// instead of `__deferred`.
pub fn empty_results_unexpanded(ctx: &Ctx, mg: &Gen, st: &MsgState) -> bool {
    !ctx.cfg.clean && mg.h(st.i, SALT_EMPTY_NAV) % 3 == 0
}

/// One message in 400 fails its full record (`$expand` asked) with HTTP 500 while its
/// navigations, error text and attachments answer.
pub fn record_fails(ctx: &Ctx, mg: &Gen, st: &MsgState) -> bool {
    !ctx.cfg.clean && !ctx.q.expand.is_empty() && mg.h(st.i, SALT_RECORD_FAILS) % 400 == 0
}

/// `Runs` answers 404 for this message: a share `SimConfig::runs_404` of messages (1 = a tenant
/// without the navigation).
pub fn runs_missing(ctx: &Ctx, mg: &Gen, st: &MsgState) -> bool {
    let share = if ctx.cfg.clean { 0.0 } else { ctx.cfg.runs_404 };
    share > 0.0 && (mg.h(st.i, SALT_NO_RUNS) % 10_000) as f64 / 10_000.0 < share
}

fn guid_string(mg: &Gen, st: &MsgState) -> String {
    String::from_utf8_lossy(&mg.guid(st.i)).into_owned()
}

fn id_string(b: [u8; 28]) -> String {
    String::from_utf8_lossy(&b).into_owned()
}

fn error_text(mg: &Gen, st: &MsgState) -> Option<String> {
    if let Some(e) = &st.error {
        return Some(e.clone());
    }
    st.status.has_error().then(|| mg.error_text(st.i, &st.life))
}

/// Which attempt (run) of its life the message shows now, 0-based.
fn current_attempt(st: &MsgState) -> usize {
    st.life
        .phases()
        .iter()
        .position(|p| p.log_end == st.log_end)
        .unwrap_or(0)
}

fn custom_headers(mg: &Gen, st: &MsgState) -> Vec<(&'static str, String)> {
    let f = flow(st);
    let mut v = Vec::new();
    if let Some(id) = mg.app_id(st.i, f) {
        v.push((
            if f.app_id == "4500" {
                "po_number"
            } else {
                "DocumentNumber"
            },
            id,
        ));
    }
    v.push(("SAP_Sender", f.sender.to_string()));
    if mg.h(st.i, 12) % 2 == 0 {
        v.push((
            "TrackingId",
            format!("TRK{:010}", mg.h(st.i, 13) % 10_000_000_000),
        ));
    }
    v
}

fn attachments(mg: &Gen, st: &MsgState) -> Vec<(u8, &'static str, &'static str)> {
    let mut v = Vec::new();
    if error_text(mg, st).is_some() {
        v.push((0, "Error payload", "text/plain"));
    }
    if mg.h(st.i, 14) % 7 == 0 {
        v.push((1, "Inbound payload", "application/xml"));
    }
    v
}

fn has_store_entry(mg: &Gen, st: &MsgState) -> bool {
    flow(st).jms || mg.h(st.i, 15) % 5 == 0
}

/// Write the `results` array of a navigation (shared by `/Nav` and `$expand=Nav`).
pub fn write_nav_rows(j: &mut Json, ctx: &Ctx, mg: &Gen, st: &MsgState, nav: &str) {
    let guid = guid_string(mg, st);
    let f = flow(st);
    j.arr();
    match nav {
        "CustomHeaderProperties" => {
            for (k, (name, value)) in custom_headers(mg, st).into_iter().enumerate() {
                let id = format!("{guid}{k}");
                let key = format!("/MessageProcessingLogCustomHeaderProperties('{id}')");
                j.obj();
                metadata(
                    j,
                    &[ctx.api, &key],
                    "com.sap.hci.api.MessageProcessingLogCustomHeaderProperty",
                    None,
                );
                j.key("Id")
                    .str(&id)
                    .key("Name")
                    .str(name)
                    .key("Value")
                    .opt_str(Some(&value));
                j.key("Log").deferred(&[ctx.api, &key, "/Log"]);
                j.end_obj();
            }
        }
        "AdapterAttributes" => {
            let attrs = [
                (f.sender_adapter, "Sender", f.sender),
                (f.receiver_adapter, "Receiver", f.receiver),
            ];
            for (k, (adapter, role, system)) in attrs.into_iter().enumerate() {
                let id = format!("{guid}A{k}");
                let key = format!("/MessageProcessingLogAdapterAttributes('{id}')");
                j.obj();
                metadata(
                    j,
                    &[ctx.api, &key],
                    "com.sap.hci.api.MessageProcessingLogAdapterAttribute",
                    None,
                );
                j.key("Id")
                    .str(&id)
                    .key("AdapterId")
                    .str(&format!("{adapter}_{role}_1"));
                j.key("AdapterMessageId")
                    .str(&format!("{:x}", mg.h(st.i, 16 + k as u64)));
                j.key("Name")
                    .str(&format!("{role} System"))
                    .key("Value")
                    .str(system);
                j.key("Log").deferred(&[ctx.api, &key, "/Log"]);
                j.end_obj();
            }
        }
        "Attachments" => {
            for (k, name, ct) in attachments(mg, st) {
                let id = id_string(mg.encode_id(SALT_ATT, st.i, k));
                let key = format!("/MessageProcessingLogAttachments('{id}')");
                j.obj();
                metadata(
                    j,
                    &[ctx.api, &key],
                    "com.sap.hci.api.MessageProcessingLogAttachment",
                    Some(ct),
                );
                j.key("Id")
                    .str(&id)
                    .key("MessageGuid")
                    .str(&guid)
                    .key("TimeStamp")
                    .date(st.log_end);
                j.key("Name").str(name).key("ContentType").str(ct);
                // Edm.Int64: a JSON string, as real tenants send it.
                j.key("PayloadSize")
                    .int_str(attachment_body(mg, st, k).len() as i64)
                    .end_obj();
            }
        }
        "MessageStoreEntries" if has_store_entry(mg, st) => {
            let id = format!("sap-it-res:msg:{}", id_string(mg.encode_id(SALT_MSE, st.i, 0)));
            let key = format!("/MessageStoreEntries('{id}')");
            j.obj();
            metadata(
                j,
                &[ctx.api, &key],
                "com.sap.hci.api.MessageStoreEntry",
                Some("application/zip"),
            );
            j.key("Id")
                .str(&id)
                .key("MessageGuid")
                .str(&guid)
                .key("MessageStoreId")
                .str("Persist_1");
            j.key("TimeStamp")
                .date(st.log_end)
                .key("HasAttachments")
                .bool(false);
            j.key("Attachments").deferred(&[ctx.api, &key, "/Attachments"]);
            j.key("Properties").deferred(&[ctx.api, &key, "/Properties"]);
            j.end_obj();
        }
        "Runs" => {
            for k in 0..=current_attempt(st) {
                write_run(j, ctx, mg, st, k);
            }
        }
        "ErrorInformation" => {}
        _ => {}
    }
    j.end_arr();
}

fn write_run(j: &mut Json, ctx: &Ctx, mg: &Gen, st: &MsgState, k: usize) {
    let id = id_string(mg.encode_id(SALT_RUN, st.i, k as u8));
    let key = format!("/MessageProcessingLogRuns('{id}')");
    let (start, stop, state) = run_span(st, k);
    j.obj();
    metadata(
        j,
        &[ctx.api, &key],
        "com.sap.hci.api.MessageProcessingLogRun",
        None,
    );
    j.key("Id")
        .str(&id)
        .key("RunStart")
        .date(start)
        .key("RunStop")
        .opt_date(stop);
    j.key("LogLevel")
        .str(mg.log_level(st.i))
        .key("OverallState")
        .str(state);
    j.key("ProcessId")
        .str(&format!("{:016x}", mg.h(st.i, 20 + k as u64)));
    j.key("RunSteps").deferred(&[ctx.api, &key, "/RunSteps"]);
    j.end_obj();
}

/// `(start, stop, state)` of attempt `k`.
fn run_span(st: &MsgState, k: usize) -> (i64, Option<i64>, &'static str) {
    let phases = st.life.phases();
    let last = current_attempt(st);
    let end = if k == last {
        st.log_end
    } else {
        phases.get(k).map_or(st.log_end, |p| p.log_end)
    };
    let dur = (phases[0].log_end - st.life.start).max(1);
    let start = if k == 0 { st.life.start } else { end - dur };
    let state = if k < last {
        "FAILED"
    } else {
        match st.status {
            Status::Processing => "PROCESSING",
            Status::Completed => "COMPLETED",
            Status::Retry | Status::Failed | Status::Escalated => "FAILED",
            Status::Cancelled | Status::Discarded | Status::Abandoned => st.status.as_str(),
        }
    };
    let stop = (st.status != Status::Processing || k < last).then_some(end);
    (start, stop, state)
}

const STEPS: &[(&str, &str)] = &[
    ("StartEvent_2", "StartEvent"),
    ("ContentModifier_5", "Enricher"),
    ("MessageMapping_3", "Mapping"),
    ("ScriptTask_4", "Script"),
    ("CallActivity_12", "ExternalCall"),
    ("EndEvent_2", "EndEvent"),
];

fn write_steps(j: &mut Json, ctx: &Ctx, mg: &Gen, st: &MsgState, k: usize) {
    let run_id = id_string(mg.encode_id(SALT_RUN, st.i, k as u8));
    let (start, stop, state) = run_span(st, k);
    let failing = state == "FAILED";
    let err_step = mg.error_step(&st.life);
    let err_text = error_text(mg, st).unwrap_or_else(|| mg.error_text(st.i, &st.life));
    let mut steps: Vec<(&str, &str)> = Vec::new();
    for &(m, a) in STEPS {
        if failing && m == err_step {
            break;
        }
        if failing && m == "EndEvent_2" {
            break;
        }
        steps.push((m, a));
    }
    if failing {
        steps.push((err_step, "ExternalCall"));
    }
    let span = stop.unwrap_or(start + 500) - start;
    let n = steps.len() as i64;
    let expand = ctx.q.expands("RunStepProperties");
    j.arr();
    for (c, (model, activity)) in steps.iter().enumerate() {
        let child = (c + 1) as i64;
        let key = format!("/MessageProcessingLogRunSteps(RunId='{run_id}',ChildCount={child})");
        let is_err = failing && c + 1 == steps.len();
        j.obj();
        metadata(
            j,
            &[ctx.api, &key],
            "com.sap.hci.api.MessageProcessingLogRunStep",
            None,
        );
        j.key("RunId").str(&run_id).key("ChildCount").int(child);
        j.key("StepStart")
            .date(start + span * (child - 1) / n)
            .key("StepStop")
            .date(start + span * child / n);
        j.key("StepId")
            .str(&format!("Step_{child}"))
            .key("ModelStepId")
            .str(model);
        j.key("BranchId")
            .str("Process_1")
            .key("Status")
            .str(if is_err { "FAILED" } else { "COMPLETED" });
        j.key("Error").opt_str(is_err.then_some(err_text.as_str()));
        j.key("Activity").str(activity);
        j.key("RunStepProperties");
        if expand {
            j.obj().key("results").arr();
            let props = [("StepName", *model), ("ActivityType", *activity)];
            for (name, value) in props {
                j.obj().key("RunId").str(&run_id).key("ChildCount").int(child);
                j.key("Name").str(name).key("Value").str(value).end_obj();
            }
            j.end_arr().end_obj();
        } else {
            j.deferred(&[ctx.api, &key, "/RunStepProperties"]);
        }
        j.key("TraceMessages")
            .deferred(&[ctx.api, &key, "/TraceMessages"]);
        j.end_obj();
    }
    j.end_arr();
}

fn results(write: impl FnOnce(&mut Json)) -> Resp {
    let mut j = Json::with_capacity(2048);
    j.obj().key("d").obj().key("results");
    write(&mut j);
    j.end_obj().end_obj();
    Resp::json_ok(j)
}

/// `MessageProcessingLogs('<guid>')/<nav>[/…]`
pub fn nav(ctx: &Ctx, mg: &Gen, st: &MsgState, nav: &str, tail: &[&str]) -> Resp {
    match (nav, tail) {
        ("ErrorInformation", []) => match error_text(mg, st) {
            // 204 when the message did not fail (docs/cpi-api.md, "Message processing logs", uncertain).
            None => Resp::empty(StatusCode::NO_CONTENT),
            Some(text) => {
                let guid = guid_string(mg, st);
                let key = format!("/MessageProcessingLogErrorInformations('{guid}')");
                let ty = text.split(':').next().unwrap_or("").to_string();
                let mut j = Json::default();
                j.obj().key("d").obj();
                metadata(
                    &mut j,
                    &[ctx.api, &key],
                    "com.sap.hci.api.MessageProcessingLogErrorInformation",
                    Some("text/plain"),
                );
                j.key("MessageGuid").str(&guid).key("Type").str(&ty);
                j.key("LastErrorModelStepId")
                    .str(mg.error_step(&st.life))
                    .end_obj()
                    .end_obj();
                Resp::json_ok(j)
            }
        },
        ("ErrorInformation", ["$value"]) => match error_text(mg, st) {
            None => Resp::empty(StatusCode::NO_CONTENT),
            Some(text) => Resp::text(StatusCode::OK, text),
        },
        ("Runs", []) if runs_missing(ctx, mg, st) => not_found(),
        (
            "CustomHeaderProperties" | "AdapterAttributes" | "Attachments" | "MessageStoreEntries" | "Runs",
            [],
        ) => results(|j| write_nav_rows(j, ctx, mg, st, nav)),
        _ => not_found(),
    }
}

/// `MessageProcessingLogRuns('<id>')[/RunSteps]`
pub fn run_route(ctx: &Ctx, store: &MplStore, id: &str, rest: &[&str]) -> Resp {
    let mg = &store.mg;
    let Some((i, k)) = mg.decode_id(SALT_RUN, id) else {
        return not_found();
    };
    let Some(st) = store.state(i) else {
        return not_found();
    };
    if k as usize > current_attempt(&st) || runs_missing(ctx, mg, &st) {
        return not_found();
    }
    match rest {
        [] => {
            let mut j = Json::default();
            j.obj().key("d");
            write_run(&mut j, ctx, mg, &st, k as usize);
            j.end_obj();
            Resp::json_ok(j)
        }
        ["RunSteps"] => results(|j| write_steps(j, ctx, mg, &st, k as usize)),
        _ => not_found(),
    }
}

fn attachment_body(mg: &Gen, st: &MsgState, k: u8) -> String {
    if k == 0 {
        error_text(mg, st).unwrap_or_default()
    } else {
        let f = flow(st);
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{t}><Sender>{s}</Sender><Receiver>{r}</Receiver><DocumentId>{d}</DocumentId></{t}>\n",
            t = if f.msg_type.is_empty() {
                "Message"
            } else {
                "Payload"
            },
            s = f.sender,
            r = f.receiver,
            d = mg.app_id(st.i, f).unwrap_or_default()
        )
    }
}

/// `MessageProcessingLogAttachments('<Id>')/$value`
pub fn attachment_route(_ctx: &Ctx, store: &MplStore, id: &str, rest: &[&str]) -> Resp {
    let mg = &store.mg;
    let Some((i, k)) = mg.decode_id(SALT_ATT, id) else {
        return not_found();
    };
    let Some(st) = store.state(i) else {
        return not_found();
    };
    let Some(&(_, _, ct)) = attachments(mg, &st).iter().find(|a| a.0 == k) else {
        return not_found();
    };
    match rest {
        ["$value"] => Resp::new(StatusCode::OK, ct, attachment_body(mg, &st, k)),
        _ => not_found(),
    }
}

/// `MessageStoreEntries('<Id>')/$value`
pub fn store_entry_route(ctx: &Ctx, store: &MplStore, id: &str, rest: &[&str]) -> Resp {
    let mg = &store.mg;
    let Some(enc) = id.strip_prefix("sap-it-res:msg:") else {
        return not_found();
    };
    let Some((i, _)) = mg.decode_id(SALT_MSE, enc) else {
        return not_found();
    };
    let Some(st) = store.state(i) else {
        return not_found();
    };
    if !has_store_entry(mg, &st) {
        return not_found();
    }
    match rest {
        // The sim's service key lacks MessagePayloadsRead, as many operators' keys do: reading
        // a persisted payload is a 403 in the unwrapped form real tenants send, `value: null`
        // (docs/sim.md, "Error replies"). Clean: the payload.
        ["$value"] if !ctx.cfg.clean => super::resp::error_shaped(
            StatusCode::FORBIDDEN,
            super::resp::ErrorShape::Unwrapped,
            "Forbidden",
            None,
        ),
        ["$value"] => Resp::new(
            StatusCode::OK,
            "application/octet-stream",
            attachment_body(mg, &st, 1),
        ),
        _ => not_found(),
    }
}
