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

/// The real application, serving on a free port for one test.
pub struct TestApp {
    /// `http://127.0.0.1:port`.
    pub address: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The app's database.
    pub db: TestDb,
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
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let cli = cattery::cli::Cli::try_parse_from(args).unwrap();
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
