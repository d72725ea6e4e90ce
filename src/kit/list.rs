//! The state behind every table: which rows pass the `/` filter, in which order, which row is
//! selected (by key, so it survives refreshes), and where the viewport starts. Panes contribute a
//! column spec and a cell function; this module does the rest.

use std::cmp::Ordering;

/// How a column takes its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// Exactly this many cells.
    Fixed(u16),
    /// At least this many, sharing the rest with other `Fill` columns.
    Fill(u16),
}

/// One column of a table: its title, width, the letter that sorts by it (`s` + letter),
/// whether numbers are right-aligned, and how much the operator needs it when not every column
/// fits. Shared by the view, the filter and the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub id: &'static str,
    pub title: &'static str,
    pub width: Width,
    pub sort_key: char,
    pub right: bool,
    /// Lower is needed sooner: a narrow terminal shows the columns of the lowest priorities that
    /// fit (in table order). `None`: the column's place in the table.
    pub priority: Option<u8>,
    /// A `Fill` column's share of the spare width, against the other `Fill` columns' (`None`:
    /// its minimum width).
    pub share: Option<u16>,
}

impl Column {
    pub const fn new(id: &'static str, title: &'static str, width: Width, sort_key: char) -> Self {
        Self {
            id,
            title,
            width,
            sort_key,
            right: false,
            priority: None,
            share: None,
        }
    }
    pub const fn right(mut self) -> Self {
        self.right = true;
        self
    }
    /// How soon the column is needed (see [`Column::priority`]).
    pub const fn priority(mut self, p: u8) -> Self {
        self.priority = Some(p);
        self
    }
    /// A `Fill` column's share of the spare width (see [`Column::share`]).
    pub const fn share(mut self, weight: u16) -> Self {
        self.share = Some(weight);
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDir {
    #[default]
    Asc,
    Desc,
}

impl SortDir {
    pub fn flip(self) -> Self {
        match self {
            Self::Asc => Self::Desc,
            Self::Desc => Self::Asc,
        }
    }
    pub fn arrow(self) -> &'static str {
        match self {
            Self::Asc => "▲",
            Self::Desc => "▼",
        }
    }
}

/// Sort order chosen by the user; `None` is the pane's natural order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: usize,
    pub dir: SortDir,
}

/// Selection, viewport, `/` filter and sort of one table.
#[derive(Debug, Clone, Default)]
pub struct ListState {
    /// Indexes into the pane's rows, filtered and ordered (`u32`: the Messages pane holds up to
    /// millions of rows, and this list is a copy of its view — 4 bytes a message, not 8).
    pub view: Vec<u32>,
    /// Position of the selection within `view`.
    pub selected: usize,
    /// First visible position within `view`.
    pub offset: usize,
    /// Key (id) of the selected row: after a refresh the selection follows this key.
    pub selected_key: Option<String>,
    /// The `/` filter text (kept after Enter, cleared by Esc).
    pub filter: String,
    pub sort: Option<Sort>,
    /// `ctrl-w`: every column, in their order, as far as the width goes (wide), instead of the
    /// columns that matter first (narrow, the default).
    pub wide: bool,
}

