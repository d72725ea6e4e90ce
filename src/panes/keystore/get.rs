//! `cpitop get keystore` and `cpitop get certificate ALIAS`: the pane's table and certificate
//! document without a terminal UI, built from the pane's own structures (same columns, order,
//! filter and text as the TUI).

use super::doc;
use super::schema::CertificateRecord;
use super::state::{COLUMNS, Keystore, Validity};
use crate::cpi::client::CpiClient;
use crate::kit::format::age;
use crate::kit::load::Fetch;
use crate::kit::print::{Output, Printed, TableOpts, finish, shown};
use crate::kit::table::{CellCx, Table};

/// `get keystore`: every entry, expired and expiring first; `due_only`: only those (the TUI's
/// `f`). `expiring_ms`: how long before its end an entry counts as expiring.
pub async fn table(
    client: &CpiClient,
    due_only: bool,
    expiring_ms: i64,
    opts: &TableOpts,
    cx: &CellCx,
) -> Result<Printed, String> {
    let items = crate::resources::keystore::entries(client)
        .await
        .map_err(|e| format!("cannot list the keystore entries: {e}"))?;
    let total = items.len();
    let mut pane = Keystore {
        items,
        due_only,
        expiring_ms,
        ..Keystore::default()
    };
    let count = |v: Validity| {
        pane.items
            .iter()
            .filter(|e| Validity::of(e, cx.now, expiring_ms) == v)
            .count()
    };
    let (expired, expiring) = (count(Validity::Expired), count(Validity::Expiring));
    let rows = finish(&mut pane, opts, cx)?;
    let summary = format!(
        "{}, {expired} expired, {expiring} expiring within {}",
        shown(rows.rows.len(), total, "keystore entries"),
        age(expiring_ms)
    );
    Ok(rows.printed(COLUMNS, pane.fields(), summary))
}

/// `get certificate ALIAS`: the certificate view's document (`-o table`), or the list's columns
/// and the certificate's own fields as one JSON object or one CSV row.
pub async fn certificate(
    client: &CpiClient,
    alias: &str,
    format: Output,
    expiring_ms: i64,
    cx: &CellCx,
    width: u16,
) -> Result<String, String> {
    let entry = crate::resources::keystore::one(client, alias)
        .await
        .map_err(|e| format!("cannot read keystore entry {alias}: {e}"))?
        .ok_or_else(|| {
            format!("the tenant's keystore has no entry {alias:?} (list them with `cpitop get keystore`)")
        })?;
    let mut pane = Keystore {
        expiring_ms,
        ..Keystore::default()
    };
    pane.fetched
        .insert(alias.to_string(), Fetch::Done(Some(entry.clone())));
    if format == Output::Table {
        return Ok(crate::kit::doc::plain_text(&doc::certificate(
            &pane,
            alias,
            expiring_ms,
            cx,
            width as usize,
        )));
    }
    let record = crate::kit::schema::value(&CertificateRecord::of(
        &entry,
        Validity::of(&entry, cx.now, expiring_ms).word(),
        cx.now,
    ));
    Ok(match format {
        Output::Csv => {
            let fields = crate::kit::schema::fields_of::<CertificateRecord>();
            let rows = crate::kit::schema::csv_rows(&fields, std::slice::from_ref(&record));
            crate::kit::export::to_csv(&fields, &rows)
        }
        Output::Ndjson => crate::kit::export::to_ndjson_values(std::slice::from_ref(&record)),
        Output::Json | Output::Table => {
            let mut s = crate::sanitize::to_json_pretty(&record).map_err(|e| e.to_string())?;
            s.push('\n');
            s
        }
    })
}
