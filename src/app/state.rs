//! The application state: one owner (the main loop), mutated only by `update`, rendered by `ui`.

use std::path::PathBuf;

use super::artifacts::Artifacts;
use super::detail::{AttachmentContent, Attachments, Correlated, MessageDetail};
use super::messages::Messages;
use super::msg::{ApiStats, PollPlan};
use super::queues::{QueueMessages, Queues};
pub use crate::config::Environment;
use crate::cpi::odata::EpochMs;
use crate::kit::format::TimeFmt;
use crate::kit::keymap::{Context, Keymap};
use crate::kit::load::Load;
use crate::kit::table::{CellCx, Table};

/// Top-level panes, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Artifacts,
    Messages,
    Queues,
    Alerts,
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::Artifacts, Pane::Messages, Pane::Queues, Pane::Alerts];
    pub fn title(self) -> &'static str {
        match self {
            Pane::Artifacts => "Artifacts",
            Pane::Messages => "Messages",
            Pane::Queues => "Queues",
            Pane::Alerts => "Alerts",
        }
    }
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// Where the user is. The navigation stack starts with a pane; drill-downs push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Pane(Pane),
    ArtifactDetail {
        id: String,
    },
    MessageDetail {
        guid: String,
    },
    Correlated {
        correlation_id: String,
    },
    Attachments {
        guid: String,
    },
    Attachment {
        id: String,
    },
    QueueMessages {
        queue: String,
    },
    /// A monitor's evidence (Alerts pane, Enter).
    AlertEvidence {
        key: String,
    },
    /// The tenant's alert transitions (Alerts pane, `h`).
    AlertHistory,
    /// A keystore entry named by an alert (there is no keystore pane).
    Certificate {
        alias: String,
    },
}

impl Route {
    /// The keymap contexts of this view, most specific first.
    pub fn contexts(&self) -> [Context; 3] {
        let (own, kind) = match self {
            Route::Pane(Pane::Artifacts) => (Context::Artifacts, Context::Table),
            Route::Pane(Pane::Messages) => (Context::Messages, Context::Table),
            Route::Pane(Pane::Queues) => (Context::Queues, Context::Table),
            Route::ArtifactDetail { .. } => (Context::ArtifactDetail, Context::Detail),
            Route::MessageDetail { .. } => (Context::MessageDetail, Context::Detail),
            Route::Correlated { .. } => (Context::Correlated, Context::Table),
            Route::Attachments { .. } => (Context::Attachments, Context::Table),
            Route::Attachment { .. } => (Context::Attachment, Context::Detail),
            Route::QueueMessages { .. } => (Context::QueueMessages, Context::Table),
            Route::Pane(Pane::Alerts) => (Context::Alerts, Context::Table),
            Route::AlertEvidence { .. } => (Context::AlertEvidence, Context::Table),
            Route::AlertHistory => (Context::AlertHistory, Context::Table),
            Route::Certificate { .. } => (Context::Certificate, Context::Detail),
        };
        [own, kind, Context::Global]
    }
    pub fn is_table(&self) -> bool {
        self.contexts()[1] == Context::Table
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Normal,
    /// Typing a `/` filter; the text lives in the focused table's list state.
    Filter,
    /// Typing a `:` command.
    Command(String),
    /// `s` was pressed: the next letter picks the sort column.
    SortPending,
    /// `?` help overlay, scrolled by this many lines.
    Help(usize),
    /// `:ctx` tenant list, this entry selected.
    Ctx(usize),
}

#[derive(Debug, Clone, Default)]
pub struct TenantInfo {
    pub name: String,
    /// The configured environment (`None` for the simulated tenants of `--demo` and the load
    /// bench).
    pub env: Option<Environment>,
    /// The badge shown where no environment is configured (`demo` → `DEMO`).
    pub label: Option<String>,
    pub read_only: bool,
    /// Web UI root for `Y` links when known (`https://<sub>.integrationsuite…`).
    pub web_ui: Option<String>,
}

impl TenantInfo {
    /// The badge text: the environment (`PROD`), else the label in capitals, else nothing.
    pub fn badge(&self) -> String {
        match (self.env, &self.label) {
            (Some(e), _) => e.label().to_string(),
            (None, Some(l)) => l.to_uppercase(),
            (None, None) => String::new(),
        }
    }
    pub fn is_prod(&self) -> bool {
        self.env == Some(Environment::Prod)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub kind: ToastKind,
    pub until: EpochMs,
}

/// Refresh intervals per pane, in ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intervals {
    pub artifacts: u64,
    pub messages: u64,
    pub messages_live: u64,
    pub queues: u64,
}

impl Default for Intervals {
    fn default() -> Self {
        Self {
            artifacts: 30_000,
            messages: 15_000,
            messages_live: 3_000,
            queues: 20_000,
        }
    }
}

#[derive(Debug)]
pub struct State {
    pub now: EpochMs,
    pub time: TimeFmt,
    pub tenant: TenantInfo,
    pub keymap: Keymap,
    pub intervals: Intervals,
    /// Navigation stack; never empty, `stack[0]` is a pane.
    pub stack: Vec<Route>,
    pub mode: Mode,
    pub artifacts: Artifacts,
    pub messages: Messages,
    pub queues: Queues,
    /// Alert monitors (statuses, evidence, history, monitor-only data).
    pub alerts: super::alerts::Alerts,
    pub queue_messages: QueueMessages,
    pub message: Option<MessageDetail>,
    pub correlated: Correlated,
    pub attachments: Attachments,
    pub attachment: Option<AttachmentContent>,
    /// Scroll of the artifact detail view.
    pub artifact_scroll: usize,
    pub stats: ApiStats,
    pub toast: Option<Toast>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Something visible changed since the last frame.
    pub dirty: bool,
    pub quit: bool,
    /// What the pollers were last told.
    pub polling: PollPlan,
    /// Where `e` writes exports.
    pub export_dir: PathBuf,
    /// Number of exports written (names files uniquely within a second).
    pub exports: u32,
    /// Guarded writes: the open dialog, the running action, read-only and audit setup.
    pub writes: super::write_actions::Writes,
    /// The offline cache of the current tenant.
    pub cache: super::cache_sync::CacheSync,
    /// Configured tenants and switching (`:ctx`).
    pub ctx: super::ctx::CtxState,
}

impl State {
    pub fn new(tenant: TenantInfo, keymap: Keymap, now: EpochMs) -> Self {
        let mut s = State {
            now,
            time: TimeFmt::default(),
            artifacts: Artifacts {
                web_ui: tenant.web_ui.clone(),
                ..Artifacts::default()
            },
            queues: Queues {
                web_ui: tenant.web_ui.clone(),
                ..Queues::default()
            },
            messages: Messages::with_web_ui(tenant.web_ui.clone()),
            alerts: super::alerts::Alerts::default(),
            tenant,
            keymap,
            intervals: Intervals::default(),
            stack: vec![Route::Pane(Pane::Artifacts)],
            mode: Mode::Normal,
            queue_messages: QueueMessages::default(),
            message: None,
            correlated: Correlated::default(),
            attachments: Attachments::default(),
            attachment: None,
            artifact_scroll: 0,
            stats: ApiStats::default(),
            toast: None,
            size: (80, 24),
            dirty: true,
            quit: false,
            polling: PollPlan::default(),
            export_dir: std::env::temp_dir(),
            exports: 0,
            writes: Default::default(),
            cache: Default::default(),
            ctx: Default::default(),
        };
        s.messages.query.window_ms = 3_600_000;
        s
    }

