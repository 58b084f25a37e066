//! Workflows and reminders: the built-in reminders and workflow steps sent over a real SMTP
//! conversation at their times (the job runner's clock moved forward, never slept through),
//! moved by a reschedule, dropped by a cancel, never scheduled for a time already past; a
//! webhook step signed like any delivery; the workflows API, one owner's workflows invisible to
//! everyone else.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{at, booking_body, day, host, take_seat};
use crate::email::{Mail, SmtpServer, app_with_smtp, to};
use crate::helpers::{TestApp, always_bookable, assert_error, data, eventually, spawn_app};
use crate::process::Server;
use crate::webhooks::{Receiver, assert_signed};

const BOOKER: &str = "grace@booker.example";

/// Moves the app's job-runner clock to `instant` (forward only).
pub(crate) fn move_clock_to(app: &TestApp, instant: DateTime<Utc>) {
    let by = instant - app.clock.now();
    assert!(
        by > chrono::Duration::zero(),
        "the clock only moves forward"
    );
    app.clock.advance(by);
}

fn instant(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn book(app: &TestApp, event: i64, start: &str) -> String {
    let booked = data(
        app.call(
            Method::POST,
            "/v2/bookings",
            None,
            Some(booking_body(event, start, BOOKER)),
        )
        .await,
        201,
    )
    .await;
    booked["uid"].as_str().unwrap().to_owned()
}

/// The booking's history actions, oldest first, with their changes.
async fn history(app: &TestApp, key: &str, uid: &str) -> Vec<(String, Value)> {
    let path = format!("/v2/bookings/{uid}/history");
    let entries = data(app.call(Method::GET, &path, Some(key), None).await, 200).await;
    entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["changes"].clone(),
            )
        })
        .collect()
}

fn reminders(mails: &[Mail]) -> Vec<&Mail> {
    mails
        .iter()
        .filter(|m| m.subject.starts_with("Reminder: "))
        .collect()
}

/// Moves booking `uid` to `start` as its host; the new booking's uid.
pub(crate) async fn reschedule(app: &TestApp, key: &str, uid: &str, start: &str) -> String {
    let path = format!("/v2/bookings/{uid}/reschedule");
    let body = json!({"start": start});
    let moved = app.call(Method::POST, &path, Some(key), Some(body)).await;
    data(moved, 201).await["uid"].as_str().unwrap().to_owned()
}

/// Booking `uid`'s history says the booker stopped its reminders, through a link that named
/// `link_uid` when that is another booking.
async fn assert_stopped(app: &TestApp, key: &str, uid: &str, link_uid: Option<&str>) {
    let notes = history(app, key, uid).await;
    let stopped = notes.iter().any(|(a, c)| {
        a == "reminders_stopped" && c["email"] == BOOKER && c["linkUid"].as_str() == link_uid
    });
    assert!(stopped, "{notes:?}");
}

/// No further email arrives within a few polls of the runners (they poll every second).
async fn nothing_more(smtp: &SmtpServer, count: usize) {
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mails = smtp.mails().await;
    assert_eq!(mails.len(), count, "{mails:#?}");
}

#[tokio::test]
async fn the_default_reminders_arrive_a_day_and_an_hour_before_in_the_bookers_zone() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let start = at(day(3), "14:00");
    let uid = book(&app, event, &start).await;
    // The confirmations to the booker and the host; nothing else yet.
    smtp.wait_for(2).await;
    let scheduled = history(&app, &key, &uid).await;
    let planned = scheduled
        .iter()
        .find(|(a, _)| a == "reminders_scheduled")
        .expect("the reminders are in the history");
    assert_eq!(
        planned.1["reminders"].as_array().unwrap().len(),
        2,
        "{planned:?}"
    );

    let start = instant(&start);
    move_clock_to(
        &app,
        start - chrono::Duration::hours(24) + chrono::Duration::minutes(1),
    );
    let mails = smtp.wait_for(3).await;
    let first = reminders(&mails);
    assert_eq!(first.len(), 1, "{mails:#?}");
    let reminder = first[0];
    assert_eq!(reminder.to, BOOKER);
    // 14:00 UTC in New York is 09:00 or 10:00, by the season.
    assert!(
        reminder.subject.contains("(America/New_York)"),
        "{}",
        reminder.subject
    );
    assert!(
        reminder.subject.contains("Reminder: Call on "),
        "{}",
        reminder.subject
    );
    assert!(
        reminder
            .text
            .contains(&format!("/booking/{uid}?cancel=true")),
        "{}",
        reminder.text
    );
    assert!(
        reminder.text.contains(&format!("/reschedule/{uid}")),
        "{}",
        reminder.text
    );
    let html = reminder.html.as_deref().expect("an HTML part");
    assert!(html.contains("<a href="), "{html}");
    nothing_more(&smtp, 3).await;

    move_clock_to(
        &app,
        start - chrono::Duration::hours(1) + chrono::Duration::minutes(1),
    );
    let mails = smtp.wait_for(4).await;
    assert_eq!(reminders(&mails).len(), 2, "{mails:#?}");
    nothing_more(&smtp, 4).await;
    let sent = history(&app, &key, &uid).await;
    let sent: Vec<&Value> = sent
        .iter()
        .filter(|(a, _)| a == "reminder_sent")
        .map(|(_, c)| c)
        .collect();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0]["offsetMinutes"], 1440);
    assert_eq!(sent[1]["offsetMinutes"], 60);
    assert_eq!(sent[1]["recipients"], json!([BOOKER]));
}

