//! The console's availability pages over real HTTP: schedules listed, created, made default and
//! deleted; the weekly editor, zone and date overrides, each seen in `GET /v2/slots` (DST days
//! included); out-of-office days; another user's schedule; forms without their token. One test
//! runs in Chromium: hours edited in the console change the booking page's times (and axe-core
//! finds nothing serious on the editor).

use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
use reqwest::Method;
use serde_json::{Value, json};

use fantoccini::key::Key;

use crate::bookings::{day, slot_starts};
use crate::browser::{Driver, ONE_AT_A_TIME, fill, press, screenshot, wait_for};
use crate::console::{PASSWORD, Visitor};
use crate::console_browser::axe_violations;
use crate::helpers::{TestApp, create_user, data, new_key, spawn_app};

/// A user in `zone` with the console password and an API key: (id, key).
async fn member(app: &TestApp, email: &str, zone: &str) -> (i64, String) {
    let user = create_user(&app.db, email, zone).await;
    let hash =
        kairos::auth::hash_password(&kairos::auth::Password::parse(PASSWORD).unwrap()).unwrap();
    app.db
        .run(async |c| kairos::storage::users::set_password_hash(c, user.id, &hash).await)
        .await
        .unwrap();
    (user.id, new_key(&app.db, email).await.1)
}

/// A one-hour event type of `key`'s user, on `schedule` (else their default schedule).
async fn event_type(app: &TestApp, key: &str, schedule: Option<i64>) -> i64 {
    let mut body = json!({"title": "Call", "slug": "call", "lengthInMinutes": 60,
                          "minimumBookingNotice": 0});
    if let Some(id) = schedule {
        body["scheduleId"] = json!(id);
    }
    let created = app
        .call(Method::POST, "/v2/event-types", Some(key), Some(body))
        .await;
    data(created, 201).await["id"].as_i64().unwrap()
}

/// Schedule `id` as a 2024-06-11 client reads it.
async fn schedule(app: &TestApp, key: &str, id: i64) -> Value {
    let path = format!("{}/v2/schedules/{id}", app.address);
    let request = app.client.get(path).bearer_auth(key);
    let answer = request.header("cal-api-version", "2024-06-11").send();
    data(answer.await.unwrap(), 200).await
}

async fn default_id(app: &TestApp, key: &str) -> i64 {
    let found = app
        .call(Method::GET, "/v2/schedules/default", Some(key), None)
        .await;
    data(found, 200).await["id"].as_i64().unwrap()
}

/// The first `weekday` at least two days ahead.
fn next(weekday: Weekday) -> NaiveDate {
    let mut date = day(2);
    while date.weekday() != weekday {
        date = date.succ_opt().unwrap();
    }
    date
}

fn utc(date: NaiveDate, time: &str) -> String {
    format!("{date}T{time}:00.000Z")
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The weekly form: `days` (0 = Monday) ticked with their ranges, the others off.
fn week_form(zone: &str, days: &[(usize, &[(&str, &str)])], op: &str) -> Vec<(String, String)> {
    let mut form = vec![
        ("name".to_owned(), "Working hours".to_owned()),
        ("time_zone".to_owned(), zone.to_owned()),
        ("op".to_owned(), op.to_owned()),
    ];
    for (day, ranges) in days {
        form.push(("on".into(), day.to_string()));
        for (start, end) in *ranges {
            form.push((format!("start{day}"), (*start).to_owned()));
            form.push((format!("end{day}"), (*end).to_owned()));
        }
    }
    form
}

async fn send(
    visitor: &mut Visitor<'_>,
    page: &str,
    action: &str,
    form: &[(String, String)],
) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    visitor.submit(page, action, &pairs).await
}

