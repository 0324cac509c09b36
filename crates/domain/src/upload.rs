//! Direct uploads: a client PUTs a photo straight to the store through a presigned URL, then asks
//! the API to confirm it. Pending uploads are recorded so that they can be checked, and expired ones
//! cleaned up.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::cat::CatId;
use crate::error::Result;
use crate::image::{ImageFormat, ImageKey};

/// A direct upload the API has signed and not yet confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingUpload {
    /// The upload's id (what the client confirms).
    pub id: Uuid,
    /// The cat the photo is for.
    pub cat_id: CatId,
    /// Where the client PUTs the object.
    pub key: ImageKey,
    /// The declared (and signed) format.
    pub format: ImageFormat,
    /// The declared (and signed) size in bytes.
    pub byte_size: u64,
    /// When it was signed.
    pub created_at: DateTime<Utc>,
    /// When the PUT URL stops working and the upload may be cleaned up.
    pub expires_at: DateTime<Utc>,
}

/// Records of pending direct uploads.
#[async_trait]
pub trait UploadRepository: Send + Sync {
    /// Records a pending upload.
    async fn create_upload(&self, upload: &PendingUpload) -> Result<()>;

    /// The pending upload with this id, if any.
    async fn find_upload(&self, id: Uuid) -> Result<Option<PendingUpload>>;

    /// Forgets a pending upload (confirmed or cleaned up).
    async fn delete_upload(&self, id: Uuid) -> Result<()>;

    /// Every pending upload, for garbage collection.
    async fn all_uploads(&self) -> Result<Vec<PendingUpload>>;
}
