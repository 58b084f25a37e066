//! Routing forms (Cal.com's): questions and ordered routes that send a submission to an event
//! type (a team round-robin one narrowed to the route's hosts), a message or an external URL,
//! owned by a user or a team (managed by its admins and owners, as workflows are). Here: the
//! use cases (each write one transaction), the public submission (answers checked by the
//! booking questions' rule, stored, routed, `FORM_SUBMITTED` queued and `FORM_SUBMITTED_NO_EVENT`
//! planned 15 minutes on) and the booking's link back to its response. Delivering webhooks is
//! the webhook queue's job, never done here.

mod model;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use crate::booking::check_answers;
use crate::event_types::{self, EventType};
use crate::jobs::Outcome;
use crate::service::ServiceError;
use crate::storage::jobs::{self as jobs_store, JobRecord, NewJob};
use crate::storage::routing_forms::{self as store, FormOwner, ResponseRecord};
use crate::storage::{Conn, Db, teams};
use crate::webhooks::{self, Outbox, payload::js_iso};

pub use model::{Action, Condition, Form, FormInput, Operator, Route};

const SUBMITTED: &str = "FORM_SUBMITTED";
const NO_EVENT: &str = "FORM_SUBMITTED_NO_EVENT";
/// The `jobs.kind` of a planned `FORM_SUBMITTED_NO_EVENT`, run on the reminder queue.
pub const NO_EVENT_KIND: &str = "form_submitted_no_event";
/// How long after a submission without a booking `FORM_SUBMITTED_NO_EVENT` fires (Cal.com's).
const NO_EVENT_AFTER_MINUTES: i64 = 15;

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("Routing form with id={id} not found"))
}

fn invalid(field: &str, message: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(format!("{field}: {message}"))
}

/// May the caller manage `owner`'s forms: their own, or a team they administer.
async fn allowed(c: &mut Conn<'_>, owner: FormOwner, caller: i64) -> Result<(), ServiceError> {
    match owner {
        FormOwner::User(user) if user == caller => Ok(()),
        FormOwner::User(_) => Err(ServiceError::Forbidden("not your routing forms".into())),
        FormOwner::Team(team) => crate::teams::manageable(c, team, caller).await.map(|_| ()),
    }
}

