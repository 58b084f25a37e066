//! The emails a booking change sends, as plain values: who gets what text and which calendar
//! entry. Pure: the caller supplies the booking, its people and the time.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::ical::{self, EventStatus, Invite, Person};
use crate::storage::bookings::{AttendeeRecord, BookingRecord};
use crate::storage::users::User;

/// One email, as queued: rendered in full when the change commits, so what is sent is what
/// was true then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// `Name <address>`.
    pub to_name: String,
    pub to_email: String,
    pub subject: String,
    pub text: String,
    pub calendar: Option<Calendar>,
}

/// An iCalendar attachment and its iTIP method (`REQUEST` adds or updates the entry in the
/// recipient's calendar, `CANCEL` removes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    pub method: String,
    pub ics: String,
}

/// What happened to the booking.
#[derive(Debug, Clone, Copy)]
pub enum Notice<'a> {
    /// It stands: booked without confirmation, or confirmed by the host.
    Booked,
    /// It waits for the host to confirm.
    Requested,
    /// It moved here from `from`.
    Rescheduled {
        from: &'a BookingRecord,
    },
    Cancelled,
    /// The host declined the request.
    Declined,
}

impl Notice<'_> {
    /// The job kind the emails are queued under.
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::Booked => "email.booked",
            Notice::Requested => "email.requested",
            Notice::Rescheduled { .. } => "email.rescheduled",
            Notice::Cancelled => "email.cancelled",
            Notice::Declined => "email.declined",
        }
    }
}

/// A booking with the people an email concerns.
pub struct Meeting<'a> {
    pub booking: &'a BookingRecord,
    /// The booker and guests; for a seated booking, only the seat's holder.
    pub attendees: &'a [AttendeeRecord],
    /// The hosts, organiser first.
    pub hosts: &'a [User],
    /// The booking's own page: details, reschedule and cancel.
    pub manage_url: String,
    /// The change concerns one seat of a seated booking, not the whole meeting.
    pub one_seat: bool,
}

/// When, in a recipient's zone: `Tuesday 3 March 2026, 10:00–10:30 (Europe/Berlin)`.
fn when(start: DateTime<Utc>, end: DateTime<Utc>, zone: &str) -> String {
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    let (s, e) = (start.with_timezone(&tz), end.with_timezone(&tz));
    let end_text = if s.date_naive() == e.date_naive() {
        e.format("%H:%M").to_string()
    } else {
        e.format("%A %-d %B %Y, %H:%M").to_string()
    };
    format!(
        "{}–{end_text} ({})",
        s.format("%A %-d %B %Y, %H:%M"),
        tz.name()
    )
}

fn names<'a>(people: impl Iterator<Item = &'a str>) -> String {
    people.collect::<Vec<_>>().join(", ")
}

