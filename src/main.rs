use std::process::ExitCode;

use clap::Parser;
use cpitop::cli::Cli;

fn main() -> ExitCode {
    // A completion request from a sourced shell script answers and exits before anything else.
    cpitop::shell::complete_if_asked();
    // A panic anywhere ends the process cleanly (see `cpitop::crash`).
    cpitop::crash::install();
    let cli = Cli::parse();
    if let Err(e) = cli.check_usage() {
        e.exit();
    }
    let verbose = cli.global.verbose;
    match cpitop::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The whole report (every cause) goes to the log when logging was started.
            tracing::error!("{e:?}");
            let _ = cpitop::config::logging::flush_for_exit();
            eprintln!("{}", cpitop::sanitize::error_report(&e, verbose));
            ExitCode::FAILURE
        }
    }
}
