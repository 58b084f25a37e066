//! Emails in their reader's language, over a real SMTP conversation: an attendee reads the
//! language they booked in (the API's `attendee.language`, or the booking page's language) with
//! dates written that language's way in their own zone; a host reads their profile's language
//! in their profile's zone and clock. Reminders and their stop page read the same way.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use reqwest::Method;
use serde_json::json;

use crate::bookings::{at, day, host};
use crate::email::{Mail, SmtpServer, app_with_smtp, to};
use crate::helpers::data;
use crate::pages::{ahead, host_with_event, post_form};
use crate::workflows::move_clock_to;

/// How a German reader writes a date and times, with names from this test's own table:
/// "Dienstag, 2. März 2027, 15:00 – 15:30".
fn german(start: DateTime<Utc>, minutes: i64, zone: Tz) -> String {
    const DAYS: [&str; 7] = [
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
    ];
    const MONTHS: [&str; 12] = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ];
    let (s, e) = (
        start.with_timezone(&zone),
        (start + chrono::Duration::minutes(minutes)).with_timezone(&zone),
    );
    format!(
        "{}, {}. {} {}, {} – {}",
        DAYS[s.weekday().num_days_from_monday() as usize],
        s.day(),
        MONTHS[s.month0() as usize],
        s.year(),
        s.format("%H:%M"),
        e.format("%H:%M"),
    )
}

/// How an English reader on a 12-hour clock writes it: "Tuesday, March 2, 2027, 6:00am – 6:30am".
fn english(start: DateTime<Utc>, minutes: i64, zone: Tz) -> String {
    let (s, e) = (
        start.with_timezone(&zone),
        (start + chrono::Duration::minutes(minutes)).with_timezone(&zone),
    );
    format!(
        "{}, {}",
        s.format("%A, %B %-d, %Y"),
        [s, e].map(|t| t.format("%-I:%M%P").to_string()).join(" – ")
    )
}

/// What a reader reads of one email: its text with the wire's line ends read as `\n`.
struct Read {
    subject: String,
    text: String,
    /// The calendar entry, if any.
    ics: String,
}

/// The one email to `address` whose subject starts with `subject_start`.
fn one(mails: &[Mail], address: &str, subject_start: &str) -> Read {
    let found: Vec<&Mail> = to(mails, address)
        .into_iter()
        .filter(|m| m.subject.starts_with(subject_start))
        .collect();
    assert_eq!(found.len(), 1, "{subject_start} to {address}: {mails:#?}");
    Read {
        subject: found[0].subject.clone(),
        text: found[0].text.replace("\r\n", "\n"),
        ics: found[0].calendar.clone().unwrap_or_default().1,
    }
}

#[tokio::test]
async fn a_german_booker_reads_german_in_their_zone_and_the_host_english_in_theirs() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let profile = json!({"timeZone": "America/Los_Angeles", "timeFormat": 12, "locale": "en"});
    data(
        app.call(Method::PATCH, "/v2/me", Some(&key), Some(profile))
            .await,
        200,
    )
    .await;
    let start = at(day(10), "14:00");
    let body = json!({
        "start": start, "eventTypeId": event,
        "attendee": {"name": "Grete Müller", "email": "grete@booker.example",
                     "timeZone": "Europe/Berlin", "language": "de"},
    });
    let booked = data(
        app.call(Method::POST, "/v2/bookings", None, Some(body))
            .await,
        201,
    )
    .await;
    let uid = booked["uid"].as_str().unwrap().to_owned();
    assert_eq!(booked["attendees"][0]["language"], "de", "{booked}");
    let instant: DateTime<Utc> = start.parse().unwrap();
    let (berlin, la) = (chrono_tz::Europe::Berlin, chrono_tz::America::Los_Angeles);

    let mails = smtp.wait_for(2).await;
    let grete = one(&mails, "grete@booker.example", "Bestätigt: ");
    let when = format!("{} (Europe/Berlin)", german(instant, 30, berlin));
    assert!(
        grete.subject.ends_with(&format!(" am {when}")),
        "{}",
        grete.subject
    );
    assert!(
        grete
            .text
            .starts_with("Hallo Grete Müller,\n\nIhre Buchung ist bestätigt."),
        "{}",
        grete.text
    );
    assert!(
        grete.text.contains(&format!("Wann: {when}")),
        "{}",
        grete.text
    );
    assert!(grete.text.contains("Die Kalendereinladung ist angehängt."));
    assert!(grete.ics.contains("Etwas ändern?"), "{}", grete.ics);
    let ada = one(&mails, "ada@example.com", "Booked: ");
    let host_when = format!("{} (America/Los_Angeles)", english(instant, 30, la));
    assert!(
        ada.subject
            .ends_with(&format!("with Grete Müller on {host_when}")),
        "{}",
        ada.subject
    );
    assert!(ada.text.starts_with("Hello Ada"), "{}", ada.text);

    // A reschedule and a cancellation write in the same languages.
    let moved = data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{uid}/reschedule"),
            None,
            Some(json!({"start": at(day(10), "15:00")})),
        )
        .await,
        201,
    )
    .await;
    let mails = smtp.wait_for(4).await;
    let grete = one(&mails, "grete@booker.example", "Verschoben: ");
    let was = format!("{} (Europe/Berlin)", german(instant, 30, berlin));
    assert!(
        grete.text.contains(&format!("Er war am {was}.")),
        "{}",
        grete.text
    );
    let later = instant + chrono::Duration::hours(1);
    let now_at = format!("ist jetzt am {} (Europe/Berlin)", german(later, 30, berlin));
    assert!(grete.subject.ends_with(&now_at), "{}", grete.subject);
    one(&mails, "ada@example.com", "Rescheduled: ");

    let new_uid = moved["uid"].as_str().unwrap();
    data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{new_uid}/cancel"),
            None,
            Some(json!({"cancellationReason": "Krank"})),
        )
        .await,
        200,
    )
    .await;
    let mails = smtp.wait_for(6).await;
    let grete = one(&mails, "grete@booker.example", "Abgesagt: ");
    assert!(grete.text.contains("Grund: Krank"), "{}", grete.text);
    let ada = one(&mails, "ada@example.com", "Cancelled: ");
    assert!(ada.text.contains("Reason: Krank"), "{}", ada.text);
}

