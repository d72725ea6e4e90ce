//! Detail views as documents: lines of toned segments, built from the state and wrapped to the
//! screen width. Built here (not in `ui`) so `update` can clamp scrolling to the same lines the
//! view shows.

use std::ops::Range;

use unicode_width::UnicodeWidthChar;

use super::artifacts::Since;
use super::detail::{MessageDetail, NavPart, RunWithSteps, status_tone, step_failed};
use super::format;
use super::load::Fetch;
use super::state::{Route, State};
use super::table::{CellCx, Tone};
use crate::cpi::artifact_error::{LABEL_EXCEPTION, level_line};
use crate::cpi::model::MplStatus;
use crate::cpi::odata::EpochMs;

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
            let mut status = DocLine::field("Status", a.status.as_str(), tone);
            if let Some(since) = s.artifacts.since(a) {
                status
                    .0
                    .push(seg(since_text(since, a.deployed_on, &cx), Tone::Muted));
            }
            out.push(status);
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
        Some(Fetch::Done(Some(text))) => out.extend(artifact_error(text, s.size.0 as usize)),
    }
    out
}

/// After the status word: `for 12m (since 12:04)` when the change was seen, or what is known
/// when it was already so when cpitop started: `, seen since 12:04; deployed 2026-10-01`.
fn since_text(since: Since, deployed_on: Option<EpochMs>, cx: &CellCx) -> String {
    let clock = |ms| cx.time.clock(ms).get(..5).unwrap_or_default().to_string();
    match since {
        Since::Known(at) => format!(" for {} (since {})", format::age(cx.now - at), clock(at)),
        Since::SeenAtStart(at) => {
            let mut t = format!(", seen since {}", clock(at));
            if let Some(d) = deployed_on {
                t.push_str(&format!(
                    "; deployed {}",
                    cx.time.datetime(Some(d)).get(..10).unwrap_or_default()
                ));
            }
            t
        }
    }
}

