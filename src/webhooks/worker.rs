//! The delivery worker that runs inside `kairos serve`: it leases due deliveries, POSTs them
//! signed, and records every attempt; failures are retried on the schedule, and a receiver
//! that keeps failing has its subscription switched off.
//!
//! At least once: a delivery is marked delivered only after its receiver answered 2xx, so a
//! worker killed mid-send leaves a lease that expires and the delivery is sent again, with the
//! same body and `webhook-id`. Any number of instances may run workers on one database; a
//! lease keeps each delivery with one of them at a time.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use rand::Rng;
use tokio::sync::{Notify, Semaphore};

use super::retry::{self, Outcome, RetrySchedule};
use super::signing;
use super::ssrf::{self, GuardedResolver, Policy};
use crate::storage::webhooks::{self as store, AttemptOutcome, Due};
use crate::storage::{Db, StorageError};

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
        }
    }
}

/// Starts the worker on the current runtime; it runs until the task is aborted.
pub fn spawn(db: Db, config: WorkerConfig) -> anyhow::Result<tokio::task::JoinHandle<()>> {
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
    let owner = format!("worker-{}", uuid::Uuid::new_v4().simple());
    let worker = Worker {
        db,
        config: Arc::new(config),
        client,
        owner,
        finished: Arc::new(Notify::new()),
    };
    Ok(tokio::spawn(worker.run()))
}

#[derive(Clone)]
struct Worker {
    db: Db,
    config: Arc<WorkerConfig>,
    client: reqwest::Client,
    owner: String,
    /// A subscription's batch is done: its next deliveries may be claimed now, not at the next
    /// poll (one subscription with a backlog would otherwise send one batch per poll interval).
    finished: Arc<Notify>,
}

impl Worker {
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
            let claimed = self.claim(room).await;
            let due = match claimed {
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
                    tracing::warn!(error = %e, "could not claim webhook deliveries");
                    tokio::time::sleep(self.config.poll).await;
                    continue;
                }
            };
            let mut permit = Some(first);
            for group in by_subscription(due) {
                let permit = match permit.take() {
                    Some(p) => p,
                    None => match slots.clone().acquire_owned().await {
                        Ok(p) => p,
                        Err(_) => return,
                    },
                };
                let worker = self.clone();
                tokio::spawn(async move {
                    worker.send_in_order(group).await;
                    drop(permit);
                    // A stored permit if the loop is not waiting yet: the wake-up is not lost.
                    worker.finished.notify_one();
                });
            }
        }
    }

    async fn claim(&self, limit: usize) -> Result<Vec<Due>, StorageError> {
        let owner = self.owner.clone();
        let lease = self.config.lease;
        self.db
            .background_transaction(async |c| {
                let now = Utc::now();
                let until = now + chrono::Duration::from_std(lease).unwrap_or_default();
                store::claim_due(c, &owner, now, until, limit as i64).await
            })
            .await
    }

    /// Sends one subscription's deliveries oldest first, each on its own retry schedule (a
    /// failure does not skip the rest, which would starve the newest while a receiver is
    /// down). Deliveries the lease no longer safely covers are given back unsent.
    async fn send_in_order(&self, group: Vec<Due>) {
        let started = Instant::now();
        let mut rest = group.into_iter();
        while let Some(due) = rest.next() {
            self.deliver(&due).await;
            let lease_left = self.config.lease.saturating_sub(started.elapsed());
            if lease_left < self.config.timeout * 2 {
                let ids: Vec<String> = rest.map(|d| d.delivery.id).collect();
                if !ids.is_empty()
                    && let Err(e) = self
                        .db
                        .background_transaction(async |c| store::release(c, &ids).await)
                        .await
                {
                    tracing::warn!(error = %e, "could not release webhook deliveries");
                }
                return;
            }
        }
    }

    /// One attempt at one delivery, recorded.
    async fn deliver(&self, due: &Due) {
        let d = &due.delivery;
        let attempted_at = Utc::now();
        let clock = Instant::now();
        let reply = self.post(due).await;
        let latency_ms = clock.elapsed().as_millis().min(i32::MAX as u128) as i32;
        let attempt = (d.attempts.max(0) as u32) + 1;
        let outcome = match &reply {
            Reply::Refused(_) => Outcome::Final,
            Reply::Failed(_) => retry::classify(None),
            Reply::Answered { status, .. } => retry::classify(Some(*status)),
        };
        let retry_after = match &reply {
            Reply::Answered { retry_after, .. } => *retry_after,
            _ => None,
        };
        let jitter = rand::rng().random_range(0.9..1.1);
        let next = match outcome {
            Outcome::Retry => self
                .config
                .schedule
                .delay_after(attempt, retry_after, jitter)
                .map(|delay| Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default()),
            _ => None,
        };
        let status = match (&outcome, next) {
            (Outcome::Delivered, _) => store::DELIVERED,
            (Outcome::Retry, Some(_)) => store::PENDING,
            _ => store::FAILED,
        };
        let (code, excerpt, error) = match &reply {
            Reply::Answered {
                status, excerpt, ..
            } => (
                Some(i32::from(*status)),
                Some(excerpt.as_str()),
                (!matches!(outcome, Outcome::Delivered)).then(|| format!("HTTP {status}")),
            ),
            Reply::Failed(e) | Reply::Refused(e) => (None, None, Some(e.clone())),
        };
        let record = AttemptOutcome {
            delivery_id: &d.id,
            attempted_at,
            status_code: code,
            latency_ms,
            response_excerpt: excerpt,
            error: error.as_deref(),
            status,
            next_attempt_at: next,
        };
        let webhook = d.webhook_id.clone();
        let disable_after = self.config.disable_after;
        let gone = matches!(outcome, Outcome::DisableSubscription);
        let saved = self
            .db
            .background_transaction(async |c| {
                store::record_attempt(c, &record).await?;
                if status == store::DELIVERED {
                    store::record_success(c, &webhook).await?;
                } else if gone {
                    store::disable(c, &webhook, "the receiver answered 410 Gone").await?;
                } else if status == store::FAILED {
                    let failures = store::record_failure(c, &webhook).await?;
                    if failures as u32 >= disable_after {
                        let reason = format!("{failures} consecutive events failed to deliver");
                        store::disable(c, &webhook, &reason).await?;
                        tracing::warn!(webhook = %webhook, %reason, "webhook subscription disabled");
                    }
                }
                Ok::<_, StorageError>(())
            })
            .await;
        if let Err(e) = saved {
            tracing::warn!(delivery = %d.id, error = %e, "could not record a webhook attempt");
        }
        tracing::debug!(delivery = %d.id, attempt, status, latency_ms, "webhook attempt");
    }

    async fn post(&self, due: &Due) -> Reply {
        let d = &due.delivery;
        // IP literals never reach the resolver, so the address rule is checked here for them.
        if let Err(e) = ssrf::check_before_send(&due.url, &self.config.policy) {
            return Reply::Refused(e);
        }
        let secret = due.secret.as_deref();
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
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {cause}")
    }
}

/// Due deliveries grouped by subscription, each group oldest first, groups in order of their
/// oldest delivery.
fn by_subscription(due: Vec<Due>) -> Vec<Vec<Due>> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<Vec<Due>> = Vec::new();
    for d in due {
        match index.get(&d.delivery.webhook_id) {
            Some(&i) => groups[i].push(d),
            None => {
                index.insert(d.delivery.webhook_id.clone(), groups.len());
                groups.push(vec![d]);
            }
        }
    }
    groups
}
