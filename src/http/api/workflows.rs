//! `/v2/workflows` (the caller's) and `/v2/teams/{id}/workflows` (a team's, for its admins):
//! Cal.com's workflow shapes over `crate::workflows`, and a preview of one step's message.

use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::success;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::extract::{Authenticated, parse_body};
use crate::storage::workflows::WorkflowOwner;
use crate::workflows::{self, PreviewInput, Recipient};

fn list_json(all: &[workflows::Workflow]) -> Value {
    json!(
        all.iter()
            .map(workflows::Workflow::to_json)
            .collect::<Vec<_>>()
    )
}

async fn list_of(
    state: &AppState,
    caller: i64,
    owner: WorkflowOwner,
) -> Result<HttpResponse, ApiError> {
    let all = workflows::list(&state.db, caller, owner).await?;
    Ok(HttpResponse::Ok().json(success(list_json(&all))))
}

async fn create_for(
    state: &AppState,
    caller: i64,
    owner: WorkflowOwner,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let body: Value = parse_body(body)?;
    let made = workflows::create(&state.db, &state.outbox, caller, owner, body).await?;
    Ok(HttpResponse::Created().json(success(made.to_json())))
}

async fn get_of(
    state: &AppState,
    caller: i64,
    owner: WorkflowOwner,
    id: i64,
) -> Result<HttpResponse, ApiError> {
    let found = workflows::get(&state.db, caller, owner, id).await?;
    Ok(HttpResponse::Ok().json(success(found.to_json())))
}

async fn update_of(
    state: &AppState,
    caller: i64,
    owner: WorkflowOwner,
    id: i64,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let body: Value = parse_body(body)?;
    let changed = workflows::update(&state.db, &state.outbox, caller, owner, id, body).await?;
    Ok(HttpResponse::Ok().json(success(changed.to_json())))
}

async fn delete_of(
    state: &AppState,
    caller: i64,
    owner: WorkflowOwner,
    id: i64,
) -> Result<HttpResponse, ApiError> {
    workflows::delete(&state.db, &state.outbox, caller, owner, id).await?;
    Ok(HttpResponse::Ok().json(json!({"status": "success"})))
}

pub async fn list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    list_of(&state, caller.user.id, WorkflowOwner::User(caller.user.id)).await
}

pub async fn create(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    create_for(
        &state,
        caller.user.id,
        WorkflowOwner::User(caller.user.id),
        &body,
    )
    .await
}

pub async fn get(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    get_of(
        &state,
        caller.user.id,
        WorkflowOwner::User(caller.user.id),
        *id,
    )
    .await
}

pub async fn update(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    update_of(
        &state,
        caller.user.id,
        WorkflowOwner::User(caller.user.id),
        *id,
        &body,
    )
    .await
}

pub async fn delete(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    delete_of(
        &state,
        caller.user.id,
        WorkflowOwner::User(caller.user.id),
        *id,
    )
    .await
}

pub async fn team_list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    team: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    list_of(&state, caller.user.id, WorkflowOwner::Team(*team)).await
}

pub async fn team_create(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    team: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    create_for(&state, caller.user.id, WorkflowOwner::Team(*team), &body).await
}

pub async fn team_get(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (team, id) = path.into_inner();
    get_of(&state, caller.user.id, WorkflowOwner::Team(team), id).await
}

pub async fn team_update(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (team, id) = path.into_inner();
    update_of(&state, caller.user.id, WorkflowOwner::Team(team), id, &body).await
}

pub async fn team_delete(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (team, id) = path.into_inner();
    delete_of(&state, caller.user.id, WorkflowOwner::Team(team), id).await
}

/// One step's message for a sample booking, addressed to the caller in their zone, language and
/// clock.
pub async fn preview(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let input: PreviewInput = parse_body(&body)?;
    let me = &caller.user;
    let to = Recipient {
        name: &me.name,
        email: &me.email,
        clock: crate::notify::compose::host_clock(me),
    };
    let message = workflows::preview(input, &to, &state.base_url)?;
    Ok(HttpResponse::Ok().json(success(json!({
        "to": format!("{} <{}>", message.email.to_name, message.email.to_email),
        "subject": message.email.subject,
        "text": message.email.text,
        "html": message.html,
    }))))
}
