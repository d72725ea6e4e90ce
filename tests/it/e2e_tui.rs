//! End to end: the real `cpitop --demo` binary in a real pseudo-terminal, read back through a
//! terminal emulator. Start, switch panes (keys and command mode), filter as you type, failed
//! only, open a FAILED message's error, go back, help, quit — then check the exit code and that
//! the terminal was restored. Waits are generous conditions on the screen, never fixed sleeps.
//! Also: without a terminal, or with a bad config, cpitop refuses plainly.

use crate::pty;

use std::time::Duration;

use assert_cmd::Command;
use pty::PtyApp;

const WAIT: Duration = Duration::from_secs(15);

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin!("cpitop").to_path_buf()
}

/// Body rows of the table on screen: the lines below the column titles (which start with
/// `title`) up to the footer, without blank ones.
fn table_rows(screen: &str, title: &str) -> Vec<String> {
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

/// Screen row of the highlighted table row (the only table row with a background colour).
fn selected_row(app: &PtyApp) -> Option<u16> {
    app.with_screen(|s| {
        let text = s.contents();
        let lines: Vec<&str> = text.lines().collect();
        let titles = lines.iter().position(|l| l.starts_with("STATUS"))? as u16;
        (titles + 1..s.size().0).find(|&r| s.cell(r, 0).is_some_and(|c| c.bgcolor() != vt100::Color::Default))
    })
}

/// The first line under the detail's `── Error` heading once it has loaded.
fn error_text(screen: &str) -> Option<String> {
    let mut lines = screen.lines().skip_while(|l| !l.starts_with("── Error"));
    lines.next()?;
    let first = lines.next()?.trim();
    (!first.is_empty() && !first.starts_with("Loading")).then(|| first.to_string())
}

#[test]
fn demo_in_a_real_terminal() {
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
        ("RUST_BACKTRACE", "0"),
    ];
    let mut app = PtyApp::spawn(&bin(), &["--demo"], &envs, 120, 36);

    // Start: the Artifacts pane with the artifacts that are not STARTED first.
    app.wait_for("─ Artifacts ", WAIT);
    app.wait_until("ERROR artifacts at the top", WAIT, |s| {
        table_rows(s, "STATUS")
            .first()
            .is_some_and(|r| r.starts_with("ERROR "))
    });
    let screen = app.screen_text();
    assert!(screen.contains("demo-dev [DEV]"), "{screen}");
    // The demo landscape: its three tenants, once the overview has read them (it reads in the
    // background, so not necessarily before the open tenant's artifacts are shown).
    app.wait_until("the demo landscape's three tenants", WAIT, |s| {
        s.contains("0 Tenants (3")
    });

    // The mouse wheel moves the selection (three rows a notch) in the real terminal too.
    let first = selected_row(&app).expect("a selected row");
    app.send("\x1b[<65;20;12M"); // SGR mouse report: wheel down at column 20, row 12
    app.wait_until("the wheel moved the selection", WAIT, |_| {
        selected_row(&app) == Some(first + 3)
    });
    app.send("\x1b[<64;20;12M"); // wheel up
    app.wait_until("and back", WAIT, |_| selected_row(&app) == Some(first));
    assert!(
        screen.contains("1 Artifacts (") && screen.contains("!)"),
        "{screen}"
    );

    // 2: the Messages pane of the last hour, newest first, FAILED ones counted in the tab line.
    app.send("2");
    app.wait_for("─ Messages › last 1h", WAIT);
    app.wait_until("messages loaded", WAIT, |s| {
        table_rows(s, "STATUS").len() > 5 && s.contains(" failed/1h)")
    });

    // 3: the Queues pane, each DLQ beside its queue.
    app.send("3");
    app.wait_for("─ Queues", WAIT);
    app.wait_until("queues with their DLQ", WAIT, |s| {
        table_rows(s, "QUEUE").iter().any(|r| r.starts_with("DLQ_"))
    });

    // `:messages` in command mode goes back to the Messages pane.
    app.send(":");
    app.type_slowly("messages");
    app.send("\r");
    app.wait_for("─ Messages › last 1h", WAIT);

    // `/` filters as you type: every row shown contains the text, the breadcrumb says so.
    app.send("/");
    app.type_slowly("orders_inb");
    app.wait_until("rows filtered by /orders_inb", WAIT, |s| {
        let rows = table_rows(s, "STATUS");
        s.contains("/orders_inb")
            && !rows.is_empty()
            && rows.iter().all(|r| r.to_lowercase().contains("orders_inb"))
    });
    app.send("\r"); // keep the filter

    // `f`: failed only.
    app.send("f");
    app.wait_until("only FAILED rows", WAIT, |s| {
        let rows = table_rows(s, "STATUS");
        !rows.is_empty()
            && rows
                .iter()
                .all(|r| r.starts_with("FAILED") || r.starts_with("ESCALATED"))
    });

    // Enter on the selected FAILED message: its detail with the error text.
    app.send("\r");
    // The parts arrive independently: wait for the properties and the error text.
    app.wait_until("the message's status and error text", WAIT, |s| {
        (s.contains("Status        FAILED") || s.contains("Status        ESCALATED"))
            && error_text(s).is_some()
    });
    let detail = app.screen_text();
    assert!(
        detail.contains("› message AG"),
        "breadcrumb names the message:\n{detail}"
    );
    let error = error_text(&detail).unwrap_or_default();
    assert!(
        error.contains(':') && error.len() > 20,
        "the tenant's error text: {error:?}"
    );

    // Esc goes back to the list, the filter still in the breadcrumb.
    app.send("\x1b");
    app.wait_until("back on the message list", WAIT, |s| {
        !s.contains("› message AG") && s.contains("/orders_inb") && s.contains("STATUS")
    });

    // `?` shows the help generated from the keymap; Esc closes it.
    app.send("?");
    app.wait_for("Help — esc closes", WAIT);
    app.wait_for("Global keys", WAIT);
    app.send("\x1b");
    app.wait_until("help closed", WAIT, |s| !s.contains("Help — esc closes"));

    // `q` quits with status 0.
    app.send("q");
    assert_eq!(app.wait_exit(WAIT), 0, "exit status");

    // The terminal is restored: alternate screen left, cursor shown, mouse released, cooked mode.
    let raw = String::from_utf8_lossy(&app.raw_output()).into_owned();
    let entered = raw.find("\x1b[?1049h").expect("entered the alternate screen");
    let left = raw.rfind("\x1b[?1049l").expect("left the alternate screen");
    assert!(left > entered);
    assert!(raw[left..].contains("\x1b[?25h") || raw.rfind("\x1b[?25h") > Some(entered));
    assert!(raw.rfind("\x1b[?1000l") > Some(entered), "mouse capture released");
    let stty = app.stty_after_exit();
    let words: Vec<&str> = stty.split_whitespace().collect();
    for mode in ["icanon", "echo", "isig", "icrnl"] {
        assert!(words.contains(&mode), "{mode} restored: {stty}");
    }
}

