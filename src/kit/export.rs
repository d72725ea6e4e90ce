//! Writing a table to CSV or JSON. Only the cells the table shows are written: no credentials,
//! tokens or URLs with keys ever reach an export.

/// RFC 4180 field: quoted when it holds a comma, quote, CR or LF; a leading `=`, `+`, `-`, `@`
/// is prefixed with `'` so a spreadsheet does not run it as a formula. Control and bidi
/// characters are neutralised first (a CSV printed with `cat` reaches a terminal) and a cell is
/// one line, as in the table.
fn csv_field(v: &str) -> String {
    let v = crate::sanitize::one_line(v);
    let v = if v.starts_with(['=', '+', '-', '@']) && v.parse::<f64>().is_err() {
        format!("'{v}")
    } else {
        v.to_string()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

pub fn to_csv(columns: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let line = |cells: &[String]| cells.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(",");
    out.push_str(&line(columns));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&line(r));
        out.push_str("\r\n");
    }
    out
}

/// One object per line keyed by column id (NDJSON); C1 and bidi controls escaped.
pub fn to_ndjson(columns: &[String], rows: &[Vec<String>]) -> String {
    let values: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::Value::Object(
                columns
                    .iter()
                    .zip(r)
                    .map(|(c, v)| (c.clone(), serde_json::Value::String(v.clone())))
                    .collect(),
            )
        })
        .collect();
    to_ndjson_values(&values)
}

/// Each value as one JSON line; C1 and bidi controls escaped (`sanitize::json`).
pub fn to_ndjson_values(values: &[serde_json::Value]) -> String {
    let mut out = String::new();
    for v in values {
        let line = serde_json::to_string(v).unwrap_or_default();
        out.push_str(&crate::sanitize::json(&line));
        out.push('\n');
    }
    out
}

/// An array of objects keyed by column id; C1 and bidi controls escaped (`sanitize::json`).
pub fn to_json(columns: &[String], rows: &[Vec<String>]) -> String {
    let arr: Vec<serde_json::Map<String, serde_json::Value>> = rows
        .iter()
        .map(|r| {
            columns
                .iter()
                .zip(r)
                .map(|(c, v)| (c.clone(), serde_json::Value::String(v.clone())))
                .collect()
        })
        .collect();
    crate::sanitize::to_json_pretty(&arr).unwrap_or_else(|_| "[]".into())
}

/// Which form `e` / `:export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let cols = vec!["a".to_string(), "b".to_string()];
        let rows = vec![
            vec!["x,y".to_string(), "say \"hi\"".to_string()],
            vec!["=SUM(A1)".to_string(), "-5".to_string()],
        ];
        assert_eq!(
            to_csv(&cols, &rows),
            "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n'=SUM(A1),-5\r\n"
        );
        let j: serde_json::Value = serde_json::from_str(&to_json(&cols, &rows)).expect("json");
        assert_eq!(j[0]["a"], "x,y");
    }

    #[test]
    fn csv_and_json_neutralise_control_and_bidi_characters() {
        let cols = vec!["name".to_string()];
        let rows = vec![vec!["A\u{1b}]52;c;eA==\u{7}\u{9b}2J\r\n\u{202e}B".to_string()]];
        assert_eq!(
            to_csv(&cols, &rows),
            "name\r\nA\\u{1b}]52;c;eA==\\u{7}\\u{9b}2J \\u{202e}B\r\n"
        );
        let j = to_json(&cols, &rows);
        assert!(
            j.contains(r#""A\u001b]52;c;eA==\u0007\u009b2J\r\n\u202eB""#),
            "{j}"
        );
        assert!(
            !j.chars().any(|c| crate::sanitize::is_unsafe(c) && c != '\n'),
            "{j:?}"
        );
    }
}
