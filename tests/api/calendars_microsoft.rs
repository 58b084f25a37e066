//! The Microsoft 365 provider against the local fake of Microsoft identity and Graph: OAuth,
//! calendars, busy time (all-day events on DST days, free and cancelled events, paging),
//! token renewal and refusal, throttling, event write-back with Teams, subscriptions and the
//! notification endpoint's handshake and parsing.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::{DateTime, Utc};
use serde_json::json;

use kairos::calendars::microsoft::{
    Change, Microsoft, NotificationError, UID_PROPERTY, parse_notifications, validation_token,
};
use kairos::calendars::{
    Account, BusyBlock, CalendarApi, CalendarBusy, CalendarCursor, Credentials, EventDraft, Person,
    ProviderError,
};

use crate::fake_microsoft::{Failure, FakeMicrosoft, MAILBOX, all_day, timed};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap()
}

fn provider(fake: &FakeMicrosoft) -> Microsoft {
    Microsoft::new(fake.app(), &fake.graph_url(), http()).unwrap()
}

fn account(fake: &FakeMicrosoft, zone: &str) -> Account {
    Account {
        url: None,
        credentials: fake.grant(),
        time_zone: zone.parse().unwrap(),
    }
}

fn cursor(id: &str) -> CalendarCursor {
    CalendarCursor {
        calendar_id: id.into(),
        state: None,
    }
}

async fn blocks(
    ms: &Microsoft,
    account: &mut Account,
    calendar: &str,
    from: &str,
    to: &str,
) -> Vec<BusyBlock> {
    let answer = ms
        .busy(account, &[cursor(calendar)], at(from), at(to))
        .await
        .unwrap();
    match answer.as_slice() {
        [CalendarBusy::Replaced { blocks, state }] => {
            assert_eq!(*state, None, "no incremental state is kept");
            blocks.clone()
        }
        other => panic!("unexpected answer {other:?}"),
    }
}

fn spans(blocks: &[BusyBlock]) -> Vec<(String, String)> {
    blocks
        .iter()
        .map(|b| (b.start.to_rfc3339(), b.end.to_rfc3339()))
        .collect()
}

fn draft(uid: &str) -> EventDraft {
    EventDraft {
        ical_uid: uid.into(),
        title: "Intro call between Host and Ada".into(),
        description: "Notes: bring the numbers".into(),
        location: Some("Room 4".into()),
        start: at("2026-12-10T14:00:00Z"),
        end: at("2026-12-10T14:30:00Z"),
        time_zone: "Europe/Berlin".into(),
        organizer: Person {
            name: "Host".into(),
            email: MAILBOX.into(),
        },
        attendees: vec![Person {
            name: "Ada Lovelace".into(),
            email: "ada@example.org".into(),
        }],
        conference: true,
        cancelled: false,
    }
}

#[tokio::test]
async fn the_owner_consents_and_the_code_is_exchanged_for_tokens() {
    let fake = FakeMicrosoft::start().await;
    let app = fake.app();
    let redirect = "http://127.0.0.1:9/calendars/microsoft/callback";
    let consent = app.authorize_url(redirect, "state-123").unwrap();
    assert!(consent.starts_with(&fake.auth_url()));
    assert!(consent.contains("offline_access"), "{consent}");

    let back = http().get(&consent).send().await.unwrap();
    assert_eq!(back.status(), 302);
    let location = url::Url::parse(back.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(redirect));
    let query: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(query["state"], "state-123");

    let now = Utc::now();
    let credentials = app
        .exchange(&http(), redirect, &query["code"], now)
        .await
        .unwrap();
    let Credentials::OAuth {
        refresh_token,
        expires_at,
        ..
    } = &credentials
    else {
        panic!("not OAuth credentials");
    };
    assert!(refresh_token.is_some());
    assert!(expires_at.unwrap() > now + chrono::Duration::minutes(59));

    // A code is good once, and only for the redirect it was issued to.
    let again = app.exchange(&http(), redirect, &query["code"], now).await;
    assert!(
        matches!(again, Err(ProviderError::Unauthorized(_))),
        "{again:?}"
    );

    let mut account = Account {
        url: None,
        credentials,
        time_zone: chrono_tz::Europe::Berlin,
    };
    let calendars = provider(&fake).calendars(&mut account).await.unwrap();
    assert_eq!(calendars.len(), 1);
}

