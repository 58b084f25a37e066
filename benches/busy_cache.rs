//! The busy cache on the slot path. Issue 15's target: reading the cached busy time of a
//! 100-host team for a month adds under 2 ms to a slots answer.
//!
//! Run: `cargo bench --bench busy_cache` (SQLite in a temporary directory), or with
//! `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres` for PostgreSQL (a database
//! `kairos_bench_busy_cache` is created next to it, dropped first if it exists). The figures
//! are kept in docs/PERFORMANCE.md.
//!
//! The data: a round-robin event type (30 minutes) of a 100-host team, every host with a
//! weekday 09:00-17:00 UTC schedule, and 100 bookings in the month read (next month, UTC).
//! Then every host gets a connection with 10 selected calendars, each with 15 busy blocks per
//! 30 days over the cache's whole horizon (a day back, 90 days ahead): 150 blocks per host and
//! month, 15,000 in the month read and about 45,000 in the cache, the written-back copies of
//! the bookings (same UID) among them. Each measurement runs before and after the cache is
//! filled:
//!
//! - `read`: what the slot path reads about the hosts' calendars for the month
//!   (`storage::bookings::external_busy` and `stale_calendar_hosts`), the target's figure;
//! - `query`: everything a slots answer reads (`booking::build_query`);
//! - `slots`: `booking::slots`, the read and the engine;
//! - `http`: `GET /v2/slots` for the month, with the slots cache off.
//!
//! `BENCH_KEEP=1` keeps the SQLite database (its path is printed) for `EXPLAIN QUERY PLAN`.

mod support;

use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use criterion::Criterion;
use kairos::Application;
use kairos::accounts;
use kairos::availability::interval::Interval;
use kairos::booking::{self, SlotRequest};
use kairos::config::Config;
use kairos::event_types::EventType;
use kairos::service::ServiceError;
use kairos::storage::Db;
use kairos::storage::bookings as claims;
use kairos::storage::calendars::{self as store, BusyRow, ListedCalendar, NewConnection, SyncEnd};
use serde_json::{Value, json};
use support::fresh_database;

const HOSTS: usize = 100;
const CALENDARS: usize = 10;
/// Busy blocks per calendar per 30 days.
const BLOCKS_PER_30_DAYS: usize = 15;
const BOOKINGS: usize = 100;

/// The seeded team's event type, the month read and a client for the running server.
struct Team {
    db: Db,
    event: EventType,
    hosts: Vec<i64>,
    written: Vec<Written>,
    month: (DateTime<Utc>, DateTime<Utc>),
    slots_url: String,
    http: reqwest::Client,
}

struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, key: &str, body: Value) -> Value {
        let response = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {body}");
        body["data"].clone()
    }

    async fn post(&self, path: &str, key: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, key, body).await
    }
}

fn config(database_url: &str, dir: &std::path::Path) -> Config {
    Config {
        slots_cache_ms: 0,
        webhook_worker: false,
        email_worker: false,
        calendar_worker: false,
        rate_limit_per_ip: "off".into(),
        rate_limit_per_host: "off".into(),
        ..support::config(database_url, dir)
    }
}

/// A user with an API key and a weekday 09:00-17:00 UTC default schedule.
async fn host(db: &Db, api: &Api, n: usize) -> (i64, String) {
    let user = support::user(
        db,
        &format!("host{n}@example.com"),
        &format!("Host {n}"),
        "UTC",
    )
    .await;
    let (_, key) = accounts::create_api_key(db, user.id, "bench", None)
        .await
        .unwrap();
    let key = key.expose().to_owned();
    api.post(
        "/v2/schedules",
        &key,
        json!({"name": "Office", "timeZone": "UTC", "isDefault": true,
            "availability": [{"days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
                "startTime": "09:00", "endTime": "17:00"}]}),
    )
    .await;
    (user.id, key)
}

