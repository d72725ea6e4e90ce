//! What happens when cpitop has a bug: one panic anywhere — the state loop, a poller task, a
//! blocking sort, a headless command — ends the whole process cleanly instead of leaving a
//! half-working process behind (a dead poller under a live screen is worse than an exit).
//!
//! The hook, installed once by `main`:
//! 1. writes the panic (message, location, backtrace) to the log file and flushes it;
//! 2. restores the terminal when the TUI had taken it (raw mode, alternate screen, mouse, cursor);
//! 3. prints one plain line on stderr naming the log file;
//! 4. exits with status 101 (Rust's panic status), so no task keeps running without its peers.
//!
//! Hand-written rather than `human-panic`: that crate writes its report to a temp file and prints
//! several lines, while cpitop's log file already exists and errors here are one line.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set while the TUI owns the terminal (raw mode, alternate screen, mouse capture).
static TUI_ACTIVE: AtomicBool = AtomicBool::new(false);

/// Exit status after a panic (what an unwinding `main` would give).
pub const PANIC_EXIT: i32 = 101;

/// Say whether the terminal has to be restored when cpitop crashes.
pub fn set_tui_active(active: bool) {
    TUI_ACTIVE.store(active, Ordering::SeqCst);
}

/// Leave raw mode, the alternate screen and mouse capture, show the cursor. Idempotent.
pub fn restore_terminal() {
    use crossterm::event::{DisableBracketedPaste, DisableMouseCapture};
    use crossterm::terminal::{LeaveAlternateScreen, disable_raw_mode};
    let mut out = std::io::stdout();
    let _ = crossterm::execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Install the process-wide panic hook (replaces any earlier one, color-eyre's included).
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = panic_message(info.payload());
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "an unknown place".into());
        let thread = std::thread::current();
        let thread = thread.name().unwrap_or("unnamed");
        let backtrace = std::backtrace::Backtrace::force_capture();
        tracing::error!(%location, thread, "cpitop panicked: {message}\n{backtrace}");
        let log = crate::config::logging::flush_for_exit();
        if TUI_ACTIVE.swap(false, Ordering::SeqCst) {
            restore_terminal();
        }
        let log = match log {
            Some(dir) => format!("; details in the log in {}", dir.display()),
            None => String::new(),
        };
        let line = format!("cpitop: internal error (a bug, please report it): {message} at {location}{log}");
        eprintln!("{}", one_line(&line));
        std::process::exit(PANIC_EXIT);
    }));
}

/// The message on one line, neutralised and bounded (a panic message may quote tenant data).
fn one_line(text: &str) -> String {
    let line = crate::sanitize::one_line(text);
    let mut out: String = line.chars().take(2_000).collect();
    out.truncate(out.trim_end().len());
    out
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".into()
    }
}

/// A test hook: `CPITOP_CRASH_TEST=task` makes the TUI spawn a task that panics once the first
/// frame is drawn, so the end-to-end tests can prove a panic in a background task restores the
/// terminal and reaches the log. Read once; any other value (or none) does nothing.
pub fn crash_test_requested() -> bool {
    std::env::var("CPITOP_CRASH_TEST").is_ok_and(|v| v == "task")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_both_payload_kinds() {
        assert_eq!(panic_message(&"static"), "static");
        assert_eq!(panic_message(&String::from("owned")), "owned");
        assert_eq!(panic_message(&42u8), "a panic without a message");
    }
}
