//! `GET /v2/slots` (cal-api-version 2024-09-04) over stored data, and slot reservations
//! (`/v2/slots/reservations`). Public, as in Cal.com.

use crate::domain::text;
use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{Value, json};

use super::success;
use crate::availability::interval::Interval;
use crate::booking::{self, EventRef, SlotRequest, reservations};
use crate::domain::TimeZoneName;
use crate::error::ApiError;
use crate::event_types::EventType;
use crate::headless::{self, MAX_SLOT_HOST_PAIRS, MAX_WINDOW_DAYS, ParsedQuery};
use crate::http::extract::{OptionalCaller, parse_body};
use crate::http::{AppState, admission};
use crate::private_links;
use crate::storage::bookings::ReservationRecord;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotsQuery {
    event_type_id: Option<i64>,
    event_type_slug: Option<String>,
    username: Option<String>,
    team_slug: Option<String>,
    start: Option<String>,
    end: Option<String>,
    /// The 2024-04-15 names.
    start_time: Option<String>,
    end_time: Option<String>,
    time_zone: Option<String>,
    duration: Option<u32>,
    format: Option<String>,
    /// The 2024-04-15 name of `format`.
    slot_format: Option<String>,
    booking_uid_to_reschedule: Option<String>,
    /// Cal.com's: the round-robin hosts a routing form's route narrowed the event type to,
    /// comma-separated user ids.
    routed_team_member_ids: Option<String>,
    /// A private link: the event type it opens (kept behind its links, or named by it alone).
    hashed_link: Option<String>,
}

/// `routedTeamMemberIds` as given: comma-separated user ids (none given: `None`).
pub fn routed_ids(raw: Option<&str>) -> Result<Option<Vec<i64>>, ApiError> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(None);
    };
    raw.split(',')
        .map(|id| id.trim().parse::<i64>())
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
        .map_err(|_| {
            ApiError::BadRequest(format!(
                "routedTeamMemberIds: `{raw}` is not a comma-separated list of user ids"
            ))
        })
}

/// Which event type a query names: `eventTypeId`, or `eventTypeSlug` with `username` or
/// `teamSlug`.
pub fn event_ref(
    id: Option<i64>,
    slug: Option<&str>,
    username: Option<&str>,
    team: Option<&str>,
) -> Result<EventRef, ApiError> {
    match (id, slug, username, team) {
        (Some(id), _, _, _) => Ok(EventRef::Id(id)),
        (None, Some(slug), Some(username), _) => Ok(EventRef::User {
            username: username.to_owned(),
            slug: slug.to_owned(),
        }),
        (None, Some(slug), None, Some(team)) => Ok(EventRef::Team {
            team: team.to_owned(),
            slug: slug.to_owned(),
        }),
        (None, Some(_), None, None) => Err(ApiError::BadRequest(
            "eventTypeSlug: needs `username` or `teamSlug` to say whose event type it is".into(),
        )),
        (None, None, _, _) => Err(ApiError::BadRequest(
            "eventTypeId: is required (or eventTypeSlug with username or teamSlug)".into(),
        )),
    }
}

fn time_zone(field: &str, raw: Option<&str>) -> Result<Tz, ApiError> {
    match raw {
        None => Ok(Tz::UTC),
        Some(name) => TimeZoneName::parse(name)
            .map(TimeZoneName::tz)
            .map_err(|m| ApiError::BadRequest(format!("{field}: {m}"))),
    }
}

fn bound(field: &str, raw: Option<&str>, end_of_day: bool) -> Result<i64, ApiError> {
    let raw = raw.ok_or_else(|| {
        ApiError::BadRequest(format!(
            "{field}: is required (a date or an ISO 8601 instant)"
        ))
    })?;
    headless::instant(field, raw, end_of_day).map_err(|e| ApiError::BadRequest(e.to_string()))
}

pub async fn get(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<SlotsQuery>,
) -> Result<HttpResponse, ApiError> {
    // Read before any data is, so a write committing meanwhile retires what this computes.
    let writes = state.db.write_count();
    let answer = state.slots_cache.answer(request.query_string(), writes);
    let body = answer
        .get_or_try_init(|| compute(&state, query.into_inner()))
        .await?;
    let body = if legacy(&request) {
        legacy_slots(body)?
    } else {
        body.clone()
    };
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body))
}

/// `GET /v2/slots/available` without `cal-api-version: 2024-09-04` is Cal.com's 2024-04-15
/// slots endpoint (its default for a missing or older version); `GET /v2/slots` is always the
/// current one.
fn legacy(request: &HttpRequest) -> bool {
    request.path().ends_with("/slots/available") && super::wants_legacy(request, &["2024-09-04"])
}

