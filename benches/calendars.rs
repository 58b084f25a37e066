//! ICS feed benchmark: parsing and expanding a generated 5,000-event feed (single events in
//! several zones, weekly and daily series with EXDATEs, UNTIL and COUNT, overrides, all-day
//! events) over a 90-day range, as a feed sync does. Target: under 50 ms.
//!
//! Run: `cargo bench --bench calendars`.

use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::hint::black_box;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use kairos::ical::feed;

const EVENTS: usize = 5_000;

/// The feed: deterministic, about 1.3 MB.
fn generated_feed() -> String {
    let zones = [
        "Europe/Berlin",
        "America/New_York",
        "Australia/Sydney",
        "Asia/Kolkata",
    ];
    let mut doc = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kairos bench//EN\r\nX-WR-CALNAME:Bench\r\n",
    );
    let event = |doc: &mut String, n: usize, body: &str| {
        write!(
            doc,
            "BEGIN:VEVENT\r\nUID:event-{n}@bench\r\nDTSTAMP:20250101T000000Z\r\nSUMMARY:Event number {n}\r\n{body}END:VEVENT\r\n"
        )
        .unwrap();
    };
    for n in 0..EVENTS {
        let zone = zones[n % zones.len()];
        let day = 1 + n % 28;
        let month = 1 + (n / 28) % 12;
        let hour = 7 + n % 11;
        let body = match n % 20 {
            // Weekly series since 2024, two days a week, an EXDATE, some with UNTIL.
            0..=3 => format!(
                "DTSTART;TZID={zone}:202401{day:02}T{hour:02}0000\r\nDTEND;TZID={zone}:202401{day:02}T{hour:02}4500\r\n\
                 RRULE:FREQ=WEEKLY;BYDAY=MO,TH{}\r\nEXDATE;TZID={zone}:202503{day:02}T{hour:02}0000\r\n",
                if n % 3 == 0 {
                    ";UNTIL=20251231T235959Z"
                } else {
                    ""
                }
            ),
            // Daily series with COUNT since 2023 (walked from the start).
            4 => format!(
                "DTSTART;TZID={zone}:202306{day:02}T{hour:02}3000\r\nDURATION:PT15M\r\nRRULE:FREQ=DAILY;COUNT=800\r\n"
            ),
            // An override of an earlier weekly series' instance.
            5 => {
                let series = n - 5;
                let day = 1 + series % 28;
                let hour = 7 + series % 11;
                let zone = zones[series % zones.len()];
                write!(
                    doc,
                    "BEGIN:VEVENT\r\nUID:event-{series}@bench\r\nRECURRENCE-ID;TZID={zone}:20250407T{hour:02}0000\r\n\
                     DTSTART;TZID={zone}:20250408T{hour:02}0000\r\nDURATION:PT1H\r\nSUMMARY:Moved {day}\r\nEND:VEVENT\r\n"
                )
                .unwrap();
                continue;
            }
            6 => format!(
                "DTSTART;VALUE=DATE:2025{month:02}{day:02}\r\nDTEND;VALUE=DATE:2025{month:02}{:02}\r\n",
                day + 1
            ),
            7 => format!(
                "DTSTART:2025{month:02}{day:02}T{hour:02}0000Z\r\nDTEND:2025{month:02}{day:02}T{hour:02}3000Z\r\n"
            ),
            8 => format!(
                "DTSTART:2025{month:02}{day:02}T{hour:02}0000\r\nDURATION:PT50M\r\nTRANSP:OPAQUE\r\n"
            ),
            9 => format!(
                "DTSTART;TZID={zone}:2025{month:02}{day:02}T{hour:02}0000\r\nDURATION:PT1H\r\nTRANSP:TRANSPARENT\r\n"
            ),
            _ => format!(
                "DTSTART;TZID={zone}:2025{month:02}{day:02}T{hour:02}0000\r\nDTEND;TZID={zone}:2025{month:02}{day:02}T{hour:02}3000\r\n"
            ),
        };
        event(&mut doc, n, &body);
    }
    doc.push_str("END:VCALENDAR\r\n");
    doc
}

fn benchmarks(c: &mut Criterion) {
    let doc = generated_feed();
    let from = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2025, 5, 30, 0, 0, 0).unwrap();
    let zone = chrono_tz::Europe::Berlin;
    let blocks = feed::busy_blocks(&doc, from, to, zone).expect("the generated feed reads");
    // The digest tells whether two versions of the reader give the same blocks.
    let mut digest = DefaultHasher::new();
    for block in &blocks {
        (block.start, block.end, &block.uid, &block.summary).hash(&mut digest);
    }
    let count = |what: &str| doc.matches(what).count();
    assert_eq!(count("BEGIN:VEVENT"), EVENTS);
    println!(
        "feed: {} bytes, {} events ({} series, {} with EXDATE, {} RECURRENCE-ID overrides, \
         {} all-day, {} with TZID starts), {} blocks over 90 days, digest {:016x}",
        doc.len(),
        count("BEGIN:VEVENT"),
        count("RRULE:"),
        count("EXDATE"),
        count("RECURRENCE-ID"),
        count("DTSTART;VALUE=DATE:"),
        count("DTSTART;TZID="),
        blocks.len(),
        digest.finish()
    );
    c.bench_function("ics_feed_5000_events_90_days", |b| {
        b.iter(|| feed::busy_blocks(black_box(&doc), from, to, zone).expect("reads"))
    });
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .sample_size(20)
}

criterion_group! {
    name = calendar_benches;
    config = config();
    targets = benchmarks
}
criterion_main!(calendar_benches);
