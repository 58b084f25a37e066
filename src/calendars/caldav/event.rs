//! A booking as a CalDAV calendar object resource (RFC 4791 §4.1): one VEVENT with the
//! booking's UID, no METHOD, times in UTC, and `SCHEDULE-AGENT=CLIENT` on the organizer and
//! attendees, so scheduling servers (iCloud, Fastmail, Nextcloud) do not send invitations of
//! their own: Kairos sends them. Built with the `icalendar` crate; pure.
//!
//! Not `ical::render`: an invitation carries a METHOD, which a stored resource must not, and
//! lets the server schedule.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};
use sha2::{Digest, Sha256};

use crate::calendars::{EventDraft, Person};

/// The resource's text.
pub fn resource(draft: &EventDraft, stamp: DateTime<Utc>) -> String {
    let mut event = Event::new();
    event
        .uid(&clean(&draft.ical_uid))
        .timestamp(stamp)
        .starts(draft.start)
        .ends(draft.end)
        .summary(&clean(&draft.title))
        .status(if draft.cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        })
        .append_property(person("ORGANIZER", &draft.organizer).done());
    if !draft.description.is_empty() {
        event.description(&clean(&draft.description));
    }
    if let Some(location) = draft.location.as_deref().filter(|l| !l.is_empty()) {
        event.location(&clean(location));
    }
    for attendee in &draft.attendees {
        event.append_multi_property(
            person("ATTENDEE", attendee)
                .add_parameter("ROLE", "REQ-PARTICIPANT")
                .add_parameter("PARTSTAT", "ACCEPTED")
                .done(),
        );
    }
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Kairos//Kairos Scheduling//EN"))
        .push(event.done());
    calendar.to_string()
}

/// The resource's name in its collection: the UID when it is made of URL-safe characters,
/// else a safe form of it with a digest of the whole, so two UIDs never share a name.
pub fn resource_name(uid: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if !uid.is_empty() && uid.len() <= 128 && !uid.starts_with('.') && uid.chars().all(safe) {
        return format!("{uid}.ics");
    }
    let readable: String = uid
        .chars()
        .map(|c| if safe(c) { c } else { '-' })
        .take(64)
        .collect();
    let digest = hex::encode(Sha256::digest(uid.as_bytes()));
    format!("{}-{}.ics", readable.trim_start_matches('.'), &digest[..16])
}

fn person(name: &str, who: &Person) -> Property {
    let mut property = Property::new(name, format!("mailto:{}", clean(&who.email)));
    property
        .add_parameter("CN", &common_name(&who.name))
        .add_parameter("SCHEDULE-AGENT", "CLIENT");
    property
}

/// A TEXT value without control characters other than newline (the crate escapes the rest).
fn clean(value: &str) -> String {
    value
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}

/// A quoted `CN` value without what a quoted value may not hold (DQUOTE, controls).
fn common_name(name: &str) -> String {
    let inner: String = name
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    format!("\"{inner}\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn draft() -> EventDraft {
        EventDraft {
            ical_uid: "b1@kairos".into(),
            title: "Intro; with Ada".into(),
            description: "Line one\nline two".into(),
            location: Some("Room 1, Floor 2".into()),
            start: Utc.with_ymd_and_hms(2026, 12, 1, 15, 0, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2026, 12, 1, 15, 30, 0).unwrap(),
            time_zone: "Europe/Berlin".into(),
            organizer: Person {
                name: "Ada \"Host\"".into(),
                email: "ada@example.com".into(),
            },
            attendees: vec![Person {
                name: "Grace".into(),
                email: "grace@example.com".into(),
            }],
            conference: false,
            cancelled: false,
        }
    }

    #[test]
    fn a_stored_event_has_no_method_and_schedules_nothing() {
        let stamp = Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap();
        let text = resource(&draft(), stamp).replace("\r\n ", "");
        for expected in [
            "UID:b1@kairos\r\n",
            "DTSTART:20261201T150000Z\r\n",
            "DTEND:20261201T153000Z\r\n",
            "SUMMARY:Intro\\; with Ada\r\n",
            "DESCRIPTION:Line one\\nline two\r\n",
            "LOCATION:Room 1\\, Floor 2\r\n",
            "STATUS:CONFIRMED\r\n",
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
        let organizer = text.lines().find(|l| l.starts_with("ORGANIZER")).unwrap();
        assert!(organizer.contains("CN=\"Ada Host\""), "{organizer}");
        assert!(organizer.contains("SCHEDULE-AGENT=CLIENT"), "{organizer}");
        assert!(
            organizer.ends_with(":mailto:ada@example.com"),
            "{organizer}"
        );
        let attendee = text.lines().find(|l| l.starts_with("ATTENDEE")).unwrap();
        assert!(attendee.contains("SCHEDULE-AGENT=CLIENT"), "{attendee}");
        assert!(
            attendee.ends_with(":mailto:grace@example.com"),
            "{attendee}"
        );
        assert!(!text.contains("METHOD"), "{text}");
    }

    #[test]
    fn a_cancelled_booking_is_a_cancelled_event() {
        let mut cancelled = draft();
        cancelled.cancelled = true;
        assert!(resource(&cancelled, Utc::now()).contains("STATUS:CANCELLED\r\n"));
    }

    #[test]
    fn resource_names_are_safe_and_distinct() {
        assert_eq!(resource_name("abc-123.x_y"), "abc-123.x_y.ics");
        let at = resource_name("b1@kairos");
        let slash = resource_name("b1/kairos");
        assert!(at.starts_with("b1-kairos-") && at.ends_with(".ics"), "{at}");
        assert_ne!(at, slash);
        for hostile in [
            "../x",
            "/etc/passwd",
            "a?b#c",
            "",
            ".hidden",
            &"x".repeat(500),
        ] {
            let name = resource_name(hostile);
            assert!(!name.starts_with('.'), "{name}");
            assert!(!name.contains('/') && !name.contains('?') && !name.contains('#'));
            assert!(name.len() <= 64 + 1 + 16 + 4, "{name}");
        }
    }
}