/// The HTML of the element that starts at `marker`, up to `end`.
fn part<'a>(html: &'a str, marker: &str, end: &str) -> &'a str {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {html}"));
    let rest = &html[at..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[tokio::test]
async fn the_list_creates_makes_default_and_deletes_schedules() {
    let app = spawn_app().await;
    let (_, key) = member(&app, "ada@example.com", "Europe/Berlin").await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let first = default_id(&app, &key).await;
    let list = ada.page("/availability", 200).await;
    let row = part(&list, &format!("data-schedule=\"{first}\""), "</li>");
    assert!(
        row.contains("Working hours") && row.contains("Default"),
        "{row}"
    );
    assert!(
        row.contains("Mon–Fri 09:00–17:00") && row.contains("Europe/Berlin"),
        "{row}"
    );

    let refused = ada
        .submit(
            "/availability",
            "/availability",
            &[("name", "Evenings"), ("time_zone", "Mars/Olympus")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(body.contains("Unknown time zone"), "{body}");
    assert!(body.contains("value=\"Mars/Olympus\"") && body.contains("value=\"Evenings\""));

    let created = ada
        .submit(
            "/availability",
            "/availability",
            &[("name", "Evenings"), ("time_zone", "America/New_York")],
        )
        .await;
    assert_eq!(created.status(), 303);
    let id: i64 = location(&created)["/availability/".len()..]
        .parse()
        .unwrap();
    let evenings = schedule(&app, &key, id).await;
    assert_eq!(evenings["timeZone"], "America/New_York");
    assert_eq!(evenings["isDefault"], false);

    let made = ada
        .submit("/availability", &format!("/availability/{id}/default"), &[])
        .await;
    assert_eq!(made.status(), 303);
    assert_eq!(default_id(&app, &key).await, id);
    let list = ada.page("/availability", 200).await;
    assert!(part(&list, &format!("data-schedule=\"{id}\""), "</li>").contains("Default"));

    // The default cannot go; the other one can.
    let refused = ada
        .submit("/availability", &format!("/availability/{id}/delete"), &[])
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("default schedule"));
    let deleted = ada
        .submit(
            "/availability",
            &format!("/availability/{first}/delete"),
            &[],
        )
        .await;
    assert_eq!(deleted.status(), 303);
    let all = data(
        app.call(Method::GET, "/v2/schedules", Some(&key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 1);

    // Times follow the user's 12/24 hour setting.
    let twelve = app
        .call(
            Method::PATCH,
            "/v2/me",
            Some(&key),
            Some(json!({"timeFormat": 12})),
        )
        .await;
    data(twelve, 200).await;
    let list = ada.page("/availability", 200).await;
    assert!(list.contains("Mon–Fri 9:00am–5:00pm"), "{list}");
}

#[tokio::test]
async fn editing_the_weekly_hours_changes_the_slots() {
    let app = spawn_app().await;
    let (_, key) = member(&app, "ada@example.com", "UTC").await;
    let event = event_type(&app, &key, None).await;
    let monday = next(Weekday::Mon);
    let tuesday = monday.succ_opt().unwrap();
    assert_eq!(slot_starts(&app, event, monday).await.len(), 8);
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let page = format!("/availability/{}", default_id(&app, &key).await);

    let hours: &[(&str, &str)] = &[("10:00", "12:00"), ("13:00", "14:00")];
    let saved = send(
        &mut ada,
        &page,
        &page,
        &week_form("UTC", &[(0, hours)], "save"),
    )
    .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), page);
    assert_eq!(
        slot_starts(&app, event, monday).await,
        [
            utc(monday, "10:00"),
            utc(monday, "11:00"),
            utc(monday, "13:00")
        ]
    );
    assert!(slot_starts(&app, event, tuesday).await.is_empty());
    let shown = ada.page(&page, 200).await;
    assert!(shown.contains("Mon 10:00–12:00, 13:00–14:00"), "{shown}");

    // "Add hours" saves with a new range an hour after the day's last; "×" removes one.
    let added = send(
        &mut ada,
        &page,
        &page,
        &week_form("UTC", &[(0, hours)], "add:0"),
    )
    .await;
    assert_eq!(added.status(), 303);
    let rules = schedule(&app, &key, default_id(&app, &key).await).await;
    assert_eq!(rules["availability"][2]["startTime"], "15:00", "{rules}");
    let three: &[(&str, &str)] = &[("10:00", "12:00"), ("13:00", "14:00"), ("15:00", "16:00")];
    let removed = send(
        &mut ada,
        &page,
        &page,
        &week_form("UTC", &[(0, three)], "remove:0:0"),
    )
    .await;
    assert_eq!(removed.status(), 303);
    assert_eq!(
        slot_starts(&app, event, monday).await,
        [utc(monday, "13:00"), utc(monday, "15:00")]
    );
}

#[tokio::test]
async fn hours_that_end_before_they_start_are_refused_and_kept() {
    let app = spawn_app().await;
    let (_, key) = member(&app, "ada@example.com", "UTC").await;
    let id = default_id(&app, &key).await;
    let before = schedule(&app, &key, id).await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let page = format!("/availability/{id}");

    let backwards: &[(&str, &str)] = &[("17:00", "09:00")];
    let refused = send(
        &mut ada,
        &page,
        &page,
        &week_form("UTC", &[(0, backwards)], "save"),
    )
    .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        part(&body, "id=\"day-0\"", "</fieldset>").contains("The end must be after the start.")
    );
    assert!(part(&body, "id=\"start-0-0\"", "</select>").contains("value=\"17:00\" selected"));
    assert!(part(&body, "id=\"end-0-0\"", "</select>").contains("value=\"09:00\" selected"));

    let nowhere = send(
        &mut ada,
        &page,
        &page,
        &week_form("Mars/Olympus", &[], "save"),
    )
    .await;
    assert_eq!(nowhere.status(), 422);
    let body = nowhere.text().await.unwrap();
    assert!(body.contains("Unknown time zone") && body.contains("value=\"Mars/Olympus\""));
    assert_eq!(schedule(&app, &key, id).await, before);
}

#[tokio::test]
async fn changing_the_zone_keeps_the_wall_clock_hours() {
    let app = spawn_app().await;
    let (_, key) = member(&app, "ada@example.com", "UTC").await;
    let event = event_type(&app, &key, None).await;
    let monday = next(Weekday::Mon);
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let id = default_id(&app, &key).await;
    let page = format!("/availability/{id}");

    let nine_to_five: &[(&str, &str)] = &[("09:00", "17:00")];
    let week: Vec<(usize, &[(&str, &str)])> = (0..5).map(|d| (d, nine_to_five)).collect();
    let saved = send(
        &mut ada,
        &page,
        &page,
        &week_form("America/New_York", &week, "save"),
    )
    .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(
        schedule(&app, &key, id).await["timeZone"],
        "America/New_York"
    );
    let nine = chrono_tz::America::New_York
        .from_local_datetime(&monday.and_hms_opt(9, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&chrono::Utc);
    let starts = slot_starts(&app, event, monday).await;
    assert_eq!(starts.len(), 8, "{starts:?}");
    assert_eq!(starts[0], nine.format("%Y-%m-%dT%H:%M:%S.000Z").to_string());
}

#[tokio::test]
async fn an_override_closes_a_day_or_gives_it_hours_and_can_be_removed() {
    let app = spawn_app().await;
    let (_, key) = member(&app, "ada@example.com", "UTC").await;
    let event = event_type(&app, &key, None).await;
    let (monday, tuesday) = (next(Weekday::Mon), next(Weekday::Tue));
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let id = default_id(&app, &key).await;
    let page = format!("/availability/{id}");
    let action = format!("{page}/overrides");

    // The calendar picks a date into the form.
    let picked = format!("{page}?month={}&date={monday}", monday.format("%Y-%m"));
    let shown = ada.page(&picked, 200).await;
    assert!(
        shown.contains(&format!("name=\"date\" value=\"{monday}\"")),
        "{shown}"
    );
    assert!(part(&shown, &format!("data-date=\"{monday}\""), ">").contains("aria-current"));

    let day = monday.to_string();
    let closed = ada
        .submit(
            &picked,
            &action,
            &[
                ("date", &day),
                ("kind", "closed"),
                ("start", "09:00"),
                ("end", "17:00"),
            ],
        )
        .await;
    assert_eq!(closed.status(), 303);
    assert!(slot_starts(&app, event, monday).await.is_empty());
    let listed = ada.page(&page, 200).await;
    assert!(part(&listed, &format!("data-override=\"{monday}\""), "</tr>").contains("Unavailable"));

    let other = tuesday.to_string();
    let hours = [
        ("date", other.as_str()),
        ("kind", "hours"),
        ("start", "12:00"),
        ("end", "14:00"),
    ];
    assert_eq!(ada.submit(&page, &action, &hours).await.status(), 303);
    assert_eq!(
        slot_starts(&app, event, tuesday).await,
        [utc(tuesday, "12:00"), utc(tuesday, "13:00")]
    );

    let backwards = [
        ("date", other.as_str()),
        ("kind", "hours"),
        ("start", "14:00"),
        ("end", "12:00"),
    ];
    let refused = ada.submit(&page, &action, &backwards).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(body.contains("The end must be after the start."));
    assert!(body.contains(&format!("name=\"date\" value=\"{tuesday}\"")));
    assert!(part(&body, "id=\"override-start\"", "</select>").contains("value=\"14:00\" selected"));

    let removed = ada
        .submit(
            &page,
            &format!("{page}/overrides/delete"),
            &[("date", &day)],
        )
        .await;
    assert_eq!(removed.status(), 303);
    assert_eq!(slot_starts(&app, event, monday).await.len(), 8);
    assert_eq!(
        schedule(&app, &key, id).await["overrides"],
        json!([{"date": other, "startTime": "12:00", "endTime": "14:00"}])
    );
}

#[tokio::test]
async fn overrides_on_dst_change_days_keep_their_wall_clock_hours() {
    let app = spawn_app().await;
    let (_, key) = member(&app, "ada@example.com", "America/New_York").await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let created = ada
        .submit(
            "/availability",
            "/availability",
            &[("name", "New York"), ("time_zone", "America/New_York")],
        )
        .await;
    let page = location(&created);
    let id: i64 = page["/availability/".len()..].parse().unwrap();
    let event = event_type(&app, &key, Some(id)).await;
    let action = format!("{page}/overrides");
    let add = async |ada: &mut Visitor<'_>, date: &str, kind: &str| {
        let form = [
            ("date", date),
            ("kind", kind),
            ("start", "00:00"),
            ("end", "04:00"),
        ];
        assert_eq!(ada.submit(&page, &action, &form).await.status(), 303);
    };

    // 2027-11-07, clocks go back at 02:00: 00:00-04:00 local is five real hours.
    let fall = NaiveDate::from_ymd_opt(2027, 11, 7).unwrap();
    add(&mut ada, "2027-11-07", "hours").await;
    let hours = ["04:00", "05:00", "06:00", "07:00", "08:00"];
    assert_eq!(
        slot_starts(&app, event, fall).await,
        hours.map(|h| utc(fall, h))
    );
    // 2027-03-14, clocks go forward at 02:00: 00:00-04:00 local is three real hours.
    let spring = NaiveDate::from_ymd_opt(2027, 3, 14).unwrap();
    add(&mut ada, "2027-03-14", "hours").await;
    let hours = ["05:00", "06:00", "07:00"];
    assert_eq!(
        slot_starts(&app, event, spring).await,
        hours.map(|h| utc(spring, h))
    );

    // The Monday after: weekly 09:00-17:00 in standard time, until an override closes it.
    let monday = NaiveDate::from_ymd_opt(2027, 11, 8).unwrap();
    let starts = slot_starts(&app, event, monday).await;
    assert_eq!(
        (starts.len(), starts[0].as_str()),
        (8, utc(monday, "14:00").as_str())
    );
    add(&mut ada, "2027-11-08", "closed").await;
    assert!(slot_starts(&app, event, monday).await.is_empty());
}

/// The last Sunday of `month` in `year` (when the EU changes its clocks).
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let mut date = NaiveDate::from_ymd_opt(year, month + 1, 1)
        .unwrap()
        .pred_opt()
        .unwrap();
    while date.weekday() != Weekday::Sun {
        date = date.pred_opt().unwrap();
    }
    date
}