async fn owned(c: &mut Conn<'_>, owner: FormOwner, id: i64) -> Result<Form, ServiceError> {
    let record = store::find_owned(c, owner, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Form::read(record)
}

pub async fn list(db: &Db, caller: i64, owner: FormOwner) -> Result<Vec<Form>, ServiceError> {
    db.run(async |c| {
        allowed(c, owner, caller).await?;
        let records = store::list(c, owner).await?;
        records.into_iter().map(Form::read).collect()
    })
    .await
}

pub async fn get(db: &Db, caller: i64, owner: FormOwner, id: i64) -> Result<Form, ServiceError> {
    db.run(async |c| {
        allowed(c, owner, caller).await?;
        owned(c, owner, id).await
    })
    .await
}

fn read_input(body: Value) -> Result<FormInput, ServiceError> {
    serde_path_to_error::deserialize(body)
        .map_err(|e| invalid(&e.path().to_string(), e.into_inner()))
}

pub async fn create(
    db: &Db,
    caller: i64,
    owner: FormOwner,
    body: Value,
) -> Result<Form, ServiceError> {
    let checked = model::check(&read_input(body)?)?;
    db.transaction(async |c| {
        allowed(c, owner, caller).await?;
        check_targets(c, owner, &checked.routes).await?;
        let id = store::insert(c, owner, &checked.columns()).await?;
        owned(c, owner, id).await
    })
    .await
}

/// Applies the fields present in `body` over the stored ones; the whole is checked again.
pub async fn update(
    db: &Db,
    caller: i64,
    owner: FormOwner,
    id: i64,
    body: Value,
) -> Result<Form, ServiceError> {
    let changes = read_input(body)?;
    db.transaction(async |c| {
        allowed(c, owner, caller).await?;
        let current = owned(c, owner, id).await?.input();
        let merged = FormInput {
            name: changes.name.clone().or(current.name),
            description: changes.description.clone().or(current.description),
            fields: changes.fields.clone().or(current.fields),
            routes: changes.routes.clone().or(current.routes),
        };
        let checked = model::check(&merged)?;
        check_targets(c, owner, &checked.routes).await?;
        store::update(c, id, &checked.columns()).await?;
        owned(c, owner, id).await
    })
    .await
}

/// Deletes the form and its responses.
pub async fn delete(db: &Db, caller: i64, owner: FormOwner, id: i64) -> Result<(), ServiceError> {
    db.transaction(async |c| {
        allowed(c, owner, caller).await?;
        owned(c, owner, id).await?;
        store::delete(c, id).await?;
        Ok(())
    })
    .await
}

/// The event types routes send to must be the owner's (a team's for a team form), and hosts
/// a route narrows to must be round-robin hosts of that event type.
async fn check_targets(
    c: &mut Conn<'_>,
    owner: FormOwner,
    routes: &[Route],
) -> Result<(), ServiceError> {
    for (i, route) in routes.iter().enumerate() {
        let Action::EventTypeRedirectUrl {
            event_type_id,
            team_member_ids,
        } = &route.action
        else {
            continue;
        };
        let at = format!("routes[{i}].action");
        let event = event_types::find_if_any(c, Some(*event_type_id))
            .await?
            .filter(|e| belongs_to(e, owner))
            .ok_or_else(|| {
                invalid(
                    &format!("{at}.eventTypeId"),
                    format!("event type {event_type_id} not found among this owner's event types"),
                )
            })?;
        if let Some(ids) = team_member_ids {
            event
                .routed_to(ids)
                .map_err(|m| invalid(&format!("{at}.teamMemberIds"), m))?;
        }
    }
    Ok(())
}

fn belongs_to(event: &EventType, owner: FormOwner) -> bool {
    match owner {
        FormOwner::User(user) => {
            event.record.owner_id == Some(user) && event.record.team_id.is_none()
        }
        FormOwner::Team(team) => event.record.team_id == Some(team),
    }
}

/// A page of a form's responses, newest first, with how many there are.
pub struct Responses {
    pub rows: Vec<ResponseRecord>,
    pub total: i64,
}

pub async fn responses(
    db: &Db,
    caller: i64,
    owner: FormOwner,
    id: i64,
    skip: i64,
    take: i64,
) -> Result<Responses, ServiceError> {
    db.run(async |c| {
        allowed(c, owner, caller).await?;
        owned(c, owner, id).await?;
        let (rows, total) = store::responses(c, id, skip, take).await?;
        Ok(Responses { rows, total })
    })
    .await
}

pub fn response_json(r: &ResponseRecord) -> Value {
    json!({
        "id": r.id,
        "formId": r.form_id,
        "response": serde_json::from_str::<Value>(&r.answers).unwrap_or(Value::Null),
        "routedTo": serde_json::from_str::<Value>(&r.routed).unwrap_or(Value::Null),
        "bookingUid": r.booking_uid,
        "createdAt": js_iso(r.created_at),
    })
}

/// A public form: what its hosted page shows.
pub async fn find_public(db: &Db, id: i64) -> Result<Form, ServiceError> {
    db.run(async |c| {
        let record = store::find(c, id).await?.ok_or_else(|| not_found(id))?;
        Form::read(record)
    })
    .await
}

/// Where a submission was routed, with what the person is shown or sent to.
#[derive(Debug, Clone)]
pub struct Routed {
    pub response_id: i64,
    /// The route's action as stored with the response, plus for an event type its slug and
    /// booking page (`bookingUrl`, carrying the response and the routed hosts).
    pub routed_to: Value,
}

/// Where a route sends the booker, without storing anything: for Cal.com's
/// `calculate-slots`.
#[derive(Debug, Clone)]
pub struct Destination {
    /// The route's action as a submission would answer it (no `bookingUrl`).
    pub routed_to: Value,
    /// An event-type route's event type and the round-robin hosts it narrows to (none: all).
    pub event: Option<(i64, Vec<i64>)>,
}

/// Checks `answers` against form `id`'s questions and routes them; nothing is stored and no
/// webhook is sent.
pub async fn route(
    db: &Db,
    outbox: &Outbox,
    id: i64,
    answers: &Value,
) -> Result<Destination, ServiceError> {
    let given = answers.as_object().ok_or_else(|| {
        ServiceError::Invalid("the body must be an object of answers by question slug".into())
    })?;
    let form = find_public(db, id).await?;
    let checked = check_answers(&form.fields, given, "", &[])?;
    let action = form.route_for(&checked).action.clone();
    let (routed_to, target) = db.run(async |c| describe(c, outbox, &action).await).await?;
    Ok(Destination {
        routed_to,
        event: target.map(|t| (t.event_type_id, t.hosts)),
    })
}

/// Checks `answers` against form `id`'s questions, stores them, routes them, queues
/// `FORM_SUBMITTED` and plans `FORM_SUBMITTED_NO_EVENT`, all in one transaction.
pub async fn submit(
    db: &Db,
    outbox: &Outbox,
    id: i64,
    answers: &Value,
) -> Result<Routed, ServiceError> {
    let given = answers.as_object().ok_or_else(|| {
        ServiceError::Invalid("the body must be an object of answers by question slug".into())
    })?;
    let form = find_public(db, id).await?;
    let checked = check_answers(&form.fields, given, "", &[])?;
    let action = form.route_for(&checked).action.clone();
    let now = outbox.clock.now();
    db.transaction(async |c| {
        let (mut routed_to, target) = describe(c, outbox, &action).await?;
        let response_id = store::insert_response(
            c,
            id,
            &Value::Object(checked.clone()).to_string(),
            &routed_to.to_string(),
            target.as_ref().map(|t| t.event_type_id),
            now,
        )
        .await?;
        if let Some(target) = target {
            routed_to["bookingUrl"] = json!(target.url(response_id));
        }
        let watchers = watchers(c, form.record.owner()).await?;
        let payload = form_payload(&form, response_id, &checked);
        webhooks::form_event(c, SUBMITTED, &watchers, &checked, payload, now).await?;
        plan_no_event(c, &watchers, response_id, now).await?;
        Ok(Routed {
            response_id,
            routed_to,
        })
    })
    .await
}

/// Where an event-type route sends the booker: the event type, its booking page, and the
/// round-robin hosts it is narrowed to (none: all of them).
struct Target {
    event_type_id: i64,
    page: String,
    hosts: Vec<i64>,
}

impl Target {
    /// The booking page with Cal.com's routing parameters.
    fn url(&self, response_id: i64) -> String {
        let mut url = format!("{}?cal.routingFormResponseId={response_id}", self.page);
        if !self.hosts.is_empty() {
            let ids: Vec<String> = self.hosts.iter().map(i64::to_string).collect();
            url.push_str(&format!("&cal.routedTeamMemberIds={}", ids.join(",")));
        }
        url
    }
}

/// The action as the response stores it: an event type's with its slug, and only the hosts
/// that are still its round-robin hosts (a route whose hosts all left sends to every host). A
/// route to an event type deleted since is a 404 (nothing is stored).
async fn describe(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    action: &Action,
) -> Result<(Value, Option<Target>), ServiceError> {
    let mut shown = json!(action);
    let Action::EventTypeRedirectUrl {
        event_type_id,
        team_member_ids,
    } = action
    else {
        return Ok((shown, None));
    };
    let event = event_types::find_if_any(c, Some(*event_type_id))
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound("the event type this form routes to no longer exists".into())
        })?;
    let hosts: Vec<i64> = (team_member_ids.iter().flatten().copied())
        .filter(|id| event.clone().routed_to(&[*id]).is_ok())
        .collect();
    shown["eventTypeSlug"] = json!(event.record.slug);
    match (hosts.is_empty(), shown.as_object_mut()) {
        (true, Some(fields)) => {
            fields.remove("teamMemberIds");
        }
        _ => shown["teamMemberIds"] = json!(hosts),
    }
    let base = outbox.booker_url.trim_end_matches('/');
    let owner = match event.record.team_id {
        Some(_) => format!("team/{}", event.path_owner),
        None => event.path_owner.clone(),
    };
    let page = format!("{base}/{owner}/{}", event.record.slug);
    let target = Target {
        event_type_id: event.record.id,
        page,
        hosts,
    };
    Ok((shown, Some(target)))
}

