//! The Alerts pane's documents: the top of the evidence view (the monitor, its status, how it is
//! handled, its scope, each rule's own result) and a certificate's details (the keystore entry an
//! alert names).

use super::state::{Alerts, status_tone, status_word};
use crate::kit::cx::Cx;
use crate::kit::doc::{DocLine, Seg, wrap};
use crate::kit::table::Tone;

fn line(parts: Vec<(String, Tone, bool)>) -> DocLine {
    DocLine(
        parts
            .into_iter()
            .map(|(text, tone, bold)| Seg { text, tone, bold })
            .collect(),
    )
}

fn field(name: &str, value: String, tone: Tone) -> DocLine {
    line(vec![
        (format!("{name:<14}"), Tone::Muted, false),
        (value, tone, false),
    ])
}

/// The top of the evidence view: the monitor, its status, and each rule's own result.
pub fn evidence(a: &Alerts, key: &str, cx: &Cx) -> Vec<DocLine> {
    let mut out = Vec::new();
    let t = &cx.time;
    let Some(m) = a.state.get(key) else {
        out.push(field(
            "Monitor",
            format!("{key} (not evaluated yet)"),
            Tone::Muted,
        ));
        return wrap(&out, cx.width as usize);
    };
    let tone = status_tone(m.status);
    out.push(line(vec![
        (format!("{:<14}", "Monitor"), Tone::Muted, false),
        (m.name.clone(), Tone::Normal, true),
        (format!("  ({})", m.key), Tone::Muted, false),
    ]));
    out.push(line(vec![
        (format!("{:<14}", "Status"), Tone::Muted, false),
        (status_word(m.status).to_string(), tone, true),
        (
            format!(
                "  since {} {} ({} ago) · evaluated {} ago",
                t.datetime(Some(m.since)),
                t.zone(),
                crate::kit::format::age(cx.now - m.since),
                crate::kit::format::age(cx.now - m.last_evaluated)
            ),
            Tone::Normal,
            false,
        ),
    ]));
    let note = a.note(m, cx.now);
    if !note.is_empty() {
        out.push(field("Handling", note, Tone::Warn));
    }
    // The scope applies to artifact and message rules only.
    if let Some(spec) = a.spec(key).filter(|sp| {
        let n = crate::monitor::needs([*sp]);
        n.artifacts || n.message_window.is_some()
    }) {
        let scope = match &spec.scope {
            crate::monitor::Scope::All => "every iFlow".to_string(),
            crate::monitor::Scope::Iflow(id) => format!("iFlow {id}"),
            crate::monitor::Scope::Glob(g) => format!("iFlows matching {g}"),
            crate::monitor::Scope::Package(p) => format!("package {p}"),
        };
        out.push(field("Scope", scope, Tone::Normal));
    }
    out.push(line(vec![("── Rules ".to_string(), Tone::Busy, true)]));
    match a.rules.get(key) {
        Some(rules) => {
            for r in rules {
                let st = r.evaluation.status;
                out.push(line(vec![
                    (format!("{:<15}", status_word(st)), status_tone(st), true),
                    (format!("{:<19}", r.kind), Tone::Muted, false),
                    (r.evaluation.text.clone(), Tone::Normal, false),
                ]));
            }
        }
        None => out.push(field("", m.text.clone(), Tone::Normal)),
    }
    wrap(&out, cx.width as usize)
}

/// The certificate view: the keystore entry's fields (there is no keystore pane).
pub fn certificate(a: &Alerts, alias: &str, cx: &Cx) -> Vec<DocLine> {
    let t = &cx.time;
    let mut out = Vec::new();
    let entry = a
        .data
        .keystore
        .as_ref()
        .and_then(|k| k.iter().find(|e| e.alias == alias));
    match entry {
        Some(e) => {
            let (status, tone) = match e.valid_not_after {
                Some(end) if end <= cx.now => (
                    format!("EXPIRED {} ago", crate::kit::format::age(cx.now - end)),
                    Tone::Bad,
                ),
                Some(end) => (
                    format!("valid, expires in {}", crate::kit::format::age(end - cx.now)),
                    Tone::Good,
                ),
                None => ("no expiry date reported".to_string(), Tone::Muted),
            };
            out.push(field("Alias", e.alias.clone(), Tone::Normal));
            out.push(field("Validity", status, tone));
            out.push(field(
                "Valid from",
                format!("{} {}", t.datetime(e.valid_not_before), t.zone()),
                Tone::Normal,
            ));
            out.push(field(
                "Valid until",
                format!("{} {}", t.datetime(e.valid_not_after), t.zone()),
                Tone::Normal,
            ));
            out.push(field("Type", e.kind.clone(), Tone::Normal));
            out.push(field(
                "Key",
                format!("{} {}", e.key_type, e.key_size),
                Tone::Normal,
            ));
            out.push(field("Subject", e.subject_dn.clone(), Tone::Normal));
            out.push(field("Issuer", e.issuer_dn.clone(), Tone::Normal));
            out.push(field("Serial", e.serial_number.clone(), Tone::Normal));
            out.push(field("Signature", e.signature_algorithm.clone(), Tone::Normal));
            out.push(field("Owner", e.owner.clone(), Tone::Normal));
        }
        None => out.push(field(
            "Alias",
            format!("{alias} (not in the last keystore listing)"),
            Tone::Muted,
        )),
    }
    wrap(&out, cx.width as usize)
}
