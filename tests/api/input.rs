//! Untrusted input on every endpoint: control characters (PostgreSQL cannot store NUL, SQLite
//! can; both must answer the same 400 naming the field), bodies with trailing data, and fields
//! given the wrong JSON type.

use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{at, booking_body, day, host};
use crate::helpers::{TestApp, assert_error, booking_of, data};

/// A host with an event type and one booking; (key, event type id, booking uid).
async fn booked_host(app: &TestApp) -> (String, i64, String) {
    let (key, event, _) = host(app, "ada@example.com", json!({})).await;
    let booking = data(
        app.call(
            Method::POST,
            "/v2/bookings",
            None,
            Some(booking_body(
                event,
                &at(day(3), "10:00"),
                "grace@example.com",
            )),
        )
        .await,
        201,
    )
    .await;
    (key, event, booking["uid"].as_str().unwrap().to_owned())
}

/// `body` with `value` put at the dotted `path` (`a.b`, `a[0].b`).
fn with(mut body: Value, path: &str, value: Value) -> Value {
    let mut at = &mut body;
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, i)) => (n, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        at = &mut at[name];
        if let Some(i) = index {
            if !at.is_array() {
                *at = json!([]);
            }
            let list = at.as_array_mut().unwrap();
            list.resize(list.len().max(i + 1), Value::Null);
            at = &mut list[i];
        }
    }
    *at = value;
    body
}

struct Case {
    method: Method,
    path: String,
    keyed: bool,
    body: Value,
    field: &'static str,
}

fn cases(event: i64, uid: &str) -> Vec<Case> {
    let booking = booking_body(event, &at(day(4), "11:00"), "alan@example.com");
    let event_type = json!({"title": "T", "slug": "t", "lengthInMinutes": 30,
        "locations": [{"type": "address", "address": "Main St 1"}],
        "bookingFields": [{"type": "text", "slug": "company", "label": "Company"}]});
    let schedule = json!({"name": "S", "timeZone": "UTC"});
    let team = json!({"name": "Team"});
    let hook =
        json!({"subscriberUrl": "https://hooks.example.com/x", "triggers": ["BOOKING_CREATED"]});
    let case = |method: Method, path: &str, keyed: bool, body: &Value, field: &'static str| Case {
        method,
        path: path.to_owned(),
        keyed,
        body: with(body.clone(), field, json!("a\u{0}b")),
        field,
    };
    let cancel = format!("/v2/bookings/{uid}/cancel");
    let reschedule = format!("/v2/bookings/{uid}/reschedule");
    let moved = json!({"start": at(day(5), "10:00")});
    vec![
        // No key needed.
        case(
            Method::POST,
            "/v2/bookings",
            false,
            &booking,
            "attendee.name",
        ),
        case(
            Method::POST,
            "/v2/bookings",
            false,
            &booking,
            "attendee.language",
        ),
        case(
            Method::POST,
            "/v2/bookings",
            false,
            &booking,
            "attendee.timeZone",
        ),
        case(
            Method::POST,
            "/v2/bookings",
            false,
            &booking,
            "bookingFieldsResponses.notes",
        ),
        case(
            Method::POST,
            "/v2/bookings",
            false,
            &booking,
            "metadata.source",
        ),
        case(
            Method::POST,
            "/v2/bookings",
            false,
            &booking,
            "reservationUid",
        ),
        case(Method::POST, "/v2/bookings", false, &booking, "guests[0]"),
        case(
            Method::POST,
            "/v2/bookings",
            false,
            &booking,
            "eventTypeSlug",
        ),
        case(
            Method::POST,
            &cancel,
            false,
            &json!({}),
            "cancellationReason",
        ),
        case(Method::POST, &cancel, false, &json!({}), "seatUid"),
        case(
            Method::POST,
            &reschedule,
            false,
            &moved,
            "reschedulingReason",
        ),
        case(
            Method::POST,
            "/v2/slots/reservations",
            false,
            &json!({"eventTypeId": event}),
            "slotStart",
        ),
        // With a key.
        case(Method::POST, "/v2/event-types", true, &event_type, "title"),
        case(
            Method::POST,
            "/v2/event-types",
            true,
            &event_type,
            "description",
        ),
        case(Method::POST, "/v2/event-types", true, &event_type, "slug"),
        case(
            Method::POST,
            "/v2/event-types",
            true,
            &event_type,
            "customName",
        ),
        case(
            Method::POST,
            "/v2/event-types",
            true,
            &event_type,
            "successRedirectUrl",
        ),
        case(
            Method::POST,
            "/v2/event-types",
            true,
            &event_type,
            "locations[0].address",
        ),
        case(
            Method::POST,
            "/v2/event-types",
            true,
            &event_type,
            "bookingFields[0].label",
        ),
        case(
            Method::PATCH,
            &format!("/v2/event-types/{event}"),
            true,
            &json!({}),
            "title",
        ),
        case(Method::PATCH, "/v2/me", true, &json!({}), "name"),
        case(Method::PATCH, "/v2/me", true, &json!({}), "bio"),
        case(Method::PATCH, "/v2/me", true, &json!({}), "locale"),
        case(Method::POST, "/v2/schedules", true, &schedule, "name"),
        case(Method::POST, "/v2/teams", true, &team, "name"),
        case(Method::POST, "/v2/teams", true, &team, "bio"),
        case(Method::POST, "/v2/webhooks", true, &hook, "secret"),
        case(Method::POST, "/v2/webhooks", true, &hook, "payloadTemplate"),
        case(Method::POST, "/v2/webhooks", true, &hook, "subscriberUrl"),
    ]
}

