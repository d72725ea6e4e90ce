//! The Tenants pane's texts beyond its cells: the line under the table about the selected
//! tenant (why it is not up, what failed, its monitors), and the drift view's line about the
//! selected cell. Plain text; `view.rs` draws it.

use super::state::{NO_MESSAGE_WINDOW, Reach, TenantRow, Tenants};
use crate::cpi::odata::EpochMs;
use crate::kit::format::age;
use crate::kit::load::Phase;

/// `acme-prod (PROD, landscape eu): DOWN — cannot reach …; last data 5m ago (stale)`.
pub fn tenant_line(t: &Tenants, r: &TenantRow, now: EpochMs) -> String {
    let mut out = format!(
        "{} ({}, landscape {}{})",
        r.name(),
        r.env().label(),
        r.setup.tenant.landscape,
        if r.name() == t.current { ", open" } else { "" }
    );
    match &r.reach {
        Reach::Unknown => out.push_str(": loading…"),
        Reach::Up => out.push_str(": up"),
        Reach::Unauthorised(e) => out.push_str(&format!(": UNAUTHORISED — {e}")),
        Reach::Down(e) => out.push_str(&format!(": DOWN — {e}")),
        Reach::NotConnected(e) => out.push_str(&format!(": NOT CONNECTED — {e}")),
    }
    if let Some(at) = r.load.loaded_at {
        let stale = if r.phase(now) == Phase::Stale {
            " (stale)"
        } else {
            ""
        };
        out.push_str(&format!("; data {} old{stale}", age(now - at)));
    }
    if matches!(r.reach, Reach::Up) {
        for p in &r.partial {
            out.push_str(&format!("; {p}"));
        }
    }
    if let Some(c) = r.alerts {
        let mut parts = Vec::new();
        for (n, word) in [
            (c.error, "error"),
            (c.warning, "warning"),
            (c.not_calculated, "not calculated"),
            (c.ok, "ok"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {word}"));
            }
        }
        out.push_str(&format!("; monitors: {}", parts.join(", ")));
        if c.not_calculated > 0 && r.name() != t.current {
            out.push_str(&format!(" ({NO_MESSAGE_WINDOW})"));
        }
    }
    out
}

/// `Orders_Inbound in acme-prod: 1.2.4 STARTED, deployed 2024-06-01 — enter opens it there`;
/// for a tenant whose latest round failed, how old its list is.
pub fn drift_line(t: &Tenants, time: &crate::kit::format::TimeFmt, now: EpochMs) -> Option<String> {
    let d = &t.drift;
    let row = d.selected()?;
    let tenant = d.selected_tenant()?;
    let cell = row.cells.get(d.column)?;
    let what = match cell.deployed() {
        Some(c) => format!(
            "{} {}, deployed {} — enter opens it there",
            c.version,
            c.status.as_str(),
            time.datetime(c.deployed_on)
        ),
        None if cell.text() == "?" => "not known (the tenant's artifacts were not read)".to_string(),
        None => "not deployed".to_string(),
    };
    let marks = row.marks.label();
    let marks = if marks.is_empty() {
        String::new()
    } else {
        format!(" [{marks}]")
    };
    let stale = match t.row(&tenant.name) {
        Some(r) if r.stale() => match (r.load.loaded_at, r.reach.reason()) {
            (Some(at), Some(why)) => format!(" (its list is {} old: {why})", age(now - at)),
            (Some(at), None) => format!(" (its list is {} old)", age(now - at)),
            (None, _) => String::new(),
        },
        _ => String::new(),
    };
    Some(format!("{} in {}: {what}{marks}{stale}", row.id, tenant.name))
}
