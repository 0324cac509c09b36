//! Relay's `node` and `nodes` fields.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object};

use crate::error::ApiError;
use crate::loaders::CatLoader;
use crate::types::cat::CatObject;
use crate::types::id::parse_id;
use crate::types::node::Node;

#[derive(Default)]
pub(crate) struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id, or null when there is none (Relay).
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let id = parse_id("id", &id)?;
        let loader = ctx.data::<DataLoader<CatLoader>>()?;
        let cat = loader.load_one(id).await.map_err(ApiError::from)?;
        Ok(cat.map(|cat| Node::Cat(CatObject(cat))))
    }

    /// Objects by global ids, in the order given, null where absent (Relay). One SQL statement.
    #[graphql(complexity = "ids.len() * child_complexity + 1")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        let ids = ids
            .iter()
            .map(|id| parse_id("ids", id))
            .collect::<Result<Vec<_>, _>>()?;
        let loader = ctx.data::<DataLoader<CatLoader>>()?;
        let found = loader
            .load_many(ids.iter().copied())
            .await
            .map_err(ApiError::from)?;
        Ok(ids
            .iter()
            .map(|id| found.get(id).cloned().map(|cat| Node::Cat(CatObject(cat))))
            .collect())
    }
}
