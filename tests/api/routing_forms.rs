//! Routing forms: `/v2/routing-forms` and `/v2/teams/{id}/routing-forms` (owned, validated),
//! the public submission (answers checked, stored, routed), slots and bookings narrowed to the
//! routed hosts, the FORM_SUBMITTED / FORM_SUBMITTED_NO_EVENT webhooks, and the hosted page.

use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{at, book, booking_body, day, host, slot_starts};
use crate::event_types::person;
use crate::helpers::{TestApp, assert_error, data, spawn_app};
use crate::host_groups::{Crew, crew};
use crate::pages::post_form;
use crate::webhooks::{Receiver, subscribe};

fn questions() -> Value {
    json!([
        {"type": "select", "slug": "size", "label": "Team size", "required": true, "options": ["Small", "Large"]},
        {"type": "text", "slug": "company", "label": "Company"},
        {"type": "email", "slug": "email", "label": "Email", "required": true},
    ])
}

fn message(text: &str) -> Value {
    json!({"type": "customPageMessage", "message": text})
}

/// Large teams book `event` (narrowed to `members` when given), ACME goes to its site, the
/// rest read a message.
fn form(event: i64, members: Option<Vec<i64>>) -> Value {
    let mut to_event = json!({"type": "eventTypeRedirectUrl", "eventTypeId": event});
    if let Some(ids) = members {
        to_event["teamMemberIds"] = json!(ids);
    }
    json!({
        "name": "Intake",
        "fields": questions(),
        "routes": [
            {"conditions": [{"field": "size", "operator": "equals", "value": "Large"}], "action": to_event},
            {"conditions": [{"field": "company", "operator": "contains", "value": "acme"}],
             "action": {"type": "externalRedirectUrl", "url": "https://acme.example/sales"}},
            {"isFallback": true, "action": message("Thanks, we will write to you.")},
        ],
    })
}

async fn create(app: &TestApp, key: &str, base: &str, body: Value) -> Value {
    data(
        app.call(Method::POST, base, Some(key), Some(body)).await,
        201,
    )
    .await
}

async fn submit(app: &TestApp, form: i64, answers: Value) -> reqwest::Response {
    let path = format!("/v2/routing-forms/{form}/responses");
    app.call(Method::POST, &path, None, Some(answers)).await
}