/// `--demo` runs three simulated tenants: the Tenants pane (`0`) shows them side by side, `d` their
/// version drift, Enter on a cell opens that artifact in that tenant (switching to it).
#[test]
fn demo_tenants_pane_and_drift_in_a_real_terminal() {
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
        ("RUST_BACKTRACE", "0"),
    ];
    let mut app = PtyApp::spawn(&bin(), &["--demo", "--seed", "1"], &envs, 160, 45);
    app.wait_for("─ Artifacts ", WAIT);
    app.send("0");
    app.wait_for("─ Tenants ", WAIT);
    // Every tenant read (its own round): three rows, up, prod first.
    // (The table's rows: the line under it is about the selected tenant.)
    let tenants = |s: &str| -> Vec<String> {
        table_rows(s, "TENANT")
            .into_iter()
            .filter(|r| r.contains(" · "))
            .collect()
    };
    app.wait_until("the three demo tenants up", WAIT, |s| {
        let rows = tenants(s);
        rows.len() == 3 && rows.iter().all(|r| r.contains(" up "))
    });
    let rows = tenants(&app.screen_text());
    assert!(
        rows[0].contains("demo-prod") && rows[0].contains("PROD"),
        "{rows:#?}"
    );
    assert!(
        rows.iter().any(|r| r.starts_with("● demo-dev")),
        "the open tenant marked: {rows:#?}"
    );
    // `d`: the landscape side by side, dev → test → prod, what is missing in PROD first.
    app.send("d");
    app.wait_for("drift demo (3 tenants, 6 marked)", WAIT);
    let screen = app.screen_text();
    let titles = screen
        .lines()
        .find(|l| l.contains("ARTIFACT"))
        .unwrap_or_default()
        .to_string();
    let (dev, test, prod) = (
        titles.find("demo-dev DEV").unwrap(),
        titles.find("demo-test TEST").unwrap(),
        titles.find("demo-prod PROD").unwrap(),
    );
    assert!(dev < test && test < prod, "{titles}");
    let rows = table_rows(&screen, "  ARTIFACT");
    assert!(
        rows[0].starts_with("! PriceList_Sync") && rows[0].contains("not started in PROD"),
        "{rows:#?}"
    );
    assert!(
        rows[1].starts_with("! Returns_Inbound") && rows[1].contains("missing in PROD"),
        "{rows:#?}"
    );
    // Orders_Inbound (a version behind in test and prod) in demo-test: `/` to it, `l` to the
    // test column, Enter — switched to demo-test, the artifact's detail open.
    app.send("/");
    app.type_slowly("Orders_Inbound");
    app.send("\r");
    app.send("l");
    app.wait_for("Orders_Inbound in demo-test: ", WAIT);
    app.send("\r");
    app.wait_until("demo-test open on its artifact", WAIT, |s| {
        s.contains("demo-test [TEST]")
            && s.contains("─ Artifacts › Orders Inbound")
            && s.contains("Id            Orders_Inbound")
    });
    app.send("q");
    app.send("q");
    assert_eq!(app.wait_exit(WAIT), 0);
}

