//! The server as a process: demo start, signals, restarts on the same database.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use kairos::storage::{DatabaseUrl, Db, PoolOptions};

use crate::helpers::{TestDatabase, kairos_binary};

/// A running `kairos` process and what it printed before it started listening.
pub struct Server {
    child: Child,
    pub base_url: String,
    printed: Vec<String>,
}

impl Server {
    pub fn start(database: &TestDatabase, args: &[&str]) -> Self {
        Self::start_with_env(database, args, &[])
    }

    /// Starts `kairos` with `args` and extra `KAIROS_*` settings on top of the database's.
    pub fn start_with_env(database: &TestDatabase, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(kairos_binary())
            .args(args)
            .envs(database.env())
            .envs(env.iter().copied())
            .env("KAIROS_BIND", "127.0.0.1:0")
            .current_dir(database.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kairos starts");
        let stdout = child.stdout.take().unwrap();
        // Owned from here on, so Drop kills the process on every path, panics included.
        let mut server = Self {
            child,
            base_url: String::new(),
            printed: Vec::new(),
        };
        let (lines_tx, lines_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        loop {
            let Ok(line) = lines_rx.recv_timeout(Duration::from_secs(60)) else {
                panic!("kairos never said it was listening: {:?}", server.printed);
            };
            if let Some(address) = line.strip_prefix("Kairos listening on ") {
                server.base_url = address.to_owned();
                return server;
            }
            server.printed.push(line);
        }
    }

    pub fn demo_key(&self) -> String {
        self.printed
            .iter()
            .find_map(|l| l.trim().strip_prefix("API key"))
            .map(|k| k.trim().to_owned())
            .expect("the demo prints an API key")
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn wait(&mut self) -> ExitStatus {
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("kairos did not stop within 10 s");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn me_email(base_url: &str, key: &str) -> Option<String> {
    let response = reqwest::Client::new()
        .get(format!("{base_url}/v2/me"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    if response.status() != 200 {
        return None;
    }
    let body: serde_json::Value = response.json().await.unwrap();
    body["data"]["email"].as_str().map(str::to_owned)
}

async fn count(database: &TestDatabase, table: &str) -> i64 {
    let db = Db::connect(
        &DatabaseUrl::parse(&database.url).unwrap(),
        &PoolOptions::default(),
    )
    .unwrap();
    db.count_rows(&format!("SELECT * FROM {table}"))
        .await
        .unwrap()
}

#[tokio::test]
async fn the_demo_is_seeded_once_and_survives_restarts_and_kills() {
    let database = TestDatabase::new().await;

    let mut first = Server::start(&database, &["serve", "--demo"]);
    assert!(
        first
            .printed
            .iter()
            .any(|l| l.contains("Demo data created")),
        "{:?}",
        first.printed
    );
    let key = first.demo_key();
    assert_eq!(
        me_email(&first.base_url, &key).await.as_deref(),
        Some("demo@example.com")
    );
    first.signal("TERM");
    assert!(first.wait().success(), "SIGTERM stops the server cleanly");

    let mut second = Server::start(&database, &["demo"]);
    assert!(
        second.printed.iter().any(|l| l.contains("already present")),
        "{:?}",
        second.printed
    );
    assert_eq!(
        second.demo_key(),
        key,
        "the demo key is stable across restarts"
    );
    for (table, rows) in [
        ("users", 3),
        ("teams", 1),
        ("memberships", 3),
        ("event_types", 3),
        ("hosts", 3),
        ("api_keys", 1),
    ] {
        assert_eq!(
            count(&database, table).await,
            rows,
            "{table} after a second demo start"
        );
    }

    // Killed without warning, the server comes back on the same database with nothing lost.
    second.signal("KILL");
    assert!(!second.wait().success());
    let mut third = Server::start(&database, &["serve"]);
    assert_eq!(
        me_email(&third.base_url, &key).await.as_deref(),
        Some("demo@example.com")
    );
    assert_eq!(count(&database, "users").await, 3);
    third.signal("INT");
    assert!(third.wait().success(), "SIGINT stops the server cleanly");
}

#[tokio::test]
async fn json_logs_carry_request_spans_and_never_secrets() {
    let database = TestDatabase::new().await;
    let secret_key = "a-secret-key-that-must-never-be-logged-0123456789";
    let log_path = database.dir.path().join("kairos.log");
    let mut child = Command::new(kairos_binary())
        .args(["serve", "--demo"])
        .envs(database.env())
        .env("KAIROS_BIND", "127.0.0.1:0")
        .env("KAIROS_LOG_FORMAT", "json")
        .env("KAIROS_LOG_LEVEL", "debug")
        .env("KAIROS_SECRET_KEY", secret_key)
        .current_dir(database.dir.path())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut server = Server {
        child,
        base_url: String::new(),
        printed: Vec::new(),
    };
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if let Some(address) = line.strip_prefix("Kairos listening on ") {
            server.base_url = address.to_owned();
            break;
        }
        server.printed.push(line);
    }
    let key = server.demo_key();
    assert!(me_email(&server.base_url, &key).await.is_some());
    let response = reqwest::get(format!("{}/v2/me?apiKey={key}", server.base_url))
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    server.signal("TERM");
    assert!(server.wait().success());

    let logs = std::fs::read_to_string(&log_path).unwrap();
    let key_secret = &key["cal_live_".len()..];
    assert!(!logs.contains(key_secret), "the API key was logged");
    assert!(!logs.contains(secret_key), "the secret key was logged");
    let finished: Vec<serde_json::Value> = logs
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).expect("every log line is JSON")
        })
        .filter(|entry| entry["message"] == "request finished")
        .collect();
    let me = finished
        .iter()
        .find(|entry| entry["span"]["path"] == "/v2/me" && entry["status"] == 200)
        .expect("a request line for GET /v2/me");
    assert_eq!(me["span"]["method"], "GET");
    assert!(me["latency_ms"].as_f64().is_some(), "{me}");
    assert_eq!(
        me["span"]["request_id"].as_str().map(str::len),
        Some(36),
        "{me}"
    );
}
