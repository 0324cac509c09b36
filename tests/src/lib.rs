//! Test support: throwaway databases and the real Cattery application on port 0.
//!
//! PostgreSQL comes from the server named by `CATTERY_TEST_DATABASE_URL` (the README's test command
//! starts a throwaway server and sets it); every test gets its own database, created with a unique
//! name and dropped afterwards. SQLite tests get a file in a temporary folder.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use cattery::Application;
use clap::Parser;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;

/// Environment variable naming the PostgreSQL server the tests create their databases on.
pub const PG_URL_VAR: &str = "CATTERY_TEST_DATABASE_URL";

/// Which database engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL, from `CATTERY_TEST_DATABASE_URL`.
    Postgres,
    /// SQLite in a temporary folder.
    Sqlite,
}

/// Defines one `#[tokio::test]` per backend for each scenario `async fn name(backend: Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Postgres).await
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
    };
}

fn server_url() -> String {
    std::env::var(PG_URL_VAR).unwrap_or_else(|_| {
        panic!(
            "PostgreSQL tests need a server: set {PG_URL_VAR}=postgres://user@host:port/postgres \
             (a role allowed to CREATE DATABASE), or run the README's test command, ./scripts/test, \
             which starts a throwaway PostgreSQL server and sets it"
        )
    })
}

fn with_database(server: &str, database: &str) -> String {
    let mut url = url_parse(server);
    url.set_path(database);
    url.to_string()
}

fn url_parse(raw: &str) -> reqwest::Url {
    reqwest::Url::parse(raw).unwrap_or_else(|e| panic!("{PG_URL_VAR} is not a URL: {e}"))
}

/// A database that exists for one test.
pub struct TestDb {
    /// Connection URL of the database.
    pub url: String,
    backend: Backend,
    pg: Option<(String, String)>,
    dir: TempDir,
}

impl TestDb {
    /// Creates an empty database.
    pub async fn create(backend: Backend) -> Self {
        let dir = tempfile::tempdir().unwrap();
        match backend {
            Backend::Sqlite => {
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("cattery.db").display()
                );
                Self {
                    url,
                    backend,
                    pg: None,
                    dir,
                }
            }
            Backend::Postgres => {
                let server = server_url();
                let name = format!("cattery_test_{}", uuid::Uuid::new_v4().simple());
                let admin = sea_orm::Database::connect(&server)
                    .await
                    .unwrap_or_else(|e| {
                        panic!(
                            "cannot connect to {PG_URL_VAR}: {e}; is the PostgreSQL server running?"
                        )
                    });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
                admin.close().await.unwrap();
                let url = with_database(&server, &name);
                Self {
                    url,
                    backend,
                    pg: Some((server, name)),
                    dir,
                }
            }
        }
    }

    /// The engine.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A scratch folder that lives as long as the database.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Drops the database now (PostgreSQL), ending every connection to it.
    pub async fn drop_now(&mut self) {
        if let Some((server, name)) = self.pg.take() {
            drop_pg_database(&server, &name).await;
        }
    }
}

async fn drop_pg_database(server: &str, name: &str) {
    if let Ok(admin) = sea_orm::Database::connect(server).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        let _ = admin.close().await;
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = self.pg.take() {
            // Drop runs outside any async context we may block, so use a private runtime.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(drop_pg_database(&server, &name));
                }
            })
            .join();
        }
    }
}

/// Where a test app keeps photos: an in-process S3-compatible server (with PostgreSQL) or the local
/// folder of the embedded default (with SQLite).
pub enum TestPhotos {
    /// s3s on loopback, checking SigV4 and presigned signatures.
    S3(cattery_storage::testing::TestS3),
    /// The data folder.
    Local(std::path::PathBuf),
    /// Another S3-compatible server (endpoint, bucket), e.g. moto for versioning.
    External(String, String),
}

