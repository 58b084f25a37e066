//! Webhooks end to end: subscriptions, Cal.com payloads and signatures checked by a real
//! receiver on loopback, retries, the delivery log, and delivery across restarts and
//! instances.

use std::collections::{BTreeMap, HashMap};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::Method as M;
use serde_json::{Value, json};

use kairos::config::Secret;
use kairos::crypto::{Purpose, Vault};

use crate::event_types::person;
use crate::helpers::{
    TestApp, always_bookable, assert_error, data, eventually, spawn_app, spawn_app_with,
};
use crate::process::Server;

/// What a receiver got.
#[derive(Debug, Clone)]
pub struct Hit {
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Hit {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct ReceiverState {
    hits: Mutex<Vec<Hit>>,
    /// Status to answer with; 0 means 200.
    reply: AtomicU16,
    /// Answers with `reply` this many times, then 200.
    failures_left: AtomicU64,
    delay_ms: AtomicU64,
}

/// A webhook receiver on loopback that records every request.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    state: Arc<ReceiverState>,
}

async fn receive(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<Arc<ReceiverState>>,
) -> HttpResponse {
    let headers = request
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    // Recorded on arrival: a request the sender gives up on (or dies during) still counts.
    state.hits.lock().unwrap().push(Hit {
        headers,
        body: body.to_vec(),
    });
    let delay = state.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let reply = state.reply.load(Ordering::SeqCst);
    let failing = state
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if reply != 0 && failing {
        let status = actix_web::http::StatusCode::from_u16(reply).unwrap();
        return HttpResponse::build(status).body("receiver says no");
    }
    HttpResponse::Ok().body("thanks")
}

impl Receiver {
    /// A receiver that is not listening yet: connections to its URL are refused.
    pub fn reserved() -> (Self, TcpListener) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        (
            Self {
                url,
                state: Arc::default(),
            },
            listener,
        )
    }

    pub async fn start() -> Self {
        let (receiver, listener) = Self::reserved();
        receiver.listen(listener);
        receiver
    }

    pub fn listen(&self, listener: TcpListener) {
        let state = web::Data::new(self.state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
    }

    pub fn fail(&self, status: u16, times: u64) {
        self.state.reply.store(status, Ordering::SeqCst);
        self.state.failures_left.store(times, Ordering::SeqCst);
    }

    /// Holds every answer back this long (requests are still recorded on arrival).
    pub fn set_delay(&self, delay: Duration) {
        self.state
            .delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.state.hits.lock().unwrap().clone()
    }

    /// Waits until `done` holds for the hits so far (up to 30 s).
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Hit]) -> bool) -> Vec<Hit> {
        eventually(what, Duration::from_secs(30), async || {
            let hits = self.hits();
            if done(&hits) {
                Ok(hits)
            } else {
                Err(format!("{} hits", hits.len()))
            }
        })
        .await
    }
}

/// GETs `path` until `done` holds for its `data` (up to 5 s); that `data`.
async fn poll(app: &TestApp, key: &str, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let what = format!("GET {path} to settle");
    eventually(&what, Duration::from_secs(5), async || {
        let answer = data(app.call(M::GET, path, Some(key), None).await, 200).await;
        if done(&answer) {
            Ok(answer)
        } else {
            Err(answer.to_string())
        }
    })
    .await
}

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks both signatures of a delivery as a receiver would.
pub(crate) fn assert_signed(hit: &Hit, secret: &str) {
    assert_eq!(
        hit.header("x-cal-signature-256"),
        hmac_hex(secret, &hit.body)
    );
    assert_eq!(hit.header("x-cal-webhook-version"), "2021-10-20");
    assert_eq!(hit.header("content-type"), "application/json");
    let id = hit.header("webhook-id");
    let timestamp = hit.header("webhook-timestamp");
    assert!(id.starts_with("msg_"), "{id}");
    let mut signed = format!("{id}.{timestamp}.").into_bytes();
    signed.extend_from_slice(&hit.body);
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(&signed);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(hit.header("webhook-signature"), format!("v1,{expected}"));
}

/// An event type bookable every day around the clock, for `key`'s user.
async fn bookable(app: &TestApp, key: &str, extra: Value) -> i64 {
    let mut body = json!({"title": "Intro Call", "slug": "intro-call", "lengthInMinutes": 30,
        "description": "A 30 minute introduction."});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    always_bookable(app, key, body).await
}

