//! Out of office through Cal.com's `/v2/me/ooo`: whole days in the caller's zone (no slots on
//! them), Cal.com's reasons, a teammate bookers are sent to, `OOO_CREATED` (signed, Cal.com's
//! `oooEntry`), listing in either order, partial changes, and refusals in Cal.com's envelope.

use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{day, host, slot_starts};
use crate::helpers::{assert_error, data, spawn_app, user_with_key};
use crate::webhooks::{Receiver, assert_signed};

#[tokio::test]
async fn a_host_is_out_of_office_on_whole_days_and_subscribers_hear_of_it() {
    let app = spawn_app().await;
    let (key, event, ada) = host(&app, "ada@example.com", json!({})).await;
    let receiver = Receiver::start().await;
    let hook =
        json!({"subscriberUrl": receiver.url, "secret": "ooo-s3cr3t", "triggers": ["OOO_CREATED"]});
    data(
        app.call(Method::POST, "/v2/webhooks", Some(&key), Some(hook))
            .await,
        201,
    )
    .await;
    assert!(!slot_starts(&app, event, day(6)).await.is_empty());

    let body = json!({"start": format!("{}T00:00:00.000Z", day(5)),
        "end": format!("{}T23:59:59.999Z", day(6)), "notes": "Skiing", "reason": "vacation"});
    let created = app.call(Method::POST, "/v2/me/ooo", Some(&key), Some(body));
    let created = data(created.await, 201).await;
    assert_eq!(created["userId"], ada);
    assert_eq!(
        created["start"],
        format!("{}T00:00:00.000Z", day(5)),
        "{created}"
    );
    assert_eq!(
        created["end"],
        format!("{}T23:59:59.999Z", day(6)),
        "{created}"
    );
    assert_eq!(created["reason"], "vacation");
    assert_eq!(created["notes"], "Skiing");
    assert!(created.get("toUserId").is_none(), "{created}");
    for n in [5, 6] {
        assert_eq!(
            slot_starts(&app, event, day(n)).await,
            Vec::<String>::new(),
            "day {n}"
        );
    }
    assert!(!slot_starts(&app, event, day(7)).await.is_empty());

    let hits = receiver.wait_for("OOO_CREATED", |h| !h.is_empty()).await;
    assert_signed(&hits[0], "ooo-s3cr3t");
    let sent = hits[0].json();
    assert_eq!(sent["triggerEvent"], "OOO_CREATED");
    let entry = &sent["payload"]["oooEntry"];
    assert_eq!(entry["id"], created["id"], "{sent}");
    assert_eq!(entry["reason"]["reason"], "ooo_reasons_vacation", "{sent}");
    assert_eq!(entry["user"]["email"], "ada@example.com");
    assert_eq!(entry["toUser"], Value::Null);
    assert_eq!(entry["notes"], "Skiing");

    // Only the notes change; the days stay.
    let path = format!("/v2/me/ooo/{}", created["id"]);
    let notes = json!({"notes": "Skiing in Austria"});
    let changed = data(
        app.call(Method::PATCH, &path, Some(&key), Some(notes))
            .await,
        200,
    )
    .await;
    assert_eq!(changed["notes"], "Skiing in Austria");
    assert_eq!(changed["start"], created["start"]);
    assert_eq!(changed["reason"], "vacation");

    // Someone else's period does not exist for them.
    let eve = user_with_key(&app, "eve@example.com", "UTC").await;
    let theirs = app.call(
        Method::PATCH,
        &path,
        Some(&eve),
        Some(json!({"notes": "x"})),
    );
    assert_error(theirs.await, 404, "NotFoundException").await;
    assert_error(
        app.call(Method::DELETE, &path, Some(&eve), None).await,
        404,
        "NotFoundException",
    )
    .await;
    let none = data(
        app.call(Method::GET, "/v2/me/ooo", Some(&eve), None).await,
        200,
    )
    .await;
    assert_eq!(none, json!([]));

    let gone = data(app.call(Method::DELETE, &path, Some(&key), None).await, 200).await;
    assert_eq!(gone["id"], created["id"]);
    assert_error(
        app.call(Method::DELETE, &path, Some(&key), None).await,
        404,
        "NotFoundException",
    )
    .await;
    assert!(!slot_starts(&app, event, day(5)).await.is_empty());
}