/// The real application, serving on a free port for one test.
pub struct TestApp {
    /// `http://127.0.0.1:port`.
    pub address: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The app's database.
    pub db: TestDb,
    /// The app's photo storage.
    pub photos: TestPhotos,
    /// The settings the app was started with (to run other commands on the same stores).
    pub args: Vec<String>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// Starts the app on a fresh database of `backend`.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, &[]).await
    }

    /// Starts the app with extra command-line settings (e.g. `["--introspection", "false"]`).
    pub async fn spawn_with(backend: Backend, extra: &[&str]) -> Self {
        Self::spawn_full(backend, None, extra).await
    }

    /// Starts the app on PostgreSQL with photos in `bucket` of the S3-compatible server at
    /// `endpoint` (e.g. moto, for versioning).
    pub async fn spawn_on_s3(endpoint: &str, bucket: &str) -> Self {
        Self::spawn_full(Backend::Postgres, Some((endpoint, bucket)), &[]).await
    }

    async fn spawn_full(
        backend: Backend,
        s3_override: Option<(&str, &str)>,
        extra: &[&str],
    ) -> Self {
        let db = TestDb::create(backend).await;
        let data_dir = db.dir().join("data");
        let mut args = vec![
            "cattery".to_owned(),
            "--listen".to_owned(),
            "127.0.0.1:0".to_owned(),
            "--database-url".to_owned(),
            db.url.clone(),
            "--data-dir".to_owned(),
            data_dir.display().to_string(),
        ];
        let photos = match (backend, s3_override) {
            (_, Some((endpoint, bucket))) => {
                args.extend(
                    [
                        "--s3-bucket",
                        bucket,
                        "--s3-endpoint",
                        endpoint,
                        "--s3-region",
                        "us-east-1",
                        "--s3-force-path-style",
                        "true",
                        "--s3-access-key-id",
                        "testing",
                        "--s3-secret-access-key",
                        "testing",
                    ]
                    .map(str::to_owned),
                );
                TestPhotos::External(endpoint.to_owned(), bucket.to_owned())
            }
            (Backend::Postgres, None) => {
                let s3 = cattery_storage::testing::TestS3::start().await.unwrap();
                args.extend([
                    "--s3-bucket".to_owned(),
                    s3.bucket.clone(),
                    "--s3-endpoint".to_owned(),
                    s3.endpoint.clone(),
                    "--s3-region".to_owned(),
                    s3.region.clone(),
                    "--s3-force-path-style".to_owned(),
                    "true".to_owned(),
                    "--s3-access-key-id".to_owned(),
                    s3.access_key.clone(),
                    "--s3-secret-access-key".to_owned(),
                    s3.secret_key.clone(),
                ]);
                TestPhotos::S3(s3)
            }
            (Backend::Sqlite, None) => TestPhotos::Local(data_dir.join("photos")),
        };
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let cli = cattery::cli::Cli::try_parse_from(args.clone()).unwrap();
        let app = Application::build(cli.settings).await.unwrap();
        let address = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let _ = app
                .run_until(async {
                    let _ = stopped.await;
                })
                .await;
        });
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Self {
            address,
            client,
            db,
            photos,
            args,
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// Posts a GraphQL request and returns the whole response body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            200,
            "GraphQL over application/json answers 200"
        );
        response.json().await.unwrap()
    }

    /// Posts a GraphQL request that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Registers a cat and returns it (id, name, age, breed, createdAt, updatedAt).
    pub async fn create_cat(&self, name: &str, age: i64, breed: &str) -> Value {
        let data = self
            .data(
                "mutation($input: CreateCatInput!) { createCat(input: $input) { cat { id name age breed createdAt updatedAt } } }",
                json!({ "input": { "name": name, "age": age, "breed": breed } }),
            )
            .await;
        data["createCat"]["cat"].clone()
    }

    /// Deletes a cat; returns the whole response body (data or errors).
    pub async fn delete_cat(&self, id: &str) -> Value {
        self.graphql(
            "mutation($id: ID!) { deleteCat(input: { id: $id }) { deletedCatId } }",
            json!({ "id": id }),
        )
        .await
    }

    /// SQL statements the app has sent so far (from `/metrics`).
    pub async fn statements(&self) -> u64 {
        let text = self
            .client
            .get(format!("{}/metrics", self.address))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("cattery_db_statements_total "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no statement counter in /metrics: {text}"))
    }

    /// Runs another `cattery` command (e.g. `["gc", "--apply"]`) on this app's database and storage.
    pub async fn run_command(&self, command: &[&str]) {
        let mut args = vec![self.args[0].clone()];
        args.extend(command.iter().map(|s| (*s).to_owned()));
        args.extend(self.args[1..].iter().cloned());
        let cli = cattery::cli::Cli::try_parse_from(args).unwrap();
        cli.run().await.unwrap();
    }

    /// The app's photo store, opened independently of the app.
    pub async fn store(&self) -> Box<dyn cattery_domain::ImageStore> {
        match &self.photos {
            TestPhotos::S3(s3) => Box::new(s3.store().await.unwrap()),
            TestPhotos::External(endpoint, bucket) => Box::new(
                cattery_storage::S3Store::new(cattery_storage::S3Config {
                    bucket: bucket.clone(),
                    region: Some("us-east-1".to_owned()),
                    endpoint_url: Some(endpoint.clone()),
                    force_path_style: true,
                    credentials: Some(cattery_storage::S3Credentials {
                        access_key_id: "testing".to_owned(),
                        secret_access_key: "testing".to_owned().into(),
                    }),
                })
                .await
                .unwrap(),
            ),
            // Listing and deleting need no signing: any key of the required length will do.
            TestPhotos::Local(root) => Box::new(
                cattery_storage::LocalStore::new(root, "http://unused", [0u8; 32]).unwrap(),
            ),
        }
    }

    /// Keys of the objects stored under `prefix`, read from the store itself.
    pub async fn stored_keys(&self, prefix: &str) -> Vec<String> {
        let objects = self.store().await.list(prefix).await.unwrap();
        let mut keys: Vec<String> = objects
            .into_iter()
            .map(|o| o.key.as_str().to_owned())
            .collect();
        keys.sort();
        keys
    }

    /// Deletes an object behind the app's back (to simulate loss).
    pub async fn delete_object(&self, key: &str) {
        let key = cattery_domain::ImageKey::parse(key).unwrap();
        self.store().await.delete(&key).await.unwrap();
    }

    /// Uploads `bytes` as the cat's photo through the GraphQL multipart request spec; returns the
    /// HTTP status and body.
    pub async fn upload_image(
        &self,
        cat_id: &str,
        bytes: Vec<u8>,
        file_name: &str,
        content_type: &str,
    ) -> (u16, Value) {
        let operations = json!({
            "query": "mutation($catId: ID!, $image: Upload!) { uploadCatImage(catId: $catId, image: $image) { cat { id image { url contentType byteSize width height } } } }",
            "variables": { "catId": cat_id, "image": null }
        });
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(file_name.to_owned())
            .mime_str(content_type)
            .unwrap();
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", json!({ "0": ["variables.image"] }).to_string())
            .part("0", part);
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// Stops the server and waits until it has shut down.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// The `extensions.code` of the first error in a response body.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a code, got {body}"))
}

/// A real 64×48 PNG.
pub fn png() -> Vec<u8> {
    include_bytes!("../fixtures/cat.png").to_vec()
}

/// A 40×30 JPEG header (enough to be identified and measured).
pub fn jpeg() -> Vec<u8> {
    include_bytes!("../fixtures/cat.jpg").to_vec()
}

/// A PNG padded after its end to exactly `size` bytes (viewers ignore bytes after IEND).
pub fn png_of_size(size: usize) -> Vec<u8> {
    let mut bytes = png();
    let fill = (0..size.saturating_sub(bytes.len())).map(|i| (i % 251) as u8);
    bytes.extend(fill);
    bytes
}
