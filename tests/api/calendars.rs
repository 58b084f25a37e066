//! External calendars end to end, through the API: connect (an ICS feed served on loopback,
//! Microsoft's OAuth round trip against the fake), the background sync fills the busy cache,
//! busy time removes slots, bookings are written back, and each user sees only their own.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use chrono::{Duration as Days, NaiveDate, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{book, booking_body, host, slot_starts};
use crate::fake_google::FakeGoogle;
use crate::fake_microsoft::{FakeMicrosoft, timed};
use crate::helpers::{
    TestApp, TestDatabase, assert_error, data, eventually, spawn_app, spawn_app_with,
};

/// A feed on loopback whose text a test can change.
pub struct Feed {
    pub url: String,
    text: Arc<Mutex<String>>,
}

impl Feed {
    pub async fn start(text: String) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/cal.ics?token=secret",
            listener.local_addr().unwrap()
        );
        let shared = Arc::new(Mutex::new(text));
        let served = web::Data::new(shared.clone());
        let server = HttpServer::new(move || {
            App::new().app_data(served.clone()).route(
                "/cal.ics",
                web::get().to(|text: web::Data<Arc<Mutex<String>>>| async move {
                    HttpResponse::Ok()
                        .content_type("text/calendar")
                        .body(text.lock().unwrap().clone())
                }),
            )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { url, text: shared }
    }

    pub fn set(&self, text: String) {
        *self.text.lock().unwrap() = text;
    }
}

pub fn event_at(uid: &str, date: NaiveDate, from: &str, to: &str) -> String {
    vevent(uid, date, from, to, "Dentist")
}

/// A one-off event on `date` from `from` to `to` (`HHMM`, UTC).
pub fn vevent(uid: &str, date: NaiveDate, from: &str, to: &str, summary: &str) -> String {
    let d = date.format("%Y%m%d");
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{d}T{from}00Z\r\nDTEND:{d}T{to}00Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\n"
    )
}

pub fn calendar(events: &[String]) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nX-WR-CALNAME:Private\r\n{}END:VCALENDAR\r\n",
        events.concat()
    )
}

/// Waits (up to 10 s) until every connection of `key`'s user has synced once; their list.
pub(crate) async fn synced(app: &TestApp, key: &str) -> Value {
    eventually(
        "the calendars to sync",
        Duration::from_secs(10),
        async || {
            let list = data(
                app.call(Method::GET, "/v2/calendars", Some(key), None)
                    .await,
                200,
            )
            .await;
            let all = list["connectedCalendars"].as_array().unwrap();
            let done = !all.is_empty() && all.iter().all(|c| !c["syncedAt"].is_null());
            done.then_some(list)
        },
    )
    .await
}

