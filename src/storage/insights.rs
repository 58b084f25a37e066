//! What insights read: bookings counted in the database (grouped by UTC hour and outcome, per
//! host, per event type), never loaded row by row, and the page-view counts (`page_views`).
//! Read-only except `add_page_views`. The queries are SQL texts with the scope's integer ids
//! written in as digits; the few pieces that differ per backend are a [`Dialect`].

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Text, Timestamp};
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;

use super::schema::{event_types, page_views};
use super::{Conn, StorageResult, to_db_time, with_conn};
use crate::domain::BookingStatus;

/// Which bookings count: those starting in `[from, to)`, of these event types (all when
/// `None`), held or organised by `host` (anyone when `None`).
#[derive(Debug, Clone)]
pub struct BookingFilter {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub event_type_ids: Option<Vec<i64>>,
    pub host: Option<i64>,
}

/// Bookings starting in one UTC hour with one status.
#[derive(Debug, Clone, PartialEq)]
pub struct HourCount {
    pub hour: DateTime<Utc>,
    /// The stored status (`ACCEPTED`, `CANCELLED`, …).
    pub status: String,
    pub rescheduled: bool,
    /// The host or an attendee was marked absent.
    pub no_show: bool,
    pub bookings: i64,
    /// Sum over those bookings of (start - created), in seconds.
    pub lead_seconds: i64,
}

#[derive(QueryableByName)]
struct HourRow {
    #[diesel(sql_type = Text)]
    hour: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Bool)]
    rescheduled: bool,
    #[diesel(sql_type = Bool)]
    no_show: bool,
    #[diesel(sql_type = BigInt)]
    bookings: i64,
    #[diesel(sql_type = BigInt)]
    lead_seconds: i64,
}

#[derive(QueryableByName)]
struct KeyCount {
    #[diesel(sql_type = BigInt)]
    key: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The SQL pieces that differ per backend: the bound parameters' markers; the UTC hour a
/// booking starts in (grouped on) and as text `YYYY-MM-DD HH`; whether an attendee was absent;
/// the sum of (start - created) in seconds. Each is what measured fastest there with 100,000
/// bookings (docs/PERFORMANCE.md): SQLite probes a small partial index per booking, PostgreSQL
/// hashes the absent attendees once (a correlated subplan priced the query into JIT).
struct Dialect {
    first: &'static str,
    second: &'static str,
    hour: &'static str,
    hour_text: &'static str,
    absent_join: &'static str,
    absent: &'static str,
    lead: &'static str,
}

fn dialect(conn: &Conn<'_>) -> Dialect {
    match conn {
        Conn::Sqlite(_) => Dialect {
            first: "?",
            second: "?",
            hour: "substr(b.start_at, 1, 13)",
            hour_text: "g.hour",
            absent_join: "",
            absent: "EXISTS (SELECT 1 FROM attendees a WHERE a.booking_id = b.id AND a.no_show)",
            // Days as a real number: reading each timestamp once is half the cost of
            // strftime('%s') twice.
            lead: "CAST(COALESCE(SUM(julianday(b.start_at) - julianday(b.created_at)), 0) \
                   * 86400 AS BIGINT)",
        },
        Conn::Pg(_) => Dialect {
            first: "$1",
            second: "$2",
            hour: "date_trunc('hour', b.start_at)",
            hour_text: "to_char(g.hour, 'YYYY-MM-DD HH24')",
            absent_join: "LEFT JOIN (SELECT DISTINCT booking_id FROM attendees WHERE no_show) n \
                          ON n.booking_id = b.id",
            absent: "n.booking_id IS NOT NULL",
            lead: "CAST(COALESCE(EXTRACT(EPOCH FROM SUM(b.start_at - b.created_at)), 0) \
                   AS BIGINT)",
        },
    }
}

/// `WHERE` for the filter; the period's ends are the two bound parameters. Ids are integers,
/// written in as digits. `None` when the filter names no event type at all (nothing matches).
fn conditions(f: &BookingFilter, d: &Dialect, column: &str) -> Option<String> {
    let mut sql = format!("b.{column} >= {} AND b.{column} < {}", d.first, d.second);
    if let Some(ids) = &f.event_type_ids {
        if ids.is_empty() {
            return None;
        }
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        sql.push_str(&format!(" AND b.event_type_id IN ({})", list.join(",")));
    }
    if let Some(host) = f.host {
        sql.push_str(&format!(
            " AND (b.user_id = {host} OR EXISTS (SELECT 1 FROM booking_claims c \
             WHERE c.booking_id = b.id AND c.user_id = {host}))"
        ));
    }
    Some(sql)
}

/// Bookings by UTC hour of their start, status, rescheduled and no-show, with their lead time.
pub async fn by_hour(conn: &mut Conn<'_>, f: &BookingFilter) -> StorageResult<Vec<HourCount>> {
    let d = dialect(conn);
    let Some(filter) = conditions(f, &d, "start_at") else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT {hour_text} AS hour, g.status AS status, g.rescheduled AS rescheduled, \
         g.no_show AS no_show, g.bookings AS bookings, g.lead_seconds AS lead_seconds FROM (SELECT {hour} AS hour, b.status AS status, \
         b.rescheduled AS rescheduled, (b.no_show_host OR {absent}) AS no_show, \
         COUNT(*) AS bookings, {lead} AS lead_seconds FROM bookings b {join} \
         WHERE {filter} GROUP BY 1, 2, 3, 4) g ORDER BY 1",
        hour_text = d.hour_text,
        hour = d.hour,
        absent = d.absent,
        lead = d.lead,
        join = d.absent_join,
    );
    let (from, to) = (to_db_time(f.from), to_db_time(f.to));
    let rows: Vec<HourRow> = with_conn!(conn, |c| {
        diesel::sql_query(&sql)
            .bind::<Timestamp, _>(from)
            .bind::<Timestamp, _>(to)
            .load(c)
            .await
    })?;
    rows.into_iter().map(hour_count).collect()
}

