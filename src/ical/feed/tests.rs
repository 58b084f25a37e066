//! Table tests of feed reading in several zones, and a property test that it never panics.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;

const BERLIN: Tz = chrono_tz::Europe::Berlin;
const NEW_YORK: Tz = chrono_tz::America::New_York;
const SYDNEY: Tz = chrono_tz::Australia::Sydney;
const KOLKATA: Tz = chrono_tz::Asia::Kolkata;

/// A calendar around `body` (lines separated by `\n`, sent with CRLF as feeds do).
fn calendar(body: &str) -> String {
    let body = body.trim().replace('\n', "\r\n");
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}\r\nEND:VCALENDAR\r\n")
}

fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

/// The blocks of `body` over a wide 2025 range, written in `shown_in` as `MM-DD HH:MM+zz`.
fn blocks_in(body: &str, owner: Tz, shown_in: Tz) -> Vec<String> {
    let blocks = busy_blocks(&calendar(body), utc(2024, 12, 1), utc(2026, 2, 1), owner)
        .unwrap_or_else(|error| panic!("{error}"));
    blocks
        .iter()
        .map(|b| {
            let f = |t: DateTime<Utc>| {
                t.with_timezone(&shown_in)
                    .format("%m-%d %H:%M%:z")
                    .to_string()
            };
            format!("{} {}", f(b.start), f(b.end))
        })
        .collect()
}

fn blocks(body: &str, zone: Tz) -> Vec<String> {
    blocks_in(body, zone, zone)
}

fn event(lines: &str) -> String {
    format!(
        "BEGIN:VEVENT\nUID:e1\nDTSTAMP:20250101T000000Z\n{}\nEND:VEVENT",
        lines.trim()
    )
}

#[test]
fn weekly_series_keep_their_local_time_across_dst() {
    let cases: [(Tz, &str, &str, [&str; 4]); 4] = [
        (
            BERLIN,
            "Europe/Berlin",
            "20250317",
            [
                "03-17 09:00+01:00 03-17 10:00+01:00",
                "03-24 09:00+01:00 03-24 10:00+01:00",
                "03-31 09:00+02:00 03-31 10:00+02:00",
                "04-07 09:00+02:00 04-07 10:00+02:00",
            ],
        ),
        (
            NEW_YORK,
            "America/New_York",
            "20251020",
            [
                "10-20 09:00-04:00 10-20 10:00-04:00",
                "10-27 09:00-04:00 10-27 10:00-04:00",
                "11-03 09:00-05:00 11-03 10:00-05:00",
                "11-10 09:00-05:00 11-10 10:00-05:00",
            ],
        ),
        (
            SYDNEY,
            "Australia/Sydney",
            "20250324",
            [
                "03-24 09:00+11:00 03-24 10:00+11:00",
                "03-31 09:00+11:00 03-31 10:00+11:00",
                "04-07 09:00+10:00 04-07 10:00+10:00",
                "04-14 09:00+10:00 04-14 10:00+10:00",
            ],
        ),
        (
            KOLKATA,
            "Asia/Kolkata",
            "20250324",
            [
                "03-24 09:00+05:30 03-24 10:00+05:30",
                "03-31 09:00+05:30 03-31 10:00+05:30",
                "04-07 09:00+05:30 04-07 10:00+05:30",
                "04-14 09:00+05:30 04-14 10:00+05:30",
            ],
        ),
    ];
    for (zone, tzid, date, expected) in cases {
        let body = event(&format!(
            "DTSTART;TZID={tzid}:{date}T090000\nDTEND;TZID={tzid}:{date}T100000\nRRULE:FREQ=WEEKLY;COUNT=4"
        ));
        // The owner's zone is UTC: the event's own TZID must decide.
        assert_eq!(blocks_in(&body, Tz::UTC, zone), expected, "{tzid}");
    }
}

