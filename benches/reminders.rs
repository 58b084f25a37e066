//! Reminder benchmark: how long a burst of reminders all due at the same instant takes to
//! reach the recipients' mail server. The target: 10,000 reminders due in the same
//! minute are sent within that minute on two cores.
//!
//! Run: `cargo bench --bench reminders` (SQLite in a temporary directory), or with
//! `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres` for PostgreSQL (a database
//! `kairos_bench_reminders` is made next to it, dropped first if it exists).
//! `BENCH_REMINDERS` sets how many (10,000). One JSON line is printed; the figures are kept in
//! docs/PERFORMANCE.md.
//!
//! Everything is real: `BENCH_REMINDERS` hosts, each with an event type and one booking at the
//! same start made through `POST /v2/bookings`, which schedules each booking's built-in
//! reminders (24 hours and 1 hour before) on the job runner. That setup runs on an instance
//! without workers; the confirmations it queued are then cleared, so only reminders are sent.
//! A second instance on the same database, with its workers, an SMTP server on loopback (a
//! sink that accepts every message) and its job clock moved to the moment the day-before
//! reminders fall due, then hands every reminder to the email queue and sends it; the time is
//! taken from moving the clock to the sink's last message.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Utc, Weekday};
use kairos::Application;
use kairos::accounts;
use kairos::config::{Config, Secret};
use kairos::storage::Db;
use serde_json::{Value, json};
use support::fresh_database;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;

/// Bookings (and so day-before reminders) unless `BENCH_REMINDERS` says otherwise.
const REMINDERS: usize = 10_000;
/// Bookings made at once during the setup.
const SETUP_CONCURRENCY: usize = 4;

/// An SMTP server that accepts every message, counting them and noting when each arrived.
#[derive(Default)]
struct Sink {
    count: AtomicUsize,
    arrivals: Mutex<Vec<Instant>>,
}

impl Sink {
    async fn start() -> (String, Arc<Sink>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let sink = Arc::new(Sink::default());
        let serving = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serving.clone().session(stream));
            }
        });
        (url, sink)
    }

    /// One SMTP session (RFC 5321): greeting, EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
    async fn session(self: Arc<Self>, stream: TcpStream) {
        let (reader, mut writer) = stream.into_split();
        let mut reader = BufReader::new(reader);
        let mut line = String::new();
        if writer.write_all(b"220 sink ESMTP\r\n").await.is_err() {
            return;
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
            let answer: &[u8] = match verb.as_str() {
                "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                "DATA" => {
                    if writer.write_all(b"354 go on\r\n").await.is_err() {
                        return;
                    }
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if line == ".\r\n" {
                            break;
                        }
                    }
                    self.arrivals.lock().await.push(Instant::now());
                    self.count.fetch_add(1, Ordering::SeqCst);
                    b"250 accepted\r\n"
                }
                "QUIT" => {
                    let _ = writer.write_all(b"221 bye\r\n").await;
                    return;
                }
                _ => b"250 ok\r\n",
            };
            if writer.write_all(answer).await.is_err() {
                return;
            }
        }
    }
}

fn config(database_url: &str, dir: &std::path::Path, smtp: &str, workers: bool) -> Config {
    Config {
        smtp_url: Some(Secret::new(smtp.to_owned())),
        email_worker: workers,
        webhook_worker: workers,
        calendar_worker: false,
        // Every booking of the setup comes from 127.0.0.1.
        rate_limit_per_ip: "off".into(),
        rate_limit_per_host: "off".into(),
        ..support::config(database_url, dir)
    }
}

async fn post(client: &reqwest::Client, url: String, key: Option<&str>, body: Value) -> Value {
    let mut request = client.post(&url).json(&body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{url}: {status} {body}");
    body["data"].clone()
}

/// Host `i` (working hours Monday to Friday, 09:00-17:00 UTC), their event type, and one
/// booking of it at `start`.
async fn book_one(db: Db, base: String, client: reqwest::Client, i: usize, start: String) {
    let email = format!("host{i}@hosts.example");
    let host = support::user(&db, &email, &format!("Host {i}"), "UTC").await;
    let (_, key) = accounts::create_api_key(&db, host.id, "bench", None)
        .await
        .unwrap();
    let event = json!({"title": "Call", "slug": "call", "lengthInMinutes": 30});
    let url = format!("{base}/v2/event-types");
    let event = post(&client, url, Some(key.expose()), event).await["id"].clone();
    let booking = json!({"eventTypeId": event, "start": start,
        "attendee": {"name": format!("Booker {i}"), "email": format!("booker{i}@bookers.example"),
                     "timeZone": "Europe/Berlin"}});
    post(&client, format!("{base}/v2/bookings"), None, booking).await;
}

/// A working day at least three days ahead, 10:00 UTC.
fn meeting_start() -> DateTime<Utc> {
    let mut day = Utc::now().date_naive() + chrono::Duration::days(3);
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day = day.succ_opt().unwrap();
    }
    day.and_hms_opt(10, 0, 0).unwrap().and_utc()
}

