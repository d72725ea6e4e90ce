//! The config file as written (serde types). Every table denies unknown keys so a typo is reported
//! with a suggestion instead of being silently ignored; `[keys]`, `theme`, `[[hotkeys]]`,
//! `[[plugins]]`, `[monitors]` and `[serve]` are passed through for the modules that own them.
//!
//! Resolution into [`crate::config::Profile`] (defaults applied, exactly one secret source checked)
//! happens in `load.rs`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::duration::ConfigDuration;

/// The `[monitors]` table (interval, bell, `[[monitors.defaults]]`, `[[monitors.tenants.NAME]]`,
/// `[monitors.notify]`), kept as a raw TOML table until the monitor module types it.
///
/// LEAD: this is the single place to plug in the monitor type: replace `toml::Table` with
/// `crate::monitor::spec::MonitorsConfig` (it implements `Deserialize` and `Default`; its serde
/// errors then get the same file/line/key-path/"did you mean" reporting as the rest of the
/// config). Its `validate()` is the monitor module's to call.
pub type MonitorsSection = toml::Table;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Tenant used when neither `--tenant` nor a remembered last tenant applies.
    pub default_tenant: Option<String>,
    #[serde(default)]
    pub defaults: RawDefaults,
    /// `[tenants.NAME]` tables.
    #[serde(default)]
    pub tenants: BTreeMap<String, RawTenant>,
    /// Keymap overrides, owned by the TUI.
    #[serde(default)]
    pub keys: toml::Table,
    /// `theme = "light"` (a built-in skin) or a `[theme]` table (`skin` and colours per role),
    /// owned by the TUI (typed by `crate::app::ui_config`).
    #[serde(default)]
    pub theme: Option<toml::Value>,
    /// `[[hotkeys]]`: a key that runs a `:` command (typed by `config::ui`, checked by the TUI).
    #[serde(default)]
    pub hotkeys: Option<toml::Value>,
    /// `[[plugins]]`: a key that runs a program on the selected row(s).
    #[serde(default)]
    pub plugins: Option<toml::Value>,
    /// `[monitors]`, owned by the monitor module.
    #[serde(default)]
    pub monitors: MonitorsSection,
    /// `[serve]`, owned by `cpitop serve` (`crate::serve::config` types it).
    #[serde(default)]
    pub serve: toml::Table,
    /// `[errors]`: the Errors pane, `cpitop get errors`, `watch` and the signature rules.
    #[serde(default)]
    pub errors: RawErrors,
}

/// `[errors]`: how failed messages are grouped by error signature.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawErrors {
    /// Error texts fetched per minute at most (one request per failed message).
    pub budget: Option<i64>,
    /// One group per signature and iFlow instead of one per signature.
    pub per_iflow: Option<bool>,
    /// Custom statuses that count as errors (`["ERROR"]`: business errors of COMPLETED messages).
    pub custom_statuses: Option<Vec<String>>,
    /// `[[errors.rules]]`: fingerprint rules, tried in order before the built-in masking.
    #[serde(default)]
    pub rules: Vec<RawErrorRule>,
}

/// `[[errors.rules]]`: texts matching `regex` form one group named `name` (capture groups split
/// it by their values).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawErrorRule {
    pub name: String,
    pub regex: String,
}

/// `[defaults]`: settings applying to every tenant unless the tenant sets its own.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDefaults {
    pub read_only: Option<bool>,
    pub ca_bundle: Option<PathBuf>,
    #[serde(default)]
    pub poll: RawPoll,
    #[serde(default)]
    pub messages: RawMessages,
    #[serde(default)]
    pub limits: RawLimits,
    #[serde(default)]
    pub keystore: RawKeystore,
}

