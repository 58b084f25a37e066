//! `GET /metrics`: Prometheus' text format, scraped after a booking and a webhook delivery;
//! refused without the token; off unless configured; on its own address when asked.

use std::collections::BTreeMap;
use std::time::Duration;

use kairos::Application;
use reqwest::Method as M;
use serde_json::json;

use crate::helpers::{TestApp, TestDatabase, data, eventually, spawn_app, spawn_app_with};
use crate::pages::{booked, host_with_event};
use crate::webhooks::Receiver;

const TOKEN: &str = "metrics-token-0123456789";

/// One sample: name, labels, value.
type Sample = (String, BTreeMap<String, String>, f64);

/// Parses the exposition, checking its format as it goes: every sample belongs to a family
/// announced by `# TYPE` before it, and names, labels and values read.
fn parse(text: &str) -> (BTreeMap<String, String>, Vec<Sample>) {
    let mut types = BTreeMap::new();
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            assert!(
                types.insert(name.to_owned(), kind.to_owned()).is_none(),
                "{line}"
            );
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        assert!(
            !line.is_empty() && !line.starts_with('#'),
            "stray line `{line}`"
        );
        let (series, value) = line.rsplit_once(' ').expect("series value");
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("{line}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').unwrap_or_else(|| panic!("{line}"));
                let labels = body
                    .split("\",")
                    .map(|pair| {
                        let (k, v) = pair.split_once("=\"").unwrap_or_else(|| panic!("{line}"));
                        (k.to_owned(), v.trim_end_matches('"').to_owned())
                    })
                    .collect();
                (name.to_owned(), labels)
            }
            None => (series.to_owned(), BTreeMap::new()),
        };
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{line}"
        );
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|f| types.get(*f).is_some_and(|k| k == "histogram"))
            })
            .unwrap_or(&name);
        assert!(types.contains_key(family), "no # TYPE before {line}");
        samples.push((name, labels, value));
    }
    (types, samples)
}

/// The value of the sample `name` whose labels include `with`, if there is one.
fn value(samples: &[Sample], name: &str, with: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|(n, labels, _)| {
            n == name
                && with
                    .iter()
                    .all(|(k, v)| labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, _, v)| *v)
}

