//! The booking pages in a real browser: Debian's Chromium, headless, driven through chromedriver
//! (WebDriver) with fantoccini. One browser test runs at a time. Screenshots go to
//! `target/tmp/screenshots/` (`CARGO_TARGET_TMPDIR`).
//!
//! These tests need `chromium` and `chromium-driver` (`apt-get install -y chromium
//! chromium-driver`; `.ci/run` installs them). Without them they fail and say so: a browser test
//! that did not run is not a pass.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::Method as M;
use serde_json::{Value, json};

use crate::helpers::{TestApp, data, eventually, spawn_app};
use crate::pages::{booked, host_with_event};

/// One browser test at a time: chromium is heavy on two cores.
pub(crate) static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A chromedriver process and the browser sessions opened through it.
pub(crate) struct Driver {
    process: Child,
    url: String,
    _profiles: Vec<tempfile::TempDir>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Driver {
    /// Starts chromedriver; the browser it starts sees `zone` as its local time zone.
    pub(crate) async fn start(zone: &str) -> Self {
        for (path, package) in [(CHROMEDRIVER, "chromium-driver"), (CHROMIUM, "chromium")] {
            assert!(
                std::path::Path::new(path).exists(),
                "browser tests need {path}: apt-get install -y {package} (.ci/run does this)"
            );
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .env("TZ", zone)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let driver = Self {
            process,
            url,
            _profiles: Vec::new(),
        };
        // Ready means chromedriver says so on /status, not merely that its port is open.
        let client = reqwest::Client::new();
        let status = format!("{}/status", driver.url);
        eventually(
            "chromedriver to be ready",
            Duration::from_secs(20),
            async || {
                let Ok(response) = client.get(&status).send().await else {
                    return false;
                };
                let answer = response.json::<Value>().await.unwrap_or_default();
                answer["value"]["ready"] == true
            },
        )
        .await;
        driver
    }

    /// A fresh browser window of `width` × `height` CSS pixels.
    pub(crate) async fn browser(&mut self, width: u32, height: u32) -> Client {
        let profile = tempfile::tempdir().unwrap();
        let mut options = json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--lang=en-US",
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", profile.path().display()),
            ],
            "prefs": {"intl.accept_languages": "en-US,en"},
        });
        if width < 500 {
            // Desktop windows cannot be this narrow; a phone's viewport can.
            options["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}});
        }
        self._profiles.push(profile);
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        // The console, where a Content-Security-Policy violation is reported (see `console`).
        capabilities.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a browser session")
    }
}

fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
}

pub(crate) async fn wait_for(browser: &Client, css: &str) -> Element {
    browser
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no `{css}` on the page: {e}"))
}

pub(crate) async fn text_of(browser: &Client, css: &str) -> String {
    wait_for(browser, css).await.text().await.unwrap()
}

