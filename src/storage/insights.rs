//! What insights read: bookings counted per UTC hour and outcome, per host, per event type,
//! from the roll-ups for the whole hours of a period (whole UTC days from the daily ones,
//! `booking_host_days` and `booking_event_type_days`, the other hours from `booking_hours`;
//! bookings made from `booking_made_hours`) and from the bookings for parts of hours, never
//! loaded row by row; and the page-view counts (`page_views`). Writes only `add_page_views` and
//! [`recount`], which keeps the roll-ups true after each booking write. What a booking counts for is the migration's views
//! (`booking_outcomes`, `booking_host_outcomes`), so both the roll-ups and the parts of hours
//! read one rule. The queries are SQL texts with the scope's integer ids, and the dates and
//! instants this module computed, written in; the few pieces that differ per backend are a
//! [`Dialect`].

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Text, Timestamp};
use diesel::upsert::excluded;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

use super::schema::{booking_claims, bookings, event_types, page_views};
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

/// Bookings starting on one local date (or in the week starting on that Monday) with one
/// status.
#[derive(Debug, Clone, PartialEq)]
pub struct DayCount {
    pub date: NaiveDate,
    pub status: String,
    pub rescheduled: bool,
    pub no_show: bool,
    pub bookings: i64,
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
/// the whole hours between per local date (or week) and, again, per local hour of the day,
/// with their lead time.
#[derive(Debug, Clone, Default)]
pub struct LocalCounts {
    pub hours: Vec<HourCount>,
    pub days: Vec<DayCount>,
    pub clock: Vec<ClockCount>,
    /// Sum over the whole hours' bookings of (start - created), in seconds.
    pub lead_seconds: i64,
}

/// How the whole hours are grouped by local date: per date, or per week (the Monday it
/// starts on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    Days,
    Weeks,
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
        })
    }
}

/// One part's bookings of one status per UTC hour of the day (`h00`..`h23`), with their lead
/// time: the clock query's row.
#[derive(QueryableByName)]
struct ClockRow {
    #[diesel(sql_type = BigInt)]
    part: i64,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Bool)]
    rescheduled: bool,
    #[diesel(sql_type = Bool)]
    no_show: bool,
    #[diesel(sql_type = BigInt)]
    lead_seconds: i64,
    #[diesel(sql_type = BigInt)]
    h00: i64,
    #[diesel(sql_type = BigInt)]
    h01: i64,
    #[diesel(sql_type = BigInt)]
    h02: i64,
    #[diesel(sql_type = BigInt)]
    h03: i64,
    #[diesel(sql_type = BigInt)]
    h04: i64,
    #[diesel(sql_type = BigInt)]
    h05: i64,
    #[diesel(sql_type = BigInt)]
    h06: i64,
    #[diesel(sql_type = BigInt)]
    h07: i64,
    #[diesel(sql_type = BigInt)]
    h08: i64,
    #[diesel(sql_type = BigInt)]
    h09: i64,
    #[diesel(sql_type = BigInt)]
    h10: i64,
    #[diesel(sql_type = BigInt)]
    h11: i64,
    #[diesel(sql_type = BigInt)]
    h12: i64,
    #[diesel(sql_type = BigInt)]
    h13: i64,
    #[diesel(sql_type = BigInt)]
    h14: i64,
    #[diesel(sql_type = BigInt)]
    h15: i64,
    #[diesel(sql_type = BigInt)]
    h16: i64,
    #[diesel(sql_type = BigInt)]
    h17: i64,
    #[diesel(sql_type = BigInt)]
    h18: i64,
    #[diesel(sql_type = BigInt)]
    h19: i64,
    #[diesel(sql_type = BigInt)]
    h20: i64,
    #[diesel(sql_type = BigInt)]
    h21: i64,
    #[diesel(sql_type = BigInt)]
    h22: i64,
    #[diesel(sql_type = BigInt)]
    h23: i64,
}

impl ClockRow {
    fn per_utc_hour(&self) -> [i64; 24] {
        [
            self.h00, self.h01, self.h02, self.h03, self.h04, self.h05, self.h06, self.h07,
            self.h08, self.h09, self.h10, self.h11, self.h12, self.h13, self.h14, self.h15,
            self.h16, self.h17, self.h18, self.h19, self.h20, self.h21, self.h22, self.h23,
        ]
    }

