//! Abuse limits on the anonymous surface: rate limits per client and per host with `429`,
//! `Retry-After` and `RateLimit-*`, the client's address behind trusted proxies only, and the
//! caps on holds and guests. The default test app has the rate limits off; these tests set
//! tight ones.

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use reqwest::redirect::Policy;
use serde_json::{Value, json};

use crate::bookings::{at, book, booking_body, day};
use crate::helpers::{
    TestApp, TestDatabase, always_bookable, assert_error, data, spawn_app, spawn_app_with,
    user_with_key,
};
use crate::pages::host_with_event;

/// An app with `change` applied to the test configuration.
async fn app_with(change: impl FnOnce(&mut kairos::config::Config)) -> TestApp {
    let database = TestDatabase::new().await;
    let mut config = database.config();
    change(&mut config);
    spawn_app_with(config, database).await
}

/// A host with an event type bookable around the clock; the host's key and the event type.
async fn open_host(app: &TestApp, email: &str) -> (String, i64) {
    let key = user_with_key(app, email, "UTC").await;
    let event = always_bookable(
        app,
        &key,
        json!({"title": "Call", "slug": "call", "lengthInMinutes": 30}),
    )
    .await;
    (key, event)
}

/// The `n`th half hour from 00:00 UTC, `days` ahead.
fn half_hour(days: u64, n: u32) -> String {
    at(day(days), &format!("{:02}:{:02}", n / 2, (n % 2) * 30))
}

