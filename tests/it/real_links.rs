//! Links, clipboard and cache identity as real tenants need them:
//! - web-UI links: the root is learned from the tenant's own `AlternateWebLink` (the sim sends
//!   the real forms), `web_ui_url` in the config wins, malformed ports (`:443:443`) are repaired;
//! - the cache is keyed by tenant name *and* URL: a tenant whose `url` changed shows no stale data;
//! - `y` inside a real tmux with its default settings puts the id in tmux's buffer. That test
//!   needs tmux (`apt-get install -y tmux`); without it, it says so and passes.

use crate::tui_support;

use std::sync::Arc;
use std::time::Duration;

use cpitop::app::cache::{self, CacheSave, CacheSync};
use cpitop::app::msg::{DataMsg, Effect, Msg};
use cpitop::app::tenant::{self, TenantConfig};
use cpitop::app::{State, apply};
use cpitop::config::{Cache, Config, Paths};
use cpitop::kit::table::Table;
use cpitop::panes::messages::detail::MessagePart;
use cpitop::sim::{SimConfig, WebLinkForm};
use cpitop::tui::effects::EffectRunner;
use cpitop::tui::tenant_effects::{load_now, save_now};
use crossterm::event::KeyCode;
use tui_support::*;

/// The encoded `{"identifier":"AGDY"}` of a message link.
const ENC: &str = "%7B%22identifier%22%3A%22AGDY%22%7D";
/// A CF tenant without an Integration Suite host: its API host, which the guess maps to an
/// `integrationsuite` host that does not exist.
const CF_API: &str = "https://acme.it-cpi018.cfapps.eu10.hana.ondemand.com";

fn copied(fx: &[Effect]) -> Option<String> {
    fx.iter().find_map(|e| match e {
        Effect::Copy { text, .. } => Some(text.clone()),
        _ => None,
    })
}

/// The state and the real effect runner against a sim with links of `form`; runs the start
/// effects (`--demo` path: no configured tenants) and waits for the web-UI probe's answer.
async fn learned_root(form: WebLinkForm) -> (State, String) {
    let sim = cpitop::sim::spawn(SimConfig {
        history_messages: Some(50),
        message_rate: 0.0,
        web_link: form,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let base = sim.base_url.clone();
    let client = cpitop::cpi::client::CpiClient::new(sim.demo_conn("sim")).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let mut runner = EffectRunner::new(client.clone(), tx);
    let mut s = State::new(
        cpitop::app::state::TenantInfo {
            name: "sim".into(),
            env: None,
            label: Some("demo".into()),
            read_only: true,
            web_ui: cpitop::tui::launch::web_ui_root(&base),
        },
        cpitop::app::Keymap::defaults(),
        NOW,
    );
    let mut sink = std::io::sink();
    for e in tenant::install(&mut s, None, "", client.service_root()) {
        runner.run(e, &mut sink);
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let m = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the web-UI probe answers")
            .expect("channel open");
        let done = matches!(m, Msg::Data(DataMsg::WebLink { .. }));
        for e in cpitop::app::update(&mut s, m) {
            runner.run(e, &mut sink);
        }
        if done {
            break;
        }
    }
    sim.shutdown().await;
    (s, base)
}

#[tokio::test]
async fn list_links_use_the_root_learned_from_the_tenants_own_links() {
    // Older CF tenant: `/itspaces/shell/monitoring/…` on the API host. Nothing can be guessed
    // from a loopback host, so without learning there would be no link at all.
    let (mut s, base) = learned_root(WebLinkForm::Itspaces).await;
    let root = format!("{base}/itspaces");
    assert_eq!(s.tenant.web_ui.as_deref(), Some(root.as_str()));
    load_artifacts(&mut s, artifacts());
    let link = s.artifacts.link(0).expect("artifact link");
    assert!(
        link.starts_with(&format!("{root}/shell/monitoring/Artifacts/")),
        "{link}"
    );
    apply(&mut s, [Msg::Resize(120, 40), key('2')]);
    load_messages(&mut s, messages());
    let link = copied(&apply(&mut s, [key('Y')])).expect("message link");
    assert!(
        link.starts_with(&format!("{root}/shell/monitoring/Messages/")),
        "{link}"
    );

    // Integration Suite host, also with the malformed port some tenants send.
    for form in [WebLinkForm::IntegrationSuite, WebLinkForm::DoublePort] {
        let (s, _) = learned_root(form).await;
        assert_eq!(
            s.tenant.web_ui.as_deref(),
            Some("https://cpitop-sim.integrationsuite.cfapps.eu10.hana.ondemand.com"),
            "{form:?}"
        );
        assert_eq!(s.messages.web_ui, s.tenant.web_ui);
        assert_eq!(s.queues.web_ui, s.tenant.web_ui);
    }
}

#[test]
fn learned_links_take_precedence_over_the_guess() {
    let mut s = state(120, 40);
    s.tenant.web_ui = cpitop::tui::launch::web_ui_root(CF_API);
    s.messages.web_ui = s.tenant.web_ui.clone();
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    let guessed = copied(&apply(&mut s, [key('Y')])).unwrap();
    assert!(guessed.starts_with("https://acme.integrationsuite."), "{guessed}");
    // The tenant's own link (the probe's answer) says where its web UI really is.
    let probe = s.ctx.web_ui_probe;
    apply(
        &mut s,
        [Msg::Data(DataMsg::WebLink {
            probe,
            link: Some(format!("{CF_API}/itspaces/shell/monitoring/Messages/{ENC}")),
        })],
    );
    let link = copied(&apply(&mut s, [key('Y')])).unwrap();
    assert!(
        link.starts_with(&format!("{CF_API}/itspaces/shell/monitoring/Messages/%7B")),
        "{link}"
    );
    // An answer about an earlier tenant (before a switch) is dropped.
    apply(
        &mut s,
        [Msg::Data(DataMsg::WebLink {
            probe: probe + 1,
            link: Some(format!("https://other.example/shell/monitoring/Messages/{ENC}")),
        })],
    );
    assert_eq!(
        s.tenant.web_ui.as_deref(),
        Some(format!("{CF_API}/itspaces").as_str())
    );
}

#[test]
fn a_messages_own_link_is_copied_with_its_port_repaired() {
    let guid = "AGZ0aaaaaaaaaaaaaaaaaaaaaa02";
    let mut s = state(120, 40);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    apply(&mut s, [key('j'), code(KeyCode::Enter)]);
    for p in detail_parts(guid) {
        let p = match p {
            MessagePart::Log(Ok(mut m)) => {
                m.alternate_web_link = format!(
                    "{CF_API}:443:443/itspaces/shell/monitoring/Messages/%7B%22identifier%22%3A%22{guid}%22%7D"
                );
                MessagePart::Log(Ok(m))
            }
            other => other,
        };
        apply(
            &mut s,
            [Msg::Data(DataMsg::Message {
                guid: guid.into(),
                part: p,
            })],
        );
    }
    let link = copied(&apply(&mut s, [key('Y')])).expect("link");
    assert_eq!(
        link,
        format!("{CF_API}/itspaces/shell/monitoring/Messages/%7B%22identifier%22%3A%22{guid}%22%7D")
    );
    // The detail's link taught the root of the list rows' links too.
    assert_eq!(
        s.messages.web_ui.as_deref(),
        Some(format!("{CF_API}/itspaces").as_str())
    );
}

fn config_with(dir: &std::path::Path, web_ui_url: &str) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            r#"
[tenants.acme]
url = "{CF_API}"
web_ui_url = "{web_ui_url}"
auth = {{ username = "u", password_env = "CPITOP_TEST_UNSET" }}

[tenants.other]
url = "https://other.it-cpi018.cfapps.eu10.hana.ondemand.com"
auth = {{ username = "u", password_env = "CPITOP_TEST_UNSET" }}
"#
        ),
    )
    .unwrap();
    path
}

