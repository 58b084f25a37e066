//! The console's bookings: the four tabs, filters, keyset pages, the detail page with history
//! and webhook deliveries, the host's actions (seen through the API and a real webhook
//! receiver), bulk cancel, the CSV export, and that nobody sees or touches another's bookings.

use std::time::Duration as Wait;

use chrono::{Duration, SecondsFormat, Utc};
use reqwest::Method as M;
use serde_json::{Value, json};

use crate::console::{Visitor, person};
use crate::email::{SmtpServer, app_with_smtp};
use crate::helpers::{TestApp, always_bookable, booking_of, data, eventually, new_key, spawn_app};
use crate::webhooks::Receiver;

/// A console user with an API key and an event type bookable around the clock.
struct Host {
    key: String,
    event: i64,
    user_id: i64,
}

async fn host(app: &TestApp, email: &str, extra: Value) -> Host {
    let user_id = person(app, email).await.id;
    let key = new_key(&app.db, email).await.1;
    let mut body = json!({"title": "Intro Call", "slug": "intro-call", "lengthInMinutes": 30});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let event = always_bookable(app, &key, body).await;
    Host {
        key,
        event,
        user_id,
    }
}

/// A start `n` half hours into a day ten days ahead.
fn start(n: i64) -> String {
    start_on(10, n)
}

