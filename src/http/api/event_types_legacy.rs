//! The event-types family's legacy shapes (`cal-api-version` 2024-04-15 and 2024-06-11), which
//! Cal.com serves to a request with no version header or one it does not know: the list in
//! profile groups (`eventTypeGroups`), an event type under `eventType` with `length` and the
//! `period*` booking window, and the public lists by username. Built from the current
//! (2024-06-14) answer of [`super::event_types::to_json`], so the two shapes never disagree.

use actix_web::HttpRequest;
use serde_json::{Map, Value, json};

use crate::event_types::{EventType, Location, LocationKind};

/// Event-types versions answered in the current shape; any other (or none) gets the legacy one.
const CURRENT: [&str; 2] = ["2024-06-14", "2026-06-12"];

/// The request asks for the legacy shapes: no `cal-api-version`, or one other than the
/// current event-types versions (Cal.com falls back to 2024-04-15 for unknown versions).
pub fn wants_legacy(req: &HttpRequest) -> bool {
    super::wants_legacy(req, &CURRENT)
}

/// One event type in the 2024-04-15 `EventTypeOutput` shape.
pub fn event_type(et: &EventType, current: &Value) -> Value {
    let c = |key: &str| current.get(key).cloned().unwrap_or(Value::Null);
    let record = &et.record;
    let mut out = Map::new();
    let mut put = |key: &str, value: Value| {
        out.insert(key.to_owned(), value);
    };
    put("id", json!(record.id));
    put("length", c("lengthInMinutes"));
    put("slug", c("slug"));
    put("title", c("title"));
    put("description", c("description"));
    put("hidden", c("hidden"));
    put("locations", json!(locations(&et.settings.locations)));
    put("position", json!(0));
    put("offsetStart", number_or_zero(&c("offsetStart")));
    put("userId", json!(record.owner_id));
    put("teamId", json!(record.team_id));
    put("eventName", c("customName"));
    put("parentId", Value::Null);
    put("bookingFields", c("bookingFields"));
    put("timeZone", Value::Null);
    for (key, value) in period(&c("bookingWindow")) {
        put(key, value);
    }
    put(
        "lockTimeZoneToggleOnBookingPage",
        c("lockTimeZoneToggleOnBookingPage"),
    );
    put(
        "requiresConfirmation",
        json!(requires_confirmation(&c("confirmationPolicy"))),
    );
    put("requiresBookerEmailVerification", json!(false));
    put("recurringEvent", recurring(&c("recurrence")));
    put("disableGuests", c("disableGuests"));
    put("hideCalendarNotes", json!(false));
    for key in [
        "minimumBookingNotice",
        "beforeEventBuffer",
        "afterEventBuffer",
    ] {
        put(key, number_or_zero(&c(key)));
    }
    let seats = c("seats");
    put(
        "seatsPerTimeSlot",
        seats
            .get("seatsPerTimeSlot")
            .cloned()
            .unwrap_or(Value::Null),
    );
    put(
        "onlyShowFirstAvailableSlot",
        json!(c("onlyShowFirstAvailableSlot") == json!(true)),
    );
    put(
        "seatsShowAttendees",
        json!(seats["showAttendeeInfo"] == json!(true)),
    );
    put(
        "seatsShowAvailabilityCount",
        json!(seats["showAvailabilityCount"] == json!(true)),
    );
    put("schedulingType", scheduling_type(et));
    put("scheduleId", c("scheduleId"));
    put("price", json!(0));
    put("currency", json!("usd"));
    put("slotInterval", c("slotInterval"));
    put("metadata", c("metadata"));
    put("successRedirectUrl", c("successRedirectUrl"));
    put("bookingLimits", limits(&c("bookingLimitsCount")));
    put("durationLimits", limits(&c("bookingLimitsDuration")));
    put("isInstantEvent", json!(false));
    put("assignAllTeamMembers", json!(false));
    put("useEventTypeDestinationCalendarEmail", json!(false));
    put("secondaryEmailId", Value::Null);
    Value::Object(out)
}

/// In the legacy list each event type also names its users and children.
fn listed(et: &EventType, current: &Value) -> Value {
    let mut out = event_type(et, current);
    let users = current["users"].as_array().cloned().unwrap_or_default();
    out["userIds"] = json!(users.iter().map(|u| u["id"].clone()).collect::<Vec<_>>());
    out["children"] = json!([]);
    out["safeDescription"] = current["description"].clone();
    out
}

