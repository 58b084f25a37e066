//! Webhook delivery, a queue on the job runner inside `kairos serve`: due deliveries are
//! leased, POSTed signed, and every attempt is logged; failures are retried on the schedule,
//! and a receiver that keeps failing has its subscription switched off.
//!
//! At least once: a delivery is marked delivered only after its receiver answered 2xx, so a
//! worker killed mid-send leaves a lease that expires and the delivery is sent again, with the
//! same body and `webhook-id`. Any number of instances may run workers on one database; a
//! lease keeps each delivery with one of them at a time.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::retry;
use super::signing;
use super::ssrf::{self, GuardedResolver, Policy};
use super::subscriptions;
use crate::crypto::Vault;
use crate::jobs::{self, Attempt, Next, Outcome, Queue, RetrySchedule, RunnerConfig};
use crate::storage::webhooks::{self as store, AttemptOutcome, Due};
use crate::storage::{Conn, Db, StorageResult};

/// How much of a response is read, and how much of it the log keeps.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;
const EXCERPT_CHARS: usize = 1024;

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub policy: Policy,
    pub schedule: RetrySchedule,
    /// How long a claimed delivery stays with this worker before others may take it.
    pub lease: Duration,
    /// Consecutive failed events after which a subscription is switched off.
    pub disable_after: u32,
    pub timeout: Duration,
    /// How often to look for due deliveries when nothing in this process signals new ones
    /// (other instances' writes, scheduled meeting events, retries).
    pub poll: Duration,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// Where the attempts' outcomes are counted (for `/metrics`).
    pub tally: Arc<jobs::Tally>,
    /// What decides when deliveries are due (scheduled meeting and reminder calls).
    pub clock: jobs::Clock,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            policy: Policy::default(),
            schedule: RetrySchedule::default(),
            lease: Duration::from_secs(60),
            disable_after: 20,
            timeout: Duration::from_secs(15),
            poll: Duration::from_millis(500),
            concurrency: 32,
            tally: Arc::default(),
            clock: jobs::Clock::default(),
        }
    }
}

/// Starts delivering on the current runtime, on the job runner; it runs until the task is
/// aborted. `secrets` opens the subscriptions' sealed signing secrets.
pub fn spawn(
    db: Db,
    config: WorkerConfig,
    secrets: Arc<Vault>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(config.timeout)
        .connect_timeout(config.timeout)
        // A proxy would resolve the subscriber's host itself, past the guard below.
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver {
            policy: config.policy.clone(),
        }))
        .user_agent(concat!("Kairos-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let runner = RunnerConfig {
        lease: config.lease,
        timeout: config.timeout,
        poll: config.poll,
        concurrency: config.concurrency,
        tally: config.tally.clone(),
        clock: config.clock.clone(),
    };
    let queue = Deliveries {
        config,
        client,
        secrets,
    };
    Ok(jobs::spawn(db, queue, runner))
}

/// The webhook deliveries queue: one job per delivery, grouped by subscription so that a
/// healthy receiver gets its events in order.
struct Deliveries {
    config: WorkerConfig,
    client: reqwest::Client,
    secrets: Arc<Vault>,
}

/// What an attempt's answer was, for the delivery log.
struct Answer {
    status_code: Option<i32>,
    excerpt: Option<String>,
    /// The receiver answered 410: the subscription is switched off.
    gone: bool,
}

impl Queue for Deliveries {
    type Job = Due;
    type Report = Answer;
    const NAME: &'static str = "webhooks";

    fn schedule(&self) -> &RetrySchedule {
        &self.config.schedule
    }

    fn id(due: &Due) -> &str {
        &due.delivery.id
    }

    fn attempts(due: &Due) -> u32 {
        u32::try_from(due.delivery.attempts).unwrap_or(0)
    }

    fn group(due: &Due) -> Option<String> {
        Some(due.delivery.webhook_id.clone())
    }

    async fn claim(
        &self,
        c: &mut Conn<'_>,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> StorageResult<Vec<Due>> {
        store::claim_due(c, owner, now, until, limit).await
    }

    async fn run(&self, due: &Due) -> (Outcome, Answer) {
        let reply = self.post(due).await;
        let (verdict, retry_after) = match &reply {
            Reply::Refused(_) => (retry::Outcome::Final, None),
            Reply::Failed(_) => (retry::classify(None), None),
            Reply::Answered {
                status,
                retry_after,
                ..
            } => (retry::classify(Some(*status)), *retry_after),
        };
        let (status_code, excerpt, error) = match reply {
            Reply::Answered {
                status, excerpt, ..
            } => (
                Some(i32::from(status)),
                Some(excerpt),
                format!("HTTP {status}"),
            ),
            Reply::Failed(e) | Reply::Refused(e) => (None, None, e),
        };
        let outcome = match verdict {
            retry::Outcome::Delivered => Outcome::Done,
            retry::Outcome::Retry => Outcome::Retry { error, retry_after },
            retry::Outcome::Final | retry::Outcome::DisableSubscription => Outcome::Fail { error },
        };
        let answer = Answer {
            status_code,
            excerpt,
            gone: verdict == retry::Outcome::DisableSubscription,
        };
        (outcome, answer)
    }