#[tokio::test]
async fn calendars_are_listed_over_every_page_with_primary_and_read_only() {
    let fake = FakeMicrosoft::start().await;
    fake.add_calendar("cal-team", "Team", true);
    fake.add_calendar("cal-holidays", "Holidays in Germany", false);
    let mut account = account(&fake, "Europe/Berlin");

    let calendars = provider(&fake).calendars(&mut account).await.unwrap();

    let seen: Vec<_> = calendars
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str(), c.primary, c.read_only))
        .collect();
    assert_eq!(
        seen,
        [
            ("cal-primary", "Calendar", true, false),
            ("cal-team", "Team", false, false),
            ("cal-holidays", "Holidays in Germany", false, true),
        ]
    );
    assert_eq!(fake.count("GET /v1.0/me/calendars"), 2, "two pages of two");
}

#[tokio::test]
async fn all_day_events_block_their_local_days_across_dst_in_each_owners_zone() {
    let fake = FakeMicrosoft::start().await;
    // 2026-03-29: Europe springs forward; 2026-03-08: the United States do.
    fake.add_event(
        "cal-primary",
        all_day(
            "Offsite",
            "2026-03-29",
            "2026-03-30",
            "W. Europe Standard Time",
        ),
    );
    fake.add_event(
        "cal-primary",
        all_day(
            "Moving",
            "2026-03-08",
            "2026-03-09",
            "Eastern Standard Time",
        ),
    );
    let ms = provider(&fake);

    let mut berlin = account(&fake, "Europe/Berlin");
    let got = blocks(
        &ms,
        &mut berlin,
        "cal-primary",
        "2026-03-28T00:00:00Z",
        "2026-03-31T00:00:00Z",
    )
    .await;
    assert_eq!(
        spans(&got),
        [(
            "2026-03-28T23:00:00+00:00".into(),
            "2026-03-29T22:00:00+00:00".into()
        )],
        "a 23-hour day in Berlin"
    );
    assert_eq!(got[0].summary.as_deref(), Some("Offsite"));

    let mut new_york = account(&fake, "America/New_York");
    let got = blocks(
        &ms,
        &mut new_york,
        "cal-primary",
        "2026-03-01T00:00:00Z",
        "2026-03-31T00:00:00Z",
    )
    .await;
    assert_eq!(
        spans(&got),
        [
            (
                "2026-03-08T05:00:00+00:00".into(),
                "2026-03-09T04:00:00+00:00".into()
            ),
            (
                "2026-03-29T04:00:00+00:00".into(),
                "2026-03-30T04:00:00+00:00".into()
            ),
        ],
        "23 hours on the American DST day, 24 on the European one"
    );
}

