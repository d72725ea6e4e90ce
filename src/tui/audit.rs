//! The audit log of writes: one JSON line per attempt and per result, appended to
//! `<state dir>/audit.log` by a dedicated thread (never on the render path, never blocking the
//! loop). A record names the time, tenant, the OS user and the API client id (never a secret),
//! the action, its targets and the result.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use serde::Serialize;

use crate::cpi::conn::{Auth, TenantConn};
use crate::features::writes::{Job, QueueOp, Report, Selection, WriteRequest};

pub const AUDIT_FILE: &str = "audit.log";

/// Who acts: the OS user and the API identity (OAuth client id or Basic user name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub user: String,
    pub client_id: String,
}

impl Identity {
    /// The OS user (`$USER`, `$LOGNAME`, `$USERNAME`) and the connection's client id.
    pub fn of(conn: &TenantConn) -> Self {
        let user = ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .or_else(passwd_user)
            .unwrap_or_else(|| "unknown".into());
        let client_id = match &conn.auth {
            Auth::OAuth { client_id, .. } => client_id.clone(),
            Auth::Basic { username, .. } => username.clone(),
        };
        Self { user, client_id }
    }
}

/// The login name of this process's user from `/etc/passwd` (when `$USER` is not set, e.g.
/// under some SSH or service setups); `uid N` if the uid has no entry.
#[cfg(unix)]
fn passwd_user() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let name = passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        (f.nth(1)?.parse::<u32>().ok()? == uid).then(|| name.to_string())
    });
    Some(name.unwrap_or_else(|| format!("uid {uid}")))
}

#[cfg(not(unix))]
fn passwd_user() -> Option<String> {
    None
}

/// One line of the audit log.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditRecord {
    /// RFC 3339, UTC, milliseconds.
    pub time: String,
    pub tenant: String,
    pub user: String,
    pub client_id: String,
    /// Ties an attempt to its result (0 for refusals).
    pub job: u64,
    /// `queue.retry`, `queue.move`, `queue.delete`, `artifact.restart`, `artifact.undeploy`.
    pub action: String,
    /// `attempt`, `result` or `refused`.
    pub phase: &'static str,
    pub targets: serde_json::Value,
    pub result: serde_json::Value,
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// What a job acts on, as the log states it.
pub fn targets(job: &Job) -> serde_json::Value {
    match job {
        Job::Queue { op, queue, selection } => {
            let mut v = serde_json::json!({ "queue": queue });
            if let QueueOp::Move { to } = op {
                v["to"] = to.clone().into();
            }
            match selection {
                Selection::Messages(m) => {
                    v["messages"] = m.iter().map(|k| k.msgid.clone()).collect::<Vec<_>>().into();
                }
                Selection::All { expected } => {
                    v["messages"] = "all".into();
                    v["expected"] = (*expected).into();
                }
            }
            v
        }
        Job::Artifact { id, .. } => serde_json::json!({ "artifact": id }),
    }
}

impl AuditRecord {
    fn new(tenant: &str, who: &Identity, job_id: u64, job: &Job, phase: &'static str) -> Self {
        Self {
            time: now_rfc3339(),
            tenant: tenant.to_string(),
            user: who.user.clone(),
            client_id: who.client_id.clone(),
            job: job_id,
            action: job.action_name().to_string(),
            phase,
            targets: targets(job),
            result: serde_json::Value::Null,
        }
    }
    pub fn attempt(req: &WriteRequest, who: &Identity) -> Self {
        Self::new(&req.tenant, who, req.id, &req.job, "attempt")
    }
    pub fn result(req: &WriteRequest, who: &Identity, r: &Report) -> Self {
        let mut rec = Self::new(&req.tenant, who, req.id, &req.job, "result");
        rec.result = serde_json::json!({
            "ok": r.ok,
            "summary": r.headline,
            "succeeded": r.succeeded,
            "failed": r.failed.iter().map(|f| serde_json::json!({"id": f.msgid, "reason": f.reason})).collect::<Vec<_>>(),
        });
        rec
    }
    pub fn refused(tenant: &str, who: &Identity, job: &Job, reason: &str) -> Self {
        let mut rec = Self::new(tenant, who, 0, job, "refused");
        rec.result = serde_json::json!({ "ok": false, "summary": reason });
        rec
    }
}