#[test]
fn without_a_terminal_cpitop_refuses_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("RUST_BACKTRACE", "0")
        .arg("--demo")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal, but stdout is not one"), "{err}");
    assert!(err.contains("cpitop get"), "points to the scriptable way: {err}");
    assert!(out.stdout.is_empty(), "nothing drawn on a pipe");
}

#[test]
fn a_bad_config_is_reported_with_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[tenants.acme\nurl = \n").unwrap();
    let out = Command::new(bin())
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("RUST_BACKTRACE", "0")
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&cfg.display().to_string()), "names the file: {err}");
    assert!(
        !err.contains("needs a terminal"),
        "the config is checked first: {err}"
    );
}

#[test]
fn get_at_a_terminal_colours_like_the_tui() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let envs = [
        ("XDG_STATE_HOME", state.to_str().unwrap()),
        ("RUST_BACKTRACE", "0"),
    ];
    let mut app = PtyApp::spawn(
        &bin(),
        &["--demo", "get", "artifacts", "--limit", "6"],
        &envs,
        160,
        20,
    );
    assert_eq!(app.wait_exit(WAIT), 0);
    app.wait_for("6 of ", WAIT);
    let (error_fg, started_fg, title_fg) = app.with_screen(|s| {
        let text = s.contents();
        let row = |prefix: &str| {
            text.lines()
                .position(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("no row {prefix}: {text}")) as u16
        };
        let fg = |r: u16| s.cell(r, 0).map(|c| c.fgcolor());
        (fg(row("ERROR ")), fg(row("STARTED ")), fg(row("STATUS ")))
    });
    assert_eq!(error_fg, Some(vt100::Color::Idx(1)), "ERROR is red");
    assert_eq!(started_fg, Some(vt100::Color::Idx(2)), "STARTED is green");
    assert_eq!(title_fg, Some(vt100::Color::Default), "titles are plain");
}

