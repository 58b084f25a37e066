//! The link of a Google Meet or Teams booking, which the host's calendar makes after the
//! booking committed: it becomes the booking's location and is told to everyone once, as a
//! signed `BOOKING_LOCATION_UPDATED` delivery (to a real receiver) and an updated invitation
//! (same UID, next SEQUENCE) over a real SMTP conversation. A link nobody asked for is not.

use chrono::{Duration as Days, Utc};
use kairos::config::{Config, Secret};
use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{book, booking_body, host};
use crate::calendars::{consent, google_config, microsoft_config, synced};
use crate::calendars_e2e::{BACKGROUND, google_consent};
use crate::email::{Mail, SmtpServer, to};
use crate::fake_google::FakeGoogle;
use crate::fake_microsoft::FakeMicrosoft;
use crate::helpers::eventually;
use crate::helpers::{TestApp, TestDatabase, booking_of, data, spawn_app_with};
use crate::webhooks::{Hit, Receiver, assert_signed};

const SECRET: &str = "meeting-s3cr3t";
const UPDATED: &str = "BOOKING_LOCATION_UPDATED";
const UPDATES: &str =
    "SELECT id FROM webhook_deliveries WHERE trigger_event = 'BOOKING_LOCATION_UPDATED'";
const UPDATE_EMAILS: &str = "SELECT id FROM jobs WHERE kind = 'email.location_updated'";

/// `config` (a calendar provider's) with email sent to `smtp`.
async fn app_with_email(config: Config, database: TestDatabase, smtp: &SmtpServer) -> TestApp {
    let config = Config {
        smtp_url: Some(Secret::new(smtp.url())),
        email_from: "Kairos Test <bookings@kairos.test>".to_owned(),
        ..config
    };
    spawn_app_with(config, database).await
}

/// A receiver subscribed (with a secret) to the creation, location and start of `key`'s
/// bookings.
async fn subscribed(app: &TestApp, key: &str) -> Receiver {
    let receiver = Receiver::start().await;
    let body = json!({"subscriberUrl": receiver.url, "secret": SECRET,
                      "triggers": ["BOOKING_CREATED", UPDATED, "MEETING_STARTED"]});
    let answer = app
        .call(Method::POST, "/v2/webhooks", Some(key), Some(body))
        .await;
    data(answer, 201).await;
    receiver
}

fn hit<'a>(hits: &'a [Hit], trigger: &str) -> Option<&'a Hit> {
    hits.iter().find(|h| h.json()["triggerEvent"] == trigger)
}

/// An iCalendar text with its folded lines joined again.
fn unfold(ics: &str) -> String {
    ics.replace("\r\n ", "").replace("\n ", "")
}

fn calendar_of(mail: &Mail) -> (String, String) {
    let (method, ics) = mail.calendar.clone().expect("a calendar entry");
    (method, unfold(&ics))
}

/// Books `event` (whose location is `placeholder`) as grace@example.com, waits for the host's
/// calendar to make the meeting, and checks that its link was told once, everywhere. The link.
async fn link_is_announced(
    app: &TestApp,
    key: &str,
    event: i64,
    placeholder: &str,
    smtp: &SmtpServer,
    receiver: &Receiver,
) -> String {
    let date = (Utc::now() + Days::days(4)).date_naive();
    let start = format!("{date}T14:00:00.000Z");
    let booked = data(
        book(app, booking_body(event, &start, "grace@example.com")).await,
        201,
    )
    .await;
    assert_eq!(booked["location"], placeholder, "{booked}");
    let uid = booked["uid"].as_str().unwrap().to_owned();
    let ics_uid = booked["icsUid"].as_str().unwrap().to_owned();

    // The creation knew no link yet; the update carries it, signed like every delivery.
    let hits = receiver
        .wait_for("the location update", |h| hit(h, UPDATED).is_some())
        .await;
    let created = hit(&hits, "BOOKING_CREATED").expect("the creation").json();
    assert_eq!(created["payload"]["location"], placeholder, "{created}");
    assert!(
        created["payload"]["metadata"].get("videoCallUrl").is_none(),
        "{created}"
    );
    let update = hit(&hits, UPDATED).unwrap();
    assert_signed(update, SECRET);
    let body = update.json();
    let payload = &body["payload"];
    let link = payload["location"].as_str().unwrap().to_owned();
    assert!(link.starts_with("https://"), "{body}");
    assert_eq!(payload["metadata"]["videoCallUrl"], link.as_str(), "{body}");
    assert_eq!(payload["previousLocation"], placeholder, "{body}");
    assert_eq!(payload["uid"], uid.as_str());
    assert_eq!(payload["iCalUID"], ics_uid.as_str());
    assert_eq!(payload["iCalSequence"], 1, "{body}");
    assert_eq!(payload["status"], "ACCEPTED");
    assert_eq!(payload["attendees"][0]["email"], "grace@example.com");

    // The booker and the host: the confirmation, then the same entry updated to the link.
    let mails = smtp.wait_for(4).await;
    for address in ["grace@example.com", "ada@example.com"] {
        let theirs = to(&mails, address);
        assert_eq!(theirs.len(), 2, "{address}: {mails:#?}");
        let (first, later): (Vec<&&Mail>, Vec<&&Mail>) = theirs
            .iter()
            .partition(|m| !m.subject.starts_with("Updated: "));
        assert_eq!((first.len(), later.len()), (1, 1), "{mails:#?}");
        let (_, original) = calendar_of(first[0]);
        assert!(
            original.contains(&format!("UID:{ics_uid}")) && original.contains("SEQUENCE:0"),
            "{original}"
        );
        let (method, updated) = calendar_of(later[0]);
        assert_eq!(method, "REQUEST");
        for line in [
            format!("UID:{ics_uid}"),
            "SEQUENCE:1".to_owned(),
            format!("LOCATION:{link}"),
        ] {
            assert!(updated.contains(&line), "{line}: {updated}");
        }
        assert!(later[0].text.contains(&link), "{}", later[0].text);
    }

    // Stored as the booking's place: its API view and its page say so.
    let view = booking_of(app, key, &uid).await;
    assert_eq!(view["location"], link.as_str(), "{view}");
    assert_eq!(view["meetingUrl"], link.as_str(), "{view}");
    let page = app
        .get(&format!("/booking/{uid}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("href=\"{link}\"")), "{page}");
    let history = history_of(app, key, &uid).await;
    assert!(
        history.contains(&"location_updated".to_owned()),
        "{history:?}"
    );

    // Told once; the start event, sent later, says where too.
    assert_eq!(app.db.count_rows(UPDATES).await.unwrap(), 1);
    assert_eq!(app.db.count_rows(UPDATE_EMAILS).await.unwrap(), 2);
    let started = "SELECT id FROM webhook_deliveries WHERE trigger_event = 'MEETING_STARTED'";
    let pending = format!("{started} AND status = 'pending' AND body LIKE '%{link}%'");
    assert_eq!(app.db.count_rows(&pending).await.unwrap(), 1);
    let replaced = format!("{started} AND status = 'cancelled' AND body LIKE '%{placeholder}%'");
    assert_eq!(app.db.count_rows(&replaced).await.unwrap(), 1);
    link
}

