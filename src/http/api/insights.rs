//! `GET /v2/insights/bookings` (Kairos): booking figures for a period and a scope, the same
//! figures the console's `/insights` page draws (`crate::insights`).

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde_json::{Value, json};

use super::success;
use crate::domain::TimeZoneName;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::extract::Authenticated;
use crate::insights::{self, Outcome, Report, Scope, Step};

pub async fn bookings(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let q = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let tz = match q("timeZone") {
        Some(raw) => {
            TimeZoneName::parse(raw).map_err(|e| ApiError::BadRequest(format!("timeZone: {e}")))?
        }
        None => TimeZoneName::parse(&caller.user.time_zone).unwrap_or(TimeZoneName::UTC),
    }
    .tz();
    let request = insights::Request {
        scope: insights::scope(q("teamId"), q("eventTypeId"), q("userId"), caller.user.id)?,
        period: insights::period_or_default(q("start"), q("end"), tz, Utc::now())?,
    };
    let report = insights::report(&state.db, caller.user.id, request).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&report))))
}

fn counts(counts: &insights::figures::Counts) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    out.insert("total".into(), json!(counts.total()));
    for outcome in Outcome::ALL {
        out.insert(outcome.key().into(), json!(counts.get(outcome)));
    }
    out
}

/// A share or rate, to four decimals.
fn share(x: f64) -> Value {
    json!((x * 10_000.0).round() / 10_000.0)
}

fn to_json(r: &Report) -> Value {
    let (team, event_type) = match r.scope {
        Scope::Mine => (None, None),
        Scope::Team { team, .. } => (Some(team), None),
        Scope::EventType { id, .. } => (None, Some(id)),
    };
    let series: Vec<Value> = r
        .bookings
        .series
        .iter()
        .map(|p| {
            let mut point = counts(&p.counts);
            point.insert("start".into(), json!(p.start.to_string()));
            Value::Object(point)
        })
        .collect();
    json!({
        "period": {
            "start": r.period.first.to_string(),
            "end": r.period.last.to_string(),
            "timeZone": r.period.tz.name(),
            "step": match r.bookings.step { Step::Day => "day", Step::Week => "week" },
        },
        "scope": {"teamId": team, "eventTypeId": event_type, "userId": r.host},
        "totals": counts(&r.bookings.totals),
        "averageLeadTimeMinutes": r.bookings.average_lead_minutes,
        "series": series,
        "busiestHours": r.bookings.busiest_hours.iter().enumerate()
            .map(|(hour, n)| json!({"hour": hour, "bookings": n})).collect::<Vec<_>>(),
        "hosts": r.hosts.iter().map(|h| json!({
            "userId": h.user_id, "name": h.name, "bookings": h.bookings, "share": share(h.share),
            "weight": h.weight, "weightShare": h.weight_share.map(share),
        })).collect::<Vec<_>>(),
        "conversion": r.conversion.iter().map(|c| json!({
            "eventTypeId": c.event_type_id, "title": c.title, "views": c.views,
            "bookings": c.bookings, "rate": c.rate.map(share),
        })).collect::<Vec<_>>(),
    })
}