/// Who hears of a form's submissions: its owner, or a team form's admins and owners.
async fn watchers(c: &mut Conn<'_>, owner: FormOwner) -> Result<Vec<i64>, ServiceError> {
    Ok(match owner {
        FormOwner::User(user) => vec![user],
        FormOwner::Team(team) => teams::memberships(c, team, None)
            .await?
            .into_iter()
            .filter(|m| m.accepted && matches!(m.role.as_str(), "ADMIN" | "OWNER"))
            .map(|m| m.user_id)
            .collect(),
    })
}

/// Cal.com's form payload: the form, and each answer by its question.
fn form_payload(form: &Form, response_id: i64, answers: &Map<String, Value>) -> Value {
    let responses: Map<String, Value> = answers
        .iter()
        .map(|(slug, value)| (slug.clone(), json!({"value": value, "response": value})))
        .collect();
    json!({
        "formId": form.record.id,
        "formName": form.record.name,
        "teamId": form.record.team_id,
        "responseId": response_id,
        "responses": responses,
    })
}

/// Plans `FORM_SUBMITTED_NO_EVENT` for 15 minutes on, when anyone subscribes to it.
async fn plan_no_event(
    c: &mut Conn<'_>,
    watchers: &[i64],
    response_id: i64,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if webhooks::form_subscribers(c, NO_EVENT, watchers)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let payload = json!({"responseId": response_id}).to_string();
    let job = NewJob {
        queue: crate::workflows::QUEUE,
        kind: NO_EVENT_KIND,
        payload: &payload,
        run_at: now + Duration::minutes(NO_EVENT_AFTER_MINUTES),
        max_attempts: 5,
    };
    jobs_store::enqueue(c, &job).await?;
    Ok(())
}

