//! Calendar sync throughput. Issue 15's target: one instance keeps 1,000 connections fresh
//! within the sync interval (`KAIROS_CALENDAR_SYNC_INTERVAL`, 5 minutes by default) on 2 cores.
//!
//! Run: `cargo bench --bench calendar_sync` (SQLite in a temporary directory), or with
//! `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres` for PostgreSQL (a database
//! `kairos_bench_calendar_sync` is created next to it, dropped first if it exists). Optional:
//! `SYNC_BENCH_CONNECTIONS` (1000), `SYNC_BENCH_DELAY_MS` (0: how long the feed server waits
//! before each answer, standing in for a remote server's latency), `SYNC_BENCH_CONCURRENCY`
//! (the configured runner's unless set). One JSON line per round; the figures are kept in
//! docs/PERFORMANCE.md.
//!
//! 100 users connect 10 ICS feeds each, served by a feed server in a child process (this
//! binary again), so its CPU time is not Kairos's. A feed is about 40 kB: 8 weekly series, a
//! weekday stand-up, 120 single events, about 300 busy blocks over the 91-day horizon; it
//! answers with an ETag and honours `If-None-Match`. Then every connection is made due at once
//! and one sync runner (the real one, `calendars::sync`, with the configured settings) is
//! started; a round ends when every connection has recorded its sync. Three rounds:
//!
//! - `first`: nothing cached yet (no validators): every feed is read and its busy time written;
//! - `unchanged`: the same feeds again, the conditional request answered 304;
//! - `changed`: every feed changed (new ETag, one event moved): read and written again.
//!
//! Reported per round: the wall time, the CPU seconds of this process (Kairos; the bench's
//! own polling is one count query every 100 ms), of the feed server, of the PostgreSQL
//! backends serving this database (PostgreSQL runs only), and the machine's busy cores over the
//! round (everything running on it, other work included).

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::{NaiveDate, Utc};
use kairos::Application;
use kairos::config::Config;
use kairos::storage::Db;
use serde_json::json;
use support::fresh_database;

/// Set in the child process: it serves the feeds.
const FEED_SERVER: &str = "SYNC_BENCH_FEED_SERVER";
const FEEDS_PER_USER: usize = 10;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---- The feed server (child process) --------------------------------------------------------

/// A deterministic pseudo-random sequence (a 64-bit LCG's high bits).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Feed `n` in generation `generation`, around `today`.
fn feed(n: u64, generation: u64, today: NaiveDate) -> String {
    use std::fmt::Write as _;
    let mut doc = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kairos bench//EN\r\nX-WR-CALNAME:Feed {n}\r\n"
    );
    let mut event = |uid: String, body: String| {
        write!(
            doc,
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Busy {n}\r\n{body}END:VEVENT\r\n"
        )
        .unwrap();
    };
    let since = today - chrono::Days::new(60);
    let day = |d: NaiveDate| d.format("%Y%m%d").to_string();
    for k in 0..8u64 {
        let start = since + chrono::Days::new(k % 7);
        event(
            format!("weekly-{k}-{n}@feeds.example"),
            format!(
                "DTSTART;TZID=Europe/Berlin:{}T{:02}0000\r\nDTEND;TZID=Europe/Berlin:{}T{:02}0000\r\n\
                 RRULE:FREQ=WEEKLY\r\n",
                day(start),
                9 + k,
                day(start),
                10 + k
            ),
        );
    }
    event(
        format!("standup-{n}@feeds.example"),
        format!(
            "DTSTART:{}T083000Z\r\nDURATION:PT15M\r\nRRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR\r\n",
            day(since)
        ),
    );
    let mut random = Lcg(n);
    for k in 0..120u64 {
        let date = today + chrono::Days::new(random.below(91));
        // The generation moves the first event: a changed feed.
        let minutes = 7 * 60 + 15 * random.below(44) + if k == 0 { 15 * generation } else { 0 };
        let length = 30 * (1 + random.below(3));
        event(
            format!("single-{k}-{n}@feeds.example"),
            format!(
                "DTSTART:{}T{:02}{:02}00Z\r\nDURATION:PT{length}M\r\n",
                day(date),
                minutes / 60 % 24,
                minutes % 60
            ),
        );
    }
    doc.push_str("END:VCALENDAR\r\n");
    doc
}

struct Feeds {
    generation: AtomicU64,
    delay_ms: AtomicU64,
    today: NaiveDate,
}

