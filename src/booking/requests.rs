//! What the booking use cases take: requests already parsed into domain values, and the checks
//! that need the event type (booking questions, lengths, guests, locations).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::Actor;
use crate::domain::text::{self, TextKind};
use crate::domain::{Email, PersonName, PhoneNumber, TimeZoneName};
use crate::event_types::{
    BookingField, CHOICE_TYPES, EventType, Location, LocationKind, SYSTEM_FIELDS,
};
use crate::service::ServiceError;
use crate::storage::bookings::NewAttendee;

/// Which event type: by id, or by slug under a person or a team.
#[derive(Debug, Clone)]
pub enum EventRef {
    Id(i64),
    User { username: String, slug: String },
    Team { team: String, slug: String },
}

impl EventRef {
    fn scope(&self) -> String {
        match self {
            EventRef::Id(id) => format!("id:{id}"),
            EventRef::User { username, slug } => format!("user:{username}/{slug}"),
            EventRef::Team { team, slug } => format!("team:{team}/{slug}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AttendeeInput {
    pub name: PersonName,
    pub email: Email,
    pub time_zone: TimeZoneName,
    pub language: Option<String>,
    pub phone: Option<String>,
}

/// An `Idempotency-Key`, scoped to the event type it books, with the request's fingerprint.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_hash: String,
}

impl IdempotencyKey {
    /// `caller` scopes the key to who sends it (the API key's user, else the booker's email),
    /// so two clients that happen to pick the same key never see each other's bookings.
    pub fn new(
        caller: &str,
        event: &EventRef,
        header: &str,
        body: &[u8],
    ) -> Result<Self, ServiceError> {
        let header = header.trim();
        if header.is_empty() || header.len() > 255 {
            return Err(ServiceError::Invalid(
                "Idempotency-Key: must be 1 to 255 characters".into(),
            ));
        }
        let scoped = format!("{caller}\n{}\n{header}", event.scope());
        Ok(Self {
            key: hex::encode(Sha256::digest(scoped.as_bytes())),
            request_hash: hex::encode(Sha256::digest(body)),
        })
    }
}

#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub event: EventRef,
    pub start: DateTime<Utc>,
    pub length: Option<u32>,
    pub attendee: AttendeeInput,
    pub guests: Vec<Email>,
    pub location: Option<Value>,
    /// Answers to the booking questions, by field slug.
    pub responses: Map<String, Value>,
    pub metadata: Map<String, Value>,
    /// The booker's own slot reservation, released once booked.
    pub reservation_uid: Option<String>,
    pub idempotency: Option<IdempotencyKey>,
    /// The most guests this deployment lets one booking name (`KAIROS_MAX_GUESTS`): each is
    /// emailed, so this bounds the emails one booking queues.
    pub max_guests: usize,
    /// Cal.com's `recurrenceCount`: how many occurrences of a recurring event type to book
    /// (at most the event type's; `None`: all of them).
    pub recurrence_count: Option<u32>,
    /// Where a routing form sent the booker: `None` when it did not.
    pub routing: Option<Routing>,
    /// Cal.com's `hashedLink`: the private link booked through, counted in the booking's
    /// transaction (`private_links::spend`).
    pub private_link: Option<String>,
}

/// Cal.com's `routing`: the response a booking comes from, and the round-robin hosts its
/// route narrowed the event type to (none: all of them).
#[derive(Debug, Clone, Default)]
pub struct Routing {
    pub response_id: Option<i64>,
    pub team_member_ids: Vec<i64>,
}

/// The longest reason (for cancelling, declining, rescheduling) a booking keeps, in characters.
pub const MAX_REASON: usize = 2000;

/// A reason as given: blank is none; one longer than [`MAX_REASON`] is refused.
pub fn reason(raw: Option<String>) -> Result<Option<String>, String> {
    match raw {
        Some(r) if r.chars().count() > MAX_REASON => {
            Err(format!("at most {MAX_REASON} characters"))
        }
        Some(r) if r.trim().is_empty() => Ok(None),
        other => Ok(other),
    }
}

#[derive(Debug, Clone, Default)]
pub struct CancelRequest {
    pub reason: Option<String>,
    pub cancelled_by: Option<String>,
    pub seat_uid: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RescheduleRequest {
    pub start: DateTime<Utc>,
    pub reason: Option<String>,
    pub rescheduled_by: Option<String>,
    /// Round robin: keep the same host, or fail.
    pub same_host_only: bool,
    /// Move only this seat (Cal.com's `seatUid`) of a booking with several.
    pub seat_uid: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AbsenceRequest {
    pub host: Option<bool>,
    pub attendees: Vec<(String, bool)>,
}

/// A request checked against its event type, ready to write.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub length: u32,
    pub location: Option<String>,
    pub notes: String,
    /// Every answer, system fields included, as stored.
    pub responses: Value,
    booker: NewAttendee,
    guests: Vec<String>,
}

impl Prepared {
    /// The booker as an attendee; a seat's holder keeps their own answers with their seat.
    pub fn booker(&self, seat_uid: Option<String>) -> NewAttendee {
        NewAttendee {
            responses: seat_uid.as_ref().map(|_| self.responses.to_string()),
            seat_uid,
            ..self.booker.clone()
        }
    }

