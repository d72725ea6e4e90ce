//! Rules over queues, the JMS broker, keystore entries and the tenant's reachability. These
//! ignore the monitor's scope and use their own selectors.

use super::{RuleOutcome, fmt_clock, fmt_day, fmt_span, list_some, plural};
use crate::cpi::model::JmsMessageState;
use crate::cpi::odata::EpochMs;
use crate::monitor::duration::HumanDuration;
use crate::monitor::glob::glob_match;
use crate::monitor::model::Evidence;
use crate::monitor::snapshot::{QueueSnapshot, Snapshot};
use crate::monitor::spec::Severity;

const MAX_EVIDENCE: usize = 20;

fn queues_matching<'a>(glob: &str, snap: &Snapshot<'a>) -> Result<Vec<&'a QueueSnapshot>, String> {
    let qs = snap
        .queues
        .ok_or_else(|| snap.why_missing("queues", "JMS queues"))?;
    Ok(qs.iter().filter(|q| glob_match(glob, &q.queue.name)).collect())
}

/// Messages in a queue: the larger of the queue's count and the listed messages.
fn depth(q: &QueueSnapshot) -> u64 {
    let listed = q.messages.as_ref().map_or(0, Vec::len) as u64;
    u64::try_from(q.queue.numb_of_msgs).unwrap_or(0).max(listed)
}

/// `queue_depth`: a queue matching `glob` holds more than `above` messages.
pub fn queue_depth(glob: &str, above: u64, sev: Severity, snap: &Snapshot<'_>) -> RuleOutcome {
    let qs = match queues_matching(glob, snap) {
        Ok(q) => q,
        Err(why) => return RuleOutcome::missing(why),
    };
    if qs.is_empty() {
        return RuleOutcome::ok(format!("no queue matches {glob}"));
    }
    let mut by_depth: Vec<(&str, u64)> = qs.iter().map(|q| (q.queue.name.as_str(), depth(q))).collect();
    by_depth.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let over: Vec<&(&str, u64)> = by_depth.iter().filter(|(_, d)| *d > above).collect();
    match over.as_slice() {
        [] => {
            let (name, d) = by_depth[0];
            RuleOutcome::ok(format!(
                "deepest queue {name} holds {} (limit {above})",
                plural(d, "message")
            ))
        }
        [(name, d)] => RuleOutcome::alert(
            sev,
            format!("{name} holds {} (limit {above})", plural(*d, "message")),
            vec![Evidence::Queue {
                name: name.to_string(),
            }],
        ),
        many => {
            let parts: Vec<String> = many.iter().map(|(n, d)| format!("{n} {d}")).collect();
            RuleOutcome::alert(
                sev,
                format!(
                    "{} queues over {above} messages: {}",
                    many.len(),
                    list_some(&parts, 5)
                ),
                many.iter()
                    .map(|(n, _)| Evidence::Queue { name: n.to_string() })
                    .collect(),
            )
        }
    }
}

/// `queue_age`: the oldest message of a queue matching `glob` is older than `older_than`.
pub fn queue_age(
    glob: &str,
    older_than: HumanDuration,
    sev: Severity,
    snap: &Snapshot<'_>,
    now: EpochMs,
) -> RuleOutcome {
    let qs = match queues_matching(glob, snap) {
        Ok(q) => q,
        Err(why) => return RuleOutcome::missing(why),
    };
    let limit = older_than.as_millis_i64();
    let mut old = Vec::new();
    let mut evidence = Vec::new();
    let mut unknown = Vec::new();
    let mut oldest_ok: Option<i64> = None;
    for q in &qs {
        if depth(q) == 0 {
            continue;
        }
        let oldest = q.messages.as_ref().and_then(|ms| {
            ms.iter()
                .filter_map(|m| m.created_at.map(|t| (t, m)))
                .min_by_key(|(t, _)| *t)
        });
        let Some((created, msg)) = oldest else {
            unknown.push(q.queue.name.clone());
            continue;
        };
        let age = now - created;
        if age > limit {
            old.push(format!("{} oldest {} old", q.queue.name, fmt_span(age)));
            evidence.push(Evidence::Queue {
                name: q.queue.name.clone(),
            });
            evidence.push(Evidence::QueueMessage {
                queue: q.queue.name.clone(),
                msgid: msg.msgid.clone(),
            });
        } else {
            oldest_ok = Some(oldest_ok.map_or(age, |o: i64| o.max(age)));
        }
    }
    if !old.is_empty() {
        return RuleOutcome::alert(
            sev,
            format!("queued messages older than {older_than}: {}", list_some(&old, 5)),
            evidence,
        );
    }
    if !unknown.is_empty() {
        return RuleOutcome::missing(format!("messages of {} not listed yet", list_some(&unknown, 5)));
    }
    match oldest_ok {
        Some(age) => RuleOutcome::ok(format!(
            "oldest queued message {} old (limit {older_than})",
            fmt_span(age)
        )),
        None => RuleOutcome::ok(format!("no queued messages in queues matching {glob}")),
    }
}

