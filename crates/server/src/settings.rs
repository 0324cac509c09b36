//! Typed settings, read from flags and environment variables (flags win).
//!
//! Every setting has an environment variable; the deployment contract's names are used where it has
//! one (`DATABASE_URL`, `PG*`). A bad value stops start-up with a message naming the variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// Human-readable, coloured when on a terminal.
    #[default]
    Human,
    /// One JSON object per line (for log collectors such as CloudWatch).
    Json,
}

/// Everything the server can be configured with.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database URL: `postgres://user:pass@host:5432/db?sslmode=verify-full&sslrootcert=/rds.pem`
    /// or `sqlite:///path/cattery.db`. Takes precedence over the PG* variables.
    #[arg(
        long,
        env = "DATABASE_URL",
        value_name = "DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub database_url: Option<SecretString>,

    /// PostgreSQL host; when set (and DATABASE_URL is not), the PG* variables define the connection.
    #[arg(long, env = "PGHOST", value_name = "PGHOST", global = true)]
    pub pg_host: Option<String>,

    /// PostgreSQL port.
    #[arg(
        long,
        env = "PGPORT",
        value_name = "PGPORT",
        default_value_t = 5432,
        global = true
    )]
    pub pg_port: u16,

    /// PostgreSQL user.
    #[arg(long, env = "PGUSER", value_name = "PGUSER", global = true)]
    pub pg_user: Option<String>,

    /// PostgreSQL password.
    #[arg(
        long,
        env = "PGPASSWORD",
        value_name = "PGPASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub pg_password: Option<SecretString>,

    /// PostgreSQL database name (defaults to the user name).
    #[arg(long, env = "PGDATABASE", value_name = "PGDATABASE", global = true)]
    pub pg_database: Option<String>,

    /// TLS mode for PG* connections: disable, prefer, require, verify-ca or verify-full.
    #[arg(long, env = "PGSSLMODE", value_name = "PGSSLMODE", global = true)]
    pub pg_sslmode: Option<String>,

    /// CA bundle for verify-ca/verify-full (for RDS: the global-bundle.pem from AWS).
    #[arg(
        long,
        env = "PGSSLROOTCERT",
        value_name = "PGSSLROOTCERT",
        global = true
    )]
    pub pg_sslrootcert: Option<PathBuf>,

    /// Size of the database connection pool.
    #[arg(
        long,
        env = "CATTERY_DB_MAX_CONNECTIONS",
        value_name = "CATTERY_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub db_max_connections: u32,

    /// Address to listen on (port 0 picks a free port).
    #[arg(
        long,
        env = "CATTERY_LISTEN",
        value_name = "CATTERY_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// Folder for the embedded default's SQLite file.
    #[arg(
        long,
        env = "CATTERY_DATA_DIR",
        value_name = "CATTERY_DATA_DIR",
        default_value = "data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Log format.
    #[arg(long, env = "CATTERY_LOG_FORMAT", value_name = "CATTERY_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human, global = true)]
    pub log_format: LogFormat,

    /// Apply pending migrations when the server starts.
    #[arg(long, env = "CATTERY_MIGRATE", value_name = "CATTERY_MIGRATE", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub migrate: bool,

    /// Origins allowed by CORS, comma-separated (`*` for any); none by default (same origin only).
    #[arg(
        long,
        env = "CATTERY_CORS_ORIGINS",
        value_name = "CATTERY_CORS_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_origins: Vec<String>,

    /// Answer GraphQL introspection queries (playgrounds and codegen need it).
    #[arg(long, env = "CATTERY_INTROSPECTION", value_name = "CATTERY_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub introspection: bool,

    /// Largest page (`first`/`last`) a client may ask for.
    #[arg(
        long,
        env = "CATTERY_MAX_PAGE_SIZE",
        value_name = "CATTERY_MAX_PAGE_SIZE",
        default_value_t = 100,
        global = true
    )]
    pub max_page_size: u64,

    /// Largest request body accepted for JSON GraphQL requests, in bytes.
    #[arg(long, env = "CATTERY_MAX_BODY_BYTES", value_name = "CATTERY_MAX_BODY_BYTES", default_value_t = 1024 * 1024, global = true)]
    pub max_body_bytes: usize,

    /// S3 bucket for photos; when unset, photos are kept in the data folder and served by Cattery.
    #[arg(
        long,
        env = "S3_BUCKET_NAME",
        value_name = "S3_BUCKET_NAME",
        global = true
    )]
    pub s3_bucket: Option<String>,

    /// S3 endpoint override for S3-compatible servers (the AWS SDK's own variable).
    #[arg(
        long,
        env = "AWS_ENDPOINT_URL",
        value_name = "AWS_ENDPOINT_URL",
        global = true
    )]
    pub s3_endpoint: Option<String>,

    /// S3 region (else AWS_REGION, AWS_DEFAULT_REGION or the profile's region).
    #[arg(long, value_name = "REGION", global = true)]
    pub s3_region: Option<String>,

    /// Address buckets by path (`host/bucket/key`), as MinIO and most S3-compatible servers need.
    #[arg(long, env = "CATTERY_S3_FORCE_PATH_STYLE", value_name = "CATTERY_S3_FORCE_PATH_STYLE", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub s3_force_path_style: bool,

    /// Static S3 access key (tests and S3-compatible servers); normally the AWS chain provides one.
    #[arg(long, hide = true, global = true)]
    pub s3_access_key_id: Option<String>,

    /// Static S3 secret key, with `--s3-access-key-id`.
    #[arg(long, hide = true, global = true)]
    pub s3_secret_access_key: Option<SecretString>,

    /// Public base URL of this server, used in photo URLs when photos are kept locally
    /// (default: http://<listen address>).
    #[arg(
        long,
        env = "CATTERY_PUBLIC_URL",
        value_name = "CATTERY_PUBLIC_URL",
        global = true
    )]
    pub public_url: Option<String>,

    /// Secret for signing local photo URLs (at least 32 bytes); default: generated once and kept in
    /// the data folder.
    #[arg(
        long,
        env = "CATTERY_SIGNING_KEY",
        value_name = "CATTERY_SIGNING_KEY",
        hide_env_values = true,
        global = true
    )]
    pub signing_key: Option<SecretString>,

    /// Largest photo accepted, in bytes (multipart and direct uploads).
    #[arg(long, env = "CATTERY_IMAGE_MAX_BYTES", value_name = "CATTERY_IMAGE_MAX_BYTES", default_value_t = 10 * 1024 * 1024, global = true)]
    pub image_max_bytes: u64,

    /// Largest photo width or height accepted, in pixels.
    #[arg(
        long,
        env = "CATTERY_IMAGE_MAX_DIMENSION",
        value_name = "CATTERY_IMAGE_MAX_DIMENSION",
        default_value_t = 10_000,
        global = true
    )]
    pub image_max_dimension: u32,

    /// Lifetime of presigned photo URLs, in seconds.
    #[arg(
        long,
        env = "CATTERY_IMAGE_URL_TTL_SECONDS",
        value_name = "CATTERY_IMAGE_URL_TTL_SECONDS",
        default_value_t = 900,
        global = true
    )]
    pub image_url_ttl_seconds: u64,

    /// Lifetime of presigned direct-upload URLs, in seconds.
    #[arg(
        long,
        env = "CATTERY_UPLOAD_URL_TTL_SECONDS",
        value_name = "CATTERY_UPLOAD_URL_TTL_SECONDS",
        default_value_t = 900,
        global = true
    )]
    pub upload_url_ttl_seconds: u64,
}

