//! Printing a table the way `cpitop get` does: aligned text for people, or the TUI's own CSV and
//! JSON export for scripts. The cells are the TUI's cells (`Table::export_rows`), so a column
//! means the same thing on screen, in an export and here.

use unicode_width::UnicodeWidthStr;

use crate::app::export;
use crate::app::list::Column;

/// `-o`: how results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Output {
    /// Aligned columns with titles (for people).
    #[default]
    Table,
    /// An array of objects keyed by column id (`message`, `artifact`: one object with every part).
    Json,
    /// RFC 4180 CSV with a header of column ids.
    Csv,
}

/// A table's rows as text in `format`.
pub fn render(format: Output, columns: &[Column], rows: &[Vec<String>]) -> String {
    let ids: Vec<String> = columns.iter().map(|c| c.id.to_string()).collect();
    match format {
        Output::Json => {
            let mut s = export::to_json(&ids, rows);
            s.push('\n');
            s
        }
        Output::Csv => export::to_csv(&ids, rows),
        Output::Table => aligned(columns, rows),
    }
}

/// Columns padded to their widest cell (nothing is cut), two spaces apart, numbers right-aligned.
pub fn aligned(columns: &[Column], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = columns.iter().map(|c| c.title.width()).collect();
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut l = String::new();
        for (i, (cell, col)) in cells.zip(columns).enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            let pad = widths[i].saturating_sub(cell.width());
            if col.right {
                l.extend(std::iter::repeat_n(' ', pad));
                l.push_str(cell);
            } else {
                l.push_str(cell);
                l.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&mut columns.iter().map(|c| c.title));
    for r in rows {
        // Cells never hold line breaks in a table (they would break the alignment).
        let clean: Vec<String> = r.iter().map(|c| c.replace(['\n', '\r'], " ")).collect();
        line(&mut clean.iter().map(String::as_str));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::list::Width;

    const COLS: &[Column] = &[
        Column::new("name", "NAME", Width::Fill(10), 'n'),
        Column::new("depth", "DEPTH", Width::Fixed(8), 'd').right(),
        Column::new("state", "STATE", Width::Fixed(8), 's'),
    ];

    fn rows() -> Vec<Vec<String>> {
        vec![
            vec!["ORDERS".into(), "1,200".into(), "active".into()],
            vec!["DLQ_ORDERS".into(), "3".into(), "".into()],
        ]
    }

    #[test]
    fn table_is_aligned_and_numbers_right() {
        let t = aligned(COLS, &rows());
        assert_eq!(
            t,
            "NAME        DEPTH  STATE\nORDERS      1,200  active\nDLQ_ORDERS      3\n"
        );
    }

    #[test]
    fn csv_and_json_use_column_ids() {
        let csv = render(Output::Csv, COLS, &rows());
        assert!(
            csv.starts_with("name,depth,state\r\nORDERS,\"1,200\",active\r\n"),
            "{csv}"
        );
        let json: serde_json::Value = serde_json::from_str(&render(Output::Json, COLS, &rows())).unwrap();
        assert_eq!(json[1]["name"], "DLQ_ORDERS");
        assert_eq!(json[0]["depth"], "1,200");
    }
}
