//! Writing bookings into the hosts' calendars: every booking change queues one job (in the
//! change's transaction) that brings each host's calendar in line with the booking as it is
//! when the job runs: an accepted booking has an event in the host's destination calendar, at
//! its time; any other has none. Reconciling instead of replaying makes retries, reordering
//! and duplicates harmless. A reschedule keeps the meeting: the new booking takes over the old
//! one's event (same iCalendar UID) and moves it. Nothing here can fail or slow a booking; each
//! outcome is in the booking's history. The link a calendar makes for a Google Meet or Teams
//! meeting becomes the booking's location, announced like any booking change. A booking with
//! several hosts has one meeting: the organizer's calendar is written first and makes it; the
//! other hosts' events carry its link as their location.

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::connections::Calendars;
use super::provider::{Account, EventDraft, Person, ProviderError, WrittenEvent};
use super::registry::Provider;
use crate::domain::BookingStatus;
use crate::event_types::awaits_conference;
use crate::jobs::table::Handler;
use crate::jobs::{Outcome, RetrySchedule};
use crate::service::ServiceError;
use crate::storage::Conn;
use crate::storage::bookings::{self as bookings, BookingRecord, HistoryEntry};
use crate::storage::calendars::{self as store, CalendarRecord, WrittenRecord};
use crate::storage::jobs::{self as jobs, JobRecord, NewJob};
use crate::storage::users::{self as users, User};
use crate::webhooks::Outbox;
use crate::webhooks::payload::Change;

/// The `jobs.queue` of write-back jobs.
pub const QUEUE: &str = "calendar-write";
const MAX_ATTEMPTS: u32 = 10;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    booking_id: i64,
}

/// Queues the write-back of `booking` (in the caller's transaction) when one of its hosts has
/// a calendar to write into.
pub async fn booking_changed(
    c: &mut Conn<'_>,
    booking: &BookingRecord,
) -> Result<(), ServiceError> {
    // One query inside the booking's transaction: most hosts have no calendar to write into.
    if !store::any_destination(c, booking.id).await? {
        return Ok(());
    }
    queue_sync(c, booking.id).await
}

/// A host left the booking (a reassignment): when their calendar holds its event, the
/// write-back job runs to take it out (`Writer::reconcile` deletes the events of hosts no
/// longer on the booking), whether or not the hosts now on it write anywhere.
pub async fn host_left(
    c: &mut Conn<'_>,
    booking: &BookingRecord,
    host: i64,
) -> Result<(), ServiceError> {
    if store::written_event(c, booking.id, host).await?.is_none()
        || store::any_destination(c, booking.id).await?
    {
        // Nothing to take out, or `booking_changed` already queued the job.
        return Ok(());
    }
    queue_sync(c, booking.id).await
}

/// Queues the job that brings the hosts' calendars in line with booking `booking_id`.
async fn queue_sync(c: &mut Conn<'_>, booking_id: i64) -> Result<(), ServiceError> {
    let payload = serde_json::to_string(&Payload { booking_id }).expect("serialisable");
    let job = NewJob {
        queue: QUEUE,
        kind: "sync-event",
        payload: &payload,
        run_at: Utc::now(),
        max_attempts: MAX_ATTEMPTS as i32,
    };
    jobs::enqueue(c, &job).await?;
    Ok(())
}

/// The write-back jobs' handler.
pub struct Writer {
    pub calendars: Calendars,
    pub schedule: RetrySchedule,
}

/// What the job found to do for one host.
enum Step {
    Create(CalendarRecord),
    Update(CalendarRecord, WrittenRecord),
    Delete(WrittenRecord),
    Nothing,
}

impl Handler for Writer {
    const QUEUE: &'static str = QUEUE;
    const MAX_ATTEMPTS: u32 = MAX_ATTEMPTS;

    fn schedule(&self) -> &RetrySchedule {
        &self.schedule
    }

    async fn run(&self, job: &JobRecord) -> Outcome {
        let Ok(payload) = serde_json::from_str::<Payload>(&job.payload) else {
            return Outcome::Fail {
                error: "unreadable payload".into(),
            };
        };
        match self.reconcile(payload.booking_id).await {
            Ok(()) => Outcome::Done,
            Err(Failure::Retry(error, retry_after)) => Outcome::Retry { error, retry_after },
            Err(Failure::Fail(error)) => Outcome::Fail { error },
        }
    }
}

enum Failure {
    Retry(String, Option<std::time::Duration>),
    Fail(String),
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        Self::Retry(e.to_string(), None)
    }
}

impl From<crate::storage::StorageError> for Failure {
    fn from(e: crate::storage::StorageError) -> Self {
        Self::Retry(e.to_string(), None)
    }
}

