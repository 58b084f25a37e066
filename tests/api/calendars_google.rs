//! The Google Calendar provider against the local fake Google: OAuth, calendars, busy time
//! (all-day days across DST, skipped events, paging, sync tokens), free/busy windows, token
//! renewal, error mapping, write-back with Meet, push channels and notifications.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

use kairos::calendars::google::{Channel, Google, Notification, ResourceState};
use kairos::calendars::{
    Account, BusyBlock, CalendarApi, CalendarBusy, CalendarCursor, Credentials, EventDraft, Person,
    ProviderError,
};

use crate::fake_google::{Failure, FakeGoogle};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

struct Setup {
    fake: FakeGoogle,
    google: Google,
    account: Account,
}

async fn setup() -> Setup {
    let fake = FakeGoogle::start().await;
    let (access, refresh) = fake.grant();
    let google = Google::new(fake.app(), fake.url(), http()).with_timeout(Duration::from_secs(2));
    let account = Account {
        url: None,
        credentials: Credentials::OAuth {
            access_token: access,
            refresh_token: Some(refresh),
            expires_at: Some(Utc::now() + chrono::Duration::minutes(30)),
        },
        time_zone: chrono_tz::Europe::Berlin,
    };
    Setup {
        fake,
        google,
        account,
    }
}

fn access_token(account: &Account) -> String {
    match &account.credentials {
        Credentials::OAuth { access_token, .. } => access_token.clone(),
        other => panic!("not OAuth: {other:?}"),
    }
}

fn cursor(id: &str, state: Option<String>) -> CalendarCursor {
    CalendarCursor {
        calendar_id: id.into(),
        state,
    }
}

fn timed(summary: &str, start: &str, end: &str) -> serde_json::Value {
    json!({"summary": summary, "start": {"dateTime": start}, "end": {"dateTime": end}})
}

fn blocks(answer: &CalendarBusy) -> &[BusyBlock] {
    match answer {
        CalendarBusy::Replaced { blocks, .. } => blocks,
        CalendarBusy::Unchanged => panic!("expected a full answer, got Unchanged"),
    }
}

fn state_of(answer: &CalendarBusy) -> Option<String> {
    match answer {
        CalendarBusy::Replaced { state, .. } => state.clone(),
        CalendarBusy::Unchanged => None,
    }
}

#[tokio::test]
async fn the_consent_round_trip_yields_credentials_that_work() {
    let Setup { fake, google, .. } = setup().await;
    fake.add_calendar("me@example.com", "Me", true, "owner", "Europe/Berlin");
    let app = fake.app();
    let redirect = "http://kairos.test/integrations/google/callback";

    let url = app.authorize_url(redirect, "state-123").unwrap();
    let answer = http().get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    let back = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    assert!(back.as_str().starts_with(redirect));
    let query: HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(query["state"], "state-123");
    assert_eq!(fake.authorize_queries()[0]["access_type"], "offline");

    let credentials = app
        .exchange(&http(), redirect, &query["code"], Utc::now())
        .await
        .unwrap();
    let Credentials::OAuth {
        refresh_token,
        expires_at,
        ..
    } = &credentials
    else {
        panic!("not OAuth");
    };
    assert!(refresh_token.is_some());
    assert!(expires_at.unwrap() > Utc::now() + chrono::Duration::minutes(50));
    // A code works once.
    let again = app
        .exchange(&http(), redirect, &query["code"], Utc::now())
        .await;
    assert!(
        matches!(again, Err(ProviderError::Unauthorized(_))),
        "{again:?}"
    );

    let mut account = Account {
        url: None,
        credentials,
        time_zone: chrono_tz::UTC,
    };
    let calendars = google.calendars(&mut account).await.unwrap();
    assert_eq!(calendars.len(), 1);
}

