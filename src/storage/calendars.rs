//! External calendar connections, their calendars, the busy cache, destinations, the events
//! written for bookings. Secrets arrive here already sealed.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::busy_summaries;
use super::schema::{
    busy_intervals, calendar_channels, calendar_connections, calendar_events, connection_calendars,
    destination_calendars,
};
use super::{Conn, StorageError, StorageResult, StoredInstant, to_db_time, with_conn};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calendar_connections)]
pub struct ConnectionRecord {
    pub id: i64,
    pub user_id: i64,
    pub provider: String,
    pub account: String,
    pub secrets: String,
    pub status: String,
    pub invalid_reason: Option<String>,
    pub failures: i32,
    pub last_error: Option<String>,
    pub synced_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
}

/// A connection to add, or to renew when the user connects the same account again.
pub struct NewConnection<'a> {
    pub user_id: i64,
    pub provider: &'a str,
    pub account: &'a str,
    pub account_key: &'a str,
    pub secrets: &'a str,
}

/// Adds the connection, or gives an existing one for the same account the new secrets and a
/// clean slate; it is due for a sync at once. Returns its id.
pub async fn upsert_connection(
    conn: &mut Conn<'_>,
    new: &NewConnection<'_>,
    now: DateTime<Utc>,
) -> StorageResult<i64> {
    let now = to_db_time(now);
    let existing: Option<i64> = with_conn!(conn, |c| {
        calendar_connections::table
            .filter(calendar_connections::user_id.eq(new.user_id))
            .filter(calendar_connections::provider.eq(new.provider))
            .filter(calendar_connections::account_key.eq(new.account_key))
            .select(calendar_connections::id)
            .first(c)
            .await
            .optional()
    })?;
    if let Some(id) = existing {
        with_conn!(conn, |c| {
            diesel::update(calendar_connections::table.find(id))
                .set((
                    calendar_connections::account.eq(new.account),
                    calendar_connections::secrets.eq(new.secrets),
                    calendar_connections::status.eq("active"),
                    calendar_connections::invalid_reason.eq(None::<String>),
                    calendar_connections::failures.eq(0),
                    calendar_connections::last_error.eq(None::<String>),
                    calendar_connections::sync_due_at.eq(now),
                    calendar_connections::updated_at.eq(now),
                ))
                .execute(c)
                .await
        })?;
        return Ok(id);
    }
    Ok(with_conn!(conn, |c| {
        diesel::insert_into(calendar_connections::table)
            .values((
                calendar_connections::user_id.eq(new.user_id),
                calendar_connections::provider.eq(new.provider),
                calendar_connections::account.eq(new.account),
                calendar_connections::account_key.eq(new.account_key),
                calendar_connections::secrets.eq(new.secrets),
                calendar_connections::sync_due_at.eq(now),
                calendar_connections::created_at.eq(now),
                calendar_connections::updated_at.eq(now),
            ))
            .returning(calendar_connections::id)
            .get_result(c)
            .await
    })?)
}

pub async fn connections_of(
    conn: &mut Conn<'_>,
    user_id: i64,
) -> StorageResult<Vec<ConnectionRecord>> {
    Ok(with_conn!(conn, |c| {
        calendar_connections::table
            .filter(calendar_connections::user_id.eq(user_id))
            .order(calendar_connections::id)
            .select(ConnectionRecord::as_select())
            .load(c)
            .await
    })?)
}

pub async fn connection(conn: &mut Conn<'_>, id: i64) -> StorageResult<ConnectionRecord> {
    with_conn!(conn, |c| {
        calendar_connections::table
            .find(id)
            .select(ConnectionRecord::as_select())
            .first(c)
            .await
            .optional()
    })?
    .ok_or(StorageError::NotFound)
}

/// Locks the connection's row until the transaction ends (PostgreSQL; SQLite's writers are
/// serialised anyway), and says whether it still exists. Every transaction that writes a
/// connection's calendars or busy time takes this lock first, in the same order as a
/// disconnect's cascade (connection, then its rows), so the two cannot deadlock.
pub async fn lock_connection(conn: &mut Conn<'_>, id: i64) -> StorageResult<bool> {
    let query = calendar_connections::table
        .find(id)
        .select(calendar_connections::id);
    let found: Option<i64> = match conn {
        Conn::Pg(c) => query.for_update().first(&mut **c).await.optional()?,
        Conn::Sqlite(c) => query.first(&mut **c).await.optional()?,
    };
    Ok(found.is_some())
}

