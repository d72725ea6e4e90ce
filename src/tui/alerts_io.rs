//! The Alerts pane's I/O, outside `update`: at start, the tenant's monitors from the config
//! (`[monitors]`, typed and validated exactly as `cpitop check` does) and their saved state,
//! acknowledgements, silences and history from the XDG state directory; while running, the
//! effect side: files written off the loop thread, transitions handed to the notifier
//! (`monitor::notify`, webhooks and command hooks of `[monitors.notify]`).

use std::path::{Path, PathBuf};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::app::msg::Msg;
use crate::config::Config;
use crate::monitor::notify::{NotifierInput, spawn_notifier};
use crate::monitor::{AlertControls, History, MonitorState, MonitorsConfig, Transition};
use crate::panes::alerts::{AlertsLaunch, AlertsSetup, HISTORY_SHOWN};

impl AlertsLaunch {
    /// The monitors of `tenant` from a typed `[monitors]` config, with what `state_dir` holds.
    /// Problems reading saved state are returned as warnings (the monitors still run).
    pub fn new(
        cfg: &MonitorsConfig,
        tenant: &str,
        state_dir: Option<&Path>,
        origin: String,
    ) -> (Self, Vec<String>) {
        let mut warnings = Vec::new();
        let mut setup = AlertsSetup {
            specs: cfg.monitors_for(tenant).into_iter().cloned().collect(),
            interval_ms: i64::try_from(cfg.interval.0.as_millis()).unwrap_or(60_000),
            bell: cfg.bell,
            origin,
            ..AlertsSetup::default()
        };
        if let Some(dir) = state_dir {
            match MonitorState::load(dir, tenant) {
                Ok(st) => setup.state = Some(st),
                Err(e) => warnings.push(format!("alert state not restored: {e}")),
            }
            match AlertControls::load(dir, tenant) {
                Ok(c) => setup.controls = c,
                Err(e) => warnings.push(format!("acknowledgements and silences not restored: {e}")),
            }
            match History::open(dir, tenant, cfg.history_limit).and_then(|h| h.recent(HISTORY_SHOWN)) {
                Ok(h) => setup.history = h,
                Err(e) => warnings.push(format!("alert history not read: {e}")),
            }
        }
        let launch = Self {
            setup,
            state_dir: state_dir.map(Path::to_path_buf),
            history_limit: cfg.history_limit,
            notify: cfg.notify.clone(),
        };
        (launch, warnings)
    }

    /// The configured tenant's monitors from the config file. A `[monitors]` table that does not
    /// type or validate leaves the TUI running with the error shown on the Alerts pane.
    pub fn from_config(config: &Config, tenant: &str, state_dir: Option<&Path>) -> (Self, Vec<String>) {
        let origin = config
            .file
            .as_ref()
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| "the config file".into());
        match crate::headless::monitors_from_table(&config.monitors, config.file.as_deref()) {
            Ok(cfg) => Self::new(&cfg, tenant, state_dir, origin),
            Err(e) => {
                let text = format!("monitors disabled: {e}");
                let launch = Self {
                    setup: AlertsSetup {
                        config_error: Some(text.clone()),
                        origin,
                        interval_ms: 60_000,
                        ..AlertsSetup::default()
                    },
                    history_limit: 1,
                    ..Self::default()
                };
                (launch, vec![text])
            }
        }
    }
}

/// One save: the parts given are written.
struct SaveJob {
    state: Option<MonitorState>,
    controls: Option<AlertControls>,
    transitions: Vec<Transition>,
    tx: mpsc::Sender<Msg>,
}

/// The effect side of the monitors: saving (one writer thread, in order) and notifying.
pub struct AlertsIo {
    saves: Option<mpsc::UnboundedSender<SaveJob>>,
    notifier: Option<mpsc::UnboundedSender<NotifierInput>>,
    stop: CancellationToken,
}

