//! Schedules: a person's weekly hours and date overrides in the schedule's own timezone.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{availability_patterns, availability_rules, date_overrides, schedules};
use super::{Conn, StorageResult, to_db_time, with_conn};

/// Weekly hours: `days` is a bit set (bit 0 = Monday … bit 6 = Sunday, the engine's `WeeklyRule`
/// convention), minutes after local midnight, `end_minute` 1440 meaning the end of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyRule {
    pub days: i32,
    pub start_minute: i32,
    pub end_minute: i32,
}

/// Hours replacing one date's weekly hours; `0..0` closes the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateOverride {
    pub date: NaiveDate,
    pub start_minute: i32,
    pub end_minute: i32,
}

/// Extra hours recurring by an RFC 5545 rule (`FREQ=WEEKLY;INTERVAL=2`) from the local date
/// `starts_on`, `start_minute..end_minute` on each occurrence's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub id: i64,
    pub rrule: String,
    pub starts_on: NaiveDate,
    pub start_minute: i32,
    pub end_minute: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub time_zone: String,
    pub is_default: bool,
    pub rules: Vec<WeeklyRule>,
    pub overrides: Vec<DateOverride>,
    pub patterns: Vec<Pattern>,
}

type ScheduleRow = (i64, i64, String, String, bool);

pub async fn insert(
    conn: &mut Conn<'_>,
    user_id: i64,
    name: &str,
    time_zone: &str,
    is_default: bool,
    rules: &[WeeklyRule],
) -> StorageResult<i64> {
    let now = to_db_time(Utc::now());
    let id: i64 = with_conn!(conn, |c| {
        diesel::insert_into(schedules::table)
            .values((
                schedules::user_id.eq(user_id),
                schedules::name.eq(name),
                schedules::time_zone.eq(time_zone),
                schedules::is_default.eq(is_default),
                schedules::created_at.eq(now),
                schedules::updated_at.eq(now),
            ))
            .returning(schedules::id)
            .get_result(c)
            .await
    })?;
    insert_rules(conn, id, rules).await?;
    Ok(id)
}

// Row by row: SQLite cannot take a multi-row insert of column tuples, and a schedule has a
// handful of rules and overrides.
async fn insert_rules(conn: &mut Conn<'_>, id: i64, rules: &[WeeklyRule]) -> StorageResult<()> {
    for rule in rules {
        let row = (
            availability_rules::schedule_id.eq(id),
            availability_rules::days.eq(rule.days),
            availability_rules::start_minute.eq(rule.start_minute),
            availability_rules::end_minute.eq(rule.end_minute),
        );
        with_conn!(conn, |c| {
            diesel::insert_into(availability_rules::table)
                .values(row)
                .execute(c)
                .await
        })?;
    }
    Ok(())
}

async fn insert_overrides(
    conn: &mut Conn<'_>,
    id: i64,
    overrides: &[DateOverride],
) -> StorageResult<()> {
    for o in overrides {
        let row = (
            date_overrides::schedule_id.eq(id),
            date_overrides::date.eq(o.date),
            date_overrides::start_minute.eq(o.start_minute),
            date_overrides::end_minute.eq(o.end_minute),
        );
        with_conn!(conn, |c| {
            diesel::insert_into(date_overrides::table)
                .values(row)
                .execute(c)
                .await
        })?;
    }
    Ok(())
}

/// Replaces a schedule's weekly rules with `rules`.
pub async fn replace_rules(
    conn: &mut Conn<'_>,
    id: i64,
    rules: &[WeeklyRule],
) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(availability_rules::table.filter(availability_rules::schedule_id.eq(id)))
            .execute(c)
            .await
    })?;
    insert_rules(conn, id, rules).await
}

/// Replaces a schedule's date overrides with `overrides`.
pub async fn replace_overrides(
    conn: &mut Conn<'_>,
    id: i64,
    overrides: &[DateOverride],
) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(date_overrides::table.filter(date_overrides::schedule_id.eq(id)))
            .execute(c)
            .await
    })?;
    insert_overrides(conn, id, overrides).await
}

