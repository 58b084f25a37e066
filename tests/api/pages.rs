//! The booking pages over HTTP, as a browser without JavaScript sees them: profiles, the booker
//! in several zones and languages, the form with its server-side checks, the booking page, its
//! `.ics`, and cancel and reschedule by link. `browser.rs` drives the same pages in Chromium.

use reqwest::Method as M;
use reqwest::redirect::Policy;
use serde_json::{Value, json};

use crate::helpers::{TestApp, always_bookable, create_user, data, new_key, spawn_app};

/// A host whose username is `ada`, an event type `intro` bookable every day around the clock in
/// UTC, and the API key.
pub async fn host_with_event(app: &TestApp, extra: Value) -> (String, i64) {
    create_user(&app.db, "ada@host.example", "Europe/Berlin").await;
    let key = new_key(&app.db, "ada@host.example").await.1;
    data(
        app.call(
            M::PATCH,
            "/v2/me",
            Some(&key),
            Some(json!({"brandColor": "#1d4ed8"})),
        )
        .await,
        200,
    )
    .await;
    let mut body = json!({"title": "Intro Call", "slug": "intro", "lengthInMinutes": 30,
        "description": "A first conversation."});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let event = always_bookable(app, &key, body).await;
    (key, event)
}

/// A booking made through the API by Grace Hopper in `zone`; its uid.
pub async fn booked(app: &TestApp, event: i64, start: &str, zone: &str) -> String {
    let booking = data(
        app.call(
            M::POST,
            "/v2/bookings",
            None,
            Some(json!({"eventTypeId": event, "start": start,
                "attendee": {"name": "Grace Hopper", "email": "grace@example.com", "timeZone": zone}})),
        )
        .await,
        201,
    )
    .await;
    booking["uid"].as_str().unwrap().to_owned()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The first `href` of an element with `class` in `html`, unescaped.
fn first_href(html: &str, class: &str) -> Option<String> {
    let at = html.find(&format!("class=\"{class}"))?;
    let rest = &html[at..];
    let start = rest.find("href=\"")? + 6;
    let end = rest[start..].find('"')?;
    Some(
        rest[start..start + end]
            .replace("&amp;", "&")
            .replace("&#38;", "&"),
    )
}

pub fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    html.match_indices(&format!("{attribute}=\""))
        .map(|(at, m)| {
            let rest = &html[at + m.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

/// A day well ahead, as `YYYY-MM-DD`, and its month.
pub fn ahead(days: i64) -> (String, String) {
    let date = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    (date.to_string(), date.format("%Y-%m").to_string())
}

pub async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    no_redirects()
        .post(format!("{}{path}", app.address))
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn profiles_list_public_event_types_and_unknown_pages_say_not_found() {
    let app = spawn_app().await;
    let (key, _) = host_with_event(&app, json!({})).await;
    data(
        app.call(
            M::POST,
            "/v2/event-types",
            Some(&key),
            Some(
                json!({"title": "Secret", "slug": "secret", "lengthInMinutes": 15, "hidden": true}),
            ),
        )
        .await,
        201,
    )
    .await;
    let (status, html) = page(&app, "/ada").await;
    assert_eq!(status, 200);
    assert!(html.contains("Intro Call") && html.contains("A first conversation."));
    assert!(html.contains("href=\"/ada/intro\""), "{html}");
    assert!(
        !html.contains("Secret"),
        "hidden event types are not listed"
    );
    assert!(
        html.contains("/static/brand.css?light=1d4ed8&"),
        "the owner's brand colour"
    );

    let (status, html) = page(&app, "/nobody-here").await;
    assert_eq!(status, 404);
    assert!(html.contains("<html") && html.contains("Page not found"));
    let (status, _) = page(&app, "/ada/no-such-event").await;
    assert_eq!(status, 404);
    let (status, _) = page(&app, "/booking/not-a-booking").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_booker_shows_free_days_and_times_in_the_visitors_zone_and_language() {
    let app = spawn_app().await;
    host_with_event(&app, json!({"lengthInMinutesOptions": [30, 60]})).await;
    let (date, month) = ahead(20);
    let path = format!("/ada/intro?tz=UTC&month={month}&date={date}&hour=24");
    let (status, utc) = page(&app, &path).await;
    assert_eq!(status, 200);
    assert!(utc.contains(&format!("data-date=\"{date}\" aria-current=\"date\"")));
    let slots = attribute_values(&utc, "data-slot");
    assert!(
        slots.len() >= 40,
        "a whole day of half hours: {}",
        slots.len()
    );
    let first = format!("{date}T00:00:00Z");
    assert_eq!(slots[0], first);
    assert!(utc.contains(&format!("data-slot=\"{first}\">00:00")));

    // The same instants, shown in Kolkata (+05:30) and on a 12-hour clock.
    let kolkata = format!("/ada/intro?tz=Asia/Kolkata&month={month}&date={date}&hour=12");
    let (_, html) = page(&app, &kolkata).await;
    assert!(html.contains("value=\"Asia/Kolkata\""));
    let slots = attribute_values(&html, "data-slot");
    let previous_day = (chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").unwrap()
        - chrono::Duration::days(1))
    .to_string();
    assert_eq!(
        slots[0],
        format!("{previous_day}T18:30:00Z"),
        "a Kolkata day starts at 18:30 UTC the day before"
    );
    assert!(html.contains(&format!("data-slot=\"{previous_day}T18:30:00Z\">12:00am")));

    // Lengths to choose from, and German month and weekday names.
    assert!(html.contains(">60 min<"));
    let (_, german) = page(&app, &format!("{kolkata}&lang=de")).await;
    assert!(german.contains("lang=\"de\""));
    assert!(german.contains(">Mo<") && german.contains("Zeitzone"));
    let (_, by_header) = {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .header("Accept-Language", "fr-CA,fr;q=0.9,en;q=0.5")
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    };
    assert!(by_header.contains("Fuseau horaire"));

    // Malformed or absurd months and dates show this month, never an error.
    for odd in [
        "month=2030-13",
        "month=%2B262142-12",
        "date=%2B262142-12-31",
        "month=0000-01",
    ] {
        let (status, html) = page(&app, &format!("/ada/intro?tz=UTC&{odd}")).await;
        assert_eq!(status, 200, "{odd}");
        assert!(html.contains("class=\"day free"), "{odd}");
    }
}

#[tokio::test]
async fn a_form_books_and_the_booking_page_shows_it_with_an_invite() {
    let app = spawn_app().await;
    let (key, _) = host_with_event(
        &app,
        json!({"bookingFields": [
            {"type": "select", "slug": "topic", "label": "Topic", "required": true, "options": ["Sales", "Support"]},
            {"type": "checkbox", "slug": "terms", "label": "I accept the terms", "required": true}
        ]}),
    )
    .await;
    let (date, month) = ahead(21);
    let slot = format!("{date}T10:00:00Z");
    let step = format!(
        "/ada/intro?tz=America/New_York&month={month}&date={date}&slot={slot}&name=Grace+Hopper&metadata[source]=ads"
    );
    let (status, form) = page(&app, &step).await;
    assert_eq!(status, 200);
    assert!(form.contains("id=\"booking-form\""));
    assert!(
        form.contains("value=\"Grace Hopper\""),
        "pre-filled from the query"
    );
    assert!(form.contains("for=\"field-topic\"") && form.contains("I accept the terms"));

    // Missing answers: 422, errors by their fields, what was typed kept.
    let response = post_form(
        &app,
        &step,
        &[
            ("slot", &slot),
            ("name", "Grace Hopper"),
            ("email", "not-an-email"),
            ("notes", "Bring slides"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"field-email-error\""), "{html}");
    assert!(html.contains("Bring slides"), "answers are kept");

    let response = post_form(
        &app,
        &step,
        &[
            ("slot", &slot),
            ("name", "Grace Hopper"),
            ("email", "grace@example.com"),
            ("notes", "Bring slides"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"field-topic-error\""), "{html}");

    let response = post_form(
        &app,
        &step,
        &[
            ("slot", &slot),
            ("nonce", "n1"),
            ("name", "Grace Hopper"),
            ("email", "grace@example.com"),
            ("topic", "Support"),
            ("terms", "true"),
            ("guests", "ada.l@example.com"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/booking/"), "{location}");
    assert!(location.contains("tz=America%2FNew_York"));
    let uid = location
        .trim_start_matches("/booking/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();

    let booking = data(
        app.call(M::GET, &format!("/v2/bookings/{uid}"), Some(&key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(booking["start"], format!("{date}T10:00:00.000Z"));
    assert_eq!(booking["bookingFieldsResponses"]["topic"], "Support");
    assert_eq!(booking["bookingFieldsResponses"]["terms"], true);
    assert_eq!(booking["metadata"]["source"], "ads");
    assert_eq!(booking["attendees"][0]["timeZone"], "America/New_York");
    assert_eq!(booking["guests"][0], "ada.l@example.com");

    let (status, html) = page(&app, &location).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-state=\"scheduled\""));
    // 10:00 UTC is 05:00 or 06:00 in New York, by the season; the host's Berlin time too.
    assert!(html.contains("Intro Call") && html.contains("Grace Hopper"));
    assert!(
        html.contains("America/New_York") && html.contains("Host&#39;s time"),
        "{html}"
    );
    assert!(html.contains("calendar.google.com/calendar/render?action=TEMPLATE"));
    assert!(html.contains("outlook.live.com/calendar/0/deeplink/compose"));

    let ics = app.get(&format!("/booking/{uid}/ics")).await;
    assert_eq!(
        ics.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    assert!(
        ics.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("intro.ics")
    );
    let ics = ics.text().await.unwrap().replace("\r\n ", "");
    for expected in [
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT",
        "UID:",
        "DTSTAMP:",
        &format!("DTSTART:{}T100000Z", date.replace('-', "")),
        "ORGANIZER;CN=\"Ada Host\":mailto:ada@host.example",
        "mailto:grace@example.com",
        "STATUS:CONFIRMED",
        "SEQUENCE:0",
    ] {
        assert!(ics.contains(expected), "{expected} in {ics}");
    }

    // The same form sent again (a double click) books nothing new.
    let again = post_form(
        &app,
        &step,
        &[
            ("slot", &slot),
            ("nonce", "n1"),
            ("name", "Grace Hopper"),
            ("email", "grace@example.com"),
            ("topic", "Support"),
            ("terms", "true"),
            ("guests", "ada.l@example.com"),
        ],
    )
    .await;
    assert_eq!(again.status().as_u16(), 303);
    assert_eq!(again.headers()["location"].to_str().unwrap(), location);
}

#[tokio::test]
async fn a_slot_taken_while_the_form_was_open_gets_fresh_times_not_a_double_booking() {
    let app = spawn_app().await;
    let (key, _) = host_with_event(&app, json!({})).await;
    let (date, month) = ahead(22);
    let slot = format!("{date}T09:00:00Z");
    let step = format!("/ada/intro?tz=UTC&month={month}&date={date}&slot={slot}");
    let first = post_form(
        &app,
        &step,
        &[
            ("slot", &slot),
            ("name", "First"),
            ("email", "first@example.com"),
        ],
    )
    .await;
    assert_eq!(first.status().as_u16(), 303);
    let second = post_form(
        &app,
        &step,
        &[
            ("slot", &slot),
            ("name", "Second"),
            ("email", "second@example.com"),
        ],
    )
    .await;
    assert_eq!(second.status().as_u16(), 409);
    let html = second.text().await.unwrap();
    assert!(html.contains("id=\"notice\""), "{html}");
    assert!(html.contains("just booked by someone else"));
    let slots = attribute_values(&html, "data-slot");
    assert!(
        !slots.contains(&slot),
        "the taken time is gone from the list"
    );
    assert!(slots.contains(&format!("{date}T09:30:00Z")));

    // Following a stale link to the taken slot says so too.
    let (_, html) = page(&app, &step).await;
    assert!(html.contains("id=\"notice\"") && !html.contains("id=\"booking-form\""));

    let list = data(
        app.call(M::GET, "/v2/bookings?take=50", Some(&key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bookers_reschedule_and_cancel_by_link() {
    let app = spawn_app().await;
    let (key, event) = host_with_event(&app, json!({})).await;
    let (date, month) = ahead(23);
    let uid = booked(&app, event, &format!("{date}T11:00:00Z"), "Europe/Paris").await;

    let to = no_redirects()
        .get(format!("{}/reschedule/{uid}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(to.status().as_u16(), 303);
    let booker = to.headers()["location"].to_str().unwrap().to_owned();
    assert!(booker.starts_with("/ada/intro?"), "{booker}");
    assert!(
        booker.contains(&format!("rescheduleUid={uid}")) && booker.contains("tz=Europe%2FParis")
    );
    assert!(booker.contains(&format!("month={month}")));
    let (_, html) = page(&app, &booker).await;
    assert!(html.contains("class=\"former\""), "the old time is shown");
    let slots = attribute_values(&html, "data-slot");
    assert!(
        slots.contains(&format!("{date}T11:00:00Z")),
        "the booking's own time is free to move within"
    );

    let new_slot = format!("{date}T14:00:00Z");
    let step = format!("{booker}&slot={new_slot}");
    let (_, form) = page(&app, &step).await;
    let email_input = &form[form.find("id=\"field-email\"").unwrap()..];
    let email_input = &email_input[..email_input.find('>').unwrap()];
    assert!(email_input.contains(" readonly"), "{email_input}");
    assert!(email_input.contains("value=\"grace@example.com\""));
    let moved = post_form(
        &app,
        &step,
        &[
            ("slot", &new_slot),
            ("name", "Grace Hopper"),
            ("email", "grace@example.com"),
            ("rescheduleReason", "Clash"),
        ],
    )
    .await;
    assert_eq!(moved.status().as_u16(), 303);
    let location = moved.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("rescheduled=1"));
    let new_uid = location
        .trim_start_matches("/booking/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(new_uid, uid);
    let (_, old_page) = page(&app, &format!("/booking/{uid}")).await;
    assert!(old_page.contains("data-state=\"rescheduled\""));
    assert!(old_page.contains(&format!("/booking/{new_uid}")));

    // Cancel: the form, then the booking is cancelled and can no longer be moved.
    let (_, confirm) = page(&app, &format!("/booking/{new_uid}?cancel=true")).await;
    assert!(confirm.contains("id=\"cancel-form\""));
    let cancelled = post_form(
        &app,
        &format!("/booking/{new_uid}/cancel"),
        &[("reason", "No longer needed")],
    )
    .await;
    assert_eq!(cancelled.status().as_u16(), 303);
    let (_, html) = page(&app, &format!("/booking/{new_uid}")).await;
    assert!(html.contains("data-state=\"cancelled\"") && html.contains("No longer needed"));
    assert!(!html.contains("id=\"reschedule-link\""));
    let (status, html) = page(&app, &format!("/reschedule/{new_uid}")).await;
    assert_eq!(status, 410);
    assert!(html.contains("cannot be rescheduled"));
    let again = post_form(&app, &format!("/booking/{new_uid}/cancel"), &[]).await;
    assert_eq!(again.status().as_u16(), 400, "already cancelled");

    let history = data(
        app.call(
            M::GET,
            &format!("/v2/bookings/{new_uid}/history"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["actor"]["kind"] == "booker" && h["action"] == "cancelled"),
        "{history}"
    );
}

#[tokio::test]
async fn success_redirects_forward_the_booking_and_embeds_report_it() {
    let app = spawn_app().await;
    host_with_event(
        &app,
        json!({"successRedirectUrl": "https://example.com/thanks?from=kairos"}),
    )
    .await;
    let (date, month) = ahead(24);
    let slot = format!("{date}T08:00:00Z");
    let step = format!("/ada/intro?tz=UTC&month={month}&date={date}&slot={slot}");
    let response = post_form(
        &app,
        &step,
        &[
            ("slot", &slot),
            ("name", "Grace Hopper"),
            ("email", "grace@example.com"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.host_str(), Some("example.com"));
    let params: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(params["from"], "kairos");
    assert_eq!(params["attendeeName"], "Grace Hopper");
    assert_eq!(params["email"], "grace@example.com");
    assert_eq!(params["startTime"], slot);
    assert_eq!(params["eventTypeSlug"], "intro");

    // Inside an embed the booking stays in the frame and the page carries the event data.
    let embed =
        format!("/ada/intro/embed?embed=&embedType=inline&tz=UTC&month={month}&date={date}");
    let (status, html) = page(&app, &embed).await;
    assert_eq!(status, 200);
    assert!(html.contains("/embed/iframe.js") && html.contains("data-embed"));
    let href = first_href(&html, "slot").unwrap();
    assert!(href.contains("embed=") && href.contains("embedType=inline"));
    let slot = format!("{date}T08:30:00Z");
    let response = post_form(
        &app,
        &format!("{embed}&slot={slot}"),
        &[
            ("slot", &slot),
            ("name", "Grace Hopper"),
            ("email", "grace@example.com"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/booking/") && location.contains("embed="),
        "{location}"
    );
    let (_, html) = page(&app, &location).await;
    assert!(html.contains("id=\"kairos-booking\""));
    assert!(html.contains(&format!("\"startTime\":\"{slot}\"")));

    for asset in [
        "/embed/embed.js",
        "/embed/iframe.js",
        "/static/booker.js",
        "/static/kairos.css",
        "/static/embed-test.html",
    ] {
        let response = app.get(asset).await;
        assert_eq!(response.status().as_u16(), 200, "{asset}");
    }
}

#[tokio::test]
async fn team_pages_list_and_book_team_event_types() {
    let app = spawn_app().await;
    let (key, _) = host_with_event(&app, json!({})).await;
    let team = data(
        app.call(
            M::POST,
            "/v2/teams",
            Some(&key),
            Some(json!({"name": "Support Crew", "slug": "support"})),
        )
        .await,
        201,
    )
    .await;
    let team_id = team["id"].as_i64().unwrap();
    let me = data(app.call(M::GET, "/v2/me", Some(&key), None).await, 200).await;
    data(
        app.call(
            M::POST,
            &format!("/v2/teams/{team_id}/event-types"),
            Some(&key),
            Some(
                json!({"title": "Team Call", "slug": "call", "lengthInMinutes": 30,
                "schedulingType": "COLLECTIVE", "hosts": [{"userId": me["id"]}]}),
            ),
        )
        .await,
        201,
    )
    .await;
    let (status, html) = page(&app, "/team/support").await;
    assert_eq!(status, 200);
    assert!(html.contains("Support Crew") && html.contains("href=\"/team/support/call\""));
    let (date, month) = ahead(25);
    let (status, html) = page(
        &app,
        &format!("/team/support/call?tz=UTC&month={month}&date={date}"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(!attribute_values(&html, "data-slot").is_empty(), "{html}");
    let slot = format!("{date}T12:00:00Z");
    let response = post_form(
        &app,
        &format!("/team/support/call?tz=UTC&slot={slot}"),
        &[
            ("slot", &slot),
            ("name", "Grace Hopper"),
            ("email", "grace@example.com"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let (status, _) = page(&app, "/team/nobody").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_empty_month_points_to_the_next_free_day() {
    let app = spawn_app().await;
    // Forty days of notice: nothing this month, something within the next three.
    host_with_event(&app, json!({"minimumBookingNotice": 40 * 24 * 60})).await;
    let (status, html) = page(&app, "/ada/intro?tz=UTC").await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"month-empty\""), "{html}");
    let at = html
        .find("id=\"next-available\"")
        .expect("a link to the next free day");
    let before = &html[..at];
    let start = before.rfind("href=\"").unwrap() + 6;
    let href = before[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&");
    let first_free = chrono::Utc::now().date_naive() + chrono::Duration::days(40);
    assert!(
        href.contains(&format!("date={first_free}"))
            || href.contains(&format!("date={}", first_free + chrono::Duration::days(1))),
        "{href}"
    );
    let (_, next) = page(&app, &format!("/ada/intro{href}")).await;
    assert!(
        !attribute_values(&next, "data-slot").is_empty(),
        "{href}: {next}"
    );
}

#[tokio::test]
async fn bookers_give_the_location_the_event_type_asks_them_for() {
    let app = spawn_app().await;
    let (key, _) = host_with_event(&app, json!({"locations": [{"type": "attendeePhone"}]})).await;
    let (date, month) = ahead(26);
    let slot = format!("{date}T10:00:00Z");
    let step = format!("/ada/intro?tz=UTC&month={month}&date={date}&slot={slot}");
    let (_, form) = page(&app, &step).await;
    assert!(form.contains("id=\"field-locationDetail\"") && form.contains("type=\"tel\""));
    let missing = post_form(
        &app,
        &step,
        &[
            ("slot", &slot),
            ("name", "Grace"),
            ("email", "grace@example.com"),
        ],
    )
    .await;
    assert_eq!(missing.status().as_u16(), 422);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("id=\"field-locationDetail-error\"")
    );
    let done = post_form(
        &app,
        &step,
        &[
            ("slot", &slot),
            ("name", "Grace"),
            ("email", "grace@example.com"),
            ("locationDetail", "+44 20 7946 0958"),
        ],
    )
    .await;
    assert_eq!(done.status().as_u16(), 303);
    let list = data(
        app.call(M::GET, "/v2/bookings", Some(&key), None).await,
        200,
    )
    .await;
    assert_eq!(list[0]["location"], "+44 20 7946 0958");
}

#[tokio::test]
async fn seat_holders_see_only_themselves_and_cancel_only_their_seat() {
    let app = spawn_app().await;
    let (key, _) = host_with_event(&app, json!({"seats": {"seatsPerTimeSlot": 3, "showAttendeeInfo": false, "showAvailabilityCount": true}})).await;
    let (date, month) = ahead(27);
    let slot = format!("{date}T10:00:00Z");
    let step = format!("/ada/intro?tz=UTC&month={month}&date={date}&slot={slot}");
    let mut links = Vec::new();
    for (name, email) in [
        ("Grace <!--<script>", "grace@example.com"),
        ("Alan", "alan@example.com"),
    ] {
        let response = post_form(
            &app,
            &step,
            &[("slot", &slot), ("name", name), ("email", email)],
        )
        .await;
        assert_eq!(response.status().as_u16(), 303);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.contains("seatReferenceUid="), "{location}");
        links.push(location);
    }
    // Two of three seats taken: one left, in the singular, in each language's words.
    let times = format!("/ada/intro?tz=UTC&month={month}&date={date}");
    let (_, english) = page(&app, &times).await;
    assert!(
        english.contains("1 seat left") && !english.contains("1 seats left"),
        "{english}"
    );
    let (_, german) = page(&app, &format!("{times}&lang=de")).await;
    assert!(german.contains("1 Platz frei"), "{german}");
    let (_, grace) = page(&app, &links[0]).await;
    assert!(
        grace.contains("grace@example.com") && !grace.contains("alan@example.com"),
        "{grace}"
    );
    let (_, alan) = page(&app, &links[1]).await;
    assert!(alan.contains("alan@example.com") && !alan.contains("grace@example.com"));
    assert!(
        alan.contains("id=\"reschedule-link\""),
        "a holder moves their own seat"
    );
    let (_, bare) = page(&app, links[1].split('?').next().unwrap()).await;
    assert!(!bare.contains("alan@example.com") && !bare.contains("grace@example.com"));

    // Alan cancels his seat; Grace keeps hers.
    let cancel = links[1].replacen("?", "/cancel?", 1);
    let response = post_form(&app, &cancel, &[("reason", "Busy")]).await;
    assert_eq!(response.status().as_u16(), 303);
    let booking = data(
        app.call(
            M::GET,
            &format!(
                "/v2/bookings/{}",
                links[0]
                    .trim_start_matches("/booking/")
                    .split('?')
                    .next()
                    .unwrap()
            ),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(booking["status"], "accepted");
    let emails: Vec<&str> = booking["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["email"].as_str())
        .collect();
    assert_eq!(emails, ["grace@example.com"], "{booking}");

    // Inside an embed the event data is escaped so an attendee's name cannot break the page.
    let (_, embedded) = page(&app, &format!("{}&embed=&booked=1", links[0])).await;
    let data_at = embedded.find("id=\"kairos-booking\">").unwrap();
    let script = &embedded[data_at..embedded[data_at..].find("</script>").unwrap() + data_at];
    assert!(!script[20..].contains('<'), "{script}");
    assert!(
        script.contains("\\u003c!--\\u003cscript\\u003e"),
        "{script}"
    );
}

#[tokio::test]
async fn a_reschedule_link_on_another_event_type_goes_back_to_its_own() {
    let app = spawn_app().await;
    let (key, event) = host_with_event(&app, json!({})).await;
    data(
        app.call(
            M::POST,
            "/v2/event-types",
            Some(&key),
            Some(json!({"title": "Other", "slug": "other", "lengthInMinutes": 60})),
        )
        .await,
        201,
    )
    .await;
    let (date, _) = ahead(28);
    let uid = booked(&app, event, &format!("{date}T11:00:00Z"), "UTC").await;
    let response = no_redirects()
        .get(format!("{}/ada/other?rescheduleUid={uid}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], format!("/reschedule/{uid}"));
}

#[tokio::test]
async fn a_seat_holders_page_and_calendar_file_name_no_other_attendee() {
    let app = spawn_app().await;
    host_with_event(
        &app,
        json!({"seats": {"seatsPerTimeSlot": 3, "showAttendeeInfo": false}}),
    )
    .await;
    let (date, month) = ahead(26);
    let slot = format!("{date}T10:00:00Z");
    let step = format!("/ada/intro?tz=UTC&month={month}&date={date}&slot={slot}");
    let mut links = Vec::new();
    for (name, email, notes) in [
        ("Grace Hopper", "grace@example.com", "Grace's private note"),
        ("Alan Turing", "alan@example.com", "Alan's private note"),
    ] {
        let form = [
            ("slot", slot.as_str()),
            ("name", name),
            ("email", email),
            ("notes", notes),
        ];
        let response = post_form(&app, &step, &form).await;
        assert_eq!(response.status().as_u16(), 303);
        links.push(response.headers()["location"].to_str().unwrap().to_owned());
    }
    let ics_of = |link: &str| link.replacen('?', "/ics?", 1);
    let bare = links[1].split('?').next().unwrap().to_owned();
    // Each holder reads their own name in the title, and nothing of the other seat.
    for (link, mine, theirs) in [(&links[0], "Grace", "Alan"), (&links[1], "Alan", "Grace")] {
        let (status, html) = page(&app, link).await;
        assert_eq!(status, 200);
        assert!(!html.contains(theirs), "{theirs} on {mine}'s page: {html}");
        let what = &html[html.find("id=\"what\"").unwrap()..];
        assert!(what[..what.find("</dd>").unwrap()].contains(mine), "{what}");
        let ics = app.get(&ics_of(link)).await.text().await.unwrap();
        let ics = ics.replace("\r\n ", "");
        assert!(!ics.contains(theirs), "{theirs} in {mine}'s file: {ics}");
        let summary = ics.lines().find(|l| l.starts_with("SUMMARY:")).unwrap();
        assert!(summary.contains(mine), "{summary}");
    }
    // Without a seat the link shows no attendee at all.
    let (_, html) = page(&app, &bare).await;
    let ics = app.get(&format!("{bare}/ics")).await.text().await.unwrap();
    for name in ["Grace", "Alan"] {
        assert!(!html.contains(name), "{name} on the bare page: {html}");
        assert!(!ics.contains(name), "{name} in the bare file: {ics}");
    }
}

#[tokio::test]
async fn a_seat_holder_moves_only_their_own_seat_by_link() {
    let app = spawn_app().await;
    let (key, _) = host_with_event(
        &app,
        json!({"seats": {"seatsPerTimeSlot": 3, "showAttendeeInfo": false}}),
    )
    .await;
    let (date, month) = ahead(25);
    let slot = format!("{date}T10:00:00Z");
    let step = format!("/ada/intro?tz=UTC&month={month}&date={date}&slot={slot}");
    let mut links = Vec::new();
    for (name, email) in [
        ("Grace Hopper", "grace@example.com"),
        ("Alan Turing", "alan@example.com"),
    ] {
        let form = [("slot", slot.as_str()), ("name", name), ("email", email)];
        let response = post_form(&app, &step, &form).await;
        links.push(response.headers()["location"].to_str().unwrap().to_owned());
    }
    let old_uid = links[1]
        .trim_start_matches("/booking/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let (_, alan) = page(&app, &links[1]).await;
    let start = alan
        .find("id=\"reschedule-link\"")
        .expect("a reschedule link");
    let href = &alan[..start];
    let href = href[href.rfind("href=\"").unwrap() + 6..]
        .trim_end_matches("\" ")
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let to = no_redirects()
        .get(format!("{}{href}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(to.status().as_u16(), 303);
    let booker = to.headers()["location"].to_str().unwrap().to_owned();
    assert!(booker.contains("seatReferenceUid="), "{booker}");
    let (_, html) = page(&app, &booker).await;
    assert!(!html.contains("Grace"), "{html}");

    let new_slot = format!("{date}T14:00:00Z");
    let form = [
        ("slot", new_slot.as_str()),
        ("name", "Alan Turing"),
        ("email", "alan@example.com"),
    ];
    let moved = post_form(&app, &format!("{booker}&slot={new_slot}"), &form).await;
    assert_eq!(moved.status().as_u16(), 303);
    let location = moved.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("seatReferenceUid="), "{location}");
    let new_uid = location
        .trim_start_matches("/booking/")
        .split('?')
        .next()
        .unwrap();
    assert_ne!(new_uid, old_uid);
    let emails = async |uid: &str| -> (Value, Vec<String>) {
        let booking = data(
            app.call(M::GET, &format!("/v2/bookings/{uid}"), Some(&key), None)
                .await,
            200,
        )
        .await;
        let emails = booking["attendees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["email"].as_str().unwrap().to_owned())
            .collect();
        (booking, emails)
    };
    let (old, who) = emails(&old_uid).await;
    assert_eq!(
        (old["status"].as_str(), who),
        (Some("accepted"), vec!["grace@example.com".to_owned()])
    );
    let (new, who) = emails(new_uid).await;
    assert_eq!(new["start"], format!("{date}T14:00:00.000Z"));
    assert_eq!(who, ["alan@example.com"]);
}

/// The answer to `path`, without following a redirect: status, headers, body.
async fn raw(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let response = no_redirects()
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// A page the embed may frame, in embed mode: framable, no chrome, the iframe script.
fn framed_embed_page(path: &str, headers: &reqwest::header::HeaderMap, html: &str) {
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("frame-ancestors *"), "{path}: {policy}");
    assert!(!headers.contains_key("x-frame-options"), "{path}");
    assert!(html.contains("/embed/iframe.js"), "{path}: {html}");
    assert!(html.contains("data-embed"), "{path}");
    assert!(!html.contains("class=\"powered\""), "{path}");
}

#[tokio::test]
async fn every_cal_link_has_an_embed_form_and_a_bad_one_says_so_in_embed_mode() {
    let app = spawn_app().await;
    let (key, event) = host_with_event(&app, json!({})).await;
    let team = data(
        app.call(
            M::POST,
            "/v2/teams",
            Some(&key),
            Some(json!({"name": "Support Crew", "slug": "support"})),
        )
        .await,
        201,
    )
    .await;
    let me = data(app.call(M::GET, "/v2/me", Some(&key), None).await, 200).await;
    data(
        app.call(
            M::POST,
            &format!("/v2/teams/{}/event-types", team["id"]),
            Some(&key),
            Some(
                json!({"title": "Team Call", "slug": "call", "lengthInMinutes": 30,
                "schedulingType": "COLLECTIVE", "hosts": [{"userId": me["id"]}]}),
            ),
        )
        .await,
        201,
    )
    .await;

    // Profiles: their event types open in the booker's `/embed` form, with the embed's query.
    let path = "/ada/embed?embed=ns&embedType=inline&name=Grace";
    let (status, headers, html) = raw(&app, path).await;
    assert_eq!(status, 200, "{html}");
    framed_embed_page(path, &headers, &html);
    assert_eq!(
        attribute_values(&html, "href")
            .iter()
            .filter(|h| h.starts_with("/ada/"))
            .map(|h| h.replace("&#38;", "&"))
            .collect::<Vec<_>>(),
        ["/ada/intro/embed?embed=ns&embedType=inline&name=Grace"]
    );
    let path = "/team/support/embed?embed=";
    let (status, headers, html) = raw(&app, path).await;
    assert_eq!(status, 200, "{html}");
    framed_embed_page(path, &headers, &html);
    assert!(
        html.contains("href=\"/team/support/call/embed?embed=\""),
        "{html}"
    );
    // Outside an embed they stay plain links.
    let (_, _, html) = raw(&app, "/team/support").await;
    assert!(html.contains("href=\"/team/support/call\""), "{html}");

    // A reschedule link leads to the booker's `/embed` form, still in embed mode.
    let (date, _) = ahead(22);
    let uid = booked(&app, event, &format!("{date}T09:00:00Z"), "UTC").await;
    let (status, headers, _) = raw(&app, &format!("/reschedule/{uid}/embed?embed=")).await;
    assert_eq!(status, 303);
    let location = headers["location"].to_str().unwrap();
    assert!(location.starts_with("/ada/intro/embed?"), "{location}");
    assert!(
        location.contains(&format!("rescheduleUid={uid}")) && location.contains("embed="),
        "{location}"
    );
    let path = format!("/booking/{uid}/embed?embed=");
    let (status, headers, html) = raw(&app, &path).await;
    assert_eq!(status, 200, "{html}");
    framed_embed_page(&path, &headers, &html);

    // Links that name nothing answer the not-found page in embed mode, whatever their shape,
    // with the status for the embed's `linkFailed`.
    for path in [
        "/nobody/embed?embed=",
        "/ada/nothing/embed?embed=&embedType=inline",
        "/team/nobody/embed?embed=ns",
        "/team/support/nothing/embed?embed=",
        "/reschedule/no-such-uid/embed?embed=",
        "/some/deeper/link/embed?embed=",
    ] {
        let (status, headers, html) = raw(&app, path).await;
        assert_eq!(status, 404, "{path}: {html}");
        framed_embed_page(path, &headers, &html);
        assert!(html.contains("data-page-status=\"404\""), "{path}: {html}");
    }
    // Outside an embed the same pages are plain, and nothing may frame them.
    let (status, headers, html) = raw(&app, "/nobody").await;
    assert_eq!(status, 404);
    assert!(!html.contains("/embed/iframe.js"), "{html}");
    assert_eq!(headers["x-frame-options"], "DENY");
    // The API keeps its JSON.
    let (status, headers, _) = raw(&app, "/v2/nothing?embed=").await;
    assert_eq!(status, 404);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}
