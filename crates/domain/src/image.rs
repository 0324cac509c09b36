//! Photos: object keys, stored-object facts, presigned requests and the [`ImageStore`] port.
//!
//! The database stores an object's key, never a URL: URLs are signed on every read, so they expire and
//! the bucket can stay private.

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{DomainError, Result};

/// Image formats Cattery accepts, identified from the file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
    /// WebP.
    Webp,
    /// GIF.
    Gif,
}

impl ImageFormat {
    /// Every accepted format.
    pub const ALL: [Self; 4] = [Self::Jpeg, Self::Png, Self::Webp, Self::Gif];

    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
        }
    }

    /// The file extension used in object keys.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
        }
    }

    /// The format with this MIME type (`image/jpg` is accepted as an alias of `image/jpeg`).
    pub fn from_mime(mime: &str) -> Option<Self> {
        let essence = mime.split(';').next().unwrap_or_default().trim();
        match essence.to_ascii_lowercase().as_str() {
            "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(Self::Jpeg),
            "image/png" => Some(Self::Png),
            "image/webp" => Some(Self::Webp),
            "image/gif" => Some(Self::Gif),
            _ => None,
        }
    }
}

/// Where an object lives in the store: `cats/{cat_id}/{random}.{ext}` for attached photos,
/// `uploads/{cat_id}/{upload_id}.{ext}` for direct uploads awaiting confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageKey(String);

impl ImageKey {
    /// Prefix of attached photos.
    pub const CATS_PREFIX: &'static str = "cats/";
    /// Prefix of unconfirmed direct uploads.
    pub const UPLOADS_PREFIX: &'static str = "uploads/";

    /// A fresh, unguessable key for a photo of `cat`.
    pub fn new_for_cat(cat: Uuid, format: ImageFormat) -> Self {
        Self(format!(
            "{}{cat}/{}.{}",
            Self::CATS_PREFIX,
            Uuid::new_v4().simple(),
            format.extension()
        ))
    }

    /// The key a direct upload `upload_id` of `cat` is PUT to.
    pub fn for_upload(cat: Uuid, upload_id: Uuid, format: ImageFormat) -> Self {
        Self(format!(
            "{}{cat}/{}.{}",
            Self::UPLOADS_PREFIX,
            upload_id.simple(),
            format.extension()
        ))
    }

    /// Validates a stored key: only Cattery's own key shapes, no path tricks.
    pub fn parse(raw: &str) -> Result<Self> {
        let valid_prefix =
            raw.starts_with(Self::CATS_PREFIX) || raw.starts_with(Self::UPLOADS_PREFIX);
        let valid_chars = raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '.' | '_'));
        if !valid_prefix
            || !valid_chars
            || raw.contains("..")
            || raw.contains("//")
            || raw.len() > 255
        {
            return Err(DomainError::validation(
                "key",
                format!("`{raw}` is not an image key"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ImageKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Facts about a stored object.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredObject {
    /// Its key.
    pub key: ImageKey,
    /// Size in bytes.
    pub byte_size: u64,
    /// Content-Type it was stored with, when known.
    pub content_type: Option<String>,
    /// When it was last written, when known.
    pub last_modified: Option<DateTime<Utc>>,
}

/// What to store: a file on disk (streamed, never read whole into memory) or bytes already in memory.
#[derive(Debug)]
pub enum ImageBody {
    /// A local file, e.g. the temporary file a multipart upload was spooled to.
    File(PathBuf),
    /// Bytes in memory (small objects and tests).
    Bytes(Vec<u8>),
}

/// An HTTP request a client can make without credentials until it expires.
#[derive(Debug, Clone, PartialEq)]
pub struct PresignedRequest {
    /// HTTP method (`GET` or `PUT`).
    pub method: String,
    /// Full URL including the signature.
    pub url: String,
    /// Headers the client must send exactly as given (they are part of the signature).
    pub headers: Vec<(String, String)>,
    /// When the URL stops working.
    pub expires_at: DateTime<Utc>,
}

/// Object storage for photos. Implemented on S3 (and S3-compatible servers) and on a local folder.
#[async_trait]
pub trait ImageStore: Send + Sync {
    /// Stores `body` at `key` with this Content-Type (and a long Cache-Control: keys never change).
    async fn put(
        &self,
        key: &ImageKey,
        body: ImageBody,
        content_type: &str,
    ) -> Result<StoredObject>;

    /// Facts about the object at `key`, or `None` when there is none.
    async fn head(&self, key: &ImageKey) -> Result<Option<StoredObject>>;

    /// Up to `len` first bytes of the object (for identifying its real type).
    async fn read_prefix(&self, key: &ImageKey, len: u64) -> Result<Vec<u8>>;

    /// Copies the object at `from` to `to` (used to move a confirmed upload into place).
    async fn copy(&self, from: &ImageKey, to: &ImageKey) -> Result<()>;

    /// Deletes the object at `key`; deleting a missing object succeeds.
    async fn delete(&self, key: &ImageKey) -> Result<()>;

    /// Every object whose key starts with `prefix`.
    async fn list(&self, prefix: &str) -> Result<Vec<StoredObject>>;

    /// A GET URL for `key`, valid for about `ttl`. Pure computation, no network call. Within one
    /// signing window the same key yields the same URL, so browsers and CDNs can cache it.
    async fn presign_get(&self, key: &ImageKey, ttl: Duration) -> Result<PresignedRequest>;

    /// A PUT URL for `key` that only accepts this Content-Type and exactly `byte_size` bytes.
    async fn presign_put(
        &self,
        key: &ImageKey,
        content_type: &str,
        byte_size: u64,
        ttl: Duration,
    ) -> Result<PresignedRequest>;
}
