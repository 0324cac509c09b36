//! Parsing ids that clients send.

use async_graphql::ID;
use uuid::Uuid;

use crate::error::ApiError;

/// Parses a client-supplied id; a malformed one is `BAD_USER_INPUT` naming `field`.
pub(crate) fn parse_id(field: &'static str, id: &ID) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id.as_str()).map_err(|_| {
        ApiError::bad_input(
            field,
            format!("`{}` is not a valid cat id (a UUID)", id.as_str()),
        )
    })
}
