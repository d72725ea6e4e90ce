//! Reading the config file into resolved [`Profile`]s: defaults applied, values validated, errors
//! located. Secrets are *not* resolved here (see `secrets.rs`): loading never runs a command or
//! reads a key file, so `cpitop info` and the TUI start fast and only the chosen tenant's secret
//! is fetched.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::{ConfigError, Location, Warning, WarningKind, did_you_mean};
use super::fsutil::group_or_other_readable;
use super::fsutil::read_to_string_capped;
use super::locate::{Doc, join_path};
use super::paths::Paths;
use super::schema::{
    COLOR_NAMES, Environment, MonitorsSection, RawConfig, RawDefaults, RawErrors, RawTenant,
};
use crate::cpi::conn::Limits;
use crate::secret::Secret;

/// The largest config file read (1 MiB; a config with hundreds of tenants and monitors is a few
/// hundred KiB). A larger file, or `/dev/zero`, is one clear error naming the file.
pub const MAX_CONFIG_FILE: u64 = 1 << 20;

/// The whole configuration, resolved.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from; `None` when no file exists (only valid for `--demo`).
    pub file: Option<PathBuf>,
    pub default_tenant: Option<String>,
    /// In file order.
    pub tenants: Vec<Profile>,
    /// `[keys]`, passed through for the TUI keymap.
    pub keys: toml::Table,
    /// `theme = "…"` or `[theme]`, passed through for the TUI.
    pub theme: Option<toml::Value>,
    /// `[[hotkeys]]`, passed through for the TUI (`config::ui` types them).
    pub hotkeys: Option<toml::Value>,
    /// `[[plugins]]`, passed through for the TUI (`config::ui` types them).
    pub plugins: Option<toml::Value>,
    /// The file's text, for locating problems found after loading (the TUI's sections).
    pub text: Option<ConfigText>,
    /// `[monitors]`, passed through for the monitor module.
    pub monitors: MonitorsSection,
    /// `[serve]`, passed through for `cpitop serve` (typed by `crate::serve::config`).
    pub serve: toml::Table,
    /// `[errors]`, resolved (defaults applied, rules compiled).
    pub errors: ErrorsConfig,
    /// Non-fatal findings (e.g. inline secrets in a group-readable file).
    pub warnings: Vec<Warning>,
}

/// The config file's text. It may hold inline secrets: `Debug` shows only its size.
#[derive(Clone, Default)]
pub struct ConfigText(std::sync::Arc<str>);

impl ConfigText {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ConfigText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ConfigText({} bytes)", self.0.len())
    }
}

/// `[errors]` resolved: how failed messages are grouped by error signature (the Errors pane,
/// `cpitop get errors`, `watch`, the signature monitor rules).
#[derive(Debug, Clone)]
pub struct ErrorsConfig {
    /// Error texts fetched per minute at most (one request per failed message).
    pub budget: u32,
    /// One group per signature and iFlow.
    pub per_iflow: bool,
    /// Custom statuses that count as errors (compared case-insensitively).
    pub custom_statuses: Vec<String>,
    /// `[[errors.rules]]`, in file order.
    pub rules: Vec<crate::signature::UserRule>,
}

/// Error texts fetched per minute unless `[errors] budget` says otherwise: one a second, a tenth
/// of the client's default request rate.
pub const DEFAULT_ERROR_BUDGET: u32 = 60;
/// The largest `[errors] budget` accepted (ten a second).
pub const MAX_ERROR_BUDGET: i64 = 600;

impl Default for ErrorsConfig {
    fn default() -> Self {
        Self {
            budget: DEFAULT_ERROR_BUDGET,
            per_iflow: false,
            custom_statuses: Vec::new(),
            rules: Vec::new(),
        }
    }
}

