//! A booking as an iCalendar object (RFC 5545): what the "add to calendar" download and the
//! invitation emails carry. Pure text building; the caller supplies the facts.

use chrono::{DateTime, Utc};

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
    /// `CONFIRMED`, `TENTATIVE` or `CANCELLED`.
    pub status: &'a str,
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
pub fn status_of(booking_status: BookingStatus) -> &'static str {
    match booking_status {
        BookingStatus::Accepted => "CONFIRMED",
        BookingStatus::Pending => "TENTATIVE",
        _ => "CANCELLED",
    }
}

/// The whole `VCALENDAR`, CRLF line ends, long lines folded at 75 octets.
pub fn render(invite: &Invite<'_>) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Kairos//Kairos Scheduling//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("METHOD:{}", invite.method),
        "BEGIN:VEVENT".into(),
        format!("UID:{}", text(invite.uid)),
        format!("SEQUENCE:{}", invite.sequence.max(0)),
        format!("DTSTAMP:{}", stamp(invite.stamp)),
        format!("DTSTART:{}", stamp(invite.start)),
        format!("DTEND:{}", stamp(invite.end)),
        format!("SUMMARY:{}", text(invite.summary)),
    ];
    if !invite.description.is_empty() {
        lines.push(format!("DESCRIPTION:{}", text(invite.description)));
    }
    if let Some(location) = invite.location.filter(|l| !l.is_empty()) {
        lines.push(format!("LOCATION:{}", text(location)));
    }
    if let Some(url) = invite.url {
        lines.push(format!("URL:{}", url));
    }
    lines.push(format!("STATUS:{}", invite.status));
    lines.push(format!(
        "ORGANIZER;CN={}:mailto:{}",
        param(invite.organizer.name),
        invite.organizer.email
    ));
    let partstat = if invite.status == "TENTATIVE" {
        "NEEDS-ACTION"
    } else {
        "ACCEPTED"
    };
    for a in &invite.attendees {
        lines.push(format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};RSVP=TRUE:mailto:{}",
            param(a.name),
            a.email
        ));
    }
    lines.push("END:VEVENT".into());
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in lines {
        fold(&line, &mut out);
    }
    out
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT values: backslash, semicolon, comma and newlines escaped (RFC 5545 §3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Parameter values: quoted, with the characters a quoted value may not hold dropped.
fn param(value: &str) -> String {
    let clean: String = value
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    format!("\"{clean}\"")
}

/// Lines longer than 75 octets continue on the next line after a space, never inside a
/// UTF-8 sequence (RFC 5545 §3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
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

    #[test]
    fn carries_the_required_properties_with_escaping() {
        let ics = render(&invite("Intro; call, with Ada", "Line one\nline two"));
        for expected in [
            "BEGIN:VCALENDAR\r\n",
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
            "PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:grace@example.com\r\n",
            "END:VCALENDAR\r\n",
        ] {
            let unfolded = ics.replace("\r\n ", "");
            assert!(unfolded.contains(expected), "{expected:?} in {ics}");
        }
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
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
    fn pending_is_tentative_and_cancelled_is_cancelled() {
        assert_eq!(status_of(BookingStatus::Pending), "TENTATIVE");
        assert_eq!(status_of(BookingStatus::Cancelled), "CANCELLED");
        assert_eq!(status_of(BookingStatus::Rejected), "CANCELLED");
    }
}
