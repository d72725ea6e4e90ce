//! Drawing parts shared by every view: the data table, a scrolled document, the theme.

pub mod doc;
pub mod table;
pub mod theme;