#[tokio::test]
async fn weekly_hours_on_dst_change_days_keep_their_wall_clock_hours() {
    let app = spawn_app().await;
    let (_, key) = member(&app, "ada@example.com", "UTC").await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let created = ada
        .submit(
            "/availability",
            "/availability",
            &[("name", "Berlin"), ("time_zone", "Europe/Berlin")],
        )
        .await;
    let page = location(&created);
    let id: i64 = page["/availability/".len()..].parse().unwrap();
    let event = event_type(&app, &key, Some(id)).await;
    // Sundays 02:00-04:00 in Berlin, through the weekly editor.
    let early: &[(&str, &str)] = &[("02:00", "04:00")];
    let saved = send(
        &mut ada,
        &page,
        &page,
        &week_form("Europe/Berlin", &[(6, early)], "save"),
    )
    .await;
    assert_eq!(saved.status(), 303);

    let year = chrono::Utc::now().year() + 1;
    // An ordinary winter Sunday: 02:00-04:00 CET is 01:00-03:00 UTC.
    let spring = last_sunday(year, 3);
    let before = spring - chrono::Days::new(7);
    assert_eq!(
        slot_starts(&app, event, before).await,
        [utc(before, "01:00"), utc(before, "02:00")]
    );
    // Clocks go forward at 02:00: the day's 02:00 falls in the gap and is read as 03:00 CEST
    // (RFC 5545), so the hours are one real hour, 01:00-02:00 UTC.
    assert_eq!(
        slot_starts(&app, event, spring).await,
        [utc(spring, "01:00")]
    );
    // Clocks go back at 03:00: 02:00 CEST to 04:00 CET is three real hours from 00:00 UTC.
    let autumn = last_sunday(year, 10);
    assert_eq!(
        slot_starts(&app, event, autumn).await,
        [
            utc(autumn, "00:00"),
            utc(autumn, "01:00"),
            utc(autumn, "02:00")
        ]
    );
    // The form shows the hours as they were typed, whatever day it is.
    let shown = ada.page(&page, 200).await;
    assert!(shown.contains("Sun 02:00–04:00"), "{shown}");
}

