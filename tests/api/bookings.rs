//! `/v2/slots` and `/v2/bookings`: the booking lifecycle as a Cal.com client drives it, and the
//! promise that matters most: no double booking, even under concurrent requests.

use chrono::{Days, NaiveDate, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::event_types::person;
use crate::helpers::{TestApp, always_bookable, assert_error, booking_of, data, spawn_app};

/// A date `n` days from today (UTC): far enough ahead for any notice, close enough for windows.
pub fn day(n: u64) -> NaiveDate {
    Utc::now()
        .date_naive()
        .checked_add_days(Days::new(n))
        .unwrap()
}

pub fn at(date: NaiveDate, time: &str) -> String {
    format!("{date}T{time}:00Z")
}

/// A host whose default schedule is every day 09:00-17:00 UTC, with one event type made from
/// `event` (title, slug and length filled in when absent). Returns (key, event type id, user id).
pub async fn host(app: &TestApp, email: &str, event: Value) -> (String, i64, i64) {
    let (user_id, key) = person(app, email, "UTC").await;
    data(
        app.call(
            Method::POST,
            "/v2/schedules",
            Some(&key),
            Some(json!({
                "name": "Every day", "timeZone": "UTC", "isDefault": true,
                "availability": [{"days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
                                  "startTime": "09:00", "endTime": "17:00"}]
            })),
        )
        .await,
        201,
    )
    .await;
    let mut body =
        json!({"title": "Call", "slug": "call", "lengthInMinutes": 30, "minimumBookingNotice": 0});
    for (k, v) in event.as_object().unwrap() {
        body[k] = v.clone();
    }
    let created = data(
        app.call(Method::POST, "/v2/event-types", Some(&key), Some(body))
            .await,
        201,
    )
    .await;
    (key, created["id"].as_i64().unwrap(), user_id)
}

pub fn booking_body(event: i64, start: &str, email: &str) -> Value {
    json!({
        "start": start, "eventTypeId": event,
        "attendee": {"name": "Grace Booker", "email": email, "timeZone": "America/New_York", "language": "en"},
    })
}

pub async fn book(app: &TestApp, body: Value) -> reqwest::Response {
    app.call(Method::POST, "/v2/bookings", None, Some(body))
        .await
}

pub async fn slot_starts(app: &TestApp, event: i64, date: NaiveDate) -> Vec<String> {
    let slots = data(
        app.get(&format!(
            "/v2/slots?eventTypeId={event}&start={date}&end={date}&timeZone=UTC"
        ))
        .await,
        200,
    )
    .await;
    slots[date.to_string()]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|s| s["start"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn utc_ms(date: NaiveDate, time: &str) -> String {
    format!("{date}T{time}:00.000Z")
}

#[tokio::test]
async fn a_calcom_client_books_reschedules_and_cancels() {
    let app = spawn_app().await;
    let (key, event, host_id) = host(
        &app,
        "ada@example.com",
        json!({"bookingFields": [{"type": "text", "slug": "company", "label": "Company", "required": true}]}),
    )
    .await;
    let date = day(5);
    let starts = slot_starts(&app, event, date).await;
    assert_eq!(
        starts.len(),
        16,
        "09:00-17:00 in 30 minute slots: {starts:?}"
    );
    assert_eq!(starts[0], utc_ms(date, "09:00"));

    // Slots in the booker's timezone carry its offset.
    let ny = data(
        app.get(&format!(
            "/v2/slots?eventTypeId={event}&start={date}&end={date}&timeZone=America/New_York&format=range"
        ))
        .await,
        200,
    )
    .await;
    let first = ny.as_object().unwrap().values().next().unwrap()[0].clone();
    assert!(
        first["start"].as_str().unwrap().ends_with(":00.000-05:00")
            || first["start"].as_str().unwrap().ends_with(":00.000-04:00"),
        "{first}"
    );
    assert!(first["end"].is_string());

    let mut body = booking_body(event, &at(date, "10:00"), "grace@booker.example");
    body["guests"] = json!(["linus@guest.example"]);
    body["bookingFieldsResponses"] = json!({"company": "Booker Ltd", "notes": "About the plan"});
    body["metadata"] = json!({"crmLeadId": "L-1001"});
    let booked = data(book(&app, body.clone()).await, 201).await;
    let uid = booked["uid"].as_str().unwrap().to_owned();
    assert_eq!(uid.len(), 22);
    assert_eq!(booked["status"], "accepted");
    assert_eq!(booked["start"], utc_ms(date, "10:00"));
    assert_eq!(booked["end"], utc_ms(date, "10:30"));
    assert_eq!(booked["duration"], 30);
    assert_eq!(booked["eventTypeId"], event);
    assert_eq!(booked["eventType"]["slug"], "call");
    assert_eq!(booked["hosts"][0]["id"], host_id);
    assert_eq!(booked["attendees"][0]["email"], "grace@booker.example");
    assert_eq!(booked["attendees"][0]["timeZone"], "America/New_York");
    assert_eq!(booked["guests"], json!(["linus@guest.example"]));
    assert_eq!(booked["bookingFieldsResponses"]["company"], "Booker Ltd");
    assert_eq!(booked["metadata"]["crmLeadId"], "L-1001");
    assert_eq!(booked["description"], "About the plan");
    assert_eq!(booked["title"], "Call between Ada Host and Grace Booker");
    assert!(booked["icsUid"].is_string());

    // The slot is gone; booking it again is a conflict.
    let after = slot_starts(&app, event, date).await;
    assert!(!after.contains(&utc_ms(date, "10:00")), "{after:?}");
    assert_eq!(after.len(), 15);
    let message = assert_error(book(&app, body.clone()).await, 409, "ConflictException").await;
    assert!(message.contains("no longer available"), "{message}");

    // The host reads it; the list has it.
    let fetched = booking_of(&app, &key, &uid).await;
    assert_eq!(fetched["uid"], uid);
    let listed = app
        .call(
            Method::GET,
            "/v2/bookings?status=upcoming",
            Some(&key),
            None,
        )
        .await;
    let listed: Value = listed.json().await.unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed["pagination"]["totalItems"], 1);

    // Reschedule (public, by uid): a new booking, the old one cancelled and pointing to it.
    let moved = data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{uid}/reschedule"),
            None,
            Some(json!({"start": at(date, "14:00"), "reschedulingReason": "Clash"})),
        )
        .await,
        201,
    )
    .await;
    let new_uid = moved["uid"].as_str().unwrap().to_owned();
    assert_ne!(new_uid, uid);
    assert_eq!(moved["rescheduledFromUid"], uid);
    assert_eq!(moved["start"], utc_ms(date, "14:00"));
    assert_eq!(moved["icsUid"], booked["icsUid"]);
    assert_eq!(moved["bookingFieldsResponses"]["company"], "Booker Ltd");
    let old = booking_of(&app, &key, &uid).await;
    assert_eq!(old["status"], "cancelled");
    assert_eq!(old["rescheduledToUid"], new_uid);
    let now_free = slot_starts(&app, event, date).await;
    assert!(now_free.contains(&utc_ms(date, "10:00")));
    assert!(!now_free.contains(&utc_ms(date, "14:00")));
    // The old booking cannot be moved again; the message names what happened.
    let message = assert_error(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{uid}/reschedule"),
            None,
            Some(json!({"start": at(date, "15:00")})),
        )
        .await,
        400,
        "BadRequestException",
    )
    .await;
    assert!(message.contains("rescheduled"), "{message}");

    // Cancel frees the time at once.
    let cancelled = data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{new_uid}/cancel"),
            None,
            Some(json!({"cancellationReason": "No longer needed"})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancellationReason"], "No longer needed");
    assert_eq!(slot_starts(&app, event, date).await.len(), 16);

    // The history tells the whole story, oldest first.
    let history = data(
        app.call(
            Method::GET,
            &format!("/v2/bookings/{new_uid}/history"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "cancelled"]);
    assert_eq!(history[0]["changes"]["rescheduledFromUid"], uid);
    assert_eq!(history[1]["actor"]["kind"], "booker");
    assert_eq!(history[1]["reason"], "No longer needed");
    assert_eq!(history[1]["fromStatus"], "accepted");
    let old_history = data(
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
    assert_eq!(old_history[1]["action"], "rescheduled");
    assert_eq!(old_history[1]["changes"]["rescheduledToUid"], new_uid);
}

#[tokio::test]
async fn invalid_bookings_get_clear_errors_and_write_nothing() {
    let app = spawn_app().await;
    let (_, event, _) = host(
        &app,
        "ada@example.com",
        json!({"bookingFields": [{"type": "select", "slug": "size", "label": "Team size", "required": true, "options": ["1-10", "11+"]}]}),
    )
    .await;
    let date = day(5);
    let good = || {
        let mut b = booking_body(event, &at(date, "10:00"), "grace@booker.example");
        b["bookingFieldsResponses"] = json!({"size": "1-10"});
        b
    };
    let mut cases: Vec<(Value, u16, &str)> = Vec::new();
    let mut b = good();
    b["start"] = json!(at(date, "10:10"));
    cases.push((b, 400, "start"));
    let mut b = good();
    b["start"] = json!(at(date, "20:00"));
    cases.push((b, 400, "start"));
    let mut b = good();
    b["start"] = json!("tomorrow at ten");
    cases.push((b, 400, "start"));
    let mut b = good();
    b["attendee"]["email"] = json!("not-an-email");
    cases.push((b, 400, "attendee.email"));
    let mut b = good();
    b["attendee"]["timeZone"] = json!("Mars/Olympus");
    cases.push((b, 400, "attendee.timeZone"));
    let mut b = good();
    b["bookingFieldsResponses"] = json!({});
    cases.push((b, 400, "bookingFieldsResponses.size"));
    let mut b = good();
    b["bookingFieldsResponses"] = json!({"size": "huge"});
    cases.push((b, 400, "bookingFieldsResponses.size"));
    let mut b = good();
    b["bookingFieldsResponses"]["colour"] = json!("blue");
    cases.push((b, 400, "bookingFieldsResponses.colour"));
    let mut b = good();
    b["lengthInMinutes"] = json!(45);
    cases.push((b, 400, "lengthInMinutes"));
    let mut b = good();
    b["guests"] = json!(["nope"]);
    cases.push((b, 400, "guests[0]"));
    let mut b = good();
    b["eventTypeId"] = json!(999_999);
    cases.push((b, 404, "Event type"));
    let mut b = good();
    b.as_object_mut().unwrap().remove("eventTypeId");
    cases.push((b, 400, "eventTypeId"));
    for (body, status, field) in cases {
        let response = book(&app, body.clone()).await;
        let code = if status == 400 {
            "BadRequestException"
        } else {
            "NotFoundException"
        };
        let message = assert_error(response, status, code).await;
        assert!(message.starts_with(field), "{body}: {message}");
    }
    assert_eq!(
        app.db.count_rows("SELECT id FROM bookings").await.unwrap(),
        0
    );
    assert_eq!(
        app.db
            .count_rows("SELECT booking_id FROM booking_claims")
            .await
            .unwrap(),
        0
    );

    // Slots: bad windows name the parameter.
    for (query, field) in [
        (
            format!("eventTypeId={event}&start={date}&end=2000-01-01"),
            "end",
        ),
        (
            format!("eventTypeId={event}&start=someday&end={date}"),
            "start",
        ),
        (
            format!("eventTypeId={event}&start={date}&end={date}&timeZone=Nowhere"),
            "timeZone",
        ),
        (format!("start={date}&end={date}"), "eventTypeId"),
        (
            format!("eventTypeSlug=call&start={date}&end={date}"),
            "eventTypeSlug",
        ),
    ] {
        let message = assert_error(
            app.get(&format!("/v2/slots?{query}")).await,
            400,
            "BadRequestException",
        )
        .await;
        assert!(message.starts_with(field), "{query}: {message}");
    }

    data(book(&app, good()).await, 201).await;
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer() {
    let app = spawn_app().await;
    let (_, event, _) = host(&app, "ada@example.com", json!({})).await;
    let date = day(4);
    let body = booking_body(event, &at(date, "11:00"), "grace@booker.example");
    let send = |body: Value, key: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/v2/bookings", app.address))
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let first = data(send(body.clone(), "order-42").await, 201).await;
    let retry = send(body.clone(), "order-42").await;
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let retry = data(retry, 201).await;
    assert_eq!(retry["uid"], first["uid"]);
    assert_eq!(
        app.db.count_rows("SELECT id FROM bookings").await.unwrap(),
        1
    );
    // The same key for another request is refused; nothing is written.
    let mut other = body.clone();
    other["start"] = json!(at(date, "12:00"));
    assert_error(
        send(other, "order-42").await,
        422,
        "UnprocessableEntityException",
    )
    .await;
    assert_eq!(
        app.db.count_rows("SELECT id FROM bookings").await.unwrap(),
        1
    );
    // Without a key, a second identical request is a conflict, not a second booking.
    assert_error(book(&app, body).await, 409, "ConflictException").await;
}

#[tokio::test]
async fn confirmation_pending_bookings_are_confirmed_or_declined_through_the_claims() {
    let app = spawn_app().await;
    let (key, event, _) = host(
        &app,
        "ada@example.com",
        json!({"confirmationPolicy": {"type": "always", "blockUnconfirmedBookingsInBooker": false}}),
    )
    .await;
    let date = day(6);
    let pending = data(
        book(
            &app,
            booking_body(event, &at(date, "09:00"), "one@booker.example"),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(pending["status"], "pending");
    // Pending bookings do not block this event type: someone else books the same time...
    let second = data(
        book(
            &app,
            booking_body(event, &at(date, "09:00"), "two@booker.example"),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(second["status"], "pending");
    let first_uid = pending["uid"].as_str().unwrap();
    let second_uid = second["uid"].as_str().unwrap();
    // ... the host confirms one; confirming the other into the taken time is a conflict.
    let confirmed = data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{first_uid}/confirm"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(confirmed["status"], "accepted");
    let message = assert_error(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{second_uid}/confirm"),
            Some(&key),
            None,
        )
        .await,
        409,
        "ConflictException",
    )
    .await;
    assert!(message.contains("taken"), "{message}");
    let declined = data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{second_uid}/decline"),
            Some(&key),
            Some(json!({"reason": "Double booked"})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(declined["status"], "rejected");
    assert_eq!(declined["rejectionReason"], "Double booked");
    // Confirm and decline need the host's key.
    assert_error(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{first_uid}/confirm"),
            None,
            None,
        )
        .await,
        401,
        "UnauthorizedException",
    )
    .await;
    // Absence marking.
    let marked = data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{first_uid}/mark-absent"),
            Some(&key),
            Some(json!({"host": false, "attendees": [{"email": "one@booker.example", "absent": true}]})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(marked["attendees"][0]["absent"], true);
    assert_eq!(marked["absentHost"], false);
    let history = data(
        app.call(
            Method::GET,
            &format!("/v2/bookings/{first_uid}/history"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "confirmed", "absence_marked"]);
    assert_eq!(history[1]["actor"]["kind"], "api_key");
}

#[tokio::test]
async fn another_tenant_gets_not_found_for_every_booking_endpoint() {
    let app = spawn_app().await;
    let (ada, event, _) = host(&app, "ada@example.com", json!({})).await;
    let (_, eve) = person(&app, "eve@example.com", "UTC").await;
    let date = day(3);
    let booked = data(
        book(
            &app,
            booking_body(event, &at(date, "09:30"), "grace@booker.example"),
        )
        .await,
        201,
    )
    .await;
    let uid = booked["uid"].as_str().unwrap();
    for (method, path, body) in [
        (Method::GET, format!("/v2/bookings/{uid}"), None),
        (Method::GET, format!("/v2/bookings/{uid}/history"), None),
        (
            Method::POST,
            format!("/v2/bookings/{uid}/cancel"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/v2/bookings/{uid}/reschedule"),
            Some(json!({"start": at(date, "11:00")})),
        ),
        (Method::POST, format!("/v2/bookings/{uid}/confirm"), None),
        (
            Method::POST,
            format!("/v2/bookings/{uid}/decline"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/v2/bookings/{uid}/mark-absent"),
            Some(json!({"host": true})),
        ),
    ] {
        assert_error(
            app.call(method, &path, Some(&eve), body).await,
            404,
            "NotFoundException",
        )
        .await;
    }
    let theirs: Value = app
        .call(Method::GET, "/v2/bookings", Some(&eve), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["data"], json!([]));
    let still = booking_of(&app, &ada, uid).await;
    assert_eq!(still["status"], "accepted");
    assert_eq!(still["start"], booked["start"]);
}

#[tokio::test]
async fn seats_fill_up_one_booking_then_close() {
    let app = spawn_app().await;
    let (_, event, _) = host(&app, "ada@example.com", json!({"seats": {"seatsPerTimeSlot": 3, "showAttendeeInfo": false, "showAvailabilityCount": true}})).await;
    let date = day(7);
    let mut uids = Vec::new();
    for n in 0..3 {
        let seat = data(
            book(
                &app,
                booking_body(event, &at(date, "13:00"), &format!("p{n}@booker.example")),
            )
            .await,
            201,
        )
        .await;
        assert!(seat["seatUid"].is_string(), "{seat}");
        uids.push(seat["uid"].as_str().unwrap().to_owned());
    }
    assert!(
        uids.iter().all(|u| u == &uids[0]),
        "one booking holds every seat: {uids:?}"
    );
    // A booker sees only their own seat, and cancels only it.
    let mine = data(
        book(
            &app,
            booking_body(event, &at(date, "14:00"), "solo@booker.example"),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(mine["attendees"].as_array().unwrap().len(), 1);
    let joined = data(
        book(
            &app,
            booking_body(event, &at(date, "14:00"), "second@booker.example"),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(joined["attendees"].as_array().unwrap().len(), 1, "{joined}");
    assert_eq!(joined["attendees"][0]["email"], "second@booker.example");
    let cancel = format!("/v2/bookings/{}/cancel", joined["uid"].as_str().unwrap());
    assert_error(
        app.call(Method::POST, &cancel, None, Some(json!({}))).await,
        400,
        "BadRequestException",
    )
    .await;
    let left = data(
        app.call(
            Method::POST,
            &cancel,
            None,
            Some(json!({"seatUid": joined["seatUid"]})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(left["status"], "accepted", "the other seat stays booked");
    assert_error(
        book(
            &app,
            booking_body(event, &at(date, "13:00"), "late@booker.example"),
        )
        .await,
        409,
        "ConflictException",
    )
    .await;
    let slots = data(
        app.get(&format!(
            "/v2/slots?eventTypeId={event}&start={date}&end={date}"
        ))
        .await,
        200,
    )
    .await;
    let thirteen = slots[date.to_string()]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["start"] == utc_ms(date, "13:00"));
    assert!(thirteen.is_none(), "a full slot is not offered");
    let half = slots[date.to_string()]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["start"] == utc_ms(date, "13:30"))
        .unwrap();
    assert_eq!(half["attendeesCount"], 0);
}

#[tokio::test]
async fn reservations_hold_a_slot_for_their_holder() {
    let app = spawn_app().await;
    let (_, event, _) = host(&app, "ada@example.com", json!({})).await;
    let date = day(8);
    let held = data(
        app.call(
            Method::POST,
            "/v2/slots/reservations",
            None,
            Some(json!({"eventTypeId": event, "slotStart": at(date, "10:00")})),
        )
        .await,
        201,
    )
    .await;
    let uid = held["reservationUid"].as_str().unwrap().to_owned();
    assert_eq!(held["slotEnd"], utc_ms(date, "10:30"));
    assert_eq!(held["reservationDuration"], 5);
    assert!(
        !slot_starts(&app, event, date)
            .await
            .contains(&utc_ms(date, "10:00"))
    );
    // Someone else cannot book or hold it; its holder can book it.
    assert_error(
        book(
            &app,
            booking_body(event, &at(date, "10:00"), "other@booker.example"),
        )
        .await,
        409,
        "ConflictException",
    )
    .await;
    assert_error(
        app.call(
            Method::POST,
            "/v2/slots/reservations",
            None,
            Some(json!({"eventTypeId": event, "slotStart": at(date, "10:00")})),
        )
        .await,
        409,
        "ConflictException",
    )
    .await;
    let read = data(app.get(&format!("/v2/slots/reservations/{uid}")).await, 200).await;
    assert_eq!(read["slotStart"], utc_ms(date, "10:00"));
    let mut mine = booking_body(event, &at(date, "10:00"), "holder@booker.example");
    mine["reservationUid"] = json!(uid);
    data(book(&app, mine).await, 201).await;
    // Booking used the hold up.
    assert_error(
        app.get(&format!("/v2/slots/reservations/{uid}")).await,
        404,
        "NotFoundException",
    )
    .await;
    // Only an authenticated caller chooses the hold's length.
    assert_error(
        app.call(Method::POST, "/v2/slots/reservations", None, Some(json!({"eventTypeId": event, "slotStart": at(date, "11:00"), "reservationDuration": 30}))).await,
        401,
        "UnauthorizedException",
    )
    .await;
}

/// Fires `n` identical booking requests at once and counts the answers by status.
async fn race(app: &TestApp, n: usize, body: Value) -> (usize, usize, Vec<String>) {
    let mut tasks = Vec::new();
    for i in 0..n {
        let client = app.client.clone();
        let url = format!("{}/v2/bookings", app.address);
        let mut body = body.clone();
        body["attendee"]["email"] = json!(format!("racer{i}@booker.example"));
        tasks.push(tokio::spawn(async move {
            let response = client.post(url).json(&body).send().await.unwrap();
            let status = response.status().as_u16();
            let json: Value = response.json().await.unwrap();
            (status, json)
        }));
    }
    let (mut created, mut conflicts, mut uids) = (0, 0, Vec::new());
    for task in tasks {
        let (status, json) = task.await.unwrap();
        match status {
            201 => {
                created += 1;
                uids.push(json["data"]["uid"].as_str().unwrap().to_owned());
            }
            409 => conflicts += 1,
            other => panic!("unexpected {other}: {json}"),
        }
    }
    (created, conflicts, uids)
}

#[tokio::test]
async fn two_hundred_concurrent_requests_for_one_slot_make_exactly_one_booking() {
    let app = spawn_app().await;
    let (_, event, _) = host(&app, "ada@example.com", json!({})).await;
    let date = day(9);
    let (created, conflicts, _) =
        race(&app, 200, booking_body(event, &at(date, "15:00"), "x")).await;
    assert_eq!((created, conflicts), (1, 199));
    assert_eq!(
        app.db.count_rows("SELECT id FROM bookings").await.unwrap(),
        1
    );
    assert_eq!(
        app.db
            .count_rows("SELECT booking_id FROM booking_claims WHERE active")
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn concurrent_requests_for_a_seated_slot_fill_exactly_its_seats() {
    let app = spawn_app().await;
    let (_, event, _) = host(
        &app,
        "ada@example.com",
        json!({"seats": {"seatsPerTimeSlot": 5}}),
    )
    .await;
    let date = day(9);
    let (created, conflicts, uids) =
        race(&app, 60, booking_body(event, &at(date, "15:00"), "x")).await;
    assert_eq!((created, conflicts), (5, 55));
    assert!(uids.iter().all(|u| u == &uids[0]), "{uids:?}");
    assert_eq!(
        app.db.count_rows("SELECT id FROM attendees").await.unwrap(),
        5
    );
}

#[tokio::test]
async fn overlapping_bookings_of_different_lengths_also_conflict() {
    let app = spawn_app().await;
    let (key, event, _) = host(
        &app,
        "ada@example.com",
        json!({"lengthInMinutesOptions": [30, 60], "slotInterval": 15}),
    )
    .await;
    let date = day(10);
    let mut long = booking_body(event, &at(date, "10:00"), "long@booker.example");
    long["lengthInMinutes"] = json!(60);
    data(book(&app, long).await, 201).await;
    // 10:30 lies inside the hour: not a slot any more, and taken.
    assert_error(
        book(
            &app,
            booking_body(event, &at(date, "10:30"), "b@booker.example"),
        )
        .await,
        409,
        "ConflictException",
    )
    .await;
    data(
        book(
            &app,
            booking_body(event, &at(date, "11:00"), "c@booker.example"),
        )
        .await,
        201,
    )
    .await;
    // Another event type of the same host cannot take part of the hour either (its 45-minute
    // grid offers 10:30).
    let other = data(
        app.call(Method::POST, "/v2/event-types", Some(&key), Some(json!({"title": "Other", "slug": "other", "lengthInMinutes": 45, "minimumBookingNotice": 0}))).await,
        201,
    )
    .await;
    assert_error(
        book(
            &app,
            booking_body(
                other["id"].as_i64().unwrap(),
                &at(date, "10:30"),
                "d@booker.example",
            ),
        )
        .await,
        409,
        "ConflictException",
    )
    .await;
}

#[tokio::test]
async fn a_day_long_event_with_day_long_buffers_blocks_three_days() {
    let app = spawn_app().await;
    let (_, key) = person(&app, "ada@example.com", "UTC").await;
    let event = always_bookable(
        &app,
        &key,
        json!({"title": "Retreat", "slug": "retreat", "lengthInMinutes": 1440,
               "beforeEventBuffer": 1440, "afterEventBuffer": 1440, "minimumBookingNotice": 0}),
    )
    .await;
    // A booker in UTC: the grid of a day-long event is aligned to the booker's midnight.
    let utc_booking = |start: String, email: &str| {
        let mut body = booking_body(event, &start, email);
        body["attendee"]["timeZone"] = json!("UTC");
        body
    };
    let first = day(10);
    data(
        book(&app, utc_booking(at(first, "00:00"), "a@booker.example")).await,
        201,
    )
    .await;
    // The booking blocks [first - 1 day, first + 2 days); a new one brings its own day of
    // buffer before it, so the next start is first + 3 days. The time found two days after the
    // booking started is read from a claim that began three days earlier.
    let two_later = first + Days::new(2);
    assert_eq!(
        slot_starts(&app, event, two_later).await,
        Vec::<String>::new()
    );
    assert_error(
        book(
            &app,
            utc_booking(at(two_later, "00:00"), "b@booker.example"),
        )
        .await,
        409,
        "ConflictException",
    )
    .await;
    let three_later = first + Days::new(3);
    assert_eq!(
        slot_starts(&app, event, three_later).await,
        vec![utc_ms(three_later, "00:00")]
    );
    data(
        book(
            &app,
            utc_booking(at(three_later, "00:00"), "c@booker.example"),
        )
        .await,
        201,
    )
    .await;
}

#[tokio::test]
async fn round_robin_assigns_one_host_and_collective_books_everyone() {
    let app = spawn_app().await;
    let (ada_key, _, ada) = host(&app, "ada@example.com", json!({})).await;
    let (bob_key, bob_event, bob) = host(&app, "bob@example.com", json!({})).await;
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
    .await;
    let team_id = team["id"].as_i64().unwrap();
    let invite = data(
        app.call(
            Method::POST,
            &format!("/v2/teams/{team_id}/memberships"),
            Some(&ada_key),
            Some(json!({"userId": bob})),
        )
        .await,
        201,
    )
    .await;
    data(
        app.call(
            Method::PATCH,
            &format!("/v2/teams/{team_id}/memberships/{}", invite["id"]),
            Some(&bob_key),
            Some(json!({"accepted": true})),
        )
        .await,
        200,
    )
    .await;
    let make = |slug: &str, kind: &str| {
        json!({"title": slug, "slug": slug, "lengthInMinutes": 30, "minimumBookingNotice": 0,
               "schedulingType": kind, "hosts": [{"userId": ada}, {"userId": bob}]})
    };
    let rr = data(
        app.call(
            Method::POST,
            &format!("/v2/teams/{team_id}/event-types"),
            Some(&ada_key),
            Some(make("rr", "ROUND_ROBIN")),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let all = data(
        app.call(
            Method::POST,
            &format!("/v2/teams/{team_id}/event-types"),
            Some(&ada_key),
            Some(make("all", "COLLECTIVE")),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let date = day(11);
    // Round robin by team slug: one host, with the reason recorded.
    let mut body = booking_body(rr, &at(date, "09:00"), "r1@booker.example");
    body.as_object_mut().unwrap().remove("eventTypeId");
    body["eventTypeSlug"] = json!("rr");
    body["teamSlug"] = json!("crew");
    let first = data(book(&app, body).await, 201).await;
    assert_eq!(first["hosts"].as_array().unwrap().len(), 1);
    assert!(first["assignmentReason"]["reasons"].is_array(), "{first}");
    let chosen = first["hosts"][0]["id"].as_i64().unwrap();
    // The other host takes the next booking at the same time.
    let second = data(
        book(
            &app,
            booking_body(rr, &at(date, "09:00"), "r2@booker.example"),
        )
        .await,
        201,
    )
    .await;
    assert_ne!(second["hosts"][0]["id"].as_i64().unwrap(), chosen);
    assert_error(
        book(
            &app,
            booking_body(rr, &at(date, "09:00"), "r3@booker.example"),
        )
        .await,
        409,
        "ConflictException",
    )
    .await;
    // Collective: both hosts are booked; Bob's personal event loses the time too.
    let together = data(
        book(
            &app,
            booking_body(all, &at(date, "12:00"), "c@booker.example"),
        )
        .await,
        201,
    )
    .await;
    let hosts: Vec<i64> = together["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    assert_eq!(hosts.len(), 2);
    assert!(hosts.contains(&ada) && hosts.contains(&bob));
    assert!(
        !slot_starts(&app, bob_event, date)
            .await
            .contains(&utc_ms(date, "12:00"))
    );
    // Ada sees the team's bookings; team listing by teamId works.
    let listed: Value = app
        .call(
            Method::GET,
            &format!("/v2/bookings?teamId={team_id}&sortStart=desc"),
            Some(&ada_key),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["pagination"]["totalItems"], 3, "{listed}");
    assert_eq!(listed["data"][0]["start"], utc_ms(date, "12:00"));
    // Bob is a plain member: he sees the team bookings he hosts, not the others.
    let his: Value = app
        .call(
            Method::GET,
            &format!("/v2/bookings?teamId={team_id}"),
            Some(&bob_key),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(his["pagination"]["totalItems"], 2, "{his}");
}

#[tokio::test]
async fn concurrent_retries_with_one_idempotency_key_make_one_booking() {
    let app = spawn_app().await;
    let (_, event, _) = host(&app, "ada@example.com", json!({})).await;
    let body = booking_body(event, &at(day(4), "09:00"), "grace@booker.example");
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let client = app.client.clone();
        let url = format!("{}/v2/bookings", app.address);
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let response = client
                .post(url)
                .header("Idempotency-Key", "same-retry")
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let json: Value = response.json().await.unwrap();
            (status, json["data"]["uid"].clone())
        }));
    }
    let mut uids = Vec::new();
    for task in tasks {
        let (status, uid) = task.await.unwrap();
        assert_eq!(status, 201, "every retry gets the first answer");
        uids.push(uid);
    }
    assert!(uids.iter().all(|u| u == &uids[0]), "{uids:?}");
    assert_eq!(
        app.db.count_rows("SELECT id FROM bookings").await.unwrap(),
        1
    );
}

#[tokio::test]
async fn a_plain_string_location_is_taken_from_the_host_and_places_from_bookers() {
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let (other_key, _, _) = host(&app, "eve@example.com", json!({})).await;
    let date = day(6);
    // Cal.com's older plain-string form, from the host's own integration: taken as given.
    let mut body = booking_body(event, &at(date, "09:00"), "grace@booker.example");
    body["location"] = json!("https://meet.example.com/abc");
    let by_host = app
        .call(Method::POST, "/v2/bookings", Some(&key), Some(body.clone()))
        .await;
    assert_eq!(
        data(by_host, 201).await["location"],
        "https://meet.example.com/abc"
    );
    // Another account's key is no host of this event type: a link is refused, a place is not.
    body["start"] = json!(at(date, "10:00"));
    let planted = app
        .call(
            Method::POST,
            "/v2/bookings",
            Some(&other_key),
            Some(body.clone()),
        )
        .await;
    let message = assert_error(planted, 400, "BadRequestException").await;
    assert!(message.starts_with("location"), "{message}");
    body["location"] = json!("  Café Central, Vienna ");
    assert_eq!(
        data(book(&app, body).await, 201).await["location"],
        "Café Central, Vienna"
    );
}

#[tokio::test]
async fn bookers_cannot_plant_links_or_cancel_where_the_host_forbids_it() {
    let app = spawn_app().await;
    let (_, event, _) = host(
        &app,
        "ada@example.com",
        json!({"locations": [{"type": "integration", "integration": "cal-video"}],
               "disableCancelling": {"disabled": true}}),
    )
    .await;
    let date = day(6);
    let mut body = booking_body(event, &at(date, "09:00"), "grace@booker.example");
    body["location"] = json!("https://evil.example/login");
    let message = assert_error(book(&app, body.clone()).await, 400, "BadRequestException").await;
    assert!(message.starts_with("location"), "{message}");
    body.as_object_mut().unwrap().remove("location");
    let booked = data(book(&app, body).await, 201).await;
    assert_eq!(booked["location"], "integrations:daily");
    assert_error(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{}/cancel", booked["uid"].as_str().unwrap()),
            None,
            Some(json!({})),
        )
        .await,
        403,
        "ForbiddenException",
    )
    .await;
}

/// A seat booked through the API by `name` <`email`>, with `notes` among their answers.
pub async fn take_seat(app: &TestApp, event: i64, start: &str, name: &str, email: &str) -> Value {
    let body = json!({
        "start": start, "eventTypeId": event,
        "attendee": {"name": name, "email": email, "timeZone": "Europe/London"},
        "bookingFieldsResponses": {"notes": format!("private note of {name}")},
    });
    data(book(app, body).await, 201).await
}

#[tokio::test]
async fn a_seat_holder_sees_only_their_own_seat_and_answers_and_the_host_sees_all() {
    let app = spawn_app().await;
    let (key, event, _) = host(
        &app,
        "ada@example.com",
        json!({"seats": {"seatsPerTimeSlot": 3, "showAttendeeInfo": false}}),
    )
    .await;
    let start = at(day(7), "13:00");
    let first = take_seat(&app, event, &start, "Grace Hopper", "grace@first.example").await;
    let second = take_seat(&app, event, &start, "Alan Turing", "alan@second.example").await;
    assert_eq!(first["uid"], second["uid"]);
    // Nothing of the first seat's holder in the second's answer: not their name, address,
    // answers or notes, not in the title either.
    let text = second.to_string();
    for theirs in ["Grace", "grace@first.example", "private note of Grace"] {
        assert!(!text.contains(theirs), "{theirs} leaked: {second}");
    }
    assert!(
        second["title"].as_str().unwrap().contains("Alan Turing"),
        "{second}"
    );
    assert_eq!(second["bookingFieldsResponses"]["name"], "Alan Turing");
    assert_eq!(
        second["bookingFieldsResponses"]["notes"],
        "private note of Alan Turing"
    );
    assert_eq!(second["description"], "private note of Alan Turing");
    assert_eq!(second["attendees"].as_array().unwrap().len(), 1);

    // The host sees every seat.
    let uid = second["uid"].as_str().unwrap();
    let all = booking_of(&app, &key, uid).await;
    let emails: Vec<&str> = all["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["email"].as_str())
        .collect();
    assert_eq!(emails, ["grace@first.example", "alan@second.example"]);

    // Giving the seat up answers with that seat alone, too.
    let left = data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{uid}/cancel"),
            None,
            Some(json!({"seatUid": second["seatUid"]})),
        )
        .await,
        200,
    )
    .await;
    assert!(!left.to_string().contains("Grace"), "{left}");
}

#[tokio::test]
async fn with_attendee_info_shown_seat_holders_see_each_other_but_not_each_others_answers() {
    let app = spawn_app().await;
    let (_, event, _) = host(
        &app,
        "ada@example.com",
        json!({"seats": {"seatsPerTimeSlot": 3, "showAttendeeInfo": true}}),
    )
    .await;
    let start = at(day(7), "13:00");
    take_seat(&app, event, &start, "Grace Hopper", "grace@first.example").await;
    let second = take_seat(&app, event, &start, "Alan Turing", "alan@second.example").await;
    let emails: Vec<&str> = second["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["email"].as_str())
        .collect();
    assert_eq!(emails, ["grace@first.example", "alan@second.example"]);
    assert_eq!(second["bookingFieldsResponses"]["name"], "Alan Turing");
    assert!(
        !second.to_string().contains("private note of Grace"),
        "{second}"
    );
    assert!(
        second["title"].as_str().unwrap().contains("Alan Turing"),
        "{second}"
    );
}

#[tokio::test]
async fn a_seat_holder_moves_their_seat_and_the_others_stay() {
    let app = spawn_app().await;
    let (key, event, _) = host(
        &app,
        "ada@example.com",
        json!({"seats": {"seatsPerTimeSlot": 3, "showAttendeeInfo": false}}),
    )
    .await;
    let start = at(day(7), "13:00");
    take_seat(&app, event, &start, "Grace Hopper", "grace@first.example").await;
    let seat = take_seat(&app, event, &start, "Alan Turing", "alan@second.example").await;
    let uid = seat["uid"].as_str().unwrap();
    let moved = data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{uid}/reschedule"),
            None,
            Some(json!({"start": at(day(7), "15:00"), "seatUid": seat["seatUid"]})),
        )
        .await,
        201,
    )
    .await;
    assert_ne!(moved["uid"], seat["uid"]);
    assert!(!moved.to_string().contains("Grace"), "{moved}");
    assert_eq!(moved["attendees"][0]["email"], "alan@second.example");
    assert_eq!(
        moved["bookingFieldsResponses"]["notes"],
        "private note of Alan Turing"
    );
    let old = booking_of(&app, &key, uid).await;
    assert_eq!(old["status"], "accepted");
    assert_eq!(old["attendees"].as_array().unwrap().len(), 1, "{old}");
    assert_eq!(old["attendees"][0]["email"], "grace@first.example");
}