    /// Checks the booker's phone number for a booking whose workflow texts its attendees: it
    /// must be given, in international form (the only form SMS providers take).
    pub fn phone_for_texts(&self) -> Result<PhoneNumber, ServiceError> {
        let why = "this event type's reminders are sent by text message (a workflow's \
                   sms_attendee step), so the attendee's mobile number is needed";
        let field = "attendee.phoneNumber";
        match self.booker.phone_number.as_deref() {
            None => Err(invalid(
                field,
                format!(
                    "is required: {why}; give it in international form, like +12125550100 \
                     (or as bookingFieldsResponses.attendeePhoneNumber)"
                ),
            )),
            Some(raw) => PhoneNumber::parse(raw).map_err(|m| invalid(field, format!("{m}; {why}"))),
        }
    }

    pub fn guests(&self) -> Vec<NewAttendee> {
        self.guests
            .iter()
            .map(|email| NewAttendee {
                email: email.clone(),
                name: email.clone(),
                time_zone: self.booker.time_zone.clone(),
                locale: self.booker.locale.clone(),
                phone_number: None,
                seat_uid: None,
                responses: None,
            })
            .collect()
    }
}

fn invalid(field: &str, message: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(format!("{field}: {message}"))
}

/// Checks the request against the event type: length, guests, location, booking questions,
/// metadata.
pub fn prepare(
    event: &EventType,
    request: &BookingRequest,
    actor: &Actor,
) -> Result<Prepared, ServiceError> {
    let length = event
        .length(request.length)
        .map_err(|m| invalid("lengthInMinutes", m))?;
    check_texts(request)?;
    let guests = guests(event, request)?;
    let location = location(event, request.location.as_ref(), hosts_it(event, actor))?;
    let notes = notes(request)?;
    let phone = phone(request)?;
    let given = Given {
        guests: &guests,
        location: location.as_deref(),
        notes: &notes,
        phone: phone.as_deref(),
    };
    let mut responses = system_responses(request, &given);
    answer_questions(event, request, &mut responses)?;
    check_metadata(&request.metadata)?;
    Ok(Prepared {
        length,
        location,
        notes,
        responses: Value::Object(responses),
        booker: NewAttendee {
            email: request.attendee.email.as_str().to_owned(),
            name: request.attendee.name.as_str().to_owned(),
            time_zone: request.attendee.time_zone.as_str().to_owned(),
            locale: request.attendee.language.clone(),
            phone_number: phone,
            seat_uid: None,
            responses: None,
        },
        guests,
    })
}

/// The booker's phone number: `attendee.phoneNumber`, else the `attendeePhoneNumber` answer
/// (Cal.com's booking field of that name); blank is none.
fn phone(request: &BookingRequest) -> Result<Option<String>, ServiceError> {
    let at = "bookingFieldsResponses.attendeePhoneNumber";
    let answered = match request.responses.get("attendeePhoneNumber") {
        Some(v) if !is_blank(v) => phone_answer(at, v)?.as_str().map(str::to_owned),
        _ => None,
    };
    let given = request.attendee.phone.clone().or(answered);
    Ok(given.filter(|p| !p.trim().is_empty()))
}

/// The booker's free text holds no control character a field does not need (`domain::text`),
/// however the request came (the API, the booking form): notes may span lines, the rest not.
/// Answers to questions are checked by their kind in `check_answer`.
fn check_texts(request: &BookingRequest) -> Result<(), ServiceError> {
    let a = &request.attendee;
    let lines = [
        ("attendee.language", a.language.as_deref()),
        ("attendee.phoneNumber", a.phone.as_deref()),
        ("reservationUid", request.reservation_uid.as_deref()),
    ];
    for (field, value) in lines {
        if let Some(v) = value {
            text::check(TextKind::Line, v).map_err(|m| invalid(field, m))?;
        }
    }
    let json = [
        ("location", request.location.as_ref(), TextKind::Line),
        (
            "bookingFieldsResponses.notes",
            request.responses.get("notes"),
            TextKind::Lines,
        ),
    ];
    for (field, value, kind) in json {
        if let Some(v) = value {
            text::check_json(kind, v).map_err(|m| invalid_at(field, &m))?;
        }
    }
    let metadata = Value::Object(request.metadata.clone());
    text::check_json(TextKind::Line, &metadata).map_err(|m| invalid_at("metadata", &m))
}

/// `field` and a nested message (`.a: …`, or a leaf's `…`).
fn invalid_at(field: &str, message: &str) -> ServiceError {
    match message.split_once(": ") {
        Some((path, text)) if path.starts_with(['.', '[']) => {
            invalid(&format!("{field}{path}"), text)
        }
        _ => invalid(field, message),
    }
}

/// The guests' emails, from `guests` and the `guests` answer, without the booker and repeats.
fn guests(event: &EventType, request: &BookingRequest) -> Result<Vec<String>, ServiceError> {
    let mut guests: Vec<String> = Vec::new();
    let mut all_guests: Vec<Value> = request.guests.iter().map(|g| json!(g.as_str())).collect();
    if let Some(extra) = request.responses.get("guests") {
        match extra.as_array() {
            Some(list) => all_guests.extend(list.iter().cloned()),
            None => {
                return Err(invalid(
                    "bookingFieldsResponses.guests",
                    "must be a list of emails",
                ));
            }
        }
    }
    for (i, g) in all_guests.iter().enumerate() {
        let email = g
            .as_str()
            .and_then(|s| Email::parse(s).ok())
            .ok_or_else(|| {
                invalid(
                    &format!("guests[{i}]"),
                    format!("{g} is not an email address"),
                )
            })?;
        let email = email.as_str().to_owned();
        if email != request.attendee.email.as_str() && !guests.contains(&email) {
            guests.push(email);
        }
    }
    if !guests.is_empty() && event.settings.page.guests_disabled() {
        return Err(invalid("guests", "this event type does not take guests"));
    }
    if guests.len() > request.max_guests {
        return Err(invalid(
            "guests",
            format!(
                "at most {} guests may be invited to one booking, {} were given",
                request.max_guests,
                guests.len()
            ),
        ));
    }
    Ok(guests)
}

/// The `notes` answer: text of at most 10,000 characters, empty when not given.
fn notes(request: &BookingRequest) -> Result<String, ServiceError> {
    match request.responses.get("notes") {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) if s.chars().count() <= 10_000 => Ok(s.clone()),
        Some(_) => Err(invalid(
            "bookingFieldsResponses.notes",
            "must be text of at most 10000 characters",
        )),
    }
}

/// The system answers a request gave, checked.
struct Given<'a> {
    guests: &'a [String],
    location: Option<&'a str>,
    notes: &'a str,
    phone: Option<&'a str>,
}

