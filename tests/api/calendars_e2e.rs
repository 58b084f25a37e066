//! External calendars end to end through the API, part two: a CalDAV server (a real Radicale)
//! connected with credentials, Google through its OAuth round trip (the fake) with a Meet link,
//! and conflicts found after the fact (an ICS feed gains an event over a booking).

use std::time::Duration;

use chrono::{Duration as Days, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{book, booking_body, host, slot_starts};
use crate::calendars::{Feed, app_with_google, calendar as vcalendar, consent_url, synced, vevent};
use crate::calendars_caldav::{Radicale, password};
use crate::fake_google::FakeGoogle;
use crate::helpers::{
    TestApp, TestDatabase, assert_error, booking_of, data, eventually, spawn_app_with,
};
use crate::webhooks::Receiver;

/// How long a sync or write-back (running in the background) may take here.
pub(crate) const BACKGROUND: Duration = Duration::from_secs(20);

async fn calendars(app: &TestApp, key: &str) -> Value {
    data(
        app.call(Method::GET, "/v2/calendars", Some(key), None)
            .await,
        200,
    )
    .await
}

/// Makes the first connection due now (a selection change does that) and waits for its sync.
async fn sync_again(app: &TestApp, key: &str) {
    let list = calendars(app, key).await;
    let connection = &list["connectedCalendars"][0];
    let before = connection["syncedAt"].clone();
    let integration = connection["integration"]["type"].clone();
    let external = connection["calendars"][0]["externalId"].clone();
    let body = json!({"integration": integration, "externalId": external});
    // `syncedAt` has whole seconds: the next sync must be told apart from the last.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    data(
        app.call(
            Method::POST,
            "/v2/selected-calendars",
            Some(key),
            Some(body),
        )
        .await,
        201,
    )
    .await;
    eventually("the connection to sync again", BACKGROUND, async || {
        let list = calendars(app, key).await;
        if list["connectedCalendars"][0]["syncedAt"] != before {
            Ok(())
        } else {
            Err(list.to_string())
        }
    })
    .await;
}

// ---- CalDAV ----

async fn connect_caldav(app: &TestApp, key: &str, server: &str, pass: &str) -> reqwest::Response {
    app.call(
        Method::POST,
        "/v2/calendars/caldav/credentials",
        Some(key),
        Some(json!({"serverUrl": server, "username": "ada", "password": pass})),
    )
    .await
}

/// The VEVENTs of a Radicale calendar (a GET on the collection answers them all) that carry
/// `uid`, unfolded.
async fn events_with(radicale: &Radicale, calendar: &str, uid: &str) -> Vec<String> {
    let text = radicale.get(calendar).await.unwrap_or_default();
    let text = text.replace("\r\n ", "").replace("\r\n\t", "");
    text.split("BEGIN:VEVENT")
        .skip(1)
        .filter(|e| e.contains(&format!("UID:{uid}\r\n")))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn caldav_connects_blocks_and_receives_moves_and_removes_bookings() {
    let radicale = Radicale::start().await;
    let calendar = radicale.calendar("ada", "work", "VEVENT").await;
    let database = TestDatabase::new().await;
    let app = spawn_app_with(database.config(), database).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let date = (Utc::now() + Days::days(3)).date_naive();
    let day = date.format("%Y%m%d").to_string();
    let ten = format!("{date}T10:00:00.000Z");
    assert!(slot_starts(&app, event, date).await.contains(&ten));

    let created = data(
        connect_caldav(&app, &key, &radicale.url, &password("ada")).await,
        201,
    )
    .await;
    assert_eq!(created["type"], "caldav_calendar", "{created}");
    let list = synced(&app, &key).await;
    assert_eq!(
        list["connectedCalendars"][0]["calendars"][0]["isSelected"], true,
        "{list}"
    );
    // The password is never shown back.
    assert!(!list.to_string().contains("ada-secret"), "{list}");

    // An event put into the calendar blocks its time after the next sync.
    let dentist = vcalendar(&[vevent("dentist-1", date, "1000", "1100", "Dentist")]);
    radicale.put(&calendar, "dentist-1.ics", &dentist).await;
    sync_again(&app, &key).await;
    let free = slot_starts(&app, event, date).await;
    assert!(!free.contains(&ten), "{free:?}");
    assert!(free.contains(&format!("{date}T11:00:00.000Z")), "{free:?}");

    // A booking is written as a VEVENT with the booking's iCalendar UID.
    let start = format!("{date}T14:00:00.000Z");
    let booked = data(
        book(&app, booking_body(event, &start, "grace@example.com")).await,
        201,
    )
    .await;
    let uid = booked["uid"].as_str().unwrap().to_owned();
    let ics_uid = booked["icsUid"].as_str().unwrap().to_owned();
    let written = eventually("the written event", BACKGROUND, async || {
        let found = events_with(&radicale, &calendar, &ics_uid).await;
        (found.len() == 1).then_some(found)
    })
    .await;
    assert!(written[0].contains(&format!("{day}T1400")), "{written:?}");

    // Rescheduled: the same event (same UID) moves to the new time.
    let moved = data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{uid}/reschedule"),
            None,
            Some(json!({"start": format!("{date}T15:00:00.000Z")})),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(moved["icsUid"], ics_uid.as_str(), "{moved}");
    let new_uid = moved["uid"].as_str().unwrap().to_owned();
    eventually("the moved event", BACKGROUND, async || {
        let found = events_with(&radicale, &calendar, &ics_uid).await;
        (found.len() == 1 && found[0].contains(&format!("{day}T1500"))).then_some(())
    })
    .await;

    // Cancelled: the event goes; the dentist stays.
    data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{new_uid}/cancel"),
            None,
            Some(json!({"cancellationReason": "ill"})),
        )
        .await,
        200,
    )
    .await;
    eventually("the removed event", BACKGROUND, async || {
        events_with(&radicale, &calendar, &ics_uid)
            .await
            .is_empty()
            .then_some(())
    })
    .await;
    assert_eq!(
        events_with(&radicale, &calendar, "dentist-1").await.len(),
        1
    );
}

