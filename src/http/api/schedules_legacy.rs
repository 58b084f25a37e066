//! Cal.com's 2024-04-15 shapes of `/v2/schedules`, which Cal.com serves to a request without
//! `cal-api-version` or with a version other than 2024-06-11 (the rule of [`super::wants_legacy`]):
//! a schedule as `ScheduleOutput` (`workingHours` in minutes, `availability` as seven days of
//! ranges, Sunday first, the raw `schedule` rows, future `dateOverrides` grouped by date,
//! `isManaged`, `isLastSchedule`, `readOnly`), and the 2024-04-15 inputs: `availabilities` with
//! numbered days (0 is Sunday) and ISO 8601 times, and `schedule` and `dateOverrides` as ranges.
//! Inputs become the 2024-06-11 ones, so both versions share one validation.

use actix_web::HttpRequest;
use chrono::{DateTime, NaiveDate, Utc, Weekday};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::{format_time_of_day, text, weekday_name};
use crate::error::ApiError;
use crate::schedules::{self, Schedule, Week, WeeklyRule};

pub fn wants_legacy(req: &HttpRequest) -> bool {
    super::wants_legacy(req, &[super::SCHEDULES_VERSION])
}

/// `CreateAvailabilityInput_2024_04_15`: days by number, Sunday 0; times as ISO 8601 instants
/// of which only the time of day counts.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Availability {
    days: Vec<i64>,
    #[serde(deserialize_with = "text::line")]
    start_time: String,
    #[serde(deserialize_with = "text::line")]
    end_time: String,
}

/// A range of `schedule` (`[[{start, end}]]`, one list a day, Sunday first) or of
/// `dateOverrides`: two ISO 8601 instants.
#[derive(Debug, Deserialize)]
pub struct Range {
    #[serde(deserialize_with = "text::line")]
    start: String,
    #[serde(deserialize_with = "text::line")]
    end: String,
}

/// The time of day (`HH:MM`, UTC) of an ISO 8601 instant.
fn time_of_day(field: &str, raw: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::BadRequest(format!(
                "{field}: `{raw}` is not an ISO 8601 instant like 2030-01-01T09:00:00.000Z"
            ))
        })
}

fn hh_mm(at: DateTime<Utc>) -> String {
    at.format("%H:%M").to_string()
}

/// Cal.com's day number (0 Sunday … 6 Saturday) as a Monday-first day index.
fn day_index(field: &str, day: i64) -> Result<usize, ApiError> {
    match day {
        0..=6 => Ok(((day + 6) % 7) as usize),
        _ => Err(ApiError::BadRequest(format!(
            "{field}: `{day}` is not a day number from 0 (Sunday) to 6 (Saturday)"
        ))),
    }
}

/// The name of a Monday-first day index.
fn name(day: usize) -> String {
    let day = Weekday::try_from(day as u8).unwrap_or(Weekday::Mon);
    weekday_name(day).to_owned()
}

/// `availabilities` as 2024-06-11's `availability` entries: `(day names, start, end)`.
pub fn availabilities(
    list: &[Availability],
) -> Result<Vec<(Vec<String>, String, String)>, ApiError> {
    let mut out = Vec::with_capacity(list.len());
    for (i, a) in list.iter().enumerate() {
        let field = format!("availabilities[{i}]");
        let mut days = Vec::with_capacity(a.days.len());
        for (j, day) in a.days.iter().enumerate() {
            days.push(name(day_index(&format!("{field}.days[{j}]"), *day)?));
        }
        let start = time_of_day(&format!("{field}.startTime"), &a.start_time)?;
        let end = time_of_day(&format!("{field}.endTime"), &a.end_time)?;
        out.push((days, hh_mm(start), hh_mm(end)));
    }
    Ok(out)
}

/// `schedule` (seven lists of ranges, Sunday first) as 2024-06-11's entries, one per distinct
/// range on every day that has it.
pub fn week(days: &[Vec<Range>]) -> Result<Vec<(Vec<String>, String, String)>, ApiError> {
    if days.len() > 7 {
        return Err(ApiError::BadRequest(
            "schedule: at most seven days (Sunday first) of ranges".into(),
        ));
    }
    let mut week: Vec<Vec<(String, String)>> = vec![Vec::new(); 7];
    for (day, ranges) in days.iter().enumerate() {
        for (j, range) in ranges.iter().enumerate() {
            let field = format!("schedule[{day}][{j}]");
            let start = time_of_day(&format!("{field}.start"), &range.start)?;
            let end = time_of_day(&format!("{field}.end"), &range.end)?;
            week[day_index(&field, day as i64)?].push((hh_mm(start), hh_mm(end)));
        }
    }
    let mut out: Vec<(Vec<String>, String, String)> = Vec::new();
    for (day, ranges) in week.into_iter().enumerate() {
        for (start, end) in ranges {
            match out.iter_mut().find(|(_, s, e)| (s, e) == (&start, &end)) {
                Some((names, _, _)) => names.push(name(day)),
                None => out.push((vec![name(day)], start, end)),
            }
        }
    }
    Ok(out)
}

