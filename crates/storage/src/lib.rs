//! Photo storage for Cattery: the [`ImageStore`](cattery_domain::ImageStore) port implemented on
//! Amazon S3 (and S3-compatible servers such as MinIO) and on a local folder for the embedded default.
//!
//! [`build`] picks the backend from a [`StorageConfig`]: S3 when a bucket is configured, the local folder
//! otherwise (as crates.io's `StorageConfig` does). Both backends hand out expiring signed URLs, so the
//! API behaves the same on either:
//! - [`S3Store`] presigns with SigV4 (local computation, no network call);
//! - [`LocalStore`] signs `{base}/files/{key}` URLs with HMAC-SHA256; the server binary serves them and
//!   checks them with [`LocalStore::verify_get`] and [`LocalStore::verify_put`].
//!
//! With the `testing` feature, [`testing::TestS3`] starts an in-process S3-compatible server for tests.

mod config;
mod error;
mod local;
mod s3;
mod window;

#[cfg(feature = "testing")]
pub mod testing;

pub use config::{Storage, StorageConfig, build};
pub use error::{Result, StorageError};
pub use local::{LocalStore, LocalUrlError};
pub use s3::{S3Config, S3Credentials, S3Store};

/// `Cache-Control` of every stored photo: keys are never reused for other content, so a photo can be
/// cached for a year by the browser that fetched it (and only by it: the bucket is private).
pub const CACHE_CONTROL: &str = "private, max-age=31536000, immutable";