/// A start `n` half hours into the day `days` days ahead.
fn start_on(days: i64, n: i64) -> String {
    let day = Utc::now().date_naive() + Duration::days(days);
    let at = day.and_hms_opt(0, 0, 0).unwrap().and_utc() + Duration::minutes(30 * n);
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Books `event` at `start(n)` through the API as `name <email>`; the booking's uid.
async fn book(app: &TestApp, event: i64, n: i64, name: &str, email: &str) -> String {
    book_at(app, event, &start(n), name, email).await
}

async fn book_at(app: &TestApp, event: i64, start: &str, name: &str, email: &str) -> String {
    let body = json!({"eventTypeId": event, "start": start,
        "attendee": {"name": name, "email": email, "timeZone": "America/New_York"}});
    let booked = data(
        app.call(M::POST, "/v2/bookings", None, Some(body)).await,
        201,
    )
    .await;
    booked["uid"].as_str().unwrap().to_owned()
}

/// Moves a booking (and its claims) `days` days into the past: the API books only ahead.
pub(crate) async fn into_the_past(app: &TestApp, uid: &str, days: i64) {
    let start = (Utc::now() - Duration::days(days)).format("%Y-%m-%d %H:%M:%S");
    let end =
        (Utc::now() - Duration::days(days) + Duration::minutes(30)).format("%Y-%m-%d %H:%M:%S");
    app.db
        .execute_sql(&format!(
            "UPDATE bookings SET start_at = '{start}', end_at = '{end}' WHERE uid = '{uid}';
             UPDATE booking_claims SET blocked_start = '{start}', blocked_end = '{end}'
             WHERE booking_id = (SELECT id FROM bookings WHERE uid = '{uid}');"
        ))
        .await
        .unwrap();
}

/// The bookings a list page shows, in order.
fn listed(html: &str) -> Vec<String> {
    html.split("<tr data-booking=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

/// The `href` of the link with `rel`, unescaped.
fn link(html: &str, rel: &str) -> Option<String> {
    let marker = format!("\" rel=\"{rel}\"");
    let end = html.find(&marker)?;
    let start = html[..end].rfind("href=\"")? + "href=\"".len();
    Some(html[start..end].replace("&amp;", "&").replace("&#38;", "&"))
}

async fn status_of(app: &TestApp, key: &str, uid: &str) -> String {
    booking_of(app, key, uid).await["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// RFC 4180 records: quoted fields may hold commas, quotes (doubled) and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(
        cell.is_empty() && row.is_empty(),
        "the last record ends with CRLF"
    );
    rows
}

#[tokio::test]
async fn each_tab_lists_its_bookings_in_the_users_zone() {
    let app = spawn_app().await;
    let ada = host(&app, "ada@example.com", json!({})).await;
    let confirming = json!({"slug": "vetted", "title": "Vetted Call", "lengthInMinutes": 30,
        "confirmationPolicy": {"type": "always", "blockUnconfirmedBookingsInBooker": false}});
    let vetted = always_bookable(&app, &ada.key, confirming).await;
    let accepted = book(&app, ada.event, 20, "Grace Hopper", "grace@example.com").await;
    let pending = book(&app, vetted, 22, "Linus Pending", "linus@example.com").await;
    let cancelled = book(&app, ada.event, 24, "Carol Gone", "carol@example.com").await;
    let path = format!("/v2/bookings/{cancelled}/cancel");
    data(
        app.call(M::POST, &path, Some(&ada.key), Some(json!({})))
            .await,
        200,
    )
    .await;
    let past = book(&app, ada.event, 26, "Pat Past", "pat@example.com").await;
    into_the_past(&app, &past, 3).await;

    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;
    let upcoming = visitor.page("/bookings/upcoming", 200).await;
    assert_eq!(listed(&upcoming), [accepted.clone(), pending.clone()]);
    assert!(upcoming.contains("aria-current=\"page\""), "{upcoming}");
    // 10:00 UTC ten days ahead, read in Europe/Berlin on a 24-hour clock.
    let berlin = (Utc::now().date_naive() + Duration::days(10))
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .and_utc()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .format("%H:%M")
        .to_string();
    assert!(upcoming.contains(&berlin), "{berlin} in {upcoming}");
    let unconfirmed = visitor.page("/bookings/unconfirmed", 200).await;
    assert_eq!(listed(&unconfirmed), [pending.as_str()]);
    assert_eq!(listed(&visitor.page("/bookings/past", 200).await), [past]);
    assert_eq!(
        listed(&visitor.page("/bookings/cancelled", 200).await),
        [cancelled]
    );
    let bare = visitor.get("/bookings").await;
    assert_eq!(bare.status(), 303);
    assert_eq!(bare.headers()["location"], "/bookings/upcoming");
}

#[tokio::test]
async fn filters_narrow_the_list_and_bad_ones_are_named() {
    let app = spawn_app().await;
    let ada = host(&app, "ada@example.com", json!({})).await;
    let other = json!({"slug": "deep-dive", "title": "Deep Dive", "lengthInMinutes": 30});
    let deep = always_bookable(&app, &ada.key, other).await;
    let grace = book(&app, ada.event, 20, "Grace Hopper", "grace@navy.example").await;
    let alan = book(&app, deep, 22, "Alan Turing", "alan@bletchley.example").await;
    // Two days later, by the user's calendar.
    let late = book(
        &app,
        ada.event,
        20 + 96,
        "Edsger Late",
        "edsger@example.com",
    )
    .await;
    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;

    let by_name = visitor.page("/bookings/upcoming?q=hOPPer", 200).await;
    assert_eq!(listed(&by_name), [grace.as_str()]);
    let by_email = visitor.page("/bookings/upcoming?q=bletchley", 200).await;
    assert_eq!(listed(&by_email), [alan.as_str()]);
    let wildcard = visitor.page("/bookings/upcoming?q=%25", 200).await;
    assert!(
        listed(&wildcard).is_empty(),
        "`%` is a character, not a wildcard"
    );
    let by_type = visitor
        .page(&format!("/bookings/upcoming?event_type={deep}"), 200)
        .await;
    assert_eq!(listed(&by_type), [alan.as_str()]);
    let day = Utc::now().date_naive() + Duration::days(10);
    let one_day = visitor
        .page(&format!("/bookings/upcoming?from={day}&to={day}"), 200)
        .await;
    assert_eq!(listed(&one_day), [grace.clone(), alan.clone()]);
    let later = day + Duration::days(1);
    let from_later = visitor
        .page(&format!("/bookings/upcoming?from={later}"), 200)
        .await;
    assert_eq!(listed(&from_later), [late]);
    let pending_only = visitor.page("/bookings/upcoming?status=pending", 200).await;
    assert!(listed(&pending_only).is_empty());

    let bad = visitor.get("/bookings/upcoming?from=tomorrow").await;
    assert_eq!(bad.status(), 400);
    let html = bad.text().await.unwrap();
    assert!(
        html.contains("role=\"alert\"") && html.contains("from:"),
        "{html}"
    );
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    let wrong_status = visitor.get("/bookings/cancelled?status=accepted").await;
    assert_eq!(wrong_status.status(), 400);
}

/// Substring of a name or an email, ASCII letters in any case, other letters as typed: the
/// same attendees on SQLite (trigram table, then `LIKE`) and PostgreSQL (trigram indexes).
#[tokio::test]
async fn the_attendee_search_matches_parts_of_names_and_emails_in_any_ascii_case() {
    let app = spawn_app().await;
    let ada = host(&app, "ada@example.com", json!({})).await;
    let grace = book(&app, ada.event, 20, "Grace Hopper", "Grace@Navy.example").await;
    let emile = book(&app, ada.event, 22, "\u{c9}mile Zola", "ez@paris.example").await;
    let obrien = book(&app, ada.event, 24, "Flann O'Brien", "flann@dublin.example").await;
    let red = book(
        &app,
        ada.event,
        26,
        "Ann \"Red\" Lee",
        "ann_lee@example.com",
    )
    .await;
    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;
    let cases: [(&str, Vec<&str>); 14] = [
        ("hOPPer", vec![&grace]),
        ("navy.EX", vec![&grace]),
        // Two characters: too short for a trigram, every attendee is read.
        ("zo", vec![&emile]),
        ("Ez@", vec![&emile]),
        ("%C3%89MILE", vec![&emile]),
        ("%C3%A9mile", vec![]),
        ("o%27brien", vec![&obrien]),
        ("%22red%22", vec![&red]),
        ("ann_", vec![&red]),
        ("a_n", vec![]),
        ("%25", vec![]),
        ("hopper+grace", vec![]),
        ("example", vec![&grace, &emile, &obrien, &red]),
        ("nobody", vec![]),
    ];
    for (q, expected) in cases {
        let page = visitor
            .page(&format!("/bookings/upcoming?q={q}"), 200)
            .await;
        assert_eq!(listed(&page), expected, "q={q}");
    }
}

#[tokio::test]
async fn pages_follow_each_other_by_keyset() {
    let app = spawn_app().await;
    let ada = host(&app, "ada@example.com", json!({})).await;
    let mut uids = Vec::new();
    for n in 0..30 {
        uids.push(book(&app, ada.event, n, "Grace Hopper", "grace@example.com").await);
    }
    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;
    let first = visitor.page("/bookings/upcoming", 200).await;
    assert_eq!(listed(&first), uids[..25]);
    assert!(link(&first, "prev").is_none());
    let next = link(&first, "next").expect("a next page");
    let second = visitor
        .page(&format!("/bookings/upcoming{next}"), 200)
        .await;
    assert_eq!(listed(&second), uids[25..]);
    assert!(link(&second, "next").is_none());
    let prev = link(&second, "prev").expect("a previous page");
    let back = visitor
        .page(&format!("/bookings/upcoming{prev}"), 200)
        .await;
    assert_eq!(listed(&back), uids[..25]);

    // Past reads newest first, across pages too.
    for uid in &uids {
        let n = uids.iter().position(|u| u == uid).unwrap() as i64;
        into_the_past(&app, uid, 40 - n).await;
    }
    let newest: Vec<String> = uids.iter().rev().cloned().collect();
    let first = visitor.page("/bookings/past", 200).await;
    assert_eq!(listed(&first), newest[..25]);
    let next = link(&first, "next").expect("a next page");
    let second = visitor.page(&format!("/bookings/past{next}"), 200).await;
    assert_eq!(listed(&second), newest[25..]);
    let bad = visitor.get("/bookings/past?after=nonsense").await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn confirm_and_cancel_from_the_console_change_the_booking_and_send_webhooks() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let receiver = Receiver::start().await;
    let confirming = json!({"confirmationPolicy": {"type": "always", "blockUnconfirmedBookingsInBooker": false},
        "bookingFields": [{"type": "text", "slug": "company", "label": "Company", "required": false}]});
    let ada = host(&app, "ada@example.com", confirming).await;
    let hook = json!({"subscriberUrl": receiver.url, "secret": "s3cret",
        "triggers": ["BOOKING_REQUESTED", "BOOKING_CREATED", "BOOKING_CANCELLED"]});
    data(
        app.call(M::POST, "/v2/webhooks", Some(&ada.key), Some(hook))
            .await,
        201,
    )
    .await;
    let body = json!({"eventTypeId": ada.event, "start": start(20),
        "attendee": {"name": "Grace Hopper", "email": "grace@example.com", "timeZone": "UTC"},
        "bookingFieldsResponses": {"company": "Navy"}});
    let booked = data(
        app.call(M::POST, "/v2/bookings", None, Some(body)).await,
        201,
    )
    .await;
    let uid = booked["uid"].as_str().unwrap().to_owned();
    assert_eq!(status_of(&app, &ada.key, &uid).await, "pending");

    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;
    let page = format!("/bookings/{uid}");
    let html = visitor.page(&page, 200).await;
    assert!(
        html.contains("Navy") && html.contains("grace@example.com"),
        "{html}"
    );
    let confirmed = visitor.submit(&page, &format!("{page}/confirm"), &[]).await;
    assert_eq!(confirmed.status(), 303);
    assert_eq!(
        confirmed.headers()["location"],
        format!("{page}?done=confirmed").as_str()
    );
    assert_eq!(status_of(&app, &ada.key, &uid).await, "accepted");

    let action = format!("{page}/cancel");
    let cancelled = visitor
        .submit(&page, &action, &[("reason", "Host is ill")])
        .await;
    assert_eq!(cancelled.status(), 303);
    let seen = booking_of(&app, &ada.key, &uid).await;
    assert_eq!(seen["status"], "cancelled");
    assert_eq!(seen["cancellationReason"], "Host is ill");
    assert_eq!(seen["cancelledByEmail"], "ada@example.com");

    let hits = receiver
        .wait_for("three deliveries", |h| h.len() >= 3)
        .await;
    let triggers: Vec<String> = hits
        .iter()
        .map(|h| h.json()["triggerEvent"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        triggers,
        ["BOOKING_REQUESTED", "BOOKING_CREATED", "BOOKING_CANCELLED"]
    );
    assert!(
        hits.iter()
            .all(|h| h.json()["payload"]["uid"] == uid.as_str())
    );

    // The detail page: the history with the console user as actor, each delivery's attempts,
    // the emails (request, confirmation, cancellation; to Grace and to Ada) and how they went.
    smtp.wait_for(6).await;
    let html = eventually(
        "sent emails and deliveries",
        Wait::from_secs(10),
        async || {
            let html = visitor.page(&page, 200).await;
            let delivered = html.matches("data-delivery-status=\"delivered\"").count();
            let sent = html.matches("data-email-status=\"done\"").count();
            if delivered == 3 && sent == 6 {
                Ok(html)
            } else {
                Err(format!("{delivered} delivered, {sent} sent"))
            }
        },
    )
    .await;
    for kind in ["email.requested", "email.booked", "email.cancelled"] {
        assert!(
            html.contains(&format!("data-email-kind=\"{kind}\"")),
            "{kind} in {html}"
        );
    }
    assert!(
        html.contains("Grace Hopper &lt;grace@example.com&gt;")
            || html.contains("Grace Hopper &#60;grace@example.com&#62;"),
        "{html}"
    );
    assert!(
        html.contains(&receiver.url) && html.contains(" · 200 · "),
        "{html}"
    );
    assert!(
        html.contains("data-history=\"confirmed\"") && html.contains("data-history=\"cancelled\""),
        "{html}"
    );
    let history = data(
        app.call(
            M::GET,
            &format!("/v2/bookings/{uid}/history"),
            Some(&ada.key),
            None,
        )
        .await,
        200,
    )
    .await;
    // The cancellation, then the system's note that the reminders were dropped.
    let entries = history.as_array().unwrap();
    let cancelled = entries.iter().find(|h| h["action"] == "cancelled").unwrap();
    assert_eq!(cancelled["actor"]["kind"], "user", "{history}");
    assert_eq!(
        entries.last().unwrap()["action"],
        "reminders_dropped",
        "{history}"
    );
    assert!(html.contains("Host is ill"), "{html}");
    assert!(
        !html.contains(&format!("{page}/cancel\"")),
        "a cancelled booking offers no cancel"
    );
}

#[tokio::test]
async fn refusals_are_shown_next_to_the_form_with_the_typed_reason() {
    let app = spawn_app().await;
    let ada = host(&app, "ada@example.com", json!({})).await;
    let uid = book(&app, ada.event, 20, "Grace Hopper", "grace@example.com").await;
    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;
    let page = format!("/bookings/{uid}");
    let long = "x".repeat(2001);
    let refused = visitor
        .submit(&page, &format!("{page}/cancel"), &[("reason", &long)])
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("id=\"cancel-error\"") && html.contains("2000"),
        "{html}"
    );
    assert!(html.contains(&long), "the typed reason is kept");
    assert_eq!(status_of(&app, &ada.key, &uid).await, "accepted");
    // Confirming an accepted booking is refused by the use case, on the page.
    let refused = visitor.submit(&page, &format!("{page}/confirm"), &[]).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("only pending bookings"), "{html}");
}

#[tokio::test]
async fn another_user_neither_sees_nor_touches_a_booking() {
    let app = spawn_app().await;
    let ada = host(&app, "ada@example.com", json!({})).await;
    host(&app, "bob@example.com", json!({})).await;
    let uid = book(&app, ada.event, 20, "Grace Hopper", "grace@example.com").await;
    let mut bob = Visitor::signed_in(&app, "bob@example.com").await;

    assert!(listed(&bob.page("/bookings/upcoming", 200).await).is_empty());
    let detail = bob.get(&format!("/bookings/{uid}")).await;
    assert_eq!(detail.status(), 404);
    assert!(!detail.text().await.unwrap().contains("grace@example.com"));
    for action in ["confirm", "cancel", "decline", "no-show"] {
        let answer = bob
            .submit(
                "/bookings/upcoming",
                &format!("/bookings/{uid}/{action}"),
                &[("reason", "mine now")],
            )
            .await;
        assert_eq!(answer.status(), 404, "{action}");
    }
    let csv = bob.page("/bookings/export.csv", 200).await;
    assert_eq!(parse_csv(&csv).len(), 1, "the header alone: {csv}");
    assert_eq!(status_of(&app, &ada.key, &uid).await, "accepted");
    // Not signed in: the sign-in page, never the booking.
    let mut stranger = Visitor::new(&app);
    assert_eq!(
        stranger.get(&format!("/bookings/{uid}")).await.status(),
        303
    );
}

#[tokio::test]
async fn a_form_without_the_sessions_token_is_refused() {
    let app = spawn_app().await;
    let ada = host(&app, "ada@example.com", json!({})).await;
    let uid = book(&app, ada.event, 20, "Grace Hopper", "grace@example.com").await;
    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;
    let forged = visitor
        .post(
            &format!("/bookings/{uid}/cancel"),
            &[("_csrf", "forged"), ("reason", "x")],
        )
        .await;
    assert_eq!(forged.status(), 403);
    let bulk = visitor
        .post("/bookings/cancel", &[("uid", uid.as_str())])
        .await;
    assert_eq!(bulk.status(), 403);
    assert_eq!(status_of(&app, &ada.key, &uid).await, "accepted");
}

#[tokio::test]
async fn bulk_cancel_reports_each_booking() {
    let app = spawn_app().await;
    let ada = host(&app, "ada@example.com", json!({})).await;
    let bob = host(&app, "bob@example.com", json!({})).await;
    let first = book(&app, ada.event, 20, "Grace Hopper", "grace@example.com").await;
    let second = book(&app, ada.event, 22, "Alan Turing", "alan@example.com").await;
    let kept = book(&app, ada.event, 24, "Edsger Kept", "edsger@example.com").await;
    let bobs = book(&app, bob.event, 20, "Barbara Liskov", "barbara@example.com").await;
    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;

    let list = "/bookings/upcoming?q=example";
    let form = [
        ("uid", first.as_str()),
        ("uid", second.as_str()),
        ("reason", "Office closed"),
        ("back", list),
    ];
    let done = visitor.submit(list, "/bookings/cancel", &form).await;
    assert_eq!(done.status(), 303);
    let back = done.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, format!("{list}&cancelled=2"));
    let html = visitor.page(&back, 200).await;
    assert_eq!(listed(&html), [kept.as_str()]);
    for uid in [&first, &second] {
        let seen = booking_of(&app, &ada.key, uid).await;
        assert_eq!(seen["status"], "cancelled");
        assert_eq!(seen["cancellationReason"], "Office closed");
    }

    let form = [
        ("uid", kept.as_str()),
        ("uid", bobs.as_str()),
        ("uid", first.as_str()),
    ];
    let partly = visitor
        .submit("/bookings/upcoming", "/bookings/cancel", &form)
        .await;
    assert_eq!(partly.status(), 200);
    let html = partly.text().await.unwrap();
    let outcome = |uid: &str| {
        let at = html
            .find(&format!("data-booking=\"{uid}\" data-outcome=\""))
            .unwrap();
        html[at..].split('"').nth(3).unwrap().to_owned()
    };
    assert_eq!(outcome(&kept), "cancelled");
    assert_eq!(outcome(&bobs), "failed");
    assert_eq!(outcome(&first), "failed");
    assert!(
        html.contains("not found") && html.contains("is cancelled"),
        "{html}"
    );
    assert_eq!(status_of(&app, &ada.key, &kept).await, "cancelled");
    assert_eq!(status_of(&app, &bob.key, &bobs).await, "accepted");
    let none = visitor
        .submit("/bookings/upcoming", "/bookings/cancel", &[])
        .await;
    assert_eq!(none.status(), 422);
}

#[tokio::test]
async fn the_export_holds_every_row_of_the_filtered_list_safely_quoted() {
    let app = spawn_app().await;
    let ada = host(&app, "ada@example.com", json!({})).await;
    let mut wanted = Vec::new();
    for n in 0..30 {
        wanted.push(
            book(
                &app,
                ada.event,
                n,
                "Grace, \"Amazing\" Hopper",
                "grace@example.com",
            )
            .await,
        );
    }
    let formula = book(
        &app,
        ada.event,
        40,
        "=HYPERLINK(\"http://evil.example\")",
        "eve@example.com",
    )
    .await;
    book(&app, ada.event, 42, "Alan Turing", "alan@example.com").await;
    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;

    let answer = visitor
        .get("/bookings/export.csv?tab=upcoming&q=grace")
        .await;
    assert_eq!(answer.status(), 200);
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        answer.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let text = answer.text().await.unwrap();
    let rows = parse_csv(&text);
    assert_eq!(rows[0][0], "uid");
    let names = rows[0].iter().position(|h| h == "attendees").unwrap();
    let uids: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(uids, wanted, "all 30, more than a page, in the tab's order");
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[names] == "Grace, \"Amazing\" Hopper")
    );
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));

    let text = visitor.page("/bookings/export.csv?q=eve", 200).await;
    let rows = parse_csv(&text);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][0], formula);
    assert_eq!(rows[1][names], "'=HYPERLINK(\"http://evil.example\")");
    let link = visitor.page("/bookings/upcoming?q=grace", 200).await;
    assert!(
        link.contains("/bookings/export.csv?q=grace&amp;tab=upcoming")
            || link.contains("/bookings/export.csv?q=grace&#38;tab=upcoming"),
        "{link}"
    );
    assert_eq!(
        visitor.get("/bookings/export.csv?tab=nope").await.status(),
        400
    );
}

