//! `/v2/bookings` (cal-api-version 2024-08-13): book, list, read, and the lifecycle actions.
//! Booking, cancelling and rescheduling are public (the booking uid is the capability), as in
//! Cal.com; with an API key the caller acts as that user and only on their own bookings.

use crate::domain::text;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::bookings_legacy as legacy;
use super::slots::event_ref;
use super::success;
use crate::accounts::Caller;
use crate::booking::{
    self, AbsenceRequest, Actor, AttendeeInput, BookingRequest, BookingView, CancelRequest,
    IdempotencyKey, RescheduleRequest, Routing, SeriesCancel, Tab,
};
use crate::domain::{Email, PersonName, TimeZoneName};
use crate::error::ApiError;
use crate::http::extract::{Authenticated, OptionalCaller, parse_body};
use crate::http::{AppState, admission};
use crate::service::ServiceError;
use crate::storage::bookings::{HistoryRecord, ListFilter, SortKey};

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A booking in Cal.com's `BookingOutput_2024_08_13` shape.
pub fn to_json(view: &BookingView, base_url: &str) -> Value {
    let r = &view.record;
    let responses: Map<String, Value> = serde_json::from_str(&r.responses).unwrap_or_default();
    let metadata: Value = serde_json::from_str(&r.metadata).unwrap_or(json!({}));
    let guests: Vec<&str> = view
        .attendees
        .iter()
        .skip(1)
        .filter(|a| a.seat_uid.is_none())
        .map(|a| a.email.as_str())
        .collect();
    let booker_emails: Vec<&str> = view
        .attendees
        .iter()
        .filter(|a| !guests.contains(&a.email.as_str()))
        .map(|a| a.email.as_str())
        .collect();
    let attendees: Vec<Value> = view
        .attendees
        .iter()
        .filter(|a| booker_emails.contains(&a.email.as_str()))
        .map(|a| {
            let mut out = json!({
                "name": a.name, "email": a.email, "displayEmail": a.email,
                "timeZone": a.time_zone, "language": a.locale.clone().unwrap_or_else(|| "en".into()),
                "absent": a.no_show, "phoneNumber": a.phone_number,
            });
            if let Some(seat) = &a.seat_uid {
                out["seatUid"] = json!(seat);
            }
            out
        })
        .collect();
    let meeting_url = crate::webhooks::payload::video_url(base_url, r);
    let mut out = json!({
        "id": r.id,
        "uid": r.uid,
        "title": r.title,
        "description": r.description,
        "hosts": view.hosts.iter().map(|h| json!({
            "id": h.id, "name": h.name, "email": h.email, "displayEmail": h.email,
            "username": h.username, "timeZone": h.time_zone,
        })).collect::<Vec<_>>(),
        "status": r.status.lower(),
        "start": iso(r.start_at),
        "end": iso(r.end_at),
        "duration": (r.end_at - r.start_at).num_minutes(),
        "eventTypeId": r.event_type_id,
        "eventType": r.event_type_id.map(|id| json!({"id": id, "slug": view.event_slug})),
        "meetingUrl": meeting_url,
        "location": r.location,
        "absentHost": r.no_show_host,
        "attendees": attendees,
        "guests": guests,
        "bookingFieldsResponses": responses,
        "metadata": metadata,
        "icsUid": r.ical_uid,
        "createdAt": iso(r.created_at),
        "updatedAt": r.updated_at.map(|t| iso(t.and_utc())),
        "rating": null,
    });
    let optional = [
        ("cancellationReason", r.cancellation_reason.clone()),
        ("cancelledByEmail", r.cancelled_by.clone()),
        ("rejectionReason", r.rejection_reason.clone()),
        ("reschedulingReason", r.reschedule_reason.clone()),
        ("rescheduledByEmail", r.rescheduled_by.clone()),
        ("rescheduledFromUid", r.from_reschedule.clone()),
        ("rescheduledToUid", view.rescheduled_to.clone()),
        ("seatUid", view.seat_uid.clone()),
        ("recurringBookingUid", r.recurring_event_id.clone()),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            out[key] = json!(value);
        }
    }
    if let Some(reason) = r
        .assignment_reason
        .as_deref()
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
    {
        out["assignmentReason"] = reason;
    }
    if let Some(conflicts) = &view.conflicts {
        out["conflicts"] = conflicts
            .iter()
            .map(|c| {
                json!({
                    "calendar": c.calendar, "start": iso(c.start), "end": iso(c.end),
                    "detectedAt": iso(c.detected_at),
                })
            })
            .collect();
    }
    out
}