#[test]
fn a_series_started_years_ago_is_still_on_its_local_time() {
    let body = event(
        "DTSTART;TZID=Europe/Berlin:20150302T090000\nDURATION:PT30M\nRRULE:FREQ=WEEKLY;BYDAY=MO,TH",
    );
    let doc = calendar(&body);
    let found = busy_blocks(&doc, utc(2025, 3, 24), utc(2025, 4, 4), Tz::UTC).unwrap();
    let shown: Vec<_> = found
        .iter()
        .map(|b| {
            b.start
                .with_timezone(&BERLIN)
                .format("%a %m-%d %H:%M%:z")
                .to_string()
        })
        .collect();
    assert_eq!(
        shown,
        [
            "Mon 03-24 09:00+01:00",
            "Thu 03-27 09:00+01:00",
            "Mon 03-31 09:00+02:00",
            "Thu 04-03 09:00+02:00",
        ]
    );
}

#[test]
fn until_in_utc_ends_a_zoned_series_at_that_instant() {
    // 09:00 Berlin on 31 March is 07:00 UTC: included; 7 April is after UNTIL.
    let body = event(
        "DTSTART;TZID=Europe/Berlin:20250324T090000\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;UNTIL=20250331T070000Z",
    );
    assert_eq!(
        blocks(&body, BERLIN),
        [
            "03-24 09:00+01:00 03-24 10:00+01:00",
            "03-31 09:00+02:00 03-31 10:00+02:00",
        ]
    );
}

#[test]
fn exdate_rdate_and_periods() {
    let body = event(
        "DTSTART;TZID=America/New_York:20250303T080000\n\
         DTEND;TZID=America/New_York:20250303T083000\n\
         RRULE:FREQ=DAILY;COUNT=5\n\
         EXDATE;TZID=America/New_York:20250304T080000\n\
         EXDATE:20250306T130000Z\n\
         RDATE;TZID=America/New_York:20250310T120000,20250311T120000\n\
         RDATE;VALUE=PERIOD:20250312T150000Z/PT2H",
    );
    assert_eq!(
        blocks(&body, NEW_YORK),
        [
            "03-03 08:00-05:00 03-03 08:30-05:00",
            "03-05 08:00-05:00 03-05 08:30-05:00",
            "03-07 08:00-05:00 03-07 08:30-05:00",
            "03-10 12:00-04:00 03-10 12:30-04:00",
            "03-11 12:00-04:00 03-11 12:30-04:00",
            "03-12 11:00-04:00 03-12 13:00-04:00",
        ]
    );
}

#[test]
fn overrides_move_cancel_or_free_their_instance() {
    let series = "BEGIN:VEVENT\nUID:s\nSUMMARY:Standup\n\
        DTSTART;TZID=Australia/Sydney:20250331T090000\nDTEND;TZID=Australia/Sydney:20250331T091500\n\
        RRULE:FREQ=DAILY;COUNT=4\nEND:VEVENT";
    let moved = "BEGIN:VEVENT\nUID:s\nSUMMARY:Standup (moved)\n\
        RECURRENCE-ID;TZID=Australia/Sydney:20250401T090000\n\
        DTSTART;TZID=Australia/Sydney:20250401T140000\nDTEND;TZID=Australia/Sydney:20250401T150000\nEND:VEVENT";
    // Recurrence ids in UTC name the same instants.
    let cancelled = "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20250401T220000Z\nSTATUS:CANCELLED\n\
        DTSTART:20250401T220000Z\nDURATION:PT15M\nEND:VEVENT";
    let free = "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID;TZID=Australia/Sydney:20250403T090000\nTRANSP:TRANSPARENT\n\
        DTSTART;TZID=Australia/Sydney:20250403T090000\nDURATION:PT15M\nEND:VEVENT";
    let body = format!("{moved}\n{series}\n{cancelled}\n{free}");
    assert_eq!(
        blocks(&body, SYDNEY),
        [
            "03-31 09:00+11:00 03-31 09:15+11:00",
            "04-01 14:00+11:00 04-01 15:00+11:00",
        ]
    );
    let found = busy_blocks(&calendar(&body), utc(2025, 1, 1), utc(2026, 1, 1), SYDNEY).unwrap();
    assert_eq!(found[1].summary.as_deref(), Some("Standup (moved)"));
    assert_eq!(found[1].uid.as_deref(), Some("s"));
}

