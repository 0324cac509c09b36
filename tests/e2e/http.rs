//! GraphQL over HTTP, health, readiness, CORS and limits.

use cattery_tests::{Backend, TestApp, error_code, on_both_backends};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

async fn responses_follow_the_graphql_over_http_spec(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let url = format!("{}/graphql", app.address);
    let invalid = json!({ "query": "{ cats { nope } }" });

    // application/graphql-response+json: a request error is HTTP 400.
    let res = app
        .client
        .post(&url)
        .header(ACCEPT, "application/graphql-response+json")
        .json(&invalid)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.headers()[CONTENT_TYPE],
        "application/graphql-response+json"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED");

    // application/json: the same request error is HTTP 200.
    let res = app
        .client
        .post(&url)
        .header(ACCEPT, "application/json")
        .json(&invalid)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[CONTENT_TYPE], "application/json");

    // Unparsable document.
    let res = app
        .client
        .post(&url)
        .header(ACCEPT, "application/graphql-response+json")
        .json(&json!({ "query": "{ cats " }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_code(&body), "GRAPHQL_PARSE_FAILED");

    // A field error after execution started is still 200 with graphql-response+json.
    let res = app
        .client
        .post(&url)
        .header(ACCEPT, "application/graphql-response+json")
        .json(&json!({ "query": "{ cat(id: \"x\") { id } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Malformed JSON body.
    let res = app
        .client
        .post(&url)
        .header(CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_code(&body), "BAD_REQUEST");

    // Unacceptable media type.
    let res = app
        .client
        .post(&url)
        .header(ACCEPT, "text/plain")
        .json(&invalid)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 406);
}

async fn get_runs_queries_refuses_mutations_and_serves_graphiql(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_cat("Tama", 3, "Mixed").await;
    let url = format!("{}/graphql", app.address);
    let res = app
        .client
        .get(&url)
        .query(&[("query", "{ cats { totalCount } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["cats"]["totalCount"], 1);

    let mutation =
        "mutation { createCat(input: {name: \"X\", age: 1, breed: \"Y\"}) { cat { id } } }";
    let res = app
        .client
        .get(&url)
        .query(&[("query", mutation)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "POST");
    let count = app.data("{ cats { totalCount } }", json!({})).await;
    assert_eq!(
        count["cats"]["totalCount"], 1,
        "the GET mutation did not run"
    );

    let res = app
        .client
        .get(&url)
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("graphiql")
    );
}

async fn status_of(app: &TestApp, path: &str) -> u16 {
    let url = format!("{}{path}", app.address);
    app.client.get(url).send().await.unwrap().status().as_u16()
}

async fn health_and_readiness_answer(backend: Backend) {
    let mut app = TestApp::spawn(backend).await;
    assert_eq!(status_of(&app, "/healthz").await, 200);
    assert_eq!(status_of(&app, "/readyz").await, 200);
    if backend == Backend::Postgres {
        // Take the database away: the process stays alive, but it is no longer ready.
        app.db.drop_now().await;
        assert_eq!(status_of(&app, "/readyz").await, 503);
        assert_eq!(status_of(&app, "/healthz").await, 200);
    }
}

async fn depth_complexity_and_body_limits_are_enforced(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--max-body-bytes", "2048"]).await;
    let ok = app
        .graphql("{ cats { edges { node { __typename } } } }", json!({}))
        .await;
    assert!(ok.get("errors").is_none(), "{ok}");
    // Introspection nests deeply by design; a query 17 levels deep is refused (the limit is 16).
    let too_deep = format!(
        "{{ __schema {{ types {{ fields {{ type {{ {}name{} }} }} }} }} }}",
        "ofType { ".repeat(13),
        " }".repeat(13)
    );
    let body = app.graphql(&too_deep, json!({})).await;
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{body}"
    );
    // 100 cats with many aliased fields each exceeds the complexity budget.
    let fields: String = (0..60).map(|i| format!("f{i}: name ")).collect();
    let complex = format!("{{ cats(first: 100) {{ edges {{ node {{ {fields} }} }} }} }}");
    let res = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": complex }))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    if status == 413 {
        panic!("the complexity query should fit the body limit: {body}");
    }
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("complex"),
        "{body}"
    );
    // A body over the limit is refused before it is parsed.
    let big = json!({ "query": format!("{{ cats {{ totalCount }} }} # {}", "x".repeat(4096)) });
    let res = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}

async fn introspection_can_be_turned_off(backend: Backend) {
    let on = TestApp::spawn(backend).await;
    let body = on
        .graphql("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
    let off = TestApp::spawn_with(backend, &["--introspection", "false"]).await;
    // As in async-graphql, a disabled introspection answers null rather than the schema.
    let body = off
        .graphql(
            "{ __schema { queryType { name } } __type(name: \"Cat\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["__schema"], Value::Null, "{body}");
    assert_eq!(body["data"]["__type"], Value::Null, "{body}");
    // Ordinary queries still work.
    let body = off.graphql("{ cats { totalCount } }", json!({})).await;
    assert_eq!(body["data"]["cats"]["totalCount"], 0);
}

async fn cors_allows_only_the_configured_origins(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[
            "--cors-origins",
            "https://cats.example,https://admin.example",
        ],
    )
    .await;
    let url = format!("{}/graphql", app.address);
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, &url)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let res = preflight("https://cats.example").await.unwrap();
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://cats.example"
    );
    let res = preflight("https://evil.example").await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

on_both_backends!(
    responses_follow_the_graphql_over_http_spec,
    get_runs_queries_refuses_mutations_and_serves_graphiql,
    health_and_readiness_answer,
    depth_complexity_and_body_limits_are_enforced,
    introspection_can_be_turned_off,
    cors_allows_only_the_configured_origins,
);
