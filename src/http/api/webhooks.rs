//! `/v2/webhooks` and `/v2/event-types/{id}/webhooks`: subscriptions in Cal.com's shape, plus
//! (Kairos) the delivery log, ping and redelivery.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::success;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::extract::{Authenticated, parse_body};
use crate::storage::webhooks::{
    AttemptRecord, DeliveryFilter, DeliveryRecord, WebhookFields, WebhookRecord,
};
use crate::webhooks::{self, TRIGGERS, VERSIONS, ssrf};

const MAX_SECRET: usize = 256;
const MAX_TEMPLATE: usize = 64 * 1024;

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn iso_naive(at: Option<NaiveDateTime>) -> Value {
    at.map_or(Value::Null, |t| json!(iso(t.and_utc())))
}

fn to_json(hook: &WebhookRecord, show_secret: bool) -> Value {
    let mut out = json!({"id": hook.id});
    match (hook.user_id, hook.event_type_id) {
        (Some(user), _) => out["userId"] = json!(user),
        (None, Some(et)) => out["eventTypeId"] = json!(et),
        _ => {}
    }
    out["subscriberUrl"] = json!(hook.subscriber_url);
    out["active"] = json!(hook.active);
    out["triggers"] = json!(hook.triggers());
    out["payloadTemplate"] = json!(hook.payload_template);
    if show_secret && let Some(secret) = &hook.secret {
        out["secret"] = json!(secret);
    }
    out["version"] = json!(hook.version);
    if let (Some(time), Some(unit)) = (hook.time, &hook.time_unit) {
        out["time"] = json!(time);
        out["timeUnit"] = json!(unit);
    }
    out["hasSecret"] = json!(hook.secret.is_some());
    out["disabledReason"] = json!(hook.disabled_reason);
    out["disabledAt"] = iso_naive(hook.disabled_at);
    out["createdAt"] = json!(iso(hook.created_at));
    out
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookInput {
    subscriber_url: Option<String>,
    triggers: Option<Vec<String>>,
    /// Cal.com v1's name for `triggers`.
    event_triggers: Option<Vec<String>>,
    active: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    secret: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    payload_template: Option<Option<String>>,
    version: Option<String>,
    #[serde(default, deserialize_with = "present")]
    time: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present")]
    time_unit: Option<Option<String>>,
}

/// Tells a field sent as `null` (clear it) from one not sent (keep it).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(message.into())
}

/// Merges `input` into `current` (a PATCH; `None` for a create) and validates the whole.
async fn validate(
    input: WebhookInput,
    current: Option<&WebhookRecord>,
    policy: &ssrf::Policy,
) -> Result<WebhookFields, ApiError> {
    let url = match (input.subscriber_url, current) {
        (Some(url), _) => url,
        (None, Some(c)) => c.subscriber_url.clone(),
        (None, None) => return Err(bad("subscriberUrl: is required")),
    };
    let url = ssrf::check(url.trim(), policy).await.map_err(|e| {
        if e.starts_with("subscriberUrl") {
            bad(e)
        } else {
            bad(format!("subscriberUrl: {e}"))
        }
    })?;
    let triggers = match (input.triggers.or(input.event_triggers), current) {
        (Some(t), _) => t,
        (None, Some(c)) => c.triggers(),
        (None, None) => return Err(bad("triggers: is required (a list of trigger events)")),
    };
    if triggers.is_empty() {
        return Err(bad("triggers: must name at least one trigger event"));
    }
    for (i, trigger) in triggers.iter().enumerate() {
        if !TRIGGERS.contains(&trigger.as_str()) {
            return Err(bad(format!(
                "triggers[{i}]: `{trigger}` is not a trigger event; use one of {}",
                TRIGGERS.join(", ")
            )));
        }
        if triggers[..i].contains(trigger) {
            return Err(bad(format!("triggers[{i}]: `{trigger}` is listed twice")));
        }
    }
    let secret = match (input.secret, current) {
        (Some(s), _) => s.filter(|s| !s.is_empty()),
        (None, Some(c)) => c.secret.clone(),
        (None, None) => None,
    };
    if secret.as_ref().is_some_and(|s| s.len() > MAX_SECRET) {
        return Err(bad(format!(
            "secret: may be at most {MAX_SECRET} characters"
        )));
    }
    let template = match (input.payload_template, current) {
        (Some(t), _) => t.filter(|t| !t.trim().is_empty()),
        (None, Some(c)) => c.payload_template.clone(),
        (None, None) => None,
    };
    if template.as_ref().is_some_and(|t| t.len() > MAX_TEMPLATE) {
        return Err(bad(format!(
            "payloadTemplate: may be at most {MAX_TEMPLATE} bytes"
        )));
    }
    let version = match (input.version, current) {
        (Some(v), _) => v,
        (None, Some(c)) => c.version.clone(),
        (None, None) => VERSIONS[0].to_owned(),
    };
    if !VERSIONS.contains(&version.as_str()) {
        return Err(bad(format!(
            "version: `{version}` is not supported; use {}",
            VERSIONS.join(" or ")
        )));
    }
    let time = match (input.time, current) {
        (Some(t), _) => t,
        (None, Some(c)) => c.time,
        (None, None) => None,
    };
    let time_unit = match (input.time_unit, current) {
        (Some(u), _) => u.map(|u| u.to_uppercase()),
        (None, Some(c)) => c.time_unit.clone(),
        (None, None) => None,
    };
    let no_show = triggers.iter().any(|t| t.starts_with("AFTER_"));
    if no_show && (time.is_none() || time_unit.is_none()) {
        return Err(bad(
            "time: `time` and `timeUnit` are required with the AFTER_*_CAL_VIDEO_NO_SHOW triggers",
        ));
    }
    if time.is_some_and(|t| t < 1) {
        return Err(bad("time: must be a positive number"));
    }
    if let Some(unit) = &time_unit
        && !["DAY", "HOUR", "MINUTE"].contains(&unit.as_str())
    {
        return Err(bad(format!(
            "timeUnit: `{unit}` is not DAY, HOUR or MINUTE"
        )));
    }
    let active = input.active.or(current.map(|c| c.active)).unwrap_or(true);
    Ok(WebhookFields {
        subscriber_url: url.to_string(),
        active,
        triggers: json!(triggers).to_string(),
        secret,
        payload_template: template,
        version,
        time,
        time_unit,
    })
}

