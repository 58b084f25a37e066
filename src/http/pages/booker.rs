//! The public booking pages: a person's and a team's event types, and the booker (month
//! calendar, the day's times, the form) for booking and for rescheduling by link.
//!
//! Server-rendered: every step is a URL whose query says where the booker is (`month`, `date`,
//! `slot`), in which zone and clock (`tz`, `hour`), for which length (`duration`) and language
//! (`lang`). Everything else in the query (pre-fill values, embed parameters) is carried along
//! from link to link. Slots come from `booking::slots`, the code path of `GET /v2/slots`.

use std::collections::BTreeMap;

use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use super::i18n::{Lang, Text};
use super::{Chrome, PageError, PageResult, QueryState, html};
use crate::availability::interval::Interval;
use crate::availability::model::Slot;
use crate::booking::{
    self, Actor, AttendeeInput, BookingRequest, EventRef, IdempotencyKey, RescheduleRequest,
    SlotRequest,
};
use crate::domain::{Email, PersonName, TimeZoneName};
use crate::event_types::{self, EventType, FieldKind, Location, LocationKind};
use crate::http::AppState;
use crate::service::ServiceError;

/// How many months past the shown one to search for the next free day.
const LOOK_AHEAD_MONTHS: u32 = 3;
/// How far ahead the month calendar goes.
const MAX_MONTHS_AHEAD: u32 = 36;

// ---- Profiles ----

struct Listed {
    title: String,
    description: String,
    lengths: String,
    href: String,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct Profile<'a> {
    chrome: Chrome,
    t: &'a Text,
    name: String,
    bio: String,
    events: Vec<Listed>,
}

fn listed(event: &EventType, t: &Text, carry: &str) -> Listed {
    let lengths: Vec<String> = event.lengths().iter().map(u32::to_string).collect();
    Listed {
        title: event.record.title.clone(),
        description: event.record.description.clone(),
        lengths: format!("{} {}", lengths.join(" / "), t.minutes),
        href: format!("/{}{carry}", event.booking_path()),
    }
}

/// `/{username}`: the person's public event types.
pub async fn profile(
    state: web::Data<AppState>,
    request: HttpRequest,
    username: web::Path<String>,
) -> PageResult {
    let query = QueryState::from_request(&request);
    let lang = query.lang(&request);
    let events = event_types::list_public(&state.db, &username, None, false)
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    let owner = crate::accounts::public_profile(&state.db, &username)
        .await
        .map_err(|e| PageError::from_service(lang, e.into()))?
        .ok_or_else(|| PageError::not_found(lang))?;
    let t = lang.text();
    let carry = query.carry_only(&["lang"]);
    html(Profile {
        chrome: Chrome::branded(lang, &owner.brand_color, &owner.dark_brand_color, &query),
        t,
        name: owner.name,
        bio: owner.bio,
        events: events.iter().map(|e| listed(e, t, &carry)).collect(),
    })
}

/// `/team/{teamSlug}`: the team's public event types.
pub async fn team_profile(
    state: web::Data<AppState>,
    request: HttpRequest,
    team: web::Path<String>,
) -> PageResult {
    let query = QueryState::from_request(&request);
    let lang = query.lang(&request);
    let found = crate::teams::public_team(&state.db, &team)
        .await
        .map_err(|e| PageError::from_service(lang, e))?
        .ok_or_else(|| PageError::not_found(lang))?;
    let events = event_types::list_public_team(&state.db, &team, None)
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    let t = lang.text();
    let carry = query.carry_only(&["lang"]);
    html(Profile {
        chrome: Chrome::new(lang, &found.brand_color, &query),
        t,
        name: found.name,
        bio: found.bio,
        events: events.iter().map(|e| listed(e, t, &carry)).collect(),
    })
}

// ---- The booker ----

/// One day cell of the month grid.
struct Day {
    /// 0 for the blank cells before the first and after the last day.
    number: u32,
    href: Option<String>,
    selected: bool,
    label: String,
    iso: String,
}

struct SlotLink {
    label: String,
    href: String,
    iso: String,
    seats_left: Option<u32>,
}

struct Choice {
    value: String,
    label: String,
    checked: bool,
}