#[test]
fn all_day_events_block_whole_local_days_even_on_dst_days() {
    let cases = [
        // Spring forward: 23 hours; fall back: 25 hours.
        (
            BERLIN,
            "20250330",
            "20250331",
            ("2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z"),
        ),
        (
            BERLIN,
            "20251026",
            "20251027",
            ("2025-10-25T22:00:00Z", "2025-10-26T23:00:00Z"),
        ),
        (
            NEW_YORK,
            "20250309",
            "20250310",
            ("2025-03-09T05:00:00Z", "2025-03-10T04:00:00Z"),
        ),
        (
            SYDNEY,
            "20250406",
            "20250407",
            ("2025-04-05T13:00:00Z", "2025-04-06T14:00:00Z"),
        ),
        (
            KOLKATA,
            "20250330",
            "20250401",
            ("2025-03-29T18:30:00Z", "2025-03-31T18:30:00Z"),
        ),
    ];
    for (zone, first, end, (start, stop)) in cases {
        let body = event(&format!(
            "DTSTART;VALUE=DATE:{first}\nDTEND;VALUE=DATE:{end}"
        ));
        let found = busy_blocks(&calendar(&body), utc(2025, 1, 1), utc(2026, 1, 1), zone).unwrap();
        assert_eq!(found.len(), 1, "{zone} {first}");
        assert_eq!(
            (
                found[0]
                    .start
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                found[0]
                    .end
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            (start.to_owned(), stop.to_owned()),
            "{zone} {first}"
        );
    }
    // No DTEND: one day; a yearly all-day series.
    let body = event("DTSTART;VALUE=DATE:20250330\nRRULE:FREQ=YEARLY;COUNT=2");
    assert_eq!(
        blocks(&body, BERLIN),
        ["03-30 00:00+01:00 03-31 00:00+02:00",]
    );
}

#[test]
fn transparent_cancelled_and_zero_length_events_do_not_block() {
    let body = [
        event("DTSTART:20250310T090000Z\nDTEND:20250310T100000Z\nTRANSP:TRANSPARENT"),
        event("DTSTART:20250311T090000Z\nDTEND:20250311T100000Z\nSTATUS:CANCELLED"),
        event("DTSTART:20250312T090000Z"),
        event("DTSTART:20250313T090000Z\nDTEND:20250313T100000Z\nTRANSP:OPAQUE\nSTATUS:CONFIRMED"),
    ]
    .join("\n");
    assert_eq!(
        blocks(&body, Tz::UTC),
        ["03-13 09:00+00:00 03-13 10:00+00:00"]
    );
}

#[test]
fn durations_are_nominal_days_then_exact_time() {
    let body = [
        event("DTSTART;TZID=Europe/Berlin:20250310T090000\nDURATION:PT1H30M"),
        // P1D across the spring change is 23 hours, back to 09:00 local.
        event("DTSTART;TZID=Europe/Berlin:20250329T090000\nDURATION:P1D"),
        // PT24H is exact: 10:00 local the next day.
        event("DTSTART;TZID=Europe/Berlin:20251025T090000\nDURATION:PT24H"),
    ]
    .join("\n");
    assert_eq!(
        blocks(&body, BERLIN),
        [
            "03-10 09:00+01:00 03-10 10:30+01:00",
            "03-29 09:00+01:00 03-30 09:00+02:00",
            "10-25 09:00+02:00 10-26 08:00+01:00",
        ]
    );
}

#[test]
fn floating_times_are_read_in_the_owners_zone() {
    let body = event("DTSTART:20250310T090000\nDTEND:20250310T100000");
    assert_eq!(
        blocks_in(&body, KOLKATA, Tz::UTC),
        ["03-10 03:30+00:00 03-10 04:30+00:00"]
    );
    assert_eq!(
        blocks_in(&body, NEW_YORK, Tz::UTC),
        ["03-10 13:00+00:00 03-10 14:00+00:00"]
    );
}

#[test]
fn wall_times_in_gaps_and_folds_follow_rfc_5545() {
    // Gap: 02:30 does not exist on 30 March in Berlin; read with the offset before (+01:00).
    // Fold: 02:30 on 26 October happens twice; the first (+02:00) is meant.
    let body = [
        event("DTSTART;TZID=Europe/Berlin:20250330T023000\nDURATION:PT30M"),
        event("DTSTART;TZID=Europe/Berlin:20251026T023000\nDURATION:PT30M"),
    ]
    .join("\n");
    assert_eq!(
        blocks_in(&body, Tz::UTC, Tz::UTC),
        [
            "03-30 01:30+00:00 03-30 02:00+00:00",
            "10-26 00:30+00:00 10-26 01:00+00:00",
        ]
    );
    // A daily 02:30 series across the gap keeps its wall time on other days.
    let body = event(
        "DTSTART;TZID=America/New_York:20250308T023000\nDURATION:PT15M\nRRULE:FREQ=DAILY;COUNT=3",
    );
    assert_eq!(
        blocks(&body, NEW_YORK),
        [
            "03-08 02:30-05:00 03-08 02:45-05:00",
            "03-09 03:30-04:00 03-09 03:45-04:00",
            "03-10 02:30-04:00 03-10 02:45-04:00",
        ]
    );
}

#[test]
fn weekly_instances_on_dst_nights_each_get_their_own_offset_in_two_zones() {
    // Sunday 02:30 each week, the weeks around both changes in Berlin and in Sydney (opposite
    // seasons), all in one document: each instance is resolved on its own, so the instance in
    // the gap is read with the offset before it, the one in the fold with the first offset,
    // and the week after a change with the new offset.
    let series = |tzid: &str, first: &str| {
        event(&format!(
            "DTSTART;TZID={tzid}:{first}T023000\nDURATION:PT30M\nRRULE:FREQ=WEEKLY;COUNT=3"
        ))
    };
    let body = [
        series("Europe/Berlin", "20250323"),
        series("Europe/Berlin", "20251019"),
        series("Australia/Sydney", "20250330"),
        series("Australia/Sydney", "20250928"),
    ]
    .join("\n");
    let starts: Vec<_> = blocks_in(&body, Tz::UTC, Tz::UTC)
        .iter()
        .map(|block| block[..11].to_owned())
        .collect();
    assert_eq!(
        starts,
        [
            "03-23 01:30", // Berlin +01:00
            "03-29 15:30", // Sydney +11:00
            "03-30 01:30", // Berlin gap: +01:00, i.e. 03:30+02:00
            "04-05 15:30", // Sydney fold: the first, +11:00
            "04-06 00:30", // Berlin +02:00
            "04-12 16:30", // Sydney +10:00
            "09-27 16:30", // Sydney +10:00
            "10-04 16:30", // Sydney gap: +10:00, i.e. 03:30+11:00
            "10-11 15:30", // Sydney +11:00
            "10-19 00:30", // Berlin +02:00
            "10-26 00:30", // Berlin fold: the first, +02:00
            "11-02 01:30", // Berlin +01:00
        ]
    );
    // Every instance lasts its 30 minutes, the ones on change nights too.
    for block in blocks_in(&body, Tz::UTC, Tz::UTC) {
        let (start, end) = (&block[6..11], &block[24..29]);
        let minutes =
            |t: &str| t[..2].parse::<u32>().unwrap() * 60 + t[3..].parse::<u32>().unwrap();
        assert_eq!(minutes(end) - minutes(start), 30, "{block}");
    }
}

#[test]
fn outlook_windows_tzids_and_custom_vtimezones() {
    let vtimezone = |tzid: &str, standard: &str, daylight: &str, month: &str, day: &str| {
        format!(
            "BEGIN:VTIMEZONE\nTZID:{tzid}\nBEGIN:STANDARD\nDTSTART:16010101T030000\nTZOFFSETFROM:{daylight}\n\
             TZOFFSETTO:{standard}\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\nEND:STANDARD\n\
             BEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:{standard}\nTZOFFSETTO:{daylight}\n\
             RRULE:FREQ=YEARLY;BYDAY={day};BYMONTH={month}\nEND:DAYLIGHT\nEND:VTIMEZONE"
        )
    };
    let body = [
        vtimezone("W. Europe Standard Time", "+0100", "+0200", "3", "-1SU"),
        event("DTSTART;TZID=W. Europe Standard Time:20250331T090000\nDTEND;TZID=W. Europe Standard Time:20250331T100000"),
        event("DTSTART;TZID=\"Eastern Standard Time\":20250331T090000\nDURATION:PT1H"),
        // A TZID nobody knows, matched by its VTIMEZONE's offsets and daylight rule.
        vtimezone("Customized Time Zone 1", "-0800", "-0700", "3", "2SU"),
        event("DTSTART;TZID=Customized Time Zone 1:20250331T090000\nDURATION:PT1H"),
        // Lotus and others name the IANA zone in X-LIC-LOCATION.
        "BEGIN:VTIMEZONE\nTZID:Sydney custom\nX-LIC-LOCATION:Australia/Sydney\nEND:VTIMEZONE".into(),
        event("DTSTART;TZID=Sydney custom:20250331T090000\nDURATION:PT1H"),
        event("DTSTART;TZID=/mozilla.org/20050126_1/Asia/Kolkata:20250331T090000\nDURATION:PT1H"),
    ]
    .join("\n");
    assert_eq!(
        blocks_in(&body, Tz::UTC, Tz::UTC),
        [
            "03-30 22:00+00:00 03-30 23:00+00:00",
            "03-31 03:30+00:00 03-31 04:30+00:00",
            "03-31 07:00+00:00 03-31 08:00+00:00",
            "03-31 13:00+00:00 03-31 14:00+00:00",
            "03-31 16:00+00:00 03-31 17:00+00:00",
        ]
    );
}

#[test]
fn only_blocks_overlapping_the_range_are_given() {
    let body = [
        event("DTSTART:20250310T080000Z\nDTEND:20250310T090000Z"),
        event("DTSTART:20250310T083000Z\nDTEND:20250310T093000Z"),
        event("DTSTART:20250310T100000Z\nDTEND:20250310T110000Z"),
        event("DTSTART:20250310T110000Z\nDTEND:20250310T120000Z"),
    ]
    .join("\n");
    let from = Utc.with_ymd_and_hms(2025, 3, 10, 9, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2025, 3, 10, 11, 0, 0).unwrap();
    let found = busy_blocks(&calendar(&body), from, to, Tz::UTC).unwrap();
    let starts: Vec<_> = found
        .iter()
        .map(|b| b.start.format("%H:%M").to_string())
        .collect();
    assert_eq!(starts, ["08:30", "10:00"]);
}

#[test]
fn a_counted_series_read_near_its_end_gives_what_reading_it_from_its_start_gives() {
    // Ranges far from DTSTART skip the occurrences before them instead of walking them; the
    // blocks must be those of a range that starts before DTSTART, where nothing is skipped.
    let series = [
        "DTSTART;TZID=Europe/Berlin:20230615T093000\nDURATION:PT15M\nRRULE:FREQ=DAILY;COUNT=800\n\
         EXDATE;TZID=Europe/Berlin:20250402T093000",
        "DTSTART;TZID=America/New_York:20230301T013000\nDURATION:PT2H\nRRULE:FREQ=DAILY;INTERVAL=3;COUNT=300",
        "DTSTART;TZID=Australia/Sydney:20240105T180000\nDTEND;TZID=Australia/Sydney:20240105T190000\n\
         RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=60",
        "DTSTART:20240101T020000Z\nDURATION:PT1H\nRRULE:FREQ=HOURLY;INTERVAL=5;COUNT=4000",
        "DTSTART:20240101T000000Z\nDURATION:PT10M\nRRULE:FREQ=MINUTELY;INTERVAL=45;COUNT=50000",
        "DTSTART;VALUE=DATE:20240110\nRRULE:FREQ=DAILY;INTERVAL=7;COUNT=70",
        "DTSTART;TZID=Asia/Kolkata:20240110T100000\nDURATION:P1DT1H\nRRULE:FREQ=DAILY;COUNT=10",
    ];
    let body: Vec<String> = series
        .iter()
        .enumerate()
        .map(|(n, lines)| {
            format!("BEGIN:VEVENT\nUID:s{n}\nSUMMARY:Series {n}\n{lines}\nEND:VEVENT")
        })
        .collect();
    let doc = calendar(&body.join("\n"));
    let whole = busy_blocks(&doc, utc(2023, 1, 1), utc(2027, 1, 1), BERLIN).unwrap();
    for (from, to) in [
        (utc(2024, 3, 25), utc(2024, 4, 5)),
        (utc(2025, 3, 1), utc(2025, 5, 30)),
        (utc(2025, 8, 10), utc(2025, 8, 20)),
        (utc(2025, 10, 20), utc(2025, 11, 10)),
    ] {
        let expected: Vec<_> = whole
            .iter()
            .filter(|block| block.start < to && block.end > from)
            .cloned()
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(
            busy_blocks(&doc, from, to, BERLIN).unwrap(),
            expected,
            "{from}"
        );
    }
}

#[test]
fn dates_read_as_chrono_reads_them() {
    let mut texts = vec![
        "20240229", "20230229", "00000101", "99991231", "20251301", "20250400",
    ];
    texts.extend([
        "20250431",
        "20250100",
        "2025033",
        "+2025033",
        "-0010101",
        "2025 3 5",
        "２０２５",
    ]);
    for text in texts {
        assert_eq!(
            time::parse_date(text),
            NaiveDate::parse_from_str(text, "%Y%m%d").ok(),
            "{text}"
        );
    }
}

#[test]
fn a_secondly_rule_cannot_hang_the_reader() {
    let body = event("DTSTART:20000101T000000Z\nDURATION:PT1S\nRRULE:FREQ=SECONDLY");
    let started = std::time::Instant::now();
    let found = busy_blocks(&calendar(&body), utc(2025, 1, 1), utc(2026, 1, 1), Tz::UTC).unwrap();
    assert!(
        !found.is_empty() && found.len() <= expand::MAX_STEPS_PER_SERIES,
        "{}",
        found.len()
    );
    assert_eq!(found[0].start, utc(2025, 1, 1));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let counted =
        event("DTSTART:20000101T000000Z\nDURATION:PT1S\nRRULE:FREQ=SECONDLY;COUNT=4000000000");
    let started = std::time::Instant::now();
    let found = busy_blocks(
        &calendar(&counted),
        utc(2025, 1, 1),
        utc(2026, 1, 1),
        Tz::UTC,
    )
    .unwrap();
    assert!(found.is_empty());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn uid_summary_and_name() {
    let long = "x".repeat(500);
    let body = format!(
        "X-WR-CALNAME:Team\\, rota\n{}",
        event(&format!(
            "SUMMARY:  Lunch\\, with Ana  \nDTSTART:20250310T120000Z\nDURATION:PT1H\n\nBEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT5M\nEND:VALARM\n\n{}",
            ""
        )) + "\n"
            + &event(&format!(
                "SUMMARY:{long}\nDTSTART:20250311T120000Z\nDURATION:PT1H"
            ))
    );
    let feed = read(&calendar(&body), utc(2025, 1, 1), utc(2026, 1, 1), Tz::UTC).unwrap();
    assert_eq!(feed.name.as_deref(), Some("Team, rota"));
    assert_eq!(feed.blocks[0].uid.as_deref(), Some("e1"));
    assert_eq!(feed.blocks[0].summary.as_deref(), Some("Lunch, with Ana"));
    assert_eq!(
        feed.blocks[1].summary.as_ref().map(|s| s.chars().count()),
        Some(200)
    );
    assert!(feed.skipped.is_empty());
}

#[test]
fn summaries_lose_control_characters_and_are_cut_at_200_characters() {
    let cut = |text: &str| event::summary(text);
    assert_eq!(
        cut("\u{7}  Lunch\tbreak\u{0}\r\n "),
        Some("Lunch break".into())
    );
    assert_eq!(cut(&"é".repeat(300)), Some("é".repeat(200)));
    assert_eq!(
        cut(&format!("{} b", "a".repeat(199))),
        Some("a".repeat(199))
    );
    assert_eq!(cut(" \t\u{1b}\n"), None);
}

#[test]
fn documents_that_are_not_icalendar_are_errors_that_say_so() {
    let cases = [
        ("", "empty"),
        (
            "<!DOCTYPE html><html><body>Sign in</body></html>",
            "looks like HTML",
        ),
        ("{\"events\": []}", "starts with `{\"events\": []}`"),
        (
            "BEGIN:VEVENT\r\nEND:VEVENT\r\n",
            "instead of BEGIN:VCALENDAR",
        ),
    ];
    for (document, says) in cases {
        let error = busy_blocks(document, utc(2025, 1, 1), utc(2026, 1, 1), Tz::UTC).unwrap_err();
        assert!(error.0.contains(says), "{document:?}: {error}");
    }
}

#[test]
fn broken_events_are_skipped_unless_all_are_broken() {
    let good = event("DTSTART:20250310T090000Z\nDURATION:PT1H");
    let no_start = "BEGIN:VEVENT\nUID:broken-1\nSUMMARY:x\nEND:VEVENT";
    let bad_start = "BEGIN:VEVENT\nUID:broken-2\nDTSTART:2025-03-10 09:00\nEND:VEVENT";
    let bad_rule =
        "BEGIN:VEVENT\nUID:broken-3\nDTSTART:20250310T090000Z\nRRULE:FREQ=FORTNIGHTLY\nEND:VEVENT";
    let body = format!("{no_start}\n{good}\n{bad_start}\n{bad_rule}");
    let feed = read(&calendar(&body), utc(2025, 1, 1), utc(2026, 1, 1), Tz::UTC).unwrap();
    assert_eq!(feed.blocks.len(), 1);
    let reasons: Vec<_> = feed.skipped.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons[0].contains("event 1 (line 4, UID broken-1): it has no DTSTART"),
        "{}",
        reasons[0]
    );
    assert!(
        reasons[1].contains("UID broken-2") && reasons[1].contains("`2025-03-10 09:00`"),
        "{}",
        reasons[1]
    );
    assert!(
        reasons[2].contains("UID broken-3") && reasons[2].contains("RRULE"),
        "{}",
        reasons[2]
    );

    let error = busy_blocks(
        &calendar(no_start),
        utc(2025, 1, 1),
        utc(2026, 1, 1),
        Tz::UTC,
    )
    .unwrap_err();
    assert_eq!(error.0, "event 1 (line 4, UID broken-1): it has no DTSTART");
    let unterminated = calendar("BEGIN:VEVENT\nUID:open\nDTSTART:20250310T090000Z");
    let error = busy_blocks(&unterminated, utc(2025, 1, 1), utc(2026, 1, 1), Tz::UTC).unwrap_err();
    assert!(error.0.contains("no END:VEVENT"), "{error}");
}

#[test]
fn a_calendar_without_events_is_empty() {
    let found = busy_blocks(
        &calendar("X-WR-CALNAME:Empty"),
        utc(2025, 1, 1),
        utc(2026, 1, 1),
        Tz::UTC,
    );
    assert_eq!(found, Ok(Vec::new()));
}

fn assert_well_formed(document: &str) {
    if let Ok(blocks) = busy_blocks(document, utc(2025, 1, 1), utc(2025, 4, 1), BERLIN) {
        for pair in blocks.windows(2) {
            assert!(pair[0].start <= pair[1].start);
        }
        for block in &blocks {
            assert!(block.start < block.end);
        }
    }
}

/// Lines that look like iCalendar, for documents the parser gets further into.
fn ical_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("BEGIN:VEVENT".to_owned()),
        Just("END:VEVENT".to_owned()),
        Just("BEGIN:VTIMEZONE".to_owned()),
        Just("END:VTIMEZONE".to_owned()),
        "(DTSTART|DTEND|EXDATE|RDATE|RECURRENCE-ID)(;TZID=(Europe/Berlin|W. Europe Standard Time|x)|;VALUE=DATE)?:20250[1-4][0-3][0-9](T[0-2][0-9][0-5][0-9]00Z?)?",
        "RRULE:FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;INTERVAL=[0-9]{1,3})?(;COUNT=[0-9]{1,4})?(;BYDAY=(MO|-1SU|2TU))?(;UNTIL=2025[0-9]{4}(T[0-9]{6}Z)?)?",
        "DURATION:-?P([0-9]{1,3}W)?([0-9]{1,3}D)?(T([0-9]{1,3}H)?([0-9]{1,3}M)?)?",
        "(UID|SUMMARY|STATUS|TRANSP|TZID|TZOFFSETTO):[ -~]{0,20}",
        "[ -~]{0,30}",
    ]
}