#[tokio::test]
async fn a_reschedule_moves_the_reminders_and_a_cancel_drops_them() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let first = at(day(3), "14:00");
    let uid = book(&app, event, &first).await;
    smtp.wait_for(2).await;
    let moved = at(day(5), "15:00");
    let path = format!("/v2/bookings/{uid}/reschedule");
    let rescheduled = data(
        app.call(
            Method::POST,
            &path,
            Some(&key),
            Some(json!({"start": moved})),
        )
        .await,
        201,
    )
    .await;
    let new_uid = rescheduled["uid"].as_str().unwrap().to_owned();
    smtp.wait_for(4).await;
    let old = history(&app, &key, &uid).await;
    assert!(
        old.iter()
            .any(|(a, c)| a == "reminders_dropped" && c["count"] == 2),
        "{old:?}"
    );

    // The old times pass without a reminder.
    move_clock_to(
        &app,
        instant(&first) - chrono::Duration::hours(1) + chrono::Duration::minutes(1),
    );
    nothing_more(&smtp, 4).await;

    // The new day-before reminder comes at the new time.
    let moved = instant(&moved);
    move_clock_to(
        &app,
        moved - chrono::Duration::hours(24) + chrono::Duration::minutes(1),
    );
    let mails = smtp.wait_for(5).await;
    let sent = reminders(&mails);
    assert_eq!(sent.len(), 1, "{mails:#?}");
    assert!(
        sent[0].text.contains(&format!("/reschedule/{new_uid}")),
        "{}",
        sent[0].text
    );

    // Cancelled, the hour-before reminder never comes.
    let path = format!("/v2/bookings/{new_uid}/cancel");
    data(
        app.call(
            Method::POST,
            &path,
            Some(&key),
            Some(json!({"cancellationReason": "ill"})),
        )
        .await,
        200,
    )
    .await;
    smtp.wait_for(7).await;
    move_clock_to(&app, moved - chrono::Duration::minutes(30));
    nothing_more(&smtp, 7).await;
    let new = history(&app, &key, &new_uid).await;
    assert!(
        new.iter()
            .any(|(a, c)| a == "reminders_dropped" && c["count"] == 1),
        "{new:?}"
    );
}

#[tokio::test]
async fn a_reminder_whose_time_has_passed_is_not_scheduled() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (_, key) = crate::event_types::person(&app, "ada@example.com", "UTC").await;
    let event = always_bookable(
        &app,
        &key,
        json!({"title": "Soon", "slug": "soon", "lengthInMinutes": 30, "minimumBookingNotice": 0}),
    )
    .await;
    // A slot about three hours ahead: the day-before reminder's time is already past.
    let soon = (Utc::now() + chrono::Duration::hours(3))
        .format("%Y-%m-%dT%H:00:00Z")
        .to_string();
    let uid = book(&app, event, &soon).await;
    smtp.wait_for(2).await;
    let planned = history(&app, &key, &uid).await;
    let planned = planned
        .iter()
        .find(|(a, _)| a == "reminders_scheduled")
        .expect("scheduled");
    let reminders_planned = planned.1["reminders"].as_array().unwrap();
    assert_eq!(reminders_planned.len(), 1, "{planned:?}");
    assert_eq!(reminders_planned[0]["offsetMinutes"], 60);

    move_clock_to(&app, instant(&soon) - chrono::Duration::minutes(59));
    let mails = smtp.wait_for(3).await;
    assert_eq!(reminders(&mails).len(), 1, "{mails:#?}");
    nothing_more(&smtp, 3).await;
}