/// `POST /v2/bookings` without a key, as the client `ip` behind the trusted proxy.
async fn book_from(app: &TestApp, ip: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(format!("{}/v2/bookings", app.address))
        .header("x-forwarded-for", ip)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> Option<u64> {
    response.headers().get(name)?.to_str().ok()?.parse().ok()
}

#[tokio::test]
async fn one_client_is_held_to_its_rate_while_another_books_normally() {
    let app = app_with(|c| {
        c.rate_limit_per_ip = "5/1m".into();
        c.rate_limit_per_host = "1000/1m".into();
        c.trusted_proxies = "127.0.0.1/32, ::1".into();
    })
    .await;
    let (_, event) = open_host(&app, "ada@example.com").await;
    // 50 rapid attempts from one client, each for a slot of its own, all at once.
    let attempts = (0..50u32).map(|n| {
        let app = &app;
        async move {
            let body = booking_body(event, &half_hour(3, n), &format!("flood{n}@example.com"));
            book_from(app, "203.0.113.5", &body).await
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        45,
        "{statuses:?}"
    );
    let booked = answers.iter().find(|r| r.status() == 201).unwrap();
    assert_eq!(header(booked, "ratelimit-limit"), Some(5));
    assert!(header(booked, "ratelimit-remaining").unwrap() < 5);
    let refused = answers.into_iter().find(|r| r.status() == 429).unwrap();
    let retry = header(&refused, "retry-after").unwrap();
    assert!((1..=12).contains(&retry), "one request per 12 s: {retry}");
    assert_eq!(header(&refused, "ratelimit-limit"), Some(5));
    assert_eq!(header(&refused, "ratelimit-remaining"), Some(0));
    assert!(header(&refused, "ratelimit-reset").unwrap() <= 60);
    let message = assert_error(refused, 429, "ThrottlerException").await;
    assert!(message.contains("your address"), "{message}");

    // Meanwhile another client books the same host as usual.
    for n in 0..3u32 {
        let body = booking_body(event, &half_hour(4, n), &format!("calm{n}@example.com"));
        data(book_from(&app, "198.51.100.7", &body).await, 201).await;
    }
    assert_eq!(
        app.db.count_rows("SELECT id FROM bookings").await.unwrap(),
        8
    );
}

#[tokio::test]
async fn a_forwarded_for_header_from_an_untrusted_peer_does_not_escape_the_limit() {
    // No trusted proxies: 127.0.0.1 is the client, whatever it writes in X-Forwarded-For.
    let app = app_with(|c| c.rate_limit_per_ip = "3/1m".into()).await;
    let (_, event) = open_host(&app, "ada@example.com").await;
    let mut statuses = Vec::new();
    for n in 0..6u32 {
        let body = booking_body(event, &half_hour(3, n), &format!("spoof{n}@example.com"));
        let spoofed = format!("203.0.113.{n}, 198.51.100.{n}");
        statuses.push(book_from(&app, &spoofed, &body).await.status().as_u16());
    }
    assert_eq!(statuses, [201, 201, 201, 429, 429, 429]);
}

#[tokio::test]
async fn the_host_limit_holds_whichever_addresses_the_requests_come_from() {
    let app = app_with(|c| {
        c.rate_limit_per_host = "3/1m".into();
        c.trusted_proxies = "127.0.0.0/8".into();
    })
    .await;
    let (_, flooded) = open_host(&app, "ada@example.com").await;
    let (_, other) = open_host(&app, "bob@example.com").await;
    for n in 0..3u32 {
        let body = booking_body(flooded, &half_hour(3, n), "x@example.com");
        data(book_from(&app, &format!("203.0.113.{n}"), &body).await, 201).await;
    }
    let body = booking_body(flooded, &half_hour(3, 9), "x@example.com");
    let message = assert_error(
        book_from(&app, "203.0.113.99", &body).await,
        429,
        "ThrottlerException",
    )
    .await;
    assert!(message.contains("this host"), "{message}");
    // Another host is counted on its own.
    let body = booking_body(other, &half_hour(3, 0), "x@example.com");
    data(book_from(&app, "203.0.113.99", &body).await, 201).await;
}

#[tokio::test]
async fn callers_with_an_api_key_are_not_counted() {
    let app = app_with(|c| {
        c.rate_limit_per_ip = "1/1m".into();
        c.rate_limit_per_host = "1/1m".into();
    })
    .await;
    let (key, event) = open_host(&app, "ada@example.com").await;
    for n in 0..4u32 {
        let body = booking_body(event, &half_hour(3, n), "x@example.com");
        let response = app
            .call(Method::POST, "/v2/bookings", Some(&key), Some(body))
            .await;
        assert!(response.headers().get("ratelimit-limit").is_none());
        data(response, 201).await;
    }
    data(
        book(&app, booking_body(event, &half_hour(3, 8), "y@example.com")).await,
        201,
    )
    .await;
    assert_error(
        book(&app, booking_body(event, &half_hour(3, 9), "y@example.com")).await,
        429,
        "ThrottlerException",
    )
    .await;
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_booking_form_and_every_change_by_link_are_counted() {
    let app = app_with(|c| c.rate_limit_per_ip = "3/1m".into()).await;
    let (key, event) = host_with_event(&app, json!({})).await;
    let mut uids = Vec::new();
    for n in 0..3u32 {
        let body = booking_body(event, &half_hour(5, n), "grace@example.com");
        let made = app
            .call(Method::POST, "/v2/bookings", Some(&key), Some(body))
            .await;
        uids.push(data(made, 201).await["uid"].as_str().unwrap().to_owned());
    }
    let client = no_redirects();
    let form = |path: String| client.post(format!("{}{path}", app.address));
    // The form (a wrong answer still counts), a cancel by link, a reschedule through the API.
    let answered = form("/ada/intro".into())
        .form(&[("slot", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status().as_u16(), 400);
    let cancelled = form(format!("/booking/{}/cancel", uids[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status().as_u16(), 303);
    assert!(cancelled.headers().contains_key("ratelimit-remaining"));
    let moved = app
        .call(
            Method::POST,
            &format!("/v2/bookings/{}/reschedule", uids[1]),
            None,
            Some(json!({"start": half_hour(6, 1)})),
        )
        .await;
    data(moved, 201).await;
    // The client's three are used up, on every surface: pages answer in HTML.
    for path in [
        "/ada/intro".to_owned(),
        format!("/booking/{}/cancel", uids[2]),
    ] {
        let refused = form(path).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 429);
        assert!(header(&refused, "retry-after").unwrap() >= 1);
        assert_eq!(header(&refused, "ratelimit-limit"), Some(3));
        let html = refused.text().await.unwrap();
        assert!(html.contains("Too many requests"), "{html}");
    }
    for (path, body) in [
        (format!("/v2/bookings/{}/cancel", uids[2]), json!({})),
        (
            format!("/v2/bookings/{}/reschedule", uids[2]),
            json!({"start": half_hour(6, 5)}),
        ),
    ] {
        let refused = app.call(Method::POST, &path, None, Some(body)).await;
        assert_error(refused, 429, "ThrottlerException").await;
    }
    // The host, with a key, is not held back.
    let cancel = format!("/v2/bookings/{}/cancel", uids[2]);
    data(
        app.call(Method::POST, &cancel, Some(&key), Some(json!({})))
            .await,
        200,
    )
    .await;
}

async fn reserve(app: &TestApp, event: i64, start: &str) -> reqwest::Response {
    app.call(
        Method::POST,
        "/v2/slots/reservations",
        None,
        Some(json!({"eventTypeId": event, "slotStart": start})),
    )
    .await
}

#[tokio::test]
async fn reservations_are_counted_and_capped_per_client() {
    let app = app_with(|c| {
        c.rate_limit_per_ip = "4/1m".into();
        c.reservations_per_client = 2;
    })
    .await;
    let (_, event) = open_host(&app, "ada@example.com").await;
    let first = data(reserve(&app, event, &half_hour(3, 0)).await, 201).await;
    data(reserve(&app, event, &half_hour(3, 1)).await, 201).await;
    let message = assert_error(
        reserve(&app, event, &half_hour(3, 2)).await,
        409,
        "ConflictException",
    )
    .await;
    assert!(message.contains("at once"), "{message}");
    // Releasing one makes room (DELETE is not counted).
    let uid = first["reservationUid"].as_str().unwrap();
    let path = format!("/v2/slots/reservations/{uid}");
    data(app.call(Method::DELETE, &path, None, None).await, 200).await;
    data(reserve(&app, event, &half_hour(3, 2)).await, 201).await;
    // That was the client's fourth write in a minute: PATCH is counted too.
    let patched = app
        .call(
            Method::PATCH,
            &path,
            None,
            Some(json!({"eventTypeId": event, "slotStart": half_hour(3, 3)})),
        )
        .await;
    assert_error(patched, 429, "ThrottlerException").await;
}

fn instant(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn an_anonymous_hold_cannot_be_extended_past_its_whole_life() {
    // Shorter than the five minutes a hold is made for, so its life is used up at once.
    let app = app_with(|c| c.reservation_max_hold_minutes = 3).await;
    let (key, event) = open_host(&app, "ada@example.com").await;
    let made = data(reserve(&app, event, &half_hour(3, 0)).await, 201).await;
    assert_eq!(made["reservationDuration"], 3);
    let uid = made["reservationUid"].as_str().unwrap().to_owned();
    let path = format!("/v2/slots/reservations/{uid}");
    // Extending or moving it is refused, and it still ends when it did.
    for start in [half_hour(3, 0), half_hour(3, 1)] {
        let again = json!({"eventTypeId": event, "slotStart": start});
        let message = assert_error(
            app.call(Method::PATCH, &path, None, Some(again)).await,
            409,
            "ConflictException",
        )
        .await;
        assert!(message.contains("3 minutes in all"), "{message}");
    }
    let read = data(app.get(&path).await, 200).await;
    assert_eq!(read["reservationUntil"], made["reservationUntil"]);
    assert_eq!(read["slotStart"], made["slotStart"]);
    // A caller with an API key sets the hold's length and is not capped.
    let long =
        json!({"eventTypeId": event, "slotStart": half_hour(3, 0), "reservationDuration": 30});
    let held = data(
        app.call(Method::PATCH, &path, Some(&key), Some(long)).await,
        200,
    )
    .await;
    assert!(instant(&held["reservationUntil"]) > Utc::now() + Duration::minutes(29));
}

fn guests(n: usize) -> Value {
    json!(
        (0..n)
            .map(|i| format!("guest{i}@example.com"))
            .collect::<Vec<_>>()
    )
}

#[tokio::test]
async fn guests_are_capped_at_ten_by_default() {
    let app = spawn_app().await;
    let (_, event) = open_host(&app, "ada@example.com").await;
    let mut body = booking_body(event, &half_hour(3, 0), "grace@example.com");
    body["guests"] = guests(11);
    let message = assert_error(book(&app, body.clone()).await, 400, "BadRequestException").await;
    assert!(
        message.starts_with("guests:") && message.contains("at most 10"),
        "{message}"
    );
    body["guests"] = guests(10);
    data(book(&app, body).await, 201).await;
}

#[tokio::test]
async fn one_anonymous_booking_queues_a_bounded_number_of_emails() {
    let app = app_with(|c| {
        c.max_guests = 2;
        // Emails are queued but not sent: nothing listens there and no worker runs.
        c.smtp_url = Some(kairos::config::Secret::new("smtp://127.0.0.1:9".into()));
        c.email_worker = false;
    })
    .await;
    let (_, event) = open_host(&app, "ada@example.com").await;
    let mut body = booking_body(event, &half_hour(3, 0), "grace@example.com");
    body["guests"] = guests(3);
    let message = assert_error(book(&app, body.clone()).await, 400, "BadRequestException").await;
    assert!(message.contains("at most 2 guests"), "{message}");
    // The cap holds for guests given as a booking-field answer too.
    body["guests"] = guests(1);
    body["bookingFieldsResponses"] = json!({"guests": ["g1@example.com", "g2@example.com"]});
    assert_error(book(&app, body.clone()).await, 400, "BadRequestException").await;
    assert_eq!(app.db.count_rows("SELECT id FROM jobs").await.unwrap(), 0);
    // At the cap: the booker, two guests and the host, one email each.
    body["guests"] = guests(2);
    body.as_object_mut()
        .unwrap()
        .remove("bookingFieldsResponses");
    data(book(&app, body).await, 201).await;
    assert_eq!(
        app.db
            .count_rows("SELECT id FROM jobs WHERE queue = 'email'")
            .await
            .unwrap(),
        4
    );
}

#[tokio::test]
async fn the_openapi_document_lists_the_429_of_anonymous_writes() {
    let app = spawn_app().await;
    let doc: Value = app.get("/v2/openapi.json").await.json().await.unwrap();
    let paths = &doc["paths"];
    for (path, method) in [
        ("/v2/bookings", "post"),
        ("/v2/bookings/{uid}/cancel", "post"),
        ("/v2/bookings/{uid}/reschedule", "post"),
        ("/v2/slots/reservations", "post"),
        ("/v2/slots/reservations/{uid}", "patch"),
    ] {
        let limited = &paths[path][method]["responses"]["429"];
        assert!(
            limited["headers"]["Retry-After"].is_object(),
            "{path} {method}"
        );
    }
    assert!(paths["/v2/slots"]["get"]["responses"]["429"].is_null());
    assert!(paths["/v2/slots/reservations/{uid}"]["delete"]["responses"]["429"].is_null());
    assert!(paths["/v2/bookings/{uid}/confirm"]["post"]["responses"]["429"].is_null());
}
