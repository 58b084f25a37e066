//! Backups of a SQLite database while Kairos runs, and the checks a backup passes before it is
//! restored. PostgreSQL is backed up with `pg_dump` (docs/OPERATIONS.md).

use std::path::Path;

use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl as _, SqliteConnection};
use diesel_async::SimpleAsyncConnection;

use super::{Db, Pools, StorageError, StorageResult};

/// Writes a consistent copy of the SQLite database to `to` (which must not exist) with
/// `VACUUM INTO`: one read transaction, so writes committed meanwhile are either wholly in
/// the copy or not at all, and writers are not stopped.
pub async fn backup(db: &Db, to: &Path) -> StorageResult<()> {
    let Pools::Sqlite(super::SqlitePools { reads: pool, .. }) = &db.pools else {
        return Err(StorageError::Unavailable(
            "kairos backup copies SQLite databases; back up PostgreSQL with pg_dump (docs/OPERATIONS.md)"
                .to_owned(),
        ));
    };
    if to.exists() {
        return Err(StorageError::Unavailable(format!(
            "{} already exists; choose a new file",
            to.display()
        )));
    }
    let target = to
        .to_str()
        .ok_or_else(|| StorageError::Unavailable("the backup path is not UTF-8".to_owned()))?;
    let mut conn = pool.get().await?;
    conn.batch_execute(&format!("VACUUM INTO '{}'", target.replace('\'', "''")))
        .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Checks that `file` is an intact SQLite database made by Kairos (`PRAGMA integrity_check`
/// answers ok; it has applied migrations); returns how many.
pub fn verify_sqlite_backup(file: &Path) -> Result<i64, String> {
    let name = file.display();
    if !file.is_file() {
        return Err(format!("{name} is not a file"));
    }
    let url = format!("file:{}?mode=ro", file.display());
    let mut conn = SqliteConnection::establish(&url)
        .map_err(|e| format!("{name} cannot be opened as SQLite: {e}"))?;
    let checks: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .map_err(|e| format!("{name} is not a SQLite database: {e}"))?;
    let problems: Vec<String> = checks
        .into_iter()
        .map(|c| c.integrity_check)
        .filter(|c| c != "ok")
        .collect();
    if !problems.is_empty() {
        return Err(format!("{name} is damaged: {}", problems.join("; ")));
    }
    let applied: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM __diesel_schema_migrations")
        .get_result(&mut conn)
        .map_err(|_| format!("{name} is not a Kairos database (it has no migrations table)"))?;
    if applied.n == 0 {
        return Err(format!(
            "{name} is not a Kairos database (no migrations applied)"
        ));
    }
    Ok(applied.n)
}
