//! The console's calendars page: Google connects through the OAuth round trip and lands back
//! here, the blocking calendars and the destination chosen here are what the API lists, CalDAV
//! and feed refusals are shown at their field with the input kept (the password never), and
//! another user's connection is not there for them.

use std::time::Duration;

use reqwest::Method as M;
use serde_json::{Value, json};

use crate::calendars::{Feed, app_with_google, calendar};
use crate::calendars_caldav::{Radicale, password};
use crate::console::{Visitor, person};
use crate::fake_google::FakeGoogle;
use crate::helpers::{TestApp, TestDatabase, data, eventually, new_key, spawn_app, spawn_app_with};

const PAGE: &str = "/apps/installed/calendar";

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// What `/v2/calendars` lists for `key`'s user.
async fn listed(app: &TestApp, key: &str) -> Value {
    data(
        app.call(M::GET, "/v2/calendars", Some(key), None).await,
        200,
    )
    .await
}

/// Presses the page's Connect Google button and follows the browser through the fake's consent
/// page and the API's save endpoint; where the browser ends up.
async fn connect_google(ada: &mut Visitor<'_>) -> String {
    let started = ada
        .submit(PAGE, &format!("{PAGE}/connect/google"), &[])
        .await;
    assert_eq!(started.status(), 303);
    let consent = browser().get(location(&started)).send().await.unwrap();
    assert_eq!(consent.status(), 302, "the fake consents");
    let saved = browser().get(location(&consent)).send().await.unwrap();
    assert_eq!(
        saved.status(),
        302,
        "the save endpoint sends the browser on"
    );
    location(&saved)
}

#[tokio::test]
async fn google_connects_from_the_page_and_blocking_and_destination_are_the_apis() {
    let fake = FakeGoogle::start().await;
    fake.add_calendar("ada@example.com", "Ada", true, "owner", "Europe/Berlin");
    fake.add_calendar("family@example.com", "Family", false, "writer", "UTC");
    let app = app_with_google(&fake).await;
    person(&app, "ada@example.com").await;
    let (_, key) = new_key(&app.db, "ada@example.com").await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;

    let html = ada.page(PAGE, 200).await;
    assert!(html.contains(&format!("action=\"{PAGE}/connect/google\"")));
    assert!(
        html.contains("KAIROS_MICROSOFT_CLIENT_ID"),
        "Microsoft is not set up and the page says what to set"
    );

    // Consent refused at Google: back on the page, told why.
    let started = ada
        .submit(PAGE, &format!("{PAGE}/connect/google"), &[])
        .await;
    let consent = url::Url::parse(&location(&started)).unwrap();
    let (_, state) = consent.query_pairs().find(|(k, _)| k == "state").unwrap();
    let denied = format!(
        "{}/v2/calendars/google/save?error=access_denied&state={state}",
        app.address
    );
    let back = browser().get(&denied).send().await.unwrap();
    assert_eq!(back.status(), 302);
    let back = location(&back);
    let path = back.strip_prefix(&app.address).unwrap();
    let html = ada.page(path, 200).await;
    assert!(
        html.contains("did not grant access; connect again to allow it (access_denied)"),
        "{html}"
    );
    assert!(!html.contains("Calendar connected"));

    let landed = connect_google(&mut ada).await;
    assert_eq!(landed, format!("{}{PAGE}?done=connected", app.address));
    let html = ada.page(&format!("{PAGE}?done=connected"), 200).await;
    assert!(html.contains("Calendar connected"), "{html}");
    assert!(html.contains("Google Calendar · ada@example.com"), "{html}");
    let id = listed(&app, &key).await["connectedCalendars"][0]["credentialId"]
        .as_i64()
        .unwrap();

    // Both calendars block; then only Family.
    let both = [
        ("blocking", "ada@example.com"),
        ("blocking", "family@example.com"),
    ];
    let saved = ada
        .submit(PAGE, &format!("{PAGE}/{id}/blocking"), &both)
        .await;
    assert_eq!(location(&saved), format!("{PAGE}?done=saved"));
    let selected = |list: &Value| -> Vec<bool> {
        list["connectedCalendars"][0]["calendars"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["isSelected"].as_bool().unwrap())
            .collect()
    };
    assert_eq!(selected(&listed(&app, &key).await), [true, true]);
    let family = [("blocking", "family@example.com")];
    ada.submit(PAGE, &format!("{PAGE}/{id}/blocking"), &family)
        .await;
    let list = listed(&app, &key).await;
    assert_eq!(selected(&list), [false, true], "{list}");
    let unknown = [("blocking", "nobody@example.com")];
    let refused = ada
        .submit(PAGE, &format!("{PAGE}/{id}/blocking"), &unknown)
        .await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains(&format!("id=\"blocking-{id}-error\""))
    );

    // The destination: the primary one by default, then Family.
    assert_eq!(list["destinationCalendar"]["externalId"], "ada@example.com");
    let family_row = list["connectedCalendars"][0]["calendars"][1].clone();
    assert_eq!(family_row["externalId"], "family@example.com");
    let html = ada.page(PAGE, 200).await;
    let family_choice = html
        .split("<option value=\"")
        .find(|o| o.contains("Family</option>"))
        .and_then(|o| o.split('"').next())
        .unwrap()
        .to_owned();
    let chosen = ada
        .submit(
            PAGE,
            &format!("{PAGE}/destination"),
            &[("destination", &family_choice)],
        )
        .await;
    assert_eq!(chosen.status(), 303);
    let list = listed(&app, &key).await;
    assert_eq!(
        list["destinationCalendar"]["externalId"],
        "family@example.com"
    );

    // Reconnecting is consenting again: the same connection, renewed.
    let html = ada.page(PAGE, 200).await;
    assert!(html.contains("Reconnect"));
    connect_google(&mut ada).await;
    let list = listed(&app, &key).await;
    assert_eq!(list["connectedCalendars"].as_array().unwrap().len(), 1);
    assert_eq!(list["connectedCalendars"][0]["credentialId"], id);

    let gone = ada
        .submit(PAGE, &format!("{PAGE}/{id}/disconnect"), &[])
        .await;
    assert_eq!(location(&gone), format!("{PAGE}?done=disconnected"));
    assert_eq!(listed(&app, &key).await["connectedCalendars"], json!([]));
    assert!(!fake.revoked().is_empty(), "the grant was revoked");
}

