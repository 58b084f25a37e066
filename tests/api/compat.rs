//! Issue 18's Cal.com compatibility: `GET /v2/timezones` and private links (`hashedLink`):
//! their API, the booking page `/d/{link}/{slug}`, slots and bookings through a link, a
//! single-use link spent by the one booking that wins it, expiry.

use reqwest::Method as M;
use serde_json::{Value, json};

use crate::bookings::{at, booking_body, day, host};
use crate::event_types::person;
use crate::helpers::{TestApp, assert_error, data, spawn_app};
use crate::openapi::Checker;
use crate::pages::post_form;

/// The private-link and zone operations, for the OpenAPI test (`openapi.rs`).
pub(crate) async fn documented_operations(c: &mut Checker<'_>, k: Option<&str>, event: i64) {
    let base = format!("/v2/event-types/{event}/private-links");
    let (_, made) = c
        .call(M::POST, &base, k, Some(json!({"maxUsageCount": 2})))
        .await;
    let link = made["data"]["linkId"].as_str().unwrap().to_owned();
    let until = json!({"expiresAt": "2099-01-01T00:00:00Z"});
    c.call(M::POST, &base, k, Some(until.clone())).await;
    c.call(M::GET, &base, k, None).await;
    c.call(M::PATCH, &format!("{base}/{link}"), k, Some(until))
        .await;
    c.call(M::DELETE, &format!("{base}/{link}"), k, None).await;
    c.call(M::GET, "/v2/timezones", None, None).await;
}

/// The 2024-04-15 booking reads, checked against the document's legacy schemas.
pub(crate) async fn legacy_booking_reads(c: &mut Checker<'_>, key: &str, uid: &str) {
    let bearer = format!("Bearer {key}");
    let headers = [
        ("authorization", bearer.as_str()),
        ("cal-api-version", "2024-04-15"),
    ];
    let (status, list) = c
        .call_with_headers(M::GET, "/v2/bookings?limit=5", &headers, None)
        .await;
    assert_eq!(status, 200, "{list}");
    assert!(
        list["data"]["bookings"]
            .as_array()
            .is_some_and(|b| !b.is_empty()),
        "{list}"
    );
    let path = format!("/v2/bookings/{uid}");
    let (status, one) = c.call_with_headers(M::GET, &path, &headers, None).await;
    assert_eq!(
        (status, one["data"]["uid"].as_str()),
        (200, Some(uid)),
        "{one}"
    );
}

#[tokio::test]
async fn timezones_list_cities_with_their_zones_as_calcom_does() {
    let app = spawn_app().await;
    let response = app.get("/v2/timezones").await;
    assert_eq!(response.status().as_u16(), 200);
    let cache = response.headers()["cache-control"].to_str().unwrap();
    assert!(cache.contains("max-age"), "{cache}");
    let cities = data(response, 200).await;
    let cities = cities.as_array().unwrap();
    assert!(cities.len() > 300, "{}", cities.len());
    assert!(
        cities.contains(&json!({"city": "New York", "timezone": "America/New_York", "pop": 0}))
    );
    assert!(cities.contains(
        &json!({"city": "Buenos Aires", "timezone": "America/Argentina/Buenos_Aires", "pop": 0})
    ));
    assert!(
        cities.iter().all(|c| {
            let zone = c["timezone"].as_str().unwrap();
            !zone.starts_with("Etc/") && kairos::domain::TimeZoneName::parse(zone).is_ok()
        }),
        "every zone is one Kairos accepts, none without a city"
    );
    // A key that is presented must be valid, as on every public endpoint.
    let bad = app
        .call(M::GET, "/v2/timezones", Some("cal_live_nope"), None)
        .await;
    assert_error(bad, 401, "UnauthorizedException").await;
}

fn links_of(event: i64) -> String {
    format!("/v2/event-types/{event}/private-links")
}

async fn new_link(app: &TestApp, key: &str, event: i64, body: Value) -> Value {
    let path = links_of(event);
    data(app.call(M::POST, &path, Some(key), Some(body)).await, 201).await
}

