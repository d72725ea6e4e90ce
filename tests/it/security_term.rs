//! No tenant byte reaches a terminal raw: with the sim's `control_chars` fault the tenant's names,
//! parties, error texts and OData error messages carry OSC 52 (clipboard), OSC 0 (title), CSI 2J
//! (clear screen), BEL, BS, the C1 CSI U+009B and bidi controls. `cpitop get` (table, CSV, JSON)
//! and `cpitop config check` must print them neutralised, byte-exact as `sanitize` defines:
//! `\u{1b}` in text, `\u001b`/`\u009b`/`\u202e` in JSON; the zero-width joiner stays.

use crate::fsx;
use fsx::config_for;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use cpitop::sim::faults::{CONTROL_TEXT, FaultKind, FaultRule};
use cpitop::sim::{SimConfig, SimHandle, spawn};
use serde_json::Value;

/// What the fault appends, spelled out here (not taken from the crate) so a change shows.
const RAW: &str = "\u{1b}]52;c;Y3BpdG9w\u{7}\u{1b}]0;pwned\u{7}\u{1b}[2J\u{8}\u{9b}1m\u{202e}txt.exe\u{2066}x\u{2069}\u{200d}";
/// `RAW` in text output (tables, CSV, error lines).
const SHOWN: &str = "\\u{1b}]52;c;Y3BpdG9w\\u{7}\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{8}\\u{9b}1m\\u{202e}txt.exe\\u{2066}x\\u{2069}\u{200d}";
/// `RAW` inside a JSON string.
const IN_JSON: &str = "\\u001b]52;c;Y3BpdG9w\\u0007\\u001b]0;pwned\\u0007\\u001b[2J\\b\\u009b1m\\u202etxt.exe\\u2066x\\u2069\u{200d}";

