//! The `jobs` table: a durable queue written in the same transaction as the change that causes
//! a job (the outbox), and leased by workers: a job is done, retried later or dead, and a
//! worker that dies mid-job loses nothing, since an expired lease makes the job due again.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{job_attempts, jobs};
use super::{Conn, StorageResult, StoredInstant, to_db_time, with_conn};

pub const QUEUED: &str = "queued";
pub const DONE: &str = "done";
pub const DEAD: &str = "dead";
/// Withdrawn before it ran (a reminder of a booking cancelled or moved).
pub const CANCELLED: &str = "cancelled";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct JobRecord {
    pub id: String,
    pub queue: String,
    pub kind: String,
    pub payload: String,
    pub status: String,
    #[diesel(deserialize_as = StoredInstant)]
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    /// The booking the job is about, if any.
    pub booking_id: Option<i64>,
}

/// A job to queue.
pub struct NewJob<'a> {
    pub queue: &'a str,
    pub kind: &'a str,
    pub payload: &'a str,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i32,
}

/// A new job id: sortable by creation time.
fn job_id() -> String {
    format!("job_{}", uuid::Uuid::now_v7().simple())
}

pub async fn enqueue(conn: &mut Conn<'_>, job: &NewJob<'_>) -> StorageResult<String> {
    enqueue_about(conn, job, None).await
}

/// Queues `job`, noting the booking it is about (a booking's emails, shown in the console).
pub async fn enqueue_about(
    conn: &mut Conn<'_>,
    job: &NewJob<'_>,
    booking_id: Option<i64>,
) -> StorageResult<String> {
    let id = job_id();
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::insert_into(jobs::table)
            .values((
                jobs::id.eq(&id),
                jobs::queue.eq(job.queue),
                jobs::kind.eq(job.kind),
                jobs::payload.eq(job.payload),
                jobs::status.eq(QUEUED),
                jobs::run_at.eq(to_db_time(job.run_at)),
                jobs::max_attempts.eq(job.max_attempts),
                jobs::created_at.eq(now),
                jobs::booking_id.eq(booking_id),
            ))
            .execute(c)
            .await
    })?;
    Ok(id)
}

/// Queues `job` about booking `booking_id` unless a job with `dedupe_key` exists (whatever its
/// state); returns whether it was queued. Never fails on the duplicate, so it is safe inside a
/// PostgreSQL transaction.
pub async fn enqueue_once(
    conn: &mut Conn<'_>,
    job: &NewJob<'_>,
    booking_id: Option<i64>,
    dedupe_key: &str,
) -> StorageResult<bool> {
    let id = job_id();
    let now = to_db_time(Utc::now());
    let inserted = with_conn!(conn, |c| {
        diesel::insert_into(jobs::table)
            .values((
                jobs::id.eq(&id),
                jobs::queue.eq(job.queue),
                jobs::kind.eq(job.kind),
                jobs::payload.eq(job.payload),
                jobs::status.eq(QUEUED),
                jobs::run_at.eq(to_db_time(job.run_at)),
                jobs::max_attempts.eq(job.max_attempts),
                jobs::created_at.eq(now),
                jobs::booking_id.eq(booking_id),
                jobs::dedupe_key.eq(dedupe_key),
            ))
            .on_conflict(jobs::dedupe_key)
            .do_nothing()
            .execute(c)
            .await
    })?;
    Ok(inserted == 1)
}

/// Withdraws the queued jobs of `queue` and `kinds` about booking `booking_id`; returns how many.
/// A job already leased is withdrawn too: its outcome, when recorded, changes nothing.
pub async fn cancel_about(
    conn: &mut Conn<'_>,
    queue: &str,
    booking_id: i64,
    kinds: &[&str],
    reason: &str,
) -> StorageResult<usize> {
    let now = to_db_time(Utc::now());
    let n = with_conn!(conn, |c| {
        diesel::update(
            jobs::table
                .filter(jobs::booking_id.eq(booking_id))
                .filter(jobs::queue.eq(queue))
                .filter(jobs::status.eq(QUEUED))
                .filter(jobs::kind.eq_any(kinds)),
        )
        .set((
            jobs::status.eq(CANCELLED),
            jobs::finished_at.eq(now),
            jobs::last_error.eq(reason),
        ))
        .execute(c)
        .await
    })?;
    Ok(n)
}

