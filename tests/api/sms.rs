//! Text messages: sent through Twilio's Messages API (a local fake speaking it), retried on
//! throttling, and never sent to a number that answered STOP, as Twilio's signed inbound
//! webhook tells Kairos.

use std::time::Duration;

use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{at, booking_body, day, host};
use crate::fake_twilio::{ACCOUNT_SID, AUTH_TOKEN, FROM, FakeTwilio};
use crate::helpers::{
    TestApp, TestDatabase, assert_error, data, eventually, spawn_app, spawn_app_with,
};
use crate::pages::post_form;
use kairos::config::Config;
use kairos::domain::PhoneNumber;
use kairos::sms::{self, Sms};
use kairos::storage::jobs::{self as job_store, JobRecord};

const ATTENDEE: &str = "+14155550123";

/// `config` sending text messages through `twilio`.
pub(crate) fn with_twilio(config: Config, twilio: &FakeTwilio) -> Config {
    Config {
        twilio_account_sid: Some(ACCOUNT_SID.into()),
        twilio_auth_token: Some(kairos::config::Secret::new(AUTH_TOKEN.into())),
        twilio_from: Some(FROM.into()),
        twilio_api_url: twilio.url.clone(),
        sms_retry_schedule: "200ms,200ms,200ms".into(),
        ..config
    }
}

async fn app_with_twilio(twilio: &FakeTwilio) -> TestApp {
    let database = TestDatabase::new().await;
    spawn_app_with(with_twilio(database.config(), twilio), database).await
}

/// Queues a message to `to`, due `in_ms` from now; whether it was queued.
async fn queue(app: &TestApp, to: &str, body: &str, in_ms: i64) -> bool {
    let sms = Sms::new(&PhoneNumber::parse(to).unwrap(), body);
    let at = Utc::now() + chrono::Duration::milliseconds(in_ms);
    app.db
        .transaction(async |c| sms::queue(c, &sms, "test", None, at).await)
        .await
        .unwrap()
}

async fn jobs(app: &TestApp) -> Vec<JobRecord> {
    app.db
        .run(async |c| job_store::list(c, sms::QUEUE).await)
        .await
        .unwrap()
}

/// The first message given up (a job on the SMS queue that will not run again), once there is one.
async fn dead_job(app: &TestApp) -> JobRecord {
    eventually("a message given up", Duration::from_secs(10), async || {
        let jobs = jobs(app).await;
        jobs.into_iter().find(|j| j.status == job_store::DEAD)
    })
    .await
}

/// Posts an inbound message as Twilio does, signed with `token`.
pub(crate) async fn inbound(
    app: &TestApp,
    fields: &[(&str, &str)],
    token: &str,
) -> reqwest::Response {
    let path = "/v2/sms/twilio/inbound";
    let owned: Vec<(String, String)> = (fields.iter())
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let signature = sms::twilio::signature_of(token, &format!("{}{path}", app.address), &owned);
    app.client
        .post(format!("{}{path}", app.address))
        .header("X-Twilio-Signature", signature)
        .form(fields)
        .send()
        .await
        .unwrap()
}

/// Twilio's fields for a message from the attendee's number saying `body`.
pub(crate) fn from_attendee(body: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AccountSid", ACCOUNT_SID.to_owned()),
        (
            "MessageSid",
            "SM00000000000000000000000000000001".to_owned(),
        ),
        ("From", ATTENDEE.to_owned()),
        ("To", FROM.to_owned()),
        ("Body", body.to_owned()),
    ]
}

async fn answer(app: &TestApp, body: &str) {
    let fields = from_attendee(body);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = inbound(app, &fields, AUTH_TOKEN).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("<Response>"));
}

#[tokio::test]
async fn messages_are_sent_through_twilio_and_retried_when_throttled() {
    let twilio = FakeTwilio::start().await;
    twilio.fail_with(429, 20429, Some(1));
    let app = app_with_twilio(&twilio).await;
    assert!(
        queue(
            &app,
            " +1 (415) 555-0123 ",
            "Your call with Ada starts in 1 hour",
            0
        )
        .await
    );
    let sent = eventually("the message sent", Duration::from_secs(10), async || {
        twilio.sent().first().cloned()
    })
    .await;
    assert_eq!(sent["To"], ATTENDEE);
    assert_eq!(sent["From"], FROM);
    assert_eq!(sent["Body"], "Your call with Ada starts in 1 hour");
    // Throttled once, then accepted: two requests, one message, the job done.
    assert_eq!(twilio.requests(), 2);
    let job = eventually("the job done", Duration::from_secs(5), async || {
        jobs(&app)
            .await
            .into_iter()
            .find(|j| j.status == job_store::DONE)
    })
    .await;
    assert_eq!(job.attempts, 2, "{job:?}");

    // A number Twilio cannot text (21211) is not tried again.
    twilio.fail_with(400, 21211, None);
    assert!(queue(&app, "+14155550999", "hello", 0).await);
    let dead = dead_job(&app).await;
    assert!(
        dead.last_error.as_deref().unwrap().contains("21211"),
        "{dead:?}"
    );
    assert_eq!(twilio.requests(), 3);
}

