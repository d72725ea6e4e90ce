//! One grammar each for what people type: durations, statuses, sort specs and the environment.
//! The config, the monitors, the TUI's commands and `cpitop get` read the same text the same way
//! (before, `poll.messages = "1h30m"` was refused while a monitor's `within = "1h30m"` was read).

use std::path::Path;
use std::time::Duration;

use cpitop::app::state::{Pane, State};
use cpitop::app::{Msg, apply};
use cpitop::config::{Config, Environment};
use cpitop::cpi::model::MplStatus;

use crate::tui_support::{artifacts, load_artifacts, state};

const TENANT: &str = r#"
[tenants.dev]
url = "https://dev.example.com"
environment = "prod"
[tenants.dev.auth]
client_id = "cid"
token_url = "https://auth.example.com/oauth/token"
client_secret_env = "DEV_SECRET"
"#;

fn config(extra: &str) -> Result<Config, String> {
    Config::parse(&format!("{TENANT}{extra}"), Path::new("/cfg/config.toml")).map_err(|e| e.to_string())
}

#[derive(serde::Deserialize)]
struct Monitors {
    #[serde(rename = "monitors")]
    _monitors: cpitop::monitor::MonitorsConfig,
}

fn monitor_error(within: &str) -> Option<String> {
    let text = format!(
        "[monitors]\n[[monitors.defaults]]\nkey='a'\nname='a'\nrules=[{{ kind='failures', within='{within}' }}]"
    );
    toml::from_str::<Monitors>(&text).err().map(|e| e.to_string())
}

#[test]
fn durations_read_alike_in_the_config_the_monitors_the_tui_and_get() {
    // The config: compounds and every unit, as everywhere else.
    let c = config("[tenants.dev.poll]\nmessages = \"1h30m\"\nqueues = \"1m 30s\"\n").expect("1h30m is read");
    let p = &c.tenants[0];
    assert_eq!(p.poll.messages, Duration::from_secs(5400));
    assert_eq!(p.poll.queues, Duration::from_secs(90));
    // A bare TOML number stays whole seconds (a number, not a string).
    let c = config("[tenants.dev.limits]\nrequest_timeout = 45\n").expect("seconds");
    assert_eq!(c.tenants[0].limits.request_timeout, Duration::from_secs(45));
    // The monitors: the same text is accepted, the same mistake named the same way.
    assert_eq!(monitor_error("1h30m"), None);
    let in_config = config("[tenants.dev.poll]\nmessages = \"90x\"\n").expect_err("refused");
    let in_monitors = monitor_error("90x").expect("refused");
    let why = "duration \"90x\": unknown unit \"x\"; use s, m, h, d or w";
    assert!(in_config.contains(why), "{in_config}");
    assert!(in_monitors.contains(why), "{in_monitors}");
    // The TUI's `:window` and `cpitop get --since`.
    let mut s = state(120, 30);
    apply(&mut s, [Msg::Command("window 1h30m".into())]);
    assert_eq!(s.messages.query.window_ms, 5_400_000);
    assert_eq!(s.pane(), Pane::Messages);
    assert_eq!(
        cpitop::get::filter::parse_time("1h30m"),
        Ok(cpitop::get::filter::TimeArg::Ago(5_400_000))
    );
}

#[test]
fn statuses_read_alike_in_the_tui_get_and_the_monitors() {
    let mut s = state(120, 30);
    apply(&mut s, [Msg::Command("status failed, retry".into())]);
    assert_eq!(
        s.messages.query.status.as_deref(),
        Some("FAILED,RETRY"),
        "canonical"
    );
    assert_eq!(
        cpitop::get::filter::parse_status_arg("failed, retry").map(|s| s.0),
        Ok(vec![MplStatus::Failed, MplStatus::Retry])
    );
    // A typo is refused the same way everywhere (the TUI asks the tenant nothing).
    apply(&mut s, [Msg::Command("status faild".into())]);
    assert_eq!(
        s.messages.query.status.as_deref(),
        Some("FAILED,RETRY"),
        "unchanged"
    );
    let toast = s.toast.clone().expect("toast").text;
    let get = cpitop::get::filter::parse_status_arg("faild").expect_err("refused");
    assert!(toast.ends_with(&get), "{toast} / {get}");
    let text = "[monitors]\n[[monitors.defaults]]\nkey='a'\nname='a'\nrules=[{ kind='failures', within='1m', statuses=['faild'] }]";
    let monitors = toml::from_str::<Monitors>(text)
        .err()
        .expect("refused")
        .to_string();
    assert!(monitors.contains(&get), "{monitors} / {get}");
}

#[test]
fn sort_specs_read_alike_in_the_tui_and_get() {
    let mut s: State = state(160, 30);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [Msg::Command("sort deployed_by desc".into())]);
    let cols = s.table().expect("table").columns();
    let tui = s.table().expect("table").list().sort;
    assert_eq!(tui, cpitop::kit::list::parse_sort("deployed_by:desc", cols).ok());
    assert_eq!(
        tui,
        cpitop::kit::list::parse_sort("Deployed By:DESC", cols).ok(),
        "titles too"
    );
    apply(&mut s, [Msg::Command("sort colour".into())]);
    let toast = s.toast.clone().expect("toast").text;
    assert_eq!(Err(toast), cpitop::kit::list::parse_sort("colour", cols));
}

#[test]
fn the_environment_is_the_configs() {
    let c = config("").expect("parses");
    let (info, _, _) = cpitop::app::tenant::setup_of(&c.tenants[0], false, "https://dev.example.com");
    assert_eq!(
        info.env,
        Some(Environment::Prod),
        "one Environment type, no text round trip"
    );
    assert_eq!(info.badge(), "PROD");
    assert!(info.read_only, "prod is read-only unless configured otherwise");
}
