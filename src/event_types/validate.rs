//! Validation of a complete event type input (a create, or the current values merged with a
//! change) into the columns to store. Messages name the API field. Settings are read with the
//! same readers that read them back from storage, so a stored event type always reads; the
//! members of setting objects are type-checked first (`shapes.rs`). No IO.

use serde_json::Value;

use super::booking_fields;
use super::input::EventTypeInput;
use super::locations::{Location, check_web_url};
use super::settings::{self, Limits, SettingError, StoredSettings, is_disabled};
use super::{Target, invalid};
use crate::domain::Slug;
use crate::service::ServiceError;
use crate::storage::event_types::{
    EventTypeFields, HostGroupRecord, NewHost, SchedulingType, WantedHost,
};

/// Longest length, interval, buffer and offset, in minutes.
const MAX_MINUTES: u32 = 1440;
const MAX_BUFFER: u32 = crate::domain::MAX_BUFFER_MINUTES;
/// Longest minimum notice: a year.
const MAX_NOTICE_MINUTES: u32 = 525_600;
const MAX_SEATS: u32 = 1000;

/// What validation makes of an input.
pub(super) struct Validated {
    pub fields: EventTypeFields,
    pub scheduling: Option<SchedulingType>,
    pub hosts: Option<Vec<WantedHost>>,
    /// The round-robin host groups, when the input names them.
    pub host_groups: Option<Vec<HostGroupRecord>>,
    pub assign_all: bool,
}

/// Most host groups one event type may have.
const MAX_HOST_GROUPS: usize = 50;
/// Longest host group id and name, in characters.
const MAX_GROUP_ID: usize = 64;
const MAX_GROUP_NAME: usize = 100;

/// A setting reader's error under the API field `field`.
fn setting_invalid(field: &str, e: SettingError) -> ServiceError {
    invalid(&format!("{field}{}", e.at), e.message)
}

