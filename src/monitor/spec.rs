//! Monitor definitions as written in the config file (`[monitors]`). Types are strict
//! (`deny_unknown_fields`) so that a typo is reported instead of silently ignored, and
//! `MonitorsConfig::validate` checks what serde cannot (unique keys, thresholds that make sense).
//!
//! Example (the config file embeds this table as `monitors`):
//!
//! ```toml
//! [monitors]
//! interval = "1m"          # how often monitors are evaluated (default 1m)
//! bell = true              # ring the terminal bell on a transition to warning/error
//! history_limit = 2000     # lines kept in the per-tenant transition history
//!
//! [[monitors.defaults]]    # apply to every tenant
//! key = "stopped"
//! name = "iFlow not started"
//! rules = [{ kind = "not_started", for = "5m" }]
//!
//! [[monitors.defaults]]
//! key = "orders-failing"
//! name = "Orders failing"
//! scope = { glob = "Orders_*" }
//! rules = [
//!   { kind = "failures", at_least = 3, within = "15m" },
//!   { kind = "no_success", within = "2h", severity = "warning" },
//! ]
//!
//! [[monitors.defaults]]
//! key = "platform"
//! name = "Platform"
//! rules = [
//!   { kind = "tenant_unreachable", for = "5m" },
//!   { kind = "broker_capacity", warning_percent = 80, critical_percent = 95 },
//!   { kind = "cert_expiry", within = "30d" },
//!   { kind = "dlq_not_empty" },
//!   { kind = "blocked_messages" },
//!   { kind = "queue_age", queues = "*", older_than = "1h" },
//! ]
//!
//! [[monitors.tenants.prod]]   # only for tenant "prod"; same key overrides a default
//! key = "finance-volume"
//! name = "Finance volume"
//! scope = { package = "Finance" }
//! rules = [{ kind = "min_messages", at_least = 10, within = "1h" }]
//!
//! [monitors.notify]
//! group_window = "30s"
//! min_interval = "5m"
//! webhooks = [{ name = "ops-teams", format = "teams", url = "https://…" }]
//! commands = [{ program = "/usr/local/bin/page-oncall", args = ["--team", "integration"] }]
//! ```

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::duration::HumanDuration;
use super::glob::glob_match;
use super::notify::NotifyConfig;
use crate::cpi::model::MplStatus;

/// Every monitor setting: defaults for all tenants, per-tenant monitors, evaluation interval,
/// history size and notification targets.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorsConfig {
    #[serde(default = "default_interval")]
    pub interval: HumanDuration,
    #[serde(default = "yes")]
    pub bell: bool,
    #[serde(default = "default_history_limit")]
    pub history_limit: usize,
    #[serde(default)]
    pub defaults: Vec<MonitorSpec>,
    /// Tenant name → its own monitors. A monitor with the key of a default replaces that default
    /// for this tenant (use `active = false` to switch a default off).
    #[serde(default)]
    pub tenants: BTreeMap<String, Vec<MonitorSpec>>,
    #[serde(default)]
    pub notify: NotifyConfig,
}

impl Default for MonitorsConfig {
    fn default() -> Self {
        Self {
            interval: default_interval(),
            bell: true,
            history_limit: default_history_limit(),
            defaults: Vec::new(),
            tenants: BTreeMap::new(),
            notify: NotifyConfig::default(),
        }
    }
}

fn default_interval() -> HumanDuration {
    HumanDuration::from_mins(1)
}
fn default_history_limit() -> usize {
    2000
}
fn yes() -> bool {
    true
}

impl MonitorsConfig {
    /// The monitors of `tenant`: the defaults, with same-key tenant monitors replacing them, then
    /// the tenant's other monitors. Inactive monitors are included (callers skip them).
    pub fn monitors_for(&self, tenant: &str) -> Vec<&MonitorSpec> {
        let own = self.tenants.get(tenant).map(Vec::as_slice).unwrap_or(&[]);
        let mut out: Vec<&MonitorSpec> = self
            .defaults
            .iter()
            .map(|d| own.iter().find(|m| m.key == d.key).unwrap_or(d))
            .collect();
        out.extend(
            own.iter()
                .filter(|m| !self.defaults.iter().any(|d| d.key == m.key)),
        );
        out
    }

