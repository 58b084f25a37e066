//! Single-use tokens that were used: a signed token's `jti` with its expiry, so a replay of
//! the same token is refused until it would have expired anyway (calendar connection states,
//! the booker's sign-in links).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::spent_tokens;
use super::{Conn, StorageResult, to_db_time, with_conn};

/// Spends a single-use token; false when it was spent before (a replay). Spent tokens past
/// their expiry are forgotten on the way: their signatures no longer pass.
pub async fn spend(
    conn: &mut Conn<'_>,
    jti: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StorageResult<bool> {
    let now = to_db_time(now);
    with_conn!(conn, |c| {
        diesel::delete(spent_tokens::table.filter(spent_tokens::expires_at.lt(now)))
            .execute(c)
            .await
    })?;
    let inserted = with_conn!(conn, |c| {
        diesel::insert_into(spent_tokens::table)
            .values((
                spent_tokens::jti.eq(jti),
                spent_tokens::expires_at.eq(to_db_time(expires_at)),
            ))
            .on_conflict_do_nothing()
            .execute(c)
            .await
    })?;
    Ok(inserted == 1)
}

/// Whether the token `jti` was spent (a read, for a page that only looks at a link).
pub async fn is_spent(conn: &mut Conn<'_>, jti: &str) -> StorageResult<bool> {
    let found: i64 = with_conn!(conn, |c| {
        spent_tokens::table
            .filter(spent_tokens::jti.eq(jti))
            .count()
            .get_result(c)
            .await
    })?;
    Ok(found > 0)
}