#[tokio::test]
async fn forms_are_managed_by_their_owner_alone() {
    let app = spawn_app().await;
    let (ada_key, event, _) = host(&app, "ada@forms.example", json!({})).await;
    let (_, eve_key) = person(&app, "eve@forms.example", "UTC").await;
    let made = create(&app, &ada_key, "/v2/routing-forms", form(event, None)).await;
    let id = made["id"].as_i64().unwrap();
    assert_eq!(made["routes"][0]["action"]["eventTypeId"], event, "{made}");
    assert_eq!(
        made["fields"][2]["slug"], "email",
        "a form's email question is its own"
    );
    let path = format!("/v2/routing-forms/{id}");
    let got = data(
        app.call(Method::GET, &path, Some(&ada_key), None).await,
        200,
    )
    .await;
    assert_eq!(got, made);
    let renamed = json!({"name": "Sales intake", "description": "Who are you?"});
    let changed = data(
        app.call(Method::PATCH, &path, Some(&ada_key), Some(renamed))
            .await,
        200,
    )
    .await;
    assert_eq!(changed["name"], "Sales intake");
    assert_eq!(changed["routes"], made["routes"], "routes not sent stay");

    // Someone else sees none of it, and changes nothing.
    let theirs = data(
        app.call(Method::GET, "/v2/routing-forms", Some(&eve_key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(theirs, json!([]));
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"name": "Mine"}))),
        (Method::DELETE, None),
    ] {
        let response = app.call(method, &path, Some(&eve_key), body).await;
        assert_error(response, 404, "NotFoundException").await;
    }
    let responses = format!("{path}/responses");
    assert_error(
        app.call(Method::GET, &responses, Some(&eve_key), None)
            .await,
        404,
        "NotFoundException",
    )
    .await;
    assert_error(
        app.call(Method::GET, &path, None, None).await,
        401,
        "UnauthorizedException",
    )
    .await;
    // Nor can a route send to someone else's event type.
    let borrowed = app
        .call(
            Method::POST,
            "/v2/routing-forms",
            Some(&eve_key),
            Some(form(event, None)),
        )
        .await;
    let m = assert_error(borrowed, 400, "BadRequestException").await;
    assert!(m.starts_with("routes[0].action.eventTypeId:"), "{m}");

    let listed = data(
        app.call(Method::GET, "/v2/routing-forms", Some(&ada_key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    data(
        app.call(Method::DELETE, &path, Some(&ada_key), None).await,
        200,
    )
    .await;
    assert_error(
        app.call(Method::GET, &path, Some(&ada_key), None).await,
        404,
        "NotFoundException",
    )
    .await;
}

#[tokio::test]
async fn team_forms_are_for_the_teams_admins_and_route_to_its_event_types() {
    let app = spawn_app().await;
    let crew = crew(&app, "teamforms").await;
    let event = round_robin(&app, &crew).await;
    let base = format!("/v2/teams/{}/routing-forms", crew.team);
    let made = create(
        &app,
        &crew.ada.2,
        &base,
        form(event, Some(vec![crew.bob.0])),
    )
    .await;
    assert_eq!(made["teamId"], crew.team, "{made}");
    let path = format!("{base}/{}", made["id"]);
    data(
        app.call(Method::GET, &path, Some(&crew.ada.2), None).await,
        200,
    )
    .await;
    // A member who is not an admin may not manage them; an outsider is told there is no team.
    let bob = app.call(Method::GET, &path, Some(&crew.bob.2), None).await;
    assert_error(bob, 403, "ForbiddenException").await;
    let (_, eve_key) = person(&app, "eve@teamforms.example", "UTC").await;
    assert_error(
        app.call(Method::GET, &base, Some(&eve_key), None).await,
        404,
        "NotFoundException",
    )
    .await;
    // The team's form is not the owner's own.
    let own = format!("/v2/routing-forms/{}", made["id"]);
    assert_error(
        app.call(Method::GET, &own, Some(&crew.ada.2), None).await,
        404,
        "NotFoundException",
    )
    .await;

    // Routes name the team's event types only, and hosts of that event type only.
    let personal = app
        .call(
            Method::POST,
            &base,
            Some(&crew.ada.2),
            Some(form(crew.ada.1, None)),
        )
        .await;
    let m = assert_error(personal, 400, "BadRequestException").await;
    assert!(m.starts_with("routes[0].action.eventTypeId:"), "{m}");
    let stranger = app
        .call(
            Method::POST,
            &base,
            Some(&crew.ada.2),
            Some(form(event, Some(vec![999_999]))),
        )
        .await;
    let m = assert_error(stranger, 400, "BadRequestException").await;
    assert!(m.starts_with("routes[0].action.teamMemberIds:"), "{m}");
    // Hosts are narrowed only on a round-robin event type.
    let mine = "/v2/routing-forms";
    let (ada_own_event, ada) = (crew.ada.1, crew.ada.0);
    let narrowed = app
        .call(
            Method::POST,
            mine,
            Some(&crew.ada.2),
            Some(form(ada_own_event, Some(vec![ada]))),
        )
        .await;
    let m = assert_error(narrowed, 400, "BadRequestException").await;
    assert!(m.contains("round-robin"), "{m}");
    data(
        app.call(Method::DELETE, &path, Some(&crew.ada.2), None)
            .await,
        200,
    )
    .await;
}

#[tokio::test]
async fn bad_forms_are_refused_with_the_field_at_fault() {
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@badforms.example", json!({})).await;
    let good = form(event, None);
    let mut cases = Vec::new();
    for (field, value, at) in [
        ("name", json!(" "), "name:"),
        ("fields", json!([]), "fields:"),
        (
            "fields",
            json!([{"type": "colour", "slug": "a"}]),
            "fields[0].type:",
        ),
        ("routes", json!([]), "routes:"),
        (
            "routes",
            json!([{"conditions": [{"field": "nope", "operator": "equals", "value": "x"}], "action": message("x")},
                          {"isFallback": true, "action": message("x")}]),
            "routes[0].conditions[0].field:",
        ),
        (
            "routes",
            json!([{"isFallback": true, "action": {"type": "externalRedirectUrl", "url": "ftp://x.example"}}]),
            "routes[0].action.url:",
        ),
        (
            "routes",
            json!([{"isFallback": true, "action": {"type": "eventTypeRedirectUrl", "eventTypeId": 999_999}}]),
            "routes[0].action.eventTypeId:",
        ),
        ("colour", json!("red"), "colour"),
    ] {
        let mut body = good.clone();
        body[field] = value;
        cases.push((body, at));
    }
    for (body, at) in cases {
        let response = app
            .call(
                Method::POST,
                "/v2/routing-forms",
                Some(&key),
                Some(body.clone()),
            )
            .await;
        let m = assert_error(response, 400, "BadRequestException").await;
        assert!(m.contains(at), "{at}: {m}");
    }
    let raw = app
        .client
        .post(format!("{}/v2/routing-forms", app.address))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_error(raw, 400, "BadRequestException").await;
    let made = create(&app, &key, "/v2/routing-forms", good).await;
    let path = format!("/v2/routing-forms/{}", made["id"]);
    let broken = app
        .call(
            Method::PATCH,
            &path,
            Some(&key),
            Some(json!({"routes": []})),
        )
        .await;
    assert_error(broken, 400, "BadRequestException").await;
    let still = data(app.call(Method::GET, &path, Some(&key), None).await, 200).await;
    assert_eq!(
        still["routes"], made["routes"],
        "a refused change changes nothing"
    );
    let responses = format!("{path}/responses?take=0");
    assert_error(
        app.call(Method::GET, &responses, Some(&key), None).await,
        400,
        "BadRequestException",
    )
    .await;
}

#[tokio::test]
async fn a_submission_is_checked_stored_and_routed() {
    let app = spawn_app().await;
    let (key, event, _) = host(&app, "ada@submit.example", json!({"slug": "intro"})).await;
    let made = create(&app, &key, "/v2/routing-forms", form(event, None)).await;
    let id = made["id"].as_i64().unwrap();

    let missing = submit(&app, id, json!({"email": "g@x.example"})).await;
    let m = assert_error(missing, 400, "BadRequestException").await;
    assert_eq!(m, "size: \"Team size\" is required");
    let wrong = submit(&app, id, json!({"size": "Huge", "email": "g@x.example"})).await;
    let m = assert_error(wrong, 400, "BadRequestException").await;
    assert!(m.starts_with("size: must be one of"), "{m}");
    let stray = submit(
        &app,
        id,
        json!({"size": "Small", "email": "g@x.example", "x": 1}),
    )
    .await;
    assert_error(stray, 400, "BadRequestException").await;
    let not_email = submit(&app, id, json!({"size": "Small", "email": "nope"})).await;
    assert_error(not_email, 400, "BadRequestException").await;
    assert_error(
        submit(&app, id, json!(["Small"])).await,
        400,
        "BadRequestException",
    )
    .await;
    assert_error(
        submit(&app, 999_999, json!({})).await,
        404,
        "NotFoundException",
    )
    .await;

    let large = data(
        submit(&app, id, json!({"size": "Large", "email": "g@x.example"})).await,
        201,
    )
    .await;
    let routed = &large["routedTo"];
    assert_eq!(routed["type"], "eventTypeRedirectUrl", "{large}");
    assert_eq!(routed["eventTypeSlug"], "intro");
    let url = routed["bookingUrl"].as_str().unwrap();
    let response_id = large["responseId"].as_i64().unwrap();
    assert!(
        url.ends_with(&format!("/intro?cal.routingFormResponseId={response_id}")),
        "{url}"
    );
    let acme = data(
        submit(
            &app,
            id,
            json!({"size": "Small", "company": "ACME Ltd", "email": "a@x.example"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(
        acme["routedTo"],
        json!({"type": "externalRedirectUrl", "url": "https://acme.example/sales"})
    );
    let other = data(
        submit(&app, id, json!({"size": "Small", "email": "o@x.example"})).await,
        201,
    )
    .await;
    assert_eq!(other["routedTo"], message("Thanks, we will write to you."));

    // Stored, newest first, a page at a time.
    let page = format!("/v2/routing-forms/{id}/responses?take=2");
    let response = app.call(Method::GET, &page, Some(&key), None).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["pagination"]["totalItems"], 3, "{body}");
    assert_eq!(body["pagination"]["hasNextPage"], true, "{body}");
    let rows = body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], other["responseId"]);
    assert_eq!(
        rows[0]["response"],
        json!({"size": "Small", "email": "o@x.example"})
    );
    assert_eq!(rows[1]["routedTo"]["type"], "externalRedirectUrl");
    // calculate-slots routes without storing anything.
    let calculate = format!(
        "/v2/routing-forms/{id}/calculate-slots?start={}&end={}",
        day(3),
        day(3)
    );
    let small = json!({"size": "Small", "email": "o@x.example"});
    let to_message = data(
        app.call(Method::POST, &calculate, None, Some(small)).await,
        200,
    )
    .await;
    assert_eq!(
        to_message,
        json!({"eventTypeId": null, "routedTo": message("Thanks, we will write to you."), "slots": {}})
    );
    let large = json!({"size": "Large", "email": "o@x.example"});
    let to_event = data(
        app.call(Method::POST, &calculate, None, Some(large)).await,
        200,
    )
    .await;
    assert_eq!(to_event["eventTypeId"], event);
    assert!(
        !to_event["slots"][day(3).to_string()]
            .as_array()
            .unwrap()
            .is_empty(),
        "{to_event}"
    );
    let wrong = app
        .call(
            Method::POST,
            &calculate,
            None,
            Some(json!({"size": "Huge"})),
        )
        .await;
    assert_error(wrong, 400, "BadRequestException").await;
    let no_window = format!("/v2/routing-forms/{id}/calculate-slots");
    let large = json!({"size": "Large", "email": "o@x.example"});
    assert_error(
        app.call(Method::POST, &no_window, None, Some(large)).await,
        400,
        "BadRequestException",
    )
    .await;
    let rest = format!("/v2/routing-forms/{id}/responses?take=2&skip=2");
    let last = data(app.call(Method::GET, &rest, Some(&key), None).await, 200).await;
    assert_eq!(last[0]["id"], response_id);
    assert_eq!(last[0]["bookingUid"], Value::Null);
}

/// A round-robin event type of the crew's team with all three as hosts.
pub(crate) async fn round_robin(app: &TestApp, crew: &Crew) -> i64 {
    let body = json!({
        "title": "Demo", "slug": "demo", "lengthInMinutes": 30, "minimumBookingNotice": 0,
        "schedulingType": "ROUND_ROBIN",
        "hosts": [{"userId": crew.ada.0}, {"userId": crew.bob.0}, {"userId": crew.cat.0}],
    });
    let path = format!("/v2/teams/{}/event-types", crew.team);
    let made = data(
        app.call(Method::POST, &path, Some(&crew.ada.2), Some(body))
            .await,
        201,
    )
    .await;
    made["id"].as_i64().unwrap()
}

async fn routed_slots(
    app: &TestApp,
    event: i64,
    date: chrono::NaiveDate,
    ids: &str,
) -> reqwest::Response {
    app.get(&format!(
        "/v2/slots?eventTypeId={event}&start={date}&end={date}&timeZone=UTC&routedTeamMemberIds={ids}"
    ))
    .await
}

fn hosts_of(booking: &Value) -> Vec<i64> {
    booking["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn slots_and_bookings_come_only_from_the_routed_hosts() {
    let app = spawn_app().await;
    let crew = crew(&app, "routed").await;
    let event = round_robin(&app, &crew).await;
    let date = day(9);
    // Bob and Cat are busy at 10:00 on their own event types; Ada is free.
    for (who, email) in [(&crew.bob, "b@x.example"), (&crew.cat, "c@x.example")] {
        data(
            book(&app, booking_body(who.1, &at(date, "10:00"), email)).await,
            201,
        )
        .await;
    }
    let ten = at(date, "10:00");
    let ten_slot = format!("{date}T10:00:00.000Z");
    assert!(
        slot_starts(&app, event, date).await.contains(&ten_slot),
        "Ada makes 10:00 bookable"
    );
    let ids = format!("{},{}", crew.bob.0, crew.cat.0);
    let narrowed = data(routed_slots(&app, event, date, &ids).await, 200).await;
    let starts: Vec<&str> = narrowed[date.to_string()]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap())
        .collect();
    assert!(!starts.is_empty(), "{narrowed}");
    assert!(
        !starts
            .iter()
            .any(|s| s.starts_with(&format!("{date}T10:00"))),
        "{narrowed}"
    );
    // Unknown or malformed ids are refused.
    let stranger = routed_slots(&app, event, date, "999999").await;
    let m = assert_error(stranger, 400, "BadRequestException").await;
    assert!(m.starts_with("routedTeamMemberIds:"), "{m}");
    assert_error(
        routed_slots(&app, event, date, "bob").await,
        400,
        "BadRequestException",
    )
    .await;
    let personal = routed_slots(&app, crew.ada.1, date, &crew.ada.0.to_string()).await;
    assert_error(personal, 400, "BadRequestException").await;

    // A form routes to Bob alone; two bookings through it both go to Bob (without the
    // narrowing, round robin would give the second to someone who has none yet).
    let base = format!("/v2/teams/{}/routing-forms", crew.team);
    let form_id = create(
        &app,
        &crew.ada.2,
        &base,
        form(event, Some(vec![crew.bob.0])),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // Cal.com's calculate-slots: the routed event type's times over Bob's alone.
    let calculate = format!("/v2/routing-forms/{form_id}/calculate-slots?start={date}&end={date}");
    let answers = json!({"size": "Large", "email": "c@x.example"});
    let routed = data(
        app.call(Method::POST, &calculate, None, Some(answers))
            .await,
        200,
    )
    .await;
    assert_eq!(routed["eventTypeId"], event, "{routed}");
    let starts: Vec<&Value> = routed["slots"][date.to_string()]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["start"])
        .collect();
    assert!(
        !starts.is_empty() && !starts.contains(&&json!(ten_slot)),
        "{routed}"
    );
    for (time, email) in [("11:00", "one@x.example"), ("12:00", "two@x.example")] {
        let routed = data(
            submit(&app, form_id, json!({"size": "Large", "email": email})).await,
            201,
        )
        .await;
        let url = routed["routedTo"]["bookingUrl"].as_str().unwrap();
        assert!(
            url.contains(&format!(
                "/team/routed/demo?cal.routingFormResponseId={}&cal.routedTeamMemberIds={}",
                routed["responseId"], crew.bob.0
            )),
            "{url}"
        );
        assert_eq!(routed["routedTo"]["teamMemberIds"], json!([crew.bob.0]));
        let mut body = booking_body(event, &at(date, time), email);
        body["routing"] = json!({"responseId": routed["responseId"], "teamMemberIds": routed["routedTo"]["teamMemberIds"]});
        let booked = data(book(&app, body.clone()).await, 201).await;
        assert_eq!(hosts_of(&booked), vec![crew.bob.0], "{booked}");
        // The response now names its booking, and cannot be booked twice.
        let responses = format!("{base}/{form_id}/responses");
        let listed = data(
            app.call(Method::GET, &responses, Some(&crew.ada.2), None)
                .await,
            200,
        )
        .await;
        assert_eq!(listed[0]["bookingUid"], booked["uid"], "{listed}");
        body["start"] = json!(at(date, "14:00"));
        let again = assert_error(book(&app, body).await, 400, "BadRequestException").await;
        assert!(again.starts_with("routing.responseId:"), "{again}");
    }
    // Bob is busy at 10:00: a booking routed to him alone is refused there.
    let mut busy = booking_body(event, &ten, "late@x.example");
    busy["routing"] = json!({"teamMemberIds": [crew.bob.0]});
    assert_error(book(&app, busy).await, 409, "ConflictException").await;
    let mut unknown = booking_body(event, &at(date, "15:00"), "u@x.example");
    unknown["routing"] = json!({"teamMemberIds": [999_999]});
    let m = assert_error(book(&app, unknown).await, 400, "BadRequestException").await;
    assert!(m.starts_with("routing.teamMemberIds:"), "{m}");

    // Bob leaves the event type: the route now sends to all its hosts.
    let hosts = json!({"hosts": [{"userId": crew.ada.0}, {"userId": crew.cat.0}]});
    let event_path = format!("/v2/teams/{}/event-types/{event}", crew.team);
    data(
        app.call(Method::PATCH, &event_path, Some(&crew.ada.2), Some(hosts))
            .await,
        200,
    )
    .await;
    let routed = data(
        submit(
            &app,
            form_id,
            json!({"size": "Large", "email": "z@x.example"}),
        )
        .await,
        201,
    )
    .await;
    assert!(
        routed["routedTo"].get("teamMemberIds").is_none(),
        "{routed}"
    );
    let url = routed["routedTo"]["bookingUrl"].as_str().unwrap();
    assert!(!url.contains("routedTeamMemberIds"), "{url}");
}

#[tokio::test]
async fn form_webhooks_fire_on_submission_and_when_no_booking_follows() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let (key, event, _) = host(&app, "ada@formhooks.example", json!({})).await;
    subscribe(
        &app,
        &key,
        &receiver.url,
        &["FORM_SUBMITTED", "FORM_SUBMITTED_NO_EVENT"],
        "s3cret",
    )
    .await;
    let id = create(&app, &key, "/v2/routing-forms", form(event, None)).await["id"]
        .as_i64()
        .unwrap();
    let booked = data(
        submit(&app, id, json!({"size": "Large", "email": "b@x.example"})).await,
        201,
    )
    .await;
    let unbooked = data(
        submit(&app, id, json!({"size": "Small", "email": "u@x.example"})).await,
        201,
    )
    .await;
    let hits = receiver
        .wait_for("two FORM_SUBMITTED", |h| h.len() >= 2)
        .await;
    let first = hits[0].json();
    assert_eq!(first["triggerEvent"], "FORM_SUBMITTED", "{first}");
    assert_eq!(first["size"], "Large", "answers at the top level: {first}");
    assert_eq!(first["email"], "b@x.example");
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["size", "email", "triggerEvent", "createdAt", "payload"],
        "{first}"
    );
    assert_eq!(first["payload"]["formId"], id);
    assert_eq!(first["payload"]["formName"], "Intake");
    assert_eq!(
        first["payload"]["responses"]["size"],
        json!({"value": "Large", "response": "Large"})
    );
    assert!(!hits[0].header("x-cal-signature-256").is_empty());

    // One of the two is booked; 15 minutes on, only the other fires FORM_SUBMITTED_NO_EVENT.
    let mut body = booking_body(event, &at(day(6), "10:00"), "b@x.example");
    body["routing"] = json!({"responseId": booked["responseId"]});
    data(book(&app, body).await, 201).await;
    app.clock.advance(chrono::Duration::minutes(16));
    let hits = receiver
        .wait_for("FORM_SUBMITTED_NO_EVENT", |h| h.len() >= 3)
        .await;
    let late = hits[2].json();
    assert_eq!(late["triggerEvent"], "FORM_SUBMITTED_NO_EVENT", "{late}");
    assert_eq!(
        late["payload"]["responseId"], unbooked["responseId"],
        "{late}"
    );
    assert_eq!(late["email"], "u@x.example");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(
        receiver.hits().len(),
        3,
        "the booked response fires nothing more"
    );
}

#[tokio::test]
async fn the_hosted_form_sends_the_booker_where_the_route_says() {
    let app = spawn_app().await;
    let crew = crew(&app, "hosted").await;
    let event = round_robin(&app, &crew).await;
    let base = format!("/v2/teams/{}/routing-forms", crew.team);
    let id = create(
        &app,
        &crew.ada.2,
        &base,
        form(event, Some(vec![crew.bob.0])),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let date = day(8);
    data(
        book(
            &app,
            booking_body(crew.bob.1, &at(date, "10:00"), "b@x.example"),
        )
        .await,
        201,
    )
    .await;

    let page = app.get(&format!("/forms/{id}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Intake</h1>"), "{html}");
    assert!(
        html.contains("<option value=\"Large\">Large</option>"),
        "{html}"
    );
    assert!(html.contains(&format!("action=\"/forms/{id}?\"")), "{html}");

    let form_path = format!("/forms/{id}");
    let missing = post_form(&app, &form_path, &[("email", "g@x.example")]).await;
    assert_eq!(missing.status(), 422);
    let html = missing.text().await.unwrap();
    assert!(html.contains("id=\"field-size-error\""), "{html}");
    assert!(html.contains("Team size&#34; is required"), "{html}");
    let thanks = post_form(
        &app,
        &form_path,
        &[("size", "Small"), ("email", "g@x.example")],
    )
    .await;
    assert_eq!(thanks.status(), 200);
    assert!(
        thanks
            .text()
            .await
            .unwrap()
            .contains("Thanks, we will write to you.")
    );
    let away = post_form(
        &app,
        &form_path,
        &[
            ("size", "Small"),
            ("company", "acme"),
            ("email", "g@x.example"),
        ],
    )
    .await;
    assert_eq!(away.status(), 303);
    assert_eq!(away.headers()["location"], "https://acme.example/sales");

    // To the booking page, whose times are Bob's alone: he is busy at 10:00, the others not.
    let routed = post_form(
        &app,
        &form_path,
        &[("size", "Large"), ("email", "g@x.example")],
    )
    .await;
    assert_eq!(routed.status(), 303);
    let location = routed.headers()["location"].to_str().unwrap().to_owned();
    let path = location.trim_start_matches(&app.address).to_owned();
    assert!(
        path.starts_with("/team/hosted/demo?cal.routingFormResponseId="),
        "{path}"
    );
    let ten = format!("{date}T10:00:00Z");
    assert!(
        day_view(&app, date, "").await.contains(&ten),
        "Ada and Cat are free at 10:00"
    );
    let narrowed = day_view(&app, date, path.split_once('?').unwrap().1).await;
    assert!(
        !narrowed.is_empty() && !narrowed.contains(&ten),
        "{narrowed:?}"
    );
    // Booked on that page: Bob's, and recorded on the response.
    let step = format!("{path}&tz=UTC&date={date}&slot={date}T11:00:00Z");
    let slot = format!("{date}T11:00:00Z");
    let form = [
        ("slot", slot.as_str()),
        ("name", "Grace Hopper"),
        ("email", "g@x.example"),
    ];
    let booked = post_form(&app, &step, &form).await;
    assert_eq!(booked.status(), 303, "{}", booked.text().await.unwrap());
    let responses = format!("{base}/{id}/responses");
    let listed = data(
        app.call(Method::GET, &responses, Some(&crew.ada.2), None)
            .await,
        200,
    )
    .await;
    let uid = listed[0]["bookingUid"]
        .as_str()
        .expect("the booking is on the response");
    let booking = crate::helpers::booking_of(&app, &crew.ada.2, uid).await;
    assert_eq!(hosts_of(&booking), vec![crew.bob.0], "{booking}");
    let refused = app
        .get("/team/hosted/demo?cal.routedTeamMemberIds=999999")
        .await;
    assert_eq!(refused.status(), 400);

    // Inside an embed: the form's embed address, and the booking page's.
    let embed = format!("/forms/{id}/embed?embed=ns");
    let framed = app.get(&embed).await;
    assert_eq!(framed.status(), 200);
    assert!(
        framed.headers().get("x-frame-options").is_none(),
        "the embed form may be framed"
    );
    assert!(framed.text().await.unwrap().contains("/embed/iframe.js"));
    let own = app.get(&format!("/forms/{id}")).await;
    assert_eq!(own.headers()["x-frame-options"], "DENY");
    let routed = post_form(&app, &embed, &[("size", "Large"), ("email", "g@x.example")]).await;
    let location = routed.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains("/team/hosted/demo/embed?embed=ns&cal.routingFormResponseId="),
        "{location}"
    );
    assert_eq!(app.get("/forms/999999").await.status(), 404);
}

/// The times the team booking page offers on `date` (UTC), with `query` added.
async fn day_view(app: &TestApp, date: chrono::NaiveDate, query: &str) -> Vec<String> {
    let month = date.format("%Y-%m");
    let path = format!("/team/hosted/demo?{query}&tz=UTC&month={month}&date={date}");
    let html = app.get(&path).await.text().await.unwrap();
    crate::pages::attribute_values(&html, "data-slot")
}

#[tokio::test]
async fn a_team_forms_submissions_go_to_its_admins_subscriptions_only() {
    let app = spawn_app().await;
    let crew = crew(&app, "teamhooks").await;
    let event = round_robin(&app, &crew).await;
    let (admin, member) = (Receiver::start().await, Receiver::start().await);
    subscribe(&app, &crew.ada.2, &admin.url, &["FORM_SUBMITTED"], "a").await;
    subscribe(&app, &crew.bob.2, &member.url, &["FORM_SUBMITTED"], "b").await;
    let base = format!("/v2/teams/{}/routing-forms", crew.team);
    let id = create(&app, &crew.ada.2, &base, form(event, None)).await["id"]
        .as_i64()
        .unwrap();
    data(
        submit(&app, id, json!({"size": "Small", "email": "g@x.example"})).await,
        201,
    )
    .await;
    let hits = admin
        .wait_for("FORM_SUBMITTED to the owner", |h| !h.is_empty())
        .await;
    assert_eq!(hits[0].json()["payload"]["teamId"], crew.team);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert!(
        member.hits().is_empty(),
        "a member who is not an admin hears nothing"
    );
}
