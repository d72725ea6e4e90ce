//! Guarded writes (issue 6): retry, move and delete queued JMS messages; restart and undeploy
//! artifacts. This module is the pure part — what a write is (`Job`), the dialogs that confirm it
//! and show its progress and result, and how keys and results change them. Planning from the
//! focused view is in `write_plan`, execution (client calls, audit) in `write_exec`, the audit
//! log in `audit`, rendering in `ui::dialog`.
//!
//! Flow: a write key → `write_plan::act` checks read-only and builds a `Plan` → `Dialog::Confirm`
//! (or `Dialog::Target` first for a move without a default target) → the user confirms (typing
//! the confirmation word for destructive ones) → `Effect::Write(WriteEffect::Run)` → the effect
//! runner spawns a task → `Msg::Write(Progress…)`, then `Msg::Write(Done(report))` → the result
//! dialog, and the views refresh.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::msg::{Effect, Msg};
use super::state::{State, ToastKind};
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

/// A planned write, waiting for confirmation: what the dialog states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub job: Job,
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

/// Keys while a dialog is open.
pub fn key(s: &mut State, k: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(dialog) = s.writes.dialog.take() else {
        return;
    };
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    s.writes.dialog = match dialog {
        Dialog::Target {
            plan,
            mut input,
            error,
        } => match k.code {
            KeyCode::Esc => cancelled(s),
            KeyCode::Enter => match super::write_plan::with_target(s, plan.clone(), &input) {
                Ok(plan) => Some(Dialog::Confirm {
                    plan,
                    typed: String::new(),
                    error: None,
                }),
                Err(e) => Some(Dialog::Target {
                    plan,
                    input,
                    error: Some(e),
                }),
            },
            KeyCode::Backspace => {
                input.pop();
                Some(Dialog::Target {
                    plan,
                    input,
                    error: None,
                })
            }
            KeyCode::Char(c) if !ctrl => {
                input.push(c);
                Some(Dialog::Target {
                    plan,
                    input,
                    error: None,
                })
            }
            _ => Some(Dialog::Target { plan, input, error }),
        },
        Dialog::Confirm {
            plan,
            mut typed,
            error,
        } => match (k.code, plan.confirm_word.clone()) {
            (KeyCode::Esc, _) => cancelled(s),
            (KeyCode::Tab, _)
                if matches!(
                    plan.job,
                    Job::Queue {
                        op: QueueOp::Move { .. },
                        ..
                    }
                ) =>
            {
                let input = match &plan.job {
                    Job::Queue {
                        op: QueueOp::Move { to },
                        ..
                    } => to.clone(),
                    _ => String::new(),
                };
                Some(Dialog::Target {
                    plan,
                    input,
                    error: None,
                })
            }
            (KeyCode::Enter, Some(word)) if typed != word => Some(Dialog::Confirm {
                plan,
                typed,
                error: Some(format!("type {word} exactly to confirm (esc cancels)")),
            }),
            (KeyCode::Enter, _) | (KeyCode::Char('y' | 'Y'), None) => start(s, plan.job, fx),
            (KeyCode::Char('n' | 'N'), None) => cancelled(s),
            (KeyCode::Backspace, Some(_)) => {
                typed.pop();
                Some(Dialog::Confirm {
                    plan,
                    typed,
                    error: None,
                })
            }
            (KeyCode::Char(c), Some(_)) if !ctrl => {
                typed.push(c);
                Some(Dialog::Confirm {
                    plan,
                    typed,
                    error: None,
                })
            }
            _ => Some(Dialog::Confirm { plan, typed, error }),
        },
        Dialog::Progress => match k.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {
                s.toast("the action continues in the background", ToastKind::Info);
                None
            }
            KeyCode::Char('c') => {
                if let Some(r) = s.writes.running.as_mut() {
                    if !r.cancelling {
                        r.cancelling = true;
                        fx.push(Effect::Write(WriteEffect::Cancel { id: r.id }));
                    }
                }
                Some(Dialog::Progress)
            }
            _ => Some(Dialog::Progress),
        },
        Dialog::Result { report, scroll } => match k.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => None,
            KeyCode::Down | KeyCode::Char('j') => Some(Dialog::Result {
                report,
                scroll: scroll + 1,
            }),
            KeyCode::Up | KeyCode::Char('k') => Some(Dialog::Result {
                report,
                scroll: scroll.saturating_sub(1),
            }),
            KeyCode::PageDown => Some(Dialog::Result {
                report,
                scroll: scroll + 10,
            }),
            KeyCode::PageUp => Some(Dialog::Result {
                report,
                scroll: scroll.saturating_sub(10),
            }),
            _ => Some(Dialog::Result { report, scroll }),
        },
        Dialog::Notice { title, lines } => match k.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => None,
            _ => Some(Dialog::Notice { title, lines }),
        },
    };
}

fn cancelled(s: &mut State) -> Option<Dialog> {
    s.toast("cancelled: nothing was changed", ToastKind::Info);
    None
}

/// Confirmed: hand the job to the runner and show its progress.
fn start(s: &mut State, job: Job, fx: &mut Vec<Effect>) -> Option<Dialog> {
    s.writes.next_id += 1;
    let id = s.writes.next_id;
    let total = match &job {
        Job::Queue {
            selection: Selection::Messages(m),
            ..
        } => m.len(),
        Job::Queue {
            selection: Selection::All { expected },
            ..
        } => (*expected).max(0) as usize,
        Job::Artifact { .. } => 0,
    };
    s.writes.running = Some(Running {
        id,
        title: job.title(),
        done: 0,
        total,
        note: "starting…".into(),
        started: s.now,
        cancelling: false,
        cancel_hint: match &job {
            Job::Artifact {
                op: ArtifactOp::Restart,
                ..
            } => "stop following (the deploy goes on)",
            // One request: nothing to cancel once confirmed.
            Job::Artifact { .. } => "",
            Job::Queue { .. } => "cancel the rest",
        },
    });
    fx.push(Effect::Write(WriteEffect::Run(WriteRequest {
        id,
        tenant: s.tenant.name.clone(),
        job,
        follow: s.writes.follow,
    })));
    Some(Dialog::Progress)
}

/// Progress and results from the runner.
pub fn on_msg(s: &mut State, m: WriteMsg, fx: &mut Vec<Effect>) {
    s.dirty = true;
    match m {
        WriteMsg::Progress {
            id,
            done,
            total,
            note,
        } => {
            if let Some(r) = s.writes.running.as_mut().filter(|r| r.id == id) {
                r.done = done;
                r.total = total;
                r.note = note;
            }
        }
        WriteMsg::Done(report) => {
            if s.writes.running.as_ref().is_some_and(|r| r.id == report.id) {
                s.writes.running = None;
            }
            // What the tenant confirmed is no longer marked.
            for id in &report.succeeded {
                s.queue_messages.marks.remove(id);
            }
            let kind = if report.ok {
                ToastKind::Info
            } else {
                ToastKind::Error
            };
            s.toast(format!("{}: {}", report.title, report.headline), kind);
            s.writes.dialog = Some(Dialog::Result { report, scroll: 0 });
            // The tenant changed: read it again.
            fx.push(Effect::RefreshNow);
        }
    }
}

/// Build the message for the runner's channel (used by `write_exec`).
pub fn progress(id: u64, done: usize, total: usize, note: impl Into<String>) -> Msg {
    Msg::Write(WriteMsg::Progress {
        id,
        done,
        total,
        note: note.into(),
    })
}