#[tokio::test]
async fn owners_create_list_change_and_delete_private_links() {
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let single = new_link(&app, &key, event, json!({})).await;
    let link = single["linkId"].as_str().unwrap().to_owned();
    assert_eq!(link.len(), 22, "{single}");
    assert_eq!(
        single,
        json!({"linkId": link, "eventTypeId": event, "isExpired": false,
               "bookingUrl": format!("{}/d/{link}/call", app.address),
               "maxUsageCount": 1, "usageCount": 0})
    );
    let timed = new_link(
        &app,
        &key,
        event,
        json!({"expiresAt": "2099-06-01T12:00:00+02:00"}),
    )
    .await;
    assert_eq!(timed["expiresAt"], "2099-06-01T10:00:00.000Z");
    assert!(timed.get("maxUsageCount").is_none(), "{timed}");

    let listed = data(
        app.call(M::GET, &links_of(event), Some(&key), None).await,
        200,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0], single);

    let one = format!("{}/{link}", links_of(event));
    let changed = data(
        app.call(
            M::PATCH,
            &one,
            Some(&key),
            Some(json!({"maxUsageCount": 5})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (
            changed["maxUsageCount"].clone(),
            changed["usageCount"].clone()
        ),
        (json!(5), json!(0))
    );
    let deleted = data(app.call(M::DELETE, &one, Some(&key), None).await, 200).await;
    assert_eq!(
        deleted,
        json!({"linkId": link, "message": "Private link deleted successfully"})
    );
    let listed = data(
        app.call(M::GET, &links_of(event), Some(&key), None).await,
        200,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_error(
        app.call(M::DELETE, &one, Some(&key), None).await,
        404,
        "NotFoundException",
    )
    .await;
}

#[tokio::test]
async fn private_link_input_is_checked_field_by_field() {
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let path = links_of(event);
    for (body, field) in [
        (
            json!({"expiresAt": "2099-01-01T00:00:00Z", "maxUsageCount": 2}),
            "expiresAt",
        ),
        (json!({"expiresAt": "2001-01-01T00:00:00Z"}), "expiresAt"),
        (json!({"expiresAt": "next tuesday"}), "expiresAt"),
        (json!({"expiresAt": 12}), "expiresAt"),
        (json!({"maxUsageCount": 0}), "maxUsageCount"),
        (json!({"maxUsageCount": 99999999999_i64}), "maxUsageCount"),
        (json!({"maxUsageCount": "3"}), "maxUsageCount"),
    ] {
        let response = app
            .call(M::POST, &path, Some(&key), Some(body.clone()))
            .await;
        let message = assert_error(response, 400, "BadRequestException").await;
        assert!(message.contains(field), "{body}: {message}");
    }
    let link = new_link(&app, &key, event, json!({})).await["linkId"].clone();
    let one = format!("{path}/{}", link.as_str().unwrap());
    let empty = app.call(M::PATCH, &one, Some(&key), Some(json!({}))).await;
    assert_error(empty, 400, "BadRequestException").await;
    let unknown = format!("{path}/NoSuchLink");
    let body = Some(json!({"maxUsageCount": 2}));
    assert_error(
        app.call(M::PATCH, &unknown, Some(&key), body).await,
        404,
        "NotFoundException",
    )
    .await;
    let missing = links_of(999_999);
    assert_error(
        app.call(M::GET, &missing, Some(&key), None).await,
        404,
        "NotFoundException",
    )
    .await;
}

#[tokio::test]
async fn another_tenant_cannot_see_or_touch_private_links() {
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let (_, bob) = person(&app, "bob@example.com", "UTC").await;
    let link = new_link(&app, &key, event, json!({})).await["linkId"].clone();
    let one = format!("{}/{}", links_of(event), link.as_str().unwrap());
    let body = Some(json!({"maxUsageCount": 9}));
    for (method, path, body) in [
        (M::GET, links_of(event), None),
        (M::POST, links_of(event), Some(json!({}))),
        (M::PATCH, one.clone(), body),
        (M::DELETE, one.clone(), None),
    ] {
        let response = app
            .call(method.clone(), &path, Some(&bob), body.clone())
            .await;
        assert_error(response, 404, "NotFoundException").await;
        let response = app.call(method, &path, None, body).await;
        assert_error(response, 401, "UnauthorizedException").await;
    }
    let listed = data(
        app.call(M::GET, &links_of(event), Some(&key), None).await,
        200,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "bob changed nothing");
    assert_eq!(listed[0]["maxUsageCount"], 1);
}

/// Ada's hidden event type "call" with one single-use link: (key, event, link).
async fn hidden_with_link(app: &TestApp) -> (String, i64, String) {
    let (key, event, _) = host(app, "ada@example.com", json!({"hidden": true})).await;
    let link = new_link(app, &key, event, json!({})).await["linkId"]
        .as_str()
        .unwrap()
        .to_owned();
    (key, event, link)
}

fn with_link(event: i64, start: &str, email: &str, link: &str) -> Value {
    let mut body = booking_body(event, start, email);
    body["hashedLink"] = json!(link);
    body
}

async fn keyed_booking(app: &TestApp, body: &Value) -> reqwest::Response {
    (app.client.post(format!("{}/v2/bookings", app.address)))
        .header("Idempotency-Key", "link-booking-1")
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn status_of(app: &TestApp, path: &str) -> u16 {
    app.get(path).await.status().as_u16()
}

#[tokio::test]
async fn a_hidden_event_type_behind_a_link_opens_only_through_it_until_it_is_used() {
    let app = spawn_app().await;
    let (key, event, link) = hidden_with_link(&app).await;
    let date = day(3);
    let slots = format!("/v2/slots?eventTypeId={event}&start={date}&end={date}");
    let slots_by_slug =
        format!("/v2/slots?eventTypeSlug=call&username=ada&start={date}&end={date}");
    assert_error(app.get(&slots).await, 404, "NotFoundException").await;
    assert_error(app.get(&slots_by_slug).await, 404, "NotFoundException").await;
    let through = data(app.get(&format!("{slots}&hashedLink={link}")).await, 200).await;
    assert!(
        through[date.to_string()]
            .as_array()
            .is_some_and(|s| !s.is_empty()),
        "{through}"
    );
    let alone = format!("/v2/slots?hashedLink={link}&start={date}&end={date}");
    assert_eq!(data(app.get(&alone).await, 200).await, through);
    assert_eq!(status_of(&app, "/ada/call").await, 404);
    assert_eq!(
        status_of(&app, "/v2/event-types/ada/call/public").await,
        404
    );
    assert_eq!(status_of(&app, &format!("/d/{link}/call")).await, 200);
    assert_eq!(status_of(&app, &format!("/d/{link}/call/embed")).await, 200);
    assert_eq!(status_of(&app, &format!("/d/{link}/other")).await, 404);

    // Booking: without the link "not found", with another one a 400 saying why.
    let plain = booking_body(event, &at(date, "10:00"), "grace@example.com");
    let response = app.call(M::POST, "/v2/bookings", None, Some(plain)).await;
    assert_error(response, 404, "NotFoundException").await;
    let wrong = with_link(event, &at(date, "10:00"), "grace@example.com", "NoSuchLink");
    let response = app.call(M::POST, "/v2/bookings", None, Some(wrong)).await;
    let message = assert_error(response, 400, "BadRequestException").await;
    assert!(message.contains("private_link_expired"), "{message}");
    let good = with_link(event, &at(date, "10:00"), "grace@example.com", &link);
    let first = data(keyed_booking(&app, &good).await, 201).await;
    // A retry with the same Idempotency-Key answers the booking, though the link is used.
    let retry = data(keyed_booking(&app, &good).await, 201).await;
    assert_eq!(retry["uid"], first["uid"]);

    // Its booker still moves it by its link, on the event type's own page.
    let moving = format!("/ada/call?rescheduleUid={}", first["uid"].as_str().unwrap());
    assert_eq!(status_of(&app, &moving).await, 200);
    assert_eq!(
        status_of(&app, "/ada/call?rescheduleUid=NoSuchBooking").await,
        404
    );

    // Spent: the second booking, the page and the slots refuse it.
    let again = with_link(event, &at(date, "11:00"), "alan@example.com", &link);
    let response = app.call(M::POST, "/v2/bookings", None, Some(again)).await;
    assert_error(response, 400, "BadRequestException").await;
    assert_eq!(status_of(&app, &format!("/d/{link}/call")).await, 404);
    assert_error(app.get(&alone).await, 404, "NotFoundException").await;
    let listed = data(
        app.call(M::GET, &links_of(event), Some(&key), None).await,
        200,
    )
    .await;
    assert_eq!(
        (
            listed[0]["usageCount"].clone(),
            listed[0]["isExpired"].clone()
        ),
        (json!(1), json!(true))
    );
    // Its owner still books it by key.
    let own = booking_body(event, &at(date, "12:00"), "ada-guest@example.com");
    data(
        app.call(M::POST, "/v2/bookings", Some(&key), Some(own))
            .await,
        201,
    )
    .await;
}

#[tokio::test]
async fn two_bookings_racing_for_a_single_use_link_one_is_refused() {
    let app = spawn_app().await;
    let (key, event, link) = hidden_with_link(&app).await;
    let date = day(4);
    let first = with_link(event, &at(date, "10:00"), "grace@example.com", &link);
    let second = with_link(event, &at(date, "14:00"), "alan@example.com", &link);
    let (a, b) = tokio::join!(
        app.call(M::POST, "/v2/bookings", None, Some(first)),
        app.call(M::POST, "/v2/bookings", None, Some(second)),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 400]);
    let loser = if a.status().as_u16() == 400 { a } else { b };
    let message = assert_error(loser, 400, "BadRequestException").await;
    assert!(message.contains("private_link_expired"), "{message}");
    let listed = data(
        app.call(M::GET, &links_of(event), Some(&key), None).await,
        200,
    )
    .await;
    assert_eq!(listed[0]["usageCount"], 1);
    let bookings = data(
        app.call(M::GET, "/v2/bookings", Some(&key), None).await,
        200,
    )
    .await;
    assert_eq!(bookings.as_array().unwrap().len(), 1, "{bookings}");
}

#[tokio::test]
async fn the_booking_page_of_a_link_books_through_it_and_a_time_limited_link_expires() {
    let app = spawn_app().await;
    let (key, event, link) = hidden_with_link(&app).await;
    let date = day(5);
    let slot = at(date, "10:00");
    let step = format!("/d/{link}/call?date={date}&slot={slot}");
    let response = post_form(
        &app,
        &step,
        &[
            ("slot", &slot),
            ("name", "Grace Hopper"),
            ("email", "grace@example.com"),
        ],
    )
    .await;
    assert_eq!(
        response.status().as_u16(),
        303,
        "{}",
        response.text().await.unwrap()
    );
    let listed = data(
        app.call(M::GET, &links_of(event), Some(&key), None).await,
        200,
    )
    .await;
    assert_eq!(
        listed[0]["usageCount"], 1,
        "the page's booking used the link"
    );

    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let timed = new_link(&app, &key, event, json!({"expiresAt": soon})).await;
    let timed = timed["linkId"].as_str().unwrap().to_owned();
    let body = with_link(event, &at(date, "11:00"), "alan@example.com", &timed);
    data(
        app.call(M::POST, "/v2/bookings", None, Some(body)).await,
        201,
    )
    .await;
    let body = with_link(event, &at(date, "12:00"), "edsger@example.com", &timed);
    data(
        app.call(M::POST, "/v2/bookings", None, Some(body)).await,
        201,
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let body = with_link(event, &at(date, "13:00"), "barbara@example.com", &timed);
    let response = app.call(M::POST, "/v2/bookings", None, Some(body)).await;
    assert_error(response, 400, "BadRequestException").await;
    assert_eq!(status_of(&app, &format!("/d/{timed}/call")).await, 404);
    let listed = data(
        app.call(M::GET, &links_of(event), Some(&key), None).await,
        200,
    )
    .await;
    assert_eq!(listed[1]["isExpired"], true);
}

#[tokio::test]
async fn a_visible_event_type_stays_open_and_its_links_still_count() {
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let link = new_link(&app, &key, event, json!({})).await["linkId"]
        .as_str()
        .unwrap()
        .to_owned();
    let date = day(3);
    assert_eq!(status_of(&app, "/ada/call").await, 200);
    let plain = booking_body(event, &at(date, "10:00"), "grace@example.com");
    data(
        app.call(M::POST, "/v2/bookings", None, Some(plain)).await,
        201,
    )
    .await;
    let body = with_link(event, &at(date, "11:00"), "alan@example.com", &link);
    data(
        app.call(M::POST, "/v2/bookings", None, Some(body)).await,
        201,
    )
    .await;
    let body = with_link(event, &at(date, "12:00"), "edsger@example.com", &link);
    let response = app.call(M::POST, "/v2/bookings", None, Some(body)).await;
    assert_error(response, 400, "BadRequestException").await;
    let long = with_link(
        event,
        &at(date, "12:00"),
        "edsger@example.com",
        &"x".repeat(65),
    );
    let response = app.call(M::POST, "/v2/bookings", None, Some(long)).await;
    let message = assert_error(response, 400, "BadRequestException").await;
    assert!(message.contains("hashedLink"), "{message}");
}

#[tokio::test]
async fn a_teams_admins_manage_its_links_and_its_hidden_event_type_opens_through_one() {
    let app = spawn_app().await;
    let (ada_key, _, ada) = host(&app, "ada@example.com", json!({})).await;
    let (bob, bob_key) = person(&app, "bob@example.com", "UTC").await;
    let team = json!({"name": "Support Crew", "slug": "support"});
    let team = data(
        app.call(M::POST, "/v2/teams", Some(&ada_key), Some(team))
            .await,
        201,
    )
    .await;
    let team_id = team["id"].as_i64().unwrap();
    let members = format!("/v2/teams/{team_id}/memberships");
    let invite = Some(json!({"userId": bob}));
    let invite = data(
        app.call(M::POST, &members, Some(&ada_key), invite).await,
        201,
    )
    .await;
    let accept = format!("{members}/{}", invite["id"]);
    let body = Some(json!({"accepted": true}));
    data(app.call(M::PATCH, &accept, Some(&bob_key), body).await, 200).await;
    let event = json!({"title": "Team Call", "slug": "call", "lengthInMinutes": 30,
        "minimumBookingNotice": 0, "hidden": true, "schedulingType": "COLLECTIVE",
        "hosts": [{"userId": ada}]});
    let path = format!("/v2/teams/{team_id}/event-types");
    let event = data(
        app.call(M::POST, &path, Some(&ada_key), Some(event)).await,
        201,
    )
    .await;
    let event = event["id"].as_i64().unwrap();

    // A member who is not an admin neither sees nor makes links.
    for (method, body) in [(M::GET, None), (M::POST, Some(json!({})))] {
        let response = app
            .call(method, &links_of(event), Some(&bob_key), body)
            .await;
        assert_error(response, 404, "NotFoundException").await;
    }
    let link = new_link(&app, &ada_key, event, json!({"maxUsageCount": 3})).await;
    assert!(
        link["bookingUrl"].as_str().unwrap().ends_with("/call"),
        "{link}"
    );
    let link = link["linkId"].as_str().unwrap().to_owned();
    assert_eq!(status_of(&app, "/team/support/call").await, 404);
    assert_eq!(status_of(&app, &format!("/d/{link}/call")).await, 200);
    let date = day(6);
    let plain = booking_body(event, &at(date, "10:00"), "grace@example.com");
    let response = app.call(M::POST, "/v2/bookings", None, Some(plain)).await;
    assert_error(response, 404, "NotFoundException").await;
    let body = with_link(event, &at(date, "10:00"), "grace@example.com", &link);
    data(
        app.call(M::POST, "/v2/bookings", None, Some(body)).await,
        201,
    )
    .await;
    let listed = data(
        app.call(M::GET, &links_of(event), Some(&ada_key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(listed[0]["usageCount"], 1);
    assert_eq!(listed[0]["isExpired"], false);
}

#[tokio::test]
async fn a_2024_04_15_client_reads_bookings_in_its_own_shapes() {
    let app = spawn_app().await;
    let (key, event, ada) = host(&app, "ada@example.com", json!({})).await;
    let (_, bob) = person(&app, "bob@example.com", "UTC").await;
    let date = day(3);
    let mut uids = Vec::new();
    for (time, email) in [
        ("10:00", "grace@example.com"),
        ("11:00", "alan@example.com"),
    ] {
        let body = booking_body(event, &at(date, time), email);
        let made = data(
            app.call(M::POST, "/v2/bookings", None, Some(body)).await,
            201,
        )
        .await;
        uids.push(made["uid"].as_str().unwrap().to_owned());
    }
    let old = "2024-04-15";
    let page = data(
        app.call_as(
            old,
            M::GET,
            "/v2/bookings?limit=1&filters[status]=upcoming",
            Some(&key),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (page["nextCursor"].clone(), page["recurringInfo"].clone()),
        (json!(1), json!([]))
    );
    let entry = &page["bookings"][0];
    assert_eq!(entry["uid"], uids[0].as_str());
    assert_eq!(entry["startTime"], format!("{date}T10:00:00.000Z"));
    assert_eq!(entry["status"], "ACCEPTED");
    assert_eq!(
        entry["user"],
        json!({"id": ada, "name": "Ada Host", "email": "ada@example.com"})
    );
    assert_eq!(entry["userPrimaryEmail"], "ada@example.com");
    assert_eq!(entry["attendees"][0]["email"], "grace@example.com");
    assert_eq!(entry["eventType"]["slug"], "call");
    assert!(entry.get("start").is_none(), "{entry}");
    let rest = "/v2/bookings?limit=1&cursor=1";
    let last = data(app.call_as(old, M::GET, rest, Some(&key)).await, 200).await;
    assert_eq!(last["bookings"][0]["uid"], uids[1].as_str());
    assert_eq!(last["nextCursor"], Value::Null);
    let bad = app.call_as(
        old,
        M::GET,
        "/v2/bookings?filters[status]=someday",
        Some(&key),
    );
    assert_error(bad.await, 400, "BadRequestException").await;

    let one = format!("/v2/bookings/{}", uids[0]);
    let booking = data(app.call_as(old, M::GET, &one, Some(&key)).await, 200).await;
    assert_eq!(booking["startTime"], format!("{date}T10:00:00.000Z"));
    assert_eq!(booking["status"], "ACCEPTED");
    assert_eq!(booking["responses"]["email"], "grace@example.com");
    assert_eq!(booking["user"]["username"], "ada");
    assert_eq!(booking["eventType"]["slug"], "call");
    assert_eq!(booking["eventTypeId"], event);
    // Without the header, and with another version: the current shape.
    for version in [None, Some("2024-08-13")] {
        let response = match version {
            Some(v) => app.call_as(v, M::GET, &one, Some(&key)).await,
            None => app.call(M::GET, &one, Some(&key), None).await,
        };
        let current = data(response, 200).await;
        assert_eq!(current["status"], "accepted", "{current}");
        assert!(current.get("startTime").is_none(), "{current}");
    }
    // Another tenant sees none of it in this version either.
    let theirs = data(
        app.call_as(old, M::GET, "/v2/bookings", Some(&bob)).await,
        200,
    )
    .await;
    assert_eq!(theirs["bookings"], json!([]));
    let response = app.call_as(old, M::GET, &one, Some(&bob)).await;
    assert_error(response, 404, "NotFoundException").await;
}

#[tokio::test]
async fn a_hold_on_a_hidden_event_type_needs_its_private_link_as_booking_does() {
    let app = spawn_app().await;
    let (key, event, link) = hidden_with_link(&app).await;
    let date = day(3);
    let hold = |link: Option<&str>, time: &str| {
        let mut body = json!({"eventTypeId": event, "slotStart": at(date, time)});
        if let Some(link) = link {
            body["hashedLink"] = json!(link);
        }
        body
    };
    let path = "/v2/slots/reservations";
    let none = app
        .call(M::POST, path, None, Some(hold(None, "10:00")))
        .await;
    assert_error(none, 404, "NotFoundException").await;
    let wrong = hold(Some("NoSuchLink"), "10:00");
    let wrong = app.call(M::POST, path, None, Some(wrong)).await;
    let message = assert_error(wrong, 400, "BadRequestException").await;
    assert!(message.contains("private_link_expired"), "{message}");
    let bad_type = json!({"eventTypeId": event, "slotStart": at(date, "10:00"), "hashedLink": 7});
    let bad_type = app.call(M::POST, path, None, Some(bad_type)).await;
    assert_error(bad_type, 400, "BadRequestException").await;

    let held = app.call(M::POST, path, None, Some(hold(Some(&link), "10:00")));
    let held = data(held.await, 201).await;
    let uid = held["reservationUid"].as_str().unwrap().to_owned();
    // Moving the hold asks for the link again.
    let moved = format!("{path}/{uid}");
    let unlinked = app
        .call(M::PATCH, &moved, None, Some(hold(None, "11:00")))
        .await;
    assert_error(unlinked, 404, "NotFoundException").await;
    let linked = app.call(M::PATCH, &moved, None, Some(hold(Some(&link), "11:00")));
    let linked = data(linked.await, 200).await;
    assert_eq!(linked["slotStart"], format!("{date}T11:00:00.000Z"));

    // Its owner holds it by key; a stranger's key is no link.
    let own = app.call(M::POST, path, Some(&key), Some(hold(None, "12:00")));
    data(own.await, 201).await;
    let (_, stranger) = person(&app, "mallory@example.com", "UTC").await;
    let theirs = app.call(M::POST, path, Some(&stranger), Some(hold(None, "13:00")));
    assert_error(theirs.await, 404, "NotFoundException").await;

    // The link is not spent by holding: it still books.
    let booked = with_link(event, &at(date, "14:00"), "grace@example.com", &link);
    let booked = app.call(M::POST, "/v2/bookings", None, Some(booked)).await;
    data(booked, 201).await;
}
