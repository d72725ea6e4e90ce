//! Command-line interface. Each subcommand's arguments live in the module that owns the feature;
//! this file only assembles them.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "cpitop",
    version,
    about = "k9s-style terminal UI for SAP Cloud Integration tenants"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Run against an in-process simulated tenant (no configuration needed).
    #[arg(long, global = true)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the simulated CPI tenant (a local OData server with generated data).
    Sim(crate::sim::SimArgs),
}