#[tokio::test]
async fn free_working_elsewhere_and_cancelled_events_do_not_block_and_pages_are_followed() {
    let fake = FakeMicrosoft::start().await;
    let event = |subject: &str, hour: u32, show_as: &str, cancelled: bool| {
        let mut e = timed(
            subject,
            &format!("2026-12-07T{hour:02}:00:00Z"),
            &format!("2026-12-07T{hour:02}:30:00Z"),
        );
        e["showAs"] = json!(show_as);
        e["isCancelled"] = json!(cancelled);
        e["iCalUId"] = json!(format!("uid-{subject}"));
        fake.add_event("cal-primary", e);
    };
    event("busy", 8, "busy", false);
    event("free", 9, "free", false);
    event("elsewhere", 10, "workingElsewhere", false);
    event("cancelled", 11, "busy", true);
    event("tentative", 12, "tentative", false);
    event("oof", 13, "oof", false);
    event("late", 23, "busy", false);
    let mut account = account(&fake, "Europe/Berlin");

    let got = blocks(
        &provider(&fake),
        &mut account,
        "cal-primary",
        "2026-12-07T00:00:00Z",
        "2026-12-08T00:00:00Z",
    )
    .await;

    let uids: Vec<_> = got.iter().map(|b| b.uid.clone().unwrap()).collect();
    assert_eq!(uids, ["uid-busy", "uid-tentative", "uid-oof", "uid-late"]);
    assert_eq!(got[0].start, at("2026-12-07T08:00:00Z"));
    assert_eq!(got[0].end, at("2026-12-07T08:30:00Z"));
    assert_eq!(
        fake.count("/calendarView"),
        4,
        "seven events in pages of two"
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed_first_and_a_refused_one_once_after_a_401() {
    let fake = FakeMicrosoft::start().await;
    let ms = provider(&fake);
    let mut account = account(&fake, "UTC");
    let Credentials::OAuth { refresh_token, .. } = account.credentials.clone() else {
        unreachable!()
    };
    account.credentials = Credentials::OAuth {
        access_token: "at-long-gone".into(),
        refresh_token: refresh_token.clone(),
        expires_at: Some(Utc::now() - chrono::Duration::minutes(5)),
    };

    ms.calendars(&mut account).await.unwrap();
    assert_eq!(fake.count("POST /token"), 1);
    let Credentials::OAuth {
        access_token,
        expires_at,
        ..
    } = &account.credentials
    else {
        unreachable!()
    };
    assert_ne!(
        access_token, "at-long-gone",
        "the caller gets the new token to store"
    );
    assert!(expires_at.unwrap() > Utc::now());

    // Graph refuses a token its expiry says is good: one refresh, one retry.
    fake.expire_access_tokens();
    ms.calendars(&mut account).await.unwrap();
    assert_eq!(fake.count("POST /token"), 2);
    assert_eq!(fake.count("GET /v1.0/me/calendars"), 3);
}

#[tokio::test]
async fn a_revoked_grant_is_unauthorized() {
    let fake = FakeMicrosoft::start().await;
    let ms = provider(&fake);
    let mut account = account(&fake, "UTC");
    fake.revoke_grants();

    let error = ms.calendars(&mut account).await.unwrap_err();

    assert!(matches!(error, ProviderError::Unauthorized(_)), "{error:?}");
    assert_eq!(fake.count("POST /token"), 1, "one refresh, refused");
}

#[tokio::test]
async fn a_token_refused_again_after_its_renewal_is_unauthorized() {
    let fake = FakeMicrosoft::start().await;
    let mut account = account(&fake, "UTC");
    fake.fail(Failure::Status(401), 2);

    let error = provider(&fake).calendars(&mut account).await.unwrap_err();

    assert!(matches!(error, ProviderError::Unauthorized(_)), "{error:?}");
    assert_eq!(fake.count("POST /token"), 1, "renewed once");
    assert_eq!(
        fake.count("GET /v1.0/me/calendars"),
        2,
        "tried twice, not more"
    );
}

#[tokio::test]
async fn throttling_and_outages_say_when_to_come_back() {
    let fake = FakeMicrosoft::start().await;
    let ms = provider(&fake);
    let mut account = account(&fake, "UTC");

    fake.fail(Failure::Throttle(7), 1);
    let error = ms.calendars(&mut account).await.unwrap_err();
    assert_eq!(
        error,
        ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(7))
        }
    );

    fake.fail(Failure::Busy(3), 1);
    let error = ms.calendars(&mut account).await.unwrap_err();
    assert_eq!(
        error,
        ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(3))
        }
    );

    fake.fail(Failure::Status(502), 1);
    let error = ms.calendars(&mut account).await.unwrap_err();
    assert!(matches!(error, ProviderError::Unavailable(_)), "{error:?}");

    fake.fail(Failure::Hang, 1);
    let error = ms.calendars(&mut account).await.unwrap_err();
    assert!(matches!(error, ProviderError::Unavailable(_)), "{error:?}");

    fake.fail(Failure::Status(400), 1);
    let error = ms.calendars(&mut account).await.unwrap_err();
    assert!(matches!(error, ProviderError::Invalid(_)), "{error:?}");

    let error = blocks_error(&ms, &mut account, "cal-nope").await;
    assert!(matches!(error, ProviderError::NotFound(_)), "{error:?}");

    assert!(
        ms.calendars(&mut account).await.is_ok(),
        "and then it works again"
    );
}

