//! `GET /v2/insights/bookings`: figures of bookings made, cancelled, moved and missed through
//! the real booking API; who may see which; bad input.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{at, book, booking_body, day, host};
use crate::event_types::person;
use crate::helpers::{TestApp, assert_error, data, eventually, spawn_app};

pub async fn insights(app: &TestApp, key: &str, query: &str) -> reqwest::Response {
    app.call(
        Method::GET,
        &format!("/v2/insights/bookings?{query}"),
        Some(key),
        None,
    )
    .await
}

async fn booked(app: &TestApp, event: i64, start: &str, email: &str) -> String {
    let booking = data(book(app, booking_body(event, start, email)).await, 201).await;
    booking["uid"].as_str().unwrap().to_owned()
}

/// Four bookings on day 2 at 09, 10, 11 and 12 UTC: 10 cancelled, 11 moved to 14, 12's
/// attendee absent. Returns (key, event type id).
pub async fn seeded(app: &TestApp) -> (String, i64) {
    let (key, event, _) = host(app, "ada@example.com", json!({})).await;
    let date = day(2);
    let mut uids = Vec::new();
    for (i, time) in ["09:00", "10:00", "11:00", "12:00"].iter().enumerate() {
        uids.push(booked(app, event, &at(date, time), &format!("b{i}@booker.example")).await);
    }
    let cancel = format!("/v2/bookings/{}/cancel", uids[1]);
    let body = json!({"cancellationReason": "No longer needed"});
    data(
        app.call(Method::POST, &cancel, Some(&key), Some(body))
            .await,
        200,
    )
    .await;
    let move_to = json!({"start": at(date, "14:00"), "reschedulingReason": "Clash"});
    let path = format!("/v2/bookings/{}/reschedule", uids[2]);
    data(
        app.call(Method::POST, &path, None, Some(move_to)).await,
        201,
    )
    .await;
    let absent =
        json!({"host": false, "attendees": [{"email": "b3@booker.example", "absent": true}]});
    let path = format!("/v2/bookings/{}/mark-absent", uids[3]);
    data(
        app.call(Method::POST, &path, Some(&key), Some(absent))
            .await,
        200,
    )
    .await;
    (key, event)
}

fn period(zone: &str) -> String {
    format!("start={}&end={}&timeZone={zone}", day(0), day(3))
}

