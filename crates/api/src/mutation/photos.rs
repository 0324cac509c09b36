//! Photo mutations: upload through GraphQL (multipart), direct upload to the store (request, then
//! confirm), and removal.

use std::io::{BufReader, Seek};

use async_graphql::{Context, ID, Object, SimpleObject, Upload};
use cattery_domain::{DomainError, ImageBody, check_declared_type, inspect_image};
use chrono::{DateTime, Utc};

use crate::error::ApiError;
use crate::schema::ApiState;
use crate::types::cat::CatObject;
use crate::types::id::parse_id;

#[derive(Default)]
pub(crate) struct PhotoMutation;

/// The cat after a photo change.
#[derive(SimpleObject)]
pub(crate) struct CatImagePayload {
    /// The cat, with its new `image` (or none).
    cat: CatObject,
}

/// An HTTP header a client must send.
#[derive(SimpleObject)]
pub(crate) struct HttpHeader {
    /// Header name.
    name: String,
    /// Header value.
    value: String,
}

/// Where and how to upload a photo directly.
#[derive(SimpleObject)]
pub(crate) struct RequestCatImageUploadPayload {
    /// Pass to `confirmCatImageUpload` after the upload.
    upload_id: ID,
    /// The presigned URL.
    url: String,
    /// The HTTP method to use (`PUT`).
    method: String,
    /// Headers to send exactly as given (they are signed).
    headers: Vec<HttpHeader>,
    /// When the URL stops working.
    expires_at: DateTime<Utc>,
}

fn internal(err: impl std::error::Error + Send + Sync + 'static) -> ApiError {
    ApiError::from(DomainError::storage(err))
}

/// Copies the spooled upload into a named temporary file and reads what it really is.
fn spool(
    mut file: std::fs::File,
) -> Result<(tempfile::NamedTempFile, u64, cattery_domain::ImageInfo), ApiError> {
    let mut named = tempfile::NamedTempFile::new().map_err(internal)?;
    file.rewind().map_err(internal)?;
    let size = std::io::copy(&mut file, named.as_file_mut()).map_err(internal)?;
    let mut reader = BufReader::new(named.reopen().map_err(internal)?);
    let info = inspect_image(&mut reader).map_err(ApiError::from)?;
    Ok((named, size, info))
}

#[Object]
impl PhotoMutation {
    /// Uploads a photo through the GraphQL multipart request spec and attaches it, replacing (and
    /// deleting) any previous one. Accepts JPEG, PNG, WebP and GIF, identified from the bytes: a
    /// declared type that disagrees is `UNSUPPORTED_MEDIA_TYPE`; a file over the size limit is
    /// `PAYLOAD_TOO_LARGE`.
    async fn upload_cat_image(
        &self,
        ctx: &Context<'_>,
        cat_id: ID,
        image: Upload,
    ) -> async_graphql::Result<CatImagePayload> {
        let state = ctx.data::<ApiState>()?;
        let cat_id = parse_id("catId", &cat_id)?;
        let upload = image.value(ctx)?;
        let declared = upload.content_type.clone();
        let (file, size, info) = tokio::task::spawn_blocking(move || spool(upload.content))
            .await
            .map_err(internal)??;
        check_declared_type(declared.as_deref(), info.format).map_err(ApiError::from)?;
        let path = file.path().to_path_buf();
        let cat = state
            .photos
            .attach(cat_id, ImageBody::File(path), size, info)
            .await
            .map_err(ApiError::from)?;
        drop(file);
        Ok(CatImagePayload {
            cat: CatObject(cat),
        })
    }

    /// Signs a direct upload: PUT the file to the returned URL with the returned headers, then call
    /// `confirmCatImageUpload`. `byteSize` and `contentType` are part of the signature.
    async fn request_cat_image_upload(
        &self,
        ctx: &Context<'_>,
        cat_id: ID,
        content_type: String,
        byte_size: i64,
    ) -> async_graphql::Result<RequestCatImageUploadPayload> {
        let state = ctx.data::<ApiState>()?;
        let cat_id = parse_id("catId", &cat_id)?;
        let byte_size = u64::try_from(byte_size)
            .map_err(|_| ApiError::bad_input("byteSize", "must not be negative"))?;
        let (upload, request) = state
            .photos
            .request_upload(cat_id, &content_type, byte_size)
            .await
            .map_err(ApiError::from)?;
        Ok(RequestCatImageUploadPayload {
            upload_id: ID(upload.id.to_string()),
            url: request.url,
            method: request.method,
            headers: request
                .headers
                .into_iter()
                .map(|(name, value)| HttpHeader { name, value })
                .collect(),
            expires_at: request.expires_at,
        })
    }

    /// Checks a direct upload (size, real type, dimensions) and attaches it, replacing any previous
    /// photo. A file that fails the checks is deleted.
    async fn confirm_cat_image_upload(
        &self,
        ctx: &Context<'_>,
        cat_id: ID,
        upload_id: ID,
    ) -> async_graphql::Result<CatImagePayload> {
        let state = ctx.data::<ApiState>()?;
        let cat_id = parse_id("catId", &cat_id)?;
        let upload_id = parse_id("uploadId", &upload_id)?;
        let cat = state
            .photos
            .confirm_upload(cat_id, upload_id)
            .await
            .map_err(ApiError::from)?;
        Ok(CatImagePayload {
            cat: CatObject(cat),
        })
    }

    /// Removes the cat's photo (and deletes the object).
    async fn remove_cat_image(
        &self,
        ctx: &Context<'_>,
        cat_id: ID,
    ) -> async_graphql::Result<CatImagePayload> {
        let state = ctx.data::<ApiState>()?;
        let cat_id = parse_id("catId", &cat_id)?;
        let cat = state.photos.remove(cat_id).await.map_err(ApiError::from)?;
        Ok(CatImagePayload {
            cat: CatObject(cat),
        })
    }
}