async fn history_of(app: &TestApp, key: &str, uid: &str) -> Vec<String> {
    let path = format!("/v2/bookings/{uid}/history");
    let entries = data(app.call(Method::GET, &path, Some(key), None).await, 200).await;
    let entries = entries.as_array().unwrap().iter();
    entries
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn event_type(app: &TestApp, key: &str, slug: &str, locations: Value) -> i64 {
    let body = json!({"title": "Visit", "slug": slug, "lengthInMinutes": 30,
                      "minimumBookingNotice": 0, "locations": locations});
    let answer = app
        .call(Method::POST, "/v2/event-types", Some(key), Some(body))
        .await;
    data(answer, 201).await["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_meet_link_is_announced_once_and_a_link_nobody_asked_for_is_not() {
    let fake = FakeGoogle::start().await;
    fake.add_calendar("ada@example.com", "Ada", true, "owner", "UTC");
    let smtp = SmtpServer::start().await;
    let database = TestDatabase::new().await;
    let config = google_config(&fake, &database);
    let app = app_with_email(config, database, &smtp).await;
    let meet = json!({"locations": [{"type": "integration", "integration": "google-meet"}]});
    let (key, event, _) = host(&app, "ada@example.com", meet).await;
    assert_eq!(google_consent(&app, &key).await.status(), 302);
    synced(&app, &key).await;
    let receiver = subscribed(&app, &key).await;

    let placeholder = "integrations:google-meet";
    let link = link_is_announced(&app, &key, event, placeholder, &smtp, &receiver).await;
    let written = fake.events("ada@example.com");
    assert_eq!(written.len(), 1, "{written:?}");
    assert_eq!(written[0]["hangoutLink"], link.as_str());

    // An address booking in a calendar that adds a Meet to everything keeps its address.
    fake.add_meet_to_every_event();
    let address = json!([{"type": "address", "address": "1 Main St"}]);
    let visit = event_type(&app, &key, "visit", address).await;
    let date = (Utc::now() + Days::days(5)).date_naive();
    let start = format!("{date}T10:00:00.000Z");
    let booked = data(
        book(&app, booking_body(visit, &start, "grace@example.com")).await,
        201,
    )
    .await;
    let uid = booked["uid"].as_str().unwrap().to_owned();
    let ics_uid = booked["icsUid"].as_str().unwrap().to_owned();
    eventually("the visit written back", BACKGROUND, async || {
        let history = history_of(&app, &key, &uid).await;
        history
            .contains(&"calendar_event_created".to_owned())
            .then_some(())
    })
    .await;
    let unasked = fake
        .events("ada@example.com")
        .into_iter()
        .find(|e| e["iCalUID"] == ics_uid.as_str())
        .expect("the visit's event");
    assert!(unasked["hangoutLink"].is_string(), "{unasked}");
    let view = booking_of(&app, &key, &uid).await;
    assert_eq!(view["location"], "1 Main St", "{view}");
    assert_eq!(app.db.count_rows(UPDATES).await.unwrap(), 1);
    assert_eq!(app.db.count_rows(UPDATE_EMAILS).await.unwrap(), 2);
    assert!(
        !history_of(&app, &key, &uid)
            .await
            .contains(&"location_updated".to_owned())
    );
}

#[tokio::test]
async fn a_teams_link_is_announced_once() {
    let fake = FakeMicrosoft::start().await;
    let smtp = SmtpServer::start().await;
    let database = TestDatabase::new().await;
    let config = microsoft_config(&fake, &database);
    let app = app_with_email(config, database, &smtp).await;
    let teams = json!({"locations": [{"type": "integration", "integration": "office365-video"}]});
    let (key, event, _) = host(&app, "ada@example.com", teams).await;
    assert_eq!(consent(&app, &key).await.0.status(), 302);
    synced(&app, &key).await;
    let receiver = subscribed(&app, &key).await;

    let placeholder = "integrations:office365-video";
    let link = link_is_announced(&app, &key, event, placeholder, &smtp, &receiver).await;
    assert!(
        link.starts_with("https://teams.microsoft.com/l/meetup-join/"),
        "{link}"
    );
}
