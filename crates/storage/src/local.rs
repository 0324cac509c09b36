//! [`LocalStore`]: photos as files in a local folder, for the embedded default (no S3 configured).
//!
//! Layout: `{root}/objects/{key}` holds the bytes and `{root}/meta/{key}.json` the Content-Type. Every
//! write goes to a hidden temporary file next to its target and is renamed into place, so a reader never
//! sees half a file, and a failed or abandoned write leaves nothing behind.
//!
//! The server binary serves the objects itself at `{public_base_url}/files/{key}?expires=..&signature=..`
//! and checks each request with [`LocalStore::verify_get`] or [`LocalStore::verify_put`] before calling
//! [`LocalStore::open`] or [`LocalStore::write_stream`].

mod files;
mod signing;

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use cattery_domain::DomainError;
use cattery_domain::{ImageBody, ImageKey, ImageStore, PresignedRequest, StoredObject};
use chrono::{DateTime, Utc};
use tokio::fs::File;
use tokio::io::{AsyncRead, AsyncReadExt};
use tracing::instrument;

use self::files::{create_temp, finish_file};
pub use self::signing::LocalUrlError;
use self::signing::{Grant, Signer};
use crate::window::SigningWindow;
use crate::{Result, StorageError};

/// Shortest accepted URL-signing key.
const MIN_SIGNING_KEY_LEN: usize = 32;

/// Photos in a local folder, served by the server binary through signed URLs.
#[derive(Clone)]
pub struct LocalStore {
    objects: PathBuf,
    meta: PathBuf,
    base_url: String,
    signer: Signer,
}

impl fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalStore")
            .field("objects", &self.objects)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl LocalStore {
    /// Path of the files route under the public base URL; the key follows it.
    pub const FILES_PATH: &'static str = "/files/";
    /// Query parameter carrying the expiry (Unix seconds).
    pub const EXPIRES_PARAM: &'static str = "expires";
    /// Query parameter carrying the hex HMAC-SHA256 signature.
    pub const SIGNATURE_PARAM: &'static str = "signature";

    /// A store under `root` (created if missing) whose URLs start with `public_base_url` (e.g.
    /// `http://localhost:8000`) and are signed with `signing_key` (at least 32 bytes; keep it secret and
    /// stable across restarts, or URLs handed out before a restart stop working).
    pub fn new(
        root: impl Into<PathBuf>,
        public_base_url: impl Into<String>,
        signing_key: impl AsRef<[u8]>,
    ) -> Result<Self> {
        let root = root.into();
        let base_url = public_base_url.into().trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(StorageError::Config(format!(
                "the public base URL `{base_url}` must start with http:// or https://"
            )));
        }
        let signing_key = signing_key.as_ref();
        if signing_key.len() < MIN_SIGNING_KEY_LEN {
            return Err(StorageError::Config(format!(
                "the URL signing key must be at least {MIN_SIGNING_KEY_LEN} bytes"
            )));
        }
        let signer = Signer::new(signing_key)
            .ok_or_else(|| StorageError::Config("the URL signing key is not usable".into()))?;
        let objects = root.join("objects");
        let meta = root.join("meta");
        for dir in [&objects, &meta] {
            std::fs::create_dir_all(dir)
                .map_err(|e| StorageError::io(format!("cannot create {}", dir.display()), e))?;
        }
        Ok(Self {
            objects,
            meta,
            base_url,
            signer,
        })
    }

    /// The public base URL the signed URLs start with (without a trailing slash).
    pub fn public_base_url(&self) -> &str {
        &self.base_url
    }

    /// Checks a GET of `/files/{key}?expires={expires}&signature={signature}`; returns the key to open.
    pub fn verify_get(
        &self,
        key: &str,
        expires: i64,
        signature: &str,
    ) -> Result<ImageKey, LocalUrlError> {
        self.signer
            .verify(key, expires, signature, Grant::Get, Utc::now().timestamp())
    }

    /// Checks a PUT of `/files/{key}?expires={expires}&signature={signature}` sent with these
    /// `Content-Type` and `Content-Length` headers; returns the key to write with
    /// [`Self::write_stream`] (passing the same type and length).
    pub fn verify_put(
        &self,
        key: &str,
        expires: i64,
        signature: &str,
        content_type: &str,
        content_length: u64,
    ) -> Result<ImageKey, LocalUrlError> {
        let grant = Grant::Put {
            content_type,
            content_length,
        };
        self.signer
            .verify(key, expires, signature, grant, Utc::now().timestamp())
    }

    /// Opens the object for streaming it back, with its facts (size, Content-Type, modification time);
    /// `None` when there is none. Serve it with [`crate::CACHE_CONTROL`].
    #[instrument(skip(self), err)]
    pub async fn open(&self, key: &ImageKey) -> Result<Option<(File, StoredObject)>> {
        let path = self.object_path(key);
        let file = match File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(StorageError::io(
                    format!("cannot open {}", path.display()),
                    e,
                ));
            }
        };
        let metadata = file
            .metadata()
            .await
            .map_err(|e| StorageError::io(format!("cannot stat {}", path.display()), e))?;
        if !metadata.is_file() {
            return Ok(None);
        }
        let object = StoredObject {
            key: key.clone(),
            byte_size: metadata.len(),
            content_type: self.read_meta(key).await?.map(|m| m.content_type),
            last_modified: metadata.modified().ok().map(DateTime::<Utc>::from),
        };
        Ok(Some((file, object)))
    }

    /// Stores a body streamed from a client (the PUT behind a presigned URL). Refuses, leaving no file,
    /// when the body is not exactly `expected_len` bytes; reads at most one byte more than that.
    #[instrument(skip(self, body), err)]
    pub async fn write_stream<R>(
        &self,
        key: &ImageKey,
        content_type: &str,
        body: R,
        expected_len: u64,
    ) -> Result<StoredObject>
    where
        R: AsyncRead + Unpin + Send,
    {
        let target = self.object_path(key);
        let (mut file, temp) = create_temp(&target).await?;
        let mut limited = body.take(expected_len.saturating_add(1));
        let written = tokio::io::copy(&mut limited, &mut file)
            .await
            .map_err(|e| StorageError::io(format!("cannot write {}", temp.path.display()), e))?;
        if written != expected_len {
            return Err(StorageError::LengthMismatch {
                expected: expected_len,
                actual: written,
            });
        }
        finish_file(file, &temp).await?;
        self.write_meta(key, content_type).await?;
        temp.persist().await?;
        self.stat(key).await
    }

    fn signed_url(&self, key: &ImageKey, expires: i64, signature: &str) -> String {
        format!(
            "{}{}{}?{}={expires}&{}={signature}",
            self.base_url,
            Self::FILES_PATH,
            key.as_str(),
            Self::EXPIRES_PARAM,
            Self::SIGNATURE_PARAM,
        )
    }

    fn presign_get_url(&self, key: &ImageKey, ttl: Duration) -> Result<PresignedRequest> {
        let window = SigningWindow::containing(SystemTime::now(), ttl)?;
        let expires = window.expires_unix();
        let signature = self.signer.sign(key.as_str(), expires, Grant::Get);
        Ok(PresignedRequest {
            method: "GET".into(),
            url: self.signed_url(key, expires, &signature),
            headers: Vec::new(),
            expires_at: window.expires_at_utc(),
        })
    }

    fn presign_put_url(
        &self,
        key: &ImageKey,
        content_type: &str,
        byte_size: u64,
        ttl: Duration,
    ) -> Result<PresignedRequest> {
        if content_type.is_empty() || content_type.chars().any(|c| c.is_control()) {
            return Err(StorageError::Presign(format!(
                "`{content_type}` is not a valid Content-Type"
            )));
        }
        let window = SigningWindow::starting(SystemTime::now(), ttl)?;
        let expires = window.expires_unix();
        let grant = Grant::Put {
            content_type,
            content_length: byte_size,
        };
        let signature = self.signer.sign(key.as_str(), expires, grant);
        Ok(PresignedRequest {
            method: "PUT".into(),
            url: self.signed_url(key, expires, &signature),
            headers: vec![
                ("content-type".into(), content_type.to_owned()),
                ("content-length".into(), byte_size.to_string()),
            ],
            expires_at: window.expires_at_utc(),
        })
    }
}

