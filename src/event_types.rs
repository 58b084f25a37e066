//! Event types use cases: what people can book, personal or a team's, in Cal.com API v2's
//! vocabulary (2024-06-14). Input is validated field by field (messages name the field), stored
//! in columns the engine reads plus a JSON `settings` column for page and lifecycle options, and
//! read back into the same vocabulary. Updates merge the changed fields into the current ones and
//! validate the whole again, so a stored event type is always a valid one.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::domain::Slug;
use crate::service::ServiceError;
use crate::storage::event_types::{
    self as store, EventTypeFields, EventTypeRecord, HostRecord, NewHost, Owner, SchedulingType,
    Scope,
};
use crate::storage::{Conn, Db, schedules, teams, users};

pub use crate::storage::event_types::SchedulingType as Scheduling;

/// Longest length, interval, buffer and offset, in minutes.
const MAX_MINUTES: u32 = 1440;
/// Longest minimum notice: a year.
const MAX_NOTICE_MINUTES: u32 = 525_600;
const MAX_SEATS: u32 = 1000;

/// Booking fields every event type has; the booker always answers these.
pub const SYSTEM_FIELDS: [&str; 8] = [
    "name",
    "email",
    "location",
    "title",
    "notes",
    "guests",
    "rescheduleReason",
    "attendeePhoneNumber",
];

const FIELD_TYPES: [&str; 14] = [
    "name",
    "email",
    "phone",
    "address",
    "text",
    "number",
    "textarea",
    "multiemail",
    "checkbox",
    "multiselect",
    "select",
    "radio",
    "boolean",
    "url",
];

/// Field types whose answer must be one (or several) of the field's options.
pub const CHOICE_TYPES: [&str; 4] = ["select", "radio", "multiselect", "checkbox"];

const LOCATION_TYPES: [(&str, Option<&str>); 8] = [
    ("address", Some("address")),
    ("link", Some("link")),
    ("phone", Some("phone")),
    ("integration", Some("integration")),
    ("attendeeAddress", None),
    ("attendeePhone", None),
    ("attendeeDefined", None),
    ("organizersDefaultApp", None),
];

/// An event type in the API's vocabulary: the body of a create, a partial update, and (fully
/// filled in) what is stored. Unknown fields are ignored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventTypeInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length_in_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length_in_minutes_options: Option<Vec<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slot_interval: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset_start: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_booking_notice: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_event_buffer: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_event_buffer: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking_window: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking_limits_count: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking_limits_duration: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seats: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmation_policy: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking_fields: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_show_first_available_slot: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_guests: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_redirect_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_params_success_redirect: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock_time_zone_toggle_on_booking_page: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_cancelling: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_rescheduling: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Team event types only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduling_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hosts: Option<Vec<HostInput>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assign_all_team_members: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostInput {
    pub user_id: i64,
    #[serde(default)]
    pub mandatory: bool,
    pub priority: Option<String>,
    pub weight: Option<u32>,
}

/// Per-period limits as stored and as the API shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub week: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<u32>,
}

/// Where an event type lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Personal,
    Team(i64),
}

/// A stored event type with what its API view needs.
#[derive(Debug, Clone)]
pub struct EventType {
    pub record: EventTypeRecord,
    /// Team event types: their hosts. Personal ones: empty.
    pub hosts: Vec<HostRecord>,
    /// The owner's username, or the team's slug.
    pub path_owner: String,
    pub owner_name: String,
    /// The personal owner (id, name, username, email, timeZone) for `users`.
    pub owner_user: Option<users::User>,
}

impl EventType {
    pub fn scheduling(&self) -> Option<SchedulingType> {
        match self.record.owner() {
            Owner::User(_) => None,
            Owner::Team { scheduling, .. } => Some(scheduling),
        }
    }

    /// The fields in the API's vocabulary, every one filled in.
    pub fn input(&self) -> EventTypeInput {
        to_input(&self.record, &self.hosts)
    }

    pub fn booking_path(&self) -> String {
        match self.record.team_id {
            Some(_) => format!("team/{}/{}", self.path_owner, self.record.slug),
            None => format!("{}/{}", self.path_owner, self.record.slug),
        }
    }

    /// Custom booking fields (system fields excluded).
    pub fn custom_fields(&self) -> Vec<Value> {
        serde_json::from_str(&self.record.booking_fields).unwrap_or_default()
    }

