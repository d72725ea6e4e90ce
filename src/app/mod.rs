//! Application state, `update`, effects and pollers; testable without a terminal.
