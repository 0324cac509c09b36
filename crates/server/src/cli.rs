//! The command line: `cattery [serve]`, `cattery migrate up|down|status`, `cattery schema`.

use std::path::PathBuf;

use anyhow::Context;
use cattery_persistence::MigrationState;
use clap::{Parser, Subcommand};

use crate::settings::Settings;
use crate::startup::{Application, api_state, build_storage, connect_database, public_url};

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
    /// Find photo objects no cat references, cats pointing at missing objects, and abandoned direct
    /// uploads; report them (dry run) or repair them (`--apply`).
    Gc {
        /// Delete orphaned objects, clear dangling references, forget expired uploads.
        #[arg(long)]
        apply: bool,
        /// Leave alone objects younger than this many seconds (an upload may be in flight).
        #[arg(long, default_value_t = 3600)]
        grace_period_seconds: u64,
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
            Command::Gc {
                apply,
                grace_period_seconds,
            } => {
                let db = connect_database(&self.settings).await?;
                let storage = build_storage(
                    &self.settings,
                    &public_url(&self.settings, self.settings.listen),
                )
                .await?;
                let api = api_state(&self.settings, &db, &storage);
                let report = api
                    .photos
                    .collect_garbage(std::time::Duration::from_secs(grace_period_seconds), apply)
                    .await?;
                let verb = if apply { "deleted" } else { "would delete" };
                for object in &report.orphan_objects {
                    println!(
                        "orphan object ({verb}): {} ({} bytes)",
                        object.key, object.byte_size
                    );
                }
                for object in &report.stray_upload_objects {
                    println!("stray upload ({verb}): {}", object.key);
                }
                for upload in &report.expired_uploads {
                    println!(
                        "expired upload ({verb}): {} for cat {}",
                        upload.key, upload.cat_id
                    );
                }
                let verb = if apply { "cleared" } else { "would clear" };
                for (cat, key) in &report.dangling_cats {
                    println!("missing object ({verb} the reference): cat {cat} -> {key}");
                }
                println!(
                    "gc {}: {} orphan objects, {} stray uploads, {} expired uploads, {} dangling references",
                    if apply {
                        "applied"
                    } else {
                        "dry run (use --apply to repair)"
                    },
                    report.orphan_objects.len(),
                    report.stray_upload_objects.len(),
                    report.expired_uploads.len(),
                    report.dangling_cats.len()
                );
                db.close().await?;
                Ok(())
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
