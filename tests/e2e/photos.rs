//! Photos: multipart and direct uploads, presigned reads, replacement and removal, injected faults
//! and garbage collection. PostgreSQL tests use an S3-compatible server (s3s, which checks SigV4 and
//! presigned signatures and expiry) over HTTP; SQLite tests use the local folder served by the app.

use cattery_tests::{
    Backend, TestApp, TestPhotos, error_code, jpeg, on_both_backends, png, png_of_size,
};
use serde_json::{Value, json};

const CAT_IMAGE: &str = "image { url urlExpiresAt contentType byteSize width height }";

async fn new_cat(app: &TestApp) -> String {
    app.create_cat("Tama", 3, "Mixed").await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn fetch(app: &TestApp, url: &str) -> (u16, Vec<u8>, String) {
    let res = app.client.get(url).send().await.unwrap();
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, res.bytes().await.unwrap().to_vec(), content_type)
}

async fn cat_image(app: &TestApp, id: &str) -> Value {
    app.data(
        &format!("query($id: ID!) {{ cat(id: $id) {{ {CAT_IMAGE} }} }}"),
        json!({ "id": id }),
    )
    .await["cat"]["image"]
        .clone()
}

async fn a_multipart_upload_is_read_back_byte_for_byte_through_its_presigned_url(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = new_cat(&app).await;
    let bytes = png_of_size(300_000);
    let (status, body) = app
        .upload_image(&id, bytes.clone(), "tama.png", "image/png")
        .await;
    assert_eq!(status, 200, "{body}");
    let image = &body["data"]["uploadCatImage"]["cat"]["image"];
    assert_eq!(image["contentType"], "image/png");
    assert_eq!(image["byteSize"], 300_000);
    assert_eq!(
        (image["width"].as_u64(), image["height"].as_u64()),
        (Some(64), Some(48))
    );

    let (status, read, content_type) = fetch(&app, image["url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "image/png");
    assert!(read == bytes, "the bytes read back equal the bytes sent");

    let keys = app.stored_keys("cats/").await;
    assert_eq!(keys.len(), 1);
    assert!(
        keys[0].starts_with(&format!("cats/{id}/")) && keys[0].ends_with(".png"),
        "{keys:?}"
    );
}

async fn every_query_path_returns_a_signed_url_that_is_stable_within_its_window(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = new_cat(&app).await;
    let (status, _) = app
        .upload_image(&id, jpeg(), "tama.jpg", "image/jpeg")
        .await;
    assert_eq!(status, 200);
    let by_id = cat_image(&app, &id).await;
    let again = cat_image(&app, &id).await;
    assert_eq!(
        by_id["url"], again["url"],
        "the same URL within a signing window"
    );
    assert_eq!(by_id["contentType"], "image/jpeg");
    assert_eq!(
        (by_id["width"].as_u64(), by_id["height"].as_u64()),
        (Some(40), Some(30))
    );
    let data = app
        .data(
            &format!(
                "query($id: ID!) {{ cats {{ edges {{ node {{ {CAT_IMAGE} }} }} nodes {{ {CAT_IMAGE} }} }}
                   node(id: $id) {{ ... on Cat {{ {CAT_IMAGE} }} }} nodes(ids: [$id]) {{ ... on Cat {{ {CAT_IMAGE} }} }} }}"
            ),
            json!({ "id": id }),
        )
        .await;
    for image in [
        &data["cats"]["edges"][0]["node"]["image"],
        &data["cats"]["nodes"][0]["image"],
        &data["node"]["image"],
        &data["nodes"][0]["image"],
    ] {
        let url = image["url"].as_str().unwrap();
        let (status, read, _) = fetch(&app, url).await;
        assert_eq!(status, 200, "{url}");
        assert_eq!(read, jpeg());
    }
}