/// The answers every booking has, whatever the event type asks: who, notes, guests, phone,
/// where.
fn system_responses(request: &BookingRequest, given: &Given<'_>) -> Map<String, Value> {
    let mut responses = Map::new();
    responses.insert("name".into(), json!(request.attendee.name.as_str()));
    responses.insert("email".into(), json!(request.attendee.email.as_str()));
    if !given.notes.is_empty() {
        responses.insert("notes".into(), json!(given.notes));
    }
    if !given.guests.is_empty() {
        responses.insert("guests".into(), json!(given.guests));
    }
    if let Some(phone) = given.phone {
        responses.insert("attendeePhoneNumber".into(), json!(phone));
    }
    if let Some(l) = given.location {
        responses.insert("location".into(), json!({"value": l, "optionValue": ""}));
    }
    responses
}

/// Adds the answers to the event type's questions to `responses`: every answer must be to one of
/// its questions (or a system field), every required visible question answered.
fn answer_questions(
    event: &EventType,
    request: &BookingRequest,
    responses: &mut Map<String, Value>,
) -> Result<(), ServiceError> {
    let fields = &event.settings.booking_fields;
    let answers = check_answers(
        fields,
        &request.responses,
        "bookingFieldsResponses",
        &SYSTEM_FIELDS,
    )?;
    responses.extend(answers);
    Ok(())
}

