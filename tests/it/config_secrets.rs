//! Secrets from env / command / service key / inline, the permission warnings, and errors that
//! name the source but never the secret.

use std::collections::HashMap;
use std::path::Path;

use cpitop::config::{Config, WarningKind};
use cpitop::cpi::conn::{Auth, TenantConn};

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn conn(
    config: &Config,
    tenant: &str,
    env: &HashMap<&str, &str>,
) -> Result<(TenantConn, Vec<cpitop::config::Warning>), String> {
    let lookup = |k: &str| env.get(k).map(|v| v.to_string());
    config
        .tenant(tenant)
        .unwrap()
        .to_conn_with(&lookup)
        .map_err(|e| e.to_string())
}

fn oauth_secret(c: &TenantConn) -> &str {
    match &c.auth {
        Auth::OAuth { client_secret, .. } => client_secret.expose(),
        Auth::Basic { password, .. } => password.expose(),
    }
}

const TENANTS: &str = r#"
[tenants.env]
url = "https://env.example.com"
auth = { client_id = "cid", token_url = "https://auth.example.com/oauth/token", client_secret_env = "ENV_SECRET" }

[tenants.cmd]
url = "https://cmd.example.com"
auth = { username = "robot", password_command = "printf '  cmd-secret-9f8e\n\n'" }

[tenants.failing]
url = "https://f.example.com"
auth = { username = "robot", password_command = "echo leaked-output-77 >&1; echo err-output >&2; exit 3" }

[tenants.key]
service_key = "key.json"
limits = { max_concurrency = 2 }

[tenants.keyurl]
service_key = "flat.json"
url = "https://override.example.com/"
"#;

fn setup() -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, TENANTS).unwrap();
    set_mode(&cfg, 0o600);
    let nested = r#"{"oauth":{"clientid":"sb-1!b2|it!b3","clientsecret":"key-secret-1234$AbC=","url":"https://key.example.com/","tokenurl":"https://key.auth.example.com/oauth/token"},"createdate":"2024-01-01"}"#;
    std::fs::write(dir.path().join("key.json"), nested).unwrap();
    set_mode(&dir.path().join("key.json"), 0o600);
    let flat = r#"{"clientid":"flat-id","clientsecret":"flat-secret-5678","url":"https://flat.example.com","tokenurl":"https://flat.auth.example.com/oauth/token"}"#;
    std::fs::write(dir.path().join("flat.json"), flat).unwrap();
    set_mode(&dir.path().join("flat.json"), 0o600);
    let config = Config::load_file(&cfg).unwrap();
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    (dir, config)
}

#[test]
fn secret_from_environment() {
    let (_d, c) = setup();
    let env = HashMap::from([("ENV_SECRET", "env-secret-4321")]);
    let (conn, warnings) = conn(&c, "env", &env).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(oauth_secret(&conn), "env-secret-4321");
    assert_eq!(conn.base_url, "https://env.example.com");
    assert!(
        !format!("{conn:?}").contains("env-secret-4321"),
        "Debug never shows the secret"
    );

    assert_eq!(
        conn_err(&c, "env", &HashMap::new()),
        "tenant `env`: the client secret variable $ENV_SECRET is not set; export it or change `*_env` in the config"
    );
    assert_eq!(
        conn_err(&c, "env", &HashMap::from([("ENV_SECRET", "")])),
        "tenant `env`: the client secret variable $ENV_SECRET is empty"
    );
}