/// The emails `notice` sends about `meeting`: one to every attendee and one to every host.
pub fn emails(meeting: &Meeting<'_>, notice: Notice<'_>, now: DateTime<Utc>) -> Vec<Email> {
    let b = meeting.booking;
    let Some(organizer) = meeting.hosts.first() else {
        return Vec::new();
    };
    let booker = meeting
        .attendees
        .first()
        .map_or("someone", |a| a.name.as_str());
    let host_names = names(meeting.hosts.iter().map(|h| h.name.as_str()));
    let attendee_names = names(meeting.attendees.iter().map(|a| a.name.as_str()));
    let calendar =
        |method: &str, status: EventStatus, sequence: i32, attendees: Vec<Person<'_>>| Calendar {
            method: method.to_owned(),
            ics: ical::render(&Invite {
                uid: &b.ical_uid,
                sequence,
                stamp: now,
                start: b.start_at,
                end: b.end_at,
                summary: &b.title,
                description: &b.description,
                location: b.location.as_deref(),
                status,
                organizer: Person {
                    name: &organizer.name,
                    email: &organizer.email,
                },
                attendees,
                url: Some(&meeting.manage_url),
                method,
            }),
        };
    // Attendees see themselves in the entry (for a seat, not the other seat holders); hosts
    // see everyone.
    let everyone: Vec<Person<'_>> = meeting
        .attendees
        .iter()
        .map(|a| Person {
            name: &a.name,
            email: &a.email,
        })
        .chain(meeting.hosts.iter().skip(1).map(|h| Person {
            name: &h.name,
            email: &h.email,
        }))
        .collect();
    let invite = |method: &str, people: Vec<Person<'_>>| match notice {
        Notice::Booked | Notice::Rescheduled { .. } => Some(calendar(
            method,
            EventStatus::Confirmed,
            b.ical_sequence,
            people,
        )),
        Notice::Cancelled => Some(calendar(
            method,
            EventStatus::Cancelled,
            b.ical_sequence + 1,
            people,
        )),
        Notice::Requested | Notice::Declined => None,
    };
    let method = if matches!(notice, Notice::Cancelled) {
        "CANCEL"
    } else {
        "REQUEST"
    };

    let mut out = Vec::new();
    for a in meeting.attendees {
        let at = when(b.start_at, b.end_at, &a.time_zone);
        let (subject, opening) = match notice {
            Notice::Booked => (
                format!("Confirmed: {} on {at}", b.title),
                "Your booking is confirmed.".to_owned(),
            ),
            Notice::Requested => (
                format!("Requested: {} on {at}", b.title),
                format!(
                    "Your request is with {host_names}; you will hear from us when it is confirmed."
                ),
            ),
            Notice::Rescheduled { from } => (
                format!("Rescheduled: {} is now on {at}", b.title),
                format!(
                    "Your booking has moved. It was on {}.",
                    when(from.start_at, from.end_at, &a.time_zone)
                ),
            ),
            Notice::Cancelled => (format!("Cancelled: {} on {at}", b.title), cancelled_line(b)),
            Notice::Declined => (
                format!("Declined: {} on {at}", b.title),
                declined_line(b, &host_names),
            ),
        };
        let me = vec![Person {
            name: &a.name,
            email: &a.email,
        }];
        out.push(Email {
            to_name: a.name.clone(),
            to_email: a.email.clone(),
            subject,
            text: body(
                &a.name,
                &opening,
                meeting,
                &at,
                &host_names,
                &attendee_names,
                notice,
            ),
            calendar: invite(method, me),
        });
    }
    for h in meeting.hosts {
        let at = when(b.start_at, b.end_at, &h.time_zone);
        let (subject, opening) = match notice {
            Notice::Booked => (
                format!("Booked: {} with {booker} on {at}", b.title),
                format!("{booker} booked {}.", b.title),
            ),
            Notice::Requested => (
                format!("Please confirm: {} with {booker} on {at}", b.title),
                format!(
                    "{booker} asked for {}. It waits for your confirmation (POST /v2/bookings/{}/confirm or /decline).",
                    b.title, b.uid
                ),
            ),
            Notice::Rescheduled { from } => (
                format!("Rescheduled: {} with {booker} is now on {at}", b.title),
                format!(
                    "The booking has moved. It was on {}.",
                    when(from.start_at, from.end_at, &h.time_zone)
                ),
            ),
            Notice::Cancelled => (
                format!("Cancelled: {} with {booker} on {at}", b.title),
                cancelled_line(b),
            ),
            Notice::Declined => (
                format!("Declined: {} with {booker} on {at}", b.title),
                declined_line(b, &host_names),
            ),
        };
        out.push(Email {
            to_name: h.name.clone(),
            to_email: h.email.clone(),
            subject,
            text: body(
                &h.name,
                &opening,
                meeting,
                &at,
                &host_names,
                &attendee_names,
                notice,
            ),
            // A seat given up leaves the host's meeting in place.
            calendar: if meeting.one_seat && matches!(notice, Notice::Cancelled) {
                None
            } else {
                invite(method, everyone.clone())
            },
        });
    }
    out
}

fn cancelled_line(b: &BookingRecord) -> String {
    let by = b
        .cancelled_by
        .as_deref()
        .map(|who| format!(" by {who}"))
        .unwrap_or_default();
    match b.cancellation_reason.as_deref().filter(|r| !r.is_empty()) {
        Some(reason) => format!("This booking was cancelled{by}. Reason: {reason}"),
        None => format!("This booking was cancelled{by}."),
    }
}

fn declined_line(b: &BookingRecord, hosts: &str) -> String {
    match b.rejection_reason.as_deref().filter(|r| !r.is_empty()) {
        Some(reason) => format!("{hosts} declined this request. Reason: {reason}"),
        None => format!("{hosts} declined this request."),
    }
}

