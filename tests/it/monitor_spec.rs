//! The monitor configuration: the documented example parses, mistakes are reported clearly.

use cpitop::cpi::model::MplStatus;
use cpitop::monitor::notify::WebhookFormat;
use cpitop::monitor::{HumanDuration, MonitorsConfig, Rule, Scope, Severity};

#[derive(serde::Deserialize)]
struct File {
    monitors: MonitorsConfig,
}

const EXAMPLE: &str = r#"
[monitors]
interval = "1m"
bell = true
history_limit = 2000

[[monitors.defaults]]
key = "stopped"
name = "iFlow not started"
rules = [{ kind = "not_started", for = "5m" }]

[[monitors.defaults]]
key = "orders-failing"
name = "Orders failing"
scope = { glob = "Orders_*" }
rules = [
  { kind = "failures", at_least = 3, within = "15m" },
  { kind = "no_success", within = "2h", severity = "warning" },
]

[[monitors.defaults]]
key = "platform"
name = "Platform"
rules = [
  { kind = "tenant_unreachable", for = "5m" },
  { kind = "broker_capacity", warning_percent = 80, critical_percent = 95 },
  { kind = "cert_expiry", within = "30d" },
  { kind = "dlq_not_empty" },
  { kind = "blocked_messages" },
  { kind = "queue_age", queues = "*", older_than = "1h" },
  { kind = "queue_depth", queues = "ORDERS_*", above = 1000 },
  { kind = "min_messages", at_least = 1, within = "1d" },
]

[[monitors.tenants.prod]]
key = "finance-volume"
name = "Finance volume"
scope = { package = "Finance" }
rules = [{ kind = "min_messages", at_least = 10, within = "1h" }]

[[monitors.tenants.prod]]
key = "stopped"
name = "iFlow not started (prod: at once)"
scope = "all"
rules = [{ kind = "not_started" }]

[[monitors.tenants.dev]]
key = "stopped"
name = "off in dev"
active = false
rules = [{ kind = "not_started" }]

[monitors.notify]
group_window = "30s"
min_interval = "5m"
webhooks = [{ name = "ops-teams", format = "teams", url = "https://example.invalid/hook?sig=SECRETKEY" }]
commands = [{ program = "/usr/local/bin/page-oncall", args = ["--team", "integration"] }]
"#;

fn parse(text: &str) -> Result<MonitorsConfig, String> {
    toml::from_str::<File>(text)
        .map(|f| f.monitors)
        .map_err(|e| e.to_string())
}

#[test]
fn documented_example_parses_and_validates() {
    let cfg = parse(EXAMPLE).expect("example parses");
    cfg.validate().expect("example is valid");
    assert_eq!(cfg.interval, HumanDuration::from_mins(1));
    assert_eq!(cfg.defaults.len(), 3);
    let orders = &cfg.defaults[1];
    assert_eq!(orders.scope, Scope::Glob("Orders_*".into()));
    assert_eq!(
        orders.rules[0],
        Rule::Failures {
            at_least: 3,
            within: HumanDuration::from_mins(15),
            statuses: vec![MplStatus::Failed],
            custom_statuses: vec![],
            severity: None
        }
    );
    assert_eq!(
        orders.rules[1],
        Rule::NoSuccess {
            within: HumanDuration::from_mins(120),
            severity: Some(Severity::Warning)
        }
    );
    assert_eq!(cfg.notify.webhooks[0].format, WebhookFormat::Teams);
    // The webhook URL is a secret: Debug of the whole config does not show it.
    assert!(!format!("{cfg:?}").contains("SECRETKEY"));

    let prod: Vec<&str> = cfg.monitors_for("prod").iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        prod,
        [
            "iFlow not started (prod: at once)",
            "Orders failing",
            "Platform",
            "Finance volume"
        ]
    );
    let dev = cfg.monitors_for("dev");
    assert!(!dev[0].active);
    assert_eq!(cfg.monitors_for("other").len(), 3);
}

