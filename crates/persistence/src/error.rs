//! Errors raised while connecting to or migrating the database.

/// A persistence-level failure outside of repository calls (those return domain errors).
#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    /// The connection URL names a database kind Cattery does not support.
    #[error("unsupported database URL scheme `{0}` (expected postgres:// or sqlite://)")]
    UnsupportedScheme(String),
    /// Connecting, querying or migrating failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}