    pub fn settings(&self) -> Map<String, Value> {
        serde_json::from_str(&self.record.settings).unwrap_or_default()
    }

    pub fn setting_bool(&self, key: &str) -> bool {
        match self.settings().get(key) {
            Some(Value::Bool(b)) => *b,
            // Cal.com's `{"disabled": true}`: the switch named by the key is on.
            Some(Value::Object(o)) => o.get("disabled").and_then(Value::as_bool) == Some(true),
            _ => false,
        }
    }

    /// Lengths a booker may choose, the default first.
    pub fn lengths(&self) -> Vec<u32> {
        let mut all = vec![self.record.length_minutes as u32];
        let options: Vec<u32> = self
            .record
            .length_options
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        for o in options {
            if !all.contains(&o) {
                all.push(o);
            }
        }
        all
    }

    /// The length a booker asked for, if it is one of the event type's; the default otherwise.
    pub fn length(&self, requested: Option<u32>) -> Result<u32, String> {
        let lengths = self.lengths();
        match requested {
            None => Ok(lengths[0]),
            Some(l) if lengths.contains(&l) => Ok(l),
            Some(l) => {
                let allowed: Vec<String> = lengths.iter().map(u32::to_string).collect();
                Err(format!(
                    "{l} is not one of this event type's lengths ({})",
                    allowed.join(", ")
                ))
            }
        }
    }

    /// Confirmation needed for a booking starting `minutes_ahead` from now.
    pub fn needs_confirmation(&self, minutes_ahead: i64) -> bool {
        if !self.record.requires_confirmation {
            return false;
        }
        let policy = self
            .settings()
            .get("confirmationPolicy")
            .cloned()
            .unwrap_or(Value::Null);
        if policy.get("type").and_then(Value::as_str) != Some("time") {
            return true;
        }
        match threshold_minutes(&policy) {
            Some(limit) => minutes_ahead < i64::from(limit),
            None => true,
        }
    }
}

fn threshold_minutes(policy: &Value) -> Option<u32> {
    let threshold = policy.get("noticeThreshold")?;
    let count = threshold.get("count").and_then(Value::as_u64)? as u32;
    match threshold.get("unit").and_then(Value::as_str) {
        Some("hours") => Some(count.saturating_mul(60)),
        _ => Some(count),
    }
}

fn invalid(field: &str, message: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(format!("{field}: {message}"))
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("Event type with id={id} not found"))
}

/// What validation makes of an input.
struct Validated {
    fields: EventTypeFields,
    scheduling: Option<SchedulingType>,
    hosts: Option<Vec<NewHost>>,
    assign_all: bool,
}

fn minutes(field: &str, value: Option<u32>, max: u32) -> Result<i32, ServiceError> {
    match value {
        Some(v) if v > max => Err(invalid(field, format!("must be between 0 and {max}"))),
        Some(v) => Ok(v as i32),
        None => Ok(0),
    }
}

fn is_disabled(value: &Value) -> bool {
    value.is_null() || value.get("disabled").and_then(Value::as_bool) == Some(true)
}

fn limits(field: &str, value: Option<&Value>, max: u32) -> Result<Option<String>, ServiceError> {
    let Some(value) = value.filter(|v| !is_disabled(v)) else {
        return Ok(None);
    };
    let mut object = value.clone();
    if let Some(o) = object.as_object_mut() {
        o.remove("disabled");
    }
    let limits: Limits = serde_json::from_value(object).map_err(|e| {
        invalid(
            field,
            format!("expected {{day, week, month, year}} counts: {e}"),
        )
    })?;
    for (name, v) in [
        ("day", limits.day),
        ("week", limits.week),
        ("month", limits.month),
        ("year", limits.year),
    ] {
        if v.is_some_and(|v| v == 0 || v > max) {
            return Err(invalid(
                &format!("{field}.{name}"),
                format!("must be between 1 and {max}"),
            ));
        }
    }
    if limits == Limits::default() {
        return Ok(None);
    }
    Ok(Some(serde_json::to_string(&limits).unwrap_or_default()))
}

fn booking_window(value: Option<&Value>) -> Result<Option<String>, ServiceError> {
    let Some(value) = value.filter(|v| !is_disabled(v)) else {
        return Ok(None);
    };
    crate::headless::booking_window(Some(value))
        .map_err(|e| invalid(&e.field.replace("eventType.", ""), e.message))?;
    Ok(Some(value.to_string()))
}

