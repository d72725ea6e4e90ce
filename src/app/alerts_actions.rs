//! What the keys do on the Alerts pane and its views: open the evidence, jump to it, the
//! history, acknowledge (`a`) and silence (`S`, then `:silence 1h|4h|24h|<duration>|off`).

use super::actions::{open_message, rebuild_focused, switch_pane};
use super::alerts::EvidenceRow;
use super::doc::{DocLine, Seg, wrap};
use super::msg::Effect;
use super::state::{Mode, Pane, Route, State, ToastKind};
use crate::kit::table::{Table, Tone};
use crate::monitor::Evidence;

/// Silence choices offered by `S`.
pub const SILENCE_CHOICES: &str = "1h · 4h · 24h · <duration> · off";

/// Re-run order and selection of the monitor list (and the open evidence table).
pub fn rebuild(s: &mut State) {
    let cx = s.cell_cx();
    let rows = s.table_rows();
    s.alerts.rebuild(&cx);
    s.alerts.list.scroll_into_view(rows);
    // The open evidence view follows its monitor's latest evidence (selection kept by key).
    let key = s.alerts.evidence.key.clone();
    if !key.is_empty() {
        let evidence = s
            .alerts
            .state
            .get(&key)
            .map(|m| m.evidence.clone())
            .unwrap_or_default();
        let fresh = super::alerts::EvidenceTable::of(&key, &evidence);
        if fresh.rows != s.alerts.evidence.rows {
            s.alerts.evidence.rows = fresh.rows;
            s.alerts.evidence.rebuild(&cx);
            s.alerts.evidence.list.scroll_into_view(rows);
        }
    }
    s.alerts.history.rebuild(&cx);
    s.alerts.history.list.scroll_into_view(rows);
    s.dirty = true;
}

/// The monitor the focused view is about: the evidence view's, else the pane's selection.
pub fn focused_key(s: &State) -> Option<String> {
    match s.route() {
        Route::AlertEvidence { key } => Some(key.clone()),
        Route::Pane(Pane::Alerts) => s.alerts.selected().map(|m| m.key.clone()),
        _ => None,
    }
}

/// Enter on the pane (open the evidence) or in the evidence view (jump).
pub fn open(s: &mut State, fx: &mut Vec<Effect>) -> bool {
    match s.route().clone() {
        Route::Pane(Pane::Alerts) => {
            if let Some(key) = s.alerts.selected().map(|m| m.key.clone()) {
                open_evidence(s, &key);
            }
            true
        }
        Route::AlertEvidence { .. } => {
            if let Some(row) = s.alerts.evidence.selected().cloned() {
                jump(s, row, fx);
            }
            true
        }
        _ => false,
    }
}

pub fn open_evidence(s: &mut State, key: &str) {
    let evidence = s
        .alerts
        .state
        .get(key)
        .map(|m| m.evidence.clone())
        .unwrap_or_default();
    s.alerts.evidence = super::alerts::EvidenceTable::of(key, &evidence);
    s.stack.push(Route::AlertEvidence { key: key.to_string() });
    rebuild_focused(s);
}

/// Go where an evidence row points.
pub fn jump(s: &mut State, row: EvidenceRow, fx: &mut Vec<Effect>) {
    match row {
        EvidenceRow::Item(Evidence::Message { guid, .. }) => open_message(s, guid, fx),
        EvidenceRow::FailedMessagesOf(iflow) => {
            switch_pane(s, Pane::Messages);
            s.messages.query.iflow = Some(iflow.clone());
            s.messages.query.status = Some("FAILED".into());
            s.toast(
                format!("messages of {iflow}, status FAILED (:iflow all and :status all clear)"),
                ToastKind::Info,
            );
        }
        EvidenceRow::Item(Evidence::Artifact { id }) => {
            switch_pane(s, Pane::Artifacts);
            let pos = s
                .artifacts
                .list
                .rows()
                .position(|r| s.artifacts.items.get(r).is_some_and(|a| a.id == id));
            if let Some(pos) = pos {
                s.artifacts.select_position(pos);
            }
            super::actions::open_artifact(s, id, fx);
        }
        EvidenceRow::Item(Evidence::Queue { name } | Evidence::QueueMessage { queue: name, .. }) => {
            switch_pane(s, Pane::Queues);
            super::actions::open_queue(s, name);
        }
        EvidenceRow::Item(Evidence::Certificate { alias, .. }) => {
            s.stack.push(Route::Certificate { alias });
        }
        EvidenceRow::Item(Evidence::Broker { .. }) => switch_pane(s, Pane::Queues),
        EvidenceRow::Item(Evidence::Tenant { name }) => s.toast(
            format!("tenant {name}: see the header's connection state and the error banner"),
            ToastKind::Info,
        ),
    }
}

/// `h`: the transition history.
pub fn history(s: &mut State) {
    if !matches!(s.route(), Route::AlertHistory) {
        s.stack.push(Route::AlertHistory);
    }
    rebuild_focused(s);
}