async fn serve_feed(
    request: HttpRequest,
    path: web::Path<u64>,
    feeds: web::Data<Feeds>,
) -> HttpResponse {
    let delay = feeds.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let n = path.into_inner();
    let generation = feeds.generation.load(Ordering::SeqCst);
    let etag = format!("\"{n}-{generation}\"");
    let matches = request
        .headers()
        .get("if-none-match")
        .is_some_and(|v| v.as_bytes() == etag.as_bytes());
    if matches {
        return HttpResponse::NotModified()
            .insert_header(("ETag", etag))
            .finish();
    }
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("ETag", etag))
        .body(feed(n, generation, feeds.today))
}

/// The child: serves `/feed/{n}.ics` and prints its port; then, per line read from stdin,
/// moves every feed to its next generation (`next`) or sets its delay (`delay <ms>`), and
/// answers `ok`; exits when stdin closes.
fn feed_server() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let feeds = web::Data::new(Feeds {
            generation: AtomicU64::new(0),
            delay_ms: AtomicU64::new(0),
            today: Utc::now().date_naive(),
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let data = feeds.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/feed/{n}.ics", web::get().to(serve_feed))
        })
        .workers(1)
        .backlog(2048)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        println!("{port}");
        let lines = tokio::task::spawn_blocking(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                match line.strip_prefix("delay ") {
                    Some(ms) => feeds.delay_ms.store(ms.parse().unwrap(), Ordering::SeqCst),
                    None => _ = feeds.generation.fetch_add(1, Ordering::SeqCst),
                }
                println!("ok");
            }
        });
        lines.await.unwrap();
    });
}

/// The feed server as seen from the parent.
struct FeedServer {
    child: Child,
    answers: BufReader<std::process::ChildStdout>,
    port: u16,
}

impl FeedServer {
    fn start() -> Self {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(FEED_SERVER, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut answers = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        answers.read_line(&mut line).unwrap();
        let port = line
            .trim()
            .parse()
            .expect("the feed server prints its port");
        Self {
            child,
            answers,
            port,
        }
    }

    fn tell(&mut self, command: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{command}").unwrap();
        let mut line = String::new();
        self.answers.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ok");
    }
}

impl Drop for FeedServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

// ---- CPU accounting -----------------------------------------------------------------------

/// CPU seconds (user + system) a process has used so far, from `/proc/<pid>/stat`.
fn cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces): state is the first; utime and
    // stime are the 12th and 13th, in clock ticks (USER_HZ, 100 on Linux).
    let rest = &stat[stat.rfind(')').unwrap_or(0) + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

/// (busy, total) clock ticks of the whole machine, from `/proc/stat`.
fn machine_ticks() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap();
    let values: Vec<f64> = stat
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    let total: f64 = values.iter().sum();
    // idle and iowait
    (total - values[3] - values[4], total)
}

/// The PostgreSQL backends serving `database` (PostgreSQL runs only).
async fn backends(database: &str) -> Vec<String> {
    let Ok(admin) = std::env::var("BENCH_DATABASE_URL") else {
        return Vec::new();
    };
    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .query(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1",
            &[&database],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<_, i32>(0).to_string())
        .collect()
}

// ---- The measurement ----------------------------------------------------------------------

fn config(database_url: &str, dir: &std::path::Path) -> Config {
    Config {
        webhook_worker: false,
        email_worker: false,
        calendar_worker: false,
        calendar_allow_private: true,
        ..support::config(database_url, dir)
    }
}

/// `connections` ICS feeds, `FEEDS_PER_USER` per user, connected through the use case (each
/// read once to check it).
async fn connect(calendars: &kairos::calendars::Calendars, db: &Db, port: u16, connections: u64) {
    let users = connections.div_ceil(FEEDS_PER_USER as u64);
    for u in 0..users {
        let email = format!("user{u}@example.com");
        let user = support::user(db, &email, &format!("User {u}"), "Europe/Berlin").await;
        let first = u * FEEDS_PER_USER as u64;
        let urls: Vec<String> = (first..(first + FEEDS_PER_USER as u64).min(connections))
            .map(|n| format!("http://127.0.0.1:{port}/feed/{n}.ics"))
            .collect();
        calendars
            .connect_ics(&user, &urls, Utc::now())
            .await
            .unwrap();
    }
}

struct Round<'a> {
    db: &'a Db,
    calendars: &'a kairos::calendars::Calendars,
    settings: kairos::calendars::sync::SyncSettings,
    connections: i64,
    database: String,
}

