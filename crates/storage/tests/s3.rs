//! `S3Store` against a real S3-compatible server over HTTP: s3s + s3s-fs, in process, with SigV4
//! authentication (see `cattery_storage::testing`). Each test gets its own server and bucket.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use cattery_domain::{ImageBody, ImageFormat, ImageKey, ImageStore, PresignedRequest};
use cattery_storage::testing::TestS3;
use cattery_storage::{CACHE_CONTROL, S3Config, S3Credentials, S3Store};
use common::{cat_key, png_bytes};
use reqwest::StatusCode;
use uuid::Uuid;

async fn server() -> (TestS3, S3Store) {
    let s3 = TestS3::start().await.unwrap();
    let store = s3.store().await.unwrap();
    (s3, store)
}

/// Sends a presigned request with its required headers, replacing any named in `overrides`.
async fn send(
    request: &PresignedRequest,
    body: Option<Vec<u8>>,
    overrides: &[(&str, &str)],
    drop_headers: &[&str],
) -> reqwest::Response {
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap();
    let mut builder = client.request(method, &request.url);
    for (name, value) in &request.headers {
        if overrides.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
            || drop_headers.iter().any(|n| n.eq_ignore_ascii_case(name))
        {
            continue;
        }
        builder = builder.header(name, value);
    }
    for (name, value) in overrides {
        builder = builder.header(*name, *value);
    }
    if let Some(body) = body {
        builder = builder.body(body);
    }
    builder.send().await.unwrap()
}

#[tokio::test]
async fn put_then_head_read_prefix_list_copy_and_delete_round_trip() {
    let (_s3, store) = server().await;
    common::put_head_read_list_copy_delete(&store).await;
}

#[tokio::test]
async fn an_empty_object_has_size_zero_and_an_empty_prefix() {
    let (_s3, store) = server().await;
    common::empty_objects(&store).await;
}

#[tokio::test]
async fn head_of_a_missing_key_is_none() {
    let (_s3, store) = server().await;
    common::missing_objects(&store).await;
}

#[tokio::test]
async fn a_file_body_is_streamed_and_read_back_byte_for_byte_through_the_presigned_get_url() {
    let (_s3, store) = server().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("upload.png");
    let body = png_bytes(3 * 1024 * 1024 + 17);
    std::fs::write(&path, &body).unwrap();
    let key = cat_key();

    let stored = store
        .put(&key, ImageBody::File(path), "image/png")
        .await
        .unwrap();
    assert_eq!(stored.byte_size, body.len() as u64);

    let get = store
        .presign_get(&key, Duration::from_secs(900))
        .await
        .unwrap();
    let response = send(&get, None, &[], &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["cache-control"], CACHE_CONTROL);
    assert_eq!(response.bytes().await.unwrap(), body);
}

#[tokio::test]
async fn presigned_get_url_is_identical_when_asked_twice_in_a_row() {
    let (_s3, store) = server().await;
    common::presigned_get_is_stable(&store).await;
}

