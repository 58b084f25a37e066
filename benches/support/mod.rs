//! What the benchmarks that run Kairos over a real database share: a fresh database per
//! measurement, and users made through the accounts use case.

use kairos::accounts::{self, NewAccount};
use kairos::domain::{Email, PersonName, Role, TimeZoneName};
use kairos::storage::Db;
use kairos::storage::users::User;

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
