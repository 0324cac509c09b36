//! Building the schema and the per-request data it needs.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{EmptySubscription, Schema};
use cattery_domain::{CatRepository, Photos};

use crate::loaders::CatLoader;
use crate::mutation::MutationRoot;
use crate::query::QueryRoot;

/// The Cattery schema type.
pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Tunables of the schema.
#[derive(Debug, Clone)]
pub struct SchemaOptions {
    /// Whether `__schema`/`__type` introspection is answered.
    pub introspection: bool,
    /// Deepest selection nesting accepted.
    pub max_depth: usize,
    /// Largest query complexity accepted (each field costs 1; list fields multiply by page size).
    pub max_complexity: usize,
    /// Largest `first`/`last` accepted on connections.
    pub max_page_size: u64,
    /// Page size when neither `first` nor `last` is given.
    pub default_page_size: u64,
}

impl Default for SchemaOptions {
    fn default() -> Self {
        Self {
            introspection: true,
            max_depth: 16,
            max_complexity: 5_000,
            max_page_size: 100,
            default_page_size: 20,
        }
    }
}

/// Application services the resolvers use, shared by all requests.
#[derive(Clone)]
pub struct ApiState {
    /// Cat records.
    pub cats: Arc<dyn CatRepository>,
    /// The photo workflow.
    pub photos: Photos,
}

/// Page-size limits, as resolver data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageLimits {
    pub max: u64,
    pub default: u64,
}

/// Builds the schema around `state`.
pub fn build_schema(state: ApiState, options: &SchemaOptions) -> AppSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .data(state)
    .data(PageLimits {
        max: options.max_page_size,
        default: options.default_page_size,
    })
    .limit_depth(options.max_depth)
    .limit_complexity(options.max_complexity);
    if !options.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// Attaches per-request data (fresh DataLoaders, so no request sees another's cached rows).
pub fn request_data(request: async_graphql::Request, state: &ApiState) -> async_graphql::Request {
    request.data(DataLoader::new(
        CatLoader::new(Arc::clone(&state.cats)),
        tokio::spawn,
    ))
}

/// The schema's SDL, as committed in `schema.graphql`. Needs no database.
pub fn schema_sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .finish()
    .sdl()
}