#[tokio::test]
async fn a_tampered_presigned_get_url_is_refused_by_the_server() {
    let (_s3, store) = server().await;
    let key = cat_key();
    store
        .put(&key, ImageBody::Bytes(png_bytes(100)), "image/png")
        .await
        .unwrap();
    let mut get = store
        .presign_get(&key, Duration::from_secs(900))
        .await
        .unwrap();
    assert_eq!(send(&get, None, &[], &[]).await.status(), StatusCode::OK);

    // Change one character of the signature.
    let at = get.url.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
    let flipped = if &get.url[at..=at] == "0" { "1" } else { "0" };
    get.url.replace_range(at..=at, flipped);
    assert_eq!(
        send(&get, None, &[], &[]).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_presigned_get_url_for_another_key_is_refused_by_the_server() {
    let (_s3, store) = server().await;
    let key = cat_key();
    let other = ImageKey::parse(&format!("{}x", key.as_str())).unwrap();
    store
        .put(&other, ImageBody::Bytes(png_bytes(100)), "image/png")
        .await
        .unwrap();
    let mut get = store
        .presign_get(&key, Duration::from_secs(900))
        .await
        .unwrap();
    get.url = get.url.replacen(key.as_str(), other.as_str(), 1);
    assert_eq!(
        send(&get, None, &[], &[]).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_expired_presigned_get_url_is_refused_by_the_server() {
    let (_s3, store) = server().await;
    let key = cat_key();
    store
        .put(&key, ImageBody::Bytes(png_bytes(100)), "image/png")
        .await
        .unwrap();
    let get = store
        .presign_get(&key, Duration::from_secs(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(get.expires_at < chrono::Utc::now());
    let response = send(&get, None, &[], &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.text().await.unwrap().contains("expired"));
}

#[tokio::test]
async fn presigned_put_names_content_type_and_content_length_as_required_headers() {
    let (_s3, store) = server().await;
    common::presigned_put_requires_type_and_length(&store).await;
}

#[tokio::test]
async fn presigned_put_with_the_signed_headers_succeeds() {
    let (_s3, store) = server().await;
    let key = ImageKey::for_upload(Uuid::new_v4(), Uuid::new_v4(), ImageFormat::Png);
    let body = png_bytes(4096);
    let put = store
        .presign_put(
            &key,
            "image/png",
            body.len() as u64,
            Duration::from_secs(600),
        )
        .await
        .unwrap();
    let response = send(&put, Some(body.clone()), &[], &[]).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{:?}",
        response.text().await
    );
    let head = store.head(&key).await.unwrap().unwrap();
    assert_eq!(head.byte_size, 4096);
    assert_eq!(head.content_type.as_deref(), Some("image/png"));
    assert_eq!(store.read_prefix(&key, 8).await.unwrap(), body[..8]);
}

#[tokio::test]
async fn presigned_put_with_a_different_content_length_is_refused_and_stores_nothing() {
    let (_s3, store) = server().await;
    let key = ImageKey::for_upload(Uuid::new_v4(), Uuid::new_v4(), ImageFormat::Png);
    let put = store
        .presign_put(&key, "image/png", 4096, Duration::from_secs(600))
        .await
        .unwrap();
    // The client sends a longer body; its Content-Length follows the body.
    let response = send(&put, Some(png_bytes(4097)), &[], &["content-length"]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = send(&put, Some(png_bytes(10)), &[], &["content-length"]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(store.head(&key).await.unwrap().is_none());
}

#[tokio::test]
async fn presigned_put_with_a_different_content_type_is_refused_and_stores_nothing() {
    let (_s3, store) = server().await;
    let key = ImageKey::for_upload(Uuid::new_v4(), Uuid::new_v4(), ImageFormat::Png);
    let put = store
        .presign_put(&key, "image/png", 4096, Duration::from_secs(600))
        .await
        .unwrap();
    let response = send(
        &put,
        Some(png_bytes(4096)),
        &[("content-type", "text/html")],
        &[],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(store.head(&key).await.unwrap().is_none());
}

#[tokio::test]
async fn copy_replaces_metadata_with_the_source_type_and_our_cache_control() {
    let (_s3, store) = server().await;
    // An object PUT by a client through a presigned URL carries no Cache-Control.
    let upload = ImageKey::for_upload(Uuid::new_v4(), Uuid::new_v4(), ImageFormat::Png);
    let body = png_bytes(300);
    let put = store
        .presign_put(&upload, "image/png", 300, Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(
        send(&put, Some(body.clone()), &[], &[]).await.status(),
        StatusCode::OK
    );

    let key = cat_key();
    store.copy(&upload, &key).await.unwrap();
    let get = store
        .presign_get(&key, Duration::from_secs(60))
        .await
        .unwrap();
    let response = send(&get, None, &[], &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.headers()["cache-control"], CACHE_CONTROL);
    assert_eq!(response.bytes().await.unwrap(), body);
}

#[tokio::test]
async fn list_follows_continuation_tokens_past_one_page() {
    let (s3, store) = server().await;
    // Written straight into the server's folder: 1000 puts over HTTP would be slow for no gain.
    let cat = Uuid::new_v4();
    for i in 0..1003 {
        let path = s3.object_path(&format!("cats/{cat}/{i:04}.png"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"x").unwrap();
    }
    let listed = store.list(&format!("cats/{cat}/")).await.unwrap();
    assert_eq!(listed.len(), 1003);
    assert!(listed.iter().all(|o| o.byte_size == 1));
}

#[tokio::test]
async fn ping_checks_that_the_bucket_exists() {
    let (s3, store) = server().await;
    store.ping().await.unwrap();
    assert_eq!(store.bucket(), s3.bucket);
    let missing = S3Store::new(S3Config {
        bucket: "no-such-bucket".into(),
        ..s3.config()
    })
    .await
    .unwrap();
    assert!(missing.ping().await.is_err());
}

#[tokio::test]
async fn wrong_credentials_are_refused_by_the_server() {
    let (s3, _store) = server().await;
    let store = S3Store::new(S3Config {
        credentials: Some(S3Credentials {
            access_key_id: s3.access_key.clone(),
            secret_access_key: "not-the-secret".to_owned().into(),
        }),
        ..s3.config()
    })
    .await
    .unwrap();
    let err = store
        .put(&cat_key(), ImageBody::Bytes(png_bytes(10)), "image/png")
        .await
        .unwrap_err();
    assert!(
        format!("{:?}", err).contains("SignatureDoesNotMatch"),
        "{err:?}"
    );
}

#[tokio::test]
async fn s3_unreachable_returns_an_error_within_a_few_seconds() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let store = S3Store::new(S3Config {
        bucket: "cattery".into(),
        region: Some("us-east-1".into()),
        endpoint_url: Some(format!("http://{closed}")),
        force_path_style: true,
        credentials: Some(S3Credentials {
            access_key_id: "AKTEST".into(),
            secret_access_key: "secret".to_owned().into(),
        }),
    })
    .await
    .unwrap();
    let started = Instant::now();
    let result = store
        .put(&cat_key(), ImageBody::Bytes(png_bytes(10)), "image/png")
        .await;
    assert!(result.is_err());
    assert!(store.head(&cat_key()).await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn s3_answering_503_fails_the_put_and_recovers_after() {
    let (s3, store) = server().await;
    let key = cat_key();
    s3.set_unavailable(true);
    let started = Instant::now();
    assert!(
        store
            .put(&key, ImageBody::Bytes(png_bytes(10)), "image/png")
            .await
            .is_err()
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    s3.set_unavailable(false);
    assert!(store.head(&key).await.unwrap().is_none());
    store
        .put(&key, ImageBody::Bytes(png_bytes(10)), "image/png")
        .await
        .unwrap();
    assert!(s3.object_path(key.as_str()).exists());
}
