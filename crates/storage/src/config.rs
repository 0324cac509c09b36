//! Choosing and building the backend. The binary picks [`StorageConfig::S3`] when a bucket is
//! configured and [`StorageConfig::Local`] otherwise (crates.io's rule), then calls [`build`].

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use cattery_domain::ImageStore;
use secrecy::{ExposeSecret, SecretSlice};

use crate::{LocalStore, Result, S3Config, S3Store};

/// Which backend stores the photos, with its settings.
pub enum StorageConfig {
    /// An S3 bucket (Amazon S3 or an S3-compatible server).
    S3(S3Config),
    /// A local folder, served by the binary itself at `{public_base_url}/files/{key}`.
    Local {
        /// Folder holding the objects (created if missing).
        root: PathBuf,
        /// Base of the URLs handed to clients, e.g. `http://localhost:8000`.
        public_base_url: String,
        /// Secret for signing the URLs, at least 32 bytes.
        signing_key: SecretSlice<u8>,
    },
}

impl StorageConfig {
    /// `"s3"` or `"local"`, for logs.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::S3(_) => "s3",
            Self::Local { .. } => "local",
        }
    }
}

impl fmt::Debug for StorageConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::S3(config) => f.debug_tuple("S3").field(config).finish(),
            Self::Local {
                root,
                public_base_url,
                ..
            } => f
                .debug_struct("Local")
                .field("root", root)
                .field("public_base_url", public_base_url)
                .field("signing_key", &"[REDACTED]")
                .finish(),
        }
    }
}

/// The built backend: the port for the application, and the concrete store where the binary needs it.
#[derive(Clone)]
pub struct Storage {
    /// The store behind the domain port (hand it to the application state).
    pub images: Arc<dyn ImageStore>,
    /// The local store when that is the backend: the server mounts its `/files` routes on it.
    pub local: Option<Arc<LocalStore>>,
    /// The S3 store when that is the backend (for readiness checks).
    pub s3: Option<Arc<S3Store>>,
}

impl fmt::Debug for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Storage")
            .field("local", &self.local)
            .field("s3", &self.s3)
            .finish_non_exhaustive()
    }
}

impl Storage {
    /// Readiness: S3 answers `HeadBucket` for the bucket; a local folder is always ready.
    pub async fn ping(&self) -> Result<()> {
        match &self.s3 {
            Some(s3) => s3.ping().await,
            None => Ok(()),
        }
    }
}

/// Builds the configured backend. Fails at start-up on an unusable configuration; does not contact S3
/// (call [`Storage::ping`] for that).
pub async fn build(config: StorageConfig) -> Result<Storage> {
    match config {
        StorageConfig::S3(config) => {
            let store = Arc::new(S3Store::new(config).await?);
            Ok(Storage {
                images: store.clone(),
                local: None,
                s3: Some(store),
            })
        }
        StorageConfig::Local {
            root,
            public_base_url,
            signing_key,
        } => {
            let store = Arc::new(LocalStore::new(
                root,
                public_base_url,
                signing_key.expose_secret(),
            )?);
            Ok(Storage {
                images: store.clone(),
                local: Some(store),
                s3: None,
            })
        }
    }
}
