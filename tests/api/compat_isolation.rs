//! Issue 18's endpoints against other tenants and malformed input: a member of another team or
//! another account gets "not found" (or "forbidden"), a body that is not what Cal.com sends gets
//! a 400 in Cal.com's envelope, never a 500. Complements the feature tests (`booking_changes`,
//! `ooo`, `recurring`, `routing_forms`, `compat`), which cover the common cases.

use reqwest::Method as M;
use serde_json::{Value, json};

use crate::bookings::{at, book, booking_body, day, host};
use crate::helpers::{TestApp, assert_error, data, spawn_app, user_with_key};
use crate::host_groups::crew;

/// A request with a raw JSON body (`None`: no body).
async fn raw(
    app: &TestApp,
    method: M,
    path: &str,
    key: Option<&str>,
    body: &str,
) -> reqwest::Response {
    let mut request = app.client.request(method, format!("{}{path}", app.address));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let request = request
        .header("content-type", "application/json")
        .body(body.to_owned());
    request.send().await.unwrap()
}

/// Asserts Cal.com's error envelope with one of `statuses`.
async fn refused(response: reqwest::Response, statuses: &[u16], what: &str) -> Value {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(statuses.contains(&status), "{what}: {status} {body}");
    assert_eq!(body["status"], "error", "{what}: {body}");
    assert!(body["error"]["message"].is_string(), "{what}: {body}");
    body
}

const MALFORMED: [&str; 3] = ["{not json", "[1, 2]", "\"text\""];

#[tokio::test]
async fn booking_actions_refuse_other_teams_and_malformed_bodies() {
    let app = spawn_app().await;
    let ours = crew(&app, "ours").await;
    let theirs = crew(&app, "theirs").await;
    let event = crate::routing_forms::round_robin(&app, &ours).await;
    let start = format!("{}T14:00:00.000Z", day(5));
    let booking = data(
        book(&app, booking_body(event, &start, "grace@example.com")).await,
        201,
    )
    .await;
    let uid = booking["uid"].as_str().unwrap().to_owned();
    let admin = Some(ours.ada.2.as_str());
    let outsider = Some(theirs.ada.2.as_str());

    // Another team's owner reaches none of it.
    let actions = [
        (M::POST, format!("/v2/bookings/{uid}/reassign"), "{}"),
        (
            M::POST,
            format!("/v2/bookings/{uid}/reassign/{}", ours.bob.0),
            "{}",
        ),
        (
            M::PATCH,
            format!("/v2/bookings/{uid}/location"),
            r#"{"location": {"type": "address", "address": "Elsewhere 1"}}"#,
        ),
        (
            M::POST,
            format!("/v2/bookings/{uid}/request-reschedule"),
            "{}",
        ),
        (M::GET, format!("/v2/bookings/{uid}/calendar-links"), ""),
    ];
    for (method, path, body) in &actions {
        let answer = raw(&app, method.clone(), path, outsider, body).await;
        refused(
            answer,
            &[403, 404],
            &format!("{method} {path} by another team"),
        )
        .await;
    }

    // Malformed bodies and parameters are a 400, never a 500.
    for (method, path, _) in actions.iter().filter(|a| a.0 != M::GET) {
        for body in MALFORMED {
            let answer = raw(&app, method.clone(), path, admin, body).await;
            refused(answer, &[400], &format!("{method} {path} with {body}")).await;
        }
    }
    let typed = [
        (
            M::POST,
            format!("/v2/bookings/{uid}/reassign"),
            json!({"reason": 5}),
        ),
        (
            M::POST,
            format!("/v2/bookings/{uid}/request-reschedule"),
            json!({"rescheduleReason": ["no"]}),
        ),
        (
            M::PATCH,
            format!("/v2/bookings/{uid}/location"),
            json!({"location": 42}),
        ),
    ];
    for (method, path, body) in typed {
        let answer = app
            .call(method.clone(), &path, admin, Some(body.clone()))
            .await;
        refused(answer, &[400], &format!("{method} {path} with {body}")).await;
    }
    for target in [
        "abc".to_owned(),
        "-1".to_owned(),
        "99999999999999999999".to_owned(),
        theirs.bob.0.to_string(),
    ] {
        let path = format!("/v2/bookings/{uid}/reassign/{target}");
        let answer = app.call(M::POST, &path, admin, None).await;
        refused(answer, &[400, 404], &format!("reassign to {target}")).await;
    }
    for unknown in ["no-such-booking", "%20"] {
        let path = format!("/v2/bookings/{unknown}/calendar-links");
        refused(
            app.call(M::GET, &path, admin, None).await,
            &[400, 404],
            &path,
        )
        .await;
    }

    // A personal booking has no one to reassign it to.
    let personal = booking_body(ours.bob.1, &start, "alan@example.com");
    let personal = data(book(&app, personal).await, 201).await;
    let path = format!(
        "/v2/bookings/{}/reassign",
        personal["uid"].as_str().unwrap()
    );
    let answer = app.call(M::POST, &path, Some(&ours.bob.2), None).await;
    refused(answer, &[400], "reassigning a personal booking").await;

    // The booking is untouched by all of it.
    let path = format!("/v2/bookings/{uid}");
    let after = data(app.call(M::GET, &path, admin, None).await, 200).await;
    assert_eq!(after["status"], "accepted");
    assert_eq!(after["hosts"], booking["hosts"]);
    assert_eq!(after["location"], booking["location"]);
}

