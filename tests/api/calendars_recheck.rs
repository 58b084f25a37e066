//! The booking-time re-check through the API: with the freshness bound at zero every cache is
//! stale, so each booking and reschedule asks the hosts' providers (the fake Google, ICS feeds
//! on loopback) about the requested time, while the cache still offers it. A reschedule onto
//! a time the provider now has busy is a 409; the booking's own written-back event is not a
//! conflict; a provider that does not answer leaves a note in the history; round robin passes
//! a busy first choice over for the next host, asking at most three hosts in turn (the fourth
//! choice books on the cache and says so); a seat moved alone is re-checked like a booking.

use chrono::NaiveDate;
use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{at, book, booking_body, day, host, slot_starts, take_seat};
use crate::calendars::{Feed, calendar, event_at, google_config, synced};
use crate::calendars_e2e::{BACKGROUND, google_consent};
use crate::fake_google::{Failure, FakeGoogle};
use crate::helpers::eventually;
use crate::helpers::{TestApp, TestDatabase, assert_error, booking_of, data, spawn_app_with};

/// `date` at `time` as the API answers instants.
fn ms(date: NaiveDate, time: &str) -> String {
    format!("{date}T{time}:00.000Z")
}

/// An app whose calendar caches are always older than the freshness bound, waiting at most
/// `timeout_ms` for the providers; Google's endpoints are `fake`'s.
async fn rechecking_app(fake: Option<&FakeGoogle>, timeout_ms: u64) -> TestApp {
    let database = TestDatabase::new().await;
    let base = match fake {
        Some(fake) => google_config(fake, &database),
        None => database.config(),
    };
    let config = kairos::config::Config {
        calendar_freshness_secs: 0,
        calendar_recheck_timeout_ms: timeout_ms,
        ..base
    };
    spawn_app_with(config, database).await
}

/// Ada with Google connected and synced; (key, event type id).
async fn ada_on_google(app: &TestApp, fake: &FakeGoogle, event: Value) -> (String, i64) {
    fake.add_calendar("ada@example.com", "Ada", true, "owner", "UTC");
    let (key, event, _) = host(app, "ada@example.com", event).await;
    assert_eq!(google_consent(app, &key).await.status(), 302);
    synced(app, &key).await;
    (key, event)
}

fn busy(summary: &str, date: NaiveDate, from: &str, to: &str) -> Value {
    json!({"summary": summary, "start": {"dateTime": at(date, from)},
           "end": {"dateTime": at(date, to)}})
}

async fn reschedule(app: &TestApp, uid: &str, start: &str) -> reqwest::Response {
    app.call(
        Method::POST,
        &format!("/v2/bookings/{uid}/reschedule"),
        None,
        Some(json!({"start": start})),
    )
    .await
}

async fn history_actions(app: &TestApp, key: &str, uid: &str) -> Vec<Value> {
    let path = format!("/v2/bookings/{uid}/history");
    let history = data(app.call(Method::GET, &path, Some(key), None).await, 200).await;
    history.as_array().unwrap().clone()
}

/// Waits for the write-back of booking `ics_uid` into Ada's Google calendar.
async fn written_back(fake: &FakeGoogle, ics_uid: &str) {
    eventually("the written-back event", BACKGROUND, async || {
        (fake.events("ada@example.com").into_iter()).find(|e| e["iCalUID"] == ics_uid)
    })
    .await;
}

#[tokio::test]
async fn a_reschedule_onto_a_time_the_calendar_now_has_busy_is_refused_and_nothing_moves() {
    let fake = FakeGoogle::start().await;
    let app = rechecking_app(Some(&fake), 2000).await;
    let (key, event) = ada_on_google(&app, &fake, json!({})).await;
    let date = day(4);
    let booked = data(
        book(
            &app,
            booking_body(event, &at(date, "10:00"), "grace@example.com"),
        )
        .await,
        201,
    )
    .await;
    let uid = booked["uid"].as_str().unwrap().to_owned();

    fake.add_event("ada@example.com", busy("Dentist", date, "14:00", "15:00"));
    // The cache has not seen the new event: the time is still offered.
    assert!(
        slot_starts(&app, event, date)
            .await
            .contains(&ms(date, "14:00"))
    );
    let message = assert_error(
        reschedule(&app, &uid, &at(date, "14:00")).await,
        409,
        "ConflictException",
    )
    .await;
    assert!(message.contains("calendar"), "{message}");
    let view = booking_of(&app, &key, &uid).await;
    assert_eq!(view["status"], "accepted", "{view}");
    assert_eq!(view["start"], ms(date, "10:00"));
    assert!(view["rescheduledToUid"].is_null(), "{view}");

    // A time the calendar leaves free still takes the move.
    let moved = data(reschedule(&app, &uid, &at(date, "16:00")).await, 201).await;
    assert_eq!(moved["start"], ms(date, "16:00"));
}