async fn blocks_error(ms: &Microsoft, account: &mut Account, calendar: &str) -> ProviderError {
    ms.busy(
        account,
        &[cursor(calendar)],
        at("2026-12-07T00:00:00Z"),
        at("2026-12-08T00:00:00Z"),
    )
    .await
    .unwrap_err()
}

#[tokio::test]
async fn a_booking_is_written_with_a_teams_link_and_recognised_by_its_uid() {
    let fake = FakeMicrosoft::start().await;
    let ms = provider(&fake);
    let mut account = account(&fake, "Europe/Berlin");
    let draft = draft("booking-1@kairos");

    let written = ms
        .create_event(&mut account, "cal-primary", &draft)
        .await
        .unwrap();

    let meeting = written.meeting_url.clone().expect("a Teams link");
    assert!(
        meeting.starts_with("https://teams.microsoft.com/l/meetup-join/"),
        "{meeting}"
    );
    let stored = fake.event(&written.external_id).unwrap();
    assert_eq!(stored["subject"], "Intro call between Host and Ada");
    assert_eq!(
        stored["body"],
        json!({ "contentType": "text", "content": "Notes: bring the numbers" })
    );
    assert_eq!(
        stored["start"],
        json!({ "dateTime": "2026-12-10T14:00:00", "timeZone": "UTC" })
    );
    assert_eq!(
        stored["end"],
        json!({ "dateTime": "2026-12-10T14:30:00", "timeZone": "UTC" })
    );
    assert_eq!(stored["location"]["displayName"], "Room 4");
    assert_eq!(
        stored["attendees"],
        json!([{ "emailAddress": { "address": "ada@example.org", "name": "Ada Lovelace" }, "type": "required" }])
    );
    assert_eq!(stored["isOnlineMeeting"], true);
    assert_eq!(stored["onlineMeetingProvider"], "teamsForBusiness");
    assert_eq!(
        stored["singleValueExtendedProperties"],
        json!([{ "id": UID_PROPERTY, "value": "booking-1@kairos" }])
    );
    assert_ne!(
        stored["iCalUId"], "booking-1@kairos",
        "Graph assigns its own"
    );

    let got = blocks(
        &ms,
        &mut account,
        "cal-primary",
        "2026-12-10T00:00:00Z",
        "2026-12-11T00:00:00Z",
    )
    .await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].uid.as_deref(), Some("booking-1@kairos"));

    // A create retried after a lost answer gets the same event, not a second one.
    let again = ms
        .create_event(&mut account, "cal-primary", &draft)
        .await
        .unwrap();
    assert_eq!(again.external_id, written.external_id);
    assert_eq!(fake.events("cal-primary").len(), 1);
}

#[tokio::test]
async fn a_read_only_calendar_refuses_the_write() {
    let fake = FakeMicrosoft::start().await;
    fake.add_calendar("cal-holidays", "Holidays", false);
    let mut account = account(&fake, "UTC");

    let error = provider(&fake)
        .create_event(&mut account, "cal-holidays", &draft("b@kairos"))
        .await
        .unwrap_err();

    assert!(matches!(error, ProviderError::Invalid(_)), "{error:?}");
}

