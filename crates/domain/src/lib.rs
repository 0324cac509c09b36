//! Cattery's domain: what a cat is, the rules its fields obey, and the ports (async traits) that the
//! persistence and storage adapters implement.
//!
//! This crate knows no ORM, no GraphQL and no cloud SDK: adapters depend on it, never the reverse.

mod cat;
mod error;
mod image;
mod listing;
mod repository;
mod values;

pub use cat::{Cat, CatId, CatPatch, NewCat};
pub use error::{DomainError, Result};
pub use image::{ImageBody, ImageFormat, ImageKey, ImageStore, PresignedRequest, StoredObject};
pub use listing::{
    CatCursor, CatFilter, CatListQuery, CatOrder, CatOrderField, CatPage, PageRequest,
    SortDirection, SortValue,
};
pub use repository::CatRepository;
pub use values::{Age, Breed, CatName};
