//! An S3-compatible server for tests (feature `testing`): `s3s` over `s3s-fs`, in process, on
//! `127.0.0.1` port 0, with SigV4 authentication, in a temporary folder removed on drop.
//!
//! What it checks, as of s3s 0.14.1: SigV4 header signatures, presigned-URL signatures (including the
//! signed `Content-Type` and `Content-Length` headers) and presigned-URL expiry. What it does not
//! implement: bucket versioning.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let s3 = cattery_storage::testing::TestS3::start().await?;
//! let store = s3.store().await?;
//! # Ok(()) }
//! ```

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::{S3Config, S3Credentials, S3Store};

/// The answer to every request while the server is made unavailable.
const UNAVAILABLE_BODY: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<Error><Code>ServiceUnavailable</Code><Message>made unavailable by the test</Message></Error>";

/// A running in-process S3-compatible server with one empty bucket.
#[derive(Debug)]
pub struct TestS3 {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub endpoint: String,
    /// The bucket created at start.
    pub bucket: String,
    /// Access key the server accepts.
    pub access_key: String,
    /// Secret key of [`Self::access_key`].
    pub secret_key: String,
    /// Region to sign with (the server accepts any).
    pub region: String,
    unavailable: Arc<AtomicBool>,
    server: JoinHandle<()>,
    dir: tempfile::TempDir,
}

impl TestS3 {
    /// Starts a server in a fresh temporary folder, with a fresh randomly named bucket.
    pub async fn start() -> io::Result<Self> {
        let dir = tempfile::Builder::new().prefix("cattery-s3-").tempdir()?;
        let fs =
            s3s_fs::FileSystem::new(dir.path()).map_err(|e| io::Error::other(format!("{e:?}")))?;
        let access_key = format!("AKTEST{}", random_hex(7).to_uppercase());
        let secret_key = random_hex(20);

        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(
            access_key.clone(),
            secret_key.clone(),
        ));
        let service = builder.build();

        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let unavailable = Arc::new(AtomicBool::new(false));
        let server = tokio::spawn(serve(listener, service, unavailable.clone()));

        let s3 = Self {
            endpoint,
            bucket: format!("cattery-test-{}", random_hex(6)),
            access_key,
            secret_key,
            region: "us-east-1".into(),
            unavailable,
            server,
            dir,
        };
        s3.create_bucket(&s3.bucket)?;
        Ok(s3)
    }

    /// Creates another empty bucket.
    pub fn create_bucket(&self, name: &str) -> io::Result<()> {
        // s3s-fs keeps a bucket as a folder under its root.
        std::fs::create_dir(self.dir.path().join(name))
    }

    /// Settings of an [`S3Store`] on this server's bucket (path-style, static credentials).
    pub fn config(&self) -> S3Config {
        S3Config {
            bucket: self.bucket.clone(),
            region: Some(self.region.clone()),
            endpoint_url: Some(self.endpoint.clone()),
            force_path_style: true,
            credentials: Some(S3Credentials {
                access_key_id: self.access_key.clone(),
                secret_access_key: self.secret_key.clone().into(),
            }),
        }
    }

    /// An [`S3Store`] on this server's bucket.
    pub async fn store(&self) -> io::Result<S3Store> {
        S3Store::new(self.config()).await.map_err(io::Error::other)
    }

    /// The file holding the object at `key` in the bucket (to check what is really stored).
    pub fn object_path(&self, key: &str) -> PathBuf {
        self.dir.path().join(&self.bucket).join(key)
    }

    /// The server's data folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// While `true`, every request is answered `503 ServiceUnavailable` (connections stay open), so
    /// that tests can make S3 fail in the middle of a flow.
    pub fn set_unavailable(&self, unavailable: bool) {
        self.unavailable.store(unavailable, Ordering::SeqCst);
    }
}

impl Drop for TestS3 {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Accepts connections until aborted; each is served on its own task.
async fn serve(
    listener: TcpListener,
    service: s3s::service::S3Service,
    unavailable: Arc<AtomicBool>,
) {
    let http = ConnBuilder::new(TokioExecutor::new());
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        let service = service.clone();
        let unavailable = unavailable.clone();
        let handler = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
            let service = service.clone();
            let unavailable = unavailable.load(Ordering::SeqCst);
            async move {
                if unavailable {
                    let mut res =
                        hyper::Response::new(s3s::Body::from(UNAVAILABLE_BODY.to_owned()));
                    *res.status_mut() = hyper::StatusCode::SERVICE_UNAVAILABLE;
                    return Ok(res);
                }
                service.call(req.map(s3s::Body::from)).await
            }
        });
        let conn = http
            .serve_connection(TokioIo::new(socket), handler)
            .into_owned();
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
}

fn random_hex(bytes: usize) -> String {
    let mut out = String::new();
    while out.len() < bytes * 2 {
        out.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    out.truncate(bytes * 2);
    out
}
