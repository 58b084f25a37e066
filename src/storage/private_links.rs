//! Private links (Cal.com's `hashedLink`) of event types: the rows, and `spend`, the one
//! statement that decides whether a link still books (so two bookings racing for a single-use
//! link cannot both pass).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::private_links;
use super::{Conn, StorageResult, StoredInstant, StoredMaybeInstant, to_db_time, with_conn};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = private_links)]
pub struct PrivateLink {
    pub id: i64,
    pub event_type_id: i64,
    pub link: String,
    #[diesel(deserialize_as = StoredMaybeInstant)]
    pub expires_at: Option<DateTime<Utc>>,
    pub max_usage_count: Option<i32>,
    pub usage_count: i32,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
}

impl PrivateLink {
    /// Past its time, or used as often as it may be.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
            || self
                .max_usage_count
                .is_some_and(|max| self.usage_count >= max)
    }
}

/// How long a link lasts: until an instant, or for a number of bookings. Exactly one (the
/// table's CHECK).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    Until(DateTime<Utc>),
    Uses(i32),
}

impl Lifetime {
    fn columns(self) -> (Option<chrono::NaiveDateTime>, Option<i32>) {
        match self {
            Lifetime::Until(at) => (Some(to_db_time(at)), None),
            Lifetime::Uses(n) => (None, Some(n)),
        }
    }
}

pub async fn insert(
    conn: &mut Conn<'_>,
    event_type_id: i64,
    link: &str,
    lifetime: Lifetime,
    now: DateTime<Utc>,
) -> StorageResult<PrivateLink> {
    let (expires_at, max_usage_count) = lifetime.columns();
    Ok(with_conn!(conn, |c| {
        diesel::insert_into(private_links::table)
            .values((
                private_links::event_type_id.eq(event_type_id),
                private_links::link.eq(link),
                private_links::expires_at.eq(expires_at),
                private_links::max_usage_count.eq(max_usage_count),
                private_links::usage_count.eq(0),
                private_links::created_at.eq(to_db_time(now)),
            ))
            .returning(PrivateLink::as_returning())
            .get_result(c)
            .await
    })?)
}

/// An event type's links, oldest first.
pub async fn of_event_type(
    conn: &mut Conn<'_>,
    event_type_id: i64,
) -> StorageResult<Vec<PrivateLink>> {
    Ok(with_conn!(conn, |c| {
        private_links::table
            .filter(private_links::event_type_id.eq(event_type_id))
            .order(private_links::id.asc())
            .select(PrivateLink::as_select())
            .load(c)
            .await
    })?)
}

/// Whether the event type has any private link.
pub async fn exists_for(conn: &mut Conn<'_>, event_type_id: i64) -> StorageResult<bool> {
    let found: Option<i64> = with_conn!(conn, |c| {
        private_links::table
            .filter(private_links::event_type_id.eq(event_type_id))
            .select(private_links::id)
            .first(c)
            .await
            .optional()
    })?;
    Ok(found.is_some())
}

/// The link with this text, whatever its event type.
pub async fn find(conn: &mut Conn<'_>, link: &str) -> StorageResult<Option<PrivateLink>> {
    Ok(with_conn!(conn, |c| {
        private_links::table
            .filter(private_links::link.eq(link))
            .select(PrivateLink::as_select())
            .first(c)
            .await
            .optional()
    })?)
}

/// Gives link `link` of the event type a new lifetime; the uses so far stay counted.
pub async fn update(
    conn: &mut Conn<'_>,
    event_type_id: i64,
    link: &str,
    lifetime: Lifetime,
) -> StorageResult<Option<PrivateLink>> {
    let (expires_at, max_usage_count) = lifetime.columns();
    Ok(with_conn!(conn, |c| {
        diesel::update(
            private_links::table
                .filter(private_links::event_type_id.eq(event_type_id))
                .filter(private_links::link.eq(link)),
        )
        .set((
            private_links::expires_at.eq(expires_at),
            private_links::max_usage_count.eq(max_usage_count),
        ))
        .returning(PrivateLink::as_returning())
        .get_result(c)
        .await
        .optional()
    })?)
}

pub async fn delete(conn: &mut Conn<'_>, event_type_id: i64, link: &str) -> StorageResult<bool> {
    let deleted = with_conn!(conn, |c| {
        diesel::delete(
            private_links::table
                .filter(private_links::event_type_id.eq(event_type_id))
                .filter(private_links::link.eq(link)),
        )
        .execute(c)
        .await
    })?;
    Ok(deleted > 0)
}

/// Counts one booking against link `link` of the event type if it still books: not past its
/// time and not used up. One conditional `UPDATE`, so of two transactions spending the last
/// use, the second finds nothing to update (PostgreSQL re-checks the condition on the row the
/// first committed; SQLite runs them one after the other). False: the link does not book.
pub async fn spend(
    conn: &mut Conn<'_>,
    event_type_id: i64,
    link: &str,
    now: DateTime<Utc>,
) -> StorageResult<bool> {
    let now = to_db_time(now);
    let updated =
        with_conn!(conn, |c| {
            diesel::update(
                private_links::table
                    .filter(private_links::event_type_id.eq(event_type_id))
                    .filter(private_links::link.eq(link))
                    .filter(
                        private_links::expires_at
                            .is_null()
                            .or(private_links::expires_at.gt(now)),
                    )
                    .filter(private_links::max_usage_count.is_null().or(
                        private_links::max_usage_count.gt(private_links::usage_count.nullable()),
                    )),
            )
            .set(private_links::usage_count.eq(private_links::usage_count + 1))
            .execute(c)
            .await
        })?;
    Ok(updated == 1)
}
