//! Workflow messages: a step's template filled in for one recipient, as an email with a
//! plain-text part and an HTML part. Kairos' own template (`reminder`) is written from the
//! catalogue (`crate::i18n`) in the recipient's language; dates and times, in every template,
//! as the recipient reads them (`i18n::Clock`: their zone, language and clock). No IO here.

use serde_json::Value;

use super::model::{Message, Step, Trigger, TriggerKind};
use crate::i18n::{Clock, Lang};
use crate::links::ManageLinks;
use crate::notify::compose::field;
use crate::notify::{Email, Queued};
use crate::storage::bookings::{AttendeeRecord, BookingRecord};
use crate::webhooks::template::escape;

/// The booking a message is about, with what its variables need.
pub struct Facts<'a> {
    pub booking: &'a BookingRecord,
    /// The event type's title (the booking's title once the event type is gone).
    pub event_name: &'a str,
    pub organizer_name: &'a str,
    /// The attendee the message is about: the recipient for attendee steps, else the booker.
    pub attendee: Option<&'a AttendeeRecord>,
    /// The booking's cancel, reschedule and own links (signed for the recipient's seat).
    pub links: ManageLinks<'a>,
    /// The attendee recipient's signed link that stops this booking's reminders.
    pub unsubscribe_url: Option<String>,
}

/// Who receives a message, and how they read times (zone, language, clock).
pub struct Recipient<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub clock: Clock,
}

