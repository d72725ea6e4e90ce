//! `cpitop get tenants`, `cpitop get drift [--landscape]` and `cpitop check --all-tenants` (and
//! `check` of one tenant with `version_drift`) as the binary, against several simulated tenants
//! at once configured in a config file: landscape `eu` dev → test → prod (prod drifted),
//! landscape `us` with one tenant down and one whose secret is wrong (401).

use assert_cmd::Command;
use cpitop::sim::{DownMode, SimConfig, SimHandle, Stage, spawn};
use serde_json::Value;

use crate::fsx::owner_only;

fn quick(c: SimConfig) -> SimConfig {
    SimConfig {
        message_rate: 1.0,
        history: std::time::Duration::from_secs(3600),
        history_messages: Some(1_500),
        ..c
    }
}

struct Fleet {
    sims: Vec<SimHandle>,
    root: tempfile::TempDir,
}

fn tenant(name: &str, env: &str, landscape: &str, sim: &SimHandle, secret_env: &str) -> String {
    format!(
        r#"
[tenants.{name}]
environment = "{env}"
landscape = "{landscape}"
url = "{url}"
auth = {{ client_id = "{id}", token_url = "{token}", client_secret_env = "{secret_env}" }}
"#,
        url = sim.base_url,
        id = sim.client_id,
        token = sim.token_url,
    )
}

const MONITORS: &str = r#"
[[monitors.defaults]]
key = "drift"
name = "Version drift"
rules = [{ kind = "version_drift", for = "1d" }]
"#;

