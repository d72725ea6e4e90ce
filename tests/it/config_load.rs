//! Config loading: the example parses; every error message is precise (exact text).

use std::path::Path;
use std::time::Duration;

use cpitop::config::{Config, ConfigError, Credentials, Environment, SecretSource};

const FILE: &str = "/cfg/config.toml";

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new(FILE))
}

fn err(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

const OK_TENANT: &str = r#"
[tenants.dev]
url = "https://dev.example.com"
[tenants.dev.auth]
client_id = "cid"
token_url = "https://auth.example.com/oauth/token"
client_secret_env = "DEV_SECRET"
"#;

#[test]
fn example_config_parses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let c = Config::load_file(&root.join("config/cpitop.example.toml")).expect("example parses");
    assert_eq!(
        c.tenant_names(),
        ["acme-dev", "acme-qa", "acme-prod"],
        "file order kept"
    );
    assert_eq!(c.default_tenant.as_deref(), Some("acme-dev"));

    let dev = c.tenant("acme-dev").unwrap();
    assert_eq!(dev.environment, Environment::Dev);
    assert_eq!(dev.color, "green");
    assert!(!dev.read_only);
    assert_eq!(dev.poll.messages, Duration::from_secs(5));
    assert_eq!(dev.poll.artifacts, Duration::from_secs(30));
    assert_eq!(dev.poll.alerts, Duration::from_secs(60));
    assert_eq!(dev.poll.overview, Duration::from_secs(60));
    // One landscape, eu: dev → test → prod.
    assert!(c.tenants.iter().all(|t| t.landscape == "eu"));
    assert!(matches!(&dev.credentials,
        Credentials::OAuth { secret: SecretSource::Env(v), .. } if v == "CPITOP_ACME_DEV_SECRET"));

    let qa = c.tenant("acme-qa").unwrap();
    assert_eq!(qa.environment, Environment::Test);
    assert_eq!(qa.color, "lightblue");
    assert!(matches!(&qa.credentials,
        Credentials::Basic { password: SecretSource::Command(cmd), .. } if cmd == "pass show cpi/acme-qa"));

    let prod = c.tenant("acme-prod").unwrap();
    assert!(prod.read_only, "prod is read-only by default");
    assert_eq!(prod.color, "red");
    assert_eq!(prod.url, None);
    match &prod.credentials {
        Credentials::ServiceKey(p) => assert!(p.ends_with("config/keys/acme-prod.json"), "{p:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(prod.messages.window, Duration::from_secs(4 * 3600));
    assert_eq!(prod.messages.max_rows, 200_000);
    assert_eq!(prod.messages.cache_rows, 20_000);
    let dev = c.tenant("acme-dev").unwrap();
    assert_eq!(dev.messages.cache_rows, 10_000, "from [defaults.messages]");
    assert_eq!(prod.limits.requests_per_second, 5.0);
    assert_eq!(prod.limits.max_concurrency, 4, "from [defaults.limits]");
    assert_eq!(prod.limits.initial_backoff, Duration::from_millis(250));
}

#[test]
fn syntax_error_has_line_column_and_line() {
    assert_eq!(
        err("[tenants.dev]\nurl = \"https://x\nenvironment = \"dev\"\n"),
        "/cfg/config.toml:2:17: TOML syntax error: invalid basic string, expected `\"`\n 2 | url = \"https://x\n   |                 ^"
    );
}

#[test]
fn syntax_error_never_shows_an_inline_secret() {
    let e = err("[tenants.dev.auth]\nclient_secret = \"hunter2-very-secret\n");
    assert!(!e.contains("hunter2"), "{e}");
    assert!(e.contains("client_secret = ***"), "{e}");
}

#[test]
fn wrong_enum_value_lists_allowed_values() {
    assert_eq!(
        err(&format!("{OK_TENANT}\n[tenants.qa]\nenvironment = \"Prod\"\n")),
        "/cfg/config.toml:10:15: invalid value for `tenants.qa.environment`: `Prod` is not one of the allowed values\n  allowed values: dev, test, prod; did you mean `prod`?\n 10 | environment = \"Prod\"\n    |               ^"
    );
}

#[test]
fn unknown_key_suggests_the_closest() {
    let text = "[tenants.dev]\nurl = \"https://x\"\n[tenants.dev.auth]\nclient_id = \"c\"\ntoken_url = \"https://t\"\nclient_secet = \"s\"\n";
    assert_eq!(
        err(text),
        "/cfg/config.toml:6:1: unknown key `tenants.dev.auth.client_secet`; did you mean `client_secret`?\n 6 | client_secet = \"s\"\n   | ^\n  allowed keys here: type, client_id, token_url, client_secret, client_secret_env, client_secret_command, username, password, password_env, password_command"
    );
    assert_eq!(
        err("[defaults.poll]\nartifact = \"3s\"\n"),
        "/cfg/config.toml:2:1: unknown key `defaults.poll.artifact`; did you mean `artifacts`?\n 2 | artifact = \"3s\"\n   | ^\n  allowed keys here: artifacts, messages, queues, alerts, keystore, overview"
    );
    // Nothing close: no suggestion, still the allowed keys.
    assert_eq!(
        err("zzz = 1\n"),
        "/cfg/config.toml:1:1: unknown key `zzz`\n 1 | zzz = 1\n   | ^\n  allowed keys here: default_tenant, defaults, tenants, keys, theme, hotkeys, plugins, monitors, serve, errors"
    );
}

#[test]
fn wrong_type_and_bad_duration_name_the_key() {
    assert_eq!(
        err(&format!("{OK_TENANT}read_only_x = 1\n")
            .replace("read_only_x = 1", "")
            .replace("[tenants.dev.auth]", "read_only = \"yes\"\n[tenants.dev.auth]")),
        "/cfg/config.toml:4:13: invalid value for `tenants.dev.read_only`: invalid type: string \"yes\", expected a boolean\n 4 | read_only = \"yes\"\n   |             ^"
    );
    assert_eq!(
        err("[defaults.limits]\nrequest_timeout = \"30x\"\n"),
        "/cfg/config.toml:2:19: invalid value for `defaults.limits.request_timeout`: duration \"30x\": unknown unit \"x\"; use s, m, h, d or w (or ms; e.g. \"15m\", \"2d\")\n 2 | request_timeout = \"30x\"\n   |                   ^"
    );
}

#[test]
fn wrong_type_of_a_secret_does_not_echo_it() {
    let e = err("[tenants.dev.auth]\nclient_secret = 98765432\n");
    assert!(!e.contains("98765432"), "{e}");
    assert!(
        e.contains("invalid value for `tenants.dev.auth.client_secret`: expected a string"),
        "{e}"
    );
}

#[test]
fn missing_fields_name_tenant_and_key() {
    assert_eq!(
        err("[tenants.dev]\nenvironment = \"dev\"\n"),
        "/cfg/config.toml:1:10: tenant `dev` is missing `auth`: set `service_key = \"path/to/service-key.json\"` or add an [tenants.NAME.auth] table (OAuth client credentials or Basic)\n 1 | [tenants.dev]\n   |          ^"
    );
    assert_eq!(
        err(&OK_TENANT.replace("url = \"https://dev.example.com\"\n", "")),
        "/cfg/config.toml:2:10: tenant `dev` is missing `url`: the tenant's API service root, e.g. \"https://sub.it-cpi018.cfapps.eu10.hana.ondemand.com\"\n 2 | [tenants.dev]\n   |          ^"
    );
    assert_eq!(
        err(&OK_TENANT.replace("client_id = \"cid\"\n", "")),
        "/cfg/config.toml:4:14: tenant `dev` is missing `auth.client_id`: the OAuth client id (service key `clientid`)\n 4 | [tenants.dev.auth]\n   |              ^"
    );
    assert_eq!(
        err(&OK_TENANT.replace("client_secret_env = \"DEV_SECRET\"\n", "")),
        "/cfg/config.toml:4:14: tenant `dev` is missing `auth.client_secret_env`: set one of client_secret_env, client_secret_command, client_secret\n 4 | [tenants.dev.auth]\n   |              ^"
    );
    assert_eq!(
        err("[tenants.b]\nurl = \"https://x\"\nauth = { type = \"basic\" }\n"),
        "/cfg/config.toml:3:1: tenant `b` is missing `auth.username`: the user for HTTP Basic authentication\n 3 | auth = { type = \"basic\" }\n   | ^"
    );
}

#[test]
fn conflicting_settings_are_rejected() {
    assert_eq!(
        err(&OK_TENANT.replace(
            "client_secret_env = \"DEV_SECRET\"",
            "client_secret_env = \"A\"\nclient_secret_command = \"echo x\""
        )),
        "/cfg/config.toml:4:14: invalid value for `tenants.dev.auth`: give only one of client_secret_env, client_secret_command, client_secret\n 4 | [tenants.dev.auth]\n   |              ^"
    );
    let mixed = err(&OK_TENANT.replace("client_id = \"cid\"", "client_id = \"cid\"\nusername = \"u\""));
    assert!(
        mixed.starts_with("/cfg/config.toml:4:14: invalid value for `tenants.dev.auth`: mixes OAuth keys"),
        "{mixed}"
    );
    let both = err(&OK_TENANT.replace(
        "[tenants.dev.auth]",
        "service_key = \"k.json\"\n[tenants.dev.auth]",
    ));
    assert!(both.starts_with("/cfg/config.toml:4:1: invalid value for `tenants.dev.service_key`: give either `service_key` or an `auth` table, not both"), "{both}");
}

#[test]
fn semantic_value_errors_are_located() {
    assert_eq!(
        err(&format!("{OK_TENANT}color = \"rde\"\n")
            .replace("color = \"rde\"\n", "")
            .replace(
                "url = \"https://dev.example.com\"",
                "url = \"https://dev.example.com\"\ncolor = \"rde\""
            )),
        "/cfg/config.toml:4:1: invalid value for `tenants.dev.color`: `rde` is not a colour\n  allowed values: black, red, green, yellow, blue, magenta, cyan, gray, darkgray, lightred, lightgreen, lightyellow, lightblue, lightmagenta, lightcyan, white, #rrggbb; did you mean `red`?\n 4 | color = \"rde\"\n   | ^"
    );
    assert_eq!(
        err(&format!("{OK_TENANT}[tenants.dev.poll]\nqueues = \"500ms\"\n")),
        "/cfg/config.toml:9:1: invalid value for `tenants.dev.poll.queues`: a poll interval must be at least 1s\n 9 | queues = \"500ms\"\n   | ^"
    );
    assert_eq!(
        err(&format!("default_tenant = \"deb\"\n{OK_TENANT}")),
        "/cfg/config.toml:1:1: invalid value for `default_tenant`: no tenant named `deb`\n  allowed values: dev; did you mean `dev`?\n 1 | default_tenant = \"deb\"\n   | ^"
    );
    assert_eq!(
        err(&format!("[defaults.limits]\nmax_concurrency = 0\n{OK_TENANT}")),
        "/cfg/config.toml:2:1: invalid value for `defaults.limits.max_concurrency`: must be at least 1\n 2 | max_concurrency = 0\n   | ^"
    );
    let url = err(&OK_TENANT.replace("https://dev.example.com", "dev.example.com"));
    assert!(
        url.starts_with(
            "/cfg/config.toml:3:1: invalid value for `tenants.dev.url`: `dev.example.com` is not a URL"
        ),
        "{url}"
    );
    let name = err(&OK_TENANT
        .replace("[tenants.dev]", "[tenants.\"my tenant\"]")
        .replace("tenants.dev.auth", "tenants.\"my tenant\".auth"));
    assert!(
        name.contains("invalid value for `tenants.\"my tenant\"`: a tenant name may contain only"),
        "{name}"
    );
}

#[test]
fn defaults_apply_and_tenants_override() {
    let c = parse(&format!(
        "[defaults]\nread_only = true\nca_bundle = \"ca.pem\"\n[defaults.poll]\nqueues = \"2m\"\n[defaults.limits]\nburst = 3\n{OK_TENANT}[tenants.dev.limits]\nburst = 7\n"
    ))
    .unwrap();
    let t = c.tenant("dev").unwrap();
    assert!(t.read_only);
    assert_eq!(
        t.ca_bundle.as_deref(),
        Some(Path::new("/cfg/ca.pem")),
        "relative to the config dir"
    );
    assert_eq!(t.poll.queues, Duration::from_secs(120));
    assert_eq!(t.limits.burst, 7);
    assert_eq!(t.url.as_deref(), Some("https://dev.example.com"));
    // A prod tenant may opt out of read-only explicitly.
    let c =
        parse(&OK_TENANT.replace("\nurl =", "\nenvironment = \"prod\"\nread_only = false\nurl =")).unwrap();
    assert!(!c.tenants[0].read_only);
    // The API URL is normalised (no trailing slash or /api/v1).
    let c = parse(&OK_TENANT.replace("https://dev.example.com", "https://dev.example.com/api/v1/")).unwrap();
    assert_eq!(c.tenants[0].url.as_deref(), Some("https://dev.example.com"));
}

#[test]
fn monitors_keys_and_theme_pass_through() {
    let c = parse(&format!(
        "[keys]\nrefresh = \"R\"\n[theme]\nheader = \"red\"\n[monitors]\ninterval = \"1m\"\n[[monitors.defaults]]\nkey = \"stopped\"\n[[monitors.tenants.dev]]\nkey = \"dev-fails\"\n{OK_TENANT}"
    ))
    .unwrap();
    assert_eq!(c.keys.get("refresh").and_then(|v| v.as_str()), Some("R"));
    assert_eq!(
        c.theme
            .as_ref()
            .and_then(|t| t.get("header"))
            .and_then(|v| v.as_str()),
        Some("red")
    );
    assert_eq!(c.monitors.get("interval").and_then(|v| v.as_str()), Some("1m"));
    assert!(c.monitors.get("defaults").is_some_and(|v| v.is_array()));
    assert!(c.monitors.get("tenants").is_some_and(|v| v.is_table()));
}

#[test]
fn tenant_selection() {
    let two = format!("{OK_TENANT}{}", OK_TENANT.replace("tenants.dev", "tenants.prod"));
    let c = parse(&two).unwrap();
    assert_eq!(c.select(None, None).unwrap().name, "dev", "first in the file");
    assert_eq!(c.select(None, Some("prod")).unwrap().name, "prod", "last used");
    assert_eq!(
        c.select(None, Some("gone")).unwrap().name,
        "dev",
        "stale last-used ignored"
    );
    assert_eq!(
        c.select(Some("prod"), Some("dev")).unwrap().name,
        "prod",
        "--tenant wins"
    );
    assert_eq!(
        c.select(Some("prdo"), None).unwrap_err().to_string(),
        "no tenant named `prdo`; did you mean `prod`?; configured tenants: dev, prod"
    );
    let c = parse(&format!("default_tenant = \"prod\"\n{two}")).unwrap();
    assert_eq!(c.select(None, None).unwrap().name, "prod");
    let empty = parse("").unwrap();
    assert_eq!(
        empty.select(None, None).unwrap_err().to_string(),
        "no tenants are configured in /cfg/config.toml; add a [tenants.NAME] table (see `cpitop config init`), or try `cpitop --demo`"
    );
}

#[test]
fn missing_file_is_not_an_error_for_demo() {
    let dir = tempfile::tempdir().unwrap();
    let paths = cpitop::config::Paths::under(dir.path());
    let e = Config::load(&paths).unwrap_err();
    assert!(matches!(e, ConfigError::NotFound { .. }));
    assert!(
        e.to_string()
            .ends_with("does not exist; run `cpitop config init` to create one, or try `cpitop --demo`")
    );
    let c = Config::load_or_empty(&paths).unwrap();
    assert!(c.tenants.is_empty());
}

#[test]
fn bad_fixtures_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with("bad_") {
            n += 1;
            let e = Config::load_file(&path).expect_err("bad fixture must fail");
            assert!(e.to_string().contains(&*path.to_string_lossy()), "{e}");
        }
    }
    assert!(n >= 3, "fixtures present");
}

