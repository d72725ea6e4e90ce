//! The message detail's documents: one message (properties, error text with the first exception
//! line and any HTTP status emphasised, custom header properties, attachments, runs with their
//! steps, the failing step marked) and an attachment's content. Shared by the TUI's detail views
//! and `cpitop get message`.

use super::detail::{AttachmentContent, MessageDetail, NavPart, RunWithSteps, status_tone, step_failed};
use crate::cpi::model::MplStatus;
use crate::cpi::odata::EpochMs;
use crate::kit::doc::{DocLine, Seg, error_lines, error_text, seg, wrap};
use crate::kit::format::TimeFmt;
use crate::kit::load::Fetch;
use crate::kit::table::Tone;

/// A message's detail: its fields, error text, custom header properties, attachments, and runs
/// with their steps (the failing step marked), wrapped to `width`. `now` times a message in
/// flight (running for how long).
pub fn message(d: &MessageDetail, time: &TimeFmt, now: EpochMs, width: usize) -> Vec<DocLine> {
    wrap(&message_lines(d, time, now), width)
}

/// An attachment's content, wrapped to `width`.
pub fn attachment(a: &AttachmentContent, width: usize) -> Vec<DocLine> {
    let lines = match &a.content {
        Fetch::Pending => vec![DocLine::plain("Loading attachment…")],
        Fetch::Failed(e) => error_lines(&format!("Could not read the attachment: {e}")),
        Fetch::Done(text) => text.lines().map(DocLine::plain).collect(),
    };
    wrap(&lines, width)
}

fn message_lines(d: &MessageDetail, t: &TimeFmt, now: EpochMs) -> Vec<DocLine> {
    let mut out = Vec::new();
    match &d.log {
        Fetch::Pending => out.push(DocLine::field(
            "Message",
            format!("{} (loading…)", d.guid),
            Tone::Normal,
        )),
        Fetch::Failed(e) => out.extend(error_lines(&format!("Could not read message {}: {e}", d.guid))),
        Fetch::Done(m) => {
            let st = m.status();
            out.push(DocLine(vec![
                seg(format!("{:<14}", "Status"), Tone::Muted),
                Seg {
                    text: m.status.clone(),
                    tone: status_tone(st),
                    bold: true,
                },
                seg(
                    if !m.custom_status.is_empty() && m.custom_status != m.status {
                        format!("  (custom: {})", m.custom_status)
                    } else {
                        String::new()
                    },
                    Tone::Normal,
                ),
            ]));
            out.push(DocLine::field("Message id", m.message_guid.clone(), Tone::Normal));
            let (iflow, pkg) = match &m.integration_artifact {
                Some(a) if !a.id.is_empty() => (
                    if a.name.is_empty() || a.name == a.id {
                        a.id.clone()
                    } else {
                        format!("{} ({})", a.name, a.id)
                    },
                    a.package_name.clone(),
                ),
                _ => (m.integration_flow_name.clone(), String::new()),
            };
            out.push(DocLine::field("iFlow", iflow, Tone::Normal));
            if !pkg.is_empty() {
                out.push(DocLine::field("Package", pkg, Tone::Normal));
            }
            let dur = match (m.log_start, m.log_end) {
                (Some(a), Some(b)) => format!(" ({})", crate::kit::format::duration(b - a)),
                (Some(a), None) => format!(" (running for {})", crate::kit::format::duration(now - a)),
                _ => String::new(),
            };
            // A message in flight has no LogEnd (and often no LogStart) yet.
            let when =
                |ms: Option<i64>, none: &str| ms.map_or_else(|| none.to_owned(), |v| t.datetime(Some(v)));
            out.push(DocLine::field(
                "Start → end",
                format!(
                    "{} → {} {}{dur}",
                    when(m.log_start, "?"),
                    when(m.log_end, "(in flight, no end yet)"),
                    t.zone()
                ),
                Tone::Normal,
            ));
            out.push(DocLine::field("Sender", m.sender.clone(), Tone::Normal));
            out.push(DocLine::field("Receiver", m.receiver.clone(), Tone::Normal));
            out.push(DocLine::field(
                "Correlation",
                m.correlation_id.clone(),
                Tone::Normal,
            ));
            if !m.application_message_id.is_empty() || !m.application_message_type.is_empty() {
                out.push(DocLine::field(
                    "App message",
                    format!("{} {}", m.application_message_id, m.application_message_type)
                        .trim()
                        .to_string(),
                    Tone::Normal,
                ));
            }
            out.push(DocLine::field("Log level", m.log_level.clone(), Tone::Normal));
            if !m.transaction_id.is_empty() {
                out.push(DocLine::field(
                    "Transaction",
                    m.transaction_id.clone(),
                    Tone::Normal,
                ));
            }
        }
    }
    let failed_like = d.log.done().is_some_and(|m| {
        matches!(
            m.status(),
            MplStatus::Failed | MplStatus::Escalated | MplStatus::Retry
        )
    });
    match &d.error {
        Fetch::Done(Some(text)) => {
            out.push(DocLine::default());
            out.push(DocLine::heading("Error"));
            out.extend(error_text(text));
        }
        Fetch::Failed(e) => {
            out.push(DocLine::default());
            out.push(DocLine::heading("Error"));
            out.extend(error_lines(&format!("Could not read the error text: {e}")));
        }
        Fetch::Pending if failed_like => {
            out.push(DocLine::default());
            out.push(DocLine::heading("Error"));
            out.push(DocLine::plain("Loading…"));
        }
        _ => {}
    }
    out.push(DocLine::default());
    match &d.headers {
        Fetch::Pending => out.push(DocLine::heading("Custom header properties (loading…)")),
        Fetch::Failed(e) => {
            out.push(DocLine::heading("Custom header properties"));
            out.extend(error_lines(&format!(
                "Could not read the custom header properties: {e}"
            )));
        }
        Fetch::Done(NavPart::NotOnTenant) => {
            out.push(DocLine::heading("Custom header properties"));
            out.push(not_on_tenant());
        }
        Fetch::Done(NavPart::Rows(list)) => {
            out.push(DocLine::heading("Custom header properties"));
            if list.is_empty() {
                out.push(DocLine(vec![seg("none", Tone::Muted)]));
            }
            for p in list {
                out.push(DocLine::field(&p.name, p.value.clone(), Tone::Normal));
            }
        }
    }
    out.push(DocLine::default());
    match &d.attachments {
        Fetch::Pending => out.push(DocLine::heading("Attachments (loading…)")),
        Fetch::Failed(e) => {
            out.push(DocLine::heading("Attachments"));
            out.extend(error_lines(&format!("Could not list attachments: {e}")));
        }
        Fetch::Done(NavPart::NotOnTenant) => {
            out.push(DocLine::heading("Attachments"));
            out.push(not_on_tenant());
        }
        Fetch::Done(NavPart::Rows(list)) => {
            out.push(DocLine::heading(&format!("Attachments ({})", list.len())));
            if list.is_empty() {
                out.push(DocLine(vec![seg("none", Tone::Muted)]));
            }
            for a in list {
                out.push(DocLine(vec![
                    seg(format!("{:<28} ", a.name), Tone::Normal),
                    seg(format!("{:<22} ", a.content_type), Tone::Muted),
                    seg(crate::kit::format::bytes(a.payload_size), Tone::Normal),
                ]));
            }
        }
    }
    out.push(DocLine::default());
    match &d.runs {
        Fetch::Pending => out.push(DocLine::heading("Runs (loading…)")),
        Fetch::Failed(e) => {
            out.push(DocLine::heading("Runs"));
            out.extend(error_lines(&format!("Could not read the runs: {e}")));
        }
        Fetch::Done(NavPart::NotOnTenant) => {
            out.push(DocLine::heading("Runs"));
            out.push(not_on_tenant());
        }
        Fetch::Done(NavPart::Rows(runs)) => {
            out.push(DocLine::heading(&format!("Runs ({})", runs.len())));
            for r in runs {
                out.extend(run_lines(t, r));
            }
        }
    }
    out
}