#[tokio::test]
async fn another_users_out_of_office_is_not_found_and_bad_bodies_are_refused() {
    let app = spawn_app().await;
    let kai = user_with_key(&app, "kai@example.com", "UTC").await;
    let eve = user_with_key(&app, "eve@example.com", "UTC").await;
    let period = json!({"start": "2030-07-01T00:00:00.000Z", "end": "2030-07-03T23:59:59.999Z"});
    let created = app.call(M::POST, "/v2/me/ooo", Some(&kai), Some(period));
    let created = data(created.await, 201).await;
    let path = format!("/v2/me/ooo/{}", created["id"]);

    let change = json!({"end": "2030-07-10T23:59:59.999Z"});
    let patched = app.call(M::PATCH, &path, Some(&eve), Some(change));
    assert_error(patched.await, 404, "NotFoundException").await;
    assert_error(
        app.call(M::DELETE, &path, Some(&eve), None).await,
        404,
        "NotFoundException",
    )
    .await;
    let listed = data(app.call(M::GET, "/v2/me/ooo", Some(&eve), None).await, 200).await;
    assert_eq!(listed, json!([]), "Eve sees none of Kai's days");

    for body in MALFORMED {
        for (method, path) in [(M::POST, "/v2/me/ooo"), (M::PATCH, path.as_str())] {
            let answer = raw(&app, method.clone(), path, Some(&kai), body).await;
            refused(answer, &[400], &format!("{method} {path} with {body}")).await;
        }
    }
    let typed = json!({"start": 20300701, "end": "2030-07-03T23:59:59.999Z"});
    refused(
        app.call(M::PATCH, &path, Some(&kai), Some(typed)).await,
        &[400],
        "a number as start",
    )
    .await;
    for id in ["abc", "99999999999999999999"] {
        let path = format!("/v2/me/ooo/{id}");
        refused(
            app.call(M::DELETE, &path, Some(&kai), None).await,
            &[400, 404],
            &path,
        )
        .await;
    }
    let mine = data(app.call(M::GET, "/v2/me/ooo", Some(&kai), None).await, 200).await;
    assert_eq!(mine[0]["end"], created["end"], "unchanged: {mine}");
}