/// One tenant, with defaults applied.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub environment: Environment,
    /// `landscape`: the tenants compared by the version drift; [`DEFAULT_LANDSCAPE`] when the
    /// tenant names none.
    pub landscape: String,
    /// Badge colour: a name from [`COLOR_NAMES`] or `#rrggbb`.
    pub color: String,
    /// Writes (undeploy, restart, JMS retry/move/delete) disabled. Default: true for prod.
    /// `--read-only` on the command line forces it on for every tenant.
    pub read_only: bool,
    /// Service root without `/api/v1`; `None` when it comes from the service key.
    pub url: Option<String>,
    /// `web_ui_url`: the web UI root for links, normalised (`crate::cpi::weblink::root_of_config`).
    pub web_ui_url: Option<String>,
    pub credentials: Credentials,
    pub ca_bundle: Option<PathBuf>,
    pub poll: PollIntervals,
    pub messages: MessageWindow,
    pub limits: Limits,
    /// `keystore.expiring`: how long before its end a certificate counts as expiring.
    pub keystore_expiring: Duration,
    /// The config file the profile came from (for error messages and permission checks).
    pub source: Option<PathBuf>,
}

/// Where a tenant's credentials come from. No secret text except the (discouraged) inline form.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// A BTP service-key JSON file with `clientid`, `clientsecret`, `tokenurl`, `url`.
    ServiceKey(PathBuf),
    OAuth {
        client_id: String,
        token_url: String,
        secret: SecretSource,
    },
    Basic {
        username: String,
        password: SecretSource,
    },
}

/// How one secret is obtained.
#[derive(Debug, Clone)]
pub enum SecretSource {
    /// `*_env = "VAR"`
    Env(String),
    /// `*_command = "pass show cpi/prod"`, run with `sh -c`, stdout trimmed.
    Command(String),
    /// Written in the config file (allowed; warned about if the file is readable by others).
    Inline(Secret),
}

/// Refresh interval per pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollIntervals {
    pub artifacts: Duration,
    pub messages: Duration,
    pub queues: Duration,
    pub alerts: Duration,
    pub keystore: Duration,
    /// One round of the Tenants pane's overview of the tenant (at least 10 s).
    pub overview: Duration,
}

impl Default for PollIntervals {
    fn default() -> Self {
        Self {
            artifacts: Duration::from_secs(30),
            messages: Duration::from_secs(15),
            queues: Duration::from_secs(30),
            alerts: Duration::from_secs(60),
            keystore: Duration::from_secs(300),
            overview: Duration::from_secs(60),
        }
    }
}

/// A certificate counts as expiring this long before its end, unless `keystore.expiring` says.
pub const DEFAULT_KEYSTORE_EXPIRING: Duration = Duration::from_secs(30 * 86_400);

/// The landscape of a tenant whose config names none.
pub const DEFAULT_LANDSCAPE: &str = "default";

/// Whether `name` may name a tenant or a landscape: letters, digits, `.`, `_` and `-`, starting
/// with a letter or digit.
pub fn valid_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The message-log window: how far back to fetch at start, how many rows to hold, and how many of
/// the newest to cache for offline viewing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageWindow {
    pub window: Duration,
    pub max_rows: usize,
    /// At most `max_rows`; 0 = messages are not cached.
    pub cache_rows: usize,
}

impl Default for MessageWindow {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(3600),
            max_rows: 50_000,
            cache_rows: 10_000,
        }
    }
}

impl Config {
    /// Read `paths.config_file`. A missing file is [`ConfigError::NotFound`].
    pub fn load(paths: &Paths) -> Result<Self, ConfigError> {
        Self::load_file(&paths.config_file)
    }

    /// Like [`Config::load`], but a missing file yields an empty config (for `--demo`, `info`).
    pub fn load_or_empty(paths: &Paths) -> Result<Self, ConfigError> {
        match Self::load_file(&paths.config_file) {
            Err(ConfigError::NotFound { .. }) => Ok(Self::default()),
            other => other,
        }
    }

