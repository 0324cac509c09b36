//! Reading cats: one by id, and the paginated listing.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object};
use cattery_domain::{CatListQuery, PageRequest};

use crate::error::ApiError;
use crate::loaders::CatLoader;
use crate::schema::{ApiState, PageLimits};
use crate::types::cat::CatObject;
use crate::types::connection::CatConnection;
use crate::types::cursor;
use crate::types::id::parse_id;
use crate::types::inputs::{CatFilterInput, CatOrderInput};

#[derive(Default)]
pub(crate) struct CatQuery;

fn page_size(arg: &'static str, value: i32, limits: PageLimits) -> Result<u64, ApiError> {
    let size = u64::try_from(value).map_err(|_| {
        ApiError::bad_input(arg, format!("`{arg}` must not be negative (got {value})"))
    })?;
    if size > limits.max {
        return Err(ApiError::bad_input(
            arg,
            format!(
                "`{arg}` must be at most {} (got {value}); page through the rest",
                limits.max
            ),
        ));
    }
    Ok(size)
}

fn page_request(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
    limits: PageLimits,
) -> Result<PageRequest, ApiError> {
    match (first, last) {
        (Some(_), Some(_)) => Err(ApiError::bad_input(
            "last",
            "pass either `first` (with `after`) or `last` (with `before`), not both",
        )),
        (_, Some(last)) => {
            if after.is_some() {
                return Err(ApiError::bad_input(
                    "after",
                    "`after` goes with `first`, not `last`",
                ));
            }
            Ok(PageRequest::Backward {
                limit: page_size("last", last, limits)?,
                before: before.map(|c| cursor::decode("before", &c)).transpose()?,
            })
        }
        (first, None) => {
            if before.is_some() && first.is_some() {
                return Err(ApiError::bad_input(
                    "before",
                    "`before` goes with `last`, not `first`",
                ));
            }
            if let Some(before) = before {
                // `before` alone: the page just before the cursor, like `last` with the default size.
                return Ok(PageRequest::Backward {
                    limit: limits.default,
                    before: Some(cursor::decode("before", &before)?),
                });
            }
            Ok(PageRequest::Forward {
                limit: first.map_or(Ok(limits.default), |f| page_size("first", f, limits))?,
                after: after.map(|c| cursor::decode("after", &c)).transpose()?,
            })
        }
    }
}

/// Cost of a connection field: the child cost times the page size, the multiplier capped at 100.
fn page_complexity(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first.or(last).unwrap_or(20).clamp(1, 100);
    usize::try_from(size).unwrap_or(100) * child_complexity + 1
}

#[Object]
impl CatQuery {
    /// The cat with this id, or null when there is none. A malformed id is `BAD_USER_INPUT`.
    async fn cat(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<CatObject>> {
        let id = parse_id("id", &id)?;
        let loader = ctx.data::<DataLoader<CatLoader>>()?;
        let cat = loader.load_one(id).await.map_err(ApiError::from)?;
        Ok(cat.map(CatObject))
    }

    /// Cats, a page at a time (Relay cursor connection). Newest first by default. Use `first`/`after`
    /// to page forwards and `last`/`before` to page backwards; pages are keyset pages, stable while cats
    /// are added. Page size defaults to 20 and is at most 100 (a larger value is `BAD_USER_INPUT`).
    // The multiplier is capped at the default page-size cap so that an oversized page gets the
    // resolver's clear BAD_USER_INPUT rather than a complexity error.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn cats(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CatFilterInput>,
        order_by: Option<CatOrderInput>,
    ) -> async_graphql::Result<CatConnection> {
        let state = ctx.data::<ApiState>()?;
        let limits = *ctx.data::<PageLimits>()?;
        let page = page_request(first, after, last, before, limits)?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let order = order_by.map(CatOrderInput::into_domain).unwrap_or_default();
        let query = CatListQuery {
            filter,
            order,
            page,
        };
        let result = state.cats.list(&query).await.map_err(ApiError::from)?;
        let (has_next_page, has_previous_page) = match &query.page {
            PageRequest::Forward { after, .. } => (result.has_more, after.is_some()),
            PageRequest::Backward { before, .. } => (before.is_some(), result.has_more),
        };
        Ok(CatConnection {
            cats: result.cats,
            field: order.field,
            filter: query.filter,
            has_next_page,
            has_previous_page,
        })
    }
}