/// The 2024-04-15 answer from the current one: `{slots: {date: [{time}]}}`, or
/// `[{startTime, endTime}]` in the range format; a seated slot's `attendees` and `bookingUid`.
fn legacy_slots(current: &[u8]) -> Result<Bytes, ApiError> {
    let mut answer: Value = serde_json::from_slice(current)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("slots answer: {e}")))?;
    let mut days = serde_json::Map::new();
    if let Value::Object(dates) = answer["data"].take() {
        for (date, slots) in dates {
            let slots = slots
                .as_array()
                .map(|list| list.iter().map(legacy_slot).collect());
            days.insert(date, Value::Array(slots.unwrap_or_default()));
        }
    }
    Ok(Bytes::from(
        json!({"status": "success", "data": {"slots": days}}).to_string(),
    ))
}

fn legacy_slot(slot: &Value) -> Value {
    let mut slot = slot.as_object().cloned().unwrap_or_default();
    let renames: &[(&str, &str)] = match slot.contains_key("end") {
        true => &[
            ("start", "startTime"),
            ("end", "endTime"),
            ("attendeesCount", "attendees"),
        ],
        false => &[("start", "time"), ("attendeesCount", "attendees")],
    };
    for (from, to) in renames {
        if let Some(value) = slot.remove(*from) {
            slot.insert((*to).to_owned(), value);
        }
    }
    Value::Object(slot)
}

/// The slots of event type `id`, narrowed to `hosts` when there are any, for the window and
/// shape `q` asks (its event type and host parameters are replaced): a routing form's route.
pub(super) async fn routed(
    state: &AppState,
    mut q: SlotsQuery,
    id: i64,
    hosts: &[i64],
) -> Result<Value, ApiError> {
    q.event_type_id = Some(id);
    q.event_type_slug = None;
    let ids: Vec<String> = hosts.iter().map(i64::to_string).collect();
    q.routed_team_member_ids = Some(ids.join(","));
    let body = compute(state, q).await?;
    let answer: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("slots answer: {e}")))?;
    Ok(answer["data"].clone())
}

/// The event type a slots query names, as a booker reaches it: by `hashedLink` alone, or
/// named and, if kept behind private links, opened by one. Nobody's key lifts that here: the
/// answer is cached for everyone who asks the same query.
async fn event_of(state: &AppState, q: &SlotsQuery) -> Result<EventType, ApiError> {
    let link = q.hashed_link.as_deref();
    let target = match (link, q.event_type_id, q.event_type_slug.as_deref()) {
        (Some(link), None, None) => {
            EventRef::Id(private_links::event_of(&state.db, link, Utc::now()).await?)
        }
        _ => event_ref(
            q.event_type_id,
            q.event_type_slug.as_deref(),
            q.username.as_deref(),
            q.team_slug.as_deref(),
        )?,
    };
    let purpose = private_links::Use::Viewing;
    Ok(booking::resolve_for_booker(&state.db, &target, link, None, purpose).await?)
}