#[derive(Debug, Deserialize)]
pub struct Page {
    take: Option<i64>,
    skip: Option<i64>,
}

fn page(p: &Page) -> Result<(i64, i64), ApiError> {
    let take = p.take.unwrap_or(250);
    if !(1..=250).contains(&take) {
        return Err(bad("take: must be between 1 and 250"));
    }
    let skip = p.skip.unwrap_or(0);
    if skip < 0 {
        return Err(bad("skip: must not be negative"));
    }
    Ok((skip, take))
}

async fn create_in(
    state: &AppState,
    caller: i64,
    event_type: Option<i64>,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let input: WebhookInput = parse_body(body)?;
    let fields = validate(input, None, &state.webhook_policy).await?;
    let hook = webhooks::create(&state.db, caller, event_type, fields).await?;
    Ok(HttpResponse::Created().json(success(to_json(&hook, true))))
}

async fn update_in(
    state: &AppState,
    caller: i64,
    event_type: Option<i64>,
    id: &str,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let input: WebhookInput = parse_body(body)?;
    // The URL check resolves names, so it runs before the transaction, on the current values.
    let current = webhooks::get(&state.db, caller, event_type, id).await?;
    let fields = validate(input, Some(&current), &state.webhook_policy).await?;
    let hook = webhooks::update(&state.db, caller, event_type, id, fields).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&hook, false))))
}

pub async fn list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    query: web::Query<Page>,
) -> Result<HttpResponse, ApiError> {
    let (skip, take) = page(&query)?;
    let hooks = webhooks::list(&state.db, caller.user.id, None, skip, take).await?;
    let data: Vec<Value> = hooks.iter().map(|h| to_json(h, false)).collect();
    Ok(HttpResponse::Ok().json(success(json!(data))))
}

pub async fn create(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    create_in(&state, caller.user.id, None, &body).await
}

pub async fn get(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let hook = webhooks::get(&state.db, caller.user.id, None, &id).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&hook, false))))
}

pub async fn update(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    update_in(&state, caller.user.id, None, &id, &body).await
}

pub async fn delete(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let hook = webhooks::delete(&state.db, caller.user.id, None, &id).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&hook, false))))
}

pub async fn event_type_list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    event_type: web::Path<i64>,
    query: web::Query<Page>,
) -> Result<HttpResponse, ApiError> {
    let (skip, take) = page(&query)?;
    let hooks = webhooks::list(&state.db, caller.user.id, Some(*event_type), skip, take).await?;
    let data: Vec<Value> = hooks.iter().map(|h| to_json(h, false)).collect();
    Ok(HttpResponse::Ok().json(success(json!(data))))
}