#[tokio::test]
async fn default_reminders_can_be_turned_off() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let path = format!("/v2/event-types/{event}");
    let shown = app
        .call_as("2024-06-14", Method::GET, &path, Some(&key))
        .await;
    let shown = data(shown, 200).await;
    assert_eq!(shown["defaultReminders"], true, "new event types have them");
    let changed = data(
        app.call(
            Method::PATCH,
            &path,
            Some(&key),
            Some(json!({"defaultReminders": false})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(changed["defaultReminders"], false);
    let start = at(day(3), "14:00");
    let uid = book(&app, event, &start).await;
    smtp.wait_for(2).await;
    let steps = history(&app, &key, &uid).await;
    assert!(
        !steps.iter().any(|(a, _)| a == "reminders_scheduled"),
        "{steps:?}"
    );
    move_clock_to(&app, instant(&start) - chrono::Duration::minutes(59));
    nothing_more(&smtp, 2).await;
}

#[tokio::test]
async fn a_workflow_taken_off_its_event_type_sends_nothing_more() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({"defaultReminders": false})).await;
    let made = data(
        app.call(
            Method::POST,
            "/v2/workflows",
            Some(&key),
            Some(reminder_workflow(json!([event]))),
        )
        .await,
        201,
    )
    .await;
    let start = at(day(3), "14:00");
    let uid = book(&app, event, &start).await;
    smtp.wait_for(2).await;
    // Taken off the event type after the booking scheduled its step: the step is withdrawn
    // in the same transaction, so nothing is due.
    let path = format!("/v2/workflows/{}", made["id"]);
    let off = json!({"activation": {"isActiveOnAllEventTypes": false, "activeOnEventTypeIds": []}});
    data(
        app.call(Method::PATCH, &path, Some(&key), Some(off)).await,
        200,
    )
    .await;
    let notes = history(&app, &key, &uid).await;
    let dropped = notes.iter().find(|(a, _)| a == "reminders_dropped");
    let (_, dropped) = dropped.unwrap_or_else(|| panic!("{notes:?}"));
    assert_eq!(dropped["count"], 1);
    assert_eq!(dropped["reason"], "the workflow was edited");
    move_clock_to(&app, instant(&start) - chrono::Duration::hours(23));
    nothing_more(&smtp, 2).await;
    let notes = history(&app, &key, &uid).await;
    assert!(
        !notes.iter().any(|(a, _)| a.starts_with("reminder_")),
        "nothing ran: {notes:?}"
    );
    // A list of event types is deduplicated and bounded.
    let many: Vec<i64> = std::iter::repeat_n(event, 3).chain(1_000..1_600).collect();
    let message = assert_error(
        app.call(
            Method::POST,
            "/v2/workflows",
            Some(&key),
            Some(reminder_workflow(json!(many))),
        )
        .await,
        400,
        "BadRequestException",
    )
    .await;
    assert!(message.contains("at most 500"), "{message}");
    let twice = data(
        app.call(
            Method::POST,
            "/v2/workflows",
            Some(&key),
            Some(reminder_workflow(json!([event, event]))),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(twice["activation"]["activeOnEventTypeIds"], json!([event]));
}

/// The `reminders_scheduled` lines of booking `uid`'s history, as (offset, due at).
async fn scheduled(app: &TestApp, key: &str, uid: &str) -> Vec<(u64, String)> {
    let notes = history(app, key, uid).await;
    (notes.iter())
        .filter(|(a, _)| a == "reminders_scheduled")
        .flat_map(|(_, c)| c["reminders"].as_array().cloned().unwrap_or_default())
        .map(|r| {
            let at = r["at"].as_str().unwrap().to_owned();
            (r["offsetMinutes"].as_u64().unwrap(), at)
        })
        .collect()
}

/// Editing a workflow re-plans the reminders already queued for future bookings, in the
/// edit's transaction: a day-before step moved to two hours before sends exactly one reminder,
/// at two hours before; a step moved to a time already past sends nothing.
#[tokio::test]
async fn editing_a_workflow_re_plans_its_queued_reminders() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({"defaultReminders": false})).await;
    let made = app.call(
        Method::POST,
        "/v2/workflows",
        Some(&key),
        Some(reminder_workflow(json!([event]))),
    );
    let made = data(made.await, 201).await;
    let start = at(day(3), "14:00");
    let uid = book(&app, event, &start).await;
    smtp.wait_for(2).await;
    assert_eq!(scheduled(&app, &key, &uid).await.len(), 1);
    let path = format!("/v2/workflows/{}", made["id"]);
    let two_hours =
        json!({"trigger": {"type": "beforeEvent", "offset": {"value": 2, "unit": "hour"}}});
    let changed = app.call(Method::PATCH, &path, Some(&key), Some(two_hours.clone()));
    data(changed.await, 200).await;
    let plans = scheduled(&app, &key, &uid).await;
    assert_eq!(plans.len(), 2, "{plans:?}");
    assert_eq!(plans[1].0, 120);
    assert_eq!(
        instant(&plans[1].1),
        instant(&start) - chrono::Duration::hours(2)
    );
    // The same edit again (and a new name) plans nothing more.
    let renamed = json!({"name": "Two hours before", "trigger": two_hours["trigger"]});
    data(
        app.call(Method::PATCH, &path, Some(&key), Some(renamed))
            .await,
        200,
    )
    .await;
    assert_eq!(scheduled(&app, &key, &uid).await.len(), 2);
    // A day before: the old time, withdrawn, sends nothing.
    move_clock_to(&app, instant(&start) - chrono::Duration::hours(23));
    nothing_more(&smtp, 2).await;
    move_clock_to(&app, instant(&start) - chrono::Duration::minutes(119));
    smtp.wait_for(3).await;
    nothing_more(&smtp, 3).await;
    let mails = smtp.mails().await;
    let sent = reminders(&mails);
    assert_eq!(sent.len(), 1, "{mails:#?}");
    assert!(sent[0].to.contains(BOOKER), "{:?}", sent[0].to);
    // Moved to four hours before, now past: nothing is scheduled or sent.
    let four = json!({"trigger": {"type": "beforeEvent", "offset": {"value": 4, "unit": "hour"}}});
    data(
        app.call(Method::PATCH, &path, Some(&key), Some(four)).await,
        200,
    )
    .await;
    assert_eq!(scheduled(&app, &key, &uid).await.len(), 2);
    nothing_more(&smtp, 3).await;
}

