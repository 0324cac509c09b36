//! Cattery's GraphQL API: the schema, its queries and mutations, the DataLoader behind every by-id
//! load, and the one place where errors become GraphQL errors.
//!
//! The crate is transport-free: the server crate speaks HTTP and hands requests to [`AppSchema`].

mod error;
mod loaders;
mod mutation;
mod query;
mod schema;
mod types;

pub use error::{ApiError, ErrorCode, complete_error_codes};
pub use schema::{ApiState, AppSchema, SchemaOptions, build_schema, request_data, schema_sdl};
