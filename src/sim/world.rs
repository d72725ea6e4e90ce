//! The one owner of the sim's state. Every request locks it, brings it up to the sim clock
//! (`tick`) and runs its handler synchronously; handlers are short (a 1000-row page is ~1 ms).

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::SimConfig;
use super::auth::{AuthState, Creds};
use super::faults::Faults;
use super::mpl_gen::Gen;
use super::mpl_store::MplStore;
use super::reqlog::RequestLog;
use super::state::{Artifacts, Jms, Keystore};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DownMode {
    /// Every call answers 503.
    Unavailable,
    /// Connections are closed without an answer.
    Drop,
}

pub struct World {
    pub mpl: MplStore,
    pub arts: Artifacts,
    pub jms: Jms,
    pub keys: Keystore,
    pub auth: AuthState,
    pub faults: Faults,
    pub down: Option<DownMode>,
}

impl World {
    /// Apply everything due up to `now`: artifact transitions first (they decide which iFlows
    /// produce messages), then message arrivals and phase changes.
    pub fn tick(&mut self, now: i64) {
        if self.arts.advance(now) {
            self.mpl.stopped = self.arts.stopped_flows();
        }
        self.mpl.advance(now);
    }
}

pub struct Sim {
    pub cfg: SimConfig,
    /// `http://127.0.0.1:PORT/api/v1`
    pub api: String,
    pub creds: Creds,
    offset_ms: AtomicI64,
    pub requests: AtomicU64,
    /// The most recent API requests (`METHOD /path?query`).
    pub request_log: RequestLog,
    state: Mutex<World>,
}

pub fn real_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Sim {
    pub fn new(cfg: SimConfig, base: &str) -> Self {
        let real = real_now_ms();
        let t0 = cfg.start_time_ms.unwrap_or(real);
        let rate = cfg.message_rate;
        let span = cfg.history.as_millis() as i64;
        let hist_n = cfg
            .history_messages
            .unwrap_or_else(|| (span as f64 / 1000.0 * rate) as u64)
            .min(u32::MAX as u64 / 2) as u32;
        let mg = Gen::new(cfg.seed, t0, hist_n, span, rate);
        let mut arts = Artifacts::new(cfg.artifact_seed.unwrap_or(cfg.seed), t0);
        for c in &cfg.artifact_changes {
            arts.change(c, t0);
        }
        let mpl = MplStore::with_realism(mg, arts.stopped_flows(), !cfg.clean);
        let jms = Jms::new(&mpl, t0);
        let keys = Keystore::new(t0);
        let faults = Faults::new(cfg.seed, cfg.faults.clone());
        let creds = Creds::for_seed(cfg.seed);
        let world = World {
            mpl,
            arts,
            jms,
            keys,
            auth: AuthState::default(),
            faults,
            down: None,
        };
        Self {
            api: format!("{base}/api/v1"),
            creds,
            offset_ms: AtomicI64::new(t0 - real),
            requests: AtomicU64::new(0),
            request_log: RequestLog::default(),
            state: Mutex::new(world),
            cfg,
        }
    }

    /// The sim clock: real time plus the admin offset.
    pub fn now(&self) -> i64 {
        real_now_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn advance_clock(&self, ms: i64) {
        self.offset_ms.fetch_add(ms.max(0), Ordering::Relaxed);
    }

    /// Lock the world, brought up to the sim clock.
    pub fn world(&self) -> MutexGuard<'_, World> {
        let mut w = self.state.lock().unwrap_or_else(|p| p.into_inner());
        w.tick(self.now());
        w
    }
}
