//! Behaviour every `ImageStore` backend must show, run by `s3.rs` and `local.rs` on their backend.

#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use cattery_domain::{ImageBody, ImageFormat, ImageKey, ImageStore};
use uuid::Uuid;

/// A fresh key for a photo of a fresh cat.
pub fn cat_key() -> ImageKey {
    ImageKey::new_for_cat(Uuid::new_v4(), ImageFormat::Png)
}

/// Bytes that look like the start of a PNG, then a pattern that makes every offset distinct.
pub fn png_bytes(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..len.saturating_sub(8)).map(|i| (i % 251) as u8));
    bytes.truncate(len);
    bytes
}

/// put, then head, read_prefix, list, copy and delete see and change exactly that object.
pub async fn put_head_read_list_copy_delete(store: &dyn ImageStore) {
    let key = cat_key();
    let body = png_bytes(1000);
    let stored = store
        .put(&key, ImageBody::Bytes(body.clone()), "image/png")
        .await
        .unwrap();
    assert_eq!(stored.key, key);
    assert_eq!(stored.byte_size, 1000);

    let head = store.head(&key).await.unwrap().expect("the object exists");
    assert_eq!(head.byte_size, 1000);
    assert_eq!(head.content_type.as_deref(), Some("image/png"));
    assert!(head.last_modified.is_some());

    assert_eq!(store.read_prefix(&key, 16).await.unwrap(), body[..16]);
    assert_eq!(store.read_prefix(&key, 5000).await.unwrap(), body);
    assert!(store.read_prefix(&key, 0).await.unwrap().is_empty());

    let cat_prefix = key.as_str().rsplit_once('/').unwrap().0.to_owned() + "/";
    let listed = store.list(&cat_prefix).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].key, key);
    assert_eq!(listed[0].byte_size, 1000);

    let copy = ImageKey::parse(&format!("{cat_prefix}copy.png")).unwrap();
    store.copy(&key, &copy).await.unwrap();
    let copied = store.head(&copy).await.unwrap().expect("the copy exists");
    assert_eq!(copied.byte_size, 1000);
    assert_eq!(copied.content_type.as_deref(), Some("image/png"));
    assert_eq!(store.read_prefix(&copy, 5000).await.unwrap(), body);
    assert_eq!(store.list(&cat_prefix).await.unwrap().len(), 2);
    // A prefix that is not a whole folder name matches partial names, as in S3.
    assert_eq!(
        store.list(&format!("{cat_prefix}co")).await.unwrap().len(),
        1
    );

    store.delete(&key).await.unwrap();
    store.delete(&copy).await.unwrap();
    assert!(store.head(&key).await.unwrap().is_none());
    assert!(store.list(&cat_prefix).await.unwrap().is_empty());
    // Deleting a missing object succeeds.
    store.delete(&key).await.unwrap();
}

/// head of a key never written is `None`; reading or copying it is an error.
pub async fn missing_objects(store: &dyn ImageStore) {
    let key = cat_key();
    assert!(store.head(&key).await.unwrap().is_none());
    assert!(store.read_prefix(&key, 10).await.is_err());
    assert!(store.copy(&key, &cat_key()).await.is_err());
    assert!(store.list("cats/no-such-cat/").await.unwrap().is_empty());
}

/// An empty object exists, has size 0 and an empty prefix.
pub async fn empty_objects(store: &dyn ImageStore) {
    let key = cat_key();
    store
        .put(&key, ImageBody::Bytes(Vec::new()), "image/png")
        .await
        .unwrap();
    assert_eq!(store.head(&key).await.unwrap().unwrap().byte_size, 0);
    assert!(store.read_prefix(&key, 10).await.unwrap().is_empty());
}

/// Two presigned GETs in a row give the same URL, valid for at least 3/4 of the TTL.
pub async fn presigned_get_is_stable(store: &dyn ImageStore) {
    let key = cat_key();
    let ttl = Duration::from_secs(900);
    let first = store.presign_get(&key, ttl).await.unwrap();
    let second = store.presign_get(&key, ttl).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(first.method, "GET");
    let left = first.expires_at - chrono::Utc::now();
    assert!(left >= chrono::Duration::seconds(670), "{left}");
    assert!(left <= chrono::Duration::seconds(900), "{left}");
    let other = store.presign_get(&cat_key(), ttl).await.unwrap();
    assert_ne!(first.url, other.url);
}

/// A presigned PUT names Content-Type and Content-Length as required headers.
pub async fn presigned_put_requires_type_and_length(store: &dyn ImageStore) {
    let key = ImageKey::for_upload(Uuid::new_v4(), Uuid::new_v4(), ImageFormat::Png);
    let put = store
        .presign_put(&key, "image/png", 1234, Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(put.method, "PUT");
    let header = |name: &str| {
        put.headers
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("content-type"), Some("image/png"));
    assert_eq!(header("content-length"), Some("1234"));
}