    /// Check what serde cannot: keys unique and well-formed, rules present and sane. Every problem
    /// is reported, each naming the monitor.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        validate_list("monitors.defaults", &self.defaults, &mut problems);
        for (tenant, list) in &self.tenants {
            validate_list(&format!("monitors.tenants.{tenant}"), list, &mut problems);
        }
        if self.interval.0.as_secs() < 5 {
            problems.push(format!(
                "monitors.interval = \"{}\" is too short; use at least 5s",
                self.interval
            ));
        }
        if self.history_limit == 0 {
            problems.push("monitors.history_limit must be at least 1".to_string());
        }
        problems.extend(self.notify.problems());
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

fn validate_list(place: &str, list: &[MonitorSpec], problems: &mut Vec<String>) {
    let mut seen = HashSet::new();
    for m in list {
        if !seen.insert(m.key.as_str()) {
            problems.push(format!(
                "{place}: key {:?} is used twice; keys must be unique",
                m.key
            ));
        }
        for p in m.problems() {
            problems.push(format!("{place}: monitor {:?}: {p}", m.key));
        }
    }
}

/// One monitor: what to watch (`scope`) and when to alert (`rules`; the worst result wins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorSpec {
    /// Stable identifier (letters, digits, `-`, `_`, `.`): used for acknowledgements, silences,
    /// history and `CPITOP_ALERT_MONITOR`.
    pub key: String,
    /// Display name.
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
    /// Which iFlows the artifact and message rules look at. Queue, broker, certificate and tenant
    /// rules have their own selectors and ignore the scope.
    #[serde(default)]
    pub scope: Scope,
    pub rules: Vec<Rule>,
}

impl MonitorSpec {
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.key.is_empty()
            || !self
                .key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            out.push("key must be non-empty and use only letters, digits, '-', '_' or '.'".into());
        }
        if self.rules.is_empty() {
            out.push("has no rules; add at least one, e.g. rules = [{ kind = \"not_started\" }]".into());
        }
        match &self.scope {
            Scope::Iflow(s) | Scope::Glob(s) | Scope::Package(s) if s.trim().is_empty() => {
                out.push("scope names an empty id".into())
            }
            _ => {}
        }
        for r in &self.rules {
            if let Some(p) = r.problem() {
                out.push(format!("rule {}: {p}", r.kind()));
            }
        }
        out
    }
}

/// What a monitor covers. In TOML: `scope = "all"`, `scope = { iflow = "Orders_Inbound" }`,
/// `scope = { glob = "Orders_*" }`, `scope = { package = "Finance" }`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Scope {
    #[default]
    All,
    /// One iFlow (runtime artifact) id.
    Iflow(String),
    /// A glob over artifact ids (`*`, `?`).
    Glob(String),
    /// Every artifact of an integration package (by package id).
    Package(String),
}

impl Scope {
    /// Whether `id` is in scope. `package` is the artifact's package id if known; for a package
    /// scope an unknown package means "not in scope".
    pub fn matches(&self, id: &str, package: Option<&str>) -> bool {
        match self {
            Scope::All => true,
            Scope::Iflow(x) => x == id,
            Scope::Glob(g) => glob_match(g, id),
            Scope::Package(p) => package == Some(p.as_str()),
        }
    }
    pub fn describe(&self) -> String {
        match self {
            Scope::All => "all artifacts".into(),
            Scope::Iflow(x) => x.clone(),
            Scope::Glob(g) => format!("artifacts matching {g}"),
            Scope::Package(p) => format!("package {p}"),
        }
    }
}

