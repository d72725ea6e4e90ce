//! Printing a table the way `cpitop get` does: aligned text for people, or the TUI's own CSV and
//! JSON export for scripts. The cells are the TUI's cells (`Table::export_rows`), so a column
//! means the same thing on screen, in an export and here.

use unicode_width::UnicodeWidthStr;

use crate::kit::export;
use crate::kit::list::Column;
use crate::kit::table::Tone;

pub use crate::kit::print::Output;

/// A table's rows as text in `format`; `tones` colour the table cells (ANSI, only when given).
pub fn render(
    format: Output,
    columns: &[Column],
    rows: &[Vec<String>],
    tones: Option<&[Vec<Tone>]>,
) -> String {
    let ids: Vec<String> = columns.iter().map(|c| c.id.to_string()).collect();
    match format {
        Output::Json => {
            let mut s = export::to_json(&ids, rows);
            s.push('\n');
            s
        }
        Output::Csv => export::to_csv(&ids, rows),
        Output::Ndjson => export::to_ndjson(&ids, rows),
        Output::Table => aligned(columns, rows, tones),
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
        let plain = render(Output::Table, COLS, &rows(), None);
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

    #[test]
    fn ndjson_is_one_object_per_line() {
        let out = render(Output::Ndjson, COLS, &rows(), None);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        let second: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(second["name"], "DLQ_ORDERS");
        let escaped = render(
            Output::Ndjson,
            COLS,
            &[vec!["Q\u{9b}2J\u{202e}".into(), "1".into(), "".into()]],
            None,
        );
        assert!(escaped.contains(r"Q\u009b2J\u202e"), "{escaped}");
    }

    #[test]
    fn csv_and_json_use_column_ids() {
        let csv = render(Output::Csv, COLS, &rows(), None);
        assert!(
            csv.starts_with("name,depth,state\r\nORDERS,\"1,200\",active\r\n"),
            "{csv}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(Output::Json, COLS, &rows(), None)).unwrap();
        assert_eq!(json[1]["name"], "DLQ_ORDERS");
        assert_eq!(json[0]["depth"], "1,200");
    }
}
