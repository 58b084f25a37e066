//! Round-robin fairness by every host who held a booking (its claims), for event types with
//! host groups: there each booking has one host per group but only one organiser, so the
//! organiser-based history (`claims::assignment_history`) would never count the other groups'
//! hosts. Same shape and bounds as that history.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::domain::BookingStatus;
use crate::storage::schema::{booking_claims, bookings};
use crate::storage::{Conn, StorageResult, from_db_time, to_db_time, with_conn};

const ACTIVE: [&str; 2] = [
    BookingStatus::ACTIVE[0].as_str(),
    BookingStatus::ACTIVE[1].as_str(),
];

/// (host, created, start, host no-show) of the event type's active bookings held by each host
/// and created or starting since `since`, plus each host's latest one held before it.
pub async fn holder_history(
    conn: &mut Conn<'_>,
    event_type_id: i64,
    since: DateTime<Utc>,
) -> StorageResult<Vec<(i64, DateTime<Utc>, DateTime<Utc>, bool)>> {
    let since = to_db_time(since);
    let recent: Vec<(i64, NaiveDateTime, NaiveDateTime, bool)> = with_conn!(conn, |c| {
        booking_claims::table
            .inner_join(bookings::table)
            .filter(bookings::event_type_id.eq(event_type_id))
            .filter(bookings::status.eq_any(ACTIVE))
            .filter(
                bookings::created_at
                    .ge(since)
                    .or(bookings::start_at.ge(since)),
            )
            .select((
                booking_claims::user_id,
                bookings::created_at,
                bookings::start_at,
                bookings::no_show_host,
            ))
            .load(c)
            .await
    })?;
    let latest: Vec<(i64, Option<NaiveDateTime>)> = with_conn!(conn, |c| {
        booking_claims::table
            .inner_join(bookings::table)
            .filter(bookings::event_type_id.eq(event_type_id))
            .filter(bookings::status.eq_any(ACTIVE))
            .filter(bookings::no_show_host.eq(false))
            .filter(bookings::created_at.lt(since))
            .group_by(booking_claims::user_id)
            .select((
                booking_claims::user_id,
                diesel::dsl::max(bookings::created_at),
            ))
            .load(c)
            .await
    })?;
    let earlier = latest
        .into_iter()
        .filter_map(|(u, at)| at.map(|at| (u, at, at, false)));
    Ok(recent
        .into_iter()
        .chain(earlier)
        .map(|(u, c, s, n)| (u, from_db_time(c), from_db_time(s), n))
        .collect())
}