/// The team, its round-robin event type and the bookings; returns the event type's id, the
/// hosts and the bookings' written-back copies.
async fn seed_team(db: &Db, api: &Api, month: &str) -> (i64, Vec<i64>, Vec<Written>) {
    let mut hosts = Vec::new();
    for n in 0..HOSTS {
        hosts.push(host(db, api, n).await);
    }
    let owner = hosts[0].1.clone();
    let team = api
        .post("/v2/teams", &owner, json!({"name": "Bench"}))
        .await["id"]
        .as_i64()
        .unwrap();
    for (id, key) in &hosts[1..] {
        let path = format!("/v2/teams/{team}/memberships");
        let invite = api.post(&path, &owner, json!({"userId": id})).await;
        let path = format!("{path}/{}", invite["id"]);
        api.call(
            reqwest::Method::PATCH,
            &path,
            key,
            json!({"accepted": true}),
        )
        .await;
    }
    let ids: Vec<i64> = hosts.iter().map(|h| h.0).collect();
    let event = api
        .post(
            &format!("/v2/teams/{team}/event-types"),
            &owner,
            json!({"title": "Bench", "slug": "bench", "lengthInMinutes": 30,
                "minimumBookingNotice": 0, "schedulingType": "ROUND_ROBIN",
                "hosts": ids.iter().map(|id| json!({"userId": id})).collect::<Vec<_>>()}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let written = book(api, &owner, event, month).await;
    (event, ids, written)
}

/// A booking's written-back copy in its host's calendar: (host, iCalendar UID, start, end).
type Written = (i64, String, DateTime<Utc>, DateTime<Utc>);

/// `BOOKINGS` bookings spread over the month's slots.
async fn book(api: &Api, key: &str, event: i64, month: &str) -> Vec<Written> {
    let slots: Value = api
        .http
        .get(format!("{}/v2/slots?eventTypeId={event}&{month}", api.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let starts: Vec<String> = slots["data"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|day| day.as_array().unwrap().iter())
        .map(|slot| slot["start"].as_str().unwrap().to_owned())
        .collect();
    let step = (starts.len() / BOOKINGS).max(1);
    let mut written = Vec::new();
    for start in starts.iter().step_by(step).take(BOOKINGS) {
        let booking = api
            .post(
                "/v2/bookings",
                key,
                json!({"eventTypeId": event, "start": start,
                    "attendee": {"name": "Bench Booker", "email": "booker@example.com",
                        "timeZone": "UTC"}}),
            )
            .await;
        let instant = |field: &str| {
            DateTime::parse_from_rfc3339(booking[field].as_str().unwrap())
                .unwrap()
                .to_utc()
        };
        written.push((
            booking["hosts"][0]["id"].as_i64().unwrap(),
            booking["icsUid"].as_str().unwrap().to_owned(),
            instant("start"),
            instant("end"),
        ));
    }
    written
}

/// A cached busy block: start, end, iCalendar UID.
type Block = (DateTime<Utc>, DateTime<Utc>, String);

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

/// Fills the busy cache as syncs would (in one transaction per host, summarised at the end): per
/// host a connection with `CALENDARS` selected calendars, each with its busy blocks over the
/// horizon; the bookings' written-back copies in their hosts' first calendars; every
/// connection synced, trusted for a day.
async fn fill_cache(db: &Db, hosts: &[i64], written: &[Written], now: DateTime<Utc>) -> usize {
    let (from, to) = (
        now - chrono::Duration::days(1),
        now + chrono::Duration::days(90),
    );
    let per_calendar = BLOCKS_PER_30_DAYS * 91 / 30;
    let mut random = Lcg(15);
    let mut total = 0;
    for (h, &host) in hosts.iter().enumerate() {
        let mut blocks: Vec<Vec<Block>> = Vec::new();
        for cal in 0..CALENDARS {
            let mut rows = Vec::new();
            for n in 0..per_calendar {
                let day = from.date_naive() + chrono::Days::new(random.below(91));
                let start = Utc.from_utc_datetime(&day.and_hms_opt(7, 0, 0).unwrap())
                    + chrono::Duration::minutes(15 * random.below(44) as i64);
                let end = start + chrono::Duration::minutes(30 * (1 + random.below(3) as i64));
                rows.push((start, end, format!("h{h}-c{cal}-e{n}@calendar.example")));
            }
            blocks.push(rows);
        }
        for (owner, uid, start, end) in written {
            if *owner == host {
                blocks[0].push((*start, *end, uid.clone()));
            }
        }
        total += blocks.iter().map(Vec::len).sum::<usize>();
        db.transaction(async |c| connect(c, host, &blocks, (from, to), now).await)
            .await
            .unwrap();
    }
    db.transaction(async |c| {
        let synced = SyncEnd::Synced {
            next_at: now + chrono::Duration::minutes(5),
            blocks_after: Some(now + chrono::Duration::days(1)),
        };
        let until = now + chrono::Duration::minutes(2);
        for record in store::claim_due(c, "bench", now, until, 10_000).await? {
            store::finish_sync(c, record.id, "bench", &synced, now).await?;
        }
        Ok::<_, ServiceError>(())
    })
    .await
    .unwrap();
    total
}

/// One host's connection, its calendars (all selected) and their busy time.
async fn connect(
    c: &mut kairos::storage::Conn<'_>,
    host: i64,
    blocks: &[Vec<Block>],
    covered: (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let key = format!("bench-{host}");
    let new = NewConnection {
        user_id: host,
        provider: "google",
        account: &key,
        account_key: &key,
        secrets: "{}",
    };
    let id = store::upsert_connection(c, &new, now).await?;
    let names: Vec<String> = (0..blocks.len()).map(|n| format!("cal-{n}")).collect();
    let listed: Vec<ListedCalendar<'_>> = names
        .iter()
        .map(|name| ListedCalendar {
            external_id: name,
            name,
            is_primary: name == "cal-0",
            read_only: false,
            time_zone: Some("UTC"),
        })
        .collect();
    store::replace_calendars(c, id, host, &listed, |_| true).await?;
    let stored = store::calendars_of_connection(c, id).await?;
    for (calendar, rows) in stored.iter().zip(blocks) {
        let rows: Vec<BusyRow<'_>> = rows
            .iter()
            .map(|(start, end, uid)| BusyRow {
                start: *start,
                end: *end,
                uid: Some(uid),
                summary: Some("Busy"),
            })
            .collect();
        store::replace_busy(c, calendar, &rows, None, covered, now).await?;
    }
    // What a sync does once after writing a connection's calendars.
    kairos::storage::busy_summaries::refresh(c, host).await?;
    Ok(())
}

/// The next month in UTC, as instants and as the slots query's `start`/`end` parameters.
fn next_month(now: DateTime<Utc>) -> ((DateTime<Utc>, DateTime<Utc>), String) {
    let first = NaiveDate::from_ymd_opt(now.year(), now.month(), 1).unwrap();
    let first = first.checked_add_months(chrono::Months::new(1)).unwrap();
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap();
    let last = next.pred_opt().unwrap();
    let instant = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap());
    (
        (instant(first), instant(next)),
        format!("start={first}&end={last}&timeZone=UTC"),
    )
}

async fn setup(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> (Team, &'static str) {
    let (url, backend) = fresh_database(dir, "busy_cache").await;
    let app = Application::build(config(&url, dir)).await.unwrap();
    let base = format!("http://{}", app.address());
    let db = app.db().clone();
    rt.spawn(app.run_until_stopped());
    let api = Api {
        base: base.clone(),
        http: reqwest::Client::new(),
    };
    let (month, query) = next_month(Utc::now());
    let (event, hosts, written) = seed_team(&db, &api, &query).await;
    let event = db
        .run(async |c| kairos::event_types::find_any(c, event).await)
        .await
        .unwrap();
    let slots_url = format!("{base}/v2/slots?eventTypeId={}&{query}", event.record.id);
    let team = Team {
        db,
        event,
        hosts,
        written,
        month,
        slots_url,
        http: api.http,
    };
    (team, backend)
}

impl Team {
    fn request(&self) -> SlotRequest {
        SlotRequest {
            range: Interval::new(self.month.0.timestamp(), self.month.1.timestamp()),
            booker_tz: chrono_tz::UTC,
            length: None,
            booker_uid: None,
            rescheduling_uid: None,
            now: Utc::now(),
        }
    }

    /// The calendar reads of the slot path: (external busy blocks, time off, stale hosts).
    async fn read(&self) -> (usize, usize, usize) {
        let (from, to) = self.month;
        self.db
            .run(async |c| {
                let (busy, away) = claims::external_busy(c, &self.hosts, from, to).await?;
                let stale = claims::stale_calendar_hosts(c, &self.hosts, Utc::now()).await?;
                Ok::<_, ServiceError>((busy.len(), away.len(), stale.len()))
            })
            .await
            .unwrap()
    }

    async fn query(&self) -> usize {
        let request = self.request();
        let query = self
            .db
            .run(async |c| booking::build_query(c, &self.event, &request).await)
            .await
            .unwrap();
        query.hosts.iter().map(|h| h.busy.len()).sum()
    }

    async fn slots(&self) -> usize {
        let (_, slots) = booking::slots(&self.db, &self.event, &self.request())
            .await
            .unwrap();
        slots.len()
    }

    async fn http(&self) -> usize {
        let response = self.http.get(&self.slots_url).send().await.unwrap();
        assert!(response.status().is_success());
        response.bytes().await.unwrap().len()
    }
}

fn measure(c: &mut Criterion, rt: &tokio::runtime::Runtime, team: &Team, label: &str) {
    println!(
        "{label}: read {:?} (busy blocks, time off, stale hosts), query {} busy blocks, \
         {} slots, {} bytes over HTTP",
        rt.block_on(team.read()),
        rt.block_on(team.query()),
        rt.block_on(team.slots()),
        rt.block_on(team.http()),
    );
    let mut group = c.benchmark_group(label);
    group.bench_function("read", |b| b.iter(|| rt.block_on(team.read())));
    group.bench_function("query", |b| b.iter(|| rt.block_on(team.query())));
    group.bench_function("slots", |b| b.iter(|| rt.block_on(team.slots())));
    group.bench_function("http", |b| b.iter(|| rt.block_on(team.http())));
    group.finish();
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(30)
        .configure_from_args();
    let dir = tempfile::tempdir().unwrap();
    let (team, backend) = rt.block_on(setup(&rt, dir.path()));
    measure(&mut c, &rt, &team, &format!("busy_cache/{backend}/empty"));
    let blocks = rt.block_on(fill_cache(&team.db, &team.hosts, &team.written, Utc::now()));
    println!("cache filled: {blocks} busy blocks for {HOSTS} hosts, {CALENDARS} calendars each");
    measure(&mut c, &rt, &team, &format!("busy_cache/{backend}/filled"));
    c.final_summary();
    if std::env::var_os("BENCH_KEEP").is_some() {
        println!("kept the SQLite database in {}", dir.keep().display());
    }
}
