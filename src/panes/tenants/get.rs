//! `cpitop get tenants` and `cpitop get drift [--landscape NAME]`: the pane's table and drift
//! view without a terminal UI. Every tenant's overview is read once, all tenants at once, each
//! within its own time limit (one tenant that does not answer delays nothing but its own row),
//! through the pane's own structures (same cells, order and filter as the TUI).

use std::time::Duration;

use super::schema::{DriftRecord, LandscapeDriftRecord};
use super::state::{COLUMNS, TenantSetup, Tenants};
use crate::cpi::client::CpiClient;
use crate::cpi::odata::EpochMs;
use crate::kit::cx::Cx;
use crate::kit::format::TimeFmt;
use crate::kit::print::{Output, Printed, TableOpts, finish, shown};
use crate::kit::schema::{fields_of, value};
use crate::kit::table::CellCx;
use crate::kit::tenant::{Intervals, TenantInfo};
use crate::landscape::drift::Cell;
use crate::resources::FetchError;
use crate::resources::overview::{OverviewFetched, OverviewPlan};

/// A tenant to read: its setup and its client (or why it has none: its secret, its config).
pub struct Member {
    pub setup: TenantSetup,
    pub client: Result<CpiClient, String>,
}

/// How long one tenant's overview may take in `get` (then its row says so).
pub const GET_TIMEOUT: Duration = Duration::from_secs(60);

/// What `get tenants` reads of each tenant: a full round (DLQ messages and keystore included).
pub fn full_plan(window_ms: i64) -> OverviewPlan {
    OverviewPlan {
        artifacts: true,
        failed_window_ms: Some(window_ms),
        queues: true,
        dlq_messages: true,
        keystore: true,
    }
}

/// What `get drift` reads of each tenant: its artifact list only.
pub const DRIFT_PLAN: OverviewPlan = OverviewPlan {
    artifacts: true,
    failed_window_ms: None,
    queues: false,
    dlq_messages: false,
    keystore: false,
};

/// One round of `plan` of one tenant, within `timeout`.
pub async fn read_one(client: &CpiClient, plan: &OverviewPlan, timeout: Duration) -> OverviewFetched {
    match tokio::time::timeout(
        timeout,
        crate::resources::overview::fetch(client, plan, client.server_now()),
    )
    .await
    {
        Ok(f) => f,
        Err(_) => timed_out(plan, timeout),
    }
}

/// A round that did not finish within `timeout`: every part asked for failed so.
pub fn timed_out(plan: &OverviewPlan, timeout: Duration) -> OverviewFetched {
    fn e<T>(timeout: Duration) -> Result<T, FetchError> {
        Err(FetchError::from(format!(
            "the tenant did not answer the overview within {}s",
            timeout.as_secs()
        )))
    }
    OverviewFetched {
        at: crate::resources::now_ms(),
        artifacts: plan.artifacts.then(|| e(timeout)),
        failed: plan.failed_window_ms.map(|_| e(timeout)),
        queues: plan.queues.then(|| e(timeout)),
        broker: plan.queues.then(|| e(timeout)),
        keystore: plan.keystore.then(|| e(timeout)),
    }
}

/// Every member read once, at once (`plan`: [`full_plan`] or [`DRIFT_PLAN`]), each within
/// `timeout`; the pane's state with their rows (none of them open).
pub async fn read_all(members: Vec<Member>, plan: OverviewPlan, timeout: Duration, now: EpochMs) -> Tenants {
    let mut pane = Tenants::new(members.iter().map(|m| m.setup.clone()).collect(), "");
    let reads = members.into_iter().map(|m| async move {
        let name = m.setup.tenant.name.clone();
        match m.client {
            Ok(c) => {
                let f = read_one(&c, &plan, timeout).await;
                let rate = c.stats().requests_per_minute as f64;
                (name, Ok((f, rate)))
            }
            Err(e) => (name, Err(e)),
        }
    });
    let results = futures_util::future::join_all(reads).await;
    let info = TenantInfo::default();
    let cx = Cx {
        now,
        time: TimeFmt::default(),
        table_rows: 1_000,
        body_rows: 1_000,
        width: 200,
        intervals: Intervals::default(),
        tenant: &info,
    };
    for (name, r) in results {
        match r {
            Ok((f, rate)) => pane.round(&name, f, rate, &cx),
            Err(e) => pane.not_connected(&name, e, &cx),
        }
    }
    pane
}