#[tokio::test]
async fn a_reschedule_over_the_bookings_own_written_back_event_is_not_a_conflict() {
    let fake = FakeGoogle::start().await;
    let app = rechecking_app(Some(&fake), 2000).await;
    let hour = json!({"lengthInMinutes": 60, "slotInterval": 30});
    let (key, event) = ada_on_google(&app, &fake, hour).await;
    let date = day(4);
    let booked = data(
        book(
            &app,
            booking_body(event, &at(date, "14:00"), "grace@example.com"),
        )
        .await,
        201,
    )
    .await;
    let uid = booked["uid"].as_str().unwrap().to_owned();
    written_back(&fake, booked["icsUid"].as_str().unwrap()).await;

    // 14:30-15:30 overlaps the booking's own event (14:00-15:00) in Ada's calendar.
    let lists = fake.count("GET", "/events");
    let moved = data(reschedule(&app, &uid, &at(date, "14:30")).await, 201).await;
    assert!(fake.count("GET", "/events") > lists, "Google was not asked");
    assert_eq!(moved["start"], ms(date, "14:30"));
    assert_eq!(moved["icsUid"], booked["icsUid"]);
    let old = booking_of(&app, &key, &uid).await;
    assert_eq!(old["rescheduledToUid"], moved["uid"], "{old}");
}

#[tokio::test]
async fn a_reschedule_whose_provider_does_not_answer_moves_on_the_cache_and_says_so() {
    let fake = FakeGoogle::start().await;
    let app = rechecking_app(Some(&fake), 300).await;
    let (key, event) = ada_on_google(&app, &fake, json!({})).await;
    let date = day(4);
    let booked = data(
        book(
            &app,
            booking_body(event, &at(date, "10:00"), "grace@example.com"),
        )
        .await,
        201,
    )
    .await;
    let uid = booked["uid"].as_str().unwrap().to_owned();
    written_back(&fake, booked["icsUid"].as_str().unwrap()).await;
    assert!(
        (history_actions(&app, &key, &uid).await.iter())
            .all(|h| h["action"] != "calendar_recheck_unconfirmed")
    );

    fake.fail(Failure::Hang, 1);
    let moved = data(reschedule(&app, &uid, &at(date, "12:00")).await, 201).await;
    let new_uid = moved["uid"].as_str().unwrap();
    let history = history_actions(&app, &key, new_uid).await;
    let note = (history.iter())
        .find(|h| h["action"] == "calendar_recheck_unconfirmed")
        .unwrap_or_else(|| panic!("no re-check note: {history:?}"));
    let providers = note["changes"]["providers"].to_string();
    assert!(providers.contains("no answer in time"), "{note}");
}

// ---- Round robin ----

/// Ada and Bob in a team with a round-robin event type on which Ada has the highest priority
/// (the first choice while the calendars leave both free); (keys, ids, event type id).
async fn round_robin_pair(app: &TestApp) -> ([String; 2], [i64; 2], i64) {
    let (keys, ids, rr) = round_robin_team(app, &["ada", "bob"]).await;
    let ([ada_key, bob_key], [ada, bob]) = (keys.try_into().unwrap(), ids.try_into().unwrap());
    ([ada_key, bob_key], [ada, bob], rr)
}

