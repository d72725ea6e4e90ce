//! `cpitop config check` against the simulated tenant: good OAuth (env), Basic (command) and
//! service-key tenants pass; a wrong secret is reported plainly; no secret reaches the output or
//! the log.

use crate::fsx;
use fsx::{files, owner_only};

use assert_cmd::Command;
use cpitop::sim::{SimConfig, spawn};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_check_against_the_simulated_tenant() {
    let sim = spawn(SimConfig {
        message_rate: 0.0,
        history_messages: Some(50),
        ..SimConfig::default()
    })
    .await
    .expect("sim starts");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let pw_file = root.join("pw.txt");
    std::fs::write(&pw_file, format!("{}\n", sim.password)).unwrap();
    let key = root.join("key.json");
    std::fs::write(
        &key,
        format!(
            r#"{{"oauth":{{"clientid":"{}","clientsecret":"{}","url":"{}","tokenurl":"{}"}}}}"#,
            sim.client_id, sim.client_secret, sim.base_url, sim.token_url
        ),
    )
    .unwrap();
    let wrong_secret = "wrong-secret-0d9f3a";
    let cfg = root.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"
[defaults.limits]
max_retries = 0

[tenants.sim-oauth]
url = "{url}"
auth = {{ client_id = "{id}", token_url = "{token}", client_secret_env = "SIM_SECRET" }}

[tenants.sim-basic]
url = "{url}"
auth = {{ username = "{user}", password_command = "cat '{pw}'" }}

[tenants.sim-key]
service_key = "key.json"

[tenants.sim-wrong]
url = "{url}"
auth = {{ client_id = "{id}", token_url = "{token}", client_secret_env = "WRONG_SECRET" }}
"#,
            url = sim.base_url,
            id = sim.client_id,
            token = sim.token_url,
            user = sim.username,
            pw = pw_file.display(),
        ),
    )
    .unwrap();
    for f in [&cfg, &key, &pw_file] {
        owner_only(f);
    }

    let run = {
        let (root, cfg, secret) = (root.clone(), cfg.clone(), sim.client_secret.clone());
        move |args: &'static [&'static str]| {
            Command::new(assert_cmd::cargo::cargo_bin!("cpitop"))
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", &root)
                .env("XDG_CACHE_HOME", root.join("cache"))
                .env("XDG_STATE_HOME", root.join("state"))
                .env("SIM_SECRET", &secret)
                .env("WRONG_SECRET", wrong_secret)
                .env("RUST_BACKTRACE", "0")
                .env("NO_COLOR", "1")
                .arg("--config")
                .arg(&cfg)
                .args(args)
                .output()
                .unwrap()
        }
    };
    let run2 = run.clone();
    let all = tokio::task::spawn_blocking(move || run(&["config", "check", "--log-level", "trace"]))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&all.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&all.stderr).into_owned();
    assert!(!all.status.success(), "the wrong secret fails the check");
    assert!(stderr.contains("1 of 4 tenant check(s) failed"), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    assert!(
        lines[0].starts_with("✓ ") && lines[0].ends_with("config.toml: valid, 4 tenant(s)"),
        "{stdout}"
    );
    assert!(lines[1].starts_with("✓ sim-oauth  token ok, "), "{stdout}");
    assert!(lines[1].contains(" runtime artifact(s) ("), "{stdout}");
    assert!(lines[2].starts_with("✓ sim-basic  basic auth ok, "), "{stdout}");
    assert!(lines[3].starts_with("✓ sim-key    token ok, "), "{stdout}");
    assert!(
        lines[4].starts_with("✗ sim-wrong  the token endpoint "),
        "{stdout}"
    );
    assert!(
        lines[4].contains("/oauth/token refused the client credentials (HTTP 401"),
        "{stdout}"
    );
    // All tenants see the same artifacts: the counts agree and are not zero.
    let count = |l: &str| {
        l.split(", ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .map(str::to_string)
    };
    let n = count(lines[1]).unwrap();
    assert_ne!(n, "0");
    assert_eq!(count(lines[2]).unwrap(), n);
    assert_eq!(count(lines[3]).unwrap(), n);

    let secrets = [sim.client_secret.as_str(), sim.password.as_str(), wrong_secret];
    for s in secrets {
        assert!(!stdout.contains(s) && !stderr.contains(s), "secret in output");
    }
    let logs = files(&root.join("state"));
    assert!(!logs.is_empty());
    for f in logs {
        let text = std::fs::read_to_string(&f).unwrap();
        for s in secrets {
            assert!(!text.contains(s), "secret {s} in log {}", f.display());
        }
    }

    // --tenant narrows the check: the good tenant alone passes.
    let one = tokio::task::spawn_blocking(move || run2(&["config", "check", "--tenant", "sim-key"]))
        .await
        .unwrap();
    assert!(one.status.success(), "{}", String::from_utf8_lossy(&one.stderr));
    assert_eq!(String::from_utf8_lossy(&one.stdout).lines().count(), 2);
    sim.shutdown().await;
}
