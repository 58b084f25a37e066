//! `/v2/event-types` and `/v2/teams/{teamId}/event-types` (cal-api-version 2024-06-14).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::event_types_legacy as legacy;
use super::success;
use crate::error::ApiError;
use crate::event_types::{self, EventType, EventTypeInput, SYSTEM_FIELDS, Target, priority_name};
use crate::http::AppState;
use crate::http::extract::{Authenticated, OptionalCaller, parse_body};
use crate::private_links;
use crate::service::ServiceError;

/// The system booking fields every booker answers, as Cal.com lists them before custom ones.
fn system_fields() -> Vec<Value> {
    let field = |kind: &str, slug: &str, label: &str, required: bool| json!({"type": kind, "slug": slug, "label": label, "required": required, "isDefault": true});
    vec![
        field("name", SYSTEM_FIELDS[0], "Your name", true),
        field("email", SYSTEM_FIELDS[1], "Email address", true),
        field("textarea", "notes", "Additional notes", false),
        field("multiemail", "guests", "Add guests", false),
        field(
            "textarea",
            "rescheduleReason",
            "Reason for reschedule",
            false,
        ),
    ]
}

/// An event type in Cal.com's 2024-06-14 output shape.
pub fn to_json(et: &EventType, base_url: &str) -> Value {
    let input = et.input();
    let mut data = match serde_json::to_value(&input) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    data.remove("assignAllTeamMembers");
    let record = &et.record;
    let mut out = Map::new();
    out.insert("id".into(), json!(record.id));
    out.insert("ownerId".into(), json!(record.owner_id));
    if let Some(team) = record.team_id {
        out.insert("teamId".into(), json!(team));
    }
    for (key, value) in data {
        out.insert(key, value);
    }
    let mut fields = system_fields();
    fields.extend(et.settings.booking_fields.iter().map(|f| json!(f)));
    let defaults = [
        ("lengthInMinutesOptions", Value::Null),
        ("slotInterval", Value::Null),
        ("bookingWindow", Value::Null),
        ("bookingLimitsCount", Value::Null),
        ("bookingLimitsDuration", Value::Null),
        ("seats", Value::Null),
        ("confirmationPolicy", Value::Null),
        ("scheduleId", Value::Null),
        ("restrictionScheduleId", Value::Null),
        ("disableGuests", json!(false)),
        ("successRedirectUrl", Value::Null),
        ("forwardParamsSuccessRedirect", json!(true)),
        ("lockTimeZoneToggleOnBookingPage", json!(false)),
        ("defaultReminders", json!(false)),
        ("recurrence", Value::Null),
        ("customName", Value::Null),
        ("color", Value::Null),
        ("metadata", json!({})),
        ("disableCancelling", json!(false)),
        ("disableRescheduling", json!(false)),
    ];
    for (key, value) in defaults {
        out.entry(key).or_insert(value);
    }
    out.insert("bookingFields".into(), json!(fields));
    out.insert("seatsPerTimeSlot".into(), json!(record.seats_per_slot));
    out.insert("price".into(), json!(0));
    out.insert("currency".into(), json!("usd"));
    out.insert("isInstantEvent".into(), json!(false));
    out.insert("bookingRequiresAuthentication".into(), json!(false));
    out.insert(
        "users".into(),
        match &et.owner_user {
            Some(u) => json!([{
                "id": u.id, "name": u.name, "username": u.username, "email": u.email,
                "timeZone": u.time_zone, "avatarUrl": null, "brandColor": u.brand_color,
                "darkBrandColor": u.dark_brand_color, "weekStart": u.week_start,
            }]),
            None => json!(
                et.hosts
                    .iter()
                    .map(
                        |h| json!({"id": h.user_id, "name": h.name, "username": h.username,
                    "email": h.email, "timeZone": h.time_zone, "avatarUrl": null})
                    )
                    .collect::<Vec<_>>()
            ),
        },
    );
    if record.team_id.is_some() {
        out.insert(
            "hosts".into(),
            json!(
                et.hosts
                    .iter()
                    .map(|h| json!({
                        "userId": h.user_id, "name": h.name, "username": h.username,
                        "mandatory": h.is_fixed, "priority": priority_name(h.priority),
                        "weight": h.weight, "groupId": h.group_id,
                    }))
                    .collect::<Vec<_>>()
            ),
        );
    }
    out.insert(
        "bookingUrl".into(),
        json!(format!(
            "{}/{}",
            base_url.trim_end_matches('/'),
            et.booking_path()
        )),
    );
    Value::Object(out)
}

