//! PostgreSQL over TLS, as RDS requires (`rds.force_ssl`): the PG* settings with `PGSSLMODE` and
//! `PGSSLROOTCERT` give a connection that is encrypted and verifies the server against the CA bundle.
//! ./scripts/test starts the test server with TLS and a private CA (`CATTERY_TEST_PG_CA`).

use cattery_tests::PG_URL_VAR;
use clap::Parser;
use sea_orm::{ConnectionTrait, Statement};
use secrecy::ExposeSecret;

/// The connection URL the settings choose from these flags, as text.
fn url_of(args: &[&str]) -> Result<String, String> {
    let mut all = vec!["cattery"];
    all.extend_from_slice(args);
    let mut settings = cattery::cli::Cli::try_parse_from(all)
        .map_err(|e| e.to_string())?
        .settings;
    settings.database_url = None;
    let choice = settings.database().map_err(|e| e.to_string())?;
    Ok(choice.url.expose_secret().to_owned())
}

fn server() -> (String, String) {
    let url = std::env::var(PG_URL_VAR)
        .unwrap_or_else(|_| panic!("set {PG_URL_VAR} (./scripts/test does)"));
    let url = reqwest::Url::parse(&url).unwrap();
    (
        url.port().unwrap_or(5432).to_string(),
        url.username().to_owned(),
    )
}

fn ca() -> String {
    std::env::var("CATTERY_TEST_PG_CA").unwrap_or_else(|_| {
        panic!("set CATTERY_TEST_PG_CA to the CA bundle of the TLS-enabled test server (./scripts/test does)")
    })
}

async fn uses_tls(url: &str) -> Result<bool, String> {
    let db = sea_orm::Database::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        ))
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no row")?;
    let ssl: bool = row.try_get("", "ssl").map_err(|e| e.to_string())?;
    db.close().await.map_err(|e| e.to_string())?;
    Ok(ssl)
}

#[tokio::test]
async fn pg_settings_with_verify_full_and_the_ca_bundle_connect_over_verified_tls() {
    let (port, user) = server();
    let ca = ca();
    let base = [
        "--pg-host",
        "localhost",
        "--pg-port",
        &port,
        "--pg-user",
        &user,
        "--pg-database",
        "postgres",
    ];

    let verified = url_of(
        &[
            &base[..],
            &["--pg-sslmode", "verify-full", "--pg-sslrootcert", &ca],
        ]
        .concat(),
    )
    .unwrap();
    assert_eq!(
        uses_tls(&verified).await,
        Ok(true),
        "verify-full with the CA bundle is encrypted"
    );

    let required = url_of(&[&base[..], &["--pg-sslmode", "require"]].concat()).unwrap();
    assert_eq!(uses_tls(&required).await, Ok(true));

    let plain = url_of(&[&base[..], &["--pg-sslmode", "disable"]].concat()).unwrap();
    assert_eq!(
        uses_tls(&plain).await,
        Ok(false),
        "the check itself can tell plain from TLS"
    );

    // A server the bundle does not vouch for is refused.
    let wrong_ca = url_of(
        &[
            &base[..],
            &[
                "--pg-sslmode",
                "verify-full",
                "--pg-sslrootcert",
                "/etc/ssl/certs/ca-certificates.crt",
            ],
        ]
        .concat(),
    )
    .unwrap();
    assert!(
        uses_tls(&wrong_ca).await.is_err(),
        "an unverifiable server is refused"
    );
}
