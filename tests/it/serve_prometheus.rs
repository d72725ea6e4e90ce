//! `cpitop serve` end to end with a real Prometheus (the Debian package `prometheus`, which
//! brings `promtool`; `.ci/run` installs it when missing): `cpitop serve --demo` on a free
//! loopback port, Prometheus scraping it every second (its own free port, a temporary storage
//! dir), then Prometheus' HTTP API must hold series of every metric family; `promtool check
//! metrics` accepts the exposition, `promtool check rules`/`test rules` the shipped rules. SIGTERM
//! stops `serve` cleanly.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Every family `cpitop serve --demo` exposes (sample names as Prometheus stores them).
pub const FAMILIES: &[&str] = &[
    "cpitop_tenant_up",
    "cpitop_artifacts",
    "cpitop_artifact_not_started",
    "cpitop_messages_total",
    "cpitop_messages_retried_total",
    "cpitop_messages_in_flight",
    "cpitop_queue_messages",
    "cpitop_queue_oldest_message_age_seconds",
    "cpitop_dlq_messages",
    "cpitop_broker_capacity_used_ratio",
    "cpitop_broker_capacity_used_bytes",
    "cpitop_broker_capacity_limit_bytes",
    "cpitop_certificate_expiry_seconds",
    "cpitop_monitor_status",
    "cpitop_error_signature_messages",
    "cpitop_requests_total",
    "cpitop_requests_throttled_total",
    "cpitop_request_errors_total",
    "cpitop_request_retries_total",
    "cpitop_requests_in_flight",
    "cpitop_response_bytes_total",
    "cpitop_polls_total",
    "cpitop_poll_errors_total",
    "cpitop_poll_last_success_timestamp_seconds",
    "cpitop_build_info",
    "cpitop_events_clients",
    "cpitop_events_dropped_total",
    "cpitop_events_slow_disconnects_total",
];

/// A Prometheus tool from `PATH`, or a failure that says how to get it.
fn tool(name: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "`{name}` not found on PATH: install Prometheus (Debian/Ubuntu: `apt-get install prometheus`, \
             which brings `promtool`; .ci/run installs it when missing)"
        )
    })
}

fn config_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config/prometheus")
}

/// Children stopped when the test ends, however it ends.
struct Kill(Vec<Child>);

impl Drop for Kill {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn http_get(url: &str, accept: Option<&str>) -> (u16, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let c = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client");
        let mut r = c.get(url);
        if let Some(a) = accept {
            r = r.header("accept", a);
        }
        match r.send().await {
            Ok(resp) => {
                let s = resp.status().as_u16();
                (s, resp.text().await.unwrap_or_default())
            }
            Err(e) => (0, e.to_string()),
        }
    })
}