fn actor(caller: &Option<Caller>, booker: Option<String>) -> Actor {
    match caller {
        Some(c) => Actor::ApiKey {
            key_id: c.api_key_id,
            user_id: c.user.id,
        },
        None => Actor::Booker(booker),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AttendeeBody {
    #[serde(default, deserialize_with = "text::line")]
    name: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    email: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    time_zone: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    language: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    phone_number: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BookingBody {
    #[serde(default, deserialize_with = "text::line")]
    start: Option<String>,
    event_type_id: Option<i64>,
    #[serde(default, deserialize_with = "text::line")]
    event_type_slug: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    username: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    team_slug: Option<String>,
    attendee: Option<AttendeeBody>,
    #[serde(default, deserialize_with = "text::line")]
    guests: Vec<String>,
    #[serde(default, deserialize_with = "text::line")]
    location: Option<Value>,
    #[serde(default, deserialize_with = "text::lines")]
    booking_fields_responses: Map<String, Value>,
    #[serde(default, deserialize_with = "text::lines")]
    metadata: Map<String, Value>,
    length_in_minutes: Option<u32>,
    /// Ours: the booker's slot reservation.
    #[serde(default, deserialize_with = "text::line")]
    reservation_uid: Option<String>,
    recurrence_count: Option<u32>,
    /// Cal.com's routing input: the routing form response this booking comes from and the
    /// hosts its route narrowed a round-robin event type to.
    routing: Option<RoutingBody>,
    /// Cal.com's private link (`/d/{hashedLink}/{slug}`) the booker came through.
    #[serde(default, deserialize_with = "text::line")]
    hashed_link: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoutingBody {
    response_id: Option<i64>,
    #[serde(default)]
    team_member_ids: Vec<i64>,
}

pub(super) fn bad(field: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest(format!("{field}: {message}"))
}

fn start_instant(field: &str, raw: Option<&str>) -> Result<DateTime<Utc>, ApiError> {
    let raw = raw.ok_or_else(|| {
        bad(
            field,
            "is required, an ISO 8601 instant like 2030-03-12T15:00:00Z",
        )
    })?;
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .ok()
        // Far enough for any booking window; an end (plus buffers) past 9999 would not store.
        .filter(|t| (1900..=9998).contains(&chrono::Datelike::year(t)))
        .ok_or_else(|| {
            bad(
                field,
                format!("`{raw}` is not an ISO 8601 instant like 2030-03-12T15:00:00Z"),
            )
        })
}

/// An anonymous `POST /v2/bookings` body as the API reads it, with the default guest cap:
/// a request or a 400 naming the field (the fuzz target `booking_request` drives this).
pub fn read_anonymous_request(bytes: &[u8]) -> Result<BookingRequest, ApiError> {
    booking_request(bytes, None, &None, 10)
}

fn booking_request(
    bytes: &[u8],
    idempotency: Option<&str>,
    caller: &Option<Caller>,
    max_guests: usize,
) -> Result<BookingRequest, ApiError> {
    let body: BookingBody = parse_body(bytes)?;
    let event = event_ref(
        body.event_type_id,
        body.event_type_slug.as_deref(),
        body.username.as_deref(),
        body.team_slug.as_deref(),
    )?;
    let start = start_instant("start", body.start.as_deref())?;
    let attendee = body
        .attendee
        .ok_or_else(|| bad("attendee", "is required"))?;
    let name = PersonName::parse(attendee.name.as_deref().unwrap_or_default())
        .map_err(|m| bad("attendee.name", m))?;
    let email = Email::parse(attendee.email.as_deref().unwrap_or_default())
        .map_err(|m| bad("attendee.email", m))?;
    let time_zone = TimeZoneName::parse(
        attendee
            .time_zone
            .as_deref()
            .ok_or_else(|| bad("attendee.timeZone", "is required, e.g. America/New_York"))?,
    )
    .map_err(|m| bad("attendee.timeZone", m))?;
    if let Some(lang) = &attendee.language
        && (lang.is_empty() || lang.len() > 10)
    {
        return Err(bad("attendee.language", "must be a language code like en"));
    }
    if let Some(phone) = &attendee.phone_number {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if !(7..=15).contains(&digits) || !phone.trim().starts_with('+') {
            return Err(bad(
                "attendee.phoneNumber",
                format!("`{phone}` is not an international phone number like +12125550100"),
            ));
        }
    }
    let guests = body
        .guests
        .iter()
        .enumerate()
        .map(|(i, g)| Email::parse(g).map_err(|m| bad(&format!("guests[{i}]"), m)))
        .collect::<Result<Vec<_>, _>>()?;
    let scope = match caller {
        Some(c) => format!("user:{}", c.user.id),
        None => format!("booker:{}", email.as_str()),
    };
    let idempotency = idempotency
        .map(|key| IdempotencyKey::new(&scope, &event, key, bytes))
        .transpose()?;
    Ok(BookingRequest {
        event,
        start,
        length: body.length_in_minutes,
        attendee: AttendeeInput {
            name,
            email,
            time_zone,
            language: attendee.language,
            phone: attendee.phone_number,
        },
        guests,
        location: body.location,
        responses: body.booking_fields_responses,
        metadata: body.metadata,
        reservation_uid: body.reservation_uid,
        idempotency,
        max_guests,
        recurrence_count: body.recurrence_count,
        routing: body.routing.map(|r| Routing {
            response_id: r.response_id,
            team_member_ids: r.team_member_ids,
        }),
        private_link: private_link(body.hashed_link)?,
    })
}

/// A private link as given: 1 to 64 characters, else a 400.
fn private_link(raw: Option<String>) -> Result<Option<String>, ApiError> {
    match raw {
        Some(link) if link.is_empty() || link.len() > 64 => Err(bad(
            "hashedLink",
            "must be a private link's 1 to 64 characters",
        )),
        other => Ok(other),
    }
}

pub async fn create(
    state: web::Data<AppState>,
    caller: OptionalCaller,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let admitted = admission::anonymous(&state, &req, &caller.0)?;
    let key = req
        .headers()
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .map_err(|_| bad("Idempotency-Key", "must be visible ASCII"))
        })
        .transpose()?;
    let max_guests = state.limits.settings.max_guests;
    let request = booking_request(&body, key, &caller.0, max_guests)?;
    let admitted = admission::for_event(&state, admitted, &request.event).await?;
    let who = actor(&caller.0, Some(request.attendee.email.as_str().to_owned()));
    // A seat's holder gets their seat alone, the hosts the whole booking (`booking::seats`).
    let booked = booking::create(
        &state.db,
        &state.outbox,
        state.calendars.as_ref(),
        request,
        who,
    )
    .await?;
    let data = if booked.series.is_empty() {
        to_json(&booked.view, &state.base_url)
    } else {
        // A recurring event type's booking answers every occurrence, as Cal.com does.
        series_json(&booked.series, &state.base_url)
    };
    let mut response = HttpResponse::Created();
    if booked.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    let response = response.json(success(data));
    Ok(admission::decorate(admitted, response))
}

pub async fn get(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    uid: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let old = legacy::wants_legacy(&req);
    let data = match booking::get(&state.db, caller.user.id, &uid).await {
        Ok(view) if old => legacy::one(&view),
        Ok(view) => to_json(&view, &state.base_url),
        // A recurring series' uid answers every occurrence.
        Err(ServiceError::NotFound(m)) => {
            match booking::get_series(&state.db, caller.user.id, &uid).await {
                Ok(series) if old => series.iter().map(legacy::one).collect(),
                Ok(series) => series_json(&series, &state.base_url),
                Err(ServiceError::NotFound(_)) => return Err(ApiError::NotFound(m)),
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => return Err(e.into()),
    };
    Ok(HttpResponse::Ok().json(success(data)))
}

fn series_json(series: &[BookingView], base_url: &str) -> Value {
    Value::Array(series.iter().map(|v| to_json(v, base_url)).collect())
}

fn history_json(h: &HistoryRecord) -> Value {
    json!({
        "id": h.id,
        "at": iso(h.at),
        "action": h.action,
        "actor": {"kind": h.actor_kind, "id": h.actor_id},
        "fromStatus": h.from_status.as_deref().map(str::to_lowercase),
        "toStatus": h.to_status.as_deref().map(str::to_lowercase),
        "changes": serde_json::from_str::<Value>(&h.changes).unwrap_or(json!({})),
        "reason": h.reason,
    })
}

pub async fn history(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let entries = booking::history(&state.db, caller.user.id, &uid).await?;
    Ok(HttpResponse::Ok().json(success(Value::Array(
        entries.iter().map(history_json).collect(),
    ))))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CancelBody {
    #[serde(default, deserialize_with = "text::lines")]
    cancellation_reason: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    seat_uid: Option<String>,
    /// An occurrence of a recurring booking: cancel it and every later one.
    #[serde(default)]
    cancel_subsequent_bookings: bool,
}

pub(super) fn optional_body<T: serde::de::DeserializeOwned + Default>(
    bytes: &[u8],
) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        parse_body(bytes)
    }
}

pub(super) fn reason(field: &str, raw: Option<String>) -> Result<Option<String>, ApiError> {
    booking::reason(raw).map_err(|m| bad(field, m))
}

pub async fn cancel(
    state: web::Data<AppState>,
    caller: OptionalCaller,
    req: HttpRequest,
    uid: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let admitted = admission::anonymous(&state, &req, &caller.0)?;
    let body: CancelBody = optional_body(&body)?;
    let admitted = admission::for_booking(&state, admitted, &uid).await?;
    let change = CancelRequest {
        reason: reason("cancellationReason", body.cancellation_reason)?,
        cancelled_by: caller.0.as_ref().map(|c| c.user.email.clone()),
        seat_uid: body.seat_uid,
    };
    let (db, outbox, who) = (&state.db, &state.outbox, actor(&caller.0, None));
    // `cancelSubsequentBookings`: this occurrence and the later ones; a series' uid: every
    // remaining occurrence.
    let data = if body.cancel_subsequent_bookings {
        let series =
            booking::cancel_series(db, outbox, &uid, change, who, SeriesCancel::FromOccurrence)
                .await?;
        series_json(&series, &state.base_url)
    } else {
        match booking::cancel(db, outbox, &uid, change.clone(), who.clone()).await {
            Ok(view) => to_json(&view, &state.base_url),
            Err(ServiceError::NotFound(m)) => {
                match booking::cancel_series(db, outbox, &uid, change, who, SeriesCancel::Remaining)
                    .await
                {
                    Ok(series) => series_json(&series, &state.base_url),
                    Err(ServiceError::NotFound(_)) => return Err(ApiError::NotFound(m)),
                    Err(e) => return Err(e.into()),
                }
            }
            Err(e) => return Err(e.into()),
        }
    };
    let response = HttpResponse::Ok().json(success(data));
    Ok(admission::decorate(admitted, response))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RescheduleBody {
    #[serde(default, deserialize_with = "text::line")]
    start: Option<String>,
    #[serde(default, deserialize_with = "text::lines")]
    rescheduling_reason: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    rescheduled_by: Option<String>,
    #[serde(default)]
    reschedule_with_same_host: bool,
    /// Move only this seat of a seated booking.
    seat_uid: Option<String>,
}

pub async fn reschedule(
    state: web::Data<AppState>,
    caller: OptionalCaller,
    req: HttpRequest,
    uid: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let admitted = admission::anonymous(&state, &req, &caller.0)?;
    let body: RescheduleBody = parse_body(&body)?;
    let admitted = admission::for_booking(&state, admitted, &uid).await?;
    let rescheduled_by = match (&body.rescheduled_by, &caller.0) {
        (Some(email), _) => Some(
            Email::parse(email)
                .map_err(|m| bad("rescheduledBy", m))?
                .as_str()
                .to_owned(),
        ),
        (None, Some(c)) => Some(c.user.email.clone()),
        (None, None) => None,
    };
    let change = RescheduleRequest {
        start: start_instant("start", body.start.as_deref())?,
        reason: reason("reschedulingReason", body.rescheduling_reason)?,
        rescheduled_by: rescheduled_by.clone(),
        same_host_only: body.reschedule_with_same_host,
        seat_uid: body.seat_uid,
    };
    let view = booking::reschedule(
        &state.db,
        &state.outbox,
        state.calendars.as_ref(),
        &uid,
        change,
        actor(&caller.0, rescheduled_by),
    )
    .await?;
    let response = HttpResponse::Created().json(success(to_json(&view, &state.base_url)));
    Ok(admission::decorate(admitted, response))
}

pub(super) fn key_actor(caller: &Caller) -> Actor {
    Actor::ApiKey {
        key_id: caller.api_key_id,
        user_id: caller.user.id,
    }
}

pub async fn confirm(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = booking::confirm(&state.db, &state.outbox, &uid, key_actor(&caller)).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&view, &state.base_url))))
}

