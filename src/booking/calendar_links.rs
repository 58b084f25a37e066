//! "Add to calendar" for one booking: the links that open a new event in Google Calendar,
//! Microsoft 365 (Office) and Outlook.com, and the booking as a `.ics` download. The booking's
//! page and `GET /v2/bookings/{uid}/calendar-links` (Cal.com's ids and labels) both use them.

use chrono::{DateTime, SecondsFormat, Utc};

use super::BookingView;
use crate::ical;

/// Where a booking can be added, each a link that opens a filled-in new event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarLinks {
    pub google: String,
    /// Microsoft 365 (work and school accounts).
    pub office: String,
    /// Outlook.com (personal accounts).
    pub outlook: String,
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The links for `view`, whose description ends with its page (`page_url`).
pub fn calendar_links(view: &BookingView, page_url: &str) -> CalendarLinks {
    let r = &view.record;
    let details = format!("{}\n\n{page_url}", r.description);
    let details = details.trim();
    let location = r.location.clone().unwrap_or_default();
    let mut google = url::form_urlencoded::Serializer::new(String::new());
    google
        .append_pair("action", "TEMPLATE")
        .append_pair("text", &r.title)
        .append_pair(
            "dates",
            &format!("{}/{}", stamp(r.start_at), stamp(r.end_at)),
        )
        .append_pair("details", details)
        .append_pair("location", &location);
    let iso = |at: DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut compose = url::form_urlencoded::Serializer::new(String::new());
    compose
        .append_pair("path", "/calendar/action/compose")
        .append_pair("rru", "addevent")
        .append_pair("startdt", &iso(r.start_at))
        .append_pair("enddt", &iso(r.end_at))
        .append_pair("subject", &r.title)
        .append_pair("body", details)
        .append_pair("location", &location);
    let compose = compose.finish();
    CalendarLinks {
        google: format!(
            "https://calendar.google.com/calendar/render?{}",
            google.finish()
        ),
        office: format!("https://outlook.office.com/calendar/0/deeplink/compose?{compose}"),
        outlook: format!("https://outlook.live.com/calendar/0/deeplink/compose?{compose}"),
    }
}

/// `view` as an iCalendar file to download (`METHOD:PUBLISH`), made at `now`.
pub fn ics(view: &BookingView, page_url: &str, now: DateTime<Utc>) -> String {
    let r = &view.record;
    let host = view.hosts.first();
    let invite = ical::Invite {
        uid: &r.ical_uid,
        sequence: r.ical_sequence,
        stamp: now,
        start: r.start_at,
        end: r.end_at,
        summary: &r.title,
        description: &r.description,
        location: r.location.as_deref(),
        status: ical::status_of(r.status),
        organizer: ical::Person {
            name: host.map_or("", |h| h.name.as_str()),
            email: host.map_or("", |h| h.email.as_str()),
        },
        attendees: (view.attendees.iter())
            .map(|a| ical::Person {
                name: &a.name,
                email: &a.email,
            })
            .collect(),
        url: Some(page_url),
        method: "PUBLISH",
    };
    ical::render(&invite)
}
