//! SeaORM implementation of Cattery's repositories, on PostgreSQL (production) and SQLite (the
//! embedded default). SeaORM entities stay private to this crate: callers see domain types only.

mod cats;
mod database;
mod entity;
mod error;
mod uploads;

pub use cats::SeaCatRepository;
pub use database::{Backend, Database, DatabaseOptions, MigrationState, MigrationStatus};
pub use error::PersistenceError;
pub use uploads::SeaUploadRepository;
