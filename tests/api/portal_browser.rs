//! The booker's portal in Chromium on a phone's viewport: a booker asks for a link, opens it
//! from the email (a real SMTP conversation), sees their bookings in the browser's zone, cancels
//! one and reschedules another; every portal page passes axe-core and breaks no
//! Content-Security-Policy rule. Shares the harness of `browser.rs`.

use chrono::{Duration, Utc};
use fantoccini::Locator;

use crate::browser::{Driver, ONE_AT_A_TIME, console, fill, screenshot, violations, wait_for};
use crate::console_browser::axe_violations;
use crate::email::{SmtpServer, app_with_smtp};
use crate::helpers::{booking_of, eventually};
use crate::portal::{book, host};

#[tokio::test]
async fn a_booker_signs_in_by_email_and_cancels_and_reschedules_on_a_phone() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, ada) = host(&app, "ada@host.example", "Ada Host", "intro").await;
    let to_cancel = book(&app, ada, 4, 9, "Grace Hopper", "grace@example.com").await;
    let to_move = book(&app, ada, 5, 9, "Grace Hopper", "grace@example.com").await;
    let mut driver = Driver::start("America/New_York").await;
    let browser = driver.browser(390, 844).await;

    browser
        .goto(&format!("{}/my-bookings", app.address))
        .await
        .unwrap();
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "front"
    );
    fill(&browser, "#portal-email", "grace@example.com").await;
    wait_for(&browser, "#send-link")
        .await
        .click()
        .await
        .unwrap();
    // The front page has a lead too: wait for the new page's, which says the link is sent.
    eventually(
        "the page saying the link was sent",
        std::time::Duration::from_secs(15),
        async || {
            let lead =
                (browser.find(Locator::Css("#portal-lead")).await).map_err(|e| e.to_string())?;
            let text = lead.text().await.map_err(|e| e.to_string())?;
            match text.contains("We sent a link to grace@example.com") {
                true => Ok(()),
                false => Err(text),
            }
        },
    )
    .await;

    let link = eventually(
        "the sign-in email",
        std::time::Duration::from_secs(15),
        async || {
            let mails = smtp.mails().await;
            let mail = mails
                .iter()
                .find(|m| m.text.contains("/my-bookings/sign-in?"))?;
            let line = mail
                .text
                .lines()
                .find(|l| l.contains("/my-bookings/sign-in?"))?;
            Some(line.trim().to_owned())
        },
    )
    .await;
    browser.goto(&link).await.unwrap();
    wait_for(&browser, "#continue").await;
    assert_eq!(axe_violations(&browser).await, Vec::<String>::new(), "link");
    wait_for(&browser, "#continue").await.click().await.unwrap();

    // booker.js gives the page the browser's zone, once.
    wait_for(&browser, "#tz[value='America/New_York']").await;
    let item = |uid: &str| format!("li[data-booking='{uid}']");
    wait_for(&browser, &item(&to_cancel)).await;
    let when = wait_for(&browser, &format!("{} .portal-when", item(&to_move)))
        .await
        .text()
        .await
        .unwrap();
    // 09:00 UTC is 4:00am or 5:00am in New York, by the season.
    assert!(when.contains(":00am"), "{when}");
    assert_eq!(axe_violations(&browser).await, Vec::<String>::new(), "list");
    screenshot(&browser, "portal-phone").await;

    // Cancel the first.
    wait_for(&browser, &format!("{} a.cancel", item(&to_cancel)))
        .await
        .click()
        .await
        .unwrap();
    fill(&browser, "#reason-input", "Out of office").await;
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "cancel"
    );
    wait_for(&browser, "#cancel-confirm")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&browser, "#notice").await;
    wait_for(
        &browser,
        &format!("{}[data-state='cancelled']", item(&to_cancel)),
    )
    .await;
    let seen = booking_of(&app, &key, &to_cancel).await;
    assert_eq!(seen["status"], "cancelled");
    assert_eq!(seen["cancellationReason"], "Out of office");

    // Reschedule the second to 15:00 UTC the same day.
    wait_for(&browser, &format!("{} a.reschedule", item(&to_move)))
        .await
        .click()
        .await
        .unwrap();
    let day = Utc::now().date_naive() + Duration::days(5);
    let later = format!("{day}T15:00:00Z");
    wait_for(&browser, &format!(".slot[data-slot='{later}']"))
        .await
        .click()
        .await
        .unwrap();
    wait_for(&browser, "#confirm").await.click().await.unwrap();
    wait_for(&browser, "#booking[data-state='scheduled']").await;
    let moved_to = browser
        .current_url()
        .await
        .unwrap()
        .path()
        .trim_start_matches("/booking/")
        .to_owned();
    assert_ne!(moved_to, to_move);
    let seen = booking_of(&app, &key, &moved_to).await;
    assert_eq!(seen["start"], format!("{day}T15:00:00.000Z"));

    // Back in the portal: the new time stands where the old one was.
    browser
        .goto(&format!("{}/my-bookings", app.address))
        .await
        .unwrap();
    wait_for(&browser, &item(&moved_to)).await;
    assert!(
        browser
            .find_all(Locator::Css(&item(&to_move)))
            .await
            .unwrap()
            .is_empty(),
        "the moved-away booking is not listed"
    );
    let messages = console(&driver, &browser).await;
    assert!(violations(&messages).is_empty(), "{messages:?}");
    browser.close().await.unwrap();
}
