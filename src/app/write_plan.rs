//! From a write key in the focused view to a `Plan` the user confirms: marking, the read-only
//! guard, which messages or artifact, the move target and its checks, and whether the action is
//! destructive (typed confirmation). Pure: no I/O.

use super::msg::Effect;
use super::queues::{base_name, is_dlq};
use super::state::{Pane, Route, State, ToastKind};
use super::write_actions::{ArtifactOp, Dialog, Job, Plan, QueueOp, Selection, WriteEffect, count_word};
use crate::cpi::queues::JmsMessageKey;
use crate::kit::action::Action;
use crate::kit::table::Table;

/// The word typed to confirm a delete.
pub const DELETE_WORD: &str = "delete";

pub fn act(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    match a {
        Action::Mark => mark(s),
        Action::MarkAll => mark_all(s),
        _ => {
            let Some(job) = job_for(s, a) else { return };
            if let Some(reason) = refusal(s) {
                fx.push(Effect::Write(WriteEffect::Refused {
                    tenant: s.tenant.name.clone(),
                    job: job.clone(),
                    reason: reason.clone(),
                }));
                let verb = job.verb();
                let title = verb[..1].to_uppercase() + &verb[1..];
                s.writes.dialog = Some(Dialog::Notice {
                    title: format!("{title} refused"),
                    lines: vec![format!("Nothing was sent to the tenant: {}", job.title()), reason],
                });
                return;
            }
            if let Some(r) = &s.writes.running {
                let text = format!("wait for “{}” to finish ({} of {})", r.title, r.done, r.total);
                s.writes.dialog = Some(Dialog::Progress);
                s.toast(text, ToastKind::Info);
                return;
            }
            s.writes.dialog = Some(dialog_for(s, job));
        }
    }
}

/// Why writes are refused on this tenant now, with how to allow them.
pub fn refusal(s: &State) -> Option<String> {
    let name = &s.tenant.name;
    if s.tenant.read_only {
        let config = s
            .writes
            .config_file
            .as_deref()
            .unwrap_or("the config file (cpitop info shows where)");
        let text = if s.writes.read_only_flag {
            format!(
                "Writes are off for this session (--read-only). To allow them, start cpitop without --read-only and make sure [tenants.{name}] has read_only = false in {config}."
            )
        } else {
            format!(
                "Tenant {name} is read-only (prod tenants are unless configured otherwise). To allow writes, set read_only = false in [tenants.{name}] of {config} and restart cpitop (without --read-only)."
            )
        };
        return Some(text);
    }
    s.writes.audit_error.as_ref().map(|e| {
        format!("Writes are off because the audit log cannot be written: {e}. Fix the state directory (cpitop info shows it) and restart.")
    })
}

fn mark(s: &mut State) {
    if !matches!(s.route(), Route::QueueMessages { .. }) {
        return;
    }
    let qm = &mut s.queue_messages;
    let Some(id) = qm.selected_key() else { return };
    if !qm.marks.remove(&id) {
        qm.marks.insert(id);
    }
    qm.move_selection(1);
}

/// Mark every shown (filtered) message; when all are marked already, unmark them.
fn mark_all(s: &mut State) {
    if !matches!(s.route(), Route::QueueMessages { .. }) {
        return;
    }
    let qm = &mut s.queue_messages;
    let shown: Vec<String> = qm.list.rows().map(|r| qm.key(r)).collect();
    if shown.iter().all(|id| qm.marks.contains(id)) {
        for id in &shown {
            qm.marks.remove(id);
        }
        s.toast("unmarked every shown message", ToastKind::Info);
    } else {
        let n = shown.len();
        qm.marks.extend(shown);
        s.toast(format!("marked {}", count_word(n, "message")), ToastKind::Info);
    }
}