/// Runs a planned `FORM_SUBMITTED_NO_EVENT`: in one transaction that first marks the job done
/// (so a second run finds it done), fires it if the response still has no booking.
pub async fn run_no_event(db: &Db, job: &JobRecord, now: DateTime<Utc>) -> Outcome {
    let Some(response_id) = serde_json::from_str::<Value>(&job.payload)
        .ok()
        .and_then(|p| p["responseId"].as_i64())
    else {
        return Outcome::Fail {
            error: format!("unreadable {NO_EVENT_KIND} job"),
        };
    };
    let done = db
        .background_transaction(async |c| {
            if !jobs_store::complete(c, &job.id, now).await? {
                return Ok(());
            }
            no_event(c, response_id, now).await
        })
        .await;
    match done {
        Ok(()) => Outcome::Done,
        Err(e) => Outcome::Retry {
            error: e.to_string(),
            retry_after: None,
        },
    }
}

async fn no_event(
    c: &mut Conn<'_>,
    response_id: i64,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let Some(response) = store::find_response(c, response_id).await? else {
        return Ok(());
    };
    if response.booking_uid.is_some() {
        return Ok(());
    }
    let Some(record) = store::find(c, response.form_id).await? else {
        return Ok(());
    };
    let form = Form::read(record)?;
    let answers: Map<String, Value> = serde_json::from_str(&response.answers).unwrap_or_default();
    let watchers = watchers(c, form.record.owner()).await?;
    let payload = form_payload(&form, response_id, &answers);
    webhooks::form_event(c, NO_EVENT, &watchers, &answers, payload, now).await?;
    Ok(())
}

/// Links a booking to the response it came from (Cal.com's `routing.responseId`), inside the
/// booking's transaction: the response must have been routed to this event type and not be
/// booked yet.
pub async fn booked(
    c: &mut Conn<'_>,
    response_id: i64,
    event_type_id: i64,
    uid: &str,
) -> Result<(), ServiceError> {
    if store::link_booking(c, response_id, event_type_id, uid).await? {
        return Ok(());
    }
    Err(invalid(
        "routing.responseId",
        format!("response {response_id} was not routed to this event type, or is booked already"),
    ))
}
