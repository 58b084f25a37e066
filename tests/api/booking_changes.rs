//! A host's changes to a booking through Cal.com's 2024-08-13 endpoints: the meeting moved to
//! another place (`PATCH …/location`, told by a signed `BOOKING_LOCATION_UPDATED` and an
//! updated invitation over real SMTP), the booker asked to pick a new time
//! (`POST …/request-reschedule`: cancelled, time freed, an email with a link that still moves
//! it once), and the "add to calendar" links (`GET …/calendar-links`). Other users, unknown
//! bookings and bad input are refused in Cal.com's envelope.

use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{book, booking_body, day, host, slot_starts};
use crate::email::{SmtpServer, app_with_smtp, to};
use crate::helpers::{TestApp, assert_error, booking_of, data, user_with_key};
use crate::webhooks::{Hit, Receiver, assert_signed};

const SECRET: &str = "changes-s3cr3t";

async fn subscribed(app: &TestApp, key: &str, triggers: &[&str]) -> Receiver {
    let receiver = Receiver::start().await;
    let body = json!({"subscriberUrl": receiver.url, "secret": SECRET, "triggers": triggers});
    let answer = app.call(Method::POST, "/v2/webhooks", Some(key), Some(body));
    data(answer.await, 201).await;
    receiver
}

fn of<'a>(hits: &'a [Hit], trigger: &str) -> Vec<&'a Hit> {
    (hits.iter())
        .filter(|h| h.json()["triggerEvent"] == trigger)
        .collect()
}

/// Books `event` at 14:00 UTC on day 5 for grace@example.com; the booking.
async fn booked(app: &TestApp, event: i64) -> Value {
    let start = format!("{}T14:00:00.000Z", day(5));
    data(
        book(app, booking_body(event, &start, "grace@example.com")).await,
        201,
    )
    .await
}

async fn patch_location(
    app: &TestApp,
    key: Option<&str>,
    uid: &str,
    body: Value,
) -> reqwest::Response {
    let path = format!("/v2/bookings/{uid}/location");
    app.call(Method::PATCH, &path, key, Some(body)).await
}