    /// Its bookings per local hour of the day, `offset` seconds east of UTC.
    fn counts(&self, offset: i32) -> Vec<ClockCount> {
        self.per_utc_hour()
            .into_iter()
            .enumerate()
            .filter(|(_, n)| *n != 0)
            .map(|(utc, bookings)| ClockCount {
                hour: local_hour(utc as u32, offset),
                status: self.status.clone(),
                rescheduled: self.rescheduled,
                no_show: self.no_show,
                bookings,
            })
            .collect()
    }
}

/// The local hour of the day (0-23) of the UTC hour of the day `utc`, `offset` seconds east.
fn local_hour(utc: u32, offset: i32) -> u32 {
    let seconds = i64::from(utc) * 3600 + i64::from(offset);
    u32::try_from(seconds.div_euclid(3600).rem_euclid(24)).unwrap_or(0)
}

#[derive(QueryableByName)]
struct KeyCount {
    #[diesel(sql_type = BigInt)]
    key: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The SQL pieces that differ per backend: the bound parameters' markers (numbered, so a
/// statement may use each twice), an hour (of the roll-ups or the views) as text
/// `YYYY-MM-DD HH`, and the date arithmetic of the local-time reads.
struct Dialect {
    first: &'static str,
    second: &'static str,
    hour_text: &'static str,
    sqlite: bool,
}

impl Dialect {
    /// An instant this module computed, as an SQL literal.
    fn instant(&self, t: DateTime<Utc>) -> String {
        let text = t.format("%Y-%m-%d %H:%M:%S");
        if self.sqlite {
            format!("'{text}'")
        } else {
            format!("TIMESTAMP '{text}'")
        }
    }

    /// A date this module computed, as an SQL literal.
    fn date(&self, d: NaiveDate) -> String {
        if self.sqlite {
            format!("'{d}'")
        } else {
            format!("DATE '{d}'")
        }
    }

    /// The point of the series (the local date, or the Monday of its week) of an hourly
    /// roll-up's hour `offset` seconds east of UTC: text `YYYY-MM-DD` on SQLite, a date on
    /// PostgreSQL (as text once grouped: [`Dialect::date_text`]).
    fn hour_point(&self, offset: i32, series: Series) -> String {
        if self.sqlite {
            self.sqlite_point("r.hour", &format!("{offset:+} seconds"), series)
        } else {
            let local = format!("r.hour + interval '{offset} seconds'");
            match series {
                Series::Days => format!("CAST({local} AS DATE)"),
                Series::Weeks => format!("CAST(date_trunc('week', {local}) AS DATE)"),
            }
        }
    }

    /// The point of the series of a daily roll-up's UTC day `shift` days on.
    fn day_point(&self, shift: i64, series: Series) -> String {
        if self.sqlite {
            self.sqlite_point("d.day", &format!("{shift:+} days"), series)
        } else {
            match series {
                Series::Days => format!("(d.day + {shift})"),
                Series::Weeks => {
                    format!("CAST(date_trunc('week', CAST(d.day + {shift} AS TIMESTAMP)) AS DATE)")
                }
            }
        }
    }

    /// SQLite: one `date()` of `value` with the modifier, and those to the week's Monday.
    fn sqlite_point(&self, value: &str, modifier: &str, series: Series) -> String {
        let week = match series {
            Series::Days => "",
            Series::Weeks => ", '-6 days', 'weekday 1'",
        };
        format!("date({value}, '{modifier}'{week})")
    }

    /// A point of the series as text `YYYY-MM-DD`.
    fn date_text(&self, point: &str) -> String {
        if self.sqlite {
            point.to_owned()
        } else {
            format!("to_char({point}, 'YYYY-MM-DD')")
        }
    }

