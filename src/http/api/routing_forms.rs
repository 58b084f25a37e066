//! `/v2/routing-forms` (the caller's) and `/v2/teams/{id}/routing-forms` (a team's, for its
//! admins and owners): routing forms over `crate::routing_forms`, their responses (paginated),
//! and the public submission `POST /v2/routing-forms/{id}/responses` that answers the route.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::success;
use crate::error::ApiError;
use crate::http::extract::{Authenticated, OptionalCaller, parse_body};
use crate::http::{AppState, admission};
use crate::routing_forms::{self, Form};
use crate::storage::routing_forms::FormOwner;
use crate::webhooks::subscriptions::Page;

async fn list_of(
    state: &AppState,
    caller: i64,
    owner: FormOwner,
) -> Result<HttpResponse, ApiError> {
    let all = routing_forms::list(&state.db, caller, owner).await?;
    let data: Vec<Value> = all.iter().map(Form::to_json).collect();
    Ok(HttpResponse::Ok().json(success(json!(data))))
}

async fn create_for(
    state: &AppState,
    caller: i64,
    owner: FormOwner,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let body: Value = parse_body(body)?;
    let made = routing_forms::create(&state.db, caller, owner, body).await?;
    Ok(HttpResponse::Created().json(success(made.to_json())))
}

async fn get_of(
    state: &AppState,
    caller: i64,
    owner: FormOwner,
    id: i64,
) -> Result<HttpResponse, ApiError> {
    let found = routing_forms::get(&state.db, caller, owner, id).await?;
    Ok(HttpResponse::Ok().json(success(found.to_json())))
}

async fn update_of(
    state: &AppState,
    caller: i64,
    owner: FormOwner,
    id: i64,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let body: Value = parse_body(body)?;
    let changed = routing_forms::update(&state.db, caller, owner, id, body).await?;
    Ok(HttpResponse::Ok().json(success(changed.to_json())))
}

async fn delete_of(
    state: &AppState,
    caller: i64,
    owner: FormOwner,
    id: i64,
) -> Result<HttpResponse, ApiError> {
    routing_forms::delete(&state.db, caller, owner, id).await?;
    Ok(HttpResponse::Ok().json(json!({"status": "success"})))
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    take: Option<i64>,
    skip: Option<i64>,
}

async fn responses_of(
    state: &AppState,
    caller: i64,
    owner: FormOwner,
    id: i64,
    page: PageQuery,
) -> Result<HttpResponse, ApiError> {
    let Page { skip, take } = Page::new(page.take, page.skip)?;
    let found = routing_forms::responses(&state.db, caller, owner, id, skip, take).await?;
    let total = found.total;
    let returned = found.rows.len() as i64;
    Ok(HttpResponse::Ok().json(json!({
        "status": "success",
        "data": found.rows.iter().map(routing_forms::response_json).collect::<Vec<_>>(),
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

fn mine(caller: &crate::accounts::Caller) -> (i64, FormOwner) {
    (caller.user.id, FormOwner::User(caller.user.id))
}

pub async fn list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let (me, owner) = mine(&caller);
    list_of(&state, me, owner).await
}

pub async fn create(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (me, owner) = mine(&caller);
    create_for(&state, me, owner, &body).await
}

pub async fn get(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (me, owner) = mine(&caller);
    get_of(&state, me, owner, *id).await
}

pub async fn update(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (me, owner) = mine(&caller);
    update_of(&state, me, owner, *id, &body).await
}

pub async fn delete(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (me, owner) = mine(&caller);
    delete_of(&state, me, owner, *id).await
}

pub async fn responses(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (me, owner) = mine(&caller);
    responses_of(&state, me, owner, *id, page.into_inner()).await
}

pub async fn team_list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    team: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    list_of(&state, caller.user.id, FormOwner::Team(*team)).await
}

pub async fn team_create(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    team: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    create_for(&state, caller.user.id, FormOwner::Team(*team), &body).await
}

pub async fn team_get(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (team, id) = path.into_inner();
    get_of(&state, caller.user.id, FormOwner::Team(team), id).await
}

pub async fn team_update(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (team, id) = path.into_inner();
    update_of(&state, caller.user.id, FormOwner::Team(team), id, &body).await
}

pub async fn team_delete(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (team, id) = path.into_inner();
    delete_of(&state, caller.user.id, FormOwner::Team(team), id).await
}

pub async fn team_responses(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, i64)>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (team, id) = path.into_inner();
    responses_of(
        &state,
        caller.user.id,
        FormOwner::Team(team),
        id,
        page.into_inner(),
    )
    .await
}

/// The public submission: the answers by question slug; answers where the route sends them.
pub async fn submit(
    state: web::Data<AppState>,
    caller: OptionalCaller,
    request: HttpRequest,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let admitted = admission::anonymous(&state, &request, &caller.0)?;
    let answers: Value = parse_body(&body)?;
    let routed = routing_forms::submit(&state.db, &state.outbox, *id, &answers).await?;
    let response = HttpResponse::Created().json(success(json!({
        "responseId": routed.response_id,
        "formId": *id,
        "routedTo": routed.routed_to,
    })));
    Ok(admission::decorate(admitted, response))
}

/// Cal.com's `calculate-slots`: where these answers are routed and, for an event type, its
/// slots over the routed hosts (`GET /v2/slots`' window parameters); nothing is stored.
pub async fn calculate_slots(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<super::slots::SlotsQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let answers: Value = parse_body(&body)?;
    let to = routing_forms::route(&state.db, &state.outbox, *id, &answers).await?;
    let (event, slots) = match &to.event {
        Some((event, hosts)) => {
            let slots = super::slots::routed(&state, query.into_inner(), *event, hosts).await?;
            (json!(event), slots)
        }
        None => (Value::Null, json!({})),
    };
    Ok(HttpResponse::Ok().json(success(json!({
        "eventTypeId": event,
        "routedTo": to.routed_to,
        "slots": slots,
    }))))
}
