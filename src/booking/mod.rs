//! Booking use cases: slots over stored data, reservations, and the booking lifecycle (book,
//! reschedule, cancel, confirm, decline, mark absent), each write one transaction.
//!
//! No double booking: a booking is accepted only if its start is a slot the engine returns
//! inside the transaction that writes it, after the hosts are locked (PostgreSQL row locks;
//! SQLite's `BEGIN IMMEDIATE`); and the per-host claims it writes are checked by the database
//! itself (an exclusion constraint, or triggers), so even a bug above cannot double-book.

mod absent;
mod access;
mod amend;
mod attended;
mod calendar_links;
mod cancel;
mod confirm;
pub mod context;
mod create;
mod queries;
mod reassign;
mod recheck;
mod requests;
mod reschedule;
pub mod reservations;
mod seats;
mod series;

use chrono::{DateTime, Datelike, Duration, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use crate::availability::assignment::{self, AssignmentInput, PastBooking, RoundRobinHost};
use crate::availability::interval::Interval;
use crate::availability::local_time::{local_date, start_of_day};
use crate::availability::{self, Query, Slot};
use crate::calendars::Calendars;
use crate::domain::BookingStatus;
use crate::event_types::{self, EventType};
use crate::notify;
use crate::private_links;
use crate::service::ServiceError;
use crate::storage::bookings::{
    self as store, AttendeeRecord, BookingRecord, Claim, HistoryEntry, HistoryRecord, NewAttendee,
    NewBooking, StatusChange,
};
use crate::storage::calendars::ConflictRecord;
use crate::storage::event_types::SchedulingType;
use crate::storage::users::User;
use crate::storage::{Conn, Db, StorageError, teams, to_db_time, users};
use crate::webhooks::{self, Outbox, payload::Change};

pub use absent::*;
pub use access::*;
pub use amend::*;
pub use attended::*;
pub use calendar_links::*;
pub use cancel::*;
pub use confirm::*;
pub use context::{SlotRequest, build_query};
pub use create::*;
pub use queries::*;
pub use reassign::*;
use recheck::{Holders, Rechecked, recheck};
pub use requests::*;
pub use reschedule::*;
use seats::{for_seat, only_seat, seat_of, seen_by};
pub use series::{SeriesCancel, cancel_series, get_series, occurrence_starts};

/// Who did something to a booking, for the history.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A user through one of their API keys.
    ApiKey {
        key_id: i64,
        user_id: i64,
    },
    /// A user signed in to the console.
    User {
        user_id: i64,
    },
    /// The person holding the booking link (the booker), by email when known.
    Booker(Option<String>),
    /// A booker signed in to their portal with this email (lower-case): acts only on the
    /// bookings they attend, and on their own seat.
    Attendee(String),
    System,
}

impl Actor {
    fn kind(&self) -> &'static str {
        match self {
            Actor::ApiKey { .. } => "api_key",
            Actor::User { .. } => "user",
            Actor::Booker(_) | Actor::Attendee(_) => "booker",
            Actor::System => "system",
        }
    }

    fn id(&self) -> Option<String> {
        match self {
            Actor::ApiKey { key_id, user_id } => Some(format!("user:{user_id}/key:{key_id}")),
            Actor::User { user_id } => Some(format!("user:{user_id}")),
            Actor::Booker(email) => email.clone(),
            Actor::Attendee(email) => Some(email.clone()),
            Actor::System => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        match self {
            Actor::ApiKey { user_id, .. } | Actor::User { user_id } => Some(*user_id),
            _ => None,
        }
    }
}

/// A booking with what its API view needs.
#[derive(Debug, Clone)]
pub struct BookingView {
    pub record: BookingRecord,
    pub attendees: Vec<AttendeeRecord>,
    pub hosts: Vec<User>,
    pub event_slug: Option<String>,
    pub rescheduled_to: Option<String>,
    /// The seat this request booked (or this view shows), for seated event types.
    pub seat_uid: Option<String>,
    /// Seats were taken in it: see `seats` for what each holder may see.
    pub seated: bool,
    /// External events found overlapping it on the viewing host's own calendars; `None` in
    /// every view but a host's.
    pub conflicts: Option<Vec<ConflictRecord>>,
}

impl BookingView {
    /// The person this view is for: the seat's holder in a seat's view, the booker of a
    /// booking without seats, nobody for a seated booking seen without a seat.
    pub fn booker(&self) -> Option<&AttendeeRecord> {
        match &self.seat_uid {
            Some(seat) => (self.attendees.iter()).find(|a| a.seat_uid.as_ref() == Some(seat)),
            None if self.seated => None,
            None => self.attendees.first(),
        }
    }
}

/// The outcome of `POST /v2/bookings`.
pub struct Booked {
    /// The booking, or a recurring series' first occurrence.
    pub view: BookingView,
    /// Every occurrence of a recurring series, by start; empty for a single booking.
    pub series: Vec<BookingView>,
    /// An `Idempotency-Key` retry: nothing new was created.
    pub replayed: bool,
}

fn not_found(uid: &str) -> ServiceError {
    ServiceError::NotFound(format!("Booking with uid={uid} not found"))
}

