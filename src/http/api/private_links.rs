//! `/v2/event-types/{eventTypeId}/private-links`: Cal.com's private links of an event type
//! (`crate::private_links`), in its shapes: a time-based link `{linkId, eventTypeId,
//! isExpired, bookingUrl, expiresAt}`, a usage-based one with `maxUsageCount, usageCount`
//! instead of `expiresAt`.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::success;
use crate::domain::text;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::extract::{Authenticated, parse_body};
use crate::private_links::{self, Links};
use crate::storage::private_links::{Lifetime, PrivateLink};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinkBody {
    #[serde(default, deserialize_with = "text::line")]
    expires_at: Option<String>,
    max_usage_count: Option<i64>,
}

/// The lifetime a body asks for. A new link without either field is single-use; a change
/// must give one.
fn lifetime(bytes: &[u8], change: bool) -> Result<Lifetime, ApiError> {
    let body: LinkBody = parse_body(bytes)?;
    if change && body.expires_at.is_none() && body.max_usage_count.is_none() {
        return Err(ApiError::BadRequest(
            "expiresAt: give expiresAt (a link until then) or maxUsageCount (a link for that \
             many bookings)"
                .into(),
        ));
    }
    let expires_at = match body.expires_at.as_deref() {
        None => None,
        Some(raw) => Some(
            DateTime::parse_from_rfc3339(raw.trim())
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    ApiError::BadRequest(format!(
                        "expiresAt: `{raw}` is not an ISO 8601 instant like 2030-12-31T23:59:59Z"
                    ))
                })?,
        ),
    };
    Ok(private_links::lifetime(
        expires_at,
        body.max_usage_count,
        Utc::now(),
    )?)
}

fn shown(state: &AppState, slug: &str, link: &PrivateLink, now: DateTime<Utc>) -> Value {
    let base = state.base_url.trim_end_matches('/');
    let mut shown = json!({
        "linkId": link.link,
        "eventTypeId": link.event_type_id,
        "isExpired": link.is_expired(now),
        "bookingUrl": format!("{base}/d/{}/{slug}", link.link),
    });
    match (link.expires_at, link.max_usage_count) {
        (Some(at), _) => {
            shown["expiresAt"] = json!(at.to_rfc3339_opts(SecondsFormat::Millis, true));
        }
        (None, max) => {
            shown["maxUsageCount"] = json!(max.unwrap_or(0));
            shown["usageCount"] = json!(link.usage_count);
        }
    }
    shown
}

fn one(state: &AppState, found: Links) -> Result<Value, ApiError> {
    let link = (found.links.first())
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("private link lost")))?;
    Ok(shown(state, &found.slug, link, Utc::now()))
}

pub async fn create(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    event_type: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let lifetime = lifetime(&body, false)?;
    let created = private_links::create(&state.db, caller.user.id, *event_type, lifetime).await?;
    Ok(HttpResponse::Created().json(success(one(&state, created)?)))
}

pub async fn list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    event_type: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let found = private_links::list(&state.db, caller.user.id, *event_type).await?;
    let now = Utc::now();
    let links: Vec<Value> = (found.links.iter())
        .map(|l| shown(&state, &found.slug, l, now))
        .collect();
    Ok(HttpResponse::Ok().json(success(Value::Array(links))))
}

pub async fn update(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (event_type, link) = path.into_inner();
    let lifetime = lifetime(&body, true)?;
    let updated =
        private_links::update(&state.db, caller.user.id, event_type, &link, lifetime).await?;
    Ok(HttpResponse::Ok().json(success(one(&state, updated)?)))
}

pub async fn delete(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    let (event_type, link) = path.into_inner();
    private_links::delete(&state.db, caller.user.id, event_type, &link).await?;
    Ok(HttpResponse::Ok().json(success(
        json!({"linkId": link, "message": "Private link deleted successfully"}),
    )))
}