pub async fn event_type_create(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    event_type: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    create_in(&state, caller.user.id, Some(*event_type), &body).await
}

pub async fn event_type_get(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    let (event_type, id) = path.into_inner();
    let hook = webhooks::get(&state.db, caller.user.id, Some(event_type), &id).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&hook, false))))
}

pub async fn event_type_update(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (event_type, id) = path.into_inner();
    update_in(&state, caller.user.id, Some(event_type), &id, &body).await
}

pub async fn event_type_delete(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    let (event_type, id) = path.into_inner();
    let hook = webhooks::delete(&state.db, caller.user.id, Some(event_type), &id).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&hook, false))))
}

fn delivery_json(d: &DeliveryRecord) -> Value {
    json!({
        "id": d.id,
        "webhookId": d.webhook_id,
        "triggerEvent": d.trigger_event,
        "bookingId": d.booking_id,
        "status": d.status,
        "attemptCount": d.attempts,
        "nextAttemptAt": if d.status == "pending" { iso_naive(d.next_attempt_at) } else { Value::Null },
        "lastStatusCode": d.last_status_code,
        "lastError": d.last_error,
        "contentType": d.content_type,
        "version": d.version,
        "createdAt": iso(d.created_at),
        "finishedAt": iso_naive(d.finished_at),
    })
}

fn attempt_json(a: &AttemptRecord) -> Value {
    json!({
        "id": a.id,
        "attemptedAt": iso(a.attempted_at),
        "statusCode": a.status_code,
        "latencyMs": a.latency_ms,
        "responseExcerpt": a.response_excerpt,
        "error": a.error,
    })
}

pub async fn ping(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let delivery = webhooks::ping(&state.db, caller.user.id, &id).await?;
    Ok(HttpResponse::Created().json(success(delivery_json(&delivery))))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryQuery {
    status: Option<String>,
    trigger_event: Option<String>,
    after_created_at: Option<String>,
    before_created_at: Option<String>,
    take: Option<i64>,
    skip: Option<i64>,
}

fn instant(field: &str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    raw.map(|raw| {
        DateTime::parse_from_rfc3339(raw)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| bad(format!("{field}: `{raw}` is not an ISO 8601 instant")))
    })
    .transpose()
}

pub async fn deliveries(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<String>,
    query: web::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    if let Some(status) = &q.status
        && !["pending", "delivered", "failed", "cancelled"].contains(&status.as_str())
    {
        return Err(bad(format!(
            "status: `{status}` is not pending, delivered, failed or cancelled"
        )));
    }
    if let Some(trigger) = &q.trigger_event
        && trigger != "PING"
        && !TRIGGERS.contains(&trigger.as_str())
    {
        return Err(bad(format!(
            "triggerEvent: `{trigger}` is not a trigger event"
        )));
    }
    let (skip, take) = page(&Page {
        take: Some(q.take.unwrap_or(100)),
        skip: q.skip,
    })?;
    let filter = DeliveryFilter {
        status: q.status,
        trigger: q.trigger_event,
        after: instant("afterCreatedAt", q.after_created_at.as_deref())?,
        before: instant("beforeCreatedAt", q.before_created_at.as_deref())?,
        skip,
        take,
    };
    let (rows, total) = webhooks::deliveries(&state.db, caller.user.id, &id, &filter).await?;
    let returned = rows.len() as i64;
    Ok(HttpResponse::Ok().json(json!({
        "status": "success",
        "data": rows.iter().map(delivery_json).collect::<Vec<_>>(),
        "pagination": {
            "totalItems": total,
            "remainingItems": (total - skip - returned).max(0),
            "returnedItems": returned,
            "itemsPerPage": take,
            "currentPage": skip / take + 1,
            "totalPages": (total + take - 1) / take,
            "hasNextPage": skip + returned < total,
            "hasPreviousPage": skip > 0,
        },
    })))
}

pub async fn delivery(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery) = path.into_inner();
    let (record, attempts) = webhooks::delivery(&state.db, caller.user.id, &id, &delivery).await?;
    let mut out = delivery_json(&record);
    out["body"] = json!(record.body);
    out["attempts"] = json!(attempts.iter().map(attempt_json).collect::<Vec<_>>());
    Ok(HttpResponse::Ok().json(success(out)))
}

pub async fn redeliver(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery) = path.into_inner();
    let record = webhooks::redeliver(&state.db, caller.user.id, &id, &delivery).await?;
    Ok(HttpResponse::Ok().json(success(delivery_json(&record))))
}
