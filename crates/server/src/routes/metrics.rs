//! `GET /metrics` in the Prometheus text format.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::startup::AppState;

/// Counters for scraping.
pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let body = format!(
        "# HELP cattery_db_statements_total SQL statements sent to the database.\n\
         # TYPE cattery_db_statements_total counter\n\
         cattery_db_statements_total {}\n",
        state.database.statements_executed()
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
}