/// Checks every field, in the order a client reads the errors (the first one is reported).
pub(super) fn validate(input: &EventTypeInput, target: Target) -> Result<Validated, ServiceError> {
    super::shapes::check(input).map_err(|(field, message)| invalid(&field, message))?;
    let (title, slug, description) = names(input)?;
    let (length, length_options) = lengths(input)?;
    let slot_interval = slot_interval(input.slot_interval)?;
    let seats = seats(input.seats.as_ref())?;
    let (requires_confirmation, unconfirmed_blocks) =
        confirmation(input.confirmation_policy.as_ref())?;
    let fields = booking_fields::read_input(input.booking_fields.as_deref().unwrap_or_default())
        .map_err(|e| setting_invalid("bookingFields", e))?;
    let places = locations(input.locations.as_deref().unwrap_or_default())?;
    page_options(input)?;
    let metadata = metadata(input.metadata.as_ref())?;
    let team = team(input, target)?;
    let fields = EventTypeFields {
        slug,
        title,
        description,
        length_minutes: length as i32,
        length_options,
        slot_interval,
        offset_start: minutes("offsetStart", input.offset_start, MAX_MINUTES)?,
        before_buffer: minutes("beforeEventBuffer", input.before_event_buffer, MAX_BUFFER)?,
        after_buffer: minutes("afterEventBuffer", input.after_event_buffer, MAX_BUFFER)?,
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
        booking_fields: to_json(&fields),
        locations: to_json(&places.iter().map(|l| &l.shape).collect::<Vec<_>>()),
        schedule_id: input.schedule_id,
        restriction_schedule_id: input.restriction_schedule_id,
        hidden: input.hidden.unwrap_or(false),
        only_show_first_slot: input.only_show_first_available_slot.unwrap_or(false),
        settings: to_json(&stored_settings(input)),
        metadata,
    };
    Ok(Validated {
        fields,
        scheduling: team.scheduling,
        hosts: team.hosts,
        host_groups: team.host_groups,
        assign_all: input.assign_all_team_members.unwrap_or(false),
    })
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Title, slug and description.
fn names(input: &EventTypeInput) -> Result<(String, String, String), ServiceError> {
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
    Ok((title.to_owned(), slug.as_str().to_owned(), description))
}

/// The default length, and the options as stored (`None` when there is no choice).
fn lengths(input: &EventTypeInput) -> Result<(u32, Option<String>), ServiceError> {
    let length = input
        .length_in_minutes
        .ok_or_else(|| invalid("lengthInMinutes", "is required"))?;
    if !(1..=MAX_MINUTES).contains(&length) {
        return Err(invalid(
            "lengthInMinutes",
            format!("must be between 1 and {MAX_MINUTES}"),
        ));
    }
    let options = match &input.length_in_minutes_options {
        Some(options) if !options.is_empty() => options,
        _ => return Ok((length, None)),
    };
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
    Ok((length, Some(to_json(options))))
}

fn slot_interval(value: Option<u32>) -> Result<Option<i32>, ServiceError> {
    match value {
        Some(0) | None => Ok(None),
        Some(v) if v > MAX_MINUTES => Err(invalid(
            "slotInterval",
            format!("must be between 1 and {MAX_MINUTES}"),
        )),
        Some(v) => Ok(Some(v as i32)),
    }
}

fn minutes(field: &str, value: Option<u32>, max: u32) -> Result<i32, ServiceError> {
    match value {
        Some(v) if v > max => Err(invalid(field, format!("must be between 0 and {max}"))),
        Some(v) => Ok(v as i32),
        None => Ok(0),
    }
}

/// Seats per time slot, if the event type is seated.
fn seats(value: Option<&Value>) -> Result<Option<i32>, ServiceError> {
    let Some(seats) = value.filter(|v| !is_disabled(v)) else {
        return Ok(None);
    };
    let n = seats
        .get("seatsPerTimeSlot")
        .and_then(Value::as_u64)
        .filter(|n| (1..=u64::from(MAX_SEATS)).contains(n))
        .ok_or_else(|| {
            invalid(
                "seats.seatsPerTimeSlot",
                format!("must be between 1 and {MAX_SEATS}"),
            )
        })?;
    Ok(Some(n as i32))
}

/// Whether bookings need confirmation, and whether unconfirmed ones block their time.
fn confirmation(policy: Option<&Value>) -> Result<(bool, bool), ServiceError> {
    let Some(policy) = policy.filter(|v| !is_disabled(v)) else {
        return Ok((false, false));
    };
    settings::confirmation_rule(policy).map_err(|e| setting_invalid("confirmationPolicy", e))?;
    let blocks = policy
        .get("blockUnconfirmedBookingsInBooker")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok((true, blocks))
}

fn locations(list: &[Value]) -> Result<Vec<Location>, ServiceError> {
    list.iter()
        .enumerate()
        .map(|(i, l)| {
            Location::read(l.clone()).map_err(|e| setting_invalid(&format!("locations[{i}]"), e))
        })
        .collect()
}

/// The success redirect, the booking title template and the recurrence.
fn page_options(input: &EventTypeInput) -> Result<(), ServiceError> {
    if let Some(url) = input
        .success_redirect_url
        .as_deref()
        .filter(|u| !u.is_empty())
    {
        check_web_url(url).map_err(|m| invalid("successRedirectUrl", m))?;
    }
    if let Some(name) = &input.custom_name
        && name.chars().count() > 255
    {
        return Err(invalid("customName", "is longer than 255 characters"));
    }
    if let Some(r) = input.recurrence.as_ref().filter(|v| !is_disabled(v)) {
        recurrence(r, input.seats.as_ref().is_some_and(|s| !is_disabled(s)))?;
    }
    Ok(())
}

/// Most occurrences one booking may repeat into, and the longest step between two: Cal.com's
/// API sets no bound; these keep a series' transaction and its dates reasonable.
pub const MAX_OCCURRENCES: u32 = 52;
pub const MAX_RECURRENCE_INTERVAL: u32 = 99;

/// A new `recurrence`: the stored reader's rules, at least two occurrences, the bounds above,
/// and no seats (a seat is a place in one booking; a series is several bookings).
fn recurrence(value: &Value, seated: bool) -> Result<(), ServiceError> {
    let r = settings::recurrence(value).map_err(|e| setting_invalid("recurrence", e))?;
    if !(2..=MAX_OCCURRENCES).contains(&r.occurrences) {
        return Err(invalid(
            "recurrence.occurrences",
            format!("must be between 2 and {MAX_OCCURRENCES}"),
        ));
    }
    if r.interval > MAX_RECURRENCE_INTERVAL {
        return Err(invalid(
            "recurrence.interval",
            format!("must be between 1 and {MAX_RECURRENCE_INTERVAL}"),
        ));
    }
    if seated {
        return Err(invalid(
            "recurrence",
            "cannot be combined with seats; disable one of them",
        ));
    }
    Ok(())
}

fn metadata(value: Option<&Value>) -> Result<String, ServiceError> {
    match value {
        None | Some(Value::Null) => Ok("{}".to_owned()),
        Some(Value::Object(m)) => Ok(to_json(m)),
        Some(_) => Err(invalid("metadata", "must be an object")),
    }
}

fn booking_window(value: Option<&Value>) -> Result<Option<String>, ServiceError> {
    let Some(value) = value.filter(|v| !is_disabled(v)) else {
        return Ok(None);
    };
    crate::domain::parse_booking_window(value)
        .map_err(|e| invalid(&format!("bookingWindow.{}", e.at), e.message))?;
    Ok(Some(value.to_string()))
}

/// Per-period limits as stored, `None` when there are none.
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
    Ok(Some(to_json(&limits)))
}