#[derive(Debug, Default, Deserialize)]
struct DeclineBody {
    #[serde(default, deserialize_with = "text::lines")]
    reason: Option<String>,
}

pub async fn decline(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    uid: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: DeclineBody = optional_body(&body)?;
    let reason = reason("reason", body.reason)?;
    let view = booking::decline(&state.db, &state.outbox, &uid, reason, key_actor(&caller)).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&view, &state.base_url))))
}

#[derive(Debug, Deserialize)]
struct AbsentAttendee {
    #[serde(deserialize_with = "text::line")]
    email: String,
    absent: bool,
}

#[derive(Debug, Default, Deserialize)]
struct AbsenceBody {
    host: Option<bool>,
    #[serde(default)]
    attendees: Vec<AbsentAttendee>,
}

pub async fn mark_absent(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    uid: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: AbsenceBody = optional_body(&body)?;
    let change = AbsenceRequest {
        host: body.host,
        attendees: body
            .attendees
            .into_iter()
            .map(|a| (a.email.trim().to_lowercase(), a.absent))
            .collect(),
    };
    let view = booking::mark_absent(&state.db, &uid, change, key_actor(&caller)).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&view, &state.base_url))))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    status: Option<String>,
    attendee_email: Option<String>,
    attendee_name: Option<String>,
    booking_uid: Option<String>,
    event_type_id: Option<String>,
    event_type_ids: Option<String>,
    team_id: Option<String>,
    teams_ids: Option<String>,
    after_start: Option<String>,
    before_end: Option<String>,
    after_created_at: Option<String>,
    before_created_at: Option<String>,
    after_updated_at: Option<String>,
    before_updated_at: Option<String>,
    sort_start: Option<String>,
    sort_end: Option<String>,
    sort_created: Option<String>,
    sort_updated_at: Option<String>,
    take: Option<i64>,
    skip: Option<i64>,
    /// The 2024-04-15 names: `filters[status]`, `limit` (page size), `cursor` (items to skip).
    #[serde(rename = "filters[status]")]
    filters_status: Option<String>,
    limit: Option<i64>,
    cursor: Option<i64>,
}