/// Removes the connection with its calendars and their busy time.
pub async fn delete_connection(conn: &mut Conn<'_>, id: i64) -> StorageResult<()> {
    let owner: Vec<i64> = with_conn!(conn, |c| {
        diesel::delete(calendar_connections::table.find(id))
            .returning(calendar_connections::user_id)
            .get_results(c)
            .await
    })?;
    for user in owner {
        busy_summaries::refresh(conn, user).await?;
    }
    Ok(())
}

/// Stores renewed secrets (a refreshed OAuth token).
pub async fn set_secrets(conn: &mut Conn<'_>, id: i64, secrets: &str) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::update(calendar_connections::table.find(id))
            .set(calendar_connections::secrets.eq(secrets))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Makes the connection due for a sync now (a push notification, a change of selection).
pub async fn sync_soon(conn: &mut Conn<'_>, id: i64, now: DateTime<Utc>) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::update(calendar_connections::table.find(id))
            .filter(calendar_connections::status.eq("active"))
            .set(calendar_connections::sync_due_at.eq(to_db_time(now)))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Leases up to `limit` active connections due for a sync to `owner` until `until`.
pub async fn claim_due(
    conn: &mut Conn<'_>,
    owner: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> StorageResult<Vec<ConnectionRecord>> {
    let now = to_db_time(now);
    let candidates = calendar_connections::table
        .filter(calendar_connections::status.eq("active"))
        .filter(calendar_connections::sync_due_at.le(now))
        .filter(
            calendar_connections::locked_until
                .is_null()
                .or(calendar_connections::locked_until.le(now)),
        )
        .order(calendar_connections::sync_due_at)
        .limit(limit)
        .select(calendar_connections::id);
    let ids: Vec<i64> = match conn {
        Conn::Pg(c) => candidates.for_update().skip_locked().load(&mut **c).await?,
        Conn::Sqlite(c) => candidates.load(&mut **c).await?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    with_conn!(conn, |c| {
        diesel::update(calendar_connections::table.filter(calendar_connections::id.eq_any(&ids)))
            .set((
                calendar_connections::locked_by.eq(owner),
                calendar_connections::locked_until.eq(to_db_time(until)),
            ))
            .execute(c)
            .await
    })?;
    Ok(with_conn!(conn, |c| {
        calendar_connections::table
            .filter(calendar_connections::id.eq_any(&ids))
            .order(calendar_connections::sync_due_at)
            .select(ConnectionRecord::as_select())
            .load(c)
            .await
    })?)
}

/// How a sync ended, for [`finish_sync`].
pub enum SyncEnd<'a> {
    Synced {
        next_at: DateTime<Utc>,
        /// When the cache stops being trusted (`None`: never, the `ignore` policy).
        blocks_after: Option<DateTime<Utc>>,
    },
    Failed {
        next_at: DateTime<Utc>,
        error: &'a str,
    },
    /// The connection needs its owner (credentials refused, or failing for too long).
    Invalid { error: &'a str },
}

/// Records a sync's end and releases the lease, if `owner` still holds it.
pub async fn finish_sync(
    conn: &mut Conn<'_>,
    id: i64,
    owner: &str,
    end: &SyncEnd<'_>,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let now = to_db_time(now);
    let target = calendar_connections::table
        .find(id)
        .filter(calendar_connections::locked_by.eq(owner));
    let release = (
        calendar_connections::locked_by.eq(None::<String>),
        calendar_connections::locked_until.eq(None::<NaiveDateTime>),
        calendar_connections::updated_at.eq(now),
    );
    with_conn!(conn, |c| match end {
        SyncEnd::Synced {
            next_at,
            blocks_after,
        } => {
            diesel::update(target)
                .set((
                    release,
                    calendar_connections::blocks_after.eq(blocks_after.map(to_db_time)),
                    calendar_connections::failures.eq(0),
                    calendar_connections::last_error.eq(None::<String>),
                    calendar_connections::synced_at.eq(now),
                    calendar_connections::sync_due_at.eq(to_db_time(*next_at)),
                ))
                .execute(c)
                .await
        }
        SyncEnd::Failed { next_at, error } => {
            diesel::update(target)
                .set((
                    release,
                    calendar_connections::failures.eq(calendar_connections::failures + 1),
                    calendar_connections::last_error.eq(*error),
                    calendar_connections::sync_due_at.eq(to_db_time(*next_at)),
                ))
                .execute(c)
                .await
        }
        SyncEnd::Invalid { error } => {
            diesel::update(target)
                .set((
                    release,
                    calendar_connections::failures.eq(calendar_connections::failures + 1),
                    calendar_connections::status.eq("invalid"),
                    calendar_connections::invalid_reason.eq(*error),
                    calendar_connections::last_error.eq(*error),
                ))
                .execute(c)
                .await
        }
    })?;
    Ok(())
}

/// Gives leased connections back, due as they were.
pub async fn release(conn: &mut Conn<'_>, ids: &[i64], owner: &str) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::update(
            calendar_connections::table
                .filter(calendar_connections::id.eq_any(ids))
                .filter(calendar_connections::locked_by.eq(owner)),
        )
        .set((
            calendar_connections::locked_by.eq(None::<String>),
            calendar_connections::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(c)
        .await
    })?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = connection_calendars)]
pub struct CalendarRecord {
    pub id: i64,
    pub connection_id: i64,
    pub user_id: i64,
    pub external_id: String,
    pub name: String,
    pub is_primary: bool,
    pub read_only: bool,
    pub time_zone: Option<String>,
    pub selected: bool,
    pub cursor: Option<String>,
    pub synced_at: Option<NaiveDateTime>,
}

/// A calendar as the provider lists it.
pub struct ListedCalendar<'a> {
    pub external_id: &'a str,
    pub name: &'a str,
    pub is_primary: bool,
    pub read_only: bool,
    pub time_zone: Option<&'a str>,
}

pub async fn calendars_of_connection(
    conn: &mut Conn<'_>,
    connection_id: i64,
) -> StorageResult<Vec<CalendarRecord>> {
    Ok(with_conn!(conn, |c| {
        connection_calendars::table
            .filter(connection_calendars::connection_id.eq(connection_id))
            .order(connection_calendars::id)
            .select(CalendarRecord::as_select())
            .load(c)
            .await
    })?)
}

pub async fn calendars_of_user(
    conn: &mut Conn<'_>,
    user_id: i64,
) -> StorageResult<Vec<CalendarRecord>> {
    Ok(with_conn!(conn, |c| {
        connection_calendars::table
            .filter(connection_calendars::user_id.eq(user_id))
            .order(connection_calendars::id)
            .select(CalendarRecord::as_select())
            .load(c)
            .await
    })?)
}

/// A selected calendar a booking-time re-check asks again, with its connection and the zone of
/// its owner.
pub type StaleCalendar = (ConnectionRecord, CalendarRecord, String);

/// The selected calendars of `hosts` last read before `bound` (or never), on connections that
/// are active and whose last sync did not fail, in one query. A failing connection is left
/// out: asking it would only add its timeout to every booking while its provider is down.
pub async fn stale_calendars(
    conn: &mut Conn<'_>,
    hosts: &[i64],
    bound: DateTime<Utc>,
) -> StorageResult<Vec<StaleCalendar>> {
    use super::schema::users;
    if hosts.is_empty() {
        return Ok(Vec::new());
    }
    let bound = to_db_time(bound);
    Ok(with_conn!(conn, |c| {
        connection_calendars::table
            .inner_join(calendar_connections::table)
            .inner_join(users::table.on(users::id.eq(connection_calendars::user_id)))
            .filter(connection_calendars::user_id.eq_any(hosts))
            .filter(connection_calendars::selected.eq(true))
            .filter(
                connection_calendars::synced_at
                    .is_null()
                    .or(connection_calendars::synced_at.lt(bound)),
            )
            .filter(calendar_connections::status.eq("active"))
            .filter(calendar_connections::failures.eq(0))
            .order((calendar_connections::id, connection_calendars::id))
            .select((
                ConnectionRecord::as_select(),
                CalendarRecord::as_select(),
                users::time_zone,
            ))
            .load(c)
            .await
    })?)
}

/// Makes the stored calendars of a connection the listed ones: new ones are added (selected
/// when `select_new` says so), names and flags follow the provider, vanished ones go with their
/// busy time. True when a calendar went: the caller then rebuilds the owner's busy summary
/// ([`busy_summaries::refresh`]) once it has written everything else it changes.
#[must_use = "a calendar that went leaves the owner's busy summary stale"]
pub async fn replace_calendars(
    conn: &mut Conn<'_>,
    connection_id: i64,
    user_id: i64,
    listed: &[ListedCalendar<'_>],
    select_new: impl Fn(&ListedCalendar<'_>) -> bool,
) -> StorageResult<bool> {
    let stored = calendars_of_connection(conn, connection_id).await?;
    let gone: Vec<i64> = stored
        .iter()
        .filter(|s| !listed.iter().any(|l| l.external_id == s.external_id))
        .map(|s| s.id)
        .collect();
    with_conn!(conn, |c| {
        diesel::delete(connection_calendars::table.filter(connection_calendars::id.eq_any(&gone)))
            .execute(c)
            .await
    })?;
    for l in listed {
        let values = (
            connection_calendars::name.eq(l.name),
            connection_calendars::is_primary.eq(l.is_primary),
            connection_calendars::read_only.eq(l.read_only),
            connection_calendars::time_zone.eq(l.time_zone),
        );
        match stored.iter().find(|s| s.external_id == l.external_id) {
            Some(s) => with_conn!(conn, |c| {
                diesel::update(connection_calendars::table.find(s.id))
                    .set(values)
                    .execute(c)
                    .await
            })?,
            None => with_conn!(conn, |c| {
                diesel::insert_into(connection_calendars::table)
                    .values((
                        values,
                        connection_calendars::connection_id.eq(connection_id),
                        connection_calendars::user_id.eq(user_id),
                        connection_calendars::external_id.eq(l.external_id),
                        connection_calendars::selected.eq(select_new(l)),
                    ))
                    .execute(c)
                    .await
            })?,
        };
    }
    Ok(!gone.is_empty())
}

/// Selects or deselects one of the user's calendars; false when they have no such calendar.
pub async fn set_selected(
    conn: &mut Conn<'_>,
    user_id: i64,
    calendar_id: i64,
    selected: bool,
) -> StorageResult<bool> {
    let changed = with_conn!(conn, |c| {
        diesel::update(
            connection_calendars::table
                .find(calendar_id)
                .filter(connection_calendars::user_id.eq(user_id)),
        )
        .set(connection_calendars::selected.eq(selected))
        .execute(c)
        .await
    })?;
    if changed == 1 {
        busy_summaries::refresh(conn, user_id).await?;
    }
    Ok(changed == 1)
}

/// A calendar's busy time over `[from, to)` as read from its provider.
pub struct BusyRow<'a> {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub uid: Option<&'a str>,
    pub summary: Option<&'a str>,
}

/// Replaces the calendar's cached busy time with `rows` and records the new cursor. The
/// caller then builds the owner's summary once for all the calendars it wrote
/// ([`busy_summaries::refresh`]): until it does, the slot path does not see the change.
pub async fn replace_busy(
    conn: &mut Conn<'_>,
    calendar: &CalendarRecord,
    rows: &[BusyRow<'_>],
    cursor: Option<&str>,
    covered: (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(busy_intervals::table.filter(busy_intervals::calendar_id.eq(calendar.id)))
            .execute(c)
            .await
    })?;
    let values: Vec<_> = rows
        .iter()
        .filter(|r| r.start < r.end)
        .map(|r| {
            (
                busy_intervals::calendar_id.eq(calendar.id),
                busy_intervals::user_id.eq(calendar.user_id),
                busy_intervals::start_at.eq(to_db_time(r.start)),
                busy_intervals::end_at.eq(to_db_time(r.end)),
                busy_intervals::uid.eq(r.uid),
                busy_intervals::summary.eq(r.summary),
            )
        })
        .collect();
    match conn {
        // One statement per 500 rows (PostgreSQL's parameter limit is far away).
        Conn::Pg(c) => {
            for chunk in values.chunks(500) {
                diesel::insert_into(busy_intervals::table)
                    .values(chunk)
                    .execute(&mut **c)
                    .await?;
            }
        }
        // SQLite has no multi-row insert in diesel; in one transaction, rows are cheap.
        Conn::Sqlite(c) => {
            for row in values {
                diesel::insert_into(busy_intervals::table)
                    .values(row)
                    .execute(&mut **c)
                    .await?;
            }
        }
    }
    with_conn!(conn, |c| {
        diesel::update(connection_calendars::table.find(calendar.id))
            .set((
                connection_calendars::cursor.eq(cursor),
                connection_calendars::synced_at.eq(to_db_time(now)),
                connection_calendars::covered_from.eq(to_db_time(covered.0)),
                connection_calendars::covered_until.eq(to_db_time(covered.1)),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Records that a calendar was read and had not changed.
pub async fn touch_calendar(
    conn: &mut Conn<'_>,
    calendar_id: i64,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::update(connection_calendars::table.find(calendar_id))
            .set(connection_calendars::synced_at.eq(to_db_time(now)))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// One cached busy block of a user's, for `GET /v2/calendars/busy-times`.
#[derive(Debug, Clone, Queryable)]
pub struct CachedBusy {
    pub calendar_id: i64,
    #[diesel(deserialize_as = StoredInstant)]
    pub start: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub end: DateTime<Utc>,
    pub uid: Option<String>,
    pub summary: Option<String>,
}

pub async fn busy_of_user(
    conn: &mut Conn<'_>,
    user_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StorageResult<Vec<CachedBusy>> {
    Ok(with_conn!(conn, |c| {
        busy_intervals::table
            .filter(busy_intervals::user_id.eq(user_id))
            .filter(busy_intervals::start_at.lt(to_db_time(to)))
            .filter(busy_intervals::end_at.gt(to_db_time(from)))
            .order(busy_intervals::start_at)
            .select((
                busy_intervals::calendar_id,
                busy_intervals::start_at,
                busy_intervals::end_at,
                busy_intervals::uid,
                busy_intervals::summary,
            ))
            .load(c)
            .await
    })?)
}

/// The oldest successful read among the selected calendars of each host that has any:
/// (host, oldest `synced_at`, or `None` when one was never read).
pub async fn selected_freshness(
    conn: &mut Conn<'_>,
    hosts: &[i64],
) -> StorageResult<Vec<(i64, Option<NaiveDateTime>)>> {
    Ok(with_conn!(conn, |c| {
        connection_calendars::table
            .filter(connection_calendars::user_id.eq_any(hosts))
            .filter(connection_calendars::selected.eq(true))
            .select((
                connection_calendars::user_id,
                connection_calendars::synced_at,
            ))
            .load(c)
            .await
    })?)
}

/// The calendar a host's bookings of `event_type_id` go to: the event type's own choice, else
/// the host's default.
pub async fn destination(
    conn: &mut Conn<'_>,
    user_id: i64,
    event_type_id: Option<i64>,
) -> StorageResult<Option<CalendarRecord>> {
    let rows: Vec<(Option<i64>, CalendarRecord)> = with_conn!(conn, |c| {
        destination_calendars::table
            .inner_join(connection_calendars::table)
            .filter(destination_calendars::user_id.eq(user_id))
            .filter(
                destination_calendars::event_type_id.is_null().or(
                    destination_calendars::event_type_id
                        .nullable()
                        .eq(event_type_id),
                ),
            )
            .select((
                destination_calendars::event_type_id,
                CalendarRecord::as_select(),
            ))
            .load(c)
            .await
    })?;
    let own = rows
        .iter()
        .find(|(e, _)| e.is_some() && *e == event_type_id);
    let default = rows.iter().find(|(e, _)| e.is_none());
    Ok(own.or(default).map(|(_, cal)| cal.clone()))
}

/// Sets the user's default destination (`event_type_id` `None`) or one event type's.
pub async fn set_destination(
    conn: &mut Conn<'_>,
    user_id: i64,
    event_type_id: Option<i64>,
    calendar_id: i64,
) -> StorageResult<()> {
    let mine = destination_calendars::table.filter(destination_calendars::user_id.eq(user_id));
    with_conn!(conn, |c| match event_type_id {
        Some(id) => {
            diesel::delete(mine.filter(destination_calendars::event_type_id.eq(id)))
                .execute(c)
                .await
        }
        None => {
            diesel::delete(mine.filter(destination_calendars::event_type_id.is_null()))
                .execute(c)
                .await
        }
    })?;
    with_conn!(conn, |c| {
        diesel::insert_into(destination_calendars::table)
            .values((
                destination_calendars::user_id.eq(user_id),
                destination_calendars::event_type_id.eq(event_type_id),
                destination_calendars::calendar_id.eq(calendar_id),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// The user's default destination calendar's id, if any.
pub async fn default_destination_id(
    conn: &mut Conn<'_>,
    user_id: i64,
) -> StorageResult<Option<i64>> {
    Ok(with_conn!(conn, |c| {
        destination_calendars::table
            .filter(destination_calendars::user_id.eq(user_id))
            .filter(destination_calendars::event_type_id.is_null())
            .select(destination_calendars::calendar_id)
            .first(c)
            .await
            .optional()
    })?)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calendar_events)]
pub struct WrittenRecord {
    pub id: i64,
    pub booking_id: i64,
    pub user_id: i64,
    pub calendar_id: Option<i64>,
    pub external_id: String,
    pub etag: Option<String>,
    pub meeting_url: Option<String>,
}

pub async fn written_event(
    conn: &mut Conn<'_>,
    booking_id: i64,
    user_id: i64,
) -> StorageResult<Option<WrittenRecord>> {
    Ok(with_conn!(conn, |c| {
        calendar_events::table
            .filter(calendar_events::booking_id.eq(booking_id))
            .filter(calendar_events::user_id.eq(user_id))
            .select(WrittenRecord::as_select())
            .first(c)
            .await
            .optional()
    })?)
}

/// The events written for a booking, one per host that has one.
pub async fn written_events(
    conn: &mut Conn<'_>,
    booking_id: i64,
) -> StorageResult<Vec<WrittenRecord>> {
    Ok(with_conn!(conn, |c| {
        calendar_events::table
            .filter(calendar_events::booking_id.eq(booking_id))
            .select(WrittenRecord::as_select())
            .load(c)
            .await
    })?)
}

/// Records (or replaces) the event written for a booking and host.
pub async fn save_written_event(
    conn: &mut Conn<'_>,
    booking_id: i64,
    user_id: i64,
    calendar_id: i64,
    event: (&str, Option<&str>, Option<&str>),
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let (external_id, etag, meeting_url) = event;
    let now = to_db_time(now);
    forget_written_event(conn, booking_id, user_id).await?;
    with_conn!(conn, |c| {
        diesel::insert_into(calendar_events::table)
            .values((
                calendar_events::booking_id.eq(booking_id),
                calendar_events::user_id.eq(user_id),
                calendar_events::calendar_id.eq(calendar_id),
                calendar_events::external_id.eq(external_id),
                calendar_events::etag.eq(etag),
                calendar_events::meeting_url.eq(meeting_url),
                calendar_events::created_at.eq(now),
                calendar_events::updated_at.eq(now),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn forget_written_event(
    conn: &mut Conn<'_>,
    booking_id: i64,
    user_id: i64,
) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(
            calendar_events::table
                .filter(calendar_events::booking_id.eq(booking_id))
                .filter(calendar_events::user_id.eq(user_id)),
        )
        .execute(c)
        .await
    })?;
    Ok(())
}

pub async fn calendar(conn: &mut Conn<'_>, id: i64) -> StorageResult<CalendarRecord> {
    with_conn!(conn, |c| {
        connection_calendars::table
            .find(id)
            .select(CalendarRecord::as_select())
            .first(c)
            .await
            .optional()
    })?
    .ok_or(StorageError::NotFound)
}

/// Whether any host of the booking (any of its claims) has a calendar to write bookings into.
pub async fn any_destination(conn: &mut Conn<'_>, booking_id: i64) -> StorageResult<bool> {
    use super::schema::booking_claims;
    let hosts = booking_claims::table
        .filter(booking_claims::booking_id.eq(booking_id))
        .select(booking_claims::user_id);
    let found: Option<i64> = with_conn!(conn, |c| {
        destination_calendars::table
            .filter(destination_calendars::user_id.eq_any(hosts))
            .select(destination_calendars::id)
            .first(c)
            .await
            .optional()
    })?;
    Ok(found.is_some())
}

/// Moves the event written for `from_booking` and host to `to_booking` (a reschedule keeps
/// the meeting); returns it.
pub async fn adopt_written_event(
    conn: &mut Conn<'_>,
    from_booking: i64,
    to_booking: i64,
    user_id: i64,
) -> StorageResult<Option<WrittenRecord>> {
    with_conn!(conn, |c| {
        diesel::update(
            calendar_events::table
                .filter(calendar_events::booking_id.eq(from_booking))
                .filter(calendar_events::user_id.eq(user_id)),
        )
        .set(calendar_events::booking_id.eq(to_booking))
        .execute(c)
        .await
    })?;
    written_event(conn, to_booking, user_id).await
}

/// An accepted booking a user hosts (holds an active claim on), by its own times.
#[derive(Debug, Clone, Queryable)]
pub struct HostedBooking {
    pub booking_id: i64,
    #[diesel(deserialize_as = StoredInstant)]
    pub start: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub end: DateTime<Utc>,
}

/// The accepted bookings `user_id` hosts that overlap `[from, to)`.
pub async fn hosted_bookings(
    conn: &mut Conn<'_>,
    user_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StorageResult<Vec<HostedBooking>> {
    use super::schema::{booking_claims, bookings};
    let accepted = crate::domain::BookingStatus::Accepted.as_str();
    Ok(with_conn!(conn, |c| {
        bookings::table
            .inner_join(booking_claims::table)
            .filter(booking_claims::user_id.eq(user_id))
            .filter(booking_claims::active.eq(true))
            .filter(bookings::status.eq(accepted))
            .filter(bookings::start_at.lt(to_db_time(to)))
            .filter(bookings::end_at.gt(to_db_time(from)))
            .order(bookings::start_at)
            .select((bookings::id, bookings::start_at, bookings::end_at))
            .load(c)
            .await
    })?)
}

/// Which of `uids` are bookings' iCalendar UIDs: busy time that is a Kairos booking's own
/// written-back event.
pub async fn booking_ical_uids(conn: &mut Conn<'_>, uids: &[&str]) -> StorageResult<Vec<String>> {
    use super::schema::bookings;
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(with_conn!(conn, |c| {
        bookings::table
            .filter(bookings::ical_uid.eq_any(uids))
            .select(bookings::ical_uid)
            .load(c)
            .await
    })?)
}

/// An external event overlapping a booking, found after the fact.
pub struct NewConflict<'a> {
    pub booking_id: i64,
    pub user_id: i64,
    pub calendar_id: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: Option<&'a str>,
}

/// Records the conflict; false when it was known already (same booking, calendar and times).
pub async fn insert_conflict(
    conn: &mut Conn<'_>,
    new: &NewConflict<'_>,
    now: DateTime<Utc>,
) -> StorageResult<bool> {
    use super::schema::booking_conflicts as bc;
    let inserted = with_conn!(conn, |c| {
        diesel::insert_into(bc::table)
            .values((
                bc::booking_id.eq(new.booking_id),
                bc::user_id.eq(new.user_id),
                bc::calendar_id.eq(new.calendar_id),
                bc::start_at.eq(to_db_time(new.start)),
                bc::end_at.eq(to_db_time(new.end)),
                bc::summary.eq(new.summary),
                bc::detected_at.eq(to_db_time(now)),
            ))
            .on_conflict_do_nothing()
            .execute(c)
            .await
    })?;
    Ok(inserted == 1)
}

/// A recorded conflict as its host sees it: the calendar's name and the event's times.
#[derive(Debug, Clone, Queryable)]
pub struct ConflictRecord {
    pub calendar: String,
    #[diesel(deserialize_as = StoredInstant)]
    pub start: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub end: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub detected_at: DateTime<Utc>,
}

/// The conflicts found on `user_id`'s calendars for a booking, earliest first.
pub async fn conflicts_of(
    conn: &mut Conn<'_>,
    booking_id: i64,
    user_id: i64,
) -> StorageResult<Vec<ConflictRecord>> {
    use super::schema::booking_conflicts as bc;
    Ok(with_conn!(conn, |c| {
        bc::table
            .inner_join(
                connection_calendars::table.on(connection_calendars::id.eq(bc::calendar_id)),
            )
            .filter(bc::booking_id.eq(booking_id))
            .filter(bc::user_id.eq(user_id))
            .order((bc::start_at, bc::id))
            .select((
                connection_calendars::name,
                bc::start_at,
                bc::end_at,
                bc::detected_at,
            ))
            .load(c)
            .await
    })?)
}

/// A push channel (a Google `events.watch` channel or a Graph subscription) on one calendar.
/// Only a SHA-256 of its secret (Google's channel token, Graph's `clientState`) is kept.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calendar_channels)]
pub struct ChannelRecord {
    pub id: String,
    pub calendar_id: i64,
    pub resource_id: Option<String>,
    pub token_hash: String,
    #[diesel(deserialize_as = StoredInstant)]
    pub expires_at: DateTime<Utc>,
}

/// The channels on the calendars of a connection.
pub async fn channels_of_connection(
    conn: &mut Conn<'_>,
    connection_id: i64,
) -> StorageResult<Vec<ChannelRecord>> {
    Ok(with_conn!(conn, |c| {
        calendar_channels::table
            .filter(
                calendar_channels::calendar_id.eq_any(
                    connection_calendars::table
                        .filter(connection_calendars::connection_id.eq(connection_id))
                        .select(connection_calendars::id),
                ),
            )
            .order(calendar_channels::created_at)
            .select(ChannelRecord::as_select())
            .load(c)
            .await
    })?)
}

/// A channel by its id, with the connection its calendar belongs to.
pub async fn channel(conn: &mut Conn<'_>, id: &str) -> StorageResult<Option<(ChannelRecord, i64)>> {
    let found: Option<ChannelRecord> = with_conn!(conn, |c| {
        calendar_channels::table
            .find(id)
            .select(ChannelRecord::as_select())
            .first(c)
            .await
            .optional()
    })?;
    let Some(found) = found else {
        return Ok(None);
    };
    let connection_id = calendar(conn, found.calendar_id).await?.connection_id;
    Ok(Some((found, connection_id)))
}

pub async fn save_channel(
    conn: &mut Conn<'_>,
    channel: &ChannelRecord,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::insert_into(calendar_channels::table)
            .values((
                calendar_channels::id.eq(&channel.id),
                calendar_channels::calendar_id.eq(channel.calendar_id),
                calendar_channels::resource_id.eq(&channel.resource_id),
                calendar_channels::token_hash.eq(&channel.token_hash),
                calendar_channels::expires_at.eq(to_db_time(channel.expires_at)),
                calendar_channels::created_at.eq(to_db_time(now)),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Moves a channel's expiry (a renewed Graph subscription, or `now` to have the next sync
/// renew it).
pub async fn set_channel_expiry(
    conn: &mut Conn<'_>,
    id: &str,
    expires_at: DateTime<Utc>,
) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::update(calendar_channels::table.find(id))
            .set(calendar_channels::expires_at.eq(to_db_time(expires_at)))
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn delete_channel(conn: &mut Conn<'_>, id: &str) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(calendar_channels::table.find(id))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// When the connection is next due for a sync.
pub async fn sync_due_at(conn: &mut Conn<'_>, id: i64) -> StorageResult<Option<DateTime<Utc>>> {
    let due: Option<NaiveDateTime> = with_conn!(conn, |c| {
        calendar_connections::table
            .find(id)
            .select(calendar_connections::sync_due_at)
            .first(c)
            .await
            .optional()
    })?;
    Ok(due.map(|d| d.and_utc()))
}
