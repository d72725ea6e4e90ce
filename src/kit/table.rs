//! The one table abstraction: a pane contributes columns, a row count, cell text, a key per row,
//! its natural order and a tone per cell; filtering, sorting, selection, export and rendering are
//! generic over it.

use std::cmp::Ordering;

use super::format::TimeFmt;
use super::list::{Column, ListState};
use crate::cpi::odata::EpochMs;

/// What cell text may depend on besides the row: the clock and the time format.
#[derive(Debug, Clone, Copy)]
pub struct CellCx {
    pub now: EpochMs,
    pub time: TimeFmt,
}

/// Semantic colour of a cell; the theme maps it to a style (and drops it under `NO_COLOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Normal,
    Good,
    Bad,
    Warn,
    Busy,
    Muted,
}

pub trait Table {
    fn columns(&self) -> &'static [Column];
    /// Rows held (before the `/` filter).
    fn row_count(&self) -> usize;
    /// Text of one cell, exactly as shown (the filter matches this text).
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String;
    /// Stable identity of a row (selection follows it across refreshes; `y` copies it).
    fn key(&self, row: usize) -> String;
    /// The pane's own order when the user has not chosen a sort column.
    fn natural(&self, a: usize, b: usize) -> Ordering {
        a.cmp(&b)
    }
    fn tone(&self, _row: usize, _col: usize) -> Tone {
        Tone::Normal
    }
    /// Web-UI link of a row, if the tenant has one (`Y`).
    fn link(&self, _row: usize) -> Option<String> {
        None
    }
    /// Whether a row is marked for a bulk action; `None`: this table has no marks (no gutter).
    fn marked(&self, _row: usize) -> Option<bool> {
        None
    }
    fn list(&self) -> &ListState;
    fn list_mut(&mut self) -> &mut ListState;

    /// Recompute filter, order and selection after data, filter or sort changed.
    fn rebuild(&mut self, cx: &CellCx) {
        let mut list = std::mem::take(self.list_mut());
        {
            let this = &*self;
            let ncols = this.columns().len();
            list.rebuild(
                this.row_count(),
                ncols,
                |r, c| this.cell(r, c, cx),
                |r| this.key(r),
                |a, b| this.natural(a, b),
            );
        }
        *self.list_mut() = list;
    }

    /// Move the selection and remember the selected key.
    fn move_selection(&mut self, delta: isize) {
        let mut list = std::mem::take(self.list_mut());
        list.move_by(delta, |r| self.key(r));
        *self.list_mut() = list;
    }

    fn select_position(&mut self, pos: usize) {
        let mut list = std::mem::take(self.list_mut());
        list.select(pos, |r| self.key(r));
        *self.list_mut() = list;
    }

    /// Key of the selected row.
    fn selected_key(&self) -> Option<String> {
        self.list().selected_row().map(|r| self.key(r))
    }

    /// One row as its resource's record (`kit::schema`: the pane's serde struct): what
    /// `-o json|ndjson|csv` and the TUI's export write. Typed data, not the cells' display text.
    fn record(&self, row: usize, cx: &CellCx) -> serde_json::Value;

    /// The record's field names in order (the CSV header, also of an empty table).
    fn fields(&self) -> Vec<String>;

    /// The records of the current view's rows (after filter and sort), in its order.
    fn export_records(&self, cx: &CellCx) -> Vec<serde_json::Value> {
        self.list().rows().map(|r| self.record(r, cx)).collect()
    }
}
