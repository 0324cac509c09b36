//! The photo workflow: attaching, replacing and removing a cat's photo, direct uploads, and garbage
//! collection, written so that nothing is lost and nothing is orphaned:
//!
//! - the object is written before the row points at it; if the row write then fails, the new object
//!   is deleted;
//! - an old object is deleted only after the new row state is committed;
//! - whatever a crash leaves behind (an object no row references, a row pointing at a missing
//!   object, an abandoned direct upload) is found and repaired by [`Photos::collect_garbage`].

use std::collections::HashSet;
use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use uuid::Uuid;

use crate::cat::{Cat, CatId, CatImage};
use crate::error::{DomainError, Result};
use crate::image::{ImageBody, ImageFormat, ImageKey, ImageStore, PresignedRequest, StoredObject};
use crate::inspect::{ImageInfo, inspect_image};
use crate::repository::CatRepository;
use crate::upload::{PendingUpload, UploadRepository};

/// Bytes read from the start of an object to identify it (JPEG dimensions can follow a large EXIF
/// block, which is at most 64 KiB).
const SNIFF_BYTES: u64 = 256 * 1024;

/// Limits and lifetimes of photos.
#[derive(Debug, Clone)]
pub struct PhotoPolicy {
    /// Largest photo in bytes.
    pub max_bytes: u64,
    /// Largest width or height in pixels.
    pub max_dimension: u32,
    /// Lifetime of presigned GET URLs.
    pub url_ttl: Duration,
    /// Lifetime of presigned PUT URLs for direct uploads.
    pub upload_ttl: Duration,
}

impl Default for PhotoPolicy {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_dimension: 10_000,
            url_ttl: Duration::from_secs(15 * 60),
            upload_ttl: Duration::from_secs(15 * 60),
        }
    }
}

/// What garbage collection found (and, when applied, repaired).
#[derive(Debug, Clone, Default)]
pub struct GcReport {
    /// Photo objects no cat references, older than the grace period.
    pub orphan_objects: Vec<StoredObject>,
    /// Cats whose photo key points at a missing object.
    pub dangling_cats: Vec<(CatId, ImageKey)>,
    /// Direct uploads that expired without being confirmed (their objects, if any, included).
    pub expired_uploads: Vec<PendingUpload>,
    /// Objects under the uploads prefix that belong to no pending upload, older than the grace period.
    pub stray_upload_objects: Vec<StoredObject>,
    /// Whether the repairs were applied.
    pub applied: bool,
}

/// The photo workflow over a cat repository, an upload repository and an image store.
#[derive(Clone)]
pub struct Photos {
    cats: Arc<dyn CatRepository>,
    uploads: Arc<dyn UploadRepository>,
    store: Arc<dyn ImageStore>,
    policy: PhotoPolicy,
}

impl Photos {
    /// Wires the workflow.
    pub fn new(
        cats: Arc<dyn CatRepository>,
        uploads: Arc<dyn UploadRepository>,
        store: Arc<dyn ImageStore>,
        policy: PhotoPolicy,
    ) -> Self {
        Self {
            cats,
            uploads,
            store,
            policy,
        }
    }

    /// The limits in force.
    pub fn policy(&self) -> &PhotoPolicy {
        &self.policy
    }

    /// A presigned GET for a cat's photo (local computation).
    pub async fn url(&self, image: &CatImage) -> Result<PresignedRequest> {
        self.store
            .presign_get(&image.key, self.policy.url_ttl)
            .await
    }

    async fn existing_cat(&self, id: CatId) -> Result<Cat> {
        self.cats
            .find_many(&[id])
            .await?
            .pop()
            .ok_or(DomainError::NotFound(id))
    }

    fn check_limits(&self, byte_size: u64, info: &ImageInfo) -> Result<()> {
        self.check_size(byte_size)?;
        let max = self.policy.max_dimension;
        if info.width > max || info.height > max {
            return Err(DomainError::validation(
                "image",
                format!(
                    "the image is {}×{} pixels; at most {max} pixels per side are accepted",
                    info.width, info.height
                ),
            ));
        }
        if info.width == 0 || info.height == 0 {
            return Err(DomainError::validation("image", "the image has no pixels"));
        }
        Ok(())
    }

    fn check_size(&self, byte_size: u64) -> Result<()> {
        if byte_size > self.policy.max_bytes {
            return Err(DomainError::PayloadTooLarge(format!(
                "the photo is {byte_size} bytes; at most {} are accepted",
                self.policy.max_bytes
            )));
        }
        if byte_size == 0 {
            return Err(DomainError::validation("image", "the file is empty"));
        }
        Ok(())
    }

