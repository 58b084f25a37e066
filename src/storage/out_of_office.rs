//! Out-of-office periods: per-user `[start, end)` ranges in which the engine removes the user as
//! a host (read with external busy time in `bookings::claims`). This module stores and lists.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::out_of_office;
use super::{Conn, StorageResult, StoredInstant, to_db_time, with_conn};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = out_of_office)]
pub struct OutOfOffice {
    pub id: i64,
    pub user_id: i64,
    #[diesel(column_name = start_at, deserialize_as = StoredInstant)]
    pub start: DateTime<Utc>,
    #[diesel(column_name = end_at, deserialize_as = StoredInstant)]
    pub end: DateTime<Utc>,
    pub notes: Option<String>,
}

pub async fn insert(
    conn: &mut Conn<'_>,
    user_id: i64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    notes: Option<&str>,
) -> StorageResult<OutOfOffice> {
    let values = (
        out_of_office::user_id.eq(user_id),
        out_of_office::start_at.eq(to_db_time(start)),
        out_of_office::end_at.eq(to_db_time(end)),
        out_of_office::notes.eq(notes),
        out_of_office::created_at.eq(to_db_time(Utc::now())),
    );
    let record = with_conn!(conn, |c| {
        diesel::insert_into(out_of_office::table)
            .values(values)
            .returning(OutOfOffice::as_returning())
            .get_result(c)
            .await
    })?;
    Ok(record)
}

/// A user's periods that end after `now`, earliest first, `take` of them after the first `skip`.
pub async fn upcoming(
    conn: &mut Conn<'_>,
    user_id: i64,
    now: DateTime<Utc>,
    skip: i64,
    take: i64,
) -> StorageResult<Vec<OutOfOffice>> {
    let now = to_db_time(now);
    let found = with_conn!(conn, |c| {
        out_of_office::table
            .filter(out_of_office::user_id.eq(user_id))
            .filter(out_of_office::end_at.gt(now))
            .select(OutOfOffice::as_select())
            .order((out_of_office::start_at, out_of_office::id))
            .offset(skip)
            .limit(take)
            .load(c)
            .await
    })?;
    Ok(found)
}

/// Deletes the user's period `id`; false when they have none with that id.
pub async fn delete_owned(conn: &mut Conn<'_>, user_id: i64, id: i64) -> StorageResult<bool> {
    let deleted = with_conn!(conn, |c| {
        diesel::delete(
            out_of_office::table
                .filter(out_of_office::id.eq(id))
                .filter(out_of_office::user_id.eq(user_id)),
        )
        .execute(c)
        .await
    })?;
    Ok(deleted > 0)
}
