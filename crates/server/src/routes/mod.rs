//! HTTP routes: `/graphql`, `/healthz`, `/readyz`, `/metrics`.

mod files;
mod graphql;
mod health;
mod metrics;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use http::{HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::settings::SettingsError;
use crate::startup::AppState;

/// Room for the multipart request's other parts (`operations`, `map`) and part headers.
pub(crate) const MULTIPART_OVERHEAD: usize = 1024 * 1024;

/// All routes with their middleware.
pub(crate) fn router(state: AppState) -> Result<Router, SettingsError> {
    let cors = cors_layer(&state.settings.cors_origins)?;
    // The GraphQL handler applies its own limits (JSON bodies and multipart uploads differ), so the
    // outer limit only has to admit the largest legitimate upload.
    let upload_limit = usize::try_from(state.settings.image_max_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(MULTIPART_OVERHEAD);
    let graphql = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .layer(RequestBodyLimitLayer::new(
            upload_limit.max(state.settings.max_body_bytes),
        ));
    let files = Router::new()
        .route("/files/{*key}", get(files::get).put(files::put))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(upload_limit));
    let mut router = Router::new()
        .merge(graphql)
        .merge(files)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .layer(TraceLayer::new_for_http());
    if let Some(cors) = cors {
        router = router.layer(cors);
    }
    Ok(router.with_state(state))
}

fn cors_layer(origins: &[String]) -> Result<Option<CorsLayer>, SettingsError> {
    let origins: Vec<&str> = origins
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .collect();
    if origins.is_empty() {
        return Ok(None);
    }
    let allow = if origins.contains(&"*") {
        AllowOrigin::any()
    } else {
        let values = origins
            .iter()
            .map(|origin| {
                HeaderValue::from_str(origin).map_err(|_| SettingsError {
                    variable: "CATTERY_CORS_ORIGINS",
                    message: format!("`{origin}` is not a valid origin"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        AllowOrigin::list(values)
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::OPTIONS])
            .allow_headers([header::CONTENT_TYPE, header::ACCEPT, header::AUTHORIZATION])
            .max_age(Duration::from_secs(3600)),
    ))
}
