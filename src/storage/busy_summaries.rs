//! Each host's external busy time merged across their calendars, per UTC month: the one read
//! the slot path makes of the busy cache. A 100-host team with ten calendars each has some
//! 15,000 cached blocks in a month; the summary is 100 rows or so, each a packed run of the
//! host's merged intervals.
//!
//! What blocks is decided when the summary is built, not when it is read: only selected
//! calendars, and never an event that is a Kairos booking's own written-back copy (matched by
//! iCalendar UID: the booking itself is the truth about its time). Every change of those facts
//! rebuilds the owner's rows in its own transaction: a sync's new busy time
//! ([`refresh`] once after its calendars are written), a change of selection, a calendar that
//! vanished, a removed connection. A booking never needs one: its UID exists before any
//! provider can hold a copy of it.

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Utc};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::availability::interval::{Interval, IntervalSet};
use crate::storage::bookings::lock_hosts;
use crate::storage::schema::{bookings, busy_intervals, busy_summaries, connection_calendars};
use crate::storage::{Conn, Db, StorageResult, from_db_time, with_conn};

/// The `month` of a user whose summary must be built again (see the migration).
const REBUILD: i32 = -1;

/// Builds `user_id`'s summary again from their cached busy time. Locks the user's row first
/// (PostgreSQL), so two transactions that change one user's busy time build one after the
/// other and the later one reads what the earlier one wrote.
pub async fn refresh(conn: &mut Conn<'_>, user_id: i64) -> StorageResult<()> {
    lock_hosts(conn, &[user_id]).await?;
    let blocks: Vec<(NaiveDateTime, NaiveDateTime)> = with_conn!(conn, |c| {
        busy_intervals::table
            .inner_join(connection_calendars::table)
            .filter(busy_intervals::user_id.eq(user_id))
            .filter(connection_calendars::selected.eq(true))
            .filter(not(exists(
                bookings::table.filter(busy_intervals::uid.eq(bookings::ical_uid.nullable())),
            )))
            .select((busy_intervals::start_at, busy_intervals::end_at))
            .load(c)
            .await
    })?;
    let merged = IntervalSet::from_intervals(
        blocks
            .into_iter()
            .map(|(s, e)| interval(from_db_time(s), from_db_time(e)))
            .collect(),
    );
    let merged = match coverage(conn, user_id).await? {
        Some(range) => merged.clip_to(&range),
        None => merged,
    };
    let rows: Vec<_> = by_month(merged.as_slice())
        .into_iter()
        .map(|(month, intervals)| {
            (
                busy_summaries::user_id.eq(user_id),
                busy_summaries::month.eq(month),
                busy_summaries::intervals.eq(pack(&intervals)),
            )
        })
        .collect();
    with_conn!(conn, |c| {
        diesel::delete(busy_summaries::table.filter(busy_summaries::user_id.eq(user_id)))
            .execute(c)
            .await
    })?;
    for row in rows {
        with_conn!(conn, |c| {
            diesel::insert_into(busy_summaries::table)
                .values(row.clone())
                .execute(c)
                .await
        })?;
    }
    Ok(())
}

/// What the user's selected calendars were read over, widened by what the slot path pads a
/// window with (a year after, a month before): a provider returns an event overlapping the
/// horizon whole, and one that lasts for years must not become a row per month.
async fn coverage(conn: &mut Conn<'_>, user_id: i64) -> StorageResult<Option<Interval>> {
    let (from, until): (Option<NaiveDateTime>, Option<NaiveDateTime>) = with_conn!(conn, |c| {
        connection_calendars::table
            .filter(connection_calendars::user_id.eq(user_id))
            .filter(connection_calendars::selected.eq(true))
            .select((
                diesel::dsl::min(connection_calendars::covered_from),
                diesel::dsl::max(connection_calendars::covered_until),
            ))
            .first(c)
            .await
    })?;
    Ok(from.zip(until).map(|(from, until)| {
        let from = from_db_time(from) - chrono::Duration::days(31);
        let until = from_db_time(until) + chrono::Duration::days(366);
        Interval::from_instants(from, until)
    }))
}

