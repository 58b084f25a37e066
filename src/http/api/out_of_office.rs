//! `/v2/me/ooo`: the caller's out-of-office periods in Cal.com's shapes (every
//! `cal-api-version`). Cal.com takes `start` and `end` as instants and keeps their UTC dates;
//! Kairos keeps the same dates as whole days in the caller's own time zone (as the console
//! does), so `start` and `end` answer that zone's midnight and the last millisecond before the
//! next. The rules are `crate::out_of_office`'s.

use actix_web::{HttpResponse, web};
use chrono::{Duration, NaiveDate, SecondsFormat};
use serde::Deserialize;
use serde_json::{Value, json};

use super::success;
use crate::accounts::Caller;
use crate::domain::{TimeZoneName, text};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::extract::{Authenticated, parse_body};
use crate::out_of_office::{self, Order, OutOfOffice, Period, Reason};

/// Cal.com's default page.
const DEFAULT_TAKE: i64 = 250;

fn to_json(p: &OutOfOffice) -> Value {
    let iso = |at: chrono::DateTime<chrono::Utc>| at.to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut out = json!({
        "id": p.id,
        "userId": p.user_id,
        "start": iso(p.start),
        "end": iso(p.end - Duration::milliseconds(1)),
    });
    for (key, value) in [
        ("toUserId", p.redirect_user_id.map(|id| json!(id))),
        ("notes", p.notes.as_ref().map(|n| json!(n))),
        ("reason", p.reason.as_ref().map(|r| json!(r))),
    ] {
        if let Some(value) = value {
            out[key] = value;
        }
    }
    out
}

fn bad(field: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest(format!("{field}: {message}"))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeriodBody {
    #[serde(default, deserialize_with = "text::line")]
    start: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    end: Option<String>,
    #[serde(default, deserialize_with = "text::lines")]
    notes: Option<String>,
    to_user_id: Option<i64>,
    #[serde(default, deserialize_with = "text::line")]
    reason: Option<String>,
}

/// The date of an instant as Cal.com writes them (`2026-12-24T00:00:00.000Z`) or of a plain
/// date.
fn date(field: &str, raw: Option<&str>) -> Result<NaiveDate, ApiError> {
    let raw = raw.ok_or_else(|| bad(field, "is required"))?;
    let day = raw.get(..10).unwrap_or(raw);
    let parsed = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok();
    let instant_ok = raw.len() == 10 || chrono::DateTime::parse_from_rfc3339(raw).is_ok();
    match parsed {
        Some(d) if instant_ok => Ok(d),
        _ => Err(bad(
            field,
            format!("`{raw}` is not a date like 2026-12-24T00:00:00.000Z (Invalid Date.)"),
        )),
    }
}

fn period(caller: &Caller, body: PeriodBody) -> Result<Period, ApiError> {
    let reason = match body.reason.as_deref() {
        None => None,
        Some(raw) => Some(Reason::parse(raw).ok_or_else(|| {
            let names: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
            bad(
                "reason",
                format!("`{raw}` is not one of {}", names.join(", ")),
            )
        })?),
    };
    let zone = TimeZoneName::parse(&caller.user.time_zone)
        .or_else(|_| TimeZoneName::parse("UTC"))
        .map_err(|e| bad("timeZone", e))?;
    Ok(Period {
        from: date("start", body.start.as_deref())?,
        to: date("end", body.end.as_deref())?,
        zone,
        note: body.notes.unwrap_or_default(),
        reason,
        redirect_to: body.to_user_id,
    })
}

pub async fn create(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let period = period(&caller, parse_body(&body)?)?;
    let created = out_of_office::create(&state.db, caller.user.id, &period).await?;
    Ok(HttpResponse::Created().json(success(to_json(&created))))
}

pub async fn update(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let old = out_of_office::get(&state.db, caller.user.id, *id).await?;
    let mut given: Value = parse_body(&body)?;
    if !given.is_object() {
        return Err(ApiError::BadRequest(
            "The request body must be a JSON object".into(),
        ));
    }
    // Fields not sent keep their value: the stored ones fill in.
    let kept = to_json(&old);
    for key in ["start", "end", "notes", "toUserId", "reason"] {
        if given.get(key).is_none() {
            given[key] = kept.get(key).cloned().unwrap_or(Value::Null);
        }
    }
    let body: PeriodBody =
        serde_json::from_value(given).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let period = period(&caller, body)?;
    let updated = out_of_office::update(&state.db, caller.user.id, *id, &period).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&updated))))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    skip: Option<i64>,
    take: Option<i64>,
    sort_start: Option<String>,
    sort_end: Option<String>,
}

fn order(q: &ListQuery) -> Result<Order, ApiError> {
    let by = |field: &str, raw: &str, asc: Order, desc: Order| match raw {
        "asc" => Ok(asc),
        "desc" => Ok(desc),
        other => Err(bad(field, format!("`{other}` is not asc or desc"))),
    };
    match (q.sort_start.as_deref(), q.sort_end.as_deref()) {
        (Some(raw), _) => by("sortStart", raw, Order::StartAsc, Order::StartDesc),
        (None, Some(raw)) => by("sortEnd", raw, Order::EndAsc, Order::EndDesc),
        (None, None) => Ok(Order::StartAsc),
    }
}

pub async fn list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let take = query.take.unwrap_or(DEFAULT_TAKE);
    if !(1..=DEFAULT_TAKE).contains(&take) {
        return Err(bad("take", format!("must be between 1 and {DEFAULT_TAKE}")));
    }
    let skip = query.skip.unwrap_or(0);
    if skip < 0 {
        return Err(bad("skip", "must not be negative"));
    }
    let order = order(&query)?;
    let found = out_of_office::all(&state.db, caller.user.id, skip, take, order).await?;
    let data: Vec<Value> = found.iter().map(to_json).collect();
    Ok(HttpResponse::Ok().json(success(json!(data))))
}

pub async fn delete(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let old = out_of_office::get(&state.db, caller.user.id, *id).await?;
    out_of_office::delete(&state.db, caller.user.id, *id).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&old))))
}
