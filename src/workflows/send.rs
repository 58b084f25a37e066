//! Running a due workflow step: the `reminder` queue's handler on the job runner. In one
//! transaction it marks its own job done, checks the step still applies (the booking stands,
//! the meeting has not started, the workflow still exists), renders the message for each
//! recipient as the booking is now and queues it on the email queue (or queues the webhook
//! delivery), and writes the booking's history. A second run of the same job (a lease lost, a
//! crash before the outcome was recorded, another instance) finds the job done and does
//! nothing, so a step is handed over once; the email and webhook queues then send it.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::compose::{self, Facts, Recipient};
use super::model::{Action, TriggerKind};
use super::schedule::{MAX_ATTEMPTS, Planned, QUEUE, note, summary};
use crate::domain::{BookingStatus, PhoneNumber};
use crate::event_types::{self, EventType};
use crate::i18n::{Clock, Lang};
use crate::jobs::table::Handler;
use crate::jobs::{Outcome, RetrySchedule};
use crate::links::ManageLinks;
use crate::notify;
use crate::notify::choices::Choices;
use crate::notify::compose::{attendee_clock, host_clock};
use crate::service::ServiceError;
use crate::sms::{self, Sms};
use crate::storage::bookings::{self as bookings, AttendeeRecord, BookingRecord};
use crate::storage::jobs::{self as jobs, JobRecord};
use crate::storage::users::{self, User};
use crate::storage::workflows as store;
use crate::storage::{Conn, Db, StorageError};
use crate::webhooks::{self, Outbox};

/// The reminder queue's handler.
pub struct Reminders {
    pub db: Db,
    pub outbox: Outbox,
    pub schedule: RetrySchedule,
}

impl Handler for Reminders {
    const QUEUE: &'static str = QUEUE;
    const MAX_ATTEMPTS: u32 = MAX_ATTEMPTS as u32;

    fn schedule(&self) -> &RetrySchedule {
        &self.schedule
    }

    /// A booking's steps run in order.
    fn group(job: &JobRecord) -> Option<String> {
        job.booking_id.map(|id| format!("booking-{id}"))
    }

    async fn run(&self, job: &JobRecord) -> Outcome {
        // Routing forms' planned `FORM_SUBMITTED_NO_EVENT` runs on this queue too: a timed
        // webhook like a reminder's.
        if job.kind == crate::routing_forms::NO_EVENT_KIND {
            let now = self.outbox.clock.now();
            return crate::routing_forms::run_no_event(&self.db, job, now).await;
        }
        let planned = match serde_json::from_str::<Planned>(&job.payload) {
            Ok(p) => p,
            Err(e) => {
                return Outcome::Fail {
                    error: format!("unreadable reminder: {e}"),
                };
            }
        };
        let now = self.outbox.clock.now();
        let done = self
            .db
            .background_transaction(async |c| self.hand_over(c, &job.id, &planned, now).await)
            .await;
        match done {
            Ok(()) => Outcome::Done,
            Err(e) => Outcome::Retry {
                error: e.to_string(),
                retry_after: None,
            },
        }
    }
}

/// Everything a step's messages are made from.
struct Context {
    booking: BookingRecord,
    event: Option<EventType>,
    attendees: Vec<AttendeeRecord>,
    /// Organiser first.
    hosts: Vec<User>,
}