    async fn delete_quietly(&self, key: &ImageKey) {
        if let Err(err) = self.store.delete(key).await {
            // Garbage collection will find it; the request itself has succeeded or failed already.
            tracing::warn!(%key, error = %err, "could not delete an object; `cattery gc` will");
        }
    }

    /// Points the cat at `image` (already stored), then deletes the previous photo. If the row write
    /// fails, the new object is deleted and the row is unchanged.
    async fn commit(&self, cat: Cat, image: CatImage) -> Result<Cat> {
        let old = cat.image.clone();
        let new_key = image.key.clone();
        match self
            .cats
            .set_image(cat.id, Some(image), old.as_ref().map(|i| &i.key))
            .await
        {
            Ok(updated) => {
                if let Some(old) = old {
                    self.delete_quietly(&old.key).await;
                }
                Ok(updated)
            }
            Err(err) => {
                self.delete_quietly(&new_key).await;
                Err(err)
            }
        }
    }

    /// Attaches a photo received by the server (e.g. a multipart upload spooled to disk), whose
    /// header was inspected by the caller.
    pub async fn attach(
        &self,
        cat_id: CatId,
        body: ImageBody,
        byte_size: u64,
        info: ImageInfo,
    ) -> Result<Cat> {
        let cat = self.existing_cat(cat_id).await?;
        self.check_limits(byte_size, &info)?;
        let key = ImageKey::new_for_cat(cat_id, info.format);
        let stored = self.store.put(&key, body, info.format.mime()).await?;
        let image = CatImage {
            key,
            content_type: info.format.mime().to_owned(),
            byte_size: stored.byte_size,
            width: info.width,
            height: info.height,
        };
        self.commit(cat, image).await
    }

    /// Removes the cat's photo (the row first, then the object).
    pub async fn remove(&self, cat_id: CatId) -> Result<Cat> {
        let cat = self.existing_cat(cat_id).await?;
        let Some(old) = cat.image else {
            return Ok(cat);
        };
        let updated = self.cats.set_image(cat_id, None, Some(&old.key)).await?;
        self.delete_quietly(&old.key).await;
        Ok(updated)
    }

    /// Deletes a cat, then its photo.
    pub async fn delete_cat(&self, cat_id: CatId) -> Result<Cat> {
        let cat = self.cats.delete(cat_id).await?;
        if let Some(image) = &cat.image {
            self.delete_quietly(&image.key).await;
        }
        Ok(cat)
    }

    /// Signs a direct upload of `byte_size` bytes of `content_type` for the cat.
    pub async fn request_upload(
        &self,
        cat_id: CatId,
        content_type: &str,
        byte_size: u64,
    ) -> Result<(PendingUpload, PresignedRequest)> {
        self.existing_cat(cat_id).await?;
        let format = ImageFormat::from_mime(content_type).ok_or_else(|| {
            DomainError::UnsupportedMediaType(format!(
                "{content_type} is not an accepted image type (accepted: {})",
                ImageFormat::ALL.map(ImageFormat::mime).join(", ")
            ))
        })?;
        self.check_size(byte_size)?;
        let id = Uuid::new_v4();
        let key = ImageKey::for_upload(cat_id, id, format);
        let request = self
            .store
            .presign_put(&key, format.mime(), byte_size, self.policy.upload_ttl)
            .await?;
        let upload = PendingUpload {
            id,
            cat_id,
            key,
            format,
            byte_size,
            created_at: Utc::now(),
            expires_at: request.expires_at,
        };
        self.uploads.create_upload(&upload).await?;
        Ok((upload, request))
    }

    async fn discard_upload(&self, upload: &PendingUpload) {
        self.delete_quietly(&upload.key).await;
        if let Err(err) = self.uploads.delete_upload(upload.id).await {
            tracing::warn!(upload = %upload.id, error = %err, "could not forget an upload; `cattery gc` will");
        }
    }

