//! Running a confirmed write: a tokio task per job that calls the client, reports progress
//! (`n of m`) on the loop's channel, records attempt and result in the audit log, and ends with a
//! `Report` that claims only what the tenant confirmed. Nothing here blocks the loop.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::audit::{AuditRecord, AuditSink, DURABLE_TIMEOUT, Identity};
use crate::app::msg::Msg;
use crate::cpi::client::{CpiClient, QueueApiKind};
use crate::cpi::model::ArtifactStatus;
use crate::cpi::queues::{BulkFailure, JmsMessageKey};
use crate::features::writes::{
    ArtifactOp, Job, QueueOp, Report, Selection, WriteEffect, WriteMsg, WriteRequest, count_word,
};

pub struct WriteRunner {
    client: CpiClient,
    tx: mpsc::Sender<Msg>,
    audit: Option<AuditSink>,
    who: Identity,
    jobs: HashMap<u64, CancellationToken>,
}

impl WriteRunner {
    pub fn new(client: CpiClient, tx: mpsc::Sender<Msg>) -> Self {
        Self {
            client,
            tx,
            audit: None,
            who: Identity::default(),
            jobs: HashMap::new(),
        }
    }

    /// Where attempts and results are recorded, and who acts. Without it, writes are refused.
    pub fn set_audit(&mut self, audit: AuditSink, who: Identity) {
        self.audit = Some(audit);
        self.who = who;
    }

    /// Where runs are recorded and who acts (plugins are audited like writes).
    pub fn audit(&self) -> Option<(AuditSink, Identity)> {
        self.audit.clone().map(|a| (a, self.who.clone()))
    }

    /// After a tenant switch (`:ctx`): later writes go to the new client as the new identity.
    /// A job already running finishes against the tenant it started on.
    pub fn switch_tenant(&mut self, client: CpiClient, who: Identity) {
        self.client = client;
        self.who = who;
    }

    pub fn run(&mut self, e: WriteEffect) {
        self.jobs.retain(|_, c| !c.is_cancelled());
        match e {
            WriteEffect::Refused { tenant, job, reason } => {
                tracing::info!(%tenant, action = job.action_name(), "write refused: {reason}");
                if let Some(a) = &self.audit {
                    a.record(&AuditRecord::refused(&tenant, &self.who, &job, &reason));
                }
            }
            WriteEffect::Cancel { id } => {
                if let Some(c) = self.jobs.get(&id) {
                    c.cancel();
                }
            }
            WriteEffect::Run(req) => {
                let Some(audit) = self.audit.clone() else {
                    // `update` refuses writes without an audit log; this is the second line.
                    let report = Report {
                        id: req.id,
                        title: req.job.title(),
                        headline: "not run: the audit log is not available".into(),
                        ..Report::default()
                    };
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        let _ = tx.send(Msg::Write(WriteMsg::Done(report))).await;
                    });
                    return;
                };
                let cancel = CancellationToken::new();
                self.jobs.insert(req.id, cancel.clone());
                let job = JobCx {
                    c: self.client.clone(),
                    tx: self.tx.clone(),
                    cancel,
                    req,
                };
                let who = self.who.clone();
                tokio::spawn(async move {
                    // The attempt must be on disk before anything is sent: without a record, no
                    // write (the README's promise holds also when the disk fills up mid-session).
                    let attempt = AuditRecord::attempt(&job.req, &who);
                    if let Err(e) = audit.record_durably(&attempt, DURABLE_TIMEOUT).await {
                        tracing::error!(tenant = %job.req.tenant, action = job.req.job.action_name(), "write refused: the audit record could not be written: {e}");
                        let mut report = job.report();
                        report.headline = format!(
                            "not run: the audit log could not record the attempt ({e}); nothing was sent to the tenant"
                        );
                        job.cancel.cancel();
                        let _ = job.tx.send(Msg::Write(WriteMsg::Done(report))).await;
                        return;
                    }
                    tracing::info!(tenant = %job.req.tenant, action = job.req.job.action_name(), "write: {}", job.req.job.title());
                    let mut report = job.run().await;
                    let result = AuditRecord::result(&job.req, &who, &report);
                    if let Err(e) = audit.record_durably(&result, DURABLE_TIMEOUT).await {
                        report
                            .notes
                            .push(format!("The result could not be recorded in the audit log: {e}"));
                    }
                    tracing::info!(
                        ok = report.ok,
                        "write done: {}: {}",
                        report.title,
                        report.headline
                    );
                    job.cancel.cancel();
                    let _ = job.tx.send(Msg::Write(WriteMsg::Done(report))).await;
                });
            }
        }
    }
}