#[tokio::test]
async fn another_accounts_key_reaches_no_series_and_bad_counts_are_refused() {
    let app = spawn_app().await;
    let weekly = json!({"recurrence": {"frequency": "weekly", "interval": 1, "occurrences": 3}});
    let (key, event, _) = host(&app, "ada@example.com", weekly).await;
    let eve = user_with_key(&app, "eve@example.com", "UTC").await;
    let first = day(3);
    let mut body = booking_body(event, &at(first, "10:00"), "grace@example.com");
    body["recurrenceCount"] = json!(3);
    let series = data(book(&app, body).await, 201).await;
    let series_uid = series[0]["recurringBookingUid"]
        .as_str()
        .unwrap()
        .to_owned();

    let read = format!("/v2/bookings/{series_uid}");
    assert_error(
        app.call(M::GET, &read, Some(&eve), None).await,
        404,
        "NotFoundException",
    )
    .await;
    let cancel = format!("/v2/bookings/{series_uid}/cancel");
    let answer = app.call(
        M::POST,
        &cancel,
        Some(&eve),
        Some(json!({"cancellationReason": "mine"})),
    );
    assert_error(answer.await, 404, "NotFoundException").await;
    let listed = data(
        app.call(M::GET, "/v2/bookings", Some(&eve), None).await,
        200,
    )
    .await;
    assert_eq!(listed, json!([]), "Eve lists none of Ada's occurrences");

    for count in [json!("three"), json!(-1), json!(1.5), json!(null)] {
        let mut bad = booking_body(event, &at(day(4), "12:00"), "alan@example.com");
        bad["recurrenceCount"] = count.clone();
        let answer = book(&app, bad).await;
        if count.is_null() {
            // No count books the event type's own number of occurrences.
            assert_eq!(answer.status(), 201, "{count}");
            continue;
        }
        refused(answer, &[400], &format!("recurrenceCount {count}")).await;
    }
    let cancel_body = raw(&app, M::POST, &cancel, Some(&key), "{not json").await;
    refused(cancel_body, &[400], "a malformed cancel").await;
    let mine = data(app.call(M::GET, &read, Some(&key), None).await, 200).await;
    let statuses: Vec<&str> = (mine.as_array().unwrap().iter())
        .map(|b| b["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["accepted"; 3], "{mine}");
}

#[tokio::test]
async fn routing_forms_refuse_other_accounts_and_malformed_bodies() {
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let eve = user_with_key(&app, "eve@example.com", "UTC").await;
    let form = json!({"name": "Intake",
        "fields": [{"type": "text", "slug": "company", "label": "Company", "required": true}],
        "routes": [{"isFallback": true, "action": {"type": "eventTypeRedirectUrl", "eventTypeId": event}}]});
    let created = app.call(M::POST, "/v2/routing-forms", Some(&key), Some(form));
    let id = data(created.await, 201).await["id"].as_i64().unwrap();
    let path = format!("/v2/routing-forms/{id}");

    for (method, path) in [
        (M::GET, path.clone()),
        (M::PATCH, path.clone()),
        (M::DELETE, path.clone()),
        (M::GET, format!("{path}/responses")),
    ] {
        let answer = raw(&app, method.clone(), &path, Some(&eve), "{}").await;
        refused(answer, &[403, 404], &format!("{method} {path} by Eve")).await;
    }
    // Eve's form cannot route to Ada's event type.
    let borrowed = json!({"name": "Mine", "fields": [],
        "routes": [{"isFallback": true, "action": {"type": "eventTypeRedirectUrl", "eventTypeId": event}}]});
    let answer = app.call(M::POST, "/v2/routing-forms", Some(&eve), Some(borrowed));
    refused(answer.await, &[400, 404], "Eve's form to Ada's event type").await;

    for body in MALFORMED {
        for (method, path) in [
            (M::POST, "/v2/routing-forms".to_owned()),
            (M::PATCH, path.clone()),
            (M::POST, format!("{path}/responses")),
        ] {
            let answer = raw(&app, method.clone(), &path, Some(&key), body).await;
            refused(answer, &[400], &format!("{method} {path} with {body}")).await;
        }
    }
    let slots = format!("{path}/calculate-slots?start=yesterday&end=2030-01-01");
    let answer = raw(&app, M::POST, &slots, None, r#"{"company": "Acme"}"#).await;
    refused(answer, &[400], "calculate-slots with a bad start").await;
    let answer = raw(
        &app,
        M::POST,
        &format!("{path}/calculate-slots"),
        None,
        "[]",
    )
    .await;
    refused(answer, &[400], "calculate-slots with a list").await;
    for bad in ["abc", "99999999999999999999"] {
        let path = format!("/v2/routing-forms/{bad}");
        refused(
            app.call(M::GET, &path, Some(&key), None).await,
            &[400, 404],
            &path,
        )
        .await;
    }
    let responses = data(
        app.call(M::GET, &format!("{path}/responses"), Some(&key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(responses, json!([]), "nothing was stored");
}