/// A navigation that answered 404 although the message exists: the tenant does not offer it.
fn not_on_tenant() -> DocLine {
    DocLine(vec![seg(
        "not available on this tenant (the tenant answers 404 for it)",
        Tone::Muted,
    )])
}

fn run_lines(t: &TimeFmt, r: &RunWithSteps) -> Vec<DocLine> {
    let tone = status_tone(MplStatus::parse(&r.run.overall_state));
    let mut out = vec![DocLine(vec![
        seg("Run ", Tone::Muted),
        seg(format!("{} ", r.run.id), Tone::Normal),
        Seg {
            text: r.run.overall_state.clone(),
            tone,
            bold: true,
        },
        seg(
            format!(
                "  {} → {}",
                t.datetime(r.run.run_start),
                t.datetime(r.run.run_stop)
            ),
            Tone::Muted,
        ),
    ])];
    for step in &r.steps {
        let failed = step_failed(step);
        let (mark, tone) = if failed {
            ("✘", Tone::Bad)
        } else {
            ("✔", Tone::Good)
        };
        let dur = match (step.step_start, step.step_stop) {
            (Some(a), Some(b)) => crate::kit::format::duration(b - a),
            _ => String::new(),
        };
        out.push(DocLine(vec![
            seg(format!("  {mark} "), tone),
            Seg {
                text: format!(
                    "{:<34}",
                    if step.activity.is_empty() {
                        &step.model_step_id
                    } else {
                        &step.activity
                    }
                ),
                tone: if failed { Tone::Bad } else { Tone::Normal },
                bold: failed,
            },
            seg(
                format!(" {:<10} {:>7}  {}", step.status, dur, step.model_step_id),
                Tone::Muted,
            ),
        ]));
        if failed && !step.error.trim().is_empty() {
            for l in step.error.lines() {
                out.push(DocLine(vec![seg(format!("      {l}"), Tone::Bad)]));
            }
        }
    }
    out
}
