//! The standard benchmark workloads (B1-B5): headless query documents, written byte for byte as
//! `../shared/bench/workloads.py` writes them (the same seeds through CPython's generator, the
//! same key order, compact JSON), so that benchmarks need neither Python nor that directory.
//! `benches/workloads.sha256` holds each document's SHA-256; `scripts/check-workloads.sh`
//! compares it with the Python script's output and `tests/api/workloads.rs` with this one's.
//!
//! All workloads: a booker in America/New_York, a 30-minute event on a 15-minute grid, 60
//! minutes of notice, 10 minutes of after-event buffer, `now` the day before the range,
//! June-August 2030 so no zone in use changes its UTC offset inside any range (local times
//! become instants through a fixed table of offsets).

mod python_random;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, TimeDelta};
use serde_json::{Map, Value, json};

use python_random::PyRandom;

/// One generated document and what it holds.
pub struct Workload {
    pub name: String,
    pub hosts: usize,
    pub days: u64,
    pub busy_intervals: usize,
    /// The query document, compact JSON.
    pub document: Vec<u8>,
}

const WEEKDAYS: [&str; 5] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
const TEAM_ZONES: [&str; 5] = [
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Sydney",
];
const BOOKER_TZ: &str = "America/New_York";
const EVENT_ID: i64 = 7;
/// (eventTypeId, beforeEventBuffer, afterEventBuffer) of the bookings' event types; 7 is the
/// queried one.
const BOOKING_TYPES: [(i64, u32, u32); 3] = [(EVENT_ID, 0, 10), (8, 5, 5), (9, 0, 0)];
/// (days after the first day, start, end): Wed 06-05, Wed 06-12 closed, Sat 06-15 open, Wed
/// 06-19 closed, Wed 06-26.
const B1_OVERRIDES: [(u64, &str, &str); 5] = [
    (2, "12:00", "17:00"),
    (9, "00:00", "00:00"),
    (12, "10:00", "14:00"),
    (16, "00:00", "00:00"),
    (23, "08:00", "12:00"),
];

/// UTC offset in minutes of each zone in use, in force from 2030-06-01 to 2030-08-31.
fn offset(tz: &str) -> i64 {
    match tz {
        "America/New_York" => -240,
        "Europe/London" => 60,
        "Europe/Berlin" => 120,
        "Asia/Kolkata" => 330,
        "Australia/Sydney" => 600,
        "America/Los_Angeles" => -420,
        other => panic!("no offset for {other}"),
    }
}

/// A Monday.
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2030, 6, 3).expect("a valid date")
}

fn midnight(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).expect("midnight exists")
}

fn nth_day(n: u64) -> NaiveDate {
    first_day() + Days::new(n)
}

