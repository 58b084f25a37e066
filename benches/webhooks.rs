//! Webhook delivery benchmark: how soon a booking's webhook reaches a receiver when the queue is
//! idle, and how many deliveries per second the worker sends to a local receiver.
//!
//! Run: `cargo bench --bench webhooks` (SQLite in a temporary directory), or with
//! `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres` for PostgreSQL (databases
//! named `kairos_bench_*` are created next to it, dropped first if they exist). Results are printed as one JSON line per measurement, and
//! the figures are kept in docs/PERFORMANCE.md.
//!
//! Everything is real: the Kairos HTTP server on port 0, its database, its delivery worker, and a
//! receiver on loopback answering 200 at once.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use kairos::Application;
use kairos::accounts;
use kairos::config::Config;
use kairos::storage::Db;
use serde_json::{Value, json};
use support::fresh_database;

/// Bookings made one at a time for the latency measurement.
const LATENCY_SAMPLES: usize = 200;
/// Deliveries queued before the worker starts, for the throughput measurement.
const QUEUED: usize = 5_000;

/// How many deliveries arrived, and when each booking's arrived.
#[derive(Default)]
struct Arrivals {
    count: usize,
    booking_uids: Vec<(String, Instant)>,
}

async fn receive(body: web::Bytes, arrivals: web::Data<Arc<Mutex<Arrivals>>>) -> HttpResponse {
    let now = Instant::now();
    let uid = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["payload"]["uid"].as_str().map(str::to_owned));
    let mut arrivals = arrivals.lock().unwrap();
    arrivals.count += 1;
    if let Some(uid) = uid {
        arrivals.booking_uids.push((uid, now));
    }
    HttpResponse::Ok().finish()
}

fn start_receiver(arrivals: Arc<Mutex<Arrivals>>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let data = web::Data::new(arrivals);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(receive))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    url
}

fn config(database_url: &str, dir: &std::path::Path, worker: bool) -> Config {
    Config {
        webhook_worker: worker,
        webhook_allow_private: true,
        ..support::config(database_url, dir)
    }
}

struct Api {
    base: String,
    key: String,
    client: reqwest::Client,
}

impl Api {
    async fn post(&self, path: &str, body: Value) -> Value {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {body}");
        body["data"].clone()
    }
}

