//! `/v2/schedules` (cal-api-version 2024-06-11): a user's schedules in Cal.com's shape; without
//! that version, Cal.com's 2024-04-15 shapes ([`super::schedules_legacy`]).

use crate::domain::text;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, Utc, Weekday};
use serde::Deserialize;
use serde_json::{Value, json};

use super::schedules_legacy as legacy;
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
    /// 2024-04-15's weekly hours: numbered days, ISO 8601 times.
    availabilities: Option<Vec<legacy::Availability>>,
    /// 2024-04-15's weekly hours as seven days of ranges (its update).
    schedule: Option<Vec<Vec<legacy::Range>>>,
    /// 2024-04-15's date overrides as ranges.
    date_overrides: Option<Vec<legacy::Range>>,
}

impl ScheduleBody {
    /// The weekly hours, from 2024-06-11's `availability` or 2024-04-15's `availabilities` or
    /// `schedule` (at most one of them).
    fn hours(&self) -> Result<Option<Vec<WeeklyRule>>, ApiError> {
        let given = [
            self.availability.is_some(),
            self.availabilities.is_some(),
            self.schedule.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err(ApiError::BadRequest(
                "availability: give the weekly hours once, as availability (2024-06-11), \
                 availabilities or schedule (2024-04-15)"
                    .into(),
            ));
        }
        let (converted, name) = match (&self.availabilities, &self.schedule) {
            (Some(list), _) => (legacy::availabilities(list)?, "availabilities"),
            (_, Some(days)) => (legacy::week(days)?, "schedule"),
            _ => {
                let list = self.availability.as_deref();
                return list.map(|l| rules(l, "availability")).transpose();
            }
        };
        let list: Vec<HoursBody> = (converted.into_iter())
            .map(|(days, start_time, end_time)| HoursBody {
                days,
                start_time,
                end_time,
            })
            .collect();
        rules(&list, name).map(Some)
    }

    /// The date overrides, from 2024-06-11's `overrides` or 2024-04-15's `dateOverrides`.
    fn overrides(&self) -> Result<Option<Vec<DateOverride>>, ApiError> {
        match (&self.overrides, &self.date_overrides) {
            (Some(_), Some(_)) => Err(ApiError::BadRequest(
                "overrides: give overrides (2024-06-11) or dateOverrides (2024-04-15), not both"
                    .into(),
            )),
            (_, Some(ranges)) => {
                let list: Vec<OverrideBody> = (legacy::date_overrides(ranges)?.into_iter())
                    .map(|(date, start_time, end_time)| OverrideBody {
                        date,
                        start_time,
                        end_time,
                    })
                    .collect();
                overrides(&list, "dateOverrides").map(Some)
            }
            (list, None) => (list.as_deref())
                .map(|l| overrides(l, "overrides"))
                .transpose(),
        }
    }
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

/// The weekly rules of `list`, which the request calls `name` (for its error messages).
fn rules(list: &[HoursBody], name: &str) -> Result<Vec<WeeklyRule>, ApiError> {
    list.iter()
        .enumerate()
        .map(|(i, h)| {
            let field = format!("{name}[{i}]");
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

fn overrides(list: &[OverrideBody], name: &str) -> Result<Vec<DateOverride>, ApiError> {
    list.iter()
        .enumerate()
        .map(|(i, o)| {
            let field = format!("{name}[{i}]");
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

/// `schedule` in the shape the request's version asks for.
async fn shaped(
    state: &AppState,
    req: &HttpRequest,
    schedule: &Schedule,
) -> Result<Value, ApiError> {
    if !legacy::wants_legacy(req) {
        return Ok(to_json(schedule));
    }
    let count = schedules::list(&state.db, schedule.user_id).await?.len();
    Ok(legacy::schedule(schedule, count, Utc::now()))
}

pub async fn create(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: ScheduleBody = parse_body(&body)?;
    let name =
        (body.name.clone()).ok_or_else(|| ApiError::BadRequest("name: is required".into()))?;
    let zone = body
        .time_zone
        .as_deref()
        .ok_or_else(|| ApiError::BadRequest("timeZone: is required".into()))
        .and_then(time_zone)?;
    let new = NewSchedule {
        name,
        time_zone: zone,
        rules: body.hours()?,
        overrides: body.overrides()?.unwrap_or_default(),
        is_default: body.is_default.unwrap_or(false),
    };
    let schedule = schedules::create(&state.db, caller.user.id, new).await?;
    let data = shaped(&state, &req, &schedule).await?;
    Ok(HttpResponse::Created().json(success(data)))
}

pub async fn list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let all = schedules::list(&state.db, caller.user.id).await?;
    let data: Vec<Value> = match legacy::wants_legacy(&req) {
        true => (all.iter())
            .map(|s| legacy::schedule(s, all.len(), Utc::now()))
            .collect(),
        false => all.iter().map(to_json).collect(),
    };
    Ok(HttpResponse::Ok().json(success(Value::Array(data))))
}

pub async fn default(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let data = match schedules::default(&state.db, caller.user.id).await? {
        Some(found) => shaped(&state, &req, &found).await?,
        None => Value::Null,
    };
    Ok(HttpResponse::Ok().json(success(data)))
}

pub async fn get(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let schedule = schedules::get(&state.db, caller.user.id, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(success(shaped(&state, &req, &schedule).await?)))
}

pub async fn update(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: ScheduleBody = parse_body(&body)?;
    let changes = ScheduleChanges {
        rules: body.hours()?,
        overrides: body.overrides()?,
        time_zone: body.time_zone.as_deref().map(time_zone).transpose()?,
        name: body.name,
        is_default: body.is_default,
    };
    let schedule = schedules::update(&state.db, caller.user.id, id.into_inner(), changes).await?;
    Ok(HttpResponse::Ok().json(success(shaped(&state, &req, &schedule).await?)))
}

pub async fn delete(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    schedules::delete(&state.db, caller.user.id, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({"status": "success"})))
}
