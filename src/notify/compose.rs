//! The emails a booking change sends, as plain values: who gets what text and which calendar
//! entry. Pure: the caller supplies the booking, its people and the time.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::event_types::{EventType, seat_title};
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
    /// It takes place somewhere else now (the link a host's calendar made for the meeting).
    Relocated,
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
            Notice::Relocated => "email.location_updated",
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
    /// The booking has seats: each holder reads only their own seat.
    pub seating: Option<Seating<'a>>,
}

/// What the holders of a seated booking's seats may read of it, by the rules of
/// `booking::seats`: their own title, notes and link, and each other only when the event type
/// shows attendees.
pub struct Seating<'a> {
    /// The booking's event type; `None` once deleted.
    pub event: Option<&'a EventType>,
}

/// What one recipient reads of the booking: the hosts all of it, a seat's holder their seat.
struct Copy {
    title: String,
    notes: String,
    /// The attendees named under "Who".
    attendees: String,
    manage_url: String,
}

impl Meeting<'_> {
    fn attendee_names(&self) -> String {
        names(self.attendees.iter().map(|a| a.name.as_str()))
    }

    /// The whole booking, as its hosts read it.
    fn host_copy(&self) -> Copy {
        Copy {
            title: self.booking.title.clone(),
            notes: self.booking.description.clone(),
            attendees: self.attendee_names(),
            manage_url: self.manage_url.clone(),
        }
    }

    /// The booking as attendee `a` reads it: on a seated booking, their own seat, with a link
    /// that names it (Cal.com's `seatReferenceUid`).
    fn attendee_copy(&self, a: &AttendeeRecord) -> Copy {
        let Some(seating) = &self.seating else {
            return self.host_copy();
        };
        let b = self.booking;
        let organizer = self.hosts.first().map_or("", |h| h.name.as_str());
        let see_all = seating.event.is_some_and(EventType::seats_see_each_other);
        Copy {
            title: seat_title(
                seating.event,
                organizer,
                Some(&a.name),
                b.location.as_deref(),
            ),
            notes: a.own_notes(),
            attendees: if see_all {
                self.attendee_names()
            } else {
                a.name.clone()
            },
            manage_url: match &a.seat_uid {
                Some(seat) => format!("{}?seatReferenceUid={seat}", self.manage_url),
                None => self.manage_url.clone(),
            },
        }
    }

    /// The calendar entry `notice` carries for `copy`, naming `people`; none for requests and
    /// declines.
    fn invite(
        &self,
        notice: Notice<'_>,
        copy: &Copy,
        people: Vec<Person<'_>>,
        now: DateTime<Utc>,
    ) -> Option<Calendar> {
        let b = self.booking;
        let organizer = self.hosts.first()?;
        let (method, status, sequence) = match notice {
            // A new place is a new revision of the entry: the booking's sequence grew with it.
            Notice::Booked | Notice::Rescheduled { .. } | Notice::Relocated => {
                ("REQUEST", EventStatus::Confirmed, b.ical_sequence)
            }
            Notice::Cancelled => ("CANCEL", EventStatus::Cancelled, b.ical_sequence + 1),
            Notice::Requested | Notice::Declined => return None,
        };
        Some(Calendar {
            method: method.to_owned(),
            ics: ical::render(&Invite {
                uid: &b.ical_uid,
                sequence,
                stamp: now,
                start: b.start_at,
                end: b.end_at,
                summary: &copy.title,
                description: &copy.notes,
                location: b.location.as_deref(),
                status,
                organizer: Person {
                    name: &organizer.name,
                    email: &organizer.email,
                },
                attendees: people,
                url: Some(&copy.manage_url),
                method,
            }),
        })
    }
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
    if meeting.hosts.is_empty() {
        return Vec::new();
    }
    let attendees = meeting.attendees.iter();
    let hosts = meeting.hosts.iter();
    attendees
        .map(|a| attendee_email(meeting, notice, a, now))
        .chain(hosts.map(|h| host_email(meeting, notice, h, now)))
        .collect()
}