/// Replaces a schedule's overrides on one `date` with `overrides` (all on that date).
pub async fn replace_overrides_on(
    conn: &mut Conn<'_>,
    id: i64,
    date: NaiveDate,
    overrides: &[DateOverride],
) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(
            date_overrides::table
                .filter(date_overrides::schedule_id.eq(id))
                .filter(date_overrides::date.eq(date)),
        )
        .execute(c)
        .await
    })?;
    insert_overrides(conn, id, overrides).await
}

/// Adds a recurring pattern to schedule `id`; its new id.
pub async fn insert_pattern(conn: &mut Conn<'_>, id: i64, pattern: &Pattern) -> StorageResult<i64> {
    let row = (
        availability_patterns::schedule_id.eq(id),
        availability_patterns::rrule.eq(pattern.rrule.as_str()),
        availability_patterns::starts_on.eq(pattern.starts_on),
        availability_patterns::start_minute.eq(pattern.start_minute),
        availability_patterns::end_minute.eq(pattern.end_minute),
    );
    let new_id = with_conn!(conn, |c| {
        diesel::insert_into(availability_patterns::table)
            .values(row)
            .returning(availability_patterns::id)
            .get_result(c)
            .await
    })?;
    Ok(new_id)
}

/// Deletes pattern `pattern` of schedule `id`; false when the schedule has no such pattern.
pub async fn delete_pattern(conn: &mut Conn<'_>, id: i64, pattern: i64) -> StorageResult<bool> {
    let deleted = with_conn!(conn, |c| {
        diesel::delete(
            availability_patterns::table
                .filter(availability_patterns::schedule_id.eq(id))
                .filter(availability_patterns::id.eq(pattern)),
        )
        .execute(c)
        .await
    })?;
    Ok(deleted > 0)
}

