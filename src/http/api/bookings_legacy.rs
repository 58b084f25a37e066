//! Cal.com's 2024-04-15 shapes of the booking reads, for clients that send
//! `cal-api-version: 2024-04-15`: `GET /v2/bookings` answers `{bookings, recurringInfo,
//! nextCursor}` (`GetBookingsOutput_2024_04_15`) and `GET /v2/bookings/{uid}` one booking as
//! `GetBookingOutput_2024_04_15`: `startTime`/`endTime`, upper-case `status`, `user`,
//! `responses`. Built from the stored booking, as the current shape is; what Kairos does not
//! have (payments, references, recordings) is empty.

use actix_web::HttpRequest;
use serde_json::{Map, Value, json};

use crate::booking::BookingView;

/// Whether the client asked for the 2024-04-15 booking shapes. Only an explicit header:
/// Kairos' booking reads answered the current shape without one before this existed.
pub fn wants_legacy(req: &HttpRequest) -> bool {
    (req.headers().get("cal-api-version"))
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == "2024-04-15")
}

fn iso(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The organiser as Cal.com's `user`.
fn user(view: &BookingView) -> Value {
    let organiser = (view.hosts.iter()).find(|h| h.id == view.record.user_id);
    organiser.map_or(Value::Null, |h| {
        json!({"id": h.id, "name": h.name, "email": h.email, "username": h.username,
               "timeZone": h.time_zone})
    })
}

fn metadata(view: &BookingView) -> Value {
    serde_json::from_str(&view.record.metadata).unwrap_or_else(|_| json!({}))
}

/// One entry of the list (`GetBookingsDataEntry`).
pub fn list_entry(view: &BookingView) -> Value {
    let r = &view.record;
    let attendees: Vec<Value> = (view.attendees.iter())
        .map(|a| {
            json!({"id": a.id, "email": a.email, "name": a.name, "timeZone": a.time_zone,
                   "locale": a.locale, "bookingId": a.booking_id})
        })
        .collect();
    let mut organiser = user(view);
    if let Value::Object(fields) = &mut organiser {
        fields.retain(|k, _| matches!(k.as_str(), "id" | "name" | "email"));
    }
    json!({
        "id": r.id,
        "title": r.title,
        "userPrimaryEmail": organiser.get("email").cloned().unwrap_or(Value::Null),
        "description": r.description,
        "customInputs": {},
        "startTime": iso(r.start_at),
        "endTime": iso(r.end_at),
        "attendees": attendees,
        "metadata": metadata(view),
        "uid": r.uid,
        "recurringEventId": r.recurring_event_id,
        "location": r.location,
        "eventType": {"id": r.event_type_id, "slug": view.event_slug, "eventName": null,
                      "price": 0, "currency": "usd", "metadata": {}, "team": null},
        "status": r.status.as_str(),
        "paid": false,
        "payment": [],
        "references": [],
        "isRecorded": false,
        "seatsReferences": [],
        "user": organiser,
        "rescheduled": view.rescheduled_to.is_some() || r.rescheduled,
    })
}

/// The list's `data`: the page, and where the next one starts (`cursor`), or null.
pub fn list(views: &[BookingView], next: Option<i64>) -> Value {
    json!({
        "bookings": views.iter().map(list_entry).collect::<Vec<_>>(),
        "recurringInfo": [],
        "nextCursor": next,
    })
}

/// One booking (`GetBookingData_2024_04_15`).
pub fn one(view: &BookingView) -> Value {
    let r = &view.record;
    let responses: Map<String, Value> = serde_json::from_str(&r.responses).unwrap_or_default();
    let attendees: Vec<Value> = (view.attendees.iter())
        .map(|a| json!({"name": a.name, "email": a.email, "timeZone": a.time_zone}))
        .collect();
    let organiser = user(view);
    json!({
        "title": r.title,
        "id": r.id,
        "uid": r.uid,
        "description": r.description,
        "customInputs": {},
        "smsReminderNumber": null,
        "recurringEventId": r.recurring_event_id,
        "startTime": iso(r.start_at),
        "endTime": iso(r.end_at),
        "location": r.location,
        "status": r.status.as_str(),
        "metadata": metadata(view),
        "cancellationReason": r.cancellation_reason,
        "responses": responses,
        "rejectionReason": r.rejection_reason,
        "userPrimaryEmail": organiser.get("email").cloned().unwrap_or(Value::Null),
        "user": organiser,
        "attendees": attendees,
        "eventTypeId": r.event_type_id,
        "eventType": r.event_type_id.map(|_| json!({"eventName": null, "slug": view.event_slug,
                                                    "timeZone": null})),
    })
}
