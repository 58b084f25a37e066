//! Email: the confirmations, requests, reschedules, location updates, cancellations and
//! declines a booking change sends to its attendees and hosts, each with its calendar entry (iCalendar
//! `REQUEST`/`CANCEL`). Emails are rendered and queued in the `jobs` table inside the
//! transaction that makes the change (the outbox), and sent over SMTP by [`worker`], with
//! retries; a crash or an SMTP outage delays an email but never loses it.

pub mod choices;
pub mod compose;
pub mod worker;

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::EmailSettings;
use crate::event_types;
use crate::links::ManageLinks;
use crate::service::ServiceError;
use crate::storage::bookings::{self as bookings_store, AttendeeRecord, BookingRecord};
use crate::storage::jobs::{self, NewJob};
use crate::storage::users;
use crate::storage::{Conn, Db, StorageResult};
use crate::webhooks::Outbox;
use crate::webhooks::payload::Change;

pub use compose::{Calendar, Email, Notice};

/// The queue emails wait in.
pub const QUEUE: &str = "email";
/// Attempts before an email is given up (the retry schedule spaces them out).
pub const MAX_ATTEMPTS: i32 = 10;

/// The sender's settings: the configured server, sender and schedule, with the sender's own
/// lease, SMTP timeout and polling interval.
pub fn mailer(settings: EmailSettings) -> worker::MailerConfig {
    worker::MailerConfig {
        smtp_url: settings.smtp_url,
        from: settings.from,
        schedule: settings.schedule,
        lease: settings.lease,
        // A third of the lease: the runner gives back what the lease no longer safely covers.
        timeout: (settings.lease / 3).min(Duration::from_secs(30)),
        poll: Duration::from_secs(1),
        tally: std::sync::Arc::default(),
        clock: crate::jobs::Clock::default(),
    }
}

/// The people of a booking, when the caller already has them (a booking just made): saves
/// reading them again inside the booking's transaction.
pub struct Known<'a> {
    pub attendees: &'a [AttendeeRecord],
    pub hosts: &'a [users::User],
}

/// Queues the emails a booking change sends, in the caller's transaction. Nothing is queued
/// when email is not configured. `seat` narrows the attendees to one seat's holder.
pub async fn booking_changed(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    booking: &BookingRecord,
    change: &Change<'_>,
    seat: Option<&str>,
    known: Option<Known<'_>>,
) -> Result<(), ServiceError> {
    if !outbox.email {
        return Ok(());
    }
    let notice = match change {
        Change::Created => Notice::Booked,
        Change::Requested => Notice::Requested,
        Change::Rescheduled { from } => Notice::Rescheduled { from },
        Change::Cancelled {
            request_reschedule: true,
        } => Notice::RescheduleRequested,
        Change::Cancelled { .. } => Notice::Cancelled,
        Change::Rejected => Notice::Declined,
        Change::LocationUpdated { .. } => Notice::Relocated,
        Change::Reassigned { from } => Notice::Reassigned { from },
    };
    let (mut attendees, mut hosts) = match known {
        Some(known) => (known.attendees.to_vec(), known.hosts.to_vec()),
        None => (
            bookings_store::attendees_of(c, &[booking.id]).await?,
            bookings_store::hosts_of(c, &[booking.id])
                .await?
                .into_iter()
                .map(|(_, user)| user)
                .collect(),
        ),
    };
    // A seated booking's holders read only their own seat: its titles need the event type.
    let seated = attendees.iter().any(|a| a.seat_uid.is_some());
    let event = if seated {
        event_types::find_if_any(c, booking.event_type_id).await?
    } else {
        None
    };
    if let Some(seat) = seat {
        attendees.retain(|a| a.seat_uid.as_deref() == Some(seat));
    }
    if hosts.is_empty() {
        hosts.push(users::find(c, booking.user_id).await?);
    }
    // The organiser first, as the invitation names them.
    hosts.sort_by_key(|u| u.id != booking.user_id);
    let mut host_ids: Vec<i64> = hosts.iter().map(|h| h.id).collect();
    if let Notice::Reassigned { from } = notice {
        host_ids.push(from.id);
    }
    let choices = choices::Choices::load(c, &host_ids).await?;
    let now = Utc::now();
    let meeting = compose::Meeting {
        booking,
        attendees: &attendees,
        hosts: &hosts,
        links: ManageLinks {
            base: &outbox.booker_url,
            uid: &booking.uid,
            end: booking.end_at,
            signer: Some(&outbox.signer),
            now,
        },
        one_seat: seat.is_some(),
        seating: seated.then_some(compose::Seating {
            event: event.as_ref(),
        }),
        choices,
    };
    for email in compose::emails(&meeting, notice, now) {
        queue_about(c, &email, notice.kind(), Some(booking.id)).await?;
    }
    Ok(())
}

