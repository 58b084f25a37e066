//! Published calendar feeds: one per user, found by the SHA-256 of its URL's token (the token
//! itself is never stored), and the host's bookings a feed lists.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{booking_claims, bookings, calendar_feeds};
use super::{Conn, StorageResult, StoredInstant, StoredStatus, to_db_time, with_conn};
use crate::domain::BookingStatus;

/// A user's feed, without anything that would rebuild its URL.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calendar_feeds)]
pub struct CalendarFeed {
    pub id: i64,
    pub user_id: i64,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
}

/// Makes `token_hash` the user's only feed: an earlier one is deleted, so its URL stops
/// working. Call inside a transaction, so the user is never left without either.
pub async fn replace(
    conn: &mut Conn<'_>,
    user_id: i64,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StorageResult<CalendarFeed> {
    delete(conn, user_id).await?;
    Ok(with_conn!(conn, |c| {
        diesel::insert_into(calendar_feeds::table)
            .values((
                calendar_feeds::user_id.eq(user_id),
                calendar_feeds::token_hash.eq(token_hash),
                calendar_feeds::created_at.eq(to_db_time(now)),
            ))
            .returning(CalendarFeed::as_returning())
            .get_result(c)
            .await
    })?)
}

/// The user's feed, if they have one.
pub async fn of_user(conn: &mut Conn<'_>, user_id: i64) -> StorageResult<Option<CalendarFeed>> {
    Ok(with_conn!(conn, |c| {
        calendar_feeds::table
            .filter(calendar_feeds::user_id.eq(user_id))
            .select(CalendarFeed::as_select())
            .first(c)
            .await
            .optional()
    })?)
}

/// Deletes the user's feed; false when they had none.
pub async fn delete(conn: &mut Conn<'_>, user_id: i64) -> StorageResult<bool> {
    let deleted = with_conn!(conn, |c| {
        diesel::delete(calendar_feeds::table.filter(calendar_feeds::user_id.eq(user_id)))
            .execute(c)
            .await
    })?;
    Ok(deleted > 0)
}

/// The owner of the feed whose token hashes to `token_hash`.
pub async fn owner(conn: &mut Conn<'_>, token_hash: &str) -> StorageResult<Option<i64>> {
    Ok(with_conn!(conn, |c| {
        calendar_feeds::table
            .filter(calendar_feeds::token_hash.eq(token_hash))
            .select(calendar_feeds::user_id)
            .first(c)
            .await
            .optional()
    })?)
}

/// What a feed shows of a booking: no attendees, answers, location or links.
#[derive(Debug, Clone, Queryable)]
pub struct FeedBooking {
    pub ical_uid: String,
    pub ical_sequence: i32,
    pub title: String,
    #[diesel(deserialize_as = StoredStatus)]
    pub status: BookingStatus,
    #[diesel(deserialize_as = StoredInstant)]
    pub start: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub end: DateTime<Utc>,
}

/// The accepted and pending bookings `user_id` hosts (has a claim on) meeting `[from, to)`,
/// by start.
pub async fn bookings_of_host(
    conn: &mut Conn<'_>,
    user_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StorageResult<Vec<FeedBooking>> {
    let active: Vec<&str> = BookingStatus::ACTIVE.iter().map(|s| s.as_str()).collect();
    Ok(with_conn!(conn, |c| {
        bookings::table
            .inner_join(booking_claims::table)
            .filter(booking_claims::user_id.eq(user_id))
            .filter(bookings::status.eq_any(&active))
            .filter(bookings::start_at.lt(to_db_time(to)))
            .filter(bookings::end_at.gt(to_db_time(from)))
            .order((bookings::start_at, bookings::id))
            .select((
                bookings::ical_uid,
                bookings::ical_sequence,
                bookings::title,
                bookings::status,
                bookings::start_at,
                bookings::end_at,
            ))
            .load(c)
            .await
    })?)
}
