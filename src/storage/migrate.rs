//! Embedded migrations for both backends, and a description of the live schema.
//!
//! Migrations run through diesel's sync harness on a blocking thread (the async harness uses
//! `block_in_place`, which panics on current-thread runtimes such as actix's workers).

use diesel::QueryableByName;
use diesel::sql_types::{Bool, Text};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::{AsyncConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{ColumnInfo, Conn, Db, StorageError, StorageResult, with_conn};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applies every pending migration; returns the versions applied now (empty when up to date).
pub async fn run_migrations(db: &Db) -> StorageResult<Vec<String>> {
    match db {
        Db::Pg(pool) => apply(Object::take(pool.get().await?), POSTGRES).await,
        Db::Sqlite(pool) => apply(Object::take(pool.get().await?), SQLITE).await,
    }
}

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

const SQLITE_COLUMNS: &str = "SELECT m.name AS table_name, p.name AS column_name, p.type AS sql_type, \
     (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
     FROM sqlite_master m JOIN pragma_table_info(m.name) p \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
       AND m.name <> '__diesel_schema_migrations'";

const POSTGRES_COLUMNS: &str = "SELECT table_name::text AS table_name, column_name::text AS column_name, \
     data_type::text AS sql_type, (is_nullable = 'YES') AS nullable \
     FROM information_schema.columns \
     WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'";

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
