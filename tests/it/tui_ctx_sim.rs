//! `:ctx` end to end against the simulated tenant (loopback): the real effect runner and pollers,
//! two configured tenants (OAuth and Basic against the same sim), a switch, fresh data from the
//! new client, caches written for both; then a restart against a sim that is gone shows the
//! cached data, stale, with the error banner.

use crate::fsx;
use std::sync::Arc;
use std::time::Duration;

use cpitop::app::msg::Msg;
use cpitop::app::tenant::{self, TenantConfig};
use cpitop::app::{Keymap, State, update};
use cpitop::config::{Cache, Config, Paths};
use cpitop::kit::load::Phase;
use cpitop::sim::SimConfig;
use cpitop::tui::effects::EffectRunner;
use tokio::sync::mpsc;

struct Harness {
    s: State,
    runner: EffectRunner,
    rx: mpsc::Receiver<Msg>,
}

impl Harness {
    async fn start(tc: &Arc<TenantConfig>, name: &str) -> Harness {
        let profile = tc.config.tenant(name).unwrap().clone();
        let (conn, _) = profile.to_conn().unwrap();
        let (info, intervals, window_ms) = tenant::setup_of(&profile, false, &conn.base_url);
        let url = conn.base_url.clone();
        let (tx, rx) = mpsc::channel(1024);
        let mut runner = EffectRunner::new(cpitop::cpi::client::CpiClient::new(conn).unwrap(), tx);
        runner.set_tenants(Some(tc.clone()));
        let mut s = State::new(info, Keymap::defaults(), chrono::Utc::now().timestamp_millis());
        s.intervals = intervals;
        s.messages.query.window_ms = window_ms;
        let mut sink = std::io::sink();
        for e in tenant::install(&mut s, Some(tc), name, &url) {
            runner.run(e, &mut sink);
        }
        let mut h = Harness { s, runner, rx };
        h.step(Msg::Resize(120, 40));
        h
    }

    fn step(&mut self, m: Msg) {
        let mut sink = std::io::sink();
        for e in update(&mut self.s, m) {
            self.runner.run(e, &mut sink);
        }
    }

    /// Feed messages (and a clock) until `done` holds.
    async fn until(&mut self, what: &str, done: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !done(&self.s) {
            let m = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
                .expect("channel open");
            self.step(m);
            self.step(Msg::Tick(chrono::Utc::now().timestamp_millis()));
        }
    }
}

/// A configured tenant's cache (keyed by its name and URL).
fn cache_of(tc: &TenantConfig, name: &str) -> Cache {
    let url = tc.config.tenant(name).unwrap().url.clone().unwrap();
    Cache::for_tenant(&tc.paths, name, &url)
}

fn write_config(root: &std::path::Path, sim: &cpitop::sim::SimHandle) -> std::path::PathBuf {
    let cfg = root.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"
[defaults.limits]
max_retries = 0
connect_timeout = "2s"

[tenants.sim-oauth]
url = "{url}"
auth = {{ client_id = "{id}", token_url = "{token}", client_secret_command = "printf %s '{secret}'" }}

[tenants.sim-basic]
environment = "prod"
url = "{url}"
auth = {{ username = "{user}", password_command = "printf %s '{password}'" }}
"#,
            url = sim.base_url,
            id = sim.client_id,
            token = sim.token_url,
            secret = sim.client_secret,
            user = sim.username,
            password = sim.password,
        ),
    )
    .unwrap();
    fsx::owner_only(&cfg);
    cfg
}

#[test]
fn switch_polls_the_new_tenant_and_its_cache_serves_a_restart_while_down() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let tc = rt.block_on(async {
        let sim = cpitop::sim::spawn(SimConfig {
            message_rate: 0.0,
            history_messages: Some(300),
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let cfg = write_config(&root, &sim);
        let paths = Paths::resolve(Some(&cfg), |k| match k {
            "XDG_CACHE_HOME" => Some(root.join("cache").into_os_string()),
            "XDG_STATE_HOME" => Some(root.join("state").into_os_string()),
            _ => None,
        })
        .unwrap();
        let tc = Arc::new(TenantConfig {
            config: Config::load(&paths).unwrap(),
            paths,
            force_read_only: false,
        });

        let mut h = Harness::start(&tc, "sim-oauth").await;
        h.until("artifacts of sim-oauth", |s| {
            s.artifacts.load.loaded_at.is_some() && !s.artifacts.load.from_cache
        })
        .await;
        let count = h.s.artifacts.items.len();
        assert!(count > 0);

        h.step(Msg::Command("ctx sim-basic".into()));
        h.until("the switch", |s| s.tenant.name == "sim-basic").await;
        assert!(h.s.tenant.read_only, "prod is read-only");
        h.until("artifacts of sim-basic", |s| {
            s.artifacts.load.loaded_at.is_some() && !s.artifacts.load.from_cache
        })
        .await;
        assert_eq!(h.s.artifacts.items.len(), count, "same sim, new client");
        assert!(h.s.artifacts.load.error.is_none());
        h.step(Msg::Command("quit".into()));
        h.runner.pollers.stop_all();
        for t in ["sim-oauth", "sim-basic"] {
            assert!(cache_of(&tc, t).file("artifacts").is_file(), "{t} cached");
        }
        assert_eq!(
            cpitop::config::state::last_tenant(&tc.paths).as_deref(),
            Some("sim-basic")
        );
        sim.shutdown().await;
        tc
    });

    // A truncated and a corrupt file beside the good one.
    let cache = cache_of(&tc, "sim-basic");
    std::fs::write(
        cache.file("queues"),
        r#"{"format":1,"tenant":"sim-basic","kind":"queues","saved_at_ms":1,"data":{"bro"#,
    )
    .unwrap();
    std::fs::write(cache.file("messages"), "not json\n").unwrap();

    // The tenant is gone: the cache is shown at once, then marked with the error.
    rt.block_on(async {
        let mut h = Harness::start(&tc, "sim-basic").await;
        h.until("the cache", |s| s.artifacts.load.from_cache).await;
        assert!(!h.s.artifacts.items.is_empty());
        assert!(h.s.queues.rows.is_empty() && h.s.messages.store.is_empty());
        let toast = h.s.toast.as_ref().expect("warning shown").text.clone();
        assert!(
            toast.contains("ignored") && toast.contains("(and 1 more in the log)"),
            "{toast}"
        );
        assert!(!cache.file("queues").exists() && !cache.file("messages").exists());
        h.until("the failure", |s| s.artifacts.load.error.is_some()).await;
        assert!(!h.s.artifacts.items.is_empty(), "still readable");
        assert_eq!(h.s.artifacts.load.phase(h.s.now, 30_000), Phase::Stale);
        assert!(h.s.banner().is_some());
        h.runner.pollers.stop_all();
    });
}
