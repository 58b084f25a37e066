//! An event type's settings as typed values, read once from the stored columns when the event
//! type is loaded ([`Settings::from_record`]). Validation reads API input with the same readers,
//! so whatever was stored reads back; a stored value that does not read is corrupt storage
//! ([`StorageError::Corrupt`]), never a default. No IO here.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::booking_fields::BookingField;
use super::locations::Location;
use crate::availability::{BookingWindow, PeriodLimits};
use crate::storage::StorageError;
use crate::storage::event_types::EventTypeRecord;

/// Why a setting does not read: `at` is the part at fault relative to the setting (empty for
/// the setting itself, else starting with `.` or `[`), so each reader can name its own field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    pub at: String,
    pub message: String,
}

impl SettingError {
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            at: at.into(),
            message: message.into(),
        }
    }
}

/// A setting's meaning, and the Cal.com object it was given as: the API shows that object back
/// as it was sent, the use cases read `value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Shaped<T> {
    pub value: T,
    pub shape: Value,
}

/// Cal.com's `null` or `{"disabled": true}`: the setting is off.
pub fn is_disabled(value: &Value) -> bool {
    value.is_null() || value.get("disabled").and_then(Value::as_bool) == Some(true)
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

impl Limits {
    /// The engine's view.
    pub fn period(self) -> PeriodLimits {
        PeriodLimits {
            day: self.day,
            week: self.week,
            month: self.month,
            year: self.year,
        }
    }
}

/// When a booking waits for the host's confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    Never,
    Always,
    /// Only bookings starting less than this many minutes from now.
    WhenNoticeUnder {
        minutes: u32,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmationPolicy {
    pub rule: Confirmation,
    /// Unconfirmed bookings hold their time like accepted ones.
    pub unconfirmed_blocks: bool,
    /// The `confirmationPolicy` object as given.
    pub shape: Option<Value>,
}

impl ConfirmationPolicy {
    /// Confirmation needed for a booking starting `minutes_ahead` from now.
    pub fn needed(&self, minutes_ahead: i64) -> bool {
        match self.rule {
            Confirmation::Never => false,
            Confirmation::Always => true,
            Confirmation::WhenNoticeUnder { minutes } => minutes_ahead < i64::from(minutes),
        }
    }
}

/// Reads an enabled `confirmationPolicy`: `{"type": "always"}` (the default) or
/// `{"type": "time", "noticeThreshold": {"unit": "minutes"|"hours", "count": N}}`.
pub fn confirmation_rule(policy: &Value) -> Result<Confirmation, SettingError> {
    if !policy.is_object() {
        return Err(SettingError::new("", "must be an object"));
    }
    match policy.get("type").and_then(Value::as_str) {
        Some("always") | None => Ok(Confirmation::Always),
        Some("time") => threshold_minutes(policy)
            .map(|minutes| Confirmation::WhenNoticeUnder { minutes })
            .ok_or_else(|| {
                SettingError::new(
                    ".noticeThreshold",
                    "is required with type `time`: {\"unit\":\"minutes\"|\"hours\",\"count\":N}",
                )
            }),
        Some(other) => Err(SettingError::new(
            ".type",
            format!("`{other}` is not `always` or `time`"),
        )),
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

/// A seated event type: several bookers share one slot.
#[derive(Debug, Clone, PartialEq)]
pub struct Seats {
    pub per_slot: u32,
    /// Bookers see who else holds a seat (Cal.com's default: yes).
    pub show_attendee_info: bool,
    /// Bookers see how many seats are left (default: yes).
    pub show_availability_count: bool,
    /// The `seats` object as given (`seatsPerTimeSlot` is shown from `per_slot`).
    pub shape: Value,
}

impl Seats {
    fn read(per_slot: u32, shape: Value) -> Result<Self, SettingError> {
        if !shape.is_object() {
            return Err(SettingError::new("", "must be an object"));
        }
        let flag = |key: &str| shape.get(key).and_then(Value::as_bool).unwrap_or(true);
        Ok(Self {
            per_slot,
            show_attendee_info: flag("showAttendeeInfo"),
            show_availability_count: flag("showAvailabilityCount"),
            shape,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Yearly,
    Monthly,
    Weekly,
}

/// A recurring event type: each booking repeats `occurrences` times, every `interval` periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recurrence {
    pub frequency: Frequency,
    pub interval: u32,
    pub occurrences: u32,
}

/// Reads an enabled `recurrence` object.
pub fn recurrence(value: &Value) -> Result<Recurrence, SettingError> {
    let frequency = match value.get("frequency").and_then(Value::as_str) {
        Some("yearly") => Frequency::Yearly,
        Some("monthly") => Frequency::Monthly,
        Some("weekly") => Frequency::Weekly,
        _ => {
            return Err(SettingError::new(
                ".frequency",
                "must be yearly, monthly or weekly",
            ));
        }
    };
    let count = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_u64)
            .filter(|v| (1..=730).contains(v))
            .map(|v| v as u32)
            .ok_or_else(|| SettingError::new(format!(".{key}"), "must be between 1 and 730"))
    };
    Ok(Recurrence {
        frequency,
        interval: count("interval")?,
        occurrences: count("occurrences")?,
    })
}

/// Cal.com's `disableCancelling` / `disableRescheduling`: `true`, or `{"disabled": true}`.
pub fn switch_on(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Object(o) => o.get("disabled").and_then(Value::as_bool) == Some(true),
        _ => false,
    }
}

/// The booking page's and the lifecycle's options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageOptions {
    pub disable_guests: Option<bool>,
    pub success_redirect_url: Option<String>,
    pub forward_params_success_redirect: Option<bool>,
    pub lock_time_zone_toggle: Option<bool>,
    /// The built-in reminders are on (unset for event types made before they existed: off).
    pub default_reminders: Option<bool>,
    pub disable_cancelling: Option<Shaped<bool>>,
    pub disable_rescheduling: Option<Shaped<bool>>,
    /// The booking title template (`{Event type title}`, `{Organiser}`, …).
    pub custom_name: Option<String>,
    /// Cal.com's `{lightThemeHex, darkThemeHex}`; Kairos shows it back and reads nothing in it.
    pub color: Option<Value>,
    pub recurrence: Option<Shaped<Recurrence>>,
}

impl PageOptions {
    pub fn default_reminders(&self) -> bool {
        self.default_reminders == Some(true)
    }

    pub fn guests_disabled(&self) -> bool {
        self.disable_guests == Some(true)
    }

    pub fn cancelling_disabled(&self) -> bool {
        self.disable_cancelling.as_ref().is_some_and(|s| s.value)
    }

    pub fn rescheduling_disabled(&self) -> bool {
        self.disable_rescheduling.as_ref().is_some_and(|s| s.value)
    }

    /// Where the booker goes after booking instead of the booking page, if anywhere.
    pub fn success_redirect(&self) -> Option<&str> {
        self.success_redirect_url
            .as_deref()
            .filter(|u| !u.is_empty())
    }

    /// The booking's details go along to the success redirect (Cal.com's default: yes).
    pub fn forwards_params(&self) -> bool {
        self.forward_params_success_redirect.unwrap_or(true)
    }
}

/// The `settings` column: page and lifecycle options, and the objects of the settings that
/// also have columns (seats, confirmation policy) as given.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct StoredSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_guests: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_redirect_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_params_success_redirect: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock_time_zone_toggle_on_booking_page: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_reminders: Option<bool>,
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
    pub seats: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmation_policy: Option<Value>,
}

/// Everything about an event type that is stored as JSON, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Lengths a booker may choose, the default first.
    pub lengths: Vec<u32>,
    /// `lengthInMinutesOptions` as given.
    pub length_options: Option<Vec<u32>>,
    pub booking_window: Option<Shaped<BookingWindow>>,
    pub booking_limits: Option<Limits>,
    pub duration_limits: Option<Limits>,
    /// Custom booking fields (the system fields are not stored).
    pub booking_fields: Vec<BookingField>,
    pub locations: Vec<Location>,
    pub confirmation: ConfirmationPolicy,
    pub seats: Option<Seats>,
    pub page: PageOptions,
    pub metadata: Map<String, Value>,
}

