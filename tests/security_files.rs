//! cpitop on a shared jump host: what it writes is owner-only whatever the umask, stale temporary
//! files are cleaned up, a write is refused when its audit record cannot be written (and nothing
//! reaches the tenant), permission warnings reach stderr, oversized or endless files are refused
//! with one clear error, a secret command cannot outstay its timeout, and a FIFO at a cache path
//! cannot block the cache load.
// Tests may unwrap and panic: the no-panic lints (Cargo.toml) are for shipped code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

#[path = "it/common/fsx.rs"]
mod fsx;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use cpitop::app::msg::Msg;
use cpitop::app::state::{Environment, TenantInfo};
use cpitop::app::{Keymap, State, update};
use cpitop::config::{Cache, CacheLoad, Config, Paths};
use cpitop::cpi::queues::JmsMessageKey;
use cpitop::features::writes::{
    Dialog, Follow, Job, QueueOp, Selection, WriteEffect, WriteMsg, WriteRequest,
};
use cpitop::tui::audit::{AuditLog, Identity};
use cpitop::tui::effects::EffectRunner;
use cpitop::tui::writes::{WriteSetup, install};

fn bin() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("cpitop"));
    c.env("RUST_BACKTRACE", "0")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(60));
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn set_mode(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

/// The XDG dirs of a run below `root`, as the binary resolves them.
fn xdg(c: &mut Command, root: &Path) {
    c.env("XDG_STATE_HOME", root.join("state"))
        .env("XDG_CONFIG_HOME", root.join("config"))
        .env("XDG_CACHE_HOME", root.join("cache"))
        .env_remove("CPITOP_CONFIG")
        .env_remove("RUST_LOG");
}

fn under(root: &Path) -> Paths {
    Paths {
        config_file: root.join("config/cpitop/config.toml"),
        config_source: cpitop::config::paths::ConfigSource::Default,
        cache_dir: root.join("cache/cpitop"),
        state_dir: root.join("state/cpitop"),
    }
}

// --- item 3: permissions -------------------------------------------------------------------------

#[test]
fn everything_cpitop_writes_is_owner_only_even_with_umask_0() {
    // SAFETY: umask only changes this process's file-creation mask (children inherit it).
    unsafe { libc::umask(0) };
    let dir = tempfile::tempdir().unwrap();
    let paths = under(dir.path());
    // What an older cpitop left behind: 0755 directories and the temps of interrupted saves.
    let tenant_dir = Cache::for_tenant(&paths, "acme", "https://acme.example.com")
        .dir()
        .to_path_buf();
    for d in [&tenant_dir, &paths.log_dir()] {
        std::fs::create_dir_all(d).unwrap();
    }
    // cache/, cache/tenants/, tenants/acme/, tenants/acme/<url>/, state/, logs/.
    let own_dirs = [
        paths.cache_dir.clone(),
        paths.tenant_cache_root(),
        tenant_dir.parent().unwrap().to_path_buf(),
        tenant_dir.clone(),
        paths.state_dir.clone(),
        paths.log_dir(),
    ];
    for d in &own_dirs {
        set_mode(d, 0o755);
    }
    let stale_cache = tenant_dir.join(".artifacts.json.2147480000.0badcafe.tmp");
    let stale_state = paths.state_dir.join(".state.json.2147480001.deadbeef.tmp");
    let live = tenant_dir.join(format!(".queues.json.{}.01234567.tmp", std::process::id()));
    for f in [&stale_cache, &stale_state, &live] {
        std::fs::write(f, "half").unwrap();
    }

    // A real start (logging, state): `get --demo` with umask 0 inherited.
    let mut c = bin();
    xdg(&mut c, dir.path());
    let out = c.args(["--demo", "get", "artifacts"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for d in &own_dirs {
        assert_eq!(mode(d), 0o700, "{} tightened", d.display());
    }
    let logs = fsx::files(&paths.log_dir());
    assert!(!logs.is_empty(), "a log file was written");
    for l in &logs {
        assert_eq!(mode(l), 0o600, "{}", l.display());
    }
    assert!(!stale_cache.exists(), "stale cache temp removed");
    assert!(!stale_state.exists(), "stale state temp removed");
    assert!(live.exists(), "the temp of a live process is left alone");

    // Cache, state, monitor state and history, audit log, exports: all 0600 in 0700 dirs.
    let fresh = tempfile::tempdir().unwrap();
    let paths = under(fresh.path());
    let cache = Cache::for_tenant(&paths, "acme", "https://acme.example.com");
    cache.save("artifacts", &vec!["x"]).unwrap();
    cpitop::config::state::remember_tenant(&paths, "acme").unwrap();
    cpitop::monitor::persist::write_atomic(&paths.state_dir.join("m").join("s.json"), b"{}").unwrap();
    let audit = AuditLog::open(&AuditLog::path_in(&paths.state_dir)).unwrap();
    let export = fresh.path().join("out").join("rows.csv");
    cpitop::tui::export::write_with_mode(
        &export,
        cpitop::app::msg::ExportFormat::Csv,
        &["id".into()],
        &[serde_json::json!({"id": 1})],
        cpitop::tui::export::export_mode(None).unwrap(),
    )
    .unwrap();
    for f in [
        cache.file("artifacts"),
        paths.state_file(),
        paths.state_dir.join("m").join("s.json"),
        audit.path.clone(),
        export.clone(),
    ] {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    for d in [
        &paths.cache_dir,
        &paths.tenant_cache_root(),
        &cache.dir().to_path_buf(),
        &paths.state_dir,
    ] {
        assert_eq!(mode(d), 0o700, "{}", d.display());
    }
}

// --- item 4: audit gate ----------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_whose_audit_record_cannot_be_written_is_refused_and_never_sent() {
    cpitop::cpi::client::install_tls_provider();
    let sim = cpitop::sim::spawn(cpitop::sim::SimConfig {
        seed: 3,
        message_rate: 0.0,
        history_messages: Some(20),
        ..cpitop::sim::SimConfig::default()
    })
    .await
    .expect("sim");
    let admin = sim.admin();
    admin.fill_queue("DLQ_AUDIT", 1, true);
    let msg = admin.truth_queue("DLQ_AUDIT").expect("queue")[0].clone();
    let conn = sim.demo_conn("sim");
    let client = cpitop::cpi::client::CpiClient::new(conn.clone()).expect("client");
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let tenant = TenantInfo {
        name: "sim".into(),
        env: Some(Environment::Test),
        label: None,
        read_only: false,
        web_ui: None,
    };
    let mut s = State::new(tenant, Keymap::defaults(), cpitop::tui::poll::now_ms());
    let mut runner = EffectRunner::new(client, tx);
    // The audit log opens (it is /dev/full), but every write to it fails with ENOSPC.
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    std::os::unix::fs::symlink("/dev/full", AuditLog::path_in(&state)).unwrap();
    let setup = WriteSetup {
        audit_path: Some(AuditLog::path_in(&state)),
        who: Identity::of(&conn),
        read_only_flag: false,
        config_file: None,
    };
    let dev_mode = mode(Path::new("/dev/full"));
    let _audit = install(&setup, &mut s, &mut runner.writes).expect("the audit log opens");
    assert_eq!(
        mode(Path::new("/dev/full")),
        dev_mode,
        "a device's mode is never changed"
    );
    admin.clear_requests();

    let req = WriteRequest {
        id: 1,
        tenant: "sim".into(),
        job: Job::Queue {
            op: QueueOp::Retry,
            queue: "DLQ_AUDIT".into(),
            selection: Selection::Messages(vec![JmsMessageKey {
                msgid: msg.msgid.clone(),
                queue: "DLQ_AUDIT".into(),
                failed: true,
            }]),
        },
        follow: Follow::default(),
    };
    runner.writes.run(WriteEffect::Run(req));
    let report = loop {
        let m = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("the write ends in time")
            .expect("channel open");
        if let Msg::Write(WriteMsg::Done(r)) = m {
            break r;
        }
    };
    assert!(!report.ok, "{report:?}");
    assert!(
        report.headline.contains("audit log could not record the attempt")
            && report.headline.contains("nothing was sent"),
        "{}",
        report.headline
    );
    assert!(
        admin.recent_requests().is_empty(),
        "no request reached the tenant: {:?}",
        admin.recent_requests()
    );
    assert!(
        admin.truth_queue("DLQ_AUDIT").expect("queue")[0].failed,
        "the message was not retried"
    );
    // The user sees it: the report becomes the result dialog.
    let _ = update(&mut s, Msg::Write(WriteMsg::Done(report)));
    match &s.writes.dialog {
        Some(Dialog::Result { report, .. }) => assert!(report.headline.contains("not run"), "{report:?}"),
        other => panic!("expected the result dialog, got {other:?}"),
    }
}

// --- item 5: warnings on stderr --------------------------------------------------------------

/// A config with `body`, mode 0644, tenant `t` on a closed loopback port.
fn readable_config(dir: &Path, body: &str) -> PathBuf {
    let cfg = dir.join("config").join("cpitop").join("config.toml");
    std::fs::create_dir_all(cfg.parent().unwrap()).unwrap();
    std::fs::write(&cfg, body).unwrap();
    set_mode(&cfg, 0o644);
    cfg
}

const CLOSED: &str = "[defaults.limits]\nmax_retries = 0\n[tenants.t]\nurl = \"http://127.0.0.1:9\"\n";

fn get(dir: &Path, extra_env: &[(&str, &str)]) -> (Output, Duration) {
    let mut c = bin();
    xdg(&mut c, dir);
    for (k, v) in extra_env {
        c.env(k, v);
    }
    let started = Instant::now();
    let out = c.args(["get", "artifacts"]).output().unwrap();
    (out, started.elapsed())
}

#[test]
fn inline_secret_and_webhook_urls_in_a_readable_config_are_warned_about_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = readable_config(
        dir.path(),
        &format!("{CLOSED}auth = {{ username = \"u\", password = \"inline-pw-77\" }}\n"),
    );
    let (out, _) = get(dir.path(), &[]);
    let err = text(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("inline secrets"))
        .unwrap_or_else(|| panic!("no warning on stderr:\n{err}"));
    assert!(line.contains(&cfg.display().to_string()), "{line}");
    assert!(line.contains(&format!("chmod 600 {}", cfg.display())), "{line}");
    assert!(!err.contains("inline-pw-77"), "never the secret: {err}");

    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{CLOSED}auth = {{ username = \"u\", password_env = \"PW_FOR_T\" }}\n\
         [monitors.notify]\nwebhooks = [{{ name = \"ops\", format = \"teams\", url = \"https://hooks.example.com/key-abc123\" }}]\n"
    );
    let cfg = readable_config(dir.path(), &body);
    let c = Config::load_file(&cfg).unwrap();
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    assert!(
        c.warnings[0].message.contains("1 webhook URL"),
        "{}",
        c.warnings[0]
    );
    let (out, _) = get(dir.path(), &[("PW_FOR_T", "pw")]);
    let err = text(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("webhook URL"))
        .unwrap_or_else(|| panic!("no warning on stderr:\n{err}"));
    assert!(line.contains(&format!("chmod 600 {}", cfg.display())), "{line}");
    assert!(!err.contains("key-abc123"), "never the URL: {err}");
    // Private: no warning.
    set_mode(&cfg, 0o600);
    assert!(Config::load_file(&cfg).unwrap().warnings.is_empty());
}

// --- item 7: size caps -----------------------------------------------------------------------

#[test]
fn dev_zero_as_config_or_service_key_is_one_clear_error_fast() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = bin();
    xdg(&mut c, dir.path());
    let started = Instant::now();
    let out = c
        .args(["--config", "/dev/zero", "get", "artifacts"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("cannot read config file /dev/zero") && err.contains("larger than the maximum of 1 MiB"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(started.elapsed() < Duration::from_secs(20));

    let dir = tempfile::tempdir().unwrap();
    readable_config(dir.path(), "[tenants.t]\nservice_key = \"/dev/zero\"\n");
    let (out, took) = get(dir.path(), &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("cannot read service key /dev/zero")
            && err.contains("larger than the maximum of 64 KiB"),
        "{err}"
    );
    assert!(took < Duration::from_secs(20));
}

#[test]
fn an_oversized_cache_file_is_ignored_and_error_texts_are_cut() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::for_tenant(&under(dir.path()), "acme", "https://acme.example.com");
    cache.save("artifacts", &vec!["x"]).unwrap();
    // Sparse: costs no disk.
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(cache.file("artifacts"))
        .unwrap();
    f.set_len(cpitop::config::cache::MAX_CACHE_FILE + 1).unwrap();
    match cache.load::<Vec<String>>("artifacts") {
        CacheLoad::Ignored(w) => assert!(w.message.contains("larger than the maximum of 64 MiB"), "{w}"),
        other => panic!("{other:?}"),
    }
    let huge = "x".repeat(10 << 20);
    let t = cpitop::features::cache::data::CachedText::new(&huge, 0);
    assert!(t.text.len() <= cpitop::features::cache::data::MAX_CACHED_ERROR_TEXT + 100);
    assert!(t.text.contains(cpitop::features::cache::data::CUT_MARKER));
}

// --- item 9: secret command timeout ----------------------------------------------------------

#[test]
fn a_secret_command_whose_child_keeps_stdout_open_ends_promptly() {
    let started = Instant::now();
    let s = cpitop::config::secrets::run_secret_command("sleep 30 & echo s3cret", Duration::from_secs(3))
        .expect("the command printed its secret and exited");
    assert_eq!(s.expose(), "s3cret");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );

    let started = Instant::now();
    let e = cpitop::config::secrets::run_secret_command("sleep 30 & sleep 30", Duration::from_secs(1))
        .expect_err("times out");
    assert!(e.contains("did not finish within 1s"), "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_start_says_what_it_waits_for_and_honours_the_timeout_override() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = readable_config(
        dir.path(),
        &format!("{CLOSED}auth = {{ username = \"u\", password_command = \"(sleep 30 &) ; sleep 30\" }}\n"),
    );
    set_mode(&cfg, 0o600);
    let (out, took) = get(dir.path(), &[("CPITOP_SECRET_TIMEOUT", "2s")]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("waiting for the password command of tenant t (`(sleep 30 &) ; sleep 30`"),
        "{err}"
    );
    assert!(err.contains("did not finish within 2s"), "{err}");
    assert!(took < Duration::from_secs(15), "{took:?}");
}

// --- item 10: FIFO at a cache path ------------------------------------------------------------

#[test]
fn a_fifo_at_a_cache_path_does_not_block_the_load() {
    let dir = tempfile::tempdir().unwrap();
    let paths = under(dir.path());
    let cache = Cache::for_tenant(&paths, "acme", "https://acme.example.com");
    std::fs::create_dir_all(cache.dir()).unwrap();
    let fifo = cache.file(cpitop::features::cache::data::ARTIFACTS);
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let state_fifo = paths.state_dir.join("alert-state-acme.json");
    std::fs::create_dir_all(&paths.state_dir).unwrap();
    let c2 = std::ffi::CString::new(state_fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: as above.
    assert_eq!(unsafe { libc::mkfifo(c2.as_ptr(), 0o600) }, 0);

    let (tx, rx) = std::sync::mpsc::channel();
    let p = paths.clone();
    std::thread::spawn(move || {
        let loaded = cpitop::tui::tenant_effects::load_now(&p, "acme", "https://acme.example.com", 100);
        let state = cpitop::monitor::persist::read_json::<serde_json::Value>(&state_fifo).map(|_| ());
        let _ = tx.send((loaded, state));
    });
    let (loaded, state) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the load is not blocked by the FIFO");
    assert!(loaded.artifacts.is_none());
    assert!(
        loaded.warnings.iter().any(|w| w.contains("not a regular file")),
        "{:?}",
        loaded.warnings
    );
    assert!(state.is_err(), "a FIFO is no state file");
    // The next save replaces the FIFO with a regular file.
    cache
        .save(cpitop::features::cache::data::ARTIFACTS, &Vec::<String>::new())
        .unwrap();
    assert!(std::fs::metadata(&fifo).unwrap().is_file());
}