fn booking_fields(list: &[Value]) -> Result<Vec<Value>, ServiceError> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, field) in list.iter().enumerate() {
        let at = |name: &str| format!("bookingFields[{i}].{name}");
        let object = field
            .as_object()
            .ok_or_else(|| invalid(&format!("bookingFields[{i}]"), "must be an object"))?;
        let slug = object
            .get("slug")
            .or_else(|| object.get("name"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        // Clients send back the system fields they were shown; those are not configurable.
        if SYSTEM_FIELDS.contains(&slug) {
            continue;
        }
        let kind = object
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(&at("type"), "is required"))?;
        if !FIELD_TYPES.contains(&kind) {
            return Err(invalid(
                &at("type"),
                format!("`{kind}` is not one of {}", FIELD_TYPES.join(", ")),
            ));
        }
        let valid_slug = !slug.is_empty()
            && slug.len() <= 64
            && slug
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid_slug {
            return Err(invalid(
                &at("slug"),
                "is required: 1-64 letters, digits, `-` or `_`",
            ));
        }
        if seen.iter().any(|s| s == slug) {
            return Err(invalid(&at("slug"), format!("`{slug}` is used twice")));
        }
        seen.push(slug.to_owned());
        let label = object.get("label").and_then(Value::as_str).unwrap_or(slug);
        if label.chars().count() > 500 {
            return Err(invalid(&at("label"), "is longer than 500 characters"));
        }
        let mut clean = Map::new();
        clean.insert("type".into(), json!(kind));
        clean.insert("slug".into(), json!(slug));
        clean.insert("label".into(), json!(label));
        clean.insert(
            "required".into(),
            json!(
                object
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
            ),
        );
        if let Some(p) = object.get("placeholder").and_then(Value::as_str) {
            clean.insert("placeholder".into(), json!(p));
        }
        if let Some(h) = object.get("hidden").and_then(Value::as_bool) {
            clean.insert("hidden".into(), json!(h));
        }
        if CHOICE_TYPES.contains(&kind) && kind != "checkbox"
            || (kind == "checkbox" && object.contains_key("options"))
        {
            let options: Vec<String> = object
                .get("options")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|o| {
                            o.as_str().map(str::to_owned).or_else(|| {
                                o.get("value").and_then(Value::as_str).map(str::to_owned)
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            if options.is_empty() {
                return Err(invalid(
                    &at("options"),
                    format!("a {kind} field needs at least one option"),
                ));
            }
            clean.insert("options".into(), json!(options));
        }
        out.push(Value::Object(clean));
    }
    Ok(out)
}

fn locations(list: &[Value]) -> Result<Vec<Value>, ServiceError> {
    list.iter()
        .enumerate()
        .map(|(i, l)| {
            let at = format!("locations[{i}]");
            let kind = l
                .get("type")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(&format!("{at}.type"), "is required"))?;
            let Some((_, needs)) = LOCATION_TYPES.iter().find(|(t, _)| *t == kind) else {
                let known: Vec<&str> = LOCATION_TYPES.iter().map(|(t, _)| *t).collect();
                return Err(invalid(
                    &format!("{at}.type"),
                    format!("`{kind}` is not one of {}", known.join(", ")),
                ));
            };
            if let Some(key) = needs
                && l.get(*key)
                    .and_then(Value::as_str)
                    .is_none_or(|v| v.trim().is_empty())
            {
                return Err(invalid(
                    &format!("{at}.{key}"),
                    format!("is required for a {kind} location"),
                ));
            }
            if kind == "link" {
                let link = l.get("link").and_then(Value::as_str).unwrap_or_default();
                check_web_url(&format!("{at}.link"), link)?;
            }
            Ok(l.clone())
        })
        .collect()
}

fn check_web_url(field: &str, raw: &str) -> Result<(), ServiceError> {
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(()),
        _ => Err(invalid(field, format!("`{raw}` is not an http(s) URL"))),
    }
}

fn priority(field: &str, raw: Option<&str>) -> Result<i32, ServiceError> {
    Ok(match raw {
        None | Some("medium") => 2,
        Some("lowest") => 0,
        Some("low") => 1,
        Some("high") => 3,
        Some("highest") => 4,
        Some(other) => {
            return Err(invalid(
                field,
                format!("`{other}` is not lowest, low, medium, high or highest"),
            ));
        }
    })
}

pub fn priority_name(value: i32) -> &'static str {
    match value {
        0 => "lowest",
        1 => "low",
        3 => "high",
        4 => "highest",
        _ => "medium",
    }
}