pub(crate) async fn fill(browser: &Client, css: &str, value: &str) {
    let input = wait_for(browser, css).await;
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

/// A day three weeks ahead, as `YYYY-MM-DD`, and its month.
fn ahead(days: i64) -> (String, String) {
    let date = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    (date.to_string(), date.format("%Y-%m").to_string())
}

async fn bookings(app: &TestApp, key: &str) -> Vec<Value> {
    data(
        app.call(M::GET, "/v2/bookings?take=100", Some(key), None)
            .await,
        200,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

#[tokio::test]
async fn a_visitor_books_in_their_own_zone_and_gets_the_invite() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let (key, _) = host_with_event(
        &app,
        json!({"bookingFields": [{"type": "select", "slug": "topic", "label": "Topic",
            "required": true, "options": ["Sales", "Support"]}]}),
    )
    .await;
    let mut driver = Driver::start("America/Los_Angeles").await;
    let browser = driver.browser(1280, 900).await;
    let (date, month) = ahead(20);

    // No `tz` in the link: the page adopts the browser's zone.
    browser
        .goto(&format!(
            "{}/ada/intro?month={month}&date={date}",
            app.address
        ))
        .await
        .unwrap();
    wait_for(&browser, ".slot").await;
    let url = browser.current_url().await.unwrap();
    assert!(
        url.query_pairs()
            .any(|(k, v)| k == "tz" && v == "America/Los_Angeles"),
        "{url}"
    );
    assert_eq!(
        wait_for(&browser, "#tz")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("America/Los_Angeles")
    );
    screenshot(&browser, "booker").await;

    // 10:00 in Los Angeles.
    let mut chosen = None;
    for s in browser.find_all(Locator::Css(".slot")).await.unwrap() {
        if s.text().await.unwrap() == "10:00am" {
            chosen = Some(s);
            break;
        }
    }
    let chosen = chosen.expect("10:00am on a 12-hour clock, as an en-US browser reads time");
    let iso = chosen.attr("data-slot").await.unwrap().unwrap();
    chosen.click().await.unwrap();
    wait_for(&browser, "#booking-form").await;
    screenshot(&browser, "form").await;

    // A required question left empty is reported next to it; typed values stay.
    fill(&browser, "#field-name", "Grace Hopper").await;
    fill(&browser, "#field-email", "grace@example.com").await;
    wait_for(&browser, "#confirm").await.click().await.unwrap();
    let error = text_of(&browser, "#field-topic-error").await;
    assert!(error.contains("required"), "{error}");
    assert_eq!(
        wait_for(&browser, "#field-name")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Grace Hopper")
    );
    screenshot(&browser, "form-errors").await;
    let topic = wait_for(&browser, "#field-topic").await;
    topic.select_by_value("Support").await.unwrap();
    wait_for(&browser, "#confirm").await.click().await.unwrap();

    wait_for(&browser, "#booking[data-state='scheduled']").await;
    let when = text_of(&browser, "#when").await;
    assert!(
        when.contains("10:00am") && when.contains("America/Los_Angeles"),
        "{when}"
    );
    screenshot(&browser, "confirmation").await;

    // The .ics the page links to.
    let href = wait_for(&browser, "#ics-link")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let ics = app
        .get(&href)
        .await
        .text()
        .await
        .unwrap()
        .replace("\r\n ", "");
    let start = chrono::DateTime::parse_from_rfc3339(&iso).unwrap();
    assert!(
        ics.contains(&format!("DTSTART:{}", start.format("%Y%m%dT%H%M%SZ"))),
        "{ics}"
    );
    assert!(ics.contains("ATTENDEE;CN=\"Grace Hopper\"") && ics.contains("STATUS:CONFIRMED"));

    let all = bookings(&app, &key).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["attendees"][0]["timeZone"], "America/Los_Angeles");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn changing_the_time_zone_moves_every_time_shown() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    host_with_event(&app, json!({})).await;
    let mut driver = Driver::start("UTC").await;
    let browser = driver.browser(1280, 900).await;
    let (date, month) = ahead(21);
    browser
        .goto(&format!(
            "{}/ada/intro?tz=UTC&hour=24&month={month}&date={date}",
            app.address
        ))
        .await
        .unwrap();
    let noon = format!("{date}T12:00:00Z");
    let css = format!(".slot[data-slot='{noon}']");
    assert_eq!(text_of(&browser, &css).await, "12:00");

    // Typing a zone from the searchable list applies it.
    fill(&browser, "#tz", "Asia/Tokyo").await;
    wait_for(&browser, "#tz")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#tz[value='Asia/Tokyo']"))
        .await
        .unwrap();
    // Noon UTC is 21:00 in Tokyo, on the same date; the page still shows that date.
    assert_eq!(text_of(&browser, &css).await, "21:00");
    let first = text_of(&browser, ".slot").await;
    assert_eq!(first, "00:00", "a Tokyo day starts at its own midnight");

    // The 12-hour clock.
    wait_for(&browser, "#hour-12").await.click().await.unwrap();
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#hour-12[aria-current]"))
        .await
        .unwrap();
    assert_eq!(text_of(&browser, &css).await, "9:00pm");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn two_visitors_race_for_one_slot_and_one_is_told() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let (key, _) = host_with_event(&app, json!({})).await;
    let mut driver = Driver::start("UTC").await;
    let first = driver.browser(1280, 900).await;
    let second = driver.browser(1280, 900).await;
    let (date, month) = ahead(22);
    let slot = format!("{date}T09:00:00Z");
    let step = format!(
        "{}/ada/intro?tz=UTC&month={month}&date={date}&slot={slot}",
        app.address
    );
    for (browser, name) in [(&first, "First Visitor"), (&second, "Second Visitor")] {
        browser.goto(&step).await.unwrap();
        fill(browser, "#field-name", name).await;
        fill(
            browser,
            "#field-email",
            &format!(
                "{}@example.com",
                name.split(' ').next().unwrap().to_lowercase()
            ),
        )
        .await;
    }
    wait_for(&first, "#confirm").await.click().await.unwrap();
    wait_for(&first, "#booking[data-state='scheduled']").await;
    wait_for(&second, "#confirm").await.click().await.unwrap();
    let notice = text_of(&second, "#notice").await;
    assert!(notice.contains("just booked by someone else"), "{notice}");
    assert!(
        second
            .find_all(Locator::Css(&format!(".slot[data-slot='{slot}']")))
            .await
            .unwrap()
            .is_empty(),
        "the taken time is no longer offered"
    );
    screenshot(&second, "slot-taken").await;
    let all = bookings(&app, &key).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["attendees"][0]["name"], "First Visitor");
    first.close().await.unwrap();
    second.close().await.unwrap();
}

