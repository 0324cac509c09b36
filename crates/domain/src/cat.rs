//! The cat record and the commands that create and change it.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::image::ImageKey;
use crate::values::{Age, Breed, CatName};

/// A cat's identifier.
pub type CatId = Uuid;

/// A cat as stored in the registry.
#[derive(Debug, Clone, PartialEq)]
pub struct Cat {
    /// Primary key.
    pub id: CatId,
    /// Validated name.
    pub name: CatName,
    /// Validated age.
    pub age: Age,
    /// Validated breed.
    pub breed: Breed,
    /// The cat's photo, when it has one.
    pub image: Option<CatImage>,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

/// A photo attached to a cat: the object's key (stored in the seed's `image_url` column) and facts
/// read from the file when it was attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatImage {
    /// Object key in the image store.
    pub key: ImageKey,
    /// MIME type, from the file's own bytes.
    pub content_type: String,
    /// Size in bytes.
    pub byte_size: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// A cat to be created: only validated values can be put in.
#[derive(Debug, Clone)]
pub struct NewCat {
    /// Validated name.
    pub name: CatName,
    /// Validated age.
    pub age: Age,
    /// Validated breed.
    pub breed: Breed,
}

/// A partial update: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CatPatch {
    /// New name.
    pub name: Option<CatName>,
    /// New age.
    pub age: Option<Age>,
    /// New breed.
    pub breed: Option<Breed>,
    /// When set, the update applies only if the record's `updated_at` still equals this value
    /// (optimistic concurrency); otherwise it fails with [`crate::DomainError::Conflict`].
    pub expected_updated_at: Option<DateTime<Utc>>,
}

impl CatPatch {
    /// Whether the patch changes no field.
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.age.is_none() && self.breed.is_none()
    }
}