/// An email as the queue holds it: the email, and an HTML version of its text when it has one
/// (workflow messages).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Queued {
    #[serde(flatten)]
    pub email: Email,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

/// Queues `email` (of `kind`, about booking `booking_id`) in the caller's transaction, to be
/// sent now.
pub async fn queue_html(
    c: &mut Conn<'_>,
    email: &Queued,
    kind: &str,
    booking_id: i64,
) -> StorageResult<()> {
    let payload = serde_json::to_string(email).expect("an email serialises");
    let job = NewJob {
        queue: QUEUE,
        kind,
        payload: &payload,
        run_at: Utc::now(),
        max_attempts: MAX_ATTEMPTS,
    };
    jobs::enqueue_about(c, &job, Some(booking_id)).await?;
    Ok(())
}

/// Queues one email of `kind` in the caller's transaction, to be sent now.
pub async fn queue(c: &mut Conn<'_>, email: &Email, kind: &str) -> StorageResult<()> {
    queue_about(c, email, kind, None).await
}

/// Queues one email of `kind` about booking `booking_id` (if any), to be sent now.
async fn queue_about(
    c: &mut Conn<'_>,
    email: &Email,
    kind: &str,
    booking_id: Option<i64>,
) -> StorageResult<()> {
    // Strings and an optional attachment of strings: serialising cannot fail.
    let payload = serde_json::to_string(email).expect("an email serialises");
    let job = NewJob {
        queue: QUEUE,
        kind,
        payload: &payload,
        run_at: Utc::now(),
        max_attempts: MAX_ATTEMPTS,
    };
    jobs::enqueue_about(c, &job, booking_id).await?;
    Ok(())
}

/// An email a booking's change queued, as its hosts may review it: to whom, about what, and
/// how sending it went (every attempt).
#[derive(Debug)]
pub struct SentEmail {
    pub kind: String,
    pub to: String,
    pub subject: String,
    /// `queued`, `done`, `dead` (given up) or `cancelled`.
    pub status: String,
    pub queued_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub attempts: Vec<jobs::AttemptRecord>,
}

/// The most emails of one booking [`of_booking`] reads.
const BOOKING_EMAILS: i64 = 50;

/// The emails booking `booking_id`'s changes queued, newest first. The caller has checked that
/// the booking is the user's to see.
pub async fn of_booking(db: &Db, booking_id: i64) -> Result<Vec<SentEmail>, ServiceError> {
    db.run(async |c| {
        let mut out = Vec::new();
        for row in jobs::of_booking(c, QUEUE, booking_id, BOOKING_EMAILS).await? {
            let email: Email = serde_json::from_str(&row.job.payload).map_err(|e| {
                ServiceError::Internal(anyhow::anyhow!("job {} holds no email: {e}", row.job.id))
            })?;
            let attempts = jobs::attempts(c, &row.job.id).await?;
            out.push(SentEmail {
                kind: row.job.kind,
                to: format!("{} <{}>", email.to_name, email.to_email),
                subject: email.subject,
                status: row.job.status,
                queued_at: row.created_at.and_utc(),
                finished_at: row.finished_at.map(|t| t.and_utc()),
                last_error: row.job.last_error,
                attempts,
            });
        }
        Ok(out)
    })
    .await
}