#[tokio::test]
async fn a_booker_reschedules_and_cancels_by_link_on_a_phone() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let (key, event) = host_with_event(&app, json!({})).await;
    let (date, _) = ahead(23);
    let uid = booked(&app, event, &format!("{date}T11:00:00Z"), "Europe/Paris").await;
    let mut driver = Driver::start("Europe/Paris").await;
    let browser = driver.browser(360, 740).await;

    browser
        .goto(&format!("{}/booking/{uid}", app.address))
        .await
        .unwrap();
    wait_for(&browser, "#reschedule-link")
        .await
        .click()
        .await
        .unwrap();
    let paris = |at: &str| {
        let utc = chrono::DateTime::parse_from_rfc3339(at).unwrap();
        let local = utc.with_timezone(&chrono_tz::Europe::Paris);
        local.format("%-I:%M%P").to_string()
    };
    let former = text_of(&browser, ".former").await;
    let old_local = paris(&format!("{date}T11:00:00Z"));
    assert!(
        former.contains(&old_local),
        "{old_local} in Paris: {former}"
    );
    screenshot(&browser, "reschedule-phone").await;
    let later = format!("{date}T15:00:00Z");
    wait_for(&browser, &format!(".slot[data-slot='{later}']"))
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(
        wait_for(&browser, "#field-email")
            .await
            .attr("readonly")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    fill(&browser, "#field-rescheduleReason", "A clash").await;
    wait_for(&browser, "#confirm").await.click().await.unwrap();
    wait_for(&browser, "#booking[data-state='scheduled']").await;
    let when = text_of(&browser, "#when").await;
    assert!(when.contains(&paris(&later)), "{when}");
    let new_uid = browser
        .current_url()
        .await
        .unwrap()
        .path()
        .trim_start_matches("/booking/")
        .to_owned();
    assert_ne!(new_uid, uid);

    wait_for(&browser, "#cancel-link")
        .await
        .click()
        .await
        .unwrap();
    fill(&browser, "#reason-input", "Plans changed").await;
    screenshot(&browser, "cancel-phone").await;
    wait_for(&browser, "#cancel-confirm")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&browser, "#booking[data-state='cancelled']").await;
    assert!(text_of(&browser, "#reason").await.contains("Plans changed"));
    assert!(
        browser
            .find_all(Locator::Css("#reschedule-link"))
            .await
            .unwrap()
            .is_empty()
    );
    browser
        .goto(&format!("{}/reschedule/{new_uid}", app.address))
        .await
        .unwrap();
    assert!(
        text_of(&browser, "main")
            .await
            .contains("cannot be rescheduled")
    );

    let all = bookings(&app, &key).await;
    assert!(all.iter().all(|b| b["status"] == "cancelled"), "{all:?}");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn an_inline_embed_reports_the_booking_to_the_host_page() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let (key, _) = host_with_event(&app, json!({})).await;
    let mut driver = Driver::start("UTC").await;
    let browser = driver.browser(1280, 1000).await;
    browser
        .goto(&format!(
            "{}/static/embed-test.html?calLink=ada/intro",
            app.address
        ))
        .await
        .unwrap();
    wait_for(&browser, "#embed-events li[data-type='__iframeReady']").await;
    let frame = wait_for(&browser, "#inline-embed iframe").await;
    frame.enter_frame().await.unwrap();
    wait_for(&browser, ".day.free").await.click().await.unwrap();
    wait_for(&browser, ".slot").await.click().await.unwrap();
    fill(&browser, "#field-name", "Grace Hopper").await;
    fill(&browser, "#field-email", "grace@example.com").await;
    wait_for(&browser, "#confirm").await.click().await.unwrap();
    wait_for(&browser, "#booking[data-state='scheduled']").await;
    browser.enter_parent_frame().await.unwrap();
    wait_for(&browser, "#embed-events li[data-type='bookingSuccessful']").await;
    wait_for(
        &browser,
        "#embed-events li[data-type='bookingSuccessfulV2']",
    )
    .await;
    screenshot(&browser, "embed").await;
    let all = bookings(&app, &key).await;
    assert_eq!(all.len(), 1);
    browser.close().await.unwrap();
}

