//! Booker sessions of the portal (`/my-bookings`): rows keyed by the SHA-256 of the cookie's
//! token, each for one email. Expiry rules live in `crate::sessions::booker`; this module only
//! stores and reads.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::booker_sessions;
use super::{Conn, StorageResult, StoredInstant, to_db_time, with_conn};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = booker_sessions)]
pub struct BookerSessionRecord {
    pub id: i64,
    pub email: String,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(
    conn: &mut Conn<'_>,
    email: &str,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StorageResult<BookerSessionRecord> {
    let values = (
        booker_sessions::email.eq(email),
        booker_sessions::token_hash.eq(token_hash),
        booker_sessions::created_at.eq(to_db_time(now)),
        booker_sessions::expires_at.eq(to_db_time(expires_at)),
    );
    let record = with_conn!(conn, |c| {
        diesel::insert_into(booker_sessions::table)
            .values(values)
            .returning(BookerSessionRecord::as_returning())
            .get_result(c)
            .await
    })?;
    Ok(record)
}

/// The session with this token hash, if there is one (live or not).
pub async fn find(
    conn: &mut Conn<'_>,
    token_hash: &str,
) -> StorageResult<Option<BookerSessionRecord>> {
    let found = with_conn!(conn, |c| {
        booker_sessions::table
            .filter(booker_sessions::token_hash.eq(token_hash))
            .select(BookerSessionRecord::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

pub async fn delete(conn: &mut Conn<'_>, id: i64) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(booker_sessions::table.find(id))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Removes the sessions past their expiry at `now`.
pub async fn delete_expired(conn: &mut Conn<'_>, now: DateTime<Utc>) -> StorageResult<usize> {
    let now = to_db_time(now);
    let deleted = with_conn!(conn, |c| {
        diesel::delete(booker_sessions::table.filter(booker_sessions::expires_at.le(now)))
            .execute(c)
            .await
    })?;
    Ok(deleted)
}
