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

/// Records a change to a booking that may change what it counts for (its status, its hosts,
/// an absence): every such write ends here, in its transaction, so this is also where
/// insights' hourly roll-ups learn of the change (`storage::insights::recount`, for the
/// booking's hosts).
pub async fn append_history(
    conn: &mut Conn<'_>,
    booking_id: i64,
    entry: &HistoryEntry,
) -> StorageResult<()> {
    insert(conn, booking_id, entry).await?;
    crate::storage::insights::recount(conn, booking_id, None).await
}

/// Records that a booking passed from the host `from` to another: the roll-ups are recounted
/// for the hosts it has now and for `from`, who no longer counts it.
pub async fn append_reassignment(
    conn: &mut Conn<'_>,
    booking_id: i64,
    entry: &HistoryEntry,
    from: i64,
) -> StorageResult<()> {
    insert(conn, booking_id, entry).await?;
    crate::storage::insights::recount(conn, booking_id, Some(from)).await
}

/// Records something that happened to a booking without changing anything it is counted by
/// (a reminder sent, a calendar written, a location changed, a conflict seen): a status change
/// is never a note, and the roll-ups are not recounted.
pub async fn append_note(
    conn: &mut Conn<'_>,
    booking_id: i64,
    entry: &HistoryEntry,
) -> StorageResult<()> {
    debug_assert!(
        entry.from_status.is_none() && entry.to_status.is_none(),
        "a status change is recorded with append_history, which recounts the roll-ups"
    );
    insert(conn, booking_id, entry).await
}

async fn insert(conn: &mut Conn<'_>, booking_id: i64, entry: &HistoryEntry) -> StorageResult<()> {
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
    Ok(())
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
