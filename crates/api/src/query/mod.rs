//! The query root.

mod cats;
mod node;

use async_graphql::MergedObject;

/// All queries.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(cats::CatQuery, node::NodeQuery);
