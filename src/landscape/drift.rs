//! Version drift: every runtime artifact of a landscape side by side, one cell per tenant (its
//! version and status, or missing), and what makes a row worth a look:
//!
//! - **versions differ**: the tenants that have the artifact deployed run different versions;
//! - **missing in PROD**: deployed in a dev/test tenant, not deployed in a prod tenant;
//! - **not started in PROD**: STARTED in a dev/test tenant, deployed but not STARTED in prod.
//!
//! Marked rows come first, then by artifact id. A tenant whose artifact list is not known (down, never loaded) has
//! unknown cells: they are neither missing nor different.

use std::collections::BTreeMap;

use super::{Landscape, TenantRef};
use crate::config::Environment;
use crate::cpi::model::{ArtifactStatus, RuntimeArtifact};
use crate::cpi::odata::EpochMs;

/// One tenant's deployment of an artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftCell {
    pub version: String,
    pub status: ArtifactStatus,
    pub deployed_on: Option<EpochMs>,
}

/// What a tenant says about an artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// The tenant's artifact list is not known.
    Unknown,
    /// Known list, artifact not deployed there.
    Missing,
    Deployed(DriftCell),
}

impl Cell {
    pub fn deployed(&self) -> Option<&DriftCell> {
        match self {
            Cell::Deployed(c) => Some(c),
            Cell::Unknown | Cell::Missing => None,
        }
    }
    /// As a drift cell shows it: `1.2.3`, `1.2.3 ERROR`, `—` (missing), `?` (unknown).
    pub fn text(&self) -> String {
        match self {
            Cell::Unknown => "?".into(),
            Cell::Missing => "—".into(),
            Cell::Deployed(c) if c.status.is_started() => c.version.clone(),
            Cell::Deployed(c) => format!("{} {}", c.version, c.status.as_str()),
        }
    }
}

/// Why a row is shown first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Marks {
    pub versions_differ: bool,
    pub missing_in_prod: bool,
    pub not_started_in_prod: bool,
}

impl Marks {
    pub fn any(self) -> bool {
        self.versions_differ || self.missing_in_prod || self.not_started_in_prod
    }
    /// How much attention the row needs (higher first): prod missing or not started, then
    /// versions differing.
    pub fn weight(self) -> u8 {
        u8::from(self.missing_in_prod) * 4
            + u8::from(self.not_started_in_prod) * 4
            + u8::from(self.versions_differ) * 2
    }
    /// `versions differ, missing in PROD` (empty when unmarked).
    pub fn label(self) -> String {
        let mut out = Vec::new();
        if self.versions_differ {
            out.push("versions differ");
        }
        if self.missing_in_prod {
            out.push("missing in PROD");
        }
        if self.not_started_in_prod {
            out.push("not started in PROD");
        }
        out.join(", ")
    }
}

/// One artifact across the landscape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// One per tenant of the landscape, in its order.
    pub cells: Vec<Cell>,
    pub marks: Marks,
}

impl DriftRow {
    /// The versions deployed, distinct, in tenant order.
    pub fn versions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in self.cells.iter().filter_map(Cell::deployed) {
            if !out.contains(&c.version.as_str()) {
                out.push(&c.version);
            }
        }
        out
    }
    /// The newest deployment among the tenants that have it (when the current set of versions
    /// came to be, at the latest).
    pub fn newest_deployment(&self) -> Option<EpochMs> {
        self.cells
            .iter()
            .filter_map(Cell::deployed)
            .filter_map(|c| c.deployed_on)
            .max()
    }
}

/// A landscape's artifacts side by side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftTable {
    pub landscape: String,
    pub tenants: Vec<TenantRef>,
    /// Whether each tenant's artifact list is known (read at least once).
    pub known: Vec<bool>,
    /// Marked rows first (most attention first), then by artifact id.
    pub rows: Vec<DriftRow>,
}

