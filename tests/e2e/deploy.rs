//! The deployment files agree with the binary: every variable they set is one it understands.

use std::collections::BTreeSet;

use clap::CommandFactory;

/// Variables read by the AWS SDK's standard chain and the log filter, not by clap.
const SDK_AND_LOG_VARIABLES: [&str; 8] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_PROFILE",
    "RUST_LOG",
];

fn understood() -> BTreeSet<String> {
    let command = cattery::cli::Cli::command();
    let mut names: BTreeSet<String> = command
        .get_arguments()
        .filter_map(|arg| arg.get_env())
        .map(|env| env.to_string_lossy().into_owned())
        .collect();
    names.extend(SDK_AND_LOG_VARIABLES.iter().map(|s| (*s).to_owned()));
    names
}

fn root(path: &str) -> String {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

#[test]
fn every_variable_the_compose_file_gives_the_app_is_understood() {
    let compose: serde_yaml::Value = serde_yaml::from_str(&root("docker-compose.yml")).unwrap();
    let env = &compose["services"]["app"]["environment"];
    let names: Vec<String> = match env {
        serde_yaml::Value::Mapping(map) => map
            .keys()
            .filter_map(|k| k.as_str().map(str::to_owned))
            .collect(),
        serde_yaml::Value::Sequence(items) => items
            .iter()
            .filter_map(|i| i.as_str())
            .map(|i| i.split('=').next().unwrap_or_default().to_owned())
            .collect(),
        other => panic!("services.app.environment is missing or odd: {other:?}"),
    };
    assert!(
        names.len() >= 5,
        "the app gets its configuration: {names:?}"
    );
    for required in [
        "DATABASE_URL",
        "S3_BUCKET_NAME",
        "AWS_ENDPOINT_URL",
        "CATTERY_LISTEN",
    ] {
        assert!(
            names.iter().any(|n| n == required),
            "compose sets {required}"
        );
    }
    let known = understood();
    let unknown: Vec<&String> = names.iter().filter(|n| !known.contains(*n)).collect();
    assert!(
        unknown.is_empty(),
        "compose sets variables the binary ignores: {unknown:?}"
    );
}

#[test]
fn every_variable_the_ecs_task_definition_sets_is_understood() {
    let ecs = root("terraform/ecs.tf");
    let known = understood();
    // Container environment and secrets are written as `{ name = "VAR", value… }` entries.
    let names: Vec<&str> = ecs
        .lines()
        .filter_map(|line| {
            line.trim()
                .strip_prefix("{ name = \"")
                .or_else(|| line.trim().strip_prefix("name = \""))
        })
        .filter_map(|rest| rest.split('"').next())
        .filter(|name| {
            name.chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        })
        .collect();
    assert!(
        names.contains(&"S3_BUCKET_NAME"),
        "the task definition configures the bucket: {names:?}"
    );
    let unknown: Vec<&&str> = names.iter().filter(|n| !known.contains(**n)).collect();
    assert!(
        unknown.is_empty(),
        "the task definition sets variables the binary ignores: {unknown:?}"
    );
}

#[test]
fn the_dockerfile_runs_the_cattery_binary_as_a_non_root_user() {
    let dockerfile = root("Dockerfile");
    assert!(
        dockerfile.contains("cargo build --release"),
        "builds the binary"
    );
    assert!(
        dockerfile
            .lines()
            .any(|l| l.starts_with("USER ") && !l.contains("root")),
        "non-root"
    );
    assert!(dockerfile.contains("HEALTHCHECK"), "has a health check");
    assert!(dockerfile.contains("cattery"), "runs cattery");
}
