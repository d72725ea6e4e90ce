//! `version_drift`: an artifact this tenant runs has another version in a tenant of the same
//! landscape, for longer than a grace period. Reads the landscape side by side
//! (`Snapshot::drift`, built from every tenant's artifact list) and since when each artifact's
//! versions differ (`Snapshot::drift_since`).

use super::flows::in_scope;
use super::{RuleOutcome, fmt_span, list_some, plural};
use crate::cpi::odata::EpochMs;
use crate::landscape::drift::Cell;
use crate::monitor::duration::HumanDuration;
use crate::monitor::model::Evidence;
use crate::monitor::snapshot::Snapshot;
use crate::monitor::spec::{Scope, Severity};

/// `version_drift` with grace `grace` (see the module docs). A peer whose list is not known is
/// named and left out; with no peer known at all the rule is not calculated.
pub fn version_drift(
    scope: &Scope,
    grace: HumanDuration,
    sev: Severity,
    snap: &Snapshot<'_>,
    now: EpochMs,
) -> RuleOutcome {
    let Some(table) = snap.drift else {
        return RuleOutcome::missing(
            "the other tenants of the landscape were not read (`cpitop check --all-tenants`, \
             `cpitop check` and the TUI's Tenants overview read them)",
        );
    };
    let Some(me) = table.tenants.iter().position(|t| t.name == snap.tenant) else {
        return RuleOutcome::missing(format!(
            "tenant {} is not in landscape {}",
            snap.tenant, table.landscape
        ));
    };
    if table.tenants.len() < 2 {
        return RuleOutcome::ok(format!(
            "landscape {} has no other tenant to compare with",
            table.landscape
        ));
    }
    if !table.known(me) {
        return RuleOutcome::missing(snap.why_missing("artifacts", "runtime artifacts"));
    }
    let peers: Vec<usize> = (0..table.tenants.len()).filter(|&i| i != me).collect();
    let unknown: Vec<&str> = peers
        .iter()
        .filter(|&&i| !table.known(i))
        .map(|&i| table.tenants[i].name.as_str())
        .collect();
    if unknown.len() == peers.len() {
        return RuleOutcome::missing(format!(
            "the artifacts of {} (landscape {}) could not be read",
            unknown.join(", "),
            table.landscape
        ));
    }
    let mut fired = Vec::new();
    let mut evidence = Vec::new();
    let mut pending = Vec::new();
    for row in &table.rows {
        if !row.marks.versions_differ || in_scope(scope, snap, &row.id) != Some(true) {
            continue;
        }
        let Some(mine) = row.cells.get(me).and_then(Cell::deployed) else {
            continue;
        };
        let others: Vec<String> = peers
            .iter()
            .filter_map(|&i| {
                let c = row.cells.get(i)?.deployed()?;
                (c.version != mine.version).then(|| format!("{} in {}", c.version, table.tenants[i].name))
            })
            .collect();
        if others.is_empty() {
            continue;
        }
        let since = snap
            .drift_since
            .and_then(|t| t.since(&row.id))
            .or_else(|| row.newest_deployment())
            .unwrap_or(now);
        let elapsed = now.saturating_sub(since);
        let text = format!(
            "{} {} here, {} (differs for {})",
            row.id,
            mine.version,
            others.join(", "),
            fmt_span(elapsed)
        );
        if elapsed >= grace.as_millis_i64() {
            fired.push(text);
            evidence.push(Evidence::Artifact { id: row.id.clone() });
        } else {
            pending.push(text);
        }
    }
    let partial = match unknown.is_empty() {
        true => String::new(),
        false => format!(" ({} not read)", unknown.join(", ")),
    };
    if !fired.is_empty() {
        let text = match fired.len() {
            1 => format!("{}{partial}", fired[0]),
            n => format!(
                "{} drift in landscape {}: {}{partial}",
                plural(n as u64, "artifact"),
                table.landscape,
                list_some(&fired, 5)
            ),
        };
        return RuleOutcome::alert(sev, text, evidence);
    }
    let peers_named: Vec<&str> = peers
        .iter()
        .filter(|&&i| table.known(i))
        .map(|&i| table.tenants[i].name.as_str())
        .collect();
    if pending.is_empty() {
        return RuleOutcome::ok(format!(
            "same versions as {} (landscape {}){partial}",
            peers_named.join(", "),
            table.landscape
        ));
    }
    RuleOutcome::ok(format!(
        "{} within the grace period (alert after {grace}): {}{partial}",
        plural(pending.len() as u64, "drift"),
        list_some(&pending, 3)
    ))
}
