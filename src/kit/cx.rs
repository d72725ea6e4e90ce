//! The narrow context a view's handlers and drawing get besides their own slice: the clock, the
//! time format, the screen's size and the tenant. Never the whole application state.

use super::format::TimeFmt;
use super::table::CellCx;
use super::tenant::{Intervals, TenantInfo};
use crate::cpi::odata::EpochMs;

#[derive(Debug, Clone, Copy)]
pub struct Cx<'a> {
    pub now: EpochMs,
    pub time: TimeFmt,
    /// Lines a table shows rows in (the body minus the column titles).
    pub table_rows: usize,
    /// Lines of the body (a detail view's document).
    pub body_rows: usize,
    /// Columns of the screen (documents wrap to it).
    pub width: u16,
    pub intervals: Intervals,
    pub tenant: &'a TenantInfo,
}

impl Cx<'_> {
    /// What cell text depends on besides the row.
    pub fn cell(&self) -> CellCx {
        CellCx {
            now: self.now,
            time: self.time,
        }
    }
}
