//! Screenshots of the real app: `cpitop --demo --seed 1` (simulated tenant) in a 160x45
//! pseudo-terminal, read back through a terminal emulator and written as SVG into `screenshots/`.
//!
//! Regenerate with:
//!
//! ```text
//! cargo test --test it screenshots -- --ignored
//! ```
//!
//! Ignored by default: it rewrites files in the repository. The data comes from the simulated
//! tenant with a fixed seed; times and live messages follow the clock, so two runs differ in the
//! times shown, not in what the views look like.

use crate::pty;
use crate::svg;

use std::path::PathBuf;
use std::time::Duration;

use pty::PtyApp;

const WAIT: Duration = Duration::from_secs(20);
const COLS: u16 = 160;
const ROWS: u16 = 45;

fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("screenshots")
}

/// Body rows below the line starting with `title`.
fn rows_below(screen: &str, title: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let Some(start) = lines.iter().position(|l| l.starts_with(title)) else {
        return vec![];
    };
    lines[start + 1..lines.len().saturating_sub(1)]
        .iter()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Write the current screen as `screenshots/<name>.svg`, after the app has drawn it twice the
/// same way (so a half-drawn frame is never captured).
fn shot(app: &PtyApp, name: &str) {
    let start = std::time::Instant::now();
    let mut last = app.screen_text();
    loop {
        std::thread::sleep(Duration::from_millis(250));
        let now = app.screen_text();
        if now == last || start.elapsed() > Duration::from_secs(5) {
            break;
        }
        last = now;
    }
    let svg = app.with_screen(svg::screen_to_svg);
    let text = app.screen_text();
    for secret in ["client_secret", "clientsecret", "sim-", "$demo="] {
        assert!(
            !text.contains(secret),
            "{name}: the screen shows {secret:?}:\n{text}"
        );
    }
    std::fs::create_dir_all(out_dir()).expect("create screenshots/");
    let path = out_dir().join(format!("{name}.svg"));
    std::fs::write(&path, svg).expect("write the screenshot");
    eprintln!("wrote {}", path.display());
}

#[test]
#[ignore = "rewrites screenshots/; run with --ignored"]
fn screenshots_of_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let (state, config, cache) = (
        dir.path().join("state"),
        dir.path().join("config"),
        dir.path().join("cache"),
    );
    let envs = [
        ("XDG_STATE_HOME", state.to_str().unwrap()),
        ("XDG_CONFIG_HOME", config.to_str().unwrap()),
        ("XDG_CACHE_HOME", cache.to_str().unwrap()),
        ("COLORTERM", "truecolor"),
    ];
    let bin = assert_cmd::cargo::cargo_bin!("cpitop");
    let mut app = PtyApp::spawn(bin, &["--demo", "--seed", "1"], &envs, COLS, ROWS);

    // Load every pane once so the tab line shows all counts.
    app.wait_until("artifacts", WAIT, |s| {
        rows_below(s, "STATUS")
            .first()
            .is_some_and(|r| r.starts_with("ERROR "))
    });
    app.send("3");
    app.wait_until("queues", WAIT, |s| rows_below(s, "QUEUE").len() > 5);
    app.send("2");
    app.wait_until("messages", WAIT, |s| {
        rows_below(s, "STATUS").len() > 30 && s.contains(" failed/1h)")
    });

    app.send("1");
    app.wait_until("artifacts again", WAIT, |s| s.contains("─ Artifacts "));
    shot(&app, "artifacts");

    // The deployment error of the first (ERROR) artifact.
    app.send("\r");
    app.wait_for("── Deployment error", WAIT);
    app.wait_until("the error text", WAIT, |s| !s.contains("Loading…"));
    shot(&app, "artifact-error");
    // Each Esc is waited on: an Esc followed at once by a key reads as Alt+key.
    app.send("\x1b");
    app.wait_until("back to the artifacts", WAIT, |s| {
        !s.contains("── Deployment error")
    });

    app.send("2");
    app.wait_until("messages again", WAIT, |s| rows_below(s, "STATUS").len() > 30);
    shot(&app, "messages");

    // Failed only, then the newest FAILED message with its error, custom headers and runs.
    app.send("f");
    app.wait_until("failed only", WAIT, |s| {
        let rows = rows_below(s, "STATUS");
        rows.len() > 5
            && rows
                .iter()
                .all(|r| r.starts_with("FAILED") || r.starts_with("ESCALATED"))
    });
    shot(&app, "messages-failed");
    app.send("\r");
    app.wait_for("── Error", WAIT);
    app.wait_until("the whole detail", WAIT, |s| {
        s.contains("── Runs (") && !s.contains("loading")
    });
    shot(&app, "message-error");
    app.send("\x1b");
    app.wait_until("back to the messages", WAIT, |s| !s.contains("› message AG"));
    app.send("f");

    app.send("3");
    app.wait_until("queues again", WAIT, |s| rows_below(s, "QUEUE").len() > 5);
    shot(&app, "queues");

    // A dead-letter queue's messages and the confirmation of moving them back (cancelled).
    app.send("/DLQ_INV");
    app.wait_until("the DLQ filtered", WAIT, |s| {
        rows_below(s, "QUEUE")
            .first()
            .is_some_and(|r| r.starts_with("DLQ_INVOICES_OUT"))
    });
    app.send("\r");
    app.send("\r");
    app.wait_until("the DLQ's messages", WAIT, |s| s.contains("› DLQ_INVOICES_OUT"));
    app.wait_until("its rows", WAIT, |s| {
        rows_below(s, "MESSAGE").len() > 5 || rows_below(s, " ").len() > 8
    });
    app.send(" ");
    app.send(" ");
    app.send(" ");
    app.send("M");
    app.wait_until("the move dialog", WAIT, |s| {
        s.contains("INVOICES_OUT") && s.contains("3 ")
    });
    shot(&app, "queue-move-confirm");
    app.send("\x1b");
    app.wait_until("dialog closed", WAIT, |s| !s.contains("Confirm:"));
    app.send("\x1b");
    app.wait_until("back to the queues", WAIT, |s| !s.contains("› DLQ_INVOICES_OUT"));
    app.send("\x1b");
    app.wait_until("filter cleared", WAIT, |s| !s.contains("/DLQ_INV"));

    // Alert monitors: the demo's monitors after their first evaluation, then one's evidence.
    app.send("4");
    // Every monitor calculated: the first round can run before the monitors' own message fetch
    // has answered ("messages not loaded yet"); then the next round (every 30 s) calculates it.
    app.wait_until("alerts evaluated", Duration::from_secs(45), |s| {
        (s.contains(" error ·") || s.contains(" ok ·")) && !s.contains("not calculated")
    });
    shot(&app, "alerts");
    app.send("\r");
    app.wait_until("the evidence", WAIT, |s| {
        s.contains("› ") && s.contains("Alerts ›")
    });
    shot(&app, "alert-evidence");
    app.send("\x1b");
    app.wait_until("back to the alerts", WAIT, |s| !s.contains("Alerts ›"));

    // Failures grouped by error signature (the first minute's budget of error texts read, the
    // rest grouped by iFlow until theirs arrive), then one group's messages.
    app.send("5");
    app.wait_until("the error groups", WAIT, |s| {
        let rows = rows_below(s, " COUNT SIGNATURE");
        rows.len() > 5 && !rows[0].contains("not read yet")
    });
    shot(&app, "errors");
    // The biggest signature's messages (the first row; groups move as texts arrive).
    app.send("g");
    app.send("\r");
    app.wait_until("a group's messages", WAIT, |s| {
        let rows = rows_below(s, "STATUS     END");
        rows.len() > 1 && !rows[0].contains("not read yet")
    });
    shot(&app, "error-members");
    app.send("\x1b");
    app.wait_until("back to the groups", WAIT, |s| {
        rows_below(s, " COUNT SIGNATURE").len() > 1
    });

    // The keystore: the expired and the expiring certificates first, then one's details.
    app.send("6");
    app.wait_until("the keystore", WAIT, |s| {
        rows_below(s, "STATUS   ALIAS").len() > 5
    });
    shot(&app, "keystore");
    app.send("\r");
    app.wait_for("── Fingerprints", WAIT);
    shot(&app, "certificate");
    app.send("\x1b");
    app.wait_until("back to the keystore", WAIT, |s| !s.contains("Keystore ›"));
    // Every tenant at once (the demo's three), then the version drift of their landscape.
    app.send("0");
    app.wait_until("the three tenants read", WAIT, |s| {
        rows_below(s, "TENANT")
            .iter()
            .filter(|r| r.contains(" up "))
            .count()
            == 3
    });
    shot(&app, "tenants");
    app.send("d");
    app.wait_until("the drift", WAIT, |s| {
        s.contains("drift demo (3 tenants, 6 marked)")
    });
    shot(&app, "drift");
    app.send("\x1b");
    app.wait_until("back to the tenants", WAIT, |s| !s.contains("drift demo"));

    app.send("?");
    app.wait_for("Help — esc closes", WAIT);
    shot(&app, "help");
    app.send("\x1b");
    app.wait_until("help closed", WAIT, |s| !s.contains("Help — esc closes"));

    app.send("q");
    assert_eq!(app.wait_exit(WAIT), 0);
}
