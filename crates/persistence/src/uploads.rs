//! [`UploadRepository`] on SeaORM.

use async_trait::async_trait;
use cattery_domain::{DomainError, ImageFormat, ImageKey, PendingUpload, Result, UploadRepository};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use tracing::instrument;
use uuid::Uuid;

use crate::entity::upload::{self, Entity};

/// Pending uploads in the `cat_image_uploads` table.
pub struct SeaUploadRepository {
    db: DatabaseConnection,
}

impl SeaUploadRepository {
    /// A repository on `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

impl TryFrom<upload::Model> for PendingUpload {
    type Error = DomainError;

    fn try_from(row: upload::Model) -> Result<Self> {
        let format = ImageFormat::from_mime(&row.content_type).ok_or_else(|| {
            DomainError::repository(sea_orm::DbErr::Type(format!(
                "upload {} has an unknown content type",
                row.id
            )))
        })?;
        Ok(PendingUpload {
            id: row.id,
            cat_id: row.cat_id,
            key: ImageKey::parse(&row.object_key)?,
            format,
            byte_size: u64::try_from(row.byte_size).unwrap_or_default(),
            created_at: row.created_at,
            expires_at: row.expires_at,
        })
    }
}

#[async_trait]
impl UploadRepository for SeaUploadRepository {
    #[instrument(skip(self, upload), fields(upload = %upload.id), err)]
    async fn create_upload(&self, upload: &PendingUpload) -> Result<()> {
        upload::ActiveModel {
            id: Set(upload.id),
            cat_id: Set(upload.cat_id),
            object_key: Set(upload.key.as_str().to_owned()),
            content_type: Set(upload.format.mime().to_owned()),
            byte_size: Set(i64::try_from(upload.byte_size).unwrap_or(i64::MAX)),
            created_at: Set(upload.created_at),
            expires_at: Set(upload.expires_at),
        }
        .insert(&self.db)
        .await
        .map_err(DomainError::repository)?;
        Ok(())
    }

    #[instrument(skip(self), err)]
    async fn find_upload(&self, id: Uuid) -> Result<Option<PendingUpload>> {
        Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(DomainError::repository)?
            .map(PendingUpload::try_from)
            .transpose()
    }

    #[instrument(skip(self), err)]
    async fn delete_upload(&self, id: Uuid) -> Result<()> {
        Entity::delete_by_id(id)
            .exec(&self.db)
            .await
            .map_err(DomainError::repository)?;
        Ok(())
    }

    #[instrument(skip(self), err)]
    async fn all_uploads(&self) -> Result<Vec<PendingUpload>> {
        Entity::find()
            .all(&self.db)
            .await
            .map_err(DomainError::repository)?
            .into_iter()
            .map(PendingUpload::try_from)
            .collect()
    }
}
