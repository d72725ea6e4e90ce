//! What a view hands a plugin (`[[plugins]]`): the selected row(s) as JSON objects (the program's
//! stdin, one object per line) and the variables of the row the plugin acts on (`$MESSAGE_ID`,
//! `$IFLOW`, …; `$TENANT` is the app's). Each pane says what its views offer
//! (`PaneState::subject`); by default a table's selected row as its record (`Table::record`,
//! the fields `cpitop get -o json` writes).

use std::collections::BTreeMap;
use std::fmt;

use super::table::{CellCx, Table};

/// A variable a plugin's arguments may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Var {
    Tenant,
    MessageId,
    CorrelationId,
    Iflow,
    Queue,
    Artifact,
    WebLink,
}

impl Var {
    pub const ALL: [Var; 7] = [
        Var::Tenant,
        Var::MessageId,
        Var::CorrelationId,
        Var::Iflow,
        Var::Queue,
        Var::Artifact,
        Var::WebLink,
    ];

    /// As written after `$` (and the name of the program's environment variable).
    pub fn name(self) -> &'static str {
        match self {
            Var::Tenant => "TENANT",
            Var::MessageId => "MESSAGE_ID",
            Var::CorrelationId => "CORRELATION_ID",
            Var::Iflow => "IFLOW",
            Var::Queue => "QUEUE",
            Var::Artifact => "ARTIFACT",
            Var::WebLink => "WEB_LINK",
        }
    }

    /// The field of the row's JSON object.
    pub fn field(self) -> String {
        self.name().to_ascii_lowercase()
    }

    pub fn parse(name: &str) -> Option<Var> {
        Var::ALL.into_iter().find(|v| v.name() == name)
    }

    /// What it is, for "this view has no …" notices.
    pub fn what(self) -> &'static str {
        match self {
            Var::Tenant => "tenant",
            Var::MessageId => "message id",
            Var::CorrelationId => "correlation id",
            Var::Iflow => "iFlow",
            Var::Queue => "queue",
            Var::Artifact => "artifact",
            Var::WebLink => "web-UI link",
        }
    }
}

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.name())
    }
}

/// The selected row(s) of a view and the variables of the one a plugin acts on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subject {
    /// Known variables (never empty values).
    pub vars: BTreeMap<Var, String>,
    /// One JSON object per selected row (with marks: every marked row).
    pub rows: Vec<serde_json::Value>,
}

impl Subject {
    /// A table's selected row: its record, and its web-UI link.
    pub fn from_table(t: &dyn Table, cx: &CellCx) -> Option<Subject> {
        let row = t.list().selected_row()?;
        let mut s = Subject {
            vars: BTreeMap::new(),
            rows: vec![row_json(t, row, cx)],
        };
        if let Some(link) = t.link(row) {
            s.set(Var::WebLink, &link);
        }
        Some(s)
    }

    /// Set a variable (an empty value is no value); the rows carry it too.
    pub fn set(&mut self, var: Var, value: &str) {
        if value.is_empty() {
            return;
        }
        self.vars.insert(var, value.to_string());
        for r in &mut self.rows {
            if let Some(o) = r.as_object_mut() {
                o.insert(var.field(), value.into());
            }
        }
    }

    /// Builder form of [`Subject::set`].
    pub fn with(mut self, var: Var, value: &str) -> Self {
        self.set(var, value);
        self
    }

    /// The program's stdin: one JSON object per row, one per line.
    pub fn stdin(&self) -> String {
        let mut out = String::new();
        for r in &self.rows {
            out.push_str(&serde_json::to_string(r).unwrap_or_default());
            out.push('\n');
        }
        out
    }
}

/// A row as its resource's record (`kit::schema`).
pub fn row_json(t: &dyn Table, row: usize, cx: &CellCx) -> serde_json::Value {
    t.record(row, cx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_by_name_and_rows_carry_them() {
        for v in Var::ALL {
            assert_eq!(Var::parse(v.name()), Some(v));
        }
        assert_eq!(Var::parse("message_id"), None, "names are upper case");
        let mut s = Subject {
            vars: BTreeMap::new(),
            rows: vec![serde_json::json!({"status": "FAILED"})],
        };
        s.set(Var::MessageId, "AG1");
        s.set(Var::Iflow, "");
        assert_eq!(s.vars.get(&Var::MessageId).map(String::as_str), Some("AG1"));
        assert!(!s.vars.contains_key(&Var::Iflow), "empty is unknown");
        let line = s.stdin();
        assert!(line.ends_with('\n') && line.lines().count() == 1, "{line}");
        let back: serde_json::Value = serde_json::from_str(&line).expect("json");
        assert_eq!(back, serde_json::json!({"status": "FAILED", "message_id": "AG1"}));
    }
}
