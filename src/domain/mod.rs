//! Domain values that can only hold valid data ("parse, don't validate"). Every input from
//! outside (HTTP, CLI, config) passes through one of these before it reaches a use case.
//! No IO here.

mod booking_window;
mod email;
mod hours;
mod names;
mod phone;
pub mod text;
mod time_zone;

pub use booking_window::{BookingWindowError, parse_booking_window};
pub use email::Email;
pub use hours::{format_time_of_day, parse_hours, parse_time_of_day, parse_weekday, weekday_name};
pub use names::{PersonName, Slug, Username};
pub use phone::PhoneNumber;
pub use text::TextKind;
pub use time_zone::{City, TimeZoneName};

pub use crate::availability::BookingStatus;

/// The longest buffer an event type keeps free before or after its meetings, in minutes: a
/// booking's claim on its hosts' time starts at most this long before the booking.
pub const MAX_BUFFER_MINUTES: u32 = 1440;

/// What a user may do beyond their own data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "USER",
            Self::Admin => "ADMIN",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "USER" => Ok(Self::User),
            "ADMIN" => Ok(Self::Admin),
            other => Err(format!("unknown role `{other}`; expected USER or ADMIN")),
        }
    }
}
