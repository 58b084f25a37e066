//! The workflow editor in Chromium: a host signs in, creates a workflow with an email an hour
//! before on an event type, sees it listed, previews and edits it; the pages pass axe-core.
//! Shares the browser harness of `browser.rs` and `console_browser.rs`.

use reqwest::Method;
use serde_json::json;

use crate::bookings::host;
use crate::browser::{Driver, ONE_AT_A_TIME, fill, screenshot, text_of, wait_for};
use crate::console::give_password;
use crate::console_browser::{axe_violations, sign_in};
use crate::helpers::{data, spawn_app};

#[tokio::test]
async fn a_host_creates_lists_and_edits_a_workflow_in_the_console() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let (key, event, ada) = host(&app, "ada@example.com", json!({"title": "Intro call"})).await;
    give_password(&app, ada).await;
    let mut driver = Driver::start("Europe/Berlin").await;
    let browser = driver.browser(1280, 1000).await;
    sign_in(&browser, &app, "ada@example.com").await;

    browser
        .goto(&format!("{}/workflows", app.address))
        .await
        .unwrap();
    wait_for(&browser, ".page-head a.button")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&browser, "#name").await;
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "new workflow"
    );
    fill(&browser, "#name", "Hour before").await;
    wait_for(&browser, "#trigger")
        .await
        .select_by_value("beforeEvent")
        .await
        .unwrap();
    fill(&browser, "#offset_value", "1").await;
    wait_for(&browser, "#offset_unit")
        .await
        .select_by_value("hour")
        .await
        .unwrap();
    wait_for(
        &browser,
        &format!("input[name='event_types'][value='{event}']"),
    )
    .await
    .click()
    .await
    .unwrap();
    wait_for(&browser, "#action-0")
        .await
        .select_by_value("email_attendee")
        .await
        .unwrap();
    wait_for(&browser, "#template-0")
        .await
        .select_by_value("custom")
        .await
        .unwrap();
    fill(&browser, "#subject-0", "In an hour: {EVENT_NAME}").await;
    fill(
        &browser,
        "#body-0",
        "Hi {ATTENDEE_NAME}, we start at {EVENT_TIME}.",
    )
    .await;
    // The preview shows the message for a sample booking, the form kept.
    wait_for(&browser, "button[name='preview'][value='0']")
        .await
        .click()
        .await
        .unwrap();
    let text = text_of(&browser, "#preview-text").await;
    assert!(text.starts_with("Hi Alex Example, we start at "), "{text}");
    assert_eq!(
        wait_for(&browser, "#name")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Hour before")
    );
    screenshot(&browser, "console-workflow-editor").await;
    // Saved with Enter in the name field: the form's default button saves.
    fill(&browser, "#name", "Hour before\u{E007}").await;
    wait_for(&browser, "p.notice.ok[role='status']").await;
    let url = browser.current_url().await.unwrap();
    assert!(url.path().starts_with("/workflows/"), "{url}");
    let id: i64 = url
        .path()
        .trim_start_matches("/workflows/")
        .parse()
        .unwrap();

    // Listed.
    browser
        .goto(&format!("{}/workflows", app.address))
        .await
        .unwrap();
    let row = text_of(&browser, &format!("tr[data-workflow='{id}']")).await;
    assert!(
        row.contains("Hour before") && row.contains("1 hours"),
        "{row}"
    );
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "workflow list"
    );

    // Edited: two hours before, renamed.
    wait_for(&browser, &format!("tr[data-workflow='{id}'] a"))
        .await
        .click()
        .await
        .unwrap();
    fill(&browser, "#name", "Two hours before").await;
    fill(&browser, "#offset_value", "2").await;
    wait_for(&browser, "form.panel button.primary")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&browser, "p.notice.ok[role='status']").await;
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "workflow editor"
    );
    let api = data(
        app.call(
            Method::GET,
            &format!("/v2/workflows/{id}"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(api["name"], "Two hours before");
    assert_eq!(
        api["trigger"]["offset"],
        json!({"value": 2, "unit": "hour"})
    );
    assert_eq!(api["activation"]["activeOnEventTypeIds"], json!([event]));
    assert_eq!(api["steps"][0]["action"], "email_attendee");
    assert_eq!(
        api["steps"][0]["message"]["subject"],
        "In an hour: {EVENT_NAME}"
    );
    browser.close().await.unwrap();
}
