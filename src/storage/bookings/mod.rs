//! Bookings and their attendees: the records, their writes and the reads by uid, id or host.
//! Claims and the busy reads, history, reservations, idempotency keys and the filtered list
//! live in submodules and are re-exported here, so callers name everything
//! `storage::bookings::…`.

mod claims;
mod history;
mod idempotency;
mod list;
mod reservations;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

pub use claims::{
    BusyBooking, Claim, Counted, MAX_CLAIM_SPAN, assignment_history, busy_bookings, external_busy,
    insert_claims, lock_hosts, move_claim, recent_assignments, set_claims_active,
    stale_calendar_hosts,
};
pub use history::{
    HistoryEntry, HistoryRecord, append_history, append_note, append_reassignment, history,
};
pub use idempotency::{find_idempotency_key, insert_idempotency_key};
pub use list::{Keyset, ListFilter, SortKey, list, rows};
pub use reservations::{
    ReservationRecord, delete_reservation, find_reservation, insert_reservation,
    open_reservations_of, reservations, update_reservation,
};

use super::schema::{attendees, booking_claims, bookings, users};
use super::{Conn, StorageResult, StoredInstant, StoredStatus, to_db_time, with_conn};
use crate::domain::BookingStatus;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = bookings)]
pub struct BookingRecord {
    pub id: i64,
    pub uid: String,
    pub event_type_id: Option<i64>,
    pub user_id: i64,
    #[diesel(deserialize_as = StoredStatus)]
    pub status: BookingStatus,
    #[diesel(deserialize_as = StoredInstant)]
    pub start_at: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub end_at: DateTime<Utc>,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    pub responses: String,
    pub metadata: String,
    pub ical_uid: String,
    pub ical_sequence: i32,
    pub rescheduled: bool,
    pub from_reschedule: Option<String>,
    pub rescheduled_by: Option<String>,
    pub reschedule_reason: Option<String>,
    pub cancellation_reason: Option<String>,
    pub cancelled_by: Option<String>,
    pub rejection_reason: Option<String>,
    pub no_show_host: bool,
    pub assignment_reason: Option<String>,
    pub recurring_event_id: Option<String>,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = bookings)]
pub struct NewBooking {
    pub uid: String,
    pub event_type_id: Option<i64>,
    pub user_id: i64,
    /// `BookingStatus::as_str`: the stored form.
    pub status: &'static str,
    pub start_at: NaiveDateTime,
    pub end_at: NaiveDateTime,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    pub responses: String,
    pub metadata: String,
    pub ical_uid: String,
    pub ical_sequence: i32,
    pub from_reschedule: Option<String>,
    pub rescheduled_by: Option<String>,
    pub reschedule_reason: Option<String>,
    pub assignment_reason: Option<String>,
    pub created_at: NaiveDateTime,
    /// The series a recurring event type's occurrence belongs to (Cal.com's `recurringEventId`).
    pub recurring_event_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attendees)]
pub struct AttendeeRecord {
    pub id: i64,
    pub booking_id: i64,
    pub email: String,
    pub name: String,
    pub time_zone: String,
    pub locale: Option<String>,
    pub phone_number: Option<String>,
    pub no_show: bool,
    pub seat_uid: Option<String>,
    /// A seat holder's own answers (JSON); `None` for guests, plain bookings and older seats.
    pub responses: Option<String>,
}

impl AttendeeRecord {
    /// A seat holder's own answers to the booking questions: what they gave, or (for a seat
    /// stored without them) their name and email.
    pub fn own_responses(&self) -> serde_json::Map<String, serde_json::Value> {
        let stored = self
            .responses
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok());
        stored.unwrap_or_else(|| {
            let mut own = serde_json::Map::new();
            own.insert("name".into(), self.name.clone().into());
            own.insert("email".into(), self.email.clone().into());
            own
        })
    }

    /// The notes among [`Self::own_responses`], empty when there are none.
    pub fn own_notes(&self) -> String {
        let own = self.own_responses();
        own.get("notes")
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_owned()
    }
}

#[derive(Debug, Clone)]
pub struct NewAttendee {
    pub email: String,
    pub name: String,
    pub time_zone: String,
    pub locale: Option<String>,
    pub phone_number: Option<String>,
    pub seat_uid: Option<String>,
    pub responses: Option<String>,
}

/// Locks one booking row (joining a seat on PostgreSQL); `FOR NO KEY UPDATE`, so rows that
/// reference the booking (history, attendees, conflicts) can still be written by others.
pub async fn lock_booking(conn: &mut Conn<'_>, id: i64) -> StorageResult<()> {
    if let Conn::Pg(c) = conn {
        let _: i64 = bookings::table
            .find(id)
            .select(bookings::id)
            .for_no_key_update()
            .first(&mut **c)
            .await?;
    }
    Ok(())
}

/// Inserts a booking and returns it as stored.
pub async fn insert(conn: &mut Conn<'_>, new: &NewBooking) -> StorageResult<BookingRecord> {
    let record = with_conn!(conn, |c| {
        diesel::insert_into(bookings::table)
            .values(new)
            .returning(BookingRecord::as_returning())
            .get_result(c)
            .await
    })?;
    crate::storage::insights::count_made(conn, record.event_type_id, record.created_at).await?;
    Ok(record)
}

