//! Push notifications end to end: after the first sync Kairos opens a Google channel or a Graph
//! subscription on the selected calendar, pointing at its own notification endpoint; a change
//! notification from the fake makes the busy time show within seconds (the sync interval is an
//! hour), a wrong token is refused and syncs nothing, and deselecting or disconnecting stops
//! the channel.

use std::time::Duration;

use chrono::{Duration as Days, NaiveDate, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::host;
use crate::bookings::slot_starts as slots;
use crate::calendars::{consent, consent_url, google_config, microsoft_config, synced};
use crate::fake_google::FakeGoogle;
use crate::fake_microsoft::{FakeMicrosoft, timed};
use crate::helpers::{TestApp, TestDatabase, data, eventually, spawn_app_with};

/// How long a notification has to bring its sync.
const NOTICE_TIME: Duration = Duration::from_secs(5);

/// Far longer than any test: only a notification can bring a change in time.
const SYNC_INTERVAL: u64 = 3600;

async fn app_with_google(fake: &FakeGoogle) -> TestApp {
    let database = TestDatabase::new().await;
    let config = kairos::config::Config {
        calendar_sync_interval: SYNC_INTERVAL,
        ..google_config(fake, &database)
    };
    spawn_app_with(config, database).await
}

async fn app_with_microsoft(fake: &FakeMicrosoft) -> TestApp {
    let database = TestDatabase::new().await;
    let config = kairos::config::Config {
        calendar_sync_interval: SYNC_INTERVAL,
        ..microsoft_config(fake, &database)
    };
    spawn_app_with(config, database).await
}

/// Google's consent round trip as a browser follows it; Kairos' final status.
async fn google_consent(app: &TestApp, key: &str) -> u16 {
    let back = consent_url(app, key, "google", "").await;
    reqwest::get(&back).await.unwrap().status().as_u16()
}

fn ten(date: NaiveDate) -> String {
    format!("{date}T10:00:00.000Z")
}

#[tokio::test]
async fn a_google_notification_brings_a_new_event_within_seconds_and_a_wrong_token_nothing() {
    let fake = FakeGoogle::start().await;
    fake.add_calendar("ada@example.com", "Ada", true, "owner", "UTC");
    let app = app_with_google(&fake).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let date = (Utc::now() + Days::days(4)).date_naive();
    assert_eq!(google_consent(&app, &key).await, 200);
    synced(&app, &key).await;

    // The first sync opened a channel on the selected calendar, at Kairos' endpoint.
    let channels = fake.channels();
    assert_eq!(channels.len(), 1, "{channels:?}");
    let (id, channel) = channels.iter().next().unwrap();
    assert_eq!(
        fake.channel_address(id).unwrap(),
        format!("{}/v2/calendars/google/notifications", app.address)
    );
    assert!(channel["token"].as_str().unwrap().len() >= 32, "{channel}");
    assert!(slots(&app, event, date).await.contains(&ten(date)));

    fake.add_event(
        "ada@example.com",
        json!({"summary": "Dentist", "start": {"dateTime": format!("{date}T10:00:00Z")},
               "end": {"dateTime": format!("{date}T11:00:00Z")}}),
    );
    let reads = fake.count("GET", "/events");
    // The channel's opening message is acknowledged; a stranger's or a wrong token is not.
    assert_eq!(fake.notify(id, "sync", None).await, 200);
    assert_eq!(fake.notify(id, "exists", Some("guessed")).await, 403);
    let stranger = app
        .client
        .post(format!("{}/v2/calendars/google/notifications", app.address))
        .header("X-Goog-Channel-ID", "no-such-channel")
        .header("X-Goog-Resource-ID", "resource-1")
        .header("X-Goog-Resource-State", "exists")
        .header("X-Goog-Channel-Token", "guessed")
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 404);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(fake.count("GET", "/events"), reads, "{:?}", fake.requests());
    assert!(slots(&app, event, date).await.contains(&ten(date)));

    // The real notification: the new event blocks within seconds.
    assert_eq!(fake.notify(id, "exists", None).await, 200);
    eventually(
        "the notification to bring the event",
        NOTICE_TIME,
        async || !slots(&app, event, date).await.contains(&ten(date)),
    )
    .await;

    // Deselected, the calendar's channel is stopped at Google.
    let path = format!(
        "/v2/selected-calendars?integration=google_calendar&externalId={}",
        "ada%40example.com"
    );
    data(app.call(Method::DELETE, &path, Some(&key), None).await, 200).await;
    assert!(fake.channels().is_empty(), "{:?}", fake.channels());
}

