//! What insights read: bookings counted per UTC hour and outcome, per host, per event type,
//! from the hourly roll-ups (`booking_hours`, `booking_made_hours`) for the whole hours of a
//! period and from the bookings for parts of hours, never loaded row by row; and the page-view
//! counts (`page_views`). Writes only `add_page_views` and [`recount`], which keeps the
//! roll-ups true after each booking write. What a booking counts for is the migration's views
//! (`booking_outcomes`, `booking_host_outcomes`), so both the roll-ups and the parts of hours
//! read one rule. The queries are SQL texts with the scope's integer ids written in as digits;
//! the few pieces that differ per backend are a [`Dialect`].

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Text, Timestamp};
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;

use super::schema::{bookings, event_types, page_views};
use super::{Conn, StorageResult, from_db_time, to_db_time, with_conn};
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

/// Bookings starting on one local date with one status.
#[derive(Debug, Clone, PartialEq)]
pub struct DayCount {
    pub date: NaiveDate,
    pub status: String,
    pub rescheduled: bool,
    pub no_show: bool,
    pub bookings: i64,
    pub lead_seconds: i64,
}

/// Bookings starting at one local hour of the day (0-23) with one status.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockCount {
    pub hour: u32,
    pub status: String,
    pub rescheduled: bool,
    pub no_show: bool,
    pub bookings: i64,
}

/// The counts of a period ([`by_local_time`]): the parts of hours at its ends per UTC hour,
/// the whole hours between per local date and, again, per local hour of the day.
#[derive(Debug, Clone, Default)]
pub struct LocalCounts {
    pub hours: Vec<HourCount>,
    pub days: Vec<DayCount>,
    pub clock: Vec<ClockCount>,
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
struct DayRow {
    #[diesel(sql_type = Text)]
    day: String,
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

impl DayRow {
    fn count(self) -> StorageResult<DayCount> {
        let date = NaiveDate::parse_from_str(&self.day, "%Y-%m-%d").map_err(|e| {
            super::StorageError::Corrupt {
                table: "booking_hours",
                column: "hour",
                id: 0,
                message: format!("local date `{}`: {e}", self.day),
            }
        })?;
        Ok(DayCount {
            date,
            status: self.status,
            rescheduled: self.rescheduled,
            no_show: self.no_show,
            bookings: self.bookings,
            lead_seconds: self.lead_seconds,
        })
    }
}

#[derive(QueryableByName)]
struct ClockRow {
    #[diesel(sql_type = BigInt)]
    hour: i64,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Bool)]
    rescheduled: bool,
    #[diesel(sql_type = Bool)]
    no_show: bool,
    #[diesel(sql_type = BigInt)]
    bookings: i64,
}

impl ClockRow {
    fn count(self) -> ClockCount {
        ClockCount {
            hour: u32::try_from(self.hour.rem_euclid(24)).unwrap_or(0),
            status: self.status,
            rescheduled: self.rescheduled,
            no_show: self.no_show,
            bookings: self.bookings,
        }
    }
}

#[derive(QueryableByName)]
struct KeyCount {
    #[diesel(sql_type = BigInt)]
    key: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The SQL pieces that differ per backend: the bound parameters' markers and an hour (of the
/// roll-ups or the views) as text `YYYY-MM-DD HH`.
struct Dialect {
    first: &'static str,
    second: &'static str,
    hour_text: &'static str,
    sqlite: bool,
}

impl Dialect {
    /// A roll-up hour `offset` seconds off UTC: its local date as text `YYYY-MM-DD`.
    fn local_date(&self, offset: i32) -> String {
        if self.sqlite {
            format!("date(r.hour, '{offset:+} seconds')")
        } else {
            format!("to_char(r.hour + interval '{offset} seconds', 'YYYY-MM-DD')")
        }
    }

    /// A roll-up hour `offset` seconds off UTC: its local hour of the day (0-23).
    fn local_hour(&self, offset: i32) -> String {
        if self.sqlite {
            format!("CAST(strftime('%H', r.hour, '{offset:+} seconds') AS BIGINT)")
        } else {
            format!("CAST(EXTRACT(HOUR FROM r.hour + interval '{offset} seconds') AS BIGINT)")
        }
    }
}

fn dialect(conn: &Conn<'_>) -> Dialect {
    match conn {
        Conn::Sqlite(_) => Dialect {
            first: "?",
            second: "?",
            hour_text: "substr(r.hour, 1, 13)",
            sqlite: true,
        },
        Conn::Pg(_) => Dialect {
            first: "$1",
            second: "$2",
            hour_text: "to_char(r.hour, 'YYYY-MM-DD HH24')",
            sqlite: false,
        },
    }
}

/// Where counts of a stretch of time are read: whole UTC hours from a roll-up, parts of hours
/// from the bookings (through the migration's views), with the same columns either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    RollUp,
    Bookings,
}