/// One input of the booking form.
struct Field {
    name: String,
    label: String,
    /// text, email, tel, number, url, textarea, select, radio, checkboxes, boolean
    kind: &'static str,
    required: bool,
    value: String,
    choices: Vec<Choice>,
    placeholder: String,
    hint: String,
    error: Option<String>,
    readonly: bool,
}

impl Field {
    fn id(&self) -> String {
        format!("field-{}", self.name.replace(['.', '[', ']'], "-"))
    }
    fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.id()));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id()));
        }
        ids.join(" ")
    }
}

struct LengthLink {
    minutes: u32,
    href: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "booker.html")]
struct Booker<'a> {
    chrome: Chrome,
    t: &'a Text,
    title: String,
    description: String,
    owner: String,
    location: Option<String>,
    minutes: u32,
    lengths: Vec<LengthLink>,
    tz: String,
    zones: &'static [Tz],
    /// The query without `tz`, as hidden inputs of the zone form.
    zone_form: Vec<(String, String)>,
    twelve_hour: bool,
    hour_12_href: String,
    hour_24_href: String,
    month_label: String,
    prev_href: Option<String>,
    next_href: String,
    weekdays: Vec<String>,
    weeks: Vec<Vec<Day>>,
    selected_label: Option<String>,
    slots: Vec<SlotLink>,
    month_empty: bool,
    next_available: Option<(String, String)>,
    notice: Option<&'a str>,
    former: Option<String>,
    /// The form step: the chosen time's label and the back link.
    chosen: Option<(String, String)>,
    chosen_iso: String,
    form_action: String,
    fields: Vec<Field>,
    form_error: Option<String>,
    nonce: String,
    rescheduling: bool,
}

/// What the booker is for: a new booking, or moving the booking with this uid.
struct Mode {
    rescheduling: Option<booking::BookingView>,
}

struct Prepared {
    event: EventType,
    tz: Tz,
    lang: Lang,
    twelve_hour: bool,
    length: u32,
    mode: Mode,
}

/// The event type a booker URL names: `/team/{team}/{slug}…` or `/{username}/{slug}…`.
fn target(request: &HttpRequest, owner: String, slug: String) -> EventRef {
    if request.path().starts_with("/team/") {
        EventRef::Team { team: owner, slug }
    } else {
        EventRef::User {
            username: owner,
            slug,
        }
    }
}

async fn prepare(
    state: &AppState,
    request: &HttpRequest,
    query: &QueryState,
    event: EventRef,
) -> Result<Prepared, PageError> {
    let lang = query.lang(request);
    let event = booking::resolve_event(&state.db, &event)
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    let mode = match query.get("rescheduleUid") {
        None => Mode { rescheduling: None },
        Some(uid) => {
            let view = booking::by_link(&state.db, uid)
                .await
                .map_err(|e| PageError::from_service(lang, e))?;
            if let Some(moved_to) = &view.rescheduled_to {
                // Already moved (a second click on the button): show where it went.
                return Err(PageError::redirect(format!("/booking/{moved_to}")));
            }
            if !view.record.status.is_active() {
                return Err(PageError::gone(lang, lang.text().cannot_reschedule));
            }
            if view.record.event_type_id != Some(event.record.id) {
                return Err(PageError::redirect(format!("/reschedule/{uid}")));
            }
            Mode {
                rescheduling: Some(view),
            }
        }
    };
    let owner_tz = event
        .owner_user
        .as_ref()
        .map(|u| u.time_zone.clone())
        .unwrap_or_else(|| "UTC".into());
    let tz = query
        .get("tz")
        .and_then(|z| TimeZoneName::parse(z).ok())
        .or_else(|| TimeZoneName::parse(&owner_tz).ok())
        .map_or(Tz::UTC, TimeZoneName::tz);
    // The visitor's clock (booker.js reads it from the browser), else their language's habit;
    // the host's own time format is the host's preference, not the visitor's.
    let twelve_hour = match query.get("hour") {
        Some("12") => true,
        Some("24") => false,
        _ => lang.twelve_hour(),
    };
    let lengths = event.lengths();
    let length = match &mode.rescheduling {
        // The service keeps the booking's length if the event type still offers it.
        Some(view) => event
            .length(Some(
                (view.record.end_at - view.record.start_at).num_minutes() as u32,
            ))
            .unwrap_or(lengths[0]),
        None => query
            .get("duration")
            .and_then(|d| d.parse::<u32>().ok())
            .filter(|d| lengths.contains(d))
            .unwrap_or(lengths[0]),
    };
    Ok(Prepared {
        event,
        tz,
        lang,
        twelve_hour,
        length,
        mode,
    })
}

