//! `LocalStore`: the same behaviour as S3 on a local folder, plus the checks the server's `/files`
//! handlers rely on (signed URLs, exact-length writes, no partial files).

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::time::Duration;

use cattery_domain::{ImageBody, ImageFormat, ImageKey, ImageStore, PresignedRequest};
use cattery_storage::{LocalStore, LocalUrlError, StorageConfig, StorageError};
use common::{cat_key, png_bytes};
use tokio::io::AsyncReadExt;
use uuid::Uuid;

const BASE: &str = "http://localhost:8000";

fn store(root: &Path) -> LocalStore {
    LocalStore::new(root, format!("{BASE}/"), [42u8; 32]).unwrap()
}

fn upload_key() -> ImageKey {
    ImageKey::for_upload(Uuid::new_v4(), Uuid::new_v4(), ImageFormat::Png)
}

/// The key, expiry and signature a `/files` handler would extract from the URL.
fn parts(request: &PresignedRequest) -> (String, i64, String) {
    let url = url::Url::parse(&request.url).unwrap();
    let key = url
        .path()
        .strip_prefix(LocalStore::FILES_PATH)
        .unwrap()
        .to_owned();
    let query = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    let expires = query(LocalStore::EXPIRES_PARAM).parse().unwrap();
    (key, expires, query(LocalStore::SIGNATURE_PARAM))
}

/// Files under `dir`, hidden temporary files included.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                found.push(entry.path().display().to_string());
            }
        }
    }
    found
}

#[tokio::test]
async fn put_then_head_read_prefix_list_copy_and_delete_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    common::put_head_read_list_copy_delete(&store(dir.path())).await;
    assert!(
        files_under(dir.path()).is_empty(),
        "{:?}",
        files_under(dir.path())
    );
}

#[tokio::test]
async fn an_empty_object_has_size_zero_and_an_empty_prefix() {
    let dir = tempfile::tempdir().unwrap();
    common::empty_objects(&store(dir.path())).await;
}

#[tokio::test]
async fn head_of_a_missing_key_is_none() {
    let dir = tempfile::tempdir().unwrap();
    common::missing_objects(&store(dir.path())).await;
}

#[tokio::test]
async fn a_file_body_is_copied_and_opened_back_byte_for_byte_through_the_presigned_get_url() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir.path().join("store"));
    let source = dir.path().join("upload.png");
    let body = png_bytes(3 * 1024 * 1024 + 17);
    std::fs::write(&source, &body).unwrap();
    let key = cat_key();
    let stored = store
        .put(&key, ImageBody::File(source), "image/png")
        .await
        .unwrap();
    assert_eq!(stored.byte_size, body.len() as u64);

    let get = store
        .presign_get(&key, Duration::from_secs(900))
        .await
        .unwrap();
    assert!(
        get.url.starts_with(&format!("{BASE}/files/{key}?expires=")),
        "{}",
        get.url
    );
    let (path_key, expires, signature) = parts(&get);
    let verified = store.verify_get(&path_key, expires, &signature).unwrap();
    assert_eq!(verified, key);
    let (mut file, object) = store.open(&verified).await.unwrap().unwrap();
    assert_eq!(object.content_type.as_deref(), Some("image/png"));
    assert_eq!(object.byte_size, body.len() as u64);
    let mut read = Vec::new();
    file.read_to_end(&mut read).await.unwrap();
    assert_eq!(read, body);
}

#[tokio::test]
async fn open_of_a_missing_key_is_none() {
    let dir = tempfile::tempdir().unwrap();
    assert!(store(dir.path()).open(&cat_key()).await.unwrap().is_none());
}

#[tokio::test]
async fn presigned_get_url_is_identical_when_asked_twice_in_a_row() {
    let dir = tempfile::tempdir().unwrap();
    common::presigned_get_is_stable(&store(dir.path())).await;
}

