//! Shared helpers of the `cpitop serve` tests: a quick simulated tenant, a fast-polling tenant
//! setup, a serve started in process on 127.0.0.1:0, and plain HTTP calls.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use cpitop::cpi::CpiClient;
use cpitop::cpi::conn::{Limits, TenantConn};
use cpitop::headless::monitors_from_table;
use cpitop::monitor::{HumanDuration, MonitorsConfig};
use cpitop::serve::{ServeConfig, ServeHandle, ServeSetup, TenantSetup};
use cpitop::sim::{SimConfig, SimHandle};

/// A flow with steady traffic in the simulated catalog.
pub const FLOW: &str = "Orders_Inbound";

/// Monitors for the scenarios: the flow stopped, the tenant unreachable.
pub const MONITORS: &str = r#"
[[defaults]]
key = "stopped"
name = "Orders_Inbound not started"
scope = { iflow = "Orders_Inbound" }
rules = [{ kind = "not_started" }]
[[defaults]]
key = "tenant"
name = "Tenant reachable"
rules = [{ kind = "tenant_unreachable", for = "1s" }]
"#;

pub async fn sim() -> SimHandle {
    cpitop::sim::spawn(SimConfig {
        seed: 11,
        message_rate: 2.0,
        history: Duration::from_secs(3600),
        history_messages: Some(2_000),
        ..SimConfig::default()
    })
    .await
    .expect("sim starts")
}

/// A tenant of `sim` polled every 300 ms, failing fast (no retries).
pub fn fast_tenant(sim: &SimHandle, name: &str) -> TenantSetup {
    let conn = TenantConn {
        limits: Limits {
            max_retries: 0,
            request_timeout: Duration::from_secs(3),
            connect_timeout: Duration::from_secs(1),
            ..Limits::default()
        },
        ..sim.demo_conn(name)
    };
    TenantSetup {
        name: name.to_string(),
        client: CpiClient::new(conn).expect("client"),
        artifacts_every: Duration::from_millis(300),
        messages_every: Duration::from_millis(300),
        queues_every: Duration::from_millis(300),
        window: Duration::from_secs(3600),
        max_rows: 50_000,
    }
}

/// `toml` monitors, evaluated every 300 ms.
pub fn monitors(toml_text: &str) -> MonitorsConfig {
    let table: toml::Table = toml::from_str(toml_text).expect("monitor toml");
    let mut m = monitors_from_table(&table, None).expect("valid monitors");
    m.interval = HumanDuration(Duration::from_millis(300));
    m
}

/// A setup on 127.0.0.1:0, in memory (no state dir), no notifications.
pub fn setup(tenants: Vec<TenantSetup>, monitors_toml: &str) -> ServeSetup {
    ServeSetup {
        tenants,
        config: ServeConfig {
            listen: "127.0.0.1:0".parse().expect("addr"),
            keystore_interval: Duration::from_secs(1),
            ..ServeConfig::default()
        },
        token: None,
        otlp_headers: Vec::new(),
        monitors: monitors(monitors_toml),
        errors: cpitop::config::ErrorsConfig::default(),
        state_dir: None,
        notify: false,
        failure_lookback: Duration::from_secs(15 * 60),
    }
}

pub async fn start(s: ServeSetup) -> ServeHandle {
    cpitop::serve::start(s).await.expect("serve starts")
}

pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client builds")
}

/// GET `http://addr{path}` with extra headers: status and body.
pub async fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut r = client().get(format!("http://{addr}{path}"));
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let resp = r.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.text().await.expect("body"))
}

/// POST a JSON body to the sim's admin API.
pub async fn admin(sim: &SimHandle, path: &str, body: &str) {
    let r = client()
        .post(format!("{}/sim/admin/{path}", sim.base_url))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("admin request");
    assert!(r.status().is_success(), "admin {path}: {}", r.status());
}

/// Wait until `pred` holds (checked every 100 ms), failing after `secs` with `what`.
pub async fn until(secs: u64, what: &str, mut pred: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !pred() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not within {secs}s: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Value of the sample `name{labels…}` in a text exposition (labels given as `k="v"` parts,
/// all of which must be present), if any.
pub fn sample(exposition: &str, name: &str, labels: &[&str]) -> Option<f64> {
    exposition.lines().find_map(|l| {
        if l.starts_with('#') {
            return None;
        }
        let (series, value) = l.rsplit_once(' ')?;
        let (n, rest) = match series.split_once('{') {
            Some((n, rest)) => (n, rest),
            None => (series, ""),
        };
        (n == name && labels.iter().all(|p| rest.contains(p)))
            .then(|| value.parse().ok())
            .flatten()
    })
}
