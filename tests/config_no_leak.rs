//! A secret given by each of the three means (environment variable, command, service-key file)
//! appears in no log line, cache file, command output or error text.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use cpitop::config::{Cache, Config, Paths};

const ENV_SECRET: &str = "leak-env-7c1f9a2b";
const CMD_SECRET: &str = "leak-cmd-3e8d5b60";
const KEY_SECRET: &str = "leak-key-94a0c2f1";
const SECRETS: [&str; 3] = [ENV_SECRET, CMD_SECRET, KEY_SECRET];

/// Every file below `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

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
    use std::os::unix::fs::PermissionsExt;
    for f in [&cfg, &key, &secret_file] {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o600)).unwrap();
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
        let cache = Cache::for_tenant(&paths, &t.name);
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
