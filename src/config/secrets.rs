//! Resolving a [`Profile`]'s credentials into a [`TenantConn`]: environment variables, commands
//! (`pass show cpi/prod`), BTP service-key files, or inline values. Errors name the tenant and the
//! *source* (variable, command, file) — never the secret, and never a command's output.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::error::{ConfigError, Warning, WarningKind};
use super::load::{Credentials, Profile, SecretSource, normalize_base_url};
use crate::cpi::conn::{Auth, TenantConn};
use crate::secret::Secret;

/// How long a `*_command` may run (a password manager waiting on a pinentry would otherwise hang
/// the start forever).
pub const SECRET_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// `Some(mode)` when `path` is readable by group or others (Unix); `None` otherwise.
pub fn group_or_other_readable(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o044 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
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
    pub fn to_conn(&self) -> Result<(TenantConn, Vec<Warning>), ConfigError> {
        self.to_conn_with(&|k| std::env::var(k).ok())
    }

    /// Like [`Profile::to_conn`] with an explicit environment lookup (tests).
    pub fn to_conn_with(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
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
                let s = self.resolve_secret(secret, "client secret", env)?;
                let auth = Auth::OAuth {
                    token_url: token_url.clone(),
                    client_id: client_id.clone(),
                    client_secret: s,
                };
                (self.url.clone().unwrap_or_default(), auth)
            }
            Credentials::Basic { username, password } => {
                let s = self.resolve_secret(password, "password", env)?;
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
            SecretSource::Command(cmd) => run_secret_command(cmd, SECRET_COMMAND_TIMEOUT)
                .map_err(|why| err(format!("the {what} command `{cmd}` {why}"))),
        }
    }
}

/// Run `sh -c cmd` and return its trimmed stdout. The error text (`"exited with status 1"`) never
/// includes the command's output.
pub fn run_secret_command(cmd: &str, timeout: Duration) -> Result<Secret, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not be started ({e})"))?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or("could not be started (no stdout pipe)")?;
    // Read on a thread so a chatty command cannot fill the pipe and block while we wait.
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        stdout.read_to_end(&mut buf).map(|_| buf)
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "did not finish within {} and was stopped",
                    super::duration::format_duration(timeout)
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("could not be waited for ({e})")),
        }
    };
    let out = reader
        .join()
        .map_err(|_| "output could not be read".to_string())?
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

/// Read a BTP service-key file (parsed by [`crate::cpi::tenant_from_service_key`]: nested under
/// `oauth` or flat). Error texts name the file and the missing fields, never the content.
pub fn read_service_key(tenant: &str, path: &Path) -> Result<TenantConn, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read service key {}: {e}", path.display()))?;
    crate::cpi::tenant_from_service_key(tenant, &text).map_err(|e| {
        let why = match e {
            crate::cpi::CpiError::Config(m) => m,
            other => other.to_string(),
        };
        format!("service key {}: {why}", path.display())
    })
}
