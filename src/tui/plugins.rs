//! Running plugins (`[[plugins]]`): the program itself with its arguments as substituted, one
//! argument each — never a shell, never a command line built from tenant data — the variables in
//! its environment and the selected rows as JSON on stdin.
//!
//! - In the background: a task; stdout and stderr captured (each at most
//!   `features::extend::MAX_OUTPUT`, the rest read and dropped so the program never blocks), in
//!   a process group of its own, killed when cpitop ends.
//! - In the terminal: the loop stops reading keys, leaves the alternate screen and raw mode, runs
//!   the program with the terminal (waiting for Enter afterwards when asked, or when it failed),
//!   then takes the terminal back and redraws everything (`run::suspend_for`).
//!
//! Every run is in the audit log: the attempt before it starts (on disk, or it does not run) and
//! its result; a refused one as `refused`.

use std::io::Write as _;
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::mpsc;

use super::audit::{AuditRecord, AuditSink, DURABLE_TIMEOUT, Identity};
use crate::app::msg::Msg;
use crate::features::extend::{Exit, MAX_OUTPUT, Outcome, PluginMsg, PluginRequest};

/// The audit log and who acts, if the log is open.
pub type Audit = Option<(AuditSink, Identity)>;

/// Record the attempt on disk before anything runs; `Err`: why it may not run.
pub async fn attempt(req: &PluginRequest, audit: &Audit) -> Result<(), String> {
    let Some((sink, who)) = audit else {
        return Err("the audit log is not available".into());
    };
    sink.record_durably(&AuditRecord::plugin(req, who, "attempt"), DURABLE_TIMEOUT)
        .await
        .map_err(|e| format!("the audit log could not record the run ({e})"))
}

/// Record how a run ended.
pub fn result(req: &PluginRequest, audit: &Audit, o: &Outcome, took_ms: u64) {
    tracing::info!(plugin = %req.plugin, tenant = %req.tenant, "plugin run: {}", o.status);
    if let Some((sink, who)) = audit {
        sink.record(&AuditRecord::plugin_result(req, who, o, took_ms));
    }
}

/// Record a refused run.
pub fn refused(tenant: &str, plugin: &str, reason: &str, audit: &Audit) {
    tracing::info!(%plugin, %tenant, "plugin refused: {reason}");
    if let Some((sink, who)) = audit {
        sink.record(&AuditRecord::plugin_refused(tenant, who, plugin, reason));
    }
}

/// Milliseconds since `t`.
pub fn millis_since(t: Instant) -> u64 {
    u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A run that did not happen, and why.
pub fn not_run(req: &PluginRequest, why: String) -> Outcome {
    outcome(req, Exit::NotRun(why))
}

fn outcome(req: &PluginRequest, status: Exit) -> Outcome {
    Outcome {
        id: req.id,
        plugin: req.plugin.clone(),
        background: req.background,
        status,
        output: String::new(),
        truncated: false,
    }
}

fn exit_of(status: std::process::ExitStatus) -> Exit {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return Exit::Signal(sig);
        }
    }
    Exit::Code(status.code().unwrap_or(-1))
}

/// A background run: audited, captured, answered with `Msg::Plugin`.
pub fn background(req: PluginRequest, audit: Audit, tx: mpsc::Sender<Msg>) {
    tokio::spawn(async move {
        let started = Instant::now();
        let o = match attempt(&req, &audit).await {
            Err(why) => not_run(&req, why),
            Ok(()) => {
                let o = captured(&req).await;
                result(&req, &audit, &o, millis_since(started));
                o
            }
        };
        let _ = tx.send(Msg::Plugin(PluginMsg::Done(o))).await;
    });
}

/// Read a stream to its end, keeping at most `MAX_OUTPUT` bytes.
async fn read_capped(r: Option<impl AsyncRead + Unpin>) -> (Vec<u8>, bool) {
    let Some(mut r) = r else {
        return (Vec::new(), false);
    };
    let mut kept = Vec::new();
    let mut truncated = false;
    let mut chunk = [0u8; 8192];
    loop {
        match r.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = MAX_OUTPUT.saturating_sub(kept.len());
                kept.extend_from_slice(&chunk[..n.min(room)]);
                truncated |= n > room;
            }
        }
    }
    (kept, truncated)
}

async fn captured(req: &PluginRequest) -> Outcome {
    let mut cmd = tokio::process::Command::new(&req.program);
    cmd.args(&req.args)
        .envs(req.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return outcome(req, Exit::NotRun(format!("cannot start {}: {e}", req.program))),
    };
    if let Some(mut stdin) = child.stdin.take() {
        let rows = req.stdin.clone().into_bytes();
        // A program that does not read its stdin must not hold the run up.
        tokio::spawn(async move {
            let _ = stdin.write_all(&rows).await;
        });
    }
    let (out, err) = (child.stdout.take(), child.stderr.take());
    let ((o, o_cut), (e, e_cut), status) = tokio::join!(read_capped(out), read_capped(err), child.wait());
    let status = match status {
        Ok(s) => exit_of(s),
        Err(e) => Exit::NotRun(format!("waiting for {} failed: {e}", req.program)),
    };
    let mut output = String::from_utf8_lossy(&o).into_owned();
    if !e.is_empty() {
        if !output.is_empty() && !output.ends_with('\n') {
            output.push('\n');
        }
        output.push_str("── stderr ──\n");
        output.push_str(&String::from_utf8_lossy(&e));
    }
    Outcome {
        output,
        truncated: o_cut || e_cut,
        ..outcome(req, status)
    }
}

/// A run in the terminal, the TUI already stepped aside: the program gets the terminal (its
/// stdin is the rows; it reads keys from /dev/tty as `less` and `vim` do). Blocks until it ends
/// (and, with `wait` or when it failed, until Enter).
pub fn in_terminal(req: &PluginRequest) -> Outcome {
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "cpitop: running plugin {}: {}",
        req.plugin,
        req.command_line()
    );
    let _ = out.flush();
    let mut cmd = std::process::Command::new(&req.program);
    cmd.args(&req.args)
        .envs(req.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(std::process::Stdio::piped());
    let status = match cmd.spawn() {
        Err(e) => Exit::NotRun(format!("cannot start {}: {e}", req.program)),
        Ok(mut child) => {
            if let Some(mut stdin) = child.stdin.take() {
                let rows = req.stdin.clone().into_bytes();
                std::thread::spawn(move || {
                    let _ = stdin.write_all(&rows);
                });
            }
            match child.wait() {
                Ok(s) => exit_of(s),
                Err(e) => Exit::NotRun(format!("waiting for {} failed: {e}", req.program)),
            }
        }
    };
    if req.wait || !status.ok() {
        let _ = write!(
            out,
            "\ncpitop: plugin {} ended ({status}) — press Enter to return to cpitop ",
            req.plugin
        );
        let _ = out.flush();
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    }
    outcome(req, status)
}
