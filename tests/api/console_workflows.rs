//! The console's workflow pages: what they save is the API's workflow (the same use cases),
//! a step's preview renders its message without saving, a team's workflow is not a plain
//! member's to see or change, and a form without its CSRF token is refused.

use reqwest::Method as M;
use serde_json::{Value, json};

use crate::bookings::host;
use crate::console::{Visitor, give_password, location};
use crate::helpers::data;
use crate::helpers::spawn_app;

/// The workflow id a create's redirect names.
fn created_id(response: &reqwest::Response) -> i64 {
    assert_eq!(response.status(), 303, "the workflow was created");
    let to = location(response);
    let rest = to.strip_prefix("/workflows/").unwrap();
    rest.split('?').next().unwrap().parse().unwrap()
}

/// The form of a one-step workflow on `event`: an email to the attendees `offset` hours
/// before, in the step's own words.
fn one_step(event: &str, offset: &str) -> Vec<(&'static str, String)> {
    [
        ("name", "Hour before"),
        ("trigger", "beforeEvent"),
        ("offset_value", offset),
        ("offset_unit", "hour"),
        ("event_types", event),
        ("format", "text"),
        ("action", "email_attendee"),
        ("send_to", ""),
        ("template", "custom"),
        ("subject", "Soon: {EVENT_NAME}"),
        ("body", "Hi {ATTENDEE_NAME}, see you at {EVENT_TIME}."),
        // The blank step the form always offers.
        ("format", "text"),
        ("action", ""),
        ("send_to", ""),
        ("template", "reminder"),
        ("subject", ""),
        ("body", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

fn borrowed<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn a_workflow_made_and_edited_in_the_console_is_the_apis() {
    let app = spawn_app().await;
    let (key, event, ada) = host(&app, "ada@example.com", json!({"title": "Intro"})).await;
    give_password(&app, ada).await;
    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;
    let new = visitor.page("/workflows/new", 200).await;
    assert!(
        new.contains(&format!("value=\"{event}\"")),
        "its event types offered"
    );
    assert!(new.contains("{ATTENDEE_NAME}"), "the variables listed");

    let event = event.to_string();
    let form = one_step(&event, "1");
    // A preview renders the step's message for a sample booking and saves nothing.
    let mut preview = borrowed(&form);
    preview.push(("preview", "0"));
    let shown = visitor
        .submit("/workflows/new", "/workflows/new", &preview)
        .await;
    assert_eq!(shown.status(), 200);
    let html = shown.text().await.unwrap();
    assert!(html.contains("Hi Alex Example, see you at"), "{html}");
    assert!(html.contains("id=\"preview-subject\">Soon: "), "{html}");
    let listed = data(
        app.call(M::GET, "/v2/workflows", Some(&key), None).await,
        200,
    )
    .await;
    assert_eq!(listed, json!([]));

    let made = visitor
        .submit("/workflows/new", "/workflows/new", &borrowed(&form))
        .await;
    let id = created_id(&made);
    let api = data(
        app.call(M::GET, &format!("/v2/workflows/{id}"), Some(&key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(
        api["trigger"],
        json!({"type": "beforeEvent", "offset": {"value": 1, "unit": "hour"}})
    );
    assert_eq!(
        api["activation"]["activeOnEventTypeIds"],
        json!([event.parse::<i64>().unwrap()])
    );
    assert_eq!(api["steps"].as_array().unwrap().len(), 1);
    assert_eq!(api["steps"][0]["message"]["subject"], "Soon: {EVENT_NAME}");
    assert!(
        visitor
            .page("/workflows", 200)
            .await
            .contains("Hour before")
    );

    // Edited: two hours before, and a second step texting a number.
    let page = format!("/workflows/{id}");
    let mut form = one_step(&event, "2");
    form.truncate(11);
    form.extend(
        [
            ("format", "text"),
            ("action", "sms_number"),
            ("send_to", "+1 415 555 0199"),
            ("template", "reminder"),
            ("subject", ""),
            ("body", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned())),
    );
    let saved = visitor.submit(&page, &page, &borrowed(&form)).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), format!("{page}?done=saved"));
    let api = data(
        app.call(
            M::GET,
            &page.replace("/workflows", "/v2/workflows"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(api["trigger"]["offset"]["value"], 2);
    assert_eq!(api["steps"][1]["action"], "sms_number");
    assert_eq!(api["steps"][1]["sendTo"], "+14155550199");
    // A bad number is refused at its step, the input kept, nothing saved.
    let bad: Vec<(&str, String)> = form
        .iter()
        .map(|(k, v)| {
            (
                *k,
                if v == "+1 415 555 0199" {
                    "555".to_owned()
                } else {
                    v.clone()
                },
            )
        })
        .collect();
    let refused = visitor.submit(&page, &page, &borrowed(&bad)).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("steps[1].sendTo"), "{html}");
    assert!(html.contains("role=\"alert\""));

    // Deleted.
    let deleted = visitor.submit(&page, &format!("{page}/delete"), &[]).await;
    assert_eq!(location(&deleted), "/workflows?done=deleted");
    let listed = data(
        app.call(M::GET, "/v2/workflows", Some(&key), None).await,
        200,
    )
    .await;
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn a_member_cannot_edit_a_teams_workflow_and_a_form_needs_its_token() {
    let app = spawn_app().await;
    let (ada_key, _, ada_id) = host(&app, "ada@example.com", json!({})).await;
    let (bob_key, _, bob) = host(&app, "bob@example.com", json!({})).await;
    give_password(&app, bob).await;
    let team = data(
        app.call(
            M::POST,
            "/v2/teams",
            Some(&ada_key),
            Some(json!({"name": "Sales", "slug": "sales"})),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let invite = data(
        app.call(
            M::POST,
            &format!("/v2/teams/{team}/memberships"),
            Some(&ada_key),
            Some(json!({"userId": bob})),
        )
        .await,
        201,
    )
    .await;
    let accept = format!("/v2/teams/{team}/memberships/{}", invite["id"]);
    data(
        app.call(
            M::PATCH,
            &accept,
            Some(&bob_key),
            Some(json!({"accepted": true})),
        )
        .await,
        200,
    )
    .await;
    let body = json!({"name": "Team reminder", "activation": {"isActiveOnAllEventTypes": true},
        "trigger": {"type": "beforeEvent", "offset": {"value": 1, "unit": "hour"}},
        "steps": [{"action": "email_attendee", "template": "reminder"}]});
    let made = data(
        app.call(
            M::POST,
            &format!("/v2/teams/{team}/workflows"),
            Some(&ada_key),
            Some(body),
        )
        .await,
        201,
    )
    .await;
    let id = made["id"].as_i64().unwrap();

    let mut bob_visitor = Visitor::signed_in(&app, "bob@example.com").await;
    // A plain member: neither the team's list, nor the workflow, nor a change to it.
    let list = bob_visitor.get(&format!("/workflows?team={team}")).await;
    assert_eq!(list.status(), 403);
    let page = format!("/workflows/{id}");
    assert_eq!(bob_visitor.get(&page).await.status(), 404);
    let form = one_step("", "5");
    let mut form = borrowed(&form);
    let team_field = team.to_string();
    form.push(("team", team_field.as_str()));
    let changed = bob_visitor.submit("/workflows", &page, &form).await;
    assert_eq!(changed.status(), 404);
    let deleted = bob_visitor
        .submit("/workflows", &format!("{page}/delete"), &[])
        .await;
    assert_eq!(deleted.status(), 404);
    let path = format!("/v2/teams/{team}/workflows/{id}");
    let api: Value = data(app.call(M::GET, &path, Some(&ada_key), None).await, 200).await;
    assert_eq!(api["name"], "Team reminder");
    assert_eq!(api["trigger"]["offset"]["value"], 1);

    // Ada, the team's owner, without the form's token: refused, nothing changed.
    give_password(&app, ada_id).await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    assert!(ada.page(&page, 200).await.contains("Team reminder"));
    let no_token = ada.post(&page, &form).await;
    assert_eq!(no_token.status(), 403);
    let wrong = [("_csrf", "0000")];
    assert_eq!(
        ada.post(&format!("{page}/delete"), &wrong).await.status(),
        403
    );
    let api: Value = data(app.call(M::GET, &path, Some(&ada_key), None).await, 200).await;
    assert_eq!(api["trigger"]["offset"]["value"], 1);
    // With it, the owner changes it.
    let saved = ada.submit(&page, &page, &form).await;
    assert_eq!(saved.status(), 303);
    let api: Value = data(app.call(M::GET, &path, Some(&ada_key), None).await, 200).await;
    assert_eq!(api["trigger"]["offset"]["value"], 5);
    assert_eq!(api["teamId"], team);
}
