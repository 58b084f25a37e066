//! Sends queued emails over SMTP: the email queue's handler on the job runner, which claims
//! due emails with a lease and records every attempt. A temporary failure (the server is down,
//! a 4xx reply) is retried on the schedule; a permanent one (a 5xx reply, such as an unknown
//! mailbox) or the last attempt marks the email dead, with the error kept in the job.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{MAX_ATTEMPTS, QUEUE, Queued};
use crate::jobs::table::{Handler, TableQueue};
use crate::jobs::{self, Outcome, RetrySchedule, RunnerConfig};
use crate::secret::Secret;
use crate::storage::Db;
use crate::storage::jobs::JobRecord;

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
    /// Where the attempts' outcomes are counted (for `/metrics`).
    pub tally: std::sync::Arc<jobs::Tally>,
    /// What decides when emails are due.
    pub clock: jobs::Clock,
}

/// Emails sent at once, each over its own connection of the SMTP transport's pool. lettre
/// writes a message's end (`.`) apart from its body and then waits for the reply, so with
/// Nagle's algorithm each message waits out the server's delayed acknowledgement (40 ms on
/// Linux): one connection sends at most about 25 a second, whatever the machine. Sixteen at
/// once keep a burst of reminders within its minute (docs/PERFORMANCE.md, "Reminders due
/// together").
pub const CONCURRENCY: usize = 16;

/// Starts sending on the current runtime, on the job runner; it runs until the task is
/// aborted.
pub fn spawn(db: Db, config: MailerConfig) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(config.smtp_url.expose())
        .map_err(|e| anyhow::anyhow!("KAIROS_SMTP_URL: {e}"))?
        .timeout(Some(config.timeout))
        .pool_config(PoolConfig::new().max_size(CONCURRENCY as u32))
        .build();
    let runner = RunnerConfig {
        lease: config.lease,
        timeout: config.timeout,
        poll: config.poll,
        concurrency: CONCURRENCY,
        tally: config.tally.clone(),
        clock: config.clock.clone(),
    };
    let mailer = Mailer { transport, config };
    Ok(jobs::spawn(db, TableQueue(mailer), runner))
}

struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    config: MailerConfig,
}

impl Handler for Mailer {
    const QUEUE: &'static str = QUEUE;
    const MAX_ATTEMPTS: u32 = MAX_ATTEMPTS as u32;

    fn schedule(&self) -> &RetrySchedule {
        &self.config.schedule
    }

    /// One booking's emails go out in the order they were queued (a reminder never overtakes
    /// the confirmation).
    fn group(job: &JobRecord) -> Option<String> {
        job.booking_id.map(|id| format!("booking-{id}"))
    }

    /// A 4xx reply or no answer is retried; a 5xx reply (an unknown mailbox, say) or an
    /// email that cannot be built is not.
    async fn run(&self, job: &JobRecord) -> Outcome {
        let message = match serde_json::from_str::<Queued>(&job.payload)
            .map_err(|e| format!("unreadable email payload: {e}"))
            .and_then(|email| message(&self.config.from, &email))
        {
            Ok(message) => message,
            Err(error) => return Outcome::Fail { error },
        };
        match self.transport.send(message).await {
            Ok(_) => Outcome::Done,
            Err(e) if e.is_permanent() => Outcome::Fail {
                error: e.to_string(),
            },
            Err(e) => Outcome::Retry {
                error: e.to_string(),
                retry_after: None,
            },
        }
    }
}

/// The MIME message: the text (and its HTML version, if any), and the invitation both as a
/// `text/calendar` part with its iTIP method (which calendar clients act on) and as an
/// `invite.ics` attachment.
fn message(from: &Mailbox, queued: &Queued) -> Result<Message, String> {
    let email = &queued.email;
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
    let built = match (&email.calendar, &queued.html) {
        (None, None) => builder.singlepart(text),
        (None, Some(html)) => builder.multipart(
            MultiPart::alternative()
                .singlepart(text)
                .singlepart(SinglePart::html(html.clone())),
        ),
        (Some(calendar), _) => {
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
