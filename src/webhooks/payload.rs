//! Cal.com's webhook bodies, version 2021-10-20: the standard envelope with the booking
//! payload (`BookingPayloadBuilder`), the small no-show payload, the flat meeting envelope
//! and the ping. Built from stored facts only; the key order follows Cal.com's, since the
//! bytes are what receivers verify.

use chrono::{DateTime, Offset, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use crate::domain::BookingStatus;
use crate::event_types::{EventType, awaits_conference};
use crate::storage::bookings::{AttendeeRecord, BookingRecord};
use crate::storage::users::User;

/// Everything a booking payload says, read in the transaction that changed the booking.
pub struct Facts {
    pub booker_url: String,
    pub booking: BookingRecord,
    /// The booker first, then guests; for a seated booking only the seat concerned.
    pub attendees: Vec<AttendeeRecord>,
    pub organizer: User,
    /// `None` once the event type is deleted.
    pub event: Option<EventType>,
    /// Team events: the team's id, name and members.
    pub team: Option<(i64, String, Vec<User>)>,
    /// An occurrence of a recurring booking: how many occurrences its series has.
    pub series_length: Option<usize>,
}

/// What happened, with what the event adds to the payload.
pub enum Change<'a> {
    Created,
    Requested,
    Rescheduled {
        from: &'a BookingRecord,
    },
    Cancelled {
        request_reschedule: bool,
    },
    Rejected,
    /// It takes place somewhere else now: a host moved it (`PATCH …/location`), or a host's
    /// calendar made the link for its meeting (`by_calendar`).
    LocationUpdated {
        previous: &'a str,
        by_calendar: bool,
    },
    /// A round-robin booking went from host `from` to another (the booking's hosts now).
    Reassigned {
        from: &'a User,
    },
}

impl Change<'_> {
    pub fn trigger(&self) -> &'static str {
        match self {
            Change::Created => "BOOKING_CREATED",
            Change::Requested => "BOOKING_REQUESTED",
            Change::Rescheduled { .. } => "BOOKING_RESCHEDULED",
            Change::Cancelled { .. } => "BOOKING_CANCELLED",
            Change::Rejected => "BOOKING_REJECTED",
            Change::LocationUpdated { .. } => "BOOKING_LOCATION_UPDATED",
            Change::Reassigned { .. } => "BOOKING_REASSIGNED",
        }
    }
}

/// `toISOString()`: UTC with milliseconds.
pub fn js_iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The standard envelope, keys in Cal.com's order.
pub fn envelope(trigger: &str, created_at: DateTime<Utc>, payload: Value) -> Value {
    json!({"triggerEvent": trigger, "createdAt": js_iso(created_at), "payload": payload})
}

fn utc_offset(zone: &str, at: DateTime<Utc>) -> i64 {
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    i64::from(
        tz.offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc(),
    ) / 60
}

/// Labels Cal.com gives the system booking fields (i18n keys).
fn system_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "name" => "your_name",
        "email" => "email_address",
        "location" => "location",
        "title" => "what_is_this_meeting_about",
        "notes" => "additional_notes",
        "guests" => "additional_guests",
        "rescheduleReason" => "reason_for_reschedule",
        "attendeePhoneNumber" => "phone_number",
        _ => return None,
    })
}

fn answer(label: &str, value: Option<&Value>) -> Value {
    let mut out = Map::new();
    out.insert("label".into(), json!(label));
    if let Some(value) = value {
        out.insert("value".into(), value.clone());
    }
    out.insert("isHidden".into(), json!(false));
    Value::Object(out)
}

