//! `/v2/teams` and `/v2/teams/{teamId}/memberships`.

use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::success;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::extract::{Authenticated, parse_body};
use crate::storage::teams::{Membership, Team};
use crate::teams::{self, MembershipInput, TeamInput};

pub fn team_json(team: &Team) -> Value {
    json!({
        "id": team.id,
        "name": team.name,
        "slug": team.slug,
        "bio": team.bio,
        "logoUrl": null,
        "calVideoLogo": null,
        "appLogo": null,
        "appIconLogo": null,
        "bannerUrl": null,
        "hideBranding": false,
        "isOrganization": false,
        "isPrivate": false,
        "hideBookATeamMember": false,
        "metadata": serde_json::from_str::<Value>(&team.metadata).unwrap_or(json!({})),
        "theme": null,
        "brandColor": team.brand_color,
        "darkBrandColor": null,
        "timeFormat": null,
        "timeZone": team.time_zone,
        "weekStart": "Monday",
        "parentId": null,
        "rrResetInterval": team.rr_reset_interval,
        "rrTimestampBasis": team.rr_timestamp_basis,
    })
}

/// A membership as `viewer` sees it. An open invitation shows who was invited only to that
/// person: adding a user id must not tell the inviter whose id it is (name, username, email).
fn membership_json(m: &Membership, viewer: i64) -> Value {
    let known = m.accepted || m.user_id == viewer;
    json!({
        "id": m.id,
        "userId": m.user_id,
        "teamId": m.team_id,
        "accepted": m.accepted,
        "role": m.role,
        "disableImpersonation": false,
        "user": {
            "name": known.then_some(&m.user.name),
            "email": known.then_some(&m.user.email),
            "username": known.then_some(&m.user.username),
            "avatarUrl": null,
        },
    })
}

pub async fn list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let all = teams::list(&state.db, caller.user.id).await?;
    Ok(HttpResponse::Ok().json(success(Value::Array(all.iter().map(team_json).collect()))))
}

pub async fn create(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let input: TeamInput = parse_body(&body)?;
    let team = teams::create(&state.db, caller.user.id, input).await?;
    Ok(HttpResponse::Created().json(success(team_json(&team))))
}

pub async fn get(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let team = teams::get(&state.db, caller.user.id, *id).await?;
    Ok(HttpResponse::Ok().json(success(team_json(&team))))
}

pub async fn update(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let input: TeamInput = parse_body(&body)?;
    let team = teams::update(&state.db, caller.user.id, *id, input).await?;
    Ok(HttpResponse::Ok().json(success(team_json(&team))))
}

pub async fn delete(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let team = teams::get(&state.db, caller.user.id, *id).await?;
    teams::delete(&state.db, caller.user.id, *id).await?;
    Ok(HttpResponse::Ok().json(success(team_json(&team))))
}

pub async fn memberships(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    team: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let all = teams::memberships(&state.db, caller.user.id, *team).await?;
    Ok(HttpResponse::Ok().json(success(Value::Array(
        all.iter()
            .map(|m| membership_json(m, caller.user.id))
            .collect(),
    ))))
}

pub async fn add_membership(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    team: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let input: MembershipInput = parse_body(&body)?;
    let m = teams::add_membership(&state.db, caller.user.id, *team, input).await?;
    Ok(HttpResponse::Created().json(success(membership_json(&m, caller.user.id))))
}

pub async fn get_membership(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (team, id) = path.into_inner();
    let m = teams::get_membership(&state.db, caller.user.id, team, id).await?;
    Ok(HttpResponse::Ok().json(success(membership_json(&m, caller.user.id))))
}

pub async fn update_membership(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (team, id) = path.into_inner();
    let input: MembershipInput = parse_body(&body)?;
    let m = teams::update_membership(&state.db, caller.user.id, team, id, input).await?;
    Ok(HttpResponse::Ok().json(success(membership_json(&m, caller.user.id))))
}

pub async fn delete_membership(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (team, id) = path.into_inner();
    let m = teams::delete_membership(&state.db, caller.user.id, team, id).await?;
    Ok(HttpResponse::Ok().json(success(membership_json(&m, caller.user.id))))
}