proptest! {
    #[test]
    fn never_panics_on_text(text in "\\PC{0,400}") {
        assert_well_formed(&text);
        assert_well_formed(&format!("BEGIN:VCALENDAR\r\n{text}"));
    }

    #[test]
    fn never_panics_on_icalendar_like_lines(lines in prop::collection::vec(ical_line(), 0..40)) {
        assert_well_formed(&format!("BEGIN:VCALENDAR\r\n{}\r\nEND:VCALENDAR\r\n", lines.join("\r\n")));
    }

    #[test]
    fn any_date_reads_as_chrono_reads_it(text in "[0-9]{8}|[0-9+ -]{6,9}") {
        prop_assert_eq!(time::parse_date(&text), NaiveDate::parse_from_str(&text, "%Y%m%d").ok());
    }
}

/// Found by the `ics_feed` fuzz target: rrule 0.14 panicked on a non-ASCII BYDAY. The event
/// with that rule is skipped with a reason; the rest of the feed still reads.
#[test]
fn a_rule_with_non_ascii_characters_is_skipped_not_a_panic() {
    let body = format!(
        "{}\n{}",
        event(
            "DTSTART:20250317T090000Z\nDTEND:20250317T100000Z\nRRULE:FREQ=WEEKLY;BYDAY=MO\u{e9}H"
        ),
        event("DTSTART:20250318T090000Z\nDTEND:20250318T100000Z").replace("UID:e1", "UID:e2"),
    );
    let feed = read(
        &calendar(&body),
        utc(2025, 3, 1),
        utc(2025, 4, 1),
        chrono_tz::UTC,
    )
    .unwrap();
    assert_eq!(feed.blocks.len(), 1, "{:?}", feed.blocks);
    assert_eq!(feed.skipped.len(), 1, "{:?}", feed.skipped);
    assert!(
        feed.skipped[0].to_string().contains("RRULE"),
        "{}",
        feed.skipped[0]
    );
}
