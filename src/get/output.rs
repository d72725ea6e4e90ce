//! Printing a table the way `cpitop get` does: aligned text for people (the TUI's cells,
//! `Table::cell`, so a column means the same on screen and here), or the rows' records
//! (`kit::schema`: typed data, the same fields in JSON, NDJSON and CSV) for scripts.

use unicode_width::UnicodeWidthStr;

use crate::kit::export;
use crate::kit::list::Column;
use crate::kit::print::Printed;
use crate::kit::table::Tone;

pub use crate::kit::print::Output;

/// A table in `format`: its records for JSON, NDJSON and CSV; its cells, aligned and coloured by
/// `tones` (ANSI, only when given), for a table.
pub fn render(format: Output, p: &Printed, tones: Option<&[Vec<Tone>]>) -> String {
    match format {
        Output::Json => {
            let mut s = export::to_json(&p.records);
            s.push('\n');
            s
        }
        Output::Csv => export::records_to_csv(&p.fields, &p.records),
        Output::Ndjson => export::to_ndjson_values(&p.records),
        Output::Table => aligned(p.columns, &p.rows, tones),
    }
}

/// The SGR code of a tone, as the TUI's 16-colour theme shows it (`None`: plain).
fn sgr(tone: Tone) -> Option<&'static str> {
    match tone {
        Tone::Normal => None,
        Tone::Good => Some("32"),
        Tone::Bad => Some("31"),
        Tone::Warn => Some("33"),
        Tone::Busy => Some("34"),
        Tone::Muted => Some("90"),
    }
}

/// Columns padded to their widest cell (nothing is cut), two spaces apart, numbers right-aligned,
/// cells coloured by `tones` when given.
pub fn aligned(columns: &[Column], rows: &[Vec<String>], tones: Option<&[Vec<Tone>]>) -> String {
    // Cells are one line (a break would spoil the alignment) and hold no control or bidi
    // character: tenant text must not drive the terminal. Neutralised before measuring and
    // colouring, so cpitop's own SGR codes are the only escapes and the widths are right.
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| crate::sanitize::one_line(c).into_owned())
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = columns.iter().map(|c| c.title.width()).collect();
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>, tones: Option<&Vec<Tone>>| {
        let mut l = String::new();
        for (i, (cell, col)) in cells.zip(columns).enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            let pad = widths[i].saturating_sub(cell.width());
            let code = tones.and_then(|t| t.get(i)).and_then(|t| sgr(*t));
            let text = match code {
                Some(c) if !cell.is_empty() => format!("\x1b[{c}m{cell}\x1b[0m"),
                _ => cell.to_string(),
            };
            if col.right {
                l.extend(std::iter::repeat_n(' ', pad));
                l.push_str(&text);
            } else {
                l.push_str(&text);
                l.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&mut columns.iter().map(|c| c.title), None);
    for (n, r) in rows.iter().enumerate() {
        line(&mut r.iter().map(String::as_str), tones.and_then(|t| t.get(n)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::list::Width;

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
        let t = aligned(COLS, &rows(), None);
        assert_eq!(
            t,
            "NAME        DEPTH  STATE\nORDERS      1,200  active\nDLQ_ORDERS      3\n"
        );
    }

    #[test]
    fn tones_colour_cells_without_moving_columns() {
        let tones = vec![
            vec![Tone::Normal, Tone::Normal, Tone::Good],
            vec![Tone::Bad, Tone::Bad, Tone::Muted],
        ];
        let t = aligned(COLS, &rows(), Some(&tones));
        assert_eq!(
            t,
            "NAME        DEPTH  STATE\nORDERS      1,200  \x1b[32mactive\x1b[0m\n\x1b[31mDLQ_ORDERS\x1b[0m      \x1b[31m3\x1b[0m\n"
        );
        let plain = aligned(COLS, &rows(), None);
        assert!(!plain.contains('\x1b'));
    }

    #[test]
    fn tenant_controls_are_neutralised_and_only_cpitops_colours_remain() {
        let rows = vec![vec![
            "Q\u{1b}]52;c;eA==\u{7}\u{1b}[2J\u{8}\n\u{9b}\u{202e}".to_string(),
            "1".to_string(),
            "".to_string(),
        ]];
        let tones = vec![vec![Tone::Bad, Tone::Normal, Tone::Normal]];
        let shown = "Q\\u{1b}]52;c;eA==\\u{7}\\u{1b}[2J\\u{8} \\u{9b}\\u{202e}";
        assert_eq!(
            aligned(COLS, &rows, Some(&tones)),
            format!(
                "{:<w$}  DEPTH  STATE\n\x1b[31m{shown}\x1b[0m      1\n",
                "NAME",
                w = shown.len()
            )
        );
    }

    fn printed() -> Printed {
        let records = vec![
            serde_json::json!({"name": "ORDERS", "depth": 1200, "state": "active"}),
            serde_json::json!({"name": "DLQ_ORDERS", "depth": 3, "state": null}),
        ];
        Printed {
            columns: COLS,
            rows: rows(),
            tones: Vec::new(),
            fields: vec!["name".into(), "depth".into(), "state".into()],
            records,
            summary: String::new(),
        }
    }

    #[test]
    fn ndjson_is_one_record_per_line() {
        let out = render(Output::Ndjson, &printed(), None);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        let second: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(second["name"], "DLQ_ORDERS");
        assert_eq!(second["depth"], 3, "a number, not display text");
        let mut p = printed();
        p.records = vec![serde_json::json!({"name": "Q\u{9b}2J\u{202e}"})];
        let escaped = render(Output::Ndjson, &p, None);
        assert!(escaped.contains(r"Q\u009b2J\u202e"), "{escaped}");
    }

    #[test]
    fn csv_and_json_write_the_records_not_the_cells() {
        let csv = render(Output::Csv, &printed(), None);
        assert_eq!(csv, "name,depth,state\r\nORDERS,1200,active\r\nDLQ_ORDERS,3,\r\n");
        let json: serde_json::Value = serde_json::from_str(&render(Output::Json, &printed(), None)).unwrap();
        assert_eq!(json[1]["name"], "DLQ_ORDERS");
        assert_eq!(json[0]["depth"], 1200);
        assert!(json[1]["state"].is_null());
        let table = render(Output::Table, &printed(), None);
        assert!(
            table.contains("1,200"),
            "the table keeps display formatting: {table}"
        );
    }
}
