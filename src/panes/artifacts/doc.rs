//! The artifact detail's document: the artifact's fields, since when it is not STARTED, and its
//! deployment error (the decoded `InstanceError` levels with their labels emphasised). Shared by
//! the TUI's detail view and `cpitop get artifact`.

use super::state::{Artifacts, Since};
use crate::cpi::artifact_error::{LABEL_EXCEPTION, level_line};
use crate::cpi::odata::EpochMs;
use crate::kit::doc::{DocLine, Seg, error_lines, error_text, http_statuses, seg, wrap, wrap_line};
use crate::kit::load::Fetch;
use crate::kit::table::{CellCx, Tone};

/// An artifact's detail: its fields and its deployment error, wrapped to `width`.
pub fn detail(arts: &Artifacts, id: &str, cx: &CellCx, width: usize) -> Vec<DocLine> {
    wrap(&lines(arts, id, cx, width), width)
}

fn lines(arts: &Artifacts, id: &str, cx: &CellCx, width: usize) -> Vec<DocLine> {
    let mut out = Vec::new();
    match arts.by_id(id) {
        Some(a) => {
            let tone = if a.status.is_started() {
                Tone::Good
            } else {
                Tone::Bad
            };
            let mut status = DocLine::field("Status", a.status.as_str(), tone);
            if let Some(since) = arts.since(a) {
                status
                    .0
                    .push(seg(since_text(since, a.deployed_on, cx), Tone::Muted));
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
    match arts.errors.get(id) {
        None | Some(Fetch::Pending) => out.push(DocLine::plain("Loading…")),
        Some(Fetch::Failed(e)) => out.extend(error_lines(&format!("Could not read the error: {e}"))),
        Some(Fetch::Done(None)) => out.push(DocLine(vec![seg(
            "The tenant reports no error for this artifact.",
            Tone::Muted,
        )])),
        Some(Fetch::Done(Some(text))) => out.extend(artifact_error(text, width)),
    }
    out
}

/// After the status word: `for 12m (since 12:04)` when the change was seen, or what is known
/// when it was already so when cpitop started: `, seen since 12:04; deployed 2026-10-01`.
fn since_text(since: Since, deployed_on: Option<EpochMs>, cx: &CellCx) -> String {
    let clock = |ms| cx.time.clock(ms).get(..5).unwrap_or_default().to_string();
    match since {
        Since::Known(at) => format!(
            " for {} (since {})",
            crate::kit::format::age(cx.now - at),
            clock(at)
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