/// An attendee's email: their own time zone, and a calendar entry naming only them.
fn attendee_email(
    meeting: &Meeting<'_>,
    notice: Notice<'_>,
    a: &AttendeeRecord,
    now: DateTime<Utc>,
) -> Email {
    let b = meeting.booking;
    let copy = meeting.attendee_copy(a);
    let host_names = names(meeting.hosts.iter().map(|h| h.name.as_str()));
    let at = when(b.start_at, b.end_at, &a.time_zone);
    let title = &copy.title;
    let (subject, opening) = match notice {
        Notice::Booked => (
            format!("Confirmed: {title} on {at}"),
            "Your booking is confirmed.".to_owned(),
        ),
        Notice::Requested => (
            format!("Requested: {title} on {at}"),
            format!(
                "Your request is with {host_names}; you will hear from us when it is confirmed."
            ),
        ),
        Notice::Rescheduled { from } => (
            format!("Rescheduled: {title} is now on {at}"),
            format!(
                "Your booking has moved. It was on {}.",
                when(from.start_at, from.end_at, &a.time_zone)
            ),
        ),
        Notice::Cancelled => (format!("Cancelled: {title} on {at}"), cancelled_line(b)),
        Notice::Declined => (
            format!("Declined: {title} on {at}"),
            declined_line(b, &host_names),
        ),
        Notice::Relocated => (format!("Updated: {title} on {at}"), relocated_line(b)),
    };
    let me = vec![Person {
        name: &a.name,
        email: &a.email,
    }];
    Email {
        to_name: a.name.clone(),
        to_email: a.email.clone(),
        subject,
        text: body(&a.name, &opening, meeting, &copy, &at, &host_names, notice),
        calendar: meeting.invite(notice, &copy, me, now),
    }
}