impl Writer {
    async fn reconcile(&self, booking_id: i64) -> Result<(), Failure> {
        let db = &self.calendars.db;
        let (mut booking, mut hosts, attendees) = db
            .run(async |c| {
                let booking = bookings::find(c, booking_id).await?;
                let hosts = bookings::hosts_of(c, &[booking_id]).await?;
                let attendees = bookings::attendees_of(c, &[booking_id]).await?;
                Ok::<_, ServiceError>((booking, hosts, attendees))
            })
            .await?;
        // One meeting per booking: the organizer's calendar is written first and makes it (or,
        // when it cannot, the next host's that can); its link becomes the booking's location,
        // which the other hosts' events then carry instead of asking for meetings of their own.
        hosts.sort_by_key(|(_, u)| u.id != booking.user_id);
        let mut failures = Vec::new();
        for (_, host) in &hosts {
            let draft = draft_of(&booking, &hosts, &attendees);
            match self.for_host(&booking, host, &draft).await {
                Err(f) => failures.push(f),
                Ok(()) if draft.conference => {
                    booking = db
                        .run(async |c| bookings::find(c, booking_id).await)
                        .await?;
                }
                Ok(()) => {}
            }
        }
        failures.extend(self.former_hosts(&booking, &hosts).await?);
        // Hosts written successfully are not written again: a retry reconciles, finding their
        // events in place.
        match failures.into_iter().next() {
            None => Ok(()),
            Some(f) => Err(f),
        }
    }

    /// Takes the booking's event out of the calendars of hosts no longer on it (a
    /// reassignment); what failed, to retry.
    async fn former_hosts(
        &self,
        booking: &BookingRecord,
        hosts: &[(i64, User)],
    ) -> Result<Vec<Failure>, Failure> {
        let db = &self.calendars.db;
        let booking_id = booking.id;
        let written = db
            .run(async |c| store::written_events(c, booking_id).await)
            .await?;
        let mut failures = Vec::new();
        for w in written {
            if hosts.iter().any(|(_, h)| h.id == w.user_id) {
                continue;
            }
            let host = db.run(async |c| users::find(c, w.user_id).await).await?;
            let outcome = self.delete(booking, &host, &w).await;
            let entry = match &outcome {
                Ok(()) => history("calendar_event_deleted", &host, None),
                Err(Failure::Retry(e, _) | Failure::Fail(e)) => {
                    history("calendar_write_failed", &host, Some(e))
                }
            };
            db.transaction(async |c| bookings::append_note(c, booking_id, &entry).await)
                .await?;
            if let Err(f) = outcome {
                failures.push(f);
            }
        }
        Ok(failures)
    }

    async fn step(&self, booking: &BookingRecord, host: &User) -> Result<Step, Failure> {
        let db = &self.calendars.db;
        let (booking_id, host_id, event_type) = (booking.id, host.id, booking.event_type_id);
        let moved_from = booking.from_reschedule.clone();
        let accepted = booking.status == BookingStatus::Accepted;
        let moved_away = booking.rescheduled;
        Ok(db
            .transaction(async |c| {
                let mut written = store::written_event(c, booking_id, host_id).await?;
                if written.is_none()
                    && accepted
                    && let Some(old_uid) = &moved_from
                {
                    // Take over the event of the booking this one replaces.
                    if let Some(old) = bookings::find_by_uid(c, old_uid).await? {
                        written =
                            store::adopt_written_event(c, old.id, booking_id, host_id).await?;
                    }
                }
                let destination = store::destination(c, host_id, event_type).await?;
                Ok::<_, ServiceError>(match (accepted, written, destination) {
                    (true, Some(w), Some(d)) => Step::Update(d, w),
                    (true, None, Some(d)) => Step::Create(d),
                    // A booking that was moved hands its event to the new one.
                    (false, Some(_), _) if moved_away => Step::Nothing,
                    (false, Some(w), _) | (true, Some(w), None) => Step::Delete(w),
                    _ => Step::Nothing,
                })
            })
            .await?)
    }