impl Reminders {
    async fn hand_over(
        &self,
        c: &mut Conn<'_>,
        job_id: &str,
        planned: &Planned,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        // The booking first, as its writes take it before its jobs: a cancel committing now
        // either finds this step done (sent before the cancel) or is seen by it (skipped).
        match bookings::lock_booking(c, planned.booking_id).await {
            Ok(()) | Err(StorageError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        if !jobs::complete(c, job_id, now).await? {
            return Ok(());
        }
        let booking = match bookings::find(c, planned.booking_id).await {
            Ok(b) => b,
            Err(StorageError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let event = event_types::find_if_any(c, booking.event_type_id).await?;
        let mut line = summary(planned);
        if let Some(reason) = stale(c, &booking, event.as_ref(), planned, now).await? {
            line["reason"] = json!(reason);
            return note(c, booking.id, "reminder_skipped", line).await;
        }
        let context = context(c, booking, event).await?;
        let recipients = match planned.step.action {
            Action::Webhook => self.call(c, &context.booking, planned).await?,
            Action::SmsAttendee => self.texts(c, &context, planned, now).await?,
            Action::SmsNumber => self.text_number(c, &context, planned, now).await?,
            _ => self.emails(c, &context, planned, now).await?,
        };
        line["recipients"] = json!(recipients);
        note(c, context.booking.id, "reminder_sent", line).await
    }

    /// The webhook step: one delivery to its subscription.
    async fn call(
        &self,
        c: &mut Conn<'_>,
        booking: &BookingRecord,
        planned: &Planned,
    ) -> Result<Vec<String>, ServiceError> {
        let hook = planned.step.webhook_id.clone().unwrap_or_default();
        let workflow = json!({
            "id": planned.workflow_id,
            "stepNumber": planned.step.step_number,
            "trigger": planned.trigger.kind.name(),
            "offsetMinutes": planned.trigger.offset_minutes,
        });
        let event = planned.trigger.kind.event();
        let sent =
            webhooks::workflow_call(c, &self.outbox, booking, &hook, event, workflow).await?;
        Ok(if sent {
            vec![format!("webhook {hook}")]
        } else {
            Vec::new()
        })
    }
}

/// Why a due step no longer applies, if it does not.
async fn stale(
    c: &mut Conn<'_>,
    booking: &BookingRecord,
    event: Option<&EventType>,
    planned: &Planned,
    now: DateTime<Utc>,
) -> Result<Option<&'static str>, ServiceError> {
    let kind = planned.trigger.kind;
    if kind.timed() && booking.status != BookingStatus::Accepted {
        return Ok(Some("the booking no longer stands"));
    }
    if kind == TriggerKind::BeforeEvent && now >= booking.start_at {
        return Ok(Some("the meeting had started"));
    }
    let gone = match planned.workflow_id {
        Some(id) => !still_active(c, id, booking.event_type_id).await?,
        None => !event.is_some_and(|e| e.settings.page.default_reminders()),
    };
    Ok(gone.then_some("the workflow was deleted, turned off or taken off the event type"))
}

/// Whether workflow `id` still exists and is active on `event_type` (its owner may have taken
/// it off since the step was scheduled).
async fn still_active(
    c: &mut Conn<'_>,
    id: i64,
    event_type: Option<i64>,
) -> Result<bool, ServiceError> {
    let Some(workflow) = store::find(c, id).await? else {
        return Ok(false);
    };
    if workflow.active_on_all {
        return Ok(true);
    }
    let listed = store::activations(c, &[id]).await?;
    Ok(event_type.is_some_and(|e| listed.contains(&(id, e))))
}

async fn context(
    c: &mut Conn<'_>,
    booking: BookingRecord,
    event: Option<EventType>,
) -> Result<Context, ServiceError> {
    let attendees = bookings::attendees_of(c, &[booking.id]).await?;
    let mut hosts: Vec<User> = (bookings::hosts_of(c, &[booking.id]).await?.into_iter())
        .map(|(_, user)| user)
        .collect();
    if hosts.is_empty() {
        hosts.push(users::find(c, booking.user_id).await?);
    }
    hosts.sort_by_key(|u| u.id != booking.user_id);
    Ok(Context {
        booking,
        event,
        attendees,
        hosts,
    })
}

impl Reminders {
    /// The step's emails, one per recipient (not to attendees who stopped the booking's
    /// reminders), queued on the email queue; returns the addresses.
    async fn emails(
        &self,
        c: &mut Conn<'_>,
        context: &Context,
        planned: &Planned,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, ServiceError> {
        let b = &context.booking;
        let organizer = &context.hosts[0];
        let event_name = context
            .event
            .as_ref()
            .map_or(b.title.as_str(), |e| e.record.title.as_str());
        let targets = targets(c, context, planned).await?;
        let mut sent = Vec::new();
        for (to, attendee) in targets {
            let to_attendee = planned.step.action == Action::EmailAttendee;
            let stop_url = || self.unsubscribe_url(b, to.email, to.clock.lang, now);
            let facts = Facts {
                booking: b,
                event_name,
                organizer_name: &organizer.name,
                attendee,
                links: self.links(b, now),
                unsubscribe_url: to_attendee.then(stop_url),
            };
            let message = compose::message(&planned.step, planned.trigger, &facts, &to);
            notify::queue_html(c, &message, "reminder", b.id).await?;
            sent.push(to.email.to_owned());
        }
        Ok(sent)
    }

    /// The SMS step: a text to each attendee with a phone number in international form who
    /// has not stopped the booking's reminders (nor texted STOP: `sms::queue` skips them);
    /// returns the numbers.
    async fn texts(
        &self,
        c: &mut Conn<'_>,
        context: &Context,
        planned: &Planned,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, ServiceError> {
        let b = &context.booking;
        let stopped = store::opted_out(c, b.id).await?;
        let event_name =
            (context.event.as_ref()).map_or(b.title.as_str(), |e| e.record.title.as_str());
        let mut sent = Vec::new();
        for a in context
            .attendees
            .iter()
            .filter(|a| !stopped.contains(&a.email))
        {
            let Some(phone) = (a.phone_number.as_deref()).and_then(|p| PhoneNumber::parse(p).ok())
            else {
                continue;
            };
            let facts = Facts {
                booking: b,
                event_name,
                organizer_name: &context.hosts[0].name,
                attendee: Some(a),
                links: self.links(b, now),
                unsubscribe_url: None,
            };
            let to = recipient(&a.name, &a.email, attendee_clock(a));
            let body = compose::text(&planned.step, planned.trigger, &facts, &to);
            if sms::queue(c, &Sms::new(&phone, &body), "reminder", Some(b.id), now).await? {
                sent.push(phone.to_string());
            }
        }
        Ok(sent)
    }

    /// Booking `b`'s signed manage links (cancel, reschedule, its page).
    fn links<'a>(&'a self, b: &'a BookingRecord, now: DateTime<Utc>) -> ManageLinks<'a> {
        ManageLinks {
            base: &self.outbox.booker_url,
            uid: &b.uid,
            end: b.end_at,
            signer: Some(&self.outbox.signer),
            now,
        }
    }

    /// The `sms_number` step: one text to the step's number (checked as E.164 when the
    /// workflow was saved; skipped if it texted STOP), reading times as the organiser does;
    /// returns the number.
    async fn text_number(
        &self,
        c: &mut Conn<'_>,
        context: &Context,
        planned: &Planned,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, ServiceError> {
        let b = &context.booking;
        let raw = planned.step.send_to.as_deref().unwrap_or_default();
        let Ok(phone) = PhoneNumber::parse(raw) else {
            return Ok(Vec::new());
        };
        let organizer = &context.hosts[0];
        let facts = Facts {
            booking: b,
            event_name: (context.event.as_ref())
                .map_or(b.title.as_str(), |e| e.record.title.as_str()),
            organizer_name: &organizer.name,
            attendee: context.attendees.first(),
            links: self.links(b, now),
            unsubscribe_url: None,
        };
        let to = recipient(&organizer.name, &organizer.email, host_clock(organizer));
        let body = compose::text(&planned.step, planned.trigger, &facts, &to);
        let queued = sms::queue(c, &Sms::new(&phone, &body), "reminder", Some(b.id), now).await?;
        Ok(if queued {
            vec![phone.to_string()]
        } else {
            Vec::new()
        })
    }

    /// `email`'s signed link that stops booking `b`'s reminders, valid as long as its manage
    /// links; its page speaks `lang`.
    fn unsubscribe_url(
        &self,
        b: &BookingRecord,
        email: &str,
        lang: Lang,
        now: DateTime<Utc>,
    ) -> String {
        let ttl = crate::links::lifetime(b.end_at, now);
        let token = (self.outbox.signer).issue(
            super::UNSUBSCRIBE,
            &b.uid,
            Some(email.to_owned()),
            ttl,
            now,
        );
        let base = self.outbox.booker_url.trim_end_matches('/');
        format!(
            "{base}/booking/{}/reminders-off?token={token}&lang={}",
            b.uid,
            lang.code()
        )
    }
}

/// Who an email step writes to, each with the attendee the message is about: the attendees
/// who did not stop the booking's reminders, the hosts who did not turn workflow emails off,
/// or the step's address (one of the owner's accounts, checked when the workflow was saved:
/// its own profile says how it reads times, else the organiser's).
async fn targets<'a>(
    c: &mut Conn<'_>,
    context: &'a Context,
    planned: &'a Planned,
) -> Result<Vec<(Recipient<'a>, Option<&'a AttendeeRecord>)>, ServiceError> {
    let booker = context.attendees.first();
    Ok(match planned.step.action {
        Action::EmailAttendee => {
            let stopped = store::opted_out(c, context.booking.id).await?;
            (context.attendees.iter())
                .filter(|a| !stopped.contains(&a.email))
                .map(|a| (recipient(&a.name, &a.email, attendee_clock(a)), Some(a)))
                .collect()
        }
        Action::EmailHost => {
            let ids: Vec<i64> = context.hosts.iter().map(|h| h.id).collect();
            let choices = Choices::load(c, &ids).await?;
            (context.hosts.iter())
                .filter(|h| choices.of(h.id).workflows)
                .map(|h| (recipient(&h.name, &h.email, host_clock(h)), booker))
                .collect()
        }
        Action::EmailAddress => {
            let address = planned.step.send_to.as_deref().unwrap_or_default();
            let reader = users::find_by_email(c, address).await?;
            let clock = host_clock(reader.as_ref().unwrap_or(&context.hosts[0]));
            vec![(recipient(address, address, clock), booker)]
        }
        Action::Webhook | Action::SmsAttendee | Action::SmsNumber => Vec::new(),
    })
}

fn recipient<'a>(name: &'a str, email: &'a str, clock: Clock) -> Recipient<'a> {
    Recipient { name, email, clock }
}

/// Starts running due steps on the current runtime, each claimed for `lease` (the email
/// queue's); it runs until the task is aborted.
pub fn spawn(
    db: Db,
    outbox: Outbox,
    tally: std::sync::Arc<crate::jobs::Tally>,
    lease: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    let runner = crate::jobs::RunnerConfig {
        lease,
        // A hand-over is one short transaction.
        timeout: lease / 3,
        poll: std::time::Duration::from_secs(1),
        concurrency: 8,
        tally,
        clock: outbox.clock.clone(),
    };
    let handler = Reminders {
        db: db.clone(),
        outbox,
        schedule: RetrySchedule::parse("5s,30s,2m,10m,30m").expect("a valid schedule"),
    };
    crate::jobs::spawn(db, crate::jobs::table::TableQueue(handler), runner)
}