#[async_trait]
impl ImageStore for LocalStore {
    #[instrument(skip(self, body), err(Debug))]
    async fn put(
        &self,
        key: &ImageKey,
        body: ImageBody,
        content_type: &str,
    ) -> cattery_domain::Result<StoredObject> {
        Ok(self.put_body(key, body, content_type).await?)
    }

    #[instrument(skip(self), err(Debug))]
    async fn head(&self, key: &ImageKey) -> cattery_domain::Result<Option<StoredObject>> {
        Ok(self.head_file(key).await?)
    }

    #[instrument(skip(self), err(Debug))]
    async fn read_prefix(&self, key: &ImageKey, len: u64) -> cattery_domain::Result<Vec<u8>> {
        Ok(self.read_head(key, len).await?)
    }

    #[instrument(skip(self), err(Debug))]
    async fn copy(&self, from: &ImageKey, to: &ImageKey) -> cattery_domain::Result<()> {
        Ok(self.copy_file(from, to).await?)
    }

    #[instrument(skip(self), err(Debug))]
    async fn delete(&self, key: &ImageKey) -> cattery_domain::Result<()> {
        Ok(self.remove(key).await?)
    }

    #[instrument(skip(self), err(Debug))]
    async fn list(&self, prefix: &str) -> cattery_domain::Result<Vec<StoredObject>> {
        Ok(self.list_files(prefix).await?)
    }

    // The URL itself is a bearer credential: it is never logged.
    #[instrument(skip(self), err(Debug))]
    async fn presign_get(
        &self,
        key: &ImageKey,
        ttl: Duration,
    ) -> cattery_domain::Result<PresignedRequest> {
        Ok(self.presign_get_url(key, ttl)?)
    }

    #[instrument(skip(self), err(Debug))]
    async fn presign_put(
        &self,
        key: &ImageKey,
        content_type: &str,
        byte_size: u64,
        ttl: Duration,
    ) -> cattery_domain::Result<PresignedRequest> {
        self.presign_put_url(key, content_type, byte_size, ttl)
            .map_err(DomainError::from)
    }
}
