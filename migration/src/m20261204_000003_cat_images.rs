//! Photo metadata on `cats` (the object key stays in the seed's `image_url`) and the table of pending
//! direct uploads.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &str = r#"
ALTER TABLE cats
    ADD COLUMN image_content_type VARCHAR(100),
    ADD COLUMN image_byte_size BIGINT,
    ADD COLUMN image_width INTEGER,
    ADD COLUMN image_height INTEGER;
CREATE TABLE cat_image_uploads (
    id UUID PRIMARY KEY,
    cat_id UUID NOT NULL REFERENCES cats(id) ON DELETE CASCADE,
    object_key VARCHAR(255) NOT NULL,
    content_type VARCHAR(100) NOT NULL,
    byte_size BIGINT NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX idx_cat_image_uploads_expires_at ON cat_image_uploads(expires_at);
"#;

const SQLITE_UP: &str = r#"
ALTER TABLE cats ADD COLUMN image_content_type VARCHAR(100);
ALTER TABLE cats ADD COLUMN image_byte_size BIGINT;
ALTER TABLE cats ADD COLUMN image_width INTEGER;
ALTER TABLE cats ADD COLUMN image_height INTEGER;
CREATE TABLE cat_image_uploads (
    id BLOB PRIMARY KEY NOT NULL,
    cat_id BLOB NOT NULL REFERENCES cats(id) ON DELETE CASCADE,
    object_key VARCHAR(255) NOT NULL,
    content_type VARCHAR(100) NOT NULL,
    byte_size BIGINT NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX idx_cat_image_uploads_expires_at ON cat_image_uploads(expires_at);
"#;

const POSTGRES_DOWN: &str = r#"
DROP TABLE IF EXISTS cat_image_uploads;
ALTER TABLE cats
    DROP COLUMN IF EXISTS image_content_type,
    DROP COLUMN IF EXISTS image_byte_size,
    DROP COLUMN IF EXISTS image_width,
    DROP COLUMN IF EXISTS image_height;
"#;

const SQLITE_DOWN: &str = r#"
DROP TABLE IF EXISTS cat_image_uploads;
ALTER TABLE cats DROP COLUMN image_content_type;
ALTER TABLE cats DROP COLUMN image_byte_size;
ALTER TABLE cats DROP COLUMN image_width;
ALTER TABLE cats DROP COLUMN image_height;
"#;

fn pick(
    manager: &SchemaManager,
    postgres: &'static str,
    sqlite: &'static str,
) -> Result<&'static str, DbErr> {
    match manager.get_database_backend() {
        DatabaseBackend::Postgres => Ok(postgres),
        DatabaseBackend::Sqlite => Ok(sqlite),
        other => Err(DbErr::Migration(format!("unsupported backend {other:?}"))),
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sql = pick(manager, POSTGRES_UP, SQLITE_UP)?;
        manager.get_connection().execute_unprepared(sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sql = pick(manager, POSTGRES_DOWN, SQLITE_DOWN)?;
        manager.get_connection().execute_unprepared(sql).await?;
        Ok(())
    }
}
