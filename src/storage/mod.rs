//! Storage owns the database: connection pools for SQLite and PostgreSQL, the portable schema,
//! migrations, and every query. It is the only module that imports diesel; callers get domain
//! values and [`StorageError`], never diesel types.

pub mod api_keys;
pub mod backup;
pub mod booker_sessions;
pub mod bookings;
pub mod busy_summaries;
pub mod calendar_feeds;
pub mod calendars;
pub mod event_types;
pub mod host_emails;
pub mod insights;
pub mod jobs;
pub mod metrics;
mod migrate;
pub mod out_of_office;
pub mod private_links;
pub mod routing_forms;
pub mod schedules;
pub mod schema;
pub mod sessions;
pub mod sms;
pub mod spent_tokens;
pub mod teams;
mod tls;
pub mod users;
pub mod webhooks;
pub mod workflows;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::SqliteConnection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::{Pool, PoolError};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::FutureExt;

use crate::domain::BookingStatus;

pub use migrate::run_migrations;

pub(crate) type SqliteConn = SyncConnectionWrapper<SqliteConnection>;

/// Applied to every SQLite connection: waiting for locks instead of failing at once (first:
/// switching to WAL itself takes a lock another connection may hold), concurrent readers with
/// one writer (WAL), enforced foreign keys.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";

/// The writer's page cache, in KiB (SQLite's default is 2,000): it stays warm between this
/// process's transactions, so it holds the pages writes keep coming back to.
const SQLITE_WRITER_CACHE: &str = "PRAGMA cache_size = -32768;";

/// Which database a URL names. SQLite paths are relative to the working directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if let Some(path) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            if path.is_empty() || path.contains(['?', '#', '%']) {
                return Err(format!(
                    "database URL `{raw}` needs a plain file path (no ?, # or %), e.g. sqlite://data/kairos.db"
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            tls::PgTarget::parse(raw)?;
            return Ok(Self::Postgres(raw.to_owned()));
        }
        Err(format!(
            "database URL must start with sqlite:// or postgres://, got `{}`",
            redact_url(raw)
        ))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }
}

/// A URL with any password replaced, safe to log or print.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => raw.to_owned(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule of the schema was violated; the payload names the constraint.
    #[error("conflicts with an existing record ({0})")]
    Conflict(String),
    /// A host's time claims would overlap: the no-double-booking guarantee fired.
    #[error("the time is already taken")]
    Overlap,
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Query(#[source] DieselError),
    #[error("migration failed: {0}")]
    Migration(String),
    /// A stored value does not read as what its column holds: the data, not the request, is
    /// wrong, so it surfaces (a 500 with the cause in the log) instead of reading as a default.
    #[error("{table}.{column} of row {id} does not read: {message}")]
    Corrupt {
        table: &'static str,
        column: &'static str,
        id: i64,
        message: String,
    },
}

impl From<DieselError> for StorageError {
    fn from(err: DieselError) -> Self {
        match &err {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(kind, info) => {
                let message = info.message();
                let constraint = info.constraint_name().unwrap_or(message).to_owned();
                // PostgreSQL reports the exclusion constraint by kind; SQLite's trigger can only
                // raise a message, which diesel reports as an unknown error.
                if constraint.contains("booking_claims_no_overlap")
                    || message.contains("booking_claims_no_overlap")
                {
                    return Self::Overlap;
                }
                match kind {
                    DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::ForeignKeyViolation => {
                        Self::Conflict(constraint)
                    }
                    DatabaseErrorKind::ClosedConnection => Self::Unavailable(message.to_owned()),
                    // PostgreSQL ended the transaction to break a lock cycle or a conflict
                    // of serialisable transactions: nothing was written, trying again can
                    // succeed (503, not 500).
                    DatabaseErrorKind::SerializationFailure => {
                        Self::Unavailable(message.to_owned())
                    }
                    _ if message.contains("deadlock detected") => {
                        Self::Unavailable(message.to_owned())
                    }
                    // SQLite gave up waiting for the write lock (busy_timeout): overloaded, not
                    // broken.
                    _ if message.contains("database is locked") => {
                        Self::Unavailable(message.to_owned())
                    }
                    _ => Self::Query(err),
                }
            }
            _ => Self::Query(err),
        }
    }
}