/// Validates a complete input (create, or current values merged with a change).
fn validate(input: &EventTypeInput, target: Target) -> Result<Validated, ServiceError> {
    let title = input
        .title
        .as_deref()
        .map(str::trim)
        .ok_or_else(|| invalid("title", "is required"))?;
    if title.is_empty() || title.chars().count() > 255 {
        return Err(invalid("title", "must be 1 to 255 characters"));
    }
    let slug = Slug::parse(
        input
            .slug
            .as_deref()
            .ok_or_else(|| invalid("slug", "is required"))?,
    )
    .map_err(|m| invalid("slug", m))?;
    let description = input.description.clone().unwrap_or_default();
    if description.chars().count() > 10_000 {
        return Err(invalid("description", "is longer than 10000 characters"));
    }
    let length = input
        .length_in_minutes
        .ok_or_else(|| invalid("lengthInMinutes", "is required"))?;
    if !(1..=MAX_MINUTES).contains(&length) {
        return Err(invalid(
            "lengthInMinutes",
            format!("must be between 1 and {MAX_MINUTES}"),
        ));
    }
    let length_options = match &input.length_in_minutes_options {
        Some(options) if !options.is_empty() => {
            if let Some(bad) = options.iter().find(|m| !(1..=MAX_MINUTES).contains(*m)) {
                return Err(invalid(
                    "lengthInMinutesOptions",
                    format!("{bad} is not between 1 and {MAX_MINUTES}"),
                ));
            }
            if !options.contains(&length) {
                return Err(invalid(
                    "lengthInMinutesOptions",
                    format!("must include lengthInMinutes ({length})"),
                ));
            }
            Some(serde_json::to_string(options).unwrap_or_default())
        }
        _ => None,
    };
    let slot_interval = match input.slot_interval {
        Some(0) | None => None,
        Some(v) if v > MAX_MINUTES => {
            return Err(invalid(
                "slotInterval",
                format!("must be between 1 and {MAX_MINUTES}"),
            ));
        }
        Some(v) => Some(v as i32),
    };
    let seats = match input.seats.as_ref().filter(|v| !is_disabled(v)) {
        None => None,
        Some(s) => {
            let n = s
                .get("seatsPerTimeSlot")
                .and_then(Value::as_u64)
                .filter(|n| (1..=u64::from(MAX_SEATS)).contains(n))
                .ok_or_else(|| {
                    invalid(
                        "seats.seatsPerTimeSlot",
                        format!("must be between 1 and {MAX_SEATS}"),
                    )
                })?;
            Some(n as i32)
        }
    };
    let (requires_confirmation, unconfirmed_blocks) = match input
        .confirmation_policy
        .as_ref()
        .filter(|v| !is_disabled(v))
    {
        None => (false, false),
        Some(p) => {
            match p.get("type").and_then(Value::as_str) {
                Some("always") | None => {}
                Some("time") => {
                    if threshold_minutes(p).is_none() {
                        return Err(invalid(
                            "confirmationPolicy.noticeThreshold",
                            "is required with type `time`: {\"unit\":\"minutes\"|\"hours\",\"count\":N}",
                        ));
                    }
                }
                Some(other) => {
                    return Err(invalid(
                        "confirmationPolicy.type",
                        format!("`{other}` is not `always` or `time`"),
                    ));
                }
            }
            let blocks = p
                .get("blockUnconfirmedBookingsInBooker")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            (true, blocks)
        }
    };
    let fields = booking_fields(input.booking_fields.as_deref().unwrap_or_default())?;
    let places = locations(input.locations.as_deref().unwrap_or_default())?;
    if let Some(url) = input
        .success_redirect_url
        .as_deref()
        .filter(|u| !u.is_empty())
    {
        check_web_url("successRedirectUrl", url)?;
    }
    if let Some(name) = &input.custom_name
        && name.chars().count() > 255
    {
        return Err(invalid("customName", "is longer than 255 characters"));
    }
    if let Some(r) = input.recurrence.as_ref().filter(|v| !is_disabled(v)) {
        let frequency = r.get("frequency").and_then(Value::as_str);
        if !matches!(frequency, Some("yearly" | "monthly" | "weekly")) {
            return Err(invalid(
                "recurrence.frequency",
                "must be yearly, monthly or weekly",
            ));
        }
        for key in ["interval", "occurrences"] {
            if r.get(key)
                .and_then(Value::as_u64)
                .is_none_or(|v| !(1..=730).contains(&v))
            {
                return Err(invalid(
                    &format!("recurrence.{key}"),
                    "must be between 1 and 730",
                ));
            }
        }
    }
    let metadata = match &input.metadata {
        None | Some(Value::Null) => "{}".to_owned(),
        Some(Value::Object(m)) => Value::Object(m.clone()).to_string(),
        Some(_) => return Err(invalid("metadata", "must be an object")),
    };

    let (scheduling, hosts) = match target {
        Target::Personal => {
            if input.scheduling_type.is_some() || input.hosts.is_some() {
                return Err(invalid(
                    "schedulingType",
                    "only team event types have a scheduling type and hosts; create it under /v2/teams/{teamId}/event-types",
                ));
            }
            (None, None)
        }
        Target::Team(_) => {
            let raw = input.scheduling_type.as_deref().ok_or_else(|| {
                invalid("schedulingType", "is required: COLLECTIVE or ROUND_ROBIN")
            })?;
            let kind = SchedulingType::parse(raw).ok_or_else(|| {
                invalid(
                    "schedulingType",
                    format!("`{raw}` is not COLLECTIVE or ROUND_ROBIN"),
                )
            })?;
            let hosts = match &input.hosts {
                None => None,
                Some(list) => {
                    let mut out: Vec<NewHost> = Vec::new();
                    for (i, h) in list.iter().enumerate() {
                        if out.iter().any(|o| o.user_id == h.user_id) {
                            return Err(invalid(
                                &format!("hosts[{i}].userId"),
                                format!("user {} is listed twice", h.user_id),
                            ));
                        }
                        let weight = h.weight.unwrap_or(100);
                        if weight > 10_000 {
                            return Err(invalid(
                                &format!("hosts[{i}].weight"),
                                "must be between 0 and 10000",
                            ));
                        }
                        out.push(NewHost {
                            user_id: h.user_id,
                            // Collective events book everyone; every host is fixed.
                            is_fixed: h.mandatory || kind == SchedulingType::Collective,
                            weight: weight as i32,
                            priority: priority(
                                &format!("hosts[{i}].priority"),
                                h.priority.as_deref(),
                            )?,
                        });
                    }
                    Some(out)
                }
            };
            (Some(kind), hosts)
        }
    };

    let mut settings = Map::new();
    for (key, value) in [
        ("disableGuests", input.disable_guests.map(Value::Bool)),
        (
            "successRedirectUrl",
            input.success_redirect_url.clone().map(Value::String),
        ),
        (
            "forwardParamsSuccessRedirect",
            input.forward_params_success_redirect.map(Value::Bool),
        ),
        (
            "lockTimeZoneToggleOnBookingPage",
            input.lock_time_zone_toggle_on_booking_page.map(Value::Bool),
        ),
        ("disableCancelling", input.disable_cancelling.clone()),
        ("disableRescheduling", input.disable_rescheduling.clone()),
        ("customName", input.custom_name.clone().map(Value::String)),
        ("color", input.color.clone()),
        (
            "recurrence",
            input.recurrence.clone().filter(|v| !is_disabled(v)),
        ),
        ("seats", input.seats.clone().filter(|v| !is_disabled(v))),
        (
            "confirmationPolicy",
            input
                .confirmation_policy
                .clone()
                .filter(|v| !is_disabled(v)),
        ),
    ] {
        if let Some(value) = value {
            settings.insert(key.into(), value);
        }
    }

    Ok(Validated {
        fields: EventTypeFields {
            slug: slug.as_str().to_owned(),
            title: title.to_owned(),
            description,
            length_minutes: length as i32,
            length_options,
            slot_interval,
            offset_start: minutes("offsetStart", input.offset_start, MAX_MINUTES)?,
            before_buffer: minutes("beforeEventBuffer", input.before_event_buffer, MAX_MINUTES)?,
            after_buffer: minutes("afterEventBuffer", input.after_event_buffer, MAX_MINUTES)?,
            minimum_notice: minutes(
                "minimumBookingNotice",
                input.minimum_booking_notice,
                MAX_NOTICE_MINUTES,
            )?,
            booking_window: booking_window(input.booking_window.as_ref())?,
            booking_limits: limits(
                "bookingLimitsCount",
                input.booking_limits_count.as_ref(),
                100_000,
            )?,
            duration_limits: limits(
                "bookingLimitsDuration",
                input.booking_limits_duration.as_ref(),
                MAX_NOTICE_MINUTES,
            )?,
            seats_per_slot: seats,
            requires_confirmation,
            unconfirmed_blocks_slot: unconfirmed_blocks,
            booking_fields: Value::Array(fields).to_string(),
            locations: Value::Array(places).to_string(),
            schedule_id: input.schedule_id,
            restriction_schedule_id: None,
            hidden: input.hidden.unwrap_or(false),
            only_show_first_slot: input.only_show_first_available_slot.unwrap_or(false),
            settings: Value::Object(settings).to_string(),
            metadata,
        },
        scheduling,
        hosts,
        assign_all: input.assign_all_team_members.unwrap_or(false),
    })
}

