//! The port through which the domain reads and writes cats.

use async_trait::async_trait;

use crate::cat::{Cat, CatId, CatPatch, NewCat};
use crate::error::Result;
use crate::listing::{CatFilter, CatListQuery, CatPage};

/// Storage of cat records. Implemented by the persistence crate on PostgreSQL and SQLite.
#[async_trait]
pub trait CatRepository: Send + Sync {
    /// Inserts a new cat and returns it as stored.
    async fn create(&self, new: NewCat) -> Result<Cat>;

    /// Loads the cats with these ids, in one round trip; absent ids are simply missing from the result.
    async fn find_many(&self, ids: &[CatId]) -> Result<Vec<Cat>>;

    /// One page of cats in keyset order.
    async fn list(&self, query: &CatListQuery) -> Result<CatPage>;

    /// How many cats match `filter`.
    async fn count(&self, filter: &CatFilter) -> Result<u64>;

    /// Applies a partial update; `NotFound` when absent, `Conflict` when the expected version is stale.
    async fn update(&self, id: CatId, patch: CatPatch) -> Result<Cat>;

    /// Deletes a cat and returns the deleted record; `NotFound` when absent.
    async fn delete(&self, id: CatId) -> Result<Cat>;

    /// Checks that the backing store answers.
    async fn ping(&self) -> Result<()>;
}
