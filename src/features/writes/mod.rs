//! Guarded writes (issue 6): retry, move and delete queued JMS messages; restart and undeploy
//! artifacts. The pure part, shared by the views that offer writes:
//!
//! - this module: what a write is (`Job`, `Selection`, …), the dialog state (`Writes`, `Dialog`)
//!   and the runner's messages (`WriteRequest`, `WriteEffect`, `WriteMsg`, `Report`);
//! - [`plan`]: from a view's request to the confirmation (read-only guard, facts, warnings, the
//!   word to type for destructive ones);
//! - [`dialog`]: keys while a dialog is open, and the runner's progress and results;
//! - [`view`]: drawing the dialogs.
//!
//! Flow: a write key in a view → the view asks for a `Job` with what it `Known`s → `plan::propose`
//! refuses (read-only, no audit log) or opens `Dialog::Confirm` (or `Dialog::Target` first for a
//! move without a default target) → the user confirms (typing the word for destructive ones) →
//! `WriteEffect::Run` → the runner (`tui::writes`, audited by `tui::audit`) sends
//! `WriteMsg::Progress…`, then `WriteMsg::Done(report)` → the result dialog, and the views
//! refresh.

pub mod dialog;
pub mod plan;
pub mod view;

use crate::cpi::queues::{BulkFailure, JmsMessageKey};

/// How a restart is followed: poll the artifact every `interval_ms` until STARTED or ERROR, at
/// most `timeout_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Follow {
    pub interval_ms: u64,
    pub timeout_ms: u64,
}

impl Default for Follow {
    fn default() -> Self {
        Self {
            interval_ms: 2_000,
            timeout_ms: 180_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueOp {
    Retry,
    Move { to: String },
    Delete,
}

/// Which messages a queue job acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These messages (marked, or the selected row).
    Messages(Vec<JmsMessageKey>),
    /// Every message in the queue when the job runs (read first); `expected` is the depth shown.
    All { expected: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactOp {
    /// Redeploy the active version (docs/cpi-api.md, "Runtime artifacts").
    Restart,
    Undeploy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    Queue {
        op: QueueOp,
        queue: String,
        selection: Selection,
    },
    Artifact {
        op: ArtifactOp,
        id: String,
        name: String,
    },
}

impl Job {
    /// The audit log's name of the action.
    pub fn action_name(&self) -> &'static str {
        match self {
            Job::Queue {
                op: QueueOp::Retry, ..
            } => "queue.retry",
            Job::Queue {
                op: QueueOp::Move { .. },
                ..
            } => "queue.move",
            Job::Queue {
                op: QueueOp::Delete, ..
            } => "queue.delete",
            Job::Artifact {
                op: ArtifactOp::Restart,
                ..
            } => "artifact.restart",
            Job::Artifact {
                op: ArtifactOp::Undeploy,
                ..
            } => "artifact.undeploy",
        }
    }

    pub fn verb(&self) -> &'static str {
        match self {
            Job::Queue { op, .. } => match op {
                QueueOp::Retry => "retry",
                QueueOp::Move { .. } => "move",
                QueueOp::Delete => "delete",
            },
            Job::Artifact { op, .. } => match op {
                ArtifactOp::Restart => "restart",
                ArtifactOp::Undeploy => "undeploy",
            },
        }
    }

    /// One line: `move 3 messages DLQ_ORDERS → ORDERS`, `restart Orders_Inbound`.
    pub fn title(&self) -> String {
        match self {
            Job::Queue { op, queue, selection } => {
                let what = match selection {
                    Selection::Messages(m) => count_word(m.len(), "message"),
                    Selection::All { .. } => "all messages".to_string(),
                };
                match op {
                    QueueOp::Move { to } => format!("move {what} {queue} → {to}"),
                    _ => format!("{} {what} in {queue}", self.verb()),
                }
            }
            Job::Artifact { id, .. } => format!("{} {id}", self.verb()),
        }
    }
}

pub fn count_word(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", crate::kit::format::thousands(n as u64))
    }
}

/// What the effect runner is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteRequest {
    pub id: u64,
    pub tenant: String,
    pub job: Job,
    pub follow: Follow,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteEffect {
    Run(WriteRequest),
    /// Stop after the message in flight; the rest is reported as not attempted.
    Cancel {
        id: u64,
    },
    /// Record a refused attempt (read-only) in the audit log; nothing is sent to the tenant.
    Refused {
        tenant: String,
        job: Job,
        reason: String,
    },
}

/// The outcome of a write, built by the runner from what the tenant confirmed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub id: u64,
    /// `move 6 messages DLQ_BULK → BULK`
    pub title: String,
    /// Everything asked for succeeded.
    pub ok: bool,
    /// `4 of 6 moved, 2 failed`
    pub headline: String,
    /// Ids (messages) or names (artifact) the tenant confirmed.
    pub succeeded: Vec<String>,
    /// Ids that were not processed, with the reason (including "not attempted").
    pub failed: Vec<BulkFailure>,
    /// More to say (status history, deploy error text, verification notes).
    pub notes: Vec<String>,
}

#[derive(Debug)]
pub enum WriteMsg {
    Progress {
        id: u64,
        done: usize,
        total: usize,
        note: String,
    },
    Done(Report),
}

/// What the confirmation states about the tenant's data, gathered by the view that asks for the
/// write (it holds that data): a move target is checked against the queues, a whole-queue move is
/// typed to confirm, hidden marks are warned about, an artifact's state is shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Known {
    /// The queue names of the last refresh (empty: not known).
    pub queues: Vec<String>,
    /// The selected messages are every message of the queue shown.
    pub whole_queue: bool,
    /// How many of the selected messages the `/` filter hides.
    pub hidden: usize,
    /// The artifact as the list shows it now: `STARTED · version 1.0.3`.
    pub artifact_now: Option<String>,
}

/// A planned write, waiting for confirmation: what the dialog states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub job: Job,
    /// What the view knew when the write was asked for.
    pub known: Known,
    /// `(label, value)` lines: tenant, action, count, source, target.
    pub facts: Vec<(String, String)>,
    pub warnings: Vec<String>,
    /// Destructive: the word to type (queue name, `delete`, artifact id).
    pub confirm_word: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    /// Where to move to (no default target, or the user asked to change it).
    Target {
        plan: Plan,
        input: String,
        error: Option<String>,
    },
    Confirm {
        plan: Plan,
        typed: String,
        error: Option<String>,
    },
    /// The running write (the state is in `Writes::running`).
    Progress,
    Result {
        report: Report,
        scroll: usize,
    },
    /// A refusal or other message that needs more room than a toast.
    Notice {
        title: String,
        lines: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    pub id: u64,
    pub title: String,
    pub done: usize,
    pub total: usize,
    pub note: String,
    pub started: i64,
    pub cancelling: bool,
    /// What `c` does for this job (`cancel the rest`, `stop following`).
    pub cancel_hint: &'static str,
}

/// Write-related state, one field of `State`.
#[derive(Debug, Clone, Default)]
pub struct Writes {
    pub dialog: Option<Dialog>,
    pub running: Option<Running>,
    pub next_id: u64,
    pub follow: Follow,
    /// `--read-only` was given (the refusal says how to allow writes).
    pub read_only_flag: bool,
    /// The config file, for the refusal message.
    pub config_file: Option<String>,
    /// Writes need the audit log; when it cannot be opened, this says why and writes are refused.
    pub audit_error: Option<String>,
}
