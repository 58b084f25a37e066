//! `/insights` in Chromium: a host with bookings signs in, reads the figures, narrows them to
//! one event type with the filter form, and both pages pass axe-core.

use fantoccini::Locator;
use fantoccini::key::Key;
use reqwest::Method as M;

use crate::browser::{Driver, ONE_AT_A_TIME, fill, press, screenshot, text_of, wait_for};
use crate::console::{PASSWORD, give_password};
use crate::console_browser::axe_violations;
use crate::helpers::{data, eventually, spawn_app};
use crate::insights::seeded;

#[tokio::test]
async fn a_host_reads_insights_in_the_browser() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let (key, event) = seeded(&app).await;
    let me = data(app.call(M::GET, "/v2/me", Some(&key), None).await, 200).await;
    give_password(&app, me["id"].as_i64().unwrap()).await;
    let mut driver = Driver::start("UTC").await;
    let browser = driver.browser(1280, 900).await;
    let (first, last) = (crate::bookings::day(0), crate::bookings::day(3));
    browser
        .goto(&format!(
            "{}/insights?start={first}&end={last}",
            app.address
        ))
        .await
        .unwrap();
    fill(&browser, "#email", "ada@example.com").await;
    fill(&browser, "#password", PASSWORD).await;
    press(&browser, &Key::Enter.to_string()).await;
    assert_eq!(text_of(&browser, "#insights-total").await, "5");
    wait_for(&browser, "svg[role='img'] title").await;
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "insights"
    );
    screenshot(&browser, "console-insights").await;

    // Narrow to the event type with the form, by keyboard.
    let option = format!("#i-scope option[value='event:{event}']");
    wait_for(&browser, &option).await.click().await.unwrap();
    let submit = browser
        .find(Locator::Css("form.filters button[type='submit']"))
        .await
        .unwrap();
    submit.send_keys(&Key::Enter.to_string()).await.unwrap();
    eventually(
        "the narrowed page",
        std::time::Duration::from_secs(10),
        async || {
            let url = browser.current_url().await.unwrap();
            url.as_str()
                .contains(&format!("scope=event%3A{event}"))
                .then_some(())
        },
    )
    .await;
    assert_eq!(text_of(&browser, "#insights-total").await, "5");
    let caption = text_of(&browser, "#table-hours caption").await;
    assert!(!caption.is_empty());
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "narrowed"
    );
    browser.close().await.unwrap();
}
