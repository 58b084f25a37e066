//! The two migration folders and the one diesel schema must describe the same tables, columns,
//! nullability and column types. Each backend's suite checks its live schema against
//! `schema.rs`; on PostgreSQL the test also compares directly with a fresh SQLite database.

use std::collections::BTreeMap;

use kairos::storage::{ColumnInfo, Db, PoolOptions, run_migrations};

use crate::helpers::{TestDatabase, spawn_app};

const SCHEMA_RS: &str = include_str!("../../src/storage/schema.rs");

/// (table, column) -> (diesel type, nullable), read from schema.rs.
fn declared_columns() -> BTreeMap<(String, String), (String, bool)> {
    let mut columns = BTreeMap::new();
    let mut table: Option<String> = None;
    for line in SCHEMA_RS.lines().map(str::trim) {
        if let Some((name, _)) = line.split_once(" (").filter(|_| line.ends_with('{')) {
            table = Some(name.to_owned());
        } else if line == "}" {
            table = None;
        } else if let (Some(t), Some((column, ty))) = (&table, line.split_once(" -> ")) {
            let ty = ty.trim_end_matches(',');
            let (ty, nullable) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (inner.trim_end_matches('>'), true),
                None => (ty, false),
            };
            columns.insert((t.clone(), column.to_owned()), (ty.to_owned(), nullable));
        }
    }
    columns
}

/// Whether a live column type stores what the diesel type declares.
fn type_matches(diesel_type: &str, live: &str) -> bool {
    match diesel_type {
        "BigInt" => matches!(live, "bigint" | "integer"),
        "Integer" => live == "integer",
        "Text" => live == "text",
        "Bool" => live == "boolean",
        "Timestamp" => matches!(live, "timestamp" | "timestamp without time zone"),
        "Date" => live == "date",
        "Binary" => matches!(live, "blob" | "bytea"),
        other => panic!("schema.rs uses {other}, which this test does not know"),
    }
}

fn assert_matches_schema_rs(live: &[ColumnInfo], backend: &str) {
    let declared = declared_columns();
    assert!(
        declared.len() > 100,
        "schema.rs parsed: {} columns",
        declared.len()
    );
    let mut seen = 0;
    for column in live {
        let key = (column.table.clone(), column.column.clone());
        let Some((ty, nullable)) = declared.get(&key) else {
            panic!(
                "{backend}: {}.{} is not in schema.rs",
                column.table, column.column
            );
        };
        assert_eq!(
            column.nullable, *nullable,
            "{backend}: nullability of {}.{}",
            column.table, column.column
        );
        assert!(
            type_matches(ty, &column.sql_type),
            "{backend}: {}.{} is {} but schema.rs says {ty}",
            column.table,
            column.column,
            column.sql_type
        );
        seen += 1;
    }
    assert_eq!(
        seen,
        declared.len(),
        "{backend}: columns missing from the database"
    );
}

async fn fresh_sqlite() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let url = kairos::storage::DatabaseUrl::parse(&format!(
        "sqlite://{}",
        dir.path().join("schema.db").display()
    ))
    .unwrap();
    let db = Db::connect(&url, &PoolOptions::default()).unwrap();
    run_migrations(&db).await.unwrap();
    (dir, db)
}

#[tokio::test]
async fn the_migrated_schema_matches_schema_rs_and_the_other_backend() {
    let app = spawn_app().await;
    let live = app.db.describe_columns().await.unwrap();
    let backend = if app.database.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_matches_schema_rs(&live, backend);

    if app.database.is_postgres() {
        let (_dir, sqlite) = fresh_sqlite().await;
        let shape = |columns: Vec<ColumnInfo>| -> Vec<(String, String, bool)> {
            columns
                .into_iter()
                .map(|c| (c.table, c.column, c.nullable))
                .collect()
        };
        assert_eq!(
            shape(sqlite.describe_columns().await.unwrap()),
            shape(live),
            "SQLite and PostgreSQL differ in tables, columns or nullability"
        );
    }
}

#[tokio::test]
async fn migrations_are_recorded_and_run_once() {
    let database = TestDatabase::new().await;
    let url = kairos::storage::DatabaseUrl::parse(&database.url).unwrap();
    let db = Db::connect(&url, &PoolOptions::default()).unwrap();
    let first = run_migrations(&db).await.unwrap();
    assert!(!first.is_empty(), "a fresh database gets every migration");
    let second = run_migrations(&db).await.unwrap();
    assert!(second.is_empty(), "nothing is applied twice: {second:?}");
}

#[tokio::test]
async fn instances_starting_together_both_migrate_cleanly() {
    let database = TestDatabase::new().await;
    let url = kairos::storage::DatabaseUrl::parse(&database.url).unwrap();
    let first = Db::connect(&url, &PoolOptions::default()).unwrap();
    let second = Db::connect(&url, &PoolOptions::default()).unwrap();
    let (a, b) = tokio::join!(run_migrations(&first), run_migrations(&second));
    let (a, b) = (a.expect("first instance"), b.expect("second instance"));
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count();
    // Each migration applied exactly once, by one instance or the other.
    let mut applied: Vec<&String> = a.iter().chain(&b).collect();
    applied.sort();
    applied.dedup();
    assert_eq!(a.len() + b.len(), migrations, "{a:?} {b:?}");
    assert_eq!(applied.len(), migrations);
}

/// The database holds hashed keys, webhook secrets and every booker's details: the file, its
/// `-wal` and `-shm` companions and the directory Kairos creates for them are the owner's only.
#[cfg(unix)]
#[tokio::test]
async fn a_new_sqlite_database_and_its_directory_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data").join("kairos");
    let url = kairos::storage::DatabaseUrl::parse(&format!(
        "sqlite://{}",
        data.join("kairos.db").display()
    ))
    .unwrap();
    let db = Db::connect(&url, &PoolOptions::default()).unwrap();
    run_migrations(&db).await.unwrap();
    // A pooled connection stays open, so the write-ahead log and shared memory files exist.
    db.describe_columns().await.unwrap();
    let mode = |name: &str| {
        let path = data.join(name);
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777
    };
    assert_eq!(mode(""), 0o700, "the data directory");
    for name in ["kairos.db", "kairos.db-wal", "kairos.db-shm"] {
        assert_eq!(mode(name), 0o600, "{name}");
    }
}
