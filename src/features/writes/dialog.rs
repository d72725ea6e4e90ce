//! Keys while a write dialog is open (target, confirmation, progress, result, notice), and the
//! runner's progress and results. Pure: what the runner is asked to do comes back as
//! `WriteEffect`s, what to tell the user as a notice.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{
    ArtifactOp, Dialog, Job, QueueOp, Running, Selection, WriteEffect, WriteMsg, WriteRequest, Writes,
};
use crate::cpi::odata::EpochMs;
use crate::kit::tenant::TenantInfo;
use crate::kit::toast::{self, Say};

/// What a key or a runner message asks of the app.
#[derive(Debug, Default)]
pub struct Outcome {
    pub effects: Vec<WriteEffect>,
    pub say: Option<Say>,
}

/// Keys while a dialog is open.
pub fn key(w: &mut Writes, k: KeyEvent, tenant: &TenantInfo, now: EpochMs) -> Outcome {
    let mut out = Outcome::default();
    let Some(dialog) = w.dialog.take() else {
        return out;
    };
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let cancelled = |out: &mut Outcome| {
        out.say = Some(toast::info("cancelled: nothing was changed"));
        None
    };
    w.dialog = match dialog {
        Dialog::Target {
            plan,
            mut input,
            error,
        } => match k.code {
            KeyCode::Esc => cancelled(&mut out),
            KeyCode::Enter => match super::plan::with_target(plan.clone(), &input, tenant) {
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
            (KeyCode::Esc, _) => cancelled(&mut out),
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
            (KeyCode::Enter, _) | (KeyCode::Char('y' | 'Y'), None) => {
                out.effects.push(start(w, plan.job, tenant, now));
                Some(Dialog::Progress)
            }
            (KeyCode::Char('n' | 'N'), None) => cancelled(&mut out),
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
                out.say = Some(toast::info("the action continues in the background"));
                None
            }
            KeyCode::Char('c') => {
                if let Some(r) = w.running.as_mut() {
                    if !r.cancelling {
                        r.cancelling = true;
                        out.effects.push(WriteEffect::Cancel { id: r.id });
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
    out
}

/// Confirmed: the runner's request, and the progress it will report on.
fn start(w: &mut Writes, job: Job, tenant: &TenantInfo, now: EpochMs) -> WriteEffect {
    w.next_id += 1;
    let id = w.next_id;
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
    w.running = Some(Running {
        id,
        title: job.title(),
        done: 0,
        total,
        note: "starting…".into(),
        started: now,
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
    WriteEffect::Run(WriteRequest {
        id,
        tenant: tenant.name.clone(),
        job,
        follow: w.follow,
    })
}

/// A write ended: what the tenant confirmed (the views unmark it and refresh).
#[derive(Debug)]
pub struct Finished {
    pub succeeded: Vec<String>,
    pub say: Say,
}

/// Progress and results from the runner; `Some` when a write ended.
pub fn on_msg(w: &mut Writes, m: WriteMsg) -> Option<Finished> {
    match m {
        WriteMsg::Progress {
            id,
            done,
            total,
            note,
        } => {
            if let Some(r) = w.running.as_mut().filter(|r| r.id == id) {
                r.done = done;
                r.total = total;
                r.note = note;
            }
            None
        }
        WriteMsg::Done(report) => {
            if w.running.as_ref().is_some_and(|r| r.id == report.id) {
                w.running = None;
            }
            let text = format!("{}: {}", report.title, report.headline);
            let say = if report.ok {
                toast::info(text)
            } else {
                toast::error(text)
            };
            let succeeded = report.succeeded.clone();
            w.dialog = Some(Dialog::Result { report, scroll: 0 });
            Some(Finished { succeeded, say })
        }
    }
}