#[tokio::test]
async fn a_stop_answer_stops_every_message_to_that_number_until_start() {
    let twilio = FakeTwilio::start().await;
    let app = app_with_twilio(&twilio).await;
    // Queued for later, before the attendee answers STOP.
    assert!(queue(&app, ATTENDEE, "reminder: tomorrow at 10:00", 1500).await);
    answer(&app, " stop ").await;
    // Nothing new is queued for them, and the earlier one is not sent when due.
    assert!(!queue(&app, ATTENDEE, "another", 0).await);
    let dead = dead_job(&app).await;
    assert!(
        dead.last_error.as_deref().unwrap().contains("opted out"),
        "{dead:?}"
    );
    assert_eq!(twilio.requests(), 0);

    // Other words change nothing; START lets messages through again.
    answer(&app, "please stop calling").await;
    assert!(!queue(&app, ATTENDEE, "still stopped", 0).await);
    answer(&app, "START").await;
    assert!(queue(&app, ATTENDEE, "welcome back", 0).await);
    eventually(
        "the message after START",
        Duration::from_secs(10),
        async || twilio.sent().first().cloned(),
    )
    .await;
}

#[tokio::test]
async fn twilio_saying_a_recipient_unsubscribed_records_the_opt_out() {
    let twilio = FakeTwilio::start().await;
    twilio.unsubscribe(ATTENDEE);
    let app = app_with_twilio(&twilio).await;
    assert!(queue(&app, ATTENDEE, "hello", 0).await);
    let dead = dead_job(&app).await;
    assert!(
        dead.last_error.as_deref().unwrap().contains("21610"),
        "{dead:?}"
    );
    assert_eq!(dead.attempts, 1);
    assert!(!queue(&app, ATTENDEE, "again", 0).await);
}

#[tokio::test]
async fn inbound_messages_must_be_signed_by_our_account() {
    let twilio = FakeTwilio::start().await;
    let app = app_with_twilio(&twilio).await;
    let fields = from_attendee("STOP");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // Signed with another token, or not signed at all: refused, nothing recorded.
    let forged = inbound(&app, &fields, "someone-elses-token").await;
    assert_error(forged, 403, "ForbiddenException").await;
    let unsigned = (app
        .client
        .post(format!("{}/v2/sms/twilio/inbound", app.address)))
    .form(&fields)
    .send()
    .await
    .unwrap();
    assert_error(unsigned, 403, "ForbiddenException").await;
    // Another account's message, even signed with our token.
    let mut other = fields.clone();
    other[0].1 = "AC99999999999999999999999999999999";
    assert_error(
        inbound(&app, &other, AUTH_TOKEN).await,
        403,
        "ForbiddenException",
    )
    .await;
    assert!(queue(&app, ATTENDEE, "not stopped", 60_000).await);
    // Signed but without a usable sender.
    let mut bad = fields.clone();
    bad[2].1 = "0415 555";
    let message = assert_error(
        inbound(&app, &bad, AUTH_TOKEN).await,
        400,
        "BadRequestException",
    )
    .await;
    assert!(message.starts_with("From:"), "{message}");
}

