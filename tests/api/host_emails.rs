//! A host's choice of which booking emails they receive (`/v2/me/notifications`, the console's
//! notifications settings), honoured over a real SMTP conversation: a host who turned
//! cancellations off gets no cancel email while the attendee still does, and workflow emails
//! to hosts follow the same choice. Each user's choices are their own.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{at, booking_body, day, host};
use crate::console::{Visitor, location, person};
use crate::email::{SmtpServer, app_with_smtp, to};
use crate::helpers::{TestApp, assert_error, data, eventually, new_key, spawn_app};
use crate::workflows::reschedule;

const PATH: &str = "/v2/me/notifications";
const BOOKER: &str = "grace@booker.example";
const HOST: &str = "ada@example.com";

async fn choices(app: &TestApp, key: &str) -> Value {
    data(app.call(Method::GET, PATH, Some(key), None).await, 200).await
}

async fn choose(app: &TestApp, key: &str, changes: Value) -> Value {
    data(
        app.call(Method::PATCH, PATH, Some(key), Some(changes))
            .await,
        200,
    )
    .await
}

async fn book(app: &TestApp, event: i64, start: &str) -> String {
    let body = booking_body(event, start, BOOKER);
    let booked = data(
        app.call(Method::POST, "/v2/bookings", None, Some(body))
            .await,
        201,
    )
    .await;
    booked["uid"].as_str().unwrap().to_owned()
}

/// How many emails of `kind` were queued to `address`, sent or not.
async fn queued(app: &TestApp, kind: &str, address: &str) -> i64 {
    let query = format!(
        "SELECT id FROM jobs WHERE queue = 'email' AND kind = '{kind}' \
         AND payload LIKE '%\"to_email\":\"{address}\"%'"
    );
    app.db.count_rows(&query).await.unwrap()
}

#[tokio::test]
async fn a_host_who_turned_cancellations_off_gets_no_cancel_email_but_the_attendee_does() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(&app, HOST, json!({"defaultReminders": false})).await;
    let all_on = json!({"bookingCreated": true, "bookingRescheduled": true,
                        "bookingCancelled": true, "workflowEmails": true});
    assert_eq!(choices(&app, &key).await, all_on);
    let chosen = choose(&app, &key, json!({"bookingCancelled": false})).await;
    assert_eq!(chosen["bookingCancelled"], false);
    assert_eq!(chosen["bookingCreated"], true, "fields not sent stay");
    assert_eq!(choices(&app, &key).await, chosen);

    let uid = book(&app, event, &at(day(3), "14:00")).await;
    smtp.wait_for(2).await;
    let new_uid = reschedule(&app, &key, &uid, &at(day(4), "14:00")).await;
    // Still on: the host hears of the move.
    let mails = smtp.wait_for(4).await;
    assert_eq!(to(&mails, HOST).len(), 2, "{mails:#?}");

    let path = format!("/v2/bookings/{new_uid}/cancel");
    let cancelled = app
        .call(
            Method::POST,
            &path,
            None,
            Some(json!({"cancellationReason": "Ill"})),
        )
        .await;
    data(cancelled, 200).await;
    let mails = smtp.wait_for(5).await;
    let attendee = to(&mails, BOOKER);
    assert!(
        attendee
            .iter()
            .any(|m| m.subject.starts_with("Cancelled: ")),
        "{mails:#?}"
    );
    // Queued in the cancel's own transaction: none was queued for the host at all.
    assert_eq!(queued(&app, "email.cancelled", BOOKER).await, 1);
    assert_eq!(queued(&app, "email.cancelled", HOST).await, 0);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mails = smtp.mails().await;
    assert!(
        !to(&mails, HOST)
            .iter()
            .any(|m| m.subject.starts_with("Cancelled: ")),
        "{mails:#?}"
    );
}

