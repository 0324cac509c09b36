//! The S3 operations behind [`S3Store`]'s port methods, in storage terms, and the SDK error mapping.

use std::fmt;
use std::time::{Duration, SystemTime};

use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::{PresignedRequest as SdkPresignedRequest, PresigningConfig};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::MetadataDirective;
use cattery_domain::{ImageBody, ImageKey, PresignedRequest, StoredObject};
use chrono::{DateTime, Utc};

use super::S3Store;
use crate::window::SigningWindow;
use crate::{CACHE_CONTROL, Result, StorageError};

impl S3Store {
    pub(super) async fn put_object(
        &self,
        key: &ImageKey,
        body: ImageBody,
        content_type: &str,
    ) -> Result<StoredObject> {
        let (stream, byte_size) = match body {
            ImageBody::File(path) => {
                let size = tokio::fs::metadata(&path)
                    .await
                    .map_err(|e| StorageError::io(format!("cannot read {}", path.display()), e))?
                    .len();
                let stream = ByteStream::from_path(&path).await.map_err(|e| {
                    StorageError::io(
                        format!("cannot stream {}", path.display()),
                        std::io::Error::other(e),
                    )
                })?;
                (stream, size)
            }
            ImageBody::Bytes(bytes) => {
                let size = bytes.len() as u64;
                (ByteStream::from(bytes), size)
            }
        };
        let content_length = i64::try_from(byte_size).map_err(|_| {
            StorageError::Config(format!("object of {byte_size} bytes is too large"))
        })?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .body(stream)
            .content_length(content_length)
            .content_type(content_type)
            .cache_control(CACHE_CONTROL)
            .send()
            .await
            .map_err(|e| s3_error("PutObject", e))?;
        Ok(StoredObject {
            key: key.clone(),
            byte_size,
            content_type: Some(content_type.to_owned()),
            last_modified: None,
        })
    }