#[tokio::test]
async fn recurring_hours_come_back_every_other_week_until_removed() {
    let app = spawn_app().await;
    let (_, key) = member(&app, "ada@example.com", "UTC").await;
    member(&app, "bob@example.com", "UTC").await;
    let event = event_type(&app, &key, None).await;
    let id = default_id(&app, &key).await;
    let saturday = next(Weekday::Sat);
    let (week_later, two_weeks_later) = (
        saturday + chrono::Days::new(7),
        saturday + chrono::Days::new(14),
    );
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let page = format!("/availability/{id}");
    let action = format!("{page}/patterns");
    let first = saturday.to_string();
    assert!(slot_starts(&app, event, saturday).await.is_empty());

    let backwards = [
        ("first", first.as_str()),
        ("repeat", "2w"),
        ("start", "12:00"),
        ("end", "10:00"),
    ];
    let refused = ada.submit(&page, &action, &backwards).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        part(&body, "id=\"pattern-error\"", "</p>").contains("The end must be after the start.")
    );
    assert!(body.contains(&format!("name=\"first\" value=\"{first}\"")));
    assert!(part(&body, "id=\"pattern-start\"", "</select>").contains("value=\"12:00\" selected"));
    let until = (saturday - chrono::Days::new(1)).to_string();
    let early_end = [
        ("first", first.as_str()),
        ("repeat", "2w"),
        ("until", until.as_str()),
        ("start", "10:00"),
        ("end", "12:00"),
    ];
    assert_eq!(ada.submit(&page, &action, &early_end).await.status(), 422);

    let every_other = [
        ("first", first.as_str()),
        ("repeat", "2w"),
        ("until", ""),
        ("start", "10:00"),
        ("end", "12:00"),
    ];
    let added = ada.submit(&page, &action, &every_other).await;
    assert_eq!(added.status(), 303);
    let hours = |d| [utc(d, "10:00"), utc(d, "11:00")];
    assert_eq!(slot_starts(&app, event, saturday).await, hours(saturday));
    assert!(slot_starts(&app, event, week_later).await.is_empty());
    assert_eq!(
        slot_starts(&app, event, two_weeks_later).await,
        hours(two_weeks_later)
    );
    let shown = ada.page(&page, 200).await;
    let row = part(&shown, "data-pattern=\"", "</li>");
    assert!(
        row.contains("Every 2 weeks") && row.contains("10:00–12:00"),
        "{row}"
    );
    let pattern: String = row["data-pattern=\"".len()..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let remove = format!("{page}/patterns/{pattern}/delete");

    let mut bob = Visitor::signed_in(&app, "bob@example.com").await;
    assert_eq!(
        bob.submit("/availability", &remove, &[]).await.status(),
        404
    );
    assert_eq!(
        bob.submit("/availability", &action, &every_other)
            .await
            .status(),
        404
    );
    assert_eq!(slot_starts(&app, event, saturday).await, hours(saturday));

    assert_eq!(ada.submit(&page, &remove, &[]).await.status(), 303);
    assert!(slot_starts(&app, event, saturday).await.is_empty());
    assert!(ada.page(&page, 200).await.contains("id=\"no-patterns\""));
}

