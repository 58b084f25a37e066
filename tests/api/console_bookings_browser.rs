//! The console's bookings in Chromium: a host signs in, confirms an unconfirmed booking and
//! cancels it from its page (answering the confirmation prompt), filters the list and downloads
//! its CSV; the list and detail pages pass axe-core. Shares the harness of `browser.rs`.

use chrono::{Duration, SecondsFormat, Utc};
use fantoccini::Locator;
use fantoccini::key::Key;
use reqwest::Method as M;
use serde_json::{Value, json};

use crate::browser::{Driver, ONE_AT_A_TIME, fill, press, screenshot, wait_for};
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