/// A user, an API key, an event type bookable around the clock, and one subscription.
async fn setup(db: &Db, base: String, receiver: &str, triggers: &[&str]) -> (Api, i64, String) {
    let user = support::user(db, "bench@example.com", "Bench Host", "UTC").await;
    let (_, secret) = accounts::create_api_key(db, user.id, "bench", None)
        .await
        .unwrap();
    let api = Api {
        base,
        key: secret.expose().to_owned(),
        client: reqwest::Client::new(),
    };
    let schedule = api
        .post(
            "/v2/schedules",
            json!({"name": "Always", "timeZone": "UTC", "isDefault": true,
                "availability": [{"days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                    "Saturday", "Sunday"], "startTime": "00:00", "endTime": "23:59"}]}),
        )
        .await;
    let event = api
        .post(
            "/v2/event-types",
            json!({"title": "Bench", "slug": "bench", "lengthInMinutes": 15,
                "scheduleId": schedule["id"]}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let hook = api
        .post(
            "/v2/webhooks",
            json!({"subscriberUrl": receiver, "triggers": triggers, "secret": "bench"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (api, event, hook)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// Booking commit to first delivery attempt, with nothing else queued. The commit happens
/// between sending the booking request and reading its answer, so both bounds are reported.
async fn latency(database_url: &str, backend: &str) {
    let dir = tempfile::tempdir().unwrap();
    let arrivals = Arc::new(Mutex::new(Arrivals::default()));
    let receiver = start_receiver(arrivals.clone());
    let app = Application::build(config(database_url, dir.path(), true))
        .await
        .unwrap();
    let base = format!("http://{}", app.address());
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());
    let (api, event, _) = setup(&db, base, &receiver, &["BOOKING_CREATED"]).await;
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(3);
    let mut upper = Vec::new();
    let mut lower = Vec::new();
    for n in 0..LATENCY_SAMPLES {
        let at =
            day.and_hms_opt(0, 0, 0).unwrap().and_utc() + chrono::Duration::minutes(15 * n as i64);
        let sent = Instant::now();
        let booking = api
            .post(
                "/v2/bookings",
                json!({"eventTypeId": event, "start": at.to_rfc3339(),
                    "attendee": {"name": "Bench Booker", "email": "booker@example.com",
                                 "timeZone": "UTC"}}),
            )
            .await;
        let answered = Instant::now();
        let uid = booking["uid"].as_str().unwrap().to_owned();
        let arrived = loop {
            let found = arrivals
                .lock()
                .unwrap()
                .booking_uids
                .iter()
                .find(|(u, _)| *u == uid)
                .map(|(_, t)| *t);
            if let Some(t) = found {
                break t;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        upper.push(arrived.duration_since(sent).as_secs_f64() * 1e3);
        lower.push(arrived.saturating_duration_since(answered).as_secs_f64() * 1e3);
    }
    upper.sort_by(f64::total_cmp);
    lower.sort_by(f64::total_cmp);
    println!(
        "{}",
        json!({"bench": "webhook_latency", "backend": backend, "samples": LATENCY_SAMPLES,
            "commit_to_arrival_ms_upper": {"p50": percentile(&upper, 0.5), "p90": percentile(&upper, 0.9), "p99": percentile(&upper, 0.99)},
            "answer_to_arrival_ms_lower": {"p50": percentile(&lower, 0.5), "p90": percentile(&lower, 0.9), "p99": percentile(&lower, 0.99)}})
    );
}

/// Deliveries per second: `QUEUED` pings spread over `subscriptions`, queued with no worker
/// running, then drained by one worker.
async fn throughput(database_url: &str, backend: &str, subscriptions: usize) {
    let dir = tempfile::tempdir().unwrap();
    let arrivals = Arc::new(Mutex::new(Arrivals::default()));
    let receiver = start_receiver(arrivals.clone());
    let config = config(database_url, dir.path(), false);
    let app = Application::build(config.clone()).await.unwrap();
    let base = format!("http://{}", app.address());
    let db = app.db().clone();
    let secrets = app.webhook_secrets();
    tokio::spawn(app.run_until_stopped());
    let (api, _, first) = setup(&db, base, &receiver, &["BOOKING_CREATED"]).await;
    let mut hooks = vec![first];
    while hooks.len() < subscriptions {
        let hook = api
            .post(
                "/v2/webhooks",
                json!({"subscriberUrl": receiver, "triggers": ["BOOKING_CREATED"]}),
            )
            .await;
        hooks.push(hook["id"].as_str().unwrap().to_owned());
    }
    for i in 0..QUEUED {
        api.post(
            &format!("/v2/webhooks/{}/ping", hooks[i % hooks.len()]),
            json!({}),
        )
        .await;
    }
    let started = Instant::now();
    let worker =
        kairos::webhooks::worker::spawn(db.clone(), config.webhook_worker(), secrets).unwrap();
    loop {
        if arrivals.lock().unwrap().count >= QUEUED {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    worker.abort();
    println!(
        "{}",
        json!({"bench": "webhook_throughput", "backend": backend, "subscriptions": subscriptions,
            "deliveries": QUEUED, "seconds": (elapsed * 1000.0).round() / 1000.0,
            "deliveries_per_second": (QUEUED as f64 / elapsed).round()})
    );
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing useful either way.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (url, backend) = fresh_database(dir.path(), "latency").await;
    latency(&url, backend).await;
    for subscriptions in [1, 10] {
        let (url, backend) =
            fresh_database(dir.path(), &format!("throughput{subscriptions}")).await;
        throughput(&url, backend, subscriptions).await;
    }
}
