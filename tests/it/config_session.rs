//! Starting against a tenant: selection order, `--read-only`, remembering the last tenant.

use cpitop::cli::GlobalArgs;
use cpitop::config::session::open_with;
use cpitop::config::{Paths, state};

fn global(tenant: Option<&str>, read_only: bool) -> GlobalArgs {
    GlobalArgs {
        demo: false,
        config: None,
        tenant: tenant.map(str::to_string),
        log_level: None,
        read_only,
        ..GlobalArgs::default()
    }
}

fn setup() -> (tempfile::TempDir, Paths) {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::under(dir.path());
    std::fs::create_dir_all(paths.config_dir()).unwrap();
    let secret = dir.path().join("s.txt");
    std::fs::write(&secret, "pw-1\n").unwrap();
    std::fs::write(
        &paths.config_file,
        format!(
            "[tenants.dev]\nurl = \"https://dev\"\nauth = {{ username = \"u\", password_command = \"cat '{0}'\" }}\n\
             [tenants.prod]\nenvironment = \"prod\"\nread_only = false\nurl = \"https://prod\"\nauth = {{ username = \"u\", password_command = \"cat '{0}'\" }}\n",
            secret.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&paths.config_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    (dir, paths)
}

#[test]
fn first_then_remembered_then_flag() {
    let (_d, paths) = setup();
    let s = open_with(paths.clone(), &global(None, false)).unwrap();
    assert_eq!(s.profile.name, "dev");
    assert_eq!(s.conn.base_url, "https://dev");
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(state::last_tenant(&paths).as_deref(), Some("dev"));

    let s = open_with(paths.clone(), &global(Some("prod"), false)).unwrap();
    assert_eq!(s.profile.name, "prod");
    assert!(!s.profile.read_only);
    // Without --tenant, the last used one is chosen.
    let s = open_with(paths.clone(), &global(None, true)).unwrap();
    assert_eq!(s.profile.name, "prod");
    assert!(s.profile.read_only, "--read-only forces it");
    let e = open_with(paths.clone(), &global(Some("prdo"), false)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no tenant named `prdo`; did you mean `prod`?; configured tenants: dev, prod"
    );
}

#[test]
fn unreadable_state_is_a_warning_not_a_failure() {
    let (_d, paths) = setup();
    std::fs::create_dir_all(&paths.state_dir).unwrap();
    std::fs::write(paths.state_file(), "not json").unwrap();
    let s = open_with(paths.clone(), &global(None, false)).unwrap();
    assert_eq!(s.profile.name, "dev");
    assert_eq!(s.warnings.len(), 1);
    assert!(s.warnings[0].message.contains("is corrupt"), "{}", s.warnings[0]);
    assert_eq!(state::last_tenant(&paths).as_deref(), Some("dev"), "rewritten");
}
