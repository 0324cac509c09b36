//! The Relay connection types for cats.

use async_graphql::{Context, Object, SimpleObject};
use cattery_domain::{Cat, CatCursor, CatFilter, CatOrderField};

use crate::error::ApiError;
use crate::schema::ApiState;
use crate::types::cat::CatObject;
use crate::types::cursor;

/// Relay page information.
#[derive(SimpleObject)]
pub(crate) struct PageInfo {
    /// Whether more cats follow this page.
    pub has_next_page: bool,
    /// Whether cats precede this page.
    pub has_previous_page: bool,
    /// Cursor of the first edge, if any.
    pub start_cursor: Option<String>,
    /// Cursor of the last edge, if any.
    pub end_cursor: Option<String>,
}

/// A cat and its position in the listing.
pub(crate) struct CatEdge {
    cat: Cat,
    field: CatOrderField,
}

/// A cat and its position in the listing.
#[Object]
impl CatEdge {
    /// Opaque position of this edge; pass it as `after` or `before`.
    async fn cursor(&self) -> String {
        cursor::encode(&CatCursor::of(&self.cat, self.field))
    }

    /// The cat.
    async fn node(&self) -> CatObject {
        CatObject(self.cat.clone())
    }
}

/// A page of cats (Relay cursor connection).
pub(crate) struct CatConnection {
    pub cats: Vec<Cat>,
    pub field: CatOrderField,
    pub filter: CatFilter,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

/// A page of cats (Relay cursor connection).
#[Object]
impl CatConnection {
    /// The page's edges.
    async fn edges(&self) -> Vec<CatEdge> {
        self.cats
            .iter()
            .map(|cat| CatEdge {
                cat: cat.clone(),
                field: self.field,
            })
            .collect()
    }

    /// The page's cats, without cursors.
    async fn nodes(&self) -> Vec<CatObject> {
        self.cats.iter().cloned().map(CatObject).collect()
    }

    /// Paging information.
    async fn page_info(&self) -> PageInfo {
        let cursor_of = |cat: &Cat| cursor::encode(&CatCursor::of(cat, self.field));
        PageInfo {
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
            start_cursor: self.cats.first().map(cursor_of),
            end_cursor: self.cats.last().map(cursor_of),
        }
    }

    /// Number of cats matching the filter, over all pages (counted only when asked for).
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        let state = ctx.data::<ApiState>()?;
        Ok(state
            .cats
            .count(&self.filter)
            .await
            .map_err(ApiError::from)?)
    }
}