    pub fn load_file(path: &Path) -> Result<Self, ConfigError> {
        let text = match read_to_string_capped(path, MAX_CONFIG_FILE) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConfigError::NotFound {
                    path: path.to_path_buf(),
                });
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let mut config = Self::parse(&text, path)?;
        if group_or_other_readable(path).is_some() {
            let inline: Vec<&str> = config
                .tenants
                .iter()
                .filter(|t| t.has_inline_secret())
                .map(|t| t.name.as_str())
                .collect();
            let mut held = Vec::new();
            if !inline.is_empty() {
                held.push(format!("inline secrets (tenants: {})", inline.join(", ")));
            }
            let hooks = webhook_urls(&config.monitors);
            if hooks > 0 {
                held.push(format!(
                    "{hooks} webhook URL{} (they carry keys)",
                    if hooks == 1 { "" } else { "s" }
                ));
            }
            if !held.is_empty() {
                config.warnings.push(Warning::new(
                    WarningKind::Permissions,
                    format!(
                        "{} holds {} and is readable by group or others; \
                         run `chmod 600 {}`{}",
                        path.display(),
                        held.join(" and "),
                        path.display(),
                        if inline.is_empty() {
                            ""
                        } else {
                            " or use *_env / *_command instead"
                        }
                    ),
                ));
            }
        }
        Ok(config)
    }

    /// Parse config text; `file` is used in messages and to resolve relative paths.
    pub fn parse(text: &str, file: &Path) -> Result<Self, ConfigError> {
        let doc = Doc::parse(text).map_err(|e| ConfigError::Syntax {
            loc: Box::new(Location::from_span(file, text, e.span().unwrap_or(0..0))),
            message: e.message().trim().to_string(),
        })?;
        let raw: RawConfig = toml::from_str(text).map_err(|e| map_de_error(&e, text, file, &doc))?;
        let ctx = Ctx {
            text,
            file,
            doc: &doc,
        };
        ctx.resolve(raw)
    }

    /// Where the key at `path` is in the file (segments are table keys or `[i]` array indices):
    /// file, line, column and the line itself; `None` without a file or when the key is not there.
    pub fn locate(&self, path: &[&str]) -> Option<Box<Location>> {
        let (file, text) = (self.file.as_deref()?, self.text.as_ref()?.as_str());
        let doc = Doc::parse(text).ok()?;
        doc.span_of(path)
            .map(|s| Box::new(Location::from_span(file, text, s)))
    }

    /// The value at `path` is wrong: a located error saying what is allowed (and the closest
    /// allowed value to `got`, if one is close).
    pub fn invalid_at(
        &self,
        path: &[&str],
        message: impl Into<String>,
        allowed: &[&str],
        got: Option<&str>,
    ) -> ConfigError {
        ConfigError::InvalidValue {
            loc: self.locate(path),
            key_path: join_path(path),
            message: message.into(),
            allowed: allowed.iter().map(|s| s.to_string()).collect(),
            suggestion: got.and_then(|g| did_you_mean(g, allowed.iter().copied())),
        }
    }

    /// The key at `path` is not one of `allowed`.
    pub fn unknown_key_at(&self, path: &[&str], allowed: &[&str]) -> ConfigError {
        let key = path.last().copied().unwrap_or("");
        ConfigError::UnknownKey {
            loc: self.locate(path),
            key_path: join_path(path),
            suggestion: did_you_mean(key, allowed.iter().copied()),
            allowed: allowed.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Tenant names in file order.
    pub fn tenant_names(&self) -> Vec<&str> {
        self.tenants.iter().map(|t| t.name.as_str()).collect()
    }

    pub fn tenant(&self, name: &str) -> Result<&Profile, ConfigError> {
        self.tenants
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| ConfigError::UnknownTenant {
                name: name.to_string(),
                suggestion: did_you_mean(name, self.tenant_names()),
                known: self.tenant_names().iter().map(|s| s.to_string()).collect(),
            })
    }

    /// The tenant to start with: `--tenant`, else the last used one (if still configured), else
    /// `default_tenant`, else the first in the file.
    pub fn select(&self, flag: Option<&str>, last_used: Option<&str>) -> Result<&Profile, ConfigError> {
        if let Some(name) = flag {
            return self.tenant(name);
        }
        if let Some(p) = last_used.and_then(|n| self.tenants.iter().find(|t| t.name == n)) {
            return Ok(p);
        }
        if let Some(name) = &self.default_tenant {
            return self.tenant(name);
        }
        self.tenants.first().ok_or_else(|| ConfigError::NoTenants {
            file: self.file.clone().unwrap_or_default(),
        })
    }
}