#[tokio::test]
async fn calendars_are_listed_over_all_pages_with_roles_and_zones() {
    let mut s = setup().await;
    s.fake
        .add_calendar("me@example.com", "Me", true, "owner", "Europe/Berlin");
    s.fake.add_calendar(
        "team@group.calendar.google.com",
        "Team",
        false,
        "writer",
        "UTC",
    );
    s.fake.add_calendar(
        "boss@example.com",
        "Boss",
        false,
        "freeBusyReader",
        "America/New_York",
    );
    s.fake
        .add_calendar("holidays@group", "Holidays", false, "reader", "UTC");

    let calendars = s.google.calendars(&mut s.account).await.unwrap();

    let summary: Vec<_> = calendars
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str(), c.primary, c.read_only))
        .collect();
    assert_eq!(
        summary,
        [
            ("me@example.com", "Me", true, false),
            ("team@group.calendar.google.com", "Team", false, false),
            ("boss@example.com", "Boss", false, true),
            ("holidays@group", "Holidays", false, true),
        ]
    );
    assert_eq!(calendars[2].time_zone.as_deref(), Some("America/New_York"));
    assert_eq!(s.fake.count("GET", "/calendarList"), 2, "two pages of two");
}

#[tokio::test]
async fn all_day_events_block_their_local_day_on_dst_days_in_two_zones() {
    let mut s = setup().await;
    s.fake
        .add_calendar("ny", "New York", true, "owner", "America/New_York");
    s.fake
        .add_calendar("berlin", "Berlin", false, "owner", "Europe/Berlin");
    // US clocks spring forward on 2026-03-08, European ones on 2026-03-29: 23-hour days.
    s.fake.add_event(
        "ny",
        json!({"summary": "Offsite", "start": {"date": "2026-03-08"}, "end": {"date": "2026-03-09"}}),
    );
    s.fake.add_event(
        "berlin",
        json!({"summary": "Feiertag", "start": {"date": "2026-03-28"}, "end": {"date": "2026-03-30"}}),
    );

    let answers = s
        .google
        .busy(
            &mut s.account,
            &[cursor("ny", None), cursor("berlin", None)],
            utc("2026-03-01T00:00:00Z"),
            utc("2026-04-01T00:00:00Z"),
        )
        .await
        .unwrap();

    let ny = blocks(&answers[0]);
    assert_eq!(ny.len(), 1);
    assert_eq!(ny[0].start, utc("2026-03-08T05:00:00Z"));
    assert_eq!(ny[0].end, utc("2026-03-09T04:00:00Z"), "23 hours, not 24");
    assert_eq!(ny[0].summary.as_deref(), Some("Offsite"));
    let berlin = blocks(&answers[1]);
    assert_eq!(berlin[0].start, utc("2026-03-27T23:00:00Z"));
    assert_eq!(berlin[0].end, utc("2026-03-29T22:00:00Z"), "24 + 23 hours");
}

#[tokio::test]
async fn free_cancelled_and_declined_events_are_not_busy_and_every_page_is_read() {
    let mut s = setup().await;
    s.fake
        .add_calendar("me@example.com", "Me", true, "owner", "Europe/Berlin");
    let cal = "me@example.com";
    s.fake.set_page_size(2);
    for hour in 8..13 {
        let mut event = timed(
            &format!("busy {hour}"),
            &format!("2026-05-04T{hour:02}:00:00Z"),
            &format!("2026-05-04T{hour:02}:30:00Z"),
        );
        event["iCalUID"] = json!(format!("uid-{hour}@example.com"));
        s.fake.add_event(cal, event);
    }
    let mut free = timed("free", "2026-05-04T14:00:00Z", "2026-05-04T15:00:00Z");
    free["transparency"] = json!("transparent");
    s.fake.add_event(cal, free);
    let mut cancelled = timed("cancelled", "2026-05-04T15:00:00Z", "2026-05-04T16:00:00Z");
    cancelled["status"] = json!("cancelled");
    s.fake.add_event(cal, cancelled);
    let mut declined = timed("declined", "2026-05-04T16:00:00Z", "2026-05-04T17:00:00Z");
    declined["attendees"] = json!([
        {"email": "boss@example.com", "organizer": true, "responseStatus": "accepted"},
        {"email": "me@example.com", "self": true, "responseStatus": "declined"},
    ]);
    s.fake.add_event(cal, declined);
    let mut accepted = timed("accepted", "2026-05-04T17:00:00Z", "2026-05-04T18:00:00Z");
    accepted["attendees"] = json!([
        {"email": "boss@example.com", "responseStatus": "declined"},
        {"email": "me@example.com", "self": true, "responseStatus": "accepted"},
    ]);
    s.fake.add_event(cal, accepted);
    s.fake.add_event(
        cal,
        timed("later", "2026-06-04T08:00:00Z", "2026-06-04T09:00:00Z"),
    );

    let answers = s
        .google
        .busy(
            &mut s.account,
            &[cursor(cal, None)],
            utc("2026-05-04T00:00:00Z"),
            utc("2026-05-05T00:00:00Z"),
        )
        .await
        .unwrap();

    let found: Vec<_> = blocks(&answers[0])
        .iter()
        .map(|b| b.summary.clone().unwrap())
        .collect();
    assert_eq!(
        found,
        [
            "busy 8", "busy 9", "busy 10", "busy 11", "busy 12", "accepted"
        ]
    );
    assert_eq!(
        blocks(&answers[0])[0].uid.as_deref(),
        Some("uid-8@example.com")
    );
    assert_eq!(s.fake.count("GET", "/events"), 5, "nine events, two a page");
}

