//! The contract every external calendar provider fulfils (Google, Microsoft 365, CalDAV, ICS
//! feeds), in provider-neutral terms: the calendars of an account, the busy time of some of them
//! over a range (incrementally where the provider can tell what changed), and the events Kairos
//! writes for its bookings. Providers speak HTTP to their servers and nothing else: they never
//! read or write the database; the sync and write-back jobs do, around these calls.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a connection authenticates with, sealed at rest as JSON (`crypto::Purpose::CALENDAR_TOKEN`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Credentials {
    /// OAuth 2 (Google, Microsoft): a bearer token and the refresh token that renews it.
    #[serde(rename_all = "camelCase")]
    OAuth {
        access_token: String,
        refresh_token: Option<String>,
        /// When `access_token` stops working; refresh a little before.
        expires_at: Option<DateTime<Utc>>,
    },
    /// HTTP Basic (CalDAV: a user name and an app password).
    Password { username: String, password: String },
    /// Nothing (a public ICS feed; its secret, if any, is in its URL).
    None,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a token or a password, not even in a test's failure message.
        f.write_str(match self {
            Self::OAuth { .. } => "Credentials::OAuth(..)",
            Self::Password { .. } => "Credentials::Password(..)",
            Self::None => "Credentials::None",
        })
    }
}

/// One connected account as a provider call needs it. A call may renew the credentials (an
/// OAuth refresh); the caller then stores them again: compare with what it read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The CalDAV server or the ICS feed's URL; `None` for Google and Microsoft, whose API base
    /// URLs are the operator's configuration.
    pub url: Option<String>,
    pub credentials: Credentials,
    /// The owner's IANA zone: floating times and all-day events are read in it.
    pub time_zone: chrono_tz::Tz,
}

/// A calendar in a connected account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalCalendar {
    /// The provider's id: Google's calendar id, Graph's calendar id, the CalDAV collection's
    /// href, or the feed's URL.
    pub id: String,
    pub name: String,
    pub primary: bool,
    /// Kairos cannot write bookings into it (a feed, a shared read-only calendar).
    pub read_only: bool,
    /// An IANA zone name when the provider tells one.
    pub time_zone: Option<String>,
}

/// A calendar to read, with what the last successful read left behind for the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarCursor {
    pub calendar_id: String,
    /// Opaque to everyone but the provider: a Google `syncToken`, a Graph delta link, a CalDAV
    /// ctag or sync-token, an ICS feed's ETag / Last-Modified. `None`: read everything.
    pub state: Option<String>,
}

/// One busy block of an external calendar, in UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusyBlock {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The event's iCalendar UID where the provider tells it: an event Kairos wrote for a
    /// booking carries the booking's UID, so it is recognised as the booking itself.
    pub uid: Option<String>,
    /// A short description for conflict reports (the event's title, or "busy"). Never shown
    /// to bookers.
    pub summary: Option<String>,
}

/// What reading one calendar gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarBusy {
    /// Nothing changed since the cursor's state: the cached blocks stand.
    Unchanged,
    /// The calendar's busy blocks over the whole range asked for (blocks that merely overlap
    /// it included), replacing what was cached; `state` is the cursor for the next read.
    Replaced {
        blocks: Vec<BusyBlock>,
        state: Option<String>,
    },
}

/// The event Kairos writes into a host's calendar for a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    /// The booking's iCalendar UID (`{uid}@kairos`-style, as in its invites): the written
    /// event carries it, so syncs recognise it and invites and writes are one meeting.
    pub ical_uid: String,
    pub title: String,
    pub description: String,
    /// Where: an address, a phone number or a meeting URL, as the booking has it.
    pub location: Option<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The host's zone, for providers that store one with the event.
    pub time_zone: String,
    pub organizer: Person,
    pub attendees: Vec<Person>,
    /// Ask the provider for a meeting link (Google Meet, Microsoft Teams).
    pub conference: bool,
    pub cancelled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// A written event as stored for later changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenEvent {
    /// The provider's id of the event (Google/Graph event id, the CalDAV resource href).
    pub external_id: String,
    /// For conditional updates (CalDAV `If-Match`, Google's etag).
    pub etag: Option<String>,
    /// The meeting link the provider made, when one was asked for.
    pub meeting_url: Option<String>,
}

/// How a provider call failed; the caller decides what it means for the connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The credentials are no good and renewing them failed (`invalid_grant`, 401 after a
    /// refresh, a wrong password): the connection needs its owner.
    #[error("the provider refused the credentials: {0}")]
    Unauthorized(String),
    /// The provider asks to slow down (429, Google's `rateLimitExceeded`).
    #[error("rate limited by the provider")]
    RateLimited { retry_after: Option<Duration> },
    /// A failure worth retrying: 5xx, a timeout, a connection error.
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
    /// The cursor is no longer valid (Google 410, an expired sync-token): read everything.
    #[error("the provider's sync state expired")]
    CursorExpired,
    /// The event or calendar does not exist (any more).
    #[error("not found at the provider: {0}")]
    NotFound(String),
    /// An answer that makes no sense, a refused request, a feed that does not parse: trying
    /// again would not help until someone changes something.
    #[error("{0}")]
    Invalid(String),
}

/// What any provider does. Implementations are cheap to clone and share one HTTP client.
pub trait CalendarApi: Send + Sync {
    /// The account's calendars.
    fn calendars(
        &self,
        account: &mut Account,
    ) -> impl Future<Output = Result<Vec<ExternalCalendar>, ProviderError>> + Send;

    /// The busy time of `calendars` over `[from, to)`, one answer per cursor, in order.
    /// Transparent (free) and cancelled events are not busy; all-day events block their whole
    /// local day(s).
    fn busy(
        &self,
        account: &mut Account,
        calendars: &[CalendarCursor],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<CalendarBusy>, ProviderError>> + Send;

    /// Writes a new event into `calendar`.
    fn create_event(
        &self,
        account: &mut Account,
        calendar: &str,
        draft: &EventDraft,
    ) -> impl Future<Output = Result<WrittenEvent, ProviderError>> + Send;

    /// Changes an event written before (a reschedule, a new location).
    fn update_event(
        &self,
        account: &mut Account,
        calendar: &str,
        event: &WrittenEvent,
        draft: &EventDraft,
    ) -> impl Future<Output = Result<WrittenEvent, ProviderError>> + Send;

    /// Removes an event written before; one already gone is not an error.
    fn delete_event(
        &self,
        account: &mut Account,
        calendar: &str,
        event: &WrittenEvent,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send;
}