/// `dateOverrides` (`[{start, end}]`) as 2024-06-11's `(date, start, end)`: the date and times
/// of day of the instants.
pub fn date_overrides(list: &[Range]) -> Result<Vec<(String, String, String)>, ApiError> {
    list.iter()
        .enumerate()
        .map(|(i, range)| {
            let field = format!("dateOverrides[{i}]");
            let start = time_of_day(&format!("{field}.start"), &range.start)?;
            let end = time_of_day(&format!("{field}.end"), &range.end)?;
            Ok((
                start.format("%Y-%m-%d").to_string(),
                hh_mm(start),
                hh_mm(end),
            ))
        })
        .collect()
}

/// Cal.com's stored form of an end of day: 23:59.
fn cal_minutes(minute: i32) -> i32 {
    minute.min(1439)
}

/// `HH:MM` on `date` as Cal.com prints it; the end of the day is 23:59:59.999.
fn instant(date: NaiveDate, minute: i32) -> String {
    let time = match minute >= 1439 {
        true => "23:59:59.999".to_owned(),
        false => format!("{}:00.000", format_time_of_day(minute as u32)),
    };
    format!("{}T{time}Z", date.format("%Y-%m-%d"))
}

/// Cal.com's day numbers (Sunday 0) of a rule's Monday-first day bits.
fn day_numbers(rule: &WeeklyRule) -> Vec<usize> {
    (0..7)
        .filter(|&d| rule.days & (1 << ((d + 6) % 7)) != 0)
        .collect()
}

/// One schedule as `ScheduleOutput` (2024-04-15) for its owner, who has `count` schedules.
/// Overrides before today in the schedule's zone are left out, as Cal.com does.
pub fn schedule(s: &Schedule, count: usize, now: DateTime<Utc>) -> Value {
    let zone: chrono_tz::Tz = s.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let today = now.with_timezone(&zone).date_naive();
    let utc_today = now.date_naive();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let working_hours: Vec<Value> = (s.rules.iter())
        .map(|r| {
            json!({"days": day_numbers(r), "startTime": r.start_minute,
                   "endTime": cal_minutes(r.end_minute), "userId": s.user_id})
        })
        .collect();
    let mut rows: Vec<Value> = Vec::new();
    for r in &s.rules {
        rows.push(
            json!({"id": rows.len() + 1, "userId": s.user_id, "eventTypeId": null,
            "days": day_numbers(r), "startTime": instant(epoch, r.start_minute),
            "endTime": instant(epoch, r.end_minute), "date": null, "scheduleId": s.id}),
        );
    }
    for o in &s.overrides {
        rows.push(
            json!({"id": rows.len() + 1, "userId": s.user_id, "eventTypeId": null,
            "days": [], "startTime": instant(epoch, o.start_minute),
            "endTime": instant(epoch, o.end_minute),
            "date": format!("{}T00:00:00.000Z", o.date.format("%Y-%m-%d")), "scheduleId": s.id}),
        );
    }
    let week: Week = schedules::week_of(&s.rules);
    let availability: Vec<Value> = (0..7)
        .map(|d| {
            let ranges = &week[(d + 6) % 7];
            (ranges.iter())
                .map(
                    |&(a, b)| json!({"start": instant(utc_today, a), "end": instant(utc_today, b)}),
                )
                .collect()
        })
        .collect();
    let mut overrides: Vec<(NaiveDate, Vec<Value>)> = Vec::new();
    for o in s.overrides.iter().filter(|o| o.date >= today) {
        let range =
            json!({"start": instant(o.date, o.start_minute), "end": instant(o.date, o.end_minute)});
        match overrides.iter_mut().find(|(date, _)| *date == o.date) {
            Some((_, ranges)) => ranges.push(range),
            None => overrides.push((o.date, vec![range])),
        }
    }
    overrides.sort_by_key(|(date, _)| *date);
    json!({
        "id": s.id,
        "name": s.name,
        "isManaged": false,
        "workingHours": working_hours,
        "schedule": rows,
        "availability": availability,
        "timeZone": s.time_zone,
        "dateOverrides": overrides.into_iter().map(|(_, r)| json!({"ranges": r})).collect::<Vec<_>>(),
        "isDefault": s.is_default,
        "isLastSchedule": count <= 1,
        "readOnly": false,
    })
}
