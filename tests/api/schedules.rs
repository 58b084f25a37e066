//! `/v2/schedules`: a Cal.com client's schedule calls, tenant isolation, and validation.

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, data, spawn_app, user_with_key};

async fn user(app: &TestApp, email: &str) -> String {
    user_with_key(app, email, "Europe/Berlin").await
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> reqwest::Response {
    app.call(method, path, Some(key), body).await
}

fn catch_up_hours() -> Value {
    json!({
        "name": "Catch up hours",
        "timeZone": "Europe/Rome",
        "isDefault": false,
        "availability": [{"days": ["Monday", "Tuesday"], "startTime": "17:00", "endTime": "19:00"},
                         {"days": ["Saturday"], "startTime": "09:00", "endTime": "23:59"}],
        "overrides": [{"date": "2030-05-20", "startTime": "18:00", "endTime": "21:00"},
                      {"date": "2030-05-21", "startTime": "00:00", "endTime": "00:00"}]
    })
}

#[tokio::test]
async fn a_calcom_client_manages_its_schedules() {
    let app = spawn_app().await;
    let key = user(&app, "ada@example.com").await;
    use reqwest::Method;

    let created = data(
        call(
            &app,
            Method::POST,
            "/v2/schedules",
            &key,
            Some(catch_up_hours()),
        )
        .await,
        201,
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["name"], "Catch up hours");
    assert_eq!(created["timeZone"], "Europe/Rome");
    assert_eq!(
        created["isDefault"], false,
        "the user already has a default"
    );
    assert_eq!(created["availability"], catch_up_hours()["availability"]);
    assert_eq!(created["overrides"], catch_up_hours()["overrides"]);

    let all = data(
        call(&app, Method::GET, "/v2/schedules", &key, None).await,
        200,
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let first_default = data(
        call(&app, Method::GET, "/v2/schedules/default", &key, None).await,
        200,
    )
    .await;
    assert_eq!(first_default["name"], "Working hours");
    assert_eq!(
        first_default["availability"][0]["days"],
        json!(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
    );

    let patched = data(
        call(&app, Method::PATCH, &format!("/v2/schedules/{id}"), &key,
             Some(json!({"name": "Evenings", "isDefault": true, "availability": [{"days": ["Friday"], "startTime": "18:00", "endTime": "20:00"}]}))).await,
        200,
    )
    .await;
    assert_eq!(patched["name"], "Evenings");
    assert_eq!(patched["isDefault"], true);
    assert_eq!(
        patched["availability"],
        json!([{"days": ["Friday"], "startTime": "18:00", "endTime": "20:00"}])
    );
    assert_eq!(
        patched["overrides"],
        catch_up_hours()["overrides"],
        "untouched fields stay"
    );
    let me: Value = app.get_with_key("/v2/me", &key).await.json().await.unwrap();
    assert_eq!(me["data"]["defaultScheduleId"], id);

    // The old default can go now; the default itself cannot.
    let old = first_default["id"].as_i64().unwrap();
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            &format!("/v2/schedules/{old}"),
            &key,
            None
        )
        .await
        .status(),
        200
    );
    let refused = call(
        &app,
        Method::DELETE,
        &format!("/v2/schedules/{id}"),
        &key,
        None,
    )
    .await;
    let message = assert_error(refused, 400, "BadRequestException").await;
    assert!(message.contains("default"), "{message}");
    assert_error(
        call(
            &app,
            Method::GET,
            &format!("/v2/schedules/{old}"),
            &key,
            None,
        )
        .await,
        404,
        "NotFoundException",
    )
    .await;
}

#[tokio::test]
async fn another_users_schedule_is_not_found() {
    let app = spawn_app().await;
    let ada = user(&app, "ada@example.com").await;
    let bob = user(&app, "bob@example.com").await;
    use reqwest::Method;
    let ada_schedule = data(
        call(
            &app,
            Method::POST,
            "/v2/schedules",
            &ada,
            Some(catch_up_hours()),
        )
        .await,
        201,
    )
    .await;
    let path = format!("/v2/schedules/{}", ada_schedule["id"]);

    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"name": "Mine now"}))),
        (Method::DELETE, None),
    ] {
        assert_error(
            call(&app, method, &path, &bob, body).await,
            404,
            "NotFoundException",
        )
        .await;
    }
    let bobs = data(
        call(&app, Method::GET, "/v2/schedules", &bob, None).await,
        200,
    )
    .await;
    assert!(
        bobs.as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"] != ada_schedule["id"])
    );
    let still = data(call(&app, Method::GET, &path, &ada, None).await, 200).await;
    assert_eq!(still["name"], "Catch up hours");
}

#[tokio::test]
async fn invalid_schedules_get_a_400_naming_the_field() {
    let app = spawn_app().await;
    let key = user(&app, "ada@example.com").await;
    let mut cases = Vec::new();
    let mut zone = catch_up_hours();
    zone["timeZone"] = json!("Europe/Atlantis");
    cases.push((zone, "timeZone: unknown timezone `Europe/Atlantis`"));
    let mut day = catch_up_hours();
    day["availability"][1]["days"] = json!(["Funday"]);
    cases.push((day, "availability[1].days[0]"));
    let mut backwards = catch_up_hours();
    backwards["availability"][0]["endTime"] = json!("08:00");
    cases.push((
        backwards,
        "availability[0].endTime: must be after startTime",
    ));
    let mut date = catch_up_hours();
    date["overrides"][0]["date"] = json!("20 May");
    cases.push((date, "overrides[0].date"));
    let mut missing = catch_up_hours();
    missing.as_object_mut().unwrap().remove("name");
    cases.push((missing, "name: is required"));
    let mut wrong_type = catch_up_hours();
    wrong_type["isDefault"] = json!("yes");
    cases.push((wrong_type, "isDefault"));
    for (body, expected) in cases {
        let response = call(
            &app,
            reqwest::Method::POST,
            "/v2/schedules",
            &key,
            Some(body),
        )
        .await;
        let message = assert_error(response, 400, "BadRequestException").await;
        assert!(
            message.contains(expected),
            "`{message}` should mention `{expected}`"
        );
    }
    let all = data(
        call(&app, reqwest::Method::GET, "/v2/schedules", &key, None).await,
        200,
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 1, "nothing half-written");
}

#[tokio::test]
async fn a_schedule_restricting_an_event_type_cannot_be_deleted() {
    let app = spawn_app().await;
    let key = user(&app, "ada@example.com").await;
    let created = data(
        call(
            &app,
            reqwest::Method::POST,
            "/v2/schedules",
            &key,
            Some(catch_up_hours()),
        )
        .await,
        201,
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    app.db
        .execute_sql(&format!(
            "INSERT INTO event_types (owner_id, slug, title, length_minutes, restriction_schedule_id, created_at, updated_at) \
             VALUES ({}, 'intro', 'Intro', 30, {id}, '2030-01-01 00:00:00', '2030-01-01 00:00:00')",
            created["ownerId"]
        ))
        .await
        .unwrap();
    let refused = call(
        &app,
        reqwest::Method::DELETE,
        &format!("/v2/schedules/{id}"),
        &key,
        None,
    )
    .await;
    let message = assert_error(refused, 409, "ConflictException").await;
    assert!(message.contains("restricts event type"), "{message}");
    // The database refuses too, whatever code tries.
    assert!(
        app.db
            .execute_sql(&format!("DELETE FROM schedules WHERE id = {id}"))
            .await
            .is_err()
    );
}