#[tokio::test]
async fn sync_tokens_answer_unchanged_then_changes_then_a_full_read_after_410() {
    let mut s = setup().await;
    let cal = "me@example.com";
    s.fake.add_calendar(cal, "Me", true, "owner", "UTC");
    let id = s.fake.add_event(
        cal,
        timed("standup", "2026-05-04T09:00:00Z", "2026-05-04T09:30:00Z"),
    );
    let (from, to) = (utc("2026-05-01T00:00:00Z"), utc("2026-06-01T00:00:00Z"));

    let first = s
        .google
        .busy(&mut s.account, &[cursor(cal, None)], from, to)
        .await
        .unwrap();
    let token = state_of(&first[0]).expect("a sync token");

    let same = s
        .google
        .busy(
            &mut s.account,
            &[cursor(cal, Some(token.clone()))],
            from,
            to,
        )
        .await
        .unwrap();
    assert_eq!(same[0], CalendarBusy::Unchanged);

    s.fake.change_event(
        &id,
        json!({"start": {"dateTime": "2026-05-04T11:00:00Z"}, "end": {"dateTime": "2026-05-04T11:30:00Z"}}),
    );
    let changed = s
        .google
        .busy(
            &mut s.account,
            &[cursor(cal, Some(token.clone()))],
            from,
            to,
        )
        .await
        .unwrap();
    assert_eq!(blocks(&changed[0])[0].start, utc("2026-05-04T11:00:00Z"));
    let newer = state_of(&changed[0]).expect("a new token");
    assert_ne!(newer, token);

    s.fake.expire_sync_tokens();
    let gone = s
        .google
        .busy(
            &mut s.account,
            &[cursor(cal, Some(newer.clone()))],
            from,
            to,
        )
        .await
        .unwrap();
    assert_eq!(blocks(&gone[0]).len(), 1, "410 means a full read");
    assert!(state_of(&gone[0]).is_some_and(|t| t != newer));

    let missing = s
        .google
        .busy(&mut s.account, &[cursor("nobody", None)], from, to)
        .await;
    assert!(
        matches!(missing, Err(ProviderError::NotFound(_))),
        "{missing:?}"
    );
}

#[tokio::test]
async fn freebusy_splits_long_ranges_and_many_calendars_into_allowed_requests() {
    let mut s = setup().await;
    let ids: Vec<String> = (0..60).map(|i| format!("cal{i}@example.com")).collect();
    for id in &ids {
        s.fake.add_calendar(id, id, false, "freeBusyReader", "UTC");
    }
    s.fake.add_event(
        &ids[55],
        timed("late", "2026-04-11T10:00:00Z", "2026-04-11T11:00:00Z"),
    );
    s.fake.add_event(
        &ids[1],
        timed("early", "2026-01-02T10:00:00Z", "2026-01-02T11:00:00Z"),
    );

    let busy = s
        .google
        .freebusy(
            &mut s.account,
            &ids,
            utc("2026-01-01T00:00:00Z"),
            utc("2026-07-20T00:00:00Z"),
        )
        .await
        .unwrap();

    let spans: Vec<_> = busy.iter().map(|b| (b.start, b.end)).collect();
    assert_eq!(
        spans,
        [
            (utc("2026-01-02T10:00:00Z"), utc("2026-01-02T11:00:00Z")),
            (utc("2026-04-11T10:00:00Z"), utc("2026-04-11T11:00:00Z")),
        ]
    );
    let requests = s.fake.freebusy_requests();
    assert_eq!(
        requests.len(),
        6,
        "three windows times two groups of calendars"
    );
    for request in &requests {
        assert!(request["items"].as_array().unwrap().len() <= 50);
        let from = utc(request["timeMin"].as_str().unwrap());
        let to = utc(request["timeMax"].as_str().unwrap());
        assert!(to - from <= chrono::Duration::days(90));
    }
}

