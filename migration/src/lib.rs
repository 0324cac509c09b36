//! Database migrations for Cattery, for PostgreSQL (production) and SQLite (the embedded default).
//!
//! Migrations are never edited once landed: a change is a new file.

pub use sea_orm_migration::prelude::*;

mod m20261204_000001_create_cats;
mod m20261204_000002_cat_listing_indexes;
mod m20261204_000003_cat_images;

/// The ordered list of Cattery's migrations.
pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261204_000001_create_cats::Migration),
            Box::new(m20261204_000002_cat_listing_indexes::Migration),
            Box::new(m20261204_000003_cat_images::Migration),
        ]
    }
}
