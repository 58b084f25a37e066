//! Sends queued text messages: the SMS queue's handler on the job runner. A number that has
//! opted out since the message was queued gets nothing (the job ends dead, saying so); a
//! provider's transient failure is retried on the schedule, a permanent one is not, and a
//! provider that says the recipient unsubscribed records the opt-out.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use super::{MAX_ATTEMPTS, Provider, QUEUE, SendError, Sms};
use crate::jobs::table::{Handler, TableQueue};
use crate::jobs::{self, Outcome, RetrySchedule, RunnerConfig};
use crate::storage::jobs::JobRecord;
use crate::storage::{Db, sms as store};

/// Messages sent at once.
const CONCURRENCY: usize = 4;

/// Starts sending on the current runtime, on the job runner; it runs until the task is
/// aborted.
pub fn spawn<P: Provider>(
    db: Db,
    provider: P,
    schedule: RetrySchedule,
    clock: jobs::Clock,
    tally: Arc<jobs::Tally>,
) -> tokio::task::JoinHandle<()> {
    let runner = RunnerConfig {
        lease: Duration::from_secs(120),
        timeout: Duration::from_secs(30),
        poll: Duration::from_secs(1),
        concurrency: CONCURRENCY,
        tally,
        clock,
    };
    let sender = Sender {
        db: db.clone(),
        provider,
        schedule,
    };
    jobs::spawn(db, TableQueue(sender), runner)
}

struct Sender<P> {
    db: Db,
    provider: P,
    schedule: RetrySchedule,
}

impl<P: Provider> Handler for Sender<P> {
    const QUEUE: &'static str = QUEUE;
    const MAX_ATTEMPTS: u32 = MAX_ATTEMPTS as u32;

    fn schedule(&self) -> &RetrySchedule {
        &self.schedule
    }

    async fn run(&self, job: &JobRecord) -> Outcome {
        let sms: Sms = match serde_json::from_str(&job.payload) {
            Ok(sms) => sms,
            Err(e) => {
                return Outcome::Fail {
                    error: format!("unreadable SMS payload: {e}"),
                };
            }
        };
        match self
            .db
            .run(async |c| store::opted_out(c, &sms.to).await)
            .await
        {
            Ok(false) => {}
            Ok(true) => {
                return Outcome::Fail {
                    error: format!("{} has opted out (STOP): not sent", sms.to),
                };
            }
            Err(e) => return retry(format!("reading opt-outs: {e}"), None),
        }
        match self.provider.send(&sms).await {
            Ok(_sid) => Outcome::Done,
            Err(SendError::Transient { error, retry_after }) => retry(error, retry_after),
            Err(SendError::Permanent { error }) => Outcome::Fail { error },
            Err(SendError::OptedOut { error }) => {
                let recorded = (self.db)
                    .run(async |c| store::opt_out(c, &sms.to, Utc::now()).await)
                    .await;
                if let Err(e) = recorded {
                    tracing::warn!(error = %e, "recording an SMS opt-out the provider reported");
                }
                Outcome::Fail { error }
            }
        }
    }
}

fn retry(error: String, retry_after: Option<Duration>) -> Outcome {
    Outcome::Retry { error, retry_after }
}
