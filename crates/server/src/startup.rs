//! Building the application from settings and running it until a shutdown signal.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use cattery_api::{ApiState, AppSchema, SchemaOptions, build_schema};
use cattery_domain::{PhotoPolicy, Photos};
use cattery_persistence::{Database, DatabaseOptions};
use cattery_storage::{S3Config, S3Credentials, Storage, StorageConfig};
use secrecy::{ExposeSecret, SecretSlice};
use tokio::net::TcpListener;

use crate::routes;
use crate::settings::{Settings, SettingsError};

/// State shared by the HTTP handlers.
#[derive(Clone)]
pub(crate) struct AppState(pub(crate) Arc<App>);

pub(crate) struct App {
    pub schema: AppSchema,
    pub api: ApiState,
    pub database: Database,
    pub storage: Storage,
    pub settings: Settings,
}

impl std::ops::Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}

/// Connects to the database chosen by `settings` and logs which one it is.
pub(crate) async fn connect_database(settings: &Settings) -> anyhow::Result<Database> {
    let choice = settings.database()?;
    if choice.url.expose_secret().starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "creating the data folder {} (CATTERY_DATA_DIR)",
                settings.data_dir.display()
            )
        })?;
    }
    tracing::info!(database = %choice.description, "connecting to the database");
    let options = DatabaseOptions {
        url: choice.url.expose_secret().to_owned(),
        max_connections: settings.db_max_connections,
        acquire_timeout: Duration::from_secs(10),
    };
    Database::connect(&options)
        .await
        .with_context(|| format!("connecting to {}", choice.description))
}

/// The local backend's URL signing key: from CATTERY_SIGNING_KEY, else generated once and kept in the
/// data folder so that URLs stay valid across restarts.
fn signing_key(settings: &Settings) -> anyhow::Result<SecretSlice<u8>> {
    if let Some(key) = &settings.signing_key {
        let bytes = key.expose_secret().as_bytes().to_vec();
        if bytes.len() < 32 {
            return Err(SettingsError {
                variable: "CATTERY_SIGNING_KEY",
                message: "must be at least 32 characters".to_owned(),
            }
            .into());
        }
        return Ok(SecretSlice::from(bytes));
    }
    let path = settings.data_dir.join("signing.key");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && let Ok(bytes) = hex::decode(existing.trim())
        && bytes.len() >= 32
    {
        return Ok(SecretSlice::from(bytes));
    }
    let bytes: [u8; 32] = rand::random();
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!(
            "creating {} (CATTERY_DATA_DIR)",
            settings.data_dir.display()
        )
    })?;
    std::fs::write(&path, hex::encode(bytes))
        .with_context(|| format!("writing the signing key {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("restricting {}", path.display()))?;
    }
    Ok(SecretSlice::from(bytes.to_vec()))
}

/// Builds the photo store chosen by the settings: S3 when a bucket is set, the data folder otherwise.
pub(crate) async fn build_storage(
    settings: &Settings,
    public_url: &str,
) -> anyhow::Result<Storage> {
    let config = match &settings.s3_bucket {
        Some(bucket) => {
            if bucket.trim().is_empty() {
                return Err(SettingsError {
                    variable: "S3_BUCKET_NAME",
                    message: "is empty".to_owned(),
                }
                .into());
            }
            let credentials = match (&settings.s3_access_key_id, &settings.s3_secret_access_key) {
                (Some(id), Some(secret)) => Some(S3Credentials {
                    access_key_id: id.clone(),
                    secret_access_key: secret.clone(),
                }),
                (None, None) => None,
                _ => {
                    return Err(SettingsError {
                        variable: "--s3-access-key-id",
                        message: "give both the access key id and the secret, or neither"
                            .to_owned(),
                    }
                    .into());
                }
            };
            StorageConfig::S3(S3Config {
                bucket: bucket.trim().to_owned(),
                region: settings.s3_region.clone(),
                endpoint_url: settings.s3_endpoint.clone(),
                force_path_style: settings.s3_force_path_style,
                credentials,
            })
        }
        None => StorageConfig::Local {
            root: settings.data_dir.join("photos"),
            public_base_url: public_url.to_owned(),
            signing_key: signing_key(settings)?,
        },
    };
    let description = match &config {
        StorageConfig::S3(s3) => format!(
            "s3 bucket {}{}",
            s3.bucket,
            s3.endpoint_url
                .as_deref()
                .map(|e| format!(" at {e}"))
                .unwrap_or_default()
        ),
        StorageConfig::Local { root, .. } => format!(
            "local folder {} (embedded default: set S3_BUCKET_NAME for S3)",
            root.display()
        ),
    };
    tracing::info!(storage = %description, "photo storage");
    cattery_storage::build(config)
        .await
        .with_context(|| format!("setting up photo storage ({description})"))
}

/// The photo workflow's limits, from the settings.
fn photo_policy(settings: &Settings) -> PhotoPolicy {
    PhotoPolicy {
        max_bytes: settings.image_max_bytes,
        max_dimension: settings.image_max_dimension,
        url_ttl: Duration::from_secs(settings.image_url_ttl_seconds.max(1)),
        upload_ttl: Duration::from_secs(settings.upload_url_ttl_seconds.max(1)),
    }
}

/// The application services on a database and a store.
pub(crate) fn api_state(settings: &Settings, database: &Database, storage: &Storage) -> ApiState {
    let cats = database.cat_repository();
    ApiState {
        photos: Photos::new(
            Arc::clone(&cats),
            database.upload_repository(),
            Arc::clone(&storage.images),
            photo_policy(settings),
        ),
        cats,
    }
}

/// The base URL clients reach this server at.
pub(crate) fn public_url(settings: &Settings, addr: SocketAddr) -> String {
    settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"))
}

/// A built application, listening but not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects, migrates (unless disabled), builds the schema and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let database = connect_database(&settings).await?;
        if settings.migrate {
            database
                .migrate_up(None)
                .await
                .context("applying migrations (set CATTERY_MIGRATE=false to skip)")?;
        }
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("binding {} (CATTERY_LISTEN)", settings.listen))?;
        let storage =
            build_storage(&settings, &public_url(&settings, listener.local_addr()?)).await?;
        let api = api_state(&settings, &database, &storage);
        let options = SchemaOptions {
            introspection: settings.introspection,
            max_page_size: settings.max_page_size,
            ..SchemaOptions::default()
        };
        let schema = build_schema(api.clone(), &options);
        let state = AppState(Arc::new(App {
            schema,
            api,
            database,
            storage,
            settings,
        }));
        let router = routes::router(state.clone())?;
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    /// The bound address (the real port when the settings asked for port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    /// Serves until SIGINT or SIGTERM, then finishes in-flight requests and closes the pool.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes (tests use this to stop a server on demand).
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let addr = self.local_addr()?;
        tracing::info!(
            %addr,
            backend = %self.state.database.backend(),
            "cattery is listening; GraphQL at http://{addr}/graphql"
        );
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(stop)
            .await
            .context("serving HTTP")?;
        tracing::info!("shutting down");
        self.state.database.clone().close().await?;
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