async fn tampered_and_expired_urls_are_refused(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--image-url-ttl-seconds", "2"]).await;
    let id = new_cat(&app).await;
    let (status, _) = app.upload_image(&id, png(), "tama.png", "image/png").await;
    assert_eq!(status, 200);
    let image = cat_image(&app, &id).await;
    let url = image["url"].as_str().unwrap().to_owned();
    let tampered = if url.ends_with('0') {
        format!("{}1", &url[..url.len() - 1])
    } else {
        format!("{}0", &url[..url.len() - 1])
    };
    assert_eq!(
        fetch(&app, &tampered).await.0,
        403,
        "a tampered signature is refused"
    );
    assert_eq!(fetch(&app, &url).await.0, 200);
    let expires: chrono::DateTime<chrono::Utc> =
        image["urlExpiresAt"].as_str().unwrap().parse().unwrap();
    let wait = (expires - chrono::Utc::now()).to_std().unwrap_or_default()
        + std::time::Duration::from_millis(1500);
    tokio::time::sleep(wait).await;
    assert_eq!(fetch(&app, &url).await.0, 403, "an expired URL is refused");
}

async fn oversized_and_spoofed_files_are_rejected_and_nothing_is_stored(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--image-max-bytes", "100000"]).await;
    let id = new_cat(&app).await;

    let (status, body) = app
        .upload_image(&id, png_of_size(100_001), "big.png", "image/png")
        .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE");

    let (_, body) = app
        .upload_image(
            &id,
            b"just some text, not a picture".to_vec(),
            "cat.png",
            "image/png",
        )
        .await;
    assert_eq!(error_code(&body), "UNSUPPORTED_MEDIA_TYPE");
    let (_, body) = app.upload_image(&id, png(), "cat.jpg", "image/jpeg").await;
    assert_eq!(
        error_code(&body),
        "UNSUPPORTED_MEDIA_TYPE",
        "a PNG declared as JPEG"
    );
    let (_, body) = app.upload_image(&id, png(), "cat.png", "image/png").await;
    assert!(
        body.get("errors").is_none(),
        "the size limit itself admits normal photos: {body}"
    );
    app.data(
        "mutation($id: ID!) { removeCatImage(catId: $id) { cat { id } } }",
        json!({ "id": id }),
    )
    .await;

    let (_, body) = app
        .upload_image(
            &uuid::Uuid::new_v4().to_string(),
            png(),
            "cat.png",
            "image/png",
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    let (_, body) = app
        .upload_image("not-an-id", png(), "cat.png", "image/png")
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");

    assert_eq!(cat_image(&app, &id).await, Value::Null);
    assert!(app.stored_keys("").await.is_empty(), "nothing was stored");
}

async fn too_many_pixels_are_bad_user_input(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--image-max-dimension", "50"]).await;
    let id = new_cat(&app).await;
    let (_, body) = app.upload_image(&id, png(), "cat.png", "image/png").await;
    assert_eq!(
        error_code(&body),
        "BAD_USER_INPUT",
        "64 pixels wide is over 50"
    );
    assert!(app.stored_keys("").await.is_empty());
}

async fn replacing_removing_and_deleting_clean_up_old_objects(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = new_cat(&app).await;
    app.upload_image(&id, png(), "a.png", "image/png").await;
    let first = app.stored_keys("cats/").await;
    assert_eq!(first.len(), 1);
    let (status, _) = app.upload_image(&id, jpeg(), "b.jpg", "image/jpeg").await;
    assert_eq!(status, 200);
    let second = app.stored_keys("cats/").await;
    assert_eq!(second.len(), 1, "the replaced photo is deleted");
    assert_ne!(first, second);
    assert!(second[0].ends_with(".jpg"));

    let removed = app
        .data(
            "mutation($id: ID!) { removeCatImage(catId: $id) { cat { image { url } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(removed["removeCatImage"]["cat"]["image"], Value::Null);
    assert!(app.stored_keys("cats/").await.is_empty());

    app.upload_image(&id, png(), "c.png", "image/png").await;
    assert_eq!(app.stored_keys("cats/").await.len(), 1);
    let deleted = app.delete_cat(&id).await;
    assert_eq!(deleted["data"]["deleteCat"]["deletedCatId"], id.as_str());
    assert!(
        app.stored_keys("cats/").await.is_empty(),
        "deleting a cat deletes its photo"
    );
}

const REQUEST_UPLOAD: &str = "mutation($id: ID!, $type: String!, $size: Int!) {
  requestCatImageUpload(catId: $id, contentType: $type, byteSize: $size) { uploadId url method headers { name value } expiresAt }
}";
const CONFIRM_UPLOAD: &str = "mutation($id: ID!, $upload: ID!) {
  confirmCatImageUpload(catId: $id, uploadId: $upload) { cat { image { url contentType byteSize width height } } }
}";

