//! Indexes behind the listing's other orderings and the breed filter, so that sorting by name or age
//! and filtering by breed stay keyset scans rather than full sorts.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The same statements are valid on PostgreSQL and SQLite (expression indexes included).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_cats_name_id ON cats(name, id);
                 CREATE INDEX idx_cats_age_id ON cats(age, id);
                 CREATE INDEX idx_cats_breed_lower ON cats(lower(breed));",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DROP INDEX IF EXISTS idx_cats_name_id;
                 DROP INDEX IF EXISTS idx_cats_age_id;
                 DROP INDEX IF EXISTS idx_cats_breed_lower;",
            )
            .await?;
        Ok(())
    }
}