/// Characters a terminal acts on, other than those in `allowed`: C0, DEL, C1, bidi controls.
fn raw_controls(s: &str, allowed: &[char]) -> Vec<char> {
    s.chars()
        .filter(|c| !allowed.contains(c))
        .filter(|&c| {
            c < ' '
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("output is UTF-8")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text(&out.stdout)
}

/// Neither stream holds a raw control (CSV lines end in CRLF).
fn assert_neutral(out: &Output, csv: bool) {
    let allowed: &[char] = if csv { &['\n', '\r'] } else { &['\n'] };
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(
        raw_controls(&stdout, allowed),
        Vec::<char>::new(),
        "stdout:\n{stdout:?}"
    );
    assert_eq!(
        raw_controls(&stderr, &['\n']),
        Vec::<char>::new(),
        "stderr:\n{stderr:?}"
    );
    if csv {
        assert_eq!(
            stdout.matches('\r').count(),
            stdout.matches("\r\n").count(),
            "{stdout:?}"
        );
    }
}

/// Runs `cpitop --config … ARGS` (off the async workers, which serve the sim).
struct Cli {
    root: PathBuf,
    cfg: PathBuf,
    secret: String,
}

impl Cli {
    async fn run(&self, args: &str) -> Output {
        let (root, cfg, secret) = (self.root.clone(), self.cfg.clone(), self.secret.clone());
        let args: Vec<String> = args.split(' ').map(str::to_string).collect();
        tokio::task::spawn_blocking(move || {
            Command::new(assert_cmd::cargo::cargo_bin!("cpitop"))
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", &root)
                .env("XDG_CACHE_HOME", root.join("cache"))
                .env("XDG_STATE_HOME", root.join("state"))
                .env("SIM_SECRET", &secret)
                .env("RUST_BACKTRACE", "0")
                .env("NO_COLOR", "1")
                .arg("--config")
                .arg(&cfg)
                .args(args)
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    }
}

async fn sim_with(fault: FaultKind, dir: &Path) -> (SimHandle, Cli) {
    let sim = spawn(SimConfig {
        message_rate: 0.0,
        history: std::time::Duration::from_secs(2 * 3600),
        history_messages: Some(200),
        faults: vec![FaultRule::new(fault)],
        ..SimConfig::default()
    })
    .await
    .expect("sim starts");
    let cli = Cli {
        root: dir.to_path_buf(),
        cfg: config_for(&sim, dir),
        secret: sim.client_secret.clone(),
    };
    (sim, cli)
}

/// The values of `field` in a `get … -o json` answer, each without the fault's suffix (which
/// every one must carry, as the tenant sent it).
fn bases(json: &str, field: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(json).expect("stdout is JSON");
    // `get queues` answers an object with the rows under "queues" (beside the broker).
    let rows = doc.get("queues").unwrap_or(&doc).as_array().expect("an array");
    assert!(!rows.is_empty(), "{json}");
    rows.iter()
        .filter_map(|r| r[field].as_str())
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.strip_suffix(RAW)
                .unwrap_or_else(|| panic!("{field} {v:?} carries the fault's text"))
                .to_string()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_text_in_tables_csv_and_json_is_neutralised_byte_exact() {
    assert_eq!(CONTROL_TEXT, RAW, "the sim sends what this test spells out");
    let dir = tempfile::tempdir().unwrap();
    let (sim, cli) = sim_with(FaultKind::ControlChars { as_error: false }, dir.path()).await;

    // (command, a JSON field / column id holding tenant text)
    for (what, field) in [
        ("artifacts", "name"),
        ("artifacts", "deployed_by"),
        // (the iflow column is the iFlow's id, which CPI restricts to [A-Za-z0-9_.-])
        ("messages --since 3h", "sender"),
        ("messages --since 3h", "receiver"),
        ("queues", "name"),
    ] {
        let json_out = cli.run(&format!("get {what} -o json")).await;
        let json = ok(&json_out);
        assert_neutral(&json_out, false);
        let names = bases(&json, field);
        assert!(!names.is_empty(), "{what}: some {field}");
        let first = &names[0];
        assert!(
            json.contains(&format!("\"{field}\": \"{first}{IN_JSON}\"")),
            "{what}: JSON escapes C1 and bidi: {json}"
        );

        let table_out = cli.run(&format!("get {what}")).await;
        let table = ok(&table_out);
        assert_neutral(&table_out, false);
        for n in &names {
            assert!(
                table.contains(&format!("{n}{SHOWN}")),
                "{what}: {field} {n:?} shown neutralised:\n{table}"
            );
        }

        let csv_out = cli.run(&format!("get {what} -o csv")).await;
        let csv = ok(&csv_out);
        assert_neutral(&csv_out, true);
        for n in &names {
            // A value with a comma (a multicast message's receivers, `"A,B"`) is quoted.
            assert!(
                csv.contains(&format!(",{n}{SHOWN},"))
                    || csv.contains(&format!("\r\n{n}{SHOWN},"))
                    || (n.contains(',') && csv.contains(&format!(",\"{n}{SHOWN}\","))),
                "{what}: {field} {n:?} in the CSV:\n{csv}"
            );
        }
    }

    // A message's detail: the error text (plain text from the tenant) and names neutralised.
    let failed = cli.run("get messages --since 3h --status FAILED -o json").await;
    let rows: Value = serde_json::from_str(&ok(&failed)).expect("JSON");
    let guid = rows[0]["message_id"]
        .as_str()
        .expect("a failed message")
        .to_string();
    let detail = cli.run(&format!("get message {guid}")).await;
    let doc = ok(&detail);
    assert_neutral(&detail, false);
    // The error section's last line: the tenant's text ends there (after its MPL-ID sentence).
    let error_line = doc
        .lines()
        .skip_while(|l| !l.starts_with("── Error"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .last()
        .unwrap_or_else(|| panic!("the error text:\n{doc}"));
    assert!(error_line.ends_with(SHOWN), "{error_line:?}");
    assert!(
        doc.lines()
            .any(|l| l.starts_with("Sender ") && l.ends_with(SHOWN)),
        "{doc}"
    );
    let detail_json = cli.run(&format!("get message {guid} -o json")).await;
    let doc = ok(&detail_json);
    assert_neutral(&detail_json, false);
    assert!(doc.contains(&format!("{IN_JSON}\"")), "{doc}");
    let v: Value = serde_json::from_str(&doc).expect("JSON");
    assert!(v["error"].as_str().is_some_and(|e| e.ends_with(RAW)), "{doc}");

    // An artifact's detail with its deployment error (JSON error information from the tenant).
    let errs = cli.run("get artifacts --status error -o json").await;
    let rows: Value = serde_json::from_str(&ok(&errs)).expect("JSON");
    let id = rows[0]["id"].as_str().expect("an ERROR artifact").to_string();
    let detail = cli.run(&format!("get artifact {id}")).await;
    let doc = ok(&detail);
    assert_neutral(&detail, false);
    assert!(doc.matches(SHOWN).count() >= 2, "name and error text:\n{doc}");
    let detail_json = cli.run(&format!("get artifact {id} -o json")).await;
    let doc = ok(&detail_json);
    assert_neutral(&detail_json, false);
    let v: Value = serde_json::from_str(&doc).expect("JSON");
    // The deployment error is a structured object; its text carries the tenant's characters
    // (JSON-escaped), the raw body as sent.
    assert!(
        v["deployment_error"]["text"]
            .as_str()
            .is_some_and(|e| e.contains(RAW)),
        "{doc}"
    );
    assert!(doc.contains(IN_JSON), "{doc}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odata_error_messages_are_one_neutral_line_on_stderr_and_in_config_check() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, cli) = sim_with(FaultKind::ControlChars { as_error: true }, dir.path()).await;
    let quoted = format!("(Bad Request{SHOWN}): Invalid request{SHOWN} (injected by the simulated tenant).");

    for what in ["artifacts", "queues -o csv", "messages --since 1h -o json"] {
        let out = cli.run(&format!("get {what}")).await;
        assert_eq!(out.status.code(), Some(1), "get {what} fails");
        assert_neutral(&out, false);
        let stderr = text(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
        assert!(
            stderr.starts_with("error: ") && stderr.ends_with(" (tenant simt)\n"),
            "{stderr:?}"
        );
        // The client already cuts an OData message to one bounded line (controls become spaces
        // or escapes there); either way no raw control reaches stderr (`assert_neutral`).
        assert!(
            stderr.contains(&quoted)
                || (stderr.contains("Invalid request")
                    && stderr.contains("(injected by the simulated tenant).")),
            "get {what}: {stderr:?}"
        );
    }

    let out = cli.run("config check").await;
    assert!(!out.status.success(), "config check fails");
    let stdout = text(&out.stdout);
    assert_eq!(raw_controls(&stdout, &['\n']), Vec::<char>::new(), "{stdout:?}");
    // stderr is the count of failed checks (coloured by cpitop itself), no tenant text.
    assert!(!text(&out.stderr).contains("pwned"), "{}", text(&out.stderr));
    let line = stdout
        .lines()
        .find(|l| l.starts_with("✗ simt  "))
        .unwrap_or_else(|| panic!("a failed tenant line:\n{stdout}"));
    assert!(
        line.ends_with(&quoted) || line.ends_with("(injected by the simulated tenant)."),
        "{line:?}"
    );
    sim.shutdown().await;
}