#[test]
fn promtool_accepts_the_shipped_rules_and_scrape_config() {
    let promtool = tool("promtool");
    let dir = config_dir();
    for args in [
        vec!["check", "rules", "cpitop-rules.yml"],
        vec!["test", "rules", "cpitop-rules.test.yml"],
        vec!["check", "config", "prometheus.yml"],
    ] {
        let out = Command::new(&promtool)
            .args(&args)
            .current_dir(&dir)
            .output()
            .expect("promtool runs");
        assert!(
            out.status.success(),
            "promtool {}: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn prometheus_scrapes_every_family_of_serve_demo() {
    let promtool = tool("promtool");
    let prometheus = tool("prometheus");
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut kill = Kill(Vec::new());

    // cpitop serve --demo on a free loopback port (it says which).
    let mut serve = Command::new(assert_cmd::cargo::cargo_bin!("cpitop"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .env("XDG_CONFIG_HOME", tmp.path().join("config"))
        .env("XDG_STATE_HOME", tmp.path().join("state"))
        .env("XDG_CACHE_HOME", tmp.path().join("cache"))
        .env_remove("CPITOP_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cpitop serve starts");
    let stderr = serve.stderr.take().expect("stderr");
    let serve_pid = serve.id();
    kill.0.push(serve);
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut lines = Vec::new();
    let addr = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("serve did not say where it listens: {lines:?}"));
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().expect("address").to_string();
        }
        lines.push(line);
    };
    let base = format!("http://{addr}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while http_get(&format!("{base}/readyz"), None).0 != 200 {
        assert!(Instant::now() < deadline, "serve not ready");
        std::thread::sleep(Duration::from_millis(200));
    }

    // promtool lints the exposition (the Prometheus text format; OpenMetrics on request).
    let (status, text) = http_get(&format!("{base}/metrics"), None);
    assert_eq!(status, 200);
    let mut check = Command::new(&promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool runs");
    {
        use std::io::Write as _;
        check
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write");
    }
    let out = check.wait_with_output().expect("promtool ends");
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, om) = http_get(
        &format!("{base}/metrics"),
        Some("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"),
    );
    assert!(om.ends_with("# EOF\n"), "OpenMetrics ends with # EOF");

    // A real Prometheus scraping it every second.
    let prom_port = free_port();
    let prom_cfg = tmp.path().join("prometheus.yml");
    std::fs::write(
        &prom_cfg,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
             scrape_configs:\n  - job_name: cpitop\n    static_configs:\n      - targets: [\"{addr}\"]\n"
        ),
    )
    .expect("write prometheus.yml");
    let prom = Command::new(&prometheus)
        .arg(format!("--config.file={}", prom_cfg.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            tmp.path().join("tsdb").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
        .arg("--log.level=warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus starts");
    kill.0.push(prom);
    let api = format!("http://127.0.0.1:{prom_port}/api/v1");
    let query = |q: &str| -> Option<Value> {
        let url = format!(
            "{api}/query?query={}",
            percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC)
        );
        let (status, body) = http_get(&url, None);
        (status == 200)
            .then(|| serde_json::from_str::<Value>(&body).ok())
            .flatten()
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut missing: Vec<&str> = FAMILIES.to_vec();
    while !missing.is_empty() {
        assert!(
            Instant::now() < deadline,
            "Prometheus has no series of {missing:?} (target health: {:?})",
            http_get(&format!("{api}/targets"), None).1
        );
        std::thread::sleep(Duration::from_secs(1));
        let Some(v) = query("group by (__name__) ({__name__=~\"cpitop_.+\"})") else {
            continue;
        };
        let names: Vec<String> = v["data"]["result"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(|s| s["metric"]["__name__"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        missing.retain(|f| !names.iter().any(|n| n == f));
    }
    // The scrape is healthy and the tenant's series carry its label.
    let up = query("up{job=\"cpitop\"}").expect("up");
    assert_eq!(up["data"]["result"][0]["value"][1], "1", "{up}");
    let tenant_up = query("cpitop_tenant_up").expect("tenant_up");
    assert_eq!(
        tenant_up["data"]["result"][0]["metric"]["tenant"], "demo",
        "{tenant_up}"
    );
    let not_started = query("cpitop_artifact_not_started{status=\"ERROR\"}").expect("query");
    assert!(
        not_started["data"]["result"]
            .as_array()
            .is_some_and(|r| r.len() >= 3),
        "the demo's three broken artifacts: {not_started}"
    );

    // The demo's failures grouped by error signature: several signatures with their templates.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let sigs = query(
            "cpitop_error_signature_messages{signature!~\"provisional|no_error_information|other\"} > 0",
        )
        .expect("query");
        let result = sigs["data"]["result"].as_array().cloned().unwrap_or_default();
        let templated = result
            .iter()
            .filter(|r| {
                r["metric"]["signature"].as_str().is_some_and(|k| k.len() == 16)
                    && r["metric"]["template"].as_str().is_some_and(|t| !t.is_empty())
            })
            .count();
        if templated >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "no error signatures: {sigs}");
        std::thread::sleep(Duration::from_secs(1));
    }

    // SIGTERM: a clean stop.
    #[cfg(unix)]
    {
        let pid = libc::pid_t::try_from(serve_pid).expect("pid");
        // SAFETY: signals the child started above.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let serve = &mut kill.0[0];
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(s) = serve.try_wait().expect("wait") {
                break s;
            }
            assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(100));
        };
        assert!(status.success(), "serve exits 0 on SIGTERM: {status:?}");
    }
    let _ = serve_pid;
}

/// The families with `[serve.otlp]` configured (not exposed by `--demo`).
const OTLP_FAMILIES: &[&str] = &[
    "cpitop_otlp_exported_total",
    "cpitop_otlp_dropped_total",
    "cpitop_otlp_export_failures_total",
    "cpitop_otlp_buffered",
];

/// Every `cpitop_…` metric name in `text`.
fn names_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("cpitop_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        out.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    out
}

#[test]
fn the_shipped_rules_and_dashboard_use_only_real_families() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in [
        "config/prometheus/cpitop-rules.yml",
        "config/grafana/cpitop-dashboard.json",
    ] {
        let text = std::fs::read_to_string(root.join(file)).expect("read");
        let names = names_in(&text);
        assert!(!names.is_empty(), "{file}");
        for n in names {
            assert!(
                FAMILIES.contains(&n.as_str()) || OTLP_FAMILIES.contains(&n.as_str()),
                "{file} uses `{n}`, which cpitop serve does not expose"
            );
        }
    }
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("config/grafana/cpitop-dashboard.json")).expect("read"),
    )
    .expect("the dashboard is JSON");
    assert!(dashboard["panels"].as_array().is_some_and(|p| p.len() >= 10));
    // The README's table names every family.
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    for f in FAMILIES.iter().chain(OTLP_FAMILIES) {
        let short = f.rsplit_once("_used_").map(|(_, u)| format!("…_used_{u}"));
        assert!(
            readme.contains(f) || short.is_some_and(|s| readme.contains(&s)),
            "README does not name {f}"
        );
    }
}
