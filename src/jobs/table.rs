//! Queues kept in the `jobs` table (the outbox written inside the transaction that causes a
//! job): a [`Handler`] says what one kind of job does, and [`TableQueue`] gives it the
//! table's claims, fenced outcomes and attempt log. Emails run here; the calendar and
//! reminder jobs will too.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::{Attempt, Next, Outcome, Queue, RetrySchedule};
use crate::storage::jobs::{self as store, Finish, JobRecord};
use crate::storage::{Conn, StorageResult};

/// What running one job of a `jobs`-table queue does.
pub trait Handler: Send + Sync + 'static {
    /// The `jobs.queue` value of this handler's jobs, and its name in logs.
    const QUEUE: &'static str;
    /// Most attempts a job gets, whatever its row says.
    const MAX_ATTEMPTS: u32;

    fn schedule(&self) -> &RetrySchedule;
    fn run(&self, job: &JobRecord) -> impl Future<Output = Outcome> + Send;
    /// Jobs of one group run one after another, in the order claimed (see [`Queue::group`]).
    fn group(_job: &JobRecord) -> Option<String> {
        None
    }
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

    fn group(job: &JobRecord) -> Option<String> {
        H::group(job)
    }

    fn max_attempts(job: &JobRecord) -> Option<u32> {
        let own = u32::try_from(job.max_attempts).unwrap_or(1);
        Some(own.min(H::MAX_ATTEMPTS))
    }

    async fn claim(
        &self,
        c: &mut Conn<'_>,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> StorageResult<Vec<JobRecord>> {
        store::claim(c, H::QUEUE, owner, now, until, limit).await
    }

    async fn run(&self, job: &JobRecord) -> (Outcome, ()) {
        (self.0.run(job).await, ())
    }

    async fn record(
        &self,
        c: &mut Conn<'_>,
        owner: &str,
        job: &JobRecord,
        attempt: &Attempt<()>,
    ) -> StorageResult<()> {
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
        store::log_attempt(c, &logged).await?;
        store::finish(c, &job.id, owner, Utc::now(), &finish).await?;
        Ok(())
    }

    async fn release(
        &self,
        c: &mut Conn<'_>,
        owner: &str,
        jobs: &[JobRecord],
    ) -> StorageResult<()> {
        let ids: Vec<String> = jobs.iter().map(|j| j.id.clone()).collect();
        store::release(c, &ids, owner).await
    }
}