impl Round<'_> {
    /// Makes every connection due, runs one sync runner until all have recorded a sync, and
    /// reports the round.
    async fn run(&self, name: &str, feeds: &FeedServer, backend: &str) {
        self.db
            .execute_sql(
                "UPDATE calendar_connections SET synced_at = NULL, last_error = NULL, \
                 failures = 0, sync_due_at = '2000-01-01 00:00:00'",
            )
            .await
            .unwrap();
        let pg = backends(&self.database).await;
        let pg_before: f64 = pg.iter().map(|p| cpu_seconds(p)).sum();
        let feeds_pid = feeds.child.id().to_string();
        let (feeds_before, own_before) = (cpu_seconds(&feeds_pid), cpu_seconds("self"));
        let machine_before = machine_ticks();
        let started = Instant::now();
        let runner = kairos::calendars::sync::spawn(
            self.db.clone(),
            self.calendars.clone(),
            self.settings.clone(),
        );
        let done = "SELECT id FROM calendar_connections \
                    WHERE synced_at IS NOT NULL OR last_error IS NOT NULL";
        while self.db.count_rows(done).await.unwrap() < self.connections {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let seconds = started.elapsed().as_secs_f64();
        runner.abort();
        let machine_after = machine_ticks();
        let pg_after: f64 = pg.iter().map(|p| cpu_seconds(p)).sum();
        let failed = self
            .db
            .count_rows("SELECT id FROM calendar_connections WHERE last_error IS NOT NULL")
            .await
            .unwrap();
        let blocks = self
            .db
            .count_rows("SELECT id FROM busy_intervals")
            .await
            .unwrap();
        let round = |x: f64| (x * 100.0).round() / 100.0;
        let busy_cores = (machine_after.0 - machine_before.0)
            / (machine_after.1 - machine_before.1)
            * std::thread::available_parallelism().map_or(1.0, |n| n.get() as f64);
        println!(
            "{}",
            json!({"bench": "calendar_sync", "backend": backend, "round": name,
                "connections": self.connections, "concurrency": self.settings.concurrency,
                "feed_delay_ms": env_number("SYNC_BENCH_DELAY_MS", 0),
                "seconds": round(seconds),
                "connections_per_second": round(self.connections as f64 / seconds),
                "kairos_cpu_seconds": round(cpu_seconds("self") - own_before),
                "feed_server_cpu_seconds": round(cpu_seconds(&feeds_pid) - feeds_before),
                "postgres_cpu_seconds": (!pg.is_empty()).then(|| round(pg_after - pg_before)),
                "machine_busy_cores": round(busy_cores),
                "failed": failed, "busy_blocks_cached": blocks})
        );
    }
}

fn main() {
    if std::env::var_os(FEED_SERVER).is_some() {
        return feed_server();
    }
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(measure());
}

async fn measure() {
    let connections = env_number("SYNC_BENCH_CONNECTIONS", 1000);
    let mut feeds = FeedServer::start();
    let dir = tempfile::tempdir().unwrap();
    let (url, backend) = fresh_database(dir.path(), "calendar_sync").await;
    let config = config(&url, dir.path());
    let app = Application::build(config.clone()).await.unwrap();
    let db = app.db().clone();
    let secret = config.secret_key.clone().unwrap();
    let calendars = kairos::calendars::service(&config, &db, &secret, "http://127.0.0.1").unwrap();
    let started = Instant::now();
    connect(&calendars, &db, feeds.port, connections).await;
    eprintln!(
        "connected {connections} feeds in {:.1} s (feed 0: {} bytes)",
        started.elapsed().as_secs_f64(),
        feed(0, 0, Utc::now().date_naive()).len(),
    );
    // Connected without delay; the feeds are slow for the syncs only.
    feeds.tell(&format!("delay {}", env_number("SYNC_BENCH_DELAY_MS", 0)));
    let mut settings = kairos::calendars::sync_settings(&config, Arc::default());
    if let Ok(n) = std::env::var("SYNC_BENCH_CONCURRENCY") {
        settings.concurrency = n.parse().expect("SYNC_BENCH_CONCURRENCY is a number");
    }
    let round = Round {
        db: &db,
        calendars: &calendars,
        settings,
        connections: connections as i64,
        database: "kairos_bench_calendar_sync".into(),
    };
    round.run("first", &feeds, backend).await;
    round.run("unchanged", &feeds, backend).await;
    feeds.tell("next");
    round.run("changed", &feeds, backend).await;
}