/// What anyone may see of an event type (the lookup by `username` without the owner's key):
/// what a booker's page needs. Never the owner's metadata, success redirect, limits, title
/// template, schedule or email, nor a location's address, link or number unless the host shows
/// it publicly (`displayLocationPublicly`).
pub fn public_json(et: &EventType, base_url: &str) -> Value {
    const PUBLIC: [&str; 17] = [
        "id",
        "ownerId",
        "teamId",
        "title",
        "slug",
        "description",
        "lengthInMinutes",
        "lengthInMinutesOptions",
        "bookingFields",
        "seats",
        "seatsPerTimeSlot",
        "disableGuests",
        "lockTimeZoneToggleOnBookingPage",
        "recurrence",
        "price",
        "currency",
        "bookingUrl",
    ];
    let Value::Object(mut full) = to_json(et, base_url) else {
        return Value::Null;
    };
    let mut out: Map<String, Value> = PUBLIC
        .iter()
        .filter_map(|key| full.remove(*key).map(|v| ((*key).to_owned(), v)))
        .collect();
    let locations: Vec<Value> = et.settings.locations.iter().map(public_location).collect();
    out.insert("locations".into(), json!(locations));
    let people = |id: i64, name: &str, username: &str, zone: &str| json!({"id": id, "name": name, "username": username, "timeZone": zone, "avatarUrl": null});
    let users: Vec<Value> = match &et.owner_user {
        Some(u) => vec![people(u.id, &u.name, &u.username, &u.time_zone)],
        None => et
            .hosts
            .iter()
            .map(|h| people(h.user_id, &h.name, &h.username, &h.time_zone))
            .collect(),
    };
    out.insert("users".into(), json!(users));
    Value::Object(out)
}

/// A location as a booker may see it: its kind (and app), and its value only when public.
fn public_location(location: &event_types::Location) -> Value {
    if location.public {
        return location.shape.clone();
    }
    let mut shown = Map::new();
    for key in ["type", "integration"] {
        if let Some(v) = location.shape.get(key) {
            shown.insert(key.to_owned(), v.clone());
        }
    }
    Value::Object(shown)
}

fn list_json(list: &[EventType], base_url: &str) -> Value {
    Value::Array(list.iter().map(|e| to_json(e, base_url)).collect())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    username: Option<String>,
    event_slug: Option<String>,
}

/// Public with `username` (a person's visible event types, or the one with `eventSlug`);
/// otherwise the caller's own: in profile groups (theirs and their teams') for the legacy
/// versions, as Cal.com answers a request without `cal-api-version`.
pub async fn list(
    state: web::Data<AppState>,
    caller: OptionalCaller,
    query: web::Query<ListQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    if let (None, Some(caller), true) = (&query.username, &caller.0, legacy::wants_legacy(&req)) {
        let mine = event_types::list_mine(&state.db, caller.user.id).await?;
        return Ok(HttpResponse::Ok().json(success(legacy_groups(&state.base_url, caller, &mine))));
    }
    let list = match (&query.username, caller.0) {
        (Some(username), caller) => {
            let own = caller
                .as_ref()
                .is_some_and(|c| &c.user.username == username);
            let found =
                event_types::list_public(&state.db, username, query.event_slug.as_deref(), own)
                    .await?;
            if !own {
                let found = reachable(&state, found).await?;
                let public = found.iter().map(|e| public_json(e, &state.base_url));
                return Ok(HttpResponse::Ok().json(success(Value::Array(public.collect()))));
            }
            found
        }
        (None, Some(caller)) => {
            let mut all = event_types::list(&state.db, caller.user.id, Target::Personal).await?;
            if let Some(slug) = &query.event_slug {
                all.retain(|e| &e.record.slug == slug);
            }
            all
        }
        (None, None) => {
            return Err(ApiError::Unauthorized(
                "Send an API key, or `username` to list a person's public event types".into(),
            ));
        }
    };
    Ok(HttpResponse::Ok().json(success(list_json(&list, &state.base_url))))
}

