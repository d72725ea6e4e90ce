//! From a view's request for a write to the plan the user confirms: the read-only guard, one
//! write at a time, the move target and its checks, the facts and warnings the confirmation
//! states, and whether the action is destructive (typed confirmation). Pure: no I/O.

use super::{ArtifactOp, Dialog, Job, Known, Plan, QueueOp, Selection, WriteEffect, Writes, count_word};
use crate::kit::action::Action;
use crate::kit::tenant::TenantInfo;
use crate::kit::toast::{self, Say};
use crate::resources::queues::{base_name, is_dlq};

/// The word typed to confirm a delete.
pub const DELETE_WORD: &str = "delete";

/// Move starts with the default target: a `DLQ_<q>` goes back to `<q>`; others have none.
pub fn queue_op(a: Action, queue: &str) -> QueueOp {
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

/// Where a write action works, for the notice when it is pressed elsewhere.
pub fn where_it_works(a: Action) -> &'static str {
    match a {
        Action::Restart | Action::Undeploy => "the Artifacts pane",
        Action::RetryAll | Action::MoveAll => "the Queues pane",
        _ => "a queue's messages (enter on a queue)",
    }
}

/// Why writes are refused on this tenant now, with how to allow them.
pub fn refusal(w: &Writes, tenant: &TenantInfo) -> Option<String> {
    let name = &tenant.name;
    if tenant.read_only {
        let config = w
            .config_file
            .as_deref()
            .unwrap_or("the config file (cpitop info shows where)");
        let text = if w.read_only_flag {
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
    w.audit_error.as_ref().map(|e| {
        format!("Writes are off because the audit log cannot be written: {e}. Fix the state directory (cpitop info shows it) and restart.")
    })
}

/// A view asks for `job`: refused (read-only, no audit log: recorded, nothing sent), told to wait
/// for the running one, or its confirmation dialog opens.
pub fn propose(
    w: &mut Writes,
    job: Job,
    known: Known,
    tenant: &TenantInfo,
) -> (Option<WriteEffect>, Option<Say>) {
    if let Some(reason) = refusal(w, tenant) {
        let effect = WriteEffect::Refused {
            tenant: tenant.name.clone(),
            job: job.clone(),
            reason: reason.clone(),
        };
        let verb = job.verb();
        let title = verb[..1].to_uppercase() + &verb[1..];
        w.dialog = Some(Dialog::Notice {
            title: format!("{title} refused"),
            lines: vec![format!("Nothing was sent to the tenant: {}", job.title()), reason],
        });
        return (Some(effect), None);
    }
    if let Some(r) = &w.running {
        let text = format!("wait for “{}” to finish ({} of {})", r.title, r.done, r.total);
        w.dialog = Some(Dialog::Progress);
        return (None, Some(toast::info(text)));
    }
    w.dialog = Some(dialog_for(job, known, tenant));
    (None, None)
}

fn dialog_for(job: Job, known: Known, tenant: &TenantInfo) -> Dialog {
    let plan = complete(
        Plan {
            job,
            known,
            facts: Vec::new(),
            warnings: Vec::new(),
            confirm_word: None,
        },
        tenant,
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
            match with_target(plan.clone(), &to, tenant) {
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
pub fn with_target(mut plan: Plan, input: &str, tenant: &TenantInfo) -> Result<Plan, String> {
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
    Ok(complete(plan, tenant))
}

/// Fill in what the confirmation states: facts, warnings, and the confirmation word.
fn complete(mut plan: Plan, tenant: &TenantInfo) -> Plan {
    let env = tenant.badge();
    let name = if env.is_empty() {
        tenant.name.clone()
    } else {
        format!("{} [{env}]", tenant.name)
    };
    let mut facts = vec![("Tenant".to_string(), name)];
    let mut warnings = Vec::new();
    let mut word = None;
    let known = &plan.known;
    match &plan.job {
        Job::Queue { op, queue, selection } => {
            let (count, all) = match selection {
                Selection::Messages(m) => {
                    let hidden = known.hidden;
                    if hidden > 0 {
                        let verb = if hidden == 1 { "is" } else { "are" };
                        warnings.push(format!(
                            "{} of them {verb} hidden by the / filter",
                            crate::kit::format::thousands(hidden as u64)
                        ));
                    }
                    (count_word(m.len(), "message"), known.whole_queue)
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
                    if !known.queues.is_empty() && !known.queues.iter().any(|q| q == to) {
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
            if let Some(now) = &known.artifact_now {
                facts.push(("Now".into(), now.clone()));
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