/// The queued jobs of `queue` and `kinds` about bookings `booking_ids`, oldest first.
pub async fn queued_about(
    conn: &mut Conn<'_>,
    queue: &str,
    booking_ids: &[i64],
    kinds: &[&str],
) -> StorageResult<Vec<JobRecord>> {
    let rows = with_conn!(conn, |c| {
        jobs::table
            .filter(jobs::booking_id.eq_any(booking_ids))
            .filter(jobs::queue.eq(queue))
            .filter(jobs::status.eq(QUEUED))
            .filter(jobs::kind.eq_any(kinds))
            .order(jobs::id)
            .select(JobRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// Withdraws queued jobs `ids`, freeing their dedupe keys for the jobs that replace them;
/// returns how many were still queued.
pub async fn withdraw(conn: &mut Conn<'_>, ids: &[String], reason: &str) -> StorageResult<usize> {
    let now = to_db_time(Utc::now());
    let n = with_conn!(conn, |c| {
        diesel::update(
            jobs::table
                .filter(jobs::id.eq_any(ids))
                .filter(jobs::status.eq(QUEUED)),
        )
        .set((
            jobs::status.eq(CANCELLED),
            jobs::finished_at.eq(now),
            jobs::last_error.eq(reason),
            jobs::dedupe_key.eq(None::<String>),
        ))
        .execute(c)
        .await
    })?;
    Ok(n)
}

/// Marks queued job `id` done from inside the transaction that did its work, so the work
/// commits once: a second run (after a lost lease or a crash before the outcome was recorded)
/// finds it done and must roll its own work back. Returns whether this call completed it.
pub async fn complete(conn: &mut Conn<'_>, id: &str, now: DateTime<Utc>) -> StorageResult<bool> {
    let now = to_db_time(now);
    let n = with_conn!(conn, |c| {
        diesel::update(
            jobs::table
                .filter(jobs::id.eq(id))
                .filter(jobs::status.eq(QUEUED)),
        )
        .set((jobs::status.eq(DONE), jobs::finished_at.eq(now)))
        .execute(c)
        .await
    })?;
    Ok(n == 1)
}

/// Leases up to `limit` due jobs of `queue` to `owner` until `lease_until`, oldest first.
/// PostgreSQL skips rows other instances are claiming (`SKIP LOCKED`); SQLite runs this in an
/// immediate transaction, one claimer at a time.
pub async fn claim(
    conn: &mut Conn<'_>,
    queue: &str,
    owner: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> StorageResult<Vec<JobRecord>> {
    let now = to_db_time(now);
    let candidates = jobs::table
        .filter(jobs::queue.eq(queue))
        .filter(jobs::status.eq(QUEUED))
        .filter(jobs::run_at.le(now))
        .filter(jobs::locked_until.is_null().or(jobs::locked_until.le(now)))
        .order((jobs::run_at, jobs::id))
        .limit(limit)
        .select(jobs::id);
    let ids: Vec<String> = match conn {
        Conn::Pg(c) => candidates.for_update().skip_locked().load(&mut **c).await?,
        Conn::Sqlite(c) => candidates.load(&mut **c).await?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    with_conn!(conn, |c| {
        diesel::update(jobs::table.filter(jobs::id.eq_any(&ids)))
            .set((
                jobs::locked_by.eq(owner),
                jobs::locked_until.eq(to_db_time(lease_until)),
            ))
            .execute(c)
            .await
    })?;
    let rows = with_conn!(conn, |c| {
        jobs::table
            .filter(jobs::id.eq_any(&ids))
            .order((jobs::run_at, jobs::id))
            .select(JobRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// How an attempt at a job ended.
pub enum Finish<'a> {
    Done,
    /// Try again at this time.
    Retry {
        at: DateTime<Utc>,
        error: &'a str,
    },
    /// Give up: permanent failure or out of attempts.
    Dead {
        error: &'a str,
    },
}

/// Records an attempt's outcome and releases the lease. Only the lease holder may: a worker
/// whose lease ran out (another took the job over) changes nothing; returns whether it did.
/// A job done after failures keeps its last error, for the record.
pub async fn finish(
    conn: &mut Conn<'_>,
    id: &str,
    owner: &str,
    now: DateTime<Utc>,
    outcome: &Finish<'_>,
) -> StorageResult<bool> {
    let now = to_db_time(now);
    let target = jobs::table
        .filter(jobs::id.eq(id))
        .filter(jobs::locked_by.eq(owner))
        .filter(jobs::status.eq(QUEUED));
    let released = (
        jobs::attempts.eq(jobs::attempts + 1),
        jobs::locked_by.eq(None::<String>),
        jobs::locked_until.eq(None::<chrono::NaiveDateTime>),
    );
    let changed = match outcome {
        Finish::Done => with_conn!(conn, |c| {
            diesel::update(target)
                .set((released, jobs::status.eq(DONE), jobs::finished_at.eq(now)))
                .execute(c)
                .await
        })?,
        Finish::Retry { at, error } => with_conn!(conn, |c| {
            diesel::update(target)
                .set((
                    released,
                    jobs::run_at.eq(to_db_time(*at)),
                    jobs::last_error.eq(*error),
                ))
                .execute(c)
                .await
        })?,
        Finish::Dead { error } => with_conn!(conn, |c| {
            diesel::update(target)
                .set((
                    released,
                    jobs::status.eq(DEAD),
                    jobs::last_error.eq(*error),
                    jobs::finished_at.eq(now),
                ))
                .execute(c)
                .await
        })?,
    };
    Ok(changed == 1)
}

/// Gives leased jobs back unrun, due as they were; only the lease holder's.
pub async fn release(conn: &mut Conn<'_>, ids: &[String], owner: &str) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::update(
            jobs::table
                .filter(jobs::id.eq_any(ids))
                .filter(jobs::locked_by.eq(owner)),
        )
        .set((
            jobs::locked_by.eq(None::<String>),
            jobs::locked_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(c)
        .await
    })?;
    Ok(())
}

/// One attempt at a job, for the log.
pub struct NewAttempt<'a> {
    pub job_id: &'a str,
    pub attempted_at: DateTime<Utc>,
    pub latency_ms: i32,
    pub error: Option<&'a str>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = job_attempts)]
pub struct AttemptRecord {
    pub id: i64,
    pub job_id: String,
    #[diesel(deserialize_as = StoredInstant)]
    pub attempted_at: DateTime<Utc>,
    pub latency_ms: i32,
    pub error: Option<String>,
}

pub async fn log_attempt(conn: &mut Conn<'_>, attempt: &NewAttempt<'_>) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::insert_into(job_attempts::table)
            .values((
                job_attempts::job_id.eq(attempt.job_id),
                job_attempts::attempted_at.eq(to_db_time(attempt.attempted_at)),
                job_attempts::latency_ms.eq(attempt.latency_ms),
                job_attempts::error.eq(attempt.error),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// A job's attempts, oldest first.
pub async fn attempts(conn: &mut Conn<'_>, job_id: &str) -> StorageResult<Vec<AttemptRecord>> {
    let rows = with_conn!(conn, |c| {
        job_attempts::table
            .filter(job_attempts::job_id.eq(job_id))
            .order(job_attempts::id)
            .select(AttemptRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// The jobs of `queue`, oldest first (operators and tests).
pub async fn list(conn: &mut Conn<'_>, queue: &str) -> StorageResult<Vec<JobRecord>> {
    let rows = with_conn!(conn, |c| {
        jobs::table
            .filter(jobs::queue.eq(queue))
            .order(jobs::id)
            .select(JobRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// A job about a booking, with when it was queued and finished.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct BookingJob {
    #[diesel(embed)]
    pub job: JobRecord,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

/// Up to `limit` jobs of `queue` about booking `booking_id`, newest first.
pub async fn of_booking(
    conn: &mut Conn<'_>,
    queue: &str,
    booking_id: i64,
    limit: i64,
) -> StorageResult<Vec<BookingJob>> {
    let rows = with_conn!(conn, |c| {
        jobs::table
            .filter(jobs::booking_id.eq(booking_id))
            .filter(jobs::queue.eq(queue))
            .order(jobs::id.desc())
            .limit(limit)
            .select(BookingJob::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}