#[tokio::test]
async fn a_custom_workflow_emails_the_hosts_and_an_address_with_its_variables() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({"defaultReminders": false})).await;
    let workflow = json!({
        "name": "Tell the team",
        "activation": {"isActiveOnAllEventTypes": false, "activeOnEventTypeIds": [event]},
        "trigger": {"type": "newEvent"},
        "steps": [
            {"action": "email_host", "template": "custom",
             "message": {"subject": "New: {EVENT_NAME} with {ATTENDEE_NAME}",
                         "html": "<p>{ATTENDEE} <b>booked</b> {EVENT_DATE} {EVENT_TIME} {TIMEZONE}.</p><p>Notes: {ADDITIONAL_NOTES}</p>"}},
            {"action": "email_address", "sendTo": "ada@example.com", "template": "reminder"},
        ],
    });
    data(
        app.call(
            Method::POST,
            "/v2/workflows",
            Some(&key),
            Some(workflow.clone()),
        )
        .await,
        201,
    )
    .await;
    let mut body = booking_body(event, &at(day(3), "14:00"), BOOKER);
    body["bookingFieldsResponses"] = json!({"notes": "<script>x</script>"});
    data(
        app.call(Method::POST, "/v2/bookings", None, Some(body))
            .await,
        201,
    )
    .await;
    let mails = smtp.wait_for(4).await;
    let host_mails = to(&mails, "ada@example.com");
    let custom = host_mails
        .iter()
        .find(|m| m.subject.starts_with("New: "))
        .unwrap_or_else(|| panic!("{mails:#?}"));
    assert_eq!(custom.subject, "New: Call with Grace Booker");
    // The host's own zone (UTC); the text part made from the HTML.
    assert!(
        custom.text.contains("Grace Booker booked") && custom.text.contains("14:00 UTC"),
        "{}",
        custom.text
    );
    let html = custom.html.as_deref().unwrap();
    assert!(
        html.contains("<b>booked</b>") && html.contains("&lt;script&gt;"),
        "{html}"
    );
    // The booking's own host email, the custom step, and the address step (to Ada's own).
    assert_eq!(host_mails.len(), 3, "{mails:#?}");
    assert!(
        host_mails
            .iter()
            .any(|m| m.subject.starts_with("Booked: Call on ")),
        "{mails:#?}"
    );
    // An address that is no account of the owner's is refused: no mailing strangers.
    let mut stranger = workflow.clone();
    stranger["steps"][1]["sendTo"] = json!("desk@example.com");
    let message = assert_error(
        app.call(Method::POST, "/v2/workflows", Some(&key), Some(stranger))
            .await,
        400,
        "BadRequestException",
    )
    .await;
    assert!(message.starts_with("steps[1].sendTo"), "{message}");
}

#[tokio::test]
async fn a_workflow_webhook_step_is_signed_like_any_delivery() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let secret = "workflow-secret";
    let hook = data(
        app.call(
            Method::POST,
            "/v2/webhooks",
            Some(&key),
            Some(json!({"subscriberUrl": receiver.url, "triggers": ["BOOKING_REJECTED"], "secret": secret})),
        )
        .await,
        201,
    )
    .await;
    let workflow = json!({
        "name": "Quarter hour before",
        "activation": {"isActiveOnAllEventTypes": true},
        "trigger": {"type": "beforeEvent", "offset": {"value": 15, "unit": "minute"}},
        "steps": [{"action": "webhook", "webhookId": hook["id"]}],
    });
    let made = data(
        app.call(Method::POST, "/v2/workflows", Some(&key), Some(workflow))
            .await,
        201,
    )
    .await;
    let start = at(day(2), "10:00");
    let uid = book(&app, event, &start).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(receiver.hits().is_empty(), "not before its time");

    move_clock_to(&app, instant(&start) - chrono::Duration::minutes(14));
    let hits = receiver
        .wait_for("the workflow's call", |h| !h.is_empty())
        .await;
    assert_eq!(hits.len(), 1);
    assert_signed(&hits[0], secret);
    let body: Value = serde_json::from_slice(&hits[0].body).unwrap();
    assert_eq!(body["triggerEvent"], "BEFORE_EVENT");
    assert_eq!(body["payload"]["uid"], uid.as_str());
    assert_eq!(body["payload"]["workflow"]["id"], made["id"]);
    assert_eq!(body["payload"]["workflow"]["offsetMinutes"], 15);
}

fn reminder_workflow(event_types: Value) -> Value {
    json!({
        "name": "Day before",
        "activation": {"isActiveOnAllEventTypes": false, "activeOnEventTypeIds": event_types},
        "trigger": {"type": "beforeEvent", "offset": {"value": 1, "unit": "day"}},
        "steps": [{"action": "email_attendee", "template": "reminder"}],
    })
}

