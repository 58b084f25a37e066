//! Published calendar feeds (`/v2/me/calendar-feed` and `GET /feeds/{token}.ics`): the served
//! feed is read back with the `icalendar` parser (bookings, FREEBUSY from bookings and an ICS
//! connection's busy time, VAVAILABILITY from the default schedule), revoked and replaced URLs
//! answer 404, another user's key can neither see nor revoke a feed, and no attendee's email
//! is in it.

use actix_web::{App, HttpResponse, HttpServer, web};
use icalendar::parser::{Component, read_calendar, unfold};
use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{at, book, booking_body, day, host};
use crate::calendars::synced;
use crate::helpers::{
    TestApp, TestDatabase, assert_error, data, spawn_app, spawn_app_with, user_with_key,
};

const FEED: &str = "/v2/me/calendar-feed";

/// An ICS feed on loopback with one busy event, 12:00-13:00 UTC on `date`.
async fn external_calendar(date: chrono::NaiveDate) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/cal.ics", listener.local_addr().unwrap());
    let d = date.format("%Y%m%d");
    let text = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:dentist@test\r\n\
         DTSTAMP:20260101T000000Z\r\nDTSTART:{d}T120000Z\r\nDTEND:{d}T130000Z\r\nSUMMARY:Dentist\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let server = HttpServer::new(move || {
        let text = text.clone();
        App::new().route(
            "/cal.ics",
            web::get().to(move || {
                let text = text.clone();
                async move { HttpResponse::Ok().content_type("text/calendar").body(text) }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    url
}

/// Connects the feed at `url` and waits until its busy time is cached.
async fn connect_and_sync(app: &TestApp, key: &str, url: &str) {
    let body = json!({"urls": [url], "readOnly": true});
    let path = "/v2/calendars/ics-feed/save";
    data(
        app.call(Method::POST, path, Some(key), Some(body)).await,
        201,
    )
    .await;
    synced(app, key).await;
}

/// `POST /v2/me/calendar-feed`: the feed's path under the app (checked to be under its URL).
async fn publish(app: &TestApp, key: &str) -> (String, Value) {
    let created = data(app.call(Method::POST, FEED, Some(key), None).await, 201).await;
    let url = created["url"].as_str().unwrap().to_owned();
    let path = url
        .strip_prefix(&app.address)
        .unwrap_or_else(|| panic!("{url} is not under {}", app.address))
        .to_owned();
    assert!(
        path.starts_with("/feeds/") && path.ends_with(".ics"),
        "{path}"
    );
    (path, created)
}

async fn status(app: &TestApp, key: &str) -> Value {
    data(app.call(Method::GET, FEED, Some(key), None).await, 200).await
}

/// The unfolded text of `name`'s values in `component`, with their parameters.
fn lines<'a>(component: &'a Component<'a>, name: &str) -> Vec<String> {
    component
        .properties
        .iter()
        .filter(|p| p.name.as_str() == name)
        .map(|p| {
            let params: String = p
                .params
                .iter()
                .map(|q| {
                    format!(
                        ";{}={}",
                        q.key.as_str(),
                        q.val.as_ref().map_or("", |v| v.as_str())
                    )
                })
                .collect();
            format!("{params}:{}", p.val.as_str())
        })
        .collect()
}

fn value<'a>(component: &'a Component<'a>, name: &str) -> String {
    let all = lines(component, name);
    assert_eq!(all.len(), 1, "{name}: {all:?}");
    all[0].clone()
}

#[tokio::test]
async fn a_published_feed_shows_bookings_free_busy_and_working_hours_without_attendees() {
    let app = spawn_app().await;
    let (key, call, _) = host(&app, "ada@example.com", json!({})).await;
    let review = json!({"title": "Review", "slug": "review", "lengthInMinutes": 30, "minimumBookingNotice": 0,
        "confirmationPolicy": {"type": "always", "blockUnconfirmedBookingsInBooker": false}});
    let review = data(
        app.call(Method::POST, "/v2/event-types", Some(&key), Some(review))
            .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let date = day(3);
    let accepted = data(
        book(
            &app,
            booking_body(call, &at(date, "10:00"), "grace@booker.example"),
        )
        .await,
        201,
    )
    .await;
    let pending = data(
        book(
            &app,
            booking_body(review, &at(date, "14:00"), "hidden@booker.example"),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(pending["status"], "pending");
    connect_and_sync(&app, &key, &external_calendar(date).await).await;
    let berlin = json!({"name": "Berlin", "timeZone": "Europe/Berlin", "isDefault": true,
        "availability": [{"days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
                          "startTime": "09:00", "endTime": "17:00"}]});
    data(
        app.call(Method::POST, "/v2/schedules", Some(&key), Some(berlin))
            .await,
        201,
    )
    .await;

    assert_eq!(status(&app, &key).await["exists"], false);
    let (path, created) = publish(&app, &key).await;
    let answer = app.get(&path).await;
    assert_eq!(answer.status().as_u16(), 200);
    let header = |name: &str| answer.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), "text/calendar; charset=utf-8");
    assert_eq!(header("cache-control"), "private, max-age=60");
    assert_eq!(header("referrer-policy"), "no-referrer");
    let text = answer.text().await.unwrap();
    for line in text.split_terminator("\r\n") {
        assert!(line.len() <= 75, "{line}");
    }
    assert!(!text.contains("@booker.example"), "{text}");
    assert!(!text.contains("ATTENDEE"), "{text}");

    let unfolded = unfold(&text);
    let calendar = read_calendar(&unfolded).unwrap();
    // The parser hands back the VCALENDAR's own properties and components.
    let method: Vec<&str> = (calendar.properties.iter())
        .filter(|p| p.name.as_str() == "METHOD")
        .map(|p| p.val.as_str())
        .collect();
    assert_eq!(method, ["PUBLISH"]);
    let of_kind = |kind: &str| -> Vec<&Component<'_>> {
        (calendar.components.iter())
            .filter(|c| c.name.as_str() == kind)
            .collect()
    };
    let d = date.format("%Y%m%d");

    let events = of_kind("VEVENT");
    assert_eq!(events.len(), 2, "{text}");
    assert_eq!(
        value(events[0], "UID"),
        format!(":{}", accepted["icsUid"].as_str().unwrap())
    );
    assert_eq!(value(events[0], "DTSTART"), format!(":{d}T100000Z"));
    assert_eq!(value(events[0], "DTEND"), format!(":{d}T103000Z"));
    assert_eq!(value(events[0], "STATUS"), ":CONFIRMED");
    assert_eq!(
        value(events[0], "SUMMARY"),
        format!(":{}", accepted["title"].as_str().unwrap())
    );
    assert_eq!(
        value(events[1], "UID"),
        format!(":{}", pending["icsUid"].as_str().unwrap())
    );
    assert_eq!(value(events[1], "STATUS"), ":TENTATIVE");
    for event in &events {
        assert!(lines(event, "DESCRIPTION").is_empty() && lines(event, "LOCATION").is_empty());
    }

    let freebusy = of_kind("VFREEBUSY");
    assert_eq!(freebusy.len(), 1, "{text}");
    let periods = lines(freebusy[0], "FREEBUSY");
    for expected in [
        format!(":{d}T100000Z/{d}T103000Z"),
        format!(":{d}T120000Z/{d}T130000Z"),
        format!(";FBTYPE=BUSY-TENTATIVE:{d}T140000Z/{d}T143000Z"),
    ] {
        assert!(periods.contains(&expected), "{expected} in {periods:?}");
    }
    assert_eq!(periods.len(), 3, "{periods:?}");

    let hours = of_kind("VAVAILABILITY");
    assert_eq!(hours.len(), 1, "{text}");
    let available: Vec<&Component<'_>> = hours[0].components.iter().collect();
    assert_eq!(available.len(), 1, "{text}");
    assert_eq!(available[0].name.as_str(), "AVAILABLE");
    assert_eq!(
        value(available[0], "RRULE"),
        ":FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    );
    let start = value(available[0], "DTSTART");
    assert!(
        start.starts_with(";TZID=Europe/Berlin:") && start.ends_with("T090000"),
        "{start}"
    );
    let end = value(available[0], "DTEND");
    assert!(
        end.starts_with(";TZID=Europe/Berlin:") && end.ends_with("T170000"),
        "{end}"
    );

    // The feed's state never shows the URL again.
    let state = status(&app, &key).await;
    assert_eq!(state["exists"], true);
    assert_eq!(state["createdAt"], created["createdAt"]);
    let token = path.trim_start_matches("/feeds/").trim_end_matches(".ics");
    assert!(!state.to_string().contains(token), "{state}");
}

#[tokio::test]
async fn replaced_and_revoked_feeds_answer_404_and_other_users_cannot_touch_a_feed() {
    let app = spawn_app().await;
    let ada = user_with_key(&app, "ada@example.com", "UTC").await;
    let bob = user_with_key(&app, "bob@example.com", "UTC").await;
    let (first, _) = publish(&app, &ada).await;
    assert_eq!(app.get(&first).await.status().as_u16(), 200);
    let (second, _) = publish(&app, &ada).await;
    assert_ne!(first, second);
    let not_found = app.get(&first).await;
    assert_eq!(not_found.status().as_u16(), 404);
    let gone_body = not_found.text().await.unwrap();
    assert_eq!(app.get(&second).await.status().as_u16(), 200);

    // Bob's key sees no feed and revokes nothing.
    assert_eq!(status(&app, &bob).await["exists"], false);
    let revoke = app.call(Method::DELETE, FEED, Some(&bob), None).await;
    assert_error(revoke, 404, "NotFoundException").await;
    assert_eq!(app.get(&second).await.status().as_u16(), 200);
    // Without a key, nothing at all.
    let anonymous = app.call(Method::GET, FEED, None, None).await;
    assert_eq!(anonymous.status().as_u16(), 401);

    // Tokens never issued answer as a replaced one does.
    for path in [
        format!("/feeds/{}.ics", "0".repeat(64)),
        "/feeds/nope.ics".to_owned(),
    ] {
        let answer = app.get(&path).await;
        assert_eq!(answer.status().as_u16(), 404, "{path}");
        assert_eq!(answer.text().await.unwrap(), gone_body, "{path}");
    }

    let revoked = data(app.call(Method::DELETE, FEED, Some(&ada), None).await, 200).await;
    assert!(revoked.is_null(), "{revoked}");
    let after = app.get(&second).await;
    assert_eq!(after.status().as_u16(), 404);
    assert_eq!(after.text().await.unwrap(), gone_body);
    assert_eq!(status(&app, &ada).await["exists"], false);
    let again = app.call(Method::DELETE, FEED, Some(&ada), None).await;
    assert_error(again, 404, "NotFoundException").await;
}

#[tokio::test]
async fn feed_reads_are_counted_against_the_client_like_other_anonymous_requests() {
    let database = TestDatabase::new().await;
    let config = kairos::config::Config {
        rate_limit_per_ip: "2/1m".into(),
        ..database.config()
    };
    let app = spawn_app_with(config, database).await;
    let ada = user_with_key(&app, "ada@example.com", "UTC").await;
    let (path, _) = publish(&app, &ada).await;
    let first = app.get(&path).await;
    assert_eq!(first.status().as_u16(), 200);
    assert!(first.headers().contains_key("ratelimit-remaining"));
    // Guessing tokens counts too.
    let guess = app.get(&format!("/feeds/{}.ics", "1".repeat(64))).await;
    assert_eq!(guess.status().as_u16(), 404);
    let refused = app.get(&path).await;
    assert_eq!(refused.status().as_u16(), 429);
    assert!(refused.headers().contains_key("retry-after"));
}