fn input(bytes: &[u8]) -> Result<EventTypeInput, ApiError> {
    serde_json::from_value(Value::Object(changes(bytes)?))
        .map_err(|e| ApiError::BadRequest(e.to_string()))
}

/// The body as an object, with a legacy `recurringEvent` read as `recurrence`.
fn changes(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    // Type errors are caught here, with the field's path, before the merge.
    let _: EventTypeInput = parse_body(bytes)?;
    let mut body = match serde_json::from_slice(bytes) {
        Ok(Value::Object(m)) => m,
        _ => {
            return Err(ApiError::BadRequest(
                "The request body must be a JSON object".into(),
            ));
        }
    };
    event_types::read_legacy_recurrence(&mut body)
        .map_err(|(field, m)| ApiError::BadRequest(format!("{field}: {m}")))?;
    Ok(body)
}

pub async fn create(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let created =
        event_types::create(&state.db, caller.user.id, Target::Personal, input(&body)?).await?;
    Ok(HttpResponse::Created().json(success(to_json(&created, &state.base_url))))
}

/// The legacy list: the caller's group first, then each team's (`team/<slug>`).
fn legacy_groups<'a>(
    base_url: &str,
    caller: &'a crate::accounts::Caller,
    mine: &'a event_types::Mine,
) -> Value {
    let shaped = |list: &'a [EventType]| -> Vec<(&'a EventType, Value)> {
        list.iter().map(|e| (e, to_json(e, base_url))).collect()
    };
    let mut groups = vec![(
        legacy::Profile {
            slug: caller.user.username.clone(),
            name: &caller.user.name,
            team_id: None,
            role: None,
        },
        shaped(&mine.personal),
    )];
    for (team, list) in &mine.teams {
        let profile = legacy::Profile {
            slug: format!("team/{}", team.slug),
            name: &team.name,
            team_id: Some(team.id),
            role: None,
        };
        groups.push((profile, shaped(list)));
    }
    legacy::groups(base_url, &groups)
}

