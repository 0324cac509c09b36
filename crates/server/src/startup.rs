//! Building the application from settings and running it until a shutdown signal.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use cattery_api::{ApiState, AppSchema, SchemaOptions, build_schema};
use cattery_persistence::{Database, DatabaseOptions};
use secrecy::ExposeSecret;
use tokio::net::TcpListener;

use crate::routes;
use crate::settings::Settings;

/// State shared by the HTTP handlers.
#[derive(Clone)]
pub(crate) struct AppState(pub(crate) Arc<App>);

pub(crate) struct App {
    pub schema: AppSchema,
    pub api: ApiState,
    pub database: Database,
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
        let api = ApiState {
            cats: database.cat_repository(),
        };
        let options = SchemaOptions {
            introspection: settings.introspection,
            max_page_size: settings.max_page_size,
            ..SchemaOptions::default()
        };
        let schema = build_schema(api.clone(), &options);
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("binding {} (CATTERY_LISTEN)", settings.listen))?;
        let state = AppState(Arc::new(App {
            schema,
            api,
            database,
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