/// A deployment error: the decoded `InstanceError` levels (see `cpi::artifact_error`) with
/// their labels emphasised and wrapped lines indented under the text; other lines as
/// [`error_text`] shows them. Pre-wrapped to `width` for the hanging indent.
fn artifact_error(text: &str, width: usize) -> Vec<DocLine> {
    if !text.lines().any(|l| level_line(l).is_some()) {
        return error_text(text);
    }
    let width = width.max(10);
    let mut out = Vec::new();
    let mut first = true;
    for l in text.lines() {
        let Some((indent, label, rest)) = level_line(l) else {
            // The header (`InstanceError (…)`) and any plain part.
            out.push(DocLine(vec![Seg {
                text: l.to_string(),
                tone: Tone::Bad,
                bold: std::mem::take(&mut first),
            }]));
            continue;
        };
        let top = label == LABEL_EXCEPTION;
        let mut segs = vec![
            seg(" ".repeat(indent), Tone::Normal),
            Seg {
                text: label.to_string(),
                tone: if top { Tone::Bad } else { Tone::Warn },
                bold: true,
            },
            seg(" ", Tone::Normal),
        ];
        let mut at = 0;
        for r in http_statuses(rest) {
            segs.push(seg(&rest[at..r.start], Tone::Normal));
            segs.push(Seg {
                text: rest[r.clone()].to_string(),
                tone: Tone::Bad,
                bold: true,
            });
            at = r.end;
        }
        segs.push(seg(&rest[at..], Tone::Normal));
        segs.retain(|s| !s.text.is_empty());
        wrap_line(&DocLine(segs), width, indent + label.len() + 1, &mut out);
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
                (Some(a), None) => format!(" (running for {})", format::duration(s.now - a)),
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

/// Wrap lines to `width` display columns at word boundaries (spaces), keeping each segment's
/// tone. A word that fits on a line of its own is never split; only a token longer than a
/// whole line is cut. Spaces at a break are dropped; a line's leading indent is kept.
pub fn wrap(lines: &[DocLine], width: usize) -> Vec<DocLine> {
    let width = width.max(10);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        wrap_line(line, width, 0, &mut out);
    }
    out
}

/// One line wrapped to `width`, continuation lines indented by `hang` columns (at most half
/// the width). Hand-written: the wrapping crates work on plain strings and would lose the
/// segment tones, which this keeps by wrapping `(char, segment)` cells.
fn wrap_line(line: &DocLine, width: usize, hang: usize, out: &mut Vec<DocLine>) {
    let hang = hang.min(width / 2);
    // (char, display width, segment index); tabs as four spaces, controls shown as escapes.
    let mut cells: Vec<(char, usize, usize)> = Vec::new();
    for (i, s) in line.0.iter().enumerate() {
        // Tenant text (names, error texts): control and bidi characters shown as escapes
        // (`sanitize`), so neither the TUI nor `cpitop get message` passes them on.
        let text = crate::sanitize::one_line(&s.text.replace('\t', "    ")).into_owned();
        for ch in text.chars() {
            if ch == '\t' {
                cells.extend(std::iter::repeat_n((' ', 1, i), 4));
            } else if !ch.is_control() {
                cells.push((ch, ch.width().unwrap_or(0), i));
            }
        }
    }
    let mut rows: Vec<Vec<(char, usize)>> = Vec::new();
    let mut cur: Vec<(char, usize)> = Vec::new();
    let mut used = 0;
    let mut i = 0;
    while i < cells.len() {
        let space = cells[i].0 == ' ';
        let j = i + cells[i..].iter().take_while(|c| (c.0 == ' ') == space).count();
        let run_w: usize = cells[i..j].iter().map(|c| c.1).sum();
        let has_word = cur.iter().any(|c| c.0 != ' ');
        if used + run_w <= width {
            cur.extend(cells[i..j].iter().map(|c| (c.0, c.2)));
            used += run_w;
        } else if space {
            // The break falls here: the spaces go.
            rows.push(std::mem::take(&mut cur));
            used = hang;
        } else if run_w <= width - hang && has_word {
            // The word fits on the next line: break before it.
            while cur.last().is_some_and(|c| c.0 == ' ') {
                cur.pop();
            }
            rows.push(std::mem::take(&mut cur));
            cur.extend(cells[i..j].iter().map(|c| (c.0, c.2)));
            used = hang + run_w;
        } else {
            // Longer than a line: cut it where the line ends.
            for c in &cells[i..j] {
                if used + c.1 > width && used > hang {
                    rows.push(std::mem::take(&mut cur));
                    used = hang;
                }
                cur.push((c.0, c.2));
                used += c.1;
            }
        }
        i = j;
    }
    rows.push(cur);
    for (n, row) in rows.into_iter().enumerate() {
        let mut segs: Vec<Seg> = Vec::new();
        if n > 0 && hang > 0 {
            segs.push(seg(" ".repeat(hang), Tone::Normal));
        }
        let mut last: Option<usize> = None;
        for (ch, si) in row {
            match segs.last_mut() {
                Some(s) if last == Some(si) => s.text.push(ch),
                _ => segs.push(Seg {
                    text: ch.to_string(),
                    ..line.0[si].clone()
                }),
            }
            last = Some(si);
        }
        out.push(DocLine(segs));
    }
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
    fn wrapping_breaks_at_spaces_never_mid_word() {
        let l = DocLine(vec![
            seg("Status        ", Tone::Muted),
            seg(
                "Secure Parameter not available for alias SFTP_PARTNER_KEY",
                Tone::Bad,
            ),
        ]);
        let w = wrap(std::slice::from_ref(&l), 24);
        let texts: Vec<String> = w.iter().map(DocLine::text).collect();
        assert_eq!(
            texts,
            [
                "Status        Secure",
                "Parameter not available",
                "for alias",
                "SFTP_PARTNER_KEY"
            ]
        );
        assert!(w.iter().all(|d| d.text().chars().count() <= 24));
        assert_eq!(w[1].0[0].tone, Tone::Bad, "tones survive the break");
        // A token longer than a line is cut, but only that one.
        let long = DocLine::plain("at https://tenant.example.com/very/long/path/without/spaces end");
        let texts: Vec<String> = wrap(&[long], 20).iter().map(DocLine::text).collect();
        assert_eq!(
            texts,
            [
                "at https://tenant.ex",
                "ample.com/very/long/",
                "path/without/spaces",
                "end"
            ]
        );
    }

    #[test]
    fn artifact_error_levels_are_labelled_and_hang_under_their_text() {
        let text = "InstanceError (Runtime/Deploy)\nEXCEPTION Error while starting \
                    the integration flow\n  CAUSE SecureStoreException: Secure Parameter not \
                    available for alias SFTP_PARTNER_KEY";
        let doc = artifact_error(text, 40);
        let texts: Vec<String> = doc.iter().map(DocLine::text).collect();
        assert_eq!(
            texts,
            [
                "InstanceError (Runtime/Deploy)",
                "EXCEPTION Error while starting the",
                "          integration flow",
                "  CAUSE SecureStoreException: Secure",
                "        Parameter not available for",
                "        alias SFTP_PARTNER_KEY",
            ]
        );
        assert!(doc[0].0[0].bold && doc[0].0[0].tone == Tone::Bad);
        let label = doc[3].0.iter().find(|s| s.text == "CAUSE").expect("label seg");
        assert!(label.bold);
        // Already wrapped: the view's wrap changes nothing.
        assert_eq!(wrap(&doc, 40), doc);
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