    /// The UTC hour of the day (0-23) of a timestamp.
    fn hour_of_day(&self, t: &str) -> String {
        if self.sqlite {
            format!("CAST(strftime('%H', {t}) AS INTEGER)")
        } else {
            format!("EXTRACT(HOUR FROM {t})")
        }
    }
}

fn dialect(conn: &Conn<'_>) -> Dialect {
    match conn {
        Conn::Sqlite(_) => Dialect {
            first: "?1",
            second: "?2",
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
/// start for the parts of hours at the period's ends; per local date (or week) and per local
/// hour of the day for the whole hours between (`offset_at`: seconds east of UTC at an
/// instant, in the viewer's zone; each hour counts in the offset of its first instant). The
/// whole hours are read in [`Part`]s of one offset, whole UTC days from a daily roll-up where
/// the filter has one, and grouped by the database in two statements: a year of one host is a
/// few hundred rows read and fewer loaded (docs/PERFORMANCE.md).
pub async fn by_local_time(
    conn: &mut Conn<'_>,
    f: &BookingFilter,
    offset_at: &dyn Fn(DateTime<Utc>) -> i32,
    series: Series,
) -> StorageResult<LocalCounts> {
    let d = dialect(conn);
    let mut counts = LocalCounts::default();
    let Some(scope) = scope(f, false) else {
        return Ok(counts);
    };
    let daily = daily_roll_up(f);
    for (source, from, to) in pieces(f.from, f.to) {
        if source == Source::Bookings {
            counts
                .hours
                .extend(hours_of(conn, &d, &scope, from, to).await?);
            continue;
        }
        let parts = parts(from, to, offset_at, daily.as_ref());
        let reads = Reads {
            d: &d,
            scope: &scope,
        };
        for row in load_sql::<DayRow>(conn, &reads.series(&parts, series)).await? {
            counts.days.push(row.count()?);
        }
        for row in load_sql::<ClockRow>(conn, &reads.clock(&parts)).await? {
            let part = usize::try_from(row.part).ok().and_then(|i| parts.get(i));
            let offset = part.map_or(0, Part::offset);
            counts.lead_seconds += row.lead_seconds;
            counts.clock.extend(row.counts(offset));
        }
    }
    Ok(counts)
}

/// A stretch of whole hours in one UTC offset, and where it is read: the hourly roll-up, or
/// a daily one for whole UTC days (`first` up to, not including, `end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part<'a> {
    Hours {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        offset: i32,
    },
    Days {
        first: NaiveDate,
        end: NaiveDate,
        offset: i32,
        roll_up: &'a DailyRollUp,
    },
}

impl Part<'_> {
    fn offset(&self) -> i32 {
        match *self {
            Part::Hours { offset, .. } | Part::Days { offset, .. } => offset,
        }
    }
}

/// The whole hours `[from, to)` as parts: runs of one offset, each run's whole UTC days from
/// the daily roll-up (when there is one) and the hours before and after them from the
/// hourly one.
fn parts<'a>(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    offset_at: &dyn Fn(DateTime<Utc>) -> i32,
    daily: Option<&'a DailyRollUp>,
) -> Vec<Part<'a>> {
    let mut parts = Vec::new();
    for (from, to, offset) in runs_of_one_offset(from, to, offset_at) {
        let (first_day, end_day) = (day_at_or_after(from), day_of(to));
        let Some(roll_up) = daily.filter(|_| first_day < end_day) else {
            parts.push(Part::Hours { from, to, offset });
            continue;
        };
        let (first, end) = (first_day.date_naive(), end_day.date_naive());
        parts.extend([
            Part::Hours {
                from,
                to: first_day,
                offset,
            },
            Part::Days {
                first,
                end,
                offset,
                roll_up,
            },
            Part::Hours {
                from: end_day,
                to,
                offset,
            },
        ]);
    }
    parts.retain(|p| !matches!(p, Part::Hours { from, to, .. } if from >= to));
    parts
}

/// The start of the UTC day `t` is in.
fn day_of(t: DateTime<Utc>) -> DateTime<Utc> {
    let secs = t.timestamp().div_euclid(86_400) * 86_400;
    DateTime::from_timestamp(secs, 0).unwrap_or(t)
}

/// The first UTC midnight at or after `t`.
fn day_at_or_after(t: DateTime<Utc>) -> DateTime<Utc> {
    let day = day_of(t);
    if day < t {
        day + TimeDelta::days(1)
    } else {
        day
    }
}

/// The UTC hours of the day (0-23) of a whole UTC day `offset` seconds east of UTC, grouped
/// by how many days their local date is from the UTC day: one group, or two split at the
/// local midnight.
fn local_days(offset: i32) -> Vec<(i64, Vec<u32>)> {
    let mut groups: Vec<(i64, Vec<u32>)> = Vec::new();
    for hour in 0..24u32 {
        let shift = (i64::from(hour) * 3600 + i64::from(offset)).div_euclid(86_400);
        match groups.last_mut() {
            Some((last, hours)) if *last == shift => hours.push(hour),
            _ => groups.push((shift, vec![hour])),
        }
    }
    groups
}

