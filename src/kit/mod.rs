//! Pane-agnostic parts every pane builds on: the table abstraction (`table`, `list`), how fresh
//! polled data is (`load`), text formatting (`format`), what a key can do and the keymap
//! (`action`, `keymap` with its embedded `keys.toml`), and the drawing parts (`widgets`: the data
//! table, documents, the theme, placeholders). Nothing here knows a particular pane.

pub mod action;
pub mod export;
pub mod format;
pub mod keymap;
pub mod list;
pub mod load;
pub mod table;
pub mod widgets;
