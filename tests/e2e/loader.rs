//! The DataLoader: many by-id lookups in one request cost one SQL statement.

use cattery_tests::{Backend, TestApp, on_both_backends};
use serde_json::json;

async fn fifty_aliased_cat_lookups_cost_one_statement(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut ids = Vec::new();
    for i in 0..50 {
        ids.push(
            app.create_cat(&format!("Cat {i}"), i % 40, "Mixed").await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let fields: String = ids
        .iter()
        .enumerate()
        .map(|(i, id)| format!("c{i}: cat(id: \"{id}\") {{ id name }}\n"))
        .collect();
    let query = format!("{{ {fields} }}");
    let before = app.statements().await;
    let data = app.data(&query, json!({})).await;
    let after = app.statements().await;
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(data[format!("c{i}")]["id"], id.as_str());
    }
    assert_eq!(
        after - before,
        1,
        "50 lookups, one SELECT … WHERE id IN (…)"
    );
}

async fn nodes_resolves_many_ids_in_order_with_one_statement(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = app.create_cat("A", 1, "Mixed").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = app.create_cat("B", 2, "Mixed").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let missing = uuid::Uuid::new_v4().to_string();
    let before = app.statements().await;
    let data = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Cat { name } } }",
            json!({ "ids": [b, missing, a] }),
        )
        .await;
    let after = app.statements().await;
    assert_eq!(
        data["nodes"],
        json!([{ "id": b, "name": "B" }, null, { "id": a, "name": "A" }])
    );
    assert_eq!(after - before, 1);
    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { __typename id } }",
            json!({ "id": a }),
        )
        .await;
    assert_eq!(node["node"], json!({ "__typename": "Cat", "id": a }));
}

on_both_backends!(
    fifty_aliased_cat_lookups_cost_one_statement,
    nodes_resolves_many_ids_in_order_with_one_statement,
);
