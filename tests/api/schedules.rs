//! `/v2/schedules`: a Cal.com client's schedule calls (2024-06-11, and 2024-04-15's shapes
//! without the header), tenant isolation, and validation.

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, data, spawn_app, user_with_key};

async fn user(app: &TestApp, email: &str) -> String {
    user_with_key(app, email, "Europe/Berlin").await
}

/// A call as a client of `cal-api-version: 2024-06-11`.
async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> reqwest::Response {
    versioned(app, Some("2024-06-11"), method, path, key, body).await
}

/// A call with `cal-api-version: version`, or none.
async fn versioned(
    app: &TestApp,
    version: Option<&str>,
    method: reqwest::Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let url = format!("{}{path}", app.address);
    let mut request = app.client.request(method, url).bearer_auth(key);
    if let Some(version) = version {
        request = request.header("cal-api-version", version);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
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

/// Cal.com's 2024-04-15 create input: numbered days (0 is Sunday), ISO 8601 times.
fn legacy_hours() -> Value {
    json!({
        "name": "Legacy hours",
        "timeZone": "Europe/Rome",
        "isDefault": false,
        "availabilities": [
            {"days": [1, 2], "startTime": "1970-01-01T17:00:00.000Z", "endTime": "1970-01-01T19:00:00.000Z"},
            {"days": [0], "startTime": "2025-04-12T09:30:00.000Z", "endTime": "2025-04-12T23:59:00.000Z"}
        ]
    })
}

#[tokio::test]
async fn a_client_of_2024_04_15_gets_its_schedule_shapes() {
    use reqwest::Method;
    let app = spawn_app().await;
    let key = user(&app, "ada@example.com").await;
    for version in [None, Some("2024-04-15")] {
        let post = versioned(
            &app,
            version,
            Method::POST,
            "/v2/schedules",
            &key,
            Some(legacy_hours()),
        );
        let created = data(post.await, 201).await;
        assert_eq!(created["name"], "Legacy hours");
        assert_eq!(created["timeZone"], "Europe/Rome");
        assert_eq!(created["isManaged"], false);
        assert_eq!(created["readOnly"], false);
        assert_eq!(created["isDefault"], false);
        assert_eq!(
            created["isLastSchedule"], false,
            "the user has their first one too"
        );
        assert!(
            created.get("ownerId").is_none(),
            "2024-04-15 has no ownerId: {created}"
        );
        assert_eq!(
            created["workingHours"],
            json!([{"days": [1, 2], "startTime": 1020, "endTime": 1140, "userId": created["workingHours"][0]["userId"]},
                   {"days": [0], "startTime": 570, "endTime": 1439, "userId": created["workingHours"][0]["userId"]}])
        );
        let week = created["availability"].as_array().unwrap();
        assert_eq!(week.len(), 7, "{created}");
        let sunday = week[0].as_array().unwrap();
        assert_eq!(sunday.len(), 1);
        assert!(
            sunday[0]["start"]
                .as_str()
                .unwrap()
                .ends_with("T09:30:00.000Z"),
            "{sunday:?}"
        );
        assert!(
            sunday[0]["end"]
                .as_str()
                .unwrap()
                .ends_with("T23:59:59.999Z"),
            "{sunday:?}"
        );
        assert!(
            week[1][0]["start"]
                .as_str()
                .unwrap()
                .ends_with("T17:00:00.000Z")
        );
        assert_eq!(week[3], json!([]), "nothing on Wednesday");
        assert_eq!(created["schedule"].as_array().unwrap().len(), 2);

        // The same schedule as a 2024-06-11 client sees it.
        let id = created["id"].as_i64().unwrap();
        let path = format!("/v2/schedules/{id}");
        let current = data(call(&app, Method::GET, &path, &key, None).await, 200).await;
        assert_eq!(
            current["availability"],
            json!([{"days": ["Monday", "Tuesday"], "startTime": "17:00", "endTime": "19:00"},
                   {"days": ["Sunday"], "startTime": "09:30", "endTime": "23:59"}])
        );

        // 2024-04-15's update: the week as ranges (Sunday first) and date overrides.
        let monday =
            json!([{"start": "2030-01-01T08:00:00.000Z", "end": "2030-01-01T12:00:00.000Z"}]);
        let change = json!({"name": "Mornings", "schedule": [[], monday, [], [], [], [], []],
            "dateOverrides": [{"start": "2099-05-20T10:00:00.000Z", "end": "2099-05-20T11:00:00.000Z"},
                              {"start": "2001-05-20T10:00:00.000Z", "end": "2001-05-20T11:00:00.000Z"}]});
        let patched = data(
            versioned(&app, version, Method::PATCH, &path, &key, Some(change)).await,
            200,
        )
        .await;
        assert_eq!(patched["name"], "Mornings");
        assert_eq!(
            patched["workingHours"],
            json!([{"days": [1], "startTime": 480, "endTime": 720, "userId": patched["workingHours"][0]["userId"]}])
        );
        assert_eq!(
            patched["dateOverrides"],
            json!([{"ranges": [{"start": "2099-05-20T10:00:00.000Z", "end": "2099-05-20T11:00:00.000Z"}]}]),
            "past overrides are left out"
        );
        let current = data(call(&app, Method::GET, &path, &key, None).await, 200).await;
        assert_eq!(
            current["overrides"].as_array().unwrap().len(),
            2,
            "both are stored"
        );

        let all = data(
            versioned(&app, version, Method::GET, "/v2/schedules", &key, None).await,
            200,
        )
        .await;
        assert!(
            all.as_array()
                .unwrap()
                .iter()
                .all(|s| s.get("workingHours").is_some()),
            "{all}"
        );
        let default = data(
            versioned(
                &app,
                version,
                Method::GET,
                "/v2/schedules/default",
                &key,
                None,
            )
            .await,
            200,
        )
        .await;
        assert_eq!(default["isDefault"], true);
        assert!(default.get("dateOverrides").is_some(), "{default}");
        let deleted = versioned(&app, version, Method::DELETE, &path, &key, None).await;
        assert_eq!(deleted.status(), 200);
    }
    // An unknown version is Cal.com's default, 2024-04-15.
    let other = versioned(
        &app,
        Some("2024-08-13"),
        Method::GET,
        "/v2/schedules/default",
        &key,
        None,
    );
    assert!(data(other.await, 200).await.get("workingHours").is_some());
}

#[tokio::test]
async fn bad_2024_04_15_schedule_input_gets_a_400_and_others_schedules_stay_hidden() {
    use reqwest::Method;
    let app = spawn_app().await;
    let key = user(&app, "ada@example.com").await;
    let bob = user(&app, "bob@example.com").await;
    let mut cases = Vec::new();
    let mut day = legacy_hours();
    day["availabilities"][0]["days"] = json!([7]);
    cases.push((day, "availabilities[0].days[0]"));
    let mut named = legacy_hours();
    named["availabilities"][0]["days"] = json!(["Monday"]);
    cases.push((named, "availabilities[0].days[0]"));
    let mut time = legacy_hours();
    time["availabilities"][1]["startTime"] = json!("09:00");
    cases.push((time, "availabilities[1].startTime"));
    let mut backwards = legacy_hours();
    backwards["availabilities"][0]["endTime"] = json!("1970-01-01T08:00:00.000Z");
    cases.push((
        backwards,
        "availabilities[0].endTime: must be after startTime",
    ));
    let mut both = legacy_hours();
    both["availability"] = json!([{"days": ["Monday"], "startTime": "09:00", "endTime": "10:00"}]);
    cases.push((both, "availability"));
    let mut eight = legacy_hours();
    eight["schedule"] = json!([[], [], [], [], [], [], [], []]);
    eight.as_object_mut().unwrap().remove("availabilities");
    cases.push((eight, "schedule"));
    let mut bad_override = legacy_hours();
    bad_override["dateOverrides"] = json!([{"start": "tomorrow", "end": "2030-01-01T10:00:00Z"}]);
    cases.push((bad_override, "dateOverrides[0].start"));
    cases.push((json!([1, 2]), "body"));
    for (body, expected) in cases {
        let response = versioned(&app, None, Method::POST, "/v2/schedules", &key, Some(body)).await;
        let message = assert_error(response, 400, "BadRequestException").await;
        assert!(
            message.contains(expected) || expected == "body",
            "`{message}` should mention `{expected}`"
        );
    }
    let all = data(
        versioned(&app, None, Method::GET, "/v2/schedules", &key, None).await,
        200,
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 1, "nothing half-written");
    assert_eq!(all[0]["isLastSchedule"], true);

    // Bob's key does not reach Ada's schedule in the 2024-04-15 shapes either.
    let path = format!("/v2/schedules/{}", all[0]["id"]);
    for (method, body) in [
        (Method::GET, None),
        (
            Method::PATCH,
            Some(json!({"schedule": [[], [], [], [], [], [], []]})),
        ),
        (Method::DELETE, None),
    ] {
        let answer = versioned(&app, Some("2024-04-15"), method, &path, &bob, body).await;
        assert_error(answer, 404, "NotFoundException").await;
    }
    let still = data(
        versioned(&app, None, Method::GET, &path, &key, None).await,
        200,
    )
    .await;
    assert_eq!(
        still["workingHours"].as_array().unwrap().len(),
        1,
        "{still}"
    );
}