/// `responses` (every field) and `userFieldsResponses` (the event type's own fields).
fn responses(facts: &Facts, rescheduling: bool) -> (Map<String, Value>, Map<String, Value>) {
    let stored: Map<String, Value> =
        serde_json::from_str(&facts.booking.responses).unwrap_or_default();
    let mut all = Map::new();
    for field in ["name", "email", "location", "title", "notes", "guests"] {
        if let (Some(value), Some(label)) = (stored.get(field), system_label(field)) {
            all.insert(field.into(), answer(label, Some(value)));
        }
    }
    // Cal.com fills the reason in only on the reschedule itself.
    let reason = facts
        .booking
        .reschedule_reason
        .as_ref()
        .filter(|_| rescheduling)
        .map(|r| json!(r));
    all.insert(
        "rescheduleReason".into(),
        answer("reason_for_reschedule", reason.as_ref()),
    );
    if let Some(phone) = stored.get("attendeePhoneNumber") {
        all.insert(
            "attendeePhoneNumber".into(),
            answer("phone_number", Some(phone)),
        );
    }
    let fields = facts
        .event
        .as_ref()
        .map(|e| e.settings.booking_fields.as_slice())
        .unwrap_or_default();
    let mut custom = Map::new();
    for field in fields {
        let Some(value) = stored.get(&field.slug) else {
            continue;
        };
        custom.insert(field.slug.clone(), answer(&field.label, Some(value)));
    }
    // Answers to fields since removed from the event type still say what was asked.
    for (key, value) in &stored {
        if system_label(key).is_none() && !custom.contains_key(key) {
            custom.insert(key.clone(), answer(key, Some(value)));
        }
    }
    for (key, value) in &custom {
        all.insert(key.clone(), value.clone());
    }
    (all, custom)
}

fn person(user: &User, at: DateTime<Utc>) -> Value {
    json!({
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "username": user.username,
        "timeZone": user.time_zone,
        "language": {"locale": user.locale},
        "timeFormat": if user.time_format == 24 { "HH:mm" } else { "h:mma" },
        "utcOffset": utc_offset(&user.time_zone, at),
    })
}

fn attendee(a: &AttendeeRecord, at: DateTime<Utc>) -> Value {
    // Guests are stored under their email; Cal.com gives them no name.
    let name = if a.name == a.email {
        ""
    } else {
        a.name.as_str()
    };
    let (first, last) = name.split_once(' ').unwrap_or((name, ""));
    let mut out = json!({
        "email": a.email,
        "name": name,
        "firstName": first,
        "lastName": last,
        "timeZone": a.time_zone,
    });
    if let Some(phone) = &a.phone_number {
        out["phoneNumber"] = json!(phone);
    }
    out["language"] = json!({"locale": a.locale.as_deref().unwrap_or("en")});
    out["utcOffset"] = json!(utc_offset(&a.time_zone, at));
    out
}

/// The video room on the booking site of a booking held in a video app (Cal.com's Cal Video
/// URL). A Google Meet or Teams meeting has none: its host's calendar makes its link.
fn video_room(booker_url: &str, booking: &BookingRecord) -> Option<String> {
    let location = booking.location.as_deref()?;
    (location.starts_with("integrations:") && !awaits_conference(location))
        .then(|| format!("{}/video/{}", booker_url.trim_end_matches('/'), booking.uid))
}

/// The meeting link of a booking (Cal.com's `getVideoCallUrlFromCalEvent`): a location that is
/// a link (the host's, or the one a calendar made for a Meet or Teams meeting), else its video
/// room; none while a calendar has yet to make the meeting.
pub fn video_url(booker_url: &str, booking: &BookingRecord) -> Option<String> {
    match booking.location.as_deref() {
        Some(l) if l.starts_with("https://") || l.starts_with("http://") => Some(l.to_owned()),
        _ => video_room(booker_url, booking),
    }
}

