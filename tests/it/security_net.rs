//! Hostile replies against the real client, over loopback: links and redirects that would carry
//! the token elsewhere (a second listener plays the foreign host and must see no connection at
//! all), absurd numbers (`Retry-After: 1e20`, `expires_in`, a tiny configured rate), huge bodies
//! and error texts, invalid UTF-8 in one name. Most replies come from the simulated tenant's
//! hostile-reply faults (docs/sim.md); a raw TCP server sends an endless chunked body.

use crate::client_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use client_support::*;
use cpitop::cpi::conn::{Auth, TenantConn};
use cpitop::cpi::{CpiClient, CpiError, GuidPage, MplQuery, decode_guid_page};
use cpitop::secret::Secret;
use cpitop::sim::{FaultKind, FaultRule, SimConfig, SimHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A listener on 127.0.0.1 that plays a foreign host: it counts connections and answers none.
struct Foreign {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl Foreign {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = connections.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                seen.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        Self { port, connections }
    }
    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// `sim_conn` with a generous request timeout: the sim builds multi-MB hostile replies in a
/// debug build on a loaded machine, and a timeout would be retried without the (one-shot) fault.
fn conn(h: &SimHandle) -> TenantConn {
    let mut c = sim_conn(h);
    c.limits.request_timeout = Duration::from_secs(60);
    c
}

async fn small_sim() -> SimHandle {
    sim(200, 2, 0.0).await
}

/// One artifact-list call with `rule` active (fired once), the sim's faults cleared after.
async fn artifacts_with(h: &SimHandle, c: &CpiClient, kind: FaultKind) -> Result<usize, CpiError> {
    h.admin().clear_faults();
    h.admin()
        .add_fault(FaultRule::new(kind).path("IntegrationRuntimeArtifacts").count(1));
    let r = c.runtime_artifacts().await.map(|a| a.len());
    h.admin().clear_faults();
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_next_link_is_refused_and_the_foreign_host_gets_no_connection() {
    let h = small_sim().await;
    let foreign = Foreign::start().await;
    let c = CpiClient::new(conn(&h)).expect("client");
    let q = foreign.port;
    let sim_port = h.addr.port();
    for link in [
        // another host name (resolves to loopback), another port, another scheme, scheme-relative
        format!("http://localhost:{q}/api/v1/IntegrationRuntimeArtifacts?$skiptoken=1"),
        format!("http://127.0.0.1:{q}/api/v1/IntegrationRuntimeArtifacts?$skiptoken=1"),
        format!("https://127.0.0.1:{q}/api/v1/IntegrationRuntimeArtifacts?$skiptoken=1"),
        format!("//127.0.0.1:{q}/api/v1/IntegrationRuntimeArtifacts?$skiptoken=1"),
    ] {
        let err = artifacts_with(&h, &c, FaultKind::ForeignNext { url: link.clone() })
            .await
            .expect_err("a foreign __next must fail the list");
        assert!(matches!(err, CpiError::ForeignLink { .. }), "{link}: {err:?}");
        let text = err.to_string();
        assert!(
            text.contains(&format!(":{q}/api/v1/IntegrationRuntimeArtifacts")),
            "{text}"
        );
        assert!(text.contains("sent nothing there"), "{text}");
    }
    // The tenant's own host, but the wrong scheme, or outside the service root (the sim's admin
    // endpoint): refused as well.
    for link in [
        format!("https://127.0.0.1:{sim_port}/api/v1/IntegrationRuntimeArtifacts"),
        format!("http://127.0.0.1:{sim_port}/sim/admin/faults"),
        "../../sim/admin/faults".to_string(),
    ] {
        let err = artifacts_with(&h, &c, FaultKind::ForeignNext { url: link.clone() })
            .await
            .expect_err("refused");
        assert!(matches!(err, CpiError::ForeignLink { .. }), "{link}: {err:?}");
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(foreign.connections(), 0, "the foreign host must not be contacted");

    // Within the tenant, absolute (with the default port spelled out or not) or relative: followed.
    let plain = c.runtime_artifacts().await.expect("no fault").len();
    let same = artifacts_with(
        &h,
        &c,
        FaultKind::ForeignNext {
            url: format!("{}/api/v1/IntegrationRuntimeArtifacts?$top=3", h.base_url),
        },
    )
    .await
    .expect("same origin is followed");
    assert_eq!(same, plain + 3);
    let relative = artifacts_with(
        &h,
        &c,
        FaultKind::ForeignNext {
            url: "IntegrationRuntimeArtifacts?$top=2".into(),
        },
    )
    .await
    .expect("relative is followed");
    assert_eq!(relative, plain + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_origin_is_refused_for_the_api_and_the_token_endpoint() {
    let h = small_sim().await;
    let foreign = Foreign::start().await;
    let q = foreign.port;
    let target = format!("http://127.0.0.1:{q}/api/v1/IntegrationRuntimeArtifacts");

    // The API: a 302 to another port (another origin), and a 307 to another host name.
    let c = CpiClient::new(conn(&h)).expect("client");
    for (location, status) in [(target.clone(), 302), (format!("http://localhost:{q}/x"), 307)] {
        let err = artifacts_with(
            &h,
            &c,
            FaultKind::Redirect {
                location: location.clone(),
                status,
            },
        )
        .await
        .expect_err("a cross-origin redirect must fail, not show an empty tenant");
        assert!(matches!(err, CpiError::Redirected { .. }), "{err:?}");
        assert!(err.to_string().contains(&location), "{err}");
    }

    // The token endpoint (another host than the API in real tenants): the same rule.
    h.admin().add_fault(
        FaultRule::new(FaultKind::Redirect {
            location: target.clone(),
            status: 302,
        })
        .path("/oauth/token")
        .count(1),
    );
    let fresh = CpiClient::new(conn(&h)).expect("client");
    let err = fresh
        .runtime_artifacts()
        .await
        .expect_err("token redirect refused");
    assert!(matches!(err, CpiError::Redirected { .. }), "{err:?}");
    assert!(err.to_string().contains(&target), "{err}");
    h.admin().clear_faults();

    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(foreign.connections(), 0, "the foreign host must not be contacted");

    // A same-origin redirect is followed (documented policy).
    let n = artifacts_with(
        &h,
        &c,
        FaultKind::Redirect {
            location: format!("{}/api/v1/IntegrationRuntimeArtifacts", h.base_url),
            status: 302,
        },
    )
    .await
    .expect("same-origin redirect followed");
    assert!(n > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurd_retry_after_is_clamped_not_a_panic() {
    let h = small_sim().await;
    let c = CpiClient::new(conn(&h)).expect("client");
    for (value, status) in [
        ("1e20", 429),
        ("1e20", 503),
        ("1e308", 429),
        ("-5", 429),
        ("NaN", 503),
    ] {
        let started = Instant::now();
        let n = artifacts_with(
            &h,
            &c,
            FaultKind::RetryAfterText {
                value: value.into(),
                status,
            },
        )
        .await
        .expect("retried after at most max_backoff");
        assert!(n > 0);
        // `fast_limits` caps backoff at 50 ms.
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{value}: {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn a_huge_token_lifetime_is_clamped_not_a_panic() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", i64::MAX);
        }
        json(
            200,
            r#"{"d":{"results":[{"Id":"A","Name":"A","Status":"STARTED"}]}}"#,
        )
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    assert_eq!(c.runtime_artifacts().await.expect("list").len(), 1);
    assert_eq!(c.runtime_artifacts().await.expect("cached token").len(), 1);
    assert_eq!(server.count(|r| r.path.starts_with("/oauth")), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_field_is_refused_at_the_list_page_limit() {
    let h = small_sim().await;
    let c = CpiClient::new(conn(&h)).expect("client");
    let err = artifacts_with(
        &h,
        &c,
        FaultKind::HugeField {
            bytes: 33 * 1024 * 1024,
        },
    )
    .await
    .expect_err("over the list page limit");
    assert!(
        matches!(err, CpiError::TooLarge { limit, .. } if limit == 32 * 1024 * 1024),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("/api/v1/IntegrationRuntimeArtifacts"), "{text}");
    assert!(text.contains("32 MiB"), "{text}");
    // Below the limit the same field is read (the limit is not a guess about content).
    let n = artifacts_with(&h, &c, FaultKind::HugeField { bytes: 1024 * 1024 })
        .await
        .expect("1 MiB field is fine");
    assert!(n > 0);
}

/// A server that answers every request with an endless chunked JSON body, counting what it sent.
async fn endless_body() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let start = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if stream.write_all(start).await.is_err() {
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                let frame = [
                    format!("{:x}\r\n", chunk.len()).into_bytes(),
                    chunk,
                    b"\r\n".to_vec(),
                ]
                .concat();
                let text = r#"{"d":{"results":[""#;
                let opening = format!("{:x}\r\n{text}\r\n", text.len());
                if stream.write_all(opening.as_bytes()).await.is_err() {
                    return;
                }
                while stream.write_all(&frame).await.is_ok() {
                    counter.fetch_add(64 * 1024, Ordering::SeqCst);
                }
            });
        }
    });
    (base, sent)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_is_cut_at_the_limit_while_streaming() {
    let (base, sent) = endless_body().await;
    let mut limits = fast_limits();
    limits.request_timeout = Duration::from_secs(30);
    let c = CpiClient::new(TenantConn {
        name: "endless".into(),
        base_url: base,
        auth: Auth::Basic {
            username: "u".into(),
            password: Secret::new("p"),
        },
        limits,
        ca_bundle: None,
    })
    .expect("client");
    let started = Instant::now();
    let err = c.runtime_artifacts().await.expect_err("endless");
    assert!(
        matches!(err, CpiError::TooLarge { limit, .. } if limit == 32 * 1024 * 1024),
        "{err:?} after {:?}",
        started.elapsed()
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The read stopped at the limit: what the server got out is the limit plus socket buffers.
    let out = sent.load(Ordering::SeqCst);
    assert!(out < 48 * 1024 * 1024, "{out} bytes were sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_error_message_is_one_bounded_line() {
    let h = small_sim().await;
    let c = CpiClient::new(conn(&h)).expect("client");
    for status in [400, 500] {
        let err = artifacts_with(
            &h,
            &c,
            FaultKind::HugeError {
                bytes: 10 * 1024 * 1024,
                status,
            },
        )
        .await;
        let err = match (status, err) {
            (400, Err(e)) => e,
            // A 500 is retried and the retry succeeds (the fault fires once).
            (500, Ok(n)) => {
                assert!(n > 0);
                continue;
            }
            (_, other) => panic!("{status}: {other:?}"),
        };
        let text = err.to_string();
        assert!(text.len() < 1_000, "{} bytes", text.len());
        assert!(!text.contains('\n'));
        assert!(text.contains("EEEE"), "{text}");
        match &err {
            CpiError::OData { message: Some(m), .. } => {
                assert!(m.chars().count() <= 301, "{}", m.chars().count());
                assert!(m.ends_with('…'));
            }
            other => panic!("{other:?}"),
        }
    }
    // Every retry fails: the error after retries is bounded as well.
    h.admin().add_fault(
        FaultRule::new(FaultKind::HugeError {
            bytes: 10 * 1024 * 1024,
            status: 503,
        })
        .path("IntegrationRuntimeArtifacts"),
    );
    let err = c.runtime_artifacts().await.expect_err("503 after retries");
    assert!(matches!(err, CpiError::Server { .. }), "{err:?}");
    assert!(err.to_string().len() < 1_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_in_one_name_keeps_the_rest_of_the_list() {
    let h = small_sim().await;
    let c = CpiClient::new(conn(&h)).expect("client");
    let plain = c.runtime_artifacts().await.expect("list");
    h.admin().add_fault(
        FaultRule::new(FaultKind::InvalidUtf8)
            .path("IntegrationRuntimeArtifacts")
            .count(1),
    );
    let arts = c.runtime_artifacts().await.expect("repaired, not rejected");
    assert_eq!(arts.len(), plain.len());
    let marked: Vec<_> = arts.iter().filter(|a| a.name.contains('\u{FFFD}')).collect();
    assert_eq!(
        marked.len(),
        1,
        "the damaged name shows the replacement character"
    );
    let original = marked[0].name.replace('\u{FFFD}', "");
    assert!(plain.iter().any(|a| a.name == original), "{original}");
    assert_eq!(c.stats().repaired, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_in_a_message_page_keeps_the_page() {
    let h = small_sim().await;
    let c = CpiClient::new(conn(&h)).expect("client");
    let q = MplQuery::last_hours(h.admin().now_ms(), 3);
    let load = |c: CpiClient, q: MplQuery| async move {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<GuidPage>(16);
        let collect = async move {
            let mut n = 0usize;
            while let Some(p) = rx.recv().await {
                n += p.rows.len();
            }
            n
        };
        let (out, n) = tokio::join!(
            c.fetch_mpl_window(&q, Arc::new(decode_guid_page), tx, None),
            collect
        );
        out.map(|_| n)
    };
    let plain = load(c.clone(), q.clone()).await.expect("window");
    assert!(plain > 0);
    h.admin().add_fault(
        FaultRule::new(FaultKind::InvalidUtf8)
            .path("MessageProcessingLogs")
            .count(1),
    );
    let n = load(c.clone(), q).await.expect("repaired page");
    assert_eq!(n, plain);
    assert_eq!(c.stats().repaired, 1);
}

// --- the binary: `config check` refuses absurd limits, `get` survives an absurd Retry-After ---

fn cpitop(root: &std::path::Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("cpitop"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", root)
        .env("XDG_CONFIG_HOME", root.join("config"))
        .env("XDG_CACHE_HOME", root.join("cache"))
        .env("XDG_STATE_HOME", root.join("state"))
        .env("RUST_BACKTRACE", "0")
        .env("NO_COLOR", "1");
    c
}

fn write_config(path: &std::path::Path, text: &str) {
    std::fs::write(path, text).expect("write config");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
}

#[test]
fn config_check_refuses_a_tiny_request_rate_precisely() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("config.toml");
    for (value, line) in [("1e-30", 3), ("0.001", 3), ("1e9", 3)] {
        write_config(
            &cfg,
            &format!(
                "[tenants.dev]\nurl = \"https://dev.example.com\"\nlimits = {{ requests_per_second = {value} }}\n[tenants.dev.auth]\nclient_id = \"cid\"\ntoken_url = \"https://auth.example.com/oauth/token\"\nclient_secret_env = \"DEV_SECRET\"\n"
            ),
        );
        let out = cpitop(dir.path())
            .env("DEV_SECRET", "x")
            .arg("--config")
            .arg(&cfg)
            .args(["config", "check", "--offline"])
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{value}: {err}");
        let expected = format!("{}:{line}:", cfg.display());
        assert!(err.contains(&expected), "{value}: {err}");
        assert!(
            err.contains("`tenants.dev.limits.requests_per_second`: must be a number from 0.01 to 10000"),
            "{value}: {err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_artifacts_survives_an_absurd_retry_after() {
    for status in [429, 503] {
        let h = cpitop::sim::spawn(SimConfig {
            message_rate: 0.0,
            history_messages: Some(100),
            faults: vec![
                FaultRule::new(FaultKind::RetryAfterText {
                    value: "1e20".into(),
                    status,
                })
                .path("IntegrationRuntimeArtifacts")
                .count(1),
            ],
            ..SimConfig::default()
        })
        .await
        .expect("sim");
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = dir.path().join("config.toml");
        write_config(
            &cfg,
            &format!(
                "[defaults.limits]\nmax_retries = 1\nmax_backoff = \"200ms\"\ninitial_backoff = \"50ms\"\n\n[tenants.simt]\nurl = \"{url}\"\nenvironment = \"dev\"\nauth = {{ client_id = \"{id}\", token_url = \"{token}\", client_secret_env = \"SIM_SECRET\" }}\n",
                url = h.base_url,
                id = h.client_id,
                token = h.token_url,
            ),
        );
        let (root, secret) = (dir.path().to_path_buf(), h.client_secret.clone());
        let out = tokio::task::spawn_blocking(move || {
            cpitop(&root)
                .env("SIM_SECRET", secret)
                .arg("--config")
                .arg(&cfg)
                .args(["get", "artifacts", "-o", "json"])
                .output()
                .expect("runs")
        })
        .await
        .expect("joined");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{status}: {err}");
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert!(rows.as_array().is_some_and(|a| !a.is_empty()), "{status}");
        let fired = h.admin().faults().iter().map(|(_, _, n)| *n).sum::<u32>();
        assert_eq!(fired, 1, "the fault was hit");
    }
}
