//! Resolving a [`Profile`]'s credentials into a [`TenantConn`]: environment variables, commands
//! (`pass show cpi/prod`), BTP service-key files, or inline values. Errors name the tenant and the
//! *source* (variable, command, file) — never the secret, and never a command's output.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::error::{ConfigError, Warning, WarningKind};
use super::fsutil::group_or_other_readable;
use super::load::{Credentials, Profile, SecretSource, normalize_base_url};
use crate::cpi::conn::{Auth, TenantConn};
use crate::secret::Secret;

/// How long a `*_command` may run (a password manager waiting on a pinentry would otherwise hang
/// the start forever). `$CPITOP_SECRET_TIMEOUT` (`10s`, `2m`) overrides it.
pub const SECRET_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// Overrides [`SECRET_COMMAND_TIMEOUT`].
pub const SECRET_TIMEOUT_ENV: &str = "CPITOP_SECRET_TIMEOUT";

/// After the command itself has exited, how long a background process it left behind may keep
/// its output open before it is stopped (`sh -c 'daemon & echo secret'`).
const LEFTOVER_GRACE: Duration = Duration::from_secs(1);

/// A command running longer than this is announced on stderr (before the TUI starts), so a
/// blank terminal says what it waits for.
const ANNOUNCE_AFTER: Duration = Duration::from_millis(300);

/// The timeout for secret commands: `$CPITOP_SECRET_TIMEOUT` if set, else the default.
pub fn secret_command_timeout(env: &dyn Fn(&str) -> Option<String>) -> Result<Duration, String> {
    match env(SECRET_TIMEOUT_ENV).filter(|v| !v.trim().is_empty()) {
        None => Ok(SECRET_COMMAND_TIMEOUT),
        Some(v) => super::duration::parse_duration(v.trim())
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| format!("${SECRET_TIMEOUT_ENV} is `{v}`: expected a duration such as 30s or 2m")),
    }
}

fn permission_warning(path: &Path, mode: u32, what: &str) -> Warning {
    Warning::new(
        WarningKind::Permissions,
        format!(
            "{what} {} is readable by group or others (mode {mode:03o}); run `chmod 600 {}`",
            path.display(),
            path.display()
        ),
    )
}

impl Profile {
    /// Build the connection, resolving the secret from the process environment / command / file.
    ///
    /// A secret command that takes a while is announced on stderr (the TUI has not started yet);
    /// `:ctx` uses [`Profile::to_conn_quiet`], as stderr is the TUI's screen then.
    pub fn to_conn(&self) -> Result<(TenantConn, Vec<Warning>), ConfigError> {
        self.to_conn_inner(&|k| std::env::var(k).ok(), true)
    }

    /// [`Profile::to_conn`] without the stderr notice.
    pub fn to_conn_quiet(&self) -> Result<(TenantConn, Vec<Warning>), ConfigError> {
        self.to_conn_inner(&|k| std::env::var(k).ok(), false)
    }

