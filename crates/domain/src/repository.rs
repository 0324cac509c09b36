//! The port through which the domain reads and writes cats.

use async_trait::async_trait;

use crate::cat::{Cat, CatId, CatImage, CatPatch, NewCat};
use crate::error::Result;
use crate::image::ImageKey;
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

    /// Sets or clears the cat's photo, only if its current photo key is still `expected` (`None`: no
    /// photo); `Conflict` when another write changed it meanwhile, `NotFound` when the cat is absent.
    async fn set_image(
        &self,
        id: CatId,
        image: Option<CatImage>,
        expected: Option<&ImageKey>,
    ) -> Result<Cat>;

    /// Every photo key referenced by a cat, with the cat's id (for garbage collection).
    async fn image_keys(&self) -> Result<Vec<(CatId, ImageKey)>>;

    /// Checks that the backing store answers.
    async fn ping(&self) -> Result<()>;
}
