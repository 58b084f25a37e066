//! Idempotency keys: which booking a key created, and the fingerprint of the request it came with.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::storage::schema::idempotency_keys;
use crate::storage::{Conn, StorageResult, to_db_time, with_conn};

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
