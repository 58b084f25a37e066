use chrono::{TimeDelta, Utc};
use kairos::accounts;

use crate::helpers::{assert_error, create_user, new_key, spawn_app};

#[tokio::test]
async fn me_requires_an_api_key() {
    let app = spawn_app().await;
    let message = assert_error(app.get("/v2/me").await, 401, "UnauthorizedException").await;
    assert!(message.contains("Authorization: Bearer"), "{message}");

    let wrong = app.get_with_key("/v2/me", "cal_live_not-a-real-key").await;
    assert_error(wrong, 401, "UnauthorizedException").await;
}

#[tokio::test]
async fn me_returns_the_key_owners_profile_and_default_schedule() {
    let app = spawn_app().await;
    let ada = create_user(&app.db, "Ada@Example.com", "Europe/Berlin").await;
    let (_, key) = new_key(&app.db, "ada@example.com").await;

    let response = app.get_with_key("/v2/me", &key).await;
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "success");
    let data = &body["data"];
    assert_eq!(data["id"], ada.id);
    assert_eq!(data["email"], "ada@example.com");
    assert_eq!(data["username"], "ada");
    assert_eq!(data["timeZone"], "Europe/Berlin");
    assert!(data["defaultScheduleId"].as_i64().is_some(), "{data}");
}

#[tokio::test]
async fn a_key_only_ever_sees_its_own_user() {
    let app = spawn_app().await;
    let ada = create_user(&app.db, "ada@example.com", "Europe/Berlin").await;
    let bob = create_user(&app.db, "bob@example.com", "America/New_York").await;
    let (_, ada_key) = new_key(&app.db, "ada@example.com").await;
    let (_, bob_key) = new_key(&app.db, "bob@example.com").await;

    let ada_me: serde_json::Value = app
        .get_with_key("/v2/me", &ada_key)
        .await
        .json()
        .await
        .unwrap();
    let bob_me: serde_json::Value = app
        .get_with_key("/v2/me", &bob_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ada_me["data"]["id"], ada.id);
    assert_eq!(bob_me["data"]["id"], bob.id);
    assert_ne!(
        ada_me["data"]["defaultScheduleId"],
        bob_me["data"]["defaultScheduleId"]
    );
}

#[tokio::test]
async fn revoked_and_expired_keys_are_refused() {
    let app = spawn_app().await;
    let ada = create_user(&app.db, "ada@example.com", "UTC").await.id;
    let (id, key) = new_key(&app.db, "ada@example.com").await;
    assert_eq!(
        app.get_with_key("/v2/me", &key).await.status().as_u16(),
        200
    );

    accounts::revoke_api_key(&app.db, ada, id).await.unwrap();
    assert_error(
        app.get_with_key("/v2/me", &key).await,
        401,
        "UnauthorizedException",
    )
    .await;
    // Revoking twice says there is no such live key.
    assert!(accounts::revoke_api_key(&app.db, ada, id).await.is_err());

    let expired_at = Utc::now() - TimeDelta::minutes(1);
    let (_, expired) = accounts::create_api_key(&app.db, ada, "old", Some(expired_at))
        .await
        .unwrap();
    assert_error(
        app.get_with_key("/v2/me", expired.expose()).await,
        401,
        "UnauthorizedException",
    )
    .await;
}

#[tokio::test]
async fn only_a_hash_of_the_key_is_stored() {
    let app = spawn_app().await;
    create_user(&app.db, "ada@example.com", "UTC").await;
    let (_, key) = new_key(&app.db, "ada@example.com").await;
    let secret_part = &key["cal_live_".len() + 4..];
    let plain = format!(
        "SELECT id FROM api_keys WHERE key_hash LIKE '%{secret_part}%' \
         OR prefix LIKE '%{secret_part}%' OR name LIKE '%{secret_part}%'"
    );
    assert_eq!(app.db.count_rows(&plain).await.unwrap(), 0);
    let hashed = format!(
        "SELECT id FROM api_keys WHERE key_hash = '{}'",
        kairos::auth::hash_api_key(&key)
    );
    assert_eq!(app.db.count_rows(&hashed).await.unwrap(), 1);
}

#[tokio::test]
async fn patch_me_changes_only_the_named_fields_and_validates_them() {
    use reqwest::Method;
    use serde_json::json;
    let app = spawn_app().await;
    let key = crate::helpers::user_with_key(&app, "ada@example.com", "Europe/Berlin").await;
    crate::helpers::user_with_key(&app, "bob@example.com", "UTC").await;
    let changed = crate::helpers::data(
        app.call(
            Method::PATCH,
            "/v2/me",
            Some(&key),
            Some(json!({"timeZone": "Asia/Tokyo", "timeFormat": 12, "weekStart": "Sunday"})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(changed["timeZone"], "Asia/Tokyo");
    assert_eq!(changed["timeFormat"], 12);
    assert_eq!(changed["weekStart"], "Sunday");
    assert_eq!(changed["email"], "ada@example.com");
    for (body, field, status) in [
        (json!({"timeZone": "Asia/Atlantis"}), "timeZone", 400),
        (json!({"timeFormat": 13}), "timeFormat", 400),
        (json!({"email": "nope"}), "email", 400),
        (json!({"brandColor": "blue"}), "brandColor", 400),
        (json!({"email": "bob@example.com"}), "email", 409),
        (json!({"username": "Not Valid"}), "username", 400),
        (json!({"username": "settings"}), "username", 400),
        // The paths of private links (`/d/{link}/{slug}`) and routing forms (`/forms/{id}`).
        (json!({"username": "d"}), "username", 400),
        (json!({"username": "forms"}), "username", 400),
        (json!({"username": "bob"}), "username", 409),
    ] {
        let code = if status == 400 {
            "BadRequestException"
        } else {
            "ConflictException"
        };
        let message = assert_error(
            app.call(Method::PATCH, "/v2/me", Some(&key), Some(body))
                .await,
            status,
            code,
        )
        .await;
        assert!(message.starts_with(field), "{message}");
    }
    let again =
        crate::helpers::data(app.call(Method::GET, "/v2/me", Some(&key), None).await, 200).await;
    assert_eq!(again["timeZone"], "Asia/Tokyo");
    assert_eq!(again["email"], "ada@example.com");
    assert_eq!(again["username"], "ada");
    let renamed = crate::helpers::data(
        app.call(
            Method::PATCH,
            "/v2/me",
            Some(&key),
            Some(json!({"username": "ada.l"})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(renamed["username"], "ada.l");
    assert_eq!(
        app.get("/ada.l").await.status().as_u16(),
        200,
        "the new page"
    );
}
