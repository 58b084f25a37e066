//! Insights read from the roll-ups (hourly and daily, grouped by the database per local date,
//! week and hour) against a straightforward count of the same bookings: random bookings over
//! more than a year, made, cancelled, moved and missed through the API, asked about in zones
//! with changes of summer time, half-hour and quarter-hour offsets, periods starting off the
//! UTC hour, per day and per week, for the caller's own figures and an event type's.

use chrono::{DateTime, Datelike, Days, NaiveDate, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{book, booking_body, day};
use crate::event_types::person;
use crate::helpers::{TestApp, always_bookable, data, spawn_app};
use crate::insights::insights;

/// What each booking came to, as the API names the outcome: (start, outcome).
type Ledger = Vec<(DateTime<Utc>, &'static str)>;

const QUARTER: i64 = 15 * 60;

/// A free quarter-hour start 1 to 400 days ahead, 30 minutes clear of every taken one, ending
/// by 23:59 (where the schedule ends).
fn free_start(rng: &mut StdRng, taken: &mut Vec<i64>, base: i64) -> DateTime<Utc> {
    loop {
        let q = rng.random_range(96..400 * 96);
        if q % 96 < 94 && taken.iter().all(|t| (t - q).abs() >= 2) {
            taken.push(q);
            return DateTime::from_timestamp(base + q * QUARTER, 0).unwrap();
        }
    }
}

async fn booked(app: &TestApp, event: i64, start: DateTime<Utc>, n: usize) -> String {
    let start = start.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let body = booking_body(event, &start, &format!("b{n}@booker.example"));
    let booking = data(book(app, body).await, 201).await;
    booking["uid"].as_str().unwrap().to_owned()
}

/// Random bookings of `event`, each then kept, cancelled, moved or marked absent.
async fn random_bookings(app: &TestApp, key: &str, event: i64, count: usize) -> Ledger {
    let mut rng = StdRng::seed_from_u64(20261221);
    let base = day(0).and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    let (mut taken, mut ledger) = (Vec::new(), Vec::new());
    for n in 0..count {
        let start = free_start(&mut rng, &mut taken, base);
        let uid = booked(app, event, start, n).await;
        let outcome = match rng.random_range(0..10) {
            0 | 1 => {
                let path = format!("/v2/bookings/{uid}/cancel");
                let body = json!({"cancellationReason": "Off"});
                data(
                    app.call(Method::POST, &path, Some(key), Some(body)).await,
                    200,
                )
                .await;
                "cancelled"
            }
            2 => {
                let to = free_start(&mut rng, &mut taken, base);
                let body = json!({"start": to.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    "reschedulingReason": "Clash"});
                let path = format!("/v2/bookings/{uid}/reschedule");
                data(app.call(Method::POST, &path, None, Some(body)).await, 201).await;
                ledger.push((to, "accepted"));
                "rescheduled"
            }
            3 => {
                let body = json!({"host": false,
                    "attendees": [{"email": format!("b{n}@booker.example"), "absent": true}]});
                let path = format!("/v2/bookings/{uid}/mark-absent");
                data(
                    app.call(Method::POST, &path, Some(key), Some(body)).await,
                    200,
                )
                .await;
                "noShow"
            }
            _ => "accepted",
        };
        ledger.push((start, outcome));
    }
    ledger
}

/// The figures counted booking by booking: each counts on the local date and hour of the first
/// instant of the UTC hour it starts in, if it starts in the period's instants and that date
/// is in the period (the rule `insights::figures::fold` documents).
fn expected(ledger: &Ledger, first: NaiveDate, last: NaiveDate, tz: Tz) -> Value {
    let midnight = |d: NaiveDate| {
        let local = tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap());
        local.earliest().unwrap().with_timezone(&Utc)
    };
    let (from, to) = (midnight(first), midnight(last + Days::new(1)));
    let weekly = (last - first).num_days() >= 62;
    let point = |d: NaiveDate| {
        let monday = d - Days::new(u64::from(d.weekday().num_days_from_monday()));
        if weekly { monday.max(first) } else { d }
    };
    let mut series = std::collections::BTreeMap::new();
    let mut d = first;
    while d <= last {
        series
            .entry(point(d))
            .or_insert_with(|| json!({"total": 0}));
        d = d + Days::new(1);
    }
    let (mut totals, mut busiest) = (json!({"total": 0}), [0i64; 24]);
    for (start, outcome) in ledger.iter().filter(|(s, _)| *s >= from && *s < to) {
        let hour = start.with_minute(0).unwrap();
        let local = hour.with_timezone(&tz);
        if local.date_naive() < first || local.date_naive() > last {
            continue;
        }
        for counts in [
            series.get_mut(&point(local.date_naive())).unwrap(),
            &mut totals,
        ] {
            counts["total"] = json!(counts["total"].as_i64().unwrap() + 1);
            counts[*outcome] = json!(counts[*outcome].as_i64().unwrap_or(0) + 1);
        }
        if *outcome != "cancelled" && *outcome != "rescheduled" {
            busiest[local.hour() as usize] += 1;
        }
    }
    json!({"series": series, "totals": totals, "busiest": busiest})
}

/// The figures as the API answered them, in the shape of [`expected`] (zero counts left out).
fn answered(figures: &Value) -> Value {
    let counts = |c: &Value| {
        let mut out = serde_json::Map::new();
        for (k, v) in c.as_object().unwrap() {
            if k != "start" && (k == "total" || v.as_i64() != Some(0)) {
                out.insert(k.clone(), v.clone());
            }
        }
        Value::Object(out)
    };
    let series: serde_json::Map<String, Value> = figures["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["start"].as_str().unwrap().to_owned(), counts(p)))
        .collect();
    let busiest: Vec<i64> = figures["busiestHours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["bookings"].as_i64().unwrap())
        .collect();
    json!({"series": series, "totals": counts(&figures["totals"]), "busiest": busiest})
}

/// The first date at least two days ahead whose next day has another UTC offset in `tz`.
fn change_of_offset(tz: Tz) -> Option<NaiveDate> {
    let offset = |d: NaiveDate| tz.offset_from_utc_date(&d).fix().local_minus_utc();
    (2..380)
        .map(day)
        .find(|d| offset(*d) != offset(*d + Days::new(1)))
}

#[tokio::test]
async fn grouped_roll_ups_count_as_the_bookings_do_in_every_zone() {
    let app = spawn_app().await;
    let (_, key) = person(&app, "ada@example.com", "UTC").await;
    let body = json!({"title": "Call", "slug": "call", "lengthInMinutes": 30,
        "slotInterval": 15});
    let event = always_bookable(&app, &key, body).await;
    let ledger = random_bookings(&app, &key, event, 160).await;

    let zones = [
        "UTC",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "America/New_York",
        "Europe/Berlin",
        "Australia/Sydney",
    ];
    for zone in zones {
        let tz: Tz = zone.parse().unwrap();
        // A year (a point per week), and 40 days (a point per day) around a change of offset.
        let mut periods = vec![(day(1), day(365))];
        if let Some(change) = change_of_offset(tz) {
            periods.push((change - Days::new(20), change + Days::new(19)));
        }
        periods.push((day(30), day(69)));
        for (first, last) in periods {
            let want = expected(&ledger, first, last, tz);
            for scope in [String::new(), format!("&eventTypeId={event}")] {
                let query = format!("start={first}&end={last}&timeZone={zone}{scope}");
                let figures = data(insights(&app, &key, &query).await, 200).await;
                assert_eq!(answered(&figures), want, "{query}");
            }
        }
    }
    assert_days_are_the_sums_of_their_hours(&app).await;
}

/// The daily and monthly roll-ups hold exactly what the hourly one sums to per UTC day and month.
pub async fn assert_days_are_the_sums_of_their_hours(app: &TestApp) {
    let (day, month, hour) = if app.database.is_postgres() {
        (
            "CAST(hour AS DATE)",
            "CAST(date_trunc('month', hour) AS DATE)",
            "EXTRACT(HOUR FROM hour)",
        )
    } else {
        (
            "date(hour)",
            "strftime('%Y-%m-01', hour)",
            "CAST(strftime('%H', hour) AS INTEGER)",
        )
    };
    let columns: Vec<String> = (0..24).map(|h| format!("h{h:02}")).collect();
    let sums: Vec<String> = (0..24)
        .map(|h| format!("SUM(CASE WHEN {hour} = {h} THEN bookings ELSE 0 END)"))
        .collect();
    let hosts = ("user_id", "TRUE");
    let event_types = ("event_type_id", "organiser AND event_type_id IS NOT NULL");
    for (table, span, start, (key, rows)) in [
        ("booking_host_days", "day", day, hosts),
        ("booking_host_months", "month", month, hosts),
        ("booking_event_type_days", "day", day, event_types),
        ("booking_event_type_months", "month", month, event_types),
    ] {
        let outcome = "status, rescheduled, no_show";
        let summed = format!(
            "SELECT {start} AS {span}, {key}, {outcome}, SUM(bookings) AS bookings, \
             SUM(lead_seconds) AS lead_seconds, {} FROM booking_hours WHERE {rows} \
             GROUP BY {start}, {key}, {outcome}",
            sums.join(", ")
        );
        let kept = format!(
            "SELECT {span}, {key}, {outcome}, bookings, lead_seconds, {} FROM {table}",
            columns.join(", ")
        );
        for (a, b) in [(&summed, &kept), (&kept, &summed)] {
            let differing = app.db.count_rows(&format!("{a} EXCEPT {b}")).await.unwrap();
            assert_eq!(differing, 0, "{table}: {a} EXCEPT {b}");
        }
        let rows = app.db.count_rows(&kept).await.unwrap();
        assert!(rows > 0, "{table} is empty");
    }
}
