//! The booker form's `POST`: reads the posted answers, books through `booking::create` (or
//! moves the booking through `booking::reschedule`), and either redirects to the booking or
//! shows the form again with the use case's errors placed next to their inputs. Every rule
//! about what may be booked lives in the use cases, not here.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::form::{PHONE, Values, field_of, first, is_form_field, location_choice};
use super::page::{View, render};
use super::state::{Prepared, prepare, target};
use crate::booking::{
    self, Actor, AttendeeInput, BookingRequest, EventRef, IdempotencyKey, RescheduleRequest,
};
use crate::domain::text::{self, TextKind};
use crate::domain::{Email, PersonName, TimeZoneName};
use crate::event_types::{BookingField, EventType};
use crate::http::AppState;
use crate::http::admission::Admitted;
use crate::http::pages::{PageError, PageResult, QueryState, html};
use crate::pow::Refusal;
use crate::service::ServiceError;

/// `POST` of the booker's form: books (or reschedules) and shows the booking.
pub async fn submit(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> PageResult {
    let (owner, slug) = path.into_inner();
    let query = QueryState::from_request(&request);
    let too_many = |r| PageError::too_many_requests(query.lang(&request), r);
    let admitted = Admitted::client(&state, &request).map_err(too_many)?;
    let p = prepare(&state, &request, &query, target(&request, owner, slug)).await?;
    let admitted = admitted
        .host(&state, p.event.record.owner().into())
        .map_err(too_many)?;
    let values = posted(&body, &query);
    let slot_raw = first(&values, "slot").to_owned();
    // The form posts to the URL of its own step, so the query names the slot too.
    let query = query.with(&[("slot", Some(slot_raw.clone()))]);
    let t = p.lang.text();
    let mut errors = BTreeMap::new();
    let name = PersonName::parse(first(&values, "name"));
    let email = Email::parse(first(&values, "email"));
    if let Err(m) = &name {
        errors.insert("name".to_owned(), m.to_string());
    }
    if let Err(m) = &email {
        errors.insert("email".to_owned(), m.to_string());
    }
    let Ok(start) = DateTime::parse_from_rfc3339(&slot_raw).map(|d| d.with_timezone(&Utc)) else {
        return Err(PageError::bad_request(p.lang, "slot: not a time"));
    };
    if let Err(refusal) = proof_of_work(&state, &values, &body) {
        tracing::info!(?refusal, "booking form without a valid proof of work");
        let problem = t.prove_human.to_owned();
        return form_again(&state, &p, &query, values, errors, problem).await;
    }
    let outcome = match (&name, &email) {
        (Ok(name), Ok(email)) => Some(book(&state, &p, &values, &body, start, name, email).await),
        _ => None,
    };
    let notice = match outcome {
        Some(Ok(done)) => {
            let mut response = redirect_to_booking(&state, &p, &query, &done).await;
            admitted.headers(&mut response);
            return Ok(response);
        }
        Some(Err(ServiceError::Conflict(_))) => {
            return slot_taken(&state, &p, &query, values, errors).await;
        }
        Some(Err(ServiceError::Invalid(message))) => place_error(&p, message, &mut errors),
        Some(Err(e)) => return Err(PageError::from_service(p.lang, e)),
        None => None,
    };
    let problem = notice.unwrap_or_else(|| t.fix_errors.to_owned());
    form_again(&state, &p, &query, values, errors, problem).await
}

/// The form's proof of work, when the instance asks for one. A double submit of the same form
/// passes again (its idempotency key then answers with the first booking).
fn proof_of_work(state: &AppState, values: &Values, body: &[u8]) -> Result<(), Refusal> {
    let Some(work) = &state.proof_of_work else {
        return Ok(());
    };
    let form = hex::encode(Sha256::digest(body));
    let fingerprint = (!first(values, "nonce").is_empty()).then_some(form.as_str());
    work.verify(first(values, "pow"), fingerprint, Utc::now().timestamp())
}

/// The form again, filled in, with its errors and a fresh challenge (422).
async fn form_again(
    state: &AppState,
    p: &Prepared,
    query: &QueryState,
    values: Values,
    errors: BTreeMap<String, String>,
    problem: String,
) -> PageResult {
    let page = render(
        state,
        p,
        View {
            query,
            notice: None,
            values,
            errors,
            form_error: Some(problem),
        },
    )
    .await?;
    html_with_status(page, StatusCode::UNPROCESSABLE_ENTITY)
}

/// The posted form, with the pre-filled metadata that travels in the query, not in the form.
pub(super) fn posted(body: &[u8], query: &QueryState) -> Values {
    let mut values = Values::new();
    for (key, value) in url::form_urlencoded::parse(body) {
        values
            .entry(key.into_owned())
            .or_default()
            .push(value.into_owned());
    }
    for (key, value) in query.pairs() {
        if key.starts_with("metadata[") && !values.contains_key(key) {
            values.insert(key.clone(), vec![value.clone()]);
        }
    }
    values
}

/// The slot went while the form was open: fresh slots, and the answers ride along in the
/// links, so picking another time shows the form filled in again (409).
async fn slot_taken(
    state: &AppState,
    p: &Prepared,
    query: &QueryState,
    values: Values,
    errors: BTreeMap<String, String>,
) -> PageResult {
    let mut changes: Vec<(String, Option<String>)> = vec![("slot".into(), None)];
    for (key, list) in &values {
        if !matches!(key.as_str(), "slot" | "nonce" | "pow") && !key.starts_with("metadata[") {
            changes.push((key.clone(), list.first().cloned()));
        }
    }
    let changes: Vec<(&str, Option<String>)> = changes
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let page = render(
        state,
        p,
        View {
            query: &query.with(&changes),
            notice: Some(p.lang.text().slot_taken),
            values,
            errors,
            form_error: None,
        },
    )
    .await?;
    html_with_status(page, StatusCode::CONFLICT)
}

/// Puts a use case's `field: message` next to its input; returns it as the form's error when
/// it names no input of this form.
fn place_error(
    p: &Prepared,
    message: String,
    errors: &mut BTreeMap<String, String>,
) -> Option<String> {
    let (field, text) = field_of(&message);
    if field.is_empty() || !is_form_field(p, &field) {
        Some(message)
    } else {
        errors.insert(field, text);
        None
    }
}

/// A booking made from the form: which booking to show, and to whom.
struct Done {
    uid: String,
    /// The seat this booker took, on a seated event type.
    seat: Option<String>,
    email: String,
}

/// Makes the booking (or moves it); returns the booking to show.
async fn book(
    state: &AppState,
    p: &Prepared,
    values: &Values,
    body: &[u8],
    start: DateTime<Utc>,
    name: &PersonName,
    email: &Email,
) -> Result<Done, ServiceError> {
    if let Some(old) = &p.mode.rescheduling {
        return reschedule(state, old, values, start, email).await;
    }
    let (responses, metadata) = answers(p, values);
    let guests = guests(values)?;
    let event_ref = EventRef::Id(p.event.record.id);
    let nonce = first(values, "nonce");
    let idempotency = if nonce.is_empty() {
        None
    } else {
        Some(IdempotencyKey::new(
            email.as_str(),
            &event_ref,
            nonce,
            body,
        )?)
    };
    let booked = booking::create(
        &state.db,
        &state.outbox,
        state.calendars.as_ref(),
        BookingRequest {
            event: event_ref,
            start,
            length: Some(p.length),
            attendee: AttendeeInput {
                name: name.clone(),
                email: email.clone(),
                time_zone: TimeZoneName::parse(p.tz.name()).map_err(ServiceError::Invalid)?,
                language: Some(p.lang.code().to_owned()),
                phone: Some(first(values, PHONE).trim().to_owned()).filter(|p| !p.is_empty()),
            },
            guests,
            location: location_choice(&p.event, values),
            responses,
            metadata,
            reservation_uid: None,
            idempotency,
            max_guests: state.limits.settings.max_guests,
            // A recurring event type's page books its whole series.
            recurrence_count: None,
            routing: p.routing.clone(),
            private_link: p.link.clone(),
        },
        Actor::Booker(Some(email.as_str().to_owned())),
    )
    .await?;
    Ok(Done {
        uid: booked.view.record.uid,
        seat: booked.view.seat_uid,
        email: email.as_str().to_owned(),
    })
}

/// Moves the booking `old` to `start`, as its booker.
async fn reschedule(
    state: &AppState,
    old: &booking::BookingView,
    values: &Values,
    start: DateTime<Utc>,
    email: &Email,
) -> Result<Done, ServiceError> {
    let reason = first(values, "rescheduleReason").trim();
    text::check(TextKind::Lines, reason)
        .map_err(|m| ServiceError::Invalid(format!("rescheduleReason: {m}")))?;
    let moved = booking::reschedule(
        &state.db,
        &state.outbox,
        state.calendars.as_ref(),
        &old.record.uid,
        RescheduleRequest {
            start,
            reason: (!reason.is_empty()).then(|| reason.to_owned()),
            rescheduled_by: Some(email.as_str().to_owned()),
            same_host_only: false,
            // A seat holder's link moves their seat alone (`booking::by_link` named it).
            seat_uid: old.seat_uid.clone(),
        },
        Actor::Booker(Some(email.as_str().to_owned())),
    )
    .await?;
    Ok(Done {
        uid: moved.record.uid,
        seat: moved.seat_uid,
        email: email.as_str().to_owned(),
    })
}

/// The answers to the event type's questions (and `notes`), and the `metadata[…]` values.
fn answers(p: &Prepared, values: &Values) -> (Map<String, Value>, Map<String, Value>) {
    let mut responses = Map::new();
    let mut metadata = Map::new();
    let questions = &p.event.settings.booking_fields;
    for (key, list) in values {
        if let Some(meta) = key
            .strip_prefix("metadata[")
            .and_then(|k| k.strip_suffix(']'))
        {
            metadata.insert(meta.to_owned(), json!(list.first()));
            continue;
        }
        match questions.iter().find(|q| &q.slug == key) {
            Some(question) => {
                responses.insert(key.clone(), answer(question, list));
            }
            None if key == "notes" => {
                responses.insert("notes".into(), json!(first(values, "notes")));
            }
            None => {}
        }
    }
    // Unchecked boxes are not posted at all; a required one must still be reported.
    (responses, metadata)
}

/// One question's posted values as the booking use case takes its answer.
pub(super) fn answer(question: &BookingField, list: &[String]) -> Value {
    match question.kind.as_str() {
        "multiselect" => json!(list),
        "checkbox" if question.options.is_some() => json!(list),
        "checkbox" | "boolean" => json!(list.iter().any(|v| v == "true" || v == "on")),
        "multiemail" => json!(
            list.iter()
                .flat_map(|v| v.split([',', ';', '\n', ' ']))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect::<Vec<_>>()
        ),
        _ => json!(list.first()),
    }
}

/// The guests' emails, separated by commas, semicolons, spaces or lines.
fn guests(values: &Values) -> Result<Vec<Email>, ServiceError> {
    let mut guests = Vec::new();
    for raw in first(values, "guests").split([',', ';', '\n', ' ']) {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        guests.push(
            Email::parse(raw)
                .map_err(|m| ServiceError::Invalid(format!("guests: `{raw}`: {m}")))?,
        );
    }
    Ok(guests)
}

/// After booking: the event type's success redirect (with the booking's details, as Cal.com
/// forwards them), else the booking page.
async fn redirect_to_booking(
    state: &AppState,
    p: &Prepared,
    query: &QueryState,
    done: &Done,
) -> HttpResponse {
    let uid = &done.uid;
    let page = &p.event.settings.page;
    let external = page.success_redirect().filter(|_| !query.embedded());
    let location = match external {
        Some(url) => {
            let forward = page.forwards_params();
            match (
                forward,
                booking::by_link(&state.db, uid, done.seat.as_deref()).await,
            ) {
                (true, Ok(view)) => success_redirect(url, &p.event, &view, &done.email),
                _ => url.to_owned(),
            }
        }
        None => {
            let keep = query.carry_only(&["tz", "hour", "lang", "embed", "embedType", "layout"]);
            let sep = if keep.is_empty() { "?" } else { "&" };
            let flag = if p.mode.rescheduling.is_some() {
                "rescheduled=1"
            } else {
                "booked=1"
            };
            let seat = done
                .seat
                .as_ref()
                .map(|s| format!("&seatReferenceUid={s}"))
                .unwrap_or_default();
            format!("/booking/{uid}{keep}{sep}{flag}{seat}")
        }
    };
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .finish()
}

/// Cal.com's forwarded parameters on a success redirect.
fn success_redirect(
    url: &str,
    event: &EventType,
    view: &booking::BookingView,
    booker_email: &str,
) -> String {
    let Ok(mut target) = url::Url::parse(url) else {
        return url.to_owned();
    };
    // On a seated slot the booking has other attendees: forward this booker's own details.
    let booker = view.attendees.iter().find(|a| a.email == booker_email);
    let host = view.hosts.first();
    {
        let mut pairs = target.query_pairs_mut();
        pairs
            .append_pair("uid", &view.record.uid)
            .append_pair("title", &view.record.title)
            .append_pair("eventTypeSlug", &event.record.slug)
            .append_pair(
                "startTime",
                &view
                    .record
                    .start_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            )
            .append_pair(
                "endTime",
                &view
                    .record
                    .end_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            )
            .append_pair("status", view.record.status.as_str())
            .append_pair("isSuccessBookingPage", "true");
        if let Some(b) = booker {
            pairs
                .append_pair("attendeeName", &b.name)
                .append_pair("email", &b.email)
                .append_pair("attendeeTimeZone", &b.time_zone);
        }
        if let Some(h) = host {
            pairs.append_pair("hostName", &h.name);
        }
        if let Some(l) = &view.record.location {
            pairs.append_pair("location", l);
        }
    }
    target.to_string()
}

pub(super) fn html_with_status<T: Template>(page: T, status: StatusCode) -> PageResult {
    let mut response = html(page)?;
    *response.status_mut() = status;
    Ok(response)
}