#[tokio::test]
async fn a_reschedule_patches_the_event_and_a_delete_is_done_twice_without_error() {
    let fake = FakeMicrosoft::start().await;
    let ms = provider(&fake);
    let mut account = account(&fake, "UTC");
    let first = draft("booking-2@kairos");
    let written = ms
        .create_event(&mut account, "cal-primary", &first)
        .await
        .unwrap();

    let moved = EventDraft {
        start: at("2026-12-11T09:00:00Z"),
        end: at("2026-12-11T09:30:00Z"),
        location: None,
        ..first
    };
    let patched = ms
        .update_event(&mut account, "cal-primary", &written, &moved)
        .await
        .unwrap();

    assert_eq!(patched.external_id, written.external_id);
    assert_ne!(patched.etag, written.etag);
    assert_eq!(patched.meeting_url, written.meeting_url);
    assert_eq!(fake.count("PATCH /v1.0/me/events/"), 1);
    let got = blocks(
        &ms,
        &mut account,
        "cal-primary",
        "2026-12-10T00:00:00Z",
        "2026-12-12T00:00:00Z",
    )
    .await;
    assert_eq!(
        spans(&got),
        [(
            "2026-12-11T09:00:00+00:00".into(),
            "2026-12-11T09:30:00+00:00".into()
        )]
    );
    assert_eq!(got[0].uid.as_deref(), Some("booking-2@kairos"));

    ms.delete_event(&mut account, "cal-primary", &patched)
        .await
        .unwrap();
    assert!(fake.event(&written.external_id).is_none());
    ms.delete_event(&mut account, "cal-primary", &patched)
        .await
        .unwrap();
    assert_eq!(fake.count("DELETE /v1.0/me/events/"), 2);

    let error = ms
        .update_event(&mut account, "cal-primary", &written, &moved)
        .await
        .unwrap_err();
    assert!(matches!(error, ProviderError::NotFound(_)), "{error:?}");
}

#[tokio::test]
async fn a_cancelled_booking_removes_its_event() {
    let fake = FakeMicrosoft::start().await;
    let ms = provider(&fake);
    let mut account = account(&fake, "UTC");
    let booked = draft("booking-3@kairos");
    let written = ms
        .create_event(&mut account, "cal-primary", &booked)
        .await
        .unwrap();

    let cancelled = EventDraft {
        cancelled: true,
        ..booked
    };
    ms.update_event(&mut account, "cal-primary", &written, &cancelled)
        .await
        .unwrap();

    assert!(fake.events("cal-primary").is_empty());
}

#[tokio::test]
async fn get_schedule_rechecks_the_owners_free_busy() {
    let fake = FakeMicrosoft::start().await;
    fake.add_event(
        "cal-primary",
        timed("Dentist", "2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z"),
    );
    let mut lunch = timed("Lunch", "2026-12-07T12:00:00Z", "2026-12-07T13:00:00Z");
    lunch["showAs"] = json!("free");
    fake.add_event("cal-primary", lunch);
    let mut account = account(&fake, "UTC");

    let schedules = provider(&fake)
        .get_schedule(
            &mut account,
            &[MAILBOX.to_owned()],
            at("2026-12-07T00:00:00Z"),
            at("2026-12-08T00:00:00Z"),
        )
        .await
        .unwrap();

    assert_eq!(schedules.len(), 1);
    assert_eq!(schedules[0].0, MAILBOX);
    assert_eq!(
        spans(&schedules[0].1),
        [(
            "2026-12-07T10:00:00+00:00".into(),
            "2026-12-07T11:00:00+00:00".into()
        )]
    );
}

/// A notification endpoint as the lead will write it, over the provider's pure helpers.
#[derive(Clone, Default)]
struct Endpoint {
    handshakes: Arc<Mutex<Vec<String>>>,
    notifications: Arc<Mutex<Vec<kairos::calendars::microsoft::ChangeNotification>>>,
    refused: Arc<Mutex<usize>>,
}

const CLIENT_STATE: &str = "secret-client-state-42";

async fn endpoint(
    state: web::Data<Endpoint>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    if let Some(token) = validation_token(request.query_string()) {
        state.handshakes.lock().unwrap().push(token.clone());
        return HttpResponse::Ok().content_type("text/plain").body(token);
    }
    match parse_notifications(&body, CLIENT_STATE) {
        Ok(batch) => state.notifications.lock().unwrap().extend(batch),
        Err(_) => *state.refused.lock().unwrap() += 1,
    }
    HttpResponse::Accepted().finish()
}

