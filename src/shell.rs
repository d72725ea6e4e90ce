//! The shell face of the command line: completion scripts (`cpitop completions SHELL`) and the man
//! page (`cpitop man`). The one-line error report of every top-level command is
//! `sanitize::error_report` (the commands print it without importing the command line back).
//!
//! Completions come from `clap_complete`'s dynamic engine: the script a shell sources calls
//! `COMPLETE=<shell> cpitop -- <words>` on each Tab, so the answer always matches the installed
//! binary and can name the configured tenants (`--tenant <Tab>`). `--static` prints the classic
//! generated script instead (no tenant names; cpitop is not run while completing). The engine is
//! behind clap_complete's `unstable-dynamic` feature: its registration protocol may change between
//! clap_complete releases, which is why the README tells users to source the script anew on shell
//! start rather than saving it.

use std::io::Write;

use clap::CommandFactory;
use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::args::{CompletionsArgs, ManArgs};
use crate::cli::Cli;

/// The variable the completion scripts set when they call cpitop.
const COMPLETE_VAR: &str = "COMPLETE";

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

#[cfg(test)]
mod tests {
    use super::*;

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
