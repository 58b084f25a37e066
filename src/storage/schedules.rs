//! Schedules: a person's weekly hours and date overrides in the schedule's own timezone.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{availability_rules, schedules};
use super::{Conn, StorageResult, to_db_time, with_conn};

/// Weekly hours: `days` is a bit set (bit 0 = Monday … bit 6 = Sunday, the engine's `WeeklyRule`
/// convention), minutes after local midnight, `end_minute` 1440 meaning the end of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyRule {
    pub days: i32,
    pub start_minute: i32,
    pub end_minute: i32,
}

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
    // Row by row: SQLite cannot take a multi-row insert of column tuples, and a schedule
    // has a handful of rules.
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
    Ok(id)
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
