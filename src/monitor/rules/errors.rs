//! Rules over the failed messages grouped by error signature (`signature`): a signature that
//! appears new (`new_error_signature`) and one that fails too many messages
//! (`error_signature_count`). The scope limits which messages count (by their iFlow); a
//! signature's group spans iFlows.
//!
//! Failures whose error text is not read yet (the texts are fetched within a budget) are grouped
//! provisionally and count for no signature; the texts say how many there are.

use super::flows::in_scope;
use super::{RuleOutcome, fmt_clock, fmt_span, list_some, plural};
use crate::cpi::odata::EpochMs;
use crate::monitor::duration::HumanDuration;
use crate::monitor::model::Evidence;
use crate::monitor::snapshot::{ErrorSignatures, Snapshot};
use crate::monitor::spec::{Scope, Severity};
use crate::signature::{Group, GroupKind, Grouped, KeySeen};

/// How many evidence messages an alert carries.
const MAX_EVIDENCE: usize = 20;

/// The grouped failures, if they cover `[now - within, now]` (messages may show up to the lag
/// tolerance late); else why the rule cannot say.
fn covering<'a>(
    snap: &Snapshot<'a>,
    within: HumanDuration,
    now: EpochMs,
) -> Result<ErrorSignatures<'a>, String> {
    let e = snap
        .errors
        .ok_or_else(|| snap.why_missing("errors", "error signatures of failed messages"))?;
    let from = now.saturating_sub(within.as_millis_i64());
    if e.grouped.per_iflow {
        return Err("error signatures are split per iFlow; the signature rules need them joined".into());
    }
    let lag = i64::try_from(snap.message_lag_tolerance.as_millis()).unwrap_or(i64::MAX);
    if e.grouped.from_ms > from || e.grouped.to_ms < now.saturating_sub(lag) {
        return Err(format!(
            "failed messages are known only from {} to {}, not the whole {within}",
            fmt_clock(e.grouped.from_ms, now),
            fmt_clock(e.grouped.to_ms, now)
        ));
    }
    Ok(e)
}

/// A signature group's members in scope within `[from, now]`, newest first (row indexes).
fn members_in(
    g: &Group,
    grouped: &Grouped,
    scope: &Scope,
    snap: &Snapshot<'_>,
    from: EpochMs,
    now: EpochMs,
) -> Vec<usize> {
    g.members
        .iter()
        .copied()
        .filter(|&i| {
            let r = &grouped.rows[i];
            r.at_ms >= from && r.at_ms <= now && in_scope(scope, snap, &r.iflow).unwrap_or(false)
        })
        .collect()
}

/// Failures in scope within `[from, now]` whose text is not read yet.
fn unread_in(grouped: &Grouped, scope: &Scope, snap: &Snapshot<'_>, from: EpochMs, now: EpochMs) -> usize {
    grouped
        .unread
        .iter()
        .filter(|&&i| {
            let r = &grouped.rows[i as usize];
            r.at_ms >= from && r.at_ms <= now && in_scope(scope, snap, &r.iflow).unwrap_or(false)
        })
        .count()
}

/// `; 12 failed messages not grouped yet (error texts not read)`, or nothing.
fn unread_note(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(
            "; {} not grouped yet (error texts not read)",
            plural(n as u64, "failed message")
        )
    }
}

fn evidence(grouped: &Grouped, rows: impl IntoIterator<Item = usize>) -> Vec<Evidence> {
    rows.into_iter()
        .take(MAX_EVIDENCE)
        .map(|i| Evidence::Message {
            guid: grouped.rows[i].guid.clone(),
            iflow: grouped.rows[i].iflow.clone(),
        })
        .collect()
}

