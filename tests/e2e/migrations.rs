//! Migrations: up and down on both backends, and the seed's exact table on PostgreSQL.

use cattery_persistence::{Database, DatabaseOptions, MigrationState};
use cattery_tests::{Backend, TestDb, on_both_backends};
use sea_orm::{ConnectionTrait, Statement};

async fn connect(db: &TestDb) -> Database {
    Database::connect(&DatabaseOptions {
        url: db.url.clone(),
        max_connections: 2,
        acquire_timeout: std::time::Duration::from_secs(10),
    })
    .await
    .unwrap()
}

async fn table_exists(db: &TestDb) -> bool {
    let conn = sea_orm::Database::connect(&db.url).await.unwrap();
    let sql = match db.backend() {
        Backend::Postgres => {
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'cats'"
        }
        Backend::Sqlite => {
            "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'cats'"
        }
    };
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = row.try_get("", "n").unwrap();
    conn.close().await.unwrap();
    n == 1
}

async fn migrations_go_up_and_down_and_up_again(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = connect(&test_db).await;
    let status = db.migration_status().await.unwrap();
    assert!(status.len() >= 2);
    assert!(status.iter().all(|m| m.state == MigrationState::Pending));

    db.migrate_up(None).await.unwrap();
    assert!(
        db.migration_status()
            .await
            .unwrap()
            .iter()
            .all(|m| m.state == MigrationState::Applied)
    );
    assert!(table_exists(&test_db).await);

    let all = u32::try_from(status.len()).unwrap();
    db.migrate_down(Some(all)).await.unwrap();
    assert!(
        db.migration_status()
            .await
            .unwrap()
            .iter()
            .all(|m| m.state == MigrationState::Pending)
    );
    assert!(!table_exists(&test_db).await);

    db.migrate_up(None).await.unwrap();
    assert!(table_exists(&test_db).await);
    db.close().await.unwrap();
}

async fn the_migrate_command_applies_and_rolls_back(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let run = |args: &[&str]| {
        let mut all = vec!["cattery", "--database-url", test_db.url.as_str()];
        all.extend_from_slice(args);
        <cattery::cli::Cli as clap::Parser>::try_parse_from(all).unwrap()
    };
    run(&["migrate", "status"]).run().await.unwrap();
    assert!(!table_exists(&test_db).await, "status changes nothing");
    run(&["migrate", "up"]).run().await.unwrap();
    assert!(table_exists(&test_db).await);
    run(&["migrate", "down"]).run().await.unwrap();
    assert!(
        table_exists(&test_db).await,
        "down rolls back one migration only"
    );
    run(&["migrate", "down", "--steps", "10"])
        .run()
        .await
        .unwrap();
    assert!(!table_exists(&test_db).await);
}

on_both_backends!(
    migrations_go_up_and_down_and_up_again,
    the_migrate_command_applies_and_rolls_back,
);

#[tokio::test]
async fn the_postgres_table_is_exactly_the_seeds() {
    let test_db = TestDb::create(Backend::Postgres).await;
    let db = connect(&test_db).await;
    db.migrate_up(Some(1)).await.unwrap();
    db.close().await.unwrap();
    let conn = sea_orm::Database::connect(&test_db.url).await.unwrap();
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
             FROM information_schema.columns WHERE table_name = 'cats' ORDER BY ordinal_position",
        ))
        .await
        .unwrap();
    let columns: Vec<String> = rows
        .iter()
        .map(|r| {
            let name: String = r.try_get("", "column_name").unwrap();
            let ty: String = r.try_get("", "data_type").unwrap();
            let len: Option<i32> = r.try_get("", "character_maximum_length").unwrap();
            let nullable: String = r.try_get("", "is_nullable").unwrap();
            let default: Option<String> = r.try_get("", "column_default").unwrap();
            format!(
                "{name} {ty} {len:?} {nullable} {}",
                default.unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        columns,
        vec![
            "id uuid None NO gen_random_uuid()",
            "name character varying Some(100) NO ",
            "age integer None NO ",
            "breed character varying Some(100) NO ",
            "image_url character varying Some(255) YES ",
            "created_at timestamp with time zone None YES CURRENT_TIMESTAMP",
            "updated_at timestamp with time zone None YES CURRENT_TIMESTAMP",
        ]
    );
    let index = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_cats_created_at'",
        ))
        .await
        .unwrap()
        .unwrap();
    let def: String = index.try_get("", "indexdef").unwrap();
    assert!(def.ends_with("USING btree (created_at DESC)"), "{def}");
    let pk = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT count(*) AS n FROM information_schema.table_constraints WHERE table_name = 'cats' AND constraint_type = 'PRIMARY KEY'",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pk.try_get::<i64>("", "n").unwrap(), 1);
    conn.close().await.unwrap();
}
