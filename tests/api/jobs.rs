//! The job runner that webhook deliveries and emails share, driven through a queue of its own
//! on the `jobs` table: waking on a commit, retries on the schedule with every attempt logged,
//! giving up, taking over a job whose lease ran out, and attempts recorded together without
//! one bad record losing or repeating the others.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use kairos::jobs::table::{Handler, TableQueue};
use kairos::jobs::{self, Outcome, RetrySchedule, RunnerConfig};
use kairos::storage::Db;
use kairos::storage::jobs::{self as store, Finish, JobRecord, NewJob};

use crate::helpers::{eventually, spawn_app};

const QUEUE: &str = "test";

/// Runs a job by its payload: `ok` succeeds, `broken` fails for good, `flaky:N` fails (for a
/// while) until it has been tried N times, `vanish` deletes its own row and succeeds (its
/// attempt then cannot be logged). Every run is written down.
struct Scripted {
    db: Db,
    schedule: RetrySchedule,
    runs: Arc<Mutex<Vec<String>>>,
}

impl Handler for Scripted {
    const QUEUE: &'static str = QUEUE;
    const MAX_ATTEMPTS: u32 = 10;

    fn schedule(&self) -> &RetrySchedule {
        &self.schedule
    }

    async fn run(&self, job: &JobRecord) -> Outcome {
        self.runs.lock().unwrap().push(job.payload.clone());
        if job.payload == "vanish" {
            let gone = format!("DELETE FROM jobs WHERE id = '{}'", job.id);
            self.db.execute_sql(&gone).await.unwrap();
            return Outcome::Done;
        }
        match job.payload.split_once(':') {
            _ if job.payload == "ok" => Outcome::Done,
            Some(("flaky", n)) if job.attempts >= n.parse::<i32>().unwrap() => Outcome::Done,
            Some(("flaky", _)) => Outcome::Retry {
                error: format!("attempt {} failed", job.attempts + 1),
                retry_after: None,
            },
            _ => Outcome::Fail {
                error: "broken for good".into(),
            },
        }
    }
}

fn start(db: &Db, schedule: &str, poll: Duration) -> Arc<Mutex<Vec<String>>> {
    start_with(db, schedule, poll, 2)
}

fn start_with(
    db: &Db,
    schedule: &str,
    poll: Duration,
    concurrency: usize,
) -> Arc<Mutex<Vec<String>>> {
    let runs = Arc::new(Mutex::new(Vec::new()));
    let handler = Scripted {
        db: db.clone(),
        schedule: RetrySchedule::parse(schedule).unwrap(),
        runs: runs.clone(),
    };
    let config = RunnerConfig {
        lease: Duration::from_secs(5),
        timeout: Duration::from_secs(1),
        poll,
        concurrency,
        tally: Default::default(),
        clock: Default::default(),
    };
    jobs::spawn(db.clone(), TableQueue(handler), config);
    runs
}

async fn enqueue(db: &Db, payload: &str, max_attempts: i32) -> String {
    db.transaction(async |c| {
        let job = NewJob {
            queue: QUEUE,
            kind: "test",
            payload,
            run_at: Utc::now(),
            max_attempts,
        };
        store::enqueue(c, &job).await
    })
    .await
    .unwrap()
}

async fn job(db: &Db, id: &str) -> JobRecord {
    let all = db.run(async |c| store::list(c, QUEUE).await).await.unwrap();
    all.into_iter().find(|j| j.id == id).unwrap()
}

/// Waits (up to 10 s) until the job is no longer queued.
async fn finished(db: &Db, id: &str) -> JobRecord {
    let what = format!("job {id} to leave the queue");
    eventually(&what, Duration::from_secs(10), async || {
        let job = job(db, id).await;
        (job.status != store::QUEUED).then_some(job)
    })
    .await
}

async fn errors(db: &Db, id: &str) -> Vec<Option<String>> {
    let attempts = db
        .run(async |c| store::attempts(c, id).await)
        .await
        .unwrap();
    attempts.into_iter().map(|a| a.error).collect()
}

#[tokio::test]
async fn a_commit_wakes_the_runner_without_waiting_for_the_poll() {
    let app = spawn_app().await;
    // An hour between polls: only the commit's signal can start the job in time.
    let runs = start(&app.db, "1s", Duration::from_secs(3600));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let id = enqueue(&app.db, "ok", 10).await;
    let done = finished(&app.db, &id).await;
    assert_eq!(done.status, store::DONE);
    assert_eq!(done.attempts, 1);
    assert_eq!(*runs.lock().unwrap(), vec!["ok".to_owned()]);
}