async fn request_upload(app: &TestApp, id: &str, content_type: &str, size: usize) -> Value {
    app.data(
        REQUEST_UPLOAD,
        json!({ "id": id, "type": content_type, "size": size }),
    )
    .await["requestCatImageUpload"]
        .clone()
}

async fn put(app: &TestApp, upload: &Value, body: Vec<u8>, override_type: Option<&str>) -> u16 {
    let mut request = app.client.put(upload["url"].as_str().unwrap());
    for header in upload["headers"].as_array().unwrap() {
        let name = header["name"].as_str().unwrap();
        if name.eq_ignore_ascii_case("content-length") {
            continue; // reqwest sets it from the body, as every client does
        }
        let value = match (name.to_ascii_lowercase().as_str(), override_type) {
            ("content-type", Some(other)) => other,
            _ => header["value"].as_str().unwrap(),
        };
        request = request.header(name, value);
    }
    request.body(body).send().await.unwrap().status().as_u16()
}

async fn the_direct_upload_flow_works_end_to_end_and_refuses_wrong_puts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = new_cat(&app).await;
    let bytes = png_of_size(20_000);
    let upload = request_upload(&app, &id, "image/png", bytes.len()).await;
    assert_eq!(upload["method"], "PUT");
    let names: Vec<String> = upload["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(
        names.contains(&"content-type".to_owned()) && names.contains(&"content-length".to_owned()),
        "{names:?}"
    );

    // Confirming before uploading anything is refused and changes nothing.
    let body = app
        .graphql(
            CONFIRM_UPLOAD,
            json!({ "id": id, "upload": upload["uploadId"] }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");

    // A PUT of the wrong length or type is refused by the store (the signature covers both).
    assert_eq!(put(&app, &upload, png_of_size(20_001), None).await, 403);
    assert_eq!(
        put(&app, &upload, bytes.clone(), Some("image/gif")).await,
        403
    );
    assert!(app.stored_keys("uploads/").await.is_empty());

    assert_eq!(put(&app, &upload, bytes.clone(), None).await, 200);
    let confirmed = app
        .data(
            CONFIRM_UPLOAD,
            json!({ "id": id, "upload": upload["uploadId"] }),
        )
        .await;
    let image = &confirmed["confirmCatImageUpload"]["cat"]["image"];
    assert_eq!(image["byteSize"], 20_000);
    assert_eq!(image["width"], 64);
    let (status, read, _) = fetch(&app, image["url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(read == bytes);
    assert!(
        app.stored_keys("uploads/").await.is_empty(),
        "the upload object was moved into place"
    );
    assert_eq!(app.stored_keys("cats/").await.len(), 1);

    // An upload cannot be confirmed twice.
    let body = app
        .graphql(
            CONFIRM_UPLOAD,
            json!({ "id": id, "upload": upload["uploadId"] }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
}

async fn a_direct_upload_that_is_not_the_declared_image_is_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = new_cat(&app).await;
    let text = b"definitely not a png, but exactly as long as declared".to_vec();
    let upload = request_upload(&app, &id, "image/png", text.len()).await;
    assert_eq!(put(&app, &upload, text, None).await, 200);
    let body = app
        .graphql(
            CONFIRM_UPLOAD,
            json!({ "id": id, "upload": upload["uploadId"] }),
        )
        .await;
    assert_eq!(error_code(&body), "UNSUPPORTED_MEDIA_TYPE");
    assert!(
        app.stored_keys("").await.is_empty(),
        "the bad upload was deleted"
    );
    assert_eq!(cat_image(&app, &id).await, Value::Null);

    // Requests for unsupported types or sizes are refused before anything is signed.
    let body = app
        .graphql(
            REQUEST_UPLOAD,
            json!({ "id": id, "type": "image/svg+xml", "size": 10 }),
        )
        .await;
    assert_eq!(error_code(&body), "UNSUPPORTED_MEDIA_TYPE");
    let body = app
        .graphql(
            REQUEST_UPLOAD,
            json!({ "id": id, "type": "image/png", "size": 11 * 1024 * 1024 }),
        )
        .await;
    assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE");
    let body = app
        .graphql(
            REQUEST_UPLOAD,
            json!({ "id": uuid::Uuid::new_v4(), "type": "image/png", "size": 10 }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
}

async fn a_database_failure_after_the_put_leaves_no_object(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = new_cat(&app).await;
    let db = sea_orm::Database::connect(&app.db.url).await.unwrap();
    let sql = match backend {
        Backend::Postgres => "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER refuse_updates BEFORE UPDATE ON cats FOR EACH ROW EXECUTE FUNCTION refuse();",
        Backend::Sqlite => "CREATE TRIGGER refuse_updates BEFORE UPDATE ON cats BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
    };
    sea_orm::ConnectionTrait::execute_unprepared(&db, sql)
        .await
        .unwrap();
    let (_, body) = app.upload_image(&id, png(), "tama.png", "image/png").await;
    assert_eq!(error_code(&body), "INTERNAL_SERVER_ERROR");
    assert!(
        app.stored_keys("").await.is_empty(),
        "the object written before the failed row update was deleted"
    );
    sea_orm::ConnectionTrait::execute_unprepared(&db, "DROP TRIGGER refuse_updates ON cats")
        .await
        .ok();
    sea_orm::ConnectionTrait::execute_unprepared(&db, "DROP TRIGGER refuse_updates")
        .await
        .ok();
    db.close().await.unwrap();
    assert_eq!(
        cat_image(&app, &id).await,
        Value::Null,
        "the row is unchanged"
    );
}

async fn gc_reports_then_repairs_orphans_and_dangling_references(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let kept = new_cat(&app).await;
    let orphaned = new_cat(&app).await;
    let dangling = new_cat(&app).await;
    for id in [&kept, &orphaned, &dangling] {
        let (status, _) = app.upload_image(id, png(), "a.png", "image/png").await;
        assert_eq!(status, 200);
    }
    let keys = app.stored_keys("cats/").await;
    assert_eq!(keys.len(), 3);
    let key_of = |id: &str| keys.iter().find(|k| k.contains(id)).unwrap().clone();
    let (orphan_key, dangling_key) = (key_of(&orphaned), key_of(&dangling));

    // Seed the inconsistencies a crash could leave: a row that forgot its object, and an object
    // that vanished under its row.
    let db = sea_orm::Database::connect(&app.db.url).await.unwrap();
    let forget = match backend {
        Backend::Postgres => format!("UPDATE cats SET image_url = NULL WHERE id = '{orphaned}'"),
        Backend::Sqlite => {
            format!("UPDATE cats SET image_url = NULL WHERE image_url = '{orphan_key}'")
        }
    };
    sea_orm::ConnectionTrait::execute_unprepared(&db, &forget)
        .await
        .unwrap();
    db.close().await.unwrap();
    app.delete_object(&dangling_key).await;

    app.run_command(&["gc", "--grace-period-seconds", "0"])
        .await;
    assert_eq!(
        app.stored_keys("cats/").await,
        vec![key_of(&kept), orphan_key.clone()]
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>(),
        "a dry run changes nothing"
    );
    assert!(cat_image(&app, &dangling).await.is_object());

    app.run_command(&["gc", "--apply", "--grace-period-seconds", "0"])
        .await;
    assert_eq!(
        app.stored_keys("cats/").await,
        vec![key_of(&kept)],
        "the orphan is deleted, the kept photo stays"
    );
    assert_eq!(
        cat_image(&app, &dangling).await,
        Value::Null,
        "the dangling reference is cleared"
    );
    assert!(cat_image(&app, &kept).await.is_object());

    // A young orphan is left alone: it may belong to an upload in flight.
    let db = sea_orm::Database::connect(&app.db.url).await.unwrap();
    let forget = match backend {
        Backend::Postgres => format!("UPDATE cats SET image_url = NULL WHERE id = '{kept}'"),
        Backend::Sqlite => format!(
            "UPDATE cats SET image_url = NULL WHERE image_url = '{}'",
            key_of(&kept)
        ),
    };
    sea_orm::ConnectionTrait::execute_unprepared(&db, &forget)
        .await
        .unwrap();
    db.close().await.unwrap();
    app.run_command(&["gc", "--apply"]).await;
    assert_eq!(app.stored_keys("cats/").await, vec![key_of(&kept)]);
}

async fn unconfirmed_direct_uploads_expire_and_gc_cleans_them_up(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--upload-url-ttl-seconds", "1"]).await;
    let id = new_cat(&app).await;
    let upload = request_upload(&app, &id, "image/png", png().len()).await;
    assert_eq!(put(&app, &upload, png(), None).await, 200);
    assert_eq!(app.stored_keys("uploads/").await.len(), 1);

    // Past its expiry (plus the minute of clock skew allowed) the upload cannot be confirmed.
    let expires: chrono::DateTime<chrono::Utc> =
        upload["expiresAt"].as_str().unwrap().parse().unwrap();
    assert!(expires <= chrono::Utc::now() + chrono::Duration::seconds(2));
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    app.run_command(&["gc", "--grace-period-seconds", "0"])
        .await;
    assert_eq!(
        app.stored_keys("uploads/").await.len(),
        1,
        "a dry run deletes nothing"
    );
    app.run_command(&["gc", "--apply", "--grace-period-seconds", "0"])
        .await;
    assert!(
        app.stored_keys("uploads/").await.is_empty(),
        "the abandoned upload is deleted"
    );
    let body = app
        .graphql(
            CONFIRM_UPLOAD,
            json!({ "id": id, "upload": upload["uploadId"] }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "and forgotten");
    assert_eq!(cat_image(&app, &id).await, Value::Null);
}

on_both_backends!(
    unconfirmed_direct_uploads_expire_and_gc_cleans_them_up,
    a_multipart_upload_is_read_back_byte_for_byte_through_its_presigned_url,
    every_query_path_returns_a_signed_url_that_is_stable_within_its_window,
    tampered_and_expired_urls_are_refused,
    oversized_and_spoofed_files_are_rejected_and_nothing_is_stored,
    too_many_pixels_are_bad_user_input,
    replacing_removing_and_deleting_clean_up_old_objects,
    the_direct_upload_flow_works_end_to_end_and_refuses_wrong_puts,
    a_direct_upload_that_is_not_the_declared_image_is_deleted,
    a_database_failure_after_the_put_leaves_no_object,
    gc_reports_then_repairs_orphans_and_dangling_references,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_unreachable_during_an_upload_is_an_error_and_the_row_is_unchanged() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let id = new_cat(&app).await;
    let pictured = new_cat(&app).await;
    let (status, _) = app
        .upload_image(&pictured, png(), "a.png", "image/png")
        .await;
    assert_eq!(status, 200);
    let TestPhotos::S3(s3) = &app.photos else {
        unreachable!("PostgreSQL tests use S3")
    };
    s3.set_unavailable(true);
    let (_, body) = app.upload_image(&id, png(), "tama.png", "image/png").await;
    assert_eq!(error_code(&body), "INTERNAL_SERVER_ERROR");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert_eq!(message, "internal server error", "no S3 detail leaks");
    // Presigning is local computation: reads keep working while S3 is down.
    let image = cat_image(&app, &pictured).await;
    assert!(
        image["url"].as_str().unwrap().contains("X-Amz-Signature="),
        "{image}"
    );
    s3.set_unavailable(false);
    assert_eq!(cat_image(&app, &id).await, Value::Null);
    assert_eq!(
        app.stored_keys("").await.len(),
        1,
        "only the earlier photo is stored"
    );
}