#[tokio::test]
async fn days_are_the_callers_own_lists_sort_and_bad_input_is_refused() {
    let app = spawn_app().await;
    let key = user_with_key(&app, "kai@example.com", "Europe/Berlin").await;
    let period = |from: &str, to: &str| json!({"start": format!("{from}T00:00:00.000Z"), "end": format!("{to}T23:59:59.999Z")});
    let summer = app.call(
        Method::POST,
        "/v2/me/ooo",
        Some(&key),
        Some(period("2030-07-01", "2030-07-03")),
    );
    let summer = data(summer.await, 201).await;
    // Berlin's midnight in summer is 22:00 UTC the day before.
    assert_eq!(summer["start"], "2030-06-30T22:00:00.000Z", "{summer}");
    assert_eq!(summer["end"], "2030-07-03T21:59:59.999Z", "{summer}");
    let winter = app.call(
        Method::POST,
        "/v2/me/ooo",
        Some(&key),
        Some(period("2030-01-10", "2030-01-10")),
    );
    let winter = data(winter.await, 201).await;
    assert_eq!(winter["start"], "2030-01-09T23:00:00.000Z", "{winter}");

    let ids = |list: &Value| -> Vec<i64> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect()
    };
    let (s, w) = (
        summer["id"].as_i64().unwrap(),
        winter["id"].as_i64().unwrap(),
    );
    let listed = data(
        app.call(Method::GET, "/v2/me/ooo", Some(&key), None).await,
        200,
    )
    .await;
    assert_eq!(ids(&listed), [w, s]);
    let desc = app.call(Method::GET, "/v2/me/ooo?sortStart=desc", Some(&key), None);
    assert_eq!(ids(&data(desc.await, 200).await), [s, w]);
    let page = app.call(Method::GET, "/v2/me/ooo?skip=1&take=1", Some(&key), None);
    assert_eq!(ids(&data(page.await, 200).await), [s]);

    for query in [
        "take=0",
        "take=251",
        "skip=-1",
        "sortStart=sideways",
        "sortEnd=up",
    ] {
        let path = format!("/v2/me/ooo?{query}");
        let answer = app.call(Method::GET, &path, Some(&key), None).await;
        assert_error(answer, 400, "BadRequestException").await;
    }
    let me = data(app.call(Method::GET, "/v2/me", Some(&key), None).await, 200).await;
    let mut bad_bodies = vec![
        json!({"end": "2030-07-03T00:00:00.000Z"}),
        json!({"start": "tomorrow", "end": "2030-07-03T00:00:00.000Z"}),
        json!({"start": "2030-07-05T00:00:00.000Z", "end": "2030-07-03T00:00:00.000Z"}),
        json!({"start": "2030-07-01T00:00:00.000Z", "end": "2032-07-03T00:00:00.000Z"}),
        json!({"start": "2030-07-01T00:00:00.000Z", "end": "2030-07-03T00:00:00.000Z", "reason": "bored"}),
        json!({"start": "2030-07-01T00:00:00.000Z", "end": "2030-07-03T00:00:00.000Z", "toUserId": me["id"]}),
    ];
    // Bookers are sent only to a teammate: a stranger is refused.
    let stranger = user_with_key(&app, "sam@example.com", "UTC").await;
    let sam = data(
        app.call(Method::GET, "/v2/me", Some(&stranger), None).await,
        200,
    )
    .await;
    bad_bodies.push(json!({"start": "2030-07-01T00:00:00.000Z", "end": "2030-07-03T00:00:00.000Z", "toUserId": sam["id"]}));
    for body in bad_bodies {
        let answer = app.call(Method::POST, "/v2/me/ooo", Some(&key), Some(body.clone()));
        assert_eq!(answer.await.status(), 400, "{body}");
    }
    let listed = data(
        app.call(Method::GET, "/v2/me/ooo", Some(&key), None).await,
        200,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 2, "nothing half-written");
}

#[tokio::test]
async fn bookers_may_be_sent_to_a_teammate() {
    let app = spawn_app().await;
    let crew = crate::host_groups::crew(&app, "away").await;
    let body = json!({"start": format!("{}T00:00:00.000Z", day(40)),
        "end": format!("{}T00:00:00.000Z", day(41)), "toUserId": crew.bob.0, "reason": "travel"});
    let created = app.call(Method::POST, "/v2/me/ooo", Some(&crew.ada.2), Some(body));
    let created = data(created.await, 201).await;
    assert_eq!(created["toUserId"], crew.bob.0, "{created}");
    assert_eq!(created["reason"], "travel");

    // Ada's booking page, in a month she is away in, sends bookers to Bob; other months not.
    let ada = data(
        app.call(Method::GET, "/v2/me", Some(&crew.ada.2), None)
            .await,
        200,
    )
    .await;
    let bob = data(
        app.call(Method::GET, "/v2/me", Some(&crew.bob.2), None)
            .await,
        200,
    )
    .await;
    let month = day(40).format("%Y-%m").to_string();
    let page = format!("/{}/call?month={month}", ada["username"].as_str().unwrap());
    let html = app.get(&page).await.text().await.unwrap();
    let link = format!(
        "href=\"/{}\" id=\"away-link\"",
        bob["username"].as_str().unwrap()
    );
    assert!(html.contains(&link), "{html}");
    assert!(html.contains("is away until"), "{html}");
    let later_month = day(130).format("%Y-%m").to_string();
    let later = app
        .get(&page.replace(&month, &later_month))
        .await
        .text()
        .await
        .unwrap();
    assert!(!later.contains("id=\"away\""), "{later}");
}
