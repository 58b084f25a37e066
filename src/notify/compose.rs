//! The emails a booking change sends, as plain values: who gets what text and which calendar
//! entry, each in its reader's language (the catalogue in `crate::i18n`) and time zone. Pure:
//! the caller supplies the booking, its people and the time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::choices::{self, Choices};
use crate::event_types::{EventType, seat_title};
use crate::i18n::{Clock, Lang};
use crate::ical::{self, EventStatus, Invite, Person};
use crate::links::ManageLinks;
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
    /// The host cancelled it and asks the booker to pick a new time (its link still moves it).
    RescheduleRequested,
    /// The host declined the request.
    Declined,
    /// It takes place somewhere else now (the link a host's calendar made for the meeting).
    Relocated,
    /// Another host has it now, instead of `from`.
    Reassigned {
        from: &'a User,
    },
}

impl Notice<'_> {
    /// Its name in the catalogue's keys: `email-{name}-subject`, `email-host-{name}-subject`.
    fn name(&self) -> &'static str {
        match self {
            Notice::Booked => "booked",
            Notice::Requested => "requested",
            Notice::Rescheduled { .. } => "rescheduled",
            Notice::Cancelled => "cancelled",
            Notice::RescheduleRequested => "reschedule-requested",
            Notice::Declined => "declined",
            Notice::Relocated => "relocated",
            Notice::Reassigned { .. } => "reassigned",
        }
    }

    /// The job kind the emails are queued under.
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::Booked => "email.booked",
            Notice::Requested => "email.requested",
            Notice::Rescheduled { .. } => "email.rescheduled",
            Notice::Cancelled => "email.cancelled",
            Notice::RescheduleRequested => "email.reschedule_requested",
            Notice::Declined => "email.declined",
            Notice::Relocated => "email.location_updated",
            Notice::Reassigned { .. } => "email.reassigned",
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
    /// The booking's own page (details, reschedule and cancel), signed for each reader.
    pub links: ManageLinks<'a>,
    /// The change concerns one seat of a seated booking, not the whole meeting.
    pub one_seat: bool,
    /// The booking has seats: each holder reads only their own seat.
    pub seating: Option<Seating<'a>>,
    /// Which emails the hosts chose to receive.
    pub choices: Choices,
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
            manage_url: self.links.page(None),
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
            manage_url: self.links.page(a.seat_uid.as_deref()),
        }
    }

    /// The calendar entry `notice` carries for `copy`, naming `people`; none for requests and
    /// declines.
    fn invite(
        &self,
        lang: Lang,
        notice: Notice<'_>,
        copy: &Copy,
        people: Vec<Person<'_>>,
        now: DateTime<Utc>,
    ) -> Option<Calendar> {
        let b = self.booking;
        let organizer = self.hosts.first()?;
        let (method, status, sequence) = match notice {
            // A new place is a new revision of the entry: the booking's sequence grew with it.
            Notice::Booked
            | Notice::Rescheduled { .. }
            | Notice::Relocated
            | Notice::Reassigned { .. } => ("REQUEST", EventStatus::Confirmed, b.ical_sequence),
            Notice::Cancelled | Notice::RescheduleRequested => {
                ("CANCEL", EventStatus::Cancelled, b.ical_sequence + 1)
            }
            Notice::Requested | Notice::Declined => return None,
        };
        // The entry's text in the reader's words: their notes, then where to change it.
        let link = link_line(lang, notice, &copy.manage_url);
        let description = if copy.notes.is_empty() {
            link
        } else {
            format!("{}\n\n{link}", copy.notes)
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
                description: &description,
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

fn names<'a>(people: impl Iterator<Item = &'a str>) -> String {
    people.collect::<Vec<_>>().join(", ")
}

/// The language an attendee reads: the one they booked in (Cal.com's `attendee.language`),
/// else English.
pub fn attendee_lang(a: &AttendeeRecord) -> Lang {
    a.locale
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or_default()
}

/// How an attendee reads times: their language, its usual clock, their own zone.
pub fn attendee_clock(a: &AttendeeRecord) -> Clock {
    let lang = attendee_lang(a);
    Clock::in_zone(&a.time_zone, lang.twelve_hour(), lang)
}

/// The language a host reads: their profile's, else English.
pub fn host_lang(h: &User) -> Lang {
    Lang::from_tag(&h.locale).unwrap_or_default()
}

/// How a host reads times: their profile's language, zone and clock.
pub fn host_clock(h: &User) -> Clock {
    Clock::of(h, host_lang(h))
}

/// The emails `notice` sends about `meeting`: one to every attendee and one to every host who
/// receives this kind (their choices).
pub fn emails(meeting: &Meeting<'_>, notice: Notice<'_>, now: DateTime<Utc>) -> Vec<Email> {
    if meeting.hosts.is_empty() {
        return Vec::new();
    }
    let attendees = meeting.attendees.iter();
    let hosts =
        (meeting.hosts.iter()).filter(|h| choices::covers(&meeting.choices.of(h.id), notice));
    // The host a booking was taken from hears it is off their calendar, as a cancellation.
    let former = match notice {
        Notice::Reassigned { from } => Some(from),
        _ => None,
    };
    let former = former.filter(|f| choices::covers(&meeting.choices.of(f.id), Notice::Cancelled));
    attendees
        .map(|a| attendee_email(meeting, notice, a, now))
        .chain(hosts.map(|h| host_email(meeting, notice, h, now)))
        .chain(former.map(|f| former_host_email(meeting, f, now)))
        .collect()
}

/// The email to the host a booking was reassigned from: in their language and zone, the
/// booking's calendar entry cancelled for them.
fn former_host_email(meeting: &Meeting<'_>, h: &User, now: DateTime<Utc>) -> Email {
    let b = meeting.booking;
    let copy = meeting.host_copy();
    let clock = host_clock(h);
    let lang = clock.lang;
    let host_names = names(meeting.hosts.iter().map(|h| h.name.as_str()));
    let at = clock.when(b.start_at, b.end_at);
    let args = [
        ("title", copy.title.as_str().into()),
        ("when", at.as_str().into()),
        ("hosts", host_names.as_str().into()),
    ];
    let opening = lang.t("email-former-host-reassigned", &args);
    let letter = Letter {
        name: &h.name,
        opening: &opening,
        at: &at,
        hosts: &host_names,
    };
    let me = vec![Person {
        name: &h.name,
        email: &h.email,
    }];
    Email {
        to_name: h.name.clone(),
        to_email: h.email.clone(),
        subject: lang.t("email-former-host-reassigned-subject", &args),
        text: body(lang, &letter, meeting, &copy, Notice::Cancelled),
        calendar: meeting.invite(lang, Notice::Cancelled, &copy, me, now),
    }
}

/// An attendee's email: their language, their own time zone, and a calendar entry naming
/// only them.
fn attendee_email(
    meeting: &Meeting<'_>,
    notice: Notice<'_>,
    a: &AttendeeRecord,
    now: DateTime<Utc>,
) -> Email {
    let b = meeting.booking;
    let copy = meeting.attendee_copy(a);
    let clock = attendee_clock(a);
    let lang = clock.lang;
    let host_names = names(meeting.hosts.iter().map(|h| h.name.as_str()));
    let at = clock.when(b.start_at, b.end_at);
    let subject = lang.t(
        &format!("email-{}-subject", notice.name()),
        &[
            ("title", copy.title.as_str().into()),
            ("when", at.as_str().into()),
        ],
    );
    let opening = match notice {
        Notice::Booked => lang.t("email-booked-opening", &[]),
        Notice::Requested => lang.t(
            "email-requested-opening",
            &[("hosts", host_names.as_str().into())],
        ),
        Notice::Rescheduled { from } => lang.t(
            "email-rescheduled-opening",
            &[("was", clock.when(from.start_at, from.end_at).into())],
        ),
        Notice::Cancelled => cancelled_line(lang, b),
        Notice::RescheduleRequested => {
            let url = meeting.links.reschedule(a.seat_uid.as_deref());
            let args = [("hosts", host_names.as_str().into()), ("url", url.into())];
            let line = lang.t("email-reschedule-requested", &args);
            with_reason(lang, line, b.cancellation_reason.as_deref())
        }
        Notice::Declined => declined_line(lang, b, meeting.hosts.len(), &host_names),
        Notice::Relocated => relocated_line(lang, b),
        Notice::Reassigned { .. } => {
            lang.t("email-reassigned", &[("hosts", host_names.as_str().into())])
        }
    };
    let me = vec![Person {
        name: &a.name,
        email: &a.email,
    }];
    let letter = Letter {
        name: &a.name,
        opening: &opening,
        at: &at,
        hosts: &host_names,
    };
    Email {
        to_name: a.name.clone(),
        to_email: a.email.clone(),
        subject,
        text: body(lang, &letter, meeting, &copy, notice),
        calendar: meeting.invite(lang, notice, &copy, me, now),
    }
}

/// A host's email: their profile's language and zone, the whole booking, everyone in the
/// calendar entry.
fn host_email(meeting: &Meeting<'_>, notice: Notice<'_>, h: &User, now: DateTime<Utc>) -> Email {
    let b = meeting.booking;
    let copy = meeting.host_copy();
    let clock = host_clock(h);
    let lang = clock.lang;
    let host_names = names(meeting.hosts.iter().map(|h| h.name.as_str()));
    let someone = lang.t("email-someone", &[]);
    let booker = (meeting.attendees.first()).map_or(someone.as_str(), |a| a.name.as_str());
    let at = clock.when(b.start_at, b.end_at);
    let title = copy.title.as_str();
    let args = [
        ("title", title.into()),
        ("booker", booker.into()),
        ("when", at.as_str().into()),
        ("uid", b.uid.as_str().into()),
    ];
    let subject = lang.t(&format!("email-host-{}-subject", notice.name()), &args);
    let opening = match notice {
        Notice::Booked => lang.t("email-host-booked-opening", &args),
        Notice::Requested => lang.t("email-host-requested-opening", &args),
        Notice::Rescheduled { from } => lang.t(
            "email-host-rescheduled-opening",
            &[("was", clock.when(from.start_at, from.end_at).into())],
        ),
        Notice::Cancelled => cancelled_line(lang, b),
        Notice::RescheduleRequested => {
            let line = lang.t("email-host-reschedule-requested", &args);
            with_reason(lang, line, b.cancellation_reason.as_deref())
        }
        Notice::Declined => declined_line(lang, b, meeting.hosts.len(), &host_names),
        Notice::Relocated => relocated_line(lang, b),
        Notice::Reassigned { from } => lang.t(
            "email-host-reassigned",
            &[
                ("hosts", host_names.as_str().into()),
                ("was", from.name.as_str().into()),
            ],
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
    let letter = Letter {
        name: &h.name,
        opening: &opening,
        at: &at,
        hosts: &host_names,
    };
    Email {
        to_name: h.name.clone(),
        to_email: h.email.clone(),
        subject,
        text: body(lang, &letter, meeting, &copy, notice),
        calendar: if seat_given_up {
            None
        } else {
            meeting.invite(lang, notice, &copy, everyone, now)
        },
    }
}

/// `line`, then the reason given, if any.
fn with_reason(lang: Lang, line: String, reason: Option<&str>) -> String {
    match reason.filter(|r| !r.is_empty()) {
        Some(reason) => format!(
            "{line} {}",
            lang.t("email-reason", &[("reason", reason.into())])
        ),
        None => line,
    }
}

fn cancelled_line(lang: Lang, b: &BookingRecord) -> String {
    let line = match b.cancelled_by.as_deref() {
        Some(who) => lang.t("email-cancelled-by", &[("by", who.into())]),
        None => lang.t("email-cancelled", &[]),
    };
    with_reason(lang, line, b.cancellation_reason.as_deref())
}

fn relocated_line(lang: Lang, b: &BookingRecord) -> String {
    let place = b.location.as_deref().unwrap_or_default();
    lang.t("email-relocated", &[("place", place.into())])
}

fn declined_line(lang: Lang, b: &BookingRecord, count: usize, hosts: &str) -> String {
    let args = [("hosts", hosts.into()), ("hostCount", count.into())];
    let line = lang.t("email-declined", &args);
    with_reason(lang, line, b.rejection_reason.as_deref())
}

/// What the letter says to its reader before the booking's details.
struct Letter<'a> {
    /// The reader's name.
    name: &'a str,
    opening: &'a str,
    /// The meeting's time as the reader reads it.
    at: &'a str,
    hosts: &'a str,
}

fn body(
    lang: Lang,
    letter: &Letter<'_>,
    meeting: &Meeting<'_>,
    copy: &Copy,
    notice: Notice<'_>,
) -> String {
    let b = meeting.booking;
    let people = lang.t(
        "email-people",
        &[
            ("hosts", letter.hosts.into()),
            ("hostCount", meeting.hosts.len().into()),
            ("attendees", copy.attendees.as_str().into()),
        ],
    );
    let greeting = lang.t("email-greeting", &[("name", letter.name.into())]);
    let mut text = format!("{greeting}\n\n{}\n\n", letter.opening);
    text.push_str(&field(lang, "page-what", &copy.title));
    text.push_str(&field(lang, "page-when", letter.at));
    text.push_str(&field(lang, "page-who", &people));
    if let Some(location) = b.location.as_deref().filter(|l| !l.is_empty()) {
        text.push_str(&field(lang, "page-where", location));
    }
    if !copy.notes.is_empty() {
        let notes = field(lang, "email-notes", "");
        text.push_str(&format!("\n{}\n{}\n", notes.trim_end(), copy.notes));
    }
    text.push('\n');
    text.push_str(&link_line(lang, notice, &copy.manage_url));
    text.push('\n');
    if matches!(
        notice,
        Notice::Booked | Notice::Rescheduled { .. } | Notice::Relocated | Notice::Reassigned { .. }
    ) {
        text.push_str(&format!("\n{}\n", lang.t("email-invitation", &[])));
    }
    text
}

/// One line of a message's details, ended: "When: …" with the label of message `key`.
pub fn field(lang: Lang, key: &str, value: &str) -> String {
    let label = lang.t(key, &[]);
    let line = lang.t(
        "email-field",
        &[("label", label.into()), ("value", value.into())],
    );
    line + "\n"
}

/// Where to change the booking, or, once it is over, where to read it.
fn link_line(lang: Lang, notice: Notice<'_>, url: &str) -> String {
    match notice {
        Notice::Booked
        | Notice::Requested
        | Notice::Rescheduled { .. }
        | Notice::Relocated
        | Notice::Reassigned { .. } => format!("{}\n{url}", lang.t("email-change", &[])),
        Notice::Cancelled | Notice::RescheduleRequested | Notice::Declined => {
            lang.t("email-details", &[("url", url.into())])
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    use crate::domain::BookingStatus;

    pub(crate) fn booking() -> BookingRecord {
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

    pub(crate) fn attendee(name: &str, email: &str, zone: &str) -> AttendeeRecord {
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
            links: ManageLinks {
                base: "https://cal.example",
                uid: &b.uid,
                end: b.end_at,
                signer: None,
                now: b.start_at,
            },
            one_seat: false,
            seating: None,
            choices: Choices::default(),
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
            "Confirmed: Intro between Ada and Grace on Sunday, March 29, 2026, 10:30am – 11:00am (Europe/Berlin)"
        );
        // The host's profile reads a 24-hour clock.
        assert!(
            sent[1].subject.contains("04:30 – 05:00 (America/New_York)"),
            "{}",
            sent[1].subject
        );
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
    fn each_reader_reads_their_own_language_and_clock() {
        let mut b = booking();
        b.cancellation_reason = Some("Krank".into());
        let mut grete = attendee("Grete", "grete@example.de", "Europe/Berlin");
        grete.locale = Some("de".into());
        let mut juan = attendee("Juan", "juan@example.es", "Europe/Madrid");
        juan.locale = Some("es-ES".into());
        let people = [grete, juan];
        let mut french_host = host();
        french_host.locale = "fr".into();
        french_host.time_zone = "Europe/Paris".into();
        let hosts = [french_host];
        let sent = emails(&meeting(&b, &people, &hosts), Notice::Booked, b.start_at);
        assert_eq!(
            sent[0].subject,
            "Bestätigt: Intro between Ada and Grace am Sonntag, 29. März 2026, 10:30 – 11:00 (Europe/Berlin)"
        );
        assert!(
            sent[0]
                .text
                .starts_with("Hallo Grete,\n\nIhre Buchung ist bestätigt.")
        );
        assert!(
            sent[0].text.contains("Wer: Ada (Gastgeber); Grete, Juan"),
            "{}",
            sent[0].text
        );
        assert!(
            sent[0]
                .text
                .contains("Die Kalendereinladung ist angehängt.")
        );
        let ics = &sent[0].calendar.as_ref().unwrap().ics;
        assert!(ics.contains("Etwas ändern?"), "{ics}");
        assert!(
            sent[1].subject.starts_with("Confirmada: "),
            "{}",
            sent[1].subject
        );
        assert!(
            sent[1]
                .subject
                .contains("domingo, 29 de marzo de 2026, 10:30 – 11:00 (Europe/Madrid)")
        );
        assert!(
            sent[1].text.contains("Quién: Ada (anfitrión); Grete, Juan"),
            "{}",
            sent[1].text
        );
        assert!(sent[2].subject.starts_with("Réservé : Intro between Ada and Grace avec Grete le dimanche 29 mars 2026, 10:30 – 11:00 (Europe/Paris)"), "{}", sent[2].subject);
        let cancelled = emails(&meeting(&b, &people, &hosts), Notice::Cancelled, b.start_at);
        assert!(
            cancelled[0]
                .text
                .contains("Dieser Termin wurde abgesagt. Grund: Krank"),
            "{}",
            cancelled[0].text
        );
        assert!(
            cancelled[2]
                .text
                .contains("Ce rendez-vous a été annulé. Raison : Krank"),
            "{}",
            cancelled[2].text
        );
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
