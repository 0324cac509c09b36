//! Errors as clients see them: the single place where failures become GraphQL errors.
//!
//! Policy: every error a client can cause carries a stable `extensions.code` from [`ErrorCode`], and a
//! message written for the client. Internal failures (database down, bugs) are logged here with their
//! whole cause chain and reach the client only as a generic `INTERNAL_SERVER_ERROR`, so that no SQL,
//! host name or stack detail leaks out.

use std::sync::Arc;

use async_graphql::{ErrorExtensions, ServerError};
use cattery_domain::DomainError;

/// The stable codes found in `extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// An argument broke a rule (validation, malformed id or cursor, page too large).
    BadUserInput,
    /// The addressed record does not exist.
    NotFound,
    /// The write was based on stale data.
    Conflict,
    /// The uploaded file is larger than allowed.
    PayloadTooLarge,
    /// The uploaded file is not an accepted image type, or not the type it claims.
    UnsupportedMediaType,
    /// The document could not be parsed.
    GraphqlParseFailed,
    /// The document is not valid against the schema, or exceeds the depth or complexity limits.
    GraphqlValidationFailed,
    /// Something failed on the server; details are in the server log only.
    InternalServerError,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    field: Option<&'static str>,
}

impl ApiError {
    /// A `BAD_USER_INPUT` error about argument `field`.
    pub fn bad_input(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::BadUserInput,
            message: message.into(),
            field: Some(field),
        }
    }

    /// The error's code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Logs `err` with its cause chain and returns the generic internal error.
    fn internal(err: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = err.to_string();
        let mut source = err.source();
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        tracing::error!(error = %chain, "internal error while serving a GraphQL request");
        Self {
            code: ErrorCode::InternalServerError,
            message: "internal server error".to_owned(),
            field: None,
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        Self::from(&err)
    }
}

impl From<&DomainError> for ApiError {
    fn from(err: &DomainError) -> Self {
        match err {
            DomainError::Validation { field, message } => Self::bad_input(field, message.clone()),
            DomainError::NotFound(_) | DomainError::UploadNotFound(_) => Self {
                code: ErrorCode::NotFound,
                message: err.to_string(),
                field: None,
            },
            DomainError::Conflict(message) => Self {
                code: ErrorCode::Conflict,
                message: message.clone(),
                field: None,
            },
            DomainError::PayloadTooLarge(message) => Self {
                code: ErrorCode::PayloadTooLarge,
                message: message.clone(),
                field: None,
            },
            DomainError::UnsupportedMediaType(message) => Self {
                code: ErrorCode::UnsupportedMediaType,
                message: message.clone(),
                field: None,
            },
            DomainError::Repository(_) | DomainError::Storage(_) => Self::internal(err),
        }
    }
}

impl From<Arc<DomainError>> for ApiError {
    fn from(err: Arc<DomainError>) -> Self {
        Self::from(err.as_ref())
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        async_graphql::Error::new(err.message).extend_with(|_, ext| {
            ext.set("code", err.code.as_str());
            if let Some(field) = err.field {
                ext.set("field", field);
            }
        })
    }
}

/// Gives a code to every error of a response that has none, so that every error, not only the
/// resolvers' own, carries `extensions.code`: an error outside any field means the document did not
/// parse (`GRAPHQL_PARSE_FAILED`) or validate (`GRAPHQL_VALIDATION_FAILED`, limits included); one
/// inside a field is an argument async-graphql itself refused (`BAD_USER_INPUT`).
///
/// Done on the finished response rather than in an extension, because any extension wraps every
/// field's resolution and costs time on every request.
pub fn complete_error_codes(response: &mut async_graphql::Response, query: &str) {
    let has_code = |err: &ServerError| {
        err.extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some())
    };
    if response.errors.iter().all(has_code) {
        return;
    }
    let parse_failed = async_graphql::parser::parse_query(query).is_err();
    for err in response.errors.iter_mut().filter(|e| !has_code(e)) {
        let code = match (err.path.is_empty(), parse_failed) {
            (true, true) => ErrorCode::GraphqlParseFailed,
            (true, false) => ErrorCode::GraphqlValidationFailed,
            (false, _) => ErrorCode::BadUserInput,
        };
        err.extensions
            .get_or_insert_with(Default::default)
            .set("code", code.as_str());
    }
}