/// `[errors]` (issue 16): typed, defaults applied, rules compiled; each mistake located at its
/// key with the file and line, like the rest of the config.
#[test]
fn errors_section_is_typed_and_its_mistakes_located() {
    let defaults = parse(OK_TENANT).unwrap().errors;
    assert_eq!((defaults.budget, defaults.per_iflow), (60, false));
    assert!(defaults.rules.is_empty() && defaults.custom_statuses.is_empty());

    let c = parse(&format!(
        "{OK_TENANT}[errors]\nbudget = 30\nper_iflow = true\ncustom_statuses = [\"ERROR\", \" Rejected \"]\n\
         [[errors.rules]]\nname = \"SFTP auth\"\nregex = \"(?i)auth fail\"\n\
         [[errors.rules]]\nname = \"Partner down\"\nregex = 'receiver (\\w+) is down'\n"
    ))
    .unwrap();
    let e = c.errors;
    assert_eq!((e.budget, e.per_iflow), (30, true));
    assert_eq!(e.custom_statuses, ["ERROR", "Rejected"]);
    let signer = cpitop::signature::Signer::new(e.rules);
    assert_eq!(
        signer.sign("SSH: Auth fail for u1 on sftp.x.de", None).template,
        "SFTP auth"
    );
    assert_eq!(
        signer.sign("receiver ACME is down since 10:00", None).template,
        "Partner down: ACME"
    );

    assert_eq!(
        err(&format!("{OK_TENANT}[errors]\nbudget = 0\n")),
        "/cfg/config.toml:9:1: invalid value for `errors.budget`: must be from 1 to 600 (error texts fetched per minute, one request each)\n 9 | budget = 0\n   | ^"
    );
    let regex = err(&format!(
        "{OK_TENANT}[[errors.rules]]\nname = \"ok\"\nregex = \"a+\"\n[[errors.rules]]\nname = \"Broken\"\nregex = \"(unclosed\"\n"
    ));
    assert!(
        regex.starts_with(
            "/cfg/config.toml:13:1: invalid value for `errors.rules[1].regex`: error rule `Broken`: invalid `regex`: "
        ),
        "{regex}"
    );
    assert!(
        regex.ends_with("\n 13 | regex = \"(unclosed\"\n    | ^"),
        "{regex}"
    );
    assert_eq!(
        err(&format!("{OK_TENANT}[errors]\nbudgte = 5\n")),
        "/cfg/config.toml:9:1: unknown key `errors.budgte`; did you mean `budget`?\n 9 | budgte = 5\n   | ^\n  allowed keys here: budget, per_iflow, custom_statuses, rules"
    );
    let missing = err(&format!("{OK_TENANT}[[errors.rules]]\nname = \"x\"\n"));
    assert!(missing.contains("regex"), "{missing}");
    assert!(missing.starts_with("/cfg/config.toml:"), "{missing}");
    assert_eq!(
        err(&format!(
            "{OK_TENANT}[errors]\ncustom_statuses = [\"ERROR\", \" \"]\n"
        )),
        "/cfg/config.toml:9:29: invalid value for `errors.custom_statuses[1]`: an empty custom status; name one, e.g. \"ERROR\"\n 9 | custom_statuses = [\"ERROR\", \" \"]\n   |                             ^"
    );
    let name = err(&format!(
        "{OK_TENANT}[[errors.rules]]\nname = \" \"\nregex = \"x\"\n"
    ));
    assert!(
        name.starts_with("/cfg/config.toml:9:1: invalid value for `errors.rules[0].name`: an error rule needs a non-empty name"),
        "{name}"
    );
}