#[tokio::test]
async fn without_twilio_there_is_no_inbound_webhook() {
    let app = spawn_app().await;
    let fields = from_attendee("STOP");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = inbound(&app, &fields, AUTH_TOKEN).await;
    assert_error(response, 404, "NotFoundException").await;
    let response = app
        .call(Method::GET, "/v2/sms/twilio/inbound", None, None)
        .await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn an_sms_step_texts_attendees_with_a_phone_number_at_its_time() {
    let twilio = FakeTwilio::start().await;
    let app = app_with_twilio(&twilio).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({"defaultReminders": false})).await;
    let workflow = |trigger: serde_json::Value| {
        json!({"name": "Texts", "activation": {"isActiveOnAllEventTypes": true}, "trigger": trigger,
               "steps": [{"action": "sms_attendee", "template": "reminder"}]})
    };
    for trigger in [
        json!({"type": "newEvent"}),
        json!({"type": "beforeEvent", "offset": {"value": 1, "unit": "hour"}}),
    ] {
        let made = app.call(
            Method::POST,
            "/v2/workflows",
            Some(&key),
            Some(workflow(trigger)),
        );
        data(made.await, 201).await;
    }
    let start = at(day(3), "14:00");
    let mut body = booking_body(event, &start, "grace@booker.example");
    body["attendee"]["phoneNumber"] = json!("+1 415 555 0123");
    let booked = data(
        app.call(Method::POST, "/v2/bookings", None, Some(body))
            .await,
        201,
    )
    .await;
    // Another booking without a phone number: refused (`phone_numbers_are_checked_…`).
    let other = booking_body(event, &at(day(3), "15:00"), "alan@booker.example");
    let refused = app
        .call(Method::POST, "/v2/bookings", None, Some(other))
        .await;
    assert_error(refused, 400, "BadRequestException").await;
    let sent = eventually("the booking's text", Duration::from_secs(10), async || {
        twilio.sent().first().cloned()
    })
    .await;
    assert_eq!(sent["To"], ATTENDEE);
    assert!(
        sent["Body"].contains(booked["uid"].as_str().unwrap()),
        "{sent:?}"
    );
    // The text's job recorded as sent before the clock jumps: a jump past the lease of a send
    // still in flight would hand the job to the runner again.
    eventually("the text's job done", Duration::from_secs(10), async || {
        let all = jobs(&app).await;
        all.iter()
            .all(|j| j.status == job_store::DONE)
            .then_some(())
    })
    .await;
    // The hour-before text, once the runner's clock reaches it.
    let start = chrono::DateTime::parse_from_rfc3339(&start)
        .unwrap()
        .with_timezone(&Utc);
    app.clock
        .advance(start - chrono::Duration::minutes(59) - app.clock.now());
    let texts = eventually("the reminder text", Duration::from_secs(10), async || {
        let sent = twilio.sent();
        (sent.len() >= 2).then_some(sent)
    })
    .await;
    assert!(texts[1]["Body"].starts_with("Reminder: "), "{texts:?}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(twilio.sent().len(), 2, "one text per step");
}

/// A workflow of `key`'s texting attendees on every event type at `trigger`.
async fn texting_workflow(app: &TestApp, key: &str, action: &str) {
    let workflow = json!({"name": "Texts", "activation": {"isActiveOnAllEventTypes": true},
        "trigger": {"type": "newEvent"}, "steps": [{"action": action, "template": "reminder"}]});
    let made = app.call(Method::POST, "/v2/workflows", Some(key), Some(workflow));
    data(made.await, 201).await;
}

/// Books `event` at `start` with the attendee's phone set by `phone` on the body.
async fn book_with(
    app: &TestApp,
    event: i64,
    start: &str,
    phone: impl FnOnce(&mut Value),
) -> reqwest::Response {
    let mut body = booking_body(event, start, "grace@booker.example");
    phone(&mut body);
    app.call(Method::POST, "/v2/bookings", None, Some(body))
        .await
}

#[tokio::test]
async fn phone_numbers_are_checked_at_booking_time_when_a_workflow_texts_attendees() {
    let twilio = FakeTwilio::start().await;
    let app = app_with_twilio(&twilio).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({"defaultReminders": false})).await;
    texting_workflow(&app, &key, "sms_attendee").await;
    let start = at(day(3), "14:00");
    // No number: the answer says what is needed and why.
    let missing = book_with(&app, event, &start, |_| {}).await;
    let message = assert_error(missing, 400, "BadRequestException").await;
    assert!(
        message.starts_with("attendee.phoneNumber: is required")
            && message.contains("sms_attendee")
            && message.contains("+12125550100"),
        "{message}"
    );
    // A number in no international form (a leading zero after the `+`), by either field.
    let bad = book_with(&app, event, &start, |b| {
        b["attendee"]["phoneNumber"] = json!("+0415 555 0123");
    });
    let message = assert_error(bad.await, 400, "BadRequestException").await;
    assert!(
        message.starts_with("attendee.phoneNumber: `+0415 555 0123` is not a phone number"),
        "{message}"
    );
    let bad = book_with(&app, event, &start, |b| {
        b["bookingFieldsResponses"] = json!({"attendeePhoneNumber": "call me"});
    });
    let message = assert_error(bad.await, 400, "BadRequestException").await;
    assert!(
        message.starts_with("bookingFieldsResponses.attendeePhoneNumber: "),
        "{message}"
    );
    assert_eq!(jobs(&app).await.len(), 0, "nothing was booked or queued");
    // Cal.com's booking field carries the number as well as `attendee.phoneNumber`.
    let booked = book_with(&app, event, &start, |b| {
        b["bookingFieldsResponses"] = json!({"attendeePhoneNumber": "+1 415 555 0123"});
    });
    let booked = data(booked.await, 201).await;
    assert_eq!(
        booked["bookingFieldsResponses"]["attendeePhoneNumber"],
        "+1 415 555 0123"
    );
    let sent = eventually("the text", Duration::from_secs(10), async || {
        twilio.sent().first().cloned()
    })
    .await;
    assert_eq!(sent["To"], ATTENDEE);

    // The booking page asks for the number, and places the refusal next to its input.
    let later = at(day(3), "15:00");
    let step = format!("/ada/call?date={}&slot={later}", &later[..10]);
    let page = app.get(&step).await.text().await.unwrap();
    assert!(
        page.contains(r#"type="tel" id="field-attendeePhoneNumber" name="attendeePhoneNumber""#),
        "{page}"
    );
    let mut form = vec![
        ("slot", later.as_str()),
        ("name", "Alan Turing"),
        ("email", "alan@booker.example"),
    ];
    let refused = post_form(&app, &step, &form).await;
    assert_eq!(refused.status().as_u16(), 422);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains(r#"id="field-attendeePhoneNumber-error">is required"#),
        "{page}"
    );
    form.push(("attendeePhoneNumber", "+44 7700 900123"));
    assert_eq!(post_form(&app, &step, &form).await.status().as_u16(), 303);
    eventually("the second text", Duration::from_secs(10), async || {
        let sent = twilio.sent();
        sent.iter()
            .any(|m| m["To"] == "+447700900123")
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn no_number_is_asked_without_a_texting_step_or_without_sms() {
    // SMS configured, but the workflow only emails: no number needed.
    let twilio = FakeTwilio::start().await;
    let app = app_with_twilio(&twilio).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({"defaultReminders": false})).await;
    texting_workflow(&app, &key, "email_host").await;
    let booked = book_with(&app, event, &at(day(3), "14:00"), |_| {}).await;
    data(booked, 201).await;
    let page = app
        .get(&format!("/ada/call?date={}", &at(day(3), "14:00")[..10]))
        .await;
    assert!(!page.text().await.unwrap().contains("attendeePhoneNumber"));

    // A texting step, but no SMS provider: the step is never scheduled, so nothing is asked.
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@example.com", json!({"defaultReminders": false})).await;
    texting_workflow(&app, &key, "sms_attendee").await;
    let booked = book_with(&app, event, &at(day(3), "14:00"), |_| {}).await;
    data(booked, 201).await;
}

/// `sms_number` texts the step's own number (Cal.com's SMS_NUMBER), checked as E.164 when the
/// workflow is written and stored in that form; the booking needs no phone number for it.
#[tokio::test]
async fn an_sms_number_step_texts_its_fixed_number_at_its_time() {
    let twilio = FakeTwilio::start().await;
    let app = app_with_twilio(&twilio).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({"defaultReminders": false})).await;
    let workflow = |to: &str| {
        json!({"name": "Desk", "activation": {"activeOnEventTypeIds": [event]},
               "trigger": {"type": "beforeEvent", "offset": {"value": 1, "unit": "hour"}},
               "steps": [{"action": "sms_number", "sendTo": to, "template": "custom",
                          "message": {"text": "{ATTENDEE_NAME} at {EVENT_TIME}"}}]})
    };
    for bad in ["555-0123", "", "+0123456789", "+1 415 CALL NOW"] {
        let refused = app
            .call(
                Method::POST,
                "/v2/workflows",
                Some(&key),
                Some(workflow(bad)),
            )
            .await;
        let message = assert_error(refused, 400, "BadRequestException").await;
        assert!(message.contains("steps[0].sendTo"), "{bad}: {message}");
    }
    let made = app
        .call(
            Method::POST,
            "/v2/workflows",
            Some(&key),
            Some(workflow("+44 (7700) 900-456")),
        )
        .await;
    let made = data(made, 201).await;
    assert_eq!(made["steps"][0]["sendTo"], "+447700900456");
    assert_eq!(made["steps"][0]["recipient"], "const");
    let start = at(day(3), "14:00");
    // No phone number on the booking: none is needed for a fixed number.
    let booked = book_with(&app, event, &start, |_| {}).await;
    data(booked, 201).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(twilio.sent().is_empty(), "nothing before its time");
    let start = chrono::DateTime::parse_from_rfc3339(&start)
        .unwrap()
        .with_timezone(&Utc);
    app.clock
        .advance(start - chrono::Duration::minutes(59) - app.clock.now());
    let sent = eventually(
        "the fixed number's text",
        Duration::from_secs(10),
        async || twilio.sent().first().cloned(),
    )
    .await;
    assert_eq!(sent["To"], "+447700900456");
    // Times as the organiser reads them (Ada: UTC, a 24-hour clock).
    assert_eq!(sent["Body"], "Grace Booker at 14:00");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(twilio.sent().len(), 1, "one text for the step");
}