#[tokio::test]
async fn a_host_moves_the_meeting_and_everyone_is_told() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let place = json!({"locations": [{"type": "address", "address": "Office 1"}]});
    let (key, event, _) = host(&app, "ada@example.com", place).await;
    let receiver = subscribed(&app, &key, &["BOOKING_LOCATION_UPDATED"]).await;
    let booking = booked(&app, event).await;
    let uid = booking["uid"].as_str().unwrap();
    assert_eq!(booking["location"], "Office 1");

    let to_cafe = json!({"location": {"type": "address", "address": "Café Central, Vienna"}});
    let moved = data(
        patch_location(&app, Some(&key), uid, to_cafe.clone()).await,
        200,
    )
    .await;
    assert_eq!(moved["location"], "Café Central, Vienna", "{moved}");
    let hits = receiver
        .wait_for("the location update", |h| {
            !of(h, "BOOKING_LOCATION_UPDATED").is_empty()
        })
        .await;
    let update = of(&hits, "BOOKING_LOCATION_UPDATED")[0];
    assert_signed(update, SECRET);
    let payload = &update.json()["payload"];
    assert_eq!(payload["location"], "Café Central, Vienna", "{payload}");
    assert_eq!(payload["previousLocation"], "Office 1", "{payload}");
    assert_eq!(payload["iCalSequence"], 1, "{payload}");
    // The confirmation, then the same calendar entry with the new place, to both.
    let mails = smtp.wait_for(4).await;
    for address in ["grace@example.com", "ada@example.com"] {
        let updated: Vec<_> = (to(&mails, address).into_iter())
            .filter(|m| m.subject.starts_with("Updated: "))
            .collect();
        assert_eq!(updated.len(), 1, "{address}: {mails:#?}");
        assert!(
            updated[0].text.contains("Café Central, Vienna"),
            "{:?}",
            updated[0]
        );
        let (method, ics) = updated[0].calendar.clone().expect("an entry");
        assert_eq!(method, "REQUEST");
        assert!(ics.contains("SEQUENCE:1"), "{ics}");
    }

    // The same place again changes nothing; a plain string and a link are taken as given.
    data(patch_location(&app, Some(&key), uid, to_cafe).await, 200).await;
    let link = json!({"location": "https://meet.example.com/abc"});
    let moved = data(patch_location(&app, Some(&key), uid, link).await, 200).await;
    assert_eq!(moved["location"], "https://meet.example.com/abc");
    assert_eq!(
        moved["meetingUrl"], "https://meet.example.com/abc",
        "{moved}"
    );
    let hits = receiver
        .wait_for("the second update", |h| {
            of(h, "BOOKING_LOCATION_UPDATED").len() >= 2
        })
        .await;
    assert_eq!(
        of(&hits, "BOOKING_LOCATION_UPDATED").len(),
        2,
        "no update for no change"
    );
    let history = data(
        app.call(
            Method::GET,
            &format!("/v2/bookings/{uid}/history"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    let moves = (history.as_array().unwrap().iter())
        .filter(|h| h["action"] == "location_updated")
        .count();
    assert_eq!(moves, 2, "{history}");
}

#[tokio::test]
async fn moving_the_meeting_refuses_bad_places_strangers_and_closed_bookings() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let booking = booked(&app, event).await;
    let uid = booking["uid"].as_str().unwrap();
    for bad in [
        json!({}),
        json!({"location": null}),
        json!({"location": "  "}),
        json!({"location": 42}),
        json!({"location": {"type": "link", "link": "ftp://files.example"}}),
        json!({"location": {"type": "phone", "phone": "call me"}}),
        json!({"location": {"type": "address"}}),
        json!({"location": {"type": "somewhere"}}),
        json!({"location": "x".repeat(1001)}),
    ] {
        let answer = patch_location(&app, Some(&key), uid, bad.clone()).await;
        assert_eq!(answer.status(), 400, "{bad}");
    }
    let phone = json!({"location": {"type": "phone", "phone": "+49 30 1234567"}});
    let moved = data(patch_location(&app, Some(&key), uid, phone).await, 200).await;
    assert_eq!(moved["location"], "+49301234567");

    let place = json!({"location": "Room 2"});
    let anonymous = patch_location(&app, None, uid, place.clone()).await;
    assert_error(anonymous, 401, "UnauthorizedException").await;
    let stranger = user_with_key(&app, "eve@example.com", "UTC").await;
    let refused = patch_location(&app, Some(&stranger), uid, place.clone()).await;
    assert_error(refused, 404, "NotFoundException").await;
    let unknown = patch_location(&app, Some(&key), "no-such-booking", place.clone()).await;
    assert_error(unknown, 404, "NotFoundException").await;
    assert_eq!(
        booking_of(&app, &key, uid).await["location"],
        "+49301234567"
    );

    let cancel = format!("/v2/bookings/{uid}/cancel");
    data(
        app.call(Method::POST, &cancel, Some(&key), Some(json!({})))
            .await,
        200,
    )
    .await;
    let closed = patch_location(&app, Some(&key), uid, place).await;
    assert_error(closed, 400, "BadRequestException").await;
}

#[tokio::test]
async fn a_host_asks_the_booker_to_pick_a_new_time_and_the_link_moves_it_once() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let receiver = subscribed(&app, &key, &["BOOKING_CANCELLED", "BOOKING_RESCHEDULED"]).await;
    let booking = booked(&app, event).await;
    let uid = booking["uid"].as_str().unwrap().to_owned();
    let start = booking["start"].as_str().unwrap().to_owned();
    assert!(!slot_starts(&app, event, day(5)).await.contains(&start));

    let path = format!("/v2/bookings/{uid}/request-reschedule");
    let stranger = user_with_key(&app, "eve@example.com", "UTC").await;
    let refused = app.call(Method::POST, &path, Some(&stranger), None);
    assert_error(refused.await, 404, "NotFoundException").await;
    let anonymous = app.call(Method::POST, &path, None, None);
    assert_error(anonymous.await, 401, "UnauthorizedException").await;

    let body = json!({"rescheduleReason": "I am ill that day"});
    let asked = app.call(Method::POST, &path, Some(&key), Some(body));
    let asked = data(asked.await, 200).await;
    assert_eq!(asked["status"], "cancelled", "{asked}");
    assert_eq!(asked["cancellationReason"], "I am ill that day");
    assert_eq!(asked["cancelledByEmail"], "ada@example.com");
    // The time is free again, and asking twice is refused.
    assert!(slot_starts(&app, event, day(5)).await.contains(&start));
    let again = app.call(Method::POST, &path, Some(&key), None);
    assert_error(again.await, 400, "BadRequestException").await;

    // Subscribers hear a cancellation that asks for a new time.
    let hits = receiver
        .wait_for("the cancellation", |h| {
            !of(h, "BOOKING_CANCELLED").is_empty()
        })
        .await;
    let cancelled = of(&hits, "BOOKING_CANCELLED")[0].json();
    assert_eq!(
        cancelled["payload"]["requestReschedule"], true,
        "{cancelled}"
    );
    assert_eq!(
        cancelled["payload"]["cancellationReason"],
        "I am ill that day"
    );

    // The booker's email asks for a new time, with a signed link that opens the booker.
    let mails = smtp.wait_for(4).await;
    let asked_mail = (to(&mails, "grace@example.com").into_iter())
        .find(|m| m.subject.starts_with("Please pick a new time"))
        .unwrap_or_else(|| panic!("{mails:#?}"));
    assert!(
        asked_mail.text.contains("I am ill that day"),
        "{}",
        asked_mail.text
    );
    let (method, _) = asked_mail.calendar.clone().expect("the entry withdrawn");
    assert_eq!(method, "CANCEL");
    let link = (asked_mail.text.split_whitespace())
        .find(|w| w.contains(&format!("/reschedule/{uid}?token=")))
        .unwrap_or_else(|| panic!("{}", asked_mail.text));
    // It opens the booker (redirects followed) with the booking to move.
    let opened = app.get(link.trim_start_matches(&app.address)).await;
    assert_eq!(opened.status(), 200, "{link}");
    let booker = opened.url().to_string();
    assert!(booker.contains(&format!("rescheduleUid={uid}")), "{booker}");
    let page = opened.text().await.unwrap();
    assert!(page.contains("id=\"booker\""), "{page}");
    let host_mail = (to(&mails, "ada@example.com").into_iter())
        .find(|m| m.subject.starts_with("Asked to reschedule"));
    assert!(host_mail.is_some(), "{mails:#?}");

    // The booker picks a new time: a booking made from the old one; then the link is spent.
    let new_start = format!("{}T10:00:00.000Z", day(6));
    let move_path = format!("/v2/bookings/{uid}/reschedule");
    let body = json!({"start": new_start});
    let moved = app.call(Method::POST, &move_path, None, Some(body.clone()));
    let moved = data(moved.await, 201).await;
    assert_eq!(moved["rescheduledFromUid"], uid.as_str(), "{moved}");
    assert_eq!(moved["status"], "accepted");
    let twice = app.call(Method::POST, &move_path, None, Some(body));
    assert_error(twice.await, 400, "BadRequestException").await;
    receiver
        .wait_for("the reschedule", |h| {
            !of(h, "BOOKING_RESCHEDULED").is_empty()
        })
        .await;
}

