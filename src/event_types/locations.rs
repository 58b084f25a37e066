//! Where an event type's meetings take place, read from Cal.com's `locations` objects. The
//! objects are kept as given (the API shows them back); the use cases read the kind and the
//! host's value. No IO here.

use serde_json::Value;

use super::settings::SettingError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationKind {
    /// In person at the host's address.
    Address,
    Link,
    Phone,
    /// A video app (`cal-video`, `zoom`, …).
    Integration,
    /// The booker gives their address, their phone number, or a place of their choosing.
    AttendeeAddress,
    AttendeePhone,
    AttendeeDefined,
    OrganizersDefaultApp,
}

impl LocationKind {
    pub const ALL: [LocationKind; 8] = [
        Self::Address,
        Self::Link,
        Self::Phone,
        Self::Integration,
        Self::AttendeeAddress,
        Self::AttendeePhone,
        Self::AttendeeDefined,
        Self::OrganizersDefaultApp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Address => "address",
            Self::Link => "link",
            Self::Phone => "phone",
            Self::Integration => "integration",
            Self::AttendeeAddress => "attendeeAddress",
            Self::AttendeePhone => "attendeePhone",
            Self::AttendeeDefined => "attendeeDefined",
            Self::OrganizersDefaultApp => "organizersDefaultApp",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// The key of the host's value in Cal.com's object, for kinds that have one.
    pub fn value_key(self) -> Option<&'static str> {
        match self {
            Self::Address => Some("address"),
            Self::Link => Some("link"),
            Self::Phone => Some("phone"),
            Self::Integration => Some("integration"),
            _ => None,
        }
    }
}

/// One of an event type's locations.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub kind: LocationKind,
    /// The host's address, link, phone number or integration name.
    pub value: Option<String>,
    /// The host shows the address or phone number on the public page
    /// (`displayLocationPublicly`).
    pub public: bool,
    /// The object as given.
    pub shape: Value,
}

impl Location {
    /// Reads one location object; `at` in errors is relative to it (`.type`, `.address`, …).
    pub fn read(shape: Value) -> Result<Self, SettingError> {
        let raw_kind = shape
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| SettingError::new(".type", "is required"))?;
        let kind = LocationKind::parse(raw_kind).ok_or_else(|| {
            let known: Vec<&str> = LocationKind::ALL.iter().map(|k| k.as_str()).collect();
            SettingError::new(
                ".type",
                format!("`{raw_kind}` is not one of {}", known.join(", ")),
            )
        })?;
        let value = match kind.value_key() {
            None => None,
            Some(key) => match shape.get(key).and_then(Value::as_str) {
                Some(v) if !v.trim().is_empty() => Some(v.to_owned()),
                _ => {
                    return Err(SettingError::new(
                        format!(".{key}"),
                        format!("is required for a {raw_kind} location"),
                    ));
                }
            },
        };
        if kind == LocationKind::Link {
            let link = value.as_deref().unwrap_or_default();
            check_web_url(link).map_err(|m| SettingError::new(".link", m))?;
        }
        Ok(Self {
            kind,
            value,
            public: shape
                .get("displayLocationPublicly")
                .and_then(Value::as_bool)
                == Some(true),
            shape,
        })
    }

    /// The booking's location text for this offer: the address, link or phone number, or
    /// `integrations:<app>` (Cal.com's name for Cal Video is `daily`).
    pub fn booking_value(&self) -> Option<String> {
        let value = self.value.as_deref()?;
        Some(match self.kind {
            LocationKind::Integration => format!(
                "integrations:{}",
                if value == "cal-video" { "daily" } else { value }
            ),
            _ => value.to_owned(),
        })
    }
}

/// A booking location that waits for a host's calendar to make the meeting: Google Meet or
/// Microsoft Teams (`integrations:google-meet`, `integrations:office365-video`, …). Once a
/// calendar has made it, the booking's location is the meeting's link.
pub fn awaits_conference(location: &str) -> bool {
    location.strip_prefix("integrations:").is_some_and(|app| {
        app.contains("meet") || app.contains("office365") || app.contains("teams")
    })
}

/// An http(s) URL, or why not.
pub fn check_web_url(raw: &str) -> Result<(), String> {
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(()),
        _ => Err(format!("`{raw}` is not an http(s) URL")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_location_keeps_its_object_and_reads_its_value() {
        let shape =
            json!({"type": "address", "address": "1 Main St", "displayLocationPublicly": true});
        let l = Location::read(shape.clone()).unwrap();
        assert_eq!(l.kind, LocationKind::Address);
        assert_eq!(l.value.as_deref(), Some("1 Main St"));
        assert!(l.public);
        assert_eq!(l.shape, shape);
        let video = Location::read(json!({"type": "integration", "integration": "cal-video"}));
        assert_eq!(
            video.unwrap().booking_value().as_deref(),
            Some("integrations:daily")
        );
        let booker = Location::read(json!({"type": "attendeePhone"})).unwrap();
        assert_eq!(booker.booking_value(), None);
    }

    #[test]
    fn errors_name_the_part_at_fault() {
        let cases = [
            (json!({}), ".type"),
            (json!({"type": "carrier-pigeon"}), ".type"),
            (json!({"type": "phone", "phone": " "}), ".phone"),
            (json!({"type": "link", "link": "ftp://x"}), ".link"),
        ];
        for (shape, at) in cases {
            assert_eq!(Location::read(shape.clone()).unwrap_err().at, at, "{shape}");
        }
    }
}