impl AuditRecord {
    /// A plugin run: `attempt` (before it starts) and `result`. The targets name the plugin, the
    /// view, the program with its arguments as run and the variables it was given.
    pub fn plugin(req: &crate::features::extend::PluginRequest, who: &Identity, phase: &'static str) -> Self {
        let vars: serde_json::Map<String, serde_json::Value> = req
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        Self {
            time: now_rfc3339(),
            tenant: req.tenant.clone(),
            user: who.user.clone(),
            client_id: who.client_id.clone(),
            job: req.id,
            action: "plugin".into(),
            phase,
            targets: serde_json::json!({
                "plugin": req.plugin,
                "view": req.view,
                "program": req.program,
                "args": req.args,
                "vars": vars,
                "rows": req.rows,
                "background": req.background,
                "dangerous": req.dangerous,
            }),
            result: serde_json::Value::Null,
        }
    }

    /// How a plugin run ended.
    pub fn plugin_result(
        req: &crate::features::extend::PluginRequest,
        who: &Identity,
        o: &crate::features::extend::Outcome,
        took_ms: u64,
    ) -> Self {
        use crate::features::extend::Exit;
        let mut rec = Self::plugin(req, who, "result");
        let code = match o.status {
            Exit::Code(c) => serde_json::Value::from(c),
            Exit::Signal(_) | Exit::NotRun(_) => serde_json::Value::Null,
        };
        rec.result = serde_json::json!({
            "ok": o.status.ok(),
            "summary": o.status.to_string(),
            "exit_code": code,
            "took_ms": took_ms,
            "output_bytes": o.output.len(),
        });
        rec
    }

    /// A plugin refused (dangerous on a read-only tenant): nothing ran.
    pub fn plugin_refused(tenant: &str, who: &Identity, plugin: &str, reason: &str) -> Self {
        Self {
            time: now_rfc3339(),
            tenant: tenant.to_string(),
            user: who.user.clone(),
            client_id: who.client_id.clone(),
            job: 0,
            action: "plugin".into(),
            phase: "refused",
            targets: serde_json::json!({ "plugin": plugin }),
            result: serde_json::json!({ "ok": false, "summary": reason }),
        }
    }
}

/// How long a write waits for its attempt record to be on disk before it is refused.
pub const DURABLE_TIMEOUT: Duration = Duration::from_secs(5);

enum Cmd {
    Line(String),
    /// Write, flush and sync one line; say whether that worked.
    Durable(String, tokio::sync::oneshot::Sender<Result<(), String>>),
    Flush(mpsc::SyncSender<()>),
}

/// Appends records from any thread or task; cheap to clone.
#[derive(Debug, Clone)]
pub struct AuditSink {
    tx: mpsc::Sender<Cmd>,
}

impl std::fmt::Debug for Cmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("audit command")
    }
}

impl AuditSink {
    /// Append a record without waiting (refusals; a failure is logged).
    pub fn record(&self, rec: &AuditRecord) {
        match serde_json::to_string(rec) {
            Ok(line) => {
                if self.tx.send(Cmd::Line(line)).is_err() {
                    tracing::error!(action = %rec.action, "audit log closed; record not written");
                }
            }
            Err(e) => tracing::error!("audit record could not be encoded: {e}"),
        }
    }