#[tokio::test]
async fn figures_count_what_each_booking_came_to() {
    let app = spawn_app().await;
    let (key, event) = seeded(&app).await;
    let figures = data(insights(&app, &key, &period("UTC")).await, 200).await;
    let totals = &figures["totals"];
    assert_eq!(
        totals,
        &json!({"total": 5, "accepted": 2, "pending": 0, "noShow": 1, "cancelled": 1,
                "rescheduled": 1, "rejected": 0}),
        "{figures}"
    );
    assert_eq!(figures["period"]["step"], "day");
    let points = figures["series"].as_array().unwrap();
    assert_eq!(points.len(), 4);
    assert_eq!(points[2]["start"], day(2).to_string());
    assert_eq!(points[2]["total"], 5);
    assert_eq!(points[1]["total"], 0);
    // Held meetings by hour: 09 and 14 accepted, 12 missed; 10 cancelled and 11 moved.
    let hours: Vec<i64> = figures["busiestHours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["bookings"].as_i64().unwrap())
        .collect();
    let mut expected = vec![0; 24];
    for h in [9, 12, 14] {
        expected[h] = 1;
    }
    assert_eq!(hours, expected);
    // Booked today for the day after tomorrow: well over a day ahead.
    assert!(figures["averageLeadTimeMinutes"].as_i64().unwrap() > 24 * 60);
    assert_eq!(
        figures["conversion"],
        json!([{"eventTypeId": event, "title": "Call", "views": 0, "bookings": 5, "rate": null}])
    );
    assert_eq!(figures["hosts"], json!([]));
}

#[tokio::test]
async fn days_and_hours_are_the_viewers() {
    let app = spawn_app().await;
    let (key, _) = seeded(&app).await;
    // UTC+14: 09:00 and 12:00 UTC are 23:00 and 02:00 (next day); 14:00 UTC is 04:00.
    let query = format!(
        "start={}&end={}&timeZone=Pacific/Kiritimati",
        day(0),
        day(4)
    );
    let figures = data(insights(&app, &key, &query).await, 200).await;
    assert_eq!(figures["period"]["timeZone"], "Pacific/Kiritimati");
    let hours = &figures["busiestHours"];
    assert_eq!(hours[23]["bookings"], 1, "{figures}");
    assert_eq!(hours[2]["bookings"], 1);
    assert_eq!(hours[4]["bookings"], 1);
    let points = figures["series"].as_array().unwrap();
    assert_eq!(points[2]["total"], 1, "09:00 UTC is day 2 there: {figures}");
    assert_eq!(points[3]["total"], 4, "the rest is day 3 there");
}

/// Ada owns a team with Bob; a round-robin event type weights Ada 300 and Bob 100.
async fn team(app: &TestApp) -> (String, String, i64, i64, i64, i64) {
    let (ada_key, _, ada) = host(app, "ada@example.com", json!({})).await;
    let (bob_key, _, bob) = host(app, "bob@example.com", json!({})).await;
    let team = data(
        app.call(
            Method::POST,
            "/v2/teams",
            Some(&ada_key),
            Some(json!({"name": "Crew"})),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let invite = data(
        app.call(
            Method::POST,
            &format!("/v2/teams/{team}/memberships"),
            Some(&ada_key),
            Some(json!({"userId": bob})),
        )
        .await,
        201,
    )
    .await;
    let accept = format!("/v2/teams/{team}/memberships/{}", invite["id"]);
    let yes = json!({"accepted": true});
    data(
        app.call(Method::PATCH, &accept, Some(&bob_key), Some(yes))
            .await,
        200,
    )
    .await;
    let rr = json!({"title": "Intro", "slug": "intro", "lengthInMinutes": 30, "minimumBookingNotice": 0,
        "schedulingType": "ROUND_ROBIN",
        "hosts": [{"userId": ada, "weight": 300}, {"userId": bob, "weight": 100}]});
    let path = format!("/v2/teams/{team}/event-types");
    let rr = data(
        app.call(Method::POST, &path, Some(&ada_key), Some(rr))
            .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    for (i, time) in ["09:00", "10:00", "11:00", "12:00"].iter().enumerate() {
        booked(app, rr, &at(day(2), time), &format!("t{i}@booker.example")).await;
    }
    (ada_key, bob_key, ada, bob, team, rr)
}

fn host_of(figures: &Value, user: i64) -> &Value {
    figures["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["userId"] == user)
        .unwrap_or_else(|| panic!("host {user} in {figures}"))
}

#[tokio::test]
async fn round_robin_load_is_set_against_weight_and_members_see_their_own() {
    let app = spawn_app().await;
    let (ada_key, bob_key, ada, bob, team, rr) = team(&app).await;
    let q = |scope: &str| format!("{}&{scope}", period("UTC"));
    let all = data(
        insights(&app, &ada_key, &q(&format!("eventTypeId={rr}"))).await,
        200,
    )
    .await;
    assert_eq!(all["totals"]["total"], 4);
    let (a, b) = (host_of(&all, ada), host_of(&all, bob));
    assert_eq!(
        a["bookings"].as_i64().unwrap() + b["bookings"].as_i64().unwrap(),
        4
    );
    assert_eq!(a["weight"], 300);
    assert_eq!(a["weightShare"], 0.75);
    assert_eq!(b["weightShare"], 0.25);
    let bobs = b["bookings"].as_i64().unwrap();
    // Bob, a plain member, sees his own bookings of the team's event type.
    let own = data(
        insights(&app, &bob_key, &q(&format!("eventTypeId={rr}"))).await,
        200,
    )
    .await;
    assert_eq!(own["scope"]["userId"], bob);
    assert_eq!(own["totals"]["total"], bobs);
    assert_eq!(own["hosts"].as_array().unwrap().len(), 1);
    let his_team = data(
        insights(&app, &bob_key, &q(&format!("teamId={team}"))).await,
        200,
    )
    .await;
    assert_eq!(his_team["totals"]["total"], bobs);
    // ... and not Ada's.
    let hers = q(&format!("teamId={team}&userId={ada}"));
    assert_error(
        insights(&app, &bob_key, &hers).await,
        403,
        "ForbiddenException",
    )
    .await;
    // The owner sees the team's, and may narrow it to Bob.
    let whole = data(
        insights(&app, &ada_key, &q(&format!("teamId={team}"))).await,
        200,
    )
    .await;
    assert_eq!(whole["totals"]["total"], 4);
    assert_eq!(whole["conversion"][0]["bookings"], 4);
    let narrowed = q(&format!("teamId={team}&userId={bob}"));
    let narrowed = data(insights(&app, &ada_key, &narrowed).await, 200).await;
    assert_eq!(narrowed["totals"]["total"], bobs);
}

#[tokio::test]
async fn another_tenants_team_and_event_types_are_not_found() {
    let app = spawn_app().await;
    let (_, _, _, _, team, rr) = team(&app).await;
    let (_, carol_key) = person(&app, "carol@example.com", "UTC").await;
    let (_, dan_event, _) = host(&app, "dan@example.com", json!({})).await;
    for scope in [
        format!("teamId={team}"),
        format!("eventTypeId={rr}"),
        format!("eventTypeId={dan_event}"),
        "eventTypeId=999999".to_owned(),
    ] {
        let query = format!("{}&{scope}", period("UTC"));
        assert_error(
            insights(&app, &carol_key, &query).await,
            404,
            "NotFoundException",
        )
        .await;
    }
    let anonymous = app.get("/v2/insights/bookings").await;
    assert_eq!(anonymous.status().as_u16(), 401);
}

#[tokio::test]
async fn bad_input_is_a_clear_400() {
    let app = spawn_app().await;
    let (_, key) = person(&app, "ada@example.com", "Europe/Berlin").await;
    for (query, says) in [
        ("start=2026-13-01&end=2026-12-31", "start"),
        ("start=2026-12-01&end=2026-11-30", "before start"),
        ("start=2026-12-01", "give both"),
        ("start=2025-01-01&end=2026-12-31", "366"),
        ("teamId=abc", "teamId"),
        ("teamId=1&eventTypeId=2", "one of them"),
        ("userId=0", "userId"),
        ("timeZone=Mars/Base", "timeZone"),
    ] {
        let message = assert_error(
            insights(&app, &key, query).await,
            400,
            "BadRequestException",
        )
        .await;
        assert!(message.contains(says), "{query}: {message}");
    }
    // No period: the last 30 days in the caller's zone.
    let figures = data(insights(&app, &key, "").await, 200).await;
    assert_eq!(figures["period"]["timeZone"], "Europe/Berlin");
    assert_eq!(figures["series"].as_array().unwrap().len(), 30);
    assert_eq!(figures["totals"]["total"], 0);
}

#[tokio::test]
async fn booking_page_views_are_counted_without_the_slots_api_or_head() {
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let me = data(app.call(Method::GET, "/v2/me", Some(&key), None).await, 200).await;
    let page = format!("/{}/call", me["username"].as_str().unwrap());
    for _ in 0..3 {
        assert_eq!(app.get(&page).await.status(), 200);
    }
    let head = app
        .client
        .head(format!("{}{page}", app.address))
        .send()
        .await
        .unwrap();
    assert_ne!(head.status().as_u16(), 500);
    let slots = format!(
        "/v2/slots?eventTypeId={event}&start={}&end={}",
        day(1),
        day(2)
    );
    assert_eq!(app.get(&slots).await.status(), 200);
    // Written by the `page_views` queue in the background.
    let query = period("UTC");
    let views = eventually(
        "the views to be written",
        Duration::from_secs(30),
        async || {
            let figures = data(insights(&app, &key, &query).await, 200).await;
            let views = figures["conversion"][0]["views"].as_i64().unwrap();
            (views >= 3).then_some(views)
        },
    )
    .await;
    assert_eq!(views, 3);
    // Booking from the page converts: one booking made, three views.
    booked(&app, event, &at(day(2), "09:00"), "one@booker.example").await;
    let figures = data(insights(&app, &key, &query).await, 200).await;
    assert_eq!(
        figures["conversion"][0],
        json!({"eventTypeId": event, "title": "Call", "views": 3, "bookings": 1, "rate": 0.3333})
    );
}

/// What a booking counts for, recounted from the bookings through the migration's view: the
/// hourly roll-up must hold exactly this after every write.
const RECOUNTED: &str = "SELECT hour, event_type_id, user_id, organiser, status, rescheduled, \
    no_show, SUM(bookings) AS bookings, SUM(lead_seconds) AS lead_seconds \
    FROM booking_host_outcomes \
    GROUP BY hour, event_type_id, user_id, organiser, status, rescheduled, no_show";
const ROLLED_UP: &str = "SELECT hour, event_type_id, user_id, organiser, status, rescheduled, \
    no_show, bookings, lead_seconds FROM booking_hours";
const MADE_RECOUNTED: &str = "SELECT event_type_id, COUNT(*) AS bookings FROM bookings \
    WHERE event_type_id IS NOT NULL GROUP BY event_type_id";
const MADE_ROLLED_UP: &str = "SELECT event_type_id, SUM(bookings) AS bookings \
    FROM booking_made_hours GROUP BY event_type_id";

async fn rows(app: &TestApp, select: &str) -> i64 {
    app.db.count_rows(select).await.unwrap()
}

/// Rows in one query's result and not in the other's, either way.
async fn differences(app: &TestApp, a: &str, b: &str) -> (i64, i64) {
    (
        rows(app, &format!("{a} EXCEPT {b}")).await,
        rows(app, &format!("{b} EXCEPT {a}")).await,
    )
}

#[tokio::test]
async fn the_hourly_roll_up_equals_the_bookings_after_create_cancel_reschedule_and_no_show() {
    let app = spawn_app().await;
    let (key, _) = seeded(&app).await;
    // A second host's claim: a team booking counts for its organiser and for the other host.
    let (team_key, team_event, ids) = pair(&app).await;
    let team_booking = booked(&app, team_event, &at(day(2), "16:00"), "t@booker.example").await;
    let cancel = format!("/v2/bookings/{team_booking}/cancel");
    data(
        app.call(
            Method::POST,
            &cancel,
            Some(&team_key),
            Some(json!({"cancellationReason": "Off"})),
        )
        .await,
        200,
    )
    .await;

    // Five personal bookings (one moved away, one cancelled, one missed) and the team's, held
    // by two hosts: the roll-up is not empty, and holds what the bookings say.
    assert_eq!(rows(&app, ROLLED_UP).await, 7);
    let moved = format!("{ROLLED_UP} WHERE status = 'CANCELLED' AND rescheduled");
    assert_eq!(rows(&app, &moved).await, 1);
    assert_eq!(rows(&app, &format!("{ROLLED_UP} WHERE no_show")).await, 1);
    let hosts = format!("{ROLLED_UP} WHERE user_id IN ({}, {})", ids[0], ids[1]);
    assert_eq!(rows(&app, &hosts).await, 2);
    assert_eq!(differences(&app, RECOUNTED, ROLLED_UP).await, (0, 0));
    assert_eq!(
        differences(&app, MADE_RECOUNTED, MADE_ROLLED_UP).await,
        (0, 0)
    );
    assert_eq!(rows(&app, MADE_ROLLED_UP).await, 2);

    // The figures read from the roll-up (whole UTC hours) and from the bookings (the parts of
    // hours of a zone half an hour off UTC) agree.
    let utc = data(insights(&app, &key, &period("UTC")).await, 200).await;
    let kolkata = data(insights(&app, &key, &period("Asia/Kolkata")).await, 200).await;
    assert_eq!(utc["totals"], kolkata["totals"], "{utc} {kolkata}");
    assert_eq!(utc["totals"]["total"], 5, "{utc}");
    // The daily and monthly roll-ups followed every one of those writes.
    crate::insights_exact::assert_days_are_the_sums_of_their_hours(&app).await;
}

/// A collective team event type of two new hosts: (the first's key, event type, [first, second]).
async fn pair(app: &TestApp) -> (String, i64, [i64; 2]) {
    let (carol_key, _, carol) = host(app, "carol@example.com", json!({})).await;
    let (dan_key, _, dan) = host(app, "dan@example.com", json!({})).await;
    let call = |method, path: String, key: &str, body: Value| {
        let key = key.to_owned();
        async move { app.call(method, &path, Some(&key), Some(body)).await }
    };
    let team = json!({"name": "Pair"});
    let team = data(
        call(Method::POST, "/v2/teams".into(), &carol_key, team).await,
        201,
    )
    .await;
    let team = team["id"].as_i64().unwrap();
    let invite = json!({"userId": dan});
    let path = format!("/v2/teams/{team}/memberships");
    let invite = data(call(Method::POST, path, &carol_key, invite).await, 201).await;
    let path = format!("/v2/teams/{team}/memberships/{}", invite["id"]);
    let accept = json!({"accepted": true});
    data(call(Method::PATCH, path, &dan_key, accept).await, 200).await;
    let body = json!({"title": "Pair", "slug": "pair", "lengthInMinutes": 30,
        "minimumBookingNotice": 0, "schedulingType": "COLLECTIVE",
        "hosts": [{"userId": carol}, {"userId": dan}]});
    let path = format!("/v2/teams/{team}/event-types");
    let event = data(call(Method::POST, path, &carol_key, body).await, 201).await;
    (carol_key, event["id"].as_i64().unwrap(), [carol, dan])
}

/// Over a change of summer time each hour counts on the local date and hour its first
/// instant has in the offset of that instant: the whole hours are read in runs of one offset,
/// grouped per local date and hour by the database.
#[tokio::test]
async fn a_change_of_summer_time_keeps_each_hours_local_date_and_hour() {
    use chrono::{Days, NaiveDate, Offset, TimeZone, Timelike};
    let app = spawn_app().await;
    let (_, key) = person(&app, "ada@example.com", "UTC").await;
    let body = json!({"title": "Call", "slug": "call", "lengthInMinutes": 30});
    let event = crate::helpers::always_bookable(&app, &key, body).await;
    let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    let offset = |d: NaiveDate| berlin.offset_from_utc_date(&d).fix().local_minus_utc();
    // The first UTC day at least two days ahead that ends in another offset than it starts.
    let change = (2..400)
        .map(day)
        .find(|d| offset(*d) != offset(*d + Days::new(1)))
        .unwrap();
    let before = change - Days::new(1);
    let starts = [(before, "22:30"), (change, "01:00"), (change, "22:30")];
    for (i, (date, time)) in starts.iter().enumerate() {
        booked(
            &app,
            event,
            &at(*date, time),
            &format!("b{i}@booker.example"),
        )
        .await;
    }
    let query = format!(
        "start={before}&end={}&timeZone=Europe/Berlin",
        change + Days::new(1)
    );
    let figures = data(insights(&app, &key, &query).await, 200).await;
    // Where each booking's hour begins, in Berlin: two offsets among them.
    let local: Vec<_> = starts
        .iter()
        .map(|(date, time)| {
            let hour = time[..2].parse().unwrap();
            berlin.from_utc_datetime(&date.and_hms_opt(hour, 0, 0).unwrap())
        })
        .collect();
    assert_ne!(local[0].offset().fix(), local[2].offset().fix());
    let points = figures["series"].as_array().unwrap();
    for (n, point) in points.iter().enumerate() {
        let date = before + Days::new(n as u64);
        let expected = local.iter().filter(|l| l.date_naive() == date).count();
        assert_eq!(point["total"], expected, "{date}: {figures}");
    }
    for hour in 0..24 {
        let expected = local.iter().filter(|l| l.hour() == hour).count();
        assert_eq!(
            figures["busiestHours"][hour as usize]["bookings"], expected,
            "{hour}"
        );
    }
    assert_eq!(figures["totals"]["total"], 3, "{figures}");
}
