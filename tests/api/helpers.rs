//! `spawn_app()` and the other pieces every test needs.

use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use kairos::accounts::{self, NewAccount};
use kairos::config::{Config, LogFormat, Secret};
use kairos::domain::{Email, PersonName, Role, TimeZoneName};
use kairos::storage::Db;
use kairos::{Application, telemetry};

/// Logs are silent unless TEST_LOG is set (then at that level, e.g. TEST_LOG=debug).
static TRACING: LazyLock<()> = LazyLock::new(|| {
    if let Ok(level) = std::env::var("TEST_LOG") {
        telemetry::init(LogFormat::Human, &level);
    }
});

/// A database of its own for one test.
pub struct TestDatabase {
    pub url: String,
    /// Holds the SQLite file (and the secret key file) until the test ends.
    pub dir: tempfile::TempDir,
}

impl TestDatabase {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) => create_postgres_database(&admin_url).await,
            Err(_) => format!("sqlite://{}", dir.path().join("kairos.db").display()),
        };
        Self { url, dir }
    }

    /// The same database for a second instance (its own data directory).
    pub fn alias(&self) -> Self {
        Self {
            url: self.url.clone(),
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }

    /// Configuration for this database: port 0, one worker, quiet logs.
    pub fn config(&self) -> Config {
        Config {
            database_url: self.url.clone(),
            bind: "127.0.0.1:0".into(),
            data_dir: self.dir.path().join("data"),
            secret_key: Some(Secret::new("test-secret-key-0123456789abcdef-0123".into())),
            log_format: LogFormat::Human,
            log_level: "warn".into(),
            database_max_connections: 5,
            workers: Some(1),
            // Test receivers listen on loopback, and retries come quickly.
            webhook_allow_private: true,
            // Test feeds and CalDAV servers listen on loopback too.
            calendar_allow_private: true,
            webhook_retry_schedule: "200ms,200ms,200ms,200ms,200ms".into(),
            webhook_timeout_secs: 2,
            webhook_lease_secs: 5,
            // Every test books from 127.0.0.1: the abuse limits are off unless a test
            // (tests/api/limits.rs) sets them.
            rate_limit_per_ip: "off".into(),
            rate_limit_per_host: "off".into(),
            reservations_per_client: 0,
            ..Config::default()
        }
    }

    /// Environment for running the `kairos` binary against this database.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("KAIROS_DATABASE_URL".into(), self.url.clone()),
            (
                "KAIROS_DATA_DIR".into(),
                self.dir.path().join("data").display().to_string(),
            ),
            ("KAIROS_LOG_LEVEL".into(), "warn".into()),
            ("KAIROS_RATE_LIMIT_PER_IP".into(), "off".into()),
            ("KAIROS_RATE_LIMIT_PER_HOST".into(), "off".into()),
            ("KAIROS_RESERVATIONS_PER_CLIENT".into(), "0".into()),
        ]
    }
}

/// Creates `kairos_test_<uuid>` next to the database TEST_DATABASE_URL names.
async fn create_postgres_database(admin_url: &str) -> String {
    let name = format!("kairos_test_{}", uuid::Uuid::new_v4().simple());
    let (client, connection) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls)
        .await
        .expect("connect to TEST_DATABASE_URL");
    tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    let mut url = url::Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&name);
    url.to_string()
}

pub struct TestApp {
    pub address: String,
    pub db: Db,
    pub client: reqwest::Client,
    pub database: TestDatabase,
    /// The job runners' clock: `clock.advance(…)` makes later work due now.
    pub clock: kairos::jobs::Clock,
}

pub async fn spawn_app() -> TestApp {
    let database = TestDatabase::new().await;
    spawn_app_with(database.config(), database).await
}

pub async fn spawn_app_with(config: Config, database: TestDatabase) -> TestApp {
    LazyLock::force(&TRACING);
    let app = Application::build(config)
        .await
        .expect("application builds");
    let address = format!("http://{}", app.address());
    let db = app.db().clone();
    let clock = app.clock();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        db,
        clock,
        client: reqwest::Client::new(),
        database,
    }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_with_key(&self, path: &str, key: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth(key)
            .send()
            .await
            .expect("request sent")
    }
}

/// What one look of a poll says: not yet, or done with what was awaited. `bool` and
/// `Option<T>` say only that; `Err` of a `Result<T, String>` also says what was seen, for the
/// message when the wait runs out.
pub trait Polled {
    type Awaited;
    fn settled(self) -> Result<Self::Awaited, String>;
}

impl Polled for bool {
    type Awaited = ();
    fn settled(self) -> Result<(), String> {
        if self { Ok(()) } else { Err(String::new()) }
    }
}

