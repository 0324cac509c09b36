//! The committed `schema.graphql` is exactly what the server serves.

#[test]
fn committed_schema_matches_the_served_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let served = cattery::schema_sdl();
    assert!(
        committed == served,
        "schema.graphql is out of date: run `cargo run -- schema --output schema.graphql` and commit it"
    );
}
