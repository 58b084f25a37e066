//! What `/metrics` reads from the database at scrape time: counts that every instance shares
//! (booking changes from the append-only history, deliveries and jobs by status) and how far
//! behind the queues are. Read-only; a few grouped counts over indexed columns.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{booking_history, jobs, webhook_deliveries};
use super::webhooks::PENDING;
use super::{Conn, StorageResult, from_db_time, to_db_time, with_conn};

/// The queue of webhook deliveries, as `/metrics` names it beside the `jobs` queues.
pub const WEBHOOK_QUEUE: &str = "webhook";

/// Jobs waiting in one queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Backlog {
    pub queue: String,
    /// Due now and not yet done.
    pub due: i64,
    /// When the longest-waiting due job became due.
    pub oldest_due: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Booking history entries by action (`created`, `cancelled`, …): append-only, so counters.
    pub booking_changes: Vec<(String, i64)>,
    /// Stored webhook deliveries by status (`pending`, `delivered`, `failed`, `cancelled`).
    pub webhook_deliveries: Vec<(String, i64)>,
    /// Stored jobs by queue and status (`queued`, `done`, `dead`, `cancelled`).
    pub jobs: Vec<(String, String, i64)>,
    /// Due work per queue: the webhook deliveries and each `jobs` queue.
    pub backlogs: Vec<Backlog>,
}

/// Everything at once; `queues` are the `jobs` queues listed even when they hold nothing.
pub async fn snapshot(
    conn: &mut Conn<'_>,
    now: DateTime<Utc>,
    queues: &[&str],
) -> StorageResult<Snapshot> {
    let now = to_db_time(now);
    let (booking_changes, webhook_deliveries, jobs_by_status) = with_conn!(conn, |c| {
        let changes: Vec<(String, i64)> = booking_history::table
            .group_by(booking_history::action)
            .select((booking_history::action, count_star()))
            .order(booking_history::action)
            .load(c)
            .await?;
        let deliveries: Vec<(String, i64)> = webhook_deliveries::table
            .group_by(webhook_deliveries::status)
            .select((webhook_deliveries::status, count_star()))
            .order(webhook_deliveries::status)
            .load(c)
            .await?;
        let jobs_by_status: Vec<(String, String, i64)> = jobs::table
            .group_by((jobs::queue, jobs::status))
            .select((jobs::queue, jobs::status, count_star()))
            .order((jobs::queue, jobs::status))
            .load(c)
            .await?;
        StorageResult::Ok((changes, deliveries, jobs_by_status))
    })?;
    let mut backlogs = vec![webhook_backlog(conn, now).await?];
    let found = job_backlogs(conn, now).await?;
    for queue in queues {
        if !found.iter().any(|b| b.queue == *queue) {
            backlogs.push(Backlog {
                queue: (*queue).to_owned(),
                due: 0,
                oldest_due: None,
            });
        }
    }
    backlogs.extend(found);
    Ok(Snapshot {
        booking_changes,
        webhook_deliveries,
        jobs: jobs_by_status,
        backlogs,
    })
}

async fn webhook_backlog(conn: &mut Conn<'_>, now: NaiveDateTime) -> StorageResult<Backlog> {
    let (due, oldest): (i64, Option<NaiveDateTime>) = with_conn!(conn, |c| {
        webhook_deliveries::table
            .filter(webhook_deliveries::status.eq(PENDING))
            .filter(webhook_deliveries::next_attempt_at.le(now))
            .select((count_star(), min(webhook_deliveries::next_attempt_at)))
            .get_result(c)
            .await
    })?;
    Ok(Backlog {
        queue: WEBHOOK_QUEUE.to_owned(),
        due,
        oldest_due: oldest.map(from_db_time),
    })
}

async fn job_backlogs(conn: &mut Conn<'_>, now: NaiveDateTime) -> StorageResult<Vec<Backlog>> {
    let rows: Vec<(String, i64, Option<NaiveDateTime>)> = with_conn!(conn, |c| {
        jobs::table
            .filter(jobs::status.eq(super::jobs::QUEUED))
            .filter(jobs::run_at.le(now))
            .group_by(jobs::queue)
            .select((jobs::queue, count_star(), min(jobs::run_at)))
            .order(jobs::queue)
            .load(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(queue, due, oldest)| Backlog {
            queue,
            due,
            oldest_due: oldest.map(from_db_time),
        })
        .collect())
}
