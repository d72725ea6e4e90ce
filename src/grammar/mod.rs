//! The languages people type: one grammar each, shared by the config, the monitors, the TUI's
//! commands and `cpitop get`.
//!
//! - [`duration`]: `15m`, `1h30m`, `2d`, `250ms` (config, monitors, `:window`, `--since`, …).
//! - [`status`]: message and artifact statuses (`--status`, `:status`, a monitor's `statuses`).
//! - [`filter`]: the `/` filter of every table (terms, `!negation`, `~regex`).
//!
//! Sort specs (`name:desc`) are read by `kit::list::parse_sort` against a table's columns, and
//! the environment of a tenant is `config::Environment`.

pub mod duration;
pub mod filter;
pub mod status;
