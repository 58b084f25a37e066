//! The booker's form and its fields: name, email, the event type's booking questions, the
//! location, notes and guests; the values it posts (or the query pre-fills) and where a use
//! case's `field: message` error belongs. It builds inputs and reads answers; it books nothing.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::state::Prepared;
use crate::event_types::{BookingField, EventType, FieldKind, Location, LocationKind};
use crate::http::pages::QueryState;
use crate::http::pages::i18n::Text;

/// Form values as posted (or pre-filled): name → values.
pub(super) type Values = BTreeMap<String, Vec<String>>;

pub(super) fn first<'a>(values: &'a Values, key: &str) -> &'a str {
    values
        .get(key)
        .and_then(|v| v.first())
        .map_or("", String::as_str)
}

pub(super) struct Choice {
    pub(super) value: String,
    pub(super) label: String,
    pub(super) checked: bool,
}

/// One input of the booking form.
pub(super) struct Field {
    pub(super) name: String,
    pub(super) label: String,
    /// text, email, tel, number, url, textarea, select, radio, checkboxes, boolean
    pub(super) kind: &'static str,
    pub(super) required: bool,
    pub(super) value: String,
    pub(super) choices: Vec<Choice>,
    pub(super) placeholder: String,
    pub(super) hint: String,
    pub(super) error: Option<String>,
    pub(super) readonly: bool,
}

impl Field {
    /// An optional, editable input without choices, placeholder or hint.
    fn input(
        name: &str,
        label: impl Into<String>,
        kind: &'static str,
        value: impl Into<String>,
        error: Option<String>,
    ) -> Self {
        Field {
            name: name.into(),
            label: label.into(),
            kind,
            required: false,
            value: value.into(),
            choices: Vec::new(),
            placeholder: String::new(),
            hint: String::new(),
            error,
            readonly: false,
        }
    }

    pub(super) fn id(&self) -> String {
        format!("field-{}", self.name.replace(['.', '[', ']'], "-"))
    }

