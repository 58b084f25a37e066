//! `GET /v2/me`: the authenticated user's profile, in Cal.com's shape.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::accounts;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::extract::Authenticated;

pub async fn get_me(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let profile = accounts::profile(&state.db, caller.user.id).await?;
    let user = &profile.user;
    Ok(HttpResponse::Ok().json(json!({
        "status": "success",
        "data": {
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
            "organizationId": null,
        }
    })))
}
