//! `cpitop serve`'s security and config: a non-loopback `--listen` without a token refuses to
//! start (one line, before binding anything); with a token every endpoint but `/healthz` wants
//! the bearer; `[serve]` mistakes are located errors of `cpitop config check`.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use cpitop::secret::Secret;

use crate::fsx;
use crate::serve_util::{get, setup, start};

fn cmd(root: &Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("cpitop"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", root.join("home"))
        .env("XDG_CONFIG_HOME", root.join("xdg-config"))
        .env("XDG_CACHE_HOME", root.join("xdg-cache"))
        .env("XDG_STATE_HOME", root.join("xdg-state"))
        .env("RUST_BACKTRACE", "0")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(60));
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_non_loopback_listen_without_a_token_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = cmd(dir.path())
        .args(["serve", "--demo", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with("cpitop serve: refusing to listen on 0.0.0.0:0 without a bearer token"),
        "{err}"
    );
    assert!(err.contains("token_env or token_command"), "{err}");

    // A token configured but not resolvable is one line too, naming the source, not a value.
    let config = dir.path().join("serve.toml");
    fsx::write_private(&config, "[serve]\ntoken_env = \"CPITOP_TEST_SERVE_TOKEN\"\n");
    let out = cmd(dir.path())
        .args(["serve", "--demo", "--listen", "0.0.0.0:0", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim_end(),
        "cpitop serve: the [serve] token variable $CPITOP_TEST_SERVE_TOKEN is not set"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_process_the_same_refusal_and_no_bind() {
    let mut s = setup(Vec::new(), "");
    s.config.listen = "0.0.0.0:0".parse().unwrap();
    let e = cpitop::serve::start(s).await.err().expect("refused");
    assert!(e.starts_with("refusing to listen on 0.0.0.0:0"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_token_every_endpoint_but_healthz_wants_the_bearer() {
    let mut s = setup(Vec::new(), "");
    s.token = Some(Secret::new("s3cret-token-123"));
    let handle = start(s).await;
    let addr = handle.addr;
    assert_eq!(get(addr, "/healthz", &[]).await.0, 200);
    for path in ["/metrics", "/readyz", "/events", "/", "/nope"] {
        let (status, body) = get(addr, path, &[]).await;
        assert_eq!(status, 401, "{path} without a token: {body}");
        let (status, _) = get(addr, path, &[("authorization", "Bearer wrong-token-123")]).await;
        assert_eq!(status, 401, "{path} with a wrong token");
        let (status, _) = get(addr, path, &[("authorization", "Basic czNjcmV0LXRva2VuLTEyMw==")]).await;
        assert_eq!(status, 401, "{path} with another scheme");
    }
    let bearer = [("authorization", "Bearer s3cret-token-123")];
    assert_eq!(get(addr, "/metrics", &bearer).await.0, 200);
    assert_eq!(get(addr, "/readyz", &bearer).await.0, 200);
    assert_eq!(get(addr, "/", &bearer).await.0, 200);
    // The scheme is case-insensitive.
    assert_eq!(
        get(addr, "/metrics", &[("authorization", "bearer s3cret-token-123")])
            .await
            .0,
        200
    );
    // /events without the bearer: no upgrade; with it: a WebSocket.
    let refused = tokio_tungstenite::connect_async(format!("ws://{addr}/events")).await;
    assert!(refused.is_err(), "a WebSocket without the token is refused");
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let mut req = format!("ws://{addr}/events").into_client_request().unwrap();
    req.headers_mut()
        .insert("authorization", "Bearer s3cret-token-123".parse().unwrap());
    let (_ws, resp) = tokio_tungstenite::connect_async(req)
        .await
        .expect("WebSocket with the token");
    assert_eq!(resp.status().as_u16(), 101);
    handle.shutdown().await;
}

#[test]
fn config_check_reports_serve_mistakes_precisely() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("xdg-config/cpitop/config.toml");
    let tenant = "[tenants.dev]\nurl = \"https://dev.example.com\"\n[tenants.dev.auth]\nusername = \"u\"\npassword_env = \"CPITOP_TEST_PW\"\n";
    fsx::write_private(
        &config,
        &format!("{tenant}[serve]\nlisten = \"127.0.0.1:9464\"\nmax_iflow = 5\n"),
    );
    let out = cmd(dir.path())
        .env("CPITOP_TEST_PW", "pw")
        .args(["config", "check", "--offline"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains(&format!(
            "✗ serve: {}:8:1: unknown key `serve.max_iflow`; did you mean `max_iflows`?",
            config.display()
        )),
        "{text}"
    );
    assert!(stderr(&out).contains("[serve] is not valid"), "{}", stderr(&out));

    fsx::write_private(
        &config,
        &format!(
            "{tenant}[serve]\nlisten = \"0.0.0.0:9464\"\ntoken_env = \"T\"\n[serve.otlp]\nendpoint = \"http://127.0.0.1:4318\"\n"
        ),
    );
    let out = cmd(dir.path())
        .env("CPITOP_TEST_PW", "pw")
        .args(["config", "check", "--offline"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("✓ serve: listen 0.0.0.0:9464, bearer token from $T, caps 200 iFlows / 100 queues / 100 certificates / 50 error signatures per tenant, OTLP to http://127.0.0.1:4318 every 30s (0 header(s))"),
        "{text}"
    );
}