/// Types `keys` on the keyboard, into whatever has focus (special keys as [`Key`] characters).
pub(crate) async fn press(browser: &Client, keys: &str) {
    let mut actions = KeyActions::new("keyboard".into());
    for c in keys.chars() {
        actions = actions
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c });
    }
    browser.perform_actions(actions).await.unwrap();
}

pub(crate) async fn focused(browser: &Client, attribute: &str) -> Option<String> {
    browser
        .active_element()
        .await
        .unwrap()
        .attr(attribute)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_keyboard_alone_books_a_meeting() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let (key, _) = host_with_event(&app, json!({})).await;
    let mut driver = Driver::start("UTC").await;
    let browser = driver.browser(1280, 900).await;
    let (date, month) = ahead(24);
    browser
        .goto(&format!(
            "{}/ada/intro?tz=UTC&month={month}&date={date}",
            app.address
        ))
        .await
        .unwrap();
    wait_for(&browser, ".slot").await;
    let tab = Key::Tab.to_string();
    // Tab until a time has focus.
    let mut reached = false;
    for _ in 0..80 {
        press(&browser, &tab).await;
        if focused(&browser, "class").await.as_deref() == Some("slot") {
            reached = true;
            break;
        }
    }
    assert!(reached, "Tab reaches the times");
    // Arrow keys move between times; Enter picks one.
    let before = focused(&browser, "data-slot").await;
    press(&browser, &Key::Down.to_string()).await;
    let after = focused(&browser, "data-slot").await;
    assert!(
        after.is_some() && after != before,
        "{before:?} then {after:?}"
    );
    press(&browser, &Key::Enter.to_string()).await;
    wait_for(&browser, "#booking-form").await;

    // The form: Tab to each field and type; Enter sends it.
    let mut typed = 0;
    for _ in 0..30 {
        press(&browser, &tab).await;
        match focused(&browser, "id").await.as_deref() {
            Some("field-name") => {
                press(&browser, "Grace Hopper").await;
                typed += 1;
            }
            Some("field-email") => {
                press(&browser, &format!("grace@example.com{}", Key::Enter)).await;
                typed += 1;
                break;
            }
            _ => {}
        }
    }
    assert_eq!(typed, 2, "Tab reaches the name and email fields");
    wait_for(&browser, "#booking[data-state='scheduled']").await;
    let all = bookings(&app, &key).await;
    assert_eq!(all.len(), 1);
    assert_eq!(
        all[0]["start"],
        format!("{}.000Z", after.unwrap().trim_end_matches('Z'))
    );
    browser.close().await.unwrap();
}