#[test]
fn web_ui_url_in_the_config_wins_over_learned_links() {
    let dir = tempfile::tempdir().unwrap();
    // Any page of the web UI, with the malformed port, is accepted and reduced to the root.
    let cfg = config_with(
        dir.path(),
        "https://acme.integrationsuite.cfapps.eu10.hana.ondemand.com:443:443/shell/home",
    );
    let config = Config::load_file(&cfg).expect("web_ui_url is a known key");
    let root = "https://acme.integrationsuite.cfapps.eu10.hana.ondemand.com";
    let p = config.tenant("acme").unwrap().clone();
    assert_eq!(p.web_ui_url.as_deref(), Some(root));
    let (info, _, _) = tenant::setup_of(&p, false, CF_API);
    assert_eq!(info.web_ui.as_deref(), Some(root));
    let tc = Arc::new(TenantConfig {
        paths: Paths::under(dir.path()),
        config,
        force_read_only: false,
    });
    let mut s = State::new(info, cpitop::app::Keymap::defaults(), NOW);
    let fx = tenant::install(&mut s, Some(&tc), "acme", CF_API);
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::LearnWebUi { .. })),
        "no probe when the config names the web UI: {fx:?}"
    );
    tenant::learn_web_ui(
        &mut s,
        &format!("{CF_API}/itspaces/shell/monitoring/Messages/{ENC}"),
    );
    assert_eq!(s.tenant.web_ui.as_deref(), Some(root));
    assert_eq!(s.messages.web_ui.as_deref(), Some(root));
}

#[test]
fn a_bad_web_ui_url_is_a_clear_error_at_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_with(dir.path(), "acme.integrationsuite.cfapps.eu10.hana.ondemand.com");
    let e = Config::load_file(&cfg).unwrap_err().to_string();
    assert!(e.contains("tenants.acme.web_ui_url"), "{e}");
    assert!(e.contains("is not an http(s) URL"), "{e}");
    assert!(e.contains("config.toml"), "{e}");
}

