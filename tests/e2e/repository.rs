//! The repository suite, run unchanged on PostgreSQL and SQLite.

use cattery_domain::{
    Age, Breed, CatFilter, CatListQuery, CatName, CatOrder, CatPatch, CatRepository, DomainError,
    NewCat, PageRequest,
};
use cattery_persistence::{Database, DatabaseOptions};
use cattery_tests::{Backend, TestDb, on_both_backends};
use std::sync::Arc;

async fn repository(backend: Backend) -> (TestDb, Database, Arc<dyn CatRepository>) {
    let test_db = TestDb::create(backend).await;
    let db = Database::connect(&DatabaseOptions {
        url: test_db.url.clone(),
        max_connections: 4,
        acquire_timeout: std::time::Duration::from_secs(10),
    })
    .await
    .unwrap();
    db.migrate_up(None).await.unwrap();
    let repo = db.cat_repository();
    (test_db, db, repo)
}

fn new_cat(name: &str, age: i64, breed: &str) -> NewCat {
    NewCat {
        name: CatName::parse(name).unwrap(),
        age: Age::parse(age).unwrap(),
        breed: Breed::parse(breed).unwrap(),
    }
}

async fn the_repository_stores_finds_counts_updates_and_deletes(backend: Backend) {
    let (_guard, _db, repo) = repository(backend).await;
    repo.ping().await.unwrap();
    let a = repo.create(new_cat("Tama", 3, "Bobtail")).await.unwrap();
    let b = repo.create(new_cat("Kuro", 40, "Bombay")).await.unwrap();
    assert_eq!(a.created_at, a.updated_at);
    assert!(a.image.is_none());

    let mut found = repo
        .find_many(&[b.id, a.id, uuid::Uuid::new_v4()])
        .await
        .unwrap();
    found.sort_by_key(|c| c.name.as_str().to_owned());
    assert_eq!(found, vec![b.clone(), a.clone()]);
    assert!(repo.find_many(&[]).await.unwrap().is_empty());

    assert_eq!(repo.count(&CatFilter::default()).await.unwrap(), 2);
    let bombay = CatFilter {
        breed: Some("BOMBAY".into()),
        ..CatFilter::default()
    };
    assert_eq!(repo.count(&bombay).await.unwrap(), 1);

    let page = repo
        .list(&CatListQuery {
            filter: CatFilter::default(),
            order: CatOrder::default(),
            page: PageRequest::Forward {
                limit: 1,
                after: None,
            },
        })
        .await
        .unwrap();
    assert_eq!(page.cats, vec![b.clone()], "newest first");
    assert!(page.has_more);

    let patch = CatPatch {
        age: Some(Age::parse(4).unwrap()),
        expected_updated_at: Some(a.updated_at),
        ..CatPatch::default()
    };
    let a2 = repo.update(a.id, patch).await.unwrap();
    assert_eq!(a2.age.years(), 4);
    assert!(a2.updated_at > a.updated_at);
    assert_eq!(a2.created_at, a.created_at);

    let stale = CatPatch {
        age: Some(Age::parse(5).unwrap()),
        expected_updated_at: Some(a.updated_at),
        ..CatPatch::default()
    };
    assert!(matches!(
        repo.update(a.id, stale).await,
        Err(DomainError::Conflict(_))
    ));
    let missing = uuid::Uuid::new_v4();
    let patch = CatPatch {
        age: Some(Age::parse(5).unwrap()),
        ..CatPatch::default()
    };
    assert!(
        matches!(repo.update(missing, patch).await, Err(DomainError::NotFound(id)) if id == missing)
    );

    assert_eq!(repo.delete(a.id).await.unwrap(), a2);
    assert!(matches!(
        repo.delete(a.id).await,
        Err(DomainError::NotFound(_))
    ));
    assert_eq!(repo.count(&CatFilter::default()).await.unwrap(), 1);
}

async fn timestamps_round_trip_exactly(backend: Backend) {
    let (_guard, _db, repo) = repository(backend).await;
    let cat = repo.create(new_cat("Hana", 1, "Mixed")).await.unwrap();
    let read = repo.find_many(&[cat.id]).await.unwrap();
    assert_eq!(read[0].created_at, cat.created_at);
    assert_eq!(read[0].updated_at, cat.updated_at);
}

on_both_backends!(
    the_repository_stores_finds_counts_updates_and_deletes,
    timestamps_round_trip_exactly,
);
