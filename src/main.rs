//! The `warrantyd` binary: parse the command line and run it.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    warrantyd::cli::Cli::parse().run().await
}