/// Midnight at the start of `date` in `tz` (or the first instant of the day where midnight
/// falls in a DST gap).
fn day_start(tz: Tz, date: NaiveDate) -> i64 {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    for hour in 0..3 {
        let local = midnight + chrono::Duration::hours(hour);
        if let Some(at) = tz.from_local_datetime(&local).earliest() {
            return at.timestamp();
        }
    }
    midnight.and_utc().timestamp()
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The free slots of the month starting at `first`, in `tz`.
async fn month_slots(
    state: &AppState,
    p: &Prepared,
    first: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<Slot>, ServiceError> {
    let next = first + Months::new(1);
    let start = day_start(p.tz, first).max(now.timestamp() - 86_400);
    let end = day_start(p.tz, next) - 1;
    if end <= start {
        return Ok(Vec::new());
    }
    let request = SlotRequest {
        range: Interval::new(start, end),
        booker_tz: p.tz,
        length: Some(p.length),
        booker_uid: None,
        rescheduling_uid: p.mode.rescheduling.as_ref().map(|v| v.record.uid.clone()),
        now,
    };
    let (_, slots) = booking::slots(&state.db, &p.event, &request).await?;
    Ok(slots)
}

/// The instant `at` (Unix seconds) on the wall clock of `tz`.
fn local(tz: Tz, at: i64) -> DateTime<Tz> {
    tz.from_utc_datetime(
        &DateTime::from_timestamp(at, 0)
            .unwrap_or_default()
            .naive_utc(),
    )
}

fn local_date(tz: Tz, at: i64) -> NaiveDate {
    local(tz, at).date_naive()
}

fn slot_iso(at: i64) -> String {
    DateTime::from_timestamp(at, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn time_label(p: &Prepared, at: i64) -> String {
    p.lang.time(local(p.tz, at).time(), p.twelve_hour)
}

/// "Tuesday, March 2, 2027, 3:00pm – 3:30pm".
fn span_label(lang: Lang, tz: Tz, twelve: bool, start: i64, end: i64) -> String {
    let (s, e) = (local(tz, start), local(tz, end));
    format!(
        "{}, {} – {}",
        lang.long_date(s.date_naive()),
        lang.time(s.time(), twelve),
        lang.time(e.time(), twelve)
    )
}

fn parse_month(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d").ok()
}

/// The event type's locations, as offered to bookers.
fn offered_locations(event: &EventType) -> &[Location] {
    &event.settings.locations
}

/// Kinds of location the booker fills in (their phone, their address, a place they pick).
const BOOKER_SUPPLIED: [(LocationKind, &str); 3] = [
    (LocationKind::AttendeePhone, "phone"),
    (LocationKind::AttendeeAddress, "address"),
    (LocationKind::AttendeeDefined, "location"),
];

/// How a location reads on the public page: the host's address or phone number only where the
/// host chose to show it (`displayLocationPublicly`, as in Cal.com).
fn location_text(location: &Location, t: &Text) -> String {
    let shown = |fallback: &str| match &location.value {
        Some(v) if location.public => v.clone(),
        _ => fallback.to_owned(),
    };
    match location.kind {
        LocationKind::Address => shown(t.loc_in_person),
        LocationKind::Phone => shown(t.loc_phone),
        LocationKind::AttendeeAddress => t.loc_your_address.to_owned(),
        LocationKind::AttendeePhone => t.loc_your_phone.to_owned(),
        LocationKind::AttendeeDefined => t.loc_your_choice.to_owned(),
        _ => t.loc_video.to_owned(),
    }
}

fn location_summary(event: &EventType, t: &Text) -> Option<String> {
    let offered = offered_locations(event);
    let labels: Vec<String> = offered.iter().map(|l| location_text(l, t)).collect();
    (!labels.is_empty()).then(|| labels.join(" · "))
}

/// The booker's location answer as the booking use case takes it: the chosen offer (by index),
/// with the booker's own phone, address or place where that offer asks for one.
fn location_choice(event: &EventType, values: &Values) -> Option<Value> {
    let offered = offered_locations(event);
    let index = match offered.len() {
        0 => return None,
        1 => 0,
        _ => first(values, "location").parse::<usize>().ok()?,
    };
    let chosen = offered.get(index)?;
    let kind = chosen.kind.as_str();
    let detail = first(values, "locationDetail").trim();
    if let Some((_, key)) = BOOKER_SUPPLIED.iter().find(|(k, _)| *k == chosen.kind) {
        return Some(json!({"type": kind, *key: detail}));
    }
    let mut answer = json!({"type": kind});
    if chosen.kind == LocationKind::Integration
        && let Some(integration) = &chosen.value
    {
        answer["integration"] = json!(integration);
    }
    Some(answer)
}

/// Form values as posted (or pre-filled): name → values.
type Values = BTreeMap<String, Vec<String>>;

fn first<'a>(values: &'a Values, key: &str) -> &'a str {
    values
        .get(key)
        .and_then(|v| v.first())
        .map_or("", String::as_str)
}

/// The form's inputs: name, email, the event type's questions, notes, guests.
fn form_fields(
    p: &Prepared,
    t: &Text,
    values: &Values,
    errors: &BTreeMap<String, String>,
) -> Vec<Field> {
    let locked = p.mode.rescheduling.is_some();
    let err = |name: &str| errors.get(name).cloned();
    let mut fields = vec![
        Field {
            name: "name".into(),
            label: t.your_name.into(),
            kind: "text",
            required: true,
            value: first(values, "name").into(),
            choices: Vec::new(),
            placeholder: String::new(),
            hint: String::new(),
            error: err("name"),
            readonly: locked,
        },
        Field {
            name: "email".into(),
            label: t.email.into(),
            kind: "email",
            required: true,
            value: first(values, "email").into(),
            choices: Vec::new(),
            placeholder: String::new(),
            hint: String::new(),
            error: err("email"),
            readonly: locked,
        },
    ];
    if locked {
        fields.push(Field {
            name: "rescheduleReason".into(),
            label: t.reschedule_reason.into(),
            kind: "textarea",
            required: false,
            value: first(values, "rescheduleReason").into(),
            choices: Vec::new(),
            placeholder: String::new(),
            hint: String::new(),
            error: err("rescheduleReason"),
            readonly: false,
        });
        return fields;
    }
    for question in &p.event.settings.booking_fields {
        if question.is_hidden() {
            continue;
        }
        let slug = question.slug.clone();
        let kind = question.kind.as_str();
        let options = question.choices();
        let chosen = values.get(&slug).cloned().unwrap_or_default();
        let (kind, choices): (&'static str, Vec<Choice>) = match kind {
            "select" | "radio" | "multiselect" | "checkbox" if !options.is_empty() => {
                let ui = match kind {
                    "select" => "select",
                    "radio" => "radio",
                    _ => "checkboxes",
                };
                let choices = options
                    .iter()
                    .map(|o| Choice {
                        value: o.clone(),
                        label: o.clone(),
                        checked: chosen.contains(o),
                    })
                    .collect();
                (ui, choices)
            }
            "checkbox" | "boolean" => (
                "boolean",
                vec![Choice {
                    value: "true".into(),
                    label: question.label.clone(),
                    checked: chosen.iter().any(|v| v == "true" || v == "on"),
                }],
            ),
            "textarea" => ("textarea", Vec::new()),
            "email" => ("email", Vec::new()),
            "phone" => ("tel", Vec::new()),
            "number" => ("number", Vec::new()),
            "url" => ("url", Vec::new()),
            "multiemail" => ("text", Vec::new()),
            _ => ("text", Vec::new()),
        };
        fields.push(Field {
            label: question.label.clone(),
            kind,
            required: question.required,
            value: chosen.first().cloned().unwrap_or_default(),
            choices,
            placeholder: question.placeholder.clone().unwrap_or_default(),
            hint: if question.kind == FieldKind::Multiemail {
                t.guests_hint.into()
            } else {
                String::new()
            },
            error: err(&slug),
            readonly: false,
            name: slug,
        });
    }
    let offered = offered_locations(&p.event);
    if offered.len() > 1 {
        let picked = first(values, "location").to_owned();
        fields.push(Field {
            name: "location".into(),
            label: t.location.into(),
            kind: "radio",
            required: true,
            value: picked.clone(),
            choices: offered
                .iter()
                .enumerate()
                .map(|(i, l)| Choice {
                    value: i.to_string(),
                    label: location_text(l, t),
                    checked: picked == i.to_string() || (picked.is_empty() && i == 0),
                })
                .collect(),
            placeholder: String::new(),
            hint: String::new(),
            error: err("location"),
            readonly: false,
        });
    }
    let asks = offered
        .iter()
        .any(|l| BOOKER_SUPPLIED.iter().any(|(k, _)| l.kind == *k));
    if asks {
        let only = offered.len() == 1;
        fields.push(Field {
            name: "locationDetail".into(),
            label: if only {
                location_text(&offered[0], t)
            } else {
                t.loc_detail.into()
            },
            kind: if only && offered[0].kind == LocationKind::AttendeePhone {
                "tel"
            } else {
                "text"
            },
            required: only,
            value: first(values, "locationDetail").into(),
            choices: Vec::new(),
            placeholder: String::new(),
            hint: String::new(),
            error: err("locationDetail"),
            readonly: false,
        });
    }
    fields.push(Field {
        name: "notes".into(),
        label: t.notes.into(),
        kind: "textarea",
        required: false,
        value: first(values, "notes").into(),
        choices: Vec::new(),
        placeholder: String::new(),
        hint: t.notes_hint.into(),
        error: err("notes"),
        readonly: false,
    });
    if !p.event.settings.page.guests_disabled() {
        fields.push(Field {
            name: "guests".into(),
            label: t.guests.into(),
            kind: "text",
            required: false,
            value: values
                .get("guests")
                .map(|g| g.join(", "))
                .unwrap_or_default(),
            choices: Vec::new(),
            placeholder: "ada@example.com, grace@example.com".into(),
            hint: t.guests_hint.into(),
            error: err("guests"),
            readonly: false,
        });
    }
    fields
}

/// Everything the booker page shows, for the state in `query`.
struct View<'q> {
    query: &'q QueryState,
    notice: Option<&'static str>,
    values: Values,
    errors: BTreeMap<String, String>,
    form_error: Option<String>,
}

async fn render(
    state: &AppState,
    p: &Prepared,
    view: View<'_>,
) -> Result<Booker<'static>, PageError> {
    let query = view.query;
    let lang = p.lang;
    let t = lang.text();
    let now = Utc::now();
    let today = now.with_timezone(&p.tz).date_naive();
    let this_month = first_of_month(today);
    let asked_date = query
        .get("date")
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    // Booking pages look at most a few years ahead; anything else shows this month.
    let last_month = this_month + Months::new(MAX_MONTHS_AHEAD);
    let month = query
        .get("month")
        .and_then(parse_month)
        .or(asked_date.map(first_of_month))
        .filter(|m| (this_month..=last_month).contains(m))
        .unwrap_or(this_month);
    let service = |e| PageError::from_service(lang, e);
    let slots = month_slots(state, p, month, now).await.map_err(service)?;
    let mut by_day: BTreeMap<NaiveDate, Vec<&Slot>> = BTreeMap::new();
    for slot in &slots {
        let day = local_date(p.tz, slot.start);
        if first_of_month(day) == month {
            by_day.entry(day).or_default().push(slot);
        }
    }
    let selected = asked_date
        .filter(|d| by_day.contains_key(d))
        .or_else(|| by_day.keys().next().copied());

    // A chosen slot is shown only while it is still free.
    let mut notice = view.notice;
    let chosen_at = query
        .get("slot")
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp()));
    let chosen = match chosen_at {
        Some(at) if slots.iter().any(|s| s.start == at) => Some(at),
        Some(_) => {
            notice = Some(t.slot_taken);
            None
        }
        None => None,
    };

    let next_available = if by_day.is_empty() {
        let mut found = None;
        let mut probe = month;
        for _ in 0..LOOK_AHEAD_MONTHS {
            probe = probe + Months::new(1);
            let later = month_slots(state, p, probe, now).await.map_err(service)?;
            if let Some(slot) = later.first() {
                let day = local_date(p.tz, slot.start);
                found = Some((
                    lang.long_date(day),
                    query.href(&[
                        ("month", Some(day.format("%Y-%m").to_string())),
                        ("date", Some(day.to_string())),
                        ("slot", None),
                    ]),
                ));
                break;
            }
        }
        found
    } else {
        None
    };

    // The grid: weeks starting on the owner's week start.
    let week_start = match p.event.owner_user.as_ref().map(|u| u.week_start.as_str()) {
        Some("Sunday") => Weekday::Sun,
        Some("Saturday") => Weekday::Sat,
        _ => Weekday::Mon,
    };
    let mut weekdays = Vec::new();
    let mut day = week_start;
    for _ in 0..7 {
        weekdays.push(lang.weekday_short(day));
        day = day.succ();
    }
    let lead = (month.weekday().num_days_from_monday() + 7 - week_start.num_days_from_monday()) % 7;
    let days_in_month = ((month + Months::new(1)) - month).num_days() as u32;
    let mut cells: Vec<Day> = (0..lead)
        .map(|_| Day {
            number: 0,
            href: None,
            selected: false,
            label: String::new(),
            iso: String::new(),
        })
        .collect();
    for n in 1..=days_in_month {
        let date = month.with_day(n).unwrap_or(month);
        let free = by_day.contains_key(&date);
        cells.push(Day {
            number: n,
            href: free.then(|| {
                query.href(&[
                    ("month", Some(month.format("%Y-%m").to_string())),
                    ("date", Some(date.to_string())),
                    ("slot", None),
                ])
            }),
            selected: Some(date) == selected,
            label: lang.long_date(date),
            iso: date.to_string(),
        });
    }
    while !cells.len().is_multiple_of(7) {
        cells.push(Day {
            number: 0,
            href: None,
            selected: false,
            label: String::new(),
            iso: String::new(),
        });
    }
    let mut weeks = Vec::new();
    let mut cells = cells.into_iter().peekable();
    while cells.peek().is_some() {
        weeks.push(cells.by_ref().take(7).collect());
    }

    let seats = p.event.record.seats_per_slot;
    let slot_links = selected
        .and_then(|d| by_day.get(&d))
        .map(|day_slots| {
            day_slots
                .iter()
                .map(|s| SlotLink {
                    label: time_label(p, s.start),
                    href: query.href(&[
                        ("month", Some(month.format("%Y-%m").to_string())),
                        ("date", selected.map(|d| d.to_string())),
                        ("slot", Some(slot_iso(s.start))),
                    ]),
                    iso: slot_iso(s.start),
                    seats_left: seats.map(|k| (k as u32).saturating_sub(s.attendees.unwrap_or(0))),
                })
                .collect()
        })
        .unwrap_or_default();

    let lengths = if p.mode.rescheduling.is_none() && p.event.lengths().len() > 1 {
        p.event
            .lengths()
            .iter()
            .map(|&minutes| LengthLink {
                minutes,
                href: query.href(&[("duration", Some(minutes.to_string())), ("slot", None)]),
                selected: minutes == p.length,
            })
            .collect()
    } else {
        Vec::new()
    };

    let former = p.mode.rescheduling.as_ref().map(|v| {
        span_label(
            lang,
            p.tz,
            p.twelve_hour,
            v.record.start_at.timestamp(),
            v.record.end_at.timestamp(),
        )
    });
    let mut values = view.values;
    if let Some(old) = &p.mode.rescheduling
        && let Some(booker) = old.attendees.first()
    {
        values.insert("name".into(), vec![booker.name.clone()]);
        values.insert("email".into(), vec![booker.email.clone()]);
    }
    let chosen_pair = chosen.map(|at| {
        (
            span_label(lang, p.tz, p.twelve_hour, at, at + i64::from(p.length) * 60),
            query.href(&[("slot", None)]),
        )
    });
    let fields = if chosen.is_some() {
        form_fields(p, t, &values, &view.errors)
    } else {
        Vec::new()
    };
    let prev_href = (month > this_month).then(|| {
        query.href(&[
            (
                "month",
                Some((month - Months::new(1)).format("%Y-%m").to_string()),
            ),
            ("date", None),
            ("slot", None),
        ])
    });
    let next_href = query.href(&[
        (
            "month",
            Some((month + Months::new(1)).format("%Y-%m").to_string()),
        ),
        ("date", None),
        ("slot", None),
    ]);
    let (owner_brand, owner_dark) = p
        .event
        .owner_user
        .as_ref()
        .map(|u| (u.brand_color.clone(), u.dark_brand_color.clone()))
        .unwrap_or_default();
    Ok(Booker {
        chrome: Chrome::branded(lang, &owner_brand, &owner_dark, query),
        t,
        title: p.event.record.title.clone(),
        description: p.event.record.description.clone(),
        owner: p.event.owner_name.clone(),
        location: location_summary(&p.event, t),
        minutes: p.length,
        lengths,
        tz: p.tz.name().to_owned(),
        zones: &chrono_tz::TZ_VARIANTS,
        zone_form: query.pairs_without(&["tz", "slot"]),
        twelve_hour: p.twelve_hour,
        hour_12_href: query.href(&[("hour", Some("12".into()))]),
        hour_24_href: query.href(&[("hour", Some("24".into()))]),
        month_label: lang.month_year(month.year(), month.month()),
        prev_href,
        next_href,
        weekdays,
        weeks,
        selected_label: selected.map(|d| lang.long_date(d)),
        slots: slot_links,
        month_empty: by_day.is_empty(),
        next_available,
        notice,
        former,
        chosen_iso: chosen.map(slot_iso).unwrap_or_default(),
        chosen: chosen_pair,
        form_action: query.href(&[]),
        fields,
        form_error: view.form_error,
        nonce: uuid::Uuid::new_v4().simple().to_string(),
        rescheduling: p.mode.rescheduling.is_some(),
    })
}