#[tokio::test]
async fn an_expired_access_token_is_renewed_before_the_call() {
    let mut s = setup().await;
    s.fake.add_calendar("me", "Me", true, "owner", "UTC");
    let old = access_token(&s.account);
    s.fake.expire(&old);
    if let Credentials::OAuth { expires_at, .. } = &mut s.account.credentials {
        *expires_at = Some(Utc::now() - chrono::Duration::minutes(1));
    }

    s.google.calendars(&mut s.account).await.unwrap();

    let Credentials::OAuth {
        access_token,
        refresh_token,
        expires_at,
    } = &s.account.credentials
    else {
        panic!("not OAuth")
    };
    assert_ne!(*access_token, old);
    assert!(
        refresh_token.is_some(),
        "Google's refresh keeps the refresh token"
    );
    assert!(expires_at.unwrap() > Utc::now());
    assert_eq!(
        s.fake.count("GET", "/calendarList"),
        1,
        "no call with the old token"
    );
}

#[tokio::test]
async fn a_401_renews_the_token_once_and_retries() {
    let mut s = setup().await;
    s.fake.add_calendar("me", "Me", true, "owner", "UTC");
    let old = access_token(&s.account);
    // Google says the token is dead although its recorded expiry is still ahead.
    s.fake.expire(&old);

    s.google.calendars(&mut s.account).await.unwrap();

    assert_ne!(access_token(&s.account), old);
    assert_eq!(s.fake.count("GET", "/calendarList"), 2);
}

#[tokio::test]
async fn a_token_expiring_within_a_minute_is_renewed_first() {
    let fake = FakeGoogle::start().await;
    fake.add_calendar("me", "Me", true, "owner", "UTC");
    fake.set_token_lifetime(30);
    let (access, refresh) = fake.grant();
    let google = Google::new(fake.app(), fake.url(), http());
    let mut account = Account {
        url: None,
        credentials: Credentials::OAuth {
            access_token: access.clone(),
            refresh_token: Some(refresh),
            expires_at: Some(Utc::now() + chrono::Duration::seconds(30)),
        },
        time_zone: chrono_tz::UTC,
    };

    google.calendars(&mut account).await.unwrap();

    assert_ne!(access_token(&account), access);
}

#[tokio::test]
async fn a_revoked_grant_is_unauthorized() {
    let mut s = setup().await;
    s.fake.add_calendar("me", "Me", true, "owner", "UTC");
    let Credentials::OAuth {
        refresh_token: Some(refresh),
        ..
    } = s.account.credentials.clone()
    else {
        panic!("no refresh token")
    };

    s.fake.app().revoke(&http(), &refresh).await.unwrap();

    assert_eq!(s.fake.revoked(), [refresh]);
    let answer = s.google.calendars(&mut s.account).await;
    assert!(
        matches!(answer, Err(ProviderError::Unauthorized(_))),
        "{answer:?}"
    );
    // Revoking again is not an error (the token is already invalid).
    s.fake.app().revoke(&http(), "1//unknown").await.unwrap();

    // Consent withdrawn at Google's end: the same.
    let (access, refresh) = s.fake.grant();
    s.account.credentials = Credentials::OAuth {
        access_token: access,
        refresh_token: Some(refresh),
        expires_at: None,
    };
    s.google.calendars(&mut s.account).await.unwrap();
    s.fake.revoke_all();
    let answer = s.google.calendars(&mut s.account).await;
    assert!(
        matches!(answer, Err(ProviderError::Unauthorized(_))),
        "{answer:?}"
    );
}