#[tokio::test]
async fn a_booking_made_on_a_french_page_records_french_and_mails_in_french() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, _) = host_with_event(&app, json!({})).await;
    let (date, month) = ahead(21);
    let slot = format!("{date}T10:00:00Z");
    let step = format!("/ada/intro?tz=Europe/Paris&lang=fr&month={month}&date={date}&slot={slot}");
    let response = post_form(
        &app,
        &step,
        &[
            ("slot", &slot),
            ("nonce", "n1"),
            ("name", "Camille Dupont"),
            ("email", "camille@booker.example"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let uid = location
        .trim_start_matches("/booking/")
        .split('?')
        .next()
        .unwrap();
    let booking = data(
        app.call(
            Method::GET,
            &format!("/v2/bookings/{uid}"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(booking["attendees"][0]["language"], "fr", "{booking}");

    let mails = smtp.wait_for(2).await;
    let camille = one(&mails, "camille@booker.example", "Confirmé : ");
    assert!(
        camille.subject.contains("(Europe/Paris)"),
        "{}",
        camille.subject
    );
    assert!(
        camille
            .text
            .starts_with("Bonjour Camille Dupont,\n\nVotre réservation est confirmée."),
        "{}",
        camille.text
    );
    // The host's profile (English, Berlin) decides theirs.
    let ada = one(&mails, "ada@host.example", "Booked: ");
    assert!(ada.subject.contains("(Europe/Berlin)"), "{}", ada.subject);
}

/// The day-before reminder to a German booker: German words, a German date in their zone; the
/// link in it opens a German page that stops the reminders.
#[tokio::test]
async fn a_german_bookers_day_before_reminder_is_german_with_german_dates() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (_, event, _) = host(&app, "ada@example.com", json!({})).await;
    let start = at(day(10), "14:00");
    let body = json!({
        "start": start, "eventTypeId": event,
        "attendee": {"name": "Grete Müller", "email": "grete@booker.example",
                     "timeZone": "Europe/Berlin", "language": "de"},
    });
    data(
        app.call(Method::POST, "/v2/bookings", None, Some(body))
            .await,
        201,
    )
    .await;
    smtp.wait_for(2).await;
    let instant: DateTime<Utc> = start.parse().unwrap();
    let day_before = instant - chrono::Duration::hours(24) + chrono::Duration::minutes(1);
    move_clock_to(&app, day_before);
    let mails = smtp.wait_for(3).await;
    let grete = one(&mails, "grete@booker.example", "Erinnerung: ");
    let when = format!(
        "{} (Europe/Berlin)",
        german(instant, 30, chrono_tz::Europe::Berlin)
    );
    assert_eq!(grete.subject, format!("Erinnerung: Call am {when}"));
    assert!(
        grete
            .text
            .starts_with("Hallo Grete Müller,\n\nWir erinnern Sie an Call mit Ada"),
        "{}",
        grete.text
    );
    for line in [
        format!("Wann: {when}"),
        "Etwas ändern?\nVerschieben: http".to_owned(),
        "\nAbsagen: http".to_owned(),
    ] {
        assert!(grete.text.contains(&line), "{line}: {}", grete.text);
    }
    assert!(!grete.text.contains("Reminder"), "{}", grete.text);

    let link = (grete.text.lines())
        .find_map(|l| l.strip_prefix("Keine Erinnerungen mehr zu diesem Termin: "))
        .unwrap_or_else(|| panic!("{}", grete.text))
        .trim()
        .to_owned();
    let path = link.strip_prefix(&app.address).unwrap();
    let page = app.get(path).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains(r#"lang="de""#) && page.contains("Erinnerungen abbestellen?"),
        "{page}"
    );
    let action = format!("/booking/{}/reminders-off?lang=de", booking_uid(path));
    assert!(page.contains(&action.replace('&', "&amp;")), "{page}");
    let token = link
        .split("token=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let stopped = (app.client.post(format!("{}{action}", app.address)))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), 200);
    let stopped = stopped.text().await.unwrap();
    assert!(stopped.contains("Keine Erinnerungen mehr"), "{stopped}");
}

/// The uid in `/booking/{uid}/…`.
fn booking_uid(path: &str) -> &str {
    path.trim_start_matches("/booking/")
        .split('/')
        .next()
        .unwrap()
}
