//! Bookings, their attendees, per-host time claims, history, slot reservations and idempotency
//! keys; plus the reads that feed the availability engine (busy time of hosts in a window).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{
    attendees, booking_claims, booking_history, bookings, busy_intervals, idempotency_keys,
    out_of_office, slot_reservations, users,
};
use super::{
    Conn, StorageResult, StoredInstant, StoredStatus, from_db_time, to_db_time, with_conn,
};
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
}

#[derive(Debug, Clone)]
pub struct NewAttendee {
    pub email: String,
    pub name: String,
    pub time_zone: String,
    pub locale: Option<String>,
    pub phone_number: Option<String>,
    pub seat_uid: Option<String>,
}

/// The time a booking blocks for one host, buffers included.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    pub user_id: i64,
    pub blocked_start: DateTime<Utc>,
    pub blocked_end: DateTime<Utc>,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub action: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub from_status: Option<BookingStatus>,
    pub to_status: Option<BookingStatus>,
    pub changes: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = booking_history)]
pub struct HistoryRecord {
    pub id: i64,
    #[diesel(deserialize_as = StoredInstant)]
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub changes: String,
    pub reason: Option<String>,
}

/// Locks the hosts' user rows until the transaction ends (PostgreSQL; SQLite's `BEGIN
/// IMMEDIATE` already serialises writers). Bookings for one host then run one after another, so
/// the availability re-check inside the transaction sees every earlier booking; ids are locked
/// in order so two multi-host bookings cannot deadlock.
pub async fn lock_hosts(conn: &mut Conn<'_>, ids: &[i64]) -> StorageResult<()> {
    if let Conn::Pg(c) = conn {
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        let _: Vec<i64> = users::table
            .filter(users::id.eq_any(&sorted))
            .order(users::id)
            .select(users::id)
            .for_update()
            .load(&mut **c)
            .await?;
    }
    Ok(())
}

