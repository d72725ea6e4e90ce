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
    /// The seed of the runtime artifacts' versions and deployment dates (default: `seed`). The
    /// tenants of one simulated landscape share it, so that their artifacts agree but for
    /// `artifact_changes`, while their messages (from `seed`) differ.
    pub artifact_seed: Option<u64>,
    /// Changes to the generated artifacts, applied in order: another version, not deployed,
    /// stopped (a drifted tenant of a landscape; see [`SimConfig::landscape_stage`]).
    pub artifact_changes: Vec<ArtifactChange>,
}

/// One change to a generated runtime artifact.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ArtifactChange {
    /// The artifact id (`Orders_Inbound`, …; see `docs/sim.md`).
    pub id: String,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Deployed in this version.
    Version(String),
    /// Deployed one version behind the generated one (`1.2.5` → `1.2.4`, `1.3.0` → `1.2.9`),
    /// deployed a week earlier: a tenant the last change was not promoted to.
    Behind,
    /// Not deployed.
    Undeployed,
    /// Deployed but in ERROR (as `/sim/admin/iflows/{id}/stop`).
    Stopped,
}

impl ArtifactChange {
    pub fn new(id: &str, change: Change) -> Self {
        Self {
            id: id.to_string(),
            change,
        }
    }
}

/// A stage of the simulated landscape `cpitop --demo` runs (dev, test, prod).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Stage {
    Dev,
    Test,
    Prod,
}

impl SimConfig {
    /// The tenant of `stage` in a simulated landscape whose dev tenant is `SimConfig { seed, .. }`:
    /// the same artifacts (`artifact_seed = seed`), its own messages (`seed + 1` for test,
    /// `seed + 2` for prod), and some drift: test runs two iFlows one version behind dev; prod
    /// runs three behind, lacks `Returns_Inbound` and has `PriceList_Sync` stopped. The dev
    /// tenant is the plain sim of `seed`.
    pub fn landscape_stage(seed: u64, stage: Stage) -> SimConfig {
        let base = SimConfig {
            seed,
            artifact_seed: Some(seed),
            ..SimConfig::default()
        };
        let behind = |id: &str| ArtifactChange::new(id, Change::Behind);
        match stage {
            Stage::Dev => base,
            Stage::Test => SimConfig {
                seed: seed.wrapping_add(1),
                artifact_changes: vec![behind("Orders_Inbound"), behind("Quote_Request_CRM")],
                ..base
            },
            Stage::Prod => SimConfig {
                seed: seed.wrapping_add(2),
                artifact_changes: vec![
                    behind("Orders_Inbound"),
                    behind("Invoice_Outbound_EDI"),
                    behind("SupplierInvoice_Inbound"),
                    ArtifactChange::new("Returns_Inbound", Change::Undeployed),
                    ArtifactChange::new("PriceList_Sync", Change::Stopped),
                ],
                ..base
            },
        }
    }
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
            artifact_seed: None,
            artifact_changes: Vec::new(),
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
