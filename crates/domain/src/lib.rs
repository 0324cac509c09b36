//! Cattery's domain: what a cat is, the rules its fields obey, and the ports (async traits) that the
//! persistence and storage adapters implement.
//!
//! This crate knows no ORM, no GraphQL and no cloud SDK: adapters depend on it, never the reverse.

mod cat;
mod error;
mod image;
mod inspect;
mod listing;
mod photos;
mod repository;
mod upload;
mod values;

pub use cat::{Cat, CatId, CatImage, CatPatch, NewCat};
pub use error::{DomainError, Result};
pub use image::{ImageBody, ImageFormat, ImageKey, ImageStore, PresignedRequest, StoredObject};
pub use inspect::{ImageInfo, check_declared_type, inspect_image};
pub use listing::{
    CatCursor, CatFilter, CatListQuery, CatOrder, CatOrderField, CatPage, PageRequest,
    SortDirection, SortValue,
};
pub use photos::{GcReport, PhotoPolicy, Photos};
pub use repository::CatRepository;
pub use upload::{PendingUpload, UploadRepository};
pub use values::{Age, Breed, CatName};
