//! Writing records (`kit::schema`) as JSON, NDJSON or CSV, and a table's cells as CSV. Only what
//! a resource's record holds is written: no credentials, tokens or URLs with keys ever reach an
//! export.

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

/// Records as a pretty JSON array; C1 and bidi controls escaped (`sanitize::json`).
pub fn to_json(records: &[serde_json::Value]) -> String {
    crate::sanitize::to_json_pretty(&records).unwrap_or_else(|_| "[]".into())
}

/// Records as CSV over `fields` (`kit::schema::csv_cell`), with a header of the field names.
pub fn records_to_csv(fields: &[String], records: &[serde_json::Value]) -> String {
    to_csv(fields, &super::schema::csv_rows(fields, records))
}

/// Which form `e` / `:export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
    Ndjson,
}

impl ExportFormat {
    /// The file extension.
    pub fn ext(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Ndjson => "ndjson",
        }
    }

    /// The records in this form.
    pub fn write(self, fields: &[String], records: &[serde_json::Value]) -> String {
        match self {
            ExportFormat::Csv => records_to_csv(fields, records),
            ExportFormat::Json => {
                let mut s = to_json(records);
                s.push('\n');
                s
            }
            ExportFormat::Ndjson => to_ndjson_values(records),
        }
    }
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
        let records = vec![serde_json::json!({"a": "x,y", "b": 2})];
        let j: serde_json::Value = serde_json::from_str(&to_json(&records)).expect("json");
        assert_eq!(j[0]["a"], "x,y");
        assert_eq!(
            records_to_csv(&cols, &records),
            "a,b\r\n\"x,y\",2\r\n",
            "numbers are numbers"
        );
    }

    #[test]
    fn csv_and_json_neutralise_control_and_bidi_characters() {
        let cols = vec!["name".to_string()];
        let rows = vec![vec!["A\u{1b}]52;c;eA==\u{7}\u{9b}2J\r\n\u{202e}B".to_string()]];
        assert_eq!(
            to_csv(&cols, &rows),
            "name\r\nA\\u{1b}]52;c;eA==\\u{7}\\u{9b}2J \\u{202e}B\r\n"
        );
        let j = to_json(&[serde_json::json!({"name": rows[0][0]})]);
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
