//! The domain error: every way an operation on cats can fail, in the domain's own words.

use uuid::Uuid;

/// Result type of domain operations.
pub type Result<T, E = DomainError> = std::result::Result<T, E>;

/// Errors raised by domain rules and by the ports' implementations.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Input broke a domain rule; `field` names the offending input.
    #[error("invalid {field}: {message}")]
    Validation {
        /// The input field (as the client named it, e.g. `name`).
        field: &'static str,
        /// What is wrong, in words a client can show.
        message: String,
    },
    /// The cat does not exist.
    #[error("cat {0} was not found")]
    NotFound(Uuid),
    /// The direct upload does not exist, belongs to another cat, or has expired.
    #[error("upload {0} was not found or has expired")]
    UploadNotFound(Uuid),
    /// The write was based on a stale version of the record.
    #[error("{0}")]
    Conflict(String),
    /// The uploaded file is larger than allowed.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The uploaded file is not an accepted image, or not the type it claims to be.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The backing store failed (network, database, bug). Never shown to clients verbatim.
    #[error("repository failure")]
    Repository(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The object store failed (network, permissions, bug). Never shown to clients verbatim.
    #[error("image storage failure")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl DomainError {
    /// A validation error for `field`.
    pub fn validation(field: &'static str, message: impl Into<String>) -> Self {
        Self::Validation {
            field,
            message: message.into(),
        }
    }

    /// Wraps a storage adapter's error.
    pub fn storage(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Storage(Box::new(err))
    }

    /// Wraps an adapter's error as a repository failure.
    pub fn repository(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Repository(Box::new(err))
    }
}