#[tokio::test]
async fn a_graph_notification_brings_a_new_event_within_seconds_and_a_wrong_state_nothing() {
    let fake = FakeMicrosoft::start().await;
    let app = app_with_microsoft(&fake).await;
    let (key, event, _) = host(&app, "ada@example.com", json!({})).await;
    let date = (Utc::now() + Days::days(4)).date_naive();
    let (done, _) = consent(&app, &key).await;
    assert_eq!(done.status(), 302);
    let list = synced(&app, &key).await;

    // The first sync subscribed to the calendar (Graph's validation handshake passed).
    let subscriptions = fake.subscriptions();
    assert_eq!(subscriptions.len(), 1, "{subscriptions:?}");
    let subscription = &subscriptions[0];
    assert_eq!(
        subscription["notificationUrl"],
        format!("{}/v2/calendars/office365/notifications", app.address)
    );
    assert_eq!(subscription["resource"], "me/calendars/cal-primary/events");
    let sub_id = subscription["id"].as_str().unwrap().to_owned();
    assert!(slots(&app, event, date).await.contains(&ten(date)));

    let lunch = fake.add_event(
        "cal-primary",
        timed(
            "Dentist",
            &format!("{date}T10:00:00Z"),
            &format!("{date}T11:00:00Z"),
        ),
    );
    let reads = fake.count("calendarView") + fake.count("delta");
    let forged = json!({"value": [{"subscriptionId": sub_id, "changeType": "created",
        "clientState": "guessed", "resource": format!("Users/x/Events/{lunch}")}]});
    let url = subscription["notificationUrl"].as_str().unwrap();
    let answer = app.client.post(url).json(&forged).send().await.unwrap();
    assert_eq!(answer.status(), 403);
    let unknown = json!({"value": [{"subscriptionId": "no-such", "changeType": "created",
        "clientState": subscription["clientState"]}]});
    let answer = app.client.post(url).json(&unknown).send().await.unwrap();
    assert_eq!(answer.status(), 404);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(fake.count("calendarView") + fake.count("delta"), reads);
    assert!(slots(&app, event, date).await.contains(&ten(date)));

    assert_eq!(fake.notify(&sub_id, "created", &lunch).await, 202);
    eventually(
        "the notification to bring the event",
        NOTICE_TIME,
        async || !slots(&app, event, date).await.contains(&ten(date)),
    )
    .await;

    // Disconnected, the subscription is deleted at Graph.
    let credential = list["connectedCalendars"][0]["credentialId"].clone();
    let body: Value = json!({"id": credential});
    data(
        app.call(
            Method::POST,
            "/v2/calendars/office365/disconnect",
            Some(&key),
            Some(body),
        )
        .await,
        200,
    )
    .await;
    assert!(
        fake.subscriptions().is_empty(),
        "{:?}",
        fake.subscriptions()
    );
}

#[tokio::test]
async fn graph_validation_is_echoed_as_plain_text() {
    let fake = FakeMicrosoft::start().await;
    let app = app_with_microsoft(&fake).await;
    let answer = app
        .client
        .post(format!(
            "{}/v2/calendars/office365/notifications?validationToken=Validation%3A+Testing+1",
            app.address
        ))
        .header("Content-Type", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(answer.text().await.unwrap(), "Validation: Testing 1");
}

#[tokio::test]
async fn a_google_channel_expiring_within_a_day_is_replaced_and_the_old_one_stopped() {
    let fake = FakeGoogle::start().await;
    fake.add_calendar("ada@example.com", "Ada", true, "owner", "UTC");
    fake.set_channel_lifetime(3600);
    let app = app_with_google(&fake).await;
    let (key, _, _) = host(&app, "ada@example.com", json!({})).await;
    assert_eq!(google_consent(&app, &key).await, 200);
    synced(&app, &key).await;
    let first = fake.channels();
    assert_eq!(first.len(), 1, "{first:?}");
    let (old_id, old) = first.into_iter().next().unwrap();

    // The sync the notification brings finds the channel expiring within the hour.
    assert_eq!(fake.notify(&old_id, "exists", None).await, 200);
    eventually("the channel to be replaced", NOTICE_TIME, async || {
        let now = fake.channels();
        if now.len() == 1 && !now.contains_key(&old_id) {
            Ok(())
        } else {
            Err(format!("{now:?}"))
        }
    })
    .await;
    // The old channel is forgotten: its notifications are no longer taken. Kairos forgets it
    // just after stopping it at Google, so the fake can show the new channel a moment earlier.
    eventually("the old channel to be forgotten", NOTICE_TIME, async || {
        let late = app
            .client
            .post(format!("{}/v2/calendars/google/notifications", app.address))
            .header("X-Goog-Channel-ID", &old_id)
            .header("X-Goog-Resource-ID", old["resourceId"].as_str().unwrap())
            .header("X-Goog-Resource-State", "exists")
            .header("X-Goog-Channel-Token", old["token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        match late.status().as_u16() {
            404 => Ok(()),
            status => Err(format!("answered {status}")),
        }
    })
    .await;
}

#[tokio::test]
async fn a_graph_lifecycle_notification_has_the_next_sync_renew_the_subscription() {
    let fake = FakeMicrosoft::start().await;
    let app = app_with_microsoft(&fake).await;
    let (key, _, _) = host(&app, "ada@example.com", json!({})).await;
    let (done, _) = consent(&app, &key).await;
    assert_eq!(done.status(), 302);
    synced(&app, &key).await;
    let subscription = fake.subscriptions()[0].clone();
    let expiry = subscription["expirationDateTime"].clone();
    let lifecycle = json!({"value": [{
        "subscriptionId": subscription["id"],
        "subscriptionExpirationDateTime": expiry,
        "lifecycleEvent": "reauthorizationRequired",
        "clientState": subscription["clientState"],
        "tenantId": "00000000-0000-4000-8000-00000000cafe",
    }]});
    tokio::time::sleep(Duration::from_millis(20)).await;
    let answer = app
        .client
        .post(subscription["notificationUrl"].as_str().unwrap())
        .json(&lifecycle)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202);
    eventually("the subscription to be renewed", NOTICE_TIME, async || {
        fake.count("PATCH /v1.0/subscriptions/") == 1
    })
    .await;
    let now = fake.subscriptions();
    assert_eq!(now.len(), 1, "{now:?}");
    assert_eq!(now[0]["id"], subscription["id"]);
    assert_ne!(now[0]["expirationDateTime"], expiry);
}