/// The job a write key means here, or `None` (with a toast saying why).
fn job_for(s: &mut State, a: Action) -> Option<Job> {
    let job = match (s.route().clone(), a) {
        (Route::QueueMessages { queue }, Action::Retry | Action::Move | Action::Delete) => {
            let msgs = selected_messages(s);
            if msgs.is_empty() {
                s.toast("no message selected", ToastKind::Info);
                return None;
            }
            Job::Queue {
                op: queue_op(a, &queue),
                queue,
                selection: Selection::Messages(msgs),
            }
        }
        (Route::QueueMessages { queue }, Action::RetryAll | Action::MoveAll) => Job::Queue {
            op: queue_op(a, &queue),
            selection: Selection::All {
                expected: s.queue_messages.items.len() as i64,
            },
            queue,
        },
        (Route::Pane(Pane::Queues), Action::RetryAll | Action::MoveAll) => {
            let Some(row) = s.queues.selected() else {
                s.toast("no queue selected", ToastKind::Info);
                return None;
            };
            let (queue, depth) = (row.queue.name.clone(), row.queue.numb_of_msgs);
            if depth <= 0 {
                s.toast(format!("{queue} is empty"), ToastKind::Info);
                return None;
            }
            Job::Queue {
                op: queue_op(a, &queue),
                queue,
                selection: Selection::All { expected: depth },
            }
        }
        (Route::Pane(Pane::Artifacts) | Route::ArtifactDetail { .. }, Action::Restart | Action::Undeploy) => {
            let art = match s.route() {
                Route::ArtifactDetail { id } => Some(match s.artifacts.by_id(id) {
                    Some(a) => (a.id.clone(), a.name.clone()),
                    None => (id.clone(), String::new()),
                }),
                _ => s.artifacts.selected().map(|a| (a.id.clone(), a.name.clone())),
            };
            let Some((id, name)) = art else {
                s.toast("no artifact selected", ToastKind::Info);
                return None;
            };
            Job::Artifact {
                op: if a == Action::Restart {
                    ArtifactOp::Restart
                } else {
                    ArtifactOp::Undeploy
                },
                name,
                id,
            }
        }
        _ => {
            s.toast(
                format!("{} works in {}", a.hint(), where_it_works(a)),
                ToastKind::Info,
            );
            return None;
        }
    };
    Some(job)
}

fn where_it_works(a: Action) -> &'static str {
    match a {
        Action::Restart | Action::Undeploy => "the Artifacts pane",
        Action::RetryAll | Action::MoveAll => "the Queues pane",
        _ => "a queue's messages (enter on a queue)",
    }
}

/// Move starts with the default target: a `DLQ_<q>` goes back to `<q>`; others have none.
fn queue_op(a: Action, queue: &str) -> QueueOp {
    match a {
        Action::Retry | Action::RetryAll => QueueOp::Retry,
        Action::Delete => QueueOp::Delete,
        _ => QueueOp::Move {
            to: if is_dlq(queue) {
                base_name(queue).to_string()
            } else {
                String::new()
            },
        },
    }
}

/// The marked messages still in the queue, else the selected row.
fn selected_messages(s: &State) -> Vec<JmsMessageKey> {
    let qm = &s.queue_messages;
    if !qm.marks.is_empty() {
        let mut rows: Vec<usize> = (0..qm.items.len())
            .filter(|&r| qm.marks.contains(&qm.items[r].msgid))
            .collect();
        // In the order shown; hidden marked rows after them.
        rows.sort_by_key(|&r| qm.list.rows().position(|v| v == r).unwrap_or(usize::MAX));
        return rows.iter().map(|&r| JmsMessageKey::from(&qm.items[r])).collect();
    }
    qm.list
        .selected_row()
        .and_then(|r| qm.items.get(r))
        .map(|m| vec![JmsMessageKey::from(m)])
        .unwrap_or_default()
}

fn dialog_for(s: &State, job: Job) -> Dialog {
    let plan = complete(
        s,
        Plan {
            job,
            facts: Vec::new(),
            warnings: Vec::new(),
            confirm_word: None,
        },
    );
    match &plan.job {
        Job::Queue {
            op: QueueOp::Move { to },
            ..
        } if to.is_empty() => Dialog::Target {
            plan,
            input: String::new(),
            error: None,
        },
        Job::Queue {
            op: QueueOp::Move { to },
            ..
        } => {
            let to = to.clone();
            match with_target(s, plan.clone(), &to) {
                Ok(plan) => confirm(plan),
                Err(error) => Dialog::Target {
                    plan,
                    input: to,
                    error: Some(error),
                },
            }
        }
        _ => confirm(plan),
    }
}

fn confirm(plan: Plan) -> Dialog {
    Dialog::Confirm {
        plan,
        typed: String::new(),
        error: None,
    }
}

