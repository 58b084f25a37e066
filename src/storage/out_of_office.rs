//! Out-of-office periods: per-user `[start, end)` ranges in which the engine removes the user as
//! a host (read with external busy time in `bookings::claims`), with a reason and the user
//! bookers are sent to meanwhile. This module stores and lists.

use chrono::{DateTime, NaiveDateTime, Utc};
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
    pub reason: Option<String>,
    pub redirect_user_id: Option<i64>,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
}

/// What a period holds, as written.
#[derive(Debug, Clone)]
pub struct Stored {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub notes: Option<String>,
    pub reason: Option<String>,
    pub redirect_user_id: Option<i64>,
}

type Row = (
    NaiveDateTime,
    NaiveDateTime,
    Option<String>,
    Option<String>,
    Option<i64>,
);

fn row(p: &Stored) -> Row {
    (
        to_db_time(p.start),
        to_db_time(p.end),
        p.notes.clone(),
        p.reason.clone(),
        p.redirect_user_id,
    )
}

pub async fn insert(conn: &mut Conn<'_>, user_id: i64, p: &Stored) -> StorageResult<OutOfOffice> {
    let (start, end, notes, reason, redirect) = row(p);
    let values = (
        out_of_office::user_id.eq(user_id),
        out_of_office::start_at.eq(start),
        out_of_office::end_at.eq(end),
        out_of_office::notes.eq(notes),
        out_of_office::reason.eq(reason),
        out_of_office::redirect_user_id.eq(redirect),
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

/// Replaces the user's period `id`; `None` when they have none with that id.
pub async fn update_owned(
    conn: &mut Conn<'_>,
    user_id: i64,
    id: i64,
    p: &Stored,
) -> StorageResult<Option<OutOfOffice>> {
    let (start, end, notes, reason, redirect) = row(p);
    let changes = (
        out_of_office::start_at.eq(start),
        out_of_office::end_at.eq(end),
        out_of_office::notes.eq(notes),
        out_of_office::reason.eq(reason),
        out_of_office::redirect_user_id.eq(redirect),
    );
    Ok(with_conn!(conn, |c| {
        diesel::update(
            out_of_office::table
                .filter(out_of_office::id.eq(id))
                .filter(out_of_office::user_id.eq(user_id)),
        )
        .set(changes)
        .returning(OutOfOffice::as_returning())
        .get_result(c)
        .await
        .optional()
    })?)
}

pub async fn find_owned(
    conn: &mut Conn<'_>,
    user_id: i64,
    id: i64,
) -> StorageResult<Option<OutOfOffice>> {
    Ok(with_conn!(conn, |c| {
        out_of_office::table
            .filter(out_of_office::id.eq(id))
            .filter(out_of_office::user_id.eq(user_id))
            .select(OutOfOffice::as_select())
            .first(c)
            .await
            .optional()
    })?)
}

/// How a list of periods is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    StartAsc,
    StartDesc,
    EndAsc,
    EndDesc,
}

/// A user's periods (those that end after `after`, when given) in `order`, `take` of them after
/// the first `skip`.
pub async fn upcoming(
    conn: &mut Conn<'_>,
    user_id: i64,
    after: Option<DateTime<Utc>>,
    skip: i64,
    take: i64,
    order: Order,
) -> StorageResult<Vec<OutOfOffice>> {
    use out_of_office::{end_at, id, start_at};
    let after = after.map(to_db_time);
    let found = with_conn!(conn, |c| {
        let mut query = out_of_office::table
            .filter(out_of_office::user_id.eq(user_id))
            .select(OutOfOffice::as_select())
            .into_boxed();
        if let Some(after) = after {
            query = query.filter(end_at.gt(after));
        }
        query = match order {
            Order::StartAsc => query.order((start_at, id)),
            Order::StartDesc => query.order((start_at.desc(), id.desc())),
            Order::EndAsc => query.order((end_at, id)),
            Order::EndDesc => query.order((end_at.desc(), id.desc())),
        };
        query.offset(skip).limit(take).load(c).await
    })?;
    Ok(found)
}

/// The user's first period (by start) overlapping `[from, to)` that sends bookers to someone.
pub async fn first_redirect(
    conn: &mut Conn<'_>,
    user_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StorageResult<Option<OutOfOffice>> {
    let (from, to) = (to_db_time(from), to_db_time(to));
    Ok(with_conn!(conn, |c| {
        out_of_office::table
            .filter(out_of_office::user_id.eq(user_id))
            .filter(out_of_office::redirect_user_id.is_not_null())
            .filter(out_of_office::end_at.gt(from))
            .filter(out_of_office::start_at.lt(to))
            .select(OutOfOffice::as_select())
            .order((out_of_office::start_at, out_of_office::id))
            .first(c)
            .await
            .optional()
    })?)
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
