//! Embedded migrations for both backends, and a description of the live schema.
//!
//! Migrations run through diesel's sync harness on a blocking thread (the async harness uses
//! `block_in_place`, which panics on current-thread runtimes such as actix's workers).

use diesel::QueryableByName;
use diesel::sql_types::{Bool, Text};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::{AsyncConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{ColumnInfo, Conn, Db, Pools, StorageError, StorageResult, with_conn};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applies every pending migration, then builds what a migration left for code to build (the
/// busy summaries it marked); returns the versions applied now (empty when up to date).
pub async fn run_migrations(db: &Db) -> StorageResult<Vec<String>> {
    let applied = apply_pending(db).await?;
    super::busy_summaries::rebuild_marked(db).await?;
    Ok(applied)
}

async fn apply_pending(db: &Db) -> StorageResult<Vec<String>> {
    match &db.pools {
        Pools::Pg(pool) => {
            let mut conn = Object::take(pool.get().await?);
            // Instances starting together take turns; the lock is the connection's and goes
            // with it when `apply` drops it.
            conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
                .await?;
            apply(conn, POSTGRES).await
        }
        // SQLite has no advisory locks: processes take turns on a lock file beside the
        // database instead, so each migration is applied by one of them. Opening a connection
        // can still time out while another process holds the database (switching a new one to
        // WAL needs it alone): that is tried again. A broken migration fails every attempt.
        Pools::Sqlite(pools) => {
            let _turn = match &db.migration_lock {
                Some(path) => Some(lock_file(path.clone()).await?),
                None => None,
            };
            let mut attempt = 0;
            loop {
                let outcome = match pools.writes.get().await {
                    Ok(conn) => apply(Object::take(conn), SQLITE).await,
                    Err(e) => Err(StorageError::from(e)),
                };
                match outcome {
                    Err(StorageError::Migration(_) | StorageError::Unavailable(_))
                        if attempt < 8 =>
                    {
                        attempt += 1;
                        tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
                    }
                    outcome => return outcome,
                }
            }
        }
    }
}

/// Waits for the exclusive lock on the file at `path` (made private to the owner if new);
/// the lock goes with the returned file.
async fn lock_file(path: std::path::PathBuf) -> StorageResult<std::fs::File> {
    let unavailable = |e: std::io::Error| {
        StorageError::Unavailable(format!("cannot lock {}: {e}", path.display()))
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path).map_err(unavailable)?;
    tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .map_err(|e| StorageError::Migration(e.to_string()))?
        .map_err(unavailable)
}

/// PostgreSQL advisory lock key held while migrating ("kairos" in ASCII, as a number).
const MIGRATION_LOCK: i64 = 0x6b61_6972_6f73;

async fn apply<C>(conn: C, migrations: EmbeddedMigrations) -> StorageResult<Vec<String>>
where
    C: AsyncConnection + 'static,
    AsyncConnectionWrapper<C>: MigrationHarness<C::Backend> + Send,
{
    tokio::task::spawn_blocking(move || {
        let mut harness = AsyncConnectionWrapper::<C>::from(conn);
        harness
            .run_pending_migrations(migrations)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(|e| StorageError::Migration(e.to_string()))
    })
    .await
    .map_err(|e| StorageError::Migration(e.to_string()))?
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    sql_type: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

/// SQLite's tables, less an index's virtual table and its shadow tables (`attendees_search`:
/// PostgreSQL keeps the same index as an index).
const SQLITE_COLUMNS: &str = "SELECT m.name AS table_name, p.name AS column_name, p.type AS sql_type, \
     (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
     FROM sqlite_master m JOIN pragma_table_info(m.name) p \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
       AND m.name <> '__diesel_schema_migrations' \
       AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.type = 'table' \
         AND v.sql LIKE 'CREATE VIRTUAL TABLE%' \
         AND (m.name = v.name OR m.name LIKE v.name || '\\_%' ESCAPE '\\'))";

/// PostgreSQL's tables, not views (SQLite's list above has none).
const POSTGRES_COLUMNS: &str = "SELECT table_name::text AS table_name, column_name::text AS column_name, \
     data_type::text AS sql_type, (is_nullable = 'YES') AS nullable \
     FROM information_schema.columns \
     WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations' \
       AND table_name IN (SELECT table_name FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')";

pub(super) async fn describe_columns(conn: &mut Conn<'_>) -> StorageResult<Vec<ColumnInfo>> {
    let query = match conn {
        Conn::Pg(_) => POSTGRES_COLUMNS,
        Conn::Sqlite(_) => SQLITE_COLUMNS,
    };
    let rows: Vec<ColumnRow> = with_conn!(conn, |c| diesel::sql_query(query).load(c).await)?;
    let mut columns: Vec<ColumnInfo> = rows
        .into_iter()
        .map(|r| ColumnInfo {
            table: r.table_name,
            column: r.column_name,
            sql_type: r.sql_type.to_lowercase(),
            nullable: r.nullable,
        })
        .collect();
    columns.sort();
    Ok(columns)
}
