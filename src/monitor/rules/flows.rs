//! Rules over artifacts and messages, limited by the monitor's scope.

use std::collections::BTreeSet;

use super::{RuleOutcome, fmt_clock, fmt_day, fmt_span, list_some, plural};
use crate::cpi::model::{MplStatus, RuntimeArtifact};
use crate::cpi::odata::EpochMs;
use crate::monitor::duration::HumanDuration;
use crate::monitor::model::Evidence;
use crate::monitor::snapshot::{MessageStats, Snapshot};
use crate::monitor::spec::{Scope, Severity};

/// How many evidence messages an alert carries.
const MAX_EVIDENCE: usize = 20;

/// The package of artifact `id`: from its messages' rows (every row carries
/// `IntegrationArtifact/PackageId`), else from the design-time listing of its package.
fn package_of(snap: &Snapshot<'_>, id: &str) -> Option<String> {
    snap.messages
        .and_then(|m| m.package_of(id))
        .or_else(|| snap.packages.and_then(|p| p.get(id)).map(str::to_owned))
}

/// Whether artifact `id` is in `scope`: `Some(bool)` when known, `None` for a package scope
/// whose membership of `id` is unknown (no message of it says, and the package's design-time
/// listing did not answer).
pub(super) fn in_scope(scope: &Scope, snap: &Snapshot<'_>, id: &str) -> Option<bool> {
    let Scope::Package(p) = scope else {
        return Some(scope.matches(id, None));
    };
    match package_of(snap, id) {
        Some(pkg) => Some(&pkg == p),
        // The package's listing answered and does not name it: not in the package.
        None if snap.packages.is_some_and(|m| m.listed.contains(p)) => Some(false),
        None => None,
    }
}

/// Why the package of `unknown` artifacts (ids) is not known for a package scope.
fn package_gap(scope: &Scope, snap: &Snapshot<'_>, unknown: &[String]) -> String {
    let p = match scope {
        Scope::Package(p) => p.as_str(),
        _ => "",
    };
    let why = match snap.packages.and_then(|m| m.failed.get(p)) {
        Some(e) => format!("the design-time artifacts of package {p} could not be read: {e}"),
        None => format!("the design-time artifacts of package {p} are not loaded yet"),
    };
    format!(
        "package of {} not known ({why}; messages name the package of iFlows that logged)",
        list_some(unknown, 3)
    )
}

/// The artifacts in scope, and (for a package scope) why some artifacts' membership is not known.
fn artifacts_in_scope<'a>(
    scope: &Scope,
    snap: &Snapshot<'a>,
) -> Result<(Vec<&'a RuntimeArtifact>, Option<String>), String> {
    let arts = snap
        .artifacts
        .ok_or_else(|| snap.why_missing("artifacts", "runtime artifacts"))?;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for a in arts {
        match in_scope(scope, snap, &a.id) {
            Some(true) => known.push(a),
            Some(false) => {}
            None => unknown.push(a.id.clone()),
        }
    }
    let gap = (!unknown.is_empty()).then(|| package_gap(scope, snap, &unknown));
    Ok((known, gap))
}

fn is_flow(a: &RuntimeArtifact) -> bool {
    a.kind.is_empty() || a.kind == "INTEGRATION_FLOW"
}

/// The iFlow ids a message rule looks at: the one id, or the deployed iFlows in scope; and
/// (package scope) why some iFlows' membership is not known.
fn flows_in_scope(scope: &Scope, snap: &Snapshot<'_>) -> Result<(Vec<String>, Option<String>), String> {
    if let Scope::Iflow(id) = scope {
        return Ok((vec![id.clone()], None));
    }
    let (arts, gap) = artifacts_in_scope(scope, snap)?;
    let ids: Vec<String> = arts
        .into_iter()
        .filter(|a| is_flow(a))
        .map(|a| a.id.clone())
        .collect();
    if ids.is_empty() {
        return Err(gap.unwrap_or_else(|| format!("no deployed iFlow in {}", scope.describe())));
    }
    Ok((ids, gap))
}

/// Whether `[from, now]` is completely covered by the message data; otherwise why not.
fn coverage_gap(
    stats: &dyn MessageStats,
    snap: &Snapshot<'_>,
    from: EpochMs,
    now: EpochMs,
) -> Option<String> {
    let lag = i64::try_from(snap.message_lag_tolerance.as_millis()).unwrap_or(i64::MAX);
    match stats.coverage() {
        None => Some(snap.why_missing("messages", "messages")),
        Some((start, _)) if start > from => Some(format!(
            "messages loaded only since {} (the window starts {})",
            fmt_clock(start, now),
            fmt_clock(from, now)
        )),
        Some((_, end)) if end < now.saturating_sub(lag) => Some(format!(
            "messages known only until {} ({} ago)",
            fmt_clock(end, now),
            fmt_span(now - end)
        )),
        _ => None,
    }
}