/// A host's email: the whole booking, everyone in the calendar entry.
fn host_email(meeting: &Meeting<'_>, notice: Notice<'_>, h: &User, now: DateTime<Utc>) -> Email {
    let b = meeting.booking;
    let copy = meeting.host_copy();
    let host_names = names(meeting.hosts.iter().map(|h| h.name.as_str()));
    let booker = meeting
        .attendees
        .first()
        .map_or("someone", |a| a.name.as_str());
    let at = when(b.start_at, b.end_at, &h.time_zone);
    let title = &copy.title;
    let (subject, opening) = match notice {
        Notice::Booked => (
            format!("Booked: {title} with {booker} on {at}"),
            format!("{booker} booked {title}."),
        ),
        Notice::Requested => (
            format!("Please confirm: {title} with {booker} on {at}"),
            format!(
                "{booker} asked for {title}. It waits for your confirmation (POST /v2/bookings/{}/confirm or /decline).",
                b.uid
            ),
        ),
        Notice::Rescheduled { from } => (
            format!("Rescheduled: {title} with {booker} is now on {at}"),
            format!(
                "The booking has moved. It was on {}.",
                when(from.start_at, from.end_at, &h.time_zone)
            ),
        ),
        Notice::Cancelled => (
            format!("Cancelled: {title} with {booker} on {at}"),
            cancelled_line(b),
        ),
        Notice::Declined => (
            format!("Declined: {title} with {booker} on {at}"),
            declined_line(b, &host_names),
        ),
        Notice::Relocated => (
            format!("Updated: {title} with {booker} on {at}"),
            relocated_line(b),
        ),
    };
    // Hosts see everyone in the entry; a seat given up leaves the host's meeting in place.
    let everyone: Vec<Person<'_>> = (meeting.attendees.iter())
        .map(|a| Person {
            name: &a.name,
            email: &a.email,
        })
        .chain(meeting.hosts.iter().skip(1).map(|h| Person {
            name: &h.name,
            email: &h.email,
        }))
        .collect();
    let seat_given_up = meeting.one_seat && matches!(notice, Notice::Cancelled);
    Email {
        to_name: h.name.clone(),
        to_email: h.email.clone(),
        subject,
        text: body(&h.name, &opening, meeting, &copy, &at, &host_names, notice),
        calendar: if seat_given_up {
            None
        } else {
            meeting.invite(notice, &copy, everyone, now)
        },
    }
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

fn relocated_line(b: &BookingRecord) -> String {
    let place = b.location.as_deref().unwrap_or_default();
    format!("The meeting's location is now: {place}")
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
    copy: &Copy,
    at: &str,
    hosts: &str,
    notice: Notice<'_>,
) -> String {
    let b = meeting.booking;
    let mut text = format!(
        "Hello {name},\n\n{opening}\n\nWhat:  {}\nWhen:  {at}\nWho:   {hosts} (host); {}\n",
        copy.title, copy.attendees
    );
    if let Some(location) = b.location.as_deref().filter(|l| !l.is_empty()) {
        text.push_str(&format!("Where: {location}\n"));
    }
    if !copy.notes.is_empty() {
        text.push_str(&format!("\nNotes:\n{}\n", copy.notes));
    }
    match notice {
        Notice::Booked | Notice::Requested | Notice::Rescheduled { .. } | Notice::Relocated => {
            text.push_str(&format!(
                "\nNeed to make a change? Reschedule or cancel here:\n{}\n",
                copy.manage_url
            ));
        }
        Notice::Cancelled | Notice::Declined => {
            text.push_str(&format!("\nDetails: {}\n", copy.manage_url));
        }
    }
    if matches!(
        notice,
        Notice::Booked | Notice::Rescheduled { .. } | Notice::Relocated
    ) {
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
            responses: None,
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
            disabled_at: None,
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
            seating: None,
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

    #[test]
    fn a_new_location_updates_the_same_calendar_entry_for_everyone() {
        let mut b = booking();
        b.location = Some("https://meet.google.com/abc-defg-hij".into());
        b.ical_sequence = 1;
        let people = [attendee("Grace", "grace@example.com", "UTC")];
        let hosts = [host()];
        let sent = emails(&meeting(&b, &people, &hosts), Notice::Relocated, b.start_at);
        assert_eq!(sent.len(), 2);
        assert!(
            sent[0].subject.starts_with("Updated: "),
            "{}",
            sent[0].subject
        );
        assert!(
            sent[1].subject.contains("with Grace"),
            "{}",
            sent[1].subject
        );
        for email in &sent {
            assert!(
                email
                    .text
                    .contains("location is now: https://meet.google.com/abc-defg-hij"),
                "{}",
                email.text
            );
            let calendar = email.calendar.as_ref().unwrap();
            assert_eq!(calendar.method, "REQUEST");
            for line in ["UID:ical-1@kairos", "SEQUENCE:1", "STATUS:CONFIRMED"] {
                assert!(calendar.ics.contains(line), "{line}: {}", calendar.ics);
            }
            assert!(calendar.ics.contains("meet.google.com/abc-defg-hij"));
        }
    }

    #[test]
    fn each_seat_holder_reads_only_their_own_seat_and_the_host_reads_all() {
        let mut b = booking();
        b.description = "Grace's note".into();
        let mut grace = attendee("Grace", "grace@example.com", "UTC");
        grace.seat_uid = Some("seat-g".into());
        let mut alan = attendee("Alan", "alan@example.com", "UTC");
        alan.seat_uid = Some("seat-a".into());
        alan.responses = Some(r#"{"name": "Alan", "notes": "Alan's note"}"#.into());
        let people = [grace, alan];
        let hosts = [host()];
        let seated = Meeting {
            seating: Some(Seating { event: None }),
            ..meeting(&b, &people, &hosts)
        };
        let sent = emails(&seated, Notice::Booked, b.start_at);
        let to_alan = &sent[1];
        let ics = &to_alan.calendar.as_ref().unwrap().ics;
        for text in [&to_alan.subject, &to_alan.text, ics] {
            assert!(!text.contains("Grace"), "{text}");
        }
        assert!(to_alan.text.contains("Alan's note"), "{}", to_alan.text);
        assert!(
            to_alan
                .text
                .contains("https://cal.example/booking/uid1?seatReferenceUid=seat-a"),
            "{}",
            to_alan.text
        );
        let to_host = &sent[2];
        assert!(to_host.text.contains("Grace, Alan"), "{}", to_host.text);
        assert!(to_host.subject.contains("Intro between Ada and Grace"));
    }
}