/// One event type; for the legacy versions under `eventType`, in their shape.
pub async fn get(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let found =
        event_types::get(&state.db, caller.user.id, Target::Personal, id.into_inner()).await?;
    let current = to_json(&found, &state.base_url);
    if legacy::wants_legacy(&req) {
        let one = json!({"eventType": legacy::event_type(&found, &current)});
        return Ok(HttpResponse::Ok().json(success(one)));
    }
    Ok(HttpResponse::Ok().json(success(current)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicQuery {
    #[serde(default)]
    is_team_event: bool,
}

/// `GET /v2/event-types/{username}/public`: a person's visible event types (Cal.com serves
/// this path only in its legacy shape, whatever the version).
pub async fn public_list(
    state: web::Data<AppState>,
    username: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let username = username.into_inner();
    let found = event_types::list_public(&state.db, &username, None, false).await?;
    if found.is_empty() && !event_types::username_exists(&state.db, &username).await? {
        return Err(ApiError::NotFound(format!(
            "User with username \"{username}\" not found"
        )));
    }
    let list: Vec<Value> = found
        .iter()
        .map(|e| legacy::public_summary(e, &to_json(e, &state.base_url)))
        .collect();
    Ok(HttpResponse::Ok().json(success(Value::Array(list))))
}

/// `found` without the hidden event types kept behind their private links: to a booker they
/// do not exist (`private_links::admit`).
async fn reachable(state: &AppState, found: Vec<EventType>) -> Result<Vec<EventType>, ApiError> {
    let mut kept = Vec::with_capacity(found.len());
    for event in found {
        let viewing = private_links::Use::Viewing;
        match private_links::admit(&state.db, &event, None, None, viewing).await {
            Ok(()) => kept.push(event),
            Err(ServiceError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(kept)
}

/// `GET /v2/event-types/{username}/{eventSlug}/public` (`isTeamEvent=true`: a team's, by its
/// slug): what a booking widget needs of one event type, hidden ones included (as a direct
/// link books them).
pub async fn public_one(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<PublicQuery>,
) -> Result<HttpResponse, ApiError> {
    let (owner, slug) = path.into_inner();
    let found = if query.is_team_event {
        event_types::list_public_team(&state.db, &owner, Some(&slug)).await?
    } else {
        event_types::list_public(&state.db, &owner, Some(&slug), false).await?
    };
    let event = (reachable(&state, found).await?.into_iter().next())
        .ok_or_else(|| ApiError::NotFound(format!("Event type `{slug}` of `{owner}` not found")))?;
    let event = &event;
    let public = public_json(event, &state.base_url);
    let current = to_json(event, &state.base_url);
    let detail = legacy::public_detail(event, &public, &current);
    Ok(HttpResponse::Ok().json(success(detail)))
}

pub async fn update(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let updated = event_types::update(
        &state.db,
        caller.user.id,
        Target::Personal,
        id.into_inner(),
        changes(&body)?,
    )
    .await?;
    Ok(HttpResponse::Ok().json(success(to_json(&updated, &state.base_url))))
}

pub async fn delete(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let found = event_types::get(&state.db, caller.user.id, Target::Personal, id).await?;
    event_types::delete(&state.db, caller.user.id, Target::Personal, id).await?;
    Ok(HttpResponse::Ok().json(success(json!({
        "id": id, "lengthInMinutes": found.record.length_minutes,
        "title": found.record.title, "slug": found.record.slug,
    }))))
}

// Team event types: the same operations under /teams/{teamId}.

pub async fn team_list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    team: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let list = event_types::list(&state.db, caller.user.id, Target::Team(*team)).await?;
    Ok(HttpResponse::Ok().json(success(list_json(&list, &state.base_url))))
}

pub async fn team_create(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    team: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let created = event_types::create(
        &state.db,
        caller.user.id,
        Target::Team(*team),
        input(&body)?,
    )
    .await?;
    Ok(HttpResponse::Created().json(success(to_json(&created, &state.base_url))))
}

pub async fn team_get(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (team, id) = path.into_inner();
    let found = event_types::get(&state.db, caller.user.id, Target::Team(team), id).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&found, &state.base_url))))
}

pub async fn team_update(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (team, id) = path.into_inner();
    let updated = event_types::update(
        &state.db,
        caller.user.id,
        Target::Team(team),
        id,
        changes(&body)?,
    )
    .await?;
    Ok(HttpResponse::Ok().json(success(to_json(&updated, &state.base_url))))
}

pub async fn team_delete(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(i64, i64)>,
    _req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (team, id) = path.into_inner();
    let found = event_types::get(&state.db, caller.user.id, Target::Team(team), id).await?;
    event_types::delete(&state.db, caller.user.id, Target::Team(team), id).await?;
    Ok(HttpResponse::Ok().json(success(json!({
        "id": id, "lengthInMinutes": found.record.length_minutes,
        "title": found.record.title, "slug": found.record.slug, "teamId": team,
    }))))
}
