//! How a simulated tenant is set up: its seed, rates, history, queue API, faults, clock and how
//! its messages' web links look.

use std::time::Duration;

use super::faults::FaultRule;

/// Which queue-list API the tenant answers; the others answer 404, or 501 on a tenant without
/// JMS (`none`: trial tenants answer 501; see `SimConfig::queue_api_absent_status`). The broker
/// (`JmsBrokers`) answers in every case.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum QueueApi {
    /// `Queues` / `JmsMessages`.
    #[default]
    Classic,
    /// `MessagingQueues` / `MessagingMessages`.
    Messaging,
    Both,
    /// Neither queue list (a tenant without JMS in its plan, a trial tenant).
    None,
}

impl QueueApi {
    pub fn classic(self) -> bool {
        matches!(self, QueueApi::Classic | QueueApi::Both)
    }
    pub fn messaging(self) -> bool {
        matches!(self, QueueApi::Messaging | QueueApi::Both)
    }
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    /// 0 = a free port.
    pub port: u16,
    /// Live messages per second (0 = none).
    pub message_rate: f64,
    /// How far back the history reaches.
    pub history: Duration,
    /// Exact number of history messages (spread over `history`) instead of `history × rate`.
    pub history_messages: Option<u64>,
    pub token_lifetime: Duration,
    pub queue_api: QueueApi,
    /// HTTP status of the queue APIs the tenant does not offer; 0 = as real tenants: 501 when it
    /// offers none (trial tenants), else 404 for the one it lacks.
    pub queue_api_absent_status: u16,
    /// Writes need a fetched `X-CSRF-Token`.
    pub require_csrf: bool,
    /// Fault rules active from the start.
    pub faults: Vec<FaultRule>,
    /// Pin the sim clock's start (epoch ms) instead of the real time, for fully reproducible
    /// timestamps in tests.
    pub start_time_ms: Option<i64>,
    /// Turn the real-tenant behaviours off (docs/sim.md): a tenant as clean as the spec, for
    /// benchmarks that need one. Default `false`: the sim is as messy as real tenants.
    pub clean: bool,
    /// Share of messages (0–1) whose `Runs` navigation answers 404, as on tenants without it;
    /// 1 = no message has runs. Ignored when `clean`.
    pub runs_404: f64,
    /// The form of the `AlternateWebLink` of messages.
    pub web_link: WebLinkForm,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            port: 0,
            message_rate: 3.0,
            history: Duration::from_secs(24 * 3600),
            history_messages: None,
            token_lifetime: Duration::from_secs(3600),
            queue_api: QueueApi::Classic,
            queue_api_absent_status: 0,
            require_csrf: true,
            faults: Vec::new(),
            start_time_ms: None,
            clean: false,
            runs_404: 0.05,
            web_link: WebLinkForm::default(),
        }
    }
}

/// The Integration Suite host the sim's links name (`WebLinkForm::IntegrationSuite`): a host of
/// the real form, not one the sim serves (nothing follows these links but a browser).
pub const SIM_SUITE_ROOT: &str = "https://cpitop-sim.integrationsuite.cfapps.eu10.hana.ondemand.com:443";

/// Which form of `AlternateWebLink` message rows carry; real tenants send one of these.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum WebLinkForm {
    /// `https://<sub>.integrationsuite.cfapps.<region>.hana.ondemand.com:443/shell/monitoring/…`
    /// (tenants with an Integration Suite host).
    #[default]
    IntegrationSuite,
    /// `<API host>/itspaces/shell/monitoring/…` (older CF tenants without one).
    Itspaces,
    /// The Integration Suite form with the malformed port some tenants send (`:443:443`).
    DoublePort,
}

impl WebLinkForm {
    /// What comes before `/shell/monitoring/` in a link; `api_base` is the sim's service root.
    pub fn root(self, api_base: &str) -> std::borrow::Cow<'static, str> {
        use std::borrow::Cow;
        match self {
            WebLinkForm::IntegrationSuite => Cow::Borrowed(SIM_SUITE_ROOT),
            WebLinkForm::Itspaces => Cow::Owned(format!("{api_base}/itspaces")),
            WebLinkForm::DoublePort => Cow::Owned(format!("{SIM_SUITE_ROOT}:443")),
        }
    }
}
