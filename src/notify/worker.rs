//! Sends queued emails over SMTP: claims due jobs of the email queue with a lease, sends each,
//! and records the outcome. A temporary failure (the server is down, a 4xx reply) is retried
//! on the schedule; a permanent one (a 5xx reply, such as an unknown mailbox) or the last
//! attempt marks the email dead, with the error kept in the job.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rand::Rng;

use super::compose::Email;
use super::{MAX_ATTEMPTS, QUEUE};
use crate::secret::Secret;
use crate::storage::jobs::{self as store, Finish, JobRecord};
use crate::storage::{Db, StorageError};
use crate::webhooks::retry::RetrySchedule;

#[derive(Debug, Clone)]
pub struct MailerConfig {
    /// `smtp://host:port` (plain or STARTTLS with `?tls=required`), `smtps://host:port`
    /// (TLS from the start); credentials as `user:password@`.
    pub smtp_url: Secret,
    pub from: Mailbox,
    pub schedule: RetrySchedule,
    /// How long a claimed email stays with this worker before others may take it.
    pub lease: Duration,
    pub timeout: Duration,
    /// How often to look for due emails when nothing in this process signals new ones.
    pub poll: Duration,
}

/// Starts the worker on the current runtime; it runs until the task is aborted.
pub fn spawn(db: Db, config: MailerConfig) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(config.smtp_url.expose())
        .map_err(|e| anyhow::anyhow!("KAIROS_SMTP_URL: {e}"))?
        .timeout(Some(config.timeout))
        .build();
    let worker = Mailer {
        db,
        transport,
        owner: format!("mailer-{}", uuid::Uuid::new_v4().simple()),
        config: Arc::new(config),
    };
    Ok(tokio::spawn(worker.run()))
}

struct Mailer {
    db: Db,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    owner: String,
    config: Arc<MailerConfig>,
}

impl Mailer {
    async fn run(self) {
        loop {
            let committed = self.db.commits();
            let signal = committed.notified();
            tokio::pin!(signal);
            signal.as_mut().enable();
            match self.claim().await {
                Ok(due) if !due.is_empty() => {
                    for job in due {
                        self.send(job).await;
                    }
                }
                Ok(_) => {
                    tokio::select! {
                        () = &mut signal => {}
                        () = tokio::time::sleep(self.config.poll) => {}
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not claim emails");
                    tokio::time::sleep(self.config.poll).await;
                }
            }
        }
    }

    async fn claim(&self) -> Result<Vec<JobRecord>, StorageError> {
        let owner = self.owner.clone();
        let lease = chrono::Duration::from_std(self.config.lease).unwrap_or_default();
        // Emails of a batch are sent one after another, each within the timeout: the batch
        // must fit in the lease, or another worker would send its tail again.
        let per_lease = self.config.lease.as_secs() / self.config.timeout.as_secs().max(1);
        let batch = i64::try_from(per_lease.saturating_sub(1).max(1)).unwrap_or(1);
        self.db
            .background_transaction(async |c| {
                let now = Utc::now();
                store::claim(c, QUEUE, &owner, now, now + lease, batch).await
            })
            .await
    }

    async fn send(&self, job: JobRecord) {
        let attempt = u32::try_from(job.attempts.max(0)).unwrap_or(0) + 1;
        let outcome = match serde_json::from_str::<Email>(&job.payload)
            .map_err(|e| format!("unreadable email payload: {e}"))
            .and_then(|email| message(&self.config.from, &email))
        {
            Err(error) => Err((error, true)),
            Ok(message) => self
                .transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| (e.to_string(), e.is_permanent())),
        };
        let now = Utc::now();
        let finish = match &outcome {
            Ok(()) => Finish::Done,
            Err((error, permanent)) => {
                let jitter = rand::rng().random_range(0.9..1.1);
                let next = self.config.schedule.delay_after(attempt, None, jitter);
                match next {
                    Some(delay)
                        if !permanent && (attempt as i32) < job.max_attempts.min(MAX_ATTEMPTS) =>
                    {
                        Finish::Retry {
                            at: now + chrono::Duration::from_std(delay).unwrap_or_default(),
                            error,
                        }
                    }
                    _ => Finish::Dead { error },
                }
            }
        };
        match &finish {
            Finish::Done => tracing::info!(job = %job.id, kind = %job.kind, "email sent"),
            Finish::Retry { at, error } => {
                tracing::warn!(job = %job.id, kind = %job.kind, attempt, %at, error, "email not sent; will retry")
            }
            Finish::Dead { error } => {
                tracing::error!(job = %job.id, kind = %job.kind, attempt, error, "email given up")
            }
        }
        let owner = self.owner.clone();
        let recorded = self
            .db
            .background_transaction(async |c| store::finish(c, &job.id, &owner, now, &finish).await)
            .await;
        if let Err(e) = recorded {
            // The lease runs out and the email is sent again: at least once, never lost.
            tracing::warn!(job = %job.id, error = %e, "could not record an email's outcome");
        }
    }
}

/// The MIME message: the text, and the invitation both as a `text/calendar` part with its
/// iTIP method (which calendar clients act on) and as an `invite.ics` attachment.
fn message(from: &Mailbox, email: &Email) -> Result<Message, String> {
    let to = Mailbox::new(
        Some(email.to_name.clone()),
        email
            .to_email
            .parse()
            .map_err(|e| format!("recipient {}: {e}", email.to_email))?,
    );
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone());
    let text = SinglePart::plain(email.text.clone());
    let built = match &email.calendar {
        None => builder.singlepart(text),
        Some(calendar) => {
            let kind = ContentType::parse(&format!(
                "text/calendar; charset=utf-8; method={}",
                calendar.method
            ))
            .map_err(|e| format!("calendar content type: {e}"))?;
            let attachment = Attachment::new("invite.ics".to_owned()).body(
                calendar.ics.clone(),
                ContentType::parse("application/ics").map_err(|e| e.to_string())?,
            );
            builder.multipart(
                MultiPart::mixed()
                    .multipart(
                        MultiPart::alternative().singlepart(text).singlepart(
                            SinglePart::builder()
                                .header(kind)
                                .body(calendar.ics.clone()),
                        ),
                    )
                    .singlepart(attachment),
            )
        }
    };
    built.map_err(|e| format!("building the message: {e}"))
}