/// The `settings` column: the page and lifecycle options, and the seats and confirmation
/// objects as given.
fn stored_settings(input: &EventTypeInput) -> StoredSettings {
    let enabled = |v: &Option<Value>| v.clone().filter(|v| !is_disabled(v));
    StoredSettings {
        disable_guests: input.disable_guests,
        success_redirect_url: input.success_redirect_url.clone(),
        forward_params_success_redirect: input.forward_params_success_redirect,
        lock_time_zone_toggle_on_booking_page: input.lock_time_zone_toggle_on_booking_page,
        default_reminders: input.default_reminders,
        disable_cancelling: input.disable_cancelling.clone(),
        disable_rescheduling: input.disable_rescheduling.clone(),
        custom_name: input.custom_name.clone(),
        color: input.color.clone(),
        recurrence: enabled(&input.recurrence),
        seats: enabled(&input.seats),
        confirmation_policy: enabled(&input.confirmation_policy),
    }
}

/// A team event type's scheduling type, hosts and host groups; personal ones have none.
struct Team {
    scheduling: Option<SchedulingType>,
    hosts: Option<Vec<WantedHost>>,
    host_groups: Option<Vec<HostGroupRecord>>,
}

fn team(input: &EventTypeInput, target: Target) -> Result<Team, ServiceError> {
    if target == Target::Personal {
        if input.scheduling_type.is_some() || input.hosts.is_some() {
            return Err(invalid(
                "schedulingType",
                "only team event types have a scheduling type and hosts; create it under /v2/teams/{teamId}/event-types",
            ));
        }
        if input.host_groups.as_ref().is_some_and(|g| !g.is_empty()) {
            return Err(invalid(
                "hostGroups",
                "only round-robin team event types have host groups",
            ));
        }
        return Ok(Team {
            scheduling: None,
            hosts: None,
            host_groups: None,
        });
    }
    let raw = input
        .scheduling_type
        .as_deref()
        .ok_or_else(|| invalid("schedulingType", "is required: COLLECTIVE or ROUND_ROBIN"))?;
    let kind = SchedulingType::parse(raw).ok_or_else(|| {
        invalid(
            "schedulingType",
            format!("`{raw}` is not COLLECTIVE or ROUND_ROBIN"),
        )
    })?;
    let host_groups = input
        .host_groups
        .as_deref()
        .map(|list| host_groups(list, kind))
        .transpose()?;
    let known = host_groups.as_deref().unwrap_or_default();
    let hosts = input
        .hosts
        .as_deref()
        .map(|list| hosts(list, kind, known))
        .transpose()?;
    Ok(Team {
        scheduling: Some(kind),
        hosts,
        host_groups,
    })
}

