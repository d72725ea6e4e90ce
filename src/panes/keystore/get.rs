//! `cpitop get keystore` and `cpitop get certificate ALIAS`: the pane's table and certificate
//! document without a terminal UI, built from the pane's own structures (same columns, order,
//! filter and text as the TUI).

use super::doc;
use super::state::{COLUMNS, Keystore, Validity};
use crate::cpi::client::CpiClient;
use crate::kit::format::age;
use crate::kit::list::{Column, Width};
use crate::kit::load::Fetch;
use crate::kit::print::{Output, Printed, TableOpts, finish, shown};
use crate::kit::table::{CellCx, Table};

/// `get certificate -o json|csv`: the list's columns, then the certificate's own fields.
pub const CERTIFICATE_COLUMNS: &[Column] = &[
    COLUMNS[0],
    COLUMNS[1],
    COLUMNS[2],
    COLUMNS[3],
    COLUMNS[4],
    COLUMNS[5],
    COLUMNS[6],
    COLUMNS[7],
    Column::new("subject", "SUBJECT", Width::Fill(20), 'j'),
    Column::new("issuer", "ISSUER", Width::Fill(20), 'i'),
    Column::new("serial_number", "SERIAL", Width::Fill(10), 'n'),
    Column::new("signature_algorithm", "SIGNATURE", Width::Fill(10), 'g'),
    Column::new("fingerprint_sha1", "SHA-1", Width::Fill(20), '1'),
    Column::new("fingerprint_sha256", "SHA-256", Width::Fill(20), '2'),
    Column::new("fingerprint_sha512", "SHA-512", Width::Fill(20), '5'),
];

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
    let (rows, tones) = finish(&mut pane, opts, cx)?;
    Ok(Printed {
        columns: COLUMNS,
        summary: format!(
            "{}, {expired} expired, {expiring} expiring within {}",
            shown(rows.len(), total, "keystore entries"),
            age(expiring_ms)
        ),
        rows,
        tones,
    })
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
    pane.items = vec![entry.clone()];
    let mut row: Vec<String> = (0..COLUMNS.len()).map(|c| pane.cell(0, c, cx)).collect();
    row.extend(
        [
            &entry.subject_dn,
            &entry.issuer_dn,
            &entry.serial_number,
            &entry.signature_algorithm,
            &entry.fingerprint_sha1,
            &entry.fingerprint_sha256,
            &entry.fingerprint_sha512,
        ]
        .map(String::clone),
    );
    let ids: Vec<String> = CERTIFICATE_COLUMNS.iter().map(|c| c.id.to_string()).collect();
    Ok(match format {
        Output::Csv => crate::kit::export::to_csv(&ids, &[row]),
        Output::Json | Output::Table | Output::Ndjson => {
            let obj: serde_json::Map<String, serde_json::Value> = ids
                .into_iter()
                .zip(row)
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect();
            if format == Output::Ndjson {
                // The object on one line, as `get message` and `get artifact` print it.
                crate::kit::export::to_ndjson_values(&[serde_json::Value::Object(obj)])
            } else {
                let mut s = crate::sanitize::to_json_pretty(&obj).map_err(|e| e.to_string())?;
                s.push('\n');
                s
            }
        }
    })
}