/// A setting that cannot be used, named by its environment variable.
#[derive(Debug, thiserror::Error)]
#[error("invalid {variable}: {message}")]
pub struct SettingsError {
    /// The environment variable (or flag) at fault.
    pub variable: &'static str,
    /// What is wrong.
    pub message: String,
}

/// Where the records live, as chosen from the settings.
#[derive(Debug, Clone)]
pub struct DatabaseChoice {
    /// Connection URL (may carry a password: never log it, use `description`).
    pub url: SecretString,
    /// A description safe for logs.
    pub description: String,
}

impl Settings {
    /// Picks the database: DATABASE_URL, else the PG* variables, else SQLite in the data folder.
    pub fn database(&self) -> Result<DatabaseChoice, SettingsError> {
        if let Some(raw) = &self.database_url {
            let url = Url::parse(raw.expose_secret()).map_err(|err| SettingsError {
                variable: "DATABASE_URL",
                message: format!("not a URL ({err})"),
            })?;
            let description = match url.scheme() {
                "postgres" | "postgresql" => format!(
                    "postgresql at {}:{}{} (from DATABASE_URL)",
                    url.host_str().unwrap_or("localhost"),
                    url.port().unwrap_or(5432),
                    url.path()
                ),
                "sqlite" => format!("sqlite at {} (from DATABASE_URL)", url.path()),
                other => {
                    return Err(SettingsError {
                        variable: "DATABASE_URL",
                        message: format!(
                            "unsupported scheme `{other}` (use postgres:// or sqlite://)"
                        ),
                    });
                }
            };
            return Ok(DatabaseChoice {
                url: raw.clone(),
                description,
            });
        }
        if let Some(host) = &self.pg_host {
            return self.database_from_pg_vars(host);
        }
        let path =
            std::path::absolute(self.data_dir.join("cattery.db")).map_err(|err| SettingsError {
                variable: "CATTERY_DATA_DIR",
                message: err.to_string(),
            })?;
        Ok(DatabaseChoice {
            url: SecretString::from(format!("sqlite://{}?mode=rwc", path.display())),
            description: format!(
                "sqlite at {} (embedded default: set DATABASE_URL or PGHOST for PostgreSQL)",
                path.display()
            ),
        })
    }

