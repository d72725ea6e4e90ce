//! `cpitop config check` reports `[monitors]` problems with the file and line, and summarises
//! valid monitors; every XDG directory in a temporary dir.

use crate::fsx;
use assert_cmd::Command;

const ONE_TENANT: &str = "[tenants.dev]\nurl = \"https://dev.example.com\"\n[tenants.dev.auth]\nclient_id = \"cid\"\ntoken_url = \"https://auth.example.com/oauth/token\"\nclient_secret_env = \"DEV_SECRET\"\n";

fn check(config: &str) -> (bool, String, String, std::path::PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("xdg-config/cpitop/config.toml");
    fsx::write_private(&file, config);
    let out = Command::new(assert_cmd::cargo::cargo_bin!("cpitop"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path().join("home"))
        .env("XDG_CONFIG_HOME", dir.path().join("xdg-config"))
        .env("XDG_CACHE_HOME", dir.path().join("xdg-cache"))
        .env("XDG_STATE_HOME", dir.path().join("xdg-state"))
        .env("DEV_SECRET", "s3cr3t")
        .env("NO_COLOR", "1")
        .args(["config", "check", "--offline"])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        file,
        dir,
    )
}

#[test]
fn config_check_reports_monitor_errors_with_their_line() {
    let bad = format!(
        "{ONE_TENANT}[monitors]\n[[monitors.defaults]]\nkey = \"stopped\"\nname = \"Stopped\"\nrules = [{{ kind = \"not_startd\" }}]\n"
    );
    let (ok, out, err, file, _dir) = check(&bad);
    assert!(!ok, "{out}\n{err}");
    assert!(out.contains("✗ monitors: "), "{out}");
    assert!(out.contains(&format!("{}:", file.display())), "{out}");
    assert!(out.contains("not_startd"), "{out}");
    assert!(err.contains("[monitors] is not valid"), "{err}");
    // The tenant itself is still checked.
    assert!(out.contains("✓ dev"), "{out}");

    let good = format!(
        "{ONE_TENANT}[monitors]\ninterval = \"2m\"\n[[monitors.defaults]]\nkey = \"stopped\"\nname = \"Stopped\"\nrules = [{{ kind = \"not_started\" }}]\n[[monitors.tenants.dev]]\nkey = \"d\"\nname = \"D\"\nrules = [{{ kind = \"dlq_not_empty\" }}]\n"
    );
    let (ok, out, err, _, _dir) = check(&good);
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains("✓ monitors: 1 default(s), 1 tenant-specific, every 2m"),
        "{out}"
    );
}
