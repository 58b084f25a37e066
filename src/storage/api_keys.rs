//! API keys: only the SHA-256 of a key is stored; lookups go by that hash.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{api_keys, users};
use super::users::User;
use super::{Conn, StorageResult, StoredInstant, StoredMaybeInstant, to_db_time, with_conn};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
    #[diesel(deserialize_as = StoredMaybeInstant)]
    pub expires_at: Option<DateTime<Utc>>,
    #[diesel(deserialize_as = StoredMaybeInstant)]
    pub last_used_at: Option<DateTime<Utc>>,
}

pub struct NewApiKey<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn insert(conn: &mut Conn<'_>, new: &NewApiKey<'_>) -> StorageResult<ApiKey> {
    let values = (
        api_keys::user_id.eq(new.user_id),
        api_keys::name.eq(new.name),
        api_keys::prefix.eq(new.prefix),
        api_keys::key_hash.eq(new.key_hash),
        api_keys::created_at.eq(to_db_time(Utc::now())),
        api_keys::expires_at.eq(new.expires_at.map(to_db_time)),
    );
    let key = with_conn!(conn, |c| {
        diesel::insert_into(api_keys::table)
            .values(values)
            .returning(ApiKey::as_returning())
            .get_result(c)
            .await
    })?;
    Ok(key)
}

pub async fn exists_with_hash(conn: &mut Conn<'_>, key_hash: &str) -> StorageResult<bool> {
    let count: i64 = with_conn!(conn, |c| {
        api_keys::table
            .filter(api_keys::key_hash.eq(key_hash))
            .count()
            .get_result(c)
            .await
    })?;
    Ok(count > 0)
}

/// The owner of a live key (not revoked, not expired at `now`), and the key's id.
pub async fn authenticate(
    conn: &mut Conn<'_>,
    key_hash: &str,
    now: DateTime<Utc>,
) -> StorageResult<Option<(i64, User)>> {
    let now = to_db_time(now);
    let found: Option<(i64, Option<NaiveDateTime>, User)> = with_conn!(conn, |c| {
        api_keys::table
            .inner_join(users::table)
            .filter(api_keys::key_hash.eq(key_hash))
            .filter(api_keys::revoked_at.is_null())
            .filter(users::disabled_at.is_null())
            .filter(
                api_keys::expires_at
                    .is_null()
                    .or(api_keys::expires_at.gt(now)),
            )
            .select((api_keys::id, api_keys::last_used_at, User::as_select()))
            .first(c)
            .await
            .optional()
    })?;
    let Some((id, last_used, user)) = found else {
        return Ok(None);
    };
    // Record use at most once a minute: a write per request would serialise SQLite readers
    // behind the write lock.
    // Best effort: a busy database must not turn a read into a failed request.
    if last_used.is_none_or(|at| now - at > TimeDelta::minutes(1)) {
        let recorded = with_conn!(conn, |c| {
            diesel::update(api_keys::table.find(id))
                .set(api_keys::last_used_at.eq(now))
                .execute(c)
                .await
        });
        if let Err(e) = recorded {
            tracing::warn!(error = %e, key_id = id, "could not record API key use");
        }
    }
    Ok(Some((id, user)))
}

/// Revokes a key of `user_id`; returns false when the user has no such live key.
pub async fn revoke(conn: &mut Conn<'_>, user_id: i64, key_id: i64) -> StorageResult<bool> {
    let now = to_db_time(Utc::now());
    let changed = with_conn!(conn, |c| {
        diesel::update(
            api_keys::table
                .filter(api_keys::id.eq(key_id))
                .filter(api_keys::user_id.eq(user_id))
                .filter(api_keys::revoked_at.is_null()),
        )
        .set(api_keys::revoked_at.eq(now))
        .execute(c)
        .await
    })?;
    Ok(changed == 1)
}

/// Keys neither revoked nor expired at `now`.
pub async fn list_live(
    conn: &mut Conn<'_>,
    user_id: i64,
    now: DateTime<Utc>,
) -> StorageResult<Vec<ApiKey>> {
    let now = to_db_time(now);
    let keys = with_conn!(conn, |c| {
        api_keys::table
            .filter(api_keys::user_id.eq(user_id))
            .filter(api_keys::revoked_at.is_null())
            .filter(
                api_keys::expires_at
                    .is_null()
                    .or(api_keys::expires_at.gt(now)),
            )
            .order(api_keys::id)
            .select(ApiKey::as_select())
            .load(c)
            .await
    })?;
    Ok(keys)
}
