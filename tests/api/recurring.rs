//! Recurring event types and bookings, as Cal.com clients use them: `recurrence` (and the
//! legacy `recurringEvent`) on event types; `POST /v2/bookings` booking every occurrence in one
//! transaction (all or none) on the booker's wall clock across DST; `recurringBookingUid`;
//! cancelling one, the later ones or the rest; one `BOOKING_CREATED` per occurrence.

use chrono::{DateTime, Days, NaiveDate, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use reqwest::Method as M;
use serde_json::{Value, json};

use crate::bookings::{at, book, booking_body, day, host};
use crate::email::{SmtpServer, app_with_smtp};
use crate::helpers::{TestApp, always_bookable, assert_error, data, spawn_app};
use crate::host_groups::{create, crew};
use crate::pages::{host_with_event, post_form};
use crate::webhooks::{Receiver, subscribe};

const WEEKLY_4: &str = r#"{"frequency": "weekly", "interval": 1, "occurrences": 4}"#;

fn weekly_4() -> Value {
    json!({ "recurrence": serde_json::from_str::<Value>(WEEKLY_4).unwrap() })
}

fn starts(series: &Value) -> Vec<String> {
    let list = series
        .as_array()
        .expect("a recurring booking answers a list");
    list.iter()
        .map(|b| b["start"].as_str().unwrap().to_owned())
        .collect()
}

/// `date` plus `weeks` weeks at `time` (UTC), as the API writes instants.
fn weekly(date: NaiveDate, weeks: u64, time: &str) -> String {
    let d = date.checked_add_days(Days::new(7 * weeks)).unwrap();
    format!("{d}T{time}:00.000Z")
}

async fn bookings_of(app: &TestApp, key: &str, query: &str) -> Vec<Value> {
    let path = format!("/v2/bookings?{query}");
    let list = data(app.call(M::GET, &path, Some(key), None).await, 200).await;
    list.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_recurring_event_type_books_every_occurrence_and_reads_back_as_a_series() {
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@host.example", weekly_4()).await;
    let shown = data(
        app.call(
            M::GET,
            &format!("/v2/event-types/{event}"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    // Without a cal-api-version: Cal.com's legacy shape, `recurringEvent` (2: weekly).
    assert_eq!(
        shown["eventType"]["recurringEvent"],
        json!({"interval": 1, "count": 4, "freq": 2})
    );

    let first = day(7);
    let series = data(
        book(
            &app,
            booking_body(event, &at(first, "10:00"), "grace@booker.example"),
        )
        .await,
        201,
    )
    .await;
    let expected: Vec<String> = (0..4).map(|w| weekly(first, w, "10:00")).collect();
    assert_eq!(starts(&series), expected);
    let list = series.as_array().unwrap();
    let recurring = list[0]["recurringBookingUid"].as_str().unwrap().to_owned();
    assert!(list.iter().all(|b| b["recurringBookingUid"] == recurring));
    assert!(list.iter().all(|b| b["status"] == "accepted"));
    let mut uids: Vec<&str> = list.iter().map(|b| b["uid"].as_str().unwrap()).collect();
    uids.dedup();
    assert_eq!(uids.len(), 4, "each occurrence is a booking of its own");

    // The series by its uid; each occurrence by its own; the list's recurring tab.
    let by_series = data(
        app.call(
            M::GET,
            &format!("/v2/bookings/{recurring}"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(starts(&by_series), expected);
    let one = data(
        app.call(
            M::GET,
            &format!("/v2/bookings/{}", uids[1]),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(one["start"], expected[1]);
    assert_eq!(one["recurringBookingUid"], recurring);
    assert_eq!(bookings_of(&app, &key, "status=recurring").await.len(), 4);

    // `recurrenceCount` books fewer; the series' time is taken.
    let mut two = booking_body(event, &at(first, "12:00"), "alan@booker.example");
    two["recurrenceCount"] = json!(2);
    let short = data(book(&app, two).await, 201).await;
    assert_eq!(
        starts(&short),
        [weekly(first, 0, "12:00"), weekly(first, 1, "12:00")]
    );
    assert_eq!(bookings_of(&app, &key, "status=recurring").await.len(), 6);
    // Somebody else's key sees no series.
    let (other, _, _) = host(&app, "bob@host.example", json!({})).await;
    let path = format!("/v2/bookings/{recurring}");
    assert_error(
        app.call(M::GET, &path, Some(&other), None).await,
        404,
        "NotFoundException",
    )
    .await;
    for body in [json!({}), json!({"cancelSubsequentBookings": true})] {
        for uid in [recurring.as_str(), uids[0]] {
            let path = format!("/v2/bookings/{uid}/cancel");
            let answer = app
                .call(M::POST, &path, Some(&other), Some(body.clone()))
                .await;
            let message = assert_error(answer, 404, "NotFoundException").await;
            assert!(!message.contains(uids[1]), "{message}");
        }
    }
    assert_eq!(bookings_of(&app, &key, "status=cancelled").await.len(), 0);
}

/// The first date on or after `from` whose UTC offset in `tz` differs from the day before's.
fn next_offset_change(tz: Tz, from: NaiveDate) -> NaiveDate {
    let offset = |d: NaiveDate| {
        let noon = d.and_hms_opt(12, 0, 0).unwrap();
        tz.from_local_datetime(&noon)
            .earliest()
            .unwrap()
            .offset()
            .fix()
    };
    let mut d = from;
    while offset(d) == offset(d.pred_opt().unwrap()) {
        d = d.succ_opt().unwrap();
    }
    d
}

#[tokio::test]
async fn a_series_keeps_the_bookers_wall_clock_across_dst_changes() {
    let app = spawn_app().await;
    let key = crate::helpers::user_with_key(&app, "ada@host.example", "UTC").await;
    let event = always_bookable(
        &app,
        &key,
        json!({"title": "Weekly", "slug": "weekly", "lengthInMinutes": 30,
               "minimumBookingNotice": 0, "recurrence": {"frequency": "weekly", "interval": 1, "occurrences": 4}}),
    )
    .await;
    for (zone, time) in [("Europe/Berlin", (10, 0)), ("America/New_York", (16, 30))] {
        let tz: Tz = zone.parse().unwrap();
        // Ten days before the zone's next change of offset: the 3rd and 4th occurrences are on
        // the other side of it.
        let change = next_offset_change(tz, day(14));
        let first = change.checked_sub_days(Days::new(10)).unwrap();
        let local = |d: NaiveDate| {
            tz.from_local_datetime(&d.and_hms_opt(time.0, time.1, 0).unwrap())
                .earliest()
                .unwrap()
                .with_timezone(&Utc)
        };
        let mut body = booking_body(
            event,
            &local(first).to_rfc3339(),
            &format!("grace@{}.example", time.0),
        );
        body["attendee"]["timeZone"] = json!(zone);
        let series = data(book(&app, body).await, 201).await;
        let got: Vec<DateTime<Utc>> = starts(&series).iter().map(|s| s.parse().unwrap()).collect();
        let want: Vec<DateTime<Utc>> = (0..4)
            .map(|w| local(first.checked_add_days(Days::new(7 * w)).unwrap()))
            .collect();
        assert_eq!(got, want, "{zone}");
        for start in &got {
            let wall = start.with_timezone(&tz);
            assert_eq!((wall.hour(), wall.minute()), (time.0, time.1), "{zone}");
        }
        // The UTC time moved with the offset: seven times 24 hours would not have.
        assert_ne!(got[0].hour(), got[3].hour(), "{zone}: {got:?}");
    }
}

#[tokio::test]
async fn a_series_with_one_taken_occurrence_books_nothing_and_names_it() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let (key, event, _) = host(&app, "ada@host.example", weekly_4()).await;
    subscribe(&app, &key, &receiver.url, &["BOOKING_CREATED"], "s3cret").await;
    let single = data(
        app.call(
            M::POST,
            "/v2/event-types",
            Some(&key),
            Some(json!({"title": "Single", "slug": "single", "lengthInMinutes": 30, "minimumBookingNotice": 0})),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let first = day(7);
    let third = first.checked_add_days(Days::new(14)).unwrap();
    data(
        book(
            &app,
            booking_body(single, &at(third, "10:00"), "blocker@booker.example"),
        )
        .await,
        201,
    )
    .await;

    let message = assert_error(
        book(
            &app,
            booking_body(event, &at(first, "10:00"), "grace@booker.example"),
        )
        .await,
        409,
        "ConflictException",
    )
    .await;
    assert!(message.starts_with("occurrence 3 of 4 ("), "{message}");
    assert!(message.contains(&format!("{third}T10:00:00Z")), "{message}");
    // Nothing of the series was written: no booking, attendee, claim or history of it.
    let count = |sql: &'static str| app.db.count_rows(sql);
    assert_eq!(count("SELECT id FROM bookings").await.unwrap(), 1);
    assert_eq!(count("SELECT id FROM attendees").await.unwrap(), 1);
    assert_eq!(
        count("SELECT booking_id FROM booking_claims")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        count("SELECT id FROM bookings WHERE recurring_event_id IS NOT NULL")
            .await
            .unwrap(),
        0
    );

    // The two free occurrences book; one BOOKING_CREATED per occurrence, as Cal.com sends them.
    let mut two = booking_body(event, &at(first, "10:00"), "grace@booker.example");
    two["recurrenceCount"] = json!(2);
    let series = data(book(&app, two).await, 201).await;
    assert_eq!(series.as_array().unwrap().len(), 2);
    receiver
        .wait_for("three BOOKING_CREATED", |h| h.len() >= 3)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let hits = receiver.hits();
    assert_eq!(hits.len(), 3, "the refused series sent nothing");
    let payloads: Vec<Value> = hits.iter().map(|h| h.json()["payload"].clone()).collect();
    let recurring: Vec<&Value> = payloads
        .iter()
        .filter(|p| !p["recurringEvent"].is_null())
        .collect();
    assert_eq!(recurring.len(), 2);
    for p in &recurring {
        assert_eq!(
            p["recurringEvent"],
            json!({"freq": 2, "count": 2, "interval": 1})
        );
    }
    let mut started: Vec<&str> = recurring
        .iter()
        .map(|p| p["startTime"].as_str().unwrap())
        .collect();
    started.sort();
    assert_eq!(
        started,
        [
            format!("{first}T10:00:00Z"),
            format!(
                "{}T10:00:00Z",
                first.checked_add_days(Days::new(7)).unwrap()
            )
        ]
    );
}

#[tokio::test]
async fn occurrences_cancel_one_the_later_ones_or_all_remaining() {
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@host.example", weekly_4()).await;
    let first = day(7);
    let series = data(
        book(
            &app,
            booking_body(event, &at(first, "10:00"), "grace@booker.example"),
        )
        .await,
        201,
    )
    .await;
    let uid = |k: usize| series[k]["uid"].as_str().unwrap().to_owned();
    let cancel = |uid: String, body: Value| {
        let app = &app;
        async move {
            app.call(
                M::POST,
                &format!("/v2/bookings/{uid}/cancel"),
                None,
                Some(body),
            )
            .await
        }
    };
    // One occurrence (by its own uid, as the booker): only that one.
    let one = data(
        cancel(uid(1), json!({"cancellationReason": "Away"})).await,
        200,
    )
    .await;
    assert_eq!(one["status"], "cancelled");
    let status = |list: &[Value]| -> Vec<String> {
        list.iter()
            .map(|b| b["status"].as_str().unwrap().to_owned())
            .collect()
    };
    let recurring = series[0]["recurringBookingUid"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = async || {
        let path = format!("/v2/bookings/{recurring}");
        let all = data(app.call(M::GET, &path, Some(&key), None).await, 200).await;
        all.as_array().unwrap().clone()
    };
    assert_eq!(
        status(&read().await),
        ["accepted", "cancelled", "accepted", "accepted"]
    );
    // The series' uid with cancelSubsequentBookings is Cal.com's 400.
    let message = assert_error(
        cancel(recurring.clone(), json!({"cancelSubsequentBookings": true})).await,
        400,
        "BadRequestException",
    )
    .await;
    assert!(
        message.contains("Cannot cancel subsequent bookings"),
        "{message}"
    );
    // The third and every later one.
    let later = data(
        cancel(uid(2), json!({"cancelSubsequentBookings": true})).await,
        200,
    )
    .await;
    assert_eq!(
        status(later.as_array().unwrap()),
        ["cancelled", "cancelled"]
    );
    assert_eq!(
        status(&read().await),
        ["accepted", "cancelled", "cancelled", "cancelled"]
    );
    // The freed times book again.
    let third = first.checked_add_days(Days::new(14)).unwrap();
    let mut again = booking_body(event, &at(third, "10:00"), "alan@booker.example");
    again["recurrenceCount"] = json!(1);
    data(book(&app, again).await, 201).await;

    // All remaining, by the series' uid; then nothing remains.
    let rest = data(cancel(recurring.clone(), json!({})).await, 200).await;
    assert_eq!(status(rest.as_array().unwrap()), ["cancelled"]);
    assert_eq!(status(&read().await), ["cancelled"; 4]);
    let message = assert_error(
        cancel(recurring.clone(), json!({})).await,
        400,
        "BadRequestException",
    )
    .await;
    assert!(message.contains("no remaining occurrence"), "{message}");
    assert_error(
        cancel("no-such-series".into(), json!({})).await,
        404,
        "NotFoundException",
    )
    .await;
}

#[tokio::test]
async fn bad_recurrences_and_counts_are_refused_in_calcoms_envelope() {
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@host.example", weekly_4()).await;
    let create = |body: Value| {
        let (app, key) = (&app, &key);
        async move {
            app.call(M::POST, "/v2/event-types", Some(key), Some(body))
                .await
        }
    };
    let base = |extra: Value| {
        let mut body = json!({"title": "R", "slug": "r", "lengthInMinutes": 30});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (extra, field) in [
        (
            json!({"recurrence": {"frequency": "daily", "interval": 1, "occurrences": 3}}),
            "recurrence.frequency",
        ),
        (
            json!({"recurrence": {"frequency": "weekly", "interval": 1, "occurrences": 1}}),
            "recurrence.occurrences",
        ),
        (
            json!({"recurrence": {"frequency": "weekly", "interval": 1, "occurrences": 53}}),
            "recurrence.occurrences",
        ),
        (
            json!({"recurrence": {"frequency": "weekly", "interval": 0, "occurrences": 3}}),
            "recurrence.interval",
        ),
        (
            json!({"recurrence": {"frequency": "weekly", "interval": 1, "occurrences": 3},
                "seats": {"seatsPerTimeSlot": 3}}),
            "recurrence",
        ),
        (
            json!({"recurringEvent": {"freq": 4, "count": 3, "interval": 1}}),
            "recurringEvent.freq",
        ),
        (json!({"recurringEvent": "weekly"}), "recurringEvent"),
    ] {
        let message = assert_error(
            create(base(extra.clone())).await,
            400,
            "BadRequestException",
        )
        .await;
        assert!(
            message.starts_with(&format!("{field}: ")),
            "{extra}: {message}"
        );
    }
    // Cal.com's legacy `recurringEvent` reads as `recurrence`.
    let legacy = data(
        create(base(
            json!({"recurringEvent": {"freq": 1, "count": 3, "interval": 2}}),
        ))
        .await,
        201,
    )
    .await;
    assert_eq!(
        legacy["recurrence"],
        json!({"frequency": "monthly", "interval": 2, "occurrences": 3})
    );

    let start = at(day(7), "10:00");
    let (_, plain, _) = host(&app, "bob@host.example", json!({})).await;
    for (event, count, status, starts_with) in [
        (
            event,
            json!(5),
            400,
            "recurrenceCount: Provided recurrence count is higher",
        ),
        (event, json!(0), 400, "recurrenceCount: must be at least 1"),
        (event, json!("two"), 400, "recurrenceCount"),
        (plain, json!(2), 400, "recurrenceCount: event type"),
    ] {
        let mut body = booking_body(event, &start, "grace@booker.example");
        body["recurrenceCount"] = count.clone();
        let message = assert_error(book(&app, body).await, status, "BadRequestException").await;
        assert!(message.starts_with(starts_with), "{count}: {message}");
    }
    assert_eq!(
        app.db.count_rows("SELECT id FROM bookings").await.unwrap(),
        0
    );
}

#[tokio::test]
async fn the_booking_page_offers_the_series_and_books_it() {
    let app = spawn_app().await;
    let (key, _) = host_with_event(&app, weekly_4()).await;
    let first = day(9);
    let month = first.format("%Y-%m");
    let (status, html) = {
        let r = app
            .get(&format!("/ada/intro?month={month}&date={first}&lang=de"))
            .await;
        (r.status().as_u16(), r.text().await.unwrap())
    };
    assert_eq!(status, 200);
    assert!(
        html.contains("Wiederholt sich wöchentlich, 4 Termine"),
        "{html}"
    );

    let slot = format!("{first}T10:00:00Z");
    let step = format!("/ada/intro?tz=UTC&month={month}&date={first}&slot={slot}");
    let form = app.get(&step).await.text().await.unwrap();
    assert!(form.contains("Repeats weekly, 4 occurrences"), "{form}");
    let listed = form.split("id=\"occurrences\"").nth(1).unwrap_or_default();
    assert_eq!(
        listed
            .split("</ol>")
            .next()
            .unwrap()
            .matches("<li>")
            .count(),
        4,
        "{form}"
    );

    let response = post_form(
        &app,
        &step,
        &[
            ("slot", &slot),
            ("nonce", "n1"),
            ("name", "Grace Hopper"),
            ("email", "grace@example.com"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let booked = bookings_of(&app, &key, "status=recurring&sortStart=asc").await;
    let got: Vec<&str> = booked
        .iter()
        .map(|b| b["start"].as_str().unwrap())
        .collect();
    let want: Vec<String> = (0..4).map(|w| weekly(first, w, "10:00")).collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn each_occurrence_gets_its_own_emails_and_reminders() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(&app, "ada@host.example", weekly_4()).await;
    let first = day(7);
    let series = data(
        book(
            &app,
            booking_body(event, &at(first, "10:00"), "grace@booker.example"),
        )
        .await,
        201,
    )
    .await;
    // The booker's and the host's confirmation of each occurrence.
    assert_eq!(smtp.wait_for(8).await.len(), 8);
    for (w, booking) in series.as_array().unwrap().iter().enumerate() {
        let path = format!("/v2/bookings/{}/history", booking["uid"].as_str().unwrap());
        let history = data(app.call(M::GET, &path, Some(&key), None).await, 200).await;
        let scheduled = history
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "reminders_scheduled")
            .unwrap_or_else(|| panic!("occurrence {w}: {history}"));
        let start: DateTime<Utc> = booking["start"].as_str().unwrap().parse().unwrap();
        let day_before = (start - chrono::Duration::hours(24))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let ats: Vec<&str> = scheduled["changes"]["reminders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["at"].as_str().unwrap())
            .collect();
        assert!(
            ats.contains(&day_before.as_str()),
            "occurrence {w}: {ats:?}"
        );
    }
}

#[tokio::test]
async fn round_robin_keeps_the_first_occurrences_host_where_they_are_free() {
    let app = spawn_app().await;
    let crew = crew(&app, "rr").await;
    let event = data(
        create(
            &app,
            &crew,
            json!({"title": "Coaching", "slug": "coaching", "lengthInMinutes": 30,
                   "minimumBookingNotice": 0, "schedulingType": "ROUND_ROBIN",
                   "hosts": [{"userId": crew.bob.0}, {"userId": crew.cat.0}],
                   "recurrence": {"frequency": "weekly", "interval": 1, "occurrences": 3}}),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let organiser = |b: &Value| b["hosts"][0]["id"].as_i64().unwrap();
    // Fairness alone would alternate; the series stays with its first host.
    let first = day(7);
    let series = data(
        book(
            &app,
            booking_body(event, &at(first, "10:00"), "grace@booker.example"),
        )
        .await,
        201,
    )
    .await;
    let hosts: Vec<i64> = series.as_array().unwrap().iter().map(organiser).collect();
    assert_eq!(hosts, vec![hosts[0]; 3], "{series}");
    let reason = series[2]["assignmentReason"]["description"]
        .as_str()
        .unwrap();
    assert!(
        reason.starts_with("kept the host it already had"),
        "{reason}"
    );
    // Now the other host is behind on bookings, so fairness gives them the next series; where
    // they are busy, that occurrence goes to the first host and the series still books.
    let kept = hosts[0];
    let (other, personal) = if kept == crew.bob.0 {
        (crew.cat.0, crew.cat.1)
    } else {
        (crew.bob.0, crew.bob.1)
    };
    let second = first.checked_add_days(Days::new(7)).unwrap();
    let mut busy = booking_body(personal, &at(second, "12:00"), "blocker@booker.example");
    busy["attendee"]["timeZone"] = json!("UTC");
    data(book(&app, busy).await, 201).await;
    let series = data(
        book(
            &app,
            booking_body(event, &at(first, "12:00"), "alan@booker.example"),
        )
        .await,
        201,
    )
    .await;
    let hosts: Vec<i64> = series.as_array().unwrap().iter().map(organiser).collect();
    assert_eq!(hosts, [other, kept, other], "{series}");
}
