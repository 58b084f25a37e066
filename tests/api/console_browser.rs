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

/// A team of Ada (owner) and Bob (member), made through the API; returns the team's id and
/// Ada's key.
async fn team_of_two(app: &crate::helpers::TestApp) -> (i64, String) {
    use crate::helpers::{data, new_key};
    use reqwest::Method as M;
    person(app, "ada@example.com").await;
    let bob = person(app, "bob@example.com").await.id;
    let (_, ada_key) = new_key(&app.db, "ada@example.com").await;
    let (_, bob_key) = new_key(&app.db, "bob@example.com").await;
    let made = app
        .call(
            M::POST,
            "/v2/teams",
            Some(&ada_key),
            Some(serde_json::json!({"name": "Crew"})),
        )
        .await;
    let team = data(made, 201).await["id"].as_i64().unwrap();
    let path = format!("/v2/teams/{team}/memberships");
    let body = serde_json::json!({"userId": bob});
    let invited = app.call(M::POST, &path, Some(&ada_key), Some(body)).await;
    let membership = data(invited, 201).await["id"].as_i64().unwrap();
    let accept = serde_json::json!({"accepted": true});
    let path = format!("{path}/{membership}");
    let accepted = app
        .call(M::PATCH, &path, Some(&bob_key), Some(accept))
        .await;
    data(accepted, 200).await;
    (team, ada_key)
}

async fn team_name(app: &crate::helpers::TestApp, team: i64, key: &str) -> String {
    let path = format!("/v2/teams/{team}");
    let answer = app.call(reqwest::Method::GET, &path, Some(key), None).await;
    let team = crate::helpers::data(answer, 200).await;
    team["name"].as_str().unwrap().to_owned()
}

/// Posts the team settings form from the page's script, as a crafted page would: with the
/// page's own token when `with_token`, without any otherwise.
async fn post_settings(browser: &Client, team: i64, with_token: bool) {
    browser
        .execute(
            "const [team, withToken] = arguments;
             const form = document.createElement('form');
             form.method = 'post';
             form.action = '/teams/' + team;
             const field = (name, value) => {
               const input = document.createElement('input');
               input.type = 'hidden'; input.name = name; input.value = value;
               form.appendChild(input);
             };
             field('name', 'Taken over'); field('slug', 'taken-over');
             if (withToken) field('_csrf', document.querySelector('input[name=_csrf]').value);
             document.body.appendChild(form);
             form.submit();",
            vec![serde_json::json!(team), serde_json::json!(with_token)],
        )
        .await
        .unwrap();
}

/// Waits for the page (after a form's navigation) to say `text`.
async fn shows(browser: &Client, text: &str) {
    crate::helpers::eventually(text, std::time::Duration::from_secs(10), async || {
        let body = wait_for(browser, "body")
            .await
            .text()
            .await
            .unwrap_or_default();
        if body.contains(text) {
            Ok(())
        } else {
            Err(body)
        }
    })
    .await;
}

/// In Chromium: a member reads the team page without its forms and is refused when posting
/// its settings anyway; the owner's own form without its token is refused, with it accepted.
#[tokio::test]
async fn in_chromium_a_member_and_a_form_without_its_token_are_refused() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let (team, key) = team_of_two(&app).await;
    let mut driver = Driver::start("Europe/Berlin").await;
    let page = format!("{}/teams/{team}", app.address);

    let bob = driver.browser(1280, 900).await;
    sign_in(&bob, &app, "bob@example.com").await;
    bob.goto(&page).await.unwrap();
    wait_for(&bob, "#members").await;
    let forms = bob
        .find_all(fantoccini::Locator::Css(&format!(
            "form[action='/teams/{team}']"
        )))
        .await
        .unwrap();
    assert!(forms.is_empty(), "a member gets no settings form");
    post_settings(&bob, team, true).await;
    shows(&bob, &format!("Only admins and owners of team {team}")).await;
    assert_eq!(axe_violations(&bob).await, Vec::<String>::new(), "refusal");
    bob.close().await.unwrap();
    assert_eq!(team_name(&app, team, &key).await, "Crew");

    let ada = driver.browser(1280, 900).await;
    sign_in(&ada, &app, "ada@example.com").await;
    ada.goto(&page).await.unwrap();
    wait_for(&ada, &format!("form[action='/teams/{team}']")).await;
    post_settings(&ada, team, false).await;
    shows(&ada, "This form has expired").await;
    assert_eq!(team_name(&app, team, &key).await, "Crew");
    ada.goto(&page).await.unwrap();
    wait_for(&ada, &format!("form[action='/teams/{team}']")).await;
    post_settings(&ada, team, true).await;
    crate::helpers::eventually(
        "the owner's form with its token to be saved",
        std::time::Duration::from_secs(10),
        async || match team_name(&app, team, &key).await.as_str() {
            "Taken over" => Ok(()),
            other => Err(other.to_owned()),
        },
    )
    .await;
    ada.close().await.unwrap();
}
