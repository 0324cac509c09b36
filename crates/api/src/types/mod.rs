//! GraphQL object and input types, built from domain types.

pub(crate) mod cat;
pub(crate) mod connection;
pub(crate) mod cursor;
pub(crate) mod id;
pub(crate) mod image;
pub(crate) mod inputs;
pub(crate) mod node;
