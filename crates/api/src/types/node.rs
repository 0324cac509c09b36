//! The Relay `Node` interface.

use async_graphql::{ID, Interface};

use crate::types::cat::CatObject;

/// An object with a globally unique id (Relay's Node interface).
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Globally unique id."))]
pub(crate) enum Node {
    /// A cat.
    Cat(CatObject),
}
