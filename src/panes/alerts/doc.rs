//! The Alerts pane's document: the top of the evidence view (the monitor, its status, how it is
//! handled, its scope, each rule's own result).

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