/// The booking payload of `change`.
pub fn booking_payload(facts: &Facts, change: &Change<'_>) -> Value {
    let b = &facts.booking;
    let event = facts.event.as_ref();
    let page = event.map(|e| &e.settings.page);
    let seats = event.and_then(|e| e.settings.seats.as_ref());
    let rescheduling = matches!(change, Change::Rescheduled { .. });
    let (all_responses, custom) = responses(facts, rescheduling);
    let notes = all_responses
        .get("notes")
        .and_then(|n| n.get("value"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let description = if b.description.is_empty() {
        notes.clone()
    } else {
        b.description.clone()
    };
    let cancelling = matches!(change, Change::Cancelled { .. } | Change::Rejected);
    let time = |at: DateTime<Utc>| {
        if cancelling {
            at.to_rfc3339_opts(SecondsFormat::Secs, false)
        } else {
            at.to_rfc3339_opts(SecondsFormat::Secs, true)
        }
    };
    let scheduling = event
        .and_then(|e| e.record.scheduling_type.clone())
        .map(|s| s.to_uppercase());
    let assignment = b
        .assignment_reason
        .as_deref()
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .map(|reason| {
            let (kind, text) = match &reason {
                Value::Object(o) => (
                    o.get("kind")
                        .or_else(|| o.get("reasonEnum"))
                        .cloned()
                        .unwrap_or(Value::Null),
                    o.get("reason")
                        .or_else(|| o.get("reasonString"))
                        .cloned()
                        .unwrap_or(Value::Null),
                ),
                other => (Value::Null, other.clone()),
            };
            json!([{"reasonEnum": kind, "reasonString": text}])
        });
    let mut p = Map::new();
    p.insert("bookerUrl".into(), json!(facts.booker_url));
    p.insert(
        "type".into(),
        json!(event.map(|e| e.record.slug.as_str()).unwrap_or_default()),
    );
    p.insert("title".into(), json!(b.title));
    p.insert("description".into(), json!(description));
    p.insert("additionalNotes".into(), json!(notes));
    p.insert("customInputs".into(), json!({}));
    p.insert("startTime".into(), json!(time(b.start_at)));
    p.insert("endTime".into(), json!(time(b.end_at)));
    p.insert("organizer".into(), person(&facts.organizer, b.start_at));
    p.insert(
        "attendees".into(),
        Value::Array(
            facts
                .attendees
                .iter()
                .map(|a| attendee(a, b.start_at))
                .collect(),
        ),
    );
    p.insert("responses".into(), Value::Object(all_responses));
    p.insert("userFieldsResponses".into(), Value::Object(custom));
    p.insert(
        "location".into(),
        json!(b.location.as_deref().unwrap_or("")),
    );
    p.insert(
        "destinationCalendar".into(),
        if cancelling { json!([]) } else { Value::Null },
    );
    // Kairos has none of these switches: nothing is hidden.
    p.insert("hideCalendarNotes".into(), json!(false));
    p.insert("hideCalendarEventDetails".into(), json!(false));
    p.insert("hideOrganizerEmail".into(), json!(false));
    p.insert("schedulingType".into(), json!(scheduling));
    p.insert(
        "seatsPerTimeSlot".into(),
        json!(event.and_then(|e| e.record.seats_per_slot)),
    );
    p.insert(
        "seatsShowAttendees".into(),
        json!(seats.is_none_or(|s| s.show_attendee_info)),
    );
    p.insert(
        "seatsShowAvailabilityCount".into(),
        json!(seats.is_none_or(|s| s.show_availability_count)),
    );
    p.insert("customReplyToEmail".into(), Value::Null);
    p.insert(
        "disableRescheduling".into(),
        json!(page.is_some_and(|o| o.rescheduling_disabled())),
    );
    p.insert(
        "disableCancelling".into(),
        json!(page.is_some_and(|o| o.cancelling_disabled())),
    );
    if let Some(recurring) = recurring_event(facts) {
        p.insert("recurringEvent".into(), recurring);
    }
    p.insert("iCalUID".into(), json!(b.ical_uid));
    p.insert("iCalSequence".into(), json!(b.ical_sequence));
    p.insert("organizationId".into(), Value::Null);
    p.insert("hashedLink".into(), Value::Null);
    p.insert("oneTimePassword".into(), Value::Null);
    p.insert("uid".into(), json!(b.uid));
    p.insert("eventTypeId".into(), json!(b.event_type_id));
    p.insert("bookingId".into(), json!(b.id));
    p.insert(
        "eventTitle".into(),
        json!(event.map(|e| e.record.title.as_str())),
    );
    p.insert(
        "eventDescription".into(),
        json!(event.map(|e| e.record.description.as_str())),
    );
    p.insert(
        "requiresConfirmation".into(),
        json!(event.is_some_and(|e| e.record.requires_confirmation)),
    );
    p.insert("price".into(), json!(0));
    p.insert("currency".into(), json!("usd"));
    p.insert(
        "length".into(),
        json!((b.end_at - b.start_at).num_minutes()),
    );
    p.insert("assignmentReason".into(), json!(assignment));
    if let Some((id, name, members)) = &facts.team {
        let members: Vec<Value> = members
            .iter()
            .map(|m| {
                json!({"id": m.id, "name": m.name, "email": m.email, "timeZone": m.time_zone,
                       "language": {"locale": m.locale}})
            })
            .collect();
        p.insert(
            "team".into(),
            json!({"name": name, "members": members, "id": id}),
        );
    }
    let status = match change {
        Change::Created
        | Change::Rescheduled { .. }
        | Change::LocationUpdated { .. }
        | Change::Reassigned { .. } => BookingStatus::Accepted,
        Change::Requested => BookingStatus::Pending,
        Change::Cancelled { .. } => BookingStatus::Cancelled,
        Change::Rejected => BookingStatus::Rejected,
    };
    p.insert("status".into(), json!(status.as_str()));
    if !cancelling && let Some(url) = video_room(&facts.booker_url, b) {
        p.insert(
            "videoCallData".into(),
            json!({"type": "daily_video", "id": b.uid, "password": "", "url": url}),
        );
        p.insert(
            "appsStatus".into(),
            json!([{"appName": "Cal Video", "type": "daily_video", "success": 1,
                    "failures": 0, "errors": [], "warnings": []}]),
        );
    }
    match change {
        Change::Rescheduled { from } => {
            p.insert("rescheduleId".into(), json!(from.id));
            p.insert("rescheduleUid".into(), json!(from.uid));
            p.insert("rescheduleStartTime".into(), json!(time(from.start_at)));
            p.insert("rescheduleEndTime".into(), json!(time(from.end_at)));
            p.insert("rescheduledBy".into(), json!(b.rescheduled_by));
        }
        Change::Cancelled { request_reschedule } => {
            p.insert("cancelledBy".into(), json!(b.cancelled_by));
            p.insert("cancellationReason".into(), json!(b.cancellation_reason));
            p.insert("requestReschedule".into(), json!(request_reschedule));
        }
        Change::Rejected => {
            p.insert("rejectionReason".into(), json!(b.rejection_reason));
        }
        Change::LocationUpdated { previous, .. } => {
            p.insert("previousLocation".into(), json!(previous));
        }
        Change::Reassigned { from } => {
            p.insert(
                "reassignedFrom".into(),
                json!({"id": from.id, "name": from.name, "email": from.email}),
            );
        }
        Change::Created | Change::Requested => {}
    }
    if !cancelling {
        let mut metadata = Map::new();
        if let Some(url) = video_url(&facts.booker_url, b) {
            metadata.insert("videoCallUrl".into(), json!(url));
        }
        let stored: Map<String, Value> = serde_json::from_str(&b.metadata).unwrap_or_default();
        metadata.extend(stored);
        p.insert("metadata".into(), Value::Object(metadata));
    }
    Value::Object(p)
}

/// Cal.com's `recurringEvent` of an occurrence: the event type's rule (`freq` 0 yearly,
/// 1 monthly, 2 weekly) with `count` the occurrences booked.
fn recurring_event(facts: &Facts) -> Option<Value> {
    use crate::event_types::settings::Frequency;
    let count = facts.series_length?;
    let rule = facts
        .event
        .as_ref()?
        .settings
        .page
        .recurrence
        .as_ref()?
        .value;
    let freq = match rule.frequency {
        Frequency::Yearly => 0,
        Frequency::Monthly => 1,
        Frequency::Weekly => 2,
    };
    Some(json!({"freq": freq, "count": count, "interval": rule.interval}))
}

/// `BOOKING_NO_SHOW_UPDATED`: only who was marked, and a sentence saying so.
pub fn no_show_payload(
    booking: &BookingRecord,
    marked: &[(String, bool)],
    host: Option<bool>,
) -> Value {
    let attendees: Vec<Value> = marked
        .iter()
        .map(|(email, no_show)| json!({"email": email, "noShow": no_show}))
        .collect();
    let message = match (host, marked.len()) {
        (Some(true), 0) => "The host was marked as a no-show".to_owned(),
        (Some(false), 0) => "The host is no longer marked as a no-show".to_owned(),
        (_, 1) => format!("{} no-show status updated", marked[0].0),
        (_, n) => format!("{n} attendees' no-show status updated"),
    };
    let mut out = json!({
        "bookingUid": booking.uid,
        "bookingId": booking.id,
        "attendees": attendees,
        "message": message,
    });
    if let Some(host) = host {
        out["noShowHost"] = json!(host);
    }
    out
}

/// `MEETING_STARTED` / `MEETING_ENDED`: the booking row at the top level, no `payload`
/// key, serialised when the event is scheduled (as Cal.com does).
pub fn meeting_body(trigger: &str, facts: &Facts) -> Value {
    let b = &facts.booking;
    let o = &facts.organizer;
    let responses: Value = serde_json::from_str(&b.responses).unwrap_or(json!({}));
    let metadata: Value = serde_json::from_str(&b.metadata).unwrap_or(json!({}));
    let attendees: Vec<Value> = facts
        .attendees
        .iter()
        .map(|a| {
            json!({"id": a.id, "email": a.email, "name": a.name, "timeZone": a.time_zone,
                   "phoneNumber": a.phone_number, "locale": a.locale, "bookingId": b.id,
                   "noShow": a.no_show})
        })
        .collect();
    json!({
        "triggerEvent": trigger,
        "id": b.id,
        "uid": b.uid,
        "idempotencyKey": null,
        "userId": b.user_id,
        "userPrimaryEmail": o.email,
        "eventTypeId": b.event_type_id,
        "title": b.title,
        "description": b.description,
        "customInputs": {},
        "responses": responses,
        "startTime": js_iso(b.start_at),
        "endTime": js_iso(b.end_at),
        "location": b.location,
        "createdAt": js_iso(b.created_at),
        "updatedAt": b.updated_at.map(|t| js_iso(t.and_utc())),
        "status": b.status.lower(),
        "paid": false,
        "cancellationReason": b.cancellation_reason,
        "rejectionReason": b.rejection_reason,
        "fromReschedule": b.from_reschedule,
        "rescheduled": b.rescheduled,
        "recurringEventId": b.recurring_event_id,
        "smsReminderNumber": null,
        "metadata": metadata,
        "iCalUID": b.ical_uid,
        "iCalSequence": b.ical_sequence,
        "noShowHost": b.no_show_host,
        "cancelledBy": b.cancelled_by,
        "rescheduledBy": b.rescheduled_by,
        "creationSource": "API_V2",
        "user": {"email": o.email, "name": o.name, "timeZone": o.time_zone, "username": o.username},
        "attendees": attendees,
        "payment": [],
        "references": [],
        "appsStatus": null,
    })
}

/// The `PING` test delivery: Cal.com's dummy booking.
pub fn ping_payload(now: DateTime<Utc>) -> Value {
    let at = js_iso(now);
    json!({
        "type": "Test",
        "title": "Test trigger event",
        "description": "",
        "additionalNotes": "",
        "customInputs": {},
        "startTime": at,
        "endTime": at,
        "organizer": {"name": "Cal", "email": "no-reply@cal.com", "timeZone": "Europe/London",
                      "language": {"locale": "en"}},
        "attendees": [{"email": "test@example.com", "name": "John Doe",
                       "timeZone": "Europe/London", "language": {"locale": "en"}}],
        "location": "",
        "uid": "",
        "status": BookingStatus::Accepted.as_str(),
    })
}
