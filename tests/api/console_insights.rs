//! The console's `/insights`: the same figures as the API, each chart's table and CSV, the
//! filter form, and another tenant's team or event type not found.

use serde_json::json;

use crate::bookings::{day, host};
use crate::console::{Visitor, give_password};
use crate::helpers::{data, spawn_app};
use crate::insights::{insights, seeded};

#[tokio::test]
async fn the_page_shows_the_apis_figures_with_tables_and_csv() {
    let app = spawn_app().await;
    let (key, event) = seeded(&app).await;
    let ada = data(
        app.call(reqwest::Method::GET, "/v2/me", Some(&key), None)
            .await,
        200,
    )
    .await;
    give_password(&app, ada["id"].as_i64().unwrap()).await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let period = format!("start={}&end={}", day(0), day(3));
    let api = data(
        insights(&app, &key, &format!("{period}&timeZone=UTC")).await,
        200,
    )
    .await;
    let html = ada.page(&format!("/insights?{period}"), 200).await;
    assert!(
        html.contains("aria-current=\"page\">Insights"),
        "the nav marks the page"
    );
    assert!(html.contains(&format!(
        "<dd id=\"insights-total\">{}</dd>",
        api["totals"]["total"]
    )));
    for chart in ["series", "hours", "conversion"] {
        assert!(html.contains(&format!(
            "<table class=\"insights-table\" id=\"table-{chart}\">"
        )));
        assert!(html.contains(&format!("role=\"img\" aria-labelledby=\"svg-{chart}\"")));
        assert!(
            html.contains(&format!("format=csv&amp;chart={chart}")),
            "{chart}"
        );
    }
    assert!(
        !html.contains("table-hosts"),
        "no host chart for one's own figures"
    );
    // The CSV of bookings over time: a header, then a line per day with the API's numbers.
    let csv = ada
        .get(&format!("/insights?{period}&format=csv&chart=series"))
        .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "From date,Bookings,Accepted,Unconfirmed,No-show,Cancelled,Rescheduled,Declined"
    );
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[3], format!("{},5,2,0,1,1,1,0", day(2)));
    let hours = ada
        .get(&format!("/insights?{period}&format=csv&chart=hours"))
        .await;
    let hours = hours.text().await.unwrap();
    assert!(
        hours.contains("09:00,1\r\n") && hours.contains("10:00,0\r\n"),
        "{hours}"
    );
    let conversion = ada
        .get(&format!("/insights?{period}&format=csv&chart=conversion"))
        .await;
    assert_eq!(
        conversion.text().await.unwrap(),
        "Event type,Page views,Bookings,Conversion\r\nCall,0,5,–\r\n"
    );
    // The event type's own figures, chosen in the form.
    let one = ada
        .page(&format!("/insights?{period}&scope=event:{event}"), 200)
        .await;
    assert!(one.contains(&format!(
        "<option value=\"event:{event}\" selected>Call</option>"
    )));
    // Bad input is a page saying why; an unknown chart too.
    let bad = ada.get("/insights?start=2026-02-30&end=2026-03-01").await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("start"));
    let bad = ada
        .get(&format!("/insights?{period}&format=csv&chart=pie"))
        .await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn another_tenants_event_type_and_team_are_not_found() {
    let app = spawn_app().await;
    let (_, event, ada) = host(&app, "ada@example.com", json!({})).await;
    let (_, _, bob) = host(&app, "bob@example.com", json!({})).await;
    give_password(&app, ada).await;
    give_password(&app, bob).await;
    let key = crate::helpers::new_key(&app.db, "ada@example.com").await.1;
    let team = data(
        app.call(
            reqwest::Method::POST,
            "/v2/teams",
            Some(&key),
            Some(json!({"name": "Crew"})),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let mut bob = Visitor::signed_in(&app, "bob@example.com").await;
    bob.page(&format!("/insights?scope=event:{event}"), 404)
        .await;
    bob.page(&format!("/insights?scope=team:{team}"), 404).await;
    bob.page(
        &format!("/insights?scope=event:{event}&format=csv&chart=series"),
        404,
    )
    .await;
    let own = bob.page("/insights", 200).await;
    assert!(!own.contains("Crew"), "another's team is not offered");
}