#[tokio::test]
async fn workflows_are_created_read_changed_and_deleted_by_their_owner_only() {
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let (other, other_event, _) = host(&app, "eve@example.com", json!({})).await;
    let made = data(
        app.call(
            Method::POST,
            "/v2/workflows",
            Some(&key),
            Some(reminder_workflow(json!([event]))),
        )
        .await,
        201,
    )
    .await;
    let id = made["id"].as_i64().unwrap();
    assert_eq!(made["type"], "event-type");
    assert_eq!(
        made["trigger"],
        json!({"type": "beforeEvent", "offset": {"value": 1, "unit": "day"}})
    );
    assert_eq!(made["activation"]["activeOnEventTypeIds"], json!([event]));
    assert_eq!(made["steps"][0]["recipient"], "attendee");
    assert_eq!(made["steps"][0]["stepNumber"], 1);
    let path = format!("/v2/workflows/{id}");
    let listed = data(
        app.call(Method::GET, "/v2/workflows", Some(&key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let changed = data(
        app.call(
            Method::PATCH,
            &path,
            Some(&key),
            Some(json!({"name": "Renamed"})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(changed["name"], "Renamed");
    assert_eq!(changed["trigger"], made["trigger"], "fields not sent stay");

    // Someone else: not found, whatever they try; their list is their own.
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"name": "x"}))),
        (Method::DELETE, None),
    ] {
        let answer = app.call(method.clone(), &path, Some(&other), body).await;
        assert_error(answer, 404, "NotFoundException").await;
    }
    let theirs = data(
        app.call(Method::GET, "/v2/workflows", Some(&other), None)
            .await,
        200,
    )
    .await;
    assert_eq!(theirs, json!([]));
    // Nor can a workflow name another user's event type.
    let answer = app
        .call(
            Method::POST,
            "/v2/workflows",
            Some(&key),
            Some(reminder_workflow(json!([other_event]))),
        )
        .await;
    let error = assert_error(answer, 400, "BadRequestException").await;
    assert!(
        error.contains("activation.activeOnEventTypeIds[0]"),
        "{error}"
    );

    data(app.call(Method::DELETE, &path, Some(&key), None).await, 200).await;
    assert_error(
        app.call(Method::GET, &path, Some(&key), None).await,
        404,
        "NotFoundException",
    )
    .await;
}

#[tokio::test]
async fn bad_workflows_are_refused_in_the_cal_com_envelope() {
    let app = spawn_app().await;
    let (key, _, _) = host(&app, "ada@example.com", json!({})).await;
    let (other, _, _) = host(&app, "eve@example.com", json!({})).await;
    let theirs = data(
        app.call(
            Method::POST,
            "/v2/webhooks",
            Some(&other),
            Some(
                json!({"subscriberUrl": "https://example.com/h", "triggers": ["BOOKING_CREATED"]}),
            ),
        )
        .await,
        201,
    )
    .await;
    let cases = [
        (
            json!({"trigger": {"type": "newEvent"}, "steps": [{"action": "email_host"}]}),
            "name",
        ),
        (
            json!({"name": "x", "trigger": {"type": "sometime"}, "steps": [{"action": "email_host"}]}),
            "trigger.type",
        ),
        (
            json!({"name": "x", "trigger": {"type": "afterEvent", "offset": {"value": 2, "unit": "week"}}, "steps": [{"action": "email_host"}]}),
            "trigger.offset.unit",
        ),
        (
            json!({"name": "x", "trigger": {"type": "newEvent"}, "steps": [{"action": "email_address", "sendTo": "nobody"}]}),
            "steps[0].sendTo",
        ),
        (
            json!({"name": "x", "trigger": {"type": "newEvent"}, "steps": [{"action": "webhook", "webhookId": theirs["id"]}]}),
            "steps[0].webhookId",
        ),
        (
            json!({"name": "x", "trigger": {"type": "newEvent"}, "steps": [{"action": "sms_number", "sendTo": "0123"}]}),
            "steps[0].sendTo",
        ),
        (
            json!({"name": "x", "trigger": {"type": "newEvent"}, "steps": [{"action": "whatsapp_number", "sendTo": "+14155550123"}]}),
            "steps[0].action",
        ),
        (
            json!({"name": "x", "trigger": {"type": "newEvent"}, "steps": "all"}),
            "steps",
        ),
    ];
    for (body, field) in cases {
        let answer = app
            .call(Method::POST, "/v2/workflows", Some(&key), Some(body))
            .await;
        let error = assert_error(answer, 400, "BadRequestException").await;
        assert!(error.contains(field), "{field}: {error}");
    }
    let answer = app.call(Method::GET, "/v2/workflows", None, None).await;
    assert_error(answer, 401, "UnauthorizedException").await;
}

#[tokio::test]
async fn team_workflows_belong_to_the_team_and_its_admins() {
    let app = spawn_app().await;
    let (key, _, _) = host(&app, "ada@example.com", json!({})).await;
    let (other, _, _) = host(&app, "eve@example.com", json!({})).await;
    let team = data(
        app.call(
            Method::POST,
            "/v2/teams",
            Some(&key),
            Some(json!({"name": "Sales", "slug": "sales"})),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let base = format!("/v2/teams/{team}/workflows");
    let mut body = reminder_workflow(json!([]));
    body["activation"] = json!({"isActiveOnAllEventTypes": true});
    let made = data(
        app.call(Method::POST, &base, Some(&key), Some(body.clone()))
            .await,
        201,
    )
    .await;
    assert_eq!(made["teamId"], team);
    assert_eq!(made["userId"], Value::Null);
    let path = format!("{base}/{}", made["id"]);
    data(app.call(Method::GET, &path, Some(&key), None).await, 200).await;
    // The team's workflow is not the admin's personal one.
    let personal = format!("/v2/workflows/{}", made["id"]);
    assert_error(
        app.call(Method::GET, &personal, Some(&key), None).await,
        404,
        "NotFoundException",
    )
    .await;
    // A stranger to the team finds neither the team's workflows nor a way to add one.
    assert_error(
        app.call(Method::GET, &base, Some(&other), None).await,
        404,
        "NotFoundException",
    )
    .await;
    assert_error(
        app.call(Method::POST, &base, Some(&other), Some(body))
            .await,
        404,
        "NotFoundException",
    )
    .await;
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"name": "x"}))),
        (Method::DELETE, None),
    ] {
        assert_error(
            app.call(method, &path, Some(&other), body).await,
            404,
            "NotFoundException",
        )
        .await;
    }
    data(app.call(Method::DELETE, &path, Some(&key), None).await, 200).await;
    let left = data(app.call(Method::GET, &base, Some(&key), None).await, 200).await;
    assert_eq!(left, json!([]));
}