async fn compute(state: &AppState, q: SlotsQuery) -> Result<Bytes, ApiError> {
    let mut event = event_of(state, &q).await?;
    let tz = time_zone("timeZone", q.time_zone.as_deref())?;
    let start = bound(
        "start",
        q.start.as_deref().or(q.start_time.as_deref()),
        false,
    )?;
    let end = bound("end", q.end.as_deref().or(q.end_time.as_deref()), true)?;
    if end < start {
        return Err(ApiError::BadRequest("end: must not be before start".into()));
    }
    if end - start > MAX_WINDOW_DAYS * 86_400 {
        return Err(ApiError::BadRequest(format!(
            "end: the window may span at most {MAX_WINDOW_DAYS} days"
        )));
    }
    let range_format = match q.format.as_deref().or(q.slot_format.as_deref()) {
        None | Some("time") => false,
        Some("range") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "format: `{other}` is not `time` or `range`"
            )));
        }
    };
    if let Some(ids) = routed_ids(q.routed_team_member_ids.as_deref())? {
        event = event
            .routed_to(&ids)
            .map_err(|m| ApiError::BadRequest(format!("routedTeamMemberIds: {m}")))?;
    }
    // The engine steps by the interval, else by the length asked for, plus the offset.
    let length = q
        .duration
        .unwrap_or(event.record.length_minutes.max(1) as u32);
    let step = i64::from(
        event
            .record
            .slot_interval
            .map_or(length, |v| v as u32)
            .max(1)
            + event.record.offset_start.max(0) as u32,
    ) * 60;
    let hosts = event.hosts.len().max(1) as i64;
    if (end - start) / step * hosts > MAX_SLOT_HOST_PAIRS {
        return Err(ApiError::BadRequest(
            "end: this window asks for too much work at once; query fewer days".into(),
        ));
    }
    let request = SlotRequest {
        range: Interval::new(start, end),
        booker_tz: tz,
        length: q.duration,
        booker_uid: None,
        rescheduling_uid: q.booking_uid_to_reschedule,
        now: Utc::now(),
    };
    let (query, slots) = booking::slots(&state.db, &event, &request).await?;
    let parsed = ParsedQuery {
        query,
        range_format,
        explain: None,
    };
    Ok(Bytes::from(headless::respond(&parsed, &slots).to_vec()))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReservationBody {
    event_type_id: Option<i64>,
    #[serde(default, deserialize_with = "text::line")]
    slot_start: Option<String>,
    slot_duration: Option<u32>,
    reservation_duration: Option<u32>,
    /// The private link the booker came through (as in `POST /v2/bookings`).
    #[serde(default, deserialize_with = "text::line")]
    hashed_link: Option<String>,
}

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn reservation_json(r: &ReservationRecord) -> Value {
    json!({
        "eventTypeId": r.event_type_id,
        "slotStart": iso(r.slot_start),
        "slotEnd": iso(r.slot_end),
        "slotDuration": (r.slot_end - r.slot_start).num_minutes(),
        "reservationUid": r.uid,
        "reservationDuration": (r.expires_at - r.created_at).num_minutes(),
        "reservationUntil": iso(r.expires_at),
    })
}

fn hold(body: &ReservationBody, holder: Option<i64>) -> Result<reservations::Hold, ApiError> {
    let authenticated = holder.is_some();
    let event_type_id = body
        .event_type_id
        .ok_or_else(|| ApiError::BadRequest("eventTypeId: is required".into()))?;
    let start = bound("slotStart", body.slot_start.as_deref(), false)?;
    let minutes = match body.reservation_duration {
        None => reservations::DEFAULT_MINUTES,
        Some(_) if !authenticated => {
            return Err(ApiError::Unauthorized(
                "reservationDuration: only an authenticated caller may choose the hold's length"
                    .into(),
            ));
        }
        Some(m) if (1..=reservations::MAX_MINUTES).contains(&m) => m,
        Some(_) => {
            return Err(ApiError::BadRequest(format!(
                "reservationDuration: must be between 1 and {} minutes",
                reservations::MAX_MINUTES
            )));
        }
    };
    Ok(reservations::Hold {
        event_type_id,
        start: DateTime::from_timestamp(start, 0).unwrap_or_default(),
        length: body.slot_duration,
        minutes,
        booker_tz: Tz::UTC,
        link: body.hashed_link.clone(),
        holder,
    })
}

pub async fn reserve(
    state: web::Data<AppState>,
    caller: OptionalCaller,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let admitted = admission::anonymous(&state, &request, &caller.0)?;
    let body: ReservationBody = parse_body(&body)?;
    let hold = hold(&body, caller.0.as_ref().map(|c| c.user.id))?;
    let admitted =
        admission::for_event(&state, admitted, &EventRef::Id(hold.event_type_id)).await?;
    let holder = admitted.map(|a| a.holder(&state));
    let record = reservations::create(&state.db, hold, holder.as_ref()).await?;
    let response = HttpResponse::Created().json(success(reservation_json(&record)));
    Ok(admission::decorate(admitted, response))
}

pub async fn get_reservation(
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let record = reservations::get(&state.db, &uid).await?;
    Ok(HttpResponse::Ok().json(success(reservation_json(&record))))
}

pub async fn update_reservation(
    state: web::Data<AppState>,
    caller: OptionalCaller,
    request: HttpRequest,
    uid: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let admitted = admission::anonymous(&state, &request, &caller.0)?;
    let body: ReservationBody = parse_body(&body)?;
    let hold = hold(&body, caller.0.as_ref().map(|c| c.user.id))?;
    let admitted =
        admission::for_event(&state, admitted, &EventRef::Id(hold.event_type_id)).await?;
    let holder = admitted.map(|a| a.holder(&state));
    let record = reservations::update(&state.db, &uid, hold, holder.as_ref()).await?;
    let response = HttpResponse::Ok().json(success(reservation_json(&record)));
    Ok(admission::decorate(admitted, response))
}

pub async fn delete_reservation(
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    reservations::delete(&state.db, &uid).await?;
    Ok(HttpResponse::Ok().json(json!({"status": "success"})))
}
