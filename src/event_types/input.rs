//! Event types in Cal.com API v2's vocabulary (2024-06-14): [`EventTypeInput`] is the body of
//! a create or a partial update and, fully filled in from the typed settings, what the API
//! shows. No IO here.

use crate::domain::text;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::settings::Settings;
use crate::storage::event_types::{EventTypeRecord, HostGroupRecord, HostRecord};

/// An event type in the API's vocabulary: the body of a create, a partial update, and (fully
/// filled in) what is stored. Unknown fields are ignored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventTypeInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::lines")]
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
    #[serde(default, deserialize_with = "text::line")]
    pub booking_window: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub booking_limits_count: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub booking_limits_duration: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub seats: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub confirmation_policy: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub booking_fields: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub locations: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_id: Option<i64>,
    /// A schedule of the owner's (or of a team member's) that slots must also fall inside.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restriction_schedule_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_show_first_available_slot: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_guests: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub success_redirect_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_params_success_redirect: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock_time_zone_toggle_on_booking_page: Option<bool>,
    /// Kairos: the built-in reminders (an email to the attendees 24 hours and 1 hour before
    /// the start). New event types have them unless created with `false`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_reminders: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub disable_cancelling: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub disable_rescheduling: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub custom_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub color: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub recurrence: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::lines")]
    pub metadata: Option<Value>,
    /// Team event types only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "text::line")]
    pub scheduling_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hosts: Option<Vec<HostInput>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assign_all_team_members: Option<bool>,
    /// Round-robin team event types only: groups of non-fixed hosts (Cal.com's `hostGroups`);
    /// a slot needs a free host of each group, a booking gets one host per group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_groups: Option<Vec<HostGroupInput>>,
}

/// A round-robin host group as the API names it: `id` is a string (a UUID unless the client
/// chose one, so hosts can refer to a new group in the same request).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostGroupInput {
    #[serde(default, deserialize_with = "text::line")]
    pub id: Option<String>,
    #[serde(deserialize_with = "text::line")]
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostInput {
    pub user_id: i64,
    #[serde(default)]
    pub mandatory: bool,
    #[serde(default, deserialize_with = "text::line")]
    pub priority: Option<String>,
    pub weight: Option<u32>,
    /// The host's group (one of the event type's `hostGroups`); `null`: the default group.
    #[serde(default, deserialize_with = "text::line")]
    pub group_id: Option<String>,
}

/// The stored event type in the API's vocabulary, every field present. Objects the client
/// gave (booking window, seats, confirmation policy, locations, …) are shown as given.
pub(super) fn to_input(
    record: &EventTypeRecord,
    settings: &Settings,
    hosts: &[HostRecord],
    groups: &[HostGroupRecord],
) -> EventTypeInput {
    let page = &settings.page;
    EventTypeInput {
        title: Some(record.title.clone()),
        slug: Some(record.slug.clone()),
        description: Some(record.description.clone()),
        length_in_minutes: Some(record.length_minutes as u32),
        length_in_minutes_options: settings.length_options.clone(),
        slot_interval: record.slot_interval.map(|v| v as u32),
        offset_start: Some(record.offset_start as u32),
        minimum_booking_notice: Some(record.minimum_notice as u32),
        before_event_buffer: Some(record.before_buffer as u32),
        after_event_buffer: Some(record.after_buffer as u32),
        booking_window: settings.booking_window.as_ref().map(|w| w.shape.clone()),
        booking_limits_count: settings.booking_limits.map(|l| json!(l)),
        booking_limits_duration: settings.duration_limits.map(|l| json!(l)),
        seats: settings.seats.as_ref().map(|s| {
            let mut seats = s.shape.clone();
            seats["seatsPerTimeSlot"] = json!(s.per_slot);
            seats
        }),
        confirmation_policy: confirmation_policy(settings),
        booking_fields: Some(settings.booking_fields.iter().map(|f| json!(f)).collect()),
        locations: Some(settings.locations.iter().map(|l| l.shape.clone()).collect()),
        schedule_id: record.schedule_id,
        restriction_schedule_id: record.restriction_schedule_id,
        hidden: Some(record.hidden),
        only_show_first_available_slot: Some(record.only_show_first_slot),
        disable_guests: page.disable_guests,
        success_redirect_url: page.success_redirect_url.clone(),
        forward_params_success_redirect: page.forward_params_success_redirect,
        lock_time_zone_toggle_on_booking_page: page.lock_time_zone_toggle,
        default_reminders: Some(page.default_reminders()),
        disable_cancelling: page.disable_cancelling.as_ref().map(|s| s.shape.clone()),
        disable_rescheduling: page.disable_rescheduling.as_ref().map(|s| s.shape.clone()),
        custom_name: page.custom_name.clone(),
        color: page.color.clone(),
        recurrence: page.recurrence.as_ref().map(|r| r.shape.clone()),
        metadata: Some(Value::Object(settings.metadata.clone())),
        scheduling_type: record.scheduling_type.clone(),
        hosts: record
            .team_id
            .map(|_| hosts.iter().map(host_input).collect()),
        assign_all_team_members: None,
        host_groups: record.team_id.map(|_| {
            groups
                .iter()
                .map(|g| HostGroupInput {
                    id: Some(g.id.clone()),
                    name: g.name.clone(),
                })
                .collect()
        }),
    }
}