/// The stored event type in the API's vocabulary, every field present.
fn to_input(record: &EventTypeRecord, hosts: &[HostRecord]) -> EventTypeInput {
    let settings: Map<String, Value> = serde_json::from_str(&record.settings).unwrap_or_default();
    fn parse<T: serde::de::DeserializeOwned>(raw: &Option<String>) -> Option<T> {
        raw.as_deref().and_then(|s| serde_json::from_str(s).ok())
    }
    let setting = |key: &str| settings.get(key).cloned();
    EventTypeInput {
        title: Some(record.title.clone()),
        slug: Some(record.slug.clone()),
        description: Some(record.description.clone()),
        length_in_minutes: Some(record.length_minutes as u32),
        length_in_minutes_options: parse(&record.length_options),
        slot_interval: record.slot_interval.map(|v| v as u32),
        offset_start: Some(record.offset_start as u32),
        minimum_booking_notice: Some(record.minimum_notice as u32),
        before_event_buffer: Some(record.before_buffer as u32),
        after_event_buffer: Some(record.after_buffer as u32),
        booking_window: parse(&record.booking_window),
        booking_limits_count: parse(&record.booking_limits),
        booking_limits_duration: parse(&record.duration_limits),
        seats: record.seats_per_slot.map(|n| {
            let mut seats = setting("seats").unwrap_or_else(|| json!({}));
            seats["seatsPerTimeSlot"] = json!(n);
            seats
        }),
        confirmation_policy: if record.requires_confirmation {
            let mut policy = setting("confirmationPolicy").unwrap_or_else(|| json!({}));
            if policy.get("type").is_none() {
                policy["type"] = json!("always");
            }
            policy["blockUnconfirmedBookingsInBooker"] = json!(record.unconfirmed_blocks_slot);
            Some(policy)
        } else {
            None
        },
        booking_fields: serde_json::from_str(&record.booking_fields).ok(),
        locations: serde_json::from_str(&record.locations).ok(),
        schedule_id: record.schedule_id,
        hidden: Some(record.hidden),
        only_show_first_available_slot: Some(record.only_show_first_slot),
        disable_guests: setting("disableGuests").and_then(|v| v.as_bool()),
        success_redirect_url: setting("successRedirectUrl")
            .and_then(|v| v.as_str().map(str::to_owned)),
        forward_params_success_redirect: setting("forwardParamsSuccessRedirect")
            .and_then(|v| v.as_bool()),
        lock_time_zone_toggle_on_booking_page: setting("lockTimeZoneToggleOnBookingPage")
            .and_then(|v| v.as_bool()),
        disable_cancelling: setting("disableCancelling"),
        disable_rescheduling: setting("disableRescheduling"),
        custom_name: setting("customName").and_then(|v| v.as_str().map(str::to_owned)),
        color: setting("color"),
        recurrence: setting("recurrence"),
        metadata: serde_json::from_str(&record.metadata).ok(),
        scheduling_type: record.scheduling_type.clone(),
        hosts: record.team_id.map(|_| {
            hosts
                .iter()
                .map(|h| HostInput {
                    user_id: h.user_id,
                    mandatory: h.is_fixed,
                    priority: Some(priority_name(h.priority).to_owned()),
                    weight: Some(h.weight as u32),
                })
                .collect()
        }),
        assign_all_team_members: None,
    }
}