#[tokio::test]
async fn a_preview_shows_a_steps_message_for_a_sample_booking() {
    let app = spawn_app().await;
    let (key, _, _) = host(&app, "ada@example.com", json!({})).await;
    let body = json!({
        "trigger": {"type": "beforeEvent", "offset": {"value": 1, "unit": "hour"}},
        "step": {"action": "email_attendee", "template": "custom",
                 "message": {"subject": "See you at {EVENT_TIME}, {ATTENDEE_FIRST_NAME}", "html": "<p>{LOCATION} for {COMPANY}</p>"}},
    });
    let shown = data(
        app.call(
            Method::POST,
            "/v2/workflows/preview",
            Some(&key),
            Some(body),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(shown["subject"], "See you at 10:00, Alex");
    assert_eq!(
        shown["text"],
        "https://meet.example/sample for Example Ltd\n"
    );
    assert!(
        shown["html"]
            .as_str()
            .unwrap()
            .contains("<p>https://meet.example/sample for Example Ltd</p>")
    );
    let bad = json!({"trigger": {"type": "beforeEvent"}, "step": {"action": "email_attendee"}});
    let answer = app
        .call(Method::POST, "/v2/workflows/preview", Some(&key), Some(bad))
        .await;
    assert_error(answer, 400, "BadRequestException").await;
}

/// Workflow emails (the `reminder` queue handing steps to the email queue) across a SIGKILL
/// and two instances sharing the database: every step is handed over exactly once, and every
/// email arrives, repeated only if it was on the wire when the process died.
#[tokio::test]
async fn reminders_survive_a_sigkill_and_two_instances_without_repeats() {
    const BOOKINGS: usize = 60;
    let database = crate::helpers::TestDatabase::new().await;
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let settings = |workers: &'static str| {
        vec![
            ("KAIROS_SMTP_URL", url.as_str()),
            ("KAIROS_EMAIL_WORKER", workers),
            ("KAIROS_WEBHOOK_WORKER", workers),
            ("KAIROS_EMAIL_RETRY_SCHEDULE", "1s"),
            // Short, so a restarted instance takes over the dead one's claims soon.
            ("KAIROS_EMAIL_LEASE_SECS", "3"),
        ]
    };

    // Steps queued while no instance runs them: a workflow emailing each booker at once.
    let server = Server::start_with_env(&database, &["serve", "--demo"], &settings("false"));
    let key = server.demo_key();
    let client = reqwest::Client::new();
    let call = async |method: Method, path: &str, body: Value| {
        let request = client.request(method, format!("{}{path}", server.base_url));
        request.bearer_auth(&key).json(&body).send().await.unwrap()
    };
    let schedule = json!({"name": "Always", "timeZone": "UTC", "availability": [{"days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], "startTime": "00:00", "endTime": "23:59"}]});
    let schedule = data(call(Method::POST, "/v2/schedules", schedule).await, 201).await;
    let event = json!({"title": "Quick", "slug": "quick-kill", "lengthInMinutes": 15, "minimumBookingNotice": 0,
                       "scheduleId": schedule["id"], "defaultReminders": false});
    let event = data(call(Method::POST, "/v2/event-types", event).await, 201).await["id"]
        .as_i64()
        .unwrap();
    let workflow = json!({"name": "Hello", "activation": {"isActiveOnAllEventTypes": true}, "trigger": {"type": "newEvent"},
        "steps": [{"action": "email_attendee", "template": "custom", "message": {"subject": "Workflow {ATTENDEE_EMAIL}", "html": "<p>Hi</p>"}}]});
    data(call(Method::POST, "/v2/workflows", workflow).await, 201).await;
    for i in 0..BOOKINGS {
        let start = format!("{}T{:02}:{:02}:00Z", day(2), i / 4, (i % 4) * 15);
        let body = booking_body(event, &start, &format!("booker{i}@example.com"));
        data(call(Method::POST, "/v2/bookings", body).await, 201).await;
    }
    drop(server);

    // An instance sends slowly and is killed with emails under way.
    smtp.set_delay(Duration::from_millis(60));
    let mut server = Server::start_with_env(&database, &["serve"], &settings("true"));
    let workflow_mails = async || {
        let mails = smtp.mails().await;
        mails
            .into_iter()
            .filter(|m| m.subject.starts_with("Workflow "))
            .collect::<Vec<_>>()
    };
    eventually(
        "workflow emails under way",
        Duration::from_secs(30),
        async || {
            let n = workflow_mails().await.len();
            if n >= 10 {
                Ok(())
            } else {
                Err(format!("{n} sent"))
            }
        },
    )
    .await;
    server.signal("KILL");
    server.wait();
    let before_kill = workflow_mails().await.len();
    assert!(
        before_kill < BOOKINGS,
        "the kill came before the queue drained ({before_kill} sent)"
    );
    smtp.set_delay(Duration::ZERO);

    // Two instances share what is left.
    let _one = Server::start_with_env(&database, &["serve"], &settings("true"));
    let _two = Server::start_with_env(&database, &["serve"], &settings("true"));
    eventually(
        "every workflow email",
        Duration::from_secs(60),
        async || {
            let mails = workflow_mails().await;
            let mut seen: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
            seen.sort_unstable();
            seen.dedup();
            if seen.len() == BOOKINGS {
                Ok(())
            } else {
                Err(format!("{} of {BOOKINGS}", seen.len()))
            }
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let repeats = workflow_mails().await.len() - BOOKINGS;
    let on_the_wire = kairos::notify::worker::CONCURRENCY;
    assert!(
        repeats <= on_the_wire,
        "only emails on the wire at the kill (at most the sender's {on_the_wire}) are sent again: {repeats}"
    );
    let db = kairos::storage::Db::connect(
        &kairos::storage::DatabaseUrl::parse(&database.url).unwrap(),
        &kairos::storage::PoolOptions::default(),
    )
    .unwrap();
    let handed = db
        .count_rows(
            "SELECT id FROM jobs WHERE queue = 'email' AND kind = 'reminder' \
             AND payload LIKE '%\"subject\":\"Workflow %'",
        )
        .await
        .unwrap();
    assert_eq!(
        handed, BOOKINGS as i64,
        "each step was handed to the email queue once"
    );
    let done = db
        .count_rows("SELECT id FROM jobs WHERE queue = 'reminder' AND kind = 'newEvent' AND status = 'done'")
        .await
        .unwrap();
    assert_eq!(done, BOOKINGS as i64);
}

#[tokio::test]
async fn a_booker_stops_a_bookings_reminders_through_the_signed_link() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let start = at(day(3), "14:00");
    let uid = book(&app, event, &start).await;
    smtp.wait_for(2).await;
    let start = instant(&start);
    move_clock_to(
        &app,
        start - chrono::Duration::hours(24) + chrono::Duration::minutes(1),
    );
    let mails = smtp.wait_for(3).await;
    let reminder = reminders(&mails)[0].text.clone();
    let link = reminder
        .lines()
        .find_map(|l| l.strip_prefix("No more reminders for this booking: "))
        .unwrap_or_else(|| panic!("{reminder}"))
        .trim()
        .to_owned();
    let path = link.strip_prefix(&app.address).unwrap().to_owned();
    let token = link.split("token=").nth(1).unwrap();
    let token = token.split('&').next().unwrap().to_owned();

    // Opening the link only asks; a link for another booking, or a forged one, is refused.
    let page = app.get(&path).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Stop reminders"));
    let elsewhere = path.replace(&uid, "another-uid");
    assert_eq!(app.get(&elsewhere).await.status(), 400);
    let forged = format!("/booking/{uid}/reminders-off?token={}x", token);
    assert_eq!(app.get(&forged).await.status(), 400);
    let form_path = format!("/booking/{uid}/reminders-off");
    let stopped = app
        .client
        .post(format!("{}{form_path}", app.address))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), 200);
    assert!(stopped.text().await.unwrap().contains(r#"id="stopped""#));

    move_clock_to(&app, start - chrono::Duration::minutes(59));
    nothing_more(&smtp, 3).await;
    assert_stopped(&app, &key, &uid, None).await;
}

/// A `newEvent` workflow emailing the attendees, so each booking's attendees get a message
/// (with its stop link) at once.
async fn welcome_workflow(app: &TestApp, key: &str) {
    let workflow = json!({"name": "Welcome", "activation": {"isActiveOnAllEventTypes": true},
        "trigger": {"type": "newEvent"},
        "steps": [{"action": "email_attendee", "template": "reminder"}]});
    let made = app.call(Method::POST, "/v2/workflows", Some(key), Some(workflow));
    data(made.await, 201).await;
}

/// The stop link in the first message to `to` that has one, once it arrives.
async fn stop_link(app: &TestApp, smtp: &SmtpServer, to: &str) -> (String, String) {
    let link = eventually(
        "a message with a stop link",
        Duration::from_secs(15),
        async || {
            let mails = smtp.mails().await;
            (mails.iter()).filter(|m| m.to == to).find_map(|m| {
                m.text
                    .lines()
                    .find_map(|l| l.strip_prefix("No more reminders for this booking: "))
                    .map(|l| l.trim().to_owned())
            })
        },
    )
    .await;
    let path = link.strip_prefix(&app.address).unwrap();
    let (path, query) = path.split_once('?').unwrap();
    let token = query
        .split('&')
        .find_map(|p| p.strip_prefix("token="))
        .unwrap();
    (path.to_owned(), token.to_owned())
}

async fn stop_reminders(app: &TestApp, (path, token): &(String, String)) {
    let stopped = (app.client.post(format!("{}{path}", app.address)))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), 200);
}

/// The recipients of the booking's sent reminders with `offset` minutes, once one is sent.
async fn reminder_recipients(app: &TestApp, key: &str, uid: &str, offset: u32) -> Value {
    eventually(
        "the reminder handed over",
        Duration::from_secs(15),
        async || {
            let notes = history(app, key, uid).await;
            notes
                .into_iter()
                .find(|(a, c)| a == "reminder_sent" && c["offsetMinutes"] == offset)
                .map(|(_, c)| c["recipients"].clone())
        },
    )
    .await
}

#[tokio::test]
async fn a_stop_link_opened_after_a_reschedule_stops_the_new_bookings_reminders() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    welcome_workflow(&app, &key).await;
    let uid = book(&app, event, &at(day(3), "14:00")).await;
    let link = stop_link(&app, &smtp, BOOKER).await;
    let moved = at(day(5), "15:00");
    let new_uid = reschedule(&app, &key, &uid, &moved).await;

    // The old link, opened now, stops the reminders of the booking the attendee holds now.
    stop_reminders(&app, &link).await;
    assert_stopped(&app, &key, &new_uid, Some(&uid)).await;
    let moved = instant(&moved);
    move_clock_to(
        &app,
        moved - chrono::Duration::hours(24) + chrono::Duration::minutes(1),
    );
    let to = reminder_recipients(&app, &key, &new_uid, 1440).await;
    assert_eq!(to, json!([]), "the booker stopped them");
}

#[tokio::test]
async fn a_stop_link_opened_after_a_seat_moved_stops_that_seats_reminders_only() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let seats = json!({"seats": {"seatsPerTimeSlot": 3, "showAttendeeInfo": false}});
    let (key, event, _) = host(&app, "ada@example.com", seats).await;
    welcome_workflow(&app, &key).await;
    let first = at(day(7), "13:00");
    let mine = take_seat(&app, event, &first, "Grace Booker", BOOKER).await;
    let link = stop_link(&app, &smtp, BOOKER).await;
    let other = "alan@second.example";
    take_seat(&app, event, &first, "Alan Turing", other).await;
    let old_uid = mine["uid"].as_str().unwrap().to_owned();
    let later = at(day(7), "15:00");
    let body = json!({"start": later, "seatUid": mine["seatUid"]});
    let path = format!("/v2/bookings/{old_uid}/reschedule");
    let moved = app.call(Method::POST, &path, None, Some(body)).await;
    let new_uid = data(moved, 201).await["uid"].as_str().unwrap().to_owned();
    assert_ne!(new_uid, old_uid);

    stop_reminders(&app, &link).await;
    assert_stopped(&app, &key, &new_uid, Some(&old_uid)).await;
    let old = history(&app, &key, &old_uid).await;
    assert!(
        old.iter()
            .any(|(a, c)| a == "seat_rescheduled" && c["rescheduledToUid"] == new_uid.as_str()),
        "{old:?}"
    );
    assert!(
        !old.iter().any(|(a, _)| a == "reminders_stopped"),
        "{old:?}"
    );
    // Both day-before reminders fall due: the moved seat's says nothing to the booker, the
    // seat left behind still reminds its holder.
    move_clock_to(
        &app,
        instant(&later) - chrono::Duration::hours(24) + chrono::Duration::minutes(1),
    );
    let to = reminder_recipients(&app, &key, &new_uid, 1440).await;
    assert_eq!(to, json!([]));
    let to = reminder_recipients(&app, &key, &old_uid, 1440).await;
    assert_eq!(to, json!([other]));
}
