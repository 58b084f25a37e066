//! A stored event type, loaded: its record, its settings read into typed values, and what its
//! API view needs (hosts, owner). Use cases and pages read settings from here; nothing here
//! reads JSON.

use super::input::{EventTypeInput, to_input};
use super::settings::Settings;
use crate::storage::event_types::{EventTypeRecord, HostRecord, Owner, SchedulingType};
use crate::storage::users;

/// A stored event type with what its API view needs.
#[derive(Debug, Clone)]
pub struct EventType {
    /// The columns. Its JSON columns are read once, into `settings`: read those there.
    pub record: EventTypeRecord,
    pub settings: Settings,
    /// Team event types: their hosts. Personal ones: empty.
    pub hosts: Vec<HostRecord>,
    /// The owner's username, or the team's slug.
    pub path_owner: String,
    pub owner_name: String,
    /// The personal owner (id, name, username, email, timeZone) for `users`.
    pub owner_user: Option<users::User>,
}

impl EventType {
    pub fn scheduling(&self) -> Option<SchedulingType> {
        match self.record.owner() {
            Owner::User(_) => None,
            Owner::Team { scheduling, .. } => Some(scheduling),
        }
    }

    /// The fields in the API's vocabulary, every one filled in.
    pub fn input(&self) -> EventTypeInput {
        to_input(&self.record, &self.settings, &self.hosts)
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

    /// Confirmation needed for a booking starting `minutes_ahead` from now.
    pub fn needs_confirmation(&self, minutes_ahead: i64) -> bool {
        self.settings.confirmation.needed(minutes_ahead)
    }
}
