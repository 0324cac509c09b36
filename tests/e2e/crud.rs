//! Creating, reading, updating and deleting cats, and bad input changing nothing.

use cattery_tests::{Backend, TestApp, error_code, on_both_backends};
use serde_json::{Value, json};

const CAT_FIELDS: &str = "id name age breed createdAt updatedAt";

async fn get_cat(app: &TestApp, id: &str) -> Value {
    app.data(
        &format!("query($id: ID!) {{ cat(id: $id) {{ {CAT_FIELDS} }} }}"),
        json!({ "id": id }),
    )
    .await["cat"]
        .clone()
}

async fn count(app: &TestApp) -> u64 {
    app.data("{ cats { totalCount } }", json!({})).await["cats"]["totalCount"]
        .as_u64()
        .unwrap()
}

async fn update(app: &TestApp, input: Value) -> Value {
    app.graphql(
        &format!("mutation($input: UpdateCatInput!) {{ updateCat(input: $input) {{ cat {{ {CAT_FIELDS} }} clientMutationId }} }}"),
        json!({ "input": input }),
    )
    .await
}

async fn a_cat_can_be_created_read_updated_and_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let created = app.create_cat("  Tama  ", 3, "Japanese Bobtail").await;
    assert_eq!(created["name"], "Tama", "names are trimmed");
    assert_eq!(created["age"], 3);
    assert_eq!(created["createdAt"], created["updatedAt"]);
    let id = created["id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok());

    assert_eq!(get_cat(&app, id).await, created);

    let body = update(
        &app,
        json!({ "id": id, "age": 4, "clientMutationId": "m1" }),
    )
    .await;
    let updated = &body["data"]["updateCat"]["cat"];
    assert_eq!(body["data"]["updateCat"]["clientMutationId"], "m1");
    assert_eq!(updated["age"], 4);
    assert_eq!(updated["name"], "Tama", "omitted fields keep their value");
    assert_eq!(updated["breed"], "Japanese Bobtail");
    assert_eq!(updated["createdAt"], created["createdAt"]);
    assert_ne!(
        updated["updatedAt"], created["updatedAt"],
        "updatedAt moves"
    );
    assert_eq!(&get_cat(&app, id).await, updated);

    let deleted = app
        .data(
            "mutation($id: ID!) { deleteCat(input: { id: $id }) { deletedCatId cat { name } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(deleted["deleteCat"]["deletedCatId"], id);
    assert_eq!(deleted["deleteCat"]["cat"]["name"], "Tama");
    assert_eq!(get_cat(&app, id).await, Value::Null);
    assert_eq!(count(&app).await, 0);
}

async fn multibyte_names_of_100_characters_are_stored_whole(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let name = "猫".repeat(100);
    let breed = "🐈".repeat(100);
    let cat = app.create_cat(&name, 0, &breed).await;
    assert_eq!(cat["name"], name.as_str());
    assert_eq!(cat["breed"], breed.as_str());
    let again = get_cat(&app, cat["id"].as_str().unwrap()).await;
    assert_eq!(again["name"], name.as_str());
    assert_eq!(again["age"], 0);
}

async fn an_absent_cat_is_null_and_a_malformed_id_is_bad_user_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(
        get_cat(&app, &uuid::Uuid::new_v4().to_string()).await,
        Value::Null
    );
    let body = app
        .graphql("{ cat(id: \"not-a-uuid\") { id } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "id");
}

async fn every_bad_input_gets_its_code_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cat = app.create_cat("Mike", 5, "Calico").await;
    let id = cat["id"].as_str().unwrap();
    let create = "mutation($input: CreateCatInput!) { createCat(input: $input) { cat { id } } }";
    let long = "x".repeat(101);
    let bad_creates = [
        (
            json!({ "name": "Kuro", "age": 41, "breed": "Bombay" }),
            "BAD_USER_INPUT",
            "age",
        ),
        (
            json!({ "name": "Kuro", "age": -1, "breed": "Bombay" }),
            "BAD_USER_INPUT",
            "age",
        ),
        (
            json!({ "name": long, "age": 1, "breed": "Bombay" }),
            "BAD_USER_INPUT",
            "name",
        ),
        (
            json!({ "name": "   ", "age": 1, "breed": "Bombay" }),
            "BAD_USER_INPUT",
            "name",
        ),
        (
            json!({ "name": "Kuro", "age": 1, "breed": "" }),
            "BAD_USER_INPUT",
            "breed",
        ),
        (
            json!({ "name": "Kuro", "age": 1, "breed": long }),
            "BAD_USER_INPUT",
            "breed",
        ),
    ];
    for (input, code, field) in bad_creates {
        let body = app.graphql(create, json!({ "input": input })).await;
        assert_eq!(error_code(&body), code, "{input}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{input}");
        assert_eq!(body["data"], Value::Null);
    }
    // Type errors are caught by GraphQL validation, with their own code.
    let body = app
        .graphql(
            create,
            json!({ "input": { "name": "Kuro", "age": 1.5, "breed": "Bombay" } }),
        )
        .await;
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED");
    let body = app
        .graphql(
            create,
            json!({ "input": { "name": "Kuro", "breed": "Bombay" } }),
        )
        .await;
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED");

    let bad_updates = [
        (json!({ "id": id, "age": 99 }), "BAD_USER_INPUT"),
        (json!({ "id": id, "name": "" }), "BAD_USER_INPUT"),
        (
            json!({ "id": id, "name": "Kuro", "breed": long }),
            "BAD_USER_INPUT",
        ),
        (json!({ "id": id }), "BAD_USER_INPUT"),
        (json!({ "id": "42", "age": 3 }), "BAD_USER_INPUT"),
        (json!({ "id": uuid::Uuid::new_v4(), "age": 3 }), "NOT_FOUND"),
    ];
    for (input, code) in bad_updates {
        let body = update(&app, input.clone()).await;
        assert_eq!(error_code(&body), code, "{input}");
    }
    let body = app.delete_cat(&uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(error_code(&body), "NOT_FOUND");

    assert_eq!(count(&app).await, 1, "no bad input created a cat");
    assert_eq!(get_cat(&app, id).await, cat, "no bad input changed the cat");
}

async fn a_stale_expected_updated_at_is_a_conflict_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cat = app.create_cat("Shiro", 2, "Persian").await;
    let id = cat["id"].as_str().unwrap();
    let first = update(
        &app,
        json!({ "id": id, "name": "Shiro II", "expectedUpdatedAt": cat["updatedAt"] }),
    )
    .await;
    let after_first = first["data"]["updateCat"]["cat"].clone();
    assert_eq!(after_first["name"], "Shiro II");

    // A second writer still holding the original version loses.
    let stale = update(
        &app,
        json!({ "id": id, "age": 9, "expectedUpdatedAt": cat["updatedAt"] }),
    )
    .await;
    assert_eq!(error_code(&stale), "CONFLICT");
    assert_eq!(get_cat(&app, id).await, after_first);

    // With the current version it succeeds.
    let fresh = update(
        &app,
        json!({ "id": id, "age": 9, "expectedUpdatedAt": after_first["updatedAt"] }),
    )
    .await;
    assert_eq!(fresh["data"]["updateCat"]["cat"]["age"], 9);
}

async fn internal_errors_reach_the_client_as_a_generic_message(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_cat("Tora", 1, "Tabby").await;
    // Break the database under the running app.
    let db = sea_orm::Database::connect(&app.db.url).await.unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(&db, "ALTER TABLE cats RENAME TO cats_gone")
        .await
        .unwrap();
    db.close().await.unwrap();
    let body = app
        .graphql("{ cats { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "INTERNAL_SERVER_ERROR");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert_eq!(message, "internal server error");
    let text = body.to_string().to_lowercase();
    for detail in [
        "no such table",
        "does not exist",
        "relation",
        "select",
        "sqlx",
        "database",
    ] {
        assert!(
            !text.contains(detail),
            "`{detail}` leaked to the client: {body}"
        );
    }
}

on_both_backends!(
    a_cat_can_be_created_read_updated_and_deleted,
    multibyte_names_of_100_characters_are_stored_whole,
    an_absent_cat_is_null_and_a_malformed_id_is_bad_user_input,
    every_bad_input_gets_its_code_and_changes_nothing,
    a_stale_expected_updated_at_is_a_conflict_and_changes_nothing,
    internal_errors_reach_the_client_as_a_generic_message,
);
