//! The `Cat` object.

use async_graphql::{ID, Object};

use crate::types::image::CatImageObject;
use chrono::{DateTime, Utc};

/// A cat in the registry.
pub(crate) struct CatObject(pub cattery_domain::Cat);

/// A cat in the registry.
#[Object(name = "Cat")]
impl CatObject {
    /// Globally unique id (a UUID); usable with `cat`, `node` and the mutations.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Name, 1 to 100 characters.
    async fn name(&self) -> &str {
        self.0.name.as_str()
    }

    /// Age in whole years, 0 to 40.
    async fn age(&self) -> i32 {
        self.0.age.years()
    }

    /// Breed, 1 to 100 characters.
    async fn breed(&self) -> &str {
        self.0.breed.as_str()
    }

    /// When the cat was registered (RFC 3339).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The cat's photo, or null. Its URL is presigned and expires.
    async fn image(&self) -> Option<CatImageObject> {
        self.0.image.clone().map(CatImageObject)
    }

    /// When the record last changed (RFC 3339). Pass it back as `expectedUpdatedAt` to make an update
    /// conditional.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
