//! Browser code on other sites calls the API: preflights answered, answers marked for allowed
//! origins (`KAIROS_CORS_ORIGINS`), never with credentials; pages untouched. One test drives
//! Chromium, whose fetch from another origin is the client that decides.

use reqwest::Method as M;
use serde_json::Value;

use crate::browser::{Driver, ONE_AT_A_TIME};
use crate::helpers::{
    TestApp, TestDatabase, assert_error, spawn_app, spawn_app_with, user_with_key,
};

async fn preflight(app: &TestApp, path: &str, origin: &str) -> reqwest::Response {
    app.client
        .request(M::OPTIONS, format!("{}{path}", app.address))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, cal-api-version, content-type",
        )
        .send()
        .await
        .unwrap()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn any_origin_may_call_the_api_by_default_without_credentials() {
    let app = spawn_app().await;
    let key = user_with_key(&app, "ada@example.com", "UTC").await;

    let answer = preflight(&app, "/v2/bookings", "https://widget.example.org").await;
    assert_eq!(answer.status(), 204);
    assert_eq!(header(&answer, "access-control-allow-origin"), Some("*"));
    let allowed = header(&answer, "access-control-allow-headers").unwrap();
    for name in ["Authorization", "cal-api-version", "Content-Type"] {
        assert!(allowed.contains(name), "{name} in {allowed}");
    }
    assert!(
        header(&answer, "access-control-allow-methods")
            .unwrap()
            .contains("PATCH")
    );
    assert_eq!(header(&answer, "access-control-allow-credentials"), None);

    let me = app
        .client
        .get(format!("{}/v2/me", app.address))
        .bearer_auth(&key)
        .header("Origin", "https://widget.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(header(&me, "access-control-allow-origin"), Some("*"));
    assert!(
        header(&me, "access-control-expose-headers")
            .unwrap()
            .contains("Retry-After")
    );
    assert_eq!(header(&me, "access-control-allow-credentials"), None);

    // Errors are readable too, and pages are not the API's business.
    let missing = app
        .client
        .get(format!("{}/v2/bookings/nope", app.address))
        .bearer_auth(&key)
        .header("Origin", "https://widget.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&missing, "access-control-allow-origin"), Some("*"));
    assert_error(missing, 404, "NotFoundException").await;
    let page = app
        .client
        .get(format!("{}/auth/login", app.address))
        .header("Origin", "https://widget.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&page, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn only_listed_origins_may_call_when_a_list_is_configured() {
    let database = TestDatabase::new().await;
    let mut config = database.config();
    config.cors_origins = "https://app.example.com, http://localhost:8080".into();
    let app = spawn_app_with(config, database).await;
    let key = user_with_key(&app, "ada@example.com", "UTC").await;

    let listed = preflight(&app, "/v2/me", "https://app.example.com").await;
    assert_eq!(listed.status(), 204);
    assert_eq!(
        header(&listed, "access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(header(&listed, "vary"), Some("Origin"));

    let other = preflight(&app, "/v2/me", "https://evil.example.net").await;
    assert_eq!(header(&other, "access-control-allow-origin"), None);
    let message = assert_error(other, 403, "ForbiddenException").await;
    assert!(message.contains("KAIROS_CORS_ORIGINS"), "{message}");

    // The answer itself is served (the key decides), but the browser may not read it.
    let read = app
        .client
        .get(format!("{}/v2/me", app.address))
        .bearer_auth(&key)
        .header("Origin", "https://evil.example.net")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&read, "access-control-allow-origin"), None);
    assert!(header(&read, "vary").unwrap_or_default().contains("Origin"));
}

#[tokio::test]
async fn chromium_on_another_origin_reads_the_api_with_a_key_and_version_header() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let key = user_with_key(&app, "ada@example.com", "UTC").await;
    let mut driver = Driver::start("UTC").await;
    let browser = driver.browser(800, 600).await;
    // `localhost` and `127.0.0.1` are two origins; a JSON answer has no CSP to stop the fetch.
    let other_origin = app.address.replace("127.0.0.1", "localhost");
    browser
        .goto(&format!("{other_origin}/v2/openapi.json"))
        .await
        .unwrap();
    let seen: Value = browser
        .execute_async(
            "const [url, key, done] = arguments;
             fetch(url, {headers: {'Authorization': 'Bearer ' + key,
                                   'cal-api-version': '2024-06-14'}})
               .then(r => r.json().then(b => done({status: r.status, email: b.data.email})))
               .catch(e => done({error: String(e)}));",
            vec![
                Value::String(format!("{}/v2/me", app.address)),
                Value::String(key),
            ],
        )
        .await
        .unwrap();
    assert_eq!(seen["status"], 200, "{seen}");
    assert_eq!(seen["email"], "ada@example.com", "{seen}");
    browser.close().await.unwrap();
}