/// How bad a triggered rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// One alert condition. In TOML an inline table with `kind` plus the rule's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// An artifact in scope is not STARTED (optionally for at least `for`).
    NotStarted {
        #[serde(rename = "for", default, skip_serializing_if = "Option::is_none")]
        for_at_least: Option<HumanDuration>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
    },
    /// At least `at_least` messages in `statuses` (default FAILED), or with one of
    /// `custom_statuses` (e.g. `ERROR`: business errors of COMPLETED messages; default none),
    /// within `within`, summed over the scope.
    Failures {
        #[serde(default = "one")]
        at_least: u32,
        within: HumanDuration,
        #[serde(default = "default_failure_statuses", with = "status_list")]
        statuses: Vec<MplStatus>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        custom_statuses: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
    },
    /// Some iFlow in scope has no COMPLETED message within `within` (a silent iFlow).
    NoSuccess {
        within: HumanDuration,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
    },
    /// Some iFlow in scope has fewer than `at_least` messages (any status) within `within`.
    MinMessages {
        at_least: u32,
        within: HumanDuration,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
    },
    /// A queue matching `queues` holds more than `above` messages.
    QueueDepth {
        #[serde(default = "star")]
        queues: String,
        above: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
    },
    /// The oldest message of a queue matching `queues` is older than `older_than`.
    QueueAge {
        #[serde(default = "star")]
        queues: String,
        older_than: HumanDuration,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
    },
    /// A dead-letter queue is not empty. CPI creates no DLQ of its own; `DLQ_<queue>` is a
    /// customer convention (docs/cpi-api.md, "JMS queues", uncertain), hence the configurable pattern.
    DlqNotEmpty {
        #[serde(default = "dlq_glob")]
        queues: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
    },
    /// At least `at_least` Blocked messages (CPI's dead-letter lock) in queues matching `queues`.
    BlockedMessages {
        #[serde(default = "star")]
        queues: String,
        #[serde(default = "one")]
        at_least: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
    },
    /// JMS broker usage: warning at `warning_percent`, error at `critical_percent` (defaults 80
    /// and 95, the web UI's Critical and Exhausted levels).
    BrokerCapacity {
        #[serde(default = "default_warning_percent")]
        warning_percent: f64,
        #[serde(default = "default_critical_percent")]
        critical_percent: f64,
    },
    /// A keystore entry matching `aliases` expires within `within` (default 30d; severity default
    /// warning) or has expired (always error).
    CertExpiry {
        #[serde(default = "default_cert_within")]
        within: HumanDuration,
        #[serde(default = "star")]
        aliases: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
    },
    /// A signature of failed messages' error texts (see `signature`) appeared within `within`
    /// (default 1h) that had not been seen for `unseen_for` (default 7d) — or ever, since
    /// cpitop began remembering this tenant's signatures. Severity default warning.
    NewErrorSignature {
        #[serde(default = "default_unseen_for")]
        unseen_for: HumanDuration,
        #[serde(default = "default_signature_within")]
        within: HumanDuration,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
    },
    /// One signature of failed messages' error texts counts more than `above` messages within
    /// `within`.
    ErrorSignatureCount {
        above: u32,
        within: HumanDuration,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
    },
    /// The tenant's API has not answered for `for` (default 5m).
    TenantUnreachable {
        #[serde(rename = "for", default = "default_unreachable")]
        for_at_least: HumanDuration,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
    },
    /// An artifact in scope that this tenant runs has another version in a tenant of the same
    /// landscape (`landscape` in the config), for longer than `for` (default 1d; severity
    /// default warning). Reads the other tenants' artifact lists.
    VersionDrift {
        #[serde(rename = "for", default = "default_drift_grace")]
        for_at_least: HumanDuration,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
    },
}

fn one() -> u32 {
    1
}
fn star() -> String {
    "*".into()
}
fn dlq_glob() -> String {
    "DLQ_*".into()
}
fn default_failure_statuses() -> Vec<MplStatus> {
    vec![MplStatus::Failed]
}
fn default_warning_percent() -> f64 {
    80.0
}
fn default_critical_percent() -> f64 {
    95.0
}
fn default_cert_within() -> HumanDuration {
    HumanDuration::from_secs(30 * 86_400)
}
fn default_unreachable() -> HumanDuration {
    HumanDuration::from_mins(5)
}
fn default_drift_grace() -> HumanDuration {
    HumanDuration::from_secs(86_400)
}
fn default_unseen_for() -> HumanDuration {
    HumanDuration::from_secs(7 * 86_400)
}
fn default_signature_within() -> HumanDuration {
    HumanDuration::from_mins(60)
}

