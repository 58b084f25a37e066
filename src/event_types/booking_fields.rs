//! Booking fields: the questions an event type asks its bookers beyond the system ones, read
//! from Cal.com's `bookingFields` input into [`BookingField`]s (which are stored and shown as
//! they serialise). No IO here.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::settings::SettingError;

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

/// Field types whose answer must be one (or several) of the field's options.
pub const CHOICE_TYPES: [&str; 4] = ["select", "radio", "multiselect", "checkbox"];

/// What kind of answer a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Name,
    Email,
    Phone,
    Address,
    Text,
    Number,
    Textarea,
    Multiemail,
    Checkbox,
    Multiselect,
    Select,
    Radio,
    Boolean,
    Url,
}

impl FieldKind {
    pub const ALL: [FieldKind; 14] = [
        Self::Name,
        Self::Email,
        Self::Phone,
        Self::Address,
        Self::Text,
        Self::Number,
        Self::Textarea,
        Self::Multiemail,
        Self::Checkbox,
        Self::Multiselect,
        Self::Select,
        Self::Radio,
        Self::Boolean,
        Self::Url,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Address => "address",
            Self::Text => "text",
            Self::Number => "number",
            Self::Textarea => "textarea",
            Self::Multiemail => "multiemail",
            Self::Checkbox => "checkbox",
            Self::Multiselect => "multiselect",
            Self::Select => "select",
            Self::Radio => "radio",
            Self::Boolean => "boolean",
            Self::Url => "url",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// A custom booking field, in Cal.com's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingField {
    #[serde(rename = "type")]
    pub kind: FieldKind,
    pub slug: String,
    pub label: String,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    /// The choices of select, radio, multiselect and (optionally) checkbox fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
}

impl BookingField {
    pub fn is_hidden(&self) -> bool {
        self.hidden == Some(true)
    }

    /// The field's options (none for fields without).
    pub fn choices(&self) -> &[String] {
        self.options.as_deref().unwrap_or_default()
    }
}

/// Reads `bookingFields` as a client sends it: system fields (which clients send back as they
/// were shown) are left out, options may be strings or `{value}` objects.
pub fn read_input(list: &[Value]) -> Result<Vec<BookingField>, SettingError> {
    read_list(list, &SYSTEM_FIELDS)
}

/// Reads a list of questions in the booking fields' shape, every one kept (a routing form has
/// no system fields: its `email` question is its own).
pub fn read_questions(list: &[Value]) -> Result<Vec<BookingField>, SettingError> {
    read_list(list, &[])
}

fn read_list(list: &[Value], skipped: &[&str]) -> Result<Vec<BookingField>, SettingError> {
    let mut out: Vec<BookingField> = Vec::new();
    for (i, field) in list.iter().enumerate() {
        let object = field
            .as_object()
            .ok_or_else(|| SettingError::new(format!("[{i}]"), "must be an object"))?;
        let slug = object
            .get("slug")
            .or_else(|| object.get("name"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        if skipped.contains(&slug) {
            continue;
        }
        let field = read_one(field, slug, &out).map_err(|e| SettingError {
            at: format!("[{i}]{}", e.at),
            ..e
        })?;
        out.push(field);
    }
    Ok(out)
}

fn read_one(
    field: &Value,
    slug: &str,
    earlier: &[BookingField],
) -> Result<BookingField, SettingError> {
    let raw_kind = field
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| SettingError::new(".type", "is required"))?;
    let kind = FieldKind::parse(raw_kind).ok_or_else(|| {
        let known: Vec<&str> = FieldKind::ALL.iter().map(|k| k.as_str()).collect();
        SettingError::new(
            ".type",
            format!("`{raw_kind}` is not one of {}", known.join(", ")),
        )
    })?;
    let valid_slug = !slug.is_empty()
        && slug.len() <= 64
        && slug
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid_slug {
        return Err(SettingError::new(
            ".slug",
            "is required: 1-64 letters, digits, `-` or `_`",
        ));
    }
    if earlier.iter().any(|f| f.slug == slug) {
        return Err(SettingError::new(
            ".slug",
            format!("`{slug}` is used twice"),
        ));
    }
    let label = field.get("label").and_then(Value::as_str).unwrap_or(slug);
    if label.chars().count() > 500 {
        return Err(SettingError::new(".label", "is longer than 500 characters"));
    }
    Ok(BookingField {
        kind,
        slug: slug.to_owned(),
        label: label.to_owned(),
        required: field
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        placeholder: field
            .get("placeholder")
            .and_then(Value::as_str)
            .map(str::to_owned),
        hidden: field.get("hidden").and_then(Value::as_bool),
        options: options(field, kind)?,
    })
}

/// Choice fields need options; a checkbox has them only if it was given some.
fn options(field: &Value, kind: FieldKind) -> Result<Option<Vec<String>>, SettingError> {
    let has_options = match kind {
        FieldKind::Select | FieldKind::Radio | FieldKind::Multiselect => true,
        FieldKind::Checkbox => field.get("options").is_some(),
        _ => false,
    };
    if !has_options {
        return Ok(None);
    }
    let options: Vec<String> = field
        .get("options")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|o| {
                    o.as_str()
                        .or_else(|| o.get("value").and_then(Value::as_str))
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    if options.is_empty() {
        return Err(SettingError::new(
            ".options",
            format!("a {} field needs at least one option", kind.as_str()),
        ));
    }
    Ok(Some(options))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_field_is_stored_in_cal_coms_shape() {
        let fields = read_input(&[
            json!({"type": "select", "slug": "size", "label": "Team size",
            "required": true, "options": ["1-10", {"value": "11-50"}]}),
        ])
        .unwrap();
        assert_eq!(
            serde_json::to_string(&fields).unwrap(),
            r#"[{"type":"select","slug":"size","label":"Team size","required":true,"options":["1-10","11-50"]}]"#
        );
        let back: Vec<BookingField> =
            serde_json::from_str(&serde_json::to_string(&fields).unwrap()).unwrap();
        assert_eq!(back, fields);
    }

    #[test]
    fn system_fields_are_left_out_and_slugs_are_unique() {
        let fields = read_input(&[
            json!({"type": "email", "slug": "email", "label": "Email"}),
            json!({"type": "text", "name": "company"}),
        ])
        .unwrap();
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].label, "company");
        assert!(!fields[0].required);
        let twice = read_input(&[
            json!({"type": "text", "slug": "a"}),
            json!({"type": "text", "slug": "a"}),
        ]);
        assert_eq!(twice.unwrap_err().at, "[1].slug");
    }

    #[test]
    fn errors_name_the_part_at_fault() {
        let cases = [
            (json!("text"), "[0]"),
            (json!({"slug": "a"}), "[0].type"),
            (json!({"type": "color", "slug": "a"}), "[0].type"),
            (json!({"type": "text", "slug": "a b"}), "[0].slug"),
            (json!({"type": "radio", "slug": "a"}), "[0].options"),
        ];
        for (field, at) in cases {
            assert_eq!(
                read_input(std::slice::from_ref(&field)).unwrap_err().at,
                at,
                "{field}"
            );
        }
    }

    #[test]
    fn a_stored_field_of_an_unknown_kind_does_not_read() {
        let stored = r#"[{"type":"colour","slug":"a","label":"A","required":false}]"#;
        assert!(serde_json::from_str::<Vec<BookingField>>(stored).is_err());
    }
}