/// Locks one booking row (joining a seat on PostgreSQL).
pub async fn lock_booking(conn: &mut Conn<'_>, id: i64) -> StorageResult<()> {
    if let Conn::Pg(c) = conn {
        let _: i64 = bookings::table
            .find(id)
            .select(bookings::id)
            .for_update()
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

/// Inserts the claims; an overlapping active claim makes this fail with
/// [`super::StorageError::Overlap`].
pub async fn insert_claims(
    conn: &mut Conn<'_>,
    booking_id: i64,
    claims: &[Claim],
) -> StorageResult<()> {
    for claim in claims {
        let row = (
            booking_claims::booking_id.eq(booking_id),
            booking_claims::user_id.eq(claim.user_id),
            booking_claims::blocked_start.eq(to_db_time(claim.blocked_start)),
            booking_claims::blocked_end.eq(to_db_time(claim.blocked_end)),
            booking_claims::active.eq(claim.active),
        );
        with_conn!(conn, |c| {
            diesel::insert_into(booking_claims::table)
                .values(row)
                .execute(c)
                .await
        })?;
    }
    Ok(())
}

/// Activates or releases every claim of a booking; activating into taken time fails with
/// [`super::StorageError::Overlap`].
pub async fn set_claims_active(
    conn: &mut Conn<'_>,
    booking_id: i64,
    active: bool,
) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::update(booking_claims::table.filter(booking_claims::booking_id.eq(booking_id)))
            .set(booking_claims::active.eq(active))
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn append_history(
    conn: &mut Conn<'_>,
    booking_id: i64,
    entry: &HistoryEntry,
) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    let row = (
        booking_history::booking_id.eq(booking_id),
        booking_history::at.eq(now),
        booking_history::action.eq(&entry.action),
        booking_history::actor_kind.eq(&entry.actor_kind),
        booking_history::actor_id.eq(&entry.actor_id),
        booking_history::from_status.eq(entry.from_status.map(BookingStatus::as_str)),
        booking_history::to_status.eq(entry.to_status.map(BookingStatus::as_str)),
        booking_history::changes.eq(&entry.changes),
        booking_history::reason.eq(&entry.reason),
    );
    with_conn!(conn, |c| {
        diesel::insert_into(booking_history::table)
            .values(row)
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn history(conn: &mut Conn<'_>, booking_id: i64) -> StorageResult<Vec<HistoryRecord>> {
    let rows = with_conn!(conn, |c| {
        booking_history::table
            .filter(booking_history::booking_id.eq(booking_id))
            .order(booking_history::id)
            .select(HistoryRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
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

/// A host's booking as the engine sees it.
#[derive(Debug, Clone)]
pub struct BusyBooking {
    pub host: i64,
    pub uid: String,
    pub event_type_id: Option<i64>,
    pub status: BookingStatus,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub blocked_start: DateTime<Utc>,
    pub blocked_end: DateTime<Utc>,
    /// The claim holds the time (accepted, or pending where unconfirmed bookings block).
    pub active: bool,
    pub attendees: i64,
}

type BusyRow = (
    i64,
    i64,
    String,
    Option<i64>,
    StoredStatus,
    NaiveDateTime,
    NaiveDateTime,
    NaiveDateTime,
    NaiveDateTime,
    bool,
);

/// The stored forms of the statuses of bookings that still take place.
const ACTIVE: [&str; 2] = [
    BookingStatus::ACTIVE[0].as_str(),
    BookingStatus::ACTIVE[1].as_str(),
];

/// The longest a claim may span, enforced by the schema (the longest event, 24 h, with two
/// 24 h buffers spans 3 days). It bounds "claims meeting `[from, to)`" to claims starting in
/// `[from - MAX_CLAIM_SPAN, to)`: an index range, not a host's whole history.
pub const MAX_CLAIM_SPAN: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// Accepted and pending bookings of `hosts` whose blocked time meets `[from, to)`.
pub async fn busy_bookings(
    conn: &mut Conn<'_>,
    hosts: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    count_attendees: bool,
) -> StorageResult<Vec<BusyBooking>> {
    let earliest = to_db_time(from - MAX_CLAIM_SPAN);
    let (from, to) = (to_db_time(from), to_db_time(to));
    let rows: Vec<BusyRow> = with_conn!(conn, |c| {
        booking_claims::table
            .inner_join(bookings::table)
            .filter(booking_claims::user_id.eq_any(hosts))
            .filter(booking_claims::blocked_start.ge(earliest))
            .filter(booking_claims::blocked_start.lt(to))
            .filter(booking_claims::blocked_end.gt(from))
            .filter(bookings::status.eq_any(ACTIVE))
            .select((
                booking_claims::user_id,
                bookings::id,
                bookings::uid,
                bookings::event_type_id,
                bookings::status,
                bookings::start_at,
                bookings::end_at,
                booking_claims::blocked_start,
                booking_claims::blocked_end,
                booking_claims::active,
            ))
            .load(c)
            .await
    })?;
    let counts: Vec<(i64, i64)> = if count_attendees && !rows.is_empty() {
        let ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
        with_conn!(conn, |c| {
            attendees::table
                .filter(attendees::booking_id.eq_any(&ids))
                .group_by(attendees::booking_id)
                .select((attendees::booking_id, diesel::dsl::count_star()))
                .load(c)
                .await
        })?
    } else {
        Vec::new()
    };
    Ok(rows
        .into_iter()
        .map(|r| BusyBooking {
            host: r.0,
            attendees: counts
                .iter()
                .find(|(id, _)| *id == r.1)
                .map_or(1, |(_, n)| *n),
            uid: r.2,
            event_type_id: r.3,
            status: r.4.into(),
            start: from_db_time(r.5),
            end: from_db_time(r.6),
            blocked_start: from_db_time(r.7),
            blocked_end: from_db_time(r.8),
            active: r.9,
        })
        .collect())
}

/// (host, start, end) of external busy time and of out-of-office meeting `[from, to)`.
pub async fn external_busy(
    conn: &mut Conn<'_>,
    hosts: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StorageResult<(
    Vec<(i64, DateTime<Utc>, DateTime<Utc>)>,
    Vec<(i64, DateTime<Utc>, DateTime<Utc>)>,
)> {
    let (from, to) = (to_db_time(from), to_db_time(to));
    let busy: Vec<(i64, NaiveDateTime, NaiveDateTime)> = with_conn!(conn, |c| {
        busy_intervals::table
            .filter(busy_intervals::user_id.eq_any(hosts))
            .filter(busy_intervals::start_at.lt(to))
            .filter(busy_intervals::end_at.gt(from))
            .select((
                busy_intervals::user_id,
                busy_intervals::start_at,
                busy_intervals::end_at,
            ))
            .load(c)
            .await
    })?;
    let away: Vec<(i64, NaiveDateTime, NaiveDateTime)> = with_conn!(conn, |c| {
        out_of_office::table
            .filter(out_of_office::user_id.eq_any(hosts))
            .filter(out_of_office::start_at.lt(to))
            .filter(out_of_office::end_at.gt(from))
            .select((
                out_of_office::user_id,
                out_of_office::start_at,
                out_of_office::end_at,
            ))
            .load(c)
            .await
    })?;
    let convert = |rows: Vec<(i64, NaiveDateTime, NaiveDateTime)>| {
        rows.into_iter()
            .map(|(h, s, e)| (h, from_db_time(s), from_db_time(e)))
            .collect()
    };
    Ok((convert(busy), convert(away)))
}

/// A round-robin event type's bookings (not cancelled or rejected) that fairness needs: those
/// created or starting since `since`, plus each host's latest one before it.
pub async fn assignment_history(
    conn: &mut Conn<'_>,
    event_type_id: i64,
    since: DateTime<Utc>,
) -> StorageResult<Vec<(i64, DateTime<Utc>, DateTime<Utc>, bool)>> {
    let since = to_db_time(since);
    let recent: Vec<(i64, NaiveDateTime, NaiveDateTime, bool)> = with_conn!(conn, |c| {
        bookings::table
            .filter(bookings::event_type_id.eq(event_type_id))
            .filter(bookings::status.eq_any(ACTIVE))
            .filter(
                bookings::created_at
                    .ge(since)
                    .or(bookings::start_at.ge(since)),
            )
            .select((
                bookings::user_id,
                bookings::created_at,
                bookings::start_at,
                bookings::no_show_host,
            ))
            .load(c)
            .await
    })?;
    let latest: Vec<(i64, Option<NaiveDateTime>)> = with_conn!(conn, |c| {
        bookings::table
            .filter(bookings::event_type_id.eq(event_type_id))
            .filter(bookings::status.eq_any(ACTIVE))
            .filter(bookings::no_show_host.eq(false))
            .filter(bookings::created_at.lt(since))
            .group_by(bookings::user_id)
            .select((bookings::user_id, diesel::dsl::max(bookings::created_at)))
            .load(c)
            .await
    })?;
    // A host's latest earlier booking only tells "least recently booked"; it lies outside the
    // fairness period by both instants, so it is never counted.
    let earlier = latest
        .into_iter()
        .filter_map(|(u, at)| at.map(|at| (u, at, at, false)));
    Ok(recent
        .into_iter()
        .chain(earlier)
        .map(|(u, c, s, n)| (u, from_db_time(c), from_db_time(s), n))
        .collect())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = slot_reservations)]
pub struct ReservationRecord {
    pub uid: String,
    pub event_type_id: i64,
    pub user_id: Option<i64>,
    #[diesel(deserialize_as = StoredInstant)]
    pub slot_start: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub slot_end: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub expires_at: DateTime<Utc>,
    pub is_seat: bool,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
}

/// Unexpired reservations of this event type or of any of `hosts`, meeting `[from, to)`.
pub async fn reservations(
    conn: &mut Conn<'_>,
    event_type_id: i64,
    hosts: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StorageResult<Vec<ReservationRecord>> {
    let (from, to, now) = (to_db_time(from), to_db_time(to), to_db_time(now));
    let rows = with_conn!(conn, |c| {
        slot_reservations::table
            .filter(
                slot_reservations::event_type_id
                    .eq(event_type_id)
                    .or(slot_reservations::user_id.eq_any(hosts)),
            )
            .filter(slot_reservations::expires_at.gt(now))
            .filter(slot_reservations::slot_start.lt(to))
            .filter(slot_reservations::slot_end.gt(from))
            .select(ReservationRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn insert_reservation(conn: &mut Conn<'_>, r: &ReservationRecord) -> StorageResult<()> {
    let row = (
        slot_reservations::uid.eq(&r.uid),
        slot_reservations::event_type_id.eq(r.event_type_id),
        slot_reservations::user_id.eq(r.user_id),
        slot_reservations::slot_start.eq(to_db_time(r.slot_start)),
        slot_reservations::slot_end.eq(to_db_time(r.slot_end)),
        slot_reservations::expires_at.eq(to_db_time(r.expires_at)),
        slot_reservations::is_seat.eq(r.is_seat),
        slot_reservations::created_at.eq(to_db_time(r.created_at)),
    );
    with_conn!(conn, |c| {
        diesel::insert_into(slot_reservations::table)
            .values(row)
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn find_reservation(
    conn: &mut Conn<'_>,
    uid: &str,
) -> StorageResult<Option<ReservationRecord>> {
    let found = with_conn!(conn, |c| {
        slot_reservations::table
            .find(uid)
            .select(ReservationRecord::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

pub async fn update_reservation(conn: &mut Conn<'_>, r: &ReservationRecord) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::update(slot_reservations::table.find(&r.uid))
            .set((
                slot_reservations::slot_start.eq(to_db_time(r.slot_start)),
                slot_reservations::slot_end.eq(to_db_time(r.slot_end)),
                slot_reservations::expires_at.eq(to_db_time(r.expires_at)),
                slot_reservations::created_at.eq(to_db_time(r.created_at)),
                slot_reservations::user_id.eq(r.user_id),
                slot_reservations::is_seat.eq(r.is_seat),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn delete_reservation(conn: &mut Conn<'_>, uid: &str) -> StorageResult<usize> {
    let n = with_conn!(conn, |c| {
        diesel::delete(slot_reservations::table.find(uid))
            .execute(c)
            .await
    })?;
    Ok(n)
}

/// The booking an idempotency key created, with the request fingerprint it was used with.
pub async fn find_idempotency_key(
    conn: &mut Conn<'_>,
    key: &str,
) -> StorageResult<Option<(String, i64)>> {
    let found = with_conn!(conn, |c| {
        idempotency_keys::table
            .find(key)
            .select((idempotency_keys::request_hash, idempotency_keys::booking_id))
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

pub async fn insert_idempotency_key(
    conn: &mut Conn<'_>,
    key: &str,
    request_hash: &str,
    booking_id: i64,
) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::key.eq(key),
                idempotency_keys::request_hash.eq(request_hash),
                idempotency_keys::booking_id.eq(booking_id),
                idempotency_keys::created_at.eq(now),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Filters of `GET /v2/bookings`; every one narrows the result.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Bookings the caller hosts or organises, or of these teams' event types.
    pub visible_to_user: i64,
    pub visible_teams: Vec<i64>,
    pub statuses: Vec<BookingStatus>,
    /// `upcoming`: end after now; `past`: end before now.
    pub end_after: Option<DateTime<Utc>>,
    pub end_before: Option<DateTime<Utc>>,
    pub start_after: Option<DateTime<Utc>>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub updated_after: Option<DateTime<Utc>>,
    pub updated_before: Option<DateTime<Utc>>,
    pub uid: Option<String>,
    pub event_type_ids: Vec<i64>,
    pub team_ids: Vec<i64>,
    pub attendee_email: Option<String>,
    pub attendee_name: Option<String>,
    pub recurring_only: bool,
    /// (column, descending)
    pub sort: Vec<(SortKey, bool)>,
    pub skip: i64,
    pub take: i64,
}

#[derive(Debug, Clone, Copy)]
pub enum SortKey {
    Start,
    End,
    Created,
    Updated,
}

/// One page of bookings and the total number matching.
pub async fn list(conn: &mut Conn<'_>, f: &ListFilter) -> StorageResult<(Vec<BookingRecord>, i64)> {
    use super::schema::event_types;
    macro_rules! filtered {
        () => {{
            let hosted = booking_claims::table
                .filter(booking_claims::user_id.eq(f.visible_to_user))
                .select(booking_claims::booking_id);
            let team_events = event_types::table
                .filter(event_types::team_id.eq_any(f.visible_teams.clone()))
                .select(event_types::id.nullable());
            let mut q = bookings::table
                .filter(
                    bookings::user_id
                        .eq(f.visible_to_user)
                        .or(bookings::id.eq_any(hosted))
                        .or(bookings::event_type_id.eq_any(team_events)),
                )
                .into_boxed();
            if !f.statuses.is_empty() {
                let names: Vec<String> = f.statuses.iter().map(|s| s.to_string()).collect();
                q = q.filter(bookings::status.eq_any(names));
            }
            if let Some(t) = f.end_after {
                q = q.filter(bookings::end_at.ge(to_db_time(t)));
            }
            if let Some(t) = f.end_before {
                q = q.filter(bookings::end_at.le(to_db_time(t)));
            }
            if let Some(t) = f.start_after {
                q = q.filter(bookings::start_at.ge(to_db_time(t)));
            }
            if let Some(t) = f.created_after {
                q = q.filter(bookings::created_at.ge(to_db_time(t)));
            }
            if let Some(t) = f.created_before {
                q = q.filter(bookings::created_at.le(to_db_time(t)));
            }
            if let Some(t) = f.updated_after {
                q = q.filter(bookings::updated_at.ge(to_db_time(t)));
            }
            if let Some(t) = f.updated_before {
                q = q.filter(bookings::updated_at.le(to_db_time(t)));
            }
            if let Some(uid) = &f.uid {
                q = q.filter(bookings::uid.eq(uid.clone()));
            }
            if !f.event_type_ids.is_empty() {
                q = q.filter(bookings::event_type_id.eq_any(f.event_type_ids.clone()));
            }
            if !f.team_ids.is_empty() {
                let of_teams = event_types::table
                    .filter(event_types::team_id.eq_any(f.team_ids.clone()))
                    .select(event_types::id.nullable());
                q = q.filter(bookings::event_type_id.eq_any(of_teams));
            }
            if let Some(email) = &f.attendee_email {
                let with = attendees::table
                    .filter(attendees::email.eq(email.to_lowercase()))
                    .select(attendees::booking_id);
                q = q.filter(bookings::id.eq_any(with));
            }
            if let Some(name) = &f.attendee_name {
                let with = attendees::table
                    .filter(attendees::name.eq(name.clone()))
                    .select(attendees::booking_id);
                q = q.filter(bookings::id.eq_any(with));
            }
            if f.recurring_only {
                q = q.filter(bookings::recurring_event_id.is_not_null());
            }
            q
        }};
    }
    let total: i64 = with_conn!(conn, |c| filtered!().count().get_result(c).await)?;
    let rows = with_conn!(conn, |c| {
        let mut q = filtered!().select(BookingRecord::as_select());
        for (key, desc) in &f.sort {
            q = match (key, desc) {
                (SortKey::Start, false) => q.then_order_by(bookings::start_at.asc()),
                (SortKey::Start, true) => q.then_order_by(bookings::start_at.desc()),
                (SortKey::End, false) => q.then_order_by(bookings::end_at.asc()),
                (SortKey::End, true) => q.then_order_by(bookings::end_at.desc()),
                (SortKey::Created, false) => q.then_order_by(bookings::created_at.asc()),
                (SortKey::Created, true) => q.then_order_by(bookings::created_at.desc()),
                (SortKey::Updated, false) => q.then_order_by(bookings::updated_at.asc()),
                (SortKey::Updated, true) => q.then_order_by(bookings::updated_at.desc()),
            };
        }
        q.then_order_by(bookings::id.asc())
            .offset(f.skip)
            .limit(f.take)
            .load(c)
            .await
    })?;
    Ok((rows, total))
}

pub async fn remove_attendee(conn: &mut Conn<'_>, id: i64) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(attendees::table.find(id)).execute(c).await
    })?;
    Ok(())
}
