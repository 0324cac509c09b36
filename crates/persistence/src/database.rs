//! Connecting to the database, running migrations, and counting the statements sent.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cattery_domain::{CatRepository, UploadRepository};
use cattery_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseConnection};

use crate::cats::SeaCatRepository;
use crate::error::PersistenceError;
use crate::uploads::SeaUploadRepository;

/// Which database engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL (production).
    Postgres,
    /// SQLite (the embedded default).
    Sqlite,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Postgres => "postgresql",
            Self::Sqlite => "sqlite",
        })
    }
}

/// How to connect.
#[derive(Debug, Clone)]
pub struct DatabaseOptions {
    /// `postgres://…` or `sqlite://…` URL (TLS options such as `sslmode` go in its query string).
    pub url: String,
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// How long to wait for a connection before failing.
    pub acquire_timeout: Duration,
}

/// Whether a migration has been applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationState {
    /// Applied.
    Applied,
    /// Not yet applied.
    Pending,
}

/// One migration and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// Migration name.
    pub name: String,
    /// Applied or pending.
    pub state: MigrationState,
}

/// A pooled database connection with a statement counter.
#[derive(Clone)]
pub struct Database {
    conn: DatabaseConnection,
    backend: Backend,
    statements: Arc<AtomicU64>,
}

impl Database {
    /// Connects (creating the SQLite file if needed) and starts counting statements.
    pub async fn connect(options: &DatabaseOptions) -> Result<Self, PersistenceError> {
        let scheme = options.url.split(':').next().unwrap_or_default();
        let backend = match scheme {
            "postgres" | "postgresql" => Backend::Postgres,
            "sqlite" => Backend::Sqlite,
            other => return Err(PersistenceError::UnsupportedScheme(other.to_owned())),
        };
        let mut connect = ConnectOptions::new(options.url.clone());
        connect
            .max_connections(options.max_connections)
            .min_connections(0)
            .acquire_timeout(options.acquire_timeout)
            .connect_timeout(options.acquire_timeout)
            .sqlx_logging(false);
        let mut conn = sea_orm::Database::connect(connect).await?;
        if backend == Backend::Sqlite {
            // WAL lets readers proceed while a writer commits; the setting persists in the file.
            conn.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
                .await?;
        }
        let statements = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&statements);
        conn.set_metric_callback(move |_info| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Ok(Self {
            conn,
            backend,
            statements,
        })
    }

    /// The engine behind this connection.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// SQL statements sent through this connection since it was opened.
    pub fn statements_executed(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// The cat repository on this connection.
    pub fn cat_repository(&self) -> Arc<dyn CatRepository> {
        Arc::new(SeaCatRepository::new(self.conn.clone()))
    }

    /// The pending-upload repository on this connection.
    pub fn upload_repository(&self) -> Arc<dyn UploadRepository> {
        Arc::new(SeaUploadRepository::new(self.conn.clone()))
    }

    /// Applies pending migrations (all of them, or `steps`).
    pub async fn migrate_up(&self, steps: Option<u32>) -> Result<(), PersistenceError> {
        Migrator::up(&self.conn, steps).await?;
        Ok(())
    }

    /// Rolls back applied migrations (the last one, or `steps`).
    pub async fn migrate_down(&self, steps: Option<u32>) -> Result<(), PersistenceError> {
        Migrator::down(&self.conn, Some(steps.unwrap_or(1))).await?;
        Ok(())
    }

    /// Every known migration with its state.
    pub async fn migration_status(&self) -> Result<Vec<MigrationStatus>, PersistenceError> {
        let applied: Vec<String> = Migrator::get_applied_migrations(&self.conn)
            .await?
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        Ok(Migrator::migrations()
            .iter()
            .map(|m| {
                let name = m.name().to_owned();
                let state = if applied.contains(&name) {
                    MigrationState::Applied
                } else {
                    MigrationState::Pending
                };
                MigrationStatus { name, state }
            })
            .collect())
    }

    /// Runs a raw statement (administration and tests only).
    pub async fn execute_raw(&self, sql: &str) -> Result<(), PersistenceError> {
        self.conn.execute_unprepared(sql).await?;
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<(), PersistenceError> {
        self.conn.close().await?;
        Ok(())
    }
}