async fn load(c: &mut Conn<'_>, record: EventTypeRecord) -> Result<EventType, ServiceError> {
    let (hosts, path_owner, owner_name, owner_user) = match record.owner() {
        Owner::User(id) => {
            let user = users::find(c, id).await?;
            (
                Vec::new(),
                user.username.clone(),
                user.name.clone(),
                Some(user),
            )
        }
        Owner::Team { id, .. } => {
            let team = teams::find(c, id)
                .await?
                .ok_or(crate::storage::StorageError::NotFound)?;
            (
                store::hosts(c, record.id).await?,
                team.slug,
                team.name,
                None,
            )
        }
    };
    Ok(EventType {
        record,
        hosts,
        path_owner,
        owner_name,
        owner_user,
    })
}

/// An event type by id, whoever owns it (public booking paths).
/// The event type `id` if `caller` may change it: their own, or their team's when they are
/// an admin or owner of it. Anything else is "not found", so ids of others reveal nothing.
pub async fn manageable(
    c: &mut Conn<'_>,
    caller: i64,
    id: i64,
) -> Result<EventTypeRecord, ServiceError> {
    let record = store::find(c, id).await?.ok_or_else(|| not_found(id))?;
    match record.owner() {
        Owner::User(user) if user == caller => Ok(record),
        Owner::Team { id: team, .. } => {
            crate::teams::manageable(c, team, caller)
                .await
                .map_err(|_| not_found(id))?;
            Ok(record)
        }
        Owner::User(_) => Err(not_found(id)),
    }
}

