//! The command line as a shell user meets it: global flags in any position, help that keeps a
//! subcommand's own options apart, completion scripts (tenant names completed from the config),
//! the man page, and errors as one plain line.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

fn cpitop(root: &Path) -> Command {
    let mut c = Command::cargo_bin("cpitop").unwrap();
    c.env_remove("CPITOP_CONFIG")
        .env_remove("RUST_LOG")
        .env_remove("RUST_BACKTRACE")
        .env("XDG_CONFIG_HOME", root.join("config"))
        .env("XDG_CACHE_HOME", root.join("cache"))
        .env("XDG_STATE_HOME", root.join("state"))
        .env("HOME", root);
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn two_tenants(root: &Path) -> std::path::PathBuf {
    let file = root.join("tenants.toml");
    std::fs::write(
        &file,
        r#"
[tenants.acme-dev]
environment = "dev"
url = "https://acme-dev.example.com"
[tenants.acme-dev.auth]
type = "oauth"
client_id = "id"
token_url = "https://acme-dev.example.com/oauth/token"
client_secret_env = "NOT_SET_ANYWHERE"

[tenants.acme-prod]
environment = "prod"
url = "https://acme-prod.example.com"
[tenants.acme-prod.auth]
type = "oauth"
client_id = "id"
token_url = "https://acme-prod.example.com/oauth/token"
client_secret_command = "echo never-run-while-completing > ran.txt"
"#,
    )
    .unwrap();
    file
}

#[test]
fn global_flags_work_after_the_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["check", "--demo", "--seed", "1"][..],
        &["--demo", "--seed", "1", "check"][..],
        &["--demo", "check", "--seed", "1"][..],
    ] {
        let out = cpitop(dir.path()).args(args).output().unwrap();
        let err = text(&out.stderr);
        assert!(!err.contains("unexpected argument"), "{args:?}: {err}");
        // ok / warning / error: the demo tenant has broken iFlows, so a monitor fires.
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "{args:?}: {:?} {err}",
            out.status
        );
        assert!(
            text(&out.stdout).contains("monitor"),
            "{args:?}: {}",
            text(&out.stdout)
        );
    }
    // `--seed` reaches the simulated tenant wherever it is written.
    let ids = |seed: &str| {
        let out = cpitop(dir.path())
            .args([
                "get", "messages", "-o", "csv", "--limit", "5", "--demo", "--seed", seed,
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    assert_ne!(ids("1"), ids("2"), "different seeds, different messages");
    // `--seed` without `--demo` is refused, naming what it needs.
    let out = cpitop(dir.path())
        .args(["get", "artifacts", "--seed", "3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--demo"), "{}", text(&out.stderr));
}

#[test]
fn subcommand_help_lists_its_own_options_before_the_global_ones() {
    let dir = tempfile::tempdir().unwrap();
    let out = cpitop(dir.path()).args(["get", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = text(&out.stdout);
    let own = help.find("--output").expect("get's own option");
    let heading = help.find("Global options:").expect("a heading of its own");
    assert!(own < heading, "{help}");
    for global in [
        "--demo",
        "--seed",
        "--config",
        "--tenant",
        "--log-level",
        "--read-only",
        "--verbose",
    ] {
        let at = help.find(global).unwrap_or_else(|| panic!("{global} in {help}"));
        assert!(
            at > heading,
            "{global} is listed under the global heading: {help}"
        );
    }
}

#[test]
fn completion_scripts_for_every_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = cpitop(dir.path()).args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(
            script.contains(&format!("COMPLETE={shell}")) || script.contains("COMPLETE"),
            "{shell}: {script}"
        );
        let out = cpitop(dir.path())
            .args(["completions", shell, "--static"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell} --static");
        let script = text(&out.stdout);
        assert!(
            script.contains("completions") && !script.contains("COMPLETE="),
            "{shell} --static: {script}"
        );
    }
    let out = cpitop(dir.path()).args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an unknown shell is a usage error");
}

#[test]
fn tenant_names_complete_from_the_config_without_running_secret_commands() {
    let dir = tempfile::tempdir().unwrap();
    let config = two_tenants(dir.path());
    let complete = |words: &[&str]| {
        let out = cpitop(dir.path())
            .current_dir(dir.path())
            .env("CPITOP_CONFIG", &config)
            .env("COMPLETE", "fish")
            .arg("--")
            .args(words)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let all = complete(&["cpitop", "get", "artifacts", "--tenant", ""]);
    let names: Vec<&str> = all.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(names, ["acme-dev", "acme-prod"], "{all}");
    assert!(
        all.contains("PROD https://acme-prod.example.com"),
        "the environment helps choose: {all}"
    );
    let some = complete(&["cpitop", "--tenant", "acme-p"]);
    assert_eq!(
        some.lines()
            .map(|l| l.split('\t').next().unwrap())
            .collect::<Vec<_>>(),
        ["acme-prod"]
    );
    // Subcommands complete too.
    assert!(complete(&["cpitop", "comp"]).contains("completions"));
    assert!(
        !dir.path().join("ran.txt").exists(),
        "completing never runs a secret command"
    );
}

#[test]
fn bash_completes_tenant_names_through_the_sourced_script() {
    if std::process::Command::new("bash")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no bash on this machine");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = two_tenants(dir.path());
    let bin = assert_cmd::cargo::cargo_bin("cpitop");
    let script = format!(
        r#"source <("{bin}" completions bash) || exit 9
COMP_WORDS=(cpitop --tenant acme-d); COMP_CWORD=2; COMP_TYPE=9
_clap_complete_cpitop cpitop acme-d --tenant
printf '%s\n' "${{COMPREPLY[@]}}""#,
        bin = bin.display()
    );
    let out: Output = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("CPITOP_CONFIG", &config)
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "acme-dev",
        "stderr: {}",
        text(&out.stderr)
    );
}

#[test]
fn man_page_on_stdout_or_one_per_command_in_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = cpitop(dir.path()).arg("man").output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = text(&out.stdout);
    assert!(
        page.starts_with(".ie") || page.starts_with(".TH"),
        "roff: {}",
        &page[..80.min(page.len())]
    );
    for part in [".SH NAME", ".SH SYNOPSIS", "completions", "\\-\\-demo"] {
        assert!(page.contains(part), "{part} in the man page");
    }
    let pages = dir.path().join("man1");
    let out = cpitop(dir.path())
        .args(["man", "--dir"])
        .arg(&pages)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for file in [
        "cpitop.1",
        "cpitop-get.1",
        "cpitop-check.1",
        "cpitop-completions.1",
    ] {
        assert!(pages.join(file).is_file(), "{file} written");
    }
}

#[test]
fn errors_are_one_plain_line_even_where_colour_is_forced() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[tenants.x]\nurl = 5\n").unwrap();
    for args in [
        &["info"][..],
        &["watch"][..],
        &["config", "check", "--offline"][..],
    ] {
        let out = cpitop(dir.path())
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("RUST_BACKTRACE", "1")
            .env("CLICOLOR_FORCE", "1")
            .env("TERM", "xterm-256color")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(
            err.contains("bad.toml:2:7") && err.contains("tenants.x.url"),
            "{args:?}: {err}"
        );
        assert!(!err.contains('\u{1b}'), "no colour: {err:?}");
        assert!(!err.to_lowercase().contains("backtrace"), "{err}");
    }
    // --verbose: the causes in full, the source line of the config included.
    let out = cpitop(dir.path())
        .arg("--config")
        .arg(&config)
        .args(["info", "--verbose"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(err.lines().count() > 1 && err.contains("url = 5"), "{err}");
}

#[test]
fn watch_prints_every_monitors_state_then_heartbeats_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cpitop"))
        .args([
            "watch",
            "--demo",
            "--seed",
            "1",
            "--heartbeat",
            "1s",
            "--interval",
            "1h",
        ])
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env_remove("CPITOP_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut events = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
    while events
        .iter()
        .filter(|e: &&serde_json::Value| e["event"] == "heartbeat")
        .count()
        < 2
    {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let Ok(line) = rx.recv_timeout(left) else { break };
        events.push(serde_json::from_str::<serde_json::Value>(&line).expect("one JSON object per line"));
    }
    // SAFETY: a plain signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e["event"].as_str().unwrap_or("")).collect();
    let first_state = kinds.iter().position(|k| *k == "state").expect("state lines");
    assert!(
        kinds[..first_state].iter().all(|k| *k == "heartbeat"),
        "{kinds:?}"
    );
    let states = kinds.iter().filter(|k| **k == "state").count();
    assert!(states >= 5, "the demo monitors, each once: {kinds:?}");
    assert!(
        kinds.iter().filter(|k| **k == "heartbeat").count() >= 2,
        "{kinds:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "state" && e["status"] == "error"),
        "the demo has broken iFlows"
    );
    assert!(status.success(), "SIGTERM stops watch cleanly: {status:?}");
    // A heartbeat shorter than a second is refused with the reason.
    let out = cpitop(dir.path())
        .args(["watch", "--demo", "--heartbeat", "10ms"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("too short"), "{}", text(&out.stderr));
}