fn confirmation_policy(settings: &Settings) -> Option<Value> {
    let policy = &settings.confirmation;
    if policy.rule == super::settings::Confirmation::Never {
        return None;
    }
    let mut shown = policy
        .shape
        .clone()
        .unwrap_or_else(|| Value::Object(Map::new()));
    if shown.get("type").is_none() {
        shown["type"] = json!("always");
    }
    shown["blockUnconfirmedBookingsInBooker"] = json!(policy.unconfirmed_blocks);
    Some(shown)
}

fn host_input(h: &HostRecord) -> HostInput {
    HostInput {
        user_id: h.user_id,
        mandatory: h.is_fixed,
        priority: Some(priority_name(h.priority).to_owned()),
        weight: Some(h.weight as u32),
        group_id: h.group_id.clone(),
    }
}

/// A host's priority as the API names it.
pub fn priority_name(value: i32) -> &'static str {
    match value {
        0 => "lowest",
        1 => "low",
        3 => "high",
        4 => "highest",
        _ => "medium",
    }
}

/// Cal.com's legacy `recurringEvent` (`{freq, count, interval}`, freq 0 yearly, 1 monthly,
/// 2 weekly; `null` for none) in a request body becomes the 2024-06-14 `recurrence`
/// (`{frequency, occurrences, interval}`), unless the body gives `recurrence` itself.
pub fn read_legacy_recurrence(body: &mut Map<String, Value>) -> Result<(), (String, String)> {
    let Some(legacy) = body.remove("recurringEvent") else {
        return Ok(());
    };
    if body.contains_key("recurrence") {
        return Ok(());
    }
    let recurrence = match &legacy {
        Value::Null => Value::Null,
        Value::Object(o) => {
            let frequency = match o.get("freq").and_then(Value::as_u64) {
                Some(0) => "yearly",
                Some(1) => "monthly",
                Some(2) => "weekly",
                _ => {
                    let m = "must be 0 (yearly), 1 (monthly) or 2 (weekly)";
                    return Err(("recurringEvent.freq".into(), m.into()));
                }
            };
            let interval = o.get("interval").cloned().unwrap_or(json!(1));
            let count = o.get("count").cloned().unwrap_or(Value::Null);
            json!({"frequency": frequency, "interval": interval, "occurrences": count})
        }
        _ => {
            let m = "must be an object {freq, count, interval} or null";
            return Err(("recurringEvent".into(), m.into()));
        }
    };
    body.insert("recurrence".into(), recurrence);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: Value) -> Result<Value, (String, String)> {
        let Value::Object(mut m) = body else {
            unreachable!()
        };
        read_legacy_recurrence(&mut m).map(|()| Value::Object(m))
    }

    #[test]
    fn legacy_recurring_event_reads_as_recurrence() {
        let got = read(json!({"recurringEvent": {"freq": 1, "count": 6, "interval": 2}})).unwrap();
        assert_eq!(
            got,
            json!({"recurrence": {"frequency": "monthly", "interval": 2, "occurrences": 6}})
        );
        assert_eq!(
            read(json!({"recurringEvent": null})).unwrap(),
            json!({"recurrence": null})
        );
        let both = json!({"recurringEvent": {"freq": 0}, "recurrence": {"frequency": "weekly"}});
        assert_eq!(
            read(both).unwrap(),
            json!({"recurrence": {"frequency": "weekly"}})
        );
        assert_eq!(
            read(json!({"recurringEvent": {"freq": 3, "count": 2}}))
                .unwrap_err()
                .0,
            "recurringEvent.freq"
        );
    }
}