/// Local wall time (date, minutes after midnight) in `tz` -> ISO instant in UTC.
fn instant(day: NaiveDate, minute_of_day: i64, tz: &str) -> String {
    let t = midnight(day) + TimeDelta::minutes(minute_of_day - offset(tz));
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn query_range(days: u64) -> (String, String) {
    let start = midnight(first_day()) - TimeDelta::minutes(offset(BOOKER_TZ));
    let end = start + TimeDelta::days(days as i64) - TimeDelta::milliseconds(1);
    (
        start.format("%Y-%m-%dT%H:%M:%S.000Z").to_string(),
        end.format("%Y-%m-%dT%H:%M:%S.%3fZ").to_string(),
    )
}

fn event_type(scheduling_type: Option<&str>) -> Value {
    let mut et = json!({
        "id": EVENT_ID, "lengthInMinutes": 30, "slotInterval": 15, "offsetStart": 0,
        "minimumBookingNotice": 60, "beforeEventBuffer": 0, "afterEventBuffer": 10,
        "onlyShowFirstAvailableSlot": false,
    });
    if let Some(kind) = scheduling_type {
        et["schedulingType"] = json!(kind);
    }
    et
}

fn base_doc(days: u64, event_type: Value, hosts: Vec<Value>) -> Value {
    let (start, end) = query_range(days);
    let now = midnight(first_day()) - TimeDelta::hours(12);
    json!({
        "now": now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "start": start, "end": end, "timeZone": BOOKER_TZ,
        "eventType": event_type, "hosts": hosts,
    })
}

fn hhmm(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// A host's bookings and external busy time, each sorted by start.
#[derive(Default)]
struct Busy {
    bookings: Vec<Value>,
    busy: Vec<Value>,
}

impl Busy {
    fn sort(&mut self) {
        // Stable, as Python's sort.
        let by_start = |a: &Value, b: &Value| a["start"].as_str().cmp(&b["start"].as_str());
        self.bookings.sort_by(by_start);
        self.busy.sort_by(by_start);
    }
}

fn booking_item(start: String, end: String, (type_id, before, after): (i64, u32, u32)) -> Value {
    json!({
        "start": start, "end": end, "eventTypeId": type_id, "status": "ACCEPTED",
        "beforeEventBuffer": before, "afterEventBuffer": after,
    })
}

/// One busy interval: a booking (ACCEPTED, with its event type's buffers) or external busy.
fn busy_item(
    rng: &mut PyRandom,
    tz: &str,
    day: NaiveDate,
    start_min: i64,
    duration: i64,
    booking_share: f64,
    into: &mut Busy,
) {
    let start = instant(day, start_min, tz);
    let end = instant(day, start_min + duration, tz);
    if rng.random() < booking_share {
        let kind = *rng.choice(&BOOKING_TYPES);
        into.bookings.push(booking_item(start, end, kind));
    } else {
        into.busy.push(json!({"start": start, "end": end}));
    }
}

/// `count` intervals on random days of the range, starting on 5-minute marks between 06:00 and
/// 21:00 local, 15 minutes to 2 hours long; about 60 % bookings.
fn random_busy(rng: &mut PyRandom, tz: &str, days: u64, count: usize) -> Busy {
    let mut out = Busy::default();
    for _ in 0..count {
        let day = nth_day(u64::from(rng.below(days as u32)));
        let start = rng.randrange(6 * 60, 21 * 60, 5);
        let duration = *rng.choice(&[15, 30, 30, 45, 60, 60, 90, 120]);
        busy_item(rng, tz, day, start, duration, 0.6, &mut out);
    }
    out.sort();
    out
}

fn host(
    id: i64,
    tz: &str,
    (start_min, end_min): (i64, i64),
    overrides: Vec<Value>,
    busy: Busy,
    fixed: bool,
) -> Value {
    let mut schedule = json!({
        "timeZone": tz,
        "availability": [{"days": WEEKDAYS, "startTime": hhmm(start_min), "endTime": hhmm(end_min)}],
    });
    if !overrides.is_empty() {
        schedule["overrides"] = Value::Array(overrides);
    }
    let mut h =
        json!({"id": id, "isFixed": fixed, "weight": 100, "priority": 2, "schedule": schedule});
    if !busy.busy.is_empty() {
        h["busy"] = Value::Array(busy.busy);
    }
    if !busy.bookings.is_empty() {
        h["bookings"] = Value::Array(busy.bookings);
    }
    h
}

fn one_host(days: u64, busy_count: usize, seed: u64) -> Value {
    let mut rng = PyRandom::new(seed);
    let tz = "America/New_York";
    let overrides = B1_OVERRIDES
        .iter()
        .map(|&(d, s, e)| json!({"date": nth_day(d).to_string(), "startTime": s, "endTime": e}))
        .collect();
    let busy = random_busy(&mut rng, tz, days, busy_count);
    let h = host(1, tz, (9 * 60, 17 * 60), overrides, busy, true);
    base_doc(days, event_type(None), vec![h])
}

fn round_robin(n_hosts: usize, days: u64, busy_per_host: usize, seed: u64) -> Value {
    let mut rng = PyRandom::new(seed);
    let mut hosts = Vec::with_capacity(n_hosts);
    for i in 0..n_hosts {
        let tz = TEAM_ZONES[i % TEAM_ZONES.len()];
        let start = *rng.choice(&[8 * 60, 9 * 60, 9 * 60, 10 * 60]);
        // Keyed by date: a later override of the same date replaces an earlier one in place,
        // as Python's dict comprehension does.
        let mut overrides: Map<String, Value> = Map::new();
        for _ in 0..rng.below(3) {
            let date = nth_day(u64::from(rng.below(days as u32))).to_string();
            let (start_time, end_time) = if rng.random() < 0.5 {
                ("00:00", "00:00")
            } else {
                ("12:00", "16:00")
            };
            overrides.insert(
                date.clone(),
                json!({"date": date, "startTime": start_time, "endTime": end_time}),
            );
        }
        let busy = random_busy(&mut rng, tz, days, busy_per_host);
        hosts.push(host(
            1000 + i as i64,
            tz,
            (start, start + 8 * 60),
            overrides.into_iter().map(|(_, o)| o).collect(),
            busy,
            false,
        ));
    }
    base_doc(days, event_type(Some("ROUND_ROBIN")), hosts)
}

fn collective(n_hosts: usize, days: u64, shared: usize, personal: usize, seed: u64) -> Value {
    let mut rng = PyRandom::new(seed);
    let zones = ["Europe/London", "Europe/Berlin"];
    let weekdays: Vec<NaiveDate> = (0..days)
        .map(nth_day)
        .filter(|d| d.weekday().num_days_from_monday() < 5)
        .collect();
    // Shared meetings inside the common hours 08:00-15:00 UTC on weekdays (everyone attends).
    let mut team = Vec::with_capacity(shared);
    for _ in 0..shared {
        let day = *rng.choice(&weekdays);
        let start_utc = rng.randrange(8 * 60, 14 * 60 + 1, 15);
        let duration = *rng.choice(&[30, 30, 45, 60]);
        let kind = *rng.choice(&BOOKING_TYPES);
        team.push((day, start_utc, duration, kind));
    }
    let mut hosts = Vec::with_capacity(n_hosts);
    for i in 0..n_hosts {
        let tz = zones[i % 2];
        let off = offset(tz);
        let mut items = Busy::default();
        for &(day, start_utc, duration, kind) in &team {
            items.bookings.push(booking_item(
                instant(day, start_utc + off, tz),
                instant(day, start_utc + duration + off, tz),
                kind,
            ));
        }
        // Personal busy time outside 09:00-17:00 local, or at weekends.
        for _ in 0..personal {
            let day = nth_day(u64::from(rng.below(days as u32)));
            let duration = *rng.choice(&[15, 30, 60, 90]);
            let start = if day.weekday().num_days_from_monday() >= 5 {
                rng.randrange(8 * 60, 20 * 60, 5)
            } else {
                let early = rng.randrange(6 * 60, 9 * 60 - duration + 1, 5);
                let late = rng.randrange(17 * 60, 21 * 60, 5);
                *rng.choice(&[early, late])
            };
            busy_item(&mut rng, tz, day, start, duration, 0.5, &mut items);
        }
        items.sort();
        hosts.push(host(
            2000 + i as i64,
            tz,
            (9 * 60, 17 * 60),
            Vec::new(),
            items,
            true,
        ));
    }
    base_doc(days, event_type(Some("COLLECTIVE")), hosts)
}

fn workload(name: &str, days: u64, doc: Value) -> Workload {
    let hosts = doc["hosts"].as_array().map_or(&[][..], Vec::as_slice);
    let busy_intervals = hosts
        .iter()
        .map(|h| {
            let count = |key: &str| h.get(key).and_then(Value::as_array).map_or(0, Vec::len);
            count("busy") + count("bookings")
        })
        .sum();
    Workload {
        name: name.to_owned(),
        hosts: hosts.len(),
        days,
        busy_intervals,
        document: serde_json::to_vec(&doc).expect("a JSON value serialises"),
    }
}

/// Every standard workload, in the order of `workloads.py`: B1 (one host, 31 days, 500 busy),
/// B2 (round robin, 100 hosts in 5 zones, 20,000 busy), B3 (collective, 50 hosts, 100 busy
/// each), B4-1d..B4-90d (B1 over 1 to 90 days at B1's density; B4-31d is B1), B5-10..B5-200
/// (round robin as B2 with 10 to 200 hosts; B5-100 is B2).
pub fn all() -> Vec<Workload> {
    let mut out = vec![
        workload("B1", 31, one_host(31, 500, 1)),
        workload("B2", 31, round_robin(100, 31, 200, 2)),
        workload("B3", 31, collective(50, 31, 60, 40, 3)),
    ];
    for days in [1u64, 7, 31, 90] {
        // Python's round(): halves to even.
        let busy = (500.0 * days as f64 / 31.0).round_ties_even() as usize;
        out.push(workload(
            &format!("B4-{days}d"),
            days,
            one_host(days, busy, 1),
        ));
    }
    for n in [10usize, 50, 100, 200] {
        out.push(workload(&format!("B5-{n}"), 31, round_robin(n, 31, 200, 2)));
    }
    out
}