fn body(
    name: &str,
    opening: &str,
    meeting: &Meeting<'_>,
    at: &str,
    hosts: &str,
    attendees: &str,
    notice: Notice<'_>,
) -> String {
    let b = meeting.booking;
    let mut text = format!(
        "Hello {name},\n\n{opening}\n\nWhat:  {}\nWhen:  {at}\nWho:   {hosts} (host); {attendees}\n",
        b.title
    );
    if let Some(location) = b.location.as_deref().filter(|l| !l.is_empty()) {
        text.push_str(&format!("Where: {location}\n"));
    }
    if !b.description.is_empty() {
        text.push_str(&format!("\nNotes:\n{}\n", b.description));
    }
    match notice {
        Notice::Booked | Notice::Requested | Notice::Rescheduled { .. } => {
            text.push_str(&format!(
                "\nNeed to make a change? Reschedule or cancel here:\n{}\n",
                meeting.manage_url
            ));
        }
        Notice::Cancelled | Notice::Declined => {
            text.push_str(&format!("\nDetails: {}\n", meeting.manage_url));
        }
    }
    if matches!(notice, Notice::Booked | Notice::Rescheduled { .. }) {
        text.push_str("\nThe calendar invitation is attached.\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    use crate::domain::BookingStatus;

    fn booking() -> BookingRecord {
        let start = Utc.with_ymd_and_hms(2026, 3, 29, 8, 30, 0).unwrap();
        BookingRecord {
            id: 1,
            uid: "uid1".into(),
            event_type_id: Some(1),
            user_id: 7,
            status: BookingStatus::Accepted,
            start_at: start,
            end_at: start + chrono::Duration::minutes(30),
            title: "Intro between Ada and Grace".into(),
            description: String::new(),
            location: Some("https://meet.example/ada".into()),
            responses: "{}".into(),
            metadata: "{}".into(),
            ical_uid: "ical-1@kairos".into(),
            ical_sequence: 0,
            rescheduled: false,
            from_reschedule: None,
            rescheduled_by: None,
            reschedule_reason: None,
            cancellation_reason: None,
            cancelled_by: None,
            rejection_reason: None,
            no_show_host: false,
            assignment_reason: None,
            recurring_event_id: None,
            created_at: start,
            updated_at: None,
        }
    }

    fn attendee(name: &str, email: &str, zone: &str) -> AttendeeRecord {
        AttendeeRecord {
            id: 1,
            booking_id: 1,
            email: email.into(),
            name: name.into(),
            time_zone: zone.into(),
            locale: None,
            phone_number: None,
            no_show: false,
            seat_uid: None,
        }
    }

    fn host() -> User {
        User {
            id: 7,
            email: "ada@example.com".into(),
            username: "ada".into(),
            name: "Ada".into(),
            time_zone: "America/New_York".into(),
            role: "USER".into(),
            locale: "en".into(),
            week_start: "Monday".into(),
            time_format: 24,
            bio: String::new(),
            brand_color: String::new(),
            dark_brand_color: String::new(),
            created_at: Utc::now(),
        }
    }

    fn meeting<'a>(
        b: &'a BookingRecord,
        people: &'a [AttendeeRecord],
        hosts: &'a [User],
    ) -> Meeting<'a> {
        Meeting {
            booking: b,
            attendees: people,
            hosts,
            manage_url: "https://cal.example/booking/uid1".into(),
            one_seat: false,
        }
    }

    #[test]
    fn each_person_reads_the_time_in_their_own_zone_across_a_dst_change() {
        let b = booking();
        let people = [attendee("Grace", "grace@example.com", "Europe/Berlin")];
        let hosts = [host()];
        let meeting = meeting(&b, &people, &hosts);
        let now = b.start_at - chrono::Duration::days(1);
        let sent = emails(&meeting, Notice::Booked, now);
        assert_eq!(sent.len(), 2);
        // 29 March 2026: Berlin is on summer time (UTC+2) from 01:00 UTC; New York since 8 March.
        assert_eq!(
            sent[0].subject,
            "Confirmed: Intro between Ada and Grace on Sunday 29 March 2026, 10:30–11:00 (Europe/Berlin)"
        );
        assert!(sent[1].subject.contains("04:30–05:00 (America/New_York)"));
        let ics = &sent[0].calendar.as_ref().unwrap().ics;
        assert!(ics.contains("METHOD:REQUEST") && ics.contains("UID:ical-1@kairos"));
        assert!(sent[0].text.contains("https://cal.example/booking/uid1"));
    }

    #[test]
    fn a_cancellation_cancels_the_calendar_entry_with_a_higher_sequence() {
        let mut b = booking();
        b.status = BookingStatus::Cancelled;
        b.cancellation_reason = Some("Double-booked myself".into());
        let people = [attendee("Grace", "grace@example.com", "UTC")];
        let hosts = [host()];
        let meeting = meeting(&b, &people, &hosts);
        let sent = emails(&meeting, Notice::Cancelled, b.start_at);
        let calendar = sent[0].calendar.as_ref().unwrap();
        assert_eq!(calendar.method, "CANCEL");
        assert!(calendar.ics.contains("SEQUENCE:1") && calendar.ics.contains("STATUS:CANCELLED"));
        assert!(sent[0].text.contains("Reason: Double-booked myself"));
        // A request that waits for the host carries no calendar entry yet.
        let waiting = emails(&meeting, Notice::Requested, b.start_at);
        assert!(waiting.iter().all(|e| e.calendar.is_none()));
        assert!(waiting[1].subject.starts_with("Please confirm:"));
        // One seat given up: its holder's entry is withdrawn, the host's meeting stays.
        let seat = Meeting {
            one_seat: true,
            ..meeting
        };
        let sent = emails(&seat, Notice::Cancelled, b.start_at);
        assert_eq!(sent[0].calendar.as_ref().unwrap().method, "CANCEL");
        assert_eq!(sent[1].to_email, "ada@example.com");
        assert!(sent[1].calendar.is_none());
    }
}