async fn fleet(extra: &str) -> Fleet {
    let seed = 7;
    let dev = spawn(quick(SimConfig::landscape_stage(seed, Stage::Dev)))
        .await
        .unwrap();
    let test = spawn(quick(SimConfig::landscape_stage(seed, Stage::Test)))
        .await
        .unwrap();
    let prod = spawn(quick(SimConfig::landscape_stage(seed, Stage::Prod)))
        .await
        .unwrap();
    let down = spawn(quick(SimConfig {
        seed: 31,
        ..SimConfig::default()
    }))
    .await
    .unwrap();
    down.admin().tenant_down(DownMode::Unavailable);
    let root = tempfile::tempdir().unwrap();
    let mut cfg = String::from("[defaults.limits]\nmax_retries = 0\n");
    cfg.push_str(&tenant("eu-dev", "dev", "eu", &dev, "DEV_SECRET"));
    cfg.push_str(&tenant("eu-test", "test", "eu", &test, "TEST_SECRET"));
    cfg.push_str(&tenant("eu-prod", "prod", "eu", &prod, "PROD_SECRET"));
    cfg.push_str(&tenant("us-prod", "prod", "us", &down, "DOWN_SECRET"));
    cfg.push_str(&tenant("us-dev", "dev", "us", &dev, "WRONG_SECRET"));
    cfg.push_str(MONITORS);
    cfg.push_str(extra);
    let file = root.path().join("config.toml");
    std::fs::write(&file, cfg).unwrap();
    owner_only(&file);
    Fleet {
        sims: vec![dev, test, prod, down],
        root,
    }
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Fleet {
    /// Run the binary with this fleet's config (off the async workers: the sims run there).
    async fn run(&self, args: &[&str]) -> Out {
        let root = self.root.path().to_path_buf();
        let secrets: Vec<String> = self.sims.iter().map(|s| s.client_secret.clone()).collect();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        tokio::task::spawn_blocking(move || {
            let o = Command::new(assert_cmd::cargo::cargo_bin!("cpitop"))
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", &root)
                .env("XDG_CACHE_HOME", root.join("cache"))
                .env("XDG_STATE_HOME", root.join("state"))
                .env("DEV_SECRET", &secrets[0])
                .env("TEST_SECRET", &secrets[1])
                .env("PROD_SECRET", &secrets[2])
                .env("DOWN_SECRET", &secrets[3])
                .env("WRONG_SECRET", "wrong-secret-7e1")
                .env("NO_COLOR", "1")
                .env("RUST_BACKTRACE", "0")
                .arg("--config")
                .arg(root.join("config.toml"))
                .args(&args)
                .output()
                .unwrap();
            Out {
                code: o.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            }
        })
        .await
        .unwrap()
    }

    async fn stop(self) {
        for s in self.sims {
            s.shutdown().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_tenants_and_drift_read_every_tenant_at_once() {
    let f = fleet("").await;

    // get tenants: one row per tenant, worst first, each with its state and reason.
    let o = f.run(&["get", "tenants"]).await;
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(lines[0].starts_with("TENANT "), "{}", o.stdout);
    let state = |t: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{t} ")))
            .unwrap_or_else(|| panic!("{t} listed: {}", o.stdout))
            .split_whitespace()
            .nth(2)
            .unwrap()
            .to_string()
    };
    assert_eq!(state("us-dev"), "UNAUTHORISED");
    assert_eq!(state("us-prod"), "DOWN");
    for t in ["eu-dev", "eu-test", "eu-prod"] {
        assert_eq!(state(t), "up", "{}", o.stdout);
    }
    let order: Vec<&str> = lines[1..]
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        &order[..2],
        ["us-prod", "us-dev"],
        "unreachable first, prod first"
    );
    assert!(o.stderr.contains("5 tenants, 2 not reachable"), "{}", o.stderr);

    // JSON: the tenant records, typed.
    let o = f.run(&["get", "tenants", "-o", "json"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    let prod = rows.iter().find(|r| r["tenant"] == "eu-prod").unwrap();
    assert_eq!(prod["environment"], "prod");
    assert_eq!(prod["landscape"], "eu");
    assert_eq!(prod["state"], "up");
    assert!(prod["not_started"].as_u64().unwrap() > 0, "{prod}");
    assert!(prod["failed"].is_u64() && prod["dlq_messages"].is_u64(), "{prod}");
    assert_eq!(prod["failed_window_ms"], 3_600_000);
    assert!(prod["reason"].is_null() && prod["stale"] == false, "{prod}");
    let down = rows.iter().find(|r| r["tenant"] == "us-prod").unwrap();
    assert_eq!(down["state"], "down");
    assert!(down["reason"].as_str().unwrap().contains("127.0.0.1"), "{down}");
    assert!(down["not_started"].is_null(), "nothing known is null: {down}");
    let refused = rows.iter().find(|r| r["tenant"] == "us-dev").unwrap();
    assert_eq!(refused["state"], "unauthorised");

    // get drift --landscape eu: the artifacts side by side, marked rows first.
    let o = f.run(&["get", "drift", "--landscape", "eu"]).await;
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(
        lines[0], "landscape eu: 62 artifact(s), 4 with differing versions, 6 marked",
        "{}",
        o.stdout
    );
    let titles: Vec<&str> = lines[1]
        .split("  ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(
        titles,
        ["ARTIFACT", "eu-dev DEV", "eu-test TEST", "eu-prod PROD", "DRIFT"],
        "dev → test → prod"
    );
    assert!(lines[2].starts_with("!  PriceList_Sync "), "{}", o.stdout);
    assert!(lines[2].ends_with("not started in PROD"), "{}", o.stdout);
    assert!(
        lines[3].starts_with("!  Returns_Inbound ") && lines[3].contains("—"),
        "{}",
        o.stdout
    );
    assert!(lines[4].starts_with("≠  "), "{}", o.stdout);

    // JSON: each landscape with its tenants and each artifact's cells, known or not.
    let o = f.run(&["get", "drift", "--landscape", "eu", "-o", "json"]).await;
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let l = &v[0];
    assert_eq!(l["landscape"], "eu");
    assert_eq!(
        (l["differing"].as_u64(), l["marked"].as_u64()),
        (Some(4), Some(6))
    );
    assert_eq!(
        l["tenants"][2],
        serde_json::json!({ "tenant": "eu-prod", "environment": "prod", "known": true })
    );
    let returns = l["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "Returns_Inbound")
        .unwrap();
    assert_eq!(returns["missing_in_prod"], true);
    let cell = |t: &str| {
        returns["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["tenant"] == t)
            .unwrap()
            .clone()
    };
    assert_eq!(cell("eu-prod")["deployed"], false);
    assert!(cell("eu-prod")["version"].is_null());
    assert_eq!(cell("eu-dev")["status"], "STARTED");
    assert!(cell("eu-dev")["deployed_on"].as_str().unwrap().ends_with('Z'));

    // CSV: one line per artifact, each tenant's side as compact JSON.
    let o = f.run(&["get", "drift", "--landscape", "eu", "-o", "csv"]).await;
    let mut csv = o.stdout.lines();
    assert_eq!(
        csv.next(),
        Some("landscape,id,name,type,versions_differ,missing_in_prod,not_started_in_prod,versions,tenants")
    );
    assert_eq!(csv.count(), 62);

    // Every landscape: us's tenants could not be read — printed as unknown, named, exit 2.
    let o = f.run(&["get", "drift"]).await;
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("landscape us: 0 artifact(s)"), "{}", o.stdout);
    assert!(
        o.stderr
            .contains("note: artifacts not read from tenant us-prod: "),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("note: artifacts not read from tenant us-dev: "),
        "{}",
        o.stderr
    );

    // An unknown landscape: one line, the known ones named.
    let o = f.run(&["get", "drift", "--landscape", "emea"]).await;
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stderr.trim(),
        "error: no landscape `emea` in the config (landscapes: eu, us); set `landscape = \"emea\"` on its tenants"
    );
    // No secret anywhere.
    for s in &f.sims {
        assert!(!o.stdout.contains(&s.client_secret) && !o.stderr.contains(&s.client_secret));
    }
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_all_tenants_exits_with_the_worst_and_version_drift_compares_the_landscape() {
    let f = fleet("").await;
    let o = f.run(&["check", "--all-tenants", "--format", "json"]).await;
    let v: Value =
        serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", o.stdout, o.stderr));
    let tenants = v["tenants"].as_array().unwrap();
    assert_eq!(tenants.len(), 5);
    let status = |t: &str| {
        let r = tenants.iter().find(|r| r["tenant"] == t).unwrap();
        (
            r["status"].as_str().unwrap().to_string(),
            r["monitors"][0]["text"].as_str().unwrap_or("").to_string(),
        )
    };
    // The eu tenants drift (for longer than a day): warning, naming the others' versions.
    for t in ["eu-dev", "eu-test", "eu-prod"] {
        let (st, text) = status(t);
        assert_eq!(st, "warning", "{t}: {text}");
        assert!(
            text.contains("drift in landscape eu") && text.contains("Orders_Inbound"),
            "{t}: {text}"
        );
    }
    let (_, prod) = status("eu-prod");
    assert!(prod.contains("in eu-dev"), "{prod}");
    // The us tenants cannot be read: not calculated.
    assert_eq!(status("us-prod").0, "not_calculated");
    assert_eq!(status("us-dev").0, "not_calculated");
    // Warning outranks unknown: exit 1.
    assert_eq!(v["exit_code"], 1);
    assert_eq!(o.code, 1, "{}", o.stderr);
    // The drift tracker is kept per landscape for the next run.
    assert!(f.root.path().join("state/cpitop/drift-tracker-eu.json").exists());

    // Text: each tenant's report, then the worst.
    let o = f.run(&["check", "--all-tenants"]).await;
    assert_eq!(o.code, 1);
    assert!(o.stdout.starts_with("eu-dev at "), "{}", o.stdout);
    assert!(
        o.stdout.ends_with("5 tenant(s): WARNING (exit 1)\n"),
        "{}",
        o.stdout
    );

    // One tenant's check reads its landscape's other tenants for version_drift.
    let o = f.run(&["check", "--tenant", "eu-prod"]).await;
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("WARNING  Version drift"), "{}", o.stdout);
    assert!(o.stdout.contains("drift in landscape eu: "), "{}", o.stdout);
    assert!(
        o.stdout.contains(" in eu-dev") && o.stdout.contains(" in eu-test"),
        "{}",
        o.stdout
    );
    // In us, the down tenant's peer cannot be read: said so, not calculated.
    let o = f.run(&["check", "--tenant", "us-prod"]).await;
    assert_eq!(o.code, 3, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("UNKNOWN  Version drift"), "{}", o.stdout);
    assert!(
        o.stdout.contains("note: landscape us: artifacts of us-dev: "),
        "{}",
        o.stdout
    );
    f.stop().await;

    // An error on one tenant outranks the others' warnings: exit 2.
    let f = fleet(
        r#"
[[monitors.tenants.eu-prod]]
key = "pricelist"
name = "Price list sync"
scope = { iflow = "PriceList_Sync" }
rules = [{ kind = "not_started", severity = "error" }]
"#,
    )
    .await;
    let o = f.run(&["check", "--all-tenants"]).await;
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("ERROR    Price list sync"), "{}", o.stdout);
    f.stop().await;
}