    /// Like [`Profile::to_conn`] with an explicit environment lookup (tests).
    pub fn to_conn_with(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(TenantConn, Vec<Warning>), ConfigError> {
        self.to_conn_inner(env, false)
    }

    fn to_conn_inner(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
        announce: bool,
    ) -> Result<(TenantConn, Vec<Warning>), ConfigError> {
        let mut warnings = Vec::new();
        let err = |message: String| ConfigError::Secret {
            tenant: self.name.clone(),
            message,
        };
        let (base_url, auth) = match &self.credentials {
            Credentials::ServiceKey(path) => {
                let key = read_service_key(&self.name, path).map_err(err)?;
                if let Some(mode) = group_or_other_readable(path) {
                    warnings.push(permission_warning(path, mode, "service key"));
                }
                let url = match &self.url {
                    Some(u) => u.clone(),
                    None => normalize_base_url(&key.base_url),
                };
                (url, key.auth)
            }
            Credentials::OAuth {
                client_id,
                token_url,
                secret,
            } => {
                let s = self.resolve_secret(secret, "client secret", env, announce)?;
                let auth = Auth::OAuth {
                    token_url: token_url.clone(),
                    client_id: client_id.clone(),
                    client_secret: s,
                };
                (self.url.clone().unwrap_or_default(), auth)
            }
            Credentials::Basic { username, password } => {
                let s = self.resolve_secret(password, "password", env, announce)?;
                (
                    self.url.clone().unwrap_or_default(),
                    Auth::Basic {
                        username: username.clone(),
                        password: s,
                    },
                )
            }
        };
        if base_url.is_empty() {
            return Err(err("no API URL: set `url` in the tenant table".into()));
        }
        if let Some(ca) = &self.ca_bundle
            && !ca.is_file()
        {
            return Err(err(format!(
                "CA bundle {} does not exist or is not a file",
                ca.display()
            )));
        }
        let conn = TenantConn {
            name: self.name.clone(),
            base_url,
            auth,
            limits: self.limits.clone(),
            ca_bundle: self.ca_bundle.clone(),
        };
        Ok((conn, warnings))
    }

    fn resolve_secret(
        &self,
        source: &SecretSource,
        what: &str,
        env: &dyn Fn(&str) -> Option<String>,
        announce: bool,
    ) -> Result<Secret, ConfigError> {
        let err = |message: String| ConfigError::Secret {
            tenant: self.name.clone(),
            message,
        };
        match source {
            SecretSource::Inline(s) => Ok(s.clone()),
            SecretSource::Env(var) => match env(var) {
                Some(v) if !v.is_empty() => Ok(Secret::new(v)),
                Some(_) => Err(err(format!("the {what} variable ${var} is empty"))),
                None => Err(err(format!(
                    "the {what} variable ${var} is not set; export it or change `*_env` in the config"
                ))),
            },
            SecretSource::Command(cmd) => {
                let timeout = secret_command_timeout(env).map_err(err)?;
                let notice = announce.then(|| {
                    format!(
                        "cpitop: waiting for the {what} command of tenant {} (`{cmd}`, at most {}) …",
                        self.name,
                        super::duration::format_duration(timeout)
                    )
                });
                run_command(cmd, timeout, notice.as_deref())
                    .map_err(|why| err(format!("the {what} command `{cmd}` {why}")))
            }
        }
    }
}

/// Run `sh -c cmd` and return its trimmed stdout. The error text (`"exited with status 1"`) never
/// includes the command's output.
///
/// The command runs in its own process group and the whole group is killed at the timeout, so a
/// child that keeps stdout open (`sh -c 'sleep 100 & echo x'`) cannot stretch the wait.
pub fn run_secret_command(cmd: &str, timeout: Duration) -> Result<Secret, String> {
    run_command(cmd, timeout, None)
}

/// [`run_secret_command`], printing `notice` on stderr once the command has run a moment.
fn run_command(cmd: &str, timeout: Duration, notice: Option<&str>) -> Result<Secret, String> {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("could not be started ({e})"))?;
    let group = Group(child.id());
    let mut stdout = child
        .stdout
        .take()
        .ok_or("could not be started (no stdout pipe)")?;
    // Read on a thread so a chatty command cannot fill the pipe and block while we wait; the
    // result comes back on a channel so a pipe held open by a stray process never blocks us.
    let (out_tx, out_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_tx.send(stdout.read_to_end(&mut buf).map(|_| buf));
    });
    let started = Instant::now();
    let deadline = started + timeout;
    let mut announced = false;
    let stopped = || {
        format!(
            "did not finish within {} and was stopped",
            super::duration::format_duration(timeout)
        )
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                group.kill();
                let _ = child.kill();
                let _ = child.wait();
                return Err(stopped());
            }
            Ok(None) => {
                if let Some(n) = notice
                    && !announced
                    && started.elapsed() >= ANNOUNCE_AFTER
                {
                    eprintln!("{n}");
                    announced = true;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => {
                group.kill();
                return Err(format!("could not be waited for ({e})"));
            }
        }
    };
    // The command has exited; what it started may still hold the pipe. Give it a moment (within
    // the timeout), then stop the group: its output is complete once the command itself is done.
    let grace = deadline
        .saturating_duration_since(Instant::now())
        .min(LEFTOVER_GRACE);
    let out = match out_rx.recv_timeout(grace) {
        Ok(r) => r,
        Err(_) => {
            group.kill();
            match out_rx.recv_timeout(LEFTOVER_GRACE) {
                Ok(r) if status.success() => r,
                Ok(_) => Err(std::io::Error::other("a background process kept it open")),
                Err(_) => return Err(stopped()),
            }
        }
    }
    .map_err(|e| format!("output could not be read ({e})"))?;
    if !status.success() {
        return Err(match status.code() {
            Some(127) => "exited with status 127 (command not found)".to_string(),
            Some(c) => format!("exited with status {c}"),
            None => "was killed by a signal".to_string(),
        });
    }
    let text = String::from_utf8(out).map_err(|_| "printed something that is not UTF-8".to_string())?;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("printed nothing".into());
    }
    Ok(Secret::new(trimmed))
}

/// The process group of a secret command (its leader's pid).
struct Group(u32);

impl Group {
    /// SIGKILL to every process of the group (those that already ended are gone from it).
    fn kill(&self) {
        #[cfg(unix)]
        if let Ok(pgid) = libc::pid_t::try_from(self.0) {
            // SAFETY: kill(2) with a negative pid signals the group we created with
            // `process_group(0)` (pgid == the leader's pid); no memory is involved.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }
}

/// The largest service-key file read (64 KiB; a real key is 1–10 KiB). Larger, or `/dev/zero`,
/// is one error naming the file.
pub const MAX_SERVICE_KEY_FILE: u64 = 64 << 10;

/// Read a BTP service-key file (parsed by [`crate::cpi::tenant_from_service_key`]: nested under
/// `oauth` or flat). Error texts name the file and the missing fields, never the content.
pub fn read_service_key(tenant: &str, path: &Path) -> Result<TenantConn, String> {
    let text = super::fsutil::read_to_string_capped(path, MAX_SERVICE_KEY_FILE)
        .map_err(|e| format!("cannot read service key {}: {e}", path.display()))?;
    crate::cpi::tenant_from_service_key(tenant, &text).map_err(|e| {
        let why = match e {
            crate::cpi::CpiError::Config(m) => m,
            other => other.to_string(),
        };
        format!("service key {}: {why}", path.display())
    })
}