    async fn record(
        &self,
        c: &mut Conn<'_>,
        _owner: &str,
        due: &Due,
        attempt: &Attempt<Answer>,
    ) -> StorageResult<()> {
        let (status, next_attempt_at) = match attempt.next {
            Next::Done => (store::DELIVERED, None),
            Next::RetryAt(at) => (store::PENDING, Some(at)),
            Next::Dead => (store::FAILED, None),
        };
        let answer = &attempt.report;
        let record = AttemptOutcome {
            delivery_id: &due.delivery.id,
            attempted_at: attempt.started_at,
            status_code: answer.status_code,
            latency_ms: attempt.latency_ms(),
            response_excerpt: answer.excerpt.as_deref(),
            error: attempt.outcome.error(),
            status,
            next_attempt_at,
        };
        let webhook = &due.delivery.webhook_id;
        store::record_attempt(c, &record).await?;
        if status == store::DELIVERED {
            store::record_success(c, webhook).await?;
        } else if answer.gone {
            store::disable(c, webhook, "the receiver answered 410 Gone").await?;
        } else if status == store::FAILED {
            let failures = store::record_failure(c, webhook).await?;
            if failures as u32 >= self.config.disable_after {
                let reason = format!("{failures} consecutive events failed to deliver");
                store::disable(c, webhook, &reason).await?;
                tracing::warn!(webhook = %webhook, %reason, "webhook subscription disabled");
            }
        }
        Ok(())
    }

    async fn release(&self, c: &mut Conn<'_>, _owner: &str, unsent: &[Due]) -> StorageResult<()> {
        let ids: Vec<String> = unsent.iter().map(|d| d.delivery.id.clone()).collect();
        store::release(c, &ids).await
    }
}

impl Deliveries {
    async fn post(&self, due: &Due) -> Reply {
        let d = &due.delivery;
        // IP literals never reach the resolver, so the address rule is checked here for them.
        if let Err(refusal) = ssrf::check_before_send(&due.url, &self.config.policy) {
            return Reply::Refused(subscriptions::refused(&refusal));
        }
        // The secret is opened here, where it signs, and nowhere else. One that does not open
        // (the secret key changed) is retried: restoring the key lets it go out signed.
        let secret = match due.secret.as_deref().map(|s| self.secrets.open(s)) {
            None => None,
            Some(Ok(secret)) => Some(secret),
            Some(Err(e)) => {
                return Reply::Failed(format!("the signing secret cannot be opened: {e}"));
            }
        };
        let secret = secret.as_deref();
        let body = d.body.as_bytes();
        let timestamp = Utc::now().timestamp();
        let request = self
            .client
            .post(&due.url)
            .header(reqwest::header::CONTENT_TYPE, &d.content_type)
            .header("X-Cal-Signature-256", signing::cal_signature(secret, body))
            .header("X-Cal-Webhook-Version", &d.version)
            .header("webhook-id", &d.id)
            .header("webhook-timestamp", timestamp.to_string())
            .header(
                "webhook-signature",
                signing::standard_signature(secret, &d.id, timestamp, body),
            )
            .body(d.body.clone());
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Reply::Failed(describe(&e)),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry::parse_retry_after(v, Utc::now()));
        let mut bytes = Vec::new();
        while bytes.len() < MAX_RESPONSE_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                _ => break,
            }
        }
        let excerpt: String = String::from_utf8_lossy(&bytes)
            .chars()
            .take(EXCERPT_CHARS)
            .collect();
        Reply::Answered {
            status,
            retry_after,
            excerpt,
        }
    }
}

enum Reply {
    Answered {
        status: u16,
        retry_after: Option<Duration>,
        excerpt: String,
    },
    /// No answer: connection refused, timeout, DNS failure.
    Failed(String),
    /// Not sent: the address is not allowed.
    Refused(String),
}

fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    // The chain names the cause (refused, reset, resolver refusal) without the URL's secrets.
    let mut cause = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = match s.downcast_ref::<ssrf::Refusal>() {
            Some(refusal @ ssrf::Refusal::Private { .. }) => {
                format!("{refusal}; {}", subscriptions::PUBLIC_ONLY)
            }
            _ => s.to_string(),
        };
        source = s.source();
    }
    if cause.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {cause}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_resolver_refusal_names_the_webhook_setting() {
        let client = reqwest::Client::builder()
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver::default()))
            .build()
            .expect("client");
        let error = client
            .post("http://localhost:9/hook")
            .send()
            .await
            .expect_err("localhost is refused");
        let message = describe(&error);
        assert!(
            message.starts_with("could not connect: `localhost` resolves to "),
            "{message}"
        );
        assert!(
            message.ends_with(&format!(
                "a private address; {}",
                subscriptions::PUBLIC_ONLY
            )),
            "{message}"
        );
    }
}