#[tokio::test]
async fn a_nul_character_is_refused_in_every_text_field_naming_the_field() {
    let app = crate::helpers::spawn_app().await;
    let (key, event, uid) = booked_host(&app).await;
    let mut failures = Vec::new();
    for case in cases(event, &uid) {
        let key = case.keyed.then_some(key.as_str());
        let response = app
            .call(
                case.method.clone(),
                &case.path,
                key,
                Some(case.body.clone()),
            )
            .await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let message = body["error"]["message"].as_str().unwrap_or_default();
        if status != 400 || !message.contains(case.field) {
            failures.push(format!(
                "{} {} {}: {status} {message}",
                case.method, case.path, case.field
            ));
        }
    }
    assert!(failures.is_empty(), "not refused:\n{}", failures.join("\n"));
    // Nothing of it was stored: the booking is as it was.
    let booking = booking_of(&app, &key, &uid).await;
    assert_eq!(booking["status"], "accepted");
}

#[tokio::test]
async fn other_control_characters_are_refused_but_line_breaks_where_text_spans_lines() {
    let app = crate::helpers::spawn_app().await;
    let (key, event, uid) = booked_host(&app).await;
    let bell = "a\u{7}b";
    for (body, field) in [
        (
            json!({"title": bell, "slug": "bell", "lengthInMinutes": 30}),
            "title",
        ),
        (
            json!({"title": "Multi\nline", "slug": "bell", "lengthInMinutes": 30}),
            "title",
        ),
        (
            json!({"title": "T", "slug": "bell", "lengthInMinutes": 30, "description": "a\u{1b}[31m"}),
            "description",
        ),
    ] {
        let message = assert_error(
            app.call(Method::POST, "/v2/event-types", Some(&key), Some(body))
                .await,
            400,
            "BadRequestException",
        )
        .await;
        assert!(message.contains(field), "{message}");
    }
    // Descriptions, long answers, templates and reasons may span lines and hold tabs.
    let created = data(
        app.call(
            Method::POST,
            "/v2/event-types",
            Some(&key),
            Some(json!({"title": "T", "slug": "lines", "lengthInMinutes": 30,
                "description": "First line\nSecond line\r\n\tindented"})),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(
        created["description"],
        "First line\nSecond line\r\n\tindented"
    );
    let mut body = booking_body(event, &at(day(4), "11:00"), "alan@example.com");
    body["bookingFieldsResponses"] = json!({"notes": "Agenda:\n\t1. intro"});
    let booked = data(
        app.call(Method::POST, "/v2/bookings", None, Some(body))
            .await,
        201,
    )
    .await;
    assert_eq!(
        booked["bookingFieldsResponses"]["notes"],
        "Agenda:\n\t1. intro"
    );
    data(
        app.call(
            Method::POST,
            "/v2/webhooks",
            Some(&key),
            Some(json!({"subscriberUrl": "https://hooks.example.com/x",
                "triggers": ["BOOKING_CREATED"], "payloadTemplate": "{\n\t\"a\": 1\n}"})),
        )
        .await,
        201,
    )
    .await;
    let cancelled = data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{uid}/cancel"),
            None,
            Some(json!({"cancellationReason": "Sorry,\nsomething came up"})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(cancelled["cancellationReason"], "Sorry,\nsomething came up");
}

#[tokio::test]
async fn a_nul_in_a_query_or_path_is_refused_not_sent_to_the_database() {
    let app = crate::helpers::spawn_app().await;
    let (key, _, _) = booked_host(&app).await;
    for (path, keyed, name) in [
        (
            "/v2/event-types?username=ada%00&eventSlug=call",
            false,
            "username",
        ),
        ("/v2/bookings?attendeeName=a%00b", true, "attendeeName"),
        ("/v2/webhooks/a%00b", true, "path"),
        ("/v2/bookings/a%00b", false, "path"),
    ] {
        let key = keyed.then_some(key.as_str());
        let message = assert_error(
            app.call(Method::GET, path, key, None).await,
            400,
            "BadRequestException",
        )
        .await;
        assert!(message.contains(name), "{path}: {message}");
    }
}

#[tokio::test]
async fn the_booking_pages_show_a_field_error_for_control_characters() {
    let app = crate::helpers::spawn_app().await;
    let (_, event) = crate::pages::host_with_event(&app, json!({})).await;
    let date = chrono::Utc::now().date_naive() + chrono::Duration::days(21);
    let slot = format!("{date}T10:00:00Z");
    let step = format!(
        "/ada/intro?tz=UTC&month={}&date={date}&slot={slot}",
        date.format("%Y-%m")
    );
    for (field, value) in [("name", "Grace\u{0}Hopper"), ("notes", "a\u{0}b")] {
        let mut form = vec![
            ("slot", slot.as_str()),
            ("name", "Grace Hopper"),
            ("email", "grace@example.com"),
        ];
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        let response = crate::pages::post_form(&app, &step, &form).await;
        assert_eq!(response.status().as_u16(), 422, "{field}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains(&format!("id=\"field-{field}-error\"")),
            "{field}: {html}"
        );
    }
    let uid = crate::pages::booked(&app, event, &format!("{date}T12:00:00Z"), "UTC").await;
    let response = crate::pages::post_form(
        &app,
        &format!("/booking/{uid}/cancel"),
        &[("reason", "a\u{0}b")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 400);
    let html = response.text().await.unwrap();
    assert!(html.contains("reason"), "{html}");
    let (status, page) = {
        let r = app.get(&format!("/booking/{uid}")).await;
        (r.status().as_u16(), r.text().await.unwrap())
    };
    assert_eq!(status, 200);
    assert!(!page.contains("data-state=\"cancelled\""));
    // Moving it with a reason that holds NUL: the reason's error, and the booking stays.
    let new_slot = format!("{date}T14:00:00Z");
    let step = format!(
        "/ada/intro?tz=UTC&month={}&date={date}&rescheduleUid={uid}&slot={new_slot}",
        date.format("%Y-%m")
    );
    let response = crate::pages::post_form(
        &app,
        &step,
        &[
            ("slot", new_slot.as_str()),
            ("name", "Grace Hopper"),
            ("email", "grace@example.com"),
            ("rescheduleReason", "a\u{0}b"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("id=\"field-rescheduleReason-error\""),
        "{html}"
    );
}

#[tokio::test]
async fn bodies_with_trailing_data_are_refused() {
    let app = crate::helpers::spawn_app().await;
    let (key, event, uid) = booked_host(&app).await;
    let send = async |method: Method, path: String, keyed: bool, raw: &str| {
        let mut request = app
            .client
            .request(method, format!("{}{path}", app.address))
            .header("content-type", "application/json")
            .body(raw.to_owned());
        if keyed {
            request = request.bearer_auth(&key);
        }
        request.send().await.unwrap()
    };
    for (method, path, keyed) in [
        (Method::PATCH, "/v2/me".to_owned(), true),
        (Method::POST, "/v2/schedules".to_owned(), true),
        (Method::PATCH, format!("/v2/event-types/{event}"), true),
        (Method::POST, "/v2/teams".to_owned(), true),
        (Method::POST, "/v2/webhooks".to_owned(), true),
        (Method::POST, format!("/v2/bookings/{uid}/cancel"), false),
        (Method::POST, "/v2/bookings".to_owned(), false),
    ] {
        let response = send(method.clone(), path.clone(), keyed, "{} trailing").await;
        let message = assert_error(response, 400, "BadRequestException").await;
        assert!(message.contains("trailing"), "{method} {path}: {message}");
    }
    let booking = booking_of(&app, &key, &uid).await;
    assert_eq!(booking["status"], "accepted", "the cancel was refused");
    // The headless query too: a whole valid document, then more.
    let document = json!({
        "start": "2030-03-04T00:00:00Z", "end": "2030-03-04T23:59:59Z", "timeZone": "UTC",
        "eventType": {"lengthInMinutes": 60},
        "hosts": [{"id": 1, "schedule": {"timeZone": "UTC",
            "availability": [{"days": ["Monday"], "startTime": "09:00", "endTime": "12:00"}]}}]
    });
    let path = "/v2/availability/query".to_owned();
    let whole = send(Method::POST, path.clone(), true, &document.to_string()).await;
    assert_eq!(whole.status().as_u16(), 200);
    let more = send(Method::POST, path, true, &format!("{document} {{}}")).await;
    let message = assert_error(more, 400, "BadRequestException").await;
    assert!(message.contains("trailing"), "{message}");
}

#[tokio::test]
async fn fields_of_the_wrong_json_type_are_refused_naming_the_field() {
    let app = crate::helpers::spawn_app().await;
    let (key, event, _) = booked_host(&app).await;
    let base = json!({"title": "T", "slug": "typed", "lengthInMinutes": 30});
    let cases = [
        (
            "bookingWindow",
            json!({"type": "calendarDays", "value": 30, "rolling": "yes"}),
            "bookingWindow.rolling",
        ),
        (
            "bookingWindow",
            json!({"type": "calendarDays", "value": 30, "rolling": 1}),
            "bookingWindow.rolling",
        ),
        (
            "bookingFields",
            json!([{"type": "text", "slug": "c", "label": "C", "required": "false"}]),
            "bookingFields[0].required",
        ),
        (
            "bookingFields",
            json!([{"type": "text", "slug": "c", "label": "C", "required": 0}]),
            "bookingFields[0].required",
        ),
        (
            "bookingFields",
            json!([{"type": "text", "slug": "c", "label": "C", "hidden": "no"}]),
            "bookingFields[0].hidden",
        ),
        (
            "seats",
            json!({"seatsPerTimeSlot": 3, "showAttendeeInfo": "true"}),
            "seats.showAttendeeInfo",
        ),
        (
            "confirmationPolicy",
            json!({"type": "always", "blockUnconfirmedBookingsInBooker": 1}),
            "confirmationPolicy.blockUnconfirmedBookingsInBooker",
        ),
        ("disableCancelling", json!("true"), "disableCancelling"),
        (
            "locations",
            json!([{"type": "address", "address": "Main St 1", "displayLocationPublicly": "yes"}]),
            "locations[0].displayLocationPublicly",
        ),
    ];
    let mut failures = Vec::new();
    for (i, (name, value, field)) in cases.into_iter().enumerate() {
        let mut body = base.clone();
        body["slug"] = json!(format!("typed-{i}"));
        body[name] = value.clone();
        let patch = json!({name: value});
        for (method, path, body) in [
            (Method::POST, "/v2/event-types".to_owned(), &body),
            (Method::PATCH, format!("/v2/event-types/{event}"), &patch),
        ] {
            let response = app
                .call(method.clone(), &path, Some(&key), Some(body.clone()))
                .await;
            let status = response.status().as_u16();
            let answer: Value = response.json().await.unwrap_or(Value::Null);
            let message = answer["error"]["message"].as_str().unwrap_or_default();
            if status != 400 || !message.contains(field) {
                failures.push(format!(
                    "{method} {path} {field}={value}: {status} {message}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "coerced:\n{}", failures.join("\n"));
}