#[tokio::test]
async fn calendar_links_are_calcoms_four() {
    let app = crate::helpers::spawn_app().await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let booking = booked(&app, event).await;
    let uid = booking["uid"].as_str().unwrap();
    let path = format!("/v2/bookings/{uid}/calendar-links");
    let links = data(app.call(Method::GET, &path, Some(&key), None).await, 200).await;
    let ids: Vec<&str> = (links.as_array().unwrap().iter())
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "googleCalendar",
            "microsoftOffice",
            "microsoftOutlook",
            "ics"
        ]
    );
    let link = |i: usize| links[i]["link"].as_str().unwrap().to_owned();
    let date = day(5).format("%Y%m%d");
    assert!(
        link(0).starts_with("https://calendar.google.com/calendar/"),
        "{links}"
    );
    assert!(
        link(0).contains(&format!("dates={date}T140000Z%2F{date}T143000Z")),
        "{links}"
    );
    assert!(
        link(1).starts_with("https://outlook.office.com/calendar/"),
        "{links}"
    );
    assert!(
        link(2).starts_with("https://outlook.live.com/calendar/"),
        "{links}"
    );
    assert!(
        link(3).starts_with("data:text/calendar,BEGIN%3AVCALENDAR"),
        "{links}"
    );
    assert!(
        link(3).contains(&format!("DTSTART%3A{date}T140000Z")),
        "{links}"
    );
    assert_eq!(links[0]["label"], "Google Calendar");

    let stranger = user_with_key(&app, "eve@example.com", "UTC").await;
    let refused = app.call(Method::GET, &path, Some(&stranger), None);
    assert_error(refused.await, 404, "NotFoundException").await;
    let anonymous = app.call(Method::GET, &path, None, None);
    assert_error(anonymous.await, 401, "UnauthorizedException").await;
}