/// A team of `names` (at most five) with a round-robin event type whose host priorities fall
/// in the order given: the first is the first choice while the calendars leave all free;
/// (keys, ids, event type id).
async fn round_robin_team(app: &TestApp, names: &[&str]) -> (Vec<String>, Vec<i64>, i64) {
    const PRIORITIES: [&str; 5] = ["highest", "high", "medium", "low", "lowest"];
    let (keys, ids, team_id) = team_of(app, names).await;
    let hosts: Vec<Value> = (ids.iter().zip(PRIORITIES))
        .map(|(id, priority)| json!({"userId": id, "priority": priority}))
        .collect();
    let body = json!({"title": "rr", "slug": "rr", "lengthInMinutes": 30,
        "minimumBookingNotice": 0, "schedulingType": "ROUND_ROBIN", "hosts": hosts});
    let path = format!("/v2/teams/{team_id}/event-types");
    let rr = data(
        app.call(Method::POST, &path, Some(&keys[0]), Some(body))
            .await,
        201,
    )
    .await;
    (keys, ids, rr["id"].as_i64().unwrap())
}

/// Hosts `names` (`{name}@example.com`, a weekday schedule) in a team the first one made and
/// the others joined; (keys, ids, team id).
pub(crate) async fn team_of(app: &TestApp, names: &[&str]) -> (Vec<String>, Vec<i64>, i64) {
    let mut keys = Vec::new();
    let mut ids = Vec::new();
    for name in names {
        let (key, _, id) = host(app, &format!("{name}@example.com"), json!({})).await;
        keys.push(key);
        ids.push(id);
    }
    let owner = Some(keys[0].as_str());
    let team = data(
        app.call(
            Method::POST,
            "/v2/teams",
            owner,
            Some(json!({"name": "Crew"})),
        )
        .await,
        201,
    )
    .await;
    let team_id = team["id"].as_i64().unwrap();
    for (key, id) in keys.iter().zip(&ids).skip(1) {
        let path = format!("/v2/teams/{team_id}/memberships");
        let body = Some(json!({"userId": id}));
        let invite = data(app.call(Method::POST, &path, owner, body).await, 201).await;
        let membership = format!("{path}/{}", invite["id"]);
        let accept = Some(json!({"accepted": true}));
        data(
            app.call(Method::PATCH, &membership, Some(key), accept)
                .await,
            200,
        )
        .await;
    }
    (keys, ids, team_id)
}

/// Connects an ICS feed to `key`'s user and waits for its first sync.
async fn connect_feed(app: &TestApp, key: &str, feed: &Feed) {
    let body = json!({"urls": [feed.url]});
    data(
        app.call(
            Method::POST,
            "/v2/calendars/ics-feed/save",
            Some(key),
            Some(body),
        )
        .await,
        201,
    )
    .await;
    synced(app, key).await;
}