    /// Append a record and wait (up to `timeout`) until it is written, flushed and synced to
    /// disk. `Err` says why not: the caller must then not act (an attempt must be on record before
    /// the request is sent).
    pub async fn record_durably(&self, rec: &AuditRecord, timeout: Duration) -> Result<(), String> {
        let line = serde_json::to_string(rec).map_err(|e| format!("the record could not be encoded: {e}"))?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.tx
            .send(Cmd::Durable(line, tx))
            .map_err(|_| "the audit writer has stopped".to_string())?;
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err("the audit writer has stopped".into()),
            Err(_) => Err(format!(
                "writing it did not finish within {} s",
                timeout.as_secs()
            )),
        }
    }

    /// Wait (up to `timeout`) until every record sent so far is on disk.
    pub fn flush(&self, timeout: Duration) -> bool {
        let (tx, rx) = mpsc::sync_channel(1);
        self.tx.send(Cmd::Flush(tx)).is_ok() && rx.recv_timeout(timeout).is_ok()
    }
}

/// The writer thread's handle.
#[derive(Debug)]
pub struct AuditLog {
    pub path: PathBuf,
    sink: AuditSink,
}

/// The open log file, reopened when the path no longer names it (deleted or replaced while
/// cpitop runs: records written to the old inode would be lost).
struct Writer {
    path: PathBuf,
    file: std::fs::File,
}

impl Writer {
    fn open(path: &Path) -> std::io::Result<std::fs::File> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::config::fsutil::create_private_dir_all(dir)?;
        }
        crate::config::fsutil::create_file(path, crate::config::fsutil::PRIVATE_FILE_MODE, false)
    }

    /// Reopen the path if it no longer names the open file.
    fn current(&mut self) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let open = self.file.metadata()?;
            let same = std::fs::metadata(&self.path)
                .is_ok_and(|at| at.dev() == open.dev() && at.ino() == open.ino());
            if !same {
                tracing::warn!(path = %self.path.display(), "audit log was removed or replaced; reopening it");
                self.file = Self::open(&self.path)?;
            }
        }
        Ok(())
    }

    fn append(&mut self, line: &str) -> std::io::Result<()> {
        self.current()?;
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        self.file.write_all(&buf)?;
        self.file.flush()
    }

    /// Append and sync. A file that cannot be synced at all (`EINVAL`: a device or pipe the user
    /// pointed the log at) counts as written once the write itself succeeded.
    fn append_durably(&mut self, line: &str) -> std::io::Result<()> {
        self.append(line)?;
        match self.file.sync_data() {
            #[cfg(unix)]
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Ok(()),
            r => r,
        }
    }
}

impl AuditLog {
    /// `<state_dir>/audit.log`.
    pub fn path_in(state_dir: &Path) -> PathBuf {
        state_dir.join(AUDIT_FILE)
    }

    /// Open (create, append) the log and start its writer thread. The file is created with
    /// owner-only permissions on Unix (`0600`, in a `0700` directory).
    pub fn open(path: &Path) -> Result<AuditLog, String> {
        let file = Writer::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let mut w = Writer {
            path: path.to_path_buf(),
            file,
        };
        let (tx, rx) = mpsc::channel::<Cmd>();
        let shown = path.display().to_string();
        std::thread::Builder::new()
            .name("cpitop-audit".into())
            .spawn(move || {
                for cmd in rx {
                    match cmd {
                        Cmd::Line(line) => {
                            if let Err(e) = w.append(&line) {
                                tracing::error!("audit log {shown}: write failed: {e}; record: {line}");
                            }
                        }
                        Cmd::Durable(line, done) => {
                            let r = w.append_durably(&line).map_err(|e| format!("{shown}: {e}"));
                            if let Err(e) = &r {
                                tracing::error!("audit log {e}; record: {line}");
                            }
                            let _ = done.send(r);
                        }
                        Cmd::Flush(done) => {
                            let _ = w.file.sync_data();
                            let _ = done.send(());
                        }
                    }
                }
            })
            .map_err(|e| format!("cannot start the audit writer: {e}"))?;
        Ok(AuditLog {
            path: path.to_path_buf(),
            sink: AuditSink { tx },
        })
    }