/// `a`: acknowledge the focused monitor's alert.
pub fn acknowledge(s: &mut State, fx: &mut Vec<Effect>) {
    let Some(key) = focused_key(s) else {
        s.toast("select a monitor to acknowledge", ToastKind::Info);
        return;
    };
    let now = s.now;
    let a = &mut s.alerts;
    let Some(m) = a.state.get(&key).cloned() else {
        return;
    };
    if a.controls.is_acknowledged(&m) {
        a.controls.acks.remove(&key);
        s.toast(format!("{}: acknowledgement removed", m.name), ToastKind::Info);
    } else if a.controls.acknowledge(&m, now, "") {
        s.toast(
            format!("{}: acknowledged until its status changes", m.name),
            ToastKind::Info,
        );
    } else {
        s.toast(
            format!(
                "{} is {}: only warnings and errors can be acknowledged",
                m.name, m.status
            ),
            ToastKind::Info,
        );
        return;
    }
    save_controls(s, fx);
    rebuild(s);
}

/// `S`: ask for the silence period on the command line.
pub fn silence_prompt(s: &mut State) {
    if focused_key(s).is_none() {
        s.toast("select a monitor to silence", ToastKind::Info);
        return;
    }
    s.mode = Mode::Command("silence ".into());
    s.toast(format!("silence for: {SILENCE_CHOICES}"), ToastKind::Info);
}

/// `:silence <duration>|off` for the focused monitor.
pub fn silence(s: &mut State, arg: &str, fx: &mut Vec<Effect>) {
    let Some(key) = focused_key(s) else {
        s.toast(
            "silence works on the Alerts pane: select a monitor first",
            ToastKind::Error,
        );
        return;
    };
    let name = s
        .alerts
        .state
        .get(&key)
        .map(|m| m.name.clone())
        .unwrap_or_else(|| key.clone());
    let arg = arg.trim();
    if arg.eq_ignore_ascii_case("off") {
        if s.alerts.controls.unsilence(&key) {
            s.toast(format!("{name}: silence lifted"), ToastKind::Info);
            save_controls(s, fx);
        } else {
            s.toast(format!("{name} is not silenced"), ToastKind::Info);
        }
        rebuild(s);
        return;
    }
    let arg = if arg.is_empty() { "1h" } else { arg };
    match crate::kit::format::parse_duration(arg).filter(|ms| *ms > 0) {
        Some(ms) => {
            let now = s.now;
            s.alerts.controls.silence(&key, now + ms, now, "");
            s.toast(
                format!(
                    "{name}: silenced for {} (no bell, no notifications)",
                    crate::kit::format::age(ms)
                ),
                ToastKind::Info,
            );
            save_controls(s, fx);
            rebuild(s);
        }
        None => s.toast(
            format!("cannot read {arg:?} as a duration; use {SILENCE_CHOICES}"),
            ToastKind::Error,
        ),
    }
}

fn save_controls(s: &mut State, fx: &mut Vec<Effect>) {
    fx.push(Effect::SaveAlerts {
        state: None,
        controls: Some(s.alerts.controls.clone()),
        transitions: Vec::new(),
    });
}

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
pub fn evidence_doc(s: &State, key: &str) -> Vec<DocLine> {
    let mut out = Vec::new();
    let a = &s.alerts;
    let t = &s.time;
    let Some(m) = a.state.get(key) else {
        out.push(field(
            "Monitor",
            format!("{key} (not evaluated yet)"),
            Tone::Muted,
        ));
        return wrap(&out, s.size.0 as usize);
    };
    let tone = super::alerts::status_tone(m.status);
    out.push(line(vec![
        (format!("{:<14}", "Monitor"), Tone::Muted, false),
        (m.name.clone(), Tone::Normal, true),
        (format!("  ({})", m.key), Tone::Muted, false),
    ]));
    out.push(line(vec![
        (format!("{:<14}", "Status"), Tone::Muted, false),
        (super::alerts::status_word(m.status).to_string(), tone, true),
        (
            format!(
                "  since {} {} ({} ago) · evaluated {} ago",
                t.datetime(Some(m.since)),
                t.zone(),
                crate::kit::format::age(s.now - m.since),
                crate::kit::format::age(s.now - m.last_evaluated)
            ),
            Tone::Normal,
            false,
        ),
    ]));
    let note = a.note(m, s.now);
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
                    (
                        format!("{:<15}", super::alerts::status_word(st)),
                        super::alerts::status_tone(st),
                        true,
                    ),
                    (format!("{:<19}", r.kind), Tone::Muted, false),
                    (r.evaluation.text.clone(), Tone::Normal, false),
                ]));
            }
        }
        None => out.push(field("", m.text.clone(), Tone::Normal)),
    }
    wrap(&out, s.size.0 as usize)
}

/// The certificate view: the keystore entry's fields (there is no keystore pane).
pub fn certificate_doc(s: &State, alias: &str) -> Vec<DocLine> {
    let t = &s.time;
    let mut out = Vec::new();
    let entry = s
        .alerts
        .data
        .keystore
        .as_ref()
        .and_then(|k| k.iter().find(|e| e.alias == alias));
    match entry {
        Some(e) => {
            let (status, tone) = match e.valid_not_after {
                Some(end) if end <= s.now => (
                    format!("EXPIRED {} ago", crate::kit::format::age(s.now - end)),
                    Tone::Bad,
                ),
                Some(end) => (
                    format!("valid, expires in {}", crate::kit::format::age(end - s.now)),
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
    wrap(&out, s.size.0 as usize)
}