/// `dlq_not_empty`: a queue matching `glob` (dead-letter queues by convention) holds messages.
pub fn dlq_not_empty(glob: &str, sev: Severity, snap: &Snapshot<'_>) -> RuleOutcome {
    let qs = match queues_matching(glob, snap) {
        Ok(q) => q,
        Err(why) => return RuleOutcome::missing(why),
    };
    let full: Vec<(&str, u64)> = qs
        .iter()
        .map(|q| (q.queue.name.as_str(), depth(q)))
        .filter(|(_, d)| *d > 0)
        .collect();
    if full.is_empty() {
        return if qs.is_empty() {
            RuleOutcome::ok(format!("no queue matches {glob}"))
        } else {
            RuleOutcome::ok(format!("{} empty", plural(qs.len() as u64, "dead-letter queue")))
        };
    }
    let parts: Vec<String> = full
        .iter()
        .map(|(n, d)| format!("{n} holds {}", plural(*d, "message")))
        .collect();
    RuleOutcome::alert(
        sev,
        list_some(&parts, 5),
        full.iter()
            .map(|(n, _)| Evidence::Queue { name: n.to_string() })
            .collect(),
    )
}

/// `blocked_messages`: at least `at_least` Blocked messages (dead-letter lock, docs/cpi-api.md
/// §5.4) in queues matching `glob`.
pub fn blocked_messages(
    glob: &str,
    at_least: u32,
    sev: Severity,
    snap: &Snapshot<'_>,
    now: EpochMs,
) -> RuleOutcome {
    let qs = match queues_matching(glob, snap) {
        Ok(q) => q,
        Err(why) => return RuleOutcome::missing(why),
    };
    let mut total = 0u64;
    let mut parts = Vec::new();
    let mut evidence = Vec::new();
    let mut unknown = Vec::new();
    for q in &qs {
        let Some(ms) = &q.messages else {
            if depth(q) > 0 {
                unknown.push(q.queue.name.clone());
            }
            continue;
        };
        let blocked: Vec<_> = ms
            .iter()
            .filter(|m| m.state(now) == JmsMessageState::Blocked)
            .collect();
        if blocked.is_empty() {
            continue;
        }
        total += blocked.len() as u64;
        parts.push(format!("{} {}", q.queue.name, blocked.len()));
        evidence.push(Evidence::Queue {
            name: q.queue.name.clone(),
        });
        for m in blocked {
            if evidence.len() < MAX_EVIDENCE {
                evidence.push(Evidence::QueueMessage {
                    queue: q.queue.name.clone(),
                    msgid: m.msgid.clone(),
                });
            }
        }
    }
    if total >= u64::from(at_least) {
        return RuleOutcome::alert(
            sev,
            format!("{}: {}", plural(total, "blocked message"), list_some(&parts, 5)),
            evidence,
        );
    }
    if !unknown.is_empty() {
        return RuleOutcome::missing(format!("messages of {} not listed yet", list_some(&unknown, 5)));
    }
    if total == 0 {
        RuleOutcome::ok("no blocked messages")
    } else {
        RuleOutcome::ok(format!(
            "{} (alert at {at_least})",
            plural(total, "blocked message")
        ))
    }
}

fn fmt_bytes(b: i64) -> String {
    let b = b.max(0) as f64;
    const GB: f64 = 1024.0 * 1024.0 * 1024.0;
    const MB: f64 = 1024.0 * 1024.0;
    if b >= GB {
        format!("{:.1} GB", b / GB)
    } else {
        format!("{:.0} MB", b / MB)
    }
}