    pub(super) async fn head_object(&self, key: &ImageKey) -> Result<Option<StoredObject>> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(out) => Ok(Some(StoredObject {
                key: key.clone(),
                byte_size: out
                    .content_length()
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
                content_type: out.content_type().map(str::to_owned),
                last_modified: out.last_modified().and_then(to_chrono),
            })),
            Err(err) if is_not_found(&err) => Ok(None),
            Err(err) => Err(s3_error("HeadObject", err)),
        }
    }

    pub(super) async fn get_prefix(&self, key: &ImageKey, len: u64) -> Result<Vec<u8>> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let result = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .range(format!("bytes=0-{}", len - 1))
            .send()
            .await;
        let out = match result {
            Ok(out) => out,
            Err(err) if is_not_found(&err) => return Err(StorageError::NotFound(key.to_string())),
            // 416: the object is empty, so no byte range of it exists.
            Err(err) if status(&err) == Some(416) => return Ok(Vec::new()),
            Err(err) => return Err(s3_error("GetObject", err)),
        };
        let limit = usize::try_from(len).unwrap_or(usize::MAX);
        let mut body = out.body;
        let mut bytes = Vec::new();
        // A server that ignores Range sends the whole object: stop reading once we have enough.
        while bytes.len() < limit {
            match body.try_next().await {
                Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(err) => {
                    return Err(StorageError::S3 {
                        operation: "GetObject",
                        message: DisplayErrorContext(&err).to_string(),
                    });
                }
            }
        }
        bytes.truncate(limit);
        Ok(bytes)
    }

    pub(super) async fn copy_object(&self, from: &ImageKey, to: &ImageKey) -> Result<()> {
        let source = self
            .head_object(from)
            .await?
            .ok_or_else(|| StorageError::NotFound(from.to_string()))?;
        // REPLACE rather than COPY: a direct upload was PUT by a client without our Cache-Control.
        let mut request = self
            .client
            .copy_object()
            .bucket(&self.bucket)
            .key(to.as_str())
            .copy_source(format!("{}/{}", self.bucket, from.as_str()))
            .metadata_directive(MetadataDirective::Replace)
            .cache_control(CACHE_CONTROL);
        if let Some(content_type) = source.content_type {
            request = request.content_type(content_type);
        }
        request
            .send()
            .await
            .map_err(|e| s3_error("CopyObject", e))?;
        Ok(())
    }

    pub(super) async fn delete_object(&self, key: &ImageKey) -> Result<()> {
        match self
            .client
            .delete_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err) if is_not_found(&err) => Ok(()),
            Err(err) => Err(s3_error("DeleteObject", err)),
        }
    }

    pub(super) async fn list_objects(&self, prefix: &str) -> Result<Vec<StoredObject>> {
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        let mut objects = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| s3_error("ListObjectsV2", e))?;
            for object in page.contents() {
                let Some(raw_key) = object.key() else {
                    continue;
                };
                let Ok(key) = ImageKey::parse(raw_key) else {
                    tracing::warn!(
                        key = raw_key,
                        "skipping an object whose key is not an image key"
                    );
                    continue;
                };
                objects.push(StoredObject {
                    key,
                    byte_size: object
                        .size()
                        .and_then(|n| u64::try_from(n).ok())
                        .unwrap_or(0),
                    content_type: None,
                    last_modified: object.last_modified().and_then(to_chrono),
                });
            }
        }
        Ok(objects)
    }

    pub(super) async fn presign_get_object(
        &self,
        key: &ImageKey,
        ttl: Duration,
    ) -> Result<PresignedRequest> {
        let window = SigningWindow::containing(SystemTime::now(), ttl)?;
        let presigned = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .presigned(presigning_config(window)?)
            .await
            .map_err(|e| StorageError::Presign(DisplayErrorContext(&e).to_string()))?;
        Ok(to_domain(&presigned, window))
    }

    pub(super) async fn presign_put_object(
        &self,
        key: &ImageKey,
        content_type: &str,
        byte_size: u64,
        ttl: Duration,
    ) -> Result<PresignedRequest> {
        let window = SigningWindow::starting(SystemTime::now(), ttl)?;
        let content_length = i64::try_from(byte_size).map_err(|_| {
            StorageError::Presign(format!("object of {byte_size} bytes is too large"))
        })?;
        let presigned = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(content_type)
            .content_length(content_length)
            .presigned(presigning_config(window)?)
            .await
            .map_err(|e| StorageError::Presign(DisplayErrorContext(&e).to_string()))?;
        let request = to_domain(&presigned, window);
        let signed = |name: &str| {
            request
                .headers
                .iter()
                .any(|(h, _)| h.eq_ignore_ascii_case(name))
        };
        if !signed("content-type") || !signed("content-length") {
            return Err(StorageError::Presign(
                "the SDK did not sign Content-Type and Content-Length into the PUT URL".into(),
            ));
        }
        Ok(request)
    }
}

fn presigning_config(window: SigningWindow) -> Result<PresigningConfig> {
    PresigningConfig::builder()
        .start_time(window.start)
        .expires_in(window.ttl)
        .build()
        .map_err(|e| StorageError::Presign(e.to_string()))
}

fn to_domain(presigned: &SdkPresignedRequest, window: SigningWindow) -> PresignedRequest {
    PresignedRequest {
        method: presigned.method().to_owned(),
        url: presigned.uri().to_owned(),
        headers: presigned
            .headers()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
        expires_at: window.expires_at_utc(),
    }
}

fn to_chrono(time: &aws_sdk_s3::primitives::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(time.secs(), time.subsec_nanos())
}

fn status<E, R: HttpStatus>(err: &SdkError<E, R>) -> Option<u16> {
    err.raw_response().map(HttpStatus::status_code)
}

fn is_not_found<E: ProvideErrorMetadata, R: HttpStatus>(err: &SdkError<E, R>) -> bool {
    status(err) == Some(404)
        || err
            .as_service_error()
            .and_then(ProvideErrorMetadata::code)
            .is_some_and(|code| matches!(code, "NoSuchKey" | "NotFound"))
}

pub(super) fn s3_error<E, R>(operation: &'static str, err: SdkError<E, R>) -> StorageError
where
    E: std::error::Error + 'static,
    R: fmt::Debug,
{
    StorageError::S3 {
        operation,
        message: DisplayErrorContext(&err).to_string(),
    }
}

/// The status code of a raw HTTP response (lets the helpers above stay generic over the SDK's types).
trait HttpStatus {
    fn status_code(&self) -> u16;
}

impl HttpStatus for aws_sdk_s3::config::http::HttpResponse {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }
}
