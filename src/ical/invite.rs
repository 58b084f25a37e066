//! A booking as an iCalendar object: what the "add to calendar" download and the invitation
//! emails carry. Built with the `icalendar` crate; the caller supplies the facts.

use chrono::{DateTime, Utc};
use icalendar::{
    Attendee, Calendar, Component, Event, EventLike, EventStatus, PartStat, Property, Role,
};

use crate::domain::BookingStatus;

/// One booking's calendar entry.
#[derive(Debug, Clone)]
pub struct Invite<'a> {
    /// Stable across reschedules of the same meeting (the booking's `ical_uid`).
    pub uid: &'a str,
    /// Bumped on every change, so calendars replace the earlier copy.
    pub sequence: i32,
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    pub description: &'a str,
    pub location: Option<&'a str>,
    pub status: EventStatus,
    pub organizer: Person<'a>,
    pub attendees: Vec<Person<'a>>,
    /// The booking page, for people who open the entry later.
    pub url: Option<&'a str>,
    /// `PUBLISH` for a download, `REQUEST`/`CANCEL` for invitations.
    pub method: &'a str,
}

#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    pub name: &'a str,
    pub email: &'a str,
}

/// Maps a booking status to the calendar status.
pub fn status_of(booking_status: BookingStatus) -> EventStatus {
    match booking_status {
        BookingStatus::Accepted => EventStatus::Confirmed,
        BookingStatus::Pending => EventStatus::Tentative,
        _ => EventStatus::Cancelled,
    }
}

/// The whole `VCALENDAR`, CRLF line ends, long lines folded at 75 octets.
pub fn render(invite: &Invite<'_>) -> String {
    let mut event = Event::new();
    event
        .uid(&clean(invite.uid))
        .sequence(u32::try_from(invite.sequence).unwrap_or(0))
        .timestamp(invite.stamp)
        .starts(invite.start)
        .ends(invite.end)
        .summary(&clean(invite.summary))
        .status(invite.status)
        .append_property(
            Property::new("ORGANIZER", mailto(invite.organizer.email))
                .add_parameter("CN", &common_name(invite.organizer.name))
                .done(),
        );
    if !invite.description.is_empty() {
        event.description(&clean(invite.description));
    }
    if let Some(location) = invite.location.filter(|l| !l.is_empty()) {
        event.location(&clean(location));
    }
    if let Some(url) = invite.url {
        event.url(&clean(url));
    }
    let partstat = match invite.status {
        EventStatus::Tentative => PartStat::NeedsAction,
        _ => PartStat::Accepted,
    };
    for a in &invite.attendees {
        event.attendee(
            Attendee::new(mailto(a.email))
                .cn(common_name(a.name))
                .role(Role::ReqParticipant)
                .partstat(partstat)
                .rsvp(true),
        );
    }
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Kairos//Kairos Scheduling//EN"))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("METHOD", invite.method))
        .push(event.done());
    super::refold(&calendar.to_string())
}

fn mailto(email: &str) -> String {
    format!("mailto:{}", clean(email))
}

/// A value without control characters other than newline. The crate escapes backslash,
/// semicolon, comma and newline in TEXT values (RFC 5545 §3.3.11) but passes a CR or other
/// control character through, which would break the line.
pub(super) fn clean(value: &str) -> String {
    value
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}