async fn scrape(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(format!("{}/metrics", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

async fn samples(app: &TestApp) -> (BTreeMap<String, String>, Vec<Sample>) {
    let response = scrape(app, Some(TOKEN)).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    parse(&response.text().await.unwrap())
}

#[tokio::test]
async fn metrics_count_requests_bookings_and_deliveries() {
    let database = TestDatabase::new().await;
    let config = kairos::config::Config {
        metrics_token: Some(kairos::config::Secret::new(TOKEN.into())),
        ..database.config()
    };
    let app = spawn_app_with(config, database).await;
    let (key, event) = host_with_event(&app, json!({})).await;
    let receiver = Receiver::start().await;
    data(
        app.call(
            M::POST,
            "/v2/webhooks",
            Some(&key),
            Some(json!({"subscriberUrl": receiver.url, "triggers": ["BOOKING_CREATED"]})),
        )
        .await,
        201,
    )
    .await;
    let bookings = [
        ("method", "POST"),
        ("route", "/v2/bookings"),
        ("status", "201"),
    ];
    let (_, before) = samples(&app).await;
    let created_before = value(&before, "kairos_http_requests_total", &bookings).unwrap_or(0.0);

    let day = (chrono::Utc::now() + chrono::Duration::days(20)).date_naive();
    let uid = booked(&app, event, &format!("{day}T10:00:00Z"), "UTC").await;
    assert_eq!(app.get(&format!("/booking/{uid}")).await.status(), 200);
    receiver
        .wait_for("the booking's delivery", |hits| !hits.is_empty())
        .await;
    // The delivery's outcome is recorded just after the receiver answers.
    let delivered = [("status", "delivered")];
    let (types, after) = eventually(
        "the delivery in the metrics",
        Duration::from_secs(5),
        async || {
            let scraped = samples(&app).await;
            value(&scraped.1, "kairos_webhook_deliveries", &delivered).map(|_| scraped)
        },
    )
    .await;

    assert_eq!(
        value(&after, "kairos_http_requests_total", &bookings),
        Some(created_before + 1.0)
    );
    // The route pattern, never the booking's uid.
    let page = [
        ("method", "GET"),
        ("route", "/booking/{uid}"),
        ("status", "200"),
    ];
    assert_eq!(
        value(&after, "kairos_http_requests_total", &page),
        Some(1.0)
    );
    assert!(
        after
            .iter()
            .all(|(_, labels, _)| labels.values().all(|v| !v.contains(&uid)))
    );

    assert_eq!(types["kairos_http_request_duration_seconds"], "histogram");
    let route = [("method", "POST"), ("route", "/v2/bookings")];
    let buckets: Vec<(f64, f64)> = after
        .iter()
        .filter(|(n, labels, _)| {
            n == "kairos_http_request_duration_seconds_bucket"
                && route.iter().all(|(k, v)| labels[*k] == *v)
        })
        .map(|(_, labels, v)| {
            let le = labels["le"].as_str();
            (
                if le == "+Inf" {
                    f64::INFINITY
                } else {
                    le.parse().unwrap()
                },
                *v,
            )
        })
        .collect();
    assert!(buckets.len() > 5, "{buckets:?}");
    assert!(
        buckets
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
        "cumulative: {buckets:?}"
    );
    let count = value(&after, "kairos_http_request_duration_seconds_count", &route).unwrap();
    assert_eq!(buckets.last().unwrap(), &(f64::INFINITY, count));
    assert!(count >= 1.0);

    assert_eq!(types["kairos_booking_changes_total"], "counter");
    let created = [("action", "created")];
    assert_eq!(
        value(&after, "kairos_booking_changes_total", &created),
        Some(1.0)
    );
    assert_eq!(
        value(&after, "kairos_webhook_deliveries", &delivered),
        Some(1.0)
    );
    assert_eq!(types["kairos_job_attempts_total"], "counter");
    let sent = [("queue", "webhook"), ("outcome", "done")];
    assert_eq!(value(&after, "kairos_job_attempts_total", &sent), Some(1.0));
    let given_up = [("queue", "webhook"), ("outcome", "dead")];
    assert_eq!(
        value(&after, "kairos_job_attempts_total", &given_up),
        Some(0.0)
    );
    assert_eq!(types["kairos_queue_depth"], "gauge");
    let webhook = [("queue", "webhook")];
    assert_eq!(value(&after, "kairos_queue_depth", &webhook), Some(0.0));
    assert_eq!(
        value(&after, "kairos_queue_lag_seconds", &webhook),
        Some(0.0)
    );
    assert_eq!(value(&after, "kairos_database_up", &[]), Some(1.0));
    assert_eq!(
        value(&after, "kairos_db_pool_max_connections", &[]),
        Some(5.0)
    );
    assert!(value(&after, "kairos_db_pool_open_connections", &[]).unwrap() >= 1.0);

    // Without the token, or with another, nothing.
    assert_eq!(scrape(&app, None).await.status(), 401);
    assert_eq!(
        scrape(&app, Some("metrics-token-0123456780"))
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn due_work_shows_as_queue_depth_and_lag() {
    let database = TestDatabase::new().await;
    let config = kairos::config::Config {
        metrics_token: Some(kairos::config::Secret::new(TOKEN.into())),
        webhook_worker: false,
        ..database.config()
    };
    let app = spawn_app_with(config, database).await;
    let (key, event) = host_with_event(&app, json!({})).await;
    data(
        app.call(
            M::POST,
            "/v2/webhooks",
            Some(&key),
            Some(json!({"subscriberUrl": "http://127.0.0.1:9/hook", "triggers": ["BOOKING_CREATED"]})),
        )
        .await,
        201,
    )
    .await;
    let day = (chrono::Utc::now() + chrono::Duration::days(20)).date_naive();
    booked(&app, event, &format!("{day}T10:00:00Z"), "UTC").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (_, scraped) = samples(&app).await;
    let webhook = [("queue", "webhook")];
    assert_eq!(value(&scraped, "kairos_queue_depth", &webhook), Some(1.0));
    let lag = value(&scraped, "kairos_queue_lag_seconds", &webhook).unwrap();
    assert!((1.0..30.0).contains(&lag), "{lag}");
}

#[tokio::test]
async fn metrics_are_off_unless_configured() {
    let app = spawn_app().await;
    assert_eq!(scrape(&app, None).await.status(), 404);
    assert_eq!(scrape(&app, Some(TOKEN)).await.status(), 404);
}

#[tokio::test]
async fn metrics_can_have_their_own_address() {
    let database = TestDatabase::new().await;
    let config = kairos::config::Config {
        metrics_bind: Some("127.0.0.1:0".into()),
        ..database.config()
    };
    let application = Application::build(config).await.unwrap();
    let main = format!("http://{}", application.address());
    let metrics = format!("http://{}", application.metrics_address().unwrap());
    tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::new();
    let get = |url: String| {
        let client = client.clone();
        async move { client.get(url).send().await.unwrap() }
    };
    assert_eq!(get(format!("{main}/metrics")).await.status(), 404);
    assert_eq!(get(format!("{main}/health")).await.status(), 200);
    let scraped = get(format!("{metrics}/metrics")).await;
    assert_eq!(scraped.status(), 200);
    let (types, samples) = parse(&scraped.text().await.unwrap());
    assert!(types.contains_key("kairos_http_requests_total"));
    // The main listener's requests are what it counts.
    let health = [("method", "GET"), ("route", "/health"), ("status", "200")];
    assert_eq!(
        value(&samples, "kairos_http_requests_total", &health),
        Some(1.0)
    );
    // Nothing else is served there.
    assert_eq!(get(format!("{metrics}/health")).await.status(), 404);
}