/// `owner` makes a team and `members` join it; the team's id.
async fn team_of(app: &TestApp, owner: &Host, members: &[&Host]) -> i64 {
    let body = json!({"name": "Crew"});
    let team = data(
        app.call(M::POST, "/v2/teams", Some(&owner.key), Some(body))
            .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    for member in members {
        let path = format!("/v2/teams/{team}/memberships");
        let body = json!({"userId": member.user_id});
        let invite = data(
            app.call(M::POST, &path, Some(&owner.key), Some(body)).await,
            201,
        )
        .await;
        let path = format!("/v2/teams/{team}/memberships/{}", invite["id"]);
        let body = json!({"accepted": true});
        data(
            app.call(M::PATCH, &path, Some(&member.key), Some(body))
                .await,
            200,
        )
        .await;
    }
    team
}

#[tokio::test]
async fn team_admins_see_their_teams_bookings_and_other_members_do_not() {
    let app = spawn_app().await;
    let ada = host(&app, "ada@example.com", json!({})).await;
    let bob = host(&app, "bob@example.com", json!({"slug": "bob"})).await;
    let carol = host(&app, "carol@example.com", json!({"slug": "carol"})).await;
    let (bob_id, carol_id) = (bob.user_id, carol.user_id);
    let team = team_of(&app, &ada, &[&bob, &carol]).await;
    let body = json!({"title": "Support", "slug": "support", "lengthInMinutes": 30,
        "minimumBookingNotice": 0, "schedulingType": "COLLECTIVE", "hosts": [{"userId": bob_id}]});
    let path = format!("/v2/teams/{team}/event-types");
    let support = data(
        app.call(M::POST, &path, Some(&ada.key), Some(body)).await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let uid = book(&app, support, 20, "Grace Hopper", "grace@example.com").await;
    let page = format!("/bookings/{uid}");

    // The owner administers the team: the list, the host filter, the detail, the actions.
    let mut owner = Visitor::signed_in(&app, "ada@example.com").await;
    let list = owner.page("/bookings/upcoming", 200).await;
    assert_eq!(listed(&list), [uid.as_str()]);
    assert!(
        list.contains(&format!("<option value=\"{bob_id}\"")),
        "{list}"
    );
    let by_bob = owner
        .page(&format!("/bookings/upcoming?host={bob_id}"), 200)
        .await;
    assert_eq!(listed(&by_bob), [uid.as_str()]);
    let by_carol = owner
        .page(&format!("/bookings/upcoming?host={carol_id}"), 200)
        .await;
    assert!(listed(&by_carol).is_empty());
    owner.page(&page, 200).await;
    // The host sees it too; a member who does not host it neither sees nor touches it.
    let mut host_bob = Visitor::signed_in(&app, "bob@example.com").await;
    assert_eq!(
        listed(&host_bob.page("/bookings/upcoming", 200).await),
        [uid.as_str()]
    );
    let mut member = Visitor::signed_in(&app, "carol@example.com").await;
    assert!(listed(&member.page("/bookings/upcoming", 200).await).is_empty());
    assert_eq!(member.get(&page).await.status(), 404);
    let refused = member
        .submit("/bookings/upcoming", &format!("{page}/cancel"), &[])
        .await;
    assert_eq!(refused.status(), 404);
    let csv = member.page("/bookings/export.csv", 200).await;
    assert_eq!(parse_csv(&csv).len(), 1, "{csv}");
    // The admin's cancel goes through.
    let done = owner.submit(&page, &format!("{page}/cancel"), &[]).await;
    assert_eq!(done.status(), 303);
    assert_eq!(status_of(&app, &ada.key, &uid).await, "cancelled");
}

#[tokio::test]
async fn pages_merge_own_hosted_and_team_bookings_in_order() {
    let app = spawn_app().await;
    // Carol before Bob: a collective booking's organiser is its first host by id, so Bob
    // hosts the pair's bookings without organising them.
    let carol = host(&app, "carol@example.com", json!({"slug": "carol"})).await;
    let bob = host(&app, "bob@example.com", json!({"slug": "bob"})).await;
    let ada = host(&app, "ada@example.com", json!({"slug": "ada"})).await;
    let team = team_of(&app, &ada, &[&carol, &bob]).await;
    let body = json!({"title": "Pair", "slug": "pair", "lengthInMinutes": 30,
        "minimumBookingNotice": 0, "schedulingType": "COLLECTIVE",
        "hosts": [{"userId": carol.user_id}, {"userId": bob.user_id}]});
    let path = format!("/v2/teams/{team}/event-types");
    let pair = data(
        app.call(M::POST, &path, Some(&ada.key), Some(body)).await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // (start, uid): Bob's own on 15 days, the pair's on 12 days over a month, interleaved.
    let mut bobs = Vec::new();
    for day in 10..25 {
        let at = start_on(day, 18);
        bobs.push((
            at.clone(),
            book_at(&app, bob.event, &at, "Own", "own@example.com").await,
        ));
    }
    let mut pairs = Vec::new();
    for day in (10..34).step_by(2) {
        let at = start_on(day, 28);
        pairs.push((
            at.clone(),
            book_at(&app, pair, &at, "Pair", "pair@example.com").await,
        ));
    }
    for day in [11, 13] {
        book_at(
            &app,
            carol.event,
            &start_on(day, 18),
            "Not Bob's",
            "x@example.com",
        )
        .await;
    }
    let mut seen: Vec<(String, String)> = bobs.iter().chain(&pairs).cloned().collect();
    seen.sort();
    let seen: Vec<String> = seen.into_iter().map(|(_, uid)| uid).collect();
    assert_eq!(seen.len(), 27);

    let mut visitor = Visitor::signed_in(&app, "bob@example.com").await;
    let first = visitor.page("/bookings/upcoming", 200).await;
    assert_eq!(listed(&first), seen[..25]);
    let next = link(&first, "next").expect("a next page");
    let second = visitor
        .page(&format!("/bookings/upcoming{next}"), 200)
        .await;
    assert_eq!(listed(&second), seen[25..]);
    let prev = link(&second, "prev").expect("a previous page");
    let back = visitor
        .page(&format!("/bookings/upcoming{prev}"), 200)
        .await;
    assert_eq!(listed(&back), seen[..25]);
    // The team's owner sees the team's bookings, not its members' own.
    let mut owner = Visitor::signed_in(&app, "ada@example.com").await;
    let pair_uids: Vec<String> = pairs.iter().map(|(_, uid)| uid.clone()).collect();
    assert_eq!(
        listed(&owner.page("/bookings/upcoming", 200).await),
        pair_uids
    );

    // Past, newest first: the same bookings two days apart, the latest 10 days ago.
    for (i, uid) in seen.iter().enumerate() {
        into_the_past(&app, uid, 10 + 2 * (26 - i as i64)).await;
    }
    let newest: Vec<String> = seen.iter().rev().cloned().collect();
    let first = visitor.page("/bookings/past", 200).await;
    assert_eq!(listed(&first), newest[..25]);
    let next = link(&first, "next").expect("a next page");
    let second = visitor.page(&format!("/bookings/past{next}"), 200).await;
    assert_eq!(listed(&second), newest[25..]);
}

#[tokio::test]
async fn no_shows_are_marked_on_a_past_booking() {
    let app = spawn_app().await;
    let ada = host(&app, "ada@example.com", json!({})).await;
    let uid = book(&app, ada.event, 20, "Grace Hopper", "grace@example.com").await;
    let page = format!("/bookings/{uid}");
    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;
    let upcoming = visitor.page(&page, 200).await;
    assert!(!upcoming.contains("/no-show\""), "not before it starts");
    let reschedule = format!("href=\"/reschedule/{uid}\"");
    assert!(
        upcoming.contains(&reschedule),
        "the booker's reschedule page"
    );

    into_the_past(&app, &uid, 2).await;
    let html = visitor.page(&page, 200).await;
    assert!(html.contains(&format!("{page}/no-show\"")), "{html}");
    let form = [("absent", "Grace@Example.com")];
    let done = visitor
        .submit(&page, &format!("{page}/no-show"), &form)
        .await;
    assert_eq!(done.status(), 303);
    let seen = booking_of(&app, &ada.key, &uid).await;
    assert_eq!(seen["attendees"][0]["absent"], true, "{seen}");
    assert_eq!(seen["absentHost"], false, "{seen}");
    // Unticked again: present.
    let done = visitor
        .submit(&page, &format!("{page}/no-show"), &[("host_absent", "on")])
        .await;
    assert_eq!(done.status(), 303);
    let seen = booking_of(&app, &ada.key, &uid).await;
    assert_eq!(seen["attendees"][0]["absent"], false, "{seen}");
    assert_eq!(seen["absentHost"], true, "{seen}");
}

/// A search is read from the matching bookings' ids when few attendees match and per way of
/// seeing bookings when many do: both give the same pages, in order, over a long range of own,
/// hosted and team bookings; a search matching nothing lists nothing.
#[tokio::test]
async fn a_search_pages_alike_whether_few_or_many_attendees_match() {
    let app = spawn_app().await;
    let carol = host(&app, "carol@example.com", json!({"slug": "carol"})).await;
    let bob = host(&app, "bob@example.com", json!({"slug": "bob"})).await;
    let ada = host(&app, "ada@example.com", json!({"slug": "ada"})).await;
    let team = team_of(&app, &ada, &[&carol, &bob]).await;
    let body = json!({"title": "Pair", "slug": "pair", "lengthInMinutes": 30,
        "minimumBookingNotice": 0, "schedulingType": "COLLECTIVE",
        "hosts": [{"userId": carol.user_id}, {"userId": bob.user_id}]});
    let path = format!("/v2/teams/{team}/event-types");
    let pair = data(
        app.call(M::POST, &path, Some(&ada.key), Some(body)).await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // Bob's own (every other one a match) and the pair's (hosted by Bob, organised by Carol:
    // all matches), one a day, interleaved; Carol's own matches are not Bob's to see.
    let (mut bobs, mut pairs) = (Vec::new(), Vec::new());
    for day in 10..30 {
        let (name, email) = if day % 2 == 0 {
            ("Match Own", "own@example.com")
        } else {
            ("Other", "other@example.com")
        };
        bobs.push(book_at(&app, bob.event, &start_on(day, 18), name, email).await);
    }
    for day in (10..42).step_by(2) {
        let at = start_on(day, 28);
        pairs.push(book_at(&app, pair, &at, "Pair", "pair.match@example.com").await);
    }
    for day in [11, 13] {
        book_at(
            &app,
            carol.event,
            &start_on(day, 18),
            "Match Not Bob's",
            "x@example.com",
        )
        .await;
    }
    // Into the past over most of a year, in the order booked: the later, the more recent.
    let mut all: Vec<(i64, String)> = Vec::new();
    for (i, uid) in bobs.iter().chain(&pairs).enumerate() {
        let days = 320 - 9 * i as i64;
        into_the_past(&app, uid, days).await;
        all.push((days, uid.clone()));
    }
    let matching: Vec<String> = all
        .iter()
        .filter(|(_, uid)| pairs.contains(uid) || bobs.iter().step_by(2).any(|b| b == uid))
        .rev()
        .map(|(_, uid)| uid.clone())
        .collect();
    assert_eq!(matching.len(), 26);

    let mut visitor = Visitor::signed_in(&app, "bob@example.com").await;
    let mut owner = Visitor::signed_in(&app, "ada@example.com").await;
    let pairs_newest: Vec<String> = pairs.iter().rev().cloned().collect();
    // Filtered to the team's event type: for its owner only the team's bookings can match,
    // read from the team alone; Bob, who manages no team, reads his hosted ones.
    let by_pair = format!("/bookings/past?event_type={pair}");
    let by_pair_and_bob = format!("{by_pair}&host={}", bob.user_id);
    for list in [&by_pair, &by_pair_and_bob] {
        assert_eq!(listed(&owner.page(list, 200).await), pairs_newest, "{list}");
    }
    assert_eq!(listed(&visitor.page(&by_pair, 200).await), pairs_newest);
    for round in ["few", "many"] {
        let first = visitor.page("/bookings/past?q=MATCH", 200).await;
        assert_eq!(listed(&first), matching[..25], "{round}");
        let next = link(&first, "next").expect("a next page");
        let second = visitor.page(&format!("/bookings/past{next}"), 200).await;
        assert_eq!(listed(&second), matching[25..], "{round}");
        let prev = link(&second, "prev").expect("a previous page");
        let back = visitor.page(&format!("/bookings/past{prev}"), 200).await;
        assert_eq!(listed(&back), matching[..25], "{round}");
        let teams = owner.page("/bookings/past?q=match", 200).await;
        assert_eq!(listed(&teams), pairs_newest, "{round}");
        for list in ["/bookings/past?q=nobody", "/bookings/upcoming?q=match"] {
            assert!(
                listed(&visitor.page(list, 200).await).is_empty(),
                "{round} {list}"
            );
        }
        if round == "many" {
            break;
        }
        // Many: 600 more attendees match, all on Bob's oldest own booking, already listed.
        app.db
            .execute_sql(&format!(
                "INSERT INTO attendees (booking_id, email, name, time_zone, created_at)
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)
                 SELECT b.id, 'extra' || n.i || '@example.com', 'Match Extra', 'UTC', b.created_at
                 FROM bookings b, n WHERE b.uid = '{}'",
                bobs[0]
            ))
            .await
            .unwrap();
    }
}