impl<T> Polled for Option<T> {
    type Awaited = T;
    fn settled(self) -> Result<T, String> {
        self.ok_or_else(String::new)
    }
}

impl<T> Polled for Result<T, String> {
    type Awaited = T;
    fn settled(self) -> Result<T, String> {
        self
    }
}

/// How often [`eventually`] looks.
const POLL_EVERY: Duration = Duration::from_millis(50);

/// Looks with `check` every 50 ms until it settles, for at most `timeout`, and returns what it
/// awaited: for what the app does in the background (a sync, a delivery, a write-back) or a
/// process getting ready. Panics naming `what`, and the last thing seen, when time runs out.
pub async fn eventually<P: Polled>(
    what: &str,
    timeout: Duration,
    mut check: impl AsyncFnMut() -> P,
) -> P::Awaited {
    let deadline = Instant::now() + timeout;
    loop {
        let seen = match check().await.settled() {
            Ok(awaited) => return awaited,
            Err(seen) => seen,
        };
        if Instant::now() >= deadline {
            let seen = if seen.is_empty() {
                seen
            } else {
                format!("; last seen: {seen}")
            };
            panic!("timed out after {timeout:?} waiting for {what}{seen}");
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// The `kairos` binary built for these tests.
pub fn kairos_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kairos"))
}

/// Asserts Cal.com's error envelope with the given status, and returns its message.
pub async fn assert_error(response: reqwest::Response, status: u16, code: &str) -> String {
    assert_eq!(response.status().as_u16(), status);
    assert!(
        response.headers().contains_key("x-request-id"),
        "every response carries x-request-id"
    );
    let body: serde_json::Value = response.json().await.expect("JSON error body");
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["details"]["statusCode"], status, "{body}");
    assert!(body["timestamp"].is_string(), "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{body}");
    message.to_owned()
}

/// A user (with the default "Working hours" schedule every user starts with).
pub async fn create_user(db: &Db, email: &str, zone: &str) -> kairos::storage::users::User {
    let new = NewAccount {
        email: Email::parse(email).unwrap(),
        name: PersonName::parse("Ada Host").unwrap(),
        time_zone: TimeZoneName::parse(zone).unwrap(),
        username: None,
        password: None,
        role: Role::User,
    };
    accounts::create_user(db, new).await.unwrap()
}

/// A new API key of the user with `email`: its id and the key itself.
pub async fn new_key(db: &Db, email: &str) -> (i64, String) {
    let user = accounts::user_by_email(db, &Email::parse(email).unwrap())
        .await
        .unwrap();
    let (key, secret) = accounts::create_api_key(db, user.id, "test", None)
        .await
        .unwrap();
    (key.id, secret.expose().to_owned())
}

/// A user and an API key for them, for tests that only need to call the API as someone.
pub async fn user_with_key(app: &TestApp, email: &str, zone: &str) -> String {
    create_user(&app.db, email, zone).await;
    new_key(&app.db, email).await.1
}

impl TestApp {
    /// A request to the API with an optional API key and JSON body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request sent")
    }
}

impl TestApp {
    /// [`TestApp::call`] as a client of `cal-api-version: version`.
    pub async fn call_as(
        &self,
        version: &str,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address))
            .header("cal-api-version", version);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send().await.expect("request sent")
    }
}

/// Asserts the success envelope with `status` and returns `data`.
/// `GET /v2/bookings/{uid}` with `key`: the booking's `data`, after checking the 200.
pub async fn booking_of(app: &TestApp, key: &str, uid: &str) -> serde_json::Value {
    let path = format!("/v2/bookings/{uid}");
    data(
        app.call(reqwest::Method::GET, &path, Some(key), None).await,
        200,
    )
    .await
}

pub async fn data(response: reqwest::Response, status: u16) -> serde_json::Value {
    let got = response.status().as_u16();
    let body: serde_json::Value = response.json().await.expect("JSON body");
    assert_eq!(got, status, "{body}");
    assert_eq!(body["status"], "success", "{body}");
    body["data"].clone()
}

/// An event type of `key`'s user, bookable every day around the clock in UTC: `body` (the
/// event type's fields) with a new default "Always" schedule; its id.
pub async fn always_bookable(app: &TestApp, key: &str, mut body: serde_json::Value) -> i64 {
    let schedule = data(
        app.call(
            reqwest::Method::POST,
            "/v2/schedules",
            Some(key),
            Some(serde_json::json!({"name": "Always", "timeZone": "UTC", "isDefault": true,
                "availability": [{"days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
                                  "startTime": "00:00", "endTime": "23:59"}]})),
        )
        .await,
        201,
    )
    .await;
    body["scheduleId"] = schedule["id"].clone();
    data(
        app.call(
            reqwest::Method::POST,
            "/v2/event-types",
            Some(key),
            Some(body),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}
