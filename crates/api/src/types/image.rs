//! The `CatImage` object: a photo's facts and a presigned URL to fetch it.

use async_graphql::{Context, Object};
use cattery_domain::CatImage;
use chrono::{DateTime, Utc};

use crate::error::ApiError;
use crate::schema::ApiState;

/// A cat's photo.
pub(crate) struct CatImageObject(pub CatImage);

/// A cat's photo.
#[Object(name = "CatImage")]
impl CatImageObject {
    /// Presigned URL to GET the photo. It expires (see `urlExpiresAt`); within one signing window the
    /// same photo gets the same URL, so browsers and CDNs can cache it.
    async fn url(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let state = ctx.data::<ApiState>()?;
        Ok(state.photos.url(&self.0).await.map_err(ApiError::from)?.url)
    }

    /// When `url` stops working.
    async fn url_expires_at(&self, ctx: &Context<'_>) -> async_graphql::Result<DateTime<Utc>> {
        let state = ctx.data::<ApiState>()?;
        Ok(state
            .photos
            .url(&self.0)
            .await
            .map_err(ApiError::from)?
            .expires_at)
    }

    /// MIME type, read from the file's own bytes.
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }

    /// Size in bytes.
    async fn byte_size(&self) -> u64 {
        self.0.byte_size
    }

    /// Width in pixels.
    async fn width(&self) -> u32 {
        self.0.width
    }

    /// Height in pixels.
    async fn height(&self) -> u32 {
        self.0.height
    }
}
