//! The booking form's proof of work (`KAIROS_BOOKING_PROOF_OF_WORK`) over HTTP: a form posted
//! without a solution, with a forged or a replayed one is refused and books nothing; a solved
//! challenge books once, and a double submit of the same form shows the same booking.
//! `browser.rs` solves it with the page's own script in Chromium.

use reqwest::Method as M;
use serde_json::json;

use crate::helpers::{TestApp, TestDatabase, data, spawn_app_with};
use crate::pages::{ahead, attribute_values, host_with_event, post_form};

async fn app_with_proof_of_work() -> TestApp {
    let database = TestDatabase::new().await;
    let mut config = database.config();
    config.booking_proof_of_work = 3000;
    spawn_app_with(config, database).await
}

/// The challenge the form step carries, as the page's script reads it.
async fn challenge(app: &TestApp, step: &str) -> kairos::pow::Challenge {
    let html = app.get(step).await.text().await.unwrap();
    let one = |name: &str| {
        let values = attribute_values(&html, &format!("data-pow-{name}"));
        assert_eq!(values.len(), 1, "one data-pow-{name} in {html}");
        values[0].clone()
    };
    assert!(
        html.contains("src=\"/static/pow.js\""),
        "the solver is loaded"
    );
    kairos::pow::Challenge {
        algorithm: one("algorithm"),
        challenge: one("challenge"),
        maxnumber: one("max").parse().unwrap(),
        salt: one("salt"),
        signature: one("signature"),
    }
}

async fn bookings(app: &TestApp, key: &str) -> usize {
    let all = data(app.call(M::GET, "/v2/bookings", Some(key), None).await, 200).await;
    all.as_array().unwrap().len()
}

#[tokio::test]
async fn the_form_books_only_with_a_fresh_solved_challenge() {
    let app = app_with_proof_of_work().await;
    let (key, _) = host_with_event(&app, json!({})).await;
    let (date, month) = ahead(20);
    let slot = format!("{date}T10:00:00Z");
    let step = format!("/ada/intro?tz=UTC&month={month}&date={date}&slot={slot}");
    let form = |pow: &str, email: &str, nonce: &str| {
        vec![
            ("slot".to_owned(), slot.clone()),
            ("nonce".to_owned(), nonce.to_owned()),
            ("name".to_owned(), "Grace Hopper".to_owned()),
            ("email".to_owned(), email.to_owned()),
            ("pow".to_owned(), pow.to_owned()),
        ]
    };
    let post = async |fields: Vec<(String, String)>| {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (&**k, &**v)).collect();
        post_form(&app, &step, &pairs).await
    };

    // No solution (a script without JavaScript, or a bot): the form again, nothing booked.
    let refused = post(form("", "grace@example.com", "n1")).await;
    assert_eq!(refused.status().as_u16(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("JavaScript is on"), "{html}");
    assert!(html.contains("data-pow-challenge"), "a fresh challenge");
    assert!(html.contains("value=\"grace@example.com\""), "answers kept");

    // A solution signed by another instance's key is refused.
    let other = kairos::pow::ProofOfWork::new("another instance's secret key, 32 chars", 3000);
    let forged = kairos::pow::solve(&other.issue(chrono::Utc::now().timestamp())).unwrap();
    let response = post(form(&forged, "grace@example.com", "n1")).await;
    assert_eq!(response.status().as_u16(), 422);
    assert_eq!(bookings(&app, &key).await, 0);

    // Solved: booked; the same form again (a double submit) shows the same booking.
    let solved = kairos::pow::solve(&challenge(&app, &step).await).expect("solvable");
    let booked = post(form(&solved, "grace@example.com", "n2")).await;
    assert_eq!(booked.status().as_u16(), 303);
    let again = post(form(&solved, "grace@example.com", "n2")).await;
    assert_eq!(again.status().as_u16(), 303);
    assert_eq!(
        booked.headers()["location"],
        again.headers()["location"],
        "the double submit shows the first booking"
    );
    assert_eq!(bookings(&app, &key).await, 1);

    // The same solution on another form (another booker) is spent.
    let (date, month) = ahead(21);
    let slot = format!("{date}T11:00:00Z");
    let step = format!("/ada/intro?tz=UTC&month={month}&date={date}&slot={slot}");
    let replay = [
        ("slot", slot.as_str()),
        ("nonce", "n3"),
        ("name", "Mallory"),
        ("email", "mallory@example.com"),
        ("pow", solved.as_str()),
    ];
    let response = post_form(&app, &step, &replay).await;
    assert_eq!(response.status().as_u16(), 422);
    assert_eq!(bookings(&app, &key).await, 1);
}
