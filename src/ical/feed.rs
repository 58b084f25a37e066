//! Reading iCalendar documents (ICS feeds, CalDAV resources) into busy time: events expanded
//! over a range (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) in their own zones, with
//! transparent and cancelled events left out and all-day events blocking whole local days.
//! Pure: text in, intervals out.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::calendars::BusyBlock;

/// Why a document could not be read; the message names what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FeedError(pub String);

/// The busy blocks of `document` that overlap `[from, to)`, sorted by start. Floating times
/// and all-day dates are read in `zone` (the calendar owner's).
pub fn busy_blocks(
    document: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: Tz,
) -> Result<Vec<BusyBlock>, FeedError> {
    let _ = (document, from, to, zone);
    Err(FeedError(
        "reading iCalendar feeds is being built (branch ics)".into(),
    ))
}
