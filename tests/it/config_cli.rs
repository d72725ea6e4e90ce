//! `cpitop info`, `config init`, `config check --offline`, `cache clear` end to end, with every
//! XDG directory in a temporary dir.

use crate::fsx;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn root(&self) -> &Path {
        self.dir.path()
    }
    fn config_file(&self) -> PathBuf {
        self.root().join("xdg-config/cpitop/config.toml")
    }
    fn cmd(&self) -> Command {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin!("cpitop"));
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.root().join("home"))
            .env("XDG_CONFIG_HOME", self.root().join("xdg-config"))
            .env("XDG_CACHE_HOME", self.root().join("xdg-cache"))
            .env("XDG_STATE_HOME", self.root().join("xdg-state"))
            .env("RUST_BACKTRACE", "0")
            .env("NO_COLOR", "1");
        c
    }
    fn write_config(&self, text: &str) {
        fsx::write_private(&self.config_file(), text);
    }
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}
fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn info_prints_the_paths_in_use() {
    let env = Env::new();
    let out = env.cmd().arg("info").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let r = env.root().display().to_string();
    assert!(
        text.contains(&format!(
            "config file: {r}/xdg-config/cpitop/config.toml (does not exist)  [default location]"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("cache dir:   {r}/xdg-cache/cpitop\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("state dir:   {r}/xdg-state/cpitop\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("log dir:     {r}/xdg-state/cpitop/logs\n")),
        "{text}"
    );
    assert!(text.contains("tenants:     none"), "{text}");

    // CPITOP_CONFIG and --config override the location.
    let other = env.root().join("elsewhere.toml");
    let out = env
        .cmd()
        .arg("info")
        .env("CPITOP_CONFIG", &other)
        .output()
        .unwrap();
    assert!(stdout(&out).contains(&format!(
        "config file: {} (does not exist)  [$CPITOP_CONFIG]",
        other.display()
    )));
    let flag = env.root().join("flag.toml");
    let out = env
        .cmd()
        .arg("info")
        .arg("--config")
        .arg(&flag)
        .env("CPITOP_CONFIG", &other)
        .output()
        .unwrap();
    assert!(stdout(&out).contains(&format!(
        "config file: {} (does not exist)  [--config]",
        flag.display()
    )));
}

#[test]
fn config_init_writes_once_and_force_overwrites() {
    let env = Env::new();
    let out = env.cmd().args(["config", "init"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "wrote {}\nedit the [tenants.*] tables, then run `cpitop config check`\n",
            env.config_file().display()
        )
    );
    let written = std::fs::read_to_string(env.config_file()).unwrap();
    assert_eq!(written, cpitop::config::cli::EXAMPLE_CONFIG);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(env.config_file()).unwrap().permissions().mode() & 0o777,
        0o600
    );

    std::fs::write(env.config_file(), "# mine\n").unwrap();
    let out = env.cmd().args(["config", "init"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .contains("already exists; not overwriting it (use `cpitop config init --force` to replace it)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(env.config_file()).unwrap(),
        "# mine\n",
        "untouched"
    );

    let out = env.cmd().args(["config", "init", "--force"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        std::fs::read_to_string(env.config_file()).unwrap(),
        cpitop::config::cli::EXAMPLE_CONFIG
    );

    // The written config is valid and `info` lists its tenants.
    let out = env.cmd().arg("info").output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("  acme-dev   DEV   read-write  https://acme-dev.it-cpi018.cfapps.eu10-003.hana.ondemand.com  oauth sb-0f1e2d3c-aaaa-bbbb-cccc-123456789abc!b123456|it!b98765, secret from $CPITOP_ACME_DEV_SECRET (default)"), "{text}");
    assert!(text.contains("  acme-prod  PROD  read-only "), "{text}");
}

const ONE_TENANT: &str = "[tenants.dev]\nurl = \"https://dev.example.com\"\n[tenants.dev.auth]\nclient_id = \"cid\"\ntoken_url = \"https://auth.example.com/oauth/token\"\nclient_secret_env = \"DEV_SECRET\"\n";

#[test]
fn config_check_offline_reports_each_tenant() {
    let env = Env::new();
    env.write_config(&format!("{ONE_TENANT}[tenants.qa]\nurl = \"https://qa.example.com\"\nauth = {{ username = \"u\", password_command = \"exit 4\" }}\n"));
    let out = env
        .cmd()
        .args(["config", "check", "--offline"])
        .env("DEV_SECRET", "s3cr3t-value-1")
        .output()
        .unwrap();
    assert!(!out.status.success(), "qa must fail");
    let text = stdout(&out);
    assert_eq!(
        text,
        format!(
            "✓ {}: valid, 2 tenant(s)\n✓ dev  credentials resolved (oauth cid, secret from $DEV_SECRET), not contacted (--offline)\n✗ qa   the password command `exit 4` exited with status 4\n",
            env.config_file().display()
        )
    );
    assert!(
        stderr(&out).contains("1 of 2 tenant check(s) failed"),
        "{}",
        stderr(&out)
    );
    // --tenant narrows the check to one tenant.
    let out = env
        .cmd()
        .args(["config", "check", "--offline", "--tenant", "dev"])
        .env("DEV_SECRET", "x")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn config_check_lists_the_landscapes_in_promotion_order() {
    let env = Env::new();
    let tenant = |name: &str, env: &str, landscape: &str| {
        format!(
            "[tenants.{name}]\nenvironment = \"{env}\"\nlandscape = \"{landscape}\"\nurl = \"https://{name}.example.com\"\nauth = {{ username = \"u\", password_env = \"PW\" }}\n"
        )
    };
    env.write_config(
        &[
            tenant("eu-prod", "prod", "eu"),
            tenant("eu-dev", "dev", "eu"),
            tenant("us-prod", "prod", "us"),
            tenant("eu-qa", "test", "eu"),
        ]
        .concat(),
    );
    let out = env
        .cmd()
        .args(["config", "check", "--offline"])
        .env("PW", "pw")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("✓ landscapes: eu (eu-dev DEV → eu-qa TEST → eu-prod PROD); us (us-prod PROD)\n"),
        "{text}"
    );
    assert!(
        text.contains("! landscape `us` has one tenant: its version drift has nothing to compare"),
        "{text}"
    );
    // Without landscapes: no line about them.
    env.write_config(ONE_TENANT);
    let out = env
        .cmd()
        .args(["config", "check", "--offline"])
        .env("DEV_SECRET", "x")
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("landscape"), "{}", stdout(&out));
}

#[test]
fn config_check_reports_bad_config_precisely() {
    let env = Env::new();
    env.write_config(&ONE_TENANT.replace("client_id", "clientid"));
    let out = env.cmd().args(["config", "check", "--offline"]).output().unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{}:4:1: unknown key `tenants.dev.auth.clientid`; did you mean `client_id`?",
            env.config_file().display()
        )),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // A missing file says how to create one.
    std::fs::remove_file(env.config_file()).unwrap();
    let out = env.cmd().args(["config", "check"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("does not exist; run `cpitop config init` to create one"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn cache_clear_one_or_all() {
    let env = Env::new();
    let paths = cpitop::config::Paths::under(env.root());
    // Paths::under uses root/cache/cpitop; point the binary at the same place.
    let cache_a = cpitop::config::Cache::for_tenant(&paths, "a", "https://a.example");
    // The same name at an earlier URL: `cache clear --tenant a` clears that too.
    let cache_a_old = cpitop::config::Cache::for_tenant(&paths, "a", "https://old-a.example");
    let cache_b = cpitop::config::Cache::for_tenant(&paths, "b", "https://b.example");
    let dir_a = cpitop::config::cache::tenant_dir(&paths, "a");
    cache_a.save("artifacts", &vec![1, 2, 3]).unwrap();
    cache_a_old.save("artifacts", &vec![0]).unwrap();
    cache_b.save("artifacts", &vec![4]).unwrap();
    let run = |args: &[&str]| {
        let mut c = env.cmd();
        c.env("XDG_CACHE_HOME", env.root().join("cache"));
        let out = c.args(args).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let text = run(&["cache", "clear", "--tenant", "a"]);
    assert_eq!(
        text,
        format!("cleared the cache of tenant `a` ({})\n", dir_a.display())
    );
    assert!(!cache_a.dir().exists());
    assert!(!cache_a_old.dir().exists());
    assert!(cache_b.dir().exists());
    let text = run(&["cache", "clear", "--tenant", "a"]);
    assert_eq!(text, format!("tenant `a` has no cache ({})\n", dir_a.display()));
    let text = run(&["cache", "clear"]);
    assert_eq!(
        text,
        format!(
            "cleared the cache of all tenants ({})\n",
            paths.tenant_cache_root().display()
        )
    );
    assert!(!cache_b.dir().exists());
}

#[test]
fn logs_go_to_the_state_dir_never_the_terminal() {
    let env = Env::new();
    env.write_config(ONE_TENANT);
    let out = env
        .cmd()
        .args(["config", "check", "--offline", "--log-level", "trace"])
        .env("DEV_SECRET", "x")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("INFO") && !stderr(&out).contains("INFO"));
    let logs = env.root().join("xdg-state/cpitop/logs");
    let files: Vec<_> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("cpitop.")
    );
    assert!(
        std::fs::read_to_string(&files[0])
            .unwrap()
            .contains("cpitop started")
    );
    // A bad level is reported, not ignored.
    let out = env
        .cmd()
        .args(["config", "check", "--offline", "--log-level", "loud=[["])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("invalid log level `loud=[[`"),
        "{}",
        stderr(&out)
    );
}