impl From<PoolError> for StorageError {
    fn from(err: PoolError) -> Self {
        Self::Unavailable(err.to_string())
    }
}

pub type StorageResult<T> = Result<T, StorageError>;

/// Pool settings that matter to operators.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_connections: usize,
    pub acquire_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// A pool of connections to one of the two backends, and the count of availability writes
/// this process has committed through it.
#[derive(Clone)]
pub struct Db {
    pools: Pools,
    writes: Arc<AtomicU64>,
    /// SQLite has one writer at a time. Writers of this process queue here, first come
    /// first served, instead of polling in SQLite's busy handler, whose growing sleeps made
    /// some bookings wait over a second under load while others went straight through.
    sqlite_writer: Arc<tokio::sync::Mutex<()>>,
    /// Signalled after each tracked commit; the webhook worker wakes on it.
    commits: Arc<tokio::sync::Notify>,
    /// SQLite: the file processes lock while one of them migrates (`<database>-migrating`).
    migration_lock: Option<PathBuf>,
}

#[derive(Clone)]
enum Pools {
    Pg(Pool<AsyncPgConnection>),
    Sqlite(SqlitePools),
}

/// SQLite's readers, and the one connection every transaction of this process writes
/// through. A connection's page cache is dropped whenever another connection has written
/// since its last transaction; with one writer, the writer's cache stays warm from one
/// transaction to the next instead of reading each page back from the file every time.
#[derive(Clone)]
struct SqlitePools {
    reads: Pool<SqliteConn>,
    writes: Pool<SqliteConn>,
}

/// A borrowed connection to either backend: what every query function takes, inside or
/// outside a transaction.
pub enum Conn<'a> {
    Pg(&'a mut AsyncPgConnection),
    Sqlite(&'a mut SqliteConn),
}

/// The bound diesel-async puts on transaction bodies, so `async |c| { .. }` closures whose
/// futures are `Send` can be passed straight through.
pub trait TxBody<T, R>: AsyncFnOnce(T) -> R + FnOnce(T) -> <Self as TxBody<T, R>>::Fut {
    type Fut: Future<Output = R>;
}

impl<F, T, Fut, R> TxBody<T, R> for F
where
    F: AsyncFnOnce(T) -> R + FnOnce(T) -> Fut,
    Fut: Future<Output = R>,
{
    type Fut = Fut;
}

/// Runs one query body against whichever backend `$conn` (a `&mut Conn`) holds; the body is
/// written once and compiled for each backend.
macro_rules! with_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::storage::Conn::Pg(inner) => {
                let $c: &mut diesel_async::AsyncPgConnection = &mut **inner;
                $body
            }
            $crate::storage::Conn::Sqlite(inner) => {
                let $c: &mut $crate::storage::SqliteConn = &mut **inner;
                $body
            }
        }
    };
}

pub(crate) use with_conn;