/// A filter's coarse roll-ups, daily and monthly, and the condition (on alias `d`) of its rows
/// in them.
#[derive(Debug, PartialEq, Eq)]
struct DailyRollUp {
    days: &'static str,
    months: &'static str,
    condition: String,
}

impl DailyRollUp {
    /// `FROM … WHERE …` of the rows of `[first, end)` (days, or whole months) in one of them.
    fn rows(&self, d: &Dialect, span: Span, first: NaiveDate, end: NaiveDate) -> String {
        let (table, column) = match span {
            Span::Day => (self.days, "day"),
            Span::Month => (self.months, "month"),
        };
        format!(
            "FROM {table} d WHERE d.{column} >= {} AND d.{column} < {} AND {}",
            d.date(first),
            d.date(end),
            self.condition
        )
    }
}

/// How long a row of a coarse roll-up lasts: a UTC day, or a UTC month (dated by its first
/// day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Day,
    Month,
}

/// The days `[first, end)` as whole months where there are any (read from the monthly
/// roll-up) and the days before and after them.
fn months_and_days(first: NaiveDate, end: NaiveDate) -> Vec<(Span, NaiveDate, NaiveDate)> {
    let month_of = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let whole_from = if first.day() == 1 {
        first
    } else {
        month_of(first)
            .checked_add_months(Months::new(1))
            .unwrap_or(end)
    };
    let whole_to = month_of(end);
    if whole_from >= whole_to {
        return vec![(Span::Day, first, end)];
    }
    [
        (Span::Day, first, whole_from),
        (Span::Month, whole_from, whole_to),
        (Span::Day, whole_to, end),
    ]
    .into_iter()
    .filter(|(_, a, b)| a < b)
    .collect()
}

/// A daily roll-up row's bookings in some of its UTC hours of the day: the fewest columns
/// read (`bookings` is all 24).
fn bookings_in(hours: &[u32]) -> String {
    let sum = |hours: &mut dyn Iterator<Item = u32>| {
        hours
            .map(|h| format!("d.h{h:02}"))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    match hours.len() {
        24 => "d.bookings".into(),
        n if n > 12 => format!(
            "d.bookings - ({})",
            sum(&mut (0..24).filter(|h| !hours.contains(h)))
        ),
        _ => sum(&mut hours.iter().copied()),
    }
}

/// The daily roll-up that holds a filter's rows: per host for a host's bookings of any event
/// type, per event type for the organisers' bookings of some. None when the filter names both
/// (only the hourly roll-up has both).
fn daily_roll_up(f: &BookingFilter) -> Option<DailyRollUp> {
    match (f.host, &f.event_type_ids) {
        (Some(host), None) => Some(DailyRollUp {
            days: "booking_host_days",
            months: "booking_host_months",
            condition: format!("d.user_id = {host}"),
        }),
        (None, Some(ids)) if !ids.is_empty() => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            Some(DailyRollUp {
                days: "booking_event_type_days",
                months: "booking_event_type_months",
                condition: format!("d.event_type_id IN ({})", list.join(",")),
            })
        }
        _ => None,
    }
}

/// The two grouped reads of a period's whole hours, built from its parts.
struct Reads<'a> {
    d: &'a Dialect,
    /// The hourly roll-up's condition (alias `r`).
    scope: &'a str,
}

