//! The versioned bucket keeps history: replacing or deleting a photo deletes the current object (a
//! delete marker) without destroying earlier versions. s3s has no versioning, so these tests use
//! moto's S3 server (`CATTERY_TEST_MOTO_URL`, started by ./scripts/test). moto accepts any signature:
//! nothing here relies on signature checks (those are tested against s3s).

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use cattery_tests::{TestApp, png};

fn moto_url() -> String {
    std::env::var("CATTERY_TEST_MOTO_URL").unwrap_or_else(|_| {
        panic!(
            "versioning tests need moto's S3 server: set CATTERY_TEST_MOTO_URL=http://127.0.0.1:PORT \
             (pip install 'moto[server]'; moto_server -p PORT), or run ./scripts/test, which starts one"
        )
    })
}

fn client(endpoint: &str) -> aws_sdk_s3::Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .force_path_style(true)
        .http_client(http)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// (key, is the latest, is a delete marker) for every version under `prefix`.
async fn versions(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Vec<(String, bool, bool)> {
    let out = s3
        .list_object_versions()
        .bucket(bucket)
        .prefix(prefix)
        .send()
        .await
        .unwrap();
    let mut all: Vec<(String, bool, bool)> = out
        .versions()
        .iter()
        .map(|v| {
            (
                v.key().unwrap_or_default().to_owned(),
                v.is_latest().unwrap_or(false),
                false,
            )
        })
        .chain(out.delete_markers().iter().map(|m| {
            (
                m.key().unwrap_or_default().to_owned(),
                m.is_latest().unwrap_or(false),
                true,
            )
        }))
        .collect();
    all.sort();
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_and_deleting_photos_keeps_history_in_a_versioned_bucket() {
    let endpoint = moto_url();
    let s3 = client(&endpoint);
    let bucket = format!("cattery-versioned-{}", uuid::Uuid::new_v4().simple());
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    s3.put_bucket_versioning()
        .bucket(&bucket)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let app = TestApp::spawn_on_s3(&endpoint, &bucket).await;
    let id = app.create_cat("Tama", 3, "Mixed").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = app.upload_image(&id, png(), "a.png", "image/png").await;
    assert_eq!(status, 200, "{body}");
    let first = app.stored_keys("cats/").await;
    let (status, _) = app
        .upload_image(&id, cattery_tests::jpeg(), "b.jpg", "image/jpeg")
        .await;
    assert_eq!(status, 200);
    let second = app.stored_keys("cats/").await;
    assert_eq!(second.len(), 1, "only the new photo is current");
    assert_ne!(first, second);

    let prefix = format!("cats/{id}/");
    let history = versions(&s3, &bucket, &prefix).await;
    assert!(
        history.contains(&(first[0].clone(), false, false)),
        "the replaced photo's data survives as an old version: {history:?}"
    );
    assert!(
        history.contains(&(first[0].clone(), true, true)),
        "and is hidden by a delete marker: {history:?}"
    );

    let deleted = app.delete_cat(&id).await;
    assert_eq!(deleted["data"]["deleteCat"]["deletedCatId"], id.as_str());
    assert!(
        app.stored_keys("cats/").await.is_empty(),
        "nothing current is left"
    );
    let history = versions(&s3, &bucket, &prefix).await;
    assert!(
        history.contains(&(second[0].clone(), false, false)),
        "{history:?}"
    );
    assert!(
        history.contains(&(second[0].clone(), true, true)),
        "{history:?}"
    );
}
