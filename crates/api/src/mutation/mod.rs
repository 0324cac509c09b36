//! The mutation root.

mod cats;

use async_graphql::MergedObject;

/// All mutations.
#[derive(MergedObject, Default)]
pub struct MutationRoot(cats::CatMutation);
