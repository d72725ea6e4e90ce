//! A secret given by each of the three means (environment variable, command, service-key file)
//! appears in no log line, cache file, command output or error text.

use crate::fsx;
use fsx::{files, owner_only};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use cpitop::config::{Cache, Config, Paths};

const ENV_SECRET: &str = "leak-env-7c1f9a2b";
const CMD_SECRET: &str = "leak-cmd-3e8d5b60";
const KEY_SECRET: &str = "leak-key-94a0c2f1";
const SECRETS: [&str; 3] = [ENV_SECRET, CMD_SECRET, KEY_SECRET];

/// Every file below `dir`, recursively.
fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} contains secret {s}:\n{text}");
    }
}

/// Config with three tenants whose secrets come from env / command / service key, all pointing
/// at `api` (a base URL).
fn write_config(root: &Path, api: &str) -> PathBuf {
    let secret_file = root.join("pw.txt");
    std::fs::write(&secret_file, format!("{CMD_SECRET}\n")).unwrap();
    let key = root.join("key.json");
    std::fs::write(
        &key,
        format!(r#"{{"oauth":{{"clientid":"key-client","clientsecret":"{KEY_SECRET}","url":"{api}","tokenurl":"{api}/oauth/token"}}}}"#),
    )
    .unwrap();
    let cfg = root.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"
[defaults.limits]
max_retries = 0
connect_timeout = "2s"
request_timeout = "5s"

[tenants.by-env]
url = "{api}"
auth = {{ client_id = "env-client", token_url = "{api}/oauth/token", client_secret_env = "LEAK_ENV_SECRET" }}

[tenants.by-cmd]
url = "{api}"
auth = {{ username = "cmd-user", password_command = "cat '{}'" }}

[tenants.by-key]
service_key = "{}"
"#,
            secret_file.display(),
            key.display()
        ),
    )
    .unwrap();
    for f in [&cfg, &key, &secret_file] {
        owner_only(f);
    }
    cfg
}

fn closed_port_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn secrets_resolve_but_never_show_in_debug_errors_or_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &closed_port_url());
    let config = Config::load_file(&cfg).unwrap();
    assert_clean("config Debug", &format!("{config:?}"));
    let paths = Paths::under(dir.path());
    let env = |k: &str| (k == "LEAK_ENV_SECRET").then(|| ENV_SECRET.to_string());
    for t in &config.tenants {
        let (conn, warnings) = t.to_conn_with(&env).unwrap();
        // The secret really was resolved ...
        let exposed = match &conn.auth {
            cpitop::cpi::conn::Auth::OAuth { client_secret, .. } => client_secret.expose().to_string(),
            cpitop::cpi::conn::Auth::Basic { password, .. } => password.expose().to_string(),
        };
        assert!(SECRETS.contains(&exposed.as_str()), "{}", t.name);
        // ... but shows nowhere.
        assert_clean("TenantConn Debug", &format!("{conn:?}"));
        assert_clean("warnings", &format!("{warnings:?}"));
        // What the app caches about a tenant: everything it knows that is serialisable.
        let cache = Cache::for_tenant(&paths, &t.name, &conn.base_url);
        cache
            .save(
                "tenant",
                &(
                    conn.name.clone(),
                    conn.base_url.clone(),
                    format!("{:?}", conn.auth),
                ),
            )
            .unwrap();
    }
    // Errors of a failing resolution of each kind.
    let bad = |text: &str| Config::parse(text, &cfg).map(|_| ()).unwrap_err().to_string();
    assert_clean(
        "syntax error",
        &bad(&format!("[tenants.x.auth]\nclient_secret = \"{ENV_SECRET}\n")),
    );
    assert_clean(
        "type error",
        &bad(&format!(
            "[tenants.x]\nurl = \"https://x\"\nauth = {{ username = \"u\", password = [\"{CMD_SECRET}\"] }}\n"
        )),
    );
    for f in files(&paths.cache_dir) {
        assert_clean(
            &f.display().to_string(),
            &String::from_utf8_lossy(&std::fs::read(&f).unwrap()),
        );
    }
    assert!(!files(&paths.cache_dir).is_empty());
}

