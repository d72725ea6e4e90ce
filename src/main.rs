use clap::Parser;
use cpitop::cli::Cli;

fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    let cli = Cli::parse();
    cpitop::run(cli)
}