impl Reads<'_> {
    /// Bookings per point of the series (text `day`), status, rescheduled and no-show.
    fn series(&self, parts: &[Part], series: Series) -> String {
        let outcome = "status, rescheduled, no_show";
        let mut selects = Vec::new();
        for part in parts {
            let rows = self.rows(part);
            match *part {
                Part::Hours { offset, .. } => selects.push(format!(
                    "SELECT {} AS day, {outcome}, r.bookings AS bookings {rows}",
                    self.d.hour_point(offset, series)
                )),
                Part::Days { offset, .. } => {
                    for (shift, hours) in local_days(offset) {
                        selects.push(format!(
                            "SELECT {} AS day, {outcome}, {} AS bookings {rows}",
                            self.d.day_point(shift, series),
                            bookings_in(&hours)
                        ));
                    }
                }
            }
        }
        format!(
            "SELECT {} AS day, {outcome}, CAST(SUM(bookings) AS BIGINT) AS bookings \
             FROM ({}) u GROUP BY u.day, {outcome}",
            self.d.date_text("u.day"),
            selects.join(" UNION ALL ")
        )
    }

    /// Bookings per part, status, rescheduled and no-show: their lead time and their count per
    /// UTC hour of the day (`h00`..`h23`). A part's whole days are read as whole months where
    /// they can be: a year is a few dozen rows per key and outcome.
    fn clock(&self, parts: &[Part]) -> String {
        let big = |sum: String| format!("CAST(SUM({sum}) AS BIGINT)");
        let hour = self.d.hour_of_day("r.hour");
        let hourly: Vec<String> = (0..24)
            .map(|h| {
                let n = format!("CASE WHEN {hour} = {h} THEN r.bookings ELSE 0 END");
                format!("{} AS h{h:02}", big(n))
            })
            .collect();
        let coarse: Vec<String> = (0..24)
            .map(|h| format!("{} AS h{h:02}", big(format!("d.h{h:02}"))))
            .collect();
        let (hourly, coarse) = (hourly.join(", "), coarse.join(", "));
        let mut selects = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let sources = match *part {
                Part::Hours { .. } => vec![(&hourly, self.rows(part))],
                Part::Days {
                    first,
                    end,
                    roll_up,
                    ..
                } => months_and_days(first, end)
                    .into_iter()
                    .map(|(span, a, b)| (&coarse, roll_up.rows(self.d, span, a, b)))
                    .collect(),
            };
            for (per_hour, rows) in sources {
                selects.push(format!(
                    "SELECT CAST({i} AS BIGINT) AS part, status, rescheduled, no_show, {} AS \
                     lead_seconds, {per_hour} {rows} GROUP BY status, rescheduled, no_show",
                    big("lead_seconds".into()),
                ));
            }
        }
        selects.join(" UNION ALL ")
    }

    /// A part's `FROM … WHERE …`: on the hourly roll-up (alias `r`) for hours, on the daily
    /// one (alias `d`) for days.
    fn rows(&self, part: &Part) -> String {
        match *part {
            Part::Hours { from, to, .. } => format!(
                "FROM booking_hours r WHERE r.hour >= {} AND r.hour < {} AND {}",
                self.d.instant(from),
                self.d.instant(to),
                self.scope
            ),
            Part::Days {
                first,
                end,
                roll_up,
                ..
            } => roll_up.rows(self.d, Span::Day, first, end),
        }
    }
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