    /// Checks a direct upload (size, real type, dimensions) and attaches it to the cat. A file that
    /// fails the checks is deleted and the upload forgotten.
    pub async fn confirm_upload(&self, cat_id: CatId, upload_id: Uuid) -> Result<Cat> {
        let upload = self
            .uploads
            .find_upload(upload_id)
            .await?
            .filter(|u| u.cat_id == cat_id)
            .ok_or(DomainError::UploadNotFound(upload_id))?;
        if upload.expires_at < Utc::now() - chrono::Duration::minutes(1) {
            self.discard_upload(&upload).await;
            return Err(DomainError::UploadNotFound(upload_id));
        }
        let Some(object) = self.store.head(&upload.key).await? else {
            return Err(DomainError::validation(
                "uploadId",
                "nothing has been uploaded yet: PUT the file to the upload URL first",
            ));
        };
        let checked = self.check_uploaded(&upload, &object).await;
        let info = match checked {
            Ok(info) => info,
            Err(err) => {
                self.discard_upload(&upload).await;
                return Err(err);
            }
        };
        let cat = self.existing_cat(cat_id).await?;
        let key = ImageKey::new_for_cat(cat_id, info.format);
        self.store.copy(&upload.key, &key).await?;
        let image = CatImage {
            key,
            content_type: info.format.mime().to_owned(),
            byte_size: object.byte_size,
            width: info.width,
            height: info.height,
        };
        let updated = self.commit(cat, image).await?;
        self.discard_upload(&upload).await;
        Ok(updated)
    }

    async fn check_uploaded(
        &self,
        upload: &PendingUpload,
        object: &StoredObject,
    ) -> Result<ImageInfo> {
        if object.byte_size != upload.byte_size {
            return Err(DomainError::validation(
                "uploadId",
                format!(
                    "{} bytes were uploaded but {} were declared",
                    object.byte_size, upload.byte_size
                ),
            ));
        }
        let head = self.store.read_prefix(&upload.key, SNIFF_BYTES).await?;
        let info = inspect_image(Cursor::new(head))?;
        if info.format != upload.format {
            return Err(DomainError::UnsupportedMediaType(format!(
                "the upload was declared as {} but is {}",
                upload.format.mime(),
                info.format.mime()
            )));
        }
        self.check_limits(object.byte_size, &info)?;
        Ok(info)
    }

    /// Finds (and with `apply`, repairs) what failures left behind: objects no row references, rows
    /// pointing at missing objects, and abandoned direct uploads. Objects younger than `grace` are left
    /// alone, since a request may be between writing the object and the row.
    pub async fn collect_garbage(&self, grace: Duration, apply: bool) -> Result<GcReport> {
        let now = Utc::now();
        let cutoff = now - chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::zero());
        let old_enough = |o: &StoredObject| o.last_modified.is_none_or(|at| at < cutoff);

        let referenced = self.cats.image_keys().await?;
        let referenced_keys: HashSet<&ImageKey> = referenced.iter().map(|(_, k)| k).collect();
        let objects = self.store.list(ImageKey::CATS_PREFIX).await?;
        let existing: HashSet<&ImageKey> = objects.iter().map(|o| &o.key).collect();

        let mut report = GcReport {
            applied: apply,
            ..GcReport::default()
        };
        report.orphan_objects = objects
            .iter()
            .filter(|o| !referenced_keys.contains(&o.key) && old_enough(o))
            .cloned()
            .collect();
        report.dangling_cats = referenced
            .iter()
            .filter(|(_, key)| !existing.contains(key))
            .cloned()
            .collect();

        let uploads = self.uploads.all_uploads().await?;
        let (expired, live): (Vec<_>, Vec<_>) =
            uploads.into_iter().partition(|u| u.expires_at < cutoff);
        let live_keys: HashSet<&ImageKey> = live.iter().map(|u| &u.key).collect();
        let expired_keys: HashSet<&ImageKey> = expired.iter().map(|u| &u.key).collect();
        report.stray_upload_objects = self
            .store
            .list(ImageKey::UPLOADS_PREFIX)
            .await?
            .into_iter()
            .filter(|o| {
                !live_keys.contains(&o.key) && !expired_keys.contains(&o.key) && old_enough(o)
            })
            .collect();
        report.expired_uploads = expired;

        if apply {
            for object in report
                .orphan_objects
                .iter()
                .chain(&report.stray_upload_objects)
            {
                self.store.delete(&object.key).await?;
            }
            for (cat_id, key) in &report.dangling_cats {
                match self.cats.set_image(*cat_id, None, Some(key)).await {
                    // The cat was deleted or given a new photo meanwhile: nothing left to repair.
                    Ok(_) | Err(DomainError::NotFound(_) | DomainError::Conflict(_)) => {}
                    Err(err) => return Err(err),
                }
            }
            for upload in &report.expired_uploads {
                self.store.delete(&upload.key).await?;
                self.uploads.delete_upload(upload.id).await?;
            }
        }
        Ok(report)
    }
}