/// `broker_capacity`: JMS broker usage at or above `warning` / `critical` percent.
pub fn broker_capacity(warning: f64, critical: f64, snap: &Snapshot<'_>) -> RuleOutcome {
    let Some(b) = snap.broker else {
        return RuleOutcome::missing(snap.why_missing("broker", "JMS broker"));
    };
    if b.max_capacity <= 0 {
        return RuleOutcome::missing("JMS broker reports no MaxCapacity");
    }
    let pct = b.used_fraction() * 100.0;
    let usage = format!(
        "JMS broker {pct:.1}% used ({} of {})",
        fmt_bytes(b.capacity),
        fmt_bytes(b.max_capacity)
    );
    let ev = || vec![Evidence::Broker { key: b.key.clone() }];
    if pct >= critical {
        RuleOutcome::alert(Severity::Error, format!("{usage}; critical at {critical}%"), ev())
    } else if pct >= warning {
        RuleOutcome::alert(Severity::Warning, format!("{usage}; warning at {warning}%"), ev())
    } else {
        RuleOutcome::ok(format!("{usage}; warning at {warning}%"))
    }
}

/// `cert_expiry`: a keystore entry matching `glob` expires within `within` (`sev`) or has expired
/// (error).
pub fn cert_expiry(
    glob: &str,
    within: HumanDuration,
    sev: Severity,
    snap: &Snapshot<'_>,
    now: EpochMs,
) -> RuleOutcome {
    let Some(entries) = snap.keystore else {
        return RuleOutcome::missing(snap.why_missing("keystore", "keystore entries"));
    };
    let mut dated: Vec<_> = entries
        .iter()
        .filter(|e| glob_match(glob, &e.alias))
        .filter_map(|e| e.valid_not_after.map(|t| (t, e)))
        .collect();
    dated.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.alias.cmp(&b.1.alias)));
    let horizon = now.saturating_add(within.as_millis_i64());
    let mut expired = false;
    let mut parts = Vec::new();
    let mut evidence = Vec::new();
    for (t, e) in &dated {
        if *t <= now {
            expired = true;
            parts.push(format!(
                "{} expired {} ago ({})",
                e.alias,
                fmt_span(now - t),
                fmt_day(*t)
            ));
        } else if *t <= horizon {
            parts.push(format!(
                "{} expires in {} ({})",
                e.alias,
                fmt_span(t - now),
                fmt_day(*t)
            ));
        } else {
            continue;
        }
        evidence.push(Evidence::Certificate {
            alias: e.alias.clone(),
            hexalias: e.hexalias.clone(),
        });
    }
    if !parts.is_empty() {
        let sev = if expired { Severity::Error } else { sev };
        return RuleOutcome::alert(sev, list_some(&parts, 5), evidence);
    }
    match dated.first() {
        Some((t, e)) => RuleOutcome::ok(format!(
            "{} valid beyond {within}; next expiry {} on {}",
            plural(dated.len() as u64, "keystore entry"),
            e.alias,
            fmt_day(*t)
        )),
        None => RuleOutcome::ok(format!("no dated keystore entry matches {glob}")),
    }
}

/// `tenant_unreachable`: the API has not answered for `for_at_least`.
pub fn tenant_unreachable(
    for_at_least: HumanDuration,
    sev: Severity,
    snap: &Snapshot<'_>,
    now: EpochMs,
) -> RuleOutcome {
    let Some(h) = snap.health else {
        return RuleOutcome::missing("tenant reachability not tracked");
    };
    let limit = for_at_least.as_millis_i64();
    let last_error = h
        .last_error
        .as_deref()
        .map(|e| format!("; last error: {e}"))
        .unwrap_or_default();
    let ev = || {
        vec![Evidence::Tenant {
            name: snap.tenant.to_string(),
        }]
    };
    match (h.last_success, h.watching_since) {
        (Some(t), _) if now - t >= limit => RuleOutcome::alert(
            sev,
            format!(
                "tenant {} has not answered for {} (last answer {}){last_error}",
                snap.tenant,
                fmt_span(now - t),
                fmt_clock(t, now)
            ),
            ev(),
        ),
        (Some(t), _) => RuleOutcome::ok(format!("tenant answered {} ago", fmt_span(now - t))),
        (None, Some(w)) if now - w >= limit => RuleOutcome::alert(
            sev,
            format!(
                "tenant {} has not answered since watching began at {}{last_error}",
                snap.tenant,
                fmt_clock(w, now)
            ),
            ev(),
        ),
        _ => RuleOutcome::missing("waiting for the tenant's first answer"),
    }
}