#[tokio::test]
async fn refused_urls_are_shown_at_their_field_with_the_input_kept_but_never_the_password() {
    let database = TestDatabase::new().await;
    let config = kairos::config::Config {
        calendar_allow_private: false,
        ..database.config()
    };
    let app = spawn_app_with(config, database).await;
    person(&app, "ada@example.com").await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let html = ada.page(PAGE, 200).await;
    assert!(
        html.contains("KAIROS_GOOGLE_CLIENT_ID"),
        "Google is not set up"
    );
    assert!(!html.contains(&format!("action=\"{PAGE}/connect/google\"")));

    let feed = "http://127.0.0.1:9/cal.ics?token=s3cret";
    let refused = ada
        .submit(PAGE, &format!("{PAGE}/ics"), &[("url", feed)])
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    let error = html.split("id=\"ics_url-error\">").nth(1).unwrap();
    assert!(
        error.starts_with("urls: the ICS feed URL is on a private address (127.0.0.1)"),
        "{error}"
    );
    assert!(
        html.contains(&format!("value=\"{feed}\"")),
        "the URL is kept"
    );

    let refused = ada
        .submit(
            PAGE,
            &format!("{PAGE}/caldav"),
            &[
                ("server_url", "http://169.254.169.254/dav/"),
                ("username", "ada"),
                ("password", "hunter2-secret"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    let error = html.split("id=\"server_url-error\">").nth(1).unwrap();
    assert!(
        error.starts_with("serverUrl: the CalDAV server is on a private address"),
        "{error}"
    );
    assert!(html.contains("value=\"http://169.254.169.254/dav/\""));
    assert!(html.contains("id=\"username\" name=\"username\" autocomplete=\"off\" value=\"ada\""));
    assert!(
        !html.contains("hunter2-secret"),
        "the password is not echoed"
    );
    assert!(
        ada.page(PAGE, 200)
            .await
            .contains("No calendar is connected yet.")
    );
}

#[tokio::test]
async fn a_caldav_account_with_a_wrong_password_is_refused_at_the_password_and_then_connects() {
    let radicale = Radicale::start().await;
    radicale.calendar("ada", "work", "VEVENT").await;
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    let (_, key) = new_key(&app.db, "ada@example.com").await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let action = format!("{PAGE}/caldav");
    let wrong = [
        ("server_url", radicale.url.as_str()),
        ("username", "ada"),
        ("password", "not-the-password"),
    ];
    let refused = ada.submit(PAGE, &action, &wrong).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"password-error\""), "{html}");
    assert!(html.contains("refused the credentials"), "{html}");
    assert!(!html.contains("not-the-password"));
    assert!(html.contains(&format!("value=\"{}\"", radicale.url)));

    let right = [
        ("server_url", radicale.url.as_str()),
        ("username", "ada"),
        ("password", &password("ada")),
    ];
    let connected = ada.submit(PAGE, &action, &right).await;
    assert_eq!(location(&connected), format!("{PAGE}?done=connected"));
    let list = listed(&app, &key).await;
    let calendars = &list["connectedCalendars"][0]["calendars"];
    assert_eq!(calendars[0]["name"], "work calendar", "{list}");
    let html = ada.page(PAGE, 200).await;
    assert!(html.contains("CalDAV · ada @ 127.0.0.1"), "{html}");
    assert!(html.contains("work calendar"));
    assert!(!html.contains(&password("ada")));
}

#[tokio::test]
async fn another_users_connection_answers_not_found_and_a_feed_is_checked_and_disconnected() {
    let app = spawn_app().await;
    let feed = Feed::start(calendar(&[])).await;
    person(&app, "ada@example.com").await;
    person(&app, "bob@example.com").await;
    let (_, key) = new_key(&app.db, "ada@example.com").await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let mut bob = Visitor::signed_in(&app, "bob@example.com").await;

    let added = ada
        .submit(PAGE, &format!("{PAGE}/ics"), &[("url", &feed.url)])
        .await;
    assert_eq!(location(&added), format!("{PAGE}?done=connected"));
    let list = listed(&app, &key).await;
    let id = list["connectedCalendars"][0]["credentialId"]
        .as_i64()
        .unwrap();
    let html = ada.page(PAGE, 200).await;
    assert!(html.contains(&format!("data-connection=\"{id}\"")));
    assert!(
        !html.contains("token=secret"),
        "the feed's secret is not shown"
    );

    assert!(!bob.page(PAGE, 200).await.contains("data-connection="));
    for action in ["blocking", "check", "disconnect"] {
        let answer = bob
            .submit(PAGE, &format!("{PAGE}/{id}/{action}"), &[("blocking", "x")])
            .await;
        assert_eq!(answer.status(), 404, "{action}");
    }
    assert_eq!(
        listed(&app, &key).await["connectedCalendars"][0]["credentialId"],
        id,
        "Ada's connection is untouched"
    );

    // Ada's forms need their token.
    let bare = ada.post(&format!("{PAGE}/{id}/disconnect"), &[]).await;
    assert_eq!(bare.status(), 403);

    let checked = ada.submit(PAGE, &format!("{PAGE}/{id}/check"), &[]).await;
    assert_eq!(location(&checked), format!("{PAGE}?done=checked"));
    let gone = ada
        .submit(PAGE, &format!("{PAGE}/{id}/disconnect"), &[])
        .await;
    assert_eq!(gone.status(), 303);
    assert_eq!(listed(&app, &key).await["connectedCalendars"], json!([]));
    let again = ada.submit(PAGE, &format!("{PAGE}/{id}/check"), &[]).await;
    assert_eq!(again.status(), 404, "a disconnected feed is gone");
}

/// In Chromium: the page free of serious axe-core findings before and after connecting Google
/// with its button (the whole round trip in the browser), and a calendar made to block with
/// its checkbox.
#[tokio::test]
async fn in_the_browser_google_is_connected_and_a_calendar_chosen_to_block() {
    use crate::browser::{Driver, ONE_AT_A_TIME, screenshot, wait_for};
    use crate::console_browser::{axe_violations, sign_in};

    let _turn = ONE_AT_A_TIME.lock().await;
    let fake = FakeGoogle::start().await;
    fake.add_calendar("ada@example.com", "Ada", true, "owner", "Europe/Berlin");
    fake.add_calendar("family@example.com", "Family", false, "writer", "UTC");
    let app = app_with_google(&fake).await;
    person(&app, "ada@example.com").await;
    let (_, key) = new_key(&app.db, "ada@example.com").await;
    let mut driver = Driver::start("Europe/Berlin").await;
    let browser = driver.browser(1280, 900).await;
    sign_in(&browser, &app, "ada@example.com").await;

    browser
        .goto(&format!("{}{PAGE}", app.address))
        .await
        .unwrap();
    wait_for(&browser, "#offer-google button")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&browser, "p.notice").await;
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "calendars page"
    );
    screenshot(&browser, "console-calendars").await;

    wait_for(&browser, "input[name=blocking][value='family@example.com']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&browser, "form[action$='/blocking'] button")
        .await
        .click()
        .await
        .unwrap();
    eventually(
        "the choice to be saved",
        Duration::from_secs(10),
        async || {
            let url = browser.current_url().await.unwrap();
            url.as_str().ends_with("?done=saved").then_some(())
        },
    )
    .await;
    let list = listed(&app, &key).await;
    let family = &list["connectedCalendars"][0]["calendars"][1];
    assert_eq!(family["externalId"], "family@example.com");
    assert_eq!(family["isSelected"], true, "{list}");
    browser.close().await.unwrap();
}