/// Tenants whose artifact list could not be read, with why (`get drift` names them).
pub fn unread(pane: &Tenants) -> Vec<String> {
    pane.rows
        .iter()
        .filter(|r| r.artifacts.is_none())
        .map(|r| {
            let why = r
                .reach
                .reason()
                .map(str::to_string)
                .or_else(|| r.partial.first().cloned())
                .unwrap_or_else(|| "not read".into());
            format!("{}: {why}", r.name())
        })
        .collect()
}

/// `get tenants`: the pane's rows, worst first (the open-tenant mark is not printed).
pub fn table(pane: &mut Tenants, opts: &TableOpts, cx: &CellCx) -> Result<Printed, String> {
    let total = pane.rows.len();
    let unreachable = pane.unreachable();
    let mut out = finish(pane, opts, cx)?;
    for r in &mut out.rows {
        if let Some(name) = r.first_mut() {
            *name = name.trim_start_matches(['●', ' ']).to_string();
        }
    }
    let summary = format!(
        "{}, {unreachable} not reachable",
        shown(out.rows.len(), total, "tenants")
    );
    Ok(out.printed(COLUMNS, crate::kit::table::Table::fields(pane), summary))
}

/// The error for a landscape no tenant names.
pub fn no_landscape(pane: &Tenants, name: &str) -> String {
    let names: Vec<String> = pane.landscapes().into_iter().map(|l| l.name).collect();
    format!(
        "no landscape `{name}` in the config (landscapes: {}); set `landscape = \"{name}\"` on its tenants",
        names.join(", ")
    )
}

/// `get drift`: each landscape (or the one named) with its tenants side by side. `table`: a
/// block per landscape with one column per tenant; `json`: the landscapes
/// (`LandscapeDriftRecord`) with their rows; `ndjson` and `csv`: the drift records of every
/// landscape shown, one per artifact (`DriftRecord`, each tenant's side under `tenants`).
pub fn drift(pane: &Tenants, landscape: Option<&str>, output: Output) -> Result<String, String> {
    let all = pane.landscapes();
    let chosen: Vec<_> = match landscape {
        Some(name) => match all.iter().find(|l| l.name == name) {
            Some(l) => vec![l.clone()],
            None => return Err(no_landscape(pane, name)),
        },
        None => all,
    };
    let tables: Vec<_> = chosen
        .iter()
        .map(|l| {
            let mut p = Tenants {
                rows: pane.rows.clone(),
                ..Tenants::default()
            };
            let _ = p.show_landscape(&l.name);
            p.drift.table.unwrap_or_else(|| crate::landscape::compare(l, &[]))
        })
        .collect();
    Ok(match output {
        Output::Json => {
            let doc: Vec<LandscapeDriftRecord> = tables.iter().map(LandscapeDriftRecord::of).collect();
            let mut s = crate::sanitize::to_json_pretty(&doc).map_err(|e| e.to_string())?;
            s.push('\n');
            s
        }
        Output::Ndjson | Output::Csv => {
            // The drift records of every landscape shown, one per artifact.
            let records: Vec<serde_json::Value> = tables
                .iter()
                .flat_map(|t| t.rows.iter().map(move |r| value(&DriftRecord::of(t, r))))
                .collect();
            match output {
                Output::Csv => crate::kit::export::records_to_csv(&fields_of::<DriftRecord>(), &records),
                _ => crate::kit::export::to_ndjson_values(&records),
            }
        }
        Output::Table => {
            let mut out = String::new();
            for (n, t) in tables.iter().enumerate() {
                if n > 0 {
                    out.push('\n');
                }
                out.push_str(&format!(
                    "landscape {}: {} artifact(s), {} with differing versions, {} marked\n",
                    t.landscape,
                    t.rows.len(),
                    t.differing(),
                    t.marked()
                ));
                let mut titles: Vec<String> = vec!["".into(), "ARTIFACT".into()];
                titles.extend(
                    t.tenants
                        .iter()
                        .map(|tn| format!("{} {}", tn.name, tn.environment.label())),
                );
                titles.push("DRIFT".into());
                let rows: Vec<Vec<String>> = t
                    .rows
                    .iter()
                    .map(|r| {
                        let m = if r.marks.missing_in_prod || r.marks.not_started_in_prod {
                            "!"
                        } else if r.marks.versions_differ {
                            "≠"
                        } else {
                            ""
                        };
                        let mut cells = vec![m.to_string(), r.id.clone()];
                        cells.extend(r.cells.iter().map(Cell::text));
                        cells.push(r.marks.label());
                        cells
                    })
                    .collect();
                out.push_str(&crate::kit::print::aligned_titled(&titles, &rows));
            }
            out
        }
    })
}