fn hour_count(row: HourRow) -> StorageResult<HourCount> {
    let hour = NaiveDateTime::parse_from_str(&format!("{}:00", row.hour), "%Y-%m-%d %H:%M")
        .map_err(|e| super::StorageError::Corrupt {
            table: "bookings",
            column: "start_at",
            id: 0,
            message: format!("hour `{}`: {e}", row.hour),
        })?;
    Ok(HourCount {
        hour: hour.and_utc(),
        status: row.status,
        rescheduled: row.rescheduled,
        no_show: row.no_show,
        bookings: row.bookings,
        lead_seconds: row.lead_seconds,
    })
}

/// Active bookings (accepted or awaiting confirmation) per organiser: for round robin, the host
/// the booking was assigned to (fixed hosts join every booking, so their claims say nothing of
/// the rotation).
pub async fn per_host(conn: &mut Conn<'_>, f: &BookingFilter) -> StorageResult<Vec<(i64, i64)>> {
    let d = dialect(conn);
    let Some(filter) = conditions(f, &d, "start_at") else {
        return Ok(Vec::new());
    };
    let active: Vec<String> = BookingStatus::ACTIVE
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    let sql = format!(
        "SELECT b.user_id AS key, COUNT(*) AS n FROM bookings b \
         WHERE {filter} AND b.status IN ({}) GROUP BY b.user_id ORDER BY b.user_id",
        active.join(",")
    );
    keyed_counts(conn, &sql, f).await
}

/// Bookings made (by `created_at`) in the period, per event type.
pub async fn made_per_event_type(
    conn: &mut Conn<'_>,
    f: &BookingFilter,
) -> StorageResult<Vec<(i64, i64)>> {
    let d = dialect(conn);
    let Some(filter) = conditions(f, &d, "created_at") else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT b.event_type_id AS key, COUNT(*) AS n FROM bookings b \
         WHERE {filter} AND b.event_type_id IS NOT NULL GROUP BY b.event_type_id"
    );
    keyed_counts(conn, &sql, f).await
}

async fn keyed_counts(
    conn: &mut Conn<'_>,
    sql: &str,
    f: &BookingFilter,
) -> StorageResult<Vec<(i64, i64)>> {
    let (from, to) = (to_db_time(f.from), to_db_time(f.to));
    let rows: Vec<KeyCount> = with_conn!(conn, |c| {
        diesel::sql_query(sql)
            .bind::<Timestamp, _>(from)
            .bind::<Timestamp, _>(to)
            .load(c)
            .await
    })?;
    Ok(rows.into_iter().map(|r| (r.key, r.n)).collect())
}

/// Page views per event type over the UTC days `first..=last`.
pub async fn views_per_event_type(
    conn: &mut Conn<'_>,
    ids: &[i64],
    first: NaiveDate,
    last: NaiveDate,
) -> StorageResult<Vec<(i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let d = dialect(conn);
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT event_type_id AS key, CAST(SUM(views) AS BIGINT) AS n FROM page_views \
         WHERE event_type_id IN ({}) AND day >= {} AND day <= {} GROUP BY event_type_id",
        list.join(","),
        d.first,
        d.second
    );
    let rows: Vec<KeyCount> = with_conn!(conn, |c| {
        diesel::sql_query(&sql)
            .bind::<Date, _>(first)
            .bind::<Date, _>(last)
            .load(c)
            .await
    })?;
    Ok(rows.into_iter().map(|r| (r.key, r.n)).collect())
}

/// Adds views to each (event type, UTC day); event types deleted since are skipped.
pub async fn add_page_views(
    conn: &mut Conn<'_>,
    counts: &[(i64, NaiveDate, i64)],
) -> StorageResult<()> {
    let ids: Vec<i64> = counts.iter().map(|(id, _, _)| *id).collect();
    let existing: Vec<i64> = with_conn!(conn, |c| {
        event_types::table
            .filter(event_types::id.eq_any(ids))
            .select(event_types::id)
            .load(c)
            .await
    })?;
    for (id, day, n) in counts.iter().filter(|(id, _, _)| existing.contains(id)) {
        let row = (
            page_views::event_type_id.eq(*id),
            page_views::day.eq(*day),
            page_views::views.eq(*n),
        );
        with_conn!(conn, |c| {
            diesel::insert_into(page_views::table)
                .values(row)
                .on_conflict((page_views::event_type_id, page_views::day))
                .do_update()
                .set(page_views::views.eq(page_views::views + excluded(page_views::views)))
                .execute(c)
                .await
        })?;
    }
    Ok(())
}