struct JobCx {
    c: CpiClient,
    tx: mpsc::Sender<Msg>,
    cancel: CancellationToken,
    req: WriteRequest,
}

const NOT_ATTEMPTED: &str = "not attempted: cancelled by the user";

impl JobCx {
    async fn progress(&self, done: usize, total: usize, note: impl Into<String>) {
        let _ = self.tx.send(progress(self.req.id, done, total, note)).await;
    }

    fn report(&self) -> Report {
        Report {
            id: self.req.id,
            title: self.req.job.title(),
            ..Report::default()
        }
    }

    async fn run(&self) -> Report {
        match self.req.job.clone() {
            Job::Queue { op, queue, selection } => self.queue(op, &queue, selection).await,
            Job::Artifact { op, id, .. } => match op {
                ArtifactOp::Restart => self.restart(&id).await,
                ArtifactOp::Undeploy => self.undeploy(&id).await,
            },
        }
    }

    async fn queue(&self, op: QueueOp, queue: &str, selection: Selection) -> Report {
        let mut r = self.report();
        let keys: Vec<JmsMessageKey> = match selection {
            Selection::Messages(m) => m,
            Selection::All { .. } => {
                self.progress(0, 0, format!("reading the messages of {queue}…"))
                    .await;
                match self.c.queue_messages(queue).await {
                    Ok(m) => m.iter().map(JmsMessageKey::from).collect(),
                    Err(e) => {
                        r.headline = format!("nothing done: the messages of {queue} could not be read: {e}");
                        return r;
                    }
                }
            }
        };
        let total = keys.len();
        let (verb, past) = match &op {
            QueueOp::Retry => ("retrying", "retried"),
            QueueOp::Move { .. } => ("moving", "moved"),
            QueueOp::Delete => ("deleting", "deleted"),
        };
        self.progress(0, total, format!("{verb}…")).await;
        let mut done = 0;
        let mut rest = keys.as_slice();
        while !rest.is_empty() {
            if self.cancel.is_cancelled() {
                for k in rest {
                    r.failed.push(fail(&k.msgid, NOT_ATTEMPTED));
                }
                break;
            }
            // Moves and retries in the messaging API go in batches of at most 100 (one request
            // each: the tenant refuses more); everything else is one request per message.
            let n = match (&op, self.c.queue_api()) {
                (QueueOp::Move { .. } | QueueOp::Retry, Some(QueueApiKind::Messaging)) => {
                    crate::cpi::queues::MESSAGING_BATCH.min(rest.len())
                }
                _ => 1,
            };
            let (chunk, tail) = rest.split_at(n);
            rest = tail;
            match &op {
                QueueOp::Retry => {
                    let out = self.c.retry_queue_messages(chunk).await;
                    r.succeeded.extend(out.succeeded);
                    r.failed.extend(out.failed);
                }
                QueueOp::Delete => {
                    let out = self.c.delete_queue_messages(chunk).await;
                    r.succeeded.extend(out.succeeded);
                    r.failed.extend(out.failed);
                }
                QueueOp::Move { to } => {
                    let ids: Vec<String> = chunk.iter().map(|k| k.msgid.clone()).collect();
                    match self.c.move_queue_messages(queue, to, &ids).await {
                        Ok(out) => {
                            r.succeeded.extend(out.succeeded);
                            r.failed.extend(out.failed);
                        }
                        Err(e) => {
                            let reason = e.to_string();
                            r.failed.extend(ids.iter().map(|id| fail(id, &reason)));
                        }
                    }
                }
            }
            done += chunk.len();
            self.progress(
                done,
                total,
                format!("{verb}: {} ok, {} failed", r.succeeded.len(), r.failed.len()),
            )
            .await;
        }
        if let QueueOp::Move { to } = &op {
            if !r.failed.is_empty() {
                self.verify_move(queue, to, &mut r).await;
            }
        }
        r.ok = r.failed.is_empty() && total > 0;
        r.headline = if total == 0 {
            format!("{queue} had no messages: nothing {past}")
        } else if r.failed.is_empty() {
            format!("{} {past}", count_word(r.succeeded.len(), "message"))
        } else {
            format!("{} of {total} {past}, {} not", r.succeeded.len(), r.failed.len())
        };
        r
    }