/// The column being read, to name it when it does not read.
struct Column {
    id: i64,
    name: &'static str,
}

impl Column {
    fn corrupt(&self, message: impl std::fmt::Display) -> StorageError {
        StorageError::Corrupt {
            table: "event_types",
            column: self.name,
            id: self.id,
            message: message.to_string(),
        }
    }

    fn json<T: serde::de::DeserializeOwned>(&self, raw: &str) -> Result<T, StorageError> {
        serde_json::from_str(raw).map_err(|e| self.corrupt(e))
    }

    fn setting<T>(&self, read: Result<T, SettingError>) -> Result<T, StorageError> {
        read.map_err(|e| self.corrupt(format_args!("{}: {}", e.at, e.message)))
    }
}

impl Settings {
    /// Reads the JSON columns of a stored event type.
    pub fn from_record(record: &EventTypeRecord) -> Result<Self, StorageError> {
        let column = |name| Column {
            id: record.id,
            name,
        };
        let length_options: Option<Vec<u32>> = record
            .length_options
            .as_deref()
            .map(|raw| column("length_options").json(raw))
            .transpose()?;
        let stored: StoredSettings = column("settings").json(&record.settings)?;
        let metadata = match column("metadata").json(&record.metadata)? {
            Value::Object(map) => map,
            _ => return Err(column("metadata").corrupt("not an object")),
        };
        Ok(Self {
            lengths: all_lengths(record.length_minutes as u32, length_options.as_deref()),
            length_options,
            booking_window: booking_window(record, &column("booking_window"))?,
            booking_limits: limits(record.booking_limits.as_deref(), &column("booking_limits"))?,
            duration_limits: limits(
                record.duration_limits.as_deref(),
                &column("duration_limits"),
            )?,
            booking_fields: column("booking_fields").json(&record.booking_fields)?,
            locations: locations(&record.locations, &column("locations"))?,
            confirmation: confirmation(
                record,
                stored.confirmation_policy.clone(),
                &column("settings"),
            )?,
            seats: match record.seats_per_slot {
                None => None,
                Some(n) => {
                    let shape = stored
                        .seats
                        .clone()
                        .unwrap_or_else(|| Value::Object(Map::new()));
                    Some(column("settings").setting(Seats::read(n as u32, shape))?)
                }
            },
            page: page_options(stored, &column("settings"))?,
            metadata,
        })
    }
}