/// Round-robin host groups: a name each, ids unique (a new UUID where the client gave none).
fn host_groups(
    list: &[super::input::HostGroupInput],
    kind: SchedulingType,
) -> Result<Vec<HostGroupRecord>, ServiceError> {
    if !list.is_empty() && kind != SchedulingType::RoundRobin {
        return Err(invalid(
            "hostGroups",
            "only round-robin event types have host groups; remove them or set schedulingType to ROUND_ROBIN",
        ));
    }
    if list.len() > MAX_HOST_GROUPS {
        return Err(invalid(
            "hostGroups",
            format!("at most {MAX_HOST_GROUPS} host groups"),
        ));
    }
    let mut out: Vec<HostGroupRecord> = Vec::with_capacity(list.len());
    for (i, g) in list.iter().enumerate() {
        let name = g.name.trim();
        if name.is_empty() || name.chars().count() > MAX_GROUP_NAME {
            return Err(invalid(
                &format!("hostGroups[{i}].name"),
                format!("must be 1 to {MAX_GROUP_NAME} characters"),
            ));
        }
        let id = match &g.id {
            Some(id) => group_id(&format!("hostGroups[{i}].id"), id)?,
            None => uuid::Uuid::new_v4().to_string(),
        };
        if out.iter().any(|o| o.id == id) {
            return Err(invalid(
                &format!("hostGroups[{i}].id"),
                format!("`{id}` is listed twice"),
            ));
        }
        out.push(HostGroupRecord {
            id,
            name: name.to_owned(),
        });
    }
    Ok(out)
}

fn group_id(field: &str, raw: &str) -> Result<String, ServiceError> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_GROUP_ID
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(invalid(
            field,
            format!("must be 1 to {MAX_GROUP_ID} letters, digits, `-` or `_` (a UUID, say)"),
        ));
    }
    Ok(raw.to_owned())
}