#[test]
fn config_check_logs_and_output_hold_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &closed_port_url());
    let out = Command::new(assert_cmd::cargo::cargo_bin!("cpitop"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("LEAK_ENV_SECRET", ENV_SECRET)
        .env("RUST_BACKTRACE", "0")
        .args(["config", "check", "--log-level", "trace", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "nothing listens there");
    assert_eq!(stdout.matches("✗ by-").count(), 3, "{stdout}");
    assert_clean("stdout", &stdout);
    assert_clean("stderr", &stderr);
    let logs = files(&dir.path().join("state"));
    assert!(!logs.is_empty());
    let mut lines = 0;
    for f in logs {
        let text = std::fs::read_to_string(&f).unwrap();
        lines += text.lines().count();
        assert_clean(&f.display().to_string(), &text);
    }
    assert!(lines > 3, "trace logging produced output");
}

/// The TUI's path: start on the tenant whose secret comes from the environment, fill every pane,
/// switch (`:ctx`) to the command and the service-key tenants through the real effect runner
/// (secrets resolved, clients built, caches saved before and after each switch), quit (final
/// save). No file in the cache or state dir holds any of the three secrets.
#[test]
fn tui_cache_files_hold_no_secret() {
    use cpitop::app::msg::{DataMsg, Effect, Msg};
    use cpitop::app::tenant::{self, TenantConfig};
    use cpitop::app::{Keymap, State, update};
    use cpitop::tui::effects::EffectRunner;
    use std::sync::Arc;
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &closed_port_url());
    let config = Config::load_file(&cfg).unwrap();
    let root = dir.path().to_path_buf();
    let paths = Paths::resolve(Some(&cfg), |k| match k {
        "XDG_CACHE_HOME" => Some(root.join("cache").into_os_string()),
        "XDG_STATE_HOME" => Some(root.join("state").into_os_string()),
        _ => None,
    })
    .unwrap();
    let env = |k: &str| (k == "LEAK_ENV_SECRET").then(|| ENV_SECRET.to_string());
    let first = config.tenant("by-env").unwrap().clone();
    let (conn, _) = first.to_conn_with(&env).unwrap();
    let (info, intervals, _) = tenant::setup_of(&first, false, &conn.base_url);
    // Every tenant of this config is at the same URL (the cache key is name and URL).
    let url = conn.base_url.clone();
    let tc = Arc::new(TenantConfig {
        paths: paths.clone(),
        config,
        force_read_only: false,
    });

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(256);
        let mut runner = EffectRunner::new(cpitop::cpi::client::CpiClient::new(conn).unwrap(), tx);
        runner.set_tenants(Some(tc.clone()));
        let mut sink = std::io::sink();
        let now = chrono::Utc::now().timestamp_millis();
        let mut s = State::new(info, Keymap::defaults(), now);
        s.intervals = intervals;
        for e in tenant::install(&mut s, Some(&tc), "by-env", &url) {
            runner.run(e, &mut sink);
        }
        let mut step = |s: &mut State, runner: &mut EffectRunner, m: Msg| {
            for e in update(s, m) {
                runner.run(e, &mut sink);
            }
        };
        let fill = |s: &State, tag: &str| {
            let artifact = cpitop::cpi::model::RuntimeArtifact {
                id: format!("{tag}_Flow"),
                version: "1.0.0".into(),
                name: format!("{tag} flow"),
                kind: "INTEGRATION_FLOW".into(),
                deployed_by: format!("{tag}-user"),
                deployed_on: Some(now),
                status: cpitop::cpi::model::ArtifactStatus::Error,
            };
            vec![
                Msg::Data(DataMsg::Artifacts {
                    generation: s.artifacts.load.generation,
                    at: chrono::Utc::now().timestamp_millis(),
                    result: Ok(vec![artifact]),
                }),
                Msg::Data(DataMsg::ArtifactError {
                    id: format!("{tag}_Flow"),
                    result: Ok(Some(format!("{tag}: deployment failed"))),
                }),
            ]
        };
        step(&mut s, &mut runner, Msg::Resize(120, 40));
        for target in ["by-cmd", "by-key"] {
            for m in fill(&s, &s.tenant.name.clone()) {
                step(&mut s, &mut runner, m);
            }
            step(&mut s, &mut runner, Msg::Command(format!("ctx {target}")));
            let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
            while s.tenant.name != target {
                let m = tokio::time::timeout_at(deadline, rx.recv())
                    .await
                    .unwrap_or_else(|_| panic!("switch to {target} timed out"))
                    .expect("channel open");
                step(&mut s, &mut runner, m);
            }
            assert!(s.artifacts.items.is_empty(), "switch cleared the data");
        }
        for m in fill(&s, "by-key") {
            step(&mut s, &mut runner, m);
        }
        let fx = update(&mut s, Msg::Command("quit".into()));
        assert!(fx.iter().any(|e| matches!(e, Effect::SaveCache(sv) if sv.wait)));
        for e in fx {
            runner.run(e, &mut sink);
        }
        // Saves before each switch ran in the background: wait for all three tenants' files.
        let written = |t: &str| {
            cpitop::config::Cache::for_tenant(&paths, t, &url)
                .file("artifacts")
                .is_file()
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !["by-env", "by-cmd", "by-key"].iter().all(|t| written(t)) {
            assert!(
                std::time::Instant::now() < deadline,
                "caches of all three tenants written"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let cache_files = files(&paths.cache_dir);
    assert!(cache_files.len() >= 6, "{cache_files:?}");
    for f in cache_files.iter().chain(files(&paths.state_dir).iter()) {
        assert_clean(
            &f.display().to_string(),
            &String::from_utf8_lossy(&std::fs::read(f).unwrap()),
        );
    }
    // What was cached is the tenant data the TUI showed.
    let by_cmd =
        std::fs::read_to_string(cpitop::config::Cache::for_tenant(&paths, "by-cmd", &url).file("artifacts"))
            .unwrap();
    assert!(by_cmd.contains("by-cmd_Flow"), "{by_cmd}");
    assert_eq!(
        cpitop::config::state::last_tenant(&paths).as_deref(),
        Some("by-key")
    );
}