fn status_names(statuses: &[MplStatus]) -> String {
    statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("/")
}

/// `not_started`: an artifact in scope is not STARTED, optionally for at least `for_at_least`.
/// A single-iFlow scope whose iFlow is not deployed alerts too: it is not running.
///
/// How long: from when the tracker saw the artifact turn non-STARTED. An artifact that was
/// already non-STARTED when cpitop started watching (the tracker's first observation, also the
/// first `cpitop check` without saved state) has no known start; it counts as non-STARTED since
/// its `DeployedOn` (its state cannot be older than its deployment, and a deployment that
/// failed or was stopped has been that way since then, as far as anyone can tell), so a `for`
/// shorter than the time since the deployment fires at once, and a fresh deployment still gets
/// its `for`. Without a `DeployedOn` it fires at once. The text then says what is known:
/// `X is ERROR (seen since 12:04 UTC; deployed 2026-10-01)` rather than a made-up duration.
pub fn not_started(
    scope: &Scope,
    for_at_least: Option<HumanDuration>,
    sev: Severity,
    snap: &Snapshot<'_>,
    now: EpochMs,
) -> RuleOutcome {
    let (arts, gap) = match artifacts_in_scope(scope, snap) {
        Ok(a) => a,
        Err(why) => return RuleOutcome::missing(why),
    };
    if let Scope::Iflow(id) = scope
        && arts.is_empty()
    {
        return RuleOutcome::alert(
            sev,
            format!("{id} is not deployed"),
            vec![Evidence::Artifact { id: id.clone() }],
        );
    }
    if arts.is_empty() {
        return RuleOutcome::missing(
            gap.unwrap_or_else(|| format!("no deployed artifact in {}", scope.describe())),
        );
    }
    let mut fired = Vec::new();
    let mut evidence = Vec::new();
    let mut pending = Vec::new();
    let mut unknown = Vec::new();
    for a in arts.iter().filter(|a| !a.status.is_started()) {
        let since = snap.not_started_since.and_then(|m| m.get(&a.id)).copied();
        let at_start = snap.not_started_at_start.is_some_and(|ids| ids.contains(&a.id));
        // The start of the state: seen changing, or (already so when watching began) at most
        // back to the deployment; `None` when not known at all.
        let start = match (since, at_start) {
            (Some(seen), true) => Some(a.deployed_on.map_or(EpochMs::MIN, |d| d.min(seen))),
            (seen, _) => seen,
        };
        let elapsed = start.map(|s| now.saturating_sub(s));
        let due = match (for_at_least, elapsed) {
            (None, _) => true,
            (Some(f), Some(e)) => e >= f.as_millis_i64(),
            (Some(_), None) => {
                unknown.push(format!("{} {}", a.id, a.status));
                continue;
            }
        };
        let how_long = match (since, at_start) {
            (Some(seen), true) => {
                let deployed = a
                    .deployed_on
                    .map(|d| {
                        let when = if fmt_day(d) == fmt_day(now) {
                            fmt_clock(d, now)
                        } else {
                            fmt_day(d)
                        };
                        format!("; deployed {when}")
                    })
                    .unwrap_or_default();
                format!(" (seen since {}{deployed})", fmt_clock(seen, now))
            }
            _ => elapsed
                .map(|e| format!(" for {}", fmt_span(e)))
                .unwrap_or_default(),
        };
        if due {
            fired.push(format!("{} is {}{how_long}", a.id, a.status));
            evidence.push(Evidence::Artifact { id: a.id.clone() });
        } else if let Some(f) = for_at_least {
            pending.push(format!("{} is {}{how_long} (alert after {f})", a.id, a.status));
        }
    }
    if !fired.is_empty() {
        let text = if fired.len() == 1 {
            fired.remove(0)
        } else {
            format!("{} not started: {}", fired.len(), list_some(&fired, 5))
        };
        return RuleOutcome::alert(sev, text, evidence);
    }
    if !unknown.is_empty() {
        return RuleOutcome::missing(format!(
            "not known since when {} (not started)",
            list_some(&unknown, 5)
        ));
    }
    // The artifacts known to be in the package are fine; the others may not be.
    if let Some(gap) = gap {
        return RuleOutcome::missing(gap);
    }
    let started = arts.len() - pending.len();
    let mut text = format!("{} STARTED", plural(started as u64, "artifact"));
    if !pending.is_empty() {
        text.push_str("; ");
        text.push_str(&list_some(&pending, 5));
    }
    RuleOutcome::ok(text)
}