/// Inserts attendees of a booking and returns them as stored, in order.
pub async fn insert_attendees(
    conn: &mut Conn<'_>,
    booking_id: i64,
    list: &[NewAttendee],
) -> StorageResult<Vec<AttendeeRecord>> {
    let now = to_db_time(Utc::now());
    let mut stored = Vec::with_capacity(list.len());
    for a in list {
        let row = (
            attendees::booking_id.eq(booking_id),
            attendees::email.eq(&a.email),
            attendees::name.eq(&a.name),
            attendees::time_zone.eq(&a.time_zone),
            attendees::locale.eq(&a.locale),
            attendees::phone_number.eq(&a.phone_number),
            attendees::seat_uid.eq(&a.seat_uid),
            attendees::responses.eq(&a.responses),
            attendees::created_at.eq(now),
        );
        let record = with_conn!(conn, |c| {
            diesel::insert_into(attendees::table)
                .values(row)
                .returning(AttendeeRecord::as_returning())
                .get_result(c)
                .await
        })?;
        stored.push(record);
    }
    Ok(stored)
}

pub async fn find_by_uid(conn: &mut Conn<'_>, uid: &str) -> StorageResult<Option<BookingRecord>> {
    let found = with_conn!(conn, |c| {
        bookings::table
            .filter(bookings::uid.eq(uid))
            .select(BookingRecord::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

/// The occurrences of a recurring series, by start.
pub async fn series(conn: &mut Conn<'_>, recurring_id: &str) -> StorageResult<Vec<BookingRecord>> {
    let found = with_conn!(conn, |c| {
        bookings::table
            .filter(bookings::recurring_event_id.eq(recurring_id))
            .order((bookings::start_at.asc(), bookings::id.asc()))
            .select(BookingRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(found)
}

pub async fn find(conn: &mut Conn<'_>, id: i64) -> StorageResult<BookingRecord> {
    let found = with_conn!(conn, |c| {
        bookings::table
            .find(id)
            .select(BookingRecord::as_select())
            .first(c)
            .await
    })?;
    Ok(found)
}

/// (old uid, new uid) for the bookings that replaced `uids` by rescheduling, oldest first.
pub async fn rescheduled_to(
    conn: &mut Conn<'_>,
    uids: &[String],
) -> StorageResult<Vec<(String, String)>> {
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<(Option<String>, String)> = with_conn!(conn, |c| {
        bookings::table
            .filter(bookings::from_reschedule.eq_any(uids))
            .select((bookings::from_reschedule, bookings::uid))
            .order(bookings::id)
            .load(c)
            .await
    })?;
    Ok(found
        .into_iter()
        .filter_map(|(from, to)| from.map(|f| (f, to)))
        .collect())
}

/// Which of a booker's bookings: those still to end, or those over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Ending after the instant, soonest first.
    Upcoming(DateTime<Utc>),
    /// Ended by the instant, latest first.
    Past(DateTime<Utc>),
}

/// Up to `limit` bookings with an attendee whose email is `email` (stored lower-case, as
/// `domain::Email` writes it), of `period`, without those moved away by a reschedule (their
/// successor stands for them).
pub async fn of_attendee(
    conn: &mut Conn<'_>,
    email: &str,
    period: Period,
    limit: i64,
) -> StorageResult<Vec<BookingRecord>> {
    let email = email.to_lowercase();
    let found = with_conn!(conn, |c| {
        let attended = attendees::table
            .filter(attendees::email.eq(email.clone()))
            .select(attendees::booking_id);
        let q = bookings::table
            .filter(bookings::id.eq_any(attended))
            .filter(bookings::rescheduled.eq(false))
            .select(BookingRecord::as_select())
            .limit(limit)
            .into_boxed();
        let q = match period {
            Period::Upcoming(now) => q
                .filter(bookings::end_at.gt(to_db_time(now)))
                .order((bookings::start_at.asc(), bookings::id.asc())),
            Period::Past(now) => q
                .filter(bookings::end_at.le(to_db_time(now)))
                .order((bookings::start_at.desc(), bookings::id.desc())),
        };
        q.load(c).await
    })?;
    Ok(found)
}

pub async fn attendees_of(
    conn: &mut Conn<'_>,
    booking_ids: &[i64],
) -> StorageResult<Vec<AttendeeRecord>> {
    let rows = with_conn!(conn, |c| {
        attendees::table
            .filter(attendees::booking_id.eq_any(booking_ids))
            .order(attendees::id)
            .select(AttendeeRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// (booking id, host user id) of every claim of these bookings, hosts in claim order.
pub async fn hosts_of(
    conn: &mut Conn<'_>,
    booking_ids: &[i64],
) -> StorageResult<Vec<(i64, super::users::User)>> {
    let rows = with_conn!(conn, |c| {
        booking_claims::table
            .inner_join(users::table)
            .filter(booking_claims::booking_id.eq_any(booking_ids))
            .order((booking_claims::booking_id, users::id))
            .select((booking_claims::booking_id, super::users::User::as_select()))
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub struct StatusChange<'a> {
    pub status: BookingStatus,
    pub cancellation_reason: Option<&'a str>,
    pub cancelled_by: Option<&'a str>,
    pub rejection_reason: Option<&'a str>,
    pub rescheduled: bool,
}

pub async fn set_status(
    conn: &mut Conn<'_>,
    id: i64,
    change: &StatusChange<'_>,
) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::update(bookings::table.find(id))
            .set((
                bookings::status.eq(change.status.as_str()),
                bookings::cancellation_reason.eq(change.cancellation_reason),
                bookings::cancelled_by.eq(change.cancelled_by),
                bookings::rejection_reason.eq(change.rejection_reason),
                bookings::rescheduled.eq(change.rescheduled),
                bookings::updated_at.eq(Some(now)),
            ))
            .execute(c)
            .await
    })?;
    // A calendar invite that is withdrawn (not moved: the move reuses the UID) is a new
    // revision of the event, so its SEQUENCE grows, as RFC 5545 asks of a CANCEL.
    let withdrawn = change.status == BookingStatus::Rejected
        || (change.status == BookingStatus::Cancelled && !change.rescheduled);
    if withdrawn {
        with_conn!(conn, |c| {
            diesel::update(bookings::table.find(id))
                .set(bookings::ical_sequence.eq(bookings::ical_sequence + 1))
                .execute(c)
                .await
        })?;
    }
    Ok(())
}

pub async fn set_no_show(
    conn: &mut Conn<'_>,
    id: i64,
    host: Option<bool>,
    attendees_absent: &[(String, bool)],
) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    if let Some(host) = host {
        with_conn!(conn, |c| {
            diesel::update(bookings::table.find(id))
                .set(bookings::no_show_host.eq(host))
                .execute(c)
                .await
        })?;
    }
    for (email, absent) in attendees_absent {
        with_conn!(conn, |c| {
            diesel::update(
                attendees::table
                    .filter(attendees::booking_id.eq(id))
                    .filter(attendees::email.eq(email)),
            )
            .set(attendees::no_show.eq(absent))
            .execute(c)
            .await
        })?;
    }
    with_conn!(conn, |c| {
        diesel::update(bookings::table.find(id))
            .set(bookings::updated_at.eq(Some(now)))
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn remove_attendee(conn: &mut Conn<'_>, id: i64) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(attendees::table.find(id)).execute(c).await
    })?;
    Ok(())
}

/// A new organiser for the booking (a reassignment), with its title and why they were picked
/// (kept when `None`), and the next iCalendar sequence.
pub async fn set_organizer(
    conn: &mut Conn<'_>,
    id: i64,
    user_id: i64,
    title: &str,
    assignment_reason: Option<&str>,
) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        let row = bookings::table.find(id);
        let changes = (
            bookings::user_id.eq(user_id),
            bookings::title.eq(title),
            bookings::ical_sequence.eq(bookings::ical_sequence + 1),
            bookings::updated_at.eq(Some(now)),
        );
        match assignment_reason {
            Some(reason) => {
                diesel::update(row)
                    .set((changes, bookings::assignment_reason.eq(reason)))
                    .execute(c)
                    .await
            }
            None => diesel::update(row).set(changes).execute(c).await,
        }
    })?;
    Ok(())
}

/// Sets the booking's location, with the next iCalendar sequence (the entry changed).
pub async fn set_location(conn: &mut Conn<'_>, id: i64, to: &str) -> StorageResult<BookingRecord> {
    let now = to_db_time(Utc::now());
    Ok(with_conn!(conn, |c| {
        diesel::update(bookings::table.find(id))
            .set((
                bookings::location.eq(to),
                bookings::ical_sequence.eq(bookings::ical_sequence + 1),
                bookings::updated_at.eq(Some(now)),
            ))
            .returning(BookingRecord::as_returning())
            .get_result(c)
            .await
    })?)
}

/// Moves an accepted booking from location `from` to `to` (the link a calendar made for its
/// meeting), as a new revision of its calendar entry (the next SEQUENCE). `None`, and nothing
/// written, when the booking is no longer accepted at `from`: the comparison is part of the
/// update, so a change committed meanwhile is never overwritten.
pub async fn replace_location(
    conn: &mut Conn<'_>,
    id: i64,
    from: &str,
    to: &str,
) -> StorageResult<Option<BookingRecord>> {
    let now = to_db_time(Utc::now());
    let accepted = BookingStatus::Accepted.as_str();
    Ok(with_conn!(conn, |c| {
        diesel::update(
            bookings::table
                .find(id)
                .filter(bookings::location.eq(from))
                .filter(bookings::status.eq(accepted)),
        )
        .set((
            bookings::location.eq(to),
            bookings::ical_sequence.eq(bookings::ical_sequence + 1),
            bookings::updated_at.eq(Some(now)),
        ))
        .returning(BookingRecord::as_returning())
        .get_result(c)
        .await
        .optional()
    })?)
}