/// A panic in a background task (a poller, a fetch) ends the whole process cleanly: terminal
/// restored as on `q`, one line on stderr naming the log, the panic and its place in the log file,
/// exit status 101 — not a dead task under a frozen screen.
#[test]
fn a_panic_in_a_background_task_ends_cpitop_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let env = DemoEnv::new(dir.path());
    let mut app = env.spawn(&[("CPITOP_CRASH_TEST", "task")]);
    app.wait_for("─ Artifacts ", WAIT);
    assert_eq!(
        app.wait_exit(WAIT),
        101,
        "a panic ends the process with Rust's panic status"
    );

    let raw = String::from_utf8_lossy(&app.raw_output()).into_owned();
    let left = assert_restored(&mut app, &raw, "after a panic");
    let after = &raw[left..];
    assert!(
        after.contains(
            "cpitop: internal error (a bug, please report it): crash test: a background task panicked"
        ),
        "one line on stderr after the screen was restored: {after:?}"
    );
    assert!(after.contains("details in the log in"), "{after:?}");

    let logs = env.state.join("cpitop").join("logs");
    let text: String = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(
        text.contains("cpitop panicked: crash test: a background task panicked"),
        "the panic reaches the log file: {text}"
    );
    assert!(text.contains("src/tui/run.rs:"), "with its location: {text}");
}

/// `timeout`, `kill` or a closing SSH session end cpitop with SIGTERM/SIGHUP/SIGQUIT: the terminal
/// is restored exactly as on `q` (alternate screen left, mouse released, cursor shown, cooked
/// mode) and the exit status is 128 + the signal.
#[test]
fn signals_restore_the_terminal() {
    for (signal, number) in [("TERM", 15), ("HUP", 1), ("QUIT", 3)] {
        let dir = tempfile::tempdir().unwrap();
        let mut app = DemoEnv::new(dir.path()).spawn(&[]);
        app.wait_for("─ Artifacts ", WAIT);
        // A drill-down open: the signal quits from any view, not just "back".
        app.send("2");
        app.wait_for("─ Messages ", WAIT);
        app.signal(signal);
        assert_eq!(app.wait_exit(WAIT), 128 + number, "SIG{signal}: exit status");
        let raw = String::from_utf8_lossy(&app.raw_output()).into_owned();
        assert_restored(&mut app, &raw, &format!("SIG{signal}"));
    }
}

/// The terminal after the app ended: alternate screen left, mouse released, cursor shown, cooked
/// mode. Returns where the alternate screen was left in `raw`.
fn assert_restored(app: &mut PtyApp, raw: &str, when: &str) -> usize {
    let entered = raw.find("\x1b[?1049h").expect("entered the alternate screen");
    let left = raw
        .rfind("\x1b[?1049l")
        .unwrap_or_else(|| panic!("{when}: alternate screen left"));
    assert!(left > entered, "{when}");
    assert!(
        raw.rfind("\x1b[?1000l") > Some(entered),
        "{when}: mouse capture released"
    );
    assert!(raw.rfind("\x1b[?25h") > Some(entered), "{when}: cursor shown");
    let stty = app.stty_after_exit();
    let words: Vec<&str> = stty.split_whitespace().collect();
    for mode in ["icanon", "echo", "isig", "icrnl"] {
        assert!(words.contains(&mode), "{when}: {mode} restored: {stty}");
    }
    left
}

/// Private XDG directories for one `cpitop --demo` run in a 100x30 terminal.
struct DemoEnv {
    state: std::path::PathBuf,
    config: std::path::PathBuf,
    cache: std::path::PathBuf,
}