/// Pre-fill values from the query: `name`, `email`, `notes`, `guests`, question slugs.
fn prefill(query: &QueryState) -> Values {
    let mut values = Values::new();
    for (key, value) in query.pairs() {
        if key.starts_with("metadata[") {
            continue;
        }
        values.entry(key.clone()).or_default().push(value.clone());
    }
    values
}

/// `GET /{username}/{slug}`, `/team/{team}/{slug}`, and their `/embed` forms.
pub async fn show(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> PageResult {
    let (owner, slug) = path.into_inner();
    let query = QueryState::from_request(&request);
    let p = prepare(&state, &request, &query, target(&request, owner, slug)).await?;
    let page = render(
        &state,
        &p,
        View {
            query: &query,
            notice: None,
            values: prefill(&query),
            errors: BTreeMap::new(),
            form_error: None,
        },
    )
    .await?;
    html(page)
}

/// Splits `field: message` service errors onto the form's inputs.
fn field_of(message: &str) -> (String, String) {
    let (path, text) = message.split_once(": ").unwrap_or(("", message));
    let field = match path {
        p if p.starts_with("bookingFieldsResponses.") => {
            p.trim_start_matches("bookingFieldsResponses.").to_owned()
        }
        p if p.starts_with("guests") => "guests".to_owned(),
        "attendee.email" | "email" => "email".to_owned(),
        "location.phone" | "location.address" | "location.location" => "locationDetail".to_owned(),
        p if p.starts_with("location") => "location".to_owned(),
        "attendee.name" | "name" => "name".to_owned(),
        "" => String::new(),
        other => other.to_owned(),
    };
    (field, text.to_owned())
}

/// `POST` of the booker's form: books (or reschedules) and shows the booking.
pub async fn submit(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> PageResult {
    let (owner, slug) = path.into_inner();
    let query = QueryState::from_request(&request);
    let p = prepare(&state, &request, &query, target(&request, owner, slug)).await?;
    let mut values = Values::new();
    for (key, value) in url::form_urlencoded::parse(&body) {
        values
            .entry(key.into_owned())
            .or_default()
            .push(value.into_owned());
    }
    // Pre-filled metadata travels in the query, not in the form.
    for (key, value) in query.pairs() {
        if key.starts_with("metadata[") && !values.contains_key(key) {
            values.insert(key.clone(), vec![value.clone()]);
        }
    }
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
    let outcome = match (&name, &email) {
        (Ok(name), Ok(email)) => Some(book(&state, &p, &values, &body, start, name, email).await),
        _ => None,
    };
    let notice = match outcome {
        Some(Ok(done)) => return Ok(redirect_to_booking(&state, &p, &query, &done).await),
        Some(Err(ServiceError::Conflict(_))) => {
            // The slot went while the form was open: fresh slots, and the answers ride along in
            // the links, so picking another time shows the form filled in again.
            let mut changes: Vec<(String, Option<String>)> = vec![("slot".into(), None)];
            for (key, list) in &values {
                if !matches!(key.as_str(), "slot" | "nonce") && !key.starts_with("metadata[") {
                    changes.push((key.clone(), list.first().cloned()));
                }
            }
            let changes: Vec<(&str, Option<String>)> = changes
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            let page = render(
                &state,
                &p,
                View {
                    query: &query.with(&changes),
                    notice: Some(t.slot_taken),
                    values,
                    errors,
                    form_error: None,
                },
            )
            .await?;
            return html_with_status(page, actix_web::http::StatusCode::CONFLICT);
        }
        Some(Err(ServiceError::Invalid(message))) => {
            let (field, text) = field_of(&message);
            if field.is_empty() || !is_form_field(&p, &field) {
                Some(message)
            } else {
                errors.insert(field, text);
                None
            }
        }
        Some(Err(e)) => return Err(PageError::from_service(p.lang, e)),
        None => None,
    };
    let page = render(
        &state,
        &p,
        View {
            query: &query,
            notice: None,
            values,
            errors,
            form_error: notice.or_else(|| Some(t.fix_errors.to_owned())),
        },
    )
    .await?;
    html_with_status(page, actix_web::http::StatusCode::UNPROCESSABLE_ENTITY)
}

fn is_form_field(p: &Prepared, field: &str) -> bool {
    matches!(
        field,
        "name" | "email" | "notes" | "guests" | "rescheduleReason" | "location" | "locationDetail"
    ) || p
        .event
        .settings
        .booking_fields
        .iter()
        .any(|f| f.slug == field)
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
        let reason = first(values, "rescheduleReason").trim();
        let moved = booking::reschedule(
            &state.db,
            &state.outbox,
            &old.record.uid,
            RescheduleRequest {
                start,
                reason: (!reason.is_empty()).then(|| reason.to_owned()),
                rescheduled_by: Some(email.as_str().to_owned()),
                same_host_only: false,
            },
            Actor::Booker(Some(email.as_str().to_owned())),
        )
        .await?;
        return Ok(Done {
            uid: moved.record.uid,
            seat: None,
            email: email.as_str().to_owned(),
        });
    }
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
        let Some(question) = questions.iter().find(|q| &q.slug == key) else {
            if key == "notes" {
                responses.insert("notes".into(), json!(first(values, "notes")));
            }
            continue;
        };
        let answer = match question.kind.as_str() {
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
        };
        responses.insert(key.clone(), answer);
    }
    // Unchecked boxes are not posted at all; a required one must still be reported.
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
        BookingRequest {
            event: event_ref,
            start,
            length: Some(p.length),
            attendee: AttendeeInput {
                name: name.clone(),
                email: email.clone(),
                time_zone: TimeZoneName::parse(p.tz.name()).map_err(ServiceError::Invalid)?,
                language: Some(p.lang.code().to_owned()),
                phone: None,
            },
            guests,
            location: location_choice(&p.event, values),
            responses,
            metadata,
            reservation_uid: None,
            idempotency,
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
            match (forward, booking::by_link(&state.db, uid).await) {
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

fn html_with_status<T: Template>(page: T, status: actix_web::http::StatusCode) -> PageResult {
    let mut response = html(page)?;
    *response.status_mut() = status;
    Ok(response)
}
