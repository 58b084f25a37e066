//! A host's actions on a booking beyond its lifecycle (cal-api-version 2024-08-13, with the
//! host's API key): where it takes place (`PATCH …/location`), asking the booker to pick a new
//! time (`POST …/request-reschedule`), and its "add to calendar" links
//! (`GET …/calendar-links`). The rules are the booking use cases' (`booking::amend`).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::bookings::{bad, key_actor, optional_body, reason, to_json};
use super::success;
use crate::booking;
use crate::domain::text;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::extract::{Authenticated, parse_body};

#[derive(Debug, Deserialize)]
struct LocationBody {
    location: Option<Value>,
}

/// `PATCH /v2/bookings/{uid}/location`: `{location: "…" | {type, …}}`.
pub async fn location(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    uid: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: LocationBody = parse_body(&body)?;
    let given = (body.location)
        .filter(|l| !l.is_null())
        .ok_or_else(|| bad("location", "is required"))?;
    let location = booking::host_location(&given)?;
    let actor = key_actor(&caller);
    let view = booking::relocate(&state.db, &state.outbox, &uid, &location, actor).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&view, &state.base_url))))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestRescheduleBody {
    #[serde(default, deserialize_with = "text::lines")]
    reschedule_reason: Option<String>,
}

/// `POST /v2/bookings/{uid}/request-reschedule`: `{rescheduleReason?}`. Cal.com answers
/// `{status}` alone; the cancelled booking is given too.
pub async fn request_reschedule(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    uid: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: RequestRescheduleBody = optional_body(&body)?;
    let why = reason("rescheduleReason", body.reschedule_reason)?;
    let actor = key_actor(&caller);
    let view = booking::request_reschedule(&state.db, &state.outbox, &uid, why, actor).await?;
    Ok(HttpResponse::Ok().json(success(to_json(&view, &state.base_url))))
}

/// `GET /v2/bookings/{uid}/calendar-links`: Cal.com's four, by its ids and labels.
pub async fn calendar_links(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    uid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = booking::get(&state.db, caller.user.id, &uid).await?;
    let page_url = format!("{}/booking/{}", state.base_url, view.record.uid);
    let links = booking::calendar_links(&view, &page_url);
    let ics = booking::ics(&view, &page_url, Utc::now());
    let ics = format!("data:text/calendar,{}", encode_uri_component(&ics));
    let data = [
        ("Google Calendar", "googleCalendar", links.google),
        ("Microsoft Office", "microsoftOffice", links.office),
        ("Microsoft Outlook", "microsoftOutlook", links.outlook),
        ("ICS", "ics", ics),
    ]
    .map(|(label, id, link)| json!({"label": label, "id": id, "link": link}));
    Ok(HttpResponse::Ok().json(success(json!(data))))
}

/// JavaScript's `encodeURIComponent`, as Cal.com makes its `data:` link.
fn encode_uri_component(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() * 3 / 2);
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_uri_component;

    #[test]
    fn encodes_as_javascript_does() {
        assert_eq!(
            encode_uri_component("BEGIN:VCALENDAR\r\nSUMMARY:Ada & Grace (intro)é"),
            "BEGIN%3AVCALENDAR%0D%0ASUMMARY%3AAda%20%26%20Grace%20(intro)%C3%A9"
        );
    }
}

#[derive(Debug, Default, Deserialize)]
struct ReassignBody {
    #[serde(default, deserialize_with = "text::lines")]
    reason: Option<String>,
}

/// `POST /v2/bookings/{uid}/reassign`: to the host the round-robin rules pick.
pub async fn reassign_auto(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    uid: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    reassigned(&state, &caller, &uid, None, &body).await
}

/// `POST /v2/bookings/{uid}/reassign/{userId}`: to that host.
pub async fn reassign_to(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (uid, user) = path.into_inner();
    let user: i64 =
        (user.parse()).map_err(|_| bad("userId", format!("`{user}` is not a user id")))?;
    reassigned(&state, &caller, &uid, Some(user), &body).await
}

/// Cal.com's answer: `{bookingUid, reassignedTo: {id, name, email, displayEmail}}`.
async fn reassigned(
    state: &AppState,
    caller: &crate::accounts::Caller,
    uid: &str,
    to: Option<i64>,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    let body: ReassignBody = optional_body(body)?;
    let why = reason("reason", body.reason)?;
    let actor = key_actor(caller);
    let done = booking::reassign(&state.db, &state.outbox, uid, to, why, actor).await?;
    let to = &done.to;
    Ok(HttpResponse::Ok().json(success(json!({
        "bookingUid": done.view.record.uid,
        "reassignedTo": {"id": to.id, "name": to.name, "email": to.email, "displayEmail": to.email},
    }))))
}