#[tokio::test]
async fn failures_are_retried_on_the_schedule_until_done_or_given_up_and_every_attempt_is_logged() {
    let app = spawn_app().await;
    let runs = start(&app.db, "50ms,50ms,50ms", Duration::from_millis(50));
    let flaky = enqueue(&app.db, "flaky:2", 10).await;
    let broken = enqueue(&app.db, "broken", 10).await;
    let hopeless = enqueue(&app.db, "flaky:99", 10).await;
    let limited = enqueue(&app.db, "flaky:98", 2).await;

    let done = finished(&app.db, &flaky).await;
    assert_eq!((done.status.as_str(), done.attempts), (store::DONE, 3));
    assert_eq!(
        errors(&app.db, &flaky).await,
        vec![
            Some("attempt 1 failed".into()),
            Some("attempt 2 failed".into()),
            None
        ]
    );
    // A permanent failure is not tried again.
    let dead = finished(&app.db, &broken).await;
    assert_eq!((dead.status.as_str(), dead.attempts), (store::DEAD, 1));
    assert_eq!(dead.last_error.as_deref(), Some("broken for good"));
    // Three delays allow four attempts; the job's own limit ends it sooner.
    let exhausted = finished(&app.db, &hopeless).await;
    assert_eq!(
        (exhausted.status.as_str(), exhausted.attempts),
        (store::DEAD, 4)
    );
    assert_eq!(errors(&app.db, &hopeless).await.len(), 4);
    let capped = finished(&app.db, &limited).await;
    assert_eq!((capped.status.as_str(), capped.attempts), (store::DEAD, 2));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let runs = runs.lock().unwrap().clone();
    let count = |payload: &str| runs.iter().filter(|r| *r == payload).count();
    assert_eq!(
        (
            count("flaky:2"),
            count("broken"),
            count("flaky:99"),
            count("flaky:98")
        ),
        (3, 1, 4, 2),
        "nothing runs after it is done or dead"
    );
}

#[tokio::test]
async fn a_job_whose_lease_ran_out_is_taken_over_and_the_old_holder_can_no_longer_finish_it() {
    let app = spawn_app().await;
    let id = enqueue(&app.db, "ok", 10).await;
    // An instance claims the job and dies holding it.
    let claimed = app
        .db
        .background_transaction(async |c| {
            let now = Utc::now();
            let until = now + chrono::Duration::milliseconds(700);
            store::claim(c, QUEUE, "dead-instance", now, until, 10).await
        })
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let runs = start(&app.db, "1s", Duration::from_millis(50));
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(runs.lock().unwrap().is_empty(), "the lease still holds");
    let done = finished(&app.db, &id).await;
    assert_eq!((done.status.as_str(), done.attempts), (store::DONE, 1));
    assert_eq!(runs.lock().unwrap().len(), 1);
    // The dead instance's late outcome is fenced off.
    let late = app
        .db
        .background_transaction(async |c| {
            let outcome = Finish::Dead { error: "late" };
            store::finish(c, &id, "dead-instance", Utc::now(), &outcome).await
        })
        .await
        .unwrap();
    assert!(!late);
    assert_eq!(job(&app.db, &id).await.status, store::DONE);
}

#[tokio::test]
async fn attempts_finished_together_are_recorded_once_each_even_when_one_record_fails() {
    let app = spawn_app().await;
    // All due before the runner starts, so one claim takes them and they finish together.
    let vanishing = enqueue(&app.db, "vanish", 10).await;
    let mut ok = Vec::new();
    for _ in 0..15 {
        ok.push(enqueue(&app.db, "ok", 10).await);
    }
    let runs = start_with(&app.db, "1s", Duration::from_millis(50), 16);
    for id in &ok {
        let done = finished(&app.db, id).await;
        assert_eq!((done.status.as_str(), done.attempts), (store::DONE, 1));
        assert_eq!(errors(&app.db, id).await, vec![None], "one attempt logged");
    }
    // Past the 5 s lease: a job whose record was lost with a failed batch would run again.
    tokio::time::sleep(Duration::from_millis(5_500)).await;
    let runs = runs.lock().unwrap().clone();
    assert_eq!(runs.iter().filter(|r| *r == "ok").count(), 15, "{runs:?}");
    assert_eq!(runs.iter().filter(|r| *r == "vanish").count(), 1);
    let all = app.db.run(async |c| store::list(c, QUEUE).await).await;
    assert!(all.unwrap().iter().all(|j| j.id != vanishing));
}
