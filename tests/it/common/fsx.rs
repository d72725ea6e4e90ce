//! Small file helpers shared by the tests that write configs and secrets into tempdirs.
#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};

/// Every file below `dir` (recursively); none if it does not exist.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Make `path` readable by its owner only (cpitop warns about secrets in readable files).
pub fn owner_only(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// Write `text` to `path` (creating its folder), readable by its owner only.
pub fn write_private(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, text).unwrap();
    owner_only(path);
}

/// A config for `sim` in `dir` (tenant `simt`, no retries, owner-only); the secret comes from the environment.
pub fn config_for(sim: &cpitop::sim::SimHandle, dir: &Path) -> PathBuf {
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"
[defaults.limits]
max_retries = 0

[tenants.simt]
url = "{url}"
environment = "dev"
auth = {{ client_id = "{id}", token_url = "{token}", client_secret_env = "SIM_SECRET" }}
"#,
            url = sim.base_url,
            id = sim.client_id,
            token = sim.token_url,
        ),
    )
    .unwrap();
    owner_only(&cfg);
    cfg
}

// `cpitop get` as a script runs it (get_cli, get_keystore).

/// The binary with a quiet backtrace and no colour (as a script sees it).
pub fn bin() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("cpitop"));
    c.env("RUST_BACKTRACE", "0").env("NO_COLOR", "1");
    c
}

/// Output bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `cpitop --demo get ARGS…` with XDG dirs in a fresh tempdir.
pub fn demo(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    bin()
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .args(["--demo", "get"])
        .args(args)
        .output()
        .unwrap()
}

/// stdout of a successful run (else the exit, stdout and stderr in the panic).
pub fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}