/// What `failures` counts: a status in `statuses`, or a custom status in `custom` (a business
/// error: `COMPLETED` with `CustomStatus` `ERROR`), each message once.
#[derive(Debug, Clone, Copy)]
pub struct Counted<'a> {
    pub statuses: &'a [MplStatus],
    pub custom: &'a [String],
}

impl Counted<'_> {
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.statuses.is_empty() {
            parts.push(status_names(self.statuses));
        }
        if !self.custom.is_empty() {
            parts.push(format!("custom {}", self.custom.join("/")));
        }
        parts.join(" or ")
    }
    fn count(&self, stats: &dyn MessageStats, id: &str, from: EpochMs, to: EpochMs) -> u64 {
        let by_status = if self.statuses.is_empty() {
            0
        } else {
            stats.count(id, self.statuses, from, to)
        };
        by_status + stats.count_custom(id, self.custom, self.statuses, from, to)
    }
    fn newest(
        &self,
        stats: &dyn MessageStats,
        id: &str,
        from: EpochMs,
        to: EpochMs,
    ) -> Vec<crate::monitor::MessageRef> {
        let mut v = if self.statuses.is_empty() {
            Vec::new()
        } else {
            stats.newest(Some(id), self.statuses, from, to, MAX_EVIDENCE)
        };
        v.extend(stats.newest_custom(Some(id), self.custom, self.statuses, from, to, MAX_EVIDENCE));
        v
    }
}

/// The name of an iFlow in a text: messages in flight carry none yet.
fn flow_name(id: &str) -> &str {
    if id.is_empty() {
        "(iFlow not known yet)"
    } else {
        id
    }
}

/// `failures`: at least `at_least` messages counted by `counted` within `within`, summed over
/// every iFlow in scope that logged messages in the window. A package scope takes each iFlow's
/// package from its messages (`IntegrationArtifact/PackageId`), no design-time call.
pub fn failures(
    scope: &Scope,
    at_least: u32,
    within: HumanDuration,
    counted: &Counted<'_>,
    sev: Severity,
    snap: &Snapshot<'_>,
    now: EpochMs,
) -> RuleOutcome {
    let Some(stats) = snap.messages else {
        return RuleOutcome::missing(snap.why_missing("messages", "messages"));
    };
    let from = now.saturating_sub(within.as_millis_i64());
    // Every iFlow that logged in the window, deployed or not (an undeployed iFlow's failures
    // still count), limited to the scope. A message whose package no row names (in flight)
    // is in no package scope.
    let ids: BTreeSet<String> = stats
        .iflows(from, now)
        .into_iter()
        .filter(|id| in_scope(scope, snap, id).unwrap_or(false))
        .collect();
    let mut per_flow: Vec<(String, u64)> = ids
        .into_iter()
        .map(|id| {
            let n = counted.count(stats, &id, from, now);
            (id, n)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    per_flow.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let total: u64 = per_flow.iter().map(|(_, n)| n).sum();
    let what = counted.describe();
    if total >= u64::from(at_least) {
        let mut newest = Vec::new();
        for (id, _) in &per_flow {
            newest.extend(counted.newest(stats, id, from, now));
        }
        newest.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| a.guid.cmp(&b.guid)));
        newest.truncate(MAX_EVIDENCE);
        let mut text = format!("{total} {what} in {within}");
        if per_flow.len() > 1 {
            let parts: Vec<String> = per_flow
                .iter()
                .map(|(id, n)| format!("{} {n}", flow_name(id)))
                .collect();
            text.push_str(&format!(" ({})", list_some(&parts, 3)));
        }
        if let Some(last) = newest.first() {
            let status = match &last.custom_status {
                Some(c) => format!("{}/{c}", last.status),
                None => last.status.to_string(),
            };
            let detail = match &last.error {
                Some(e) if !e.trim().is_empty() => first_line(e),
                _ => format!("{status} {} at {}", last.guid, fmt_clock(last.time, now)),
            };
            if per_flow.len() > 1 {
                text.push_str(&format!("; last ({}): {detail}", flow_name(&last.iflow)));
            } else {
                text.push_str(&format!("; last: {detail}"));
            }
        }
        let evidence = newest
            .into_iter()
            .map(|m| Evidence::Message {
                guid: m.guid,
                iflow: m.iflow,
            })
            .collect();
        return RuleOutcome::alert(sev, text, evidence);
    }
    if let Some(gap) = coverage_gap(stats, snap, from, now) {
        return RuleOutcome::missing(format!("{total} {what} in {within} so far, but {gap}"));
    }
    if total == 0 {
        RuleOutcome::ok(format!("no {what} in {within}"))
    } else {
        RuleOutcome::ok(format!("{total} {what} in {within} (alert at {at_least})"))
    }
}

