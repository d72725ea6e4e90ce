//! Pane-agnostic parts every pane builds on. Nothing here knows a particular pane's data.
//!
//! - The table abstraction: [`table`] (the `Table` trait, tones, cell context) and [`list`]
//!   (columns, filter, sort, selection; the sort-spec grammar).
//! - How fresh polled data is: [`load`]. Text: [`format`], documents [`doc`].
//! - Keys: [`action`] (what a key can do) and [`keymap`] (keys as data, `keys.toml`), footer
//!   [`hint`]s.
//! - Where to go: [`nav`] (the panes and the `Nav` intents), transient notices [`toast`].
//! - What views and handlers get besides their own slice: [`cx`], [`tenant`]; what a view hands
//!   a plugin: [`subject`].
//! - Output: [`schema`] (the conventions of machine output: times, durations, `null`, CSV cells),
//!   [`export`] (CSV/JSON/NDJSON of records), [`print`] (a table as `cpitop get` prints it).
//! - Drawing: [`widgets`] (the data table, documents, the theme, placeholders).

pub mod action;
pub mod cx;
pub mod doc;
pub mod export;
pub mod format;
pub mod hint;
pub mod keymap;
pub mod list;
pub mod load;
pub mod nav;
pub mod print;
pub mod schema;
pub mod subject;
pub mod table;
pub mod tenant;
pub mod toast;
pub mod widgets;
