//! GraphQL over HTTP, following the GraphQL-over-HTTP specification.
//!
//! - `POST /graphql` with `application/json`, `application/graphql` or a multipart request.
//! - `GET /graphql?query=…` for queries (a mutation over GET is 405); a browser asking for HTML gets
//!   GraphiQL.
//! - Responses are `application/graphql-response+json` when the client accepts it, else
//!   `application/json`. With the former, a request that cannot be executed at all (unparsable or
//!   invalid document) is HTTP 400; with the latter it is 200, as the specification prescribes.

use async_graphql::http::{GraphiQLSource, MultipartOptions};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{ParseRequestError, ServerError};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use cattery_api::ErrorCode;
use futures_util::TryStreamExt;

use crate::startup::AppState;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const APPLICATION_JSON: &str = "application/json";

/// The response media type chosen by content negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaType {
    GraphqlResponseJson,
    Json,
}

impl MediaType {
    fn as_str(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => GRAPHQL_RESPONSE_JSON,
            Self::Json => APPLICATION_JSON,
        }
    }
}

fn accepts(headers: &HeaderMap, media: &str) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.split(';').next().unwrap_or_default().trim())
        .any(|v| v.eq_ignore_ascii_case(media))
}

/// Picks the response type; `None` when the client accepts neither JSON type.
fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    if headers.get(header::ACCEPT).is_none() {
        return Some(MediaType::Json);
    }
    if accepts(headers, GRAPHQL_RESPONSE_JSON) {
        Some(MediaType::GraphqlResponseJson)
    } else if accepts(headers, APPLICATION_JSON)
        || accepts(headers, "application/*")
        || accepts(headers, "*/*")
    {
        Some(MediaType::Json)
    } else {
        None
    }
}

fn json_response(status: StatusCode, media: MediaType, body: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(media.as_str()),
            )],
            bytes,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(%err, "cannot serialise a GraphQL response");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A request that never reached the GraphQL engine.
fn http_error(status: StatusCode, media: MediaType, code: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    });
    json_response(status, media, &body)
}

fn not_acceptable() -> Response {
    (
        StatusCode::NOT_ACCEPTABLE,
        format!("accept {GRAPHQL_RESPONSE_JSON} or {APPLICATION_JSON}"),
    )
        .into_response()
}

fn is_length_limit(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(e) = current {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        current = e.source();
    }
    false
}

fn parse_error(media: MediaType, err: ParseRequestError) -> Response {
    match err {
        ParseRequestError::PayloadTooLarge => http_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            media,
            "PAYLOAD_TOO_LARGE",
            "the request body is too large",
        ),
        ParseRequestError::Io(io) if is_length_limit(&io) => http_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            media,
            "PAYLOAD_TOO_LARGE",
            "the request body is too large",
        ),
        other => http_error(
            StatusCode::BAD_REQUEST,
            media,
            "BAD_REQUEST",
            &format!("malformed GraphQL request: {other}"),
        ),
    }
}

/// Whether the response is a "request error" (nothing was executed).
fn is_request_error(response: &async_graphql::Response) -> bool {
    let before_execution = |e: &ServerError| {
        matches!(
            e.extensions.as_ref().and_then(|ext| ext.get("code")),
            Some(async_graphql::Value::String(code))
                if code == ErrorCode::GraphqlParseFailed.as_str()
                    || code == ErrorCode::GraphqlValidationFailed.as_str()
        )
    };
    matches!(response.data, async_graphql::Value::Null)
        && !response.errors.is_empty()
        && response.errors.iter().all(before_execution)
}

async fn execute(state: &AppState, media: MediaType, request: async_graphql::Request) -> Response {
    let query = request.query.clone();
    let request = cattery_api::request_data(request, &state.api);
    let mut response = state.schema.execute(request).await;
    cattery_api::complete_error_codes(&mut response, &query);
    let status = if media == MediaType::GraphqlResponseJson && is_request_error(&response) {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    json_response(status, media, &response)
}

/// `POST /graphql`. JSON bodies are limited to `CATTERY_MAX_BODY_BYTES`; a multipart upload's file to
/// `CATTERY_IMAGE_MAX_BYTES`, enforced while it streams to a temporary file (never held in memory).
pub(crate) async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let multipart = content_type
        .as_deref()
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("multipart/"));
    let image_max = usize::try_from(state.settings.image_max_bytes).unwrap_or(usize::MAX);
    let limit = if multipart {
        image_max.saturating_add(super::MULTIPART_OVERHEAD)
    } else {
        state.settings.max_body_bytes
    };
    let declared_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared_length.is_some_and(|len| len > limit) {
        return parse_error(media, ParseRequestError::PayloadTooLarge);
    }
    let reader = Body::new(http_body_util::Limited::new(body, limit))
        .into_data_stream()
        .map_err(std::io::Error::other)
        .into_async_read();
    let options = MultipartOptions::default()
        .max_num_files(1)
        .max_file_size(image_max);
    match async_graphql::http::receive_body(content_type, reader, options).await {
        Ok(request) => execute(&state, media, request).await,
        Err(err) => parse_error(media, err),
    }
}

/// Whether the selected operation of `query` is a mutation (GET must not run those).
fn is_mutation(request: &async_graphql::Request) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let ty = match (&document.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        _ => None,
    };
    ty == Some(OperationType::Mutation)
}

/// `GET /graphql`: GraphiQL for browsers, queries for everyone else.
pub(crate) async fn get(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let query = uri.query().unwrap_or_default();
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if wants_html && !query.contains("query=") {
        return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
    }
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let request = match async_graphql::http::parse_query_string(query) {
        Ok(request) => request,
        Err(err) => {
            return http_error(
                StatusCode::BAD_REQUEST,
                media,
                "BAD_REQUEST",
                &format!("malformed GraphQL request: {err}"),
            );
        }
    };
    if is_mutation(&request) {
        let mut response = http_error(
            StatusCode::METHOD_NOT_ALLOWED,
            media,
            "METHOD_NOT_ALLOWED",
            "mutations must be sent with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(&state, media, request).await
}