/// A statement with nothing bound (its values written in by this module).
async fn load_sql<R>(conn: &mut Conn<'_>, sql: &str) -> StorageResult<Vec<R>>
where
    R: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + Send + 'static,
{
    Ok(with_conn!(conn, |c| diesel::sql_query(sql).load(c).await)?)
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

/// Recounts, in the roll-up hour a booking starts in, the rows of the hosts it counts for (its
/// organiser and every other user whose claim holds its time, plus `former`, a host it just
/// left) after a write to it. Called where every write that can change what a booking counts
/// for ends, as it appends the booking's history (`storage::bookings::append_history`), in the
/// write's transaction. Those hosts' rows of the hour are recounted from the views, not
/// adjusted, so the roll-up cannot drift from the bookings; a booking's hour, event type and
/// creation never change and its hosts change only by reassignment, so no other row can have
/// changed. The daily and monthly roll-ups get the change (the hosts' new rows less their
/// old, per key and outcome, added before the hour is rewritten), so each day and month stays
/// the sum of its hours. On PostgreSQL the hour is locked first (a transaction advisory lock):
/// two writes in one hour then recount one after the other, the later one seeing the earlier's
/// booking; writes in other hours of the same day or month add to the same rows, whose row
/// locks they take in one order (roll-up by roll-up, sorted by key), so they wait for each
/// other but never deadlock. Bookings made per hour are counted once, when a booking is
/// inserted ([`count_made`]).
pub async fn recount(
    conn: &mut Conn<'_>,
    booking_id: i64,
    former: Option<i64>,
) -> StorageResult<()> {
    let (start, organiser): (NaiveDateTime, i64) = with_conn!(conn, |c| {
        bookings::table
            .find(booking_id)
            .select((bookings::start_at, bookings::user_id))
            .first(c)
            .await
    })?;
    let claimants: Vec<i64> = with_conn!(conn, |c| {
        booking_claims::table
            .filter(booking_claims::booking_id.eq(booking_id))
            .select(booking_claims::user_id)
            .load(c)
            .await
    })?;
    let mut hosts: Vec<i64> = claimants
        .into_iter()
        .chain([organiser])
        .chain(former)
        .collect();
    hosts.sort_unstable();
    hosts.dedup();
    let start = hour_of(from_db_time(start));
    if let Conn::Pg(c) = conn {
        let hour = start.timestamp() / 3600;
        diesel::sql_query(format!(
            "SELECT pg_advisory_xact_lock({ROLL_UP_LOCK}, {hour})"
        ))
        .execute(&mut **c)
        .await?;
    }
    let counted = hosts_bookings(conn, start, &hosts).await?;
    let batch = recount_statements(&dialect(conn), start, &hosts, &counted).join(";\n");
    // One round trip: the statements hold their values (instants and ids computed here).
    with_conn!(conn, |c| c.batch_execute(&batch).await)?;
    Ok(())
}

/// The bookings starting in the hour from `hour` that count for any of `hosts`: theirs as
/// organiser, or holding a claim on their time. Read through the indexes by host and time, so
/// a write costs what its hosts' hour holds, not the whole hour or the hosts' whole history
/// (the views, asked by host, would read every claim a host ever had).
async fn hosts_bookings(
    conn: &mut Conn<'_>,
    hour: DateTime<Utc>,
    hosts: &[i64],
) -> StorageResult<Vec<i64>> {
    let (first, second) = (to_db_time(hour), to_db_time(hour + HOUR));
    // A claim starts at most the longest buffer before its booking.
    let buffer = TimeDelta::minutes(crate::domain::MAX_BUFFER_MINUTES.into());
    let earliest_claim = to_db_time(hour - buffer);
    let mut ids: Vec<i64> = with_conn!(conn, |c| {
        bookings::table
            .filter(bookings::user_id.eq_any(hosts))
            .filter(bookings::start_at.ge(first))
            .filter(bookings::start_at.lt(second))
            .select(bookings::id)
            .load(c)
            .await
    })?;
    let claimed: Vec<i64> = with_conn!(conn, |c| {
        booking_claims::table
            .inner_join(bookings::table)
            .filter(booking_claims::user_id.eq_any(hosts))
            .filter(booking_claims::blocked_start.ge(earliest_claim))
            .filter(booking_claims::blocked_start.lt(second))
            .filter(bookings::start_at.ge(first))
            .filter(bookings::start_at.lt(second))
            .select(booking_claims::booking_id)
            .load(c)
            .await
    })?;
    ids.extend(claimed);
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// What [`recount`] runs for the hour starting at `hour` and the users `hosts`, whose rows
/// the bookings `counted` make up.
fn recount_statements(
    d: &Dialect,
    hour: DateTime<Utc>,
    hosts: &[i64],
    counted: &[i64],
) -> Vec<String> {
    let (first, second) = (d.instant(hour), d.instant(hour + HOUR));
    let list = |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let scope = Scope {
        rolled_up: format!("user_id IN ({})", list(hosts)),
        bookings: format!(
            "user_id IN ({}) AND booking_id IN ({})",
            list(hosts),
            list(counted)
        ),
    };
    let mut statements = Vec::new();
    for roll_up in COARSE_ROLL_UPS {
        statements.extend(roll_up.add_change(d, hour, &scope));
    }
    let Scope {
        rolled_up,
        bookings,
    } = &scope;
    statements.extend([
        format!(
            "DELETE FROM booking_hours WHERE hour >= {first} AND hour < {second} AND {rolled_up}"
        ),
        format!(
            "INSERT INTO booking_hours (hour, event_type_id, user_id, organiser, status, \
             rescheduled, no_show, bookings, lead_seconds) \
             SELECT hour, event_type_id, user_id, organiser, status, rescheduled, no_show, \
             SUM(bookings), SUM(lead_seconds) FROM booking_host_outcomes \
             WHERE start_at >= {first} AND start_at < {second} AND {bookings} \
             GROUP BY hour, event_type_id, user_id, organiser, status, rescheduled, no_show"
        ),
    ]);
    statements
}

/// The rows a recount rewrites, as SQL conditions: in the roll-ups (by host), and in the views
/// (by host and booking: the same rows, found through the bookings' keys).
struct Scope {
    rolled_up: String,
    bookings: String,
}

/// A coarse roll-up as [`recount`] keeps it: its key column, which hourly rows it sums and
/// over how long (as the migration `2026-12-21-100000_booking_days` filled it).
struct CoarseKeeping {
    table: &'static str,
    key: &'static str,
    rows: &'static str,
    span: Span,
}

/// In the order every write takes their rows' locks in.
const COARSE_ROLL_UPS: [CoarseKeeping; 4] = [
    CoarseKeeping {
        table: "booking_host_days",
        key: "user_id",
        rows: "TRUE",
        span: Span::Day,
    },
    CoarseKeeping {
        table: "booking_host_months",
        key: "user_id",
        rows: "TRUE",
        span: Span::Month,
    },
    CoarseKeeping {
        table: "booking_event_type_days",
        key: "event_type_id",
        rows: "organiser AND event_type_id IS NOT NULL",
        span: Span::Day,
    },
    CoarseKeeping {
        table: "booking_event_type_months",
        key: "event_type_id",
        rows: "organiser AND event_type_id IS NOT NULL",
        span: Span::Month,
    },
];

impl CoarseKeeping {
    /// The statements that add the change of the hour `hour`'s rows in `scope` to its day or
    /// month, while the hour's old rows are still in `booking_hours`: the
    /// difference per key and outcome, then the rows of the keys touched that fell to zero
    /// bookings removed.
    fn add_change(&self, d: &Dialect, hour: DateTime<Utc>, scope: &Scope) -> [String; 2] {
        let Self {
            table,
            key,
            rows,
            span,
        } = self;
        let (first, second) = (d.instant(hour), d.instant(hour + HOUR));
        let (new_rows, old_rows) = (
            format!("{rows} AND {}", scope.bookings),
            format!("{rows} AND {}", scope.rolled_up),
        );
        let (column, start) = match span {
            Span::Day => ("day", hour.date_naive()),
            Span::Month => ("month", hour.date_naive().with_day(1).unwrap_or_default()),
        };
        let start = d.date(start);
        let h = format!("h{:02}", hour.timestamp().div_euclid(3600).rem_euclid(24));
        let outcome = "status, rescheduled, no_show";
        let new = format!(
            "SELECT {key}, {outcome}, bookings, lead_seconds FROM booking_host_outcomes \
             WHERE start_at >= {first} AND start_at < {second} AND {new_rows}"
        );
        let old = format!(
            "SELECT {key}, {outcome}, -bookings, -lead_seconds FROM booking_hours \
             WHERE hour >= {first} AND hour < {second} AND {old_rows}"
        );
        let change = format!(
            "INSERT INTO {table} ({column}, {key}, {outcome}, bookings, lead_seconds, {h}) \
             SELECT {start}, {key}, {outcome}, SUM(bookings), SUM(lead_seconds), \
             SUM(bookings) FROM ({new} UNION ALL {old}) c WHERE TRUE \
             GROUP BY {key}, {outcome} HAVING SUM(bookings) <> 0 OR SUM(lead_seconds) <> 0 \
             ORDER BY {key}, {outcome} \
             ON CONFLICT ({key}, {column}, {outcome}) DO UPDATE SET \
             bookings = {table}.bookings + excluded.bookings, \
             lead_seconds = {table}.lead_seconds + excluded.lead_seconds, \
             {h} = {table}.{h} + excluded.{h}"
        );
        let touched = format!(
            "SELECT {key} FROM booking_host_outcomes \
             WHERE start_at >= {first} AND start_at < {second} AND {new_rows} \
             UNION SELECT {key} FROM booking_hours \
             WHERE hour >= {first} AND hour < {second} AND {old_rows}"
        );
        let emptied = format!(
            "DELETE FROM {table} WHERE {column} = {start} AND bookings = 0 \
             AND {key} IN ({touched})"
        );
        [change, emptied]
    }
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

    fn offsets(zone: &str) -> impl Fn(DateTime<Utc>) -> i32 {
        use chrono::{Offset, TimeZone};
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        move |t| {
            tz.offset_from_utc_datetime(&t.naive_utc())
                .fix()
                .local_minus_utc()
        }
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn whole_utc_days_of_one_offset_come_from_the_daily_roll_up() {
        let roll_up = DailyRollUp {
            days: "booking_host_days",
            months: "booking_host_months",
            condition: "d.user_id = 1".into(),
        };
        // A year of local days in Berlin (+1, +2 from 2026-03-29 01:00 UTC, +1 again from
        // 2026-10-25 01:00 UTC): whole days in each run, the hours of the days of a change and
        // of the period's ends from the hourly roll-up.
        let berlin = offsets("Europe/Berlin");
        let from = at("2025-12-31 23:00");
        let to = at("2026-12-31 23:00");
        let got = parts(from, to, &berlin, Some(&roll_up));
        let days = |first, end, offset| Part::Days {
            first: date(first),
            end: date(end),
            offset,
            roll_up: &roll_up,
        };
        let hours = |from, to, offset| Part::Hours {
            from: at(from),
            to: at(to),
            offset,
        };
        assert_eq!(
            got,
            [
                hours("2025-12-31 23:00", "2026-01-01 00:00", 3600),
                days("2026-01-01", "2026-03-29", 3600),
                hours("2026-03-29 00:00", "2026-03-29 01:00", 3600),
                hours("2026-03-29 01:00", "2026-03-30 00:00", 7200),
                days("2026-03-30", "2026-10-25", 7200),
                hours("2026-10-25 00:00", "2026-10-25 01:00", 7200),
                hours("2026-10-25 01:00", "2026-10-26 00:00", 3600),
                days("2026-10-26", "2026-12-31", 3600),
                hours("2026-12-31 00:00", "2026-12-31 23:00", 3600),
            ]
        );
        // Without a daily roll-up (a host within some event types), hours only.
        assert!(
            parts(from, to, &berlin, None)
                .iter()
                .all(|p| matches!(p, Part::Hours { .. }))
        );
        // Less than a whole UTC day: hours only.
        let short = parts(
            at("2026-01-05 23:00"),
            at("2026-01-06 23:00"),
            &berlin,
            Some(&roll_up),
        );
        assert_eq!(short, [hours("2026-01-05 23:00", "2026-01-06 23:00", 3600)]);
    }

    #[test]
    fn whole_months_are_read_where_a_stretch_of_days_has_them() {
        let split = months_and_days(date("2025-12-08"), date("2026-12-08"));
        assert_eq!(
            split,
            [
                (Span::Day, date("2025-12-08"), date("2026-01-01")),
                (Span::Month, date("2026-01-01"), date("2026-12-01")),
                (Span::Day, date("2026-12-01"), date("2026-12-08")),
            ]
        );
        let aligned = months_and_days(date("2026-03-01"), date("2026-05-01"));
        assert_eq!(
            aligned,
            [(Span::Month, date("2026-03-01"), date("2026-05-01"))]
        );
        let within = months_and_days(date("2026-03-02"), date("2026-04-30"));
        assert_eq!(
            within,
            [(Span::Day, date("2026-03-02"), date("2026-04-30"))]
        );
    }

    #[test]
    fn a_utc_day_splits_at_the_local_midnight_of_its_offset() {
        let all: Vec<u32> = (0..24).collect();
        assert_eq!(local_days(0), [(0, all.clone())]);
        // Kolkata (+05:30): from 18:30 UTC it is the next day; the hour 18:00 begins at 23:30.
        assert_eq!(
            local_days(19_800),
            [(0, (0..19).collect()), (1, (19..24).collect())]
        );
        // New York in winter (-05:00): before 05:00 UTC it is the day before.
        assert_eq!(
            local_days(-18_000),
            [(-1, (0..5).collect()), (0, (5..24).collect())]
        );
        assert_eq!(local_hour(18, 19_800), 23);
        assert_eq!(local_hour(19, 19_800), 0);
        assert_eq!(local_hour(4, -18_000), 23);
        assert_eq!(local_hour(0, 13 * 3600 + 45 * 60), 13);
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