/// A stretch of the period `[from, to)` and where it is read.
type Piece = (Source, DateTime<Utc>, DateTime<Utc>);

/// The period as the whole UTC hours in it (the roll-up) and the parts of hours at either end
/// (the bookings): a period's ends are local midnights, not always on a UTC hour.
fn pieces(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Piece> {
    let first_whole = hour_of(from)
        + if hour_of(from) < from {
            HOUR
        } else {
            TimeDelta::zero()
        };
    let last_whole = hour_of(to);
    if first_whole >= last_whole {
        return vec![(Source::Bookings, from, to)];
    }
    [
        (Source::Bookings, from, first_whole),
        (Source::RollUp, first_whole, last_whole),
        (Source::Bookings, last_whole, to),
    ]
    .into_iter()
    .filter(|(_, a, b)| a < b)
    .collect()
}

const HOUR: TimeDelta = TimeDelta::hours(1);

/// The start of the UTC hour `t` is in.
fn hour_of(t: DateTime<Utc>) -> DateTime<Utc> {
    let secs = t.timestamp().div_euclid(3600) * 3600;
    DateTime::from_timestamp(secs, 0).unwrap_or(t)
}

/// Which host rows count: one per booking (its organiser's) unless the filter names a host,
/// then that host's (one per booking they organise or hold time in); `organisers`: only
/// organiser rows even then. `None` when the filter names no event type at all.
fn scope(f: &BookingFilter, organisers: bool) -> Option<String> {
    let mut sql = match (f.host, organisers) {
        (Some(host), true) => format!("r.organiser AND r.user_id = {host}"),
        (Some(host), false) => format!("r.user_id = {host}"),
        (None, _) => "r.organiser".to_owned(),
    };
    if let Some(ids) = &f.event_type_ids {
        if ids.is_empty() {
            return None;
        }
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        sql.push_str(&format!(" AND r.event_type_id IN ({})", list.join(",")));
    }
    Some(sql)
}

/// The table (or view) and time column of a source: bookings by start, per host.
fn host_rows(source: Source) -> (&'static str, &'static str) {
    match source {
        Source::RollUp => ("booking_hours", "hour"),
        Source::Bookings => ("booking_host_outcomes", "start_at"),
    }
}

/// Bookings by status, rescheduled and no-show, with their lead time: per UTC hour of their
/// start for the parts of hours at the period's ends; per local date and per local hour of the
/// day for the whole hours between, grouped by the database in runs of hours of one UTC offset
/// (`offset_at`: seconds east of UTC at an instant, in the viewer's zone). A year of one host
/// is then a few hundred rows, not 8,760: each row loaded costs more than the index reads it
/// sums (docs/PERFORMANCE.md).
pub async fn by_local_time(
    conn: &mut Conn<'_>,
    f: &BookingFilter,
    offset_at: &dyn Fn(DateTime<Utc>) -> i32,
) -> StorageResult<LocalCounts> {
    let d = dialect(conn);
    let mut counts = LocalCounts::default();
    let Some(scope) = scope(f, false) else {
        return Ok(counts);
    };
    for (source, from, to) in pieces(f.from, f.to) {
        if source == Source::Bookings {
            counts
                .hours
                .extend(hours_of(conn, &d, &scope, from, to).await?);
            continue;
        }
        for (from, to, offset) in runs_of_one_offset(from, to, offset_at) {
            let (first, second) = (d.first, d.second);
            let outcome = "r.status AS status, r.rescheduled AS rescheduled, r.no_show AS no_show, \
                           CAST(SUM(r.bookings) AS BIGINT) AS bookings";
            let rows = format!(
                "FROM booking_hours r WHERE r.hour >= {first} AND r.hour < {second} AND {scope} \
                 GROUP BY 1, r.status, r.rescheduled, r.no_show"
            );
            let days = format!(
                "SELECT {} AS day, {outcome}, CAST(SUM(r.lead_seconds) AS BIGINT) AS lead_seconds \
                 {rows}",
                d.local_date(offset)
            );
            let clock = format!("SELECT {} AS hour, {outcome} {rows}", d.local_hour(offset));
            for row in load::<DayRow>(conn, &days, from, to).await? {
                counts.days.push(row.count()?);
            }
            for row in load::<ClockRow>(conn, &clock, from, to).await? {
                counts.clock.push(row.count());
            }
        }
    }
    Ok(counts)
}

/// The whole hours `[from, to)` in runs of one UTC offset (of each hour's first instant, where
/// insights count the hour's bookings), with that offset.
fn runs_of_one_offset(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    offset_at: &dyn Fn(DateTime<Utc>) -> i32,
) -> Vec<(DateTime<Utc>, DateTime<Utc>, i32)> {
    let mut runs = Vec::new();
    let (mut start, mut offset) = (from, offset_at(from));
    let mut hour = from + HOUR;
    while hour < to {
        let next = offset_at(hour);
        if next != offset {
            runs.push((start, hour, offset));
            (start, offset) = (hour, next);
        }
        hour += HOUR;
    }
    runs.push((start, to, offset));
    runs
}

/// Bookings starting in `[from, to)` (parts of hours, from the bookings) per UTC hour.
async fn hours_of(
    conn: &mut Conn<'_>,
    d: &Dialect,
    scope: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StorageResult<Vec<HourCount>> {
    let (table, time) = host_rows(Source::Bookings);
    let sql = format!(
        "SELECT {hour_text} AS hour, r.status AS status, r.rescheduled AS rescheduled, \
         r.no_show AS no_show, CAST(SUM(r.bookings) AS BIGINT) AS bookings, \
         CAST(SUM(r.lead_seconds) AS BIGINT) AS lead_seconds FROM {table} r \
         WHERE r.{time} >= {first} AND r.{time} < {second} AND {scope} \
         GROUP BY r.hour, r.status, r.rescheduled, r.no_show",
        hour_text = d.hour_text,
        first = d.first,
        second = d.second,
    );
    let rows: Vec<HourRow> = load(conn, &sql, from, to).await?;
    rows.into_iter().map(hour_count).collect()
}

async fn load<R>(
    conn: &mut Conn<'_>,
    sql: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StorageResult<Vec<R>>
where
    R: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + Send + 'static,
{
    let (from, to) = (to_db_time(from), to_db_time(to));
    Ok(with_conn!(conn, |c| {
        diesel::sql_query(sql)
            .bind::<Timestamp, _>(from)
            .bind::<Timestamp, _>(to)
            .load(c)
            .await
    })?)
}

fn hour_count(row: HourRow) -> StorageResult<HourCount> {
    let hour = NaiveDateTime::parse_from_str(&format!("{}:00", row.hour), "%Y-%m-%d %H:%M")
        .map_err(|e| super::StorageError::Corrupt {
            table: "booking_hours",
            column: "hour",
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
/// the rotation). Narrowed to a host: the bookings they organise.
pub async fn per_host(conn: &mut Conn<'_>, f: &BookingFilter) -> StorageResult<Vec<(i64, i64)>> {
    let d = dialect(conn);
    let Some(scope) = scope(f, true) else {
        return Ok(Vec::new());
    };
    let active: Vec<String> = BookingStatus::ACTIVE
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    let mut counts = Vec::new();
    for (source, from, to) in pieces(f.from, f.to) {
        let (table, time) = host_rows(source);
        let sql = format!(
            "SELECT r.user_id AS key, CAST(SUM(r.bookings) AS BIGINT) AS n FROM {table} r \
             WHERE r.{time} >= {} AND r.{time} < {} AND {scope} AND r.status IN ({}) \
             GROUP BY r.user_id",
            d.first,
            d.second,
            active.join(",")
        );
        counts.extend(keyed_counts(conn, &sql, from, to).await?);
    }
    Ok(summed(counts))
}

/// Bookings made (by `created_at`) in the period, per event type.
pub async fn made_per_event_type(
    conn: &mut Conn<'_>,
    f: &BookingFilter,
) -> StorageResult<Vec<(i64, i64)>> {
    let d = dialect(conn);
    let Some(ids) = &f.event_type_ids else {
        return Ok(Vec::new());
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let mut counts = Vec::new();
    for (source, from, to) in pieces(f.from, f.to) {
        let (table, time) = match source {
            Source::RollUp => ("booking_made_hours", "hour"),
            Source::Bookings => (
                "(SELECT event_type_id, created_at, 1 AS bookings FROM bookings)",
                "created_at",
            ),
        };
        let sql = format!(
            "SELECT r.event_type_id AS key, CAST(SUM(r.bookings) AS BIGINT) AS n FROM {table} r \
             WHERE r.{time} >= {} AND r.{time} < {} AND r.event_type_id IN ({}) \
             GROUP BY r.event_type_id",
            d.first,
            d.second,
            list.join(",")
        );
        counts.extend(keyed_counts(conn, &sql, from, to).await?);
    }
    Ok(summed(counts))
}

/// Counts per key, the pieces' counts of one key added up.
fn summed(counts: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    let mut sums = std::collections::BTreeMap::new();
    for (key, n) in counts {
        *sums.entry(key).or_insert(0) += n;
    }
    sums.into_iter().collect()
}

async fn keyed_counts(
    conn: &mut Conn<'_>,
    sql: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StorageResult<Vec<(i64, i64)>> {
    let rows: Vec<KeyCount> = load(conn, sql, from, to).await?;
    Ok(rows.into_iter().map(|r| (r.key, r.n)).collect())
}

/// Recounts the roll-up hour a booking starts in (every host and outcome of that hour) after a
/// write to it. Called where every booking write ends, as it appends the booking's history
/// (`storage::bookings::append_history`), in the write's transaction. A whole hour is
/// recounted from the views, not adjusted, so the roll-up cannot drift from the bookings. On
/// PostgreSQL the hour is locked first (a transaction advisory lock): two writes in one hour
/// then recount one after the other, the later one seeing the earlier's booking. Bookings
/// made per hour are counted once, when a booking is inserted ([`count_made`]).
pub async fn recount(conn: &mut Conn<'_>, booking_id: i64) -> StorageResult<()> {
    let start: NaiveDateTime = with_conn!(conn, |c| {
        bookings::table
            .find(booking_id)
            .select(bookings::start_at)
            .first(c)
            .await
    })?;
    let start = hour_of(from_db_time(start));
    if let Conn::Pg(c) = conn {
        let hour = start.timestamp() / 3600;
        diesel::sql_query(format!(
            "SELECT pg_advisory_xact_lock({ROLL_UP_LOCK}, {hour})"
        ))
        .execute(&mut **c)
        .await?;
    }
    let d = dialect(conn);
    let (first, second) = (d.first, d.second);
    let statements = [
        format!("DELETE FROM booking_hours WHERE hour >= {first} AND hour < {second}"),
        format!(
            "INSERT INTO booking_hours (hour, event_type_id, user_id, organiser, status, \
             rescheduled, no_show, bookings, lead_seconds) \
             SELECT hour, event_type_id, user_id, organiser, status, rescheduled, no_show, \
             SUM(bookings), SUM(lead_seconds) FROM booking_host_outcomes \
             WHERE start_at >= {first} AND start_at < {second} \
             GROUP BY hour, event_type_id, user_id, organiser, status, rescheduled, no_show"
        ),
    ];
    for sql in &statements {
        execute(conn, sql, start).await?;
    }
    Ok(())
}

/// Counts a new booking in the hour it was made, for its event type: an increment, since a
/// booking's `created_at` and event type never change and bookings are never deleted.
/// Concurrent increments of one hour wait for each other on its row; nothing else is locked.
pub async fn count_made(
    conn: &mut Conn<'_>,
    event_type_id: Option<i64>,
    created: DateTime<Utc>,
) -> StorageResult<()> {
    use super::schema::booking_made_hours as made;
    let Some(event_type_id) = event_type_id else {
        return Ok(());
    };
    let row = (
        made::hour.eq(to_db_time(hour_of(created))),
        made::event_type_id.eq(event_type_id),
        made::bookings.eq(1_i64),
    );
    with_conn!(conn, |c| {
        diesel::insert_into(made::table)
            .values(row)
            .on_conflict((made::event_type_id, made::hour))
            .do_update()
            .set(made::bookings.eq(made::bookings + 1_i64))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// The PostgreSQL advisory lock space of the roll-ups' hours (the second key is the hour).
const ROLL_UP_LOCK: i32 = 0x6b68;

/// One statement with the hour's start and end as its two parameters.
async fn execute(conn: &mut Conn<'_>, sql: &str, hour: DateTime<Utc>) -> StorageResult<()> {
    let (from, to) = (to_db_time(hour), to_db_time(hour + HOUR));
    with_conn!(conn, |c| {
        diesel::sql_query(sql)
            .bind::<Timestamp, _>(from)
            .bind::<Timestamp, _>(to)
            .execute(c)
            .await
    })?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
    }

    #[test]
    fn whole_hours_come_from_the_roll_up_and_parts_of_hours_from_the_bookings() {
        let days = pieces(at("2026-03-01 00:00"), at("2026-03-31 00:00"));
        assert_eq!(
            days,
            [(
                Source::RollUp,
                at("2026-03-01 00:00"),
                at("2026-03-31 00:00")
            )]
        );
        // Local midnights in Asia/Kolkata (UTC+05:30).
        let kolkata = pieces(at("2026-02-28 18:30"), at("2026-03-30 18:30"));
        assert_eq!(
            kolkata,
            [
                (
                    Source::Bookings,
                    at("2026-02-28 18:30"),
                    at("2026-02-28 19:00")
                ),
                (
                    Source::RollUp,
                    at("2026-02-28 19:00"),
                    at("2026-03-30 18:00")
                ),
                (
                    Source::Bookings,
                    at("2026-03-30 18:00"),
                    at("2026-03-30 18:30")
                ),
            ]
        );
        let within = pieces(at("2026-03-01 10:15"), at("2026-03-01 10:45"));
        assert_eq!(
            within,
            [(
                Source::Bookings,
                at("2026-03-01 10:15"),
                at("2026-03-01 10:45")
            )]
        );
    }
}
