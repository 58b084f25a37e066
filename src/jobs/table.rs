//! Queues kept in the `jobs` table (the outbox written inside the transaction that causes a
//! job): a [`Handler`] says what one kind of job does, and [`TableQueue`] gives it the
//! table's claims, fenced outcomes and attempt log. Emails run here; the calendar and
//! reminder jobs will too.

use std::future::Future;
use std::time::Duration;

use chrono::Utc;

use super::{Attempt, Next, Outcome, Queue, RetrySchedule};
use crate::storage::jobs::{self as store, Finish, JobRecord};
use crate::storage::{Db, StorageError};

/// What running one job of a `jobs`-table queue does.
pub trait Handler: Send + Sync + 'static {
    /// The `jobs.queue` value of this handler's jobs, and its name in logs.
    const QUEUE: &'static str;
    /// Most attempts a job gets, whatever its row says.
    const MAX_ATTEMPTS: u32;

    fn schedule(&self) -> &RetrySchedule;
    fn run(&self, job: &JobRecord) -> impl Future<Output = Outcome> + Send;
}

/// A [`Handler`] on the `jobs` table.
pub struct TableQueue<H>(pub H);

impl<H: Handler> Queue for TableQueue<H> {
    type Job = JobRecord;
    type Report = ();
    const NAME: &'static str = H::QUEUE;

    fn schedule(&self) -> &RetrySchedule {
        self.0.schedule()
    }

    fn id(job: &JobRecord) -> &str {
        &job.id
    }

    fn attempts(job: &JobRecord) -> u32 {
        u32::try_from(job.attempts).unwrap_or(0)
    }

    fn max_attempts(job: &JobRecord) -> Option<u32> {
        let own = u32::try_from(job.max_attempts).unwrap_or(1);
        Some(own.min(H::MAX_ATTEMPTS))
    }

    async fn claim(
        &self,
        db: &Db,
        owner: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<JobRecord>, StorageError> {
        let lease = chrono::Duration::from_std(lease).unwrap_or_default();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        db.background_transaction(async |c| {
            let now = Utc::now();
            store::claim(c, H::QUEUE, owner, now, now + lease, limit).await
        })
        .await
    }

    async fn run(&self, job: &JobRecord) -> (Outcome, ()) {
        (self.0.run(job).await, ())
    }

    async fn record(
        &self,
        db: &Db,
        owner: &str,
        job: &JobRecord,
        attempt: &Attempt<()>,
    ) -> Result<(), StorageError> {
        let error = attempt.outcome.error();
        let finish = match attempt.next {
            Next::Done => Finish::Done,
            Next::RetryAt(at) => Finish::Retry {
                at,
                error: error.unwrap_or_default(),
            },
            Next::Dead => Finish::Dead {
                error: error.unwrap_or_default(),
            },
        };
        let logged = store::NewAttempt {
            job_id: &job.id,
            attempted_at: attempt.started_at,
            latency_ms: attempt.latency_ms(),
            error,
        };
        db.background_transaction(async |c| {
            store::log_attempt(c, &logged).await?;
            store::finish(c, &job.id, owner, Utc::now(), &finish).await
        })
        .await
        .map(|_| ())
    }

    async fn release(&self, db: &Db, owner: &str, jobs: &[JobRecord]) -> Result<(), StorageError> {
        let ids: Vec<String> = jobs.iter().map(|j| j.id.clone()).collect();
        db.background_transaction(async |c| store::release(c, &ids, owner).await)
            .await
    }
}
