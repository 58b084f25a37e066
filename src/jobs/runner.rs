//! The loop every queue runs on: wait for room, claim due jobs with a lease, run each group of
//! jobs in order on its own task, decide and record every attempt, and sleep until a commit in
//! this process, a finished batch or the poll interval says there may be more.
//!
//! Attempts are recorded by one recorder task per runner, which writes whatever attempts have
//! finished meanwhile in one transaction (a group commit): a burst of jobs costs one write
//! per batch, not one per job. Each job's task waits until its attempt is recorded before it
//! runs the group's next job or gives back its slot, so order and concurrency are as if each
//! were recorded alone.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use tokio::sync::{Notify, Semaphore, mpsc, oneshot};

use super::{Attempt, Clock, Next, Queue, Tally, decide};
use crate::storage::{Db, StorageError, StorageResult};

#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// How long a claimed job stays with this instance before others may take it.
    pub lease: Duration,
    /// The longest one run may take (the queue's own request timeout).
    pub timeout: Duration,
    /// How often to look for due jobs when nothing in this process signals new ones (other
    /// instances' writes, jobs scheduled for later, retries).
    pub poll: Duration,
    /// Groups of jobs running at once.
    pub concurrency: usize,
    /// Where the attempts' outcomes are counted.
    pub tally: Arc<Tally>,
    /// What "now" is when deciding what is due and when to retry.
    pub clock: Clock,
}

/// Starts running `queue` on the current runtime; it runs until the task is aborted (its
/// recorder then records the attempts still running and ends with them).
pub fn spawn<Q: Queue>(db: Db, queue: Q, config: RunnerConfig) -> tokio::task::JoinHandle<()> {
    let most = config.concurrency.max(1);
    let (records, inbox) = mpsc::channel(most);
    let runner = Runner {
        db,
        queue: Arc::new(queue),
        config: Arc::new(config),
        owner: format!("{}-{}", Q::NAME, uuid::Uuid::new_v4().simple()),
        finished: Arc::new(Notify::new()),
        records,
    };
    let recorder = Recorder {
        db: runner.db.clone(),
        queue: runner.queue.clone(),
        owner: runner.owner.clone(),
        most,
    };
    tokio::spawn(recorder.run(inbox));
    tokio::spawn(runner.run())
}

struct Runner<Q: Queue> {
    db: Db,
    queue: Arc<Q>,
    config: Arc<RunnerConfig>,
    owner: String,
    /// A group is done: the next jobs may be claimed now, not at the next poll (one group with
    /// a backlog would otherwise run one batch per poll interval).
    finished: Arc<Notify>,
    /// To the recorder: attempts to record.
    records: mpsc::Sender<Record<Q>>,
}

/// A finished attempt waiting to be recorded, and whom to tell when it is.
struct Record<Q: Queue> {
    job: Q::Job,
    attempt: Attempt<Q::Report>,
    recorded: oneshot::Sender<()>,
}

impl<Q: Queue> Clone for Runner<Q> {
    fn clone(&self) -> Self {
        Self {
            db: self.db.clone(),
            queue: self.queue.clone(),
            config: self.config.clone(),
            owner: self.owner.clone(),
            finished: self.finished.clone(),
            records: self.records.clone(),
        }
    }
}

impl<Q: Queue> Runner<Q> {
    async fn run(self) {
        let slots = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        loop {
            let committed = self.db.commits();
            let signal = committed.notified();
            tokio::pin!(signal);
            signal.as_mut().enable();
            // Wait for room before claiming, so nothing claimed waits for a slot.
            let Ok(first) = slots.clone().acquire_owned().await else {
                return;
            };
            let room = slots.available_permits() + 1;
            let due = match self.claim(room).await {
                Ok(due) if !due.is_empty() => due,
                Ok(_) => {
                    drop(first);
                    tokio::select! {
                        () = &mut signal => {}
                        () = self.finished.notified() => {}
                        () = tokio::time::sleep(self.config.poll) => {}
                    }
                    continue;
                }
                Err(e) => {
                    drop(first);
                    tracing::warn!(queue = Q::NAME, error = %e, "could not claim jobs");
                    tokio::time::sleep(self.config.poll).await;
                    continue;
                }
            };
            let mut permit = Some(first);
            for group in groups::<Q>(due) {
                let permit = match permit.take() {
                    Some(p) => p,
                    None => match slots.clone().acquire_owned().await {
                        Ok(p) => p,
                        Err(_) => return,
                    },
                };
                let runner = self.clone();
                tokio::spawn(async move {
                    runner.run_in_order(group).await;
                    drop(permit);
                    // A stored permit if the loop is not waiting yet: the wake-up is not lost.
                    runner.finished.notify_one();
                });
            }
        }
    }

    async fn claim(&self, limit: usize) -> StorageResult<Vec<Q::Job>> {
        let lease = chrono::Duration::from_std(self.config.lease).unwrap_or_default();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let (queue, owner, clock) = (&self.queue, &self.owner, &self.config.clock);
        self.db
            .background_transaction(async |c| {
                let now = clock.now();
                queue.claim(c, owner, now, now + lease, limit).await
            })
            .await
    }