/// Set the move target after checking it: never the source queue; a DLQ or an unknown queue
/// warns.
pub fn with_target(s: &State, mut plan: Plan, input: &str) -> Result<Plan, String> {
    let to = input.trim();
    if let Job::Queue {
        op: QueueOp::Move { to: target },
        queue,
        ..
    } = &mut plan.job
    {
        if to.is_empty() {
            return Err("type the name of the queue to move the messages to".into());
        }
        if to == queue.as_str() {
            return Err(format!(
                "the messages are in {queue} already: choose another queue (nothing is moved onto the queue it came from)"
            ));
        }
        *target = to.to_string();
    }
    Ok(complete(s, plan))
}

/// Fill in what the confirmation states: facts, warnings, and the confirmation word.
fn complete(s: &State, mut plan: Plan) -> Plan {
    let env = s.tenant.badge();
    let tenant = if env.is_empty() {
        s.tenant.name.clone()
    } else {
        format!("{} [{env}]", s.tenant.name)
    };
    let mut facts = vec![("Tenant".to_string(), tenant)];
    let mut warnings = Vec::new();
    let mut word = None;
    match &plan.job {
        Job::Queue { op, queue, selection } => {
            let (count, all) = match selection {
                Selection::Messages(m) => {
                    let whole = queue_is(s, queue) && m.len() == s.queue_messages.items.len();
                    let hidden = hidden_marked(s, m);
                    if hidden > 0 {
                        let verb = if hidden == 1 { "is" } else { "are" };
                        warnings.push(format!(
                            "{} of them {verb} hidden by the / filter",
                            crate::kit::format::thousands(hidden as u64)
                        ));
                    }
                    (count_word(m.len(), "message"), whole)
                }
                Selection::All { expected } => (
                    format!(
                        "all messages ({} at the last refresh; those in the queue when it runs)",
                        crate::kit::format::thousands((*expected).max(0) as u64)
                    ),
                    true,
                ),
            };
            facts.push(("Action".into(), plan.job.verb().to_string()));
            facts.push(("Messages".into(), count));
            facts.push(("Queue".into(), queue.clone()));
            match op {
                QueueOp::Move { to } => {
                    facts[3].0 = "From".into();
                    facts.push(("To".into(), to.clone()));
                    if is_dlq(to) {
                        warnings.push(format!(
                            "{to} is a dead-letter queue: the messages will wait there, not be processed"
                        ));
                    }
                    let known = !s.queues.rows.is_empty();
                    if known && !s.queues.rows.iter().any(|r| r.queue.name == *to) {
                        warnings.push(format!(
                            "{to} is not among the queues of the last refresh: check the name"
                        ));
                    }
                    if all {
                        word = Some(queue.clone());
                    }
                }
                QueueOp::Delete => {
                    warnings.push("deleted messages are gone; their message logs become CANCELLED".into());
                    word = Some(DELETE_WORD.to_string());
                }
                QueueOp::Retry => {}
            }
        }
        Job::Artifact { op, id, name } => {
            facts.push(("Action".into(), plan.job.verb().to_string()));
            let label = if name.is_empty() || name == id {
                id.clone()
            } else {
                format!("{name} ({id})")
            };
            facts.push(("Artifact".into(), label));
            if let Some(a) = s.artifacts.by_id(id) {
                facts.push((
                    "Now".into(),
                    format!("{} · version {}", a.status.as_str(), a.version),
                ));
            }
            match op {
                ArtifactOp::Restart => facts.push((
                    "Then".into(),
                    "deploy the active version again and follow its status".into(),
                )),
                ArtifactOp::Undeploy => {
                    warnings.push("the artifact stops processing until it is deployed again".into());
                    word = Some(id.clone());
                }
            }
        }
    }
    plan.facts = facts;
    plan.warnings = warnings;
    plan.confirm_word = word;
    plan
}

fn queue_is(s: &State, queue: &str) -> bool {
    matches!(s.route(), Route::QueueMessages { .. }) && s.queue_messages.queue == queue
}

/// How many of `msgs` the `/` filter hides.
fn hidden_marked(s: &State, msgs: &[JmsMessageKey]) -> usize {
    let qm = &s.queue_messages;
    msgs.iter()
        .filter(|k| {
            !qm.list
                .rows()
                .any(|r| qm.items.get(r).is_some_and(|m| m.msgid == k.msgid))
        })
        .count()
}
