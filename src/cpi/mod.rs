//! The async CPI client. Must not depend on ratatui or crossterm (checked in tests/architecture.rs).
pub mod conn;
pub mod model;
pub mod mpl_row;
pub mod odata;