#[tokio::test]
async fn a_refused_refresh_is_unauthorized() {
    let mut s = setup().await;
    s.fake.add_calendar("me", "Me", true, "owner", "UTC");
    s.fake.expire(&access_token(&s.account));
    s.fake.refuse_refresh();

    let answer = s.google.calendars(&mut s.account).await;

    assert!(
        matches!(answer, Err(ProviderError::Unauthorized(_))),
        "{answer:?}"
    );
}

#[tokio::test]
async fn rate_limits_server_errors_and_silence_are_told_apart() {
    let mut s = setup().await;
    s.fake.add_calendar("me", "Me", true, "owner", "UTC");

    s.fake.fail(Failure::TooManyRequests { retry_after: 7 }, 1);
    let answer = s.google.calendars(&mut s.account).await;
    assert_eq!(
        answer,
        Err(ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(7))
        })
    );

    s.fake.fail(Failure::UserRateLimit, 1);
    let answer = s.google.calendars(&mut s.account).await;
    assert_eq!(
        answer,
        Err(ProviderError::RateLimited { retry_after: None })
    );

    s.fake.fail(Failure::ServerError, 1);
    let answer = s.google.calendars(&mut s.account).await;
    assert!(
        matches!(answer, Err(ProviderError::Unavailable(_))),
        "{answer:?}"
    );

    s.fake.fail(Failure::Hang, 1);
    let answer = s.google.calendars(&mut s.account).await;
    assert!(
        matches!(answer, Err(ProviderError::Unavailable(_))),
        "{answer:?}"
    );

    assert_eq!(s.google.calendars(&mut s.account).await.unwrap().len(), 1);
}

fn draft(conference: bool) -> EventDraft {
    EventDraft {
        ical_uid: "b7c1e2a0-booking@kairos".into(),
        title: "Intro call between Ada and Grace".into(),
        description: "Let's talk".into(),
        location: None,
        start: Utc.with_ymd_and_hms(2026, 5, 4, 9, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 5, 4, 9, 30, 0).unwrap(),
        time_zone: "Europe/Berlin".into(),
        organizer: Person {
            name: "Ada".into(),
            email: "ada@example.com".into(),
        },
        attendees: vec![Person {
            name: "Grace".into(),
            email: "grace@example.com".into(),
        }],
        conference,
        cancelled: false,
    }
}

#[tokio::test]
async fn a_written_event_keeps_the_bookings_uid_and_gets_a_meet_link() {
    let mut s = setup().await;
    let cal = "ada@example.com";
    s.fake
        .add_calendar(cal, "Ada", true, "owner", "Europe/Berlin");

    let written = s
        .google
        .create_event(&mut s.account, cal, &draft(true))
        .await
        .unwrap();

    let link = written.meeting_url.clone().expect("a Meet link");
    assert!(link.starts_with("https://meet.google.com/"), "{link}");
    let stored = s.fake.event(&written.external_id).unwrap();
    assert_eq!(stored["iCalUID"], "b7c1e2a0-booking@kairos");
    assert_eq!(stored["summary"], "Intro call between Ada and Grace");
    assert_eq!(stored["start"]["timeZone"], "Europe/Berlin");
    assert_eq!(
        utc(stored["start"]["dateTime"].as_str().unwrap()),
        draft(true).start
    );
    assert_eq!(stored["attendees"][0]["email"], "grace@example.com");
    assert_eq!(stored["hangoutLink"], link.as_str());

    // A retried write (the answer was lost) updates the same event instead of copying it.
    let again = s
        .google
        .create_event(&mut s.account, cal, &draft(true))
        .await
        .unwrap();
    assert_eq!(again.external_id, written.external_id);
    assert_eq!(
        again.meeting_url, written.meeting_url,
        "one meeting, not two"
    );
    assert_eq!(s.fake.events(cal).len(), 1);
}

