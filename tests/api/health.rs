use crate::helpers::{TestDatabase, assert_error, spawn_app, spawn_app_with};

#[tokio::test]
async fn health_is_ok_when_the_database_answers() {
    let app = spawn_app().await;
    let response = app.get("/health").await;
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"]["status"], "ok");
    let backend = if app.database.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"]["backend"], backend);
}

#[tokio::test]
async fn health_is_503_when_the_database_is_unreachable() {
    let database = TestDatabase::new().await;
    let mut config = database.config();
    // Nothing listens on port 1; without start-up migrations the server starts anyway and must
    // report that it is not ready.
    config.database_url = "postgres://kairos@127.0.0.1:1/kairos".into();
    config.auto_migrate = false;
    let app = spawn_app_with(config, database).await;
    let response = app.get("/health").await;
    assert_eq!(response.status().as_u16(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["database"]["status"], "unreachable");
}

#[tokio::test]
async fn unknown_routes_get_the_calcom_error_envelope() {
    let app = spawn_app().await;
    let response = app.get("/v2/no-such-thing").await;
    let message = assert_error(response, 404, "NotFoundException").await;
    assert!(message.contains("/v2/no-such-thing"), "{message}");

    let body: serde_json::Value = app.get("/v2/no-such-thing").await.json().await.unwrap();
    assert_eq!(body["path"], "/v2/no-such-thing");
}

#[tokio::test]
async fn every_response_has_a_distinct_request_id() {
    let app = spawn_app().await;
    let first = app.get("/health").await;
    let second = app.get("/health").await;
    let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(id(&first), id(&second));
    assert_eq!(id(&first).len(), 36);
}

#[tokio::test]
async fn the_home_page_says_kairos_is_running_with_its_stylesheet() {
    let app = spawn_app().await;
    let page = app.get("/").await;
    assert_eq!(page.status().as_u16(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("Kairos is running"), "{html}");
    assert!(
        html.contains(&format!("{}/v2/me", app.address)),
        "the page shows this server's URL"
    );
    let backend = if app.database.is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    assert!(html.contains(backend));

    let css = app.get("/static/kairos.css").await;
    assert_eq!(css.status().as_u16(), 200);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(css.text().await.unwrap().contains("prefers-color-scheme"));
}