/// How many `[monitors.notify] webhooks` entries carry a URL (each one a secret).
fn webhook_urls(monitors: &MonitorsSection) -> usize {
    monitors
        .get("notify")
        .and_then(|n| n.get("webhooks"))
        .and_then(|w| w.as_array())
        .map_or(0, |a| a.iter().filter(|h| h.get("url").is_some()).count())
}

/// Print warnings on stderr, one plain line each (headless commands; the TUI shows them in its
/// own warning line instead).
pub fn eprint_warnings<'a>(warnings: impl IntoIterator<Item = &'a Warning>) {
    for w in warnings {
        eprintln!("cpitop: warning: {w}");
    }
}

impl Profile {
    pub fn has_inline_secret(&self) -> bool {
        matches!(
            &self.credentials,
            Credentials::OAuth {
                secret: SecretSource::Inline(_),
                ..
            } | Credentials::Basic {
                password: SecretSource::Inline(_),
                ..
            }
        )
    }
}

/// Turn a serde error from `toml::from_str::<RawConfig>` into a located, explained error.
pub(super) fn map_de_error(e: &toml::de::Error, text: &str, file: &Path, doc: &Doc<'_>) -> ConfigError {
    let msg = e.message().trim();
    let span = e.span().unwrap_or(0..0);
    let (mut path, key_span) = doc.path_at(span.start);
    let ticks = backticked(msg);
    let mut loc = Some(Box::new(Location::from_span(
        file,
        text,
        key_span.clone().unwrap_or(span.clone()),
    )));

    if msg.starts_with("unknown field") {
        let key = ticks.first().cloned().unwrap_or_default();
        let allowed: Vec<String> = ticks.into_iter().skip(1).collect();
        // The error span may cover the whole table; point at the key itself when we can find it.
        if path.last() != Some(&key) {
            let mut p: Vec<&str> = path.iter().map(String::as_str).collect();
            p.push(&key);
            if let Some(s) = doc.span_of(&p) {
                loc = Some(Box::new(Location::from_span(file, text, s)));
            }
            path.push(key.clone());
        }
        return ConfigError::UnknownKey {
            loc,
            key_path: join_path(&path),
            suggestion: did_you_mean(&key, allowed.iter().map(String::as_str)),
            allowed,
        };
    }
    if msg.starts_with("unknown variant") {
        let got = ticks.first().cloned().unwrap_or_default();
        let allowed: Vec<String> = ticks.into_iter().skip(1).collect();
        return ConfigError::InvalidValue {
            loc: Some(Box::new(Location::from_span(file, text, span))),
            key_path: join_path(&path),
            message: format!("`{got}` is not one of the allowed values"),
            suggestion: did_you_mean(&got, allowed.iter().map(String::as_str)),
            allowed,
        };
    }
    if msg.starts_with("missing field") {
        let key = ticks.first().cloned().unwrap_or_default();
        return ConfigError::Missing {
            loc,
            tenant: path.get(1).cloned().unwrap_or_default(),
            key,
            hint: format!("required in `{}`", join_path(&path)),
        };
    }
    // serde may echo the value ("invalid type: integer `123`"); never for a secret.
    let secret_key = path
        .last()
        .is_some_and(|k| k == "client_secret" || k == "password");
    ConfigError::InvalidValue {
        loc: Some(Box::new(Location::from_span(file, text, span))),
        key_path: join_path(&path),
        message: if secret_key {
            "expected a string".to_string()
        } else {
            msg.to_string()
        },
        allowed: Vec::new(),
        suggestion: None,
    }
}

/// The `` `quoted` `` words of a serde message, in order.
fn backticked(msg: &str) -> Vec<String> {
    msg.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

pub(super) struct Ctx<'a> {
    pub(super) text: &'a str,
    pub(super) file: &'a Path,
    pub(super) doc: &'a Doc<'a>,
}

