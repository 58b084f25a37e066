//! The console in Chromium: sign-in with the keyboard alone, and every page checked by
//! axe-core (npm `axe-core`, installed by `.ci/run` with `npm ci`; without it these tests fail
//! and say so). Shares the browser harness of `browser.rs`.

use fantoccini::Client;
use fantoccini::key::Key;
use serde_json::Value;

use crate::browser::{Driver, ONE_AT_A_TIME, focused, press, screenshot, wait_for};
use crate::console::{PASSWORD, person};
use crate::helpers::spawn_app;

fn axe_source() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/node_modules/axe-core/axe.min.js"
    );
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}; run `npm ci` in the repository (.ci/run does)"))
}

/// The serious and critical WCAG 2 A/AA violations axe-core finds on the current page, as
/// `rule: selectors` lines. Scripts run through WebDriver are not subject to the page's CSP.
pub(crate) async fn axe_violations(browser: &Client) -> Vec<String> {
    browser
        .execute(&axe_source(), vec![])
        .await
        .expect("axe-core loads");
    let found: Value = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})
               .then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe-core runs");
    found
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Signs `email` (with [`PASSWORD`]) in through the sign-in form; waits for the console.
pub(crate) async fn sign_in(browser: &Client, app: &crate::helpers::TestApp, email: &str) {
    browser
        .goto(&format!("{}/auth/login", app.address))
        .await
        .unwrap();
    crate::browser::fill(browser, "#email", email).await;
    crate::browser::fill(browser, "#password", PASSWORD).await;
    wait_for(browser, "form.auth-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(browser, ".console-nav").await;
}

#[tokio::test]
async fn a_host_signs_in_with_the_keyboard_alone_on_accessible_pages() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    let mut driver = Driver::start("Europe/Berlin").await;
    let browser = driver.browser(1280, 900).await;

    browser
        .goto(&format!("{}/event-types", app.address))
        .await
        .unwrap();
    wait_for(&browser, "form.auth-form").await;
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "sign-in page"
    );
    screenshot(&browser, "console-sign-in").await;
    // The email field has the focus; Tab to the password, Enter submits.
    assert_eq!(focused(&browser, "id").await.as_deref(), Some("email"));
    press(&browser, "ada@example.com").await;
    press(&browser, &Key::Tab.to_string()).await;
    assert_eq!(focused(&browser, "id").await.as_deref(), Some("password"));
    press(&browser, PASSWORD).await;
    press(&browser, &Key::Enter.to_string()).await;

    wait_for(&browser, ".console-nav a[aria-current='page']").await;
    let url = browser.current_url().await.unwrap();
    assert_eq!(url.path(), "/event-types");
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "event types"
    );
    screenshot(&browser, "console-event-types").await;

    // The first Tab reaches the skip link, which moves the focus to the content.
    press(&browser, &Key::Tab.to_string()).await;
    assert_eq!(
        focused(&browser, "class").await.as_deref(),
        Some("skip-link")
    );
    press(&browser, &Key::Enter.to_string()).await;
    assert_eq!(focused(&browser, "id").await.as_deref(), Some("main"));
    browser.close().await.unwrap();
}