fn hosts(
    list: &[super::HostInput],
    kind: SchedulingType,
    groups: &[HostGroupRecord],
) -> Result<Vec<WantedHost>, ServiceError> {
    let mut out: Vec<WantedHost> = Vec::new();
    for (i, h) in list.iter().enumerate() {
        if out.iter().any(|o| o.host.user_id == h.user_id) {
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
        let group_id = host_group(i, h, kind, groups)?;
        out.push(WantedHost {
            host: NewHost {
                user_id: h.user_id,
                // Collective events book everyone; every host is fixed.
                is_fixed: h.mandatory || kind == SchedulingType::Collective,
                weight: weight as i32,
                priority: priority(&format!("hosts[{i}].priority"), h.priority.as_deref())?,
            },
            group_id,
        });
    }
    Ok(out)
}

/// A host's group: only a round-robin (non-mandatory) host has one, and it is one of `groups`.
fn host_group(
    i: usize,
    h: &super::HostInput,
    kind: SchedulingType,
    groups: &[HostGroupRecord],
) -> Result<Option<String>, ServiceError> {
    let Some(id) = &h.group_id else {
        return Ok(None);
    };
    let field = format!("hosts[{i}].groupId");
    if kind != SchedulingType::RoundRobin {
        return Err(invalid(
            &field,
            "only round-robin event types have host groups",
        ));
    }
    if h.mandatory {
        return Err(invalid(
            &field,
            "a mandatory (fixed) host attends every booking and belongs to no group",
        ));
    }
    if !groups.iter().any(|g| &g.id == id) {
        let known: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
        return Err(invalid(
            &field,
            format!(
                "`{id}` is not one of this event type's hostGroups ({}); add the group to hostGroups first",
                if known.is_empty() {
                    "it has none".to_owned()
                } else {
                    known.join(", ")
                }
            ),
        ));
    }
    Ok(Some(id.clone()))
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::event_types::settings::Settings;
    use crate::storage::event_types::EventTypeRecord;

    fn input(body: Value) -> EventTypeInput {
        serde_json::from_value(body).unwrap()
    }

    fn message(body: Value) -> String {
        match validate(&input(body), Target::Personal) {
            Err(ServiceError::Invalid(m)) => m,
            other => panic!("expected Invalid, got {:?}", other.map(|v| v.fields)),
        }
    }

    /// A record as the store would return it after writing `fields`.
    fn stored(fields: EventTypeFields) -> EventTypeRecord {
        let now = chrono::Utc::now();
        EventTypeRecord {
            id: 7,
            owner_id: Some(1),
            team_id: None,
            slug: fields.slug,
            title: fields.title,
            description: fields.description,
            length_minutes: fields.length_minutes,
            length_options: fields.length_options,
            slot_interval: fields.slot_interval,
            offset_start: fields.offset_start,
            before_buffer: fields.before_buffer,
            after_buffer: fields.after_buffer,
            minimum_notice: fields.minimum_notice,
            booking_window: fields.booking_window,
            booking_limits: fields.booking_limits,
            duration_limits: fields.duration_limits,
            seats_per_slot: fields.seats_per_slot,
            requires_confirmation: fields.requires_confirmation,
            unconfirmed_blocks_slot: fields.unconfirmed_blocks_slot,
            booking_fields: fields.booking_fields,
            locations: fields.locations,
            schedule_id: fields.schedule_id,
            restriction_schedule_id: fields.restriction_schedule_id,
            scheduling_type: None,
            hidden: fields.hidden,
            only_show_first_slot: fields.only_show_first_slot,
            settings: fields.settings,
            metadata: fields.metadata,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn what_validation_stores_reads_back() {
        let body = json!({
            "title": "Intro", "slug": "intro", "lengthInMinutes": 30,
            "lengthInMinutesOptions": [15, 30],
            "bookingWindow": {"type": "businessDays", "value": 5, "rolling": true},
            "bookingLimitsCount": {"day": 3},
            "seats": {"seatsPerTimeSlot": 4, "showAttendeeInfo": false},
            "confirmationPolicy": {"type": "time", "noticeThreshold": {"unit": "hours", "count": 2},
                                   "blockUnconfirmedBookingsInBooker": true},
            "bookingFields": [{"type": "text", "slug": "company", "label": "Company"}],
            "locations": [{"type": "phone", "phone": "+12125550100"}],
            "disableGuests": true, "disableCancelling": {"disabled": true},
            "metadata": {"crm": "x"}
        });
        let validated = validate(&input(body), Target::Personal).unwrap();
        let settings = Settings::from_record(&stored(validated.fields)).unwrap();
        assert_eq!(settings.lengths, vec![30, 15]);
        assert_eq!(settings.booking_limits.unwrap().day, Some(3));
        let seats = settings.seats.unwrap();
        assert_eq!(
            (
                seats.per_slot,
                seats.show_attendee_info,
                seats.show_availability_count
            ),
            (4, false, true)
        );
        assert_eq!(
            settings.confirmation.rule,
            settings::Confirmation::WhenNoticeUnder { minutes: 120 }
        );
        assert!(settings.confirmation.needed(119) && !settings.confirmation.needed(120));
        assert!(settings.confirmation.unconfirmed_blocks);
        assert_eq!(settings.booking_fields[0].slug, "company");
        assert_eq!(settings.locations[0].value.as_deref(), Some("+12125550100"));
        assert!(settings.page.guests_disabled());
        assert!(settings.page.cancelling_disabled());
        assert!(!settings.page.rescheduling_disabled());
        assert_eq!(settings.metadata["crm"], "x");
    }

    #[test]
    fn a_recurrence_reads_back_and_refuses_seats() {
        let body = json!({
            "title": "Weekly", "slug": "weekly", "lengthInMinutes": 30,
            "recurrence": {"frequency": "weekly", "interval": 1, "occurrences": 4},
        });
        let validated = validate(&input(body.clone()), Target::Personal).unwrap();
        let settings = Settings::from_record(&stored(validated.fields)).unwrap();
        assert_eq!(settings.page.recurrence.unwrap().value.occurrences, 4);
        let mut seated = body;
        seated["seats"] = json!({"seatsPerTimeSlot": 3});
        let m = message(seated);
        assert!(
            m.starts_with("recurrence: cannot be combined with seats"),
            "{m}"
        );
    }

    #[test]
    fn a_stored_value_that_does_not_read_is_corrupt_storage() {
        let base = json!({"title": "Intro", "slug": "intro", "lengthInMinutes": 30});
        let good = stored(validate(&input(base), Target::Personal).unwrap().fields);
        type Corruption = fn(&mut EventTypeRecord);
        let cases: [(&str, Corruption); 6] = [
            ("booking_window", |r| {
                r.booking_window = Some("{\"type\":\"weeks\"}".into())
            }),
            ("booking_limits", |r| r.booking_limits = Some("[1]".into())),
            ("settings", |r| {
                r.settings = "{\"disableGuests\":\"yes\"}".into()
            }),
            ("booking_fields", |r| r.booking_fields = "not json".into()),
            ("locations", |r| {
                r.locations = "[{\"type\":\"link\",\"link\":\"x\"}]".into()
            }),
            ("metadata", |r| r.metadata = "[]".into()),
        ];
        for (name, corrupt) in cases {
            let mut record = good.clone();
            corrupt(&mut record);
            match Settings::from_record(&record) {
                Err(crate::storage::StorageError::Corrupt { column, id, .. }) => {
                    assert_eq!((column, id), (name, 7));
                }
                other => panic!("{name}: expected Corrupt, got {other:?}"),
            }
        }
        assert!(Settings::from_record(&good).is_ok());
    }

    #[test]
    fn errors_name_the_api_field() {
        let base = |extra: Value| {
            let mut body = json!({"title": "T", "slug": "t", "lengthInMinutes": 30});
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            body
        };
        let cases = [
            (
                json!({"bookingWindow": {"type": "weeks"}}),
                "bookingWindow.type",
            ),
            (
                json!({"confirmationPolicy": {"type": "time"}}),
                "confirmationPolicy.noticeThreshold",
            ),
            (
                json!({"confirmationPolicy": {"type": "later"}}),
                "confirmationPolicy.type",
            ),
            (
                json!({"bookingFields": [{"slug": "a"}]}),
                "bookingFields[0].type",
            ),
            (
                json!({"locations": [{"type": "address"}]}),
                "locations[0].address",
            ),
            (
                json!({"recurrence": {"frequency": "daily"}}),
                "recurrence.frequency",
            ),
            (
                json!({"recurrence": {"frequency": "weekly", "interval": 0}}),
                "recurrence.interval",
            ),
            (
                json!({"recurrence": {"frequency": "weekly", "interval": 1, "occurrences": 1}}),
                "recurrence.occurrences",
            ),
            (
                json!({"recurrence": {"frequency": "monthly", "interval": 1, "occurrences": 53}}),
                "recurrence.occurrences",
            ),
            (
                json!({"recurrence": {"frequency": "yearly", "interval": 100, "occurrences": 2}}),
                "recurrence.interval",
            ),
            (
                json!({"seats": {"seatsPerTimeSlot": 0}}),
                "seats.seatsPerTimeSlot",
            ),
            (
                json!({"bookingLimitsCount": {"day": 0}}),
                "bookingLimitsCount.day",
            ),
        ];
        for (extra, field) in cases {
            let m = message(base(extra.clone()));
            assert!(m.starts_with(&format!("{field}: ")), "{extra}: {m}");
        }
    }
}
