//! `/v2/event-types` and team event types: a Cal.com client's calls, validation, isolation.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, always_bookable, assert_error, create_user, data, new_key, spawn_app,
};

fn intro_call() -> Value {
    json!({
        "title": "Intro Call", "slug": "intro-call", "lengthInMinutes": 30,
        "description": "A 30 minute introduction.",
        "locations": [{"type": "integration", "integration": "cal-video"}],
        "minimumBookingNotice": 120, "beforeEventBuffer": 5, "afterEventBuffer": 10,
        "slotInterval": 15,
        "bookingLimitsCount": {"day": 3},
        "bookingWindow": {"type": "calendarDays", "value": 30, "rolling": false},
        "seats": {"disabled": true},
        "confirmationPolicy": {"type": "always", "blockUnconfirmedBookingsInBooker": false},
        "bookingFields": [{"type": "text", "slug": "company", "label": "Company", "required": false},
                          {"type": "select", "slug": "size", "label": "Team size", "required": true,
                           "options": ["1-10", "11-50"]}]
    })
}

pub async fn person(app: &TestApp, email: &str, zone: &str) -> (i64, String) {
    let user = create_user(&app.db, email, zone).await;
    (user.id, new_key(&app.db, email).await.1)
}

#[tokio::test]
async fn a_calcom_client_manages_event_types() {
    let app = spawn_app().await;
    let (ada, key) = person(&app, "ada@example.com", "Europe/Berlin").await;

    let created = data(
        app.call(
            Method::POST,
            "/v2/event-types",
            Some(&key),
            Some(intro_call()),
        )
        .await,
        201,
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["ownerId"], ada);
    assert_eq!(created["slug"], "intro-call");
    assert_eq!(created["lengthInMinutes"], 30);
    assert_eq!(created["beforeEventBuffer"], 5);
    assert_eq!(created["slotInterval"], 15);
    assert_eq!(created["bookingLimitsCount"], json!({"day": 3}));
    assert_eq!(created["bookingWindow"]["value"], 30);
    assert_eq!(created["seats"], Value::Null);
    assert_eq!(created["confirmationPolicy"]["type"], "always");
    assert_eq!(created["locations"][0]["integration"], "cal-video");
    let slugs: Vec<&str> = created["bookingFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["slug"].as_str().unwrap())
        .collect();
    assert!(slugs.starts_with(&["name", "email"]), "{slugs:?}");
    assert!(slugs.ends_with(&["company", "size"]), "{slugs:?}");
    assert_eq!(created["users"][0]["id"], ada);
    assert!(
        created["bookingUrl"]
            .as_str()
            .unwrap()
            .ends_with("/intro-call"),
        "{created}"
    );
    for key_name in [
        "price",
        "currency",
        "hidden",
        "scheduleId",
        "lockTimeZoneToggleOnBookingPage",
        "isInstantEvent",
        "metadata",
        "recurrence",
        "disableGuests",
    ] {
        assert!(created.get(key_name).is_some(), "{key_name} missing");
    }

    // A partial update changes only what it names, and round-trips the rest.
    let path = format!("/v2/event-types/{id}");
    let patched = data(
        app.call(
            Method::PATCH,
            &path,
            Some(&key),
            Some(json!({"lengthInMinutes": 45, "seats": {"seatsPerTimeSlot": 4, "showAttendeeInfo": false}})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(patched["lengthInMinutes"], 45);
    assert_eq!(patched["seats"]["seatsPerTimeSlot"], 4);
    assert_eq!(patched["seatsPerTimeSlot"], 4);
    assert_eq!(patched["slotInterval"], 15);
    assert_eq!(patched["bookingFields"], created["bookingFields"]);
    // What GET returns can be sent back unchanged.
    let fetched = data(
        app.call_as("2024-06-14", Method::GET, &path, Some(&key))
            .await,
        200,
    )
    .await;
    let again = data(
        app.call(Method::PATCH, &path, Some(&key), Some(fetched.clone()))
            .await,
        200,
    )
    .await;
    assert_eq!(again["bookingFields"], fetched["bookingFields"]);
    assert_eq!(again["seats"], fetched["seats"]);

    let listed = data(
        app.call_as("2024-06-14", Method::GET, "/v2/event-types", Some(&key))
            .await,
        200,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // Public listing by username, and by username + slug.
    let username = created["users"][0]["username"].as_str().unwrap().to_owned();
    let public = data(
        app.get(&format!(
            "/v2/event-types?username={username}&eventSlug=intro-call"
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(public[0]["id"], id);

    let deleted = app.call(Method::DELETE, &path, Some(&key), None).await;
    assert_eq!(deleted.status().as_u16(), 200);
    assert_error(
        app.call(Method::GET, &path, Some(&key), None).await,
        404,
        "NotFoundException",
    )
    .await;
}

#[tokio::test]
async fn invalid_event_types_are_refused_with_the_field_named() {
    let app = spawn_app().await;
    let (_, key) = person(&app, "ada@example.com", "UTC").await;
    let cases = [
        (json!({"slug": "x", "lengthInMinutes": 30}), "title"),
        (
            json!({"title": "T", "slug": "Not A Slug", "lengthInMinutes": 30}),
            "slug",
        ),
        (
            json!({"title": "T", "slug": "t", "lengthInMinutes": 0}),
            "lengthInMinutes",
        ),
        (
            json!({"title": "T", "slug": "t", "lengthInMinutes": 30, "lengthInMinutesOptions": [15, 45]}),
            "lengthInMinutesOptions",
        ),
        (
            json!({"title": "T", "slug": "t", "lengthInMinutes": 30, "beforeEventBuffer": 5000}),
            "beforeEventBuffer",
        ),
        (
            json!({"title": "T", "slug": "t", "lengthInMinutes": "thirty"}),
            "lengthInMinutes",
        ),
        (
            json!({"title": "T", "slug": "t", "lengthInMinutes": 30, "bookingWindow": {"type": "weeks", "value": 2}}),
            "bookingWindow.type",
        ),
        (
            json!({"title": "T", "slug": "t", "lengthInMinutes": 30, "seats": {"seatsPerTimeSlot": 0}}),
            "seats.seatsPerTimeSlot",
        ),
        (
            json!({"title": "T", "slug": "t", "lengthInMinutes": 30, "bookingFields": [{"type": "select", "slug": "s", "label": "S"}]}),
            "bookingFields[0].options",
        ),
        (
            json!({"title": "T", "slug": "t", "lengthInMinutes": 30, "bookingFields": [{"type": "colour", "slug": "s"}]}),
            "bookingFields[0].type",
        ),
        (
            json!({"title": "T", "slug": "t", "lengthInMinutes": 30, "locations": [{"type": "link"}]}),
            "locations[0].link",
        ),
        (
            json!({"title": "T", "slug": "t", "lengthInMinutes": 30, "scheduleId": 999999}),
            "scheduleId",
        ),
        (
            json!({"title": "T", "slug": "t", "lengthInMinutes": 30, "successRedirectUrl": "javascript:alert(1)"}),
            "successRedirectUrl",
        ),
        (
            json!({"title": "T", "slug": "t", "lengthInMinutes": 30, "schedulingType": "COLLECTIVE"}),
            "schedulingType",
        ),
    ];
    for (body, field) in cases {
        let message = assert_error(
            app.call(
                Method::POST,
                "/v2/event-types",
                Some(&key),
                Some(body.clone()),
            )
            .await,
            400,
            "BadRequestException",
        )
        .await;
        assert!(message.starts_with(field), "{body}: {message}");
    }
    let ok = json!({"title": "T", "slug": "t", "lengthInMinutes": 30});
    data(
        app.call(
            Method::POST,
            "/v2/event-types",
            Some(&key),
            Some(ok.clone()),
        )
        .await,
        201,
    )
    .await;
    let message = assert_error(
        app.call(Method::POST, "/v2/event-types", Some(&key), Some(ok))
            .await,
        409,
        "ConflictException",
    )
    .await;
    assert!(message.contains("slug"), "{message}");
}

#[tokio::test]
async fn another_tenants_event_types_are_not_found() {
    let app = spawn_app().await;
    let (_, ada) = person(&app, "ada@example.com", "UTC").await;
    let (_, eve) = person(&app, "eve@example.com", "UTC").await;
    let created = data(
        app.call(
            Method::POST,
            "/v2/event-types",
            Some(&ada),
            Some(intro_call()),
        )
        .await,
        201,
    )
    .await;
    let path = format!("/v2/event-types/{}", created["id"]);
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"title": "Mine now"}))),
        (Method::DELETE, None),
    ] {
        assert_error(
            app.call(method, &path, Some(&eve), body).await,
            404,
            "NotFoundException",
        )
        .await;
    }
    let theirs = data(
        app.call_as("2024-06-14", Method::GET, "/v2/event-types", Some(&eve))
            .await,
        200,
    )
    .await;
    assert_eq!(theirs, json!([]));
    // Ada's event type is untouched.
    let still = data(app.call(Method::GET, &path, Some(&ada), None).await, 200).await;
    assert_eq!(still["eventType"]["title"], "Intro Call");
}

#[tokio::test]
async fn teams_members_and_team_event_types_with_hosts() {
    let app = spawn_app().await;
    let (ada_id, ada) = person(&app, "ada@example.com", "Europe/Berlin").await;
    let (bob_id, bob) = person(&app, "bob@example.com", "America/New_York").await;
    let (eve_id, eve) = person(&app, "eve@example.com", "UTC").await;

    let team = data(
        app.call(
            Method::POST,
            "/v2/teams",
            Some(&ada),
            Some(json!({"name": "Sales Team", "timeZone": "Europe/Berlin"})),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(team["slug"], "sales-team");
    let team_id = team["id"].as_i64().unwrap();
    let members_path = format!("/v2/teams/{team_id}/memberships");
    let invite = data(
        app.call(
            Method::POST,
            &members_path,
            Some(&ada),
            Some(json!({"userId": bob_id, "role": "MEMBER", "accepted": true})),
        )
        .await,
        201,
    )
    .await;
    // Nobody joins a team without saying yes: Bob is invited, his email not shown yet.
    assert_eq!(invite["accepted"], false);
    assert_eq!(invite["user"]["email"], Value::Null);
    assert_error(
        app.call(Method::GET, &members_path, Some(&bob), None).await,
        404,
        "NotFoundException",
    )
    .await;
    let invite_path = format!("{members_path}/{}", invite["id"]);
    assert_error(
        app.call(
            Method::PATCH,
            &invite_path,
            Some(&bob),
            Some(json!({"role": "OWNER"})),
        )
        .await,
        400,
        "BadRequestException",
    )
    .await;
    let joined = data(
        app.call(
            Method::PATCH,
            &invite_path,
            Some(&bob),
            Some(json!({"accepted": true})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(joined["accepted"], true);
    assert_eq!(joined["role"], "MEMBER");
    let members = data(
        app.call(Method::GET, &members_path, Some(&bob), None).await,
        200,
    )
    .await;
    assert_eq!(members.as_array().unwrap().len(), 2);
    // Eve is not a member: the team does not exist for her.
    assert_error(
        app.call(
            Method::GET,
            &format!("/v2/teams/{team_id}"),
            Some(&eve),
            None,
        )
        .await,
        404,
        "NotFoundException",
    )
    .await;

    let events_path = format!("/v2/teams/{team_id}/event-types");
    let round_robin = json!({
        "title": "Demo", "slug": "demo", "lengthInMinutes": 30,
        "schedulingType": "ROUND_ROBIN",
        "hosts": [{"userId": ada_id, "mandatory": false, "priority": "high", "weight": 200},
                  {"userId": bob_id}]
    });
    let created = data(
        app.call(
            Method::POST,
            &events_path,
            Some(&ada),
            Some(round_robin.clone()),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(created["teamId"], team_id);
    assert_eq!(created["schedulingType"], "ROUND_ROBIN");
    assert_eq!(created["hosts"][0]["userId"], ada_id);
    assert_eq!(created["hosts"][0]["priority"], "high");
    assert_eq!(created["hosts"][0]["weight"], 200);
    assert_eq!(created["hosts"][1]["priority"], "medium");
    assert!(
        created["bookingUrl"]
            .as_str()
            .unwrap()
            .ends_with("/team/sales-team/demo")
    );

    // Hosts must be members; a member who is not an admin cannot change event types.
    let mut stranger = round_robin.clone();
    stranger["slug"] = json!("other");
    stranger["hosts"] = json!([{"userId": eve_id}]);
    let message = assert_error(
        app.call(Method::POST, &events_path, Some(&ada), Some(stranger))
            .await,
        400,
        "BadRequestException",
    )
    .await;
    assert!(message.starts_with("hosts"), "{message}");
    let event_path = format!("{events_path}/{}", created["id"]);
    assert_error(
        app.call(
            Method::PATCH,
            &event_path,
            Some(&bob),
            Some(json!({"title": "Mine"})),
        )
        .await,
        403,
        "ForbiddenException",
    )
    .await;
    let seen = data(
        app.call(Method::GET, &event_path, Some(&bob), None).await,
        200,
    )
    .await;
    assert_eq!(seen["title"], "Demo");
    assert_error(
        app.call(Method::GET, &event_path, Some(&eve), None).await,
        404,
        "NotFoundException",
    )
    .await;

    // Replacing the hosts; assignAllTeamMembers takes everyone.
    let patched = data(
        app.call(
            Method::PATCH,
            &event_path,
            Some(&ada),
            Some(json!({"hosts": [{"userId": bob_id, "mandatory": true}]})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(patched["hosts"].as_array().unwrap().len(), 1);
    assert_eq!(patched["hosts"][0]["mandatory"], true);
    let everyone = data(
        app.call(
            Method::PATCH,
            &event_path,
            Some(&ada),
            Some(json!({"assignAllTeamMembers": true})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(everyone["hosts"].as_array().unwrap().len(), 2);

    // Removing a member removes them as a host; the last owner cannot leave.
    let bob_membership = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["userId"] == bob_id)
        .unwrap()["id"]
        .clone();
    data(
        app.call(
            Method::DELETE,
            &format!("{members_path}/{bob_membership}"),
            Some(&ada),
            None,
        )
        .await,
        200,
    )
    .await;
    let after = data(
        app.call(Method::GET, &event_path, Some(&ada), None).await,
        200,
    )
    .await;
    assert_eq!(after["hosts"].as_array().unwrap().len(), 1);
    let ada_membership = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["userId"] == ada_id)
        .unwrap()["id"]
        .clone();
    assert_error(
        app.call(
            Method::DELETE,
            &format!("{members_path}/{ada_membership}"),
            Some(&ada),
            None,
        )
        .await,
        400,
        "BadRequestException",
    )
    .await;
    // Bob is no longer a member: the team is gone for him.
    assert_error(
        app.call(Method::GET, &events_path, Some(&bob), None).await,
        404,
        "NotFoundException",
    )
    .await;
    let _ = eve;
    data(
        app.call(
            Method::DELETE,
            &format!("/v2/teams/{team_id}"),
            Some(&ada),
            None,
        )
        .await,
        200,
    )
    .await;
}

/// Only the invited person accepts an invitation: an admin's `{"accepted": true}` on someone
/// else's pending membership is refused, and an accepted membership is never "un-accepted"
/// (removing the member is DELETE).
#[tokio::test]
async fn only_the_invitee_accepts_and_nobody_unaccepts() {
    let app = spawn_app().await;
    let (_, ada) = person(&app, "ada@example.com", "UTC").await;
    let (bob_id, bob) = person(&app, "bob@example.com", "UTC").await;
    let (cy_id, _) = person(&app, "cy@example.com", "UTC").await;
    let team = data(
        app.call(
            Method::POST,
            "/v2/teams",
            Some(&ada),
            Some(json!({"name": "Ops"})),
        )
        .await,
        201,
    )
    .await;
    let members_path = format!("/v2/teams/{}/memberships", team["id"]);
    let mut paths = Vec::new();
    for (id, role) in [(bob_id, "ADMIN"), (cy_id, "MEMBER")] {
        let invite = data(
            app.call(
                Method::POST,
                &members_path,
                Some(&ada),
                Some(json!({"userId": id, "role": role})),
            )
            .await,
            201,
        )
        .await;
        paths.push(format!("{members_path}/{}", invite["id"]));
    }
    let (bob_path, cy_path) = (&paths[0], &paths[1]);
    let accept = Some(json!({"accepted": true}));
    data(
        app.call(Method::PATCH, bob_path, Some(&bob), accept.clone())
            .await,
        200,
    )
    .await;

    // Neither the owner nor another admin accepts Cy's invitation for them.
    for key in [&ada, &bob] {
        let message = assert_error(
            app.call(Method::PATCH, cy_path, Some(key), accept.clone())
                .await,
            403,
            "ForbiddenException",
        )
        .await;
        assert!(message.contains("Only the invited person"), "{message}");
    }
    let pending = data(app.call(Method::GET, cy_path, Some(&ada), None).await, 200).await;
    assert_eq!(pending["accepted"], false);
    // Changing the pending invitation's role stays the admins' (accepted: false is no change).
    let changed = data(
        app.call(
            Method::PATCH,
            cy_path,
            Some(&ada),
            Some(json!({"role": "ADMIN", "accepted": false})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (changed["role"].as_str(), changed["accepted"].as_bool()),
        (Some("ADMIN"), Some(false))
    );

    // An accepted member is not turned back into an invitee.
    let message = assert_error(
        app.call(
            Method::PATCH,
            bob_path,
            Some(&ada),
            Some(json!({"accepted": false})),
        )
        .await,
        400,
        "BadRequestException",
    )
    .await;
    assert!(message.starts_with("accepted"), "{message}");
    let bob_now = data(app.call(Method::GET, bob_path, Some(&ada), None).await, 200).await;
    assert_eq!(bob_now["accepted"], true);
}

/// A stored setting that does not read is an error that surfaces, never a silent default: a
/// broken booking window must not become "no window", broken switches must not become "off".
#[tokio::test]
async fn a_corrupt_stored_setting_is_an_internal_error_not_a_default() {
    let app = spawn_app().await;
    let (_, key) = person(&app, "ada@example.com", "UTC").await;
    let event = always_bookable(
        &app,
        &key,
        json!({"title": "Intro", "slug": "intro", "lengthInMinutes": 30,
               "bookingWindow": {"type": "calendarDays", "value": 30, "rolling": false}}),
    )
    .await;
    let path = format!("/v2/event-types/{event}");
    data(app.call(Method::GET, &path, Some(&key), None).await, 200).await;
    let slots =
        format!("/v2/slots?eventTypeId={event}&start=2030-03-04&end=2030-03-05&timeZone=UTC");

    let corruptions = [
        "booking_window = '{\"type\": \"weeks\", \"value\": 2}'",
        "booking_window = 'not json'",
        "settings = '{\"disableGuests\": \"yes\"}'",
        "booking_fields = '[{\"type\": \"colour\", \"slug\": \"c\", \"label\": \"C\", \"required\": false}]'",
        "locations = '[{\"type\": \"address\"}]'",
        "booking_limits = '{\"day\": -1}'",
    ];
    for corruption in corruptions {
        app.db
            .execute_sql(&format!(
                "UPDATE event_types SET {corruption} WHERE id = {event}"
            ))
            .await
            .unwrap();
        for request in [&path, &slots, &"/v2/event-types".to_owned()] {
            let response = app.call(Method::GET, request, Some(&key), None).await;
            let message = assert_error(response, 500, "InternalServerErrorException").await;
            // The cause goes to the log, not to the caller.
            assert!(
                !message.contains("event_types") && !message.contains("weeks"),
                "{corruption}: {request}: {message}"
            );
        }
        // Put the valid values back before the next corruption.
        app.db
            .execute_sql(&format!(
                "UPDATE event_types SET booking_window = '{{\"type\": \"calendarDays\", \"value\": 30, \"rolling\": false}}', \
                 settings = '{{}}', booking_fields = '[]', locations = '[]', booking_limits = NULL WHERE id = {event}"
            ))
            .await
            .unwrap();
        data(app.call(Method::GET, &path, Some(&key), None).await, 200).await;
    }
}

/// A client written against Cal.com's 2024-04-15 shapes (what Cal.com answers without a
/// `cal-api-version`) lists and reads event types; 2024-06-14 clients keep theirs.
#[tokio::test]
async fn clients_without_a_version_header_get_the_2024_04_15_shapes() {
    let app = spawn_app().await;
    let (ada, key) = person(&app, "ada@example.com", "Europe/Berlin").await;
    let created = data(
        app.call(
            Method::POST,
            "/v2/event-types",
            Some(&key),
            Some(intro_call()),
        )
        .await,
        201,
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    let team = data(
        app.call(
            Method::POST,
            "/v2/teams",
            Some(&key),
            Some(json!({"name": "Sales"})),
        )
        .await,
        201,
    )
    .await;
    let team_event = json!({"title": "Demo", "slug": "demo", "lengthInMinutes": 20,
                            "schedulingType": "COLLECTIVE", "hosts": [{"userId": ada}]});
    let path = format!("/v2/teams/{}/event-types", team["id"]);
    data(
        app.call(Method::POST, &path, Some(&key), Some(team_event))
            .await,
        201,
    )
    .await;

    for version in [
        None,
        Some("2024-04-15"),
        Some("2024-06-11"),
        Some("1999-01-01"),
    ] {
        let list = match version {
            None => {
                app.call(Method::GET, "/v2/event-types", Some(&key), None)
                    .await
            }
            Some(v) => {
                app.call_as(v, Method::GET, "/v2/event-types", Some(&key))
                    .await
            }
        };
        let list = data(list, 200).await;
        let groups = list["eventTypeGroups"].as_array().expect("groups");
        assert_eq!(groups.len(), 2, "{version:?}: {list}");
        assert_eq!(groups[0]["profile"]["name"], "Ada Host");
        assert_eq!(groups[0]["teamId"], Value::Null);
        let mine = &groups[0]["eventTypes"][0];
        assert_eq!(mine["id"], id);
        assert_eq!(mine["length"], 30);
        assert_eq!(mine["userIds"], json!([ada]));
        assert_eq!(mine["periodType"], "ROLLING");
        assert_eq!(mine["periodDays"], 30);
        assert_eq!(mine["bookingLimits"], json!({"PER_DAY": 3}));
        assert_eq!(mine["requiresConfirmation"], true);
        assert_eq!(mine["locations"], json!([{"type": "integrations:daily"}]));
        assert!(mine.get("lengthInMinutes").is_none());
        assert_eq!(groups[1]["profile"]["slug"], "team/sales");
        assert_eq!(groups[1]["eventTypes"][0]["length"], 20);
        assert_eq!(groups[1]["eventTypes"][0]["schedulingType"], "COLLECTIVE");
        assert_eq!(list["profiles"][0]["name"], "Ada Host");
    }
    let one = format!("/v2/event-types/{id}");
    let legacy = data(app.call(Method::GET, &one, Some(&key), None).await, 200).await;
    assert_eq!(legacy["eventType"]["id"], id);
    assert_eq!(legacy["eventType"]["length"], 30);
    assert_eq!(legacy["eventType"]["userId"], ada);
    let current = data(
        app.call_as("2024-06-14", Method::GET, &one, Some(&key))
            .await,
        200,
    )
    .await;
    assert_eq!(current["lengthInMinutes"], 30);
    assert!(current.get("eventType").is_none());
    let flat = app
        .call_as("2024-06-14", Method::GET, "/v2/event-types", Some(&key))
        .await;
    assert_eq!(data(flat, 200).await[0]["id"], id);
}

#[tokio::test]
async fn booking_widgets_read_public_event_types_by_username() {
    let app = spawn_app().await;
    let (_, key) = person(&app, "ada@example.com", "UTC").await;
    let mut hidden = intro_call();
    hidden["slug"] = json!("secret");
    hidden["hidden"] = json!(true);
    for body in [intro_call(), hidden] {
        data(
            app.call(Method::POST, "/v2/event-types", Some(&key), Some(body))
                .await,
            201,
        )
        .await;
    }
    let me = data(app.call(Method::GET, "/v2/me", Some(&key), None).await, 200).await;
    let username = me["username"].as_str().unwrap().to_owned();

    let list = data(
        app.get(&format!("/v2/event-types/{username}/public")).await,
        200,
    )
    .await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "hidden ones are left out: {list}"
    );
    assert_eq!(list[0]["slug"], "intro-call");
    assert_eq!(list[0]["length"], 30);
    assert_eq!(list[0]["requiresConfirmation"], true);

    let one = data(
        app.get(&format!("/v2/event-types/{username}/intro-call/public"))
            .await,
        200,
    )
    .await;
    assert_eq!(one["slug"], "intro-call");
    assert_eq!(one["length"], 30);
    assert_eq!(one["users"][0]["username"], username.as_str());
    assert!(one["bookingFields"].as_array().unwrap().len() >= 2);
    // Only what a booker may see: no owner email, metadata or limits.
    let text = one.to_string();
    assert!(
        !text.contains("ada@example.com") && !text.contains("PER_DAY"),
        "{text}"
    );
    // A hidden event type is there by its direct link, as its booking page is.
    let secret = app
        .get(&format!("/v2/event-types/{username}/secret/public"))
        .await;
    assert_eq!(data(secret, 200).await["slug"], "secret");

    let nobody = app.get("/v2/event-types/nobody-here/public").await;
    let message = assert_error(nobody, 404, "NotFoundException").await;
    assert!(message.contains("nobody-here"), "{message}");
    let missing = app
        .get(&format!("/v2/event-types/{username}/nope/public"))
        .await;
    assert_error(missing, 404, "NotFoundException").await;
}

#[tokio::test]
async fn a_2024_04_15_client_reads_slots_in_its_own_shape() {
    let app = spawn_app().await;
    let (_, event, _) = crate::bookings::host(&app, "ada@example.com", json!({})).await;
    let date = crate::bookings::day(5);
    let path = format!("/v2/slots/available?eventTypeId={event}&startTime={date}&endTime={date}");
    // No version (Cal.com's 2024-04-15 default): `{slots: {date: [{time}]}}`.
    for version in [None, Some("2024-08-13")] {
        let answer = match version {
            None => app.get(&path).await,
            Some(v) => app.call_as(v, Method::GET, &path, None).await,
        };
        let legacy = data(answer, 200).await;
        let slots = legacy["slots"][date.to_string()]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(slots.len(), 16, "{legacy}");
        assert_eq!(
            slots[0],
            json!({"time": format!("{date}T09:00:00.000Z")}),
            "{legacy}"
        );
    }
    let range = data(
        app.get(&format!("{path}&slotFormat=range&timeZone=Europe/Berlin"))
            .await,
        200,
    )
    .await;
    let first = &range["slots"][date.to_string()][0];
    let berlin = |hour: u32, minute: u32| {
        use chrono::TimeZone;
        let at = date.and_hms_opt(hour, minute, 0).unwrap();
        let local = chrono_tz::Europe::Berlin.from_utc_datetime(&at);
        local.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
    };
    assert_eq!(first["startTime"], berlin(9, 0), "{range}");
    assert_eq!(first["endTime"], berlin(9, 30), "{range}");
    // Asked for 2024-09-04, the same path answers the current shape.
    let current = app.call_as("2024-09-04", Method::GET, &path, None).await;
    let current = data(current, 200).await;
    assert_eq!(
        current[date.to_string()][0]["start"],
        format!("{date}T09:00:00.000Z"),
        "{current}"
    );
    assert!(current.get("slots").is_none());
}
