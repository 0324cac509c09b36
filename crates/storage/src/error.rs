//! The storage layer's error type. Callers going through the domain port see it wrapped in
//! [`DomainError::Storage`]; the server's `/files` handlers see it directly.

use cattery_domain::DomainError;

/// Result type of the storage layer.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// Every way a storage operation can fail.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The configuration cannot work (empty bucket name, short signing key, bad base URL...).
    #[error("invalid storage configuration: {0}")]
    Config(String),
    /// An S3 request failed; `message` carries the SDK's whole error chain on one line.
    #[error("S3 {operation} failed: {message}")]
    S3 {
        /// The S3 operation, e.g. `PutObject`.
        operation: &'static str,
        /// What went wrong, including the causes.
        message: String,
    },
    /// A URL could not be signed (e.g. a TTL out of range).
    #[error("cannot presign: {0}")]
    Presign(String),
    /// A file-system operation failed.
    #[error("{context}")]
    Io {
        /// What was being done, naming the path.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An object's metadata sidecar (local backend) could not be read or written.
    #[error("object metadata for {key} is unreadable")]
    Metadata {
        /// The object's key.
        key: String,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// The object does not exist (for operations that need one: copy, read).
    #[error("object {0} does not exist")]
    NotFound(String),
    /// An uploaded body was not exactly as long as the length that was signed.
    #[error("body length differs from the signed length of {expected} bytes (got {actual})")]
    LengthMismatch {
        /// The signed length.
        expected: u64,
        /// The bytes received (at most one more than `expected`: reading stops there).
        actual: u64,
    },
    /// A listing prefix that could escape the store's folder.
    #[error("invalid key prefix `{0}`")]
    InvalidPrefix(String),
}

impl StorageError {
    /// An [`StorageError::Io`] error with `context` (which should name the path).
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<StorageError> for DomainError {
    fn from(err: StorageError) -> Self {
        DomainError::storage(err)
    }
}