impl Rule {
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::NotStarted { .. } => "not_started",
            Rule::Failures { .. } => "failures",
            Rule::NoSuccess { .. } => "no_success",
            Rule::MinMessages { .. } => "min_messages",
            Rule::QueueDepth { .. } => "queue_depth",
            Rule::QueueAge { .. } => "queue_age",
            Rule::DlqNotEmpty { .. } => "dlq_not_empty",
            Rule::BlockedMessages { .. } => "blocked_messages",
            Rule::BrokerCapacity { .. } => "broker_capacity",
            Rule::CertExpiry { .. } => "cert_expiry",
            Rule::NewErrorSignature { .. } => "new_error_signature",
            Rule::ErrorSignatureCount { .. } => "error_signature_count",
            Rule::TenantUnreachable { .. } => "tenant_unreachable",
            Rule::VersionDrift { .. } => "version_drift",
        }
    }

    fn problem(&self) -> Option<String> {
        let zero_window = |w: &HumanDuration| w.0.is_zero();
        match self {
            Rule::Failures {
                at_least,
                within,
                statuses,
                custom_statuses,
                ..
            } => {
                if *at_least == 0 {
                    Some("at_least must be 1 or more".into())
                } else if zero_window(within) {
                    Some("within must be longer than 0s".into())
                } else if statuses.is_empty() && custom_statuses.is_empty() {
                    Some("statuses is empty; omit it for FAILED (or give custom_statuses)".into())
                } else if custom_statuses.iter().any(|c| c.trim().is_empty()) {
                    Some("custom_statuses holds an empty status".into())
                } else {
                    None
                }
            }
            Rule::NoSuccess { within, .. } if zero_window(within) => {
                Some("within must be longer than 0s".into())
            }
            Rule::MinMessages { at_least, within, .. } => {
                if *at_least == 0 {
                    Some("at_least = 0 can never alert; use 1 or more".into())
                } else if zero_window(within) {
                    Some("within must be longer than 0s".into())
                } else {
                    None
                }
            }
            Rule::BlockedMessages { at_least: 0, .. } => Some("at_least must be 1 or more".into()),
            Rule::BrokerCapacity {
                warning_percent,
                critical_percent,
            } => {
                let ok = |p: f64| (0.0..=100.0).contains(&p);
                if !ok(*warning_percent) || !ok(*critical_percent) {
                    Some("percentages must be between 0 and 100".into())
                } else if warning_percent > critical_percent {
                    Some(format!(
                        "warning_percent ({warning_percent}) is above critical_percent ({critical_percent})"
                    ))
                } else {
                    None
                }
            }
            Rule::QueueDepth { queues, .. }
            | Rule::QueueAge { queues, .. }
            | Rule::DlqNotEmpty { queues, .. }
            | Rule::BlockedMessages { queues, .. }
                if queues.is_empty() =>
            {
                Some("queues is empty; use \"*\" for every queue".into())
            }
            Rule::CertExpiry { aliases, .. } if aliases.is_empty() => {
                Some("aliases is empty; use \"*\" for every entry".into())
            }
            Rule::NewErrorSignature {
                unseen_for, within, ..
            } => {
                let gap = std::time::Duration::from_millis(crate::signature::seen::RETURN_GAP_MS as u64);
                if zero_window(within) {
                    Some("within must be longer than 0s".into())
                } else if unseen_for.0 < gap {
                    Some(format!(
                        "unseen_for = \"{unseen_for}\" is too short; use at least 1h (an absence shorter than that is not remembered)"
                    ))
                } else {
                    None
                }
            }
            Rule::ErrorSignatureCount { within, .. } if zero_window(within) => {
                Some("within must be longer than 0s".into())
            }
            _ => None,
        }
    }
}