impl ListState {
    pub fn len(&self) -> usize {
        self.view.len()
    }
    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }
    /// Row index (into the pane's rows) of the selection.
    pub fn selected_row(&self) -> Option<usize> {
        self.row_at(self.selected)
    }

    /// Row index (into the pane's rows) shown at position `pos`.
    pub fn row_at(&self, pos: usize) -> Option<usize> {
        self.view.get(pos).map(|&r| r as usize)
    }

    /// Row indexes shown, in display order.
    pub fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.view.iter().map(|&r| r as usize)
    }

    /// Keep only the rows shown for which `keep(row)` holds.
    pub fn retain_rows(&mut self, mut keep: impl FnMut(usize) -> bool) {
        self.view.retain(|&r| keep(r as usize));
    }

    /// Show `rows` (row indexes, in display order).
    pub fn set_rows(&mut self, rows: impl IntoIterator<Item = usize>) {
        self.view.clear();
        self.view.extend(rows.into_iter().map(|r| r as u32));
    }

    /// Recompute the view from `n` rows: keep those whose visible cells pass the `/` filter
    /// (`grammar::filter`: words, `!negation`, `~regex`; case-insensitive), order by the user's sort or the pane's natural order, then put the
    /// selection back on the row with the same key.
    pub fn rebuild<C, K, N>(&mut self, n: usize, ncols: usize, cell: C, key: K, natural: N)
    where
        C: Fn(usize, usize) -> String,
        K: Fn(usize) -> String,
        N: Fn(usize, usize) -> Ordering,
    {
        let filter = crate::grammar::filter::Filter::parse(&self.filter);
        let mut view: Vec<usize> = match filter.single_text() {
            _ if filter.is_empty() => (0..n).collect(),
            // One word: one substring test per cell, no row copied.
            Some(needle) => (0..n)
                .filter(|&r| (0..ncols).any(|c| contains_ci(&cell(r, c), needle)))
                .collect(),
            None => (0..n)
                .filter(|&r| {
                    let cells: Vec<String> = (0..ncols).map(|c| cell(r, c)).collect();
                    filter.matches_cells(&cells)
                })
                .collect(),
        };
        match self.sort {
            Some(Sort { column, dir }) => {
                let mut keyed: Vec<(SortValue, usize)> = view
                    .iter()
                    .map(|&r| (SortValue::of(&cell(r, column)), r))
                    .collect();
                keyed.sort_by(|a, b| {
                    let o = a.0.cmp(&b.0).then_with(|| natural(a.1, b.1));
                    if dir == SortDir::Desc { o.reverse() } else { o }
                });
                view = keyed.into_iter().map(|(_, r)| r).collect();
            }
            None => view.sort_by(|&a, &b| natural(a, b)),
        }
        self.set_rows(view);
        self.reselect(key);
    }

    /// Put the selection back on `selected_key` if it is still in the view, else clamp.
    pub fn reselect<K: Fn(usize) -> String>(&mut self, key: K) {
        if let Some(k) = &self.selected_key {
            let pos = self.rows().position(|r| key(r) == *k);
            if let Some(pos) = pos {
                self.selected = pos;
                return;
            }
        }
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
        self.selected_key = self.selected_row().map(key);
    }

    /// Move the selection by `delta` rows (clamped) and remember its key.
    pub fn move_by<K: Fn(usize) -> String>(&mut self, delta: isize, key: K) {
        if self.view.is_empty() {
            self.selected = 0;
            return;
        }
        let max = self.view.len() - 1;
        let next = (self.selected as isize + delta).clamp(0, max as isize) as usize;
        self.selected = next;
        self.selected_key = self.selected_row().map(key);
    }

    /// Select position `pos` (clamped; `usize::MAX` selects the last row).
    pub fn select<K: Fn(usize) -> String>(&mut self, pos: usize, key: K) {
        self.selected = pos.min(self.view.len().saturating_sub(1));
        self.selected_key = self.selected_row().map(key);
    }

    /// Keep the selection inside a viewport of `rows` lines.
    pub fn scroll_into_view(&mut self, rows: usize) {
        let rows = rows.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        let max_offset = self.view.len().saturating_sub(rows);
        self.offset = self.offset.min(max_offset);
    }

    /// Sort by `column`: the first press sorts ascending, the next flips the direction.
    pub fn sort_by(&mut self, column: usize) {
        self.sort = Some(match self.sort {
            Some(s) if s.column == column => Sort {
                column,
                dir: s.dir.flip(),
            },
            _ => Sort {
                column,
                dir: SortDir::Asc,
            },
        });
    }

    /// Move the sort one column left (`-1`) or right (`+1`), keeping the direction.
    pub fn shift_sort(&mut self, step: isize, ncols: usize) {
        if ncols == 0 {
            return;
        }
        let (column, dir) = match self.sort {
            Some(s) => (
                (s.column as isize + step).rem_euclid(ncols as isize) as usize,
                s.dir,
            ),
            None => (if step < 0 { ncols - 1 } else { 0 }, SortDir::Asc),
        };
        self.sort = Some(Sort { column, dir });
    }
}

/// The one sort-spec grammar: `COLUMN[:asc|:desc]`, the column named by its id or its title
/// (case-insensitive). `cpitop get --sort` and the TUI's `:sort COLUMN [asc|desc]` read it.
pub fn parse_sort(spec: &str, columns: &[Column]) -> Result<Sort, String> {
    let (id, dir) = match spec.rsplit_once(':') {
        Some((id, d)) if d.trim().eq_ignore_ascii_case("desc") => (id, SortDir::Desc),
        Some((id, d)) if d.trim().eq_ignore_ascii_case("asc") => (id, SortDir::Asc),
        _ => (spec, SortDir::Asc),
    };
    let id = id.trim();
    match columns
        .iter()
        .position(|c| c.id.eq_ignore_ascii_case(id) || c.title.eq_ignore_ascii_case(id))
    {
        Some(column) => Ok(Sort { column, dir }),
        None => {
            let ids: Vec<&str> = columns.iter().map(|c| c.id).collect();
            Err(format!(
                "cannot sort by {spec:?}: the columns are {} (add :desc to reverse)",
                ids.join(", ")
            ))
        }
    }
}