#[tokio::test]
async fn a_round_robin_booking_goes_to_a_free_host_or_the_one_asked_for() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let crew = crate::host_groups::crew(&app, "rr").await;
    let people = [&crew.ada, &crew.bob, &crew.cat];
    let body = json!({"title": "Intro", "slug": "intro", "lengthInMinutes": 30,
        "minimumBookingNotice": 0, "schedulingType": "ROUND_ROBIN",
        "hosts": people.iter().map(|p| json!({"userId": p.0})).collect::<Vec<_>>()});
    let teams_path = format!("/v2/teams/{}/event-types", crew.team);
    let created = app.call(Method::POST, &teams_path, Some(&crew.ada.2), Some(body));
    let event = data(created.await, 201).await["id"].as_i64().unwrap();
    let hook = format!("/v2/event-types/{event}/webhooks");
    let receiver = Receiver::start().await;
    let subscription = json!({"subscriberUrl": receiver.url, "secret": SECRET,
        "triggers": ["BOOKING_REASSIGNED"]});
    data(
        app.call(Method::POST, &hook, Some(&crew.ada.2), Some(subscription))
            .await,
        201,
    )
    .await;
    let booking = booked(&app, event).await;
    let uid = booking["uid"].as_str().unwrap().to_owned();
    let start = booking["start"].as_str().unwrap().to_owned();
    let first = booking["hosts"][0]["id"].as_i64().unwrap();
    let others: Vec<_> = people.iter().filter(|p| p.0 != first).collect();
    let (busy, free) = (others[0], others[1]);
    // The busy one has a meeting of their own then.
    data(
        book(&app, booking_body(busy.1, &start, "zoe@example.com")).await,
        201,
    )
    .await;

    let path = format!("/v2/bookings/{uid}/reassign");
    let to_busy_path = format!("{path}/{}", busy.0);
    let to_busy = app.call(Method::POST, &to_busy_path, Some(&crew.ada.2), None);
    assert_error(to_busy.await, 409, "ConflictException").await;
    let to_self_path = format!("{path}/{first}");
    let to_self = app.call(Method::POST, &to_self_path, Some(&crew.ada.2), None);
    assert_error(to_self.await, 400, "BadRequestException").await;
    let stranger = user_with_key(&app, "eve@example.com", "UTC").await;
    let eve = app.call(Method::POST, &path, Some(&stranger), None);
    assert_error(eve.await, 404, "NotFoundException").await;

    // Asked to pick, the rules pass over the busy host.
    let reason = json!({"reason": "Ada is travelling"});
    let done = app.call(Method::POST, &path, Some(&crew.ada.2), Some(reason));
    let done = data(done.await, 200).await;
    assert_eq!(done["bookingUid"], uid.as_str());
    assert_eq!(done["reassignedTo"]["id"], free.0, "{done}");
    let now = booking_of(&app, &crew.ada.2, &uid).await;
    let hosts: Vec<i64> = (now["hosts"].as_array().unwrap().iter())
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    assert_eq!(hosts, [free.0], "{now}");
    assert_eq!(now["status"], "accepted");
    assert_eq!(now["start"], start.as_str());
    // The first host's time is theirs again (their own event type offers it); the new
    // host's is taken.
    let first_event = people.iter().find(|p| p.0 == first).unwrap().1;
    assert!(
        slot_starts(&app, first_event, day(5))
            .await
            .contains(&start)
    );
    assert!(!slot_starts(&app, free.1, day(5)).await.contains(&start));
    // Insights count it for the new host only, in the hourly and the daily roll-ups.
    let first_key = &people.iter().find(|p| p.0 == first).unwrap().2;
    for (key, count) in [(first_key, 0), (&free.2, 1)] {
        for (from, to) in [(day(5), day(5)), (day(4), day(6))] {
            let query = format!("start={from}&end={to}&timeZone=UTC");
            let figures = data(crate::insights::insights(&app, key, &query).await, 200).await;
            assert_eq!(figures["totals"]["accepted"], count, "{figures}");
        }
    }

    let hits = receiver
        .wait_for("the reassignment", |h| {
            !of(h, "BOOKING_REASSIGNED").is_empty()
        })
        .await;
    let hit = of(&hits, "BOOKING_REASSIGNED")[0];
    assert_signed(hit, SECRET);
    let payload = &hit.json()["payload"];
    assert_eq!(payload["organizer"]["id"], free.0, "{payload}");
    assert_eq!(payload["reassignedFrom"]["id"], first, "{payload}");
    // The booker hears who hosts it now.
    crate::helpers::eventually(
        "the booker's email about the new host",
        std::time::Duration::from_secs(10),
        async || {
            let mails = smtp.mails().await;
            (to(&mails, "grace@example.com").into_iter())
                .find(|m| m.text.contains("will host this meeting now"))
                .map(|_| ())
                .ok_or_else(|| format!("{} mails", mails.len()))
        },
    )
    .await;
    // The host it was taken from hears it is off their calendar: a cancelled entry.
    let names = ["ada", "bob", "cat"];
    let first_name = names[people.iter().position(|p| p.0 == first).unwrap()];
    let first_email = format!("{first_name}@rr.example");
    crate::helpers::eventually(
        "the former host's email",
        std::time::Duration::from_secs(10),
        async || {
            let mails = smtp.mails().await;
            let mail = (to(&mails, &first_email).into_iter())
                .find(|m| m.subject.starts_with("Reassigned:"))
                .ok_or_else(|| format!("{} mails", mails.len()))?;
            let (method, ics) = mail.calendar.clone().ok_or("no calendar entry")?;
            (method == "CANCEL"
                && ics.contains("STATUS:CANCELLED")
                && mail.text.contains("reassigned to"))
            .then_some(())
            .ok_or_else(|| format!("{method}: {}", mail.text))
        },
    )
    .await;

    // A booking of a personal event type has no one to go to.
    let own = data(
        book(
            &app,
            booking_body(
                crew.ada.1,
                &format!("{}T15:00:00.000Z", day(5)),
                "ian@example.com",
            ),
        )
        .await,
        201,
    )
    .await;
    let own_path = format!("/v2/bookings/{}/reassign", own["uid"].as_str().unwrap());
    let refused = app.call(Method::POST, &own_path, Some(&crew.ada.2), None);
    assert_error(refused.await, 400, "BadRequestException").await;
}