/// The example's commented `[errors]` lines are valid when uncommented.
#[test]
fn example_error_rules_are_valid_when_uncommented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("config/cpitop.example.toml")).unwrap();
    let errors_part = text.split("\n[errors]\n").nth(1).expect("an [errors] section");
    let uncommented: String = errors_part
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest)
                if rest.starts_with("[[errors.rules]]")
                    || rest.starts_with("name =")
                    || rest.starts_with("regex =")
                    || rest.starts_with("custom_statuses =") =>
            {
                rest
            }
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let full = format!(
        "{}\n[errors]\n{uncommented}\n",
        text.split("\n[errors]\n").next().unwrap()
    );
    let c = Config::parse(&full, Path::new(FILE)).expect("parses");
    assert_eq!(c.errors.rules.len(), 2);
    assert_eq!(c.errors.custom_statuses, ["ERROR"]);
    let signer = cpitop::signature::Signer::new(c.errors.rules);
    assert_eq!(
        signer
            .sign("com.jcraft.jsch.JSchException: Auth fail for sftp.x.de", None)
            .template,
        "SFTP authentication"
    );
}

#[test]
fn landscape_names_and_the_overview_interval_are_checked_where_they_are_written() {
    // A line in the tenant's own table (line 3).
    let with = |line: &str| OK_TENANT.replacen("url = ", &format!("{line}\nurl = "), 1);
    let c = parse(&with("landscape = \"us-east.2\"")).unwrap();
    assert_eq!(c.tenant("dev").unwrap().landscape, "us-east.2");
    let c = parse(OK_TENANT).unwrap();
    assert_eq!(
        c.tenant("dev").unwrap().landscape,
        "default",
        "no landscape named"
    );
    assert_eq!(
        err(&with("landscape = \"eu west\"")),
        "/cfg/config.toml:3:1: invalid value for `tenants.dev.landscape`: `eu west` cannot name a landscape: use letters, digits, `.`, `_` and `-`, starting with a letter or digit (e.g. \"eu\", \"us-east\")\n 3 | landscape = \"eu west\"\n   | ^"
    );
    let c = parse(&format!("{OK_TENANT}[tenants.dev.poll]\noverview = \"2m\"\n")).unwrap();
    assert_eq!(c.tenant("dev").unwrap().poll.overview, Duration::from_secs(120));
    assert_eq!(
        err(&format!("[defaults.poll]\noverview = \"5s\"\n{OK_TENANT}")),
        "/cfg/config.toml:2:1: invalid value for `defaults.poll.overview`: the overview of a tenant is polled at most every 10s (it runs for every tenant at once)\n 2 | overview = \"5s\"\n   | ^"
    );
}