/// The answers in `given` to `fields`, each checked against its question's type and options:
/// every key must be one of the questions (or in `also_known`, left out of the result), every
/// required visible question answered. Errors name `{at}.{slug}`. Booking questions and
/// routing forms' questions both answer through this.
pub fn check_answers(
    fields: &[BookingField],
    given: &Map<String, Value>,
    at: &str,
    also_known: &[&str],
) -> Result<Map<String, Value>, ServiceError> {
    let under = |key: &str| match at {
        "" => key.to_owned(),
        _ => format!("{at}.{key}"),
    };
    for key in given.keys() {
        let known = also_known.contains(&key.as_str()) || fields.iter().any(|f| &f.slug == key);
        if !known {
            return Err(invalid(&under(key), "there is no such question"));
        }
    }
    let mut answers = Map::new();
    for field in fields {
        let slug = field.slug.as_str();
        let at = under(slug);
        let answer = given.get(slug).filter(|v| !is_blank(v));
        let Some(answer) = answer else {
            if field.required && !field.is_hidden() {
                let label = &field.label;
                return Err(invalid(&at, format!("\"{label}\" is required")));
            }
            continue;
        };
        answers.insert(slug.to_owned(), check_answer(&at, field, answer)?);
    }
    Ok(answers)
}

/// At most 50 keys of at most 40 characters; values are short strings, numbers or booleans.
fn check_metadata(metadata: &Map<String, Value>) -> Result<(), ServiceError> {
    if metadata.len() > 50 {
        return Err(invalid("metadata", "at most 50 keys"));
    }
    for (key, value) in metadata {
        if key.chars().count() > 40 {
            return Err(invalid(
                &format!("metadata.{key}"),
                "keys are at most 40 characters",
            ));
        }
        let ok = match value {
            Value::String(s) => s.chars().count() <= 500,
            Value::Number(_) | Value::Bool(_) => true,
            _ => false,
        };
        if !ok {
            return Err(invalid(
                &format!("metadata.{key}"),
                "values are strings of at most 500 characters, numbers or booleans",
            ));
        }
    }
    Ok(())
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// One answer checked against its question's type and options.
fn check_answer(at: &str, field: &BookingField, answer: &Value) -> Result<Value, ServiceError> {
    let kind = field.kind.as_str();
    let options: Vec<&str> = field.choices().iter().map(String::as_str).collect();
    match kind {
        "text" | "address" | "name" => text_answer(at, answer, 1_000, TextKind::Line),
        "textarea" => text_answer(at, answer, 10_000, TextKind::Lines),
        "email" => email_answer(at, answer),
        "phone" => phone_answer(at, answer),
        "url" => url_answer(at, answer),
        "number" => number_answer(at, answer),
        "boolean" => boolean_answer(at, answer),
        "checkbox" if options.is_empty() => boolean_answer(at, answer),
        "select" | "radio" => one_of(at, answer, &options),
        "multiselect" | "checkbox" => some_of(at, answer, &options),
        "multiemail" => emails_answer(at, answer),
        _ if CHOICE_TYPES.contains(&kind) => text::check_json(TextKind::Line, answer)
            .map(|()| answer.clone())
            .map_err(|m| invalid_at(at, &m)),
        _ => text_answer(at, answer, 1_000, TextKind::Line),
    }
}

/// Text of at most `max` characters, trimmed.
fn text_answer(
    at: &str,
    answer: &Value,
    max: usize,
    kind: TextKind,
) -> Result<Value, ServiceError> {
    match answer.as_str() {
        Some(s) if s.chars().count() <= max => {
            text::check(kind, s).map_err(|m| invalid(at, m))?;
            Ok(json!(s.trim()))
        }
        Some(_) => Err(invalid(at, format!("at most {max} characters"))),
        None => Err(invalid(at, "must be text")),
    }
}

fn email_answer(at: &str, answer: &Value) -> Result<Value, ServiceError> {
    let raw = answer.as_str().unwrap_or_default();
    Email::parse(raw)
        .map(|e| json!(e.as_str()))
        .map_err(|m| invalid(at, m))
}

/// 7 to 15 digits, written with spaces, `+`, `-`, `(`, `)` or `.` at most.
fn phone_answer(at: &str, answer: &Value) -> Result<Value, ServiceError> {
    let raw = answer.as_str().unwrap_or_default().trim();
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    let shape = raw
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if shape && (7..=15).contains(&digits) {
        Ok(json!(raw))
    } else {
        Err(invalid(
            at,
            format!("`{raw}` is not a phone number like +12125550100"),
        ))
    }
}

fn url_answer(at: &str, answer: &Value) -> Result<Value, ServiceError> {
    let raw = answer.as_str().unwrap_or_default();
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(json!(raw)),
        _ => Err(invalid(at, format!("`{raw}` is not an http(s) URL"))),
    }
}

