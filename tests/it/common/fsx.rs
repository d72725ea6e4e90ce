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
