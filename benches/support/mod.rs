//! What the benchmarks that run Kairos over a real database share: a fresh database per
//! measurement, and users made through the accounts use case.

use kairos::accounts::{self, NewAccount};
use kairos::config::{Config, LogFormat, Secret};
use kairos::domain::{Email, PersonName, Role, TimeZoneName};
use kairos::storage::Db;
use kairos::storage::users::User;

/// What every benchmark's instance is: on port 0, with `database_url`, its data in `dir`, a
/// fixed secret key, and only errors logged. Each benchmark says which workers run.
pub fn config(database_url: &str, dir: &std::path::Path) -> Config {
    Config {
        database_url: database_url.to_owned(),
        bind: "127.0.0.1:0".into(),
        data_dir: dir.join("data"),
        secret_key: Some(Secret::new("bench-secret-key-0123456789abcdef-0123".into())),
        log_format: LogFormat::Human,
        log_level: "error".into(),
        ..Config::default()
    }
}

/// A plain user without a password, made through `accounts::create_user`.
pub async fn user(db: &Db, email: &str, name: &str, time_zone: &str) -> User {
    accounts::create_user(
        db,
        NewAccount {
            email: Email::parse(email).unwrap(),
            name: PersonName::parse(name).unwrap(),
            time_zone: TimeZoneName::parse(time_zone).unwrap(),
            username: None,
            password: None,
            role: Role::User,
        },
    )
    .await
    .unwrap()
}

/// A fresh database: a file in `dir` for SQLite, or, when `BENCH_DATABASE_URL` names a
/// PostgreSQL server, a new database `kairos_bench_<name>` next to the one it names (dropped
/// first if it exists). Returns its URL and the backend's name. Each measurement needs its own:
/// the servers of earlier ones keep running, workers included.
pub async fn fresh_database(dir: &std::path::Path, name: &str) -> (String, &'static str) {
    match std::env::var("BENCH_DATABASE_URL") {
        Ok(admin) => {
            let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
                .await
                .expect("connect to BENCH_DATABASE_URL");
            tokio::spawn(connection);
            let database = format!("kairos_bench_{name}");
            // Two statements, two calls: DROP DATABASE refuses to run inside a transaction block.
            for statement in [
                format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
                format!("CREATE DATABASE {database}"),
            ] {
                client
                    .batch_execute(&statement)
                    .await
                    .expect("create the benchmark database");
            }
            let mut url = url::Url::parse(&admin).expect("BENCH_DATABASE_URL is a URL");
            url.set_path(&database);
            (url.to_string(), "postgres")
        }
        Err(_) => (
            format!("sqlite://{}", dir.join(format!("{name}.db")).display()),
            "sqlite",
        ),
    }
}
