//! `POST /v2/availability/query` and `kairos slots`: the same document gives the same answer,
//! and bad documents get a 400 naming the field.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, kairos_binary, spawn_app, user_with_key};

async fn api_key(app: &TestApp) -> String {
    user_with_key(app, "ada@example.com", "UTC").await
}

/// A New York host, Monday to Friday 09:00-12:00, one booking and one external busy block.
fn document() -> Value {
    json!({
        "now": "2030-03-01T08:00:00Z",
        "start": "2030-03-04T00:00:00Z",
        "end": "2030-03-05T23:59:59Z",
        "timeZone": "Europe/London",
        "eventType": {"id": 7, "lengthInMinutes": 60, "minimumBookingNotice": 120},
        "hosts": [{
            "id": 101,
            "schedule": {"timeZone": "America/New_York",
                         "availability": [{"days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"], "startTime": "09:00", "endTime": "12:00"}]},
            "busy": [{"start": "2030-03-04T15:00:00Z", "end": "2030-03-04T16:00:00Z"}],
            "bookings": [{"uid": "b1", "start": "2030-03-05T14:00:00Z", "end": "2030-03-05T15:00:00Z", "eventTypeId": 7, "status": "ACCEPTED"}]
        }]
    })
}

async fn post(app: &TestApp, key: &str, query: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(format!("{}/v2/availability/query{query}", app.address))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn cli(body: &Value, args: &[&str]) -> std::process::Output {
    let mut child = Command::new(kairos_binary())
        .args(["slots", "--input", "-"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.to_string().as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_query_answers_in_calcoms_slots_shape() {
    let app = spawn_app().await;
    let key = api_key(&app).await;
    let response = post(&app, &key, "", &document()).await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    // 09:00-12:00 New York is 14:00-17:00 in London (both on winter time in early March).
    // Monday: 15:00Z is external busy. Tuesday: 14:00Z is booked.
    assert_eq!(
        body,
        json!({"status": "success", "data": {
            "2030-03-04": [{"start": "2030-03-04T14:00:00.000+00:00"}, {"start": "2030-03-04T16:00:00.000+00:00"}],
            "2030-03-05": [{"start": "2030-03-05T15:00:00.000+00:00"}, {"start": "2030-03-05T16:00:00.000+00:00"}]
        }})
    );
}

#[tokio::test]
async fn the_api_and_the_command_line_agree() {
    let app = spawn_app().await;
    let key = api_key(&app).await;
    for (params, args) in [
        ("", vec![]),
        ("?format=range", vec!["--format", "range"]),
        (
            "?explain=2030-03-04T15:00:00Z",
            vec!["--explain", "2030-03-04T15:00:00Z"],
        ),
    ] {
        let api: Value = post(&app, &key, params, &document())
            .await
            .json()
            .await
            .unwrap();
        let output = cli(&document(), &args);
        assert!(output.status.success(), "{output:?}");
        let from_cli: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(api, from_cli, "answers differ for {params}");
    }
    let explained = cli(&document(), &["--explain", "2030-03-04T15:00:00Z"]);
    let explained: Value = serde_json::from_slice(&explained.stdout).unwrap();
    assert_eq!(explained["explanation"]["isSlot"], false);
    assert_eq!(explained["explanation"]["reasons"][0]["reason"], "busy");
    assert_eq!(
        explained["explanation"]["reasons"][0]["source"],
        "externalCalendar"
    );
    assert_eq!(explained["explanation"]["reasons"][0]["hostId"], 101);

    let ranged: Value = post(&app, &key, "?format=range", &document())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ranged["data"]["2030-03-04"][0]["end"],
        "2030-03-04T15:00:00.000+00:00"
    );
}

/// Cal.com's rule: a PENDING booking blocks only a query for its own event type, and only when
/// that type blocks unconfirmed bookings; the API answers the exact bytes of the command line.
#[tokio::test]
async fn pending_bookings_block_only_their_own_event_type() {
    let app = spawn_app().await;
    let key = api_key(&app).await;
    let mut body = document();
    body["eventType"]["confirmationPolicy"] =
        json!({"type": "always", "blockUnconfirmedBookingsInBooker": true});
    body["hosts"][0]["bookings"] = json!([
        {"uid": "own", "start": "2030-03-04T14:00:00Z", "end": "2030-03-04T15:00:00Z", "eventTypeId": 7, "status": "PENDING"},
        {"uid": "other", "start": "2030-03-05T14:00:00Z", "end": "2030-03-05T15:00:00Z", "eventTypeId": 8, "status": "PENDING"}
    ]);
    let response = post(&app, &key, "", &body).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let bytes = response.bytes().await.unwrap();
    let answer: Value = serde_json::from_slice(&bytes).unwrap();
    // Monday 14:00Z is the own pending booking, 15:00Z external busy; Tuesday's pending
    // booking of event type 8 leaves 14:00Z free.
    assert_eq!(
        answer["data"],
        json!({
            "2030-03-04": [{"start": "2030-03-04T16:00:00.000+00:00"}],
            "2030-03-05": [{"start": "2030-03-05T14:00:00.000+00:00"}, {"start": "2030-03-05T15:00:00.000+00:00"}, {"start": "2030-03-05T16:00:00.000+00:00"}]
        })
    );
    let output = cli(&body, &[]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(output.stdout, [&bytes[..], b"\n"].concat());
}

#[tokio::test]
async fn the_query_needs_an_api_key() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/v2/availability/query", app.address))
        .json(&document())
        .send()
        .await
        .unwrap();
    assert_error(response, 401, "UnauthorizedException").await;
}

#[tokio::test]
async fn invalid_documents_get_a_400_naming_the_field() {
    let app = spawn_app().await;
    let key = api_key(&app).await;
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut bad_zone = document();
    bad_zone["hosts"][0]["schedule"]["timeZone"] = json!("Mars/Olympus");
    cases.push((bad_zone, "hosts[0].schedule.timeZone"));
    let mut reversed = document();
    reversed["end"] = json!("2030-03-01T00:00:00Z");
    cases.push((reversed, "end: must not be before start"));
    let mut negative = document();
    negative["eventType"]["lengthInMinutes"] = json!(-30);
    cases.push((negative, "eventType.lengthInMinutes"));
    let mut too_long = document();
    too_long["end"] = json!("2031-06-01T00:00:00Z");
    cases.push((too_long, "end: the window may span at most 366 days"));
    let mut bad_time = document();
    bad_time["hosts"][0]["schedule"]["availability"][0]["startTime"] = json!("9am");
    cases.push((bad_time, "hosts[0].schedule.availability[0].startTime"));
    let mut bad_duration = document();
    bad_duration["duration"] = json!(45);
    cases.push((
        bad_duration,
        "duration: 45 is not one of the event type's lengths",
    ));
    let mut crowded = document();
    let busy: Vec<Value> = (0..100_001)
        .map(|i| json!({"start": format!("2030-03-04T{:02}:{:02}:00Z", i % 24, i % 60), "end": "2030-03-04T23:59:00Z"}))
        .collect();
    crowded["hosts"][0]["busy"] = json!(busy);
    cases.push((crowded, "at most 100000 are accepted"));
    let mut missing = document();
    missing["eventType"]
        .as_object_mut()
        .unwrap()
        .remove("lengthInMinutes");
    cases.push((missing, "eventType"));

    for (body, expected) in cases {
        let message = assert_error(
            post(&app, &key, "", &body).await,
            400,
            "BadRequestException",
        )
        .await;
        assert!(
            message.contains(expected),
            "`{message}` should contain `{expected}`"
        );
        let output = cli(&body, &[]);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(expected),
            "CLI said `{stderr}`, expected `{expected}`"
        );
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_the_envelope() {
    let app = spawn_app().await;
    let key = api_key(&app).await;
    let huge = vec![b' '; 17 * 1024 * 1024];
    let response = app
        .client
        .post(format!("{}/v2/availability/query", app.address))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_error(response, 413, "PayloadTooLargeException").await;
}

#[tokio::test]
async fn documents_that_ask_for_too_much_or_overflow_are_refused() {
    let app = spawn_app().await;
    let key = api_key(&app).await;
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut secondly = document();
    secondly["hosts"][0]["schedule"]["recurring"] =
        json!([{"rrule": "FREQ=SECONDLY", "dtstart": "2030-01-01T00:00:00", "durationMinutes": 1}]);
    cases.push((secondly, "hosts[0].schedule.recurring[0]"));
    let mut ancient = document();
    ancient["hosts"][0]["schedule"]["recurring"] =
        json!([{"rrule": "FREQ=DAILY", "dtstart": "1990-01-01T09:00:00", "durationMinutes": 60}]);
    cases.push((ancient, "hosts[0].schedule.recurring[0].dtstart"));
    let mut far_past = document();
    far_past["hosts"][0]["outOfOffice"] = json!([{"start": "-262144-01-01", "end": "2030-01-02"}]);
    cases.push((far_past, "hosts[0].outOfOffice[0].start"));
    let mut huge_buffer = document();
    huge_buffer["hosts"][0]["bookings"][0]["beforeEventBuffer"] = json!(4294967295u32);
    cases.push((huge_buffer, "hosts[0].bookings[0].beforeEventBuffer"));
    let mut huge_offset = document();
    huge_offset["eventType"]["offsetStart"] = json!(100000);
    cases.push((huge_offset, "eventType.offsetStart"));
    let mut crowd = document();
    let host = crowd["hosts"][0].clone();
    crowd["hosts"] = json!(
        (0..501)
            .map(|i| {
                let mut h = host.clone();
                h["id"] = json!(i);
                h
            })
            .collect::<Vec<_>>()
    );
    cases.push((crowd, "at most 500 hosts"));
    let mut fine_grid = document();
    fine_grid["end"] = json!("2031-03-01T00:00:00Z");
    fine_grid["eventType"]["slotInterval"] = json!(1);
    let host = fine_grid["hosts"][0].clone();
    fine_grid["hosts"] = json!(
        (0..20)
            .map(|i| {
                let mut h = host.clone();
                h["id"] = json!(i);
                h
            })
            .collect::<Vec<_>>()
    );
    cases.push((fine_grid, "too much work"));
    for (body, expected) in cases {
        let message = assert_error(
            post(&app, &key, "", &body).await,
            400,
            "BadRequestException",
        )
        .await;
        assert!(
            message.contains(expected),
            "`{message}` should contain `{expected}`"
        );
    }
}