    async fn for_host(
        &self,
        booking: &BookingRecord,
        host: &User,
        draft: &EventDraft,
    ) -> Result<(), Failure> {
        let step = self.step(booking, host).await?;
        let mut draft = draft.clone();
        draft.time_zone = host.time_zone.clone();
        let (action, outcome) = match step {
            Step::Nothing => return Ok(()),
            Step::Create(cal) => (
                "calendar_event_created",
                self.create(booking, host, &cal, &draft).await,
            ),
            Step::Update(cal, w) if w.calendar_id == Some(cal.id) => (
                "calendar_event_updated",
                self.update(booking, host, &cal, &w, &draft).await,
            ),
            // The destination changed: the event moves to the new calendar.
            Step::Update(cal, w) => {
                self.delete(booking, host, &w).await.ok();
                (
                    "calendar_event_created",
                    self.create(booking, host, &cal, &draft).await,
                )
            }
            Step::Delete(w) => (
                "calendar_event_deleted",
                self.delete(booking, host, &w).await,
            ),
        };
        let entry = match &outcome {
            Ok(()) => history(action, host, None),
            Err(Failure::Retry(e, _) | Failure::Fail(e)) => {
                history("calendar_write_failed", host, Some(e))
            }
        };
        let booking_id = booking.id;
        self.calendars
            .db
            .transaction(async |c| {
                bookings::append_note(c, booking_id, &entry).await?;
                Ok::<_, ServiceError>(())
            })
            .await?;
        outcome
    }

    /// What every write shares: the calendar's connection and its account in the host's zone,
    /// the provider call `write` makes with them, and the credentials that call renewed, kept.
    /// The provider's answer is the caller's to read.
    async fn write<T>(
        &self,
        calendar_id: i64,
        host: &User,
        write: impl AsyncFnOnce(Provider, &mut Account, &str) -> Result<T, ProviderError>,
    ) -> Result<Result<T, ProviderError>, Failure> {
        let (calendar, connection) = self
            .calendars
            .db
            .run(async |c| {
                let calendar = store::calendar(c, calendar_id).await?;
                let connection = store::connection(c, calendar.connection_id).await?;
                Ok::<_, ServiceError>((calendar, connection))
            })
            .await?;
        let provider = Provider::parse(&connection.provider)
            .ok_or_else(|| Failure::Fail(format!("unknown provider {}", connection.provider)))?;
        let mut account = self.calendars.account(&connection, &host.time_zone)?;
        let before = account.credentials.clone();
        let answer = write(provider, &mut account, &calendar.external_id).await;
        if account.credentials != before {
            let sealed = self
                .calendars
                .seal(account.url.as_deref(), &account.credentials);
            self.calendars
                .db
                .transaction(async |c| {
                    store::set_secrets(c, connection.id, &sealed).await?;
                    Ok::<_, ServiceError>(())
                })
                .await?;
        }
        Ok(answer)
    }

    async fn create(
        &self,
        booking: &BookingRecord,
        host: &User,
        cal: &CalendarRecord,
        draft: &EventDraft,
    ) -> Result<(), Failure> {
        let providers = &self.calendars.providers;
        let event = self
            .write(cal.id, host, async |provider, account, external| {
                providers
                    .create_event(provider, account, external, draft)
                    .await
            })
            .await?
            .map_err(failure)?;
        self.record(booking, host, cal, &event).await
    }

    async fn update(
        &self,
        booking: &BookingRecord,
        host: &User,
        cal: &CalendarRecord,
        written: &WrittenRecord,
        draft: &EventDraft,
    ) -> Result<(), Failure> {
        let providers = &self.calendars.providers;
        let old = written_event(written);
        let answer = self
            .write(cal.id, host, async |provider, account, external| {
                providers
                    .update_event(provider, account, external, &old, draft)
                    .await
            })
            .await?;
        let mut event = match answer {
            // Deleted by the host in their calendar: write it again.
            Err(ProviderError::NotFound(_)) => return self.create(booking, host, cal, draft).await,
            other => other.map_err(failure)?,
        };
        event.meeting_url = event.meeting_url.or(old.meeting_url);
        self.record(booking, host, cal, &event).await
    }

    async fn delete(
        &self,
        booking: &BookingRecord,
        host: &User,
        written: &WrittenRecord,
    ) -> Result<(), Failure> {
        if let Some(cal_id) = written.calendar_id {
            let providers = &self.calendars.providers;
            let event = written_event(written);
            let answer = self
                .write(cal_id, host, async |provider, account, external| {
                    providers
                        .delete_event(provider, account, external, &event)
                        .await
                })
                .await?;
            match answer {
                Ok(()) | Err(ProviderError::NotFound(_)) => {}
                Err(e) => return Err(failure(e)),
            }
        }
        let (booking_id, host_id) = (booking.id, host.id);
        self.calendars
            .db
            .transaction(async |c| {
                store::forget_written_event(c, booking_id, host_id).await?;
                Ok::<_, ServiceError>(())
            })
            .await?;
        Ok(())
    }

