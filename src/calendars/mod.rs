//! External calendars: the hosts' Google, Microsoft 365, CalDAV and ICS calendars block their
//! availability and receive their bookings. Each provider is a module behind one contract
//! ([`provider::CalendarApi`]); the busy cache lives in the database and is the only thing the
//! slot path reads; sync and write-back run as jobs on the job runner.

pub mod google;
pub mod oauth;
pub mod provider;

pub use oauth::OAuthApp;
pub use provider::{
    Account, BusyBlock, CalendarApi, CalendarBusy, CalendarCursor, Credentials, EventDraft,
    ExternalCalendar, Person, ProviderError, WrittenEvent,
};