impl DemoEnv {
    fn new(dir: &std::path::Path) -> Self {
        Self {
            state: dir.join("state"),
            config: dir.join("config"),
            cache: dir.join("cache"),
        }
    }

    fn spawn(&self, extra: &[(&str, &str)]) -> PtyApp {
        let mut envs = vec![
            ("XDG_STATE_HOME", self.state.to_str().unwrap()),
            ("XDG_CONFIG_HOME", self.config.to_str().unwrap()),
            ("XDG_CACHE_HOME", self.cache.to_str().unwrap()),
            ("RUST_BACKTRACE", "0"),
        ];
        envs.extend_from_slice(extra);
        PtyApp::spawn(&bin(), &["--demo"], &envs, 100, 30)
    }
}

/// The default tenant's secret is missing (its variable is not set): cpitop opens anyway with a
/// banner saying what is missing and how to switch, asks nothing of any tenant, and `:ctx`
/// switches to a tenant that works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_secret_opens_with_a_banner_and_ctx_switches() {
    use cpitop::sim::{SimConfig, spawn};
    let sim = spawn(SimConfig {
        message_rate: 0.0,
        history_messages: Some(50),
        ..SimConfig::default()
    })
    .await
    .expect("sim starts");
    let dir = tempfile::tempdir().unwrap();
    let env = DemoEnv::new(dir.path());
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"
[tenants.acme-prod]
url = "{url}"
auth = {{ client_id = "{id}", token_url = "{token}", client_secret_env = "CPITOP_E2E_NOT_SET" }}

[tenants.sim]
url = "{url}"
auth = {{ client_id = "{id}", token_url = "{token}", client_secret_env = "CPITOP_E2E_SIM_SECRET" }}
"#,
            url = sim.base_url,
            id = sim.client_id,
            token = sim.token_url,
        ),
    )
    .unwrap();
    crate::fsx::owner_only(&cfg);
    let requests_before = sim.admin().request_count();
    let secret = sim.client_secret.clone();
    let mut envs = vec![
        ("XDG_STATE_HOME", env.state.to_str().unwrap().to_string()),
        ("XDG_CACHE_HOME", env.cache.to_str().unwrap().to_string()),
        ("CPITOP_E2E_SIM_SECRET", secret),
        ("RUST_BACKTRACE", "0".to_string()),
    ];
    envs.push(("CPITOP_CONFIG", cfg.to_str().unwrap().to_string()));
    let mut app = tokio::task::spawn_blocking(move || {
        let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let app = PtyApp::spawn(&bin(), &["--tenant", "acme-prod"], &envs, 120, 30);
        app.wait_until("the banner", WAIT, |s| s.contains("CPITOP_E2E_NOT_SET"));
        app
    })
    .await
    .unwrap();
    let screen = app.screen_text();
    assert!(screen.contains("acme-prod"), "{screen}");
    assert!(screen.contains(":ctx"), "how to switch: {screen}");
    assert_eq!(
        sim.admin().request_count(),
        requests_before,
        "nothing was asked of any tenant"
    );
    let mut app = tokio::task::spawn_blocking(move || {
        app.send(":");
        app.type_slowly("ctx sim");
        app.send("\r");
        app.wait_until("switched and loaded", WAIT, |s| {
            s.contains("switched to tenant sim") || (s.contains(" sim ") && s.contains("STARTED"))
        });
        app.wait_until("artifacts of the sim", WAIT, |s| {
            !s.contains("CPITOP_E2E_NOT_SET") && table_rows(s, "STATUS").len() > 3
        });
        app.send("q");
        assert_eq!(app.wait_exit(WAIT), 0);
        app
    })
    .await
    .unwrap();
    let raw = String::from_utf8_lossy(&app.raw_output()).into_owned();
    assert_restored(&mut app, &raw, "after a missing secret");
}