/// The default length first, then the other options.
fn all_lengths(default: u32, options: Option<&[u32]>) -> Vec<u32> {
    let mut all = vec![default];
    for &o in options.unwrap_or_default() {
        if !all.contains(&o) {
            all.push(o);
        }
    }
    all
}

fn booking_window(
    record: &EventTypeRecord,
    column: &Column,
) -> Result<Option<Shaped<BookingWindow>>, StorageError> {
    let Some(raw) = record.booking_window.as_deref() else {
        return Ok(None);
    };
    let shape: Value = column.json(raw)?;
    let value = crate::domain::parse_booking_window(&shape)
        .map_err(|e| column.corrupt(format_args!("{}: {}", e.at, e.message)))?;
    Ok(Some(Shaped { value, shape }))
}

fn limits(raw: Option<&str>, column: &Column) -> Result<Option<Limits>, StorageError> {
    raw.map(|raw| column.json(raw)).transpose()
}

fn locations(raw: &str, column: &Column) -> Result<Vec<Location>, StorageError> {
    let list: Vec<Value> = column.json(raw)?;
    list.into_iter()
        .enumerate()
        .map(|(i, shape)| {
            column.setting(Location::read(shape).map_err(|e| SettingError {
                at: format!("[{i}]{}", e.at),
                ..e
            }))
        })
        .collect()
}

fn confirmation(
    record: &EventTypeRecord,
    shape: Option<Value>,
    column: &Column,
) -> Result<ConfirmationPolicy, StorageError> {
    let rule = match (&shape, record.requires_confirmation) {
        (_, false) => Confirmation::Never,
        (None, true) => Confirmation::Always,
        (Some(policy), true) => {
            column.setting(confirmation_rule(policy).map_err(|e| SettingError {
                at: format!("confirmationPolicy{}", e.at),
                ..e
            }))?
        }
    };
    Ok(ConfirmationPolicy {
        rule,
        unconfirmed_blocks: record.unconfirmed_blocks_slot,
        shape,
    })
}

fn page_options(stored: StoredSettings, column: &Column) -> Result<PageOptions, StorageError> {
    let switch = |value: Option<Value>| {
        value.map(|shape| Shaped {
            value: switch_on(&shape),
            shape,
        })
    };
    let recurrence = match stored.recurrence {
        None => None,
        Some(shape) => Some(Shaped {
            value: column.setting(recurrence(&shape).map_err(|e| SettingError {
                at: format!("recurrence{}", e.at),
                ..e
            }))?,
            shape,
        }),
    };
    Ok(PageOptions {
        disable_guests: stored.disable_guests,
        success_redirect_url: stored.success_redirect_url,
        forward_params_success_redirect: stored.forward_params_success_redirect,
        lock_time_zone_toggle: stored.lock_time_zone_toggle_on_booking_page,
        default_reminders: stored.default_reminders,
        disable_cancelling: switch(stored.disable_cancelling),
        disable_rescheduling: switch(stored.disable_rescheduling),
        custom_name: stored.custom_name,
        color: stored.color,
        recurrence,
    })
}