/// A JSON number, or text that reads as a finite one.
fn number_answer(at: &str, answer: &Value) -> Result<Value, ServiceError> {
    match answer {
        Value::Number(n) => Ok(Value::Number(n.clone())),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| json!(f))
            .ok_or_else(|| invalid(at, format!("`{s}` is not a number"))),
        _ => Err(invalid(at, "must be a number")),
    }
}

fn boolean_answer(at: &str, answer: &Value) -> Result<Value, ServiceError> {
    answer
        .as_bool()
        .map(Value::Bool)
        .ok_or_else(|| invalid(at, "must be true or false"))
}

/// One of the question's options.
fn one_of(at: &str, answer: &Value, options: &[&str]) -> Result<Value, ServiceError> {
    match answer.as_str() {
        Some(s) if options.contains(&s) => Ok(json!(s)),
        _ => Err(invalid(
            at,
            format!("must be one of: {}", options.join(", ")),
        )),
    }
}

/// A list of the question's options.
fn some_of(at: &str, answer: &Value, options: &[&str]) -> Result<Value, ServiceError> {
    let chosen: Option<Vec<&str>> = answer
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect());
    match chosen {
        Some(list) if list.iter().all(|c| options.contains(c)) => Ok(json!(list)),
        _ => Err(invalid(
            at,
            format!("must be a list of: {}", options.join(", ")),
        )),
    }
}

/// A list of email addresses (an answer that is not a list reads as an empty one).
fn emails_answer(at: &str, answer: &Value) -> Result<Value, ServiceError> {
    let list = answer.as_array().cloned().unwrap_or_default();
    let emails: Result<Vec<String>, ServiceError> = list
        .iter()
        .map(|v| {
            v.as_str()
                .and_then(|s| Email::parse(s).ok())
                .map(|e| e.as_str().to_owned())
                .ok_or_else(|| invalid(at, format!("{v} is not an email address")))
        })
        .collect();
    Ok(json!(emails?))
}

/// The caller books as the event type's owner or one of its hosts (with their key or signed
/// in): their word on where the meeting is, is the host's.
fn hosts_it(event: &EventType, actor: &Actor) -> bool {
    actor.user_id().is_some_and(|id| {
        event.record.owner_id == Some(id) || event.hosts.iter().any(|h| h.user_id == id)
    })
}