#[tokio::test]
async fn a_tampered_presigned_get_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let key = cat_key();
    let get = store
        .presign_get(&key, Duration::from_secs(900))
        .await
        .unwrap();
    let (path_key, expires, signature) = parts(&get);

    let mut tampered = signature.clone();
    let last = if tampered.ends_with('0') { "1" } else { "0" };
    tampered.replace_range(tampered.len() - 1.., last);
    assert_eq!(
        store.verify_get(&path_key, expires, &tampered),
        Err(LocalUrlError::BadSignature)
    );
    // A later expiry, another key, or a key from another store's secret are refused too.
    assert_eq!(
        store.verify_get(&path_key, expires + 3600, &signature),
        Err(LocalUrlError::BadSignature)
    );
    let other = cat_key();
    assert_eq!(
        store.verify_get(other.as_str(), expires, &signature),
        Err(LocalUrlError::BadSignature)
    );
    let other_store = LocalStore::new(dir.path(), BASE, [7u8; 32]).unwrap();
    assert_eq!(
        other_store.verify_get(&path_key, expires, &signature),
        Err(LocalUrlError::BadSignature)
    );
    assert_eq!(
        store.verify_get("../../etc/passwd", expires, &signature),
        Err(LocalUrlError::InvalidKey)
    );
    assert_eq!(store.verify_get(&path_key, expires, &signature), Ok(key));
}

#[tokio::test]
async fn an_expired_presigned_get_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let get = store
        .presign_get(&cat_key(), Duration::from_secs(1))
        .await
        .unwrap();
    let (path_key, expires, signature) = parts(&get);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        store.verify_get(&path_key, expires, &signature),
        Err(LocalUrlError::Expired)
    );
}

#[tokio::test]
async fn presigned_put_names_content_type_and_content_length_as_required_headers() {
    let dir = tempfile::tempdir().unwrap();
    common::presigned_put_requires_type_and_length(&store(dir.path())).await;
}

#[tokio::test]
async fn presigned_put_accepts_the_signed_headers_and_refuses_others() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let key = upload_key();
    let put = store
        .presign_put(&key, "image/png", 4096, Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(put.method, "PUT");
    let (path_key, expires, signature) = parts(&put);
    let verify = |content_type: &str, length: u64| {
        store.verify_put(&path_key, expires, &signature, content_type, length)
    };
    assert_eq!(verify("image/png", 4096), Ok(key.clone()));
    assert_eq!(verify("image/png", 4097), Err(LocalUrlError::BadSignature));
    assert_eq!(verify("image/png", 4095), Err(LocalUrlError::BadSignature));
    assert_eq!(verify("image/jpeg", 4096), Err(LocalUrlError::BadSignature));
    // A PUT URL does not allow a GET, nor the other way round.
    assert_eq!(
        store.verify_get(&path_key, expires, &signature),
        Err(LocalUrlError::BadSignature)
    );
}

#[tokio::test]
async fn an_expired_presigned_put_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let put = store
        .presign_put(&upload_key(), "image/png", 10, Duration::from_secs(1))
        .await
        .unwrap();
    let (path_key, expires, signature) = parts(&put);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        store.verify_put(&path_key, expires, &signature, "image/png", 10),
        Err(LocalUrlError::Expired)
    );
}

#[tokio::test]
async fn write_stream_stores_a_body_of_the_signed_length() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let key = upload_key();
    let body = png_bytes(5000);
    let stored = store
        .write_stream(&key, "image/png", body.as_slice(), 5000)
        .await
        .unwrap();
    assert_eq!(stored.byte_size, 5000);
    assert_eq!(stored.content_type.as_deref(), Some("image/png"));
    assert_eq!(store.read_prefix(&key, 10_000).await.unwrap(), body);
}

