//! The console's webhook pages: what they save is the API's subscription, a ping and a
//! redelivery reach a real receiver signed, refusals are shown at their field, and another
//! user's subscription is not there for them.

use std::time::Duration;

use reqwest::Method as M;
use serde_json::json;

use crate::console::{Visitor, person};
use crate::helpers::{always_bookable, data, eventually, new_key, spawn_app};
use crate::webhooks::{Receiver, assert_signed};

const HOOKS: &str = "/settings/developer/webhooks";

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The subscription id a create's redirect names.
fn created_id(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 303, "the webhook was created");
    let to = location(response);
    let rest = to.strip_prefix(&format!("{HOOKS}/")).unwrap();
    rest.split('?').next().unwrap().to_owned()
}

/// Reloads `path` until its text contains `needle`.
async fn page_shows(visitor: &mut Visitor<'_>, path: &str, needle: &str) -> String {
    let what = format!("{path} to show {needle}");
    eventually(&what, Duration::from_secs(15), async || {
        let html = visitor.page(path, 200).await;
        if html.contains(needle) {
            Ok(html)
        } else {
            let main = html.find("<main").map_or("", |at| &html[at..]);
            Err(main.chars().take(1500).collect::<String>())
        }
    })
    .await
}

#[tokio::test]
async fn a_webhook_made_in_the_console_is_the_apis_and_pings_and_redeliveries_arrive_signed() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    person(&app, "ada@host.example").await;
    let (_, key) = new_key(&app.db, "ada@host.example").await;
    let mut ada = Visitor::signed_in(&app, "ada@host.example").await;

    let new = format!("{HOOKS}/new");
    let made = ada
        .submit(
            &new,
            &new,
            &[
                ("subscriber_url", receiver.url.as_str()),
                ("triggers", "BOOKING_CREATED"),
                ("triggers", "BOOKING_CANCELLED"),
                ("active", "on"),
                ("secret", "console-secret"),
                ("event_type", ""),
            ],
        )
        .await;
    let id = created_id(&made);
    let api = data(
        app.call(M::GET, &format!("/v2/webhooks/{id}"), Some(&key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(api["subscriberUrl"], receiver.url);
    assert_eq!(
        api["triggers"],
        json!(["BOOKING_CREATED", "BOOKING_CANCELLED"])
    );
    assert_eq!(api["hasSecret"], true);
    assert!(ada.page(HOOKS, 200).await.contains(&receiver.url));
    let page = format!("{HOOKS}/{id}");
    let html = ada.page(&page, 200).await;
    assert!(
        !html.contains("console-secret"),
        "the secret is never shown"
    );

    // A ping is queued, delivered signed, and its delivery page shows the attempt.
    let pinged = ada.submit(&page, &format!("{page}/ping"), &[]).await;
    assert_eq!(pinged.status(), 303);
    let delivery_page = location(&pinged);
    let hits = receiver.wait_for("the ping", |h| !h.is_empty()).await;
    assert_signed(&hits[0], "console-secret");
    assert_eq!(hits[0].json()["triggerEvent"], "PING");
    let shown = page_shows(&mut ada, &delivery_page, "· delivered</h1>").await;
    assert!(shown.contains("<td>200</td>"), "the attempt's status code");

    // A refused ping (400 is final) can be sent again from its page: the same delivery.
    receiver.fail(400, 1);
    let pinged = ada.submit(&page, &format!("{page}/ping"), &[]).await;
    let failed_page = location(&pinged).split('?').next().unwrap().to_owned();
    page_shows(&mut ada, &failed_page, "· failed</h1>").await;
    let again = ada
        .submit(&failed_page, &format!("{failed_page}/redeliver"), &[])
        .await;
    assert_eq!(again.status(), 303);
    let hits = receiver.wait_for("the redelivery", |h| h.len() >= 3).await;
    assert_eq!(hits[1].header("webhook-id"), hits[2].header("webhook-id"));
    page_shows(&mut ada, &failed_page, "· delivered</h1>").await;
    let log = ada.page(&format!("{page}?status=delivered"), 200).await;
    assert_eq!(log.matches("data-delivery=").count(), 2, "{log}");
}

#[tokio::test]
async fn a_refused_subscription_is_shown_at_its_field_and_keeps_the_input() {
    let app = spawn_app().await;
    person(&app, "ada@host.example").await;
    let mut ada = Visitor::signed_in(&app, "ada@host.example").await;
    let new = format!("{HOOKS}/new");

    let refused = ada
        .submit(
            &new,
            &new,
            &[
                ("subscriber_url", "ftp://files.example.com/drop"),
                ("triggers", "BOOKING_CREATED"),
                ("event_type", ""),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"subscriber_url-error\""), "{html}");
    assert!(html.contains("must use http or https"), "{html}");
    assert!(html.contains("value=\"ftp://files.example.com/drop\""));

    let refused = ada
        .submit(
            &new,
            &new,
            &[
                ("subscriber_url", "https://hooks.example.com/in"),
                ("event_type", ""),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"triggers-error\""), "{html}");

    let refused = ada
        .submit(
            &new,
            &new,
            &[
                ("subscriber_url", "https://hooks.example.com/in"),
                ("triggers", "AFTER_HOSTS_CAL_VIDEO_NO_SHOW"),
                ("time", "soon"),
                ("event_type", ""),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("`soon` is not a whole number")
    );
    let list = ada.page(HOOKS, 200).await;
    assert!(!list.contains("data-webhook="), "nothing was stored");
}

#[tokio::test]
async fn another_user_gets_not_found_and_forms_need_their_token() {
    let app = spawn_app().await;
    person(&app, "ada@host.example").await;
    person(&app, "bob@host.example").await;
    let (_, key) = new_key(&app.db, "ada@host.example").await;
    let event = always_bookable(
        &app,
        &key,
        json!({"title": "Intro", "slug": "intro", "lengthInMinutes": 30}),
    )
    .await;
    let mut ada = Visitor::signed_in(&app, "ada@host.example").await;
    let mut bob = Visitor::signed_in(&app, "bob@host.example").await;

    // An event type's subscription is listed under that event type only.
    let new = format!("{HOOKS}/new?event_type={event}");
    let made = ada
        .submit(
            &new,
            &format!("{HOOKS}/new"),
            &[
                ("subscriber_url", "https://hooks.example.com/in"),
                ("triggers", "BOOKING_CREATED"),
                ("active", "on"),
                ("event_type", &event.to_string()),
            ],
        )
        .await;
    let id = created_id(&made);
    assert!(!ada.page(HOOKS, 200).await.contains(&id));
    let scoped = ada.page(&format!("{HOOKS}?event_type={event}"), 200).await;
    assert!(scoped.contains(&id));

    // Bob neither sees it nor lists, changes, pings or deletes it.
    let page = format!("{HOOKS}/{id}");
    bob.page(&page, 404).await;
    let listed = bob.get(&format!("{HOOKS}?event_type={event}")).await;
    assert_eq!(listed.status(), 404);
    for action in [
        format!("{page}/delete"),
        format!("{page}/ping"),
        page.clone(),
    ] {
        let answer = bob
            .submit(
                HOOKS,
                &action,
                &[("subscriber_url", "https://evil.example.com")],
            )
            .await;
        assert_eq!(answer.status(), 404, "{action}");
    }
    let made = bob
        .submit(
            HOOKS,
            &format!("{HOOKS}/new"),
            &[
                ("subscriber_url", "https://evil.example.com"),
                ("triggers", "BOOKING_CREATED"),
                ("event_type", &event.to_string()),
            ],
        )
        .await;
    assert_eq!(made.status(), 404, "not Bob's event type");

    // Ada's own forms: without the page's token, or from another site, nothing happens.
    let bare = ada.post(&format!("{page}/delete"), &[]).await;
    assert_eq!(bare.status(), 403);
    ada.origin = Some("https://evil.example.com".into());
    let foreign = ada.submit(&page, &format!("{page}/delete"), &[]).await;
    assert_eq!(foreign.status(), 403);
    ada.origin = Some(app.address.clone());
    ada.page(&page, 200).await;

    let deleted = ada.submit(&page, &format!("{page}/delete"), &[]).await;
    assert_eq!(
        location(&deleted),
        format!("{HOOKS}?event_type={event}&done=deleted")
    );
    ada.page(&page, 404).await;
}

#[tokio::test]
async fn a_subscription_switched_off_by_the_worker_says_why_and_is_switched_on_again() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    person(&app, "ada@host.example").await;
    let mut ada = Visitor::signed_in(&app, "ada@host.example").await;
    let new = format!("{HOOKS}/new");
    let made = ada
        .submit(
            &new,
            &new,
            &[
                ("subscriber_url", receiver.url.as_str()),
                ("triggers", "BOOKING_CREATED"),
                ("active", "on"),
                ("event_type", ""),
            ],
        )
        .await;
    let page = format!("{HOOKS}/{}", created_id(&made));
    receiver.fail(410, 1);
    ada.submit(&page, &format!("{page}/ping"), &[]).await;
    // The reason names the answer (a hex token on the page may hold "410" too).
    let html = page_shows(&mut ada, &page, "Switched off by Kairos").await;
    assert!(html.contains("410 Gone"), "{html}");
    assert!(!html.contains("name=\"active\" value=\"on\" checked"));

    let saved = ada
        .submit(
            &page,
            &page,
            &[
                ("subscriber_url", receiver.url.as_str()),
                ("triggers", "BOOKING_CREATED"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let html = ada.page(&page, 200).await;
    assert!(!html.contains("Switched off by Kairos"), "{html}");
    assert!(html.contains("name=\"active\" value=\"on\" checked"));
}

/// In Chromium: a webhook made with the form, its pages free of serious axe-core findings, a
/// refused ping sent again with the button.
#[tokio::test]
async fn in_the_browser_a_refused_delivery_is_sent_again_from_its_page() {
    use crate::browser::{Driver, ONE_AT_A_TIME, fill, screenshot, wait_for};
    use crate::console_browser::{axe_violations, sign_in};

    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    person(&app, "ada@host.example").await;
    let mut driver = Driver::start("Europe/Berlin").await;
    let browser = driver.browser(1280, 900).await;
    sign_in(&browser, &app, "ada@host.example").await;

    browser
        .goto(&format!("{}{HOOKS}/new", app.address))
        .await
        .unwrap();
    fill(&browser, "#subscriber_url", &receiver.url).await;
    fill(&browser, "#secret", "browser-secret").await;
    wait_for(&browser, "form.panel button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&browser, "#log").await;
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "webhook page"
    );
    screenshot(&browser, "console-webhook").await;

    receiver.fail(400, 1);
    wait_for(&browser, "form[action$='/ping'] button")
        .await
        .click()
        .await
        .unwrap();
    receiver
        .wait_for("the refused ping", |h| h.len() == 1)
        .await;
    let page = browser.current_url().await.unwrap().path().to_owned();
    eventually(
        "the delivery to fail",
        Duration::from_secs(15),
        async || {
            browser
                .goto(&format!("{}{page}", app.address))
                .await
                .unwrap();
            let title = wait_for(&browser, "h1").await.text().await.unwrap();
            if title.ends_with("failed") {
                Ok(())
            } else {
                Err(title)
            }
        },
    )
    .await;
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "delivery page"
    );
    wait_for(&browser, "form[action$='/redeliver'] button")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&browser, "p.notice").await;
    let hits = receiver.wait_for("the redelivery", |h| h.len() == 2).await;
    assert_signed(&hits[1], "browser-secret");
    assert_eq!(hits[0].header("webhook-id"), hits[1].header("webhook-id"));
    browser.close().await.unwrap();
}
