//! The console's bookings in Chromium: a host signs in, confirms an unconfirmed booking and
//! cancels it from its page (answering the confirmation prompt), filters the list and downloads
//! its CSV; the list and detail pages pass axe-core; and, with the keyboard alone, signs in and
//! cancels a booking. Shares the harness of `browser.rs`.

use chrono::{Duration, SecondsFormat, Utc};
use fantoccini::Locator;
use fantoccini::key::Key;
use reqwest::Method as M;
use serde_json::{Value, json};

use crate::browser::{Driver, ONE_AT_A_TIME, fill, focused, press, screenshot, wait_for};
use crate::console::{PASSWORD, person};
use crate::console_browser::axe_violations;
use crate::helpers::{TestApp, always_bookable, booking_of, data, new_key, spawn_app};

async fn book(app: &TestApp, event: i64, hour: u32, name: &str, email: &str) -> String {
    let day = Utc::now().date_naive() + Duration::days(10);
    let start = day.and_hms_opt(hour, 0, 0).unwrap().and_utc();
    let body = json!({"eventTypeId": event, "start": start.to_rfc3339_opts(SecondsFormat::Secs, true),
        "attendee": {"name": name, "email": email, "timeZone": "Europe/Berlin"}});
    let booked: Value = data(
        app.call(M::POST, "/v2/bookings", None, Some(body)).await,
        201,
    )
    .await;
    booked["uid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_host_confirms_cancels_filters_and_exports_bookings_in_the_browser() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    let key = new_key(&app.db, "ada@example.com").await.1;
    let vetted = json!({"title": "Vetted Call", "slug": "vetted", "lengthInMinutes": 30,
        "confirmationPolicy": {"type": "always", "blockUnconfirmedBookingsInBooker": false}});
    let event = always_bookable(&app, &key, vetted).await;
    let grace = book(&app, event, 9, "Grace Hopper", "grace@example.com").await;
    let alan = book(&app, event, 11, "Alan Turing", "alan@example.com").await;
    let mut driver = Driver::start("Europe/Berlin").await;
    let browser = driver.browser(1280, 900).await;

    browser
        .goto(&format!("{}/bookings/unconfirmed", app.address))
        .await
        .unwrap();
    fill(&browser, "#email", "ada@example.com").await;
    fill(&browser, "#password", PASSWORD).await;
    press(&browser, &Key::Enter.to_string()).await;
    wait_for(&browser, &format!("tr[data-booking='{grace}']")).await;
    assert_eq!(axe_violations(&browser).await, Vec::<String>::new(), "list");
    screenshot(&browser, "console-bookings").await;

    // Confirm Grace's booking on its page, then cancel it, answering the prompt.
    let row_link = format!("tr[data-booking='{grace}'] a");
    wait_for(&browser, &row_link).await.click().await.unwrap();
    wait_for(&browser, "[data-status='pending']").await;
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "detail"
    );
    screenshot(&browser, "console-booking").await;
    let confirm = format!("form[action='/bookings/{grace}/confirm'] button");
    wait_for(&browser, &confirm).await.click().await.unwrap();
    wait_for(&browser, "[data-status='accepted']").await;
    assert_eq!(booking_of(&app, &key, &grace).await["status"], "accepted");
    fill(&browser, "#cancel-reason", "Host is ill").await;
    let cancel = format!("form[action='/bookings/{grace}/cancel'] button.danger");
    wait_for(&browser, &cancel).await.click().await.unwrap();
    browser.accept_alert().await.expect("the page asks first");
    wait_for(&browser, "[data-status='cancelled']").await;
    let seen = booking_of(&app, &key, &grace).await;
    assert_eq!(seen["status"], "cancelled");
    assert_eq!(seen["cancellationReason"], "Host is ill");

    // Filter the upcoming list by attendee, then download the CSV of what it shows.
    browser
        .goto(&format!("{}/bookings/upcoming", app.address))
        .await
        .unwrap();
    fill(&browser, "#f-q", "turing").await;
    wait_for(&browser, "form.filters button[type='submit']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&browser, "#f-q[value='turing']").await;
    let rows = browser
        .find_all(Locator::Css("tr[data-booking]"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].attr("data-booking").await.unwrap().as_deref(),
        Some(alan.as_str())
    );
    let csv = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const link = document.querySelector('a[download]');
             fetch(link.href).then(r => r.text()).then(done, e => done('failed: ' + e));",
            vec![],
        )
        .await
        .unwrap();
    let csv = csv.as_str().unwrap_or_default();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].starts_with(&alan) && lines[1].contains("Alan Turing"),
        "{csv}"
    );
    browser.close().await.unwrap();
}

/// Tabs (at most `limit` times) until the focused element's `attribute` satisfies `wanted`.
async fn tab_to(
    browser: &fantoccini::Client,
    attribute: &str,
    limit: usize,
    wanted: impl Fn(&str) -> bool,
) -> bool {
    for _ in 0..limit {
        press(browser, &Key::Tab.to_string()).await;
        if focused(browser, attribute)
            .await
            .is_some_and(|v| wanted(&v))
        {
            return true;
        }
    }
    false
}

/// The keyboard alone: sign in, open a booking from the list, give a reason and cancel it
/// (Tab, typing, Enter and Space on whatever has the focus; the browser's own confirmation
/// prompt is accepted), and the API shows the booking cancelled with that reason.
#[tokio::test]
async fn a_host_cancels_a_booking_with_the_keyboard_alone() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    let key = new_key(&app.db, "ada@example.com").await.1;
    let intro = json!({"title": "Intro", "slug": "intro", "lengthInMinutes": 30});
    let event = always_bookable(&app, &key, intro).await;
    let grace = book(&app, event, 9, "Grace Hopper", "grace@example.com").await;
    let mut driver = Driver::start("Europe/Berlin").await;
    let browser = driver.browser(1280, 900).await;

    browser
        .goto(&format!("{}/bookings/upcoming", app.address))
        .await
        .unwrap();
    wait_for(&browser, "form.auth-form").await;
    assert_eq!(focused(&browser, "id").await.as_deref(), Some("email"));
    press(&browser, "ada@example.com").await;
    press(&browser, &Key::Tab.to_string()).await;
    press(&browser, &format!("{PASSWORD}{}", Key::Enter)).await;
    wait_for(&browser, &format!("tr[data-booking='{grace}']")).await;

    let detail = format!("/bookings/{grace}");
    assert!(
        tab_to(&browser, "href", 60, |href| href.ends_with(&detail)).await,
        "Tab reaches the booking's link"
    );
    press(&browser, &Key::Enter.to_string()).await;
    wait_for(&browser, "[data-status='accepted']").await;
    assert!(
        tab_to(&browser, "id", 60, |id| id == "cancel-reason").await,
        "Tab reaches the reason"
    );
    press(&browser, "Host is ill").await;
    press(&browser, &Key::Tab.to_string()).await;
    assert_eq!(focused(&browser, "class").await.as_deref(), Some("danger"));
    press(&browser, " ").await;
    browser.accept_alert().await.expect("the page asks first");
    wait_for(&browser, "[data-status='cancelled']").await;
    let seen = booking_of(&app, &key, &grace).await;
    assert_eq!(seen["status"], "cancelled");
    assert_eq!(seen["cancellationReason"], "Host is ill");
    browser.close().await.unwrap();
}