#[tokio::test]
async fn another_user_cannot_see_or_change_a_schedule() {
    let app = spawn_app().await;
    let (_, key) = member(&app, "ada@example.com", "UTC").await;
    member(&app, "bob@example.com", "UTC").await;
    let id = default_id(&app, &key).await;
    let before = schedule(&app, &key, id).await;
    let mut bob = Visitor::signed_in(&app, "bob@example.com").await;
    let page = format!("/availability/{id}");

    let seen = bob.get(&page).await;
    assert_eq!(seen.status(), 404);
    assert!(!seen.text().await.unwrap().contains("Working hours"));
    assert!(
        !bob.page("/availability", 200)
            .await
            .contains(&format!("data-schedule=\"{id}\""))
    );
    let nothing: &[(&str, &str)] = &[];
    let week = week_form("UTC", &[(6, &[("00:00", "24:00")])], "save");
    assert_eq!(
        send(&mut bob, "/availability", &page, &week).await.status(),
        404
    );
    let date = next(Weekday::Mon).to_string();
    let attempts = [
        (
            format!("{page}/overrides"),
            vec![("date", date.as_str()), ("kind", "closed")],
        ),
        (
            format!("{page}/overrides/delete"),
            vec![("date", date.as_str())],
        ),
        (format!("{page}/default"), nothing.to_vec()),
        (format!("{page}/delete"), nothing.to_vec()),
    ];
    for (action, form) in attempts {
        let answer = bob.submit("/availability", &action, &form).await;
        assert_eq!(answer.status(), 404, "{action}");
    }
    assert_eq!(schedule(&app, &key, id).await, before);
}