impl DriftTable {
    pub fn row(&self, id: &str) -> Option<&DriftRow> {
        self.rows.iter().find(|r| r.id == id)
    }
    /// Rows whose versions differ.
    pub fn differing(&self) -> usize {
        self.rows.iter().filter(|r| r.marks.versions_differ).count()
    }
    /// Rows with any mark.
    pub fn marked(&self) -> usize {
        self.rows.iter().filter(|r| r.marks.any()).count()
    }
    /// Whether tenant `i`'s artifact list is known (its cells are not `Unknown`).
    pub fn known(&self, i: usize) -> bool {
        self.known.get(i).copied().unwrap_or(false)
    }
}

/// Compare the artifact lists of a landscape's tenants; `lists[i]` is tenant `i`'s list
/// (`None`: not known).
pub fn compare(landscape: &Landscape, lists: &[Option<&[RuntimeArtifact]>]) -> DriftTable {
    let n = landscape.tenants.len();
    // Id → (name, kind, cells).
    let mut rows: BTreeMap<&str, (&str, &str, Vec<Cell>)> = BTreeMap::new();
    for (i, list) in lists.iter().enumerate().take(n) {
        let Some(list) = list else { continue };
        for a in *list {
            let entry = rows.entry(a.id.as_str()).or_insert_with(|| {
                let cells = (0..n)
                    .map(|j| match lists.get(j) {
                        Some(Some(_)) => Cell::Missing,
                        _ => Cell::Unknown,
                    })
                    .collect();
                (a.name.as_str(), a.kind.as_str(), cells)
            });
            if entry.0.is_empty() {
                entry.0 = &a.name;
            }
            entry.2[i] = Cell::Deployed(DriftCell {
                version: a.version.clone(),
                status: a.status.clone(),
                deployed_on: a.deployed_on,
            });
        }
    }
    let prod: Vec<bool> = landscape
        .tenants
        .iter()
        .map(|t| t.environment == Environment::Prod)
        .collect();
    let mut out: Vec<DriftRow> = rows
        .into_iter()
        .map(|(id, (name, kind, cells))| {
            let marks = marks_of(&cells, &prod);
            DriftRow {
                id: id.to_string(),
                name: name.to_string(),
                kind: kind.to_string(),
                cells,
                marks,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.marks
            .weight()
            .cmp(&a.marks.weight())
            .then_with(|| a.id.to_lowercase().cmp(&b.id.to_lowercase()))
            .then_with(|| a.id.cmp(&b.id))
    });
    DriftTable {
        landscape: landscape.name.clone(),
        tenants: landscape.tenants.clone(),
        known: (0..n).map(|i| matches!(lists.get(i), Some(Some(_)))).collect(),
        rows: out,
    }
}

fn marks_of(cells: &[Cell], prod: &[bool]) -> Marks {
    let mut versions: Vec<&str> = Vec::new();
    for c in cells.iter().filter_map(Cell::deployed) {
        if !versions.contains(&c.version.as_str()) {
            versions.push(&c.version);
        }
    }
    let lower = |f: &dyn Fn(&Cell) -> bool| cells.iter().zip(prod).any(|(c, p)| !*p && f(c));
    let in_prod = |f: &dyn Fn(&Cell) -> bool| cells.iter().zip(prod).any(|(c, p)| *p && f(c));
    let deployed_below = lower(&|c| c.deployed().is_some());
    let started_below = lower(&|c| c.deployed().is_some_and(|d| d.status.is_started()));
    Marks {
        versions_differ: versions.len() > 1,
        missing_in_prod: deployed_below && in_prod(&|c| matches!(c, Cell::Missing)),
        not_started_in_prod: started_below
            && in_prod(&|c| c.deployed().is_some_and(|d| !d.status.is_started())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(id: &str, version: &str, status: &str, on: i64) -> RuntimeArtifact {
        RuntimeArtifact {
            id: id.into(),
            version: version.into(),
            name: id.replace('_', " "),
            kind: "INTEGRATION_FLOW".into(),
            deployed_by: String::new(),
            deployed_on: Some(on),
            status: ArtifactStatus::from(status.to_string()),
        }
    }

    fn landscape() -> Landscape {
        super::super::group(&[
            TenantRef::new("prod", Environment::Prod, "eu"),
            TenantRef::new("dev", Environment::Dev, "eu"),
            TenantRef::new("qa", Environment::Test, "eu"),
        ])
        .remove(0)
    }

    #[test]
    fn rows_that_differ_come_first_and_are_marked() {
        let dev = vec![
            art("Same", "1.0.0", "STARTED", 1),
            art("Newer", "1.1.0", "STARTED", 50),
            art("OnlyBelow", "1.0.0", "STARTED", 2),
            art("Stopped", "2.0.0", "STARTED", 3),
        ];
        let qa = vec![
            art("Same", "1.0.0", "STARTED", 1),
            art("Newer", "1.0.0", "STARTED", 10),
            art("OnlyBelow", "1.0.0", "STARTED", 2),
            art("Stopped", "2.0.0", "STARTED", 3),
        ];
        let prod = vec![
            art("Same", "1.0.0", "STARTED", 1),
            art("Newer", "1.0.0", "STARTED", 10),
            art("Stopped", "2.0.0", "ERROR", 3),
            art("ProdOnly", "0.1.0", "STARTED", 4),
        ];
        let l = landscape();
        assert_eq!(
            l.tenants.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["dev", "qa", "prod"]
        );
        let t = compare(&l, &[Some(&dev), Some(&qa), Some(&prod)]);
        let order: Vec<(&str, String)> = t.rows.iter().map(|r| (r.id.as_str(), r.marks.label())).collect();
        assert_eq!(
            order,
            [
                ("OnlyBelow", "missing in PROD".to_string()),
                ("Stopped", "not started in PROD".to_string()),
                ("Newer", "versions differ".to_string()),
                ("ProdOnly", String::new()),
                ("Same", String::new()),
            ]
        );
        let newer = t.row("Newer").unwrap();
        assert_eq!(newer.versions(), ["1.1.0", "1.0.0"]);
        assert_eq!(newer.newest_deployment(), Some(50));
        assert_eq!(newer.cells[0].text(), "1.1.0");
        assert_eq!(t.row("Stopped").unwrap().cells[2].text(), "2.0.0 ERROR");
        assert_eq!(t.row("OnlyBelow").unwrap().cells[2].text(), "—");
        assert_eq!(t.row("ProdOnly").unwrap().cells[0], Cell::Missing);
        assert_eq!((t.differing(), t.marked()), (1, 3));
    }

    #[test]
    fn an_unknown_tenant_is_neither_missing_nor_different() {
        let dev = vec![art("A", "2.0.0", "STARTED", 1)];
        let qa = vec![art("A", "2.0.0", "STARTED", 1)];
        let t = compare(&landscape(), &[Some(&dev), Some(&qa), None]);
        let a = t.row("A").unwrap();
        assert_eq!(a.cells[2], Cell::Unknown);
        assert_eq!(a.cells[2].text(), "?");
        assert!(!a.marks.any(), "{:?}", a.marks);
        assert!(t.known(0) && !t.known(2));
        // Nothing known at all: no rows, no tenant known.
        let none = compare(&landscape(), &[None, None, None]);
        assert!(none.rows.is_empty());
        assert!(!(0..3).any(|i| none.known(i)));
        // A tenant with no artifacts at all is known (every row missing there).
        let empty: Vec<RuntimeArtifact> = Vec::new();
        let t = compare(&landscape(), &[Some(&dev), Some(&qa), Some(&empty)]);
        assert!(t.known(2));
        assert_eq!(t.row("A").unwrap().cells[2], Cell::Missing);
    }
}