/// A start time `n` half hours into a day well ahead.
fn start(n: i64) -> String {
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(10);
    let at = day.and_hms_opt(0, 0, 0).unwrap().and_utc() + chrono::Duration::minutes(30 * n);
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn book(app: &TestApp, event: i64, n: i64, email: &str) -> Value {
    data(
        app.call(
            M::POST,
            "/v2/bookings",
            None,
            Some(json!({"eventTypeId": event, "start": start(n),
                "attendee": {"name": "Grace Booker", "email": email, "timeZone": "America/New_York"}})),
        )
        .await,
        201,
    )
    .await
}

pub async fn subscribe(
    app: &TestApp,
    key: &str,
    url: &str,
    triggers: &[&str],
    secret: &str,
) -> String {
    let hook = data(
        app.call(
            M::POST,
            "/v2/webhooks",
            Some(key),
            Some(json!({"subscriberUrl": url, "triggers": triggers, "secret": secret})),
        )
        .await,
        201,
    )
    .await;
    hook["id"].as_str().unwrap().to_owned()
}

const LIFECYCLE: &[&str] = &[
    "BOOKING_CREATED",
    "BOOKING_RESCHEDULED",
    "BOOKING_CANCELLED",
    "BOOKING_REQUESTED",
    "BOOKING_REJECTED",
    "BOOKING_NO_SHOW_UPDATED",
];

#[tokio::test]
async fn subscriptions_are_validated_owned_and_managed() {
    let app = spawn_app().await;
    let (_, key) = person(&app, "ada@host.example", "Europe/Berlin").await;
    let (_, other) = person(&app, "eve@other.example", "UTC").await;
    let k = Some(key.as_str());
    let receiver = "http://127.0.0.1:9/hook";
    let created = data(
        app.call(M::POST, "/v2/webhooks", k,
            Some(json!({"subscriberUrl": receiver, "triggers": ["BOOKING_CREATED"], "secret": "s3cr3t"})))
            .await,
        201,
    )
    .await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["secret"], "s3cr3t", "shown once, on creation");
    assert_eq!(created["active"], true);
    assert_eq!(created["version"], "2021-10-20");
    let read = data(
        app.call(M::GET, &format!("/v2/webhooks/{id}"), k, None)
            .await,
        200,
    )
    .await;
    assert!(read.get("secret").is_none(), "never read back: {read}");
    assert_eq!(read["hasSecret"], true);
    let changed = data(
        app.call(
            M::PATCH,
            &format!("/v2/webhooks/{id}"),
            k,
            Some(json!({"triggers": ["BOOKING_CREATED", "MEETING_ENDED"], "active": false})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        changed["triggers"],
        json!(["BOOKING_CREATED", "MEETING_ENDED"])
    );
    assert_eq!(changed["subscriberUrl"], receiver, "fields not sent stay");
    assert_eq!(changed["hasSecret"], true);

    for (body, field) in [
        (json!({"triggers": ["BOOKING_CREATED"]}), "subscriberUrl"),
        (
            json!({"subscriberUrl": "ftp://x.example/", "triggers": ["BOOKING_CREATED"]}),
            "subscriberUrl",
        ),
        (
            json!({"subscriberUrl": "http://u:p@127.0.0.1/", "triggers": ["BOOKING_CREATED"]}),
            "subscriberUrl",
        ),
        (
            json!({"subscriberUrl": receiver, "triggers": ["BOOKING_CONFIRMED"]}),
            "triggers[0]",
        ),
        (
            json!({"subscriberUrl": receiver, "triggers": ["BOOKING_CREATED", "BOOKING_CREATED"]}),
            "triggers[1]",
        ),
        (
            json!({"subscriberUrl": receiver, "triggers": []}),
            "triggers",
        ),
        (
            json!({"subscriberUrl": receiver, "triggers": ["BOOKING_CREATED"], "version": "2019-01-01"}),
            "version",
        ),
        (
            json!({"subscriberUrl": receiver, "triggers": ["AFTER_HOSTS_CAL_VIDEO_NO_SHOW"]}),
            "time",
        ),
    ] {
        let message = assert_error(
            app.call(M::POST, "/v2/webhooks", k, Some(body.clone()))
                .await,
            400,
            "BadRequestException",
        )
        .await;
        assert!(message.starts_with(field), "{body}: {message}");
    }

    // Another tenant sees nothing and changes nothing.
    let o = Some(other.as_str());
    assert_eq!(
        data(app.call(M::GET, "/v2/webhooks", o, None).await, 200).await,
        json!([])
    );
    for (method, path) in [
        (M::GET, format!("/v2/webhooks/{id}")),
        (M::PATCH, format!("/v2/webhooks/{id}")),
        (M::DELETE, format!("/v2/webhooks/{id}")),
        (M::POST, format!("/v2/webhooks/{id}/ping")),
        (M::GET, format!("/v2/webhooks/{id}/deliveries")),
    ] {
        let body = (method == M::PATCH).then(|| json!({"active": true}));
        assert_error(
            app.call(method, &path, o, body).await,
            404,
            "NotFoundException",
        )
        .await;
    }

    // Event-type subscriptions belong to the event type's owner.
    let event = bookable(&app, &key, json!({})).await;
    let hook = data(
        app.call(
            M::POST,
            &format!("/v2/event-types/{event}/webhooks"),
            k,
            Some(json!({"subscriberUrl": receiver, "triggers": ["BOOKING_CREATED"]})),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(hook["eventTypeId"], event);
    assert_error(
        app.call(
            M::POST,
            &format!("/v2/event-types/{event}/webhooks"),
            o,
            Some(json!({"subscriberUrl": receiver, "triggers": ["BOOKING_CREATED"]})),
        )
        .await,
        404,
        "NotFoundException",
    )
    .await;
    let list = data(
        app.call(
            M::GET,
            &format!("/v2/event-types/{event}/webhooks"),
            k,
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    data(
        app.call(M::DELETE, &format!("/v2/webhooks/{id}"), k, None)
            .await,
        200,
    )
    .await;
    assert_error(
        app.call(M::GET, &format!("/v2/webhooks/{id}"), k, None)
            .await,
        404,
        "NotFoundException",
    )
    .await;
}

#[tokio::test]
async fn private_addresses_are_refused_unless_configured() {
    let database = crate::helpers::TestDatabase::new().await;
    let config = kairos::config::Config {
        webhook_allow_private: false,
        ..database.config()
    };
    let app = spawn_app_with(config, database).await;
    let (_, key) = person(&app, "ada@host.example", "UTC").await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost:8080/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ] {
        let message = assert_error(
            app.call(
                M::POST,
                "/v2/webhooks",
                Some(&key),
                Some(json!({"subscriberUrl": url, "triggers": ["BOOKING_CREATED"]})),
            )
            .await,
            400,
            "BadRequestException",
        )
        .await;
        assert!(message.contains("subscriberUrl"), "{url}: {message}");
        assert!(
            message.contains(
                "a private address; webhooks may only be sent to public addresses \
                 (set KAIROS_WEBHOOK_ALLOW_PRIVATE=true for a trusted network)"
            ),
            "{url}: {message}"
        );
    }
}

#[tokio::test]
async fn booking_changes_are_delivered_signed_in_calcom_shape() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let (_, key) = person(&app, "ada@host.example", "Europe/Berlin").await;
    let event = bookable(&app, &key, json!({})).await;
    let mut triggers = LIFECYCLE.to_vec();
    triggers.extend(["MEETING_STARTED", "MEETING_ENDED"]);
    let hook = subscribe(
        &app,
        &key,
        &receiver.url,
        &triggers,
        "calcom-compat-test-secret",
    )
    .await;

    let booked = book(&app, event, 20, "grace@booker.example").await;
    let uid = booked["uid"].as_str().unwrap().to_owned();
    let moved = data(
        app.call(
            M::POST,
            &format!("/v2/bookings/{uid}/reschedule"),
            None,
            Some(json!({"start": start(24), "reschedulingReason": "Clash with a flight"})),
        )
        .await,
        201,
    )
    .await;
    let new_uid = moved["uid"].as_str().unwrap().to_owned();
    data(
        app.call(
            M::POST,
            &format!("/v2/bookings/{new_uid}/cancel"),
            None,
            Some(json!({"cancellationReason": "Project postponed"})),
        )
        .await,
        200,
    )
    .await;
    let hits = receiver
        .wait_for("three deliveries", |h| h.len() >= 3)
        .await;
    let events: Vec<String> = hits
        .iter()
        .map(|h| h.json()["triggerEvent"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        events,
        [
            "BOOKING_CREATED",
            "BOOKING_RESCHEDULED",
            "BOOKING_CANCELLED"
        ],
        "in order"
    );
    for hit in &hits {
        assert_signed(hit, "calcom-compat-test-secret");
    }
    let created = hits[0].json();
    assert_eq!(created["payload"]["uid"], uid.as_str());
    assert_eq!(created["payload"]["status"], "ACCEPTED");
    let rescheduled = hits[1].json();
    assert_eq!(rescheduled["payload"]["uid"], new_uid.as_str());
    assert_eq!(rescheduled["payload"]["rescheduleUid"], uid.as_str());
    assert_eq!(rescheduled["payload"]["rescheduleStartTime"], start(20));
    assert_eq!(rescheduled["payload"]["iCalSequence"], 1);
    let cancelled = hits[2].json();
    assert_eq!(
        cancelled["payload"]["cancellationReason"],
        "Project postponed"
    );
    assert_eq!(cancelled["payload"]["status"], "CANCELLED");

    // Meeting events were scheduled for each booking that stood, and cancelled with it.
    let log = data(
        app.call(
            M::GET,
            &format!("/v2/webhooks/{hook}/deliveries?take=50"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    let meetings: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["triggerEvent"].as_str().unwrap().starts_with("MEETING_"))
        .collect();
    assert_eq!(meetings.len(), 4, "{log}");
    assert!(meetings.iter().all(|d| d["status"] == "cancelled"), "{log}");
    // The log shows each delivered attempt.
    let first = log
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["triggerEvent"] == "BOOKING_CREATED")
        .unwrap();
    let detail = data(
        app.call(
            M::GET,
            &format!(
                "/v2/webhooks/{hook}/deliveries/{}",
                first["id"].as_str().unwrap()
            ),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(detail["status"], "delivered");
    assert_eq!(detail["attempts"][0]["statusCode"], 200);
    assert_eq!(detail["attempts"][0]["responseExcerpt"], "thanks");
    assert_eq!(
        detail["body"].as_str().unwrap().as_bytes(),
        hits[0].body.as_slice()
    );
    assert_eq!(detail["id"].as_str().unwrap(), hits[0].header("webhook-id"));
}

/// Our payload for the reference scenario, field by field against Cal.com's examples.
/// Values that name this instance's records (ids, uids, times of sending, URLs) are checked
/// for their shape; everything else must be equal.
#[tokio::test]
async fn payloads_match_the_calcom_reference_examples() {
    let reference: Value =
        serde_json::from_str(include_str!("../fixtures/calcom-webhook-examples.json")).unwrap();
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let (_, key) = person(&app, "ada@host.example", "Europe/Berlin").await;
    // The reference organiser reads a 12-hour clock.
    data(
        app.call(
            M::PATCH,
            "/v2/me",
            Some(&key),
            Some(json!({"timeFormat": 12})),
        )
        .await,
        200,
    )
    .await;
    let event = bookable(&app, &key, json!({
        "locations": [{"type": "integration", "integration": "cal-video"}],
        "bookingFields": [{"type": "text", "slug": "company", "label": "Company", "required": false}],
    }))
    .await;
    subscribe(
        &app,
        &key,
        &receiver.url,
        LIFECYCLE,
        "calcom-compat-test-secret",
    )
    .await;
    let booked = data(
        app.call(M::POST, "/v2/bookings", None, Some(json!({
            "eventTypeId": event, "start": "2030-03-12T15:00:00Z",
            "attendee": {"name": "Grace Booker", "email": "grace@booker.example", "timeZone": "America/New_York"},
            "guests": ["linus@guest.example"],
            "bookingFieldsResponses": {"notes": "Looking forward to it", "company": "Booker Ltd"},
            "metadata": {"crmLeadId": "L-1001"},
        })))
        .await,
        201,
    )
    .await;
    let uid = booked["uid"].as_str().unwrap().to_owned();
    let moved = data(
        app.call(
            M::POST,
            &format!("/v2/bookings/{uid}/reschedule"),
            None,
            Some(json!({
            "start": "2030-03-14T15:00:00Z", "reschedulingReason": "Clash with a flight",
            "rescheduledBy": "grace@booker.example"})),
        )
        .await,
        201,
    )
    .await;
    let new_uid = moved["uid"].as_str().unwrap().to_owned();
    data(
        app.call(
            M::POST,
            &format!("/v2/bookings/{new_uid}/cancel"),
            None,
            Some(json!({
            "cancellationReason": "Project postponed", "cancelledBy": "grace@booker.example"})),
        )
        .await,
        200,
    )
    .await;
    let hits = receiver
        .wait_for("three deliveries", |h| h.len() >= 3)
        .await;
    let instance_specific = [
        "createdAt",
        "bookerUrl",
        "uid",
        "bookingId",
        "eventTypeId",
        "iCalUID",
        "rescheduleId",
        "rescheduleUid",
        "id",
        "url",
        "videoCallUrl",
    ];
    let mut differences = Vec::new();
    for (hit, name) in hits.iter().zip([
        "BOOKING_CREATED",
        "BOOKING_RESCHEDULED",
        "BOOKING_CANCELLED",
    ]) {
        compare(
            &reference[name],
            &hit.json(),
            name,
            &instance_specific,
            &mut differences,
        );
    }
    assert!(
        differences.is_empty(),
        "differences from the reference:\n{}",
        differences.join("\n")
    );
}

fn compare(expected: &Value, got: &Value, at: &str, loose: &[&str], out: &mut Vec<String>) {
    let key = at.rsplit('.').next().unwrap_or(at);
    if loose.contains(&key) {
        let same_kind = std::mem::discriminant(expected) == std::mem::discriminant(got);
        if !same_kind {
            out.push(format!("{at}: expected a value like {expected}, got {got}"));
        }
        return;
    }
    match (expected, got) {
        (Value::Object(e), Value::Object(g)) => {
            let keys: BTreeMap<&String, ()> = e.keys().chain(g.keys()).map(|k| (k, ())).collect();
            for k in keys.keys() {
                match (e.get(*k), g.get(*k)) {
                    (Some(ev), Some(gv)) => compare(ev, gv, &format!("{at}.{k}"), loose, out),
                    (Some(_), None) => out.push(format!("{at}.{k}: missing")),
                    (None, Some(gv)) => out.push(format!("{at}.{k}: not in the reference ({gv})")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(e), Value::Array(g)) if e.len() == g.len() => {
            for (i, (ev, gv)) in e.iter().zip(g).enumerate() {
                compare(ev, gv, &format!("{at}[{i}]"), loose, out);
            }
        }
        _ if expected != got => out.push(format!("{at}: expected {expected}, got {got}")),
        _ => {}
    }
}

#[tokio::test]
async fn failures_are_retried_until_the_receiver_is_back_and_nothing_is_lost() {
    // Retries must outlast the outage: the receiver comes back within their window.
    let database = crate::helpers::TestDatabase::new().await;
    let config = kairos::config::Config {
        webhook_retry_schedule: "1s,1s,1s,1s,1s,1s,1s,1s,1s,1s".into(),
        ..database.config()
    };
    let app = spawn_app_with(config, database).await;
    let (receiver, listener) = Receiver::reserved();
    // Nothing listens on the port until the receiver comes back: connections are refused.
    let address = listener.local_addr().unwrap();
    drop(listener);
    let (_, key) = person(&app, "ada@host.example", "UTC").await;
    let event = bookable(&app, &key, json!({})).await;
    let hook = subscribe(&app, &key, &receiver.url, &["BOOKING_CREATED"], "s").await;
    for n in 0..5 {
        book(&app, event, n * 2, &format!("b{n}@booker.example")).await;
    }
    // The receiver is down: attempts fail with connection errors and are scheduled again.
    let pending = |log: &Value| {
        let list = log.as_array().unwrap();
        list.len() == 5
            && list
                .iter()
                .all(|d| d["status"] == "pending" && d["attemptCount"].as_i64().unwrap() >= 1)
    };
    let log = poll(
        &app,
        &key,
        &format!("/v2/webhooks/{hook}/deliveries"),
        pending,
    )
    .await;
    assert!(
        pending(&log),
        "deliveries were attempted and kept pending: {log}"
    );
    assert!(
        log[0]["lastError"].as_str().unwrap().contains("connect"),
        "{log}"
    );
    receiver.listen(TcpListener::bind(address).unwrap());
    let hits = receiver.wait_for("five deliveries", |h| h.len() >= 5).await;
    let ids: Vec<&str> = hits.iter().map(|h| h.header("webhook-id")).collect();
    let log = data(
        app.call(
            M::GET,
            &format!("/v2/webhooks/{hook}/deliveries?status=delivered"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    let delivered: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(delivered.len(), 5, "{log}");
    for id in &delivered {
        assert!(
            ids.contains(id),
            "{id} reached the receiver under its own webhook-id"
        );
    }
    // Each delivery was attempted more than once, always under the same id.
    let detail = data(
        app.call(
            M::GET,
            &format!("/v2/webhooks/{hook}/deliveries/{}", delivered[0]),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert!(
        detail["attempts"].as_array().unwrap().len() >= 2,
        "{detail}"
    );
}

#[tokio::test]
async fn server_errors_retry_client_errors_are_final_and_gone_disables() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let (_, key) = person(&app, "ada@host.example", "UTC").await;
    let event = bookable(&app, &key, json!({})).await;
    let hook = subscribe(&app, &key, &receiver.url, &["BOOKING_CREATED"], "s").await;
    let k = Some(key.as_str());

    receiver.fail(503, 2);
    book(&app, event, 0, "a@booker.example").await;
    let hits = receiver
        .wait_for("a retried delivery", |h| h.len() >= 3)
        .await;
    let bodies: Vec<&[u8]> = hits.iter().map(|h| h.body.as_slice()).collect();
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "the same bytes on every attempt"
    );
    assert!(
        hits.windows(2)
            .all(|w| w[0].header("webhook-id") == w[1].header("webhook-id"))
    );
    assert!(
        hits.windows(2)
            .all(|w| w[0].header("x-cal-signature-256") == w[1].header("x-cal-signature-256"))
    );

    receiver.fail(400, 1);
    book(&app, event, 2, "b@booker.example").await;
    receiver
        .wait_for("the refused delivery", |h| h.len() >= 4)
        .await;
    let failed = poll(
        &app,
        &key,
        &format!("/v2/webhooks/{hook}/deliveries?status=failed"),
        |d| d.as_array().unwrap().len() == 1,
    )
    .await;
    assert_eq!(failed[0]["attemptCount"], 1, "a 400 is final: {failed}");
    assert_eq!(failed[0]["lastStatusCode"], 400);
    // Redelivery sends the same delivery again, now accepted.
    let id = failed[0]["id"].as_str().unwrap();
    data(
        app.call(
            M::POST,
            &format!("/v2/webhooks/{hook}/deliveries/{id}/redeliver"),
            k,
            None,
        )
        .await,
        200,
    )
    .await;
    let hits = receiver.wait_for("the redelivery", |h| h.len() >= 5).await;
    assert_eq!(hits[4].header("webhook-id"), id);

    receiver.fail(410, 1);
    book(&app, event, 4, "c@booker.example").await;
    let hook_now = poll(&app, &key, &format!("/v2/webhooks/{hook}"), |h| {
        h["active"] == false
    })
    .await;
    assert_eq!(
        hook_now["active"], false,
        "410 Gone switches the subscription off"
    );
    assert!(hook_now["disabledReason"].as_str().unwrap().contains("410"));
}

#[tokio::test]
async fn a_rolled_back_booking_sends_nothing_and_templates_shape_the_body() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let (_, key) = person(&app, "ada@host.example", "UTC").await;
    let event = bookable(&app, &key, json!({})).await;
    let hook = data(
        app.call(M::POST, "/v2/webhooks", Some(&key), Some(json!({
            "subscriberUrl": receiver.url, "triggers": ["BOOKING_CREATED"],
            "payloadTemplate": "{\"content\":\"A new event has been scheduled\",\"type\":\"{{type}}\",\"name\":\"{{title}}\",\"booker\":\"{{attendees.0.name}}\"}",
        })))
        .await,
        201,
    )
    .await;
    book(&app, event, 0, "grace@booker.example").await;
    // The same slot again: refused, so its transaction (and any delivery in it) rolls back.
    let again = app
        .call(
            M::POST,
            "/v2/bookings",
            None,
            Some(json!({"eventTypeId": event, "start": start(0),
        "attendee": {"name": "Other", "email": "o@booker.example", "timeZone": "UTC"}})),
        )
        .await;
    assert_eq!(again.status().as_u16(), 409);
    let hits = receiver.wait_for("one delivery", |h| !h.is_empty()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.hits().len(), 1);
    assert_eq!(
        hits[0].json(),
        json!({"content": "A new event has been scheduled", "type": "intro-call",
               "name": "Intro Call between Ada Host and Grace Booker", "booker": "Grace Booker"})
    );
    assert_eq!(hits[0].header("x-cal-signature-256"), "no-secret-provided");
    let id = hook["id"].as_str().unwrap();
    let log = data(
        app.call(
            M::GET,
            &format!("/v2/webhooks/{id}/deliveries"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(log.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn two_instances_on_one_database_deliver_each_event_once() {
    let database = crate::helpers::TestDatabase::new().await;
    let config = database.config();
    let second = spawn_app_with(config.clone(), database.alias()).await;
    let app = spawn_app_with(config, database).await;
    let receiver = Receiver::start().await;
    let (_, key) = person(&app, "ada@host.example", "UTC").await;
    let hook = subscribe(&app, &key, &receiver.url, &["BOOKING_CREATED"], "s").await;
    // Pings queued through both instances; both workers race for them.
    for i in 0..60 {
        let target = if i % 2 == 0 { &app } else { &second };
        data(
            target
                .call(
                    M::POST,
                    &format!("/v2/webhooks/{hook}/ping"),
                    Some(&key),
                    None,
                )
                .await,
            201,
        )
        .await;
    }
    let hits = receiver.wait_for("sixty pings", |h| h.len() >= 60).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut ids: Vec<String> = receiver
        .hits()
        .iter()
        .map(|h| h.header("webhook-id").to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 60);
    assert_eq!(receiver.hits().len(), 60, "no delivery was sent twice");
    drop(hits);
}

/// Distinct `webhook-id`s among `hits`, each with the indexes of its hits.
fn by_webhook_id(hits: &[Hit]) -> BTreeMap<String, Vec<usize>> {
    let mut ids: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, hit) in hits.iter().enumerate() {
        ids.entry(hit.header("webhook-id").to_owned())
            .or_default()
            .push(index);
    }
    ids
}

#[tokio::test]
async fn a_server_killed_mid_delivery_loses_nothing_and_repeats_only_what_was_in_flight() {
    const SUBSCRIPTIONS: usize = 10;
    const EVENTS: usize = 1_000;
    let database = crate::helpers::TestDatabase::new().await;
    let receiver = Receiver::start().await;
    let settings = |worker: &'static str| {
        [
            ("KAIROS_WEBHOOK_WORKER", worker),
            ("KAIROS_WEBHOOK_ALLOW_PRIVATE", "true"),
            ("KAIROS_WEBHOOK_TIMEOUT_SECS", "1"),
            // A short lease, so the restarted server takes over the dead one's claims soon.
            ("KAIROS_WEBHOOK_LEASE_SECS", "3"),
            (
                "KAIROS_WEBHOOK_RETRY_SCHEDULE",
                "200ms,200ms,200ms,200ms,200ms",
            ),
        ]
    };

    // 1,000 events queued while no worker runs.
    let server = Server::start_with_env(&database, &["serve", "--demo"], &settings("false"));
    let key = server.demo_key();
    let client = reqwest::Client::new();
    let mut hooks = Vec::new();
    for _ in 0..SUBSCRIPTIONS {
        let response = client
            .post(format!("{}/v2/webhooks", server.base_url))
            .bearer_auth(&key)
            .json(&json!({"subscriberUrl": receiver.url, "triggers": ["BOOKING_CREATED"]}))
            .send()
            .await
            .unwrap();
        hooks.push(data(response, 201).await["id"].as_str().unwrap().to_owned());
    }
    for i in 0..EVENTS {
        let hook = &hooks[i % SUBSCRIPTIONS];
        let response = client
            .post(format!("{}/v2/webhooks/{hook}/ping", server.base_url))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        data(response, 201).await;
    }
    drop(server);
    assert!(
        receiver.hits().is_empty(),
        "nothing is sent without a worker"
    );

    // A worker sends to a slow receiver and is killed with requests in flight.
    receiver.set_delay(Duration::from_millis(40));
    let mut server = Server::start_with_env(&database, &["serve"], &settings("true"));
    receiver
        .wait_for("deliveries under way", |h| h.len() >= 150)
        .await;
    server.signal("KILL");
    server.wait();
    let before_kill = receiver.hits().len();
    assert!(
        before_kill < EVENTS,
        "the kill came before the queue drained ({before_kill} sent)"
    );
    receiver.set_delay(Duration::ZERO);

    // Restarted, it delivers the rest.
    let _server = Server::start_with_env(&database, &["serve"], &settings("true"));
    receiver
        .wait_for("every event", |h| by_webhook_id(h).len() >= EVENTS)
        .await;
    // Late repeats would show up now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hits = receiver.hits();
    let ids = by_webhook_id(&hits);
    assert_eq!(ids.len(), EVENTS, "every queued event, under its own id");
    let repeated: Vec<&Vec<usize>> = ids.values().filter(|seen| seen.len() > 1).collect();
    for seen in &repeated {
        assert!(
            seen[0] < before_kill && seen[1..].iter().all(|&i| i >= before_kill),
            "only a request in flight at the kill is sent again, once: hits {seen:?}, \
             kill after hit {before_kill}"
        );
        assert!(
            seen.iter().all(|&i| hits[i].body == hits[seen[0]].body),
            "a repeat carries the same body"
        );
    }
    assert!(
        repeated.len() <= SUBSCRIPTIONS,
        "at most one request per subscription is in flight; {} were repeated",
        repeated.len()
    );
    let db = kairos::storage::Db::connect(
        &kairos::storage::DatabaseUrl::parse(&database.url).unwrap(),
        &kairos::storage::PoolOptions::default(),
    )
    .unwrap();
    let delivered = db
        .count_rows("SELECT * FROM webhook_deliveries WHERE status = 'delivered'")
        .await
        .unwrap();
    assert_eq!(
        delivered, EVENTS as i64,
        "the log shows every event delivered"
    );
}

/// The stored `webhooks.secret` of every subscription matching `filter`, counted raw.
async fn stored_secrets(app: &TestApp, filter: &str) -> i64 {
    app.db
        .count_rows(&format!("SELECT id FROM webhooks WHERE {filter}"))
        .await
        .unwrap()
}

/// Pings `hook` through `app` and returns what the receiver got.
async fn ping_received(app: &TestApp, key: &str, hook: &str, receiver: &Receiver) -> Hit {
    let before = receiver.hits().len();
    data(
        app.call(
            M::POST,
            &format!("/v2/webhooks/{hook}/ping"),
            Some(key),
            None,
        )
        .await,
        201,
    )
    .await;
    let hits = receiver.wait_for("a ping", |h| h.len() > before).await;
    hits[before].clone()
}

#[tokio::test]
async fn signing_secrets_are_stored_sealed_and_still_sign_deliveries() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let (_, key) = person(&app, "ada@host.example", "UTC").await;
    let hook = subscribe(
        &app,
        &key,
        &receiver.url,
        &["BOOKING_CREATED"],
        "s3cr3t-value",
    )
    .await;
    assert_eq!(stored_secrets(&app, "secret LIKE '%s3cr3t%'").await, 0);
    assert_eq!(stored_secrets(&app, "secret LIKE 'v1:%'").await, 1);
    assert_signed(
        &ping_received(&app, &key, &hook, &receiver).await,
        "s3cr3t-value",
    );

    // A new secret is sealed too; a PATCH that leaves it out keeps it.
    data(
        app.call(
            M::PATCH,
            &format!("/v2/webhooks/{hook}"),
            Some(&key),
            Some(json!({"secret": "rotated-value"})),
        )
        .await,
        200,
    )
    .await;
    data(
        app.call(
            M::PATCH,
            &format!("/v2/webhooks/{hook}"),
            Some(&key),
            Some(json!({"active": true})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(stored_secrets(&app, "secret LIKE '%rotated%'").await, 0);
    assert_signed(
        &ping_received(&app, &key, &hook, &receiver).await,
        "rotated-value",
    );
}

#[tokio::test]
async fn plaintext_secrets_from_before_are_sealed_at_start_up() {
    let database = crate::helpers::TestDatabase::new().await;
    let config = database.config();
    let second = database.alias();
    let app = spawn_app_with(config.clone(), database).await;
    let receiver = Receiver::start().await;
    let (_, key) = person(&app, "ada@host.example", "UTC").await;
    let hook = subscribe(&app, &key, &receiver.url, &["BOOKING_CREATED"], "x").await;
    // What the migration leaves of a secret stored before sealing existed.
    app.db
        .execute_sql(&format!(
            "UPDATE webhooks SET secret = 'p:legacy-secret' WHERE id = '{hook}'"
        ))
        .await
        .unwrap();
    assert_signed(
        &ping_received(&app, &key, &hook, &receiver).await,
        "legacy-secret",
    );

    let restarted = spawn_app_with(config, second).await;
    assert_eq!(
        stored_secrets(&restarted, "secret LIKE '%legacy%'").await,
        0
    );
    assert_eq!(stored_secrets(&restarted, "secret LIKE 'v1:%'").await, 1);
    assert_signed(
        &ping_received(&restarted, &key, &hook, &receiver).await,
        "legacy-secret",
    );
}

/// An instance on `database` with these secret keys, its webhook worker on or off.
fn keyed(
    database: &crate::helpers::TestDatabase,
    current: &str,
    previous: Option<&str>,
    worker: bool,
) -> kairos::config::Config {
    let mut config = database.config();
    config.secret_key = Some(Secret::new(current.into()));
    config.secret_key_previous = previous.map(|p| Secret::new(p.into()));
    config.webhook_worker = worker;
    config
}

/// How values sealed with `key` begin.
fn sealed_with(key: &str) -> String {
    let vault = Vault::new(Purpose::WEBHOOK_SECRET, &Secret::new(key.into()), None);
    format!("secret LIKE 'v1:{}:%'", vault.key_id())
}

const OLD_KEY: &str = "old-secret-key-0123456789abcdef-0123";
const NEW_KEY: &str = "new-secret-key-0123456789abcdef-0123";

#[tokio::test]
async fn a_rotated_secret_key_seals_the_secrets_again_at_start_up() {
    let database = crate::helpers::TestDatabase::new().await;
    let before = spawn_app_with(keyed(&database, OLD_KEY, None, false), database.alias()).await;
    let receiver = Receiver::start().await;
    let (_, key) = person(&before, "ada@host.example", "UTC").await;
    let hook = subscribe(&before, &key, &receiver.url, &["BOOKING_CREATED"], "kept").await;
    assert_eq!(stored_secrets(&before, &sealed_with(OLD_KEY)).await, 1);

    // The new key, with the old one as the previous: start-up seals the secret again.
    let rotating = keyed(&database, NEW_KEY, Some(OLD_KEY), false);
    let rotating = spawn_app_with(rotating, database.alias()).await;
    assert_eq!(stored_secrets(&rotating, &sealed_with(NEW_KEY)).await, 1);
    assert_eq!(stored_secrets(&rotating, &sealed_with(OLD_KEY)).await, 0);

    // The new key alone (the only worker): the secret opens and signs as before.
    let after = spawn_app_with(keyed(&database, NEW_KEY, None, true), database.alias()).await;
    assert_signed(&ping_received(&after, &key, &hook, &receiver).await, "kept");
}

#[tokio::test]
async fn a_secret_sealed_with_a_lost_key_fails_its_deliveries_with_the_cause() {
    let database = crate::helpers::TestDatabase::new().await;
    let before = spawn_app_with(keyed(&database, OLD_KEY, None, false), database.alias()).await;
    let receiver = Receiver::start().await;
    let (_, key) = person(&before, "ada@host.example", "UTC").await;
    let hook = subscribe(&before, &key, &receiver.url, &["BOOKING_CREATED"], "gone").await;

    // Another key and no previous one: the instance starts, and refuses to send unsigned.
    let lost = spawn_app_with(keyed(&database, NEW_KEY, None, true), database.alias()).await;
    data(
        lost.call(
            M::POST,
            &format!("/v2/webhooks/{hook}/ping"),
            Some(&key),
            None,
        )
        .await,
        201,
    )
    .await;
    let failed = |log: &Value| log[0]["lastError"].as_str().is_some();
    let log = poll(
        &lost,
        &key,
        &format!("/v2/webhooks/{hook}/deliveries"),
        failed,
    )
    .await;
    let error = log[0]["lastError"].as_str().unwrap_or_default();
    assert!(error.contains("signing secret cannot be opened"), "{log}");
    assert!(error.contains("KAIROS_SECRET_KEY_PREVIOUS"), "{log}");
    assert!(receiver.hits().is_empty());
}