#[tokio::test]
async fn an_ics_feed_blocks_its_busy_time_and_only_for_its_owner() {
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let date = (Utc::now() + Days::days(3)).date_naive();
    let feed = Feed::start(calendar(&[event_at("dentist-1", date, "1000", "1100")])).await;
    let before = slot_starts(&app, event, date).await;
    let ten = format!("{date}T10:00:00.000Z");
    assert!(before.contains(&ten), "{before:?}");

    let saved = data(
        app.call(
            Method::POST,
            "/v2/calendars/ics-feed/save",
            Some(&key),
            Some(json!({"urls": [feed.url], "readOnly": true})),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(saved["type"], "ics-feed_calendar");
    let list = synced(&app, &key).await;
    let connection = &list["connectedCalendars"][0];
    assert_eq!(connection["calendars"][0]["isSelected"], true, "{list}");
    assert_eq!(connection["calendars"][0]["name"], "Private");
    // The feed's secret token is never shown back.
    assert!(!list.to_string().contains("secret"), "{list}");

    let after = slot_starts(&app, event, date).await;
    assert!(!after.contains(&ten), "{after:?}");
    assert!(!after.contains(&format!("{date}T10:30:00.000Z")));
    assert!(after.contains(&format!("{date}T11:00:00.000Z")));
    let busy = data(
        app.call(
            Method::GET,
            &format!(
                "/v2/calendars/busy-times?dateFrom={date}&dateTo={}",
                date + Days::days(1)
            ),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(busy[0]["start"], format!("{date}T10:00:00Z"), "{busy}");

    // Someone else sees none of it and cannot change it.
    let (_, eve) = crate::event_types::person(&app, "eve@example.com", "UTC").await;
    let theirs = data(
        app.call(Method::GET, "/v2/calendars", Some(&eve), None)
            .await,
        200,
    )
    .await;
    assert_eq!(theirs["connectedCalendars"], json!([]));
    let external = connection["calendars"][0]["externalId"].as_str().unwrap();
    let path = format!(
        "/v2/selected-calendars?integration=ics-feed_calendar&externalId={}",
        urlencode(external)
    );
    assert_error(
        app.call(Method::DELETE, &path, Some(&eve), None).await,
        404,
        "NotFoundException",
    )
    .await;
    let credential = connection["credentialId"].as_i64().unwrap();
    let disconnect = Some(json!({"id": credential}));
    assert_error(
        app.call(
            Method::POST,
            "/v2/calendars/ics-feed/disconnect",
            Some(&eve),
            disconnect.clone(),
        )
        .await,
        404,
        "NotFoundException",
    )
    .await;
    let named = json!({"integration": "ics-feed_calendar", "externalId": external});
    for (method, path, body) in [
        (Method::POST, "/v2/selected-calendars", Some(named.clone())),
        (
            Method::PUT,
            "/v2/destination-calendars",
            Some(named.clone()),
        ),
        (Method::GET, "/v2/calendars/ics-feed/check", None),
    ] {
        let answer = app.call(method, path, Some(&eve), body).await;
        assert_error(answer, 404, "NotFoundException").await;
    }
    let busy_path = format!(
        "/v2/calendars/busy-times?dateFrom={date}&dateTo={}",
        date + Days::days(1)
    );
    let none = data(
        app.call(Method::GET, &busy_path, Some(&eve), None).await,
        200,
    )
    .await;
    assert_eq!(none, json!([]));
    // Nor may they route Ada's bookings of Ada's event type into any calendar.
    let theirs_too =
        json!({"integration": "ics-feed_calendar", "externalId": external, "eventTypeId": event});
    let answer = app
        .call(
            Method::PUT,
            "/v2/destination-calendars",
            Some(&eve),
            Some(theirs_too),
        )
        .await;
    assert_error(answer, 404, "NotFoundException").await;
    // A feed is read-only: never a destination.
    let answer = app
        .call(
            Method::PUT,
            "/v2/destination-calendars",
            Some(&key),
            Some(named),
        )
        .await;
    assert_error(answer, 400, "BadRequestException").await;

    // Deselected, the feed stops blocking; disconnected, it is gone.
    data(app.call(Method::DELETE, &path, Some(&key), None).await, 200).await;
    assert!(slot_starts(&app, event, date).await.contains(&ten));
    data(
        app.call(
            Method::POST,
            "/v2/calendars/ics-feed/disconnect",
            Some(&key),
            disconnect,
        )
        .await,
        200,
    )
    .await;
    let left = data(
        app.call(Method::GET, "/v2/calendars", Some(&key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(left["connectedCalendars"], json!([]));
    drop(feed.text);
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// What a host is told when a calendar URL is on a private address.
const CALENDAR_URLS_PUBLIC_ONLY: &str = "calendar URLs may only point at public addresses \
     (set KAIROS_CALENDAR_ALLOW_PRIVATE=true for a trusted network, or list the host in \
     KAIROS_CALENDAR_ALLOWED_HOSTS)";

#[tokio::test]
async fn calendar_urls_on_private_addresses_are_refused_naming_the_calendar_settings() {
    let database = TestDatabase::new().await;
    let config = kairos::config::Config {
        calendar_allow_private: false,
        ..database.config()
    };
    let app = spawn_app_with(config, database).await;
    let (key, _, _) = host(&app, "ada@example.com", json!({})).await;
    let refused = async |path: &str, body: Value| {
        let message = assert_error(
            app.call(Method::POST, path, Some(&key), Some(body)).await,
            400,
            "BadRequestException",
        )
        .await;
        assert!(!message.to_lowercase().contains("webhook"), "{message}");
        assert!(!message.contains("subscriberUrl"), "{message}");
        assert!(!message.contains("s3cret"), "{message}");
        message
    };
    let ics = "/v2/calendars/ics-feed/save";
    let message = refused(
        ics,
        json!({"urls": ["http://127.0.0.1:9/cal.ics?token=s3cret"]}),
    )
    .await;
    assert_eq!(
        message,
        format!(
            "urls: the ICS feed URL is on a private address (127.0.0.1); {CALENDAR_URLS_PUBLIC_ONLY}"
        )
    );
    // A name is judged by what it resolves to.
    let message = refused(
        ics,
        json!({"urls": ["webcal://localhost:9/cal.ics?token=s3cret"]}),
    )
    .await;
    assert!(
        message.starts_with(
            "urls: the ICS feed URL is on a private address (`localhost` resolves to "
        ),
        "{message}"
    );
    assert!(message.ends_with(CALENDAR_URLS_PUBLIC_ONLY), "{message}");

    let caldav = "/v2/calendars/caldav/credentials";
    let server = |url: &str| json!({"serverUrl": url, "username": "ada", "password": "pw"});
    let message = refused(caldav, server("http://169.254.169.254/dav/")).await;
    assert_eq!(
        message,
        format!(
            "serverUrl: the CalDAV server is on a private address (169.254.169.254); \
             {CALENDAR_URLS_PUBLIC_ONLY}"
        )
    );
    let message = refused(caldav, server("http://localhost:9/dav/")).await;
    assert!(
        message.starts_with("serverUrl: the CalDAV server is on a private address (`localhost`"),
        "{message}"
    );
    assert!(message.ends_with(CALENDAR_URLS_PUBLIC_ONLY), "{message}");
    let list = data(
        app.call(Method::GET, "/v2/calendars", Some(&key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(list["connectedCalendars"], json!([]));
}

/// An app whose Google endpoints are the fake's.
pub async fn app_with_google(fake: &FakeGoogle) -> TestApp {
    let database = TestDatabase::new().await;
    let config = google_config(fake, &database);
    spawn_app_with(config, database).await
}

/// The test configuration with Google's endpoints at the fake.
pub(crate) fn google_config(fake: &FakeGoogle, database: &TestDatabase) -> kairos::config::Config {
    let app = fake.app();
    kairos::config::Config {
        google_client_id: Some(app.client_id.clone()),
        google_client_secret: Some(app.client_secret.clone()),
        google_auth_url: app.auth_url.clone(),
        google_token_url: app.token_url.clone(),
        google_revoke_url: app.revoke_url.clone().unwrap_or_default(),
        google_api_url: fake.url().to_owned(),
        ..database.config()
    }
}

/// An app whose Microsoft endpoints are the fake's.
async fn app_with_microsoft(fake: &FakeMicrosoft) -> TestApp {
    let database = TestDatabase::new().await;
    let config = microsoft_config(fake, &database);
    spawn_app_with(config, database).await
}

pub(crate) fn microsoft_config(
    fake: &FakeMicrosoft,
    database: &TestDatabase,
) -> kairos::config::Config {
    let app = fake.app();
    kairos::config::Config {
        microsoft_client_id: Some(app.client_id.clone()),
        microsoft_client_secret: Some(app.client_secret.clone()),
        microsoft_auth_url: fake.auth_url(),
        microsoft_token_url: fake.token_url(),
        microsoft_graph_url: fake.graph_url(),
        ..database.config()
    }
}

/// Follows the consent round trip as a browser would: Kairos' authUrl, the fake's consent
/// redirect, Kairos' save endpoint. The final answer.
pub(crate) async fn consent(app: &TestApp, key: &str) -> (reqwest::Response, String) {
    let back = consent_url(app, key, "office365", "?redir=https://app.example.com/done").await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (browser.get(&back).send().await.unwrap(), back)
}

/// Kairos' save URL with the code and state the fake's consent page sends the browser back
/// with, for `provider` (`google`, `office365`); `query` goes on the connect request.
pub async fn consent_url(app: &TestApp, key: &str, provider: &str, query: &str) -> String {
    let path = format!("/v2/calendars/{provider}/connect{query}");
    let auth = data(app.call(Method::GET, &path, Some(key), None).await, 200).await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let consent = browser
        .get(auth["authUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let back = consent.headers()["location"].to_str().unwrap().to_owned();
    let save = format!("{}/v2/calendars/{provider}/save?", app.address);
    assert!(back.starts_with(&save), "{back}");
    back
}

#[tokio::test]
async fn microsoft_connects_blocks_receives_bookings_and_refuses_a_replayed_state() {
    let fake = FakeMicrosoft::start().await;
    let app = app_with_microsoft(&fake).await;
    let (key, event, _) = host(
        &app,
        "ada@example.com",
        json!({"locations": [{"type": "integration", "integration": "office365-video"}]}),
    )
    .await;
    let date = (Utc::now() + Days::days(4)).date_naive();
    fake.add_event(
        "cal-primary",
        timed(
            "Lunch",
            &format!("{date}T12:00:00Z"),
            &format!("{date}T13:00:00Z"),
        ),
    );

    let (done, back) = consent(&app, &key).await;
    assert_eq!(done.status(), 302);
    assert_eq!(done.headers()["location"], "https://app.example.com/done");
    // The same state again: refused.
    let again = reqwest::get(&back).await.unwrap();
    assert_eq!(again.status(), 400);

    let list = synced(&app, &key).await;
    let connection = &list["connectedCalendars"][0];
    assert_eq!(connection["integration"]["type"], "office365_calendar");
    assert_eq!(
        list["destinationCalendar"]["externalId"], "cal-primary",
        "{list}"
    );
    let free = slot_starts(&app, event, date).await;
    assert!(!free.contains(&format!("{date}T12:00:00.000Z")), "{free:?}");
    assert!(free.contains(&format!("{date}T11:30:00.000Z")));

    // A booking lands in the calendar with a Teams link, which becomes its location.
    let start = format!("{date}T14:00:00.000Z");
    let booked = data(
        book(&app, booking_body(event, &start, "grace@example.com")).await,
        201,
    )
    .await;
    let uid = booked["uid"].as_str().unwrap().to_owned();
    eventually("the booking's event", Duration::from_secs(10), async || {
        let written = fake.events("cal-primary");
        if written.len() == 2 {
            Ok(())
        } else {
            Err(format!("{written:?}"))
        }
    })
    .await;
    // The meeting link becomes the location as the write-back's transaction commits, just
    // after the provider answered.
    eventually("the meeting link", Duration::from_secs(10), async || {
        let view = crate::helpers::booking_of(&app, &key, &uid).await;
        if view["location"].as_str().unwrap().starts_with("https://") {
            Ok(())
        } else {
            Err(view.to_string())
        }
    })
    .await;
    // Its own written-back event, once synced, does not block it.

    // Cancelled: the event goes.
    data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{uid}/cancel"),
            Some(&key),
            Some(json!({"cancellationReason": "ill"})),
        )
        .await,
        200,
    )
    .await;
    eventually("the event to go", Duration::from_secs(10), async || {
        fake.events("cal-primary").len() == 1
    })
    .await;
}

#[tokio::test]
async fn a_revoked_grant_marks_the_connection_invalid_and_check_says_so() {
    let fake = FakeMicrosoft::start().await;
    let database = TestDatabase::new().await;
    // Email on but not sent: the owner's notice waits in the queue, where the test reads it.
    let config = kairos::config::Config {
        smtp_url: Some(kairos::config::Secret::new("smtp://127.0.0.1:9".into())),
        email_worker: false,
        ..microsoft_config(&fake, &database)
    };
    let app = spawn_app_with(config, database).await;
    let (key, _, _) = host(&app, "ada@example.com", json!({})).await;
    let (done, _) = consent(&app, &key).await;
    assert_eq!(done.status(), 302);
    synced(&app, &key).await;
    fake.revoke_grants();
    fake.expire_access_tokens();
    // Force a sync now rather than at the interval: a selection change does that.
    let list = data(
        app.call(Method::GET, "/v2/calendars", Some(&key), None)
            .await,
        200,
    )
    .await;
    let cal = &list["connectedCalendars"][0]["calendars"][0];
    data(
        app.call(
            Method::POST,
            "/v2/selected-calendars",
            Some(&key),
            Some(json!({"integration": "office365_calendar", "externalId": cal["externalId"]})),
        )
        .await,
        201,
    )
    .await;
    eventually(
        "the connection to turn invalid",
        Duration::from_secs(10),
        async || {
            let list = data(
                app.call(Method::GET, "/v2/calendars", Some(&key), None)
                    .await,
                200,
            )
            .await;
            let status = &list["connectedCalendars"][0]["status"];
            if status == "invalid" {
                Ok(())
            } else {
                Err(format!("status {status}"))
            }
        },
    )
    .await;
    let check = data(
        app.call(
            Method::GET,
            "/v2/calendars/office365/check",
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(check["ok"], false, "{check}");
    let queued = app
        .db
        .run(async |c| kairos::storage::jobs::list(c, "email").await)
        .await
        .unwrap();
    let notice: Vec<_> = queued
        .iter()
        .filter(|j| j.kind == "calendar_disconnected")
        .collect();
    assert_eq!(notice.len(), 1, "{queued:?}");
    assert!(
        notice[0].payload.contains("ada@example.com"),
        "{}",
        notice[0].payload
    );
}