    fn database_from_pg_vars(&self, host: &str) -> Result<DatabaseChoice, SettingsError> {
        let user = self
            .pg_user
            .clone()
            .unwrap_or_else(|| "postgres".to_owned());
        let database = self.pg_database.clone().unwrap_or_else(|| user.clone());
        let mut url = Url::parse("postgres://localhost").map_err(|err| SettingsError {
            variable: "PGHOST",
            message: err.to_string(),
        })?;
        url.set_host(Some(host)).map_err(|err| SettingsError {
            variable: "PGHOST",
            message: format!("`{host}` is not a host name ({err})"),
        })?;
        let invalid_user = |_| SettingsError {
            variable: "PGUSER",
            message: "cannot be used in a connection URL".to_owned(),
        };
        url.set_port(Some(self.pg_port))
            .map_err(|()| SettingsError {
                variable: "PGPORT",
                message: "cannot be set for this host".to_owned(),
            })?;
        url.set_username(&user).map_err(invalid_user)?;
        if let Some(password) = &self.pg_password {
            url.set_password(Some(password.expose_secret()))
                .map_err(|()| SettingsError {
                    variable: "PGPASSWORD",
                    message: "cannot be used in a connection URL".to_owned(),
                })?;
        }
        url.set_path(&database);
        if let Some(mode) = &self.pg_sslmode {
            const MODES: [&str; 6] = [
                "disable",
                "allow",
                "prefer",
                "require",
                "verify-ca",
                "verify-full",
            ];
            if !MODES.contains(&mode.as_str()) {
                return Err(SettingsError {
                    variable: "PGSSLMODE",
                    message: format!("`{mode}` is not one of {}", MODES.join(", ")),
                });
            }
            url.query_pairs_mut().append_pair("sslmode", mode);
        }
        if let Some(cert) = &self.pg_sslrootcert {
            url.query_pairs_mut()
                .append_pair("sslrootcert", &cert.display().to_string());
        }
        Ok(DatabaseChoice {
            url: SecretString::from(url.to_string()),
            description: format!(
                "postgresql at {host}:{}/{database} as {user} (from PG* variables)",
                self.pg_port
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use clap::Parser;

    use crate::cli::Cli;

    fn settings(args: &[&str]) -> Result<super::Settings, clap::Error> {
        let mut all = vec!["cattery"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).map(|cli| cli.settings)
    }

    #[test]
    fn with_nothing_set_the_embedded_sqlite_default_is_chosen() {
        let mut s = settings(&["--data-dir", "/tmp/cattery-x"]).unwrap();
        // Whatever the environment running the tests sets, model "nothing configured".
        s.database_url = None;
        s.pg_host = None;
        let choice = s.database().unwrap();
        assert!(
            choice
                .description
                .starts_with("sqlite at /tmp/cattery-x/cattery.db")
        );
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
    }

    #[test]
    fn pg_variables_build_an_encoded_url_with_tls_options() {
        let s = settings(&[
            "--pg-host",
            "db.example.com",
            "--pg-port",
            "6543",
            "--pg-user",
            "cat admin",
            "--pg-password",
            "p@ss/word",
            "--pg-database",
            "cattery",
            "--pg-sslmode",
            "verify-full",
            "--pg-sslrootcert",
            "/etc/rds.pem",
            "--database-url",
            "",
        ]);
        // An empty DATABASE_URL is not a URL; without it the PG* path is taken.
        assert!(s.as_ref().unwrap().database().is_err());
        let mut s = s.unwrap();
        s.database_url = None;
        let choice = s.database().unwrap();
        let url = secrecy::ExposeSecret::expose_secret(&choice.url).to_owned();
        assert_eq!(
            url,
            "postgres://cat%20admin:p%40ss%2Fword@db.example.com:6543/cattery?sslmode=verify-full&sslrootcert=%2Fetc%2Frds.pem"
        );
        assert!(
            !choice.description.contains("p@ss"),
            "the password stays out of logs"
        );
    }

    #[test]
    fn bad_settings_name_their_variable() {
        let err = settings(&["--pg-port", "not-a-port"])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("PGPORT"), "{err}");
        let err = settings(&["--listen", "nowhere"])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("CATTERY_LISTEN"), "{err}");
        let err = settings(&["--log-format", "xml"])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("CATTERY_LOG_FORMAT"), "{err}");

        let s = settings(&["--database-url", "mysql://x/y"]).unwrap();
        let err = s.database().err().unwrap().to_string();
        assert!(err.contains("DATABASE_URL"), "{err}");

        let mut s = settings(&["--pg-host", "db", "--pg-sslmode", "sometimes"]).unwrap();
        s.database_url = None;
        let err = s.database().err().unwrap().to_string();
        assert!(err.contains("PGSSLMODE"), "{err}");
    }
}