fn hosts_of(booking: &Value) -> Vec<i64> {
    (booking["hosts"].as_array().unwrap().iter())
        .map(|h| h["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn round_robin_passes_a_host_whose_calendar_is_busy_over_and_refuses_when_all_are() {
    let app = rechecking_app(None, 2000).await;
    let ([ada_key, bob_key], [ada, bob], rr) = round_robin_pair(&app).await;
    let (ada_feed, bob_feed) = (
        Feed::start(calendar(&[])).await,
        Feed::start(calendar(&[])).await,
    );
    connect_feed(&app, &ada_key, &ada_feed).await;
    connect_feed(&app, &bob_key, &bob_feed).await;
    let date = day(5);

    ada_feed.set(calendar(&[event_at("ada-1", date, "1000", "1200")]));
    // The caches have not seen it: 10:00 is offered, and Ada is the first choice.
    assert!(
        slot_starts(&app, rr, date)
            .await
            .contains(&ms(date, "10:00"))
    );
    let first = data(
        book(
            &app,
            booking_body(rr, &at(date, "10:00"), "r1@booker.example"),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(hosts_of(&first), [bob], "{first}");

    bob_feed.set(calendar(&[event_at("bob-1", date, "1100", "1130")]));
    assert!(
        slot_starts(&app, rr, date)
            .await
            .contains(&ms(date, "11:00"))
    );
    assert_error(
        book(
            &app,
            booking_body(rr, &at(date, "11:00"), "r2@booker.example"),
        )
        .await,
        409,
        "ConflictException",
    )
    .await;

    // Where both calendars are free, the first choice is Ada again.
    let third = data(
        book(
            &app,
            booking_body(rr, &at(date, "13:00"), "r3@booker.example"),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(hosts_of(&third), [ada], "{third}");
}

#[tokio::test]
async fn round_robin_asks_at_most_three_hosts_and_the_fourth_choice_books_on_the_cache() {
    let app = rechecking_app(None, 2000).await;
    let names = ["ada", "bob", "cyd", "dee"];
    let (keys, ids, rr) = round_robin_team(&app, &names).await;
    let mut feeds = Vec::new();
    for key in &keys {
        let feed = Feed::start(calendar(&[])).await;
        connect_feed(&app, key, &feed).await;
        feeds.push(feed);
    }
    let date = day(5);
    for (feed, name) in feeds.iter().zip(names) {
        feed.set(calendar(&[event_at(
            &format!("{name}-1"),
            date,
            "1000",
            "1200",
        )]));
    }
    // The caches have not seen the new events: 10:00 is offered with every host free.
    assert!(
        slot_starts(&app, rr, date)
            .await
            .contains(&ms(date, "10:00"))
    );
    let booked = data(
        book(
            &app,
            booking_body(rr, &at(date, "10:00"), "r1@booker.example"),
        )
        .await,
        201,
    )
    .await;
    // Ada, Bob and Cyd were asked in turn and passed over; Dee, the fourth choice, was not
    // asked (her feed has the time busy too) and holds the booking on the cache's word.
    assert_eq!(hosts_of(&booked), [ids[3]], "{booked}");
    let uid = booked["uid"].as_str().unwrap();
    let history = history_actions(&app, &keys[0], uid).await;
    let note = (history.iter())
        .find(|h| h["action"] == "calendar_recheck_unconfirmed")
        .unwrap_or_else(|| panic!("no re-check note: {history:?}"));
    let providers = note["changes"]["providers"].to_string();
    assert!(
        providers.contains(&format!("host {}: calendars not asked again", ids[3])),
        "{note}"
    );
    for asked in &ids[..3] {
        assert!(!providers.contains(&format!("host {asked}:")), "{note}");
    }
}

#[tokio::test]
async fn a_seat_moved_onto_a_time_the_calendar_now_has_busy_is_refused_and_stays() {
    let fake = FakeGoogle::start().await;
    let app = rechecking_app(Some(&fake), 2000).await;
    let seats = json!({"seats": {"seatsPerTimeSlot": 3, "showAttendeeInfo": false}});
    let (key, event) = ada_on_google(&app, &fake, seats).await;
    let date = day(4);
    let start = at(date, "10:00");
    take_seat(&app, event, &start, "Grace Hopper", "grace@first.example").await;
    let seat = take_seat(&app, event, &start, "Alan Turing", "alan@second.example").await;
    let uid = seat["uid"].as_str().unwrap().to_owned();

    fake.add_event("ada@example.com", busy("Dentist", date, "14:00", "15:00"));
    assert!(
        slot_starts(&app, event, date)
            .await
            .contains(&ms(date, "14:00"))
    );
    let lists = fake.count("GET", "/events");
    let move_seat = |to: &str| {
        let body = json!({"start": at(date, to), "seatUid": seat["seatUid"]});
        let path = format!("/v2/bookings/{uid}/reschedule");
        let app = &app;
        async move { app.call(Method::POST, &path, None, Some(body)).await }
    };
    let message = assert_error(move_seat("14:00").await, 409, "ConflictException").await;
    assert!(fake.count("GET", "/events") > lists, "Google was not asked");
    assert!(message.contains("calendar"), "{message}");
    let view = booking_of(&app, &key, &uid).await;
    assert_eq!(view["start"], ms(date, "10:00"));
    assert_eq!(view["attendees"].as_array().unwrap().len(), 2, "{view}");

    // A time the calendar leaves free takes the seat; the other holder stays.
    let moved = data(move_seat("16:00").await, 201).await;
    assert_eq!(moved["start"], ms(date, "16:00"));
    assert_eq!(moved["attendees"][0]["email"], "alan@second.example");
    let old = booking_of(&app, &key, &uid).await;
    assert_eq!(old["attendees"].as_array().unwrap().len(), 1, "{old}");
    assert_eq!(old["attendees"][0]["email"], "grace@first.example");
}