#[tokio::test]
async fn write_stream_refuses_a_wrong_length_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let key = upload_key();
    for sent in [4999, 5001, 0] {
        let body = png_bytes(sent);
        let err = store
            .write_stream(&key, "image/png", body.as_slice(), 5000)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StorageError::LengthMismatch { expected: 5000, .. }),
            "{err:?}"
        );
        assert!(store.head(&key).await.unwrap().is_none());
    }
    // Reading stops one byte past the signed length.
    let err = store
        .write_stream(&key, "image/png", png_bytes(1_000_000).as_slice(), 5000)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StorageError::LengthMismatch { actual: 5001, .. }),
        "{err:?}"
    );
    let leftovers: Vec<_> = files_under(dir.path());
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn write_stream_over_an_existing_object_replaces_it_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let key = upload_key();
    let first = png_bytes(100);
    store
        .write_stream(&key, "image/png", first.as_slice(), 100)
        .await
        .unwrap();
    let short = vec![0u8; 50];
    assert!(
        store
            .write_stream(&key, "image/png", short.as_slice(), 100)
            .await
            .is_err()
    );
    assert_eq!(store.read_prefix(&key, 1000).await.unwrap(), first);
    let second = vec![9u8; 100];
    store
        .write_stream(&key, "image/gif", second.as_slice(), 100)
        .await
        .unwrap();
    assert_eq!(store.read_prefix(&key, 1000).await.unwrap(), second);
    let head = store.head(&key).await.unwrap().unwrap();
    assert_eq!(head.content_type.as_deref(), Some("image/gif"));
}

#[tokio::test]
async fn list_ignores_writes_in_progress_and_other_prefixes() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let cat = Uuid::new_v4();
    let photo = ImageKey::new_for_cat(cat, ImageFormat::Png);
    let upload = ImageKey::for_upload(cat, Uuid::new_v4(), ImageFormat::Png);
    for key in [&photo, &upload] {
        store
            .put(key, ImageBody::Bytes(png_bytes(10)), "image/png")
            .await
            .unwrap();
    }
    // A temporary file as a write in progress leaves it.
    let photo_path = dir.path().join("objects").join(photo.as_str());
    std::fs::write(photo_path.with_file_name(".x.png.123.tmp"), b"partial").unwrap();

    let keys = |objects: Vec<cattery_domain::StoredObject>| {
        objects.into_iter().map(|o| o.key).collect::<Vec<_>>()
    };
    assert_eq!(
        keys(store.list("cats/").await.unwrap()),
        vec![photo.clone()]
    );
    assert_eq!(
        keys(store.list("uploads/").await.unwrap()),
        vec![upload.clone()]
    );
    assert_eq!(keys(store.list("").await.unwrap()), vec![photo, upload]);
    assert!(store.list("cats/../../").await.is_err());
    assert!(store.list("/etc/").await.is_err());
}

#[tokio::test]
async fn new_refuses_a_short_signing_key_or_a_base_url_without_scheme() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        LocalStore::new(dir.path(), BASE, [1u8; 16]),
        Err(StorageError::Config(_))
    ));
    assert!(matches!(
        LocalStore::new(dir.path(), "localhost:8000", [1u8; 32]),
        Err(StorageError::Config(_))
    ));
}

#[tokio::test]
async fn build_picks_the_local_store_and_exposes_it_for_the_files_routes() {
    let dir = tempfile::tempdir().unwrap();
    let config = StorageConfig::Local {
        root: dir.path().to_owned(),
        public_base_url: BASE.into(),
        signing_key: vec![3u8; 32].into(),
    };
    assert!(!format!("{config:?}").contains("3, 3"));
    let storage = cattery_storage::build(config).await.unwrap();
    let local = storage.local.clone().unwrap();
    assert!(storage.s3.is_none());
    storage.ping().await.unwrap();
    let key = cat_key();
    storage
        .images
        .put(&key, ImageBody::Bytes(png_bytes(10)), "image/png")
        .await
        .unwrap();
    assert!(local.open(&key).await.unwrap().is_some());
}