    pub fn sink(&self) -> AuditSink {
        self.sink.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpi::queues::{BulkFailure, JmsMessageKey};
    use crate::features::writes::{Follow, WriteRequest};

    #[test]
    fn records_append_as_json_lines_across_sessions() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = AuditLog::path_in(&dir.path().join("state"));
        let who = Identity {
            user: "alice".into(),
            client_id: "sb-123!b1|it!b2".into(),
        };
        let req = WriteRequest {
            id: 7,
            tenant: "acme-dev".into(),
            job: Job::Queue {
                op: QueueOp::Move { to: "ORDERS".into() },
                queue: "DLQ_ORDERS".into(),
                selection: Selection::Messages(vec![JmsMessageKey {
                    msgid: "ID:1".into(),
                    queue: "DLQ_ORDERS".into(),
                    failed: true,
                }]),
            },
            follow: Follow::default(),
        };
        let report = Report {
            id: 7,
            ok: false,
            headline: "0 of 1 moved, 1 not".into(),
            failed: vec![BulkFailure {
                msgid: "ID:1".into(),
                reason: "500".into(),
            }],
            ..Report::default()
        };
        for _ in 0..2 {
            let log = AuditLog::open(&path).expect("open");
            log.sink().record(&AuditRecord::attempt(&req, &who));
            log.sink().record(&AuditRecord::result(&req, &who, &report));
            assert!(log.sink().flush(Duration::from_secs(5)));
        }
        let text = std::fs::read_to_string(&path).expect("read");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(lines.len(), 4, "appended, not truncated");
        assert_eq!(lines[0]["phase"], "attempt");
        assert_eq!(lines[0]["action"], "queue.move");
        assert_eq!(lines[0]["user"], "alice");
        assert_eq!(lines[0]["client_id"], "sb-123!b1|it!b2");
        assert_eq!(lines[0]["targets"]["to"], "ORDERS");
        assert_eq!(lines[0]["targets"]["messages"][0], "ID:1");
        assert_eq!(lines[1]["result"]["failed"][0]["reason"], "500");
        assert_eq!(lines[1]["job"], 7);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "owner only");
        }
    }

    #[tokio::test]
    async fn a_log_deleted_while_running_is_reopened_and_a_failing_one_refuses() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = AuditLog::path_in(&dir.path().join("state"));
        let log = AuditLog::open(&path).expect("open");
        let who = Identity::default();
        let job = Job::Artifact {
            op: crate::features::writes::ArtifactOp::Undeploy,
            id: "Orders".into(),
            name: "Orders".into(),
        };
        let rec = AuditRecord::refused("t", &who, &job, "test");
        std::fs::remove_file(&path).expect("deleted under cpitop's feet");
        log.sink()
            .record_durably(&rec, Duration::from_secs(5))
            .await
            .expect("written to the path again");
        let text = std::fs::read_to_string(&path).expect("re-created");
        assert_eq!(text.lines().count(), 1, "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            // Every write to /dev/full fails: the caller is told, it does not go ahead.
            let full = dir.path().join("full.log");
            std::os::unix::fs::symlink("/dev/full", &full).expect("symlink");
            let log = AuditLog::open(&full).expect("opens");
            let e = log
                .sink()
                .record_durably(&rec, Duration::from_secs(5))
                .await
                .expect_err("refused");
            assert!(e.contains("full.log") && e.contains("No space left"), "{e}");
        }
    }

    #[test]
    fn identity_never_carries_the_secret() {
        let conn = TenantConn {
            name: "t".into(),
            base_url: "http://127.0.0.1:1".into(),
            auth: Auth::OAuth {
                token_url: "http://127.0.0.1:1/token".into(),
                client_id: "cid".into(),
                client_secret: crate::secret::Secret::new("s3cr3t".to_string()),
            },
            limits: Default::default(),
            ca_bundle: None,
        };
        let who = Identity::of(&conn);
        assert_eq!(who.client_id, "cid");
        assert!(!format!("{who:?}").contains("s3cr3t"));
    }
}