impl Ctx<'_> {
    pub(super) fn loc(&self, path: &[&str]) -> Option<Box<Location>> {
        self.doc
            .span_of(path)
            .map(|s| Box::new(Location::from_span(self.file, self.text, s)))
    }

    pub(super) fn invalid(&self, path: &[&str], message: impl Into<String>, allowed: &[&str]) -> ConfigError {
        ConfigError::InvalidValue {
            loc: self.loc(path),
            key_path: join_path(path),
            message: message.into(),
            allowed: allowed.iter().map(|s| s.to_string()).collect(),
            suggestion: None,
        }
    }

    pub(super) fn missing(&self, tenant: &str, at: &[&str], key: &str, hint: &str) -> ConfigError {
        ConfigError::Missing {
            loc: self.loc(at),
            tenant: tenant.to_string(),
            key: key.to_string(),
            hint: hint.to_string(),
        }
    }

    /// Relative paths are relative to the config file's directory; `~/` is the home directory.
    fn path(&self, p: &Path) -> PathBuf {
        expand_path(p, self.file.parent().unwrap_or(Path::new(".")))
    }

    fn resolve(&self, raw: RawConfig) -> Result<Config, ConfigError> {
        let order = self.doc.keys_in_order(&["tenants"]);
        let mut raw_tenants: Vec<(String, RawTenant)> = raw.tenants.into_iter().collect();
        raw_tenants.sort_by_key(|(n, _)| order.iter().position(|o| o == n).unwrap_or(usize::MAX));

        let mut tenants = Vec::with_capacity(raw_tenants.len());
        for (name, t) in raw_tenants {
            tenants.push(self.tenant(&name, t, &raw.defaults)?);
        }
        if let Some(d) = &raw.default_tenant
            && !tenants.iter().any(|t| &t.name == d)
        {
            let names: Vec<&str> = tenants.iter().map(|t| t.name.as_str()).collect();
            let mut err = self.invalid(&["default_tenant"], format!("no tenant named `{d}`"), &names);
            if let ConfigError::InvalidValue { suggestion, .. } = &mut err {
                *suggestion = did_you_mean(d, names.iter().copied());
            }
            return Err(err);
        }
        let errors = self.errors(raw.errors)?;
        Ok(Config {
            file: Some(self.file.to_path_buf()),
            default_tenant: raw.default_tenant,
            tenants,
            keys: raw.keys,
            theme: raw.theme,
            hotkeys: raw.hotkeys,
            plugins: raw.plugins,
            text: Some(ConfigText(self.text.into())),
            monitors: raw.monitors,
            serve: raw.serve,
            errors,
            warnings: Vec::new(),
        })
    }

    /// `[errors]`: the budget within bounds, custom statuses named, every rule's expression
    /// compiled; each problem located at its key.
    fn errors(&self, raw: RawErrors) -> Result<ErrorsConfig, ConfigError> {
        let mut out = ErrorsConfig::default();
        if let Some(b) = raw.budget {
            if !(1..=MAX_ERROR_BUDGET).contains(&b) {
                return Err(self.invalid(
                    &["errors", "budget"],
                    format!(
                        "must be from 1 to {MAX_ERROR_BUDGET} (error texts fetched per minute, one request each)"
                    ),
                    &[],
                ));
            }
            out.budget = b as u32;
        }
        out.per_iflow = raw.per_iflow.unwrap_or(false);
        if let Some(list) = raw.custom_statuses {
            if let Some(i) = list.iter().position(|s| s.trim().is_empty()) {
                let idx = format!("[{i}]");
                return Err(self.invalid(
                    &["errors", "custom_statuses", &idx],
                    "an empty custom status; name one, e.g. \"ERROR\"",
                    &[],
                ));
            }
            out.custom_statuses = list.into_iter().map(|s| s.trim().to_string()).collect();
        }
        for (i, r) in raw.rules.into_iter().enumerate() {
            let idx = format!("[{i}]");
            if r.name.trim().is_empty() {
                return Err(self.invalid(
                    &["errors", "rules", &idx, "name"],
                    "an error rule needs a non-empty name (it is the group's template)",
                    &[],
                ));
            }
            let rule = crate::signature::UserRule::new(r.name.trim(), &r.regex)
                .map_err(|e| self.invalid(&["errors", "rules", &idx, "regex"], e, &[]))?;
            out.rules.push(rule);
        }
        Ok(out)
    }

    fn tenant(&self, name: &str, mut t: RawTenant, d: &RawDefaults) -> Result<Profile, ConfigError> {
        let here = ["tenants", name];
        if !valid_name(name) {
            return Err(self.invalid(
                &here,
                "a tenant name may contain only letters, digits, `.`, `_` and `-`, and must start \
                 with a letter or digit",
                &[],
            ));
        }
        let environment = t.environment.unwrap_or(Environment::Dev);
        let landscape = match t.landscape.take() {
            None => DEFAULT_LANDSCAPE.to_string(),
            Some(l) if valid_name(&l) => l,
            Some(l) => {
                return Err(self.invalid(
                    &["tenants", name, "landscape"],
                    format!(
                        "`{l}` cannot name a landscape: use letters, digits, `.`, `_` and `-`, \
                         starting with a letter or digit (e.g. \"eu\", \"us-east\")"
                    ),
                    &[],
                ));
            }
        };
        let color = match t.color.take() {
            None => environment.default_color().to_string(),
            Some(c) => {
                let lower = c.to_ascii_lowercase();
                let hex = lower.len() == 7
                    && lower.starts_with('#')
                    && lower[1..].chars().all(|ch| ch.is_ascii_hexdigit());
                if !hex && !COLOR_NAMES.contains(&lower.as_str()) {
                    let mut allowed: Vec<&str> = COLOR_NAMES.to_vec();
                    allowed.push("#rrggbb");
                    let mut err = self.invalid(
                        &["tenants", name, "color"],
                        format!("`{c}` is not a colour"),
                        &allowed,
                    );
                    if let ConfigError::InvalidValue { suggestion, .. } = &mut err {
                        *suggestion = did_you_mean(&lower, COLOR_NAMES.iter().copied());
                    }
                    return Err(err);
                }
                lower
            }
        };
        let read_only = t
            .read_only
            .unwrap_or(environment == Environment::Prod || d.read_only.unwrap_or(false));

        let url = match t.url.take() {
            Some(u) => Some(self.url(&["tenants", name, "url"], &u)?),
            None => None,
        };
        let web_ui_url = match t.web_ui_url.take() {
            Some(u) => Some(self.web_ui_url(&["tenants", name, "web_ui_url"], &u)?),
            None => None,
        };
        let credentials = match (t.service_key.take(), t.auth.take()) {
            (Some(_), Some(_)) => {
                return Err(self.invalid(
                    &["tenants", name, "service_key"],
                    "give either `service_key` or an `auth` table, not both",
                    &[],
                ));
            }
            (Some(p), None) => Credentials::ServiceKey(self.path(&p)),
            (None, Some(a)) => self.auth(name, a)?,
            (None, None) => {
                return Err(self.missing(
                    name,
                    &here,
                    "auth",
                    "set `service_key = \"path/to/service-key.json\"` or add an \
                     [tenants.NAME.auth] table (OAuth client credentials or Basic)",
                ));
            }
        };
        if url.is_none() && !matches!(credentials, Credentials::ServiceKey(_)) {
            return Err(self.missing(
                name,
                &here,
                "url",
                "the tenant's API service root, e.g. \"https://sub.it-cpi018.cfapps.eu10.hana.ondemand.com\"",
            ));
        }

        let poll = self.poll(name, &t, d)?;
        let messages = self.messages(name, &t, d)?;
        let limits = self.limits(name, &t, d)?;
        let keystore_expiring = self.keystore_expiring(name, &t, d)?;
        let ca_bundle = t
            .ca_bundle
            .take()
            .or_else(|| d.ca_bundle.clone())
            .map(|p| self.path(&p));
        Ok(Profile {
            name: name.to_string(),
            environment,
            landscape,
            color,
            read_only,
            url,
            web_ui_url,
            credentials,
            ca_bundle,
            poll,
            messages,
            limits,
            keystore_expiring,
            source: Some(self.file.to_path_buf()),
        })
    }
}

pub use super::validate::{expand_path, normalize_base_url};
