//! The mutation root.

mod cats;
mod photos;

use async_graphql::MergedObject;

/// All mutations.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(cats::CatMutation, photos::PhotoMutation);
