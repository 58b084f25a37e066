//! The job runner: all background work (webhook deliveries, emails, and the calendar sync,
//! write-back and reminders to come) is a [`Queue`] of durable jobs, and one [`Runner`] loop
//! per queue and instance claims due jobs with a lease, runs them, decides what each outcome
//! means (done, retried on the queue's schedule with jitter, or given up) and has the queue
//! record every attempt. A queue owns its storage and what a job does; the runner owns the
//! loop: waking on commits, concurrency, leases, retry decisions. It must not know what any
//! job is about.
//!
//! At least once: a job is recorded done only after it ran, so a process killed mid-job
//! leaves a lease that expires and the job runs again. Any number of instances may run the
//! same queue on one database; the lease keeps each job with one of them at a time.

mod clock;
mod runner;
pub mod schedule;
pub mod table;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::storage::{Conn, StorageResult};

pub use clock::Clock;
pub use runner::{RunnerConfig, spawn};
pub use schedule::RetrySchedule;

/// What one attempt at a job came to, as the job itself tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// A transient failure: try again on the schedule, no sooner than `retry_after` if the
    /// other side asked for a pause.
    Retry {
        error: String,
        retry_after: Option<Duration>,
    },
    /// A failure that trying again would not fix.
    Fail {
        error: String,
    },
}

impl Outcome {
    pub fn error(&self) -> Option<&str> {
        match self {
            Self::Done => None,
            Self::Retry { error, .. } | Self::Fail { error } => Some(error),
        }
    }
}

/// The job's next state, decided by the runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Done,
    RetryAt(DateTime<Utc>),
    /// Given up: a permanent failure, or the last attempt failed.
    Dead,
}

/// How this process's attempts at one queue's jobs ended, by the state that followed; read by
/// `/metrics`. Counted as decided, before the attempt is recorded.
#[derive(Debug, Default)]
pub struct Tally {
    done: AtomicU64,
    retried: AtomicU64,
    dead: AtomicU64,
}

impl Tally {
    fn count(&self, next: &Next) {
        let counter = match next {
            Next::Done => &self.done,
            Next::RetryAt(_) => &self.retried,
            Next::Dead => &self.dead,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// `(outcome, attempts)`: `done`, `retry`, `dead`.
    pub fn read(&self) -> [(&'static str, u64); 3] {
        [
            ("done", self.done.load(Ordering::Relaxed)),
            ("retry", self.retried.load(Ordering::Relaxed)),
            ("dead", self.dead.load(Ordering::Relaxed)),
        ]
    }
}

/// One attempt at a job, for the queue to record.
#[derive(Debug)]
pub struct Attempt<R> {
    /// 1-based.
    pub number: u32,
    pub started_at: DateTime<Utc>,
    pub latency: Duration,
    pub outcome: Outcome,
    /// What the queue's `run` wants recorded beyond the outcome (a response code, say).
    pub report: R,
    pub next: Next,
}

impl<R> Attempt<R> {
    pub fn latency_ms(&self) -> i32 {
        i32::try_from(self.latency.as_millis()).unwrap_or(i32::MAX)
    }
}

/// A kind of background work: where its jobs are stored and what running one does.
pub trait Queue: Send + Sync + 'static {
    type Job: Send + Sync + 'static;
    type Report: Send + Sync + 'static;
    /// The queue's name in logs.
    const NAME: &'static str;

    fn schedule(&self) -> &RetrySchedule;
    fn id(job: &Self::Job) -> &str;
    /// Attempts made before this one.
    fn attempts(job: &Self::Job) -> u32;
    /// Most attempts a job gets, when fewer than its schedule allows.
    fn max_attempts(_job: &Self::Job) -> Option<u32> {
        None
    }
    /// Jobs of one group run one after another, in the order claimed; `None` runs alone.
    fn group(_job: &Self::Job) -> Option<String> {
        None
    }
    /// Leases up to `limit` due jobs to `owner` until `until`, in the order they should run.
    /// The runner calls each of these in a transaction of its own.
    fn claim(
        &self,
        c: &mut Conn<'_>,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> impl Future<Output = StorageResult<Vec<Self::Job>>> + Send;
    fn run(&self, job: &Self::Job) -> impl Future<Output = (Outcome, Self::Report)> + Send;
    /// Records the attempt and moves the job to `attempt.next`, releasing its lease.
    fn record(
        &self,
        c: &mut Conn<'_>,
        owner: &str,
        job: &Self::Job,
        attempt: &Attempt<Self::Report>,
    ) -> impl Future<Output = StorageResult<()>> + Send;
    /// Gives leased jobs back unrun, due as they were.
    fn release(
        &self,
        c: &mut Conn<'_>,
        owner: &str,
        jobs: &[Self::Job],
    ) -> impl Future<Output = StorageResult<()>> + Send;
}

/// What follows attempt `number` (1-based): done, a retry at the schedule's next delay
/// (stretched by `jitter` and by the other side's `Retry-After`), or dead when the failure is
/// permanent, the schedule is exhausted or `max_attempts` is reached.
pub fn decide(
    outcome: &Outcome,
    number: u32,
    max_attempts: Option<u32>,
    schedule: &RetrySchedule,
    now: DateTime<Utc>,
    jitter: f64,
) -> Next {
    let retry_after = match outcome {
        Outcome::Done => return Next::Done,
        Outcome::Fail { .. } => return Next::Dead,
        Outcome::Retry { retry_after, .. } => *retry_after,
    };
    if max_attempts.is_some_and(|max| number >= max) {
        return Next::Dead;
    }
    match schedule.delay_after(number, retry_after, jitter) {
        Some(delay) => Next::RetryAt(now + chrono::Duration::from_std(delay).unwrap_or_default()),
        None => Next::Dead,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry(after: Option<u64>) -> Outcome {
        Outcome::Retry {
            error: "down".into(),
            retry_after: after.map(Duration::from_secs),
        }
    }

    #[test]
    fn outcomes_become_the_next_state() {
        let schedule = RetrySchedule::parse("10s,1m").unwrap();
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let at = |s: i64| Next::RetryAt(now + chrono::Duration::seconds(s));
        assert_eq!(
            decide(&Outcome::Done, 3, None, &schedule, now, 1.0),
            Next::Done
        );
        let fail = Outcome::Fail { error: "no".into() };
        assert_eq!(decide(&fail, 1, None, &schedule, now, 1.0), Next::Dead);
        assert_eq!(decide(&retry(None), 1, None, &schedule, now, 1.0), at(10));
        assert_eq!(decide(&retry(None), 2, None, &schedule, now, 1.0), at(60));
        assert_eq!(decide(&retry(None), 1, None, &schedule, now, 1.1), at(11));
        // The schedule allows three attempts in all.
        assert_eq!(
            decide(&retry(None), 3, None, &schedule, now, 1.0),
            Next::Dead
        );
        // A job's own limit ends it sooner.
        assert_eq!(
            decide(&retry(None), 2, Some(2), &schedule, now, 1.0),
            Next::Dead
        );
        // Retry-After stretches the wait, never shortens it.
        assert_eq!(
            decide(&retry(Some(30)), 1, None, &schedule, now, 1.0),
            at(30)
        );
        assert_eq!(
            decide(&retry(Some(1)), 1, None, &schedule, now, 1.0),
            at(10)
        );
    }
}