#[tokio::test]
async fn an_event_is_patched_and_deleted_twice_without_error() {
    let mut s = setup().await;
    let cal = "ada@example.com";
    s.fake
        .add_calendar(cal, "Ada", true, "owner", "Europe/Berlin");
    let written = s
        .google
        .create_event(&mut s.account, cal, &draft(true))
        .await
        .unwrap();

    let mut moved = draft(true);
    moved.start = Utc.with_ymd_and_hms(2026, 5, 5, 14, 0, 0).unwrap();
    moved.end = Utc.with_ymd_and_hms(2026, 5, 5, 14, 30, 0).unwrap();
    moved.location = Some("Room 4".into());
    let updated = s
        .google
        .update_event(&mut s.account, cal, &written, &moved)
        .await
        .unwrap();

    assert_eq!(updated.external_id, written.external_id);
    assert_eq!(
        updated.meeting_url, written.meeting_url,
        "the Meet link stays"
    );
    assert_ne!(updated.etag, written.etag);
    let stored = s.fake.event(&written.external_id).unwrap();
    assert_eq!(
        utc(stored["start"]["dateTime"].as_str().unwrap()),
        moved.start
    );
    assert_eq!(stored["location"], "Room 4");
    assert!(
        s.fake
            .requests()
            .iter()
            .any(|(m, p)| m == "PATCH" && p.ends_with(&written.external_id))
    );

    s.google
        .delete_event(&mut s.account, cal, &updated)
        .await
        .unwrap();
    assert_eq!(
        s.fake.event(&written.external_id).unwrap()["status"],
        "cancelled"
    );
    s.google
        .delete_event(&mut s.account, cal, &updated)
        .await
        .expect("deleting again is done");
    let mut unknown = updated.clone();
    unknown.external_id = "never-was".into();
    s.google
        .delete_event(&mut s.account, cal, &unknown)
        .await
        .expect("an unknown event is gone already");
    assert_eq!(s.fake.count("DELETE", "/never-was"), 1);
}

#[tokio::test]
async fn a_channel_is_opened_with_its_token_and_stopped() {
    let mut s = setup().await;
    let cal = "ada@example.com";
    s.fake.add_calendar(cal, "Ada", true, "owner", "UTC");

    let channel: Channel = s
        .google
        .watch(
            &mut s.account,
            cal,
            "https://kairos.example/hooks/google",
            "channel-secret",
            Duration::from_secs(3600),
        )
        .await
        .unwrap();

    let open = s.fake.channels();
    let stored = &open[&channel.id];
    assert_eq!(stored["token"], "channel-secret");
    assert_eq!(stored["resourceId"], channel.resource_id.as_str());
    let expires = channel.expires_at.expect("an expiry");
    assert!(
        (expires - Utc::now() - chrono::Duration::hours(1))
            .num_seconds()
            .abs()
            < 60
    );

    s.google.stop(&mut s.account, &channel).await.unwrap();
    assert!(s.fake.channels().is_empty());
    s.google
        .stop(&mut s.account, &channel)
        .await
        .expect("a channel already stopped is done");
}

#[test]
fn notifications_are_read_from_googles_headers() {
    let headers = HashMap::from([
        ("X-Goog-Channel-ID", "chan-1"),
        ("X-Goog-Resource-ID", "res-9"),
        ("X-Goog-Channel-Token", "channel-secret"),
        ("X-Goog-Resource-State", "exists"),
    ]);
    let read = |h: &HashMap<&str, &'static str>| {
        let h = h.clone();
        Google::notification(move |name| h.get(name).copied())
    };

    assert_eq!(
        read(&headers),
        Some(Notification {
            channel_id: "chan-1".into(),
            resource_id: "res-9".into(),
            token: Some("channel-secret".into()),
            state: ResourceState::Exists,
        })
    );
    let mut sync = headers.clone();
    sync.insert("X-Goog-Resource-State", "sync");
    assert_eq!(read(&sync).unwrap().state, ResourceState::Sync);
    sync.insert("X-Goog-Resource-State", "not_exists");
    assert_eq!(read(&sync).unwrap().state, ResourceState::NotExists);
    sync.insert("X-Goog-Resource-State", "bogus");
    assert_eq!(read(&sync), None);
    let mut anonymous = headers.clone();
    anonymous.remove("X-Goog-Channel-ID");
    assert_eq!(read(&anonymous), None);
}
