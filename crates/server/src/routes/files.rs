//! `/files/{key}`: photos of the local-folder backend, served and received through expiring signed
//! URLs, so that the embedded default behaves like a private S3 bucket with presigned URLs.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cattery_storage::{LocalUrlError, StorageError};
use futures_util::TryStreamExt;
use serde::Deserialize;
use tokio_util::io::{ReaderStream, StreamReader};

use crate::startup::AppState;

/// The signature part of a URL.
#[derive(Debug, Deserialize)]
pub(crate) struct Signed {
    expires: i64,
    signature: String,
}

fn refused(err: LocalUrlError) -> Response {
    let status = match err {
        LocalUrlError::InvalidKey => StatusCode::NOT_FOUND,
        LocalUrlError::BadSignature | LocalUrlError::Expired => StatusCode::FORBIDDEN,
    };
    (status, err.to_string()).into_response()
}

fn failed(err: &StorageError) -> Response {
    tracing::error!(error = %err, "local photo storage failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "storage failure").into_response()
}

/// `GET /files/{key}?expires=…&signature=…`.
pub(crate) async fn get(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(signed): Query<Signed>,
) -> Response {
    let Some(local) = &state.storage.local else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let key = match local.verify_get(&key, signed.expires, &signed.signature) {
        Ok(key) => key,
        Err(err) => return refused(err),
    };
    match local.open(&key).await {
        Ok(Some((file, object))) => {
            let content_type = object
                .content_type
                .unwrap_or_else(|| "application/octet-stream".to_owned());
            (
                [
                    (header::CONTENT_TYPE, content_type),
                    (header::CONTENT_LENGTH, object.byte_size.to_string()),
                    (
                        header::CACHE_CONTROL,
                        cattery_storage::CACHE_CONTROL.to_owned(),
                    ),
                ],
                Body::from_stream(ReaderStream::new(file)),
            )
                .into_response()
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(err) => failed(&err),
    }
}

/// `PUT /files/{key}?expires=…&signature=…` with the signed Content-Type and Content-Length.
pub(crate) async fn put(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(signed): Query<Signed>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(local) = &state.storage.local else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let Some(length) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return (StatusCode::LENGTH_REQUIRED, "Content-Length is required").into_response();
    };
    let key = match local.verify_put(
        &key,
        signed.expires,
        &signed.signature,
        &content_type,
        length,
    ) {
        Ok(key) => key,
        Err(err) => return refused(err),
    };
    let reader = StreamReader::new(body.into_data_stream().map_err(std::io::Error::other));
    match local
        .write_stream(&key, &content_type, reader, length)
        .await
    {
        Ok(_) => StatusCode::OK.into_response(),
        Err(err @ StorageError::LengthMismatch { .. }) => {
            (StatusCode::BAD_REQUEST, err.to_string()).into_response()
        }
        Err(err) => failed(&err),
    }
}
