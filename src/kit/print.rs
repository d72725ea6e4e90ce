//! A table as `cpitop get` prints it: the TUI's `/` filter, sort and a row limit applied the way
//! the TUI applies them (`Table::rebuild`), then the rows as shown and their tones. Each pane's
//! `get.rs` fills its own table and hands it here.

use super::list::{Column, parse_sort};
use super::table::{CellCx, Table, Tone};

/// `-o`: how results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Output {
    /// Aligned columns with titles (for people).
    #[default]
    Table,
    /// An array of the resource's records (`message`, `artifact`: the one detail record; the
    /// fields of each resource: README, "Machine output").
    Json,
    /// RFC 4180 CSV of the records' fields, with a header of the field names.
    Csv,
    /// One record per line (`message`, `artifact`: the detail record on one line).
    Ndjson,
}

/// Options every table shares: the TUI's `/` filter, sort and a row limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableOpts {
    /// Case-insensitive text over the shown cells (the TUI's `/`).
    pub grep: Option<String>,
    /// A column id, optionally with `:desc` (`status`, `name:desc`).
    pub sort: Option<String>,
    /// At most this many rows (after ordering).
    pub limit: Option<usize>,
}

/// What a `get` of a table prints: its columns and rows as shown (`-o table`), the same rows as
/// the resource's records (`-o json|ndjson|csv`, see `kit::schema`), and a one-line summary for
/// people.
#[derive(Debug, Clone, PartialEq)]
pub struct Printed {
    pub columns: &'static [Column],
    pub rows: Vec<Vec<String>>,
    /// The TUI's colour of each cell (used on a terminal).
    pub tones: Vec<Vec<Tone>>,
    /// The record's field names in order (the CSV header).
    pub fields: Vec<String>,
    /// One record per row, in the rows' order.
    pub records: Vec<serde_json::Value>,
    pub summary: String,
}

/// A table's rows as shown, the tone of each cell, and each row's record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub rows: Vec<Vec<String>>,
    pub tones: Vec<Vec<Tone>>,
    pub records: Vec<serde_json::Value>,
}

impl Rows {
    /// With the table's columns, record fields and a summary: what `get` prints.
    pub fn printed(self, columns: &'static [Column], fields: Vec<String>, summary: String) -> Printed {
        Printed {
            columns,
            rows: self.rows,
            tones: self.tones,
            fields,
            records: self.records,
            summary,
        }
    }
}

/// Apply the shared options, order and filter as the TUI does, and take the rows, their tones
/// and their records (at most `limit`).
pub fn finish(t: &mut dyn Table, opts: &TableOpts, cx: &CellCx) -> Result<Rows, String> {
    if let Some(g) = &opts.grep {
        t.list_mut().filter = g.clone();
    }
    if let Some(s) = &opts.sort {
        t.list_mut().sort = Some(parse_sort(s, t.columns())?);
    }
    t.rebuild(cx);
    let ncols = t.columns().len();
    let shown: Vec<usize> = t.list().rows().take(opts.limit.unwrap_or(usize::MAX)).collect();
    let t = &*t;
    Ok(Rows {
        rows: shown
            .iter()
            .map(|&r| (0..ncols).map(|c| t.cell(r, c, cx)).collect())
            .collect(),
        tones: shown
            .iter()
            .map(|&r| (0..ncols).map(|c| t.tone(r, c)).collect())
            .collect(),
        records: shown.iter().map(|&r| t.record(r, cx)).collect(),
    })
}

/// Rows under titles, columns padded to their widest cell, two spaces apart (for tables whose
/// columns are not known in advance, such as one per tenant). Cells are made one safe line.
pub fn aligned_titled(titles: &[String], rows: &[Vec<String>]) -> String {
    use unicode_width::UnicodeWidthStr;
    let clean = |c: &str| crate::sanitize::one_line(c).into_owned();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| clean(c)).collect())
        .collect();
    let titles: Vec<String> = titles.iter().map(|t| clean(t)).collect();
    let mut widths: Vec<usize> = titles.iter().map(|t| t.width()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let mut out = String::new();
    for line in std::iter::once(&titles).chain(&rows) {
        let mut l = String::new();
        for (i, (c, w)) in line.iter().zip(&widths).enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            l.push_str(c);
            l.extend(std::iter::repeat_n(' ', w.saturating_sub(c.width())));
        }
        out.push_str(l.trim_end());
        out.push('\n');
    }
    out
}

/// `12 artifacts`, or `3 of 12 artifacts` when some are not shown.
pub fn shown(rows: usize, of: usize, what: &str) -> String {
    if rows == of {
        format!("{rows} {what}")
    } else {
        format!("{rows} of {of} {what}")
    }
}
