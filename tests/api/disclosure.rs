//! What answers tell people who should not know: the public event-type lookup shows only what a
//! booker needs, and inviting a user id to a team does not reveal who that user is.

use reqwest::Method;
use serde_json::{Value, json};

use crate::event_types::person;
use crate::helpers::{assert_error, data, spawn_app};

#[tokio::test]
async fn the_public_event_type_lookup_carries_only_public_fields() {
    let app = spawn_app().await;
    let (_, key) = person(&app, "ada@example.com", "UTC").await;
    let private = json!({
        "title": "Board meeting", "slug": "board", "lengthInMinutes": 30, "hidden": true,
        "description": "Quarterly review",
        "metadata": {"internalCode": "project-falcon"},
        "successRedirectUrl": "https://crm.example.com/thanks?token=s3cr3t-token",
        "locations": [{"type": "address", "address": "12 Hidden Lane"},
                      {"type": "link", "link": "https://meet.example.com/room-77", "displayLocationPublicly": true}],
        "bookingFields": [{"type": "text", "slug": "company", "label": "Company", "required": true}],
        "bookingLimitsCount": {"day": 3},
        "customName": "Board with {Scheduler}"
    });
    data(
        app.call(Method::POST, "/v2/event-types", Some(&key), Some(private))
            .await,
        201,
    )
    .await;
    let path = "/v2/event-types?username=ada&eventSlug=board";
    let response = app.get(path).await;
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.unwrap();
    for secret in [
        "project-falcon",
        "s3cr3t-token",
        "crm.example.com",
        "12 Hidden Lane",
        "ada@example.com",
        "{Scheduler}",
    ] {
        assert!(
            !text.contains(secret),
            "{secret} in the public answer: {text}"
        );
    }
    let public: Value = serde_json::from_str(&text).unwrap();
    let event = &public["data"][0];
    for absent in [
        "metadata",
        "successRedirectUrl",
        "forwardParamsSuccessRedirect",
        "bookingLimitsCount",
        "customName",
        "hidden",
        "scheduleId",
    ] {
        assert!(event.get(absent).is_none(), "{absent}: {event}");
    }
    // What a booker needs is there.
    assert_eq!(event["title"], "Board meeting");
    assert_eq!(event["slug"], "board");
    assert_eq!(event["description"], "Quarterly review");
    assert_eq!(event["lengthInMinutes"], 30);
    assert!(
        event["bookingFields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["slug"] == "company")
    );
    assert_eq!(event["locations"][0], json!({"type": "address"}));
    assert_eq!(
        event["locations"][1]["link"], "https://meet.example.com/room-77",
        "a location the host shows publicly is shown"
    );
    assert_eq!(event["users"][0]["username"], "ada");
    assert!(event["users"][0].get("email").is_none(), "{event}");

    // The owner, with their key, sees everything.
    let own = data(app.get_with_key(path, &key).await, 200).await;
    assert_eq!(own[0]["metadata"]["internalCode"], "project-falcon");
    assert_eq!(
        own[0]["successRedirectUrl"],
        "https://crm.example.com/thanks?token=s3cr3t-token"
    );
    // Another user's key is no better than none.
    let (_, eve) = person(&app, "eve@example.com", "UTC").await;
    let seen = data(app.get_with_key(path, &eve).await, 200).await;
    assert!(seen[0].get("metadata").is_none(), "{seen}");
}

#[tokio::test]
async fn inviting_a_user_id_does_not_reveal_who_the_user_is() {
    let app = spawn_app().await;
    let (_, ada) = person(&app, "ada@example.com", "UTC").await;
    let (stranger_id, stranger) = person(&app, "zoe.stranger@example.com", "UTC").await;
    data(
        app.call(
            Method::PATCH,
            "/v2/me",
            Some(&stranger),
            Some(json!({"name": "Zoe Stranger"})),
        )
        .await,
        200,
    )
    .await;
    let team = data(
        app.call(
            Method::POST,
            "/v2/teams",
            Some(&ada),
            Some(json!({"name": "Probe"})),
        )
        .await,
        201,
    )
    .await;
    let members = format!("/v2/teams/{}/memberships", team["id"]);
    let response = app
        .call(
            Method::POST,
            &members,
            Some(&ada),
            Some(json!({"userId": stranger_id})),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let text = response.text().await.unwrap();
    for private in ["Zoe Stranger", "zoe.stranger", "zoe"] {
        assert!(!text.contains(private), "{private} revealed: {text}");
    }
    let invite: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(invite["data"]["userId"], stranger_id);
    assert_eq!(invite["data"]["accepted"], false);
    // Nor does the member list, or the membership itself, while the invitation is open.
    for path in [
        members.clone(),
        format!("{members}/{}", invite["data"]["id"]),
    ] {
        let listed = app.get_with_key(&path, &ada).await.text().await.unwrap();
        assert!(
            !listed.contains("Zoe") && !listed.contains("zoe"),
            "{listed}"
        );
    }
    // An id that is nobody's is refused without saying more than that.
    let message = assert_error(
        app.call(
            Method::POST,
            &members,
            Some(&ada),
            Some(json!({"userId": 999_999})),
        )
        .await,
        400,
        "BadRequestException",
    )
    .await;
    assert!(message.contains("userId"), "{message}");
    // Once Zoe accepts, her team mates see who she is.
    data(
        app.call(
            Method::PATCH,
            &format!("{members}/{}", invite["data"]["id"]),
            Some(&stranger),
            Some(json!({"accepted": true})),
        )
        .await,
        200,
    )
    .await;
    let listed = data(app.get_with_key(&members, &ada).await, 200).await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["user"]["name"] == "Zoe Stranger"),
        "{listed}"
    );
}