impl Db {
    /// Builds the pool. Connections are opened lazily, so an unreachable database makes the
    /// first query fail, not this call; `/health` reports it.
    pub fn connect(url: &DatabaseUrl, options: &PoolOptions) -> StorageResult<Self> {
        let pools = match url {
            DatabaseUrl::Sqlite(path) => {
                create_private_sqlite_file(path)?;
                let writer = PoolOptions {
                    max_connections: 1,
                    ..options.clone()
                };
                Pools::Sqlite(SqlitePools {
                    reads: build_pool(sqlite_manager(path, ""), options)?,
                    writes: build_pool(sqlite_manager(path, SQLITE_WRITER_CACHE), &writer)?,
                })
            }
            DatabaseUrl::Postgres(url) => {
                let target = tls::PgTarget::parse(url).map_err(StorageError::Unavailable)?;
                let tls = target.client_config().map_err(StorageError::Unavailable)?;
                let mut config = ManagerConfig::<AsyncPgConnection>::default();
                config.custom_setup =
                    Box::new(move |url| tls::connect(url.to_owned(), tls.clone()).boxed());
                let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
                    target.url, config,
                );
                Pools::Pg(build_pool(manager, options)?)
            }
        };
        Ok(Self {
            pools,
            writes: Arc::new(AtomicU64::new(0)),
            sqlite_writer: Arc::new(tokio::sync::Mutex::new(())),
            commits: Arc::new(tokio::sync::Notify::new()),
            migration_lock: match url {
                DatabaseUrl::Sqlite(path) => {
                    let mut name = path.clone().into_os_string();
                    name.push("-migrating");
                    Some(PathBuf::from(name))
                }
                DatabaseUrl::Postgres(_) => None,
            },
        })
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Pg(_) => Backend::Postgres,
            Pools::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Runs `body` on a pooled connection, each statement committing on its own.
    pub async fn run<R, E, F>(&self, body: F) -> Result<R, E>
    where
        F: for<'r, 'c> AsyncFnOnce(&'r mut Conn<'c>) -> Result<R, E>,
        E: From<StorageError>,
    {
        match &self.pools {
            Pools::Pg(pool) => {
                let mut object = pool.get().await.map_err(StorageError::from)?;
                body(&mut Conn::Pg(&mut object)).await
            }
            Pools::Sqlite(pools) => {
                let mut object = pools.reads.get().await.map_err(StorageError::from)?;
                body(&mut Conn::Sqlite(&mut object)).await
            }
        }
    }

    /// Runs `body` in one transaction: all of it commits or none of it does (an `Err` from
    /// the body rolls back). SQLite takes the write lock up front (`BEGIN IMMEDIATE`), so a
    /// read-check-write body is serial and never fails on a lock upgrade. A commit counts as
    /// a write ([`Db::write_count`]) and wakes what waits on [`Db::commits`].
    pub async fn transaction<R, E, F>(&self, body: F) -> Result<R, E>
    where
        F: for<'r, 'c> TxBody<&'r mut Conn<'c>, Result<R, E>, Fut: Send> + Send,
        R: Send,
        E: From<StorageError> + Send,
    {
        let outcome = self.transaction_untracked(body).await;
        if outcome.is_ok() {
            self.writes.fetch_add(1, Ordering::SeqCst);
            self.commits.notify_waiters();
        }
        outcome
    }

    /// A transaction for bookkeeping no cached answer depends on (the webhook worker's
    /// leases and attempt log): it neither counts as a write nor wakes anyone.
    pub async fn background_transaction<R, E, F>(&self, body: F) -> Result<R, E>
    where
        F: for<'r, 'c> TxBody<&'r mut Conn<'c>, Result<R, E>, Fut: Send> + Send,
        R: Send,
        E: From<StorageError> + Send,
    {
        self.transaction_untracked(body).await
    }

    async fn transaction_untracked<R, E, F>(&self, body: F) -> Result<R, E>
    where
        F: for<'r, 'c> TxBody<&'r mut Conn<'c>, Result<R, E>, Fut: Send> + Send,
        R: Send,
        E: From<StorageError> + Send,
    {
        let outcome = match &self.pools {
            Pools::Pg(pool) => {
                let mut object = pool.get().await.map_err(StorageError::from)?;
                let pg: &mut AsyncPgConnection = &mut object;
                pg.transaction(async move |c| body(&mut Conn::Pg(c)).await.map_err(TxError::Body))
                    .await
            }
            Pools::Sqlite(pools) => {
                let _turn = self.sqlite_writer.lock().await;
                let mut object = pools.writes.get().await.map_err(StorageError::from)?;
                let sqlite: &mut SqliteConn = &mut object;
                sqlite
                    .immediate_transaction(async move |c| {
                        body(&mut Conn::Sqlite(c)).await.map_err(TxError::Body)
                    })
                    .await
            }
        };
        outcome.map_err(|e| match e {
            TxError::Body(e) => e,
            TxError::Database(e) => E::from(StorageError::from(e)),
        })
    }