fn first_line(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or("").trim();
    if line.chars().count() > 160 {
        let cut: String = line.chars().take(157).collect();
        format!("{cut}...")
    } else {
        line.to_string()
    }
}

/// `no_success`: an iFlow in scope has no COMPLETED message within `within` (each iFlow on its
/// own, so a busy iFlow does not hide a silent one).
pub fn no_success(
    scope: &Scope,
    within: HumanDuration,
    sev: Severity,
    snap: &Snapshot<'_>,
    now: EpochMs,
) -> RuleOutcome {
    let Some(stats) = snap.messages else {
        return RuleOutcome::missing(snap.why_missing("messages", "messages"));
    };
    let (ids, scope_gap) = match flows_in_scope(scope, snap) {
        Ok(ids) => ids,
        Err(why) => return RuleOutcome::missing(why),
    };
    let from = now.saturating_sub(within.as_millis_i64());
    let gap = coverage_gap(stats, snap, from, now);
    let mut silent = Vec::new();
    let mut evidence = Vec::new();
    for id in &ids {
        match stats.last_completed(id) {
            Some(t) if t >= from => {}
            last => {
                let since = match last {
                    Some(t) => format!("last {} ago", fmt_span(now - t)),
                    None => "none seen".to_string(),
                };
                silent.push(format!("{id} ({since})"));
                evidence.push(Evidence::Artifact { id: id.clone() });
            }
        }
    }
    if silent.is_empty() {
        if let Some(g) = scope_gap {
            return RuleOutcome::missing(g);
        }
        return RuleOutcome::ok(format!(
            "{} COMPLETED within {within}",
            if ids.len() == 1 {
                ids[0].clone()
            } else {
                format!("all {} iFlows", ids.len())
            }
        ));
    }
    if let Some(gap) = gap {
        return RuleOutcome::missing(format!(
            "no COMPLETED in {within} seen for {}, but {gap}",
            list_some(&silent, 3)
        ));
    }
    RuleOutcome::alert(
        sev,
        format!("no COMPLETED in {within}: {}", list_some(&silent, 5)),
        evidence,
    )
}

/// `min_messages`: an iFlow in scope has fewer than `at_least` messages (any status) within
/// `within`.
pub fn min_messages(
    scope: &Scope,
    at_least: u32,
    within: HumanDuration,
    sev: Severity,
    snap: &Snapshot<'_>,
    now: EpochMs,
) -> RuleOutcome {
    let Some(stats) = snap.messages else {
        return RuleOutcome::missing(snap.why_missing("messages", "messages"));
    };
    let (ids, scope_gap) = match flows_in_scope(scope, snap) {
        Ok(ids) => ids,
        Err(why) => return RuleOutcome::missing(why),
    };
    let from = now.saturating_sub(within.as_millis_i64());
    let mut low = Vec::new();
    let mut evidence = Vec::new();
    for id in &ids {
        let n = stats.count(id, &[], from, now);
        if n < u64::from(at_least) {
            low.push(format!("{id} {n}"));
            evidence.push(Evidence::Artifact { id: id.clone() });
        }
    }
    if low.is_empty() {
        if let Some(g) = scope_gap {
            return RuleOutcome::missing(g);
        }
        return RuleOutcome::ok(format!(
            "at least {} in {within} for {}",
            plural(u64::from(at_least), "message"),
            if ids.len() == 1 {
                ids[0].clone()
            } else {
                format!("all {} iFlows", ids.len())
            }
        ));
    }
    if let Some(gap) = coverage_gap(stats, snap, from, now) {
        return RuleOutcome::missing(format!(
            "fewer than {at_least} messages in {within} so far for {}, but {gap}",
            list_some(&low, 3)
        ));
    }
    RuleOutcome::alert(
        sev,
        format!(
            "fewer than {} in {within}: {}",
            plural(u64::from(at_least), "message"),
            list_some(&low, 5)
        ),
        evidence,
    )
}