#[tokio::test]
async fn a_schedule_form_without_its_token_or_from_another_site_is_refused() {
    let app = spawn_app().await;
    let (_, key) = member(&app, "ada@example.com", "UTC").await;
    let id = default_id(&app, &key).await;
    let before = schedule(&app, &key, id).await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let page = format!("/availability/{id}");
    let week = week_form("UTC", &[(6, &[("00:00", "24:00")])], "save");
    let pairs: Vec<(&str, &str)> = week.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();

    assert_eq!(ada.post(&page, &pairs).await.status(), 403);
    ada.origin = Some("https://evil.example".into());
    assert_eq!(ada.submit(&page, &page, &pairs).await.status(), 403);
    assert_eq!(schedule(&app, &key, id).await, before);
}

#[tokio::test]
async fn out_of_office_days_offer_no_times_until_removed() {
    let app = spawn_app().await;
    let (_, key) = member(&app, "ada@example.com", "UTC").await;
    member(&app, "bob@example.com", "UTC").await;
    let event = event_type(&app, &key, None).await;
    let monday = next(Weekday::Mon);
    let tuesday = monday.succ_opt().unwrap();
    let (first, second) = (monday.to_string(), tuesday.to_string());
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let page = "/availability/out-of-office";
    assert!(
        ada.page(page, 200)
            .await
            .contains("none of your event types offers times")
    );

    let backwards = [
        ("from", second.as_str()),
        ("to", first.as_str()),
        ("note", "Trip"),
    ];
    let refused = ada.submit(page, page, &backwards).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(part(&body, "id=\"ooo-to-error\"", "</p>").contains("must not be before"));
    assert!(body.contains(&format!("value=\"{second}\"")) && body.contains("value=\"Trip\""));

    let away = [
        ("from", first.as_str()),
        ("to", first.as_str()),
        ("note", "Dentist"),
    ];
    let created = ada.submit(page, page, &away).await;
    assert_eq!(created.status(), 303);
    assert!(slot_starts(&app, event, monday).await.is_empty());
    assert_eq!(slot_starts(&app, event, tuesday).await.len(), 8);
    let listed = ada.page(page, 200).await;
    let row = part(&listed, "data-ooo=\"", "</li>");
    assert!(row.contains("Dentist"), "{row}");
    let ooo: String = row["data-ooo=\"".len()..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let remove = format!("{page}/{ooo}/delete");

    let mut bob = Visitor::signed_in(&app, "bob@example.com").await;
    assert_eq!(bob.submit(page, &remove, &[]).await.status(), 404);
    assert!(slot_starts(&app, event, monday).await.is_empty());

    assert_eq!(ada.submit(page, &remove, &[]).await.status(), 303);
    assert_eq!(slot_starts(&app, event, monday).await.len(), 8);
    assert!(ada.page(page, 200).await.contains("id=\"ooo-none\""));
}

/// The times the booking page `/ada/call` lists on `date`, in Berlin on a 24-hour clock.
async fn offered(browser: &fantoccini::Client, app: &TestApp, date: NaiveDate) -> Vec<String> {
    let month = date.format("%Y-%m");
    let url = format!(
        "{}/ada/call?tz=Europe/Berlin&hour=24&month={month}&date={date}",
        app.address
    );
    browser.goto(&url).await.unwrap();
    wait_for(browser, ".slot").await;
    let mut times = Vec::new();
    for slot in browser
        .find_all(fantoccini::Locator::Css(".slot"))
        .await
        .unwrap()
    {
        times.push(slot.text().await.unwrap());
    }
    times
}

#[tokio::test]
async fn a_host_edits_the_weekly_hours_in_chromium_and_the_booking_page_follows() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let (_, key) = member(&app, "ada@example.com", "Europe/Berlin").await;
    event_type(&app, &key, None).await;
    let id = default_id(&app, &key).await;
    let monday = next(Weekday::Mon);
    let mut driver = Driver::start("Europe/Berlin").await;
    let browser = driver.browser(1280, 900).await;
    let nine_to_five: Vec<String> = (9..17).map(|h| format!("{h:02}:00")).collect();
    assert_eq!(offered(&browser, &app, monday).await, nine_to_five);

    let page = format!("{}/availability/{id}", app.address);
    browser.goto(&page).await.unwrap();
    wait_for(&browser, "form.auth-form").await;
    fill(&browser, "#email", "ada@example.com").await;
    fill(&browser, "#password", PASSWORD).await;
    press(&browser, &Key::Enter.to_string()).await;
    wait_for(&browser, "#week-form").await;
    assert_eq!(
        browser.current_url().await.unwrap().path(),
        format!("/availability/{id}")
    );
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "the weekly editor"
    );
    screenshot(&browser, "console-availability-editor").await;

    // Monday 12:00-14:00 instead of 09:00-17:00, with the selects and the Save button.
    let start = wait_for(&browser, "#start-0-0").await;
    start.select_by_value("12:00").await.unwrap();
    let end = wait_for(&browser, "#end-0-0").await;
    end.select_by_value("14:00").await.unwrap();
    wait_for(&browser, "button[name='op'][value='save']")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait()
        .at_most(std::time::Duration::from_secs(15))
        .for_element(fantoccini::Locator::XPath(
            "//span[@id='summary'][contains(., 'Mon 12:00–14:00')]",
        ))
        .await
        .expect("the saved hours in the summary");
    assert_eq!(offered(&browser, &app, monday).await, ["12:00", "13:00"]);
    // Tuesday kept its hours.
    let tuesday = monday.succ_opt().unwrap();
    assert_eq!(offered(&browser, &app, tuesday).await, nine_to_five);
    browser.close().await.unwrap();
}