    pub fn route(&self) -> &Route {
        // The stack is never empty (see `update::back`); the fallback keeps render total.
        self.stack.last().unwrap_or(&Route::Pane(Pane::Artifacts))
    }

    pub fn pane(&self) -> Pane {
        match self.stack.first() {
            Some(Route::Pane(p)) => *p,
            _ => Pane::Artifacts,
        }
    }

    pub fn cell_cx(&self) -> CellCx {
        CellCx {
            now: self.now,
            time: self.time,
        }
    }

    /// The table of the focused view, if it is one.
    pub fn table(&self) -> Option<&dyn Table> {
        Some(match self.route() {
            Route::Pane(Pane::Artifacts) => &self.artifacts,
            Route::Pane(Pane::Messages) => &self.messages,
            Route::Pane(Pane::Queues) => &self.queues,
            Route::QueueMessages { .. } => &self.queue_messages,
            Route::Correlated { .. } => &self.correlated,
            Route::Attachments { .. } => &self.attachments,
            Route::Pane(Pane::Alerts) => &self.alerts,
            Route::AlertEvidence { .. } => &self.alerts.evidence,
            Route::AlertHistory => &self.alerts.history,
            _ => return None,
        })
    }

    pub fn table_mut(&mut self) -> Option<&mut dyn Table> {
        Some(match self.stack.last()? {
            Route::Pane(Pane::Artifacts) => &mut self.artifacts,
            Route::Pane(Pane::Messages) => &mut self.messages,
            Route::Pane(Pane::Queues) => &mut self.queues,
            Route::QueueMessages { .. } => &mut self.queue_messages,
            Route::Correlated { .. } => &mut self.correlated,
            Route::Attachments { .. } => &mut self.attachments,
            Route::Pane(Pane::Alerts) => &mut self.alerts,
            Route::AlertEvidence { .. } => &mut self.alerts.evidence,
            Route::AlertHistory => &mut self.alerts.history,
            _ => return None,
        })
    }

    /// Lines of the body (table or detail text): the terminal minus header, tab line,
    /// breadcrumb and footer, and the error banner when shown.
    pub fn body_rows(&self) -> usize {
        let chrome = 4 + usize::from(self.banner().is_some());
        (self.size.1 as usize).saturating_sub(chrome).max(1)
    }

    /// Lines a table shows rows in (the body minus the column titles).
    pub fn table_rows(&self) -> usize {
        self.body_rows().saturating_sub(1).max(1)
    }

    /// The polled data behind a route, with its refresh interval (`None` for one-off fetches).
    pub fn load_of(&self, r: &Route) -> Option<(&Load, u64)> {
        Some(match r {
            Route::Pane(Pane::Artifacts) | Route::ArtifactDetail { .. } => {
                (&self.artifacts.load, self.intervals.artifacts)
            }
            Route::Pane(Pane::Messages) => (
                &self.messages.load,
                if self.messages.live {
                    self.intervals.messages_live
                } else {
                    self.intervals.messages
                },
            ),
            Route::Pane(Pane::Queues) => (&self.queues.load, self.intervals.queues),
            Route::QueueMessages { .. } => (&self.queue_messages.load, self.intervals.queues),
            Route::Pane(Pane::Alerts) => (
                &self.alerts.load,
                u64::try_from(self.alerts.interval_ms).unwrap_or(60_000),
            ),
            _ => return None,
        })
    }

    /// The error to show under the header: the last failure of the data the view stands on.
    pub fn banner(&self) -> Option<String> {
        let (load, _) = self.stack.iter().rev().find_map(|r| self.load_of(r))?;
        load.error.clone()
    }

    pub fn toast(&mut self, text: impl Into<String>, kind: ToastKind) {
        let ttl = if kind == ToastKind::Error { 8_000 } else { 4_000 };
        self.toast = Some(Toast {
            text: text.into(),
            kind,
            until: self.now + ttl,
        });
        self.dirty = true;
    }
}