/// The browser's console messages since the last call, from chromedriver's log endpoint.
pub(crate) async fn console(driver: &Driver, browser: &Client) -> Vec<String> {
    let session = browser.session_id().await.unwrap().expect("a session");
    let log: Value = reqwest::Client::new()
        .post(format!("{}/session/{session}/se/log", driver.url))
        .json(&json!({"type": "browser"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    log["value"]
        .as_array()
        .unwrap_or_else(|| panic!("no browser log: {log}"))
        .iter()
        .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

pub(crate) fn violations(messages: &[String]) -> Vec<&String> {
    messages
        .iter()
        .filter(|m| m.contains("Content Security Policy"))
        .collect()
}

#[tokio::test]
async fn pages_and_embeds_work_under_their_content_security_policy() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    host_with_event(&app, json!({})).await;
    let mut driver = Driver::start("Asia/Tokyo").await;
    let browser = driver.browser(1280, 1000).await;

    // The host page and the booker in its iframe: their scripts talk to each other.
    browser
        .goto(&format!(
            "{}/static/embed-test.html?calLink=ada/intro",
            app.address
        ))
        .await
        .unwrap();
    wait_for(&browser, "#embed-events li[data-type='__iframeReady']").await;
    wait_for(&browser, "#embed-events li[data-type='__dimensionChanged']").await;
    // The booker alone: booker.js adopts the browser's zone.
    let (date, month) = ahead(20);
    browser
        .goto(&format!(
            "{}/ada/intro?month={month}&date={date}",
            app.address
        ))
        .await
        .unwrap();
    wait_for(&browser, ".slot").await;
    let url = browser.current_url().await.unwrap();
    assert!(
        url.query_pairs()
            .any(|(k, v)| k == "tz" && v == "Asia/Tokyo"),
        "booker.js ran: {url}"
    );
    let seen = console(&driver, &browser).await;
    assert!(violations(&seen).is_empty(), "{seen:#?}");

    // A violation would show: an inline script is refused, and the console says why.
    let ran = browser
        .execute(
            "var s = document.createElement('script'); s.textContent = 'window.inlineRan = true';\
             document.head.appendChild(s); return window.inlineRan === true;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(ran, json!(false), "the policy refuses inline script");
    let seen = console(&driver, &browser).await;
    assert!(!violations(&seen).is_empty(), "{seen:#?}");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn the_page_solves_its_proof_of_work_and_books() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let database = crate::helpers::TestDatabase::new().await;
    let mut config = database.config();
    config.booking_proof_of_work = 100_000;
    let app = crate::helpers::spawn_app_with(config, database).await;
    let (key, _) = host_with_event(&app, json!({})).await;
    let mut driver = Driver::start("UTC").await;
    let browser = driver.browser(1280, 900).await;
    let (date, month) = ahead(23);
    let slot = format!("{date}T09:00:00Z");
    let step = format!(
        "{}/ada/intro?tz=UTC&month={month}&date={date}&slot={slot}",
        app.address
    );
    browser.goto(&step).await.unwrap();
    fill(&browser, "#field-name", "Ada Visitor").await;
    fill(&browser, "#field-email", "visitor@example.com").await;
    wait_for(&browser, "#confirm").await.click().await.unwrap();
    // The script searches, fills in the hidden answer and submits; the server checks it.
    wait_for(&browser, "#booking[data-state='scheduled']").await;
    let all = bookings(&app, &key).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["attendees"][0]["name"], "Ada Visitor");
    browser.close().await.unwrap();
}
