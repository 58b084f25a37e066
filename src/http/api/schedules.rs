//! `/v2/schedules` (cal-api-version 2024-06-11): a user's schedules in Cal.com's shape.

use crate::domain::text;
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Weekday};
use serde::Deserialize;
use serde_json::{Value, json};

use super::success;
use crate::domain::{TimeZoneName, format_time_of_day, parse_hours, parse_weekday, weekday_name};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::extract::{Authenticated, parse_body};
use crate::schedules::{self, DateOverride, NewSchedule, Schedule, ScheduleChanges, WeeklyRule};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleBody {
    #[serde(default, deserialize_with = "text::line")]
    name: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    time_zone: Option<String>,
    availability: Option<Vec<HoursBody>>,
    overrides: Option<Vec<OverrideBody>>,
    is_default: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HoursBody {
    #[serde(default, deserialize_with = "text::line")]
    days: Vec<String>,
    #[serde(deserialize_with = "text::line")]
    start_time: String,
    #[serde(deserialize_with = "text::line")]
    end_time: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OverrideBody {
    #[serde(deserialize_with = "text::line")]
    date: String,
    #[serde(deserialize_with = "text::line")]
    start_time: String,
    #[serde(deserialize_with = "text::line")]
    end_time: String,
}

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

pub fn to_json(schedule: &Schedule) -> Value {
    let availability: Vec<Value> = schedule
        .rules
        .iter()
        .map(|r| {
            let days: Vec<&str> = WEEK
                .iter()
                .filter(|d| r.days & (1 << d.num_days_from_monday()) != 0)
                .map(|d| weekday_name(*d))
                .collect();
            json!({
                "days": days,
                "startTime": format_time_of_day(r.start_minute as u32),
                "endTime": format_time_of_day(r.end_minute as u32),
            })
        })
        .collect();
    let overrides: Vec<Value> = schedule
        .overrides
        .iter()
        .map(|o| {
            json!({
                "date": o.date.format("%Y-%m-%d").to_string(),
                "startTime": format_time_of_day(o.start_minute as u32),
                "endTime": format_time_of_day(o.end_minute as u32),
            })
        })
        .collect();
    json!({
        "id": schedule.id,
        "ownerId": schedule.user_id,
        "name": schedule.name,
        "timeZone": schedule.time_zone,
        "availability": availability,
        "isDefault": schedule.is_default,
        "overrides": overrides,
    })
}

fn rules(list: &[HoursBody]) -> Result<Vec<WeeklyRule>, ApiError> {
    list.iter()
        .enumerate()
        .map(|(i, h)| {
            let field = format!("availability[{i}]");
            let mut days = 0i32;
            for (j, day) in h.days.iter().enumerate() {
                let day = parse_weekday(day)
                    .map_err(|m| ApiError::BadRequest(format!("{field}.days[{j}]: {m}")))?;
                days |= 1 << day.num_days_from_monday();
            }
            if days == 0 {
                return Err(ApiError::BadRequest(format!(
                    "{field}.days: name at least one day"
                )));
            }
            let (start, end) = parse_hours(&h.start_time, &h.end_time, false)
                .map_err(|(which, m)| ApiError::BadRequest(format!("{field}.{which}: {m}")))?;
            Ok(WeeklyRule {
                days,
                start_minute: start as i32,
                end_minute: end as i32,
            })
        })
        .collect()
}

fn overrides(list: &[OverrideBody]) -> Result<Vec<DateOverride>, ApiError> {
    list.iter()
        .enumerate()
        .map(|(i, o)| {
            let field = format!("overrides[{i}]");
            let date = NaiveDate::parse_from_str(o.date.trim(), "%Y-%m-%d").map_err(|_| {
                ApiError::BadRequest(format!(
                    "{field}.date: `{}` is not a date like 2030-03-04",
                    o.date
                ))
            })?;
            let (start, end) = parse_hours(&o.start_time, &o.end_time, true)
                .map_err(|(which, m)| ApiError::BadRequest(format!("{field}.{which}: {m}")))?;
            Ok(DateOverride {
                date,
                start_minute: start as i32,
                end_minute: end as i32,
            })
        })
        .collect()
}

fn time_zone(raw: &str) -> Result<TimeZoneName, ApiError> {
    TimeZoneName::parse(raw).map_err(|m| ApiError::BadRequest(format!("timeZone: {m}")))
}

pub async fn create(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: ScheduleBody = parse_body(&body)?;
    let name = body
        .name
        .ok_or_else(|| ApiError::BadRequest("name: is required".into()))?;
    let zone = body
        .time_zone
        .as_deref()
        .ok_or_else(|| ApiError::BadRequest("timeZone: is required".into()))
        .and_then(time_zone)?;
    let new = NewSchedule {
        name,
        time_zone: zone,
        rules: body.availability.as_deref().map(rules).transpose()?,
        overrides: overrides(body.overrides.as_deref().unwrap_or_default())?,
        is_default: body.is_default.unwrap_or(false),
    };
    let schedule = schedules::create(&state.db, caller.user.id, new).await?;
    Ok(HttpResponse::Created().json(success(to_json(&schedule))))
}

pub async fn list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let all = schedules::list(&state.db, caller.user.id).await?;
    Ok(HttpResponse::Ok().json(success(all.iter().map(to_json).collect())))
}

pub async fn default(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let found = schedules::default(&state.db, caller.user.id).await?;
    Ok(HttpResponse::Ok().json(success(found.as_ref().map(to_json).unwrap_or(Value::Null))))
}

pub async fn get(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let schedule = schedules::get(&state.db, caller.user.id, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&schedule))))
}

pub async fn update(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: ScheduleBody = parse_body(&body)?;
    let changes = ScheduleChanges {
        name: body.name,
        time_zone: body.time_zone.as_deref().map(time_zone).transpose()?,
        rules: body.availability.as_deref().map(rules).transpose()?,
        overrides: body.overrides.as_deref().map(overrides).transpose()?,
        is_default: body.is_default,
    };
    let schedule = schedules::update(&state.db, caller.user.id, id.into_inner(), changes).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&schedule))))
}

pub async fn delete(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    schedules::delete(&state.db, caller.user.id, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({"status": "success"})))
}
