//! Views: render `&State` into ratatui widgets. No I/O, no awaiting.