const MAX_TAKE: i64 = 250;
const DEFAULT_TAKE: i64 = 100;

fn ids(field: &str, raw: &[Option<&String>]) -> Result<Vec<i64>, ApiError> {
    let mut out = Vec::new();
    for part in raw.iter().flatten().flat_map(|s| s.split(',')) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        out.push(
            part.parse()
                .map_err(|_| bad(field, format!("`{part}` is not an id")))?,
        );
    }
    Ok(out)
}

fn time(field: &str, raw: Option<&String>) -> Result<Option<DateTime<Utc>>, ApiError> {
    raw.map(|r| {
        crate::headless::instant(field, r, false)
            .map(|t| DateTime::from_timestamp(t, 0).unwrap_or_default())
            .map_err(|e| ApiError::BadRequest(e.to_string()))
    })
    .transpose()
}

fn filter(user: i64, q: &ListQuery) -> Result<ListFilter, ApiError> {
    let now = Utc::now();
    let mut f = ListFilter {
        visible_to_user: user,
        ..ListFilter::default()
    };
    match q
        .status
        .as_ref()
        .or(q.filters_status.as_ref())
        .map(|s| s.trim())
    {
        None | Some("") => {}
        Some(name) => match Tab::parse(name) {
            Some(tab) => tab.narrow(&mut f, now),
            None => {
                return Err(bad(
                    "status",
                    format!(
                        "`{name}` is not one of upcoming, recurring, past, cancelled, unconfirmed (pass one)"
                    ),
                ));
            }
        },
    }
    f.attendee_email = q.attendee_email.clone();
    f.attendee_name = q.attendee_name.clone();
    f.uid = q.booking_uid.clone();
    f.event_type_ids = ids(
        "eventTypeIds",
        &[q.event_type_id.as_ref(), q.event_type_ids.as_ref()],
    )?;
    f.team_ids = ids("teamsIds", &[q.team_id.as_ref(), q.teams_ids.as_ref()])?;
    f.start_after = time("afterStart", q.after_start.as_ref())?;
    if let Some(before) = time("beforeEnd", q.before_end.as_ref())? {
        f.end_before = Some(f.end_before.map_or(before, |b| b.min(before)));
    }
    f.created_after = time("afterCreatedAt", q.after_created_at.as_ref())?;
    f.created_before = time("beforeCreatedAt", q.before_created_at.as_ref())?;
    f.updated_after = time("afterUpdatedAt", q.after_updated_at.as_ref())?;
    f.updated_before = time("beforeUpdatedAt", q.before_updated_at.as_ref())?;
    for (field, raw, key) in [
        ("sortStart", &q.sort_start, SortKey::Start),
        ("sortEnd", &q.sort_end, SortKey::End),
        ("sortCreated", &q.sort_created, SortKey::Created),
        ("sortUpdatedAt", &q.sort_updated_at, SortKey::Updated),
    ] {
        match raw.as_deref() {
            None => {}
            Some("asc") => f.sort.push((key, false)),
            Some("desc") => f.sort.push((key, true)),
            Some(other) => return Err(bad(field, format!("`{other}` is not asc or desc"))),
        }
    }
    if f.sort.is_empty() {
        f.sort.push((SortKey::Start, false));
    }
    f.take = q.take.or(q.limit).unwrap_or(DEFAULT_TAKE);
    if !(1..=MAX_TAKE).contains(&f.take) {
        return Err(bad("take", format!("must be between 1 and {MAX_TAKE}")));
    }
    f.skip = q.skip.or(q.cursor).unwrap_or(0);
    if f.skip < 0 {
        return Err(bad("skip", "must not be negative"));
    }
    Ok(f)
}

pub async fn list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    query: web::Query<ListQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let f = filter(caller.user.id, &query)?;
    let (take, skip) = (f.take, f.skip);
    let (views, total) = booking::list(&state.db, f).await?;
    let returned = views.len() as i64;
    if legacy::wants_legacy(&req) {
        let next = (skip + returned < total).then_some(skip + returned);
        return Ok(HttpResponse::Ok().json(success(legacy::list(&views, next))));
    }
    let total_pages = (total + take - 1) / take;
    let current_page = skip / take + 1;
    Ok(HttpResponse::Ok().json(json!({
        "status": "success",
        "data": views.iter().map(|v| to_json(v, &state.base_url)).collect::<Vec<_>>(),
        "pagination": {
            "totalItems": total,
            "remainingItems": (total - skip - returned).max(0),
            "returnedItems": returned,
            "itemsPerPage": take,
            "currentPage": current_page,
            "totalPages": total_pages,
            "hasNextPage": skip + returned < total,
            "hasPreviousPage": skip > 0,
        },
    })))
}
