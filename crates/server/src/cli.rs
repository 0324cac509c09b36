//! The command line: `cattery [serve]`, `cattery migrate up|down|status`, `cattery schema`.

use std::path::PathBuf;

use anyhow::Context;
use cattery_persistence::MigrationState;
use clap::{Parser, Subcommand};

use crate::settings::Settings;
use crate::startup::{Application, connect_database};

/// Cattery: a GraphQL registry of cats with photos.
#[derive(Debug, Parser)]
#[command(name = "cattery", version, about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings shared by every command.
    #[command(flatten)]
    pub settings: Settings,
}

/// Sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (the default).
    Serve,
    /// Run database migrations by hand.
    Migrate {
        /// Direction.
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the GraphQL schema (SDL), or write it to a file.
    Schema {
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// Migration actions.
#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Apply pending migrations.
    Up {
        /// Apply only this many.
        #[arg(long)]
        steps: Option<u32>,
    },
    /// Roll back migrations (one by default).
    Down {
        /// Roll back this many.
        #[arg(long)]
        steps: Option<u32>,
    },
    /// List migrations and whether each is applied.
    Status,
}

impl Cli {
    /// Runs the chosen command to completion.
    pub async fn run(self) -> anyhow::Result<()> {
        match self.command.unwrap_or(Command::Serve) {
            Command::Serve => {
                let app = Application::build(self.settings).await?;
                app.run_until_stopped().await
            }
            Command::Schema { output } => {
                let sdl = crate::schema_sdl();
                match output {
                    Some(path) => std::fs::write(&path, sdl)
                        .with_context(|| format!("writing {}", path.display())),
                    None => {
                        print!("{sdl}");
                        Ok(())
                    }
                }
            }
            Command::Migrate { action } => {
                let db = connect_database(&self.settings).await?;
                match action {
                    MigrateAction::Up { steps } => db.migrate_up(steps).await?,
                    MigrateAction::Down { steps } => db.migrate_down(steps).await?,
                    MigrateAction::Status => {}
                }
                for migration in db.migration_status().await? {
                    let state = match migration.state {
                        MigrationState::Applied => "applied",
                        MigrationState::Pending => "pending",
                    };
                    println!("{state:8} {}", migration.name);
                }
                db.close().await?;
                Ok(())
            }
        }
    }
}
