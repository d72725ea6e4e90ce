//! Detail views as documents: lines of toned segments, built from the state and wrapped to the
//! screen width. Built here (not in `ui`) so `update` can clamp scrolling to the same lines the
//! view shows.

use std::ops::Range;

use unicode_width::UnicodeWidthChar;

use super::detail::{MessageDetail, NavPart, RunWithSteps, status_tone, step_failed};
use super::format;
use super::load::Fetch;
use super::state::{Route, State};
use super::table::Tone;
use crate::cpi::model::MplStatus;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seg {
    pub text: String,
    pub tone: Tone,
    pub bold: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocLine(pub Vec<Seg>);

impl DocLine {
    fn plain(text: impl Into<String>) -> Self {
        DocLine(vec![seg(text, Tone::Normal)])
    }
    fn heading(text: &str) -> Self {
        DocLine(vec![Seg {
            text: format!("── {text} "),
            tone: Tone::Busy,
            bold: true,
        }])
    }
    fn field(name: &str, value: impl Into<String>, tone: Tone) -> Self {
        DocLine(vec![seg(format!("{name:<13} "), Tone::Muted), seg(value, tone)])
    }
    pub fn text(&self) -> String {
        self.0.iter().map(|s| s.text.as_str()).collect()
    }
}

fn seg(text: impl Into<String>, tone: Tone) -> Seg {
    Seg {
        text: text.into(),
        tone,
        bold: false,
    }
}

/// The focused detail view's document, wrapped to the terminal width (empty for tables).
pub fn current(s: &State) -> Vec<DocLine> {
    let lines = match s.route() {
        Route::ArtifactDetail { id } => artifact(s, id),
        Route::MessageDetail { .. } => match &s.message {
            Some(d) => message(s, d),
            None => vec![],
        },
        Route::Attachment { .. } => match &s.attachment {
            Some(a) => match &a.content {
                Fetch::Pending => vec![DocLine::plain("Loading attachment…")],
                Fetch::Failed(e) => error_lines(&format!("Could not read the attachment: {e}")),
                Fetch::Done(text) => text.lines().map(DocLine::plain).collect(),
            },
            None => vec![],
        },
        _ => vec![],
    };
    wrap(&lines, s.size.0 as usize)
}

fn artifact(s: &State, id: &str) -> Vec<DocLine> {
    let mut out = Vec::new();
    let cx = s.cell_cx();
    match s.artifacts.by_id(id) {
        Some(a) => {
            let tone = if a.status.is_started() {
                Tone::Good
            } else {
                Tone::Bad
            };
            out.push(DocLine::field("Status", a.status.as_str(), tone));
            out.push(DocLine::field("Name", a.name.clone(), Tone::Normal));
            out.push(DocLine::field("Id", a.id.clone(), Tone::Normal));
            out.push(DocLine::field("Type", a.kind.clone(), Tone::Normal));
            out.push(DocLine::field("Version", a.version.clone(), Tone::Normal));
            out.push(DocLine::field("Deployed by", a.deployed_by.clone(), Tone::Normal));
            out.push(DocLine::field(
                "Deployed on",
                format!("{} {}", cx.time.datetime(a.deployed_on), cx.time.zone()),
                Tone::Normal,
            ));
        }
        None => out.push(DocLine::field("Id", id, Tone::Normal)),
    }
    out.push(DocLine::default());
    out.push(DocLine::heading("Deployment error"));
    match s.artifacts.errors.get(id) {
        None | Some(Fetch::Pending) => out.push(DocLine::plain("Loading…")),
        Some(Fetch::Failed(e)) => out.extend(error_lines(&format!("Could not read the error: {e}"))),
        Some(Fetch::Done(None)) => out.push(DocLine(vec![seg(
            "The tenant reports no error for this artifact.",
            Tone::Muted,
        )])),
        Some(Fetch::Done(Some(text))) => out.extend(error_text(text)),
    }
    out
}

fn message(s: &State, d: &MessageDetail) -> Vec<DocLine> {
    let mut out = Vec::new();
    let t = &s.time;
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
                (Some(a), Some(b)) => format!(" ({})", format::duration(b - a)),
                _ => String::new(),
            };
            out.push(DocLine::field(
                "Start → end",
                format!(
                    "{} → {} {}{dur}",
                    t.datetime(m.log_start),
                    t.datetime(m.log_end),
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
                    seg(format::bytes(a.payload_size), Tone::Normal),
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
                out.extend(run_lines(s, r));
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

fn run_lines(s: &State, r: &RunWithSteps) -> Vec<DocLine> {
    let t = &s.time;
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
            (Some(a), Some(b)) => format::duration(b - a),
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

fn error_lines(text: &str) -> Vec<DocLine> {
    text.lines().map(|l| DocLine(vec![seg(l, Tone::Bad)])).collect()
}

/// An error as the tenant sent it, with the first exception line and any HTTP status emphasised.
pub fn error_text(text: &str) -> Vec<DocLine> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.contains("Exception") || l.contains("Error:") || l.contains("error:"))
        .unwrap_or(0);
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let base = if i == first { Tone::Bad } else { Tone::Normal };
            let mut segs = Vec::new();
            let mut at = 0;
            for r in http_statuses(l) {
                if r.start > at {
                    segs.push(Seg {
                        text: l[at..r.start].to_string(),
                        tone: base,
                        bold: i == first,
                    });
                }
                segs.push(Seg {
                    text: l[r.clone()].to_string(),
                    tone: Tone::Bad,
                    bold: true,
                });
                at = r.end;
            }
            if at < l.len() || segs.is_empty() {
                segs.push(Seg {
                    text: l[at..].to_string(),
                    tone: base,
                    bold: i == first,
                });
            }
            DocLine(segs)
        })
        .collect()
}

/// Ranges of HTTP status mentions: `statusCode: 401`, `status code 500`, `HTTP 503`,
/// `HTTP/1.1 404`, `HTTP status 429`.
pub fn http_statuses(line: &str) -> Vec<Range<usize>> {
    const NEEDLES: [&str; 5] = ["statuscode", "status code", "http status", "http/1.1", "http"];
    let lower = line.to_ascii_lowercase();
    if lower.len() != line.len() {
        return vec![];
    }
    let mut out: Vec<Range<usize>> = Vec::new();
    for n in NEEDLES {
        let mut from = 0;
        while let Some(p) = lower[from..].find(n) {
            let start = from + p;
            let mut i = start + n.len();
            let b = lower.as_bytes();
            while i < b.len() && matches!(b[i], b':' | b' ' | b'=') {
                i += 1;
            }
            let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let end = i + digits;
            if digits == 3 && !out.iter().any(|r| r.start < end && start < r.end) {
                out.push(start..end);
            }
            from = start + n.len();
        }
    }
    out.sort_by_key(|r| r.start);
    out
}

/// Hard-wrap lines to `width` display columns, keeping each segment's tone.
pub fn wrap(lines: &[DocLine], width: usize) -> Vec<DocLine> {
    let width = width.max(10);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let mut cur: Vec<Seg> = Vec::new();
        let mut used = 0;
        for s in &line.0 {
            let mut buf = String::new();
            // Tenant text (names, error texts): control and bidi characters shown as escapes
            // (`sanitize`), so neither the TUI nor `cpitop get message` passes them on.
            let text = crate::sanitize::one_line(&s.text.replace('\t', "    ")).into_owned();
            for ch in text.chars() {
                let w = ch.width().unwrap_or(0);
                if used + w > width {
                    if !buf.is_empty() {
                        cur.push(Seg {
                            text: std::mem::take(&mut buf),
                            ..s.clone()
                        });
                    }
                    out.push(DocLine(std::mem::take(&mut cur)));
                    used = 0;
                }
                buf.push(ch);
                used += w;
            }
            if !buf.is_empty() {
                cur.push(Seg {
                    text: buf,
                    ..s.clone()
                });
            }
        }
        out.push(DocLine(cur));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_shows_control_and_bidi_characters_as_escapes() {
        let out = wrap(
            &[DocLine::plain("a\u{1b}]52;c;eA==\u{7}\u{9b}2J\u{202e}b\tc")],
            200,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].text(), "a\\u{1b}]52;c;eA==\\u{7}\\u{9b}2J\\u{202e}b    c");
    }

    #[test]
    fn http_status_is_found() {
        let l = "AhcOperationFailedException: HTTP operation failed invoking https://x with statusCode: 401";
        let r = http_statuses(l);
        assert_eq!(r.len(), 1);
        assert_eq!(&l[r[0].clone()], "statusCode: 401");
        assert_eq!(http_statuses("HTTP/1.1 503 Service Unavailable").len(), 1);
        assert!(http_statuses("no status here 12345").is_empty());
    }

    #[test]
    fn first_exception_line_is_emphasised() {
        let doc =
            error_text("Message processing failed.\njava.net.SocketTimeoutException: Read timed out\n\tat x");
        assert_eq!(doc[1].0[0].tone, Tone::Bad);
        assert!(doc[1].0[0].bold);
        assert_eq!(doc[0].0[0].tone, Tone::Normal);
    }

    #[test]
    fn wrapping_keeps_all_text() {
        let l = DocLine(vec![
            seg("abcdefghij", Tone::Bad),
            seg("klmnopqrstuv", Tone::Good),
        ]);
        let w = wrap(std::slice::from_ref(&l), 10);
        assert_eq!(w.len(), 3);
        assert_eq!(w.iter().map(DocLine::text).collect::<String>(), l.text());
        assert_eq!(w[1].0[0].tone, Tone::Good);
    }
}