fn conn_err(c: &Config, t: &str, env: &HashMap<&str, &str>) -> String {
    match conn(c, t, env) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

#[test]
fn secret_from_command_is_trimmed() {
    let (_d, c) = setup();
    let (conn, _) = conn(&c, "cmd", &HashMap::new()).unwrap();
    match &conn.auth {
        Auth::Basic { username, password } => {
            assert_eq!(username, "robot");
            assert_eq!(password.expose(), "cmd-secret-9f8e");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn failing_command_names_command_and_status_never_output() {
    let (_d, c) = setup();
    let e = conn_err(&c, "failing", &HashMap::new());
    assert_eq!(
        e,
        "tenant `failing`: the password command `echo leaked-output-77 >&1; echo err-output >&2; exit 3` exited with status 3"
    );
    assert_eq!(
        e.matches("leaked-output-77").count(),
        1,
        "only inside the quoted command, not as output"
    );
    let e =
        cpitop::config::secrets::run_secret_command("true", std::time::Duration::from_secs(5)).unwrap_err();
    assert_eq!(e, "printed nothing");
    let e = cpitop::config::secrets::run_secret_command("sleep 5", std::time::Duration::from_millis(200))
        .unwrap_err();
    assert_eq!(e, "did not finish within 200ms and was stopped");
}

#[test]
fn secret_from_service_key_nested_and_flat() {
    let (_d, c) = setup();
    let (k, warnings) = conn(&c, "key", &HashMap::new()).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(k.base_url, "https://key.example.com");
    assert_eq!(
        k.limits.max_concurrency, 2,
        "profile limits, not the key's defaults"
    );
    match &k.auth {
        Auth::OAuth {
            client_id,
            client_secret,
            token_url,
        } => {
            assert_eq!(client_id, "sb-1!b2|it!b3");
            assert_eq!(client_secret.expose(), "key-secret-1234$AbC=");
            assert_eq!(token_url, "https://key.auth.example.com/oauth/token");
        }
        other => panic!("{other:?}"),
    }
    let (f, _) = conn(&c, "keyurl", &HashMap::new()).unwrap();
    assert_eq!(
        f.base_url, "https://override.example.com",
        "explicit url wins over the key's"
    );
    assert_eq!(oauth_secret(&f), "flat-secret-5678");
}

#[test]
fn broken_service_keys_are_explained_without_content() {
    let (d, c) = setup();
    std::fs::write(
        d.path().join("key.json"),
        r#"{"oauth":{"clientid":"a","clientsecret":"topsecret-55","url":"https://t"}}"#,
    )
    .unwrap();
    let e = conn_err(&c, "key", &HashMap::new());
    assert!(
        e.starts_with(&format!(
            "tenant `key`: service key {}: the service key lacks tokenurl",
            d.path().join("key.json").display()
        )),
        "{e}"
    );
    assert!(!e.contains("topsecret-55"), "{e}");
    std::fs::remove_file(d.path().join("key.json")).unwrap();
    let e = conn_err(&c, "key", &HashMap::new());
    assert!(
        e.contains("cannot read service key") && e.contains("key.json"),
        "{e}"
    );
}

#[test]
fn readable_service_key_is_warned_about() {
    let (d, c) = setup();
    let key = d.path().join("key.json");
    set_mode(&key, 0o644);
    let (_, warnings) = conn(&c, "key", &HashMap::new()).unwrap();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].kind, WarningKind::Permissions);
    assert_eq!(
        warnings[0].message,
        format!(
            "service key {} is readable by group or others (mode 644); run `chmod 600 {}`",
            key.display(),
            key.display()
        )
    );
    set_mode(&key, 0o640);
    assert_eq!(
        conn(&c, "key", &HashMap::new()).unwrap().1.len(),
        1,
        "group-readable counts too"
    );
}

#[test]
fn inline_secret_in_readable_config_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "[tenants.a]\nurl = \"https://a\"\nauth = { username = \"u\", password = \"inline-pw-1\" }\n[tenants.b]\nurl = \"https://b\"\nauth = { username = \"u\", password_env = \"X\" }\n",
    )
    .unwrap();
    set_mode(&cfg, 0o644);
    let c = Config::load_file(&cfg).unwrap();
    assert_eq!(c.warnings.len(), 1);
    assert_eq!(
        c.warnings[0].message,
        format!(
            "{} holds inline secrets (tenants: a) and is readable by group or others; run `chmod 600 {}` or use *_env / *_command instead",
            cfg.display(),
            cfg.display()
        )
    );
    assert!(!c.warnings[0].message.contains("inline-pw-1"));
    assert!(
        !format!("{c:?}").contains("inline-pw-1"),
        "Debug of the config hides inline secrets"
    );
    let (conn, _) = c.tenant("a").unwrap().to_conn_with(&|_| None).unwrap();
    assert_eq!(oauth_secret(&conn), "inline-pw-1");
    set_mode(&cfg, 0o600);
    assert!(Config::load_file(&cfg).unwrap().warnings.is_empty());
}

#[test]
fn missing_ca_bundle_is_reported() {
    let (_d, c) = setup();
    let text = TENANTS.replace(
        "[tenants.env]\n",
        "[tenants.env]\nca_bundle = \"/nonexistent/ca.pem\"\n",
    );
    let c2 = Config::parse(&text, Path::new("/x/config.toml")).unwrap();
    drop(c);
    let e = c2
        .tenant("env")
        .unwrap()
        .to_conn_with(&|_| Some("s".into()))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "tenant `env`: CA bundle /nonexistent/ca.pem does not exist or is not a file"
    );
}
