//! Round-robin host groups (Cal.com's `hostGroups` and hosts' `groupId`): a slot needs a free
//! host of every group, a booking gets one host per group, and groups are the team's alone.

use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{at, book, booking_body, day, host, slot_starts};
use crate::helpers::{TestApp, assert_error, data, spawn_app};

/// A team owned by Ada with Bob and Cat as accepted members; each has a personal event type
/// and is free every day 09:00-17:00 UTC. Returns the team id, Ada's key, and per person
/// (user id, personal event type id, key).
pub(crate) struct Crew {
    pub(crate) team: i64,
    pub(crate) ada: (i64, i64, String),
    pub(crate) bob: (i64, i64, String),
    pub(crate) cat: (i64, i64, String),
}

pub(crate) async fn crew(app: &TestApp, slug: &str) -> Crew {
    let mut people = Vec::new();
    for name in ["ada", "bob", "cat"] {
        let (key, event, id) = host(app, &format!("{name}@{slug}.example"), json!({})).await;
        people.push((id, event, key));
    }
    let owner = people[0].2.clone();
    let team = data(
        app.call(
            Method::POST,
            "/v2/teams",
            Some(&owner),
            Some(json!({"name": slug})),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    for (id, _, key) in &people[1..] {
        let invite = data(
            app.call(
                Method::POST,
                &format!("/v2/teams/{team}/memberships"),
                Some(&owner),
                Some(json!({"userId": id})),
            )
            .await,
            201,
        )
        .await;
        data(
            app.call(
                Method::PATCH,
                &format!("/v2/teams/{team}/memberships/{}", invite["id"]),
                Some(key),
                Some(json!({"accepted": true})),
            )
            .await,
            200,
        )
        .await;
    }
    let cat = people.pop().unwrap();
    let bob = people.pop().unwrap();
    let ada = people.pop().unwrap();
    Crew {
        team,
        ada,
        bob,
        cat,
    }
}

/// A round-robin event type: Ada alone in group "sales", Bob and Cat in group "tech".
fn grouped_event(crew: &Crew) -> Value {
    json!({
        "title": "Demo", "slug": "demo", "lengthInMinutes": 30, "minimumBookingNotice": 0,
        "schedulingType": "ROUND_ROBIN",
        "hostGroups": [{"id": "sales", "name": "Sales"}, {"id": "tech", "name": "Tech"}],
        "hosts": [
            {"userId": crew.ada.0, "groupId": "sales"},
            {"userId": crew.bob.0, "groupId": "tech"},
            {"userId": crew.cat.0, "groupId": "tech"},
        ],
    })
}

pub(crate) async fn create(app: &TestApp, crew: &Crew, body: Value) -> reqwest::Response {
    app.call(
        Method::POST,
        &format!("/v2/teams/{}/event-types", crew.team),
        Some(&crew.ada.2),
        Some(body),
    )
    .await
}

fn host_ids(booking: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = booking["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn a_slot_needs_a_free_host_of_each_group_and_a_booking_gets_one_per_group() {
    let app = spawn_app().await;
    let crew = crew(&app, "groups").await;
    let created = data(create(&app, &crew, grouped_event(&crew)).await, 201).await;
    let event = created["id"].as_i64().unwrap();
    let names: Vec<&Value> = (created["hostGroups"].as_array().unwrap().iter())
        .map(|g| &g["name"])
        .collect();
    assert_eq!(names, [&json!("Sales"), &json!("Tech")], "{created}");
    let tech = group_id(&created, "Tech");
    // The request's labels are not stored: new groups get UUIDs, and the hosts follow them.
    assert!(uuid::Uuid::parse_str(&tech).is_ok(), "{created}");
    let groups: Vec<(i64, Value)> = created["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["userId"].as_i64().unwrap(), h["groupId"].clone()))
        .collect();
    assert!(groups.contains(&(crew.bob.0, json!(tech))), "{created}");
    assert!(groups.contains(&(crew.cat.0, json!(tech))), "{created}");
    let sales = group_id(&created, "Sales");
    assert!(groups.contains(&(crew.ada.0, json!(sales))), "{created}");

    let date = day(12);
    // Bob and Cat (all of "tech") are booked at 10:00 on their own event types: no team slot
    // then, though Ada ("sales") is free.
    for (who, email) in [(&crew.bob, "b@x.example"), (&crew.cat, "c@x.example")] {
        data(
            book(&app, booking_body(who.1, &at(date, "10:00"), email)).await,
            201,
        )
        .await;
    }
    let starts = slot_starts(&app, event, date).await;
    assert!(
        starts
            .iter()
            .any(|s| s.starts_with(&at(date, "09:00")[..16]))
    );
    assert!(
        !starts
            .iter()
            .any(|s| s.starts_with(&at(date, "10:00")[..16]))
    );
    assert!(
        starts
            .iter()
            .any(|s| s.starts_with(&at(date, "10:30")[..16]))
    );

    // One host of each group: Ada and one of Bob or Cat.
    let first = data(
        book(
            &app,
            booking_body(event, &at(date, "09:00"), "g1@x.example"),
        )
        .await,
        201,
    )
    .await;
    let hosts = host_ids(&first);
    assert_eq!(hosts.len(), 2, "{first}");
    assert!(hosts.contains(&crew.ada.0));
    assert!(hosts.contains(&crew.bob.0) || hosts.contains(&crew.cat.0));
    let reason = &first["assignmentReason"];
    assert_eq!(reason["groups"].as_array().unwrap().len(), 2, "{first}");
    // "sales" has nobody left at 09:00 while "tech" still has a free host: taken.
    assert_error(
        book(
            &app,
            booking_body(event, &at(date, "09:00"), "g2@x.example"),
        )
        .await,
        409,
        "ConflictException",
    )
    .await;
    // A booking's every host holds the time: the chosen tech host has no 09:00 slot left.
    let tech = *hosts.iter().find(|h| **h != crew.ada.0).unwrap();
    let tech_event = if tech == crew.bob.0 {
        crew.bob.1
    } else {
        crew.cat.1
    };
    assert!(
        !slot_starts(&app, tech_event, date)
            .await
            .iter()
            .any(|s| s.starts_with(&at(date, "09:00")[..16]))
    );
}

#[tokio::test]
async fn groups_are_validated_updated_and_the_teams_alone() {
    let app = spawn_app().await;
    let crew = crew(&app, "checks").await;
    // Groups on a collective event type, and a host in a group the event type does not have.
    let mut collective = grouped_event(&crew);
    collective["schedulingType"] = json!("COLLECTIVE");
    collective["hosts"] = json!([{"userId": crew.ada.0}]);
    let message = assert_error(
        create(&app, &crew, collective).await,
        400,
        "BadRequestException",
    )
    .await;
    assert!(message.starts_with("hostGroups"), "{message}");
    let mut unknown = grouped_event(&crew);
    unknown["hosts"][2]["groupId"] = json!("support");
    let message = assert_error(
        create(&app, &crew, unknown).await,
        400,
        "BadRequestException",
    )
    .await;
    assert!(message.starts_with("hosts[2].groupId"), "{message}");
    assert!(message.contains("support"), "{message}");

    let created = data(create(&app, &crew, grouped_event(&crew)).await, 201).await;
    let event = created["id"].as_i64().unwrap();
    let tech = group_id(&created, "Tech");
    let path = format!("/v2/teams/{}/event-types/{event}", crew.team);
    // Renaming "Tech" (by its stored id) and removing "Sales": Ada returns to the default group.
    let updated = data(
        app.call(
            Method::PATCH,
            &path,
            Some(&crew.ada.2),
            Some(json!({"hostGroups": [{"id": tech, "name": "Engineers"}]})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        updated["hostGroups"],
        json!([{"id": tech, "name": "Engineers"}])
    );
    let ada = updated["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["userId"] == crew.ada.0)
        .unwrap()
        .clone();
    assert_eq!(ada["groupId"], Value::Null, "{updated}");

    // Another team's admin neither reads nor changes the groups; sending our group's id makes
    // them a new group of their own (not an error that would tell them the id exists).
    let other = crew_of_one(&app).await;
    for method in [Method::GET, Method::PATCH] {
        let body = (method == Method::PATCH).then(|| json!({"hostGroups": []}));
        assert_error(
            app.call(method, &path, Some(&other.1), body).await,
            404,
            "NotFoundException",
        )
        .await;
    }
    let theirs = json!({
        "title": "Theirs", "slug": "theirs", "lengthInMinutes": 30,
        "schedulingType": "ROUND_ROBIN", "hostGroups": [{"id": tech, "name": "Mine now"}],
        "hosts": [{"userId": other.2, "groupId": tech}],
    });
    let theirs = data(
        app.call(
            Method::POST,
            &format!("/v2/teams/{}/event-types", other.0),
            Some(&other.1),
            Some(theirs),
        )
        .await,
        201,
    )
    .await;
    let their_group = group_id(&theirs, "Mine now");
    assert_ne!(their_group, tech, "{theirs}");
    assert_eq!(
        theirs["hosts"][0]["groupId"],
        json!(their_group),
        "{theirs}"
    );
    let kept = data(
        app.call(Method::GET, &path, Some(&crew.ada.2), None).await,
        200,
    )
    .await;
    assert_eq!(
        kept["hostGroups"],
        json!([{"id": tech, "name": "Engineers"}])
    );
}

/// The stored id of the group named `name` in an event type's answer.
fn group_id(event: &Value, name: &str) -> String {
    let groups = event["hostGroups"].as_array().unwrap();
    let group = groups.iter().find(|g| g["name"] == name);
    group.unwrap_or_else(|| panic!("no group {name}: {event}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A second team with its own owner: (team id, key, user id).
async fn crew_of_one(app: &TestApp) -> (i64, String, i64) {
    let (key, _, id) = host(app, "eve@elsewhere.example", json!({})).await;
    let team = data(
        app.call(
            Method::POST,
            "/v2/teams",
            Some(&key),
            Some(json!({"name": "Elsewhere"})),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    (team, key, id)
}
