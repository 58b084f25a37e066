//! `/v2/me/calendar-feed` (Kairos): the caller's published calendar feed. `POST` makes it (or
//! replaces it, ending the old URL) and is the only answer that holds its URL; `GET` says
//! whether one exists; `DELETE` revokes it. The feed itself is a page route, `/feeds/{token}.ics`.

use actix_web::{HttpResponse, web};
use chrono::SecondsFormat;
use serde_json::json;

use super::success;
use crate::calendars::publish;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::extract::Authenticated;

pub async fn create(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let feed = publish::create(&state.db, caller.user.id, &state.base_url).await?;
    Ok(HttpResponse::Created().json(success(json!({
        "url": feed.url,
        "createdAt": feed.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
    }))))
}

pub async fn get(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let created = publish::status(&state.db, caller.user.id).await?;
    Ok(HttpResponse::Ok().json(success(json!({
        "exists": created.is_some(),
        "createdAt": created.map(|at| at.to_rfc3339_opts(SecondsFormat::Millis, true)),
    }))))
}

pub async fn delete(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    publish::revoke(&state.db, caller.user.id).await?;
    Ok(HttpResponse::Ok().json(json!({"status": "success"})))
}