#[test]
fn typos_and_bad_values_are_reported() {
    let cases: &[(&str, &str)] = &[
        (
            "[[monitors.defaults]]\nkey='a'\nname='a'\nrules=[{ kind='failures', withn='15m' }]",
            "withn",
        ),
        (
            "[[monitors.defaults]]\nkey='a'\nname='a'\nrules=[{ kind='failures', within='15' }]",
            "has no unit",
        ),
        (
            "[[monitors.defaults]]\nkey='a'\nname='a'\nrules=[{ kind='explode' }]",
            "explode",
        ),
        (
            "[[monitors.defaults]]\nkey='a'\nname='a'\nscope={ flow='x' }\nrules=[]",
            "flow",
        ),
        ("[[monitors.defaults]]\nkey='a'\nnam='a'\nrules=[]", "nam"),
        (
            "[[monitors.defaults]]\nkey='a'\nname='a'\nrules=[{ kind='failures', within='1m', statuses=['FAILD'] }]",
            "unknown message status \"FAILD\"",
        ),
        ("[monitors.notify]\ngroup_windw='1m'", "group_windw"),
    ];
    for (text, want) in cases {
        let err = parse(&format!("[monitors]\n{text}")).expect_err(text);
        assert!(err.contains(want), "{text}: {err}");
    }
}

#[test]
fn validation_names_each_problem() {
    let text = r#"
[monitors]
interval = "1s"
[[monitors.defaults]]
key = "dup"
name = "a"
rules = [{ kind = "failures", at_least = 0, within = "5m" }]
[[monitors.defaults]]
key = "dup"
name = "b"
rules = []
[[monitors.tenants.prod]]
key = "bad key!"
name = "c"
rules = [{ kind = "broker_capacity", warning_percent = 96, critical_percent = 95 }]
[monitors.notify]
webhooks = [{ name = "hook", url = "not a url SECRETKEY" }]
"#;
    let cfg = parse(text).expect("parses");
    let problems = cfg.validate().expect_err("invalid").join("\n");
    for want in [
        "monitors.defaults: key \"dup\" is used twice",
        "monitor \"dup\": rule failures: at_least must be 1 or more",
        "monitor \"dup\": has no rules",
        "monitors.tenants.prod: monitor \"bad key!\": key must be",
        "warning_percent (96) is above critical_percent (95)",
        "interval = \"1s\" is too short",
        "webhooks[0] (hook): url is not an http(s) URL",
    ] {
        assert!(problems.contains(want), "missing {want:?} in:\n{problems}");
    }
    assert!(!problems.contains("SECRETKEY"));
}

#[test]
fn needs_follow_the_configured_rules() {
    let cfg = parse(EXAMPLE).expect("example parses");
    let n = cpitop::monitor::needs(cfg.monitors_for("prod"));
    assert!(n.artifacts && n.queues && n.broker && n.keystore && n.health);
    // The design-time artifacts of the one scoped package, for its min_messages rule.
    assert_eq!(n.packages, ["Finance"]);
    assert_eq!(n.message_window, Some(std::time::Duration::from_secs(86_400)));
    assert_eq!(n.queue_messages, ["*"]);
    assert!(n.queue_messages_of("ORDERS_IN"));

    let only = parse(
        "[monitors]\n[[monitors.defaults]]\nkey='f'\nname='f'\nscope={ iflow='A' }\n\
         rules=[{ kind='no_success', within='2h' }, { kind='blocked_messages', queues='JMS_*' }]",
    )
    .expect("parses");
    let n = cpitop::monitor::needs(cfg_specs(&only));
    assert!(!n.artifacts && n.packages.is_empty() && !n.broker && !n.keystore && !n.health);
    assert_eq!(n.message_window, Some(std::time::Duration::from_secs(7_200)));
    assert!(n.queues && n.queue_messages_of("JMS_X") && !n.queue_messages_of("OTHER"));

    // Inactive monitors need nothing.
    let dev = cpitop::monitor::needs(cfg.monitors_for("dev").into_iter().filter(|m| m.key == "stopped"));
    assert_eq!(dev, cpitop::monitor::Needs::default());
}

fn cfg_specs(cfg: &MonitorsConfig) -> Vec<&cpitop::monitor::MonitorSpec> {
    cfg.defaults.iter().collect()
}
