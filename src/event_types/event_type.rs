//! A stored event type, loaded: its record, its settings read into typed values, and what its
//! API view needs (hosts, owner). Use cases and pages read settings from here; nothing here
//! reads JSON.

use super::input::{EventTypeInput, to_input};
use super::settings::Settings;
use crate::storage::event_types::{
    EventTypeRecord, HostGroupRecord, HostRecord, Owner, SchedulingType,
};
use crate::storage::users;

/// A stored event type with what its API view needs.
#[derive(Debug, Clone)]
pub struct EventType {
    /// The columns. Its JSON columns are read once, into `settings`: read those there.
    pub record: EventTypeRecord,
    pub settings: Settings,
    /// Team event types: their hosts. Personal ones: empty.
    pub hosts: Vec<HostRecord>,
    /// Round-robin team event types: their host groups (hosts name them by id). Others: empty.
    pub host_groups: Vec<HostGroupRecord>,
    /// The owner's username, or the team's slug.
    pub path_owner: String,
    pub owner_name: String,
    /// The personal owner (id, name, username, email, timeZone) for `users`.
    pub owner_user: Option<users::User>,
}

impl EventType {
    /// The event type with its round-robin hosts narrowed to `ids` (a routing form's route,
    /// Cal.com's `routedTeamMemberIds`); fixed hosts stay. Only a team round-robin event
    /// type's hosts can be narrowed, and only to its own round-robin hosts.
    pub fn routed_to(mut self, ids: &[i64]) -> Result<Self, String> {
        if self.scheduling() != Some(SchedulingType::RoundRobin) {
            return Err("only a team round-robin event type's hosts can be narrowed".into());
        }
        if ids.is_empty() {
            return Err("names at least one host".into());
        }
        let is_pool_host = |id: i64| self.hosts.iter().any(|h| h.user_id == id && !h.is_fixed);
        if let Some(id) = ids.iter().find(|id| !is_pool_host(**id)) {
            return Err(format!(
                "user {id} is not a round-robin host of event type {}",
                self.record.id
            ));
        }
        self.hosts
            .retain(|h| h.is_fixed || ids.contains(&h.user_id));
        Ok(self)
    }

    pub fn scheduling(&self) -> Option<SchedulingType> {
        match self.record.owner() {
            Owner::User(_) => None,
            Owner::Team { scheduling, .. } => Some(scheduling),
        }
    }

    /// The fields in the API's vocabulary, every one filled in.
    pub fn input(&self) -> EventTypeInput {
        to_input(&self.record, &self.settings, &self.hosts, &self.host_groups)
    }

    pub fn booking_path(&self) -> String {
        match self.record.team_id {
            Some(_) => format!("team/{}/{}", self.path_owner, self.record.slug),
            None => format!("{}/{}", self.path_owner, self.record.slug),
        }
    }

    /// Lengths a booker may choose, the default first.
    pub fn lengths(&self) -> &[u32] {
        &self.settings.lengths
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

    /// A booking's title: the event type's event-name template (`customName`) with the
    /// organiser, the attendee and the location filled in, else "{title} between {organiser}
    /// and {attendee}", as Cal.com names bookings.
    pub fn booking_title(&self, organizer: &str, attendee: &str, location: Option<&str>) -> String {
        let custom = (self.settings.page.custom_name.as_deref()).filter(|n| !n.trim().is_empty());
        let title = &self.record.title;
        match custom {
            Some(template) => template
                .replace("{Event type title}", title)
                .replace("{EVENT_NAME}", title)
                .replace("{Organiser}", organizer)
                .replace("{ORGANIZER}", organizer)
                .replace("{Scheduler}", attendee)
                .replace("{ATTENDEE}", attendee)
                .replace("{Location}", location.unwrap_or_default())
                .replace("{LOCATION}", location.unwrap_or_default()),
            None => format!("{title} between {organizer} and {attendee}"),
        }
    }

    /// Whether the holders of a seated booking's seats may see each other (`showAttendeeInfo`);
    /// no for an event type that no longer has seats.
    pub fn seats_see_each_other(&self) -> bool {
        self.settings
            .seats
            .as_ref()
            .is_some_and(|s| s.show_attendee_info)
    }

    /// Confirmation needed for a booking starting `minutes_ahead` from now.
    pub fn needs_confirmation(&self, minutes_ahead: i64) -> bool {
        self.settings.confirmation.needed(minutes_ahead)
    }
}

/// The title one seat's holder reads of a seated booking: named as if they had booked it alone
/// (as Cal.com names a seat after its own booker), never after another seat's holder. Without a
/// holder (a bare link to the booking) the event type's title; without the event type (deleted)
/// a title from the organiser.
pub fn seat_title(
    event: Option<&EventType>,
    organizer: &str,
    holder: Option<&str>,
    location: Option<&str>,
) -> String {
    match (event, holder) {
        (Some(event), Some(holder)) => event.booking_title(organizer, holder, location),
        (Some(event), None) => event.record.title.clone(),
        (None, Some(holder)) => format!("Meeting between {organizer} and {holder}"),
        (None, None) => format!("Meeting with {organizer}"),
    }
}
