//! The engine's input and output: a fully described situation (event type, hosts with their
//! schedules and busy time, reservations, `now`) and the slots it allows. Times are Unix seconds
//! (UTC); durations are minutes as people write them.

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

use super::interval::Interval;
use super::schedule::Schedule;

pub type HostId = i64;

#[derive(Debug, Clone)]
pub struct Query {
    pub now: i64,
    /// Slots start within `[range.start, range.end]`.
    pub range: Interval,
    /// The booker's timezone: slot grid alignment, rolling windows, grouping by date.
    pub booker_tz: Tz,
    /// The event's timezone: calendar periods of booking limits and fixed date ranges.
    pub event_tz: Tz,
    /// First day of the week for weekly limits.
    pub week_start: Weekday,
    pub event: EventType,
    pub hosts: Vec<Host>,
    pub reservations: Vec<Reservation>,
    /// The booker asking: their own reservations do not hide slots from them.
    pub booker_uid: Option<String>,
    /// A booking being rescheduled: it does not block its own new time.
    pub rescheduling_uid: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EventType {
    pub id: Option<i64>,
    /// The duration being booked (the requested one of several, or the length).
    pub length: u32,
    /// Step between slot starts; defaults to the length.
    pub interval: Option<u32>,
    pub offset_start: u32,
    pub minimum_notice: u32,
    pub before_buffer: u32,
    pub after_buffer: u32,
    pub window: BookingWindow,
    pub booking_limits: PeriodLimits,
    pub duration_limits: PeriodLimits,
    pub seats: Option<u32>,
    /// Pending (unconfirmed) bookings block time like accepted ones.
    pub unconfirmed_blocks: bool,
    pub only_first_slot: bool,
    pub scheduling: Scheduling,
    pub restriction: Option<Schedule>,
}

impl EventType {
    /// Step between slot starts in minutes: the interval (else the length) plus the offset.
    pub fn step_minutes(&self) -> u32 {
        self.frequency() + self.offset_start
    }

    pub fn frequency(&self) -> u32 {
        self.interval.unwrap_or(self.length).max(1)
    }
}

/// Who must be free: one person, everyone (collective), or one of a pool (round robin).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scheduling {
    Personal,
    Collective,
    RoundRobin,
}

/// How far ahead bookers may book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingWindow {
    Unlimited,
    /// Until the end of the day `days` (calendar or business) days after today.
    Rolling {
        days: u32,
        business_days: bool,
    },
    /// Until `days` days that have slots have been offered, counting from today.
    RollingBookable {
        days: u32,
        business_days: bool,
    },
    /// Between two dates, inclusive, in the event's timezone.
    Range {
        first: NaiveDate,
        last: NaiveDate,
    },
}

/// A limit per calendar day, week, month and year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodLimits {
    pub day: Option<u32>,
    pub week: Option<u32>,
    pub month: Option<u32>,
    pub year: Option<u32>,
}

impl PeriodLimits {
    pub fn is_empty(&self) -> bool {
        self.day.is_none() && self.week.is_none() && self.month.is_none() && self.year.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct Host {
    pub id: HostId,
    /// Fixed hosts are always booked; non-fixed hosts of a round-robin event are a pool.
    pub fixed: bool,
    pub group: Option<String>,
    pub schedule: Schedule,
    /// External calendar busy time.
    pub busy: Vec<Interval>,
    pub bookings: Vec<Booking>,
    pub out_of_office: Vec<Interval>,
}

/// A booking's state: the one status type of storage, use cases, webhooks, emails and pages.
/// Cal.com's upper-case names (`ACCEPTED`, …) are its form at the edges (the database, JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BookingStatus {
    Accepted,
    Pending,
    Cancelled,
    Rejected,
    AwaitingHost,
}

impl BookingStatus {
    pub const ALL: [Self; 5] = [
        Self::Accepted,
        Self::Pending,
        Self::Cancelled,
        Self::Rejected,
        Self::AwaitingHost,
    ];
    /// The statuses of a booking that still takes place (confirmed or awaiting confirmation).
    pub const ACTIVE: [Self; 2] = [Self::Accepted, Self::Pending];

    /// Cal.com's name, as stored and as the API and webhooks write it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "ACCEPTED",
            Self::Pending => "PENDING",
            Self::Cancelled => "CANCELLED",
            Self::Rejected => "REJECTED",
            Self::AwaitingHost => "AWAITING_HOST",
        }
    }

    /// The lower-case form API v2 bookings use (`accepted`, `awaiting_host`).
    pub const fn lower(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Pending => "pending",
            Self::Cancelled => "cancelled",
            Self::Rejected => "rejected",
            Self::AwaitingHost => "awaiting_host",
        }
    }

    /// Reads Cal.com's name, in either case.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(raw))
    }

    /// Still takes place: accepted, or pending confirmation.
    pub fn is_active(self) -> bool {
        Self::ACTIVE.contains(&self)
    }
}

impl std::fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Booking {
    pub uid: Option<String>,
    pub interval: Interval,
    pub event_type_id: Option<i64>,
    pub status: BookingStatus,
    /// The booking's own event type's buffers.
    pub before_buffer: u32,
    pub after_buffer: u32,
    pub attendees: u32,
}

#[derive(Debug, Clone)]
pub struct Reservation {
    /// The reserved host; `None` reserves the slot for every host.
    pub host_id: Option<HostId>,
    pub slot: Interval,
    pub booker_uid: String,
    pub until: i64,
}

/// A bookable start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub start: i64,
    pub end: i64,
    /// Hosts free for this slot: every host for personal and collective events; the fixed hosts
    /// and the free round-robin hosts for round robin.
    pub hosts: Vec<HostId>,
    /// Seats already taken, for seated events.
    pub attendees: Option<u32>,
    pub booking_uid: Option<String>,
}