    /// Notified after every tracked commit of this process.
    pub fn commits(&self) -> Arc<tokio::sync::Notify> {
        self.commits.clone()
    }

    /// How many transactions this process has committed through this pool. Read it before
    /// reading data to cache an answer, and the answer is current while the count is
    /// unchanged: a commit that the read might have missed bumps it afterwards. Every write
    /// that changes availability goes through [`Db::transaction`]; `run` is for reads and for
    /// writes no cached answer depends on (API key bookkeeping).
    pub fn write_count(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    /// The pool's connections now, for `/metrics`.
    pub fn pool_status(&self) -> PoolStatus {
        let status = match &self.pools {
            Pools::Pg(pool) => pool.status(),
            Pools::Sqlite(pools) => pools.reads.status(),
        };
        PoolStatus {
            max_size: status.max_size,
            open: status.size,
            idle: status.available,
            waiting: status.waiting,
        }
    }

    /// A round trip to the database: the readiness check behind `/health`.
    pub async fn ping(&self) -> StorageResult<()> {
        self.run(async |conn| -> StorageResult<()> {
            with_conn!(conn, |c| c.batch_execute("SELECT 1").await)?;
            Ok(())
        })
        .await
    }

    /// Runs literal SQL statements. For maintenance and for tests that prove the schema itself
    /// enforces a rule; never call it with text from a request.
    #[doc(hidden)]
    pub async fn execute_sql(&self, sql: &str) -> StorageResult<()> {
        self.run(async |conn| -> StorageResult<()> {
            with_conn!(conn, |c| c.batch_execute(sql).await)?;
            Ok(())
        })
        .await
    }

    /// How many rows a literal `SELECT` returns; for tests and maintenance like
    /// [`Db::execute_sql`].
    #[doc(hidden)]
    pub async fn count_rows(&self, select: &str) -> StorageResult<i64> {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let sql = format!("SELECT COUNT(*) AS n FROM ({select}) AS counted");
        self.run(async |conn| -> StorageResult<i64> {
            let count: Count = with_conn!(conn, |c| diesel_async::RunQueryDsl::get_result(
                diesel::sql_query(&sql),
                c
            )
            .await)?;
            Ok(count.n)
        })
        .await
    }

    /// The tables and columns as the live database has them, for the schema agreement test
    /// and for operators.
    pub async fn describe_columns(&self) -> StorageResult<Vec<ColumnInfo>> {
        self.run(async |conn| migrate::describe_columns(conn).await)
            .await
    }
}

/// How the connection pool stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    pub max_size: usize,
    /// Connections open, in use or idle.
    pub open: usize,
    pub idle: usize,
    /// Callers waiting for a connection.
    pub waiting: usize,
}

/// A transaction's failure: the body's own error, or the database's (begin, commit, rollback).
enum TxError<E> {
    Body(E),
    Database(DieselError),
}