    pub(super) fn described_by(&self) -> String {
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

/// The form's inputs: name, email, the event type's questions, notes, guests.
pub(super) fn form_fields(
    p: &Prepared,
    t: &Text,
    values: &Values,
    errors: &BTreeMap<String, String>,
) -> Vec<Field> {
    let locked = p.mode.rescheduling.is_some();
    let err = |name: &str| errors.get(name).cloned();
    let mut fields = vec![
        Field {
            required: true,
            readonly: locked,
            ..Field::input(
                "name",
                t.your_name,
                "text",
                first(values, "name"),
                err("name"),
            )
        },
        Field {
            required: true,
            readonly: locked,
            ..Field::input(
                "email",
                t.email,
                "email",
                first(values, "email"),
                err("email"),
            )
        },
    ];
    if locked {
        fields.push(Field::input(
            "rescheduleReason",
            t.reschedule_reason,
            "textarea",
            first(values, "rescheduleReason"),
            err("rescheduleReason"),
        ));
        return fields;
    }
    for question in &p.event.settings.booking_fields {
        if !question.is_hidden() {
            fields.push(question_field(question, t, values, err(&question.slug)));
        }
    }
    fields.extend(location_fields(&p.event, t, values, errors));
    if p.asks_phone {
        fields.push(Field {
            required: true,
            placeholder: "+12125550100".into(),
            hint: t.phone_hint.into(),
            ..Field::input(PHONE, t.phone, "tel", first(values, PHONE), err(PHONE))
        });
    }
    fields.push(Field {
        hint: t.notes_hint.into(),
        ..Field::input(
            "notes",
            t.notes,
            "textarea",
            first(values, "notes"),
            err("notes"),
        )
    });
    if !p.event.settings.page.guests_disabled() {
        let guests = values
            .get("guests")
            .map(|g| g.join(", "))
            .unwrap_or_default();
        fields.push(Field {
            placeholder: "ada@example.com, grace@example.com".into(),
            hint: t.guests_hint.into(),
            ..Field::input("guests", t.guests, "text", guests, err("guests"))
        });
    }
    fields
}

/// The input for one of the event type's booking questions (or a routing form's).
pub(super) fn question_field(
    question: &BookingField,
    t: &Text,
    values: &Values,
    error: Option<String>,
) -> Field {
    let chosen = values.get(&question.slug).cloned().unwrap_or_default();
    let (kind, choices) = question_input(question, &chosen);
    Field {
        name: question.slug.clone(),
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
        error,
        readonly: false,
    }
}

/// How a question is asked: the input's kind, and its choices (checked as `chosen` says).
fn question_input(question: &BookingField, chosen: &[String]) -> (&'static str, Vec<Choice>) {
    let kind = question.kind.as_str();
    let options = question.choices();
    match kind {
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
    }
}

/// The location inputs: a choice where several locations are offered, and the booker's own
/// phone, address or place where an offer asks for one.
fn location_fields(
    event: &EventType,
    t: &Text,
    values: &Values,
    errors: &BTreeMap<String, String>,
) -> Vec<Field> {
    let offered = offered_locations(event);
    let mut fields = Vec::new();
    if offered.len() > 1 {
        let picked = first(values, "location").to_owned();
        fields.push(Field {
            required: true,
            choices: offered
                .iter()
                .enumerate()
                .map(|(i, l)| Choice {
                    value: i.to_string(),
                    label: location_text(l, t),
                    checked: picked == i.to_string() || (picked.is_empty() && i == 0),
                })
                .collect(),
            ..Field::input(
                "location",
                t.location,
                "radio",
                picked.clone(),
                errors.get("location").cloned(),
            )
        });
    }
    let asks = offered
        .iter()
        .any(|l| BOOKER_SUPPLIED.iter().any(|(k, _)| l.kind == *k));
    if asks {
        let only = offered.len() == 1;
        let label = if only {
            location_text(&offered[0], t)
        } else {
            t.loc_detail.into()
        };
        let kind = if only && offered[0].kind == LocationKind::AttendeePhone {
            "tel"
        } else {
            "text"
        };
        fields.push(Field {
            required: only,
            ..Field::input(
                "locationDetail",
                label,
                kind,
                first(values, "locationDetail"),
                errors.get("locationDetail").cloned(),
            )
        });
    }
    fields
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

pub(super) fn location_summary(event: &EventType, t: &Text) -> Option<String> {
    let offered = offered_locations(event);
    let labels: Vec<String> = offered.iter().map(|l| location_text(l, t)).collect();
    (!labels.is_empty()).then(|| labels.join(" · "))
}

/// The booker's location answer as the booking use case takes it: the chosen offer (by index),
/// with the booker's own phone, address or place where that offer asks for one.
pub(super) fn location_choice(event: &EventType, values: &Values) -> Option<Value> {
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

/// Pre-fill values from the query: `name`, `email`, `notes`, `guests`, question slugs.
pub(super) fn prefill(query: &QueryState) -> Values {
    let mut values = Values::new();
    for (key, value) in query.pairs() {
        if key.starts_with("metadata[") {
            continue;
        }
        values.entry(key.clone()).or_default().push(value.clone());
    }
    values
}

/// The input for the booker's mobile number, when a workflow texts them (Cal.com's field name).
pub(super) const PHONE: &str = "attendeePhoneNumber";

/// Splits `field: message` service errors onto the form's inputs.
pub(super) fn field_of(message: &str) -> (String, String) {
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
        "attendee.phoneNumber" => PHONE.to_owned(),
        "" => String::new(),
        other => other.to_owned(),
    };
    (field, text.to_owned())
}

pub(super) fn is_form_field(p: &Prepared, field: &str) -> bool {
    matches!(
        field,
        "name" | "email" | "notes" | "guests" | "rescheduleReason" | "location" | "locationDetail"
    ) || (field == PHONE && p.asks_phone)
        || p.event
            .settings
            .booking_fields
            .iter()
            .any(|f| f.slug == field)
}