/// A `CN` parameter value, always quoted. The crate quotes only values holding `:`, `;` or
/// `,`, and writes a value already in quotes as it is; quoting here keeps every name quoted
/// (`CN="Ada Host"`) and drops what a quoted value may not hold: DQUOTE and control
/// characters (RFC 5545 §3.1), which the crate would write unescaped.
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

    fn invite<'a>(summary: &'a str, description: &'a str) -> Invite<'a> {
        Invite {
            uid: "abc@kairos",
            sequence: 2,
            stamp: Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap(),
            start: Utc.with_ymd_and_hms(2026, 12, 1, 15, 0, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2026, 12, 1, 15, 30, 0).unwrap(),
            summary,
            description,
            location: Some("Room 1, Floor 2"),
            status: status_of(BookingStatus::Accepted),
            organizer: Person {
                name: "Ada \"the\" Host",
                email: "ada@example.com",
            },
            attendees: vec![Person {
                name: "Grace",
                email: "grace@example.com",
            }],
            url: None,
            method: "PUBLISH",
        }
    }

    /// The content lines, unfolded.
    fn lines(ics: &str) -> Vec<String> {
        ics.replace("\r\n ", "")
            .split_terminator("\r\n")
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn carries_the_required_properties_with_escaping() {
        let ics = render(&invite("Intro; call, with Ada", "Line one\nline two"));
        for expected in [
            "BEGIN:VCALENDAR\r\n",
            "VERSION:2.0\r\n",
            "PRODID:-//Kairos//Kairos Scheduling//EN\r\n",
            "METHOD:PUBLISH\r\n",
            "BEGIN:VEVENT\r\n",
            "UID:abc@kairos\r\n",
            "SEQUENCE:2\r\n",
            "DTSTAMP:20261101T080000Z\r\n",
            "DTSTART:20261201T150000Z\r\n",
            "DTEND:20261201T153000Z\r\n",
            "SUMMARY:Intro\\; call\\, with Ada\r\n",
            "DESCRIPTION:Line one\\nline two\r\n",
            "LOCATION:Room 1\\, Floor 2\r\n",
            "STATUS:CONFIRMED\r\n",
            "ORGANIZER;CN=\"Ada the Host\":mailto:ada@example.com\r\n",
            "ATTENDEE;CN=\"Grace\";PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:grace@example.com\r\n",
            "END:VEVENT\r\n",
            "END:VCALENDAR\r\n",
        ] {
            let unfolded = ics.replace("\r\n ", "");
            assert!(unfolded.contains(expected), "{expected:?} in {ics}");
        }
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        assert!(!ics.contains("URL:"), "{ics}");
    }

    #[test]
    fn every_property_appears_once_and_the_url_when_given() {
        let mut with_url = invite("Intro", "");
        with_url.url = Some("https://cal.example.com/booking/abc");
        let all = lines(&render(&with_url));
        for name in [
            "UID:",
            "DTSTAMP:",
            "SEQUENCE:",
            "ORGANIZER;",
            "STATUS:",
            "URL:",
        ] {
            let count = all.iter().filter(|l| l.starts_with(name)).count();
            assert_eq!(count, 1, "{name} in {all:#?}");
        }
        assert!(all.contains(&"URL:https://cal.example.com/booking/abc".to_owned()));
        assert!(!all.iter().any(|l| l.starts_with("DESCRIPTION")));
    }

    #[test]
    fn hostile_text_is_escaped_and_stays_on_its_line() {
        let summary = "a\\b; c, d: e\r\nf\tg\u{7}h";
        let ics = render(&invite(summary, "x\r\ny"));
        let all = lines(&ics);
        assert!(
            all.contains(&"SUMMARY:a\\\\b\\; c\\, d: e\\nfgh".to_owned()),
            "{all:#?}"
        );
        assert!(all.contains(&"DESCRIPTION:x\\ny".to_owned()), "{all:#?}");
        // No bare CR or LF anywhere but in the CRLF line ends.
        assert!(!ics.replace("\r\n", "").contains(['\r', '\n']), "{ics:?}");
    }

    #[test]
    fn names_are_quoted_whatever_they_hold() {
        let mut hostile = invite("Intro", "");
        hostile.organizer.name = "Lovelace, Ada: \"Countess\"; of\r\nLovelace";
        hostile.attendees = vec![
            Person {
                name: "Hopper, Grace",
                email: "grace@example.com",
            },
            Person {
                name: "",
                email: "anon@example.com",
            },
        ];
        let all = lines(&render(&hostile));
        for expected in [
            "ORGANIZER;CN=\"Lovelace, Ada: Countess; ofLovelace\":mailto:ada@example.com",
            "ATTENDEE;CN=\"Hopper, Grace\";PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:grace@example.com",
            "ATTENDEE;CN=\"\";PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:anon@example.com",
        ] {
            assert!(all.contains(&expected.to_owned()), "{expected} in {all:#?}");
        }
    }

    #[test]
    fn attendees_keep_their_order() {
        let mut two = invite("Intro", "");
        two.attendees.insert(
            0,
            Person {
                name: "Zed",
                email: "zed@example.com",
            },
        );
        let attendees: Vec<String> = lines(&render(&two))
            .into_iter()
            .filter(|l| l.starts_with("ATTENDEE"))
            .collect();
        assert!(
            attendees[0].ends_with("mailto:zed@example.com"),
            "{attendees:?}"
        );
        assert!(
            attendees[1].ends_with("mailto:grace@example.com"),
            "{attendees:?}"
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let long = "é".repeat(100);
        let ics = render(&invite(&long, ""));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        assert!(
            ics.replace("\r\n ", "")
                .contains(&format!("SUMMARY:{long}"))
        );
    }

    #[test]
    fn a_summary_of_any_length_folds_within_75_octets() {
        for len in 60..=230 {
            let summary = "s".repeat(len);
            let ics = render(&invite(&summary, ""));
            for line in ics.split("\r\n") {
                assert!(line.len() <= 75, "{len}: {} octets: {line}", line.len());
            }
            assert!(lines(&ics).contains(&format!("SUMMARY:{summary}")));
        }
    }

    #[test]
    fn tentative_invites_ask_attendees_to_answer() {
        let mut pending = invite("Intro", "");
        pending.status = status_of(BookingStatus::Pending);
        let all = lines(&render(&pending));
        assert!(all.contains(&"STATUS:TENTATIVE".to_owned()), "{all:#?}");
        assert!(
            all.iter()
                .any(|l| l.starts_with("ATTENDEE;") && l.contains(";PARTSTAT=NEEDS-ACTION;")),
            "{all:#?}"
        );
    }

    #[test]
    fn pending_is_tentative_and_cancelled_is_cancelled() {
        assert_eq!(status_of(BookingStatus::Accepted), EventStatus::Confirmed);
        assert_eq!(status_of(BookingStatus::Pending), EventStatus::Tentative);
        assert_eq!(status_of(BookingStatus::Cancelled), EventStatus::Cancelled);
        assert_eq!(status_of(BookingStatus::Rejected), EventStatus::Cancelled);
    }

    #[test]
    fn a_negative_sequence_is_written_as_zero() {
        let mut odd = invite("Intro", "");
        odd.sequence = -3;
        assert!(lines(&render(&odd)).contains(&"SEQUENCE:0".to_owned()));
    }
}
