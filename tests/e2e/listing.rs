//! The `cats` connection: keyset pages both ways, filters, orders and their limits.

use cattery_tests::{Backend, TestApp, error_code, on_both_backends};
use serde_json::{Value, json};

const PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String, $filter: CatFilter, $orderBy: CatOrder) {
  cats(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    edges { cursor node { id name age breed createdAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

async fn page(app: &TestApp, vars: Value) -> Value {
    app.data(PAGE, vars).await["cats"].clone()
}

fn ids(page: &Value) -> Vec<String> {
    page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

fn names(page: &Value) -> Vec<String> {
    page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn pages_forward_are_complete_and_stable_while_cats_are_added(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut created = Vec::new();
    for i in 0..25 {
        created.push(
            app.create_cat(&format!("Cat {i:02}"), i % 10, "Mixed")
                .await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();

    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let p = page(&app, json!({ "first": 10, "after": after })).await;
        pages += 1;
        assert_eq!(p["pageInfo"]["hasPreviousPage"], pages > 1);
        seen.extend(ids(&p));
        // Someone registers cats while we page: they are newer than our cursor and must not shift
        // or repeat what we see next.
        for j in 0..3 {
            app.create_cat(&format!("Late {pages}-{j}"), 1, "Mixed")
                .await;
        }
        if p["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = p["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen, newest_first,
        "every original cat exactly once, newest first"
    );
}

async fn pages_backward_mirror_pages_forward(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut created = Vec::new();
    for i in 0..12 {
        created.push(
            app.create_cat(&format!("Cat {i:02}"), 3, "Mixed").await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();
    // The last 5 of the listing are the 5 oldest cats, still in listing order.
    let last = page(&app, json!({ "last": 5 })).await;
    assert_eq!(ids(&last), newest_first[7..12].to_vec());
    assert_eq!(last["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(last["pageInfo"]["hasNextPage"], false);

    let mut seen = ids(&last);
    let mut before = last["pageInfo"]["startCursor"].clone();
    loop {
        // Inserts during backward paging land at the front of the listing, beyond our window's end.
        app.create_cat("Late", 1, "Mixed").await;
        let p = page(&app, json!({ "last": 5, "before": before })).await;
        assert_eq!(p["pageInfo"]["hasNextPage"], true);
        let mut chunk = ids(&p);
        chunk.extend(seen);
        seen = chunk;
        if p["pageInfo"]["hasPreviousPage"] == false {
            break;
        }
        before = p["pageInfo"]["startCursor"].clone();
    }
    // Pages before the newest cats now include the late ones; the originals appear once, in order.
    let originals: Vec<String> = seen.into_iter().filter(|id| created.contains(id)).collect();
    assert_eq!(originals, newest_first);
}

async fn every_filter_narrows_the_listing_and_its_total(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (name, age, breed) in [
        ("Tama", 3, "Japanese Bobtail"),
        ("Tamago", 7, "japanese bobtail"),
        ("Mike", 10, "Calico"),
        ("100%_cat", 1, "Calico"),
        ("Kuro", 15, "Bombay"),
    ] {
        app.create_cat(name, age, breed).await;
    }
    let cases = [
        (
            json!({ "breed": "JAPANESE BOBTAIL" }),
            vec!["Tama", "Tamago"],
        ),
        (json!({ "breed": " calico " }), vec!["100%_cat", "Mike"]),
        (json!({ "breed": "Calic" }), vec![]),
        (json!({ "nameContains": "TAM" }), vec!["Tama", "Tamago"]),
        (json!({ "nameContains": "ag" }), vec!["Tamago"]),
        (json!({ "nameContains": "%" }), vec!["100%_cat"]),
        (json!({ "nameContains": "_" }), vec!["100%_cat"]),
        (json!({ "minAge": 5, "maxAge": 10 }), vec!["Mike", "Tamago"]),
        (json!({ "minAge": 15 }), vec!["Kuro"]),
        (json!({ "maxAge": 1 }), vec!["100%_cat"]),
        (json!({ "breed": "calico", "maxAge": 5 }), vec!["100%_cat"]),
    ];
    for (filter, expected) in cases {
        let p = page(
            &app,
            json!({ "filter": filter, "orderBy": { "field": "NAME" } }),
        )
        .await;
        assert_eq!(names(&p), expected, "{filter}");
        assert_eq!(p["totalCount"], expected.len(), "{filter}");
    }
    let body = app
        .graphql(PAGE, json!({ "filter": { "minAge": 9, "maxAge": 2 } }))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
}

async fn every_order_pages_through_ties_in_a_total_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut cats = Vec::new();
    for (name, age) in [
        ("Momo", 4),
        ("Leo", 2),
        ("Momo", 9),
        ("Sora", 4),
        ("Hana", 4),
        ("Leo", 7),
        ("Kiki", 0),
        ("Sora", 1),
    ] {
        cats.push(app.create_cat(name, age, "Mixed").await);
    }
    for (field, direction) in [
        ("NAME", "ASC"),
        ("NAME", "DESC"),
        ("AGE", "ASC"),
        ("AGE", "DESC"),
        ("CREATED_AT", "ASC"),
        ("CREATED_AT", "DESC"),
    ] {
        let mut expected = cats.clone();
        expected.sort_by(|a, b| {
            let key = |c: &Value| match field {
                "NAME" => (c["name"].as_str().unwrap().to_owned(), 0, String::new()),
                "AGE" => (String::new(), c["age"].as_i64().unwrap(), String::new()),
                _ => (
                    String::new(),
                    0,
                    c["createdAt"].as_str().unwrap().to_owned(),
                ),
            };
            (key(a), a["id"].as_str().unwrap()).cmp(&(key(b), b["id"].as_str().unwrap()))
        });
        if direction == "DESC" {
            expected.reverse();
        }
        let expected: Vec<String> = expected
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        let mut seen = Vec::new();
        let mut after = Value::Null;
        loop {
            let p = page(
                &app,
                json!({ "first": 3, "after": after, "orderBy": { "field": field, "direction": direction } }),
            )
            .await;
            seen.extend(ids(&p));
            if p["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = p["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen, expected, "{field} {direction}");
    }
    // Default directions: NAME ascending, CREATED_AT descending.
    let by_name = page(&app, json!({ "first": 2, "orderBy": { "field": "NAME" } })).await;
    assert_eq!(names(&by_name), vec!["Hana", "Kiki"]);
    let newest = page(&app, json!({ "first": 1 })).await;
    assert_eq!(ids(&newest)[0], cats[7]["id"].as_str().unwrap());
}

async fn page_arguments_out_of_bounds_are_bad_user_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_cat("Tama", 3, "Mixed").await;
    let by_name = page(&app, json!({ "first": 1, "orderBy": { "field": "NAME" } })).await;
    let name_cursor = by_name["pageInfo"]["endCursor"].clone();
    let cases = [
        (json!({ "first": 101 }), "first"),
        (json!({ "last": 1000 }), "last"),
        (json!({ "first": -1 }), "first"),
        (json!({ "first": 1, "last": 1 }), "last"),
        (json!({ "first": 1, "after": "garbage" }), "after"),
        (json!({ "last": 1, "before": "Zm9v" }), "before"),
        (json!({ "first": 1, "after": name_cursor }), "cursor"),
    ];
    for (vars, field) in cases {
        let body = app.graphql(PAGE, vars.clone()).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{vars}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{vars}");
    }
    // The cap itself is accepted.
    assert_eq!(ids(&page(&app, json!({ "first": 100 })).await).len(), 1);
}

async fn the_page_size_cap_is_a_setting(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--max-page-size", "5"]).await;
    let body = app.graphql(PAGE, json!({ "first": 6 })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let ok = app.graphql(PAGE, json!({ "first": 5 })).await;
    assert!(ok.get("errors").is_none(), "{ok}");
}

on_both_backends!(
    pages_forward_are_complete_and_stable_while_cats_are_added,
    pages_backward_mirror_pages_forward,
    every_filter_narrows_the_listing_and_its_total,
    every_order_pages_through_ties_in_a_total_order,
    page_arguments_out_of_bounds_are_bad_user_input,
    the_page_size_cap_is_a_setting,
);