/// (host, start, end) of the hosts' merged external busy time meeting `[from, to)`, sorted by
/// host and start.
pub async fn read(
    conn: &mut Conn<'_>,
    hosts: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StorageResult<Vec<(i64, DateTime<Utc>, DateTime<Utc>)>> {
    if from >= to {
        return Ok(Vec::new());
    }
    let (first, last) = (month_of(from.timestamp()), month_of(to.timestamp() - 1));
    let mut rows: Vec<(i64, Vec<u8>)> = with_conn!(conn, |c| {
        busy_summaries::table
            .filter(busy_summaries::user_id.eq_any(hosts))
            .filter(busy_summaries::month.between(first, last))
            .select((busy_summaries::user_id, busy_summaries::intervals))
            .load(c)
            .await
    })?;
    rows.sort_unstable_by_key(|(user, _)| *user);
    let window = Interval::from_instants(from, to);
    let mut out = Vec::new();
    for group in rows.chunk_by(|a, b| a.0 == b.0) {
        // An interval that spans a month's end is in both months' rows: merging drops the twin.
        let meeting = group
            .iter()
            .flat_map(|(_, packed)| unpack(packed))
            .filter(|i| i.overlaps(&window))
            .collect();
        for i in IntervalSet::from_intervals(meeting).as_slice() {
            out.push((group[0].0, instant(i.start), instant(i.end)));
        }
    }
    Ok(out)
}

/// Builds the summaries a migration marked (month -1): at start-up, before serving.
pub async fn rebuild_marked(db: &Db) -> StorageResult<usize> {
    let users: Vec<i64> = db
        .run(async |c| {
            Ok::<_, crate::storage::StorageError>(with_conn!(c, |c| {
                busy_summaries::table
                    .filter(busy_summaries::month.eq(REBUILD))
                    .select(busy_summaries::user_id)
                    .load(c)
                    .await
            })?)
        })
        .await?;
    for &user in &users {
        db.transaction(async |c| refresh(c, user).await).await?;
    }
    Ok(users.len())
}

/// A cached block in whole seconds, never shorter than stored: the start rounds down and the
/// end up.
fn interval(start: DateTime<Utc>, end: DateTime<Utc>) -> Interval {
    let up = i64::from(end.timestamp_subsec_nanos() > 0);
    Interval::new(start.timestamp(), end.timestamp() + up)
}

fn instant(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(seconds, 0).single().unwrap_or_default()
}

/// Months since 1970-01 of the UTC instant `seconds`.
fn month_of(seconds: i64) -> i32 {
    let at = instant(seconds);
    at.year() * 12 + at.month0() as i32 - 1970 * 12
}

/// The merged intervals filed under every month they touch.
fn by_month(merged: &[Interval]) -> Vec<(i32, Vec<Interval>)> {
    let mut months: Vec<(i32, Vec<Interval>)> = Vec::new();
    for i in merged {
        for month in month_of(i.start)..=month_of(i.end - 1) {
            match months.iter_mut().find(|(m, _)| *m == month) {
                Some((_, list)) => list.push(*i),
                None => months.push((month, vec![*i])),
            }
        }
    }
    months
}

fn pack(intervals: &[Interval]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(intervals.len() * 16);
    for i in intervals {
        bytes.extend_from_slice(&i.start.to_le_bytes());
        bytes.extend_from_slice(&i.end.to_le_bytes());
    }
    bytes
}

/// The intervals `pack` wrote; a trailing partial pair (never written) is ignored.
fn unpack(bytes: &[u8]) -> impl Iterator<Item = Interval> + '_ {
    bytes.chunks_exact(16).map(|pair| {
        let (start, end) = pair.split_at(8);
        let word = |b: &[u8]| i64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
        Interval::new(word(start), word(end))
    })
}

/// The db-time conversion is exercised by the integration tests; these check the packing.
#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn packing_round_trips() {
        let list = vec![
            Interval::new(-5, 7),
            Interval::new(1_800_000_000, 1_800_003_600),
        ];
        assert_eq!(unpack(&pack(&list)).collect::<Vec<_>>(), list);
        assert_eq!(unpack(&[]).count(), 0);
    }

    #[test]
    fn an_interval_across_a_month_end_is_filed_under_both_months() {
        let across = Interval::new(at("2027-01-31T23:00:00Z"), at("2027-02-01T01:00:00Z"));
        let inside = Interval::new(at("2027-02-10T09:00:00Z"), at("2027-02-10T10:00:00Z"));
        let ending = Interval::new(at("2027-02-28T23:00:00Z"), at("2027-03-01T00:00:00Z"));
        let months = by_month(&[across, inside, ending]);
        let jan = month_of(at("2027-01-15T00:00:00Z"));
        assert_eq!(
            months,
            vec![(jan, vec![across]), (jan + 1, vec![across, inside, ending]),],
            "an interval ending exactly at midnight on March 1st is February's alone"
        );
    }

    #[test]
    fn months_count_from_1970() {
        assert_eq!(month_of(0), 0);
        assert_eq!(month_of(at("1971-03-01T00:00:00Z")), 14);
        assert_eq!(
            month_of(at("2027-01-01T00:00:00Z") - 1),
            2026 * 12 + 11 - 1970 * 12
        );
    }

    #[test]
    fn a_fraction_of_a_second_widens_the_block() {
        let start = DateTime::parse_from_rfc3339("2027-01-01T09:00:00.5Z")
            .unwrap()
            .to_utc();
        let end = DateTime::parse_from_rfc3339("2027-01-01T10:00:00.25Z")
            .unwrap()
            .to_utc();
        let i = interval(start, end);
        assert_eq!(
            (i.start, i.end),
            (at("2027-01-01T09:00:00Z"), at("2027-01-01T10:00:01Z"))
        );
    }
}
