//! Slot reservations: short holds on a slot while a booker fills in the form.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::storage::schema::slot_reservations;
use crate::storage::{Conn, StorageResult, StoredInstant, to_db_time, with_conn};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = slot_reservations)]
pub struct ReservationRecord {
    pub uid: String,
    pub event_type_id: i64,
    pub user_id: Option<i64>,
    #[diesel(deserialize_as = StoredInstant)]
    pub slot_start: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub slot_end: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub expires_at: DateTime<Utc>,
    pub is_seat: bool,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
    /// An anonymous holder's key (a hash of their address); `None` when made with an API key.
    pub booker_key: Option<String>,
}

/// Unexpired reservations of this event type or of any of `hosts`, meeting `[from, to)`.
pub async fn reservations(
    conn: &mut Conn<'_>,
    event_type_id: i64,
    hosts: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StorageResult<Vec<ReservationRecord>> {
    let (from, to, now) = (to_db_time(from), to_db_time(to), to_db_time(now));
    let rows = with_conn!(conn, |c| {
        slot_reservations::table
            .filter(
                slot_reservations::event_type_id
                    .eq(event_type_id)
                    .or(slot_reservations::user_id.eq_any(hosts)),
            )
            .filter(slot_reservations::expires_at.gt(now))
            .filter(slot_reservations::slot_start.lt(to))
            .filter(slot_reservations::slot_end.gt(from))
            .select(ReservationRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn insert_reservation(conn: &mut Conn<'_>, r: &ReservationRecord) -> StorageResult<()> {
    let row = (
        slot_reservations::uid.eq(&r.uid),
        slot_reservations::event_type_id.eq(r.event_type_id),
        slot_reservations::user_id.eq(r.user_id),
        slot_reservations::slot_start.eq(to_db_time(r.slot_start)),
        slot_reservations::slot_end.eq(to_db_time(r.slot_end)),
        slot_reservations::expires_at.eq(to_db_time(r.expires_at)),
        slot_reservations::is_seat.eq(r.is_seat),
        slot_reservations::created_at.eq(to_db_time(r.created_at)),
        slot_reservations::booker_key.eq(r.booker_key.as_deref()),
    );
    with_conn!(conn, |c| {
        diesel::insert_into(slot_reservations::table)
            .values(row)
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn find_reservation(
    conn: &mut Conn<'_>,
    uid: &str,
) -> StorageResult<Option<ReservationRecord>> {
    let found = with_conn!(conn, |c| {
        slot_reservations::table
            .find(uid)
            .select(ReservationRecord::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

pub async fn update_reservation(conn: &mut Conn<'_>, r: &ReservationRecord) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::update(slot_reservations::table.find(&r.uid))
            .set((
                slot_reservations::slot_start.eq(to_db_time(r.slot_start)),
                slot_reservations::slot_end.eq(to_db_time(r.slot_end)),
                slot_reservations::expires_at.eq(to_db_time(r.expires_at)),
                slot_reservations::user_id.eq(r.user_id),
                slot_reservations::is_seat.eq(r.is_seat),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn delete_reservation(conn: &mut Conn<'_>, uid: &str) -> StorageResult<usize> {
    let n = with_conn!(conn, |c| {
        diesel::delete(slot_reservations::table.find(uid))
            .execute(c)
            .await
    })?;
    Ok(n)
}

/// How many unexpired holds `booker_key` has.
pub async fn open_reservations_of(
    conn: &mut Conn<'_>,
    booker_key: &str,
    now: DateTime<Utc>,
) -> StorageResult<i64> {
    let now = to_db_time(now);
    let n = with_conn!(conn, |c| {
        slot_reservations::table
            .filter(slot_reservations::booker_key.eq(booker_key))
            .filter(slot_reservations::expires_at.gt(now))
            .count()
            .get_result(c)
            .await
    })?;
    Ok(n)
}