pub async fn find_any(c: &mut Conn<'_>, id: i64) -> Result<EventType, ServiceError> {
    let record = store::find(c, id).await?.ok_or_else(|| not_found(id))?;
    load(c, record).await
}

/// An event type the caller may see under `target`; anything else is "not found".
async fn visible(
    c: &mut Conn<'_>,
    caller: i64,
    target: Target,
    id: i64,
) -> Result<EventTypeRecord, ServiceError> {
    let record = store::find(c, id).await?.ok_or_else(|| not_found(id))?;
    let ok = match target {
        Target::Personal => record.owner_id == Some(caller),
        Target::Team(team) => {
            crate::teams::team_role(c, team, caller).await?;
            record.team_id == Some(team)
        }
    };
    if ok { Ok(record) } else { Err(not_found(id)) }
}

async fn check_references(
    c: &mut Conn<'_>,
    caller: i64,
    target: Target,
    v: &mut Validated,
) -> Result<(), ServiceError> {
    if let Some(schedule) = v.fields.schedule_id {
        let owner = schedules::owner_of(c, schedule).await?;
        let ok = match (target, owner) {
            (Target::Personal, Some(owner)) => owner == caller,
            (Target::Team(team), Some(owner)) => !store::team_members_among(c, team, &[owner])
                .await?
                .is_empty(),
            _ => false,
        };
        if !ok {
            return Err(invalid(
                "scheduleId",
                format!("schedule {schedule} does not exist or is not yours"),
            ));
        }
    }
    if let Target::Team(team) = target {
        if v.assign_all {
            let members = teams::member_ids(c, team).await?;
            let existing = v.hosts.take().unwrap_or_default();
            v.hosts = Some(
                members
                    .into_iter()
                    .map(|user_id| {
                        existing
                            .iter()
                            .find(|h| h.user_id == user_id)
                            .copied()
                            .unwrap_or(NewHost {
                                user_id,
                                is_fixed: v.scheduling == Some(SchedulingType::Collective),
                                weight: 100,
                                priority: 2,
                            })
                    })
                    .collect(),
            );
        }
        if let Some(hosts) = &v.hosts {
            let ids: Vec<i64> = hosts.iter().map(|h| h.user_id).collect();
            let members = store::team_members_among(c, team, &ids).await?;
            if let Some(stranger) = ids.iter().find(|id| !members.contains(id)) {
                return Err(invalid(
                    "hosts",
                    format!("user {stranger} is not an accepted member of team {team}"),
                ));
            }
        }
    }
    Ok(())
}

fn slug_taken(e: ServiceError, slug: &str) -> ServiceError {
    match e {
        ServiceError::Storage(crate::storage::StorageError::Conflict(_)) => ServiceError::Conflict(
            format!("slug: an event type with slug `{slug}` already exists here"),
        ),
        other => other,
    }
}

pub async fn create(
    db: &Db,
    caller: i64,
    target: Target,
    input: EventTypeInput,
) -> Result<EventType, ServiceError> {
    let mut validated = validate(&input, target)?;
    db.transaction(async |c| {
        let owner = match target {
            Target::Personal => Owner::User(caller),
            Target::Team(team) => {
                crate::teams::manageable(c, team, caller).await?;
                Owner::Team {
                    id: team,
                    scheduling: validated.scheduling.unwrap_or(SchedulingType::Collective),
                }
            }
        };
        check_references(c, caller, target, &mut validated).await?;
        let id = store::insert_full(c, owner, &validated.fields)
            .await
            .map_err(|e| slug_taken(e.into(), &validated.fields.slug))?;
        if let Some(hosts) = &validated.hosts {
            store::add_hosts(c, id, hosts).await?;
        }
        find_any(c, id).await
    })
    .await
}

