//! The certificate view's document: an entry's validity, key, subject, issuer, serial, signature,
//! owner and fingerprints. Shared by the TUI's certificate view and `cpitop get certificate`.

use super::state::{Keystore, Validity, key_text};
use crate::cpi::model::KeystoreEntry;
use crate::kit::doc::{DocLine, error_lines, seg, wrap_line};
use crate::kit::format::age;
use crate::kit::load::Fetch;
use crate::kit::table::{CellCx, Tone};

/// Where a field's value starts (`DocLine::field`): wrapped values continue under it.
const VALUE_AT: usize = 14;

/// The certificate of `alias`, wrapped to `width` (a long subject continues under its value, a
/// fingerprint breaks after a colon); `expiring_ms`: how long before its end it counts as
/// expiring.
pub fn certificate(k: &Keystore, alias: &str, expiring_ms: i64, cx: &CellCx, width: usize) -> Vec<DocLine> {
    let width = width.max(VALUE_AT + 6);
    let mut out = Vec::new();
    match k.entry(alias) {
        Some(e) => {
            for l in fields(e, expiring_ms, cx, width) {
                wrap_line(&l, width, VALUE_AT, &mut out);
            }
        }
        None => {
            out.push(DocLine::field("Alias", alias, Tone::Normal));
            let why = match k.fetched.get(alias) {
                Some(Fetch::Pending) => vec![DocLine::plain("Loading…")],
                Some(Fetch::Failed(e)) => error_lines(&format!("Could not read the entry: {e}")),
                Some(Fetch::Done(_)) => vec![DocLine(vec![seg(
                    "The tenant's keystore has no entry with this alias.",
                    Tone::Muted,
                )])],
                None => vec![DocLine(vec![seg(
                    "Not in the last keystore listing.",
                    Tone::Muted,
                )])],
            };
            for l in &why {
                wrap_line(l, width, 0, &mut out);
            }
        }
    }
    out
}

/// A fingerprint (`0D:56:…`) as lines of whole bytes that fit `width`, each but the last ending
/// in its colon, continuing under the value.
fn fingerprint(name: &str, print: &str, width: usize) -> Vec<DocLine> {
    // "AB:" per byte, the last byte of a line keeping its colon.
    let per_line = width.saturating_sub(VALUE_AT) / 3;
    let bytes: Vec<&str> = print.split(':').collect();
    let chunks: Vec<&[&str]> = bytes.chunks(per_line.max(1)).collect();
    chunks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut text = c.join(":");
            if i + 1 < chunks.len() {
                text.push(':');
            }
            match i {
                0 => DocLine::field(name, text, Tone::Normal),
                _ => DocLine(vec![
                    seg(" ".repeat(VALUE_AT), Tone::Normal),
                    seg(text, Tone::Normal),
                ]),
            }
        })
        .collect()
}

/// Where the entry stands: `EXPIRED 3d ago`, `EXPIRING in 5d (within 30d)`, `valid, expires in
/// 300d`.
pub fn validity_text(e: &KeystoreEntry, expiring_ms: i64, now: i64) -> (String, Tone) {
    let v = Validity::of(e, now, expiring_ms);
    let end = e.valid_not_after.unwrap_or(now);
    let text = match v {
        Validity::Expired => format!("EXPIRED {} ago", age(now - end)),
        Validity::Expiring => format!("EXPIRING in {} (within {})", age(end - now), age(expiring_ms)),
        Validity::Valid => format!("valid, expires in {}", age(end - now)),
        Validity::Undated => "no expiry date reported".to_string(),
    };
    (text, v.tone())
}

fn fields(e: &KeystoreEntry, expiring_ms: i64, cx: &CellCx, width: usize) -> Vec<DocLine> {
    let t = &cx.time;
    let when = |ms| format!("{} {}", t.datetime(ms), t.zone());
    let (validity, tone) = validity_text(e, expiring_ms, cx.now);
    let mut key = key_text(e);
    if !e.elliptic_curve.is_empty() {
        key.push_str(&format!(" ({})", e.elliptic_curve));
    }
    let mut out = vec![
        DocLine::field("Alias", e.alias.clone(), Tone::Normal),
        DocLine::field("Validity", validity, tone),
        DocLine::field("Valid from", when(e.valid_not_before), Tone::Normal),
        DocLine::field("Valid until", when(e.valid_not_after), Tone::Normal),
        DocLine::field("Type", e.kind.clone(), Tone::Normal),
        DocLine::field("Key", key, Tone::Normal),
        DocLine::field("Subject", e.subject_dn.clone(), Tone::Normal),
        DocLine::field("Issuer", e.issuer_dn.clone(), Tone::Normal),
        DocLine::field("Serial", e.serial_number.clone(), Tone::Normal),
        DocLine::field("Signature", e.signature_algorithm.clone(), Tone::Normal),
        DocLine::field("Owner", e.owner.clone(), Tone::Normal),
    ];
    if let Some(at) = e.last_modified_time {
        let by = match e.last_modified_by.as_str() {
            "" => String::new(),
            who => format!(" by {who}"),
        };
        out.push(DocLine::field(
            "Modified",
            format!("{}{by}", when(Some(at))),
            Tone::Normal,
        ));
    }
    let prints = [
        ("SHA-1", &e.fingerprint_sha1),
        ("SHA-256", &e.fingerprint_sha256),
        ("SHA-512", &e.fingerprint_sha512),
    ];
    out.push(DocLine::default());
    out.push(DocLine::heading("Fingerprints"));
    if prints.iter().all(|(_, p)| p.is_empty()) {
        out.push(DocLine(vec![seg(
            "The tenant reports no fingerprints.",
            Tone::Muted,
        )]));
    }
    for (name, print) in prints.into_iter().filter(|(_, p)| !p.is_empty()) {
        out.extend(fingerprint(name, print, width));
    }
    out
}
