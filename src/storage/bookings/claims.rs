//! Per-host time claims (the rows the database refuses to overlap) and the reads that feed the
//! availability engine: hosts' busy bookings, external busy time and time off, and the
//! round-robin assignment history.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::domain::BookingStatus;
use crate::storage::busy_summaries;
use crate::storage::schema::{
    attendees, booking_claims, bookings, calendar_connections, connection_calendars, out_of_office,
    users,
};
use crate::storage::{
    Conn, DbTime, StorageResult, StoredStatus, from_db_time, to_db_time, with_conn,
};

/// The time a booking blocks for one host, buffers included.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    pub user_id: i64,
    pub blocked_start: DateTime<Utc>,
    pub blocked_end: DateTime<Utc>,
    pub active: bool,
}

/// Locks the hosts' user rows until the transaction ends (PostgreSQL; SQLite's `BEGIN
/// IMMEDIATE` already serialises writers). Bookings for one host then run one after another, so
/// the availability re-check inside the transaction sees every earlier booking; ids are locked
/// in order so two multi-host bookings cannot deadlock. `FOR NO KEY UPDATE`, not `FOR UPDATE`:
/// writers still take turns, but rows that merely reference a user (insights' roll-up, whose
/// foreign-key checks take `FOR KEY SHARE`) are never held up by a host's lock, which would
/// let two bookings' transactions wait for each other.
pub async fn lock_hosts(conn: &mut Conn<'_>, ids: &[i64]) -> StorageResult<()> {
    if let Conn::Pg(c) = conn {
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        let _: Vec<i64> = users::table
            .filter(users::id.eq_any(&sorted))
            .order(users::id)
            .select(users::id)
            .for_no_key_update()
            .load(&mut **c)
            .await?;
    }
    Ok(())
}

/// Inserts the claims; an overlapping active claim makes this fail with
/// [`crate::storage::StorageError::Overlap`].
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
/// [`crate::storage::StorageError::Overlap`].
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

/// Hands `from`'s claim on a booking's time to `to` (a reassignment): the database refuses it
/// when `to` is busy then (`StorageError::Overlap`).
pub async fn move_claim(
    conn: &mut Conn<'_>,
    booking_id: i64,
    from: i64,
    to: i64,
) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::update(
            booking_claims::table
                .filter(booking_claims::booking_id.eq(booking_id))
                .filter(booking_claims::user_id.eq(from)),
        )
        .set(booking_claims::user_id.eq(to))
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
    DbTime,
    DbTime,
    DbTime,
    DbTime,
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

/// The first and last start of `user`'s claims, active or not (two index probes), or `None`
/// when they have none.
pub async fn extent(
    conn: &mut Conn<'_>,
    user: i64,
) -> StorageResult<Option<(DateTime<Utc>, DateTime<Utc>)>> {
    let mine = || {
        booking_claims::table
            .filter(booking_claims::user_id.eq(user))
            .select(booking_claims::blocked_start)
    };
    let first: Option<NaiveDateTime> = with_conn!(conn, |c| {
        mine()
            .order(booking_claims::blocked_start.asc())
            .first(c)
            .await
            .optional()
    })?;
    let last: Option<NaiveDateTime> = with_conn!(conn, |c| {
        mine()
            .order(booking_claims::blocked_start.desc())
            .first(c)
            .await
            .optional()
    })?;
    Ok(first
        .zip(last)
        .map(|(a, b)| (from_db_time(a), from_db_time(b))))
}

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
            start: from_db_time(r.5.0),
            end: from_db_time(r.6.0),
            blocked_start: from_db_time(r.7.0),
            blocked_end: from_db_time(r.8.0),
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
    // Merged per host when it was cached: only selected calendars, never a booking's own copy.
    let busy = busy_summaries::read(conn, hosts, from, to).await?;
    let (from, to) = (to_db_time(from), to_db_time(to));
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
    Ok((busy, convert(away)))
}

