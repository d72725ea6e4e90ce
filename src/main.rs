use clap::Parser;
use cpitop::cli::Cli;

fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    // After color-eyre: a panic anywhere ends the process cleanly (see `cpitop::crash`).
    cpitop::crash::install();
    let cli = Cli::parse();
    cpitop::run(cli)
}
