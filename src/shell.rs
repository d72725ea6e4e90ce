//! The shell face of the command line: completion scripts (`cpitop completions SHELL`), the man
//! page (`cpitop man`) and the one-line error report of every top-level command.
//!
//! Completions come from `clap_complete`'s dynamic engine: the script a shell sources calls
//! `COMPLETE=<shell> cpitop -- <words>` on each Tab, so the answer always matches the installed
//! binary and can name the configured tenants (`--tenant <Tab>`). `--static` prints the classic
//! generated script instead (no tenant names; cpitop is not run while completing). The engine is
//! behind clap_complete's `unstable-dynamic` feature: its registration protocol may change between
//! clap_complete releases, which is why the README tells users to source the script anew on shell
//! start rather than saving it.

use std::ffi::OsStr;
use std::io::Write;
use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::engine::CompletionCandidate;
use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::cli::Cli;

/// The variable the completion scripts set when they call cpitop.
const COMPLETE_VAR: &str = "COMPLETE";

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    /// A self-contained script that never runs cpitop while completing (no tenant names).
    #[arg(long = "static")]
    pub static_script: bool,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `cpitop.1` and one page per subcommand (`cpitop-get.1`, …) into DIR instead of
    /// printing `cpitop.1` on stdout.
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

/// Answer a completion request when a sourced script asked for one (`COMPLETE=<shell>` set), then
/// exit; otherwise return at once. Must run before anything is written to stdout.
pub fn complete_if_asked() {
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(COMPLETE_VAR)
        .complete();
}

/// `cpitop completions SHELL [--static]`
pub fn run_completions(args: &CompletionsArgs) -> Result<()> {
    let mut out = std::io::stdout().lock();
    write_completions(args, &completer_program(), &mut out)
        .and_then(|()| out.flush())
        .wrap_err("cannot write the completion script to stdout")
}

fn write_completions(args: &CompletionsArgs, program: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let mut cmd = Cli::command();
    if args.static_script {
        clap_complete::generate(args.shell, &mut cmd, "cpitop", out);
        return Ok(());
    }
    let name = args.shell.to_string();
    let shells = clap_complete::env::Shells::builtins();
    let Some(shell) = shells.completer(&name) else {
        // Every `clap_complete::Shell` has a dynamic completer today; should one ever be missing,
        // the static script still completes commands and flags.
        clap_complete::generate(args.shell, &mut cmd, "cpitop", out);
        return Ok(());
    };
    shell.write_registration(COMPLETE_VAR, "cpitop", "cpitop", program, out)
}

/// How the completion script calls cpitop back: by name when it was started through `PATH` (the
/// script then follows upgrades), else by its absolute path (`./target/release/cpitop` would
/// break in any other directory).
fn completer_program() -> String {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let by_name = !argv0.is_empty() && !argv0.to_string_lossy().contains('/');
    if by_name {
        return argv0.to_string_lossy().into_owned();
    }
    std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok())
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cpitop".into())
}

/// `--tenant <Tab>`: the tenants of the config file ($CPITOP_CONFIG or the XDG default). Reads
/// the file only — no secret command runs, nothing is contacted — and completes nothing when the
/// file cannot be read.
pub fn tenant_names(current: &OsStr) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    let Ok(paths) = crate::config::Paths::from_env(None) else {
        return Vec::new();
    };
    let Ok(config) = crate::config::Config::load_or_empty(&paths) else {
        return Vec::new();
    };
    config
        .tenants
        .iter()
        .filter(|t| t.name.starts_with(current.as_ref()))
        .map(|t| {
            let help = match &t.url {
                Some(url) => format!("{} {url}", t.environment.label()),
                None => t.environment.label().to_string(),
            };
            CompletionCandidate::new(t.name.clone())
                .help(Some(crate::sanitize::one_line(&help).into_owned().into()))
        })
        .collect()
}

/// `cpitop man [--dir DIR]`
pub fn run_man(args: &ManArgs) -> Result<()> {
    let cmd = Cli::command();
    match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).wrap_err_with(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .wrap_err_with(|| format!("cannot write man pages into {}", dir.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .and_then(|()| out.flush())
                .map_err(|e| eyre!("cannot write the man page to stdout: {e}"))
        }
    }
}

/// The error of a top-level command as the user sees it: one plain line (`error: what: why`),
/// neutralised (it may quote tenant text) and without colour, whatever the terminal. Each cause
/// gives its first line only (a config error's source snippet is detail). With `--verbose` every
/// cause follows in full.
pub fn error_report(error: &color_eyre::Report, verbose: bool) -> String {
    let mut text = format!("error: {}", error_line(error));
    if verbose {
        for (i, cause) in error.chain().enumerate() {
            let full = cause.to_string();
            let full = crate::sanitize::lines(&full);
            text.push_str(&format!("\n  {i}: {}", full.replace('\n', "\n     ")));
        }
    }
    text
}

/// An error and its causes on one neutral line, each cause by its first line.
pub fn error_line(error: &color_eyre::Report) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        let first = text.lines().next().unwrap_or("").trim_end().to_string();
        // Wrappers that already quote their source (`cannot read X: <source>`) say it once.
        if first.is_empty() || parts.last().is_some_and(|p| p.ends_with(&first)) {
            continue;
        }
        parts.push(first);
    }
    crate::sanitize::one_line(&parts.join(": ")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_is_one_line_unless_verbose() {
        let e = eyre!("inner \u{1b}]52;c;x\u{7} cause\n  2 | url = 5\n    |       ^")
            .wrap_err("cannot read config.toml");
        let line = error_report(&e, false);
        assert_eq!(line.lines().count(), 1, "{line}");
        assert!(
            line.starts_with("error: cannot read config.toml: inner"),
            "{line}"
        );
        assert!(line.ends_with("cause"), "the snippet is detail: {line}");
        assert!(!line.contains('\u{1b}') && !line.contains('\u{7}'), "{line}");
        let long = error_report(&e, true);
        assert_eq!(long.lines().count(), 5, "{long}");
        assert!(
            long.contains("\n  1: inner") && long.contains("url = 5"),
            "{long}"
        );
    }

    #[test]
    fn every_shell_gets_a_script() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::PowerShell,
            clap_complete::Shell::Elvish,
        ] {
            for static_script in [false, true] {
                let mut out = Vec::new();
                let args = CompletionsArgs { shell, static_script };
                write_completions(&args, "/opt/bin/cpitop-prog", &mut out).unwrap();
                let text = String::from_utf8(out).unwrap();
                assert!(text.contains("cpitop"), "{shell} static={static_script}: {text}");
                // Only the dynamic script calls the binary back.
                assert_eq!(
                    text.contains("/opt/bin/cpitop-prog"),
                    !static_script,
                    "{shell} static={static_script}: {text}"
                );
            }
        }
    }
}
