//! The headless query document in Cal.com API v2's vocabulary, as it arrives: loosely typed
//! strings that `parse` turns into the engine's validated `Query`.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryDocument {
    pub now: Option<String>,
    pub start: String,
    pub end: String,
    pub time_zone: Option<String>,
    pub duration: Option<u32>,
    pub event_type: EventTypeDocument,
    pub hosts: Vec<HostDocument>,
    #[serde(default)]
    pub reservations: Vec<ReservationDocument>,
    pub booker_uid: Option<String>,
    pub booking_uid_to_reschedule: Option<String>,
    /// `range` adds each slot's end.
    pub format: Option<String>,
    /// An instant to explain: why it is or is not a slot.
    pub explain: Option<String>,
    /// First day of the week for weekly limits; Monday when absent.
    pub week_start: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventTypeDocument {
    pub id: Option<i64>,
    pub length_in_minutes: u32,
    pub length_in_minutes_options: Option<Vec<u32>>,
    pub slot_interval: Option<u32>,
    pub offset_start: Option<u32>,
    pub minimum_booking_notice: Option<u32>,
    pub before_event_buffer: Option<u32>,
    pub after_event_buffer: Option<u32>,
    pub booking_window: Option<serde_json::Value>,
    pub booking_limits_count: Option<LimitsDocument>,
    pub booking_limits_duration: Option<LimitsDocument>,
    pub seats: Option<SeatsDocument>,
    pub only_show_first_available_slot: Option<bool>,
    pub confirmation_policy: Option<ConfirmationPolicyDocument>,
    pub scheduling_type: Option<String>,
    pub restriction_schedule: Option<RestrictionDocument>,
    /// The event's timezone for limit periods and date ranges; the first host's when absent.
    pub time_zone: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitsDocument {
    pub day: Option<u32>,
    pub week: Option<u32>,
    pub month: Option<u32>,
    pub year: Option<u32>,
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatsDocument {
    pub seats_per_time_slot: Option<u32>,
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmationPolicyDocument {
    #[serde(default)]
    pub block_unconfirmed_bookings_in_booker: bool,
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestrictionDocument {
    #[serde(flatten)]
    pub schedule: ScheduleDocument,
    #[serde(default)]
    pub use_booker_timezone: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostDocument {
    pub id: i64,
    #[serde(default)]
    pub is_fixed: bool,
    pub group: Option<String>,
    pub schedule: ScheduleDocument,
    #[serde(default)]
    pub busy: Vec<IntervalDocument>,
    #[serde(default)]
    pub bookings: Vec<BookingDocument>,
    #[serde(default)]
    pub out_of_office: Vec<IntervalDocument>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleDocument {
    pub time_zone: Option<String>,
    #[serde(default)]
    pub availability: Vec<AvailabilityDocument>,
    #[serde(default)]
    pub overrides: Vec<OverrideDocument>,
    #[serde(default)]
    pub recurring: Vec<RecurringDocument>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AvailabilityDocument {
    pub days: Vec<String>,
    pub start_time: String,
    pub end_time: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OverrideDocument {
    pub date: String,
    pub start_time: String,
    pub end_time: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecurringDocument {
    pub rrule: String,
    /// Local date-time of the first occurrence, e.g. `2030-01-03T14:00:00`.
    pub dtstart: String,
    pub duration_minutes: u32,
}

#[derive(Debug, Deserialize)]
pub struct IntervalDocument {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingDocument {
    pub uid: Option<String>,
    pub start: String,
    pub end: String,
    pub event_type_id: Option<i64>,
    pub status: Option<String>,
    pub before_event_buffer: Option<u32>,
    pub after_event_buffer: Option<u32>,
    pub attendees: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReservationDocument {
    pub slot_start: String,
    pub slot_duration: Option<u32>,
    pub host_id: Option<i64>,
    pub booker_uid: String,
    pub until: String,
}