impl<E> From<DieselError> for TxError<E> {
    fn from(err: DieselError) -> Self {
        Self::Database(err)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ColumnInfo {
    pub table: String,
    pub column: String,
    pub sql_type: String,
    pub nullable: bool,
}

fn build_pool<C>(
    manager: AsyncDieselConnectionManager<C>,
    options: &PoolOptions,
) -> StorageResult<Pool<C>>
where
    C: diesel_async::pooled_connection::PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<C>: deadpool::managed::Manager,
{
    Pool::builder(manager)
        .max_size(options.max_connections)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(options.acquire_timeout))
        .create_timeout(Some(options.acquire_timeout))
        .build()
        .map_err(|e| StorageError::Unavailable(e.to_string()))
}

/// Creates the database file, and its directory when missing, readable by the owner only
/// (0600 and 0700 on Unix): it holds hashed keys, webhook secrets and every booker's details.
/// SQLite gives the `-wal` and `-shm` files the database file's permissions. An existing file
/// or directory keeps the permissions an operator gave it.
fn create_private_sqlite_file(path: &Path) -> StorageResult<()> {
    let unavailable = |what: &Path, e: std::io::Error| {
        StorageError::Unavailable(format!("cannot create {}: {e}", what.display()))
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| unavailable(dir, e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(unavailable(path, e)),
    }
}

/// Connections to the SQLite file at `path`, each set up with [`SQLITE_PRAGMAS`] and `extra`.
fn sqlite_manager(path: &Path, extra: &'static str) -> AsyncDieselConnectionManager<SqliteConn> {
    let mut config = ManagerConfig::<SqliteConn>::default();
    config.custom_setup = Box::new(move |url| open_sqlite(url.to_owned(), extra).boxed());
    // A file does not drop a connection as a server can: no `SELECT 1` (a hop to the blocking
    // pool and back) on every checkout.
    config.recycling_method = RecyclingMethod::Fast;
    AsyncDieselConnectionManager::<SqliteConn>::new_with_config(
        format!("sqlite://{}", path.display()),
        config,
    )
}

async fn open_sqlite(url: String, extra: &str) -> diesel::ConnectionResult<SqliteConn> {
    let mut conn = SqliteConn::establish(&url).await?;
    conn.batch_execute(&format!("{SQLITE_PRAGMAS} {extra}"))
        .await
        .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

/// Instants are stored as naive UTC timestamps truncated to microseconds, the precision both
/// backends keep.
pub(crate) fn to_db_time(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc().trunc_subsecs(6)
}

pub(crate) fn from_db_time(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// A stored timestamp as read from either backend. SQLite keeps diesel's `%F %T%.f` text,
/// which diesel reads by trying up to 18 format strings in turn; this reads that form's digits
/// directly and leaves any other form to diesel, so the value is the same either way.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, diesel::deserialize::FromSqlRow)]
pub struct DbTime(pub NaiveDateTime);

impl diesel::deserialize::FromSql<diesel::sql_types::Timestamp, diesel::sqlite::Sqlite> for DbTime {
    fn from_sql(
        mut value: diesel::sqlite::SqliteValue<'_, '_, '_>,
    ) -> diesel::deserialize::Result<Self> {
        if let Some(at) = parse_db_time(value.read_text().as_bytes()) {
            return Ok(Self(at));
        }
        <NaiveDateTime as diesel::deserialize::FromSql<
            diesel::sql_types::Timestamp,
            diesel::sqlite::Sqlite,
        >>::from_sql(value)
        .map(Self)
    }
}

impl diesel::deserialize::FromSql<diesel::sql_types::Timestamp, diesel::pg::Pg> for DbTime {
    fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
        <NaiveDateTime as diesel::deserialize::FromSql<
            diesel::sql_types::Timestamp,
            diesel::pg::Pg,
        >>::from_sql(value)
        .map(Self)
    }
}

/// `YYYY-MM-DD HH:MM:SS` with an optional fraction of 1-9 digits, else `None`.
fn parse_db_time(text: &[u8]) -> Option<NaiveDateTime> {
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        part.iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')];
    if separators.iter().any(|&(i, c)| text.get(i) != Some(&c)) {
        return None;
    }
    let nanos = match text.len() {
        19 => 0,
        21..=29 if text[19] == b'.' => digits(20..text.len())? * 10u32.pow(29 - text.len() as u32),
        _ => return None,
    };
    chrono::NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)?
        .and_hms_nano_opt(digits(11..13)?, digits(14..16)?, digits(17..19)?, nanos)
}

/// A stored timestamp read back as a UTC instant (`#[diesel(deserialize_as = StoredInstant)]`).
#[doc(hidden)]
pub struct StoredInstant(DateTime<Utc>);

impl<DB> diesel::Queryable<diesel::sql_types::Timestamp, DB> for StoredInstant
where
    DB: diesel::backend::Backend,
    DbTime: diesel::deserialize::FromSql<diesel::sql_types::Timestamp, DB>,
{
    type Row = DbTime;

    fn build(row: DbTime) -> diesel::deserialize::Result<Self> {
        Ok(Self(from_db_time(row.0)))
    }
}

impl From<StoredInstant> for DateTime<Utc> {
    fn from(value: StoredInstant) -> Self {
        value.0
    }
}

/// A nullable stored timestamp read back as an optional UTC instant
/// (`#[diesel(deserialize_as = StoredMaybeInstant)]`).
#[doc(hidden)]
pub struct StoredMaybeInstant(Option<DateTime<Utc>>);

impl<DB> diesel::Queryable<diesel::sql_types::Nullable<diesel::sql_types::Timestamp>, DB>
    for StoredMaybeInstant
where
    DB: diesel::backend::Backend,
    Option<NaiveDateTime>:
        diesel::deserialize::FromSql<diesel::sql_types::Nullable<diesel::sql_types::Timestamp>, DB>,
{
    type Row = Option<NaiveDateTime>;

    fn build(row: Option<NaiveDateTime>) -> diesel::deserialize::Result<Self> {
        Ok(Self(row.map(from_db_time)))
    }
}

impl From<StoredMaybeInstant> for Option<DateTime<Utc>> {
    fn from(value: StoredMaybeInstant) -> Self {
        value.0
    }
}

/// A stored booking status read back typed (`#[diesel(deserialize_as = StoredStatus)]`); a
/// value that is not one is an error, never a guess.
#[doc(hidden)]
pub struct StoredStatus(BookingStatus);

impl<DB> diesel::Queryable<diesel::sql_types::Text, DB> for StoredStatus
where
    DB: diesel::backend::Backend,
    String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
{
    type Row = String;

    fn build(row: String) -> diesel::deserialize::Result<Self> {
        BookingStatus::parse(&row)
            .map(Self)
            .ok_or_else(|| format!("`{row}` is not a booking status").into())
    }
}

impl From<StoredStatus> for BookingStatus {
    fn from(value: StoredStatus) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::{DatabaseUrl, parse_db_time};

    #[test]
    fn stored_times_read_as_chrono_reads_them() {
        let chrono_reads = |text: &str| {
            chrono::NaiveDateTime::parse_from_str(text, "%F %T%.f")
                .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%F %T"))
                .ok()
        };
        for text in [
            "2027-01-31 09:30:00",
            "2027-01-31 09:30:00.5",
            "2027-01-31 09:30:00.123456",
            "2027-01-31 23:59:59.999999999",
            "1999-12-31 00:00:07.000001",
        ] {
            assert_eq!(parse_db_time(text.as_bytes()), chrono_reads(text), "{text}");
            assert!(parse_db_time(text.as_bytes()).is_some(), "{text}");
        }
        // Other forms are left to diesel's formats: never a wrong value.
        for text in [
            "2027-01-31T09:30:00",
            "2027-01-31 09:30",
            "2027-02-30 09:30:00",
            "2027-01-31 24:00:00",
            "2027-01-31 09:30:00+01:00",
            "2027-01-31 09:30:00.",
            "2027-01-31 09:30:00.1234567890",
            "2027-1-31 09:30:00",
            "+027-01-31 09:30:00",
        ] {
            assert_eq!(parse_db_time(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn database_urls_pick_the_backend_and_refuse_what_sqlite_would_misread() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/kairos.db"),
            Ok(DatabaseUrl::Sqlite("data/kairos.db".into()))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://kairos:secret@db/kairos"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        // SQLite opens these as URIs: `#` cuts the path, `%xx` is decoded, `?` adds options.
        for odd in [
            "sqlite://data/k#1.db",
            "sqlite://data/k%20.db",
            "sqlite://k.db?mode=ro",
            "sqlite://",
        ] {
            assert!(DatabaseUrl::parse(odd).is_err(), "{odd}");
        }
        let refused = DatabaseUrl::parse("mysql://root:hunter2@db/kairos").unwrap_err();
        assert!(
            !refused.contains("hunter2"),
            "passwords never echo: {refused}"
        );
    }
}
