//! The `cattery` binary: parses the command line and hands over to the library.

use clap::Parser;

/// mimalloc: allocation is a large share of a GraphQL server's time, and the system allocator is slower.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = cattery::cli::Cli::parse();
    cattery::telemetry::init(cli.settings.log_format);
    match cli.run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "cattery stopped with an error");
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