fn taken() -> ServiceError {
    ServiceError::Conflict("The requested time is no longer available; choose another slot".into())
}

/// A 22-character base58 identifier, as Cal.com's booking uids look.
pub fn new_uid() -> String {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut n = uuid::Uuid::new_v4().as_u128();
    let mut out = Vec::with_capacity(22);
    while out.len() < 22 {
        out.push(ALPHABET[(n % 58) as usize]);
        n /= 58;
    }
    String::from_utf8(out).unwrap_or_default()
}

fn instant(at: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(at, 0).unwrap_or_default()
}

// ---- Booking ----

fn claims_for(
    event: &EventType,
    hosts: &[i64],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    active: bool,
) -> Vec<Claim> {
    let before = Duration::minutes(i64::from(event.record.before_buffer));
    let after = Duration::minutes(i64::from(event.record.after_buffer));
    hosts
        .iter()
        .map(|&user_id| Claim {
            user_id,
            blocked_start: start - before,
            blocked_end: end + after,
            active,
        })
        .collect()
}

/// A new booking (or a moved one) waits for the host's confirmation when the event type asks
/// for it at this notice, unless a host makes it.
fn initial_status(
    event: &EventType,
    start_at: DateTime<Utc>,
    now: DateTime<Utc>,
    by_host: bool,
) -> BookingStatus {
    if event.needs_confirmation((start_at - now).num_minutes()) && !by_host {
        BookingStatus::Pending
    } else {
        BookingStatus::Accepted
    }
}

/// A booking to write: the row, its people, the hosts whose time it claims, and its
/// "created" history entry.
struct NewWrite<'a> {
    booking: NewBooking,
    people: Vec<NewAttendee>,
    hosts: &'a [i64],
    status: BookingStatus,
    actor: &'a Actor,
    changes: Value,
    reason: Option<&'a str>,
}

/// Inserts a booking with its attendees, one claim per host and its history entry; returns
/// what was written.
async fn write_booking(
    c: &mut Conn<'_>,
    event: &EventType,
    new: &NewWrite<'_>,
) -> Result<(BookingRecord, Vec<AttendeeRecord>), ServiceError> {
    let record = store::insert(c, &new.booking).await?;
    let attendees = store::insert_attendees(c, record.id, &new.people).await?;
    let active = claim_active(event, new.status);
    let claims = claims_for(event, new.hosts, record.start_at, record.end_at, active);
    store::insert_claims(c, record.id, &claims).await?;
    let created = entry(
        "created",
        new.actor,
        None,
        Some(new.status),
        new.changes.clone(),
        new.reason,
    );
    store::append_history(c, record.id, &created).await?;
    Ok((record, attendees))
}

fn claim_active(event: &EventType, status: BookingStatus) -> bool {
    status == BookingStatus::Accepted
        || (status == BookingStatus::Pending && event.record.unconfirmed_blocks_slot)
}

fn entry(
    action: &str,
    actor: &Actor,
    from: Option<BookingStatus>,
    to: Option<BookingStatus>,
    changes: Value,
    reason: Option<&str>,
) -> HistoryEntry {
    HistoryEntry {
        action: action.to_owned(),
        actor_kind: actor.kind().to_owned(),
        actor_id: actor.id(),
        from_status: from,
        to_status: to,
        changes: changes.to_string(),
        reason: reason.map(str::to_owned),
    }
}

/// Queues what a booking change tells the outside world, in the caller's transaction: the
/// emails to its attendees and hosts, its workflows' steps (reminders), the hosts' calendar
/// write-back, and the webhook deliveries.
/// Calendar write-back calls it too, when a host's calendar made the meeting's link.
pub async fn announce(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    booking: &BookingRecord,
    change: Change<'_>,
    seat: Option<&str>,
) -> Result<(), ServiceError> {
    announce_to(c, outbox, booking, change, seat, None).await
}

async fn announce_to(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    booking: &BookingRecord,
    change: Change<'_>,
    seat: Option<&str>,
    known: Option<notify::Known<'_>>,
) -> Result<(), ServiceError> {
    notify::booking_changed(c, outbox, booking, &change, seat, known).await?;
    crate::workflows::booking_changed(c, outbox, booking, &change, seat).await?;
    // A link a calendar made is in that calendar already: writing it back would repeat it.
    if !matches!(
        change,
        Change::LocationUpdated {
            by_calendar: true,
            ..
        }
    ) {
        crate::calendars::writeback::booking_changed(c, booking).await?;
    }
    webhooks::booking_changed(c, outbox, booking, change, seat).await
}

/// [`announce`] for a booking just made (or a seat just taken).
async fn announce_booked(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    view: &BookingView,
) -> Result<(), ServiceError> {
    let change = if view.record.status == BookingStatus::Pending {
        Change::Requested
    } else {
        Change::Created
    };
    // The people were just written or read: the emails need not read them again.
    let known = notify::Known {
        attendees: &view.attendees,
        hosts: &view.hosts,
    };
    let seat = view.seat_uid.as_deref();
    announce_to(c, outbox, &view.record, change, seat, Some(known)).await
}