/// The booking's location: the booker's choice among the event type's locations, else the
/// event type's first.
fn location(
    event: &EventType,
    chosen: Option<&Value>,
    by_host: bool,
) -> Result<Option<String>, ServiceError> {
    let offered = &event.settings.locations;
    let Some(chosen) = chosen.filter(|c| !c.is_null()) else {
        return Ok(offered.first().and_then(Location::booking_value));
    };
    match chosen.as_str() {
        Some(text) => location_text(offered, text, by_host),
        None => location_object(offered, chosen),
    }
}

/// A location given as plain text (Cal.com's older form, which it takes as given). The
/// event type's host may give any place or link; anyone else one of the host's locations,
/// or a place of their own (not a link) where the event type offers none or lets the booker
/// say where: a booker must not plant a link that the confirmation then shows as the
/// meeting URL.
fn location_text(
    offered: &[Location],
    text: &str,
    by_host: bool,
) -> Result<Option<String>, ServiceError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(offered.first().and_then(Location::booking_value));
    }
    if text.chars().count() > 1000 {
        return Err(invalid("location", "must be at most 1000 characters"));
    }
    if by_host
        || offered
            .iter()
            .filter_map(Location::booking_value)
            .any(|v| v == text)
    {
        return Ok(Some(text.to_owned()));
    }
    let looks_like_link = text.contains("://") || text.starts_with("www.");
    let booker_says = offered.is_empty()
        || offered
            .iter()
            .any(|l| l.kind == LocationKind::AttendeeDefined);
    if !booker_says || looks_like_link {
        return Err(invalid(
            "location",
            "must be one of this event type's locations, or an object like {\"type\":\"attendeeAddress\",\"address\":\"…\"}",
        ));
    }
    Ok(Some(text.to_owned()))
}

/// A location given as an object: a `type` the event type offers, with the booker's own
/// address, phone or place where that type asks for one.
fn location_object(offered: &[Location], chosen: &Value) -> Result<Option<String>, ServiceError> {
    let kind = chosen["type"]
        .as_str()
        .ok_or_else(|| invalid("location.type", "is required"))?;
    let attendee_value = |key: &str| -> Result<Option<String>, ServiceError> {
        match chosen[key].as_str().map(str::trim) {
            Some(v) if !v.is_empty() && v.chars().count() <= 1000 => Ok(Some(v.to_owned())),
            _ => Err(invalid(&format!("location.{key}"), "is required")),
        }
    };
    let same_kind = offered.iter().find(|l| l.kind.as_str() == kind);
    if !offered.is_empty() && same_kind.is_none() && kind != "organizersDefaultApp" {
        let kinds: Vec<&str> = offered.iter().map(|l| l.kind.as_str()).collect();
        return Err(invalid(
            "location.type",
            format!(
                "`{kind}` is not offered by this event type ({})",
                kinds.join(", ")
            ),
        ));
    }
    match kind {
        "attendeeAddress" => attendee_value("address"),
        "attendeePhone" => attendee_value("phone"),
        "attendeeDefined" => attendee_value("location"),
        "integration" => Ok(integration_location(
            offered,
            same_kind,
            chosen["integration"].as_str(),
        )),
        "organizersDefaultApp" => Ok(offered.first().and_then(Location::booking_value)),
        _ => Ok(same_kind.and_then(Location::booking_value)),
    }
}

/// A video integration: the offered one asked for (any, when none is named), else the named
/// integration itself.
fn integration_location(
    offered: &[Location],
    same_kind: Option<&Location>,
    wanted: Option<&str>,
) -> Option<String> {
    let pick = offered
        .iter()
        .find(|l| {
            l.kind == LocationKind::Integration
                && (wanted.is_none() || l.value.as_deref() == wanted)
        })
        .or(same_kind);
    pick.and_then(Location::booking_value).or_else(|| {
        wanted.map(|i| {
            format!(
                "integrations:{}",
                if i == "cal-video" { "daily" } else { i }
            )
        })
    })
}