#[tokio::test]
async fn a_wrong_caldav_password_is_a_clear_bad_request() {
    let radicale = Radicale::start().await;
    radicale.calendar("ada", "work", "VEVENT").await;
    let database = TestDatabase::new().await;
    let app = spawn_app_with(database.config(), database).await;
    let (key, _, _) = host(&app, "ada@example.com", json!({})).await;
    let message = assert_error(
        connect_caldav(&app, &key, &radicale.url, "not-the-password").await,
        400,
        "BadRequestException",
    )
    .await;
    let lower = message.to_lowercase();
    assert!(
        lower.contains("password") || lower.contains("credentials"),
        "{message}"
    );
    assert!(!message.contains("not-the-password"), "{message}");
    assert_eq!(calendars(&app, &key).await["connectedCalendars"], json!([]));
}

// ---- Google ----

/// The consent round trip as a browser follows it; the save endpoint's answer.
pub(crate) async fn google_consent(app: &TestApp, key: &str) -> reqwest::Response {
    let back = consent_url(app, key, "google", "?redir=https://app.example.com/done").await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    browser.get(&back).send().await.unwrap()
}

#[tokio::test]
async fn google_connects_writes_a_meet_booking_and_revokes_on_disconnect() {
    let fake = FakeGoogle::start().await;
    fake.add_calendar("ada@example.com", "Ada", true, "owner", "UTC");
    let app = app_with_google(&fake).await;
    let (key, event, _) = host(
        &app,
        "ada@example.com",
        json!({"locations": [{"type": "integration", "integration": "google-meet"}]}),
    )
    .await;
    let done = google_consent(&app, &key).await;
    assert_eq!(done.status(), 302);
    assert_eq!(done.headers()["location"], "https://app.example.com/done");
    let list = synced(&app, &key).await;
    assert_eq!(
        list["connectedCalendars"][0]["integration"]["type"], "google_calendar",
        "{list}"
    );
    assert_eq!(list["destinationCalendar"]["externalId"], "ada@example.com");

    let date = (Utc::now() + Days::days(4)).date_naive();
    let start = format!("{date}T14:00:00.000Z");
    let booked = data(
        book(&app, booking_body(event, &start, "grace@example.com")).await,
        201,
    )
    .await;
    let uid = booked["uid"].as_str().unwrap().to_owned();
    let ics_uid = booked["icsUid"].as_str().unwrap().to_owned();
    let written = eventually("the Google event", BACKGROUND, async || {
        fake.events("ada@example.com")
            .into_iter()
            .find(|e| e["iCalUID"] == ics_uid.as_str())
    })
    .await;
    let meet = written["hangoutLink"].as_str().unwrap().to_owned();
    assert!(meet.starts_with("https://meet.google.com/"), "{written}");
    let view = eventually("the Meet link as the location", BACKGROUND, async || {
        let view = booking_of(&app, &key, &uid).await;
        (view["location"] == meet.as_str()).then_some(view)
    })
    .await;
    assert_eq!(view["meetingUrl"], meet.as_str(), "{view}");

    // Disconnected: the grant is revoked at Google and the connection is gone.
    assert!(fake.revoked().is_empty());
    let credential = list["connectedCalendars"][0]["credentialId"].clone();
    data(
        app.call(
            Method::POST,
            "/v2/calendars/google/disconnect",
            Some(&key),
            Some(json!({"id": credential})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(fake.revoked().len(), 1, "{:?}", fake.revoked());
    assert_eq!(calendars(&app, &key).await["connectedCalendars"], json!([]));
}

#[tokio::test]
async fn a_collective_meet_booking_has_one_link_made_by_the_organizers_calendar_for_every_host() {
    let fake = FakeGoogle::start().await;
    fake.add_calendar("ada@example.com", "Ada", true, "owner", "UTC");
    fake.add_calendar("bob@example.com", "Bob", false, "owner", "UTC");
    let app = app_with_google(&fake).await;
    let (keys, ids, team) = crate::calendars_recheck::team_of(&app, &["ada", "bob"]).await;
    for key in &keys {
        assert_eq!(google_consent(&app, key).await.status(), 302);
        synced(&app, key).await;
    }
    // Both reach the same Google account; Bob writes into his own calendar.
    let bobs = json!({"integration": "google_calendar", "externalId": "bob@example.com"});
    let path = "/v2/destination-calendars";
    let answer = app
        .call(Method::PUT, path, Some(&keys[1]), Some(bobs))
        .await;
    assert!(
        answer.status().is_success(),
        "{}",
        answer.text().await.unwrap()
    );
    // Bob is listed first: the organizer is not simply the host with the lowest id.
    let body = json!({"title": "Pair", "slug": "pair", "lengthInMinutes": 30,
        "minimumBookingNotice": 0, "schedulingType": "COLLECTIVE",
        "hosts": [{"userId": ids[1]}, {"userId": ids[0]}],
        "locations": [{"type": "integration", "integration": "google-meet"}]});
    let path = format!("/v2/teams/{team}/event-types");
    let event = data(
        app.call(Method::POST, &path, Some(&keys[0]), Some(body))
            .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();

    let date = (Utc::now() + Days::days(4)).date_naive();
    let start = format!("{date}T14:00:00.000Z");
    let booked = data(
        book(&app, booking_body(event, &start, "grace@example.com")).await,
        201,
    )
    .await;
    let uid = booked["uid"].as_str().unwrap().to_owned();
    let ics_uid = booked["icsUid"].as_str().unwrap().to_owned();
    let organizer = if app
        .db
        .count_rows(&format!(
            "SELECT id FROM bookings WHERE uid = '{uid}' AND user_id = {}",
            ids[0]
        ))
        .await
        .unwrap()
        == 1
    {
        0
    } else {
        1
    };
    let calendars = ["ada@example.com", "bob@example.com"];
    let view = eventually("the Meet link as the location", BACKGROUND, async || {
        let view = booking_of(&app, &keys[0], &uid).await;
        let link = view["location"].as_str()?.to_owned();
        link.starts_with("https://meet.google.com/").then_some(view)
    })
    .await;
    let link = view["location"].as_str().unwrap().to_owned();
    // Every host's event carries that link once the location change is written back too.
    let events = eventually("both events with the link", BACKGROUND, async || {
        let events: Vec<Value> = (calendars.iter())
            .filter_map(|cal| {
                (fake.events(cal).into_iter()).find(|e| e["iCalUID"] == ics_uid.as_str())
            })
            .collect();
        let carried =
            |e: &Value| e["hangoutLink"] == link.as_str() || e["location"] == link.as_str();
        (events.len() == 2 && events.iter().all(carried)).then_some(events)
    })
    .await;
    // One meeting: made in the organizer's calendar; the other host's event has no Meet of
    // its own.
    assert_eq!(
        events[organizer]["hangoutLink"],
        link.as_str(),
        "{events:?}"
    );
    let other = &events[1 - organizer];
    assert!(other["hangoutLink"].is_null(), "a second meeting: {other}");
    assert!(
        other["conferenceData"].is_null(),
        "a second meeting: {other}"
    );
    assert_eq!(other["location"], link.as_str(), "{other}");
}

// ---- Conflicts ----

async fn subscribe(app: &TestApp, key: &str, url: &str, triggers: &[&str]) {
    data(
        app.call(
            Method::POST,
            "/v2/webhooks",
            Some(key),
            Some(json!({"subscriberUrl": url, "triggers": triggers, "secret": "s3cr3t"})),
        )
        .await,
        201,
    )
    .await;
}

async fn history(app: &TestApp, key: &str, uid: &str) -> Vec<Value> {
    let entries = data(
        app.call(
            Method::GET,
            &format!("/v2/bookings/{uid}/history"),
            Some(key),
            None,
        )
        .await,
        200,
    )
    .await;
    entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "calendar_conflict")
        .cloned()
        .collect()
}

/// An app whose emails are queued but never sent (no sender runs), so the test reads them
/// from the queue.
async fn app_with_queued_email() -> TestApp {
    let database = TestDatabase::new().await;
    let mut config = database.config();
    config.smtp_url = Some(kairos::config::Secret::new("smtp://127.0.0.1:9".to_owned()));
    config.email_worker = false;
    spawn_app_with(config, database).await
}

#[tokio::test]
async fn an_event_added_over_a_booking_is_a_conflict_for_its_host_only() {
    let app = app_with_queued_email().await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let wanted = Receiver::start().await;
    let other = Receiver::start().await;
    subscribe(&app, &key, &wanted.url, &["BOOKING_CALENDAR_CONFLICT"]).await;
    subscribe(&app, &key, &other.url, &["BOOKING_CREATED"]).await;
    let date = (Utc::now() + Days::days(3)).date_naive();
    let feed = Feed::start(vcalendar(&[])).await;
    data(
        app.call(
            Method::POST,
            "/v2/calendars/ics-feed/save",
            Some(&key),
            Some(json!({"urls": [feed.url]})),
        )
        .await,
        201,
    )
    .await;
    synced(&app, &key).await;
    let start = format!("{date}T14:00:00.000Z");
    let booked = data(
        book(&app, booking_body(event, &start, "grace@example.com")).await,
        201,
    )
    .await;
    let uid = booked["uid"].as_str().unwrap().to_owned();
    let ics_uid = booked["icsUid"].as_str().unwrap().to_owned();
    assert_eq!(booking_of(&app, &key, &uid).await["conflicts"], json!([]));

    // The calendar gains its copy of the booking (no conflict) and a dentist over it.
    feed.set(vcalendar(&[
        vevent(&ics_uid, date, "1400", "1430", "Call"),
        vevent("dentist-2", date, "1415", "1500", "Dentist"),
        vevent("later", date, "1600", "1700", "Gym"),
    ]));
    sync_again(&app, &key).await;
    let view = booking_of(&app, &key, &uid).await;
    let conflicts = view["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{view}");
    assert_eq!(conflicts[0]["calendar"], "Private");
    assert_eq!(conflicts[0]["start"], format!("{date}T14:15:00.000Z"));
    assert_eq!(conflicts[0]["end"], format!("{date}T15:00:00.000Z"));
    assert!(conflicts[0]["detectedAt"].is_string());
    // Nothing is dropped or moved.
    assert_eq!(view["status"], "accepted");
    assert_eq!(view["start"], start);

    let entries = history(&app, &key, &uid).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let reason = entries[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("Private") && reason.contains("14:15"),
        "{reason}"
    );

    let hits = wanted
        .wait_for("the conflict delivery", |h| !h.is_empty())
        .await;
    let body = hits[0].json();
    assert_eq!(body["triggerEvent"], "BOOKING_CALENDAR_CONFLICT", "{body}");
    assert_eq!(body["payload"]["uid"], uid.as_str());
    assert_eq!(
        body["payload"]["conflict"]["start"],
        format!("{date}T14:15:00.000Z")
    );
    // The event's summary and calendar are the host's, not the subscriber's.
    assert!(!body.to_string().contains("Dentist"), "{body}");
    let delivered =
        "SELECT id FROM webhook_deliveries WHERE trigger_event = 'BOOKING_CALENDAR_CONFLICT'";
    assert_eq!(app.db.count_rows(delivered).await.unwrap(), 1);
    let emailed = "SELECT id FROM jobs WHERE kind = 'email.conflict' \
                   AND payload LIKE '%ada@example.com%' AND payload LIKE '%Private%'";
    assert_eq!(app.db.count_rows(emailed).await.unwrap(), 1);

    // Known conflicts are not recorded again.
    sync_again(&app, &key).await;
    let view = booking_of(&app, &key, &uid).await;
    assert_eq!(view["conflicts"].as_array().unwrap().len(), 1, "{view}");
    assert_eq!(history(&app, &key, &uid).await.len(), 1);
    assert_eq!(app.db.count_rows(delivered).await.unwrap(), 1);
    assert_eq!(app.db.count_rows(emailed).await.unwrap(), 1);
    assert!(
        other
            .hits()
            .iter()
            .all(|h| h.json()["triggerEvent"] != "BOOKING_CALENDAR_CONFLICT")
    );

    // Only the host's view shows conflicts: the list and the booker's answers do not.
    let listed = data(
        app.call(Method::GET, "/v2/bookings", Some(&key), None)
            .await,
        200,
    )
    .await;
    assert!(listed[0].get("conflicts").is_none(), "{listed}");
    let (_, eve) = crate::event_types::person(&app, "eve@example.com", "UTC").await;
    assert_error(
        app.call(
            Method::GET,
            &format!("/v2/bookings/{uid}"),
            Some(&eve),
            None,
        )
        .await,
        404,
        "NotFoundException",
    )
    .await;
    let cancelled = data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{uid}/cancel"),
            None,
            Some(json!({"cancellationReason": "clash"})),
        )
        .await,
        200,
    )
    .await;
    assert!(cancelled.get("conflicts").is_none(), "{cancelled}");
}
