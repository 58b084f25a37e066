//! `GET /v2/me` and `PATCH /v2/me`: the authenticated user's profile, in Cal.com's shape; and
//! Kairos' `/v2/me/notifications`: which booking emails the user receives as a host.

use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::success;
use crate::accounts::{self, Profile, ProfileChanges};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::extract::{Authenticated, parse_body};
use crate::notify::choices::{self, HostEmailChanges, HostEmails};

fn to_json(profile: &Profile) -> Value {
    let user = &profile.user;
    json!({
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "name": user.name,
        "avatarUrl": null,
        "bio": user.bio,
        "timeFormat": user.time_format,
        "defaultScheduleId": profile.default_schedule_id,
        "weekStart": user.week_start,
        "timeZone": user.time_zone,
        "locale": user.locale,
        "brandColor": user.brand_color,
        "darkBrandColor": user.dark_brand_color,
        "organizationId": null,
    })
}

pub async fn get_me(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let profile = accounts::profile(&state.db, caller.user.id).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&profile))))
}

pub async fn update_me(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let changes: ProfileChanges = parse_body(&body)?;
    let profile = accounts::update_profile(&state.db, caller.user.id, changes).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&profile))))
}

fn choices_json(chosen: &HostEmails) -> Value {
    json!({
        "bookingCreated": chosen.booked,
        "bookingRescheduled": chosen.rescheduled,
        "bookingCancelled": chosen.cancelled,
        "workflowEmails": chosen.workflows,
    })
}

pub async fn get_notifications(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let chosen = choices::host_emails(&state.db, caller.user.id).await?;
    Ok(HttpResponse::Ok().json(success(choices_json(&chosen))))
}

pub async fn update_notifications(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let changes: HostEmailChanges = parse_body(&body)?;
    let chosen = choices::change_host_emails(&state.db, caller.user.id, changes).await?;
    Ok(HttpResponse::Ok().json(success(choices_json(&chosen))))
}