/// MPL statuses written as their wire names (`"FAILED"`, case-insensitive on input).
mod status_list {
    use serde::{Deserialize, Deserializer, Serializer, ser::SerializeSeq};

    use crate::cpi::model::MplStatus;

    pub fn serialize<S: Serializer>(v: &[MplStatus], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for st in v {
            seq.serialize_element(st.as_str())?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<MplStatus>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        names
            .iter()
            .map(|n| crate::grammar::status::parse_message_status(n).map_err(serde::de::Error::custom))
            .collect()
    }
}

/// What data a set of monitors reads, so that the pollers fetch nothing more than that (plus what
/// the panes show anyway).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Needs {
    /// Runtime artifacts (`not_started`; enumerating the scope of `no_success`/`min_messages`).
    pub artifacts: bool,
    /// Packages whose design-time artifacts a rule needs (a package scope of a rule that looks
    /// at artifacts without messages: `not_started`, `no_success`, `min_messages`; `failures`
    /// reads the package from the message rows).
    pub packages: Vec<String>,
    /// The longest message window a rule looks at; `None`: no message rule.
    pub message_window: Option<std::time::Duration>,
    /// The queue list.
    pub queues: bool,
    /// Queue globs whose messages must be listed (`queue_age`, `blocked_messages`).
    pub queue_messages: Vec<String>,
    pub broker: bool,
    pub keystore: bool,
    /// Reachability tracking (`tenant_unreachable`).
    pub health: bool,
    /// The artifact lists of the other tenants of the landscape (`version_drift`).
    pub landscape: bool,
    /// Failed messages' error texts, grouped by signature (`new_error_signature`,
    /// `error_signature_count`).
    pub error_signatures: bool,
}

impl Needs {
    /// Whether the messages of `queue` must be listed.
    pub fn queue_messages_of(&self, queue: &str) -> bool {
        self.queue_messages.iter().any(|g| glob_match(g, queue))
    }
}

/// The data needed by the active monitors among `specs`.
pub fn needs<'a>(specs: impl IntoIterator<Item = &'a MonitorSpec>) -> Needs {
    let mut n = Needs::default();
    let window = |w: &HumanDuration, n: &mut Needs| {
        n.message_window = Some(n.message_window.map_or(w.0, |c| c.max(w.0)));
    };
    for spec in specs.into_iter().filter(|s| s.active) {
        let single = matches!(spec.scope, Scope::Iflow(_));
        let package = |n: &mut Needs| {
            if let Scope::Package(p) = &spec.scope
                && !n.packages.contains(p)
            {
                n.packages.push(p.clone());
            }
        };
        for rule in &spec.rules {
            match rule {
                Rule::NotStarted { .. } => {
                    n.artifacts = true;
                    package(&mut n);
                }
                Rule::Failures { within, .. } => window(within, &mut n),
                Rule::NoSuccess { within, .. } | Rule::MinMessages { within, .. } => {
                    window(within, &mut n);
                    n.artifacts |= !single;
                    package(&mut n);
                }
                Rule::QueueDepth { .. } | Rule::DlqNotEmpty { .. } => n.queues = true,
                Rule::QueueAge { queues, .. } | Rule::BlockedMessages { queues, .. } => {
                    n.queues = true;
                    if !n.queue_messages.contains(queues) {
                        n.queue_messages.push(queues.clone());
                    }
                }
                Rule::BrokerCapacity { .. } => n.broker = true,
                Rule::CertExpiry { .. } => n.keystore = true,
                Rule::TenantUnreachable { .. } => n.health = true,
                Rule::VersionDrift { .. } => {
                    n.artifacts = true;
                    n.landscape = true;
                    package(&mut n);
                }
                Rule::NewErrorSignature { within, .. } | Rule::ErrorSignatureCount { within, .. } => {
                    window(within, &mut n);
                    n.error_signatures = true;
                }
            }
        }
    }
    n
}
