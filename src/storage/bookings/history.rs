//! A booking's history: one row per change, who made it, and the status before and after.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::domain::BookingStatus;
use crate::storage::schema::booking_history;
use crate::storage::{Conn, StorageResult, StoredInstant, to_db_time, with_conn};

#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub action: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub from_status: Option<BookingStatus>,
    pub to_status: Option<BookingStatus>,
    pub changes: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = booking_history)]
pub struct HistoryRecord {
    pub id: i64,
    #[diesel(deserialize_as = StoredInstant)]
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub changes: String,
    pub reason: Option<String>,
}

/// Records a change to a booking. Every booking write ends here, in its transaction, so this is
/// also where insights' hourly roll-ups learn of the change (`storage::insights::recount`).
pub async fn append_history(
    conn: &mut Conn<'_>,
    booking_id: i64,
    entry: &HistoryEntry,
) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    let row = (
        booking_history::booking_id.eq(booking_id),
        booking_history::at.eq(now),
        booking_history::action.eq(&entry.action),
        booking_history::actor_kind.eq(&entry.actor_kind),
        booking_history::actor_id.eq(&entry.actor_id),
        booking_history::from_status.eq(entry.from_status.map(BookingStatus::as_str)),
        booking_history::to_status.eq(entry.to_status.map(BookingStatus::as_str)),
        booking_history::changes.eq(&entry.changes),
        booking_history::reason.eq(&entry.reason),
    );
    with_conn!(conn, |c| {
        diesel::insert_into(booking_history::table)
            .values(row)
            .execute(c)
            .await
    })?;
    crate::storage::insights::recount(conn, booking_id).await
}

pub async fn history(conn: &mut Conn<'_>, booking_id: i64) -> StorageResult<Vec<HistoryRecord>> {
    let rows = with_conn!(conn, |c| {
        booking_history::table
            .filter(booking_history::booking_id.eq(booking_id))
            .order(booking_history::id)
            .select(HistoryRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}