#[tokio::test]
async fn workflow_emails_to_a_host_follow_their_choice() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(&app, HOST, json!({"defaultReminders": false})).await;
    let workflow = json!({"name": "Heads-up", "activation": {"isActiveOnAllEventTypes": true},
        "trigger": {"type": "newEvent"},
        "steps": [{"action": "email_host", "template": "custom",
                   "message": {"subject": "Heads-up: {ATTENDEE_NAME}", "text": "Booked."}}]});
    let made = app.call(Method::POST, "/v2/workflows", Some(&key), Some(workflow));
    data(made.await, 201).await;
    choose(&app, &key, json!({"workflowEmails": false})).await;
    let uid = book(&app, event, &at(day(3), "14:00")).await;
    // The step runs and hands over nothing; the booking emails themselves still come.
    let sent = eventually("the step run", Duration::from_secs(15), async || {
        let path = format!("/v2/bookings/{uid}/history");
        let notes = data(app.call(Method::GET, &path, Some(&key), None).await, 200).await;
        (notes.as_array().unwrap().iter())
            .find(|n| n["action"] == "reminder_sent")
            .map(|n| n["changes"]["recipients"].clone())
    })
    .await;
    assert_eq!(sent, json!([]));
    let mails = smtp.wait_for(2).await;
    assert!(
        to(&mails, HOST)
            .iter()
            .any(|m| m.subject.starts_with("Booked: ")),
        "{mails:#?}"
    );
    assert_eq!(queued(&app, "reminder", HOST).await, 0);

    // Turned back on, the next booking's step mails the host.
    choose(&app, &key, json!({"workflowEmails": true})).await;
    book(&app, event, &at(day(3), "15:00")).await;
    let mails = smtp.wait_for(5).await;
    assert!(
        to(&mails, HOST)
            .iter()
            .any(|m| m.subject == "Heads-up: Grace Booker"),
        "{mails:#?}"
    );
}

#[tokio::test]
async fn each_users_choices_are_their_own_and_bad_changes_are_refused() {
    let app = spawn_app().await;
    let (ada, _, _) = host(&app, HOST, json!({})).await;
    let (alan, _, _) = host(&app, "alan@example.com", json!({"slug": "alan-call"})).await;
    choose(
        &app,
        &ada,
        json!({"bookingCreated": false, "workflowEmails": false}),
    )
    .await;
    let theirs = choices(&app, &alan).await;
    assert_eq!(theirs["bookingCreated"], true, "{theirs}");
    assert_eq!(theirs["workflowEmails"], true, "{theirs}");
    let unsigned = app.call(Method::GET, PATH, None, None).await;
    assert_error(unsigned, 401, "UnauthorizedException").await;
    let unknown = app
        .call(
            Method::PATCH,
            PATH,
            Some(&ada),
            Some(json!({"bookingCanceled": false})),
        )
        .await;
    let message = assert_error(unknown, 400, "BadRequestException").await;
    assert!(message.contains("bookingCanceled"), "{message}");
    let not_a_switch = app
        .call(
            Method::PATCH,
            PATH,
            Some(&ada),
            Some(json!({"bookingCancelled": "no"})),
        )
        .await;
    let message = assert_error(not_a_switch, 400, "BadRequestException").await;
    assert!(message.contains("bookingCancelled"), "{message}");
    let mine = choices(&app, &ada).await;
    assert_eq!(
        mine["bookingCancelled"], true,
        "a refused change changed nothing"
    );
    assert_eq!(mine["bookingCreated"], false);
}

#[tokio::test]
async fn the_console_settings_page_changes_the_choices() {
    let app = spawn_app().await;
    person(&app, HOST).await;
    let (_, key) = new_key(&app.db, HOST).await;
    let mut ada = Visitor::signed_in(&app, HOST).await;
    let page = "/settings/my-account/notifications";
    let html = ada.page(page, 200).await;
    for name in [
        "bookingCreated",
        "bookingRescheduled",
        "bookingCancelled",
        "workflowEmails",
    ] {
        assert!(
            html.contains(&format!(
                r#"name="{name}" type="checkbox" value="on" checked>"#
            )),
            "{name}: {html}"
        );
    }
    let ticked = [("bookingCreated", "on"), ("workflowEmails", "on")];
    let saved = ada.submit(page, page, &ticked).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), format!("{page}?saved=1"));
    let now = choices(&app, &key).await;
    assert_eq!(
        now,
        json!({"bookingCreated": true, "bookingRescheduled": false,
               "bookingCancelled": false, "workflowEmails": true})
    );
    let html = ada.page(&format!("{page}?saved=1"), 200).await;
    assert!(
        html.contains(r#"name="bookingCancelled" type="checkbox" value="on">"#),
        "{html}"
    );
    // Without the session's CSRF token, nothing changes.
    let forged = ada
        .post(page, &[("_csrf", "forged"), ("bookingCancelled", "on")])
        .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(choices(&app, &key).await["bookingCancelled"], false);
}