fn serve_endpoint() -> (String, Endpoint) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/calendars/microsoft/notifications",
        listener.local_addr().unwrap()
    );
    let state = Endpoint::default();
    let data = web::Data::new(state.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(endpoint))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (url, state)
}

#[tokio::test]
async fn a_subscription_passes_the_handshake_and_its_notifications_are_read() {
    let fake = FakeMicrosoft::start().await;
    let ms = provider(&fake);
    let mut account = account(&fake, "UTC");
    let (url, received) = serve_endpoint();
    let expires = Utc::now() + chrono::Duration::days(2);

    let subscription = ms
        .subscribe(&mut account, "cal-primary", &url, CLIENT_STATE, expires)
        .await
        .unwrap();

    assert_eq!(received.handshakes.lock().unwrap().len(), 1);
    assert!((subscription.expires_at - expires).num_seconds().abs() <= 1);
    let stored = &fake.subscriptions()[0];
    assert_eq!(stored["resource"], "me/calendars/cal-primary/events");
    assert_eq!(stored["changeType"], "created,updated,deleted");
    assert_eq!(stored["clientState"], CLIENT_STATE);

    assert_eq!(
        fake.notify(&subscription.id, "updated", "AAMkEvent1=")
            .await,
        202
    );
    let seen = received.notifications.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].subscription_id, subscription.id);
    assert_eq!(seen[0].change, Change::Updated);
    assert!(
        seen[0]
            .resource
            .as_deref()
            .unwrap()
            .ends_with("/Events/AAMkEvent1=")
    );

    let later = Utc::now() + chrono::Duration::days(6);
    let renewed = ms
        .renew(&mut account, &subscription.id, later)
        .await
        .unwrap();
    assert!((renewed.expires_at - later).num_seconds().abs() <= 1);

    ms.unsubscribe(&mut account, &subscription.id)
        .await
        .unwrap();
    assert!(fake.subscriptions().is_empty());
    ms.unsubscribe(&mut account, &subscription.id)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_subscription_to_an_endpoint_that_fails_the_handshake_is_refused() {
    let fake = FakeMicrosoft::start().await;
    let mut account = account(&fake, "UTC");
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/nobody", silent.local_addr().unwrap());
    drop(silent);

    let error = provider(&fake)
        .subscribe(
            &mut account,
            "cal-primary",
            &url,
            CLIENT_STATE,
            Utc::now() + chrono::Duration::days(1),
        )
        .await
        .unwrap_err();

    assert!(matches!(error, ProviderError::Invalid(_)), "{error:?}");
    assert!(fake.subscriptions().is_empty());
}

#[test]
fn a_notification_with_another_client_state_is_refused() {
    let body = |state: &str| {
        serde_json::to_vec(&json!({ "value": [{
            "subscriptionId": "sub-1", "changeType": "created", "clientState": state,
            "resource": "Users/u/Events/e1", "tenantId": "t",
        }]}))
        .unwrap()
    };

    let good = parse_notifications(&body(CLIENT_STATE), CLIENT_STATE).unwrap();
    assert_eq!(good[0].change, Change::Created);
    assert_eq!(
        parse_notifications(&body("guessed"), CLIENT_STATE),
        Err(NotificationError::ClientState)
    );
    assert!(matches!(
        parse_notifications(b"{\"value\": 3}", CLIENT_STATE),
        Err(NotificationError::Malformed(_))
    ));
    let lifecycle = serde_json::to_vec(&json!({ "value": [{
        "subscriptionId": "sub-1", "lifecycleEvent": "reauthorizationRequired",
        "clientState": CLIENT_STATE, "tenantId": "t",
    }]}))
    .unwrap();
    assert_eq!(
        parse_notifications(&lifecycle, CLIENT_STATE).unwrap()[0].change,
        Change::Lifecycle("reauthorizationRequired".into())
    );
}