/// The iFlows of `rows`, most first: `Orders_Inbound 3, Invoice_Out 1`.
fn iflows(grouped: &Grouped, rows: &[usize]) -> Vec<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for &i in rows {
        let f = grouped.rows[i].iflow.as_str();
        match counts.iter_mut().find(|(x, _)| *x == f) {
            Some((_, n)) => *n += 1,
            None => counts.push((f, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    counts.into_iter().map(|(f, n)| format!("{f} {n}")).collect()
}

/// Why a signature counts as new at `now`, if it does: it first appeared within `within` while
/// cpitop was remembering, or it returned within `within` after an absence of `unseen_for`.
fn new_because(
    e: &ErrorSignatures<'_>,
    k: &KeySeen,
    unseen_for: HumanDuration,
    from: EpochMs,
    lag_ms: i64,
) -> Option<String> {
    // Remembering must have begun before it appeared: a signature already there when cpitop
    // began watching is not new (it would alert for everything on the first run).
    let since = e.seen.since()?;
    if let Some(r) = e.seen.last_return(k.key)
        && r.at_ms >= from
        && r.absent_ms >= unseen_for.as_millis_i64()
    {
        return Some(format!("back after {}", fmt_span(r.absent_ms)));
    }
    // Not remembered yet (the round before it is observed): its first member here.
    let first = e.seen.first_seen(k.key).map_or(k.first_ms, |f| f.min(k.first_ms));
    (first >= from && first > since.saturating_sub(lag_ms)).then(|| "first seen".to_string())
}

pub fn new_error_signature(
    scope: &Scope,
    unseen_for: HumanDuration,
    within: HumanDuration,
    sev: Severity,
    snap: &Snapshot<'_>,
    now: EpochMs,
) -> RuleOutcome {
    let e = match covering(snap, within, now) {
        Ok(e) => e,
        Err(why) => return RuleOutcome::missing(why),
    };
    let grouped = e.grouped;
    let from = now.saturating_sub(within.as_millis_i64());
    let lag = i64::try_from(snap.message_lag_tolerance.as_millis()).unwrap_or(i64::MAX);
    let mut found: Vec<(String, Vec<usize>)> = Vec::new();
    for g in &grouped.groups {
        if !matches!(g.kind, GroupKind::Signature { .. }) {
            continue;
        }
        let rows = members_in(g, grouped, scope, snap, from, now);
        let Some(&oldest) = rows.last() else { continue };
        let first_in_window = grouped.rows[oldest].at_ms;
        // Every signature merged into the group must be new: a known problem with a new
        // variant is not a new problem.
        let why: Option<Vec<String>> = g
            .keys
            .iter()
            .map(|k| new_because(&e, k, unseen_for, from, lag))
            .collect();
        let Some(why) = why else { continue };
        let since = why.first().cloned().unwrap_or_default();
        let at = fmt_clock(first_in_window, now);
        found.push((
            format!(
                "`{}` ({since} {at}; {} in {})",
                g.template,
                plural(rows.len() as u64, "failed message"),
                list_some(&iflows(grouped, &rows), 3)
            ),
            rows,
        ));
    }
    let unread = unread_in(grouped, scope, snap, from, now);
    if found.is_empty() {
        return RuleOutcome::ok(format!(
            "no new error signature in {within} (not seen for {unseen_for}){}",
            unread_note(unread)
        ));
    }
    let texts: Vec<String> = found.iter().map(|(t, _)| t.clone()).collect();
    let word = if found.len() == 1 {
        "new error signature"
    } else {
        "new error signatures"
    };
    let text = format!(
        "{} {word} in {within}: {}{}",
        found.len(),
        list_some(&texts, 3),
        unread_note(unread)
    );
    let mut rows: Vec<usize> = found.into_iter().flat_map(|(_, r)| r).collect();
    rows.sort_by(|&a, &b| grouped.rows[b].at_ms.cmp(&grouped.rows[a].at_ms).then(a.cmp(&b)));
    RuleOutcome::alert(sev, text, evidence(grouped, rows))
}

pub fn error_signature_count(
    scope: &Scope,
    above: u32,
    within: HumanDuration,
    sev: Severity,
    snap: &Snapshot<'_>,
    now: EpochMs,
) -> RuleOutcome {
    let e = match covering(snap, within, now) {
        Ok(e) => e,
        Err(why) => return RuleOutcome::missing(why),
    };
    let grouped = e.grouped;
    let from = now.saturating_sub(within.as_millis_i64());
    let mut over: Vec<(String, Vec<usize>)> = Vec::new();
    let mut most: Option<(usize, &str)> = None;
    for g in &grouped.groups {
        if !matches!(g.kind, GroupKind::Signature { .. }) {
            continue;
        }
        let rows = members_in(g, grouped, scope, snap, from, now);
        if most.is_none_or(|(n, _)| rows.len() > n) {
            most = Some((rows.len(), g.template.as_str()));
        }
        if rows.len() > above as usize {
            over.push((
                format!(
                    "`{}` {} in {within} (> {above}; {})",
                    g.template,
                    plural(rows.len() as u64, "failed message"),
                    list_some(&iflows(grouped, &rows), 3)
                ),
                rows,
            ));
        }
    }
    let unread = unread_in(grouped, scope, snap, from, now);
    if over.is_empty() {
        let top = match most {
            Some((n, t)) if n > 0 => format!("; most: `{t}` {n}"),
            _ => String::new(),
        };
        return RuleOutcome::ok(format!(
            "no error signature above {above} in {within}{top}{}",
            unread_note(unread)
        ));
    }
    over.sort_by_key(|o| std::cmp::Reverse(o.1.len()));
    let texts: Vec<String> = over.iter().map(|(t, _)| t.clone()).collect();
    let text = format!("{}{}", list_some(&texts, 3), unread_note(unread));
    // The newest members of the largest signatures first.
    let rows: Vec<usize> = over
        .into_iter()
        .flat_map(|(_, r)| r.into_iter().take(5))
        .collect();
    RuleOutcome::alert(sev, text, evidence(grouped, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::model::Status;
    use crate::signature::{FailedRow, GroupOptions, SeenSignatures, Signer, Text, Texts, group_window};

    const NOW: EpochMs = 1_800_000_000_000;
    const MIN: i64 = 60_000;
    const DAY: i64 = 86_400_000;

    fn grouped(rows: &[(&str, &str, i64, Option<&str>)], seen: &SeenSignatures) -> Grouped {
        let mut texts = Texts::new();
        let rows: Vec<FailedRow> = rows
            .iter()
            .map(|(guid, iflow, ago_min, text)| {
                if let Some(t) = text {
                    texts.insert(guid.to_string(), Text::of(Some(t)));
                }
                FailedRow {
                    guid: guid.to_string(),
                    iflow: iflow.to_string(),
                    status: "FAILED".into(),
                    at_ms: NOW - ago_min * MIN,
                    discarded: false,
                }
            })
            .collect();
        group_window(
            rows,
            &texts,
            &Signer::default(),
            seen,
            &GroupOptions {
                per_iflow: false,
                from_ms: NOW - 60 * MIN,
                to_ms: NOW,
                buckets: 12,
            },
        )
    }

    const T401: &str = "HTTP 401 from https://a.example.com/x/1: Unauthorized";
    const T401B: &str = "HTTP 401 from https://b.example.com/y/22: Unauthorized";
    const SFTP: &str = "SftpException: Auth fail for sftp.acme.de:22";

    fn snap<'a>(g: &'a Grouped, seen: &'a SeenSignatures) -> Snapshot<'a> {
        let mut s = Snapshot::new("t");
        s.errors = Some(ErrorSignatures { grouped: g, seen });
        s
    }

    fn mins(m: u64) -> HumanDuration {
        HumanDuration::from_mins(m)
    }

    #[test]
    fn a_signature_above_the_count_alerts_with_its_newest_members() {
        let seen = SeenSignatures::default();
        let g = grouped(
            &[
                ("m1", "Orders", 5, Some(T401)),
                ("m2", "Invoice", 3, Some(T401B)),
                ("m3", "Orders", 1, Some(T401)),
                ("m4", "Orders", 2, Some(SFTP)),
                ("m5", "Orders", 4, None),
            ],
            &seen,
        );
        let s = snap(&g, &seen);
        let r = error_signature_count(&Scope::All, 2, mins(15), Severity::Error, &s, NOW);
        assert_eq!(r.status, Status::Error, "{}", r.text);
        assert!(
            r.text.starts_with(
                "`HTTP 401 from <url>: Unauthorized` 3 failed messages in 15m (> 2; Orders 2, Invoice 1)"
            ),
            "{}",
            r.text
        );
        assert!(
            r.text
                .ends_with("; 1 failed message not grouped yet (error texts not read)"),
            "{}",
            r.text
        );
        assert_eq!(
            r.evidence.first(),
            Some(&Evidence::Message {
                guid: "m3".into(),
                iflow: "Orders".into()
            })
        );
        // Exactly the threshold is not above it; a narrower window counts fewer.
        let r = error_signature_count(&Scope::All, 3, mins(15), Severity::Error, &s, NOW);
        assert_eq!(r.status, Status::Ok, "{}", r.text);
        assert!(
            r.text.contains("most: `HTTP 401 from <url>: Unauthorized` 3"),
            "{}",
            r.text
        );
        let r = error_signature_count(&Scope::All, 1, mins(2), Severity::Warning, &s, NOW);
        assert_eq!(r.status, Status::Ok, "one 401 within 2m: {}", r.text);
        // The scope limits the members that count.
        let r = error_signature_count(
            &Scope::Iflow("Invoice".into()),
            0,
            mins(15),
            Severity::Error,
            &s,
            NOW,
        );
        assert_eq!(r.status, Status::Error);
        assert!(
            r.text.contains("1 failed message in 15m (> 0; Invoice 1)"),
            "{}",
            r.text
        );
    }

    #[test]
    fn without_signatures_or_with_too_short_a_window_the_rules_cannot_say() {
        let seen = SeenSignatures::default();
        let s = Snapshot::new("t");
        let r = error_signature_count(&Scope::All, 1, mins(15), Severity::Error, &s, NOW);
        assert_eq!(r.status, Status::NotCalculated);
        assert!(
            r.text
                .contains("error signatures of failed messages not loaded yet"),
            "{}",
            r.text
        );
        let g = grouped(&[("m1", "A", 1, Some(T401))], &seen);
        let s = snap(&g, &seen);
        let r = new_error_signature(
            &Scope::All,
            mins(60 * 24 * 7),
            mins(120),
            Severity::Warning,
            &s,
            NOW,
        );
        assert_eq!(r.status, Status::NotCalculated, "the window is 1h: {}", r.text);
        let mut split = g.clone();
        split.per_iflow = true;
        let s = snap(&split, &seen);
        let r = error_signature_count(&Scope::All, 0, mins(15), Severity::Error, &s, NOW);
        assert_eq!(r.status, Status::NotCalculated);
        assert!(r.text.contains("split per iFlow"), "{}", r.text);
    }

    #[test]
    fn new_signatures_first_seen_or_back_after_an_absence() {
        // Remembering began ten days ago; the 401 was last seen nine days ago.
        let mut seen = SeenSignatures::default();
        seen.begin(NOW - 10 * DAY);
        let key401 = Signer::default().sign(T401, None).key;
        seen.observe(key401, NOW - 9 * DAY);
        let rows = [
            ("m1", "Orders", 10, Some(T401)),
            ("m2", "Invoice", 5, Some(SFTP)),
            ("m3", "Invoice", 50, None),
        ];
        let g = grouped(&rows, &seen);
        // Before this round is remembered: the SFTP error was never seen, the 401 returns.
        let s = snap(&g, &seen);
        let week = HumanDuration::from_secs(7 * 86_400);
        let r = new_error_signature(&Scope::All, week, mins(60), Severity::Warning, &s, NOW);
        assert_eq!(r.status, Status::Warning, "{}", r.text);
        assert!(
            r.text.starts_with(
                "1 new error signature in 1h: `SftpException: Auth fail for <host>` (first seen"
            ),
            "{}",
            r.text
        );
        assert!(
            r.text
                .ends_with("; 1 failed message not grouped yet (error texts not read)"),
            "{}",
            r.text
        );
        // Remembered (as the TUI does before a round): the same answer, and the 401's return
        // after nine days counts as new too.
        seen.observe_groups(&g.groups, NOW);
        let g = grouped(&rows, &seen);
        let s = snap(&g, &seen);
        let r = new_error_signature(&Scope::All, week, mins(60), Severity::Warning, &s, NOW);
        assert!(r.text.starts_with("2 new error signatures in 1h"), "{}", r.text);
        assert!(
            r.text
                .contains("`HTTP 401 from <url>: Unauthorized` (back after 8d23h"),
            "{}",
            r.text
        );
        // An absence shorter than asked is no return; later, the first sighting is old.
        let r = new_error_signature(
            &Scope::All,
            HumanDuration::from_secs(10 * 86_400),
            mins(60),
            Severity::Warning,
            &s,
            NOW,
        );
        assert!(r.text.starts_with("1 new error signature"), "{}", r.text);
        let r = new_error_signature(
            &Scope::All,
            week,
            mins(60),
            Severity::Warning,
            &s,
            NOW + 2 * 60 * MIN,
        );
        assert_eq!(
            r.status,
            Status::NotCalculated,
            "the window ends before: {}",
            r.text
        );
    }

    #[test]
    fn signatures_there_when_remembering_began_are_not_new() {
        let mut seen = SeenSignatures::default();
        let g = grouped(&[("m1", "A", 10, Some(SFTP))], &seen);
        let r = new_error_signature(
            &Scope::All,
            HumanDuration::from_secs(7 * 86_400),
            mins(60),
            Severity::Warning,
            &snap(&g, &seen),
            NOW,
        );
        assert_eq!(r.status, Status::Ok, "nothing remembered yet: {}", r.text);
        seen.observe_groups(&g.groups, NOW);
        let r = new_error_signature(
            &Scope::All,
            HumanDuration::from_secs(7 * 86_400),
            mins(60),
            Severity::Warning,
            &snap(&g, &seen),
            NOW + MIN,
        );
        assert_eq!(
            r.status,
            Status::Ok,
            "already there at the first round: {}",
            r.text
        );
    }
}