/// Write saves in the order they were asked for (so an older acknowledgement set never
/// overwrites a newer one, and two writes never share a temporary file).
fn writer(
    dir: PathBuf,
    tenant: String,
    mut history: Option<History>,
    mut jobs: mpsc::UnboundedReceiver<SaveJob>,
) {
    while let Some(job) = jobs.blocking_recv() {
        let mut errors = Vec::new();
        if let Some(st) = job.state
            && let Err(e) = st.save(&dir)
        {
            errors.push(e.to_string());
        }
        if let Some(c) = job.controls
            && let Err(e) = c.save(&dir, &tenant)
        {
            errors.push(e.to_string());
        }
        if let Some(h) = history.as_mut()
            && let Err(e) = h.append(&job.transitions)
        {
            errors.push(e.to_string());
        }
        for e in errors {
            tracing::warn!(tenant = %tenant, "alert state not saved: {e}");
            let _ = job.tx.blocking_send(Msg::Notify {
                text: format!("alert state not saved: {e}"),
                error: true,
            });
        }
    }
}

impl AlertsIo {
    /// Open the history for appending and start the notifier (when targets are configured),
    /// seeded with the restored state so a standing alert is not announced again. Must run
    /// inside the tokio runtime.
    pub fn start(launch: &AlertsLaunch, tenant: &str) -> (Self, Vec<String>) {
        let mut warnings = Vec::new();
        let history = match &launch.state_dir {
            Some(dir) => match History::open(dir, tenant, launch.history_limit) {
                Ok(h) => Some(h),
                Err(e) => {
                    warnings.push(format!("alert history will not be kept: {e}"));
                    None
                }
            },
            None => None,
        };
        let stop = CancellationToken::new();
        let has_targets = !launch.notify.webhooks.is_empty() || !launch.notify.commands.is_empty();
        let notifier = if has_targets && launch.setup.config_error.is_none() {
            match spawn_notifier(launch.notify.clone(), None, stop.clone()) {
                Ok((tx, _handle)) => {
                    if let Some(st) = &launch.setup.state {
                        let _ = tx.send(NotifierInput::Seed(st.clone()));
                    }
                    Some(tx)
                }
                Err(e) => {
                    warnings.push(format!("alert notifications cannot start: {e}"));
                    None
                }
            }
        } else {
            None
        };
        let saves = launch.state_dir.clone().map(|dir| {
            let (tx, rx) = mpsc::unbounded_channel();
            let tenant = tenant.to_string();
            tokio::task::spawn_blocking(move || writer(dir, tenant, history, rx));
            tx
        });
        let io = Self {
            saves,
            notifier,
            stop,
        };
        (io, warnings)
    }

    /// Write what is given, off the loop thread; a failure is told to the user.
    pub fn save(
        &self,
        state: Option<MonitorState>,
        controls: Option<AlertControls>,
        transitions: Vec<Transition>,
        tx: mpsc::Sender<Msg>,
    ) {
        let Some(saves) = &self.saves else { return };
        let job = SaveJob {
            state,
            controls,
            transitions,
            tx,
        };
        if saves.send(job).is_err() {
            tracing::warn!("the alert state writer has stopped; alert state is not saved");
        }
    }

    /// Hand transitions to the notifier (grouping, minimum interval and delivery are its own).
    pub fn notify(&self, transitions: Vec<(Transition, bool)>) {
        if let Some(tx) = &self.notifier
            && tx.send(NotifierInput::Transitions(transitions)).is_err()
        {
            tracing::warn!("the alert notifier has stopped; notifications are not sent");
        }
    }
}

impl Drop for AlertsIo {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// The monitor interval for a tenant: its own `poll.alerts`, when set to other than the default,
/// overrides `[monitors] interval` (`configured_ms`).
pub fn interval_of(profile: &crate::config::Profile, configured_ms: i64) -> i64 {
    if profile.poll.alerts != crate::config::PollIntervals::default().alerts {
        i64::try_from(profile.poll.alerts.as_millis()).unwrap_or(60_000)
    } else {
        configured_ms
    }
}