pub async fn get(db: &Db, caller: i64, target: Target, id: i64) -> Result<EventType, ServiceError> {
    db.run(async |c| {
        let record = visible(c, caller, target, id).await?;
        load(c, record).await
    })
    .await
}

pub async fn list(db: &Db, caller: i64, target: Target) -> Result<Vec<EventType>, ServiceError> {
    db.run(async |c| {
        let scope = match target {
            Target::Personal => Scope::User(caller),
            Target::Team(team) => {
                crate::teams::team_role(c, team, caller).await?;
                Scope::Team(team)
            }
        };
        let mut out = Vec::new();
        for record in store::list(c, scope).await? {
            out.push(load(c, record).await?);
        }
        Ok(out)
    })
    .await
}

/// A person's public event types (hidden ones left out), optionally only the one with `slug`.
/// An unknown username gives an empty list, as Cal.com does.
pub async fn list_public(
    db: &Db,
    username: &str,
    slug: Option<&str>,
    include_hidden: bool,
) -> Result<Vec<EventType>, ServiceError> {
    db.run(async |c| {
        let Some(user) = users::find_by_username(c, username).await? else {
            return Ok(Vec::new());
        };
        let scope = match slug {
            Some(slug) => Scope::UserSlug(user.id, slug),
            None => Scope::User(user.id),
        };
        let mut out = Vec::new();
        for record in store::list(c, scope).await? {
            if record.hidden && !include_hidden && slug.is_none() {
                continue;
            }
            out.push(load(c, record).await?);
        }
        Ok(out)
    })
    .await
}

/// A team's public event types by team slug.
pub async fn list_public_team(
    db: &Db,
    team_slug: &str,
    slug: Option<&str>,
) -> Result<Vec<EventType>, ServiceError> {
    db.run(async |c| {
        let Some(team) = teams::find_id_by_slug(c, team_slug).await? else {
            return Ok(Vec::new());
        };
        let scope = match slug {
            Some(slug) => Scope::TeamSlug(team, slug),
            None => Scope::Team(team),
        };
        let mut out = Vec::new();
        for record in store::list(c, scope).await? {
            if record.hidden && slug.is_none() {
                continue;
            }
            out.push(load(c, record).await?);
        }
        Ok(out)
    })
    .await
}

/// Applies the fields present in `changes` (a JSON object in the API's vocabulary) on top of
/// the current ones; the result is validated as a whole.
pub async fn update(
    db: &Db,
    caller: i64,
    target: Target,
    id: i64,
    changes: Map<String, Value>,
) -> Result<EventType, ServiceError> {
    db.transaction(async |c| {
        let record = visible(c, caller, target, id).await?;
        if let Target::Team(team) = target {
            crate::teams::manageable(c, team, caller).await?;
        }
        let current = load(c, record).await?;
        let mut merged = match serde_json::to_value(current.input()) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let hosts_changed =
            changes.contains_key("hosts") || changes.contains_key("assignAllTeamMembers");
        for (key, value) in changes {
            merged.insert(key, value);
        }
        let input: EventTypeInput = serde_path_to_error::deserialize(Value::Object(merged))
            .map_err(|e| invalid(&e.path().to_string(), e.into_inner()))?;
        let mut validated = validate(&input, target)?;
        if !hosts_changed {
            validated.hosts = None;
            validated.assign_all = false;
        }
        check_references(c, caller, target, &mut validated).await?;
        store::update(c, id, &validated.fields, validated.scheduling)
            .await
            .map_err(|e| slug_taken(e.into(), &validated.fields.slug))?;
        if let Some(hosts) = &validated.hosts {
            store::replace_hosts(c, id, hosts).await?;
        }
        find_any(c, id).await
    })
    .await
}

pub async fn delete(db: &Db, caller: i64, target: Target, id: i64) -> Result<(), ServiceError> {
    db.transaction(async |c| {
        visible(c, caller, target, id).await?;
        if let Target::Team(team) = target {
            crate::teams::manageable(c, team, caller).await?;
        }
        store::delete(c, id).await?;
        Ok(())
    })
    .await
}