/// The hosts whose calendar cache is too old to trust at `now` (a selected calendar's
/// connection is past its `blocks_after`): they offer no times until it syncs again.
pub async fn stale_calendar_hosts(
    conn: &mut Conn<'_>,
    hosts: &[i64],
    now: DateTime<Utc>,
) -> StorageResult<Vec<i64>> {
    let mut stale: Vec<i64> = with_conn!(conn, |c| {
        connection_calendars::table
            .inner_join(calendar_connections::table)
            .filter(connection_calendars::user_id.eq_any(hosts))
            .filter(connection_calendars::selected.eq(true))
            .filter(calendar_connections::blocks_after.lt(to_db_time(now)))
            .select(connection_calendars::user_id)
            .load(c)
            .await
    })?;
    stale.dedup();
    Ok(stale)
}

/// Whom a round-robin event type's fairness counts for a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// The organiser alone (one host per booking).
    Organiser,
    /// Every host who holds the booking (its claims): with host groups a booking has one host
    /// per group but one organiser, and the other groups' hosts must count too.
    Holders,
}

/// A history row as stored: (host, created, start, host no-show).
type HistoryRow = (i64, NaiveDateTime, NaiveDateTime, bool);

/// The two reads of [`assignment_history`] from `$source`, with `$user` as the counted host:
/// the active bookings created or starting since `$since`, and each host's latest earlier one.
macro_rules! history_reads {
    ($conn:expr, $source:expr, $user:expr, $event:expr, $since:expr) => {{
        let recent: Vec<HistoryRow> = with_conn!($conn, |c| {
            $source
                .filter(bookings::event_type_id.eq($event))
                .filter(bookings::status.eq_any(ACTIVE))
                .filter(
                    bookings::created_at
                        .ge($since)
                        .or(bookings::start_at.ge($since)),
                )
                .select((
                    $user,
                    bookings::created_at,
                    bookings::start_at,
                    bookings::no_show_host,
                ))
                .load(c)
                .await
        })?;
        let latest: Vec<(i64, Option<NaiveDateTime>)> = with_conn!($conn, |c| {
            $source
                .filter(bookings::event_type_id.eq($event))
                .filter(bookings::status.eq_any(ACTIVE))
                .filter(bookings::no_show_host.eq(false))
                .filter(bookings::created_at.lt($since))
                .group_by($user)
                .select(($user, diesel::dsl::max(bookings::created_at)))
                .load(c)
                .await
        })?;
        (recent, latest)
    }};
}

/// A round-robin event type's bookings (not cancelled or rejected) that fairness needs: those
/// created or starting since `since`, plus each host's latest one before it, as (host,
/// created, start, host no-show) with the hosts `counted` names.
pub async fn assignment_history(
    conn: &mut Conn<'_>,
    event_type_id: i64,
    since: DateTime<Utc>,
    counted: Counted,
) -> StorageResult<Vec<(i64, DateTime<Utc>, DateTime<Utc>, bool)>> {
    let since = to_db_time(since);
    let (recent, latest) = match counted {
        Counted::Organiser => {
            history_reads!(
                conn,
                bookings::table,
                bookings::user_id,
                event_type_id,
                since
            )
        }
        Counted::Holders => history_reads!(
            conn,
            booking_claims::table.inner_join(bookings::table),
            booking_claims::user_id,
            event_type_id,
            since
        ),
    };
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

/// Who got the event type's last `limit` active bookings and when each was made, oldest first
/// (the console's replay of real bookings).
pub async fn recent_assignments(
    conn: &mut Conn<'_>,
    event_type_id: i64,
    limit: i64,
) -> StorageResult<Vec<(i64, DateTime<Utc>)>> {
    let mut last: Vec<(i64, NaiveDateTime)> = with_conn!(conn, |c| {
        bookings::table
            .filter(bookings::event_type_id.eq(event_type_id))
            .filter(bookings::status.eq_any(ACTIVE))
            .order((bookings::created_at.desc(), bookings::id.desc()))
            .limit(limit)
            .select((bookings::user_id, bookings::created_at))
            .load(c)
            .await
    })?;
    last.reverse();
    Ok(last
        .into_iter()
        .map(|(u, at)| (u, from_db_time(at)))
        .collect())
}
