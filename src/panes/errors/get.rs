//! `cpitop get errors`: the pane's table without a terminal UI — the failed messages of a window
//! grouped by error signature, with counts and the members' ids — built from the pane's own
//! structures (same columns, order, filter and text as the TUI). Error texts are fetched newest
//! first within the budget of one run; the rest is grouped provisionally and the summary says so.

use std::sync::Arc;

use super::state::{COLUMNS, Errors, Settings, TREND_BUCKETS, failed_rows};
use crate::cpi::client::CpiClient;
use crate::cpi::odata::EpochMs;
use crate::kit::list::{Column, Width};
use crate::kit::print::{Printed, TableOpts, finish, shown};
use crate::kit::table::{CellCx, Table, Tone};
use crate::resources::errors::{failed_window, texts};
use crate::signature::{Budget, Group, GroupOptions, SeenSignatures, Text, Texts, group_window};

/// The pane's columns and the members' ids.
pub const GET_COLUMNS: &[Column] = &[
    COLUMNS[0],
    COLUMNS[1],
    COLUMNS[2],
    COLUMNS[3],
    COLUMNS[4],
    COLUMNS[5],
    COLUMNS[6],
    COLUMNS[7],
    Column::new("members", "MEMBERS", Width::Fill(28), 'b'),
];

/// Member ids a table cell shows before `(+N more)`; CSV and JSON carry every id.
const TABLE_MEMBERS: usize = 3;

/// What `get errors` asks.
#[derive(Debug, Clone)]
pub struct ErrorsQuery {
    pub from: EpochMs,
    /// `None`: up to now.
    pub to: Option<EpochMs>,
    pub iflow: Option<String>,
    pub per_iflow: bool,
    /// Error texts fetched in this run at most.
    pub budget: u32,
    pub settings: Settings,
    /// `last 4h`, … for the summary.
    pub describe: String,
}

/// `AG…, AG…, AG… (+12 more)` for a table (JSON, NDJSON and CSV carry every id).
fn members_cell(g: &Group, pane: &Errors) -> String {
    let ids: Vec<&str> = g
        .members
        .iter()
        .filter_map(|&i| pane.grouped.rows.get(i).map(|r| r.guid.as_str()))
        .collect();
    if ids.len() <= TABLE_MEMBERS {
        return ids.join(", ");
    }
    format!(
        "{} (+{} more)",
        ids[..TABLE_MEMBERS].join(", "),
        ids.len() - TABLE_MEMBERS
    )
}

/// `get errors`: the window's failed messages, their texts within the budget, grouped.
pub async fn table(
    client: &CpiClient,
    q: &ErrorsQuery,
    seen: SeenSignatures,
    opts: &TableOpts,
    cx: &CellCx,
) -> Result<Printed, String> {
    let now = client.server_now();
    let store = failed_window(
        client,
        q.from,
        q.to,
        q.iflow.as_deref(),
        &q.settings.custom_statuses,
    )
    .await
    .map_err(|e| format!("cannot list the failed messages ({}): {e}", q.describe))?;
    let rows = failed_rows(&store, &q.settings.custom_statuses, q.from);
    drop(store);
    let group_opts = GroupOptions {
        per_iflow: q.per_iflow,
        from_ms: q.from,
        to_ms: q.to.unwrap_or(now),
        buckets: TREND_BUCKETS,
    };
    // Which texts to read: newest first, none of a DISCARDED message, within the budget.
    let mut wanted: Vec<(i64, String)> = rows
        .iter()
        .filter(|r| !r.discarded)
        .map(|r| (r.at_ms, r.guid.clone()))
        .collect();
    wanted.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut budget = Budget::new(q.budget);
    let n = budget.take(wanted.len(), now);
    let guids: Vec<String> = wanted.into_iter().take(n).map(|(_, g)| g).collect();
    let mut read = Texts::new();
    let mut failed = Vec::new();
    for (guid, r) in texts(client, &guids).await {
        match r {
            Ok(t) => {
                read.insert(guid, Text::of(t.as_deref()));
            }
            Err(e) => failed.push(format!("{guid}: {e}")),
        }
    }
    let total = rows.len();
    let grouped = group_window(rows, &read, &q.settings.signer, &seen, &group_opts);
    let unread = grouped.unread.len();
    let mut pane = Errors::new(q.settings.clone(), q.per_iflow, seen);
    pane.grouped = Arc::new(grouped);
    pane.grouped_once = true;
    let mut rows = finish(&mut pane, opts, cx)?;
    let order: Vec<usize> = pane.list.rows().take(rows.rows.len()).collect();
    for ((row, tones), &g) in rows.rows.iter_mut().zip(rows.tones.iter_mut()).zip(&order) {
        if let Some(group) = pane.grouped.groups.get(g) {
            row.push(members_cell(group, &pane));
            tones.push(Tone::Normal);
        }
    }
    let (sigs, new) = pane.counts();
    let mut summary = format!(
        "{} of {} failed messages ({}), {sigs} signature(s), {new} new",
        shown(rows.rows.len(), pane.grouped.groups.len(), "groups"),
        total,
        q.describe
    );
    if unread > 0 {
        summary.push_str(&format!(
            "; {unread} error text(s) not read (budget {} per run: --budget raises it), grouped by iFlow and status",
            q.budget
        ));
    }
    if !failed.is_empty() {
        summary.push_str(&format!(
            "; {} text(s) could not be read ({})",
            failed.len(),
            failed.first().cloned().unwrap_or_default()
        ));
    }
    Ok(rows.printed(GET_COLUMNS, pane.fields(), summary))
}
