//! The event type pages in Chromium: a host creates an event type in the console, its editor
//! passes axe-core and previews the coming slots, and a visitor books it on its public page.
//! Shares the browser harness of `browser.rs` and `console_browser.rs`.

use chrono::{Datelike, Duration, Utc, Weekday};
use reqwest::Method;

use crate::browser::{Driver, ONE_AT_A_TIME, fill, screenshot, text_of, wait_for};
use crate::console::{PASSWORD, person};
use crate::console_browser::axe_violations;
use crate::helpers::{data, new_key, spawn_app};

/// A weekday about three weeks ahead (the default schedule is Monday to Friday, 9 to 5).
fn weekday_ahead() -> (String, String) {
    let mut date = Utc::now().date_naive() + Duration::days(21);
    while matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        date += Duration::days(1);
    }
    (date.to_string(), date.format("%Y-%m").to_string())
}

#[tokio::test]
async fn an_event_type_created_in_the_console_is_booked_on_its_public_page() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    let key = new_key(&app.db, "ada@example.com").await.1;
    let mut driver = Driver::start("Europe/Berlin").await;
    let browser = driver.browser(1280, 900).await;

    browser
        .goto(&format!("{}/auth/login", app.address))
        .await
        .unwrap();
    fill(&browser, "#email", "ada@example.com").await;
    fill(&browser, "#password", PASSWORD).await;
    wait_for(&browser, "form.auth-form button[type='submit']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&browser, ".console-nav a[aria-current='page']").await;

    // Create it from the list page's form; the editor opens.
    browser
        .goto(&format!("{}/event-types", app.address))
        .await
        .unwrap();
    fill(&browser, "#new-title", "Coffee Chat").await;
    fill(&browser, "#new-lengthInMinutes", "45").await;
    wait_for(&browser, "#new form button[type='submit']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&browser, "p.notice.ok[role='status']").await;
    let url = browser.current_url().await.unwrap();
    assert!(url.path().starts_with("/event-types/"), "{url}");
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "event type editor"
    );
    // The preview shows the coming weekdays' times (in Berlin, the host's zone).
    let first = text_of(&browser, ".preview-times li").await;
    assert!(first.contains(':'), "{first}");
    screenshot(&browser, "console-event-type-editor").await;
    let link = wait_for(&browser, ".page-head a")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(link, "/ada/coffee-chat");

    // A visitor books it on its public page.
    let (date, month) = weekday_ahead();
    browser
        .goto(&format!(
            "{}{link}?tz=Europe/Berlin&month={month}&date={date}",
            app.address
        ))
        .await
        .unwrap();
    let slot = wait_for(&browser, ".slot").await;
    let iso = slot.attr("data-slot").await.unwrap().unwrap();
    slot.click().await.unwrap();
    wait_for(&browser, "#booking-form").await;
    fill(&browser, "#field-name", "Grace Hopper").await;
    fill(&browser, "#field-email", "grace@example.com").await;
    wait_for(&browser, "#confirm").await.click().await.unwrap();
    wait_for(&browser, "#booking[data-state='scheduled']").await;
    screenshot(&browser, "console-event-type-booked").await;

    let booked = data(
        app.call(Method::GET, "/v2/bookings?take=10", Some(&key), None)
            .await,
        200,
    )
    .await;
    let booked = booked.as_array().unwrap();
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0]["eventType"]["slug"], "coffee-chat", "{booked:?}");
    let start = chrono::DateTime::parse_from_rfc3339(&iso).unwrap();
    let booked_start =
        chrono::DateTime::parse_from_rfc3339(booked[0]["start"].as_str().unwrap()).unwrap();
    assert_eq!(booked_start, start);
    let booked_end =
        chrono::DateTime::parse_from_rfc3339(booked[0]["end"].as_str().unwrap()).unwrap();
    assert_eq!(booked_end - booked_start, Duration::minutes(45));
    browser.close().await.unwrap();
}