fn save_artifacts(paths: &Paths, tenant: &str, url: &str) {
    save_now(
        paths,
        CacheSave {
            tenant: tenant.into(),
            url: url.into(),
            wait: true,
            artifacts: Some((NOW, artifacts())),
            queues: None,
            messages: None,
            errors: None,
        },
    );
}

#[test]
fn a_tenant_whose_url_changed_shows_no_stale_cache() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::under(dir.path());
    let old = "https://old.it-cpi018.cfapps.eu10.hana.ondemand.com";
    let new = "https://new.it-cpi018.cfapps.eu10.hana.ondemand.com/api/v1";
    save_artifacts(&paths, "acme", old);
    // Same name, another URL: nothing of the old tenant's is shown.
    let mut s = state(120, 40);
    s.cache = CacheSync::for_tenant("acme", new, 100);
    cache::apply_loaded(&mut s, load_now(&paths, "acme", new, 100));
    assert!(s.artifacts.items.is_empty(), "{:?}", s.artifacts.items);
    assert!(s.artifacts.load.loaded_at.is_none());
    // Back at the old URL (or another spelling of it), its data is there again.
    let spelled = "HTTPS://OLD.it-cpi018.cfapps.eu10.hana.ondemand.com:443/";
    let mut s = state(120, 40);
    s.cache = CacheSync::for_tenant("acme", spelled, 100);
    cache::apply_loaded(&mut s, load_now(&paths, "acme", spelled, 100));
    assert_eq!(s.artifacts.items, artifacts());
    assert!(s.artifacts.load.from_cache);
}

#[test]
fn name_only_cache_files_are_ignored_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::under(dir.path());
    let url = "https://new.it-cpi018.cfapps.eu10.hana.ondemand.com";
    // The older layout: `tenants/<name>/artifacts.json`, whatever URL the name had then.
    save_artifacts(&paths, "acme", url);
    let keyed = Cache::for_tenant(&paths, "acme", url).file("artifacts");
    let legacy = cpitop::config::cache::tenant_dir(&paths, "acme").join("artifacts.json");
    std::fs::rename(&keyed, &legacy).unwrap();
    let loaded = load_now(&paths, "acme", url, 100);
    assert!(loaded.artifacts.is_none(), "a name-only file is never read");
    assert!(!legacy.exists(), "and it is removed");
}

/// Kills the private tmux server however the test ends.
struct TmuxServer {
    socket: String,
    env: Vec<(String, std::path::PathBuf)>,
}

impl TmuxServer {
    fn cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new("tmux");
        c.args(["-L", &self.socket]).env_remove("TMUX");
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }
    fn run(&self, args: &[&str]) -> std::process::Output {
        self.cmd().args(args).output().expect("run tmux")
    }
    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }
    fn wait_for(&self, what: &str, done: impl Fn(&Self) -> bool) {
        let until = std::time::Instant::now() + Duration::from_secs(30);
        while !done(self) {
            assert!(
                std::time::Instant::now() < until,
                "timed out waiting for {what}; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for TmuxServer {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// The real binary in a real tmux with tmux's default settings (`set-clipboard external`,
/// `allow-passthrough off`: an OSC 52 from cpitop, plain or wrapped, is dropped there): `y` on
/// an artifact row must leave its id in tmux's paste buffer.
#[test]
fn copy_inside_tmux_with_its_default_settings() {
    if std::process::Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed (apt-get install -y tmux)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let env: Vec<(String, std::path::PathBuf)> = [
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
        ("HOME", "home"),
        ("TMUX_TMPDIR", "tmux"),
    ]
    .iter()
    .map(|(k, d)| {
        let p = dir.path().join(d);
        std::fs::create_dir_all(&p).unwrap();
        (k.to_string(), p)
    })
    .collect();
    let tmux = TmuxServer {
        socket: format!("cpitop-test-{}", std::process::id()),
        env,
    };
    let bin = assert_cmd::cargo::cargo_bin!("cpitop");
    let out = tmux.run(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "120",
        "-y",
        "36",
        &format!("{} --demo", bin.display()),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let defaults = tmux.run(&["show", "-gv", "set-clipboard"]);
    assert_eq!(
        String::from_utf8_lossy(&defaults.stdout).trim(),
        "external",
        "tmux's default"
    );
    tmux.wait_for("the artifacts", |t| {
        let screen = t.screen();
        screen.contains("─ Artifacts ") && screen.contains("ERROR ")
    });
    assert!(!tmux.run(&["show-buffer"]).status.success(), "no buffer yet");
    tmux.run(&["send-keys", "-t", "t", "y"]);
    tmux.wait_for("the copy", |t| t.run(&["show-buffer"]).status.success());
    let buffer = String::from_utf8_lossy(&tmux.run(&["show-buffer"]).stdout).into_owned();
    assert!(!buffer.is_empty());
    // What the toast says was copied is what tmux holds.
    tmux.wait_for("the toast", |t| t.screen().contains("copied artifact id "));
    let screen = tmux.screen();
    assert!(
        screen.contains(&format!("copied artifact id {buffer}")),
        "{buffer:?}\n{screen}"
    );
    tmux.run(&["send-keys", "-t", "t", "q"]);
}
