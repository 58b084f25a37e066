//! Signed-in sessions of the console: rows keyed by the SHA-256 of the cookie's token. Expiry
//! rules live in `crate::sessions`; this module only stores and reads.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{sessions, users};
use super::users::User;
use super::{Conn, StorageResult, StoredInstant, to_db_time, with_conn};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRecord {
    pub id: i64,
    pub user_id: i64,
    pub user_agent: String,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub last_seen_at: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub expires_at: DateTime<Utc>,
}

pub struct NewSession<'a> {
    pub user_id: i64,
    pub token_hash: &'a str,
    pub user_agent: &'a str,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut Conn<'_>, new: &NewSession<'_>) -> StorageResult<SessionRecord> {
    let now = to_db_time(new.now);
    let values = (
        sessions::user_id.eq(new.user_id),
        sessions::token_hash.eq(new.token_hash),
        sessions::user_agent.eq(new.user_agent),
        sessions::created_at.eq(now),
        sessions::last_seen_at.eq(now),
        sessions::expires_at.eq(to_db_time(new.expires_at)),
    );
    let record = with_conn!(conn, |c| {
        diesel::insert_into(sessions::table)
            .values(values)
            .returning(SessionRecord::as_returning())
            .get_result(c)
            .await
    })?;
    Ok(record)
}

/// The session with this token hash and its user, in one read.
pub async fn find(
    conn: &mut Conn<'_>,
    token_hash: &str,
) -> StorageResult<Option<(SessionRecord, User)>> {
    let found = with_conn!(conn, |c| {
        sessions::table
            .inner_join(users::table)
            .filter(sessions::token_hash.eq(token_hash))
            .select((SessionRecord::as_select(), User::as_select()))
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

/// Moves `last_seen_at` to `now` (the idle clock restarts).
pub async fn touch(conn: &mut Conn<'_>, id: i64, now: DateTime<Utc>) -> StorageResult<()> {
    let now: NaiveDateTime = to_db_time(now);
    with_conn!(conn, |c| {
        diesel::update(sessions::table.find(id))
            .set(sessions::last_seen_at.eq(now))
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn delete(conn: &mut Conn<'_>, id: i64) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(sessions::table.find(id)).execute(c).await
    })?;
    Ok(())
}

/// Ends every session of `user_id` except `keep` (the one making the change, if any).
pub async fn delete_for_user(
    conn: &mut Conn<'_>,
    user_id: i64,
    keep: Option<i64>,
) -> StorageResult<usize> {
    let keep = keep.unwrap_or(-1);
    let deleted = with_conn!(conn, |c| {
        diesel::delete(
            sessions::table
                .filter(sessions::user_id.eq(user_id))
                .filter(sessions::id.ne(keep)),
        )
        .execute(c)
        .await
    })?;
    Ok(deleted)
}

/// Removes sessions past their absolute expiry or idle since before `idle_before`.
pub async fn delete_expired(
    conn: &mut Conn<'_>,
    now: DateTime<Utc>,
    idle_before: DateTime<Utc>,
) -> StorageResult<usize> {
    let (now, idle_before) = (to_db_time(now), to_db_time(idle_before));
    let deleted = with_conn!(conn, |c| {
        diesel::delete(
            sessions::table.filter(
                sessions::expires_at
                    .le(now)
                    .or(sessions::last_seen_at.lt(idle_before)),
            ),
        )
        .execute(c)
        .await
    })?;
    Ok(deleted)
}

/// A user's live sessions, newest first (the settings page lists them).
pub async fn list_for_user(conn: &mut Conn<'_>, user_id: i64) -> StorageResult<Vec<SessionRecord>> {
    let found = with_conn!(conn, |c| {
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .order(sessions::id.desc())
            .select(SessionRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(found)
}