    /// After a move with failures, read the source back so the report says where each message
    /// is: a message reported failed that left the source is called out (never silently counted).
    async fn verify_move(&self, source: &str, to: &str, r: &mut Report) {
        match self.c.queue_messages(source).await {
            Ok(left) => {
                let gone: Vec<&BulkFailure> = r
                    .failed
                    .iter()
                    .filter(|f| f.reason != NOT_ATTEMPTED && !left.iter().any(|m| m.msgid == f.msgid))
                    .collect();
                let still = r.failed.len() - gone.len();
                r.notes.push(format!(
                    "Read back: {still} of the {} not moved are still in {source}.",
                    r.failed.len()
                ));
                for f in gone {
                    r.notes.push(format!(
                        "{} is no longer in {source} although the move failed: check {to}",
                        f.msgid
                    ));
                }
            }
            Err(e) => r.notes.push(format!(
                "Could not read {source} back to check the failed ones: {e}"
            )),
        }
    }

    async fn undeploy(&self, id: &str) -> Report {
        let mut r = self.report();
        self.progress(0, 0, "undeploying…").await;
        if let Err(e) = self.c.undeploy_artifact(id).await {
            r.failed.push(fail(id, &e.to_string()));
            r.headline = format!("undeploy failed: {e}");
            return r;
        }
        r.ok = true;
        r.succeeded.push(id.to_string());
        r.headline = match self.c.runtime_artifact(id).await {
            Ok(None) => format!("{id} is undeployed"),
            Ok(Some(a)) => format!(
                "undeploy accepted; the runtime still lists {id} as {} (it may take a moment)",
                a.status
            ),
            Err(e) => format!("undeploy accepted; reading {id} back failed: {e}"),
        };
        r
    }