    /// Stores the event written into `host`'s calendar `cal`; a meeting link it brings that
    /// the booking waits for becomes the booking's location in the same transaction.
    async fn record(
        &self,
        booking: &BookingRecord,
        host: &User,
        cal: &CalendarRecord,
        event: &WrittenEvent,
    ) -> Result<(), Failure> {
        let (booking_id, host_id, cal_id) = (booking.id, host.id, cal.id);
        let outbox = self.calendars.outbox();
        self.calendars
            .db
            .transaction(async |c| {
                let record = (
                    event.external_id.as_str(),
                    event.etag.as_deref(),
                    event.meeting_url.as_deref(),
                );
                store::save_written_event(c, booking_id, host_id, cal_id, record, Utc::now())
                    .await?;
                if let Some(url) = &event.meeting_url {
                    meeting_made(c, &outbox, booking_id, url).await?;
                }
                Ok::<_, ServiceError>(())
            })
            .await?;
        Ok(())
    }
}

/// A Google Meet or Teams booking whose meeting a host's calendar has just made: its link
/// becomes the booking's location, with the next iCalendar sequence, and the attendees, the
/// hosts and the subscribers are told (`BOOKING_LOCATION_UPDATED`, an updated invitation).
/// Only a booking still waiting for its link takes one: one meeting, one link, even when
/// several hosts' calendars make one, and a link a host's calendar adds unasked (Google's
/// "add Meet to every event") never replaces an address.
async fn meeting_made(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    booking_id: i64,
    url: &str,
) -> Result<(), ServiceError> {
    let booking = bookings::find(c, booking_id).await?;
    let Some(waiting) = booking.location.as_deref().filter(|l| awaits_conference(l)) else {
        return Ok(());
    };
    let Some(moved) = bookings::replace_location(c, booking_id, waiting, url).await? else {
        return Ok(());
    };
    let entry = HistoryEntry {
        action: "location_updated".into(),
        actor_kind: "system".into(),
        actor_id: None,
        from_status: None,
        to_status: None,
        changes: serde_json::json!({"location": {"from": waiting, "to": url}}).to_string(),
        reason: Some("the host's calendar made the meeting".into()),
    };
    bookings::append_note(c, booking_id, &entry).await?;
    let change = Change::LocationUpdated {
        previous: waiting,
        by_calendar: true,
    };
    crate::booking::announce(c, outbox, &moved, change, None).await
}

/// The provider's view of an event written before.
fn written_event(written: &WrittenRecord) -> WrittenEvent {
    WrittenEvent {
        external_id: written.external_id.clone(),
        etag: written.etag.clone(),
        meeting_url: written.meeting_url.clone(),
    }
}

fn failure(e: ProviderError) -> Failure {
    match e {
        ProviderError::Unauthorized(m) => {
            Failure::Fail(format!("the provider refused the credentials: {m}"))
        }
        ProviderError::RateLimited { retry_after } => {
            Failure::Retry("rate limited by the provider".into(), retry_after)
        }
        ProviderError::Invalid(m) => Failure::Fail(m),
        other => Failure::Retry(other.to_string(), None),
    }
}

fn history(action: &str, host: &User, error: Option<&str>) -> HistoryEntry {
    HistoryEntry {
        action: action.to_owned(),
        actor_kind: "system".into(),
        actor_id: None,
        from_status: None,
        to_status: None,
        changes: serde_json::json!({"hostId": host.id}).to_string(),
        reason: error.map(str::to_owned),
    }
}

/// The event for a booking: its title, description, place, time and people.
fn draft_of(
    booking: &BookingRecord,
    hosts: &[(i64, User)],
    attendees: &[bookings::AttendeeRecord],
) -> EventDraft {
    let organizer = hosts
        .iter()
        .map(|(_, u)| u)
        .find(|u| u.id == booking.user_id)
        .or(hosts.first().map(|(_, u)| u));
    let person = |u: &User| Person {
        name: u.name.clone(),
        email: u.email.clone(),
    };
    let location = booking.location.clone();
    let conference = location.as_deref().is_some_and(awaits_conference);
    EventDraft {
        ical_uid: booking.ical_uid.clone(),
        title: booking.title.clone(),
        description: booking.description.clone(),
        location: location.filter(|l| !l.starts_with("integrations:")),
        start: booking.start_at,
        end: booking.end_at,
        time_zone: organizer.map_or_else(|| "UTC".into(), |u| u.time_zone.clone()),
        organizer: organizer.map_or_else(
            || Person {
                name: String::new(),
                email: String::new(),
            },
            person,
        ),
        attendees: attendees
            .iter()
            .map(|a| Person {
                name: a.name.clone(),
                email: a.email.clone(),
            })
            .chain(
                hosts
                    .iter()
                    .map(|(_, u)| u)
                    .filter(|u| Some(u.id) != organizer.map(|o| o.id))
                    .map(person),
            )
            .collect(),
        conference,
        cancelled: booking.status != BookingStatus::Accepted,
    }
}