/// Who the list is grouped under: the person, or a team (`team/<slug>`).
pub struct Profile<'a> {
    pub slug: String,
    pub name: &'a str,
    pub team_id: Option<i64>,
    pub role: Option<&'a str>,
}

/// `GET /v2/event-types` (2024-04-15): `{eventTypeGroups, profiles}`, one group per profile.
pub fn groups(base_url: &str, groups: &[(Profile<'_>, Vec<(&EventType, Value)>)]) -> Value {
    let mut out_groups = Vec::new();
    let mut profiles = Vec::new();
    for (profile, list) in groups {
        let personal = profile.team_id.is_none();
        let shown = json!({"slug": profile.slug, "name": profile.name, "image": Value::Null});
        let metadata =
            json!({"membershipCount": 1, "readOnly": !personal && profile.role == Some("MEMBER")});
        out_groups.push(json!({
            "teamId": profile.team_id,
            "bookerUrl": base_url.trim_end_matches('/'),
            "membershipRole": profile.role,
            "profile": shown,
            "metadata": metadata,
            "eventTypes": list.iter().map(|(et, current)| listed(et, current)).collect::<Vec<_>>(),
        }));
        let mut merged = shown.as_object().cloned().unwrap_or_default();
        merged.extend(metadata.as_object().cloned().unwrap_or_default());
        merged.insert("teamId".into(), json!(profile.team_id));
        merged.insert("membershipRole".into(), json!(profile.role));
        profiles.push(Value::Object(merged));
    }
    json!({"eventTypeGroups": out_groups, "profiles": profiles, "allUsersAcrossAllEventTypes": {}})
}

/// `GET /v2/event-types/{username}/public` (2024-04-15): one visible event type.
pub fn public_summary(et: &EventType, current: &Value) -> Value {
    json!({
        "id": et.record.id,
        "title": current["title"],
        "slug": current["slug"],
        "description": current["description"],
        "length": current["lengthInMinutes"],
        "schedulingType": scheduling_type(et),
        "recurringEvent": recurring(&current["recurrence"]),
        "hidden": false,
        "price": 0,
        "currency": "usd",
        "lockTimeZoneToggleOnBookingPage": current["lockTimeZoneToggleOnBookingPage"],
        "requiresConfirmation": requires_confirmation(&current["confirmationPolicy"]),
        "requiresBookerEmailVerification": false,
        "metadata": {},
    })
}

/// `GET /v2/event-types/{username}/{eventSlug}/public` (2024-04-15): what a booking widget
/// needs, from the public answer (never the owner's private settings) and whether the host
/// confirms bookings (`current`, the full answer).
pub fn public_detail(et: &EventType, public: &Value, current: &Value) -> Value {
    let users = public["users"].as_array().cloned().unwrap_or_default();
    json!({
        "id": et.record.id,
        "title": public["title"],
        "description": public["description"],
        "slug": public["slug"],
        "length": public["lengthInMinutes"],
        "schedulingType": scheduling_type(et),
        "isInstantEvent": false,
        "locations": public["locations"],
        "customInputs": [],
        "disableGuests": public["disableGuests"],
        "metadata": {},
        "lockTimeZoneToggleOnBookingPage": public["lockTimeZoneToggleOnBookingPage"],
        "requiresConfirmation": requires_confirmation(&current["confirmationPolicy"]),
        "requiresBookerEmailVerification": false,
        "recurringEvent": recurring(&public["recurrence"]),
        "price": 0,
        "currency": "usd",
        "seatsPerTimeSlot": public["seatsPerTimeSlot"],
        "bookingFields": public["bookingFields"],
        "hidden": false,
        "workflows": [],
        "hosts": [],
        "users": users,
        "isDynamic": false,
        "bookingUrl": public["bookingUrl"],
    })
}

fn number_or_zero(v: &Value) -> Value {
    if v.is_number() { v.clone() } else { json!(0) }
}

fn requires_confirmation(policy: &Value) -> bool {
    policy.is_object() && policy["disabled"] != json!(true)
}

fn scheduling_type(et: &EventType) -> Value {
    match et.scheduling() {
        None => Value::Null,
        Some(s) => json!(format!("{s:?}").to_uppercase()),
    }
}

/// `{interval, occurrences, frequency}` → Cal.com's internal `{interval, count, freq}`
/// (freq: 0 yearly, 1 monthly, 2 weekly).
fn recurring(recurrence: &Value) -> Value {
    let freq = match recurrence["frequency"].as_str() {
        Some("yearly") => 0,
        Some("monthly") => 1,
        Some("weekly") => 2,
        _ => return Value::Null,
    };
    json!({"interval": recurrence["interval"], "count": recurrence["occurrences"], "freq": freq})
}

/// `bookingWindow` → `periodType` and its companions.
fn period(window: &Value) -> Vec<(&'static str, Value)> {
    let (kind, value) = (window["type"].as_str(), &window["value"]);
    let rolling = window["rolling"] == json!(true);
    let (period_type, days, calendar, start, end) = match kind {
        Some("businessDays") | Some("calendarDays") => (
            if rolling { "ROLLING_WINDOW" } else { "ROLLING" },
            value.clone(),
            json!(kind == Some("calendarDays")),
            Value::Null,
            Value::Null,
        ),
        Some("range") => (
            "RANGE",
            Value::Null,
            Value::Null,
            value.get(0).cloned().unwrap_or(Value::Null),
            value.get(1).cloned().unwrap_or(Value::Null),
        ),
        _ => (
            "UNLIMITED",
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ),
    };
    vec![
        ("periodType", json!(period_type)),
        ("periodStartDate", start),
        ("periodEndDate", end),
        ("periodDays", days),
        ("periodCountCalendarDays", calendar),
    ]
}

/// `{day, week, month, year}` → `{PER_DAY, PER_WEEK, PER_MONTH, PER_YEAR}`.
fn limits(limits: &Value) -> Value {
    let mut out = Map::new();
    for (key, legacy) in [
        ("day", "PER_DAY"),
        ("week", "PER_WEEK"),
        ("month", "PER_MONTH"),
        ("year", "PER_YEAR"),
    ] {
        if let Some(n) = limits.get(key).filter(|n| n.is_number()) {
            out.insert(legacy.to_owned(), n.clone());
        }
    }
    Value::Object(out)
}

/// Locations in Cal.com's internal vocabulary (`inPerson`, `link`, `integrations:daily`, …).
fn locations(offered: &[Location]) -> Vec<Value> {
    offered.iter().map(location).collect()
}

fn location(l: &Location) -> Value {
    let public = json!(l.public);
    match l.kind {
        LocationKind::Address => {
            json!({"type": "inPerson", "address": l.value, "displayLocationPublicly": public})
        }
        LocationKind::Link => {
            json!({"type": "link", "link": l.value, "displayLocationPublicly": public})
        }
        LocationKind::Phone => {
            json!({"type": "userPhone", "hostPhoneNumber": l.value, "displayLocationPublicly": public})
        }
        LocationKind::Integration => json!({"type": l.booking_value()}),
        LocationKind::AttendeeAddress => json!({"type": "attendeeInPerson"}),
        LocationKind::AttendeePhone => json!({"type": "phone"}),
        LocationKind::AttendeeDefined => json!({"type": "somewhereElse"}),
        LocationKind::OrganizersDefaultApp => json!({"type": "conferencing"}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booking_windows_limits_and_recurrence_read_as_the_legacy_fields() {
        let rolling = period(&json!({"type": "calendarDays", "value": 30, "rolling": true}));
        assert_eq!(rolling[0], ("periodType", json!("ROLLING_WINDOW")));
        assert_eq!(rolling[3], ("periodDays", json!(30)));
        assert_eq!(rolling[4], ("periodCountCalendarDays", json!(true)));
        let range = period(&json!({"type": "range", "value": ["2030-01-01", "2030-02-01"]}));
        assert_eq!(range[0], ("periodType", json!("RANGE")));
        assert_eq!(range[2], ("periodEndDate", json!("2030-02-01")));
        assert_eq!(period(&Value::Null)[0], ("periodType", json!("UNLIMITED")));
        assert_eq!(
            limits(&json!({"day": 2, "year": 9})),
            json!({"PER_DAY": 2, "PER_YEAR": 9})
        );
        assert_eq!(
            recurring(&json!({"interval": 2, "occurrences": 5, "frequency": "weekly"})),
            json!({"interval": 2, "count": 5, "freq": 2})
        );
        assert_eq!(recurring(&Value::Null), Value::Null);
        assert!(requires_confirmation(&json!({"type": "always"})));
        assert!(!requires_confirmation(&json!({"disabled": true})));
    }
}