/// A value that sorts numbers as numbers (`9` before `10`, `1.2 KiB` by magnitude is not attempted)
/// and everything else case-insensitively; empty cells sort last.
#[derive(Debug, PartialEq, PartialOrd)]
enum SortValue {
    Num(f64),
    Text(String),
    Empty,
}

impl SortValue {
    fn of(text: &str) -> Self {
        let t = text.trim();
        if t.is_empty() {
            return Self::Empty;
        }
        let digits: String = t.chars().filter(|c| *c != ',').collect();
        match digits.parse::<f64>() {
            Ok(v) => Self::Num(v),
            Err(_) => Self::Text(t.to_lowercase()),
        }
    }
    fn cmp(&self, other: &Self) -> Ordering {
        self.partial_cmp(other).unwrap_or(Ordering::Equal)
    }
}

pub use crate::grammar::filter::{contains_ci, match_ranges};

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<[&'static str; 2]> {
        vec![["b", "10"], ["a", "9"], ["c", "100"], ["Bc", "1"]]
    }

    #[test]
    fn filter_sort_and_selection_follow_the_key() {
        let data = rows();
        let cell = |r: usize, c: usize| data[r][c].to_string();
        let key = |r: usize| data[r][0].to_string();
        let nat = |a: usize, b: usize| a.cmp(&b);
        let mut l = ListState::default();
        l.rebuild(data.len(), 2, cell, key, nat);
        assert_eq!(l.view, vec![0, 1, 2, 3]);
        l.select(2, key);
        assert_eq!(l.selected_key.as_deref(), Some("c"));
        l.sort_by(1); // numeric ascending: 1, 9, 10, 100
        l.rebuild(data.len(), 2, cell, key, nat);
        assert_eq!(l.view, vec![3, 1, 0, 2]);
        assert_eq!(l.selected, 3, "selection follows row c");
        l.sort_by(1);
        l.rebuild(data.len(), 2, cell, key, nat);
        assert_eq!(l.view, vec![2, 0, 1, 3]);
        l.filter = "B".into();
        l.rebuild(data.len(), 2, cell, key, nat);
        assert_eq!(l.view, vec![0, 3]);
        assert_eq!(l.selected, 0, "c filtered out: clamp");
        // The filter's language: negation, several words, a regular expression.
        for (filter, rows) in [
            ("!b", vec![1, 2]),
            ("b 1", vec![0, 3]),
            ("b !10", vec![3]),
            ("~^\\d$", vec![1, 3]),
            ("!~^[ab]", vec![2]),
        ] {
            l.filter = filter.into();
            l.sort = None;
            l.rebuild(data.len(), 2, cell, key, nat);
            assert_eq!(l.view, rows, "{filter}");
        }
    }

    #[test]
    fn one_sort_spec_grammar() {
        let cols = [
            Column::new("name", "NAME", Width::Fill(4), 'n'),
            Column::new("deployed_by", "DEPLOYED BY", Width::Fill(4), 'b'),
        ];
        let desc = Sort {
            column: 1,
            dir: SortDir::Desc,
        };
        assert_eq!(parse_sort("deployed_by:desc", &cols), Ok(desc));
        assert_eq!(parse_sort("Deployed By:DESC", &cols), Ok(desc), "by title too");
        assert_eq!(
            parse_sort("NAME", &cols).map(|s| (s.column, s.dir)),
            Ok((0, SortDir::Asc))
        );
        let e = parse_sort("colour", &cols).unwrap_err();
        assert!(
            e.starts_with("cannot sort by \"colour\": the columns are name, deployed_by"),
            "{e}"
        );
    }

    #[test]
    fn scrolling_keeps_selection_visible() {
        let mut l = ListState {
            view: (0..100).collect(),
            ..Default::default()
        };
        l.move_by(30, |r| r.to_string());
        l.scroll_into_view(10);
        assert_eq!(l.offset, 21);
        l.move_by(-25, |r| r.to_string());
        l.scroll_into_view(10);
        assert_eq!(l.offset, 5);
    }

    #[test]
    fn highlighting_ranges() {
        assert_eq!(match_ranges("Invoice_invoice", "inv"), vec![0..3, 8..11]);
        assert!(contains_ci("ORDERS_IN", "ders"));
        assert!(!contains_ci("ORDERS_IN", "x"));
        assert_eq!(match_ranges("Ärger ärger", "är"), vec![0..3, 7..10]);
    }
}
