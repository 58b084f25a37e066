//! The console's event type pages over real HTTP (`Visitor`): create, edit every section
//! through the API's use case (seen through the API), refusals with the API's message, hide,
//! duplicate, delete, the availability preview and "why is this time not offered?", who may
//! see and change what, and the CSRF check.

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::slot_starts;
use crate::console::{Visitor, person};
use crate::helpers::{TestApp, data, new_key, spawn_app};
use crate::pages::{ahead, post_form};

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Ada, signed in, with an API key and a default schedule open around the clock in UTC.
async fn ada(app: &TestApp) -> (Visitor<'_>, String) {
    person(app, "ada@example.com").await;
    let key = new_key(&app.db, "ada@example.com").await.1;
    schedule(app, &key, "Always", "00:00", "23:59", true).await;
    (Visitor::signed_in(app, "ada@example.com").await, key)
}

/// A schedule open every day from `start` to `end` (UTC); its id.
async fn schedule(
    app: &TestApp,
    key: &str,
    name: &str,
    start: &str,
    end: &str,
    default: bool,
) -> i64 {
    let days = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    data(
        app.call(
            Method::POST,
            "/v2/schedules",
            Some(key),
            Some(
                json!({"name": name, "timeZone": "UTC", "isDefault": default,
                "availability": [{"days": days, "startTime": start, "endTime": end}]}),
            ),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

async fn api_event(app: &TestApp, key: &str, id: i64) -> Value {
    data(
        app.call_as(
            "2024-06-14",
            Method::GET,
            &format!("/v2/event-types/{id}"),
            Some(key),
        )
        .await,
        200,
    )
    .await
}

/// Creates an event type through the console form; its id.
async fn created(visitor: &mut Visitor<'_>, form: &[(&str, &str)]) -> i64 {
    let answer = visitor.submit("/event-types", "/event-types", form).await;
    assert_eq!(answer.status(), 303);
    let to = location(&answer);
    assert!(to.ends_with("?notice=created"), "{to}");
    to.trim_start_matches("/event-types/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Posts `form` to one of event type `id`'s section actions, from its page.
async fn save(
    visitor: &mut Visitor<'_>,
    id: i64,
    action: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let page = format!("/event-types/{id}");
    visitor
        .submit(&page, &format!("{page}/{action}"), form)
        .await
}

async fn saved(visitor: &mut Visitor<'_>, id: i64, action: &str, form: &[(&str, &str)]) {
    let answer = save(visitor, id, action, form).await;
    let status = answer.status();
    let body = if status == 303 {
        location(&answer)
    } else {
        answer.text().await.unwrap()
    };
    assert_eq!(status, 303, "{action}: {body}");
    assert!(
        body.starts_with(&format!("/event-types/{id}?notice=saved#")),
        "{body}"
    );
}

/// The limits form as the page sends it, with `changes` over the defaults.
fn limits<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("scheduleId", ""),
        ("restrictionScheduleId", ""),
        ("slotInterval", ""),
        ("offsetStart", "0"),
        ("beforeEventBuffer", "0"),
        ("afterEventBuffer", "0"),
        ("minimumBookingNotice", "0"),
        ("minimumBookingNoticeUnit", "minutes"),
        ("bookingWindow.type", ""),
    ];
    for (k, v) in changes {
        form.retain(|(key, _)| key != k);
        form.push((k, v));
    }
    form
}

#[tokio::test]
async fn an_event_type_created_in_the_console_is_in_the_api_and_books() {
    let app = spawn_app().await;
    let (mut visitor, key) = ada(&app).await;
    let id = created(
        &mut visitor,
        &[
            ("title", "Intro Call"),
            ("slug", ""),
            ("lengthInMinutes", "30"),
        ],
    )
    .await;

    let listed = data(
        app.call_as("2024-06-14", Method::GET, "/v2/event-types", Some(&key))
            .await,
        200,
    )
    .await;
    let event = &listed.as_array().unwrap()[0];
    assert_eq!(event["id"], id);
    assert_eq!(
        event["slug"], "intro-call",
        "the slug is made from the title"
    );
    assert_eq!(event["lengthInMinutes"], 30);

    let html = visitor
        .page(&format!("/event-types/{id}?notice=created"), 200)
        .await;
    assert!(
        html.contains("Intro Call") && html.contains("role=\"status\""),
        "{html}"
    );
    let list = visitor.page("/event-types", 200).await;
    assert!(
        list.contains(&format!("href=\"/event-types/{id}\"")),
        "{list}"
    );

    let me = data(app.call(Method::GET, "/v2/me", Some(&key), None).await, 200).await;
    let username = me["username"].as_str().unwrap();
    let (date, month) = ahead(21);
    let slot = format!("{date}T10:00:00Z");
    let step = format!("/{username}/intro-call?tz=UTC&month={month}&date={date}&slot={slot}");
    let booked = post_form(
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
    assert_eq!(booked.status(), 303, "{}", booked.text().await.unwrap());
    assert!(location(&booked).starts_with("/booking/"));
}

#[tokio::test]
async fn every_section_saves_through_the_api_use_case() {
    let app = spawn_app().await;
    let (mut visitor, key) = ada(&app).await;
    let id = created(
        &mut visitor,
        &[
            ("title", "Intro"),
            ("slug", "intro"),
            ("lengthInMinutes", "30"),
        ],
    )
    .await;

    saved(
        &mut visitor,
        id,
        "basics",
        &[
            ("title", "Intro call"),
            ("slug", "intro"),
            ("description", "A first talk."),
            ("lengthInMinutes", "45"),
            ("lengthInMinutesOptions", "15, 45"),
        ],
    )
    .await;
    let mornings = schedule(&app, &key, "Mornings", "09:00", "10:00", false).await;
    let restriction = mornings.to_string();
    saved(
        &mut visitor,
        id,
        "limits",
        &limits(&[
            ("beforeEventBuffer", "10"),
            ("afterEventBuffer", "5"),
            ("minimumBookingNotice", "2"),
            ("minimumBookingNoticeUnit", "hours"),
            ("bookingWindow.type", "calendarDays"),
            ("bookingWindow.value", "60"),
            ("bookingLimitsCount.day", "3"),
            ("restrictionScheduleId", &restriction),
        ]),
    )
    .await;
    let event = api_event(&app, &key, id).await;
    assert_eq!(event["title"], "Intro call");
    assert_eq!(event["lengthInMinutes"], 45);
    assert_eq!(event["lengthInMinutesOptions"], json!([15, 45]));
    assert_eq!(event["beforeEventBuffer"], 10);
    assert_eq!(event["afterEventBuffer"], 5);
    assert_eq!(event["minimumBookingNotice"], 120);
    assert_eq!(
        event["bookingWindow"],
        json!({"type": "calendarDays", "rolling": false, "value": 60})
    );
    assert_eq!(event["bookingLimitsCount"], json!({"day": 3}));
    assert_eq!(event["restrictionScheduleId"], mornings);
    // The restriction schedule narrows what is offered to its hours.
    let date = Utc::now().date_naive() + Duration::days(10);
    let starts = slot_starts(&app, id, date).await;
    assert!(!starts.is_empty());
    assert!(starts.iter().all(|s| s.contains("T09:")), "{starts:?}");
    // The form shows what is stored.
    let html = visitor.page(&format!("/event-types/{id}"), 200).await;
    assert!(
        html.contains("name=\"beforeEventBuffer\" type=\"number\" value=\"10\""),
        "{html}"
    );
    assert!(html.contains(&format!(
        "<option value=\"{mornings}\" selected>Mornings</option>"
    )));

    // Booking questions: add, edit, add another, move, remove.
    let question = [
        ("original", ""),
        ("type", "select"),
        ("label", "Team size"),
        ("name", ""),
        ("options", "1-10\r\n11-50"),
        ("required", "on"),
    ];
    saved(&mut visitor, id, "questions", &question).await;
    let opened = visitor
        .page(&format!("/event-types/{id}?question=team-size"), 200)
        .await;
    assert!(
        opened.contains("name=\"original\" value=\"team-size\""),
        "{opened}"
    );
    saved(
        &mut visitor,
        id,
        "questions",
        &[
            ("original", "team-size"),
            ("type", "radio"),
            ("label", "How many?"),
            ("name", "team-size"),
            ("options", "1-10\n11-50\n51+"),
        ],
    )
    .await;
    saved(
        &mut visitor,
        id,
        "questions",
        &[("type", "text"), ("label", "Company"), ("name", "company")],
    )
    .await;
    saved(
        &mut visitor,
        id,
        "questions/order",
        &[("op", "up"), ("key", "company")],
    )
    .await;
    let fields = custom_fields(&api_event(&app, &key, id).await);
    assert_eq!(
        fields.iter().map(|f| f["slug"].clone()).collect::<Vec<_>>(),
        [json!("company"), json!("team-size")]
    );
    assert_eq!(
        fields[1],
        json!({"type": "radio", "slug": "team-size", "label": "How many?", "required": false, "options": ["1-10", "11-50", "51+"]})
    );
    saved(
        &mut visitor,
        id,
        "questions/order",
        &[("op", "remove"), ("key", "company")],
    )
    .await;
    assert_eq!(custom_fields(&api_event(&app, &key, id).await).len(), 1);

    // Locations, then the advanced options.
    saved(
        &mut visitor,
        id,
        "locations",
        &[
            ("type", "address"),
            ("value", "1 Main St"),
            ("public", "on"),
        ],
    )
    .await;
    saved(
        &mut visitor,
        id,
        "locations",
        &[("type", "integration"), ("value", "cal-video")],
    )
    .await;
    saved(
        &mut visitor,
        id,
        "locations/order",
        &[("op", "down"), ("key", "0")],
    )
    .await;
    saved(
        &mut visitor,
        id,
        "advanced",
        &[
            ("confirmationPolicy.type", "time"),
            ("confirmationPolicy.noticeThreshold.count", "3"),
            ("confirmationPolicy.noticeThreshold.unit", "hours"),
            ("seats.seatsPerTimeSlot", "4"),
            ("seats.showAvailabilityCount", "on"),
            ("successRedirectUrl", "https://example.com/thanks"),
            ("disableGuests", "on"),
            ("color.lightThemeHex", "#112233"),
            ("color.darkThemeHex", "#ddeeff"),
        ],
    )
    .await;
    let event = api_event(&app, &key, id).await;
    assert_eq!(
        event["locations"],
        json!([
            {"type": "integration", "integration": "cal-video"},
            {"type": "address", "address": "1 Main St", "displayLocationPublicly": true}
        ])
    );
    assert_eq!(event["confirmationPolicy"]["type"], "time");
    assert_eq!(
        event["confirmationPolicy"]["noticeThreshold"],
        json!({"unit": "hours", "count": 3})
    );
    assert_eq!(
        event["seats"],
        json!({"seatsPerTimeSlot": 4, "showAttendeeInfo": false, "showAvailabilityCount": true})
    );
    assert_eq!(event["successRedirectUrl"], "https://example.com/thanks");
    assert_eq!(event["forwardParamsSuccessRedirect"], false);
    assert_eq!(event["disableGuests"], true);
    assert_eq!(
        event["color"],
        json!({"lightThemeHex": "#112233", "darkThemeHex": "#ddeeff"})
    );
    // Emptying the limits clears them.
    saved(&mut visitor, id, "limits", &limits(&[])).await;
    let event = api_event(&app, &key, id).await;
    assert_eq!(event["bookingLimitsCount"], Value::Null);
    assert_eq!(event["bookingWindow"], Value::Null);
    assert_eq!(event["restrictionScheduleId"], Value::Null);
    assert_eq!(event["beforeEventBuffer"], 0);
}

fn custom_fields(event: &Value) -> Vec<Value> {
    event["bookingFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("isDefault").is_none())
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_refused_change_shows_the_apis_message_next_to_its_input_and_keeps_it() {
    let app = spawn_app().await;
    let (mut visitor, key) = ada(&app).await;
    let id = created(
        &mut visitor,
        &[
            ("title", "Intro"),
            ("slug", "intro"),
            ("lengthInMinutes", "30"),
        ],
    )
    .await;
    created(
        &mut visitor,
        &[
            ("title", "Other"),
            ("slug", "other"),
            ("lengthInMinutes", "30"),
        ],
    )
    .await;

    let api = app
        .call(
            Method::PATCH,
            &format!("/v2/event-types/{id}"),
            Some(&key),
            Some(json!({"lengthInMinutes": 0})),
        )
        .await;
    assert_eq!(api.status(), 400);
    let api_message = api.json::<Value>().await.unwrap()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    let answer = save(
        &mut visitor,
        id,
        "basics",
        &[
            ("title", "Kept title"),
            ("slug", "intro"),
            ("lengthInMinutes", "0"),
        ],
    )
    .await;
    assert_eq!(answer.status(), 422);
    let html = answer.text().await.unwrap();
    assert!(html.contains(&format!("<p class=\"error\" id=\"basics-lengthInMinutes-error\" role=\"alert\">{api_message}</p>")), "{api_message}: {html}");
    assert!(html.contains("value=\"Kept title\""), "the input is kept");

    let answer = save(
        &mut visitor,
        id,
        "limits",
        &limits(&[("bookingLimitsCount.day", "0"), ("beforeEventBuffer", "7")]),
    )
    .await;
    assert_eq!(answer.status(), 422);
    let html = answer.text().await.unwrap();
    assert!(html.contains("id=\"limits-bookingLimitsCount-day-error\" role=\"alert\">bookingLimitsCount.day: must be between 1 and 100000"), "{html}");
    assert!(html.contains("name=\"beforeEventBuffer\" type=\"number\" value=\"7\""));

    let answer = save(
        &mut visitor,
        id,
        "basics",
        &[
            ("title", "Intro"),
            ("slug", "other"),
            ("lengthInMinutes", "30"),
        ],
    )
    .await;
    assert_eq!(answer.status(), 409);
    assert!(
        answer
            .text()
            .await
            .unwrap()
            .contains("slug: an event type with slug `other` already exists here")
    );

    let answer = save(
        &mut visitor,
        id,
        "questions",
        &[("type", "select"), ("label", "Size"), ("name", "size")],
    )
    .await;
    assert_eq!(answer.status(), 422);
    let html = answer.text().await.unwrap();
    assert!(html.contains("id=\"questions-options-error\""), "{html}");
    assert!(html.contains("a select field needs at least one option"));

    let event = api_event(&app, &key, id).await;
    assert_eq!(event["title"], "Intro");
    assert_eq!(event["lengthInMinutes"], 30);
    assert_eq!(event["beforeEventBuffer"], 0);
    assert_eq!(custom_fields(&event).len(), 0);

    let answer = visitor
        .submit(
            "/event-types",
            "/event-types",
            &[
                ("title", "Third"),
                ("slug", "intro"),
                ("lengthInMinutes", "20"),
            ],
        )
        .await;
    assert_eq!(answer.status(), 409);
    let html = answer.text().await.unwrap();
    assert!(
        html.contains("value=\"Third\"") && html.contains("already exists"),
        "{html}"
    );
}

#[tokio::test]
async fn hide_duplicate_and_delete() {
    let app = spawn_app().await;
    let (mut visitor, key) = ada(&app).await;
    let id = created(
        &mut visitor,
        &[
            ("title", "Intro"),
            ("slug", "intro"),
            ("lengthInMinutes", "30"),
        ],
    )
    .await;
    saved(
        &mut visitor,
        id,
        "limits",
        &limits(&[("beforeEventBuffer", "15")]),
    )
    .await;

    let visibility = format!("/event-types/{id}/visibility");
    let hidden = visitor
        .submit("/event-types", &visibility, &[("hidden", "true")])
        .await;
    assert_eq!(location(&hidden), "/event-types?notice=hidden");
    assert_eq!(api_event(&app, &key, id).await["hidden"], true);
    let list = visitor.page("/event-types", 200).await;
    assert!(list.contains("class=\"badge\""), "{list}");
    visitor
        .submit("/event-types", &visibility, &[("hidden", "false")])
        .await;
    assert_eq!(api_event(&app, &key, id).await["hidden"], false);

    let duplicate = format!("/event-types/{id}/duplicate");
    let form = visitor.page(&duplicate, 200).await;
    assert!(
        form.contains("value=\"Intro (copy)\"") && form.contains("value=\"intro-copy\""),
        "{form}"
    );
    let taken = visitor
        .submit(
            &duplicate,
            &duplicate,
            &[
                ("title", "Copy"),
                ("slug", "intro"),
                ("lengthInMinutes", "30"),
            ],
        )
        .await;
    assert_eq!(taken.status(), 409);
    assert!(taken.text().await.unwrap().contains("value=\"Copy\""));
    let copied = visitor
        .submit(
            &duplicate,
            &duplicate,
            &[
                ("title", "Copy"),
                ("slug", "intro-copy"),
                ("lengthInMinutes", "30"),
            ],
        )
        .await;
    assert_eq!(copied.status(), 303);
    let to = location(&copied);
    let copy: i64 = to
        .trim_start_matches("/event-types/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(copy, id);
    let copy = api_event(&app, &key, copy).await;
    assert_eq!(copy["title"], "Copy");
    assert_eq!(copy["beforeEventBuffer"], 15, "the options are copied");

    let delete = format!("/event-types/{id}/delete");
    let confirm = visitor.page(&delete, 200).await;
    assert!(
        confirm.contains(&format!("action=\"{delete}\"")),
        "{confirm}"
    );
    let gone = visitor.submit(&delete, &delete, &[]).await;
    assert_eq!(location(&gone), "/event-types?notice=deleted");
    let api = app
        .call(
            Method::GET,
            &format!("/v2/event-types/{id}"),
            Some(&key),
            None,
        )
        .await;
    assert_eq!(api.status(), 404);
    assert_eq!(
        visitor.get(&format!("/event-types/{id}")).await.status(),
        404
    );
}

/// A Monday at least a week ahead.
fn next_monday() -> NaiveDate {
    let mut date = Utc::now().date_naive() + Duration::days(7);
    while date.weekday() != Weekday::Mon {
        date += Duration::days(1);
    }
    date
}

#[tokio::test]
async fn the_preview_lists_slots_and_says_why_a_time_is_not_offered() {
    let app = spawn_app().await;
    // Ada's default schedule: weekdays 9:00-17:00 in Berlin.
    person(&app, "ada@example.com").await;
    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;
    let id = created(
        &mut visitor,
        &[
            ("title", "Intro"),
            ("slug", "intro"),
            ("lengthInMinutes", "30"),
        ],
    )
    .await;

    let html = visitor.page(&format!("/event-types/{id}"), 200).await;
    let preview = &html[html.find("id=\"preview\"").unwrap()..];
    let days = preview.matches("<h3>").count();
    assert!((9..=11).contains(&days), "weekdays of two weeks: {preview}");
    assert!(
        preview.contains("<li>09:00</li>") && preview.contains("<li>16:30</li>"),
        "{preview}"
    );
    assert!(!preview.contains("<li>17:00</li>"));

    let monday = next_monday();
    let why = visitor
        .page(&format!("/event-types/{id}?at={monday}T03:00"), 200)
        .await;
    assert!(why.contains("is not offered:"), "{why}");
    assert!(
        why.contains("Outside the working hours of Ada Host."),
        "{why}"
    );
    let offered = visitor
        .page(&format!("/event-types/{id}?at={monday}T10:00"), 200)
        .await;
    assert!(offered.contains("is offered."), "{offered}");
    let nonsense = visitor
        .page(&format!("/event-types/{id}?at=soon"), 200)
        .await;
    assert!(nonsense.contains("Give a date and a time"));
}

#[tokio::test]
async fn others_get_not_found_and_team_members_only_read() {
    let app = spawn_app().await;
    let (mut ada_visitor, ada_key) = ada(&app).await;
    let personal = created(
        &mut ada_visitor,
        &[
            ("title", "Mine"),
            ("slug", "mine"),
            ("lengthInMinutes", "30"),
        ],
    )
    .await;
    let bob = person(&app, "bob@example.com").await;
    let bob_key = new_key(&app.db, "bob@example.com").await.1;
    person(&app, "carol@example.com").await;

    // A team: Ada owns it, Bob is a member.
    let team = data(
        app.call(
            Method::POST,
            "/v2/teams",
            Some(&ada_key),
            Some(json!({"name": "Sales"})),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let members = format!("/v2/teams/{team}/memberships");
    let invite = data(
        app.call(
            Method::POST,
            &members,
            Some(&ada_key),
            Some(json!({"userId": bob.id, "role": "MEMBER"})),
        )
        .await,
        201,
    )
    .await;
    data(
        app.call(
            Method::PATCH,
            &format!("{members}/{}", invite["id"]),
            Some(&bob_key),
            Some(json!({"accepted": true})),
        )
        .await,
        200,
    )
    .await;
    let team_value = team.to_string();
    let shared = created(
        &mut ada_visitor,
        &[
            ("title", "Demo"),
            ("slug", "demo"),
            ("lengthInMinutes", "30"),
            ("owner", &team_value),
            ("schedulingType", "ROUND_ROBIN"),
        ],
    )
    .await;
    let team_event = data(
        app.call(
            Method::GET,
            &format!("/v2/teams/{team}/event-types/{shared}"),
            Some(&ada_key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(team_event["schedulingType"], "ROUND_ROBIN");
    assert_eq!(
        team_event["hosts"].as_array().unwrap().len(),
        2,
        "every member hosts it"
    );
    // Ada (the owner) changes the hosts: only herself, joining every booking.
    let me = data(
        app.call(Method::GET, "/v2/me", Some(&ada_key), None).await,
        200,
    )
    .await;
    let ada_id = me["id"].as_i64().unwrap();
    let ada_value = ada_id.to_string();
    saved(
        &mut ada_visitor,
        shared,
        "hosts",
        &[("host", &ada_value), ("mandatory", &ada_value)],
    )
    .await;
    let team_event = data(
        app.call(
            Method::GET,
            &format!("/v2/teams/{team}/event-types/{shared}"),
            Some(&ada_key),
            None,
        )
        .await,
        200,
    )
    .await;
    let hosts = team_event["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 1, "{hosts:?}");
    assert_eq!(hosts[0]["userId"], ada_id);
    assert_eq!(hosts[0]["mandatory"], true);

    // Bob, a member: reads the team's event type, changes nothing.
    let mut bob_visitor = Visitor::signed_in(&app, "bob@example.com").await;
    let list = bob_visitor.page("/event-types", 200).await;
    assert!(
        list.contains(&format!("href=\"/event-types/{shared}\"")),
        "{list}"
    );
    assert!(
        !list.contains(&format!("/event-types/{shared}/delete")),
        "{list}"
    );
    let read = bob_visitor
        .page(&format!("/event-types/{shared}"), 200)
        .await;
    assert!(read.contains("<fieldset disabled>"), "{read}");
    let refused = bob_visitor
        .submit(
            &format!("/event-types/{shared}"),
            &format!("/event-types/{shared}/basics"),
            &[
                ("title", "Bob's"),
                ("slug", "demo"),
                ("lengthInMinutes", "30"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let refused = bob_visitor
        .submit(
            "/event-types",
            &format!("/event-types/{shared}/delete"),
            &[],
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        bob_visitor
            .get(&format!("/event-types/{shared}/duplicate"))
            .await
            .status(),
        403
    );
    let refused = bob_visitor
        .submit(
            "/event-types",
            "/event-types",
            &[
                ("title", "Sneaky"),
                ("lengthInMinutes", "30"),
                ("owner", &team_value),
            ],
        )
        .await;
    assert_eq!(refused.status(), 403);
    // Ada's own event type does not exist for Bob.
    assert_eq!(
        bob_visitor
            .get(&format!("/event-types/{personal}"))
            .await
            .status(),
        404
    );
    let refused = bob_visitor
        .submit(
            "/event-types",
            &format!("/event-types/{personal}/basics"),
            &[
                ("title", "Bob's"),
                ("slug", "mine"),
                ("lengthInMinutes", "30"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 404);
    let refused = bob_visitor
        .submit(
            "/event-types",
            &format!("/event-types/{personal}/delete"),
            &[],
        )
        .await;
    assert_eq!(refused.status(), 404);

    // Carol, not a member: neither exists.
    let mut carol = Visitor::signed_in(&app, "carol@example.com").await;
    for id in [personal, shared] {
        assert_eq!(carol.get(&format!("/event-types/{id}")).await.status(), 404);
        assert_eq!(
            carol
                .get(&format!("/event-types/{id}/delete"))
                .await
                .status(),
            404
        );
    }
    let team_event = data(
        app.call(
            Method::GET,
            &format!("/v2/teams/{team}/event-types/{shared}"),
            Some(&ada_key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(team_event["title"], "Demo");
    assert_eq!(api_event(&app, &ada_key, personal).await["title"], "Mine");
}

#[tokio::test]
async fn a_form_without_the_pages_token_changes_nothing() {
    let app = spawn_app().await;
    let (mut visitor, key) = ada(&app).await;
    let id = created(
        &mut visitor,
        &[
            ("title", "Intro"),
            ("slug", "intro"),
            ("lengthInMinutes", "30"),
        ],
    )
    .await;
    let forged = visitor
        .post(
            &format!("/event-types/{id}/basics"),
            &[
                ("_csrf", "forged"),
                ("title", "Changed"),
                ("slug", "intro"),
                ("lengthInMinutes", "30"),
            ],
        )
        .await;
    assert_eq!(forged.status(), 403);
    let forged = visitor
        .post(&format!("/event-types/{id}/delete"), &[("title", "x")])
        .await;
    assert_eq!(forged.status(), 403);
    visitor.origin = Some("https://evil.example".to_owned());
    let cross_site = visitor
        .submit(
            "/event-types",
            "/event-types",
            &[("title", "Evil"), ("lengthInMinutes", "30")],
        )
        .await;
    assert_eq!(cross_site.status(), 403);
    let event = api_event(&app, &key, id).await;
    assert_eq!(event["title"], "Intro");
    let listed = data(
        app.call_as("2024-06-14", Method::GET, "/v2/event-types", Some(&key))
            .await,
        200,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
}