/// `[tenants.NAME]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTenant {
    pub environment: Option<Environment>,
    /// The landscape the tenant belongs to (`eu`, `us`): the Tenants pane's version drift
    /// compares the tenants of one landscape (dev → test → prod); tenants without one form the
    /// landscape `default`.
    pub landscape: Option<String>,
    /// Badge colour override: a colour name or `#rrggbb`.
    pub color: Option<String>,
    /// Service root, e.g. `https://sub.it-cpi018.cfapps.eu10.hana.ondemand.com` (no `/api/v1`).
    pub url: Option<String>,
    /// Root of the tenant's web UI for links (`y`/`Y`), e.g.
    /// `https://sub.integrationsuite.cfapps.eu10.hana.ondemand.com`; overrides the one learned
    /// from the tenant's own message links.
    pub web_ui_url: Option<String>,
    /// Path of a BTP service-key JSON file (`oauth.{clientid,clientsecret,tokenurl,url}`).
    pub service_key: Option<PathBuf>,
    pub auth: Option<RawAuth>,
    pub read_only: Option<bool>,
    pub ca_bundle: Option<PathBuf>,
    #[serde(default)]
    pub poll: RawPoll,
    #[serde(default)]
    pub messages: RawMessages,
    #[serde(default)]
    pub limits: RawLimits,
    #[serde(default)]
    pub keystore: RawKeystore,
}

/// `[tenants.NAME.auth]`: OAuth client credentials (`client_id` + `token_url` + one secret source)
/// or Basic (`username` + one password source). Which one is inferred from the keys given, or said
/// with `type = "oauth" | "basic"`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuth {
    #[serde(rename = "type")]
    pub kind: Option<AuthKind>,
    pub client_id: Option<String>,
    pub token_url: Option<String>,
    pub client_secret: Option<String>,
    pub client_secret_env: Option<String>,
    pub client_secret_command: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub password_env: Option<String>,
    pub password_command: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    Oauth,
    Basic,
}

/// The environment label shown as the header badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Dev,
    Test,
    Prod,
}

impl Environment {
    /// Place in the promotion order: dev 0, test 1, prod 2 (the Tenants pane and the version
    /// drift order tenants by it).
    pub fn rank(self) -> u8 {
        match self {
            Environment::Dev => 0,
            Environment::Test => 1,
            Environment::Prod => 2,
        }
    }
    /// Badge text.
    pub fn label(self) -> &'static str {
        match self {
            Environment::Dev => "DEV",
            Environment::Test => "TEST",
            Environment::Prod => "PROD",
        }
    }
    /// Default badge colour (a name from [`COLOR_NAMES`]).
    pub fn default_color(self) -> &'static str {
        match self {
            Environment::Dev => "green",
            Environment::Test => "yellow",
            Environment::Prod => "red",
        }
    }
}

/// Colour names accepted for `color` (the 16 ANSI colours), besides `#rrggbb`.
pub const COLOR_NAMES: &[&str] = &[
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "darkgray",
    "lightred",
    "lightgreen",
    "lightyellow",
    "lightblue",
    "lightmagenta",
    "lightcyan",
    "white",
];

/// `poll`: refresh interval per pane.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoll {
    pub artifacts: Option<ConfigDuration>,
    pub messages: Option<ConfigDuration>,
    pub queues: Option<ConfigDuration>,
    pub alerts: Option<ConfigDuration>,
    pub keystore: Option<ConfigDuration>,
    /// The Tenants pane's overview of this tenant (a few lean requests per round).
    pub overview: Option<ConfigDuration>,
}

/// `keystore`: the Keystore pane's settings.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKeystore {
    /// How long before its end a certificate counts as expiring (`"30d"`).
    pub expiring: Option<ConfigDuration>,
}

/// `messages`: the message-log window held in memory and cached.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMessages {
    /// Initial time window (`"1h"`).
    pub window: Option<ConfigDuration>,
    /// Most message rows held in memory per tenant.
    pub max_rows: Option<u64>,
    /// Most message rows (the newest) written to the offline cache; 0 disables caching messages.
    pub cache_rows: Option<u64>,
}

/// `limits`: maps onto [`crate::cpi::conn::Limits`].
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub max_concurrency: Option<u64>,
    pub requests_per_second: Option<f64>,
    pub burst: Option<u64>,
    pub request_timeout: Option<ConfigDuration>,
    pub connect_timeout: Option<ConfigDuration>,
    pub max_retries: Option<u64>,
    pub initial_backoff: Option<ConfigDuration>,
    pub max_backoff: Option<ConfigDuration>,
}