    /// Redeploy the active version, then follow the runtime status until STARTED or ERROR.
    ///
    /// (Uncertain) After the deploy call the runtime may still show the previous deployment's STARTED
    /// for a moment; STARTED counts only once the deploy task says SUCCESS, the status was seen
    /// not STARTED, or `DeployedOn` changed (docs/cpi-api.md, "Runtime artifacts": task `SUCCESS` is
    /// documented, `DEPLOYING`/`FAIL` are uncertain).
    async fn restart(&self, id: &str) -> Report {
        let mut r = self.report();
        let follow = self.req.follow;
        self.progress(0, 0, "deploying the active version…").await;
        let before = self.c.runtime_artifact(id).await.ok().flatten();
        let task = match self.c.restart_artifact(id).await {
            Ok(t) => t,
            Err(e) => {
                r.failed.push(fail(id, &e.to_string()));
                r.headline = format!("restart failed: {e}");
                return r;
            }
        };
        r.notes.push(format!("Deploy task {task}."));
        let started = tokio::time::Instant::now();
        let timeout = Duration::from_millis(follow.timeout_ms);
        let mut seen_other = false;
        let mut last;
        loop {
            let status = self.c.runtime_artifact(id).await;
            let task_status = self
                .c
                .build_and_deploy_status(&task)
                .await
                .map(|s| s.status.to_uppercase())
                .unwrap_or_default();
            match status {
                Ok(Some(a)) => {
                    let changed = before.as_ref().is_some_and(|b| b.deployed_on != a.deployed_on);
                    let fresh = seen_other
                        || changed
                        || before.is_none()
                        || matches!(task_status.as_str(), "SUCCESS" | "FAIL");
                    last = a.status.to_string();
                    match a.status {
                        ArtifactStatus::Started if fresh => {
                            r.ok = true;
                            r.succeeded.push(id.to_string());
                            r.headline = format!("{id} is STARTED (version {})", a.version);
                            return r;
                        }
                        ArtifactStatus::Error if fresh => {
                            let text = match self.c.runtime_artifact_error(id).await {
                                Ok(Some(info)) => info.text(),
                                Ok(None) => "the tenant gives no error text".into(),
                                Err(e) => format!("the error text could not be read: {e}"),
                            };
                            r.failed.push(fail(id, "deployed, status ERROR"));
                            r.headline = format!("{id} ended in ERROR");
                            r.notes.extend(text.lines().map(str::to_string));
                            return r;
                        }
                        ArtifactStatus::Started | ArtifactStatus::Error => {}
                        _ => seen_other = true,
                    }
                }
                Ok(None) => {
                    seen_other = true;
                    last = "not deployed yet".into();
                }
                Err(e) => last = format!("status unreadable: {e}"),
            }
            if task_status == "FAIL" {
                r.failed.push(fail(id, "the deploy task failed"));
                r.headline = format!("the deploy of {id} failed (task FAIL, status {last})");
                return r;
            }
            let waited = started.elapsed();
            if waited >= timeout {
                r.failed.push(fail(id, "no final status in time"));
                r.headline = format!(
                    "{id} is still {last} after {}: follow it in the Artifacts pane",
                    crate::kit::format::age(waited.as_millis() as i64)
                );
                return r;
            }
            let task_note = if task_status.is_empty() {
                String::new()
            } else {
                format!(" · task {task_status}")
            };
            self.progress(0, 0, format!("status {last}{task_note}")).await;
            tokio::select! {
                _ = self.cancel.cancelled() => {
                    r.ok = true;
                    r.succeeded.push(id.to_string());
                    r.headline = format!("deploy started; stopped following at status {last}");
                    return r;
                }
                _ = tokio::time::sleep(Duration::from_millis(follow.interval_ms)) => {}
            }
        }
    }
}

/// A progress message for the state owner.
fn progress(id: u64, done: usize, total: usize, note: impl Into<String>) -> Msg {
    Msg::Write(WriteMsg::Progress {
        id,
        done,
        total,
        note: note.into(),
    })
}

fn fail(id: &str, reason: &str) -> BulkFailure {
    BulkFailure {
        msgid: id.to_string(),
        reason: reason.to_string(),
    }
}

/// What the session knows about writes at start: where the audit log goes, who acts, and what
/// the read-only refusal should point to.
#[derive(Debug, Clone, Default)]
pub struct WriteSetup {
    /// `<state dir>/audit.log`; `None` refuses writes (there is nowhere to record them).
    pub audit_path: Option<std::path::PathBuf>,
    pub who: Identity,
    /// `--read-only` was given.
    pub read_only_flag: bool,
    /// The config file the tenant came from.
    pub config_file: Option<String>,
}

/// Open the audit log and tell the state and the runner. Returns the log (flush it at exit).
pub fn install(
    setup: &WriteSetup,
    s: &mut crate::app::state::State,
    runner: &mut WriteRunner,
) -> Option<super::audit::AuditLog> {
    s.writes.read_only_flag = setup.read_only_flag;
    s.writes.config_file = setup.config_file.clone();
    let Some(path) = &setup.audit_path else {
        s.writes.audit_error = Some("no state directory is known".into());
        return None;
    };
    match super::audit::AuditLog::open(path) {
        Ok(log) => {
            runner.set_audit(log.sink(), setup.who.clone());
            Some(log)
        }
        Err(e) => {
            tracing::error!("audit log: {e}; writes are disabled");
            s.writes.audit_error = Some(e);
            None
        }
    }
}