pub async fn rename(conn: &mut Conn<'_>, id: i64, name: &str) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::update(schedules::table.find(id))
            .set((schedules::name.eq(name), schedules::updated_at.eq(now)))
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn set_time_zone(conn: &mut Conn<'_>, id: i64, time_zone: &str) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::update(schedules::table.find(id))
            .set((
                schedules::time_zone.eq(time_zone),
                schedules::updated_at.eq(now),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Makes `id` the user's only default schedule.
pub async fn make_default(conn: &mut Conn<'_>, user_id: i64, id: i64) -> StorageResult<()> {
    // Clear first: the partial unique index allows one default per user at any moment.
    with_conn!(conn, |c| {
        diesel::update(
            schedules::table
                .filter(schedules::user_id.eq(user_id))
                .filter(schedules::id.ne(id)),
        )
        .set(schedules::is_default.eq(false))
        .execute(c)
        .await
    })?;
    with_conn!(conn, |c| {
        diesel::update(schedules::table.find(id))
            .set(schedules::is_default.eq(true))
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn delete(conn: &mut Conn<'_>, id: i64) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(schedules::table.find(id)).execute(c).await
    })?;
    Ok(())
}

/// A user's schedule by id; `None` when it does not exist or belongs to someone else.
pub async fn find_owned(
    conn: &mut Conn<'_>,
    user_id: i64,
    id: i64,
) -> StorageResult<Option<Schedule>> {
    Ok(list_where(conn, Some(user_id), Some(&[id])).await?.pop())
}

/// All of a user's schedules, oldest first, each with its rules and overrides.
pub async fn list(conn: &mut Conn<'_>, user_id: i64) -> StorageResult<Vec<Schedule>> {
    list_where(conn, Some(user_id), None).await
}

/// Schedules by id, whoever owns them (the engine's inputs).
pub async fn by_ids(conn: &mut Conn<'_>, ids: &[i64]) -> StorageResult<Vec<Schedule>> {
    list_where(conn, None, Some(ids)).await
}

/// (user, default schedule id) for each of `user_ids` that has one.
pub async fn default_ids(conn: &mut Conn<'_>, user_ids: &[i64]) -> StorageResult<Vec<(i64, i64)>> {
    let rows = with_conn!(conn, |c| {
        schedules::table
            .filter(schedules::user_id.eq_any(user_ids))
            .filter(schedules::is_default.eq(true))
            .select((schedules::user_id, schedules::id))
            .load(c)
            .await
    })?;
    Ok(rows)
}

async fn list_where(
    conn: &mut Conn<'_>,
    user_id: Option<i64>,
    only: Option<&[i64]>,
) -> StorageResult<Vec<Schedule>> {
    let rows: Vec<ScheduleRow> = with_conn!(conn, |c| {
        let mut query = schedules::table
            .select((
                schedules::id,
                schedules::user_id,
                schedules::name,
                schedules::time_zone,
                schedules::is_default,
            ))
            .order(schedules::id)
            .into_boxed();
        if let Some(user_id) = user_id {
            query = query.filter(schedules::user_id.eq(user_id));
        }
        if let Some(ids) = only {
            query = query.filter(schedules::id.eq_any(ids));
        }
        query.load(c).await
    })?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let rules: Vec<(i64, i32, i32, i32)> = with_conn!(conn, |c| {
        availability_rules::table
            .filter(availability_rules::schedule_id.eq_any(&ids))
            .select((
                availability_rules::schedule_id,
                availability_rules::days,
                availability_rules::start_minute,
                availability_rules::end_minute,
            ))
            .order(availability_rules::id)
            .load(c)
            .await
    })?;
    let overrides: Vec<(i64, NaiveDate, i32, i32)> = with_conn!(conn, |c| {
        date_overrides::table
            .filter(date_overrides::schedule_id.eq_any(&ids))
            .select((
                date_overrides::schedule_id,
                date_overrides::date,
                date_overrides::start_minute,
                date_overrides::end_minute,
            ))
            .order((date_overrides::date, date_overrides::start_minute))
            .load(c)
            .await
    })?;
    let patterns = patterns_of(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|(id, user_id, name, time_zone, is_default)| Schedule {
            id,
            user_id,
            name,
            time_zone,
            is_default,
            rules: rules
                .iter()
                .filter(|r| r.0 == id)
                .map(|&(_, days, start_minute, end_minute)| WeeklyRule {
                    days,
                    start_minute,
                    end_minute,
                })
                .collect(),
            overrides: overrides
                .iter()
                .filter(|o| o.0 == id)
                .map(|&(_, date, start_minute, end_minute)| DateOverride {
                    date,
                    start_minute,
                    end_minute,
                })
                .collect(),
            patterns: patterns
                .iter()
                .filter(|p| p.0 == id)
                .map(|p| p.1.clone())
                .collect(),
        })
        .collect())
}

/// The recurring patterns of schedules `ids`, each with its schedule's id, oldest first.
async fn patterns_of(conn: &mut Conn<'_>, ids: &[i64]) -> StorageResult<Vec<(i64, Pattern)>> {
    type Row = (i64, i64, String, NaiveDate, i32, i32);
    let rows: Vec<Row> = with_conn!(conn, |c| {
        availability_patterns::table
            .filter(availability_patterns::schedule_id.eq_any(ids))
            .select((
                availability_patterns::schedule_id,
                availability_patterns::id,
                availability_patterns::rrule,
                availability_patterns::starts_on,
                availability_patterns::start_minute,
                availability_patterns::end_minute,
            ))
            .order(availability_patterns::id)
            .load(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .map(
            |(schedule, id, rrule, starts_on, start_minute, end_minute)| {
                let pattern = Pattern {
                    id,
                    rrule,
                    starts_on,
                    start_minute,
                    end_minute,
                };
                (schedule, pattern)
            },
        )
        .collect())
}

pub async fn find_default_id(conn: &mut Conn<'_>, user_id: i64) -> StorageResult<Option<i64>> {
    let id = with_conn!(conn, |c| {
        schedules::table
            .filter(schedules::user_id.eq(user_id))
            .filter(schedules::is_default.eq(true))
            .select(schedules::id)
            .first(c)
            .await
            .optional()
    })?;
    Ok(id)
}

/// Event types that use schedule `id` as their restriction schedule.
pub async fn restricting_event_types(conn: &mut Conn<'_>, id: i64) -> StorageResult<Vec<i64>> {
    use super::schema::event_types;
    let ids = with_conn!(conn, |c| {
        event_types::table
            .filter(event_types::restriction_schedule_id.eq(id))
            .select(event_types::id)
            .load(c)
            .await
    })?;
    Ok(ids)
}

/// Who owns schedule `id`, if it exists.
pub async fn owner_of(conn: &mut Conn<'_>, id: i64) -> StorageResult<Option<i64>> {
    let owner = with_conn!(conn, |c| {
        schedules::table
            .find(id)
            .select(schedules::user_id)
            .first(c)
            .await
            .optional()
    })?;
    Ok(owner)
}
