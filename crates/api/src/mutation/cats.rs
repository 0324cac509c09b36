//! Creating, updating and deleting cats (Relay-style inputs and payloads).
//!
//! Every input is validated completely before anything is written, so a bad input changes nothing.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use cattery_domain::{Age, Breed, CatName, CatPatch, NewCat};
use chrono::{DateTime, Utc};

use crate::error::ApiError;
use crate::schema::ApiState;
use crate::types::cat::CatObject;
use crate::types::id::parse_id;

#[derive(Default)]
pub(crate) struct CatMutation;

/// A new cat.
#[derive(InputObject)]
pub(crate) struct CreateCatInput {
    /// Name, 1 to 100 characters after trimming.
    name: String,
    /// Age in whole years, 0 to 40.
    age: i32,
    /// Breed, 1 to 100 characters after trimming.
    breed: String,
    /// Echoed back in the payload (Relay).
    client_mutation_id: Option<String>,
}

/// The created cat.
#[derive(SimpleObject)]
pub(crate) struct CreateCatPayload {
    /// The cat as stored.
    cat: CatObject,
    /// The input's `clientMutationId`.
    client_mutation_id: Option<String>,
}

/// Changes to a cat; omitted fields keep their value.
#[derive(InputObject)]
pub(crate) struct UpdateCatInput {
    /// The cat to change.
    id: ID,
    /// New name.
    name: Option<String>,
    /// New age.
    age: Option<i32>,
    /// New breed.
    breed: Option<String>,
    /// When given, the update applies only if the cat's `updatedAt` still equals this value;
    /// otherwise it fails with `CONFLICT` and changes nothing.
    expected_updated_at: Option<DateTime<Utc>>,
    /// Echoed back in the payload (Relay).
    client_mutation_id: Option<String>,
}

/// The updated cat.
#[derive(SimpleObject)]
pub(crate) struct UpdateCatPayload {
    /// The cat after the update.
    cat: CatObject,
    /// The input's `clientMutationId`.
    client_mutation_id: Option<String>,
}

/// The cat to delete.
#[derive(InputObject)]
pub(crate) struct DeleteCatInput {
    /// The cat's id.
    id: ID,
    /// Echoed back in the payload (Relay).
    client_mutation_id: Option<String>,
}

/// The deleted cat.
#[derive(SimpleObject)]
pub(crate) struct DeleteCatPayload {
    /// Id of the deleted cat (for removing it from client caches).
    deleted_cat_id: ID,
    /// The cat as it was just before deletion.
    cat: CatObject,
    /// The input's `clientMutationId`.
    client_mutation_id: Option<String>,
}

#[Object]
impl CatMutation {
    /// Registers a cat.
    async fn create_cat(
        &self,
        ctx: &Context<'_>,
        input: CreateCatInput,
    ) -> async_graphql::Result<CreateCatPayload> {
        let state = ctx.data::<ApiState>()?;
        let new = NewCat {
            name: CatName::parse(&input.name).map_err(ApiError::from)?,
            age: Age::parse(i64::from(input.age)).map_err(ApiError::from)?,
            breed: Breed::parse(&input.breed).map_err(ApiError::from)?,
        };
        let cat = state.cats.create(new).await.map_err(ApiError::from)?;
        Ok(CreateCatPayload {
            cat: CatObject(cat),
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Changes some of a cat's fields; `updatedAt` moves. `NOT_FOUND` when there is no such cat,
    /// `CONFLICT` when `expectedUpdatedAt` is stale.
    async fn update_cat(
        &self,
        ctx: &Context<'_>,
        input: UpdateCatInput,
    ) -> async_graphql::Result<UpdateCatPayload> {
        let state = ctx.data::<ApiState>()?;
        let id = parse_id("id", &input.id)?;
        let patch = CatPatch {
            name: input
                .name
                .as_deref()
                .map(CatName::parse)
                .transpose()
                .map_err(ApiError::from)?,
            age: input
                .age
                .map(|a| Age::parse(i64::from(a)))
                .transpose()
                .map_err(ApiError::from)?,
            breed: input
                .breed
                .as_deref()
                .map(Breed::parse)
                .transpose()
                .map_err(ApiError::from)?,
            expected_updated_at: input.expected_updated_at,
        };
        if patch.is_empty() {
            return Err(
                ApiError::bad_input("input", "give at least one of name, age or breed").into(),
            );
        }
        let cat = state.cats.update(id, patch).await.map_err(ApiError::from)?;
        Ok(UpdateCatPayload {
            cat: CatObject(cat),
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Deletes a cat. `NOT_FOUND` when there is no such cat.
    async fn delete_cat(
        &self,
        ctx: &Context<'_>,
        input: DeleteCatInput,
    ) -> async_graphql::Result<DeleteCatPayload> {
        let state = ctx.data::<ApiState>()?;
        let id = parse_id("id", &input.id)?;
        let cat = state.photos.delete_cat(id).await.map_err(ApiError::from)?;
        Ok(DeleteCatPayload {
            deleted_cat_id: ID(cat.id.to_string()),
            cat: CatObject(cat),
            client_mutation_id: input.client_mutation_id,
        })
    }
}
