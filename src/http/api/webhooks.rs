//! `/v2/webhooks` and `/v2/event-types/{id}/webhooks`: subscriptions in Cal.com's shape, plus
//! (Kairos) the delivery log, ping and redelivery.

use crate::domain::text;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::success;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::extract::{Authenticated, parse_body};
use crate::storage::webhooks::{AttemptRecord, DeliveryRecord, WebhookRecord};
use crate::webhooks::subscriptions::{self, SubscriptionInput};

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
    #[serde(default, deserialize_with = "text::line")]
    subscriber_url: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    triggers: Option<Vec<String>>,
    /// Cal.com v1's name for `triggers`.
    #[serde(default, deserialize_with = "text::line")]
    event_triggers: Option<Vec<String>>,
    active: Option<bool>,
    #[serde(default, deserialize_with = "present_line")]
    secret: Option<Option<String>>,
    #[serde(default, deserialize_with = "present_lines")]
    payload_template: Option<Option<String>>,
    #[serde(default, deserialize_with = "text::line")]
    version: Option<String>,
    #[serde(default, deserialize_with = "present")]
    time: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present_line")]
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

/// [`present`] for one line of text.
fn present_line<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    text::line(d).map(Some)
}

/// [`present`] for text that may span lines (a payload template).
fn present_lines<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    text::lines(d).map(Some)
}

impl From<WebhookInput> for SubscriptionInput {
    fn from(input: WebhookInput) -> Self {
        Self {
            subscriber_url: input.subscriber_url,
            triggers: input.triggers.or(input.event_triggers),
            active: input.active,
            secret: input.secret,
            payload_template: input.payload_template,
            version: input.version,
            time: input.time,
            time_unit: input.time_unit,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    take: Option<i64>,
    skip: Option<i64>,
}

async fn create_in(
    state: &AppState,
    caller: i64,
    event_type: Option<i64>,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let input: WebhookInput = parse_body(body)?;
    let hook = subscriptions::create(
        &state.db,
        &state.webhook_policy,
        &state.webhook_secrets,
        caller,
        event_type,
        input.into(),
    )
    .await?;
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
    let hook = subscriptions::update(
        &state.db,
        &state.webhook_policy,
        &state.webhook_secrets,
        caller,
        event_type,
        id,
        input.into(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(success(to_json(&hook, false))))
}

async fn list_in(
    state: &AppState,
    caller: i64,
    event_type: Option<i64>,
    page: &PageQuery,
) -> Result<HttpResponse, ApiError> {
    let page = subscriptions::Page::new(page.take, page.skip)?;
    let hooks = subscriptions::list(&state.db, caller, event_type, page).await?;
    let data: Vec<Value> = hooks.iter().map(|h| to_json(h, false)).collect();
    Ok(HttpResponse::Ok().json(success(json!(data))))
}

pub async fn list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    list_in(&state, caller.user.id, None, &query).await
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
    let hook = subscriptions::get(&state.db, caller.user.id, None, &id).await?;
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
    let hook = subscriptions::delete(&state.db, caller.user.id, None, &id).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&hook, false))))
}

pub async fn event_type_list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    event_type: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    list_in(&state, caller.user.id, Some(*event_type), &query).await
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
    let hook = subscriptions::get(&state.db, caller.user.id, Some(event_type), &id).await?;
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
    let hook = subscriptions::delete(&state.db, caller.user.id, Some(event_type), &id).await?;
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
    let delivery = subscriptions::ping(&state.db, caller.user.id, &id).await?;
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

pub async fn deliveries(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<String>,
    query: web::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let query = subscriptions::DeliveryQuery {
        status: q.status,
        trigger_event: q.trigger_event,
        after_created_at: q.after_created_at,
        before_created_at: q.before_created_at,
        take: q.take,
        skip: q.skip,
    };
    let found = subscriptions::deliveries(&state.db, caller.user.id, &id, query).await?;
    let (total, skip, take) = (found.total, found.page.skip, found.page.take);
    let returned = found.rows.len() as i64;
    Ok(HttpResponse::Ok().json(json!({
        "status": "success",
        "data": found.rows.iter().map(delivery_json).collect::<Vec<_>>(),
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
    let (record, attempts) =
        subscriptions::delivery(&state.db, caller.user.id, &id, &delivery).await?;
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
    let record = subscriptions::redeliver(&state.db, caller.user.id, &id, &delivery).await?;
    Ok(HttpResponse::Ok().json(success(delivery_json(&record))))
}
