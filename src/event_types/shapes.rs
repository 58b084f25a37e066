//! The JSON types of the members inside the setting objects a client sends (`bookingWindow`,
//! `seats`, `bookingFields[]`, …). The readers in `settings.rs` take what they understand and
//! default the rest, so a `"rolling": "yes"` would be read as `false`; an input is checked here
//! first, and a member of the wrong type is refused with its path, never coerced. Stored values
//! are not checked again (ones stored before this check still read). No IO.

use serde_json::Value;

use super::input::EventTypeInput;

#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Text,
    Number,
}

impl Kind {
    fn fits(self, value: &Value) -> bool {
        match self {
            Self::Bool => value.is_boolean(),
            Self::Text => value.is_string(),
            Self::Number => value.is_number(),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Self::Bool => "must be true or false",
            Self::Text => "must be text",
            Self::Number => "must be a number",
        }
    }
}

use Kind::{Bool, Number, Text};

const WINDOW: &[(&str, Kind)] = &[("disabled", Bool), ("type", Text), ("rolling", Bool)];
const SEATS: &[(&str, Kind)] = &[
    ("disabled", Bool),
    ("seatsPerTimeSlot", Number),
    ("showAttendeeInfo", Bool),
    ("showAvailabilityCount", Bool),
];
const CONFIRMATION: &[(&str, Kind)] = &[
    ("disabled", Bool),
    ("type", Text),
    ("blockUnconfirmedBookingsInBooker", Bool),
];
const SWITCH: &[(&str, Kind)] = &[("disabled", Bool)];
const RECURRENCE: &[(&str, Kind)] = &[
    ("disabled", Bool),
    ("frequency", Text),
    ("interval", Number),
    ("occurrences", Number),
];
const FIELD: &[(&str, Kind)] = &[
    ("type", Text),
    ("slug", Text),
    ("label", Text),
    ("placeholder", Text),
    ("required", Bool),
    ("hidden", Bool),
];
const LOCATION: &[(&str, Kind)] = &[
    ("type", Text),
    ("address", Text),
    ("link", Text),
    ("phone", Text),
    ("integration", Text),
    ("displayLocationPublicly", Bool),
];

/// The first member of the wrong type, as `field.member: message` (the API's field names).
pub(super) fn check(input: &EventTypeInput) -> Result<(), (String, &'static str)> {
    let objects = [
        ("bookingWindow", input.booking_window.as_ref(), WINDOW),
        ("seats", input.seats.as_ref(), SEATS),
        (
            "confirmationPolicy",
            input.confirmation_policy.as_ref(),
            CONFIRMATION,
        ),
        (
            "bookingLimitsCount",
            input.booking_limits_count.as_ref(),
            SWITCH,
        ),
        (
            "bookingLimitsDuration",
            input.booking_limits_duration.as_ref(),
            SWITCH,
        ),
        ("recurrence", input.recurrence.as_ref(), RECURRENCE),
    ];
    for (field, value, members) in objects {
        members_of(field, value, members)?;
    }
    for (field, value) in [
        ("disableCancelling", input.disable_cancelling.as_ref()),
        ("disableRescheduling", input.disable_rescheduling.as_ref()),
    ] {
        match value {
            None | Some(Value::Null | Value::Bool(_)) => {}
            Some(Value::Object(_)) => members_of(field, value, SWITCH)?,
            Some(_) => {
                return Err((
                    field.to_owned(),
                    "must be true, false or {\"disabled\": true}",
                ));
            }
        }
    }
    let lists = [
        ("bookingFields", input.booking_fields.as_deref(), FIELD),
        ("locations", input.locations.as_deref(), LOCATION),
    ];
    for (field, list, members) in lists {
        for (i, item) in list.unwrap_or_default().iter().enumerate() {
            members_of(&format!("{field}[{i}]"), Some(item), members)?;
        }
    }
    Ok(())
}

/// `null` and absent members are left to the readers (they mean "not set").
fn members_of(
    field: &str,
    value: Option<&Value>,
    members: &[(&str, Kind)],
) -> Result<(), (String, &'static str)> {
    let Some(object) = value.and_then(Value::as_object) else {
        return Ok(());
    };
    for (name, kind) in members {
        match object.get(*name) {
            None | Some(Value::Null) => {}
            Some(v) if kind.fits(v) => {}
            Some(_) => return Err((format!("{field}.{name}"), kind.expected())),
        }
    }
    Ok(())
}
