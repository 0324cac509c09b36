//! DataLoaders: every by-id load in a request goes through one, so that many lookups in one request
//! become one SQL statement.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use cattery_domain::{Cat, CatId, CatRepository, DomainError};

/// Batches cat lookups by id.
pub struct CatLoader {
    cats: Arc<dyn CatRepository>,
}

impl CatLoader {
    /// A loader reading from `cats`.
    pub fn new(cats: Arc<dyn CatRepository>) -> Self {
        Self { cats }
    }
}

impl Loader<CatId> for CatLoader {
    type Value = Cat;
    type Error = Arc<DomainError>;

    async fn load(&self, ids: &[CatId]) -> Result<HashMap<CatId, Cat>, Self::Error> {
        let cats = self.cats.find_many(ids).await.map_err(Arc::new)?;
        Ok(cats.into_iter().map(|cat| (cat.id, cat)).collect())
    }
}
