//! One tenant's monitors put together for a loop (`watch`, the TUI's evaluation tick):
//! evaluate → track transitions → history → persisted state and controls. Notifications are the
//! caller's: hand [`Round::for_notifier`] to the notifier task.

use std::path::{Path, PathBuf};

use super::controls::AlertControls;
use super::eval::{Evaluation, evaluate_all};
use super::history::History;
use super::persist::PersistError;
use super::snapshot::Snapshot;
use super::spec::{MonitorSpec, MonitorsConfig};
use super::status::{MonitorState, Transition};
use crate::cpi::odata::EpochMs;

/// What one evaluation round produced.
#[derive(Debug, Default)]
pub struct Round {
    pub evaluations: Vec<(String, Evaluation)>,
    pub transitions: Vec<Transition>,
    /// Whether each transition's monitor is silenced now (same order as `transitions`).
    pub silenced: Vec<bool>,
    /// Files that could not be written (the round itself still counts).
    pub errors: Vec<PersistError>,
}

impl Round {
    /// Whether to flash the header and ring the bell: a monitor that is not silenced got worse
    /// and is now in warning or error.
    pub fn rings(&self) -> bool {
        self.transitions
            .iter()
            .zip(&self.silenced)
            .any(|(t, silenced)| !silenced && t.to.is_alert() && t.to > t.from)
    }

    /// Transitions paired with their silenced flag, as the notifier takes them.
    pub fn for_notifier(&self) -> Vec<(Transition, bool)> {
        self.transitions
            .iter()
            .cloned()
            .zip(self.silenced.iter().copied())
            .collect()
    }
}

pub struct TenantMonitors {
    tenant: String,
    specs: Vec<MonitorSpec>,
    state: MonitorState,
    controls: AlertControls,
    history: Option<History>,
    state_dir: Option<PathBuf>,
}

impl TenantMonitors {
    /// The monitors of `tenant` from the config. With a `state_dir`, state, acknowledgements,
    /// silences and history are loaded from and kept there; without, everything is in memory.
    pub fn open(cfg: &MonitorsConfig, tenant: &str, state_dir: Option<&Path>) -> Result<Self, PersistError> {
        let specs: Vec<MonitorSpec> = cfg.monitors_for(tenant).into_iter().cloned().collect();
        let (state, controls, history) = match state_dir {
            Some(dir) => (
                MonitorState::load(dir, tenant)?,
                AlertControls::load(dir, tenant)?,
                Some(History::open(dir, tenant, cfg.history_limit)?),
            ),
            None => (MonitorState::new(tenant), AlertControls::default(), None),
        };
        Ok(Self {
            tenant: tenant.to_string(),
            specs,
            state,
            controls,
            history,
            state_dir: state_dir.map(Path::to_path_buf),
        })
    }

    pub fn tenant(&self) -> &str {
        &self.tenant
    }
    pub fn specs(&self) -> &[MonitorSpec] {
        &self.specs
    }
    pub fn state(&self) -> &MonitorState {
        &self.state
    }
    pub fn controls(&self) -> &AlertControls {
        &self.controls
    }

    /// Evaluate every active monitor once and record what changed.
    pub fn evaluate(&mut self, snap: &Snapshot<'_>, now: EpochMs) -> Round {
        let refs: Vec<&MonitorSpec> = self.specs.iter().collect();
        let evals = evaluate_all(&refs, snap, now);
        let transitions = self.state.apply(&evals, now);
        let silenced = transitions
            .iter()
            .map(|t| self.controls.is_silenced(&t.monitor, now))
            .collect();
        let mut errors = Vec::new();
        if let Some(h) = &mut self.history
            && let Err(e) = h.append(&transitions)
        {
            errors.push(e);
        }
        if let Some(dir) = &self.state_dir {
            if !transitions.is_empty()
                && let Err(e) = self.state.save(dir)
            {
                errors.push(e);
            }
            if self.controls.prune(&self.state, now)
                && let Err(e) = self.controls.save(dir, &self.tenant)
            {
                errors.push(e);
            }
        }
        for e in &errors {
            tracing::warn!(tenant = %self.tenant, error = %e, "monitor state not saved");
        }
        Round {
            evaluations: evals.into_iter().map(|(s, e)| (s.key.clone(), e)).collect(),
            transitions,
            silenced,
            errors,
        }
    }

    /// Acknowledge a monitor's current alert. `Ok(false)`: unknown monitor or not alerting.
    pub fn acknowledge(&mut self, key: &str, now: EpochMs, note: &str) -> Result<bool, PersistError> {
        let Some(m) = self.state.get(key) else {
            return Ok(false);
        };
        if !self.controls.acknowledge(m, now, note) {
            return Ok(false);
        }
        self.save_controls()?;
        Ok(true)
    }

    pub fn silence(
        &mut self,
        key: &str,
        until: EpochMs,
        now: EpochMs,
        note: &str,
    ) -> Result<(), PersistError> {
        self.controls.silence(key, until, now, note);
        self.save_controls()
    }

    pub fn unsilence(&mut self, key: &str) -> Result<bool, PersistError> {
        let had = self.controls.unsilence(key);
        if had {
            self.save_controls()?;
        }
        Ok(had)
    }

    /// The newest `n` transitions from the history (empty without a state dir).
    pub fn history(&self, n: usize) -> Result<Vec<Transition>, PersistError> {
        match &self.history {
            Some(h) => h.recent(n),
            None => Ok(Vec::new()),
        }
    }

    fn save_controls(&self) -> Result<(), PersistError> {
        match &self.state_dir {
            Some(dir) => self.controls.save(dir, &self.tenant),
            None => Ok(()),
        }
    }
}
