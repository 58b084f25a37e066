//! Booking-page views, counted by Kairos itself: how many times each event type's page was
//! opened per UTC day, and nothing about who opened it. The booking page is a hot path and
//! SQLite has one writer, so a view is a counter bumped in memory; the job runner's
//! `page_views` queue adds the counts to `page_views` (a batch per wake-up: after this
//! process's commits and at least every [`FLUSH_EVERY`]), and the server flushes once more when
//! it stops. Counts of a batch that could not be written go back into memory for the next one;
//! a process killed outright loses what it counted since its last batch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use crate::jobs::{Attempt, Outcome, Queue, RetrySchedule, RunnerConfig, Tally};
use crate::storage::insights::add_page_views;
use crate::storage::{Conn, Db, StorageError, StorageResult};

/// The queue's name (logs, `/metrics`).
pub const QUEUE: &str = "page_views";
/// The longest counts wait in memory while nothing else wakes the runner.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

type Count = (i64, NaiveDate, i64);

/// Views counted in this process and not yet written.
#[derive(Debug, Default)]
pub struct PageViews {
    pending: Mutex<HashMap<(i64, NaiveDate), i64>>,
}

impl PageViews {
    /// One view of event type `event_type`'s page at `at`.
    pub fn count(&self, event_type: i64, at: DateTime<Utc>) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        *pending.entry((event_type, at.date_naive())).or_default() += 1;
    }

    fn take(&self) -> Vec<Count> {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.drain().map(|((id, day), n)| (id, day, n)).collect()
    }

    fn give_back(&self, counts: &[Count]) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        for (id, day, n) in counts {
            *pending.entry((*id, *day)).or_default() += n;
        }
    }

    /// Writes what is pending now (the shutdown's last batch); on failure it stays pending.
    pub async fn flush(&self, db: &Db) -> StorageResult<()> {
        let counts = self.take();
        if counts.is_empty() {
            return Ok(());
        }
        let written: Result<(), StorageError> = db
            .background_transaction(async |c| add_page_views(c, &counts).await)
            .await;
        if written.is_err() {
            self.give_back(&counts);
        }
        written
    }
}

/// The counts taken for one write.
pub struct Batch {
    id: String,
    counts: Vec<Count>,
}

/// The `page_views` queue: its "due job" is whatever this process has counted.
pub struct Flush {
    views: Arc<PageViews>,
    db: Db,
    schedule: RetrySchedule,
}

impl Queue for Flush {
    type Job = Batch;
    type Report = ();
    const NAME: &'static str = QUEUE;

    fn schedule(&self) -> &RetrySchedule {
        &self.schedule
    }

    fn id(job: &Batch) -> &str {
        &job.id
    }

    fn attempts(_: &Batch) -> u32 {
        0
    }

    /// A failed batch is not retried as such: its counts go back and ride with the next one.
    fn max_attempts(_: &Batch) -> Option<u32> {
        Some(1)
    }

    async fn claim(
        &self,
        _: &mut Conn<'_>,
        _: &str,
        _: DateTime<Utc>,
        _: DateTime<Utc>,
        _: i64,
    ) -> StorageResult<Vec<Batch>> {
        let counts = self.views.take();
        Ok(if counts.is_empty() {
            Vec::new()
        } else {
            let id = uuid::Uuid::new_v4().simple().to_string();
            vec![Batch { id, counts }]
        })
    }

    async fn run(&self, job: &Batch) -> (Outcome, ()) {
        let written: Result<(), StorageError> = self
            .db
            .background_transaction(async |c| add_page_views(c, &job.counts).await)
            .await;
        match written {
            Ok(()) => (Outcome::Done, ()),
            Err(e) => {
                self.views.give_back(&job.counts);
                (
                    Outcome::Fail {
                        error: e.to_string(),
                    },
                    (),
                )
            }
        }
    }

    async fn record(
        &self,
        _: &mut Conn<'_>,
        _: &str,
        _: &Batch,
        _: &Attempt<()>,
    ) -> StorageResult<()> {
        Ok(())
    }

    async fn release(&self, _: &mut Conn<'_>, _: &str, jobs: &[Batch]) -> StorageResult<()> {
        for job in jobs {
            self.views.give_back(&job.counts);
        }
        Ok(())
    }
}

/// Starts the `page_views` queue on the job runner.
pub fn spawn(db: Db, views: Arc<PageViews>, tally: Arc<Tally>) -> tokio::task::JoinHandle<()> {
    let schedule = RetrySchedule::parse("5s").expect("a valid schedule");
    let queue = Flush {
        views,
        db: db.clone(),
        schedule,
    };
    let config = RunnerConfig {
        lease: Duration::from_secs(60),
        timeout: Duration::from_secs(30),
        poll: FLUSH_EVERY,
        concurrency: 1,
        tally,
        clock: crate::jobs::Clock::default(),
    };
    crate::jobs::spawn(db, queue, config)
}