async fn count(db: &Db, select: &str) -> i64 {
    db.count_rows(select).await.unwrap()
}

/// Makes the bookings on an instance without workers; returns when their reminders are queued.
async fn setup(url: &str, dir: &std::path::Path, smtp: &str, n: usize, start: DateTime<Utc>) {
    let app = Application::build(config(url, dir, smtp, false))
        .await
        .unwrap();
    let base = format!("http://{}", app.address());
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let began = Instant::now();
    let mut running = tokio::task::JoinSet::new();
    for i in 0..n {
        if running.len() >= SETUP_CONCURRENCY {
            running.join_next().await.unwrap().unwrap();
        }
        let work = book_one(
            db.clone(),
            base.clone(),
            client.clone(),
            i,
            start.to_rfc3339(),
        );
        running.spawn(work);
    }
    while let Some(done) = running.join_next().await {
        done.unwrap();
    }
    let queued = count(&db, "SELECT id FROM jobs WHERE queue = 'reminder'").await;
    assert_eq!(
        queued,
        2 * n as i64,
        "a day-before and an hour-before reminder each"
    );
    // Only the reminders are measured: the confirmations the bookings queued go.
    db.execute_sql("DELETE FROM jobs WHERE queue = 'email'")
        .await
        .unwrap();
    eprintln!(
        "[reminders] {n} bookings made in {:.1} s",
        began.elapsed().as_secs_f64()
    );
}

/// Moves a fresh instance's job clock to the day-before reminders' time and waits until the
/// sink has them all.
async fn measure(url: &str, dir: &std::path::Path, backend: &str, n: usize) {
    let (smtp, sink) = Sink::start().await;
    let start = meeting_start();
    setup(url, dir, &smtp, n, start).await;
    let app = Application::build(config(url, dir, &smtp, true))
        .await
        .unwrap();
    let db = app.db().clone();
    let clock = app.clock();
    tokio::spawn(app.run_until_stopped());
    let due = start - chrono::Duration::hours(24);
    let moved = Instant::now();
    clock.advance(due - clock.now());
    let handed = "SELECT id FROM jobs WHERE queue = 'reminder' AND status = 'done'";
    let mut handed_over = None;
    let limit = Duration::from_secs(600);
    while sink.count.load(Ordering::SeqCst) < n && moved.elapsed() < limit {
        if handed_over.is_none() && count(&db, handed).await >= n as i64 {
            handed_over = Some(moved.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let arrivals = sink.arrivals.lock().await.clone();
    let sent = arrivals.len();
    let seconds = |t: &Instant| t.duration_since(moved).as_secs_f64();
    let last = arrivals.iter().map(seconds).fold(0.0, f64::max);
    let first = arrivals.iter().map(seconds).fold(f64::INFINITY, f64::min);
    let hour_before = "SELECT id FROM jobs WHERE queue = 'reminder' AND status = 'queued'";
    println!(
        "{}",
        json!({"bench": "reminders_due_together", "backend": backend, "reminders": n,
            "sent": sent,
            "first_email_s": (first * 1000.0).round() / 1000.0,
            "last_email_s": (last * 1000.0).round() / 1000.0,
            "handed_over_s": handed_over.map(|d| (d.as_secs_f64() * 1000.0).round() / 1000.0),
            "emails_per_second": (sent as f64 / last).round(),
            "within_a_minute": sent == n && last <= 60.0,
            "hour_before_still_waiting": count(&db, hour_before).await})
    );
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing useful either way.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n = std::env::var("BENCH_REMINDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(REMINDERS);
    let dir = tempfile::tempdir().unwrap();
    let (url, backend) = fresh_database(dir.path(), "reminders").await;
    measure(&url, dir.path(), backend, n).await;
}