    /// Runs one group's jobs oldest first, each on its own retry schedule (a failure does not
    /// hold back the rest). Jobs the lease no longer safely covers are given back unrun.
    async fn run_in_order(&self, group: Vec<Q::Job>) {
        let started = Instant::now();
        let mut rest = group.into_iter();
        while let Some(job) = rest.next() {
            self.attempt(job).await;
            let lease_left = self.config.lease.saturating_sub(started.elapsed());
            if lease_left < self.config.timeout * 2 {
                let unrun: Vec<Q::Job> = rest.collect();
                let (queue, owner) = (&self.queue, &self.owner);
                if !unrun.is_empty()
                    && let Err(e) = self
                        .db
                        .background_transaction(async |c| queue.release(c, owner, &unrun).await)
                        .await
                {
                    tracing::warn!(queue = Q::NAME, error = %e, "could not release jobs");
                }
                return;
            }
        }
    }

    /// One attempt at one job, decided, and recorded by the recorder before this returns.
    async fn attempt(&self, job: Q::Job) {
        let number = Q::attempts(&job).saturating_add(1);
        let started_at = self.config.clock.now();
        let clock = Instant::now();
        let (outcome, report) = self.queue.run(&job).await;
        let latency = clock.elapsed();
        let jitter = rand::rng().random_range(0.9..1.1);
        let schedule = self.queue.schedule();
        let next = decide(
            &outcome,
            number,
            Q::max_attempts(&job),
            schedule,
            self.config.clock.now(),
            jitter,
        );
        self.config.tally.count(&next);
        let id = Q::id(&job);
        let error = outcome.error();
        match next {
            Next::Done => tracing::debug!(queue = Q::NAME, job = id, attempt = number, "job done"),
            Next::RetryAt(at) => {
                tracing::info!(queue = Q::NAME, job = id, attempt = number, %at, error, "job failed; will retry")
            }
            Next::Dead => {
                tracing::warn!(
                    queue = Q::NAME,
                    job = id,
                    attempt = number,
                    error,
                    "job given up"
                )
            }
        }
        let attempt = Attempt {
            number,
            started_at,
            latency,
            outcome,
            report,
            next,
        };
        let (recorded, done) = oneshot::channel();
        let record = Record {
            job,
            attempt,
            recorded,
        };
        // Only fails once the recorder is gone (the runtime shutting down): the lease then runs
        // out and the job runs again, at least once, never lost.
        if self.records.send(record).await.is_ok() {
            let _ = done.await;
        }
    }
}

/// Records a runner's finished attempts: all those waiting, in one transaction.
struct Recorder<Q> {
    db: Db,
    queue: Arc<Q>,
    owner: String,
    /// Most attempts in one transaction.
    most: usize,
}

impl<Q: Queue> Recorder<Q> {
    /// Waits for finished attempts and records those waiting together; ends when every
    /// runner task (the senders) is gone.
    async fn run(self, mut inbox: mpsc::Receiver<Record<Q>>) {
        let mut batch = Vec::with_capacity(self.most);
        while inbox.recv_many(&mut batch, self.most).await > 0 {
            self.record_all(&batch).await;
            for record in batch.drain(..) {
                let _ = record.recorded.send(());
            }
        }
    }

    /// Records a batch in one transaction; if that fails, each on its own, so one bad record
    /// does not hold back the rest. An attempt not recorded runs again when its lease runs
    /// out: at least once, never lost.
    async fn record_all(&self, batch: &[Record<Q>]) {
        let (queue, owner) = (&self.queue, &self.owner);
        let together = self
            .db
            .background_transaction(async |c| {
                for r in batch {
                    queue.record(c, owner, &r.job, &r.attempt).await?;
                }
                Ok::<_, StorageError>(())
            })
            .await;
        if together.is_ok() {
            return;
        }
        for r in batch {
            let alone = (self.db)
                .background_transaction(async |c| queue.record(c, owner, &r.job, &r.attempt).await)
                .await;
            if let Err(e) = alone {
                let job = Q::id(&r.job);
                tracing::warn!(queue = Q::NAME, job, error = %e, "could not record an attempt");
            }
        }
    }
}

/// Due jobs grouped by [`Queue::group`], each group in claim order, groups in order of their
/// first job; jobs without a group are groups of one.
fn groups<Q: Queue>(due: Vec<Q::Job>) -> Vec<Vec<Q::Job>> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<Vec<Q::Job>> = Vec::new();
    for job in due {
        let Some(key) = Q::group(&job) else {
            groups.push(vec![job]);
            continue;
        };
        match index.get(&key) {
            Some(&i) => groups[i].push(job),
            None => {
                index.insert(key, groups.len());
                groups.push(vec![job]);
            }
        }
    }
    groups
}
