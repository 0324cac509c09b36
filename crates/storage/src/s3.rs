//! [`S3Store`]: photos in an S3 bucket (Amazon S3 or an S3-compatible server such as MinIO).
//!
//! Credentials and region come from the standard AWS chain unless given explicitly; the endpoint can be
//! overridden (for S3-compatible servers) from the configuration or `AWS_ENDPOINT_URL`, which the SDK
//! reads itself. Requests retry (standard mode, 3 attempts) and time out, so an unreachable S3 fails
//! within seconds instead of hanging a request.

mod objects;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::{Credentials, Region, RequestChecksumCalculation};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use cattery_domain::DomainError;
use cattery_domain::{ImageBody, ImageKey, ImageStore, PresignedRequest, StoredObject};
use secrecy::{ExposeSecret, SecretString};
use tracing::instrument;

use self::objects::s3_error;
use crate::{Result, StorageError};

/// How long to wait for a TCP (and TLS) connection to S3.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one S3 operation may take, retries included.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts per S3 operation (the first one included).
const MAX_ATTEMPTS: u32 = 3;
/// Region used when none is configured anywhere (S3-compatible servers usually ignore it).
const FALLBACK_REGION: &str = "us-east-1";

/// Where the S3 backend keeps photos.
#[derive(Debug, Clone, Default)]
pub struct S3Config {
    /// The bucket (`S3_BUCKET_NAME`).
    pub bucket: String,
    /// The region; `None` uses `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the AWS profile.
    pub region: Option<String>,
    /// An endpoint override for S3-compatible servers; `None` lets the SDK read `AWS_ENDPOINT_URL`.
    pub endpoint_url: Option<String>,
    /// Address the bucket in the path (`http://host/bucket/key`), as MinIO and most S3-compatible
    /// servers need, instead of the host name (`http://bucket.host/key`).
    pub force_path_style: bool,
    /// Static credentials; `None` uses the standard AWS chain (environment, profile, web identity,
    /// container and instance roles).
    pub credentials: Option<S3Credentials>,
}

/// An access key pair, for S3-compatible servers and tests.
#[derive(Clone)]
pub struct S3Credentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: SecretString,
}

impl fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"[REDACTED]")
            .finish()
    }
}

/// Photos in an S3 bucket.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: Client,
    bucket: String,
}

impl S3Store {
    /// Builds the client: standard AWS configuration chain, explicit HTTPS client (rustls on ring),
    /// standard retries and timeouts. Makes no request (see [`Self::ping`] for a readiness check),
    /// except what the credential chain itself needs.
    #[instrument(skip(config), fields(bucket = %config.bucket), err)]
    pub async fn new(config: S3Config) -> Result<Self> {
        if config.bucket.trim().is_empty() {
            return Err(StorageError::Config("the S3 bucket name is empty".into()));
        }
        let http_client = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http_client)
            .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .operation_timeout(OPERATION_TIMEOUT)
                    .build(),
            );
        if let Some(region) = config.region.clone().or_else(region_from_env) {
            loader = loader.region(Region::new(region));
        }
        if let Some(endpoint) = &config.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        if let Some(creds) = &config.credentials {
            loader = loader.credentials_provider(Credentials::new(
                creds.access_key_id.clone(),
                creds.secret_access_key.expose_secret().to_owned(),
                None,
                None,
                "cattery-config",
            ));
        }
        let sdk_config = loader.load().await;

        let mut s3_config = aws_sdk_s3::config::Builder::from(&sdk_config)
            .force_path_style(config.force_path_style)
            // Checksums only where S3 requires them: the default (CRC32 on every PutObject) turns
            // streamed uploads into aws-chunked bodies that several S3-compatible servers reject, and
            // would put a checksum of the empty body into presigned PUT URLs.
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired);
        if sdk_config.region().is_none() {
            tracing::warn!(
                region = FALLBACK_REGION,
                "no AWS region configured; using the fallback"
            );
            s3_config = s3_config.region(Region::from_static(FALLBACK_REGION));
        }
        Ok(Self::from_client(
            Client::from_conf(s3_config.build()),
            config.bucket,
        ))
    }

    /// A store on an already configured client.
    pub fn from_client(client: Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    /// The bucket name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Readiness check: the bucket exists and the credentials may use it (`HeadBucket`).
    #[instrument(skip(self), fields(bucket = %self.bucket), err)]
    pub async fn ping(&self) -> Result<()> {
        self.client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|e| s3_error("HeadBucket", e))?;
        Ok(())
    }
}

#[async_trait]
impl ImageStore for S3Store {
    #[instrument(skip(self, body), fields(bucket = %self.bucket), err(Debug))]
    async fn put(
        &self,
        key: &ImageKey,
        body: ImageBody,
        content_type: &str,
    ) -> cattery_domain::Result<StoredObject> {
        Ok(self.put_object(key, body, content_type).await?)
    }

    #[instrument(skip(self), fields(bucket = %self.bucket), err(Debug))]
    async fn head(&self, key: &ImageKey) -> cattery_domain::Result<Option<StoredObject>> {
        Ok(self.head_object(key).await?)
    }

    #[instrument(skip(self), fields(bucket = %self.bucket), err(Debug))]
    async fn read_prefix(&self, key: &ImageKey, len: u64) -> cattery_domain::Result<Vec<u8>> {
        Ok(self.get_prefix(key, len).await?)
    }

    #[instrument(skip(self), fields(bucket = %self.bucket), err(Debug))]
    async fn copy(&self, from: &ImageKey, to: &ImageKey) -> cattery_domain::Result<()> {
        Ok(self.copy_object(from, to).await?)
    }

    #[instrument(skip(self), fields(bucket = %self.bucket), err(Debug))]
    async fn delete(&self, key: &ImageKey) -> cattery_domain::Result<()> {
        Ok(self.delete_object(key).await?)
    }

    #[instrument(skip(self), fields(bucket = %self.bucket), err(Debug))]
    async fn list(&self, prefix: &str) -> cattery_domain::Result<Vec<StoredObject>> {
        Ok(self.list_objects(prefix).await?)
    }

    // The URL itself is a bearer credential: it is never logged.
    #[instrument(skip(self), fields(bucket = %self.bucket), err(Debug))]
    async fn presign_get(
        &self,
        key: &ImageKey,
        ttl: Duration,
    ) -> cattery_domain::Result<PresignedRequest> {
        Ok(self.presign_get_object(key, ttl).await?)
    }

    #[instrument(skip(self), fields(bucket = %self.bucket), err(Debug))]
    async fn presign_put(
        &self,
        key: &ImageKey,
        content_type: &str,
        byte_size: u64,
        ttl: Duration,
    ) -> cattery_domain::Result<PresignedRequest> {
        self.presign_put_object(key, content_type, byte_size, ttl)
            .await
            .map_err(DomainError::from)
    }
}

/// `AWS_DEFAULT_REGION`, when `AWS_REGION` (which the SDK reads itself) is not set: the AWS CLI honours
/// both, the Rust SDK only the latter.
fn region_from_env() -> Option<String> {
    let non_empty = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if non_empty("AWS_REGION").is_some() {
        return None;
    }
    non_empty("AWS_DEFAULT_REGION")
}
