//! The mutation root.

mod cats;

use async_graphql::MergedObject;

/// All mutations.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(cats::CatMutation);