/// The variables a template may use, `{NAME}` → value, for `to`.
pub fn variables(facts: &Facts<'_>, to: &Recipient<'_>) -> Vec<(String, String)> {
    let b = facts.booking;
    let clock = to.clock;
    let location = b.location.clone().unwrap_or_default();
    let meeting_url = if location.starts_with("https://") || location.starts_with("http://") {
        location.clone()
    } else {
        String::new()
    };
    let attendee_name = facts.attendee.map_or("", |a| a.name.as_str());
    // A seat holder reads their own answers and links, never another holder's (as the booking
    // emails: `booking::seats`); the booking's own are its first holder's.
    let seat = facts
        .attendee
        .and_then(|a| Some((a, a.seat_uid.as_deref()?)));
    let (notes, responses) = match seat {
        Some((a, _)) => (a.own_notes(), Value::Object(a.own_responses()).to_string()),
        None => (b.description.clone(), b.responses.clone()),
    };
    let seat_uid = seat.map(|(_, uid)| uid);
    let mut vars: Vec<(String, String)> = [
        ("EVENT_NAME", facts.event_name.to_owned()),
        ("ORGANIZER", facts.organizer_name.to_owned()),
        ("ORGANIZER_NAME", facts.organizer_name.to_owned()),
        ("ATTENDEE", attendee_name.to_owned()),
        ("ATTENDEE_NAME", attendee_name.to_owned()),
        (
            "ATTENDEE_FIRST_NAME",
            attendee_name
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned(),
        ),
        (
            "ATTENDEE_EMAIL",
            facts.attendee.map_or(String::new(), |a| a.email.clone()),
        ),
        ("NAME", to.name.to_owned()),
        ("EVENT_DATE", clock.date(b.start_at)),
        ("EVENT_TIME", clock.time_of(b.start_at)),
        ("START_TIME", clock.time_of(b.start_at)),
        ("EVENT_END_TIME", clock.time_of(b.end_at)),
        ("TIMEZONE", clock.tz.name().to_owned()),
        ("LOCATION", location),
        ("MEETING_URL", meeting_url),
        ("ADDITIONAL_NOTES", notes),
        ("CANCEL_URL", facts.links.cancel(seat_uid)),
        ("RESCHEDULE_URL", facts.links.reschedule(seat_uid)),
        ("BOOKING_URL", facts.links.page(seat_uid)),
        (
            "UNSUBSCRIBE_URL",
            facts.unsubscribe_url.clone().unwrap_or_default(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (name, value) in answers(&responses, clock.lang) {
        if !vars.iter().any(|(n, _)| *n == name) {
            vars.push((name, value));
        }
    }
    vars
}

/// The booking questions' answers as variables: `company` → `{COMPANY}`; yes and no in
/// `lang`.
fn answers(responses: &str, lang: Lang) -> Vec<(String, String)> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(responses) else {
        return Vec::new();
    };
    let name = |key: &str| -> String {
        key.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect()
    };
    map.iter()
        .filter_map(|(key, value)| {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => lang.t(if *b { "reminder-yes" } else { "reminder-no" }, &[]),
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => return None,
            };
            Some((name(key), text))
        })
        .collect()
}

/// `template` with each known `{VARIABLE}` replaced (HTML-escaped for an HTML part); unknown
/// ones stay as written.
pub fn fill(template: &str, vars: &[(String, String)], html: bool) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let found = after.find('}').and_then(|close| {
            let name = &after[..close];
            vars.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| (close, v))
        });
        match found {
            Some((close, value)) => {
                out.push_str(&if html { escape(value) } else { value.clone() });
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The HTML's text: tags dropped (a line break for block ends), entities for `&<>"` read.
fn plain_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            rest = &rest[open..];
            break;
        };
        let tag = rest[open + 1..open + close].to_ascii_lowercase();
        if ["br", "/p", "/div", "/li", "/h1", "/h2", "/h3"]
            .iter()
            .any(|t| tag.trim_end_matches('/').trim() == *t)
        {
            out.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// The text as simple HTML: escaped, links made clickable, line breaks kept.
fn html_of(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            line.split(' ')
                .map(|word| {
                    if word.starts_with("https://") || word.starts_with("http://") {
                        format!("<a href=\"{0}\">{0}</a>", escape(word))
                    } else {
                        escape(word)
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    format!(
        "<!doctype html><html><body><p>{}</p></body></html>",
        lines.join("<br>\n")
    )
}

/// Variable `name`'s value ("" when there is none).
fn var<'a>(vars: &'a [(String, String)], name: &str) -> &'a str {
    vars.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The catalogue's name for a trigger's own messages: `reminder-{stem}-subject`, `-opening`.
fn stem(kind: TriggerKind) -> &'static str {
    match kind {
        TriggerKind::BeforeEvent => "before-event",
        TriggerKind::AfterEvent => "after-event",
        TriggerKind::NewEvent => "new-event",
        TriggerKind::RescheduleEvent => "reschedule-event",
        TriggerKind::EventCancelled => "event-cancelled",
        TriggerKind::BookingRequested => "booking-requested",
        TriggerKind::BookingRejected => "booking-rejected",
    }
}

/// Kairos' own message for `trigger` (the `reminder` template) in `to`'s words: its subject
/// and its opening line.
fn own_lines(trigger: Trigger, facts: &Facts<'_>, to: &Recipient<'_>) -> (String, String) {
    let (clock, b) = (to.clock, facts.booking);
    let when = clock.when(b.start_at, b.end_at);
    let date = clock.date(b.start_at);
    let args = [
        ("title", facts.event_name.into()),
        ("organizer", facts.organizer_name.into()),
        ("when", when.as_str().into()),
        ("date", date.as_str().into()),
    ];
    let key = |part: &str| format!("reminder-{}-{part}", stem(trigger.kind));
    let lang = clock.lang;
    (
        lang.t(&key("subject"), &args),
        lang.t(&key("opening"), &args),
    )
}

/// Kairos' own email for `trigger`: its subject and its text, with the booking's time and
/// place, where to change it (before it happens), and the link that stops its reminders.
fn own_email(
    trigger: Trigger,
    facts: &Facts<'_>,
    to: &Recipient<'_>,
    vars: &[(String, String)],
) -> (String, String) {
    let (clock, b) = (to.clock, facts.booking);
    let lang = clock.lang;
    let (subject, opening) = own_lines(trigger, facts, to);
    let greeting = lang.t("email-greeting", &[("name", to.name.into())]);
    let mut text = format!("{greeting}\n\n{opening}\n\n");
    text.push_str(&field(lang, "page-when", &clock.when(b.start_at, b.end_at)));
    if let Some(location) = b.location.as_deref().filter(|l| !l.is_empty()) {
        text.push_str(&field(lang, "page-where", location));
    }
    if matches!(
        trigger.kind,
        TriggerKind::BeforeEvent | TriggerKind::NewEvent | TriggerKind::RescheduleEvent
    ) {
        text.push_str(&format!("\n{}\n", lang.t("page-need-change", &[])));
        text.push_str(&field(lang, "page-reschedule", var(vars, "RESCHEDULE_URL")));
        text.push_str(&field(lang, "page-cancel", var(vars, "CANCEL_URL")));
    }
    if let Some(url) = &facts.unsubscribe_url {
        let stop = lang.t("reminder-stop", &[("url", url.as_str().into())]);
        text.push_str(&format!("\n{stop}\n"));
    }
    (subject, text)
}

/// Step `step`'s text message for `to`: the custom message's text (or its HTML as text), or
/// Kairos' own subject line with the booking's link.
pub fn text(step: &Step, trigger: Trigger, facts: &Facts<'_>, to: &Recipient<'_>) -> String {
    let vars = variables(facts, to);
    let template = match (step.template.as_str(), &step.message) {
        ("custom", Some(Message { text: Some(t), .. })) => t.clone(),
        ("custom", Some(Message { html: Some(h), .. })) => plain_of(h),
        _ => {
            let (subject, _) = own_lines(trigger, facts, to);
            return format!("{subject}. {}", var(&vars, "BOOKING_URL"));
        }
    };
    fill(&template, &vars, false).trim().to_owned()
}

/// Step `step`'s message for `to`.
pub fn message(step: &Step, trigger: Trigger, facts: &Facts<'_>, to: &Recipient<'_>) -> Queued {
    let vars = variables(facts, to);
    let (subject, text, html) = match (step.template.as_str(), &step.message) {
        ("custom", Some(m)) => {
            let subject = fill(m.subject.as_deref().unwrap_or_default(), &vars, false);
            let text_template = match (&m.text, &m.html) {
                (Some(t), _) => t.clone(),
                (None, Some(h)) => plain_of(h),
                (None, None) => String::new(),
            };
            let text = fill(&text_template, &vars, false);
            let html = match &m.html {
                Some(h) => fill(h, &vars, true),
                None => html_of(&text),
            };
            (subject, text, html)
        }
        _ => {
            let (subject, text) = own_email(trigger, facts, to, &vars);
            let html = html_of(&text);
            (subject, text, html)
        }
    };
    Queued {
        email: Email {
            to_name: to.name.to_owned(),
            to_email: to.email.to_owned(),
            subject: subject.replace(['\r', '\n'], " "),
            text,
            calendar: None,
        },
        html: Some(html),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_fill_in_and_unknown_ones_stay() {
        let vars = vec![("EVENT_NAME".to_owned(), "Intro <1>".to_owned())];
        assert_eq!(
            fill("Hi {EVENT_NAME} {NOPE} {", &vars, false),
            "Hi Intro <1> {NOPE} {"
        );
        assert_eq!(
            fill("<b>{EVENT_NAME}</b>", &vars, true),
            "<b>Intro &lt;1&gt;</b>"
        );
    }

    #[test]
    fn html_reads_as_text() {
        assert_eq!(
            plain_of("<p>Hi &amp; bye</p><p>x<br/>y</p>"),
            "Hi & bye\nx\ny\n"
        );
    }

    /// Booking `b` with Ada as organiser, about `attendee`.
    fn sample_facts<'a>(b: &'a BookingRecord, attendee: &'a AttendeeRecord) -> Facts<'a> {
        Facts {
            booking: b,
            event_name: "Intro",
            organizer_name: "Ada",
            attendee: Some(attendee),
            links: ManageLinks {
                base: "https://cal.example",
                uid: &b.uid,
                end: b.end_at,
                signer: None,
                now: b.start_at,
            },
            unsubscribe_url: None,
        }
    }

    /// A seat holder's variables are their own answers and seat links, not the first holder's
    /// (whose answers the booking row holds).
    #[test]
    fn a_seat_holder_reads_only_their_own_answers() {
        use crate::notify::compose::tests::{attendee, booking};
        let mut b = booking();
        b.description = "first holder's notes".into();
        b.responses = r#"{"company": "First Corp", "notes": "first holder's notes"}"#.into();
        let mut alan = attendee("Alan", "alan@example.com", "Europe/Berlin");
        alan.seat_uid = Some("seat-a".into());
        alan.responses = Some(r#"{"name": "Alan", "company": "Alan Ltd", "notes": "mine"}"#.into());
        let facts = sample_facts(&b, &alan);
        let to = Recipient {
            name: "Alan",
            email: "alan@example.com",
            clock: Clock::in_zone("Europe/Berlin", false, Lang::De),
        };
        let vars = variables(&facts, &to);
        let get = |name: &str| vars.iter().find(|(k, _)| k == name).unwrap().1.clone();
        assert_eq!(get("COMPANY"), "Alan Ltd");
        assert_eq!(get("ADDITIONAL_NOTES"), "mine");
        assert_eq!(
            get("BOOKING_URL"),
            "https://cal.example/booking/uid1?seatReferenceUid=seat-a"
        );
        assert_eq!(
            get("CANCEL_URL"),
            "https://cal.example/booking/uid1?cancel=true&seatReferenceUid=seat-a"
        );
        assert!(
            !vars
                .iter()
                .any(|(_, v)| v.contains("First Corp") || v.contains("first holder"))
        );
        // Without seats the booking's own answers are the attendee's.
        let plain = attendee("Grace", "grace@example.com", "UTC");
        let facts = Facts {
            attendee: Some(&plain),
            ..facts
        };
        let vars = variables(&facts, &to);
        assert!(vars.contains(&("COMPANY".into(), "First Corp".into())));
    }

    /// Kairos' own reminder in the reader's words and clock: a German reader in Berlin, an
    /// English one in New York on a 12-hour clock, across the day the clocks changed.
    #[test]
    fn kairos_own_reminder_reads_in_the_recipients_language_and_zone() {
        use crate::notify::compose::tests::{attendee, booking};
        let b = booking();
        let grete = attendee("Grete", "grete@example.de", "Europe/Berlin");
        let facts = Facts {
            unsubscribe_url: Some("https://cal.example/stop".into()),
            ..sample_facts(&b, &grete)
        };
        let trigger = Trigger {
            kind: TriggerKind::BeforeEvent,
            offset_minutes: 1440,
        };
        let step = Step::default_reminder();
        let to = Recipient {
            name: "Grete",
            email: "grete@example.de",
            clock: Clock::in_zone("Europe/Berlin", false, Lang::De),
        };
        let sent = message(&step, trigger, &facts, &to).email;
        let when = "Sonntag, 29. März 2026, 10:30 – 11:00 (Europe/Berlin)";
        assert_eq!(sent.subject, format!("Erinnerung: Intro am {when}"));
        assert!(
            sent.text.starts_with(&format!(
                "Hallo Grete,\n\nWir erinnern Sie an Intro mit Ada.\n\nWann: {when}\n"
            )),
            "{}",
            sent.text
        );
        assert!(
            sent.text
                .contains("\nAbsagen: https://cal.example/booking/uid1?cancel=true")
        );
        assert!(
            sent.text
                .ends_with("Keine Erinnerungen mehr zu diesem Termin: https://cal.example/stop\n")
        );
        let vars = variables(&facts, &to);
        assert!(vars.contains(&("EVENT_DATE".into(), "Sonntag, 29. März 2026".into())));
        assert!(vars.contains(&("EVENT_TIME".into(), "10:30".into())));
        let to = Recipient {
            clock: Clock::in_zone("America/New_York", true, Lang::En),
            ..to
        };
        assert_eq!(
            text(&step, trigger, &facts, &to),
            "Reminder: Intro on Sunday, March 29, 2026, 4:30am – 5:00am (America/New_York). \
             https://cal.example/booking/uid1"
        );
    }

    #[test]
    fn answers_become_upper_case_variables() {
        let given = r#"{"company": "Acme", "seats-needed": 3, "name": "Ada", "nda": true}"#;
        let vars = answers(given, Lang::En);
        assert!(vars.contains(&("COMPANY".into(), "Acme".into())));
        assert!(vars.contains(&("SEATS_NEEDED".into(), "3".into())));
        assert!(vars.contains(&("NDA".into(), "yes".into())));
        assert!(answers(given, Lang::De).contains(&("NDA".into(), "ja".into())));
    }
}
