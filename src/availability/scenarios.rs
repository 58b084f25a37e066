//! Scenario tests of the whole engine: one situation, the exact slots expected.

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

use super::interval::Interval;
use super::model::*;
use super::schedule::{DateOverride, Schedule, WeeklyRule};
use super::{Reason, explain, slots};

pub const WEEKDAYS: u8 = 0b001_1111;

pub fn utc(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

pub fn tz(name: &str) -> Tz {
    name.parse().unwrap()
}

pub fn hours(zone: &str, days: u8, start: u32, end: u32) -> Schedule {
    Schedule {
        tz: tz(zone),
        weekly: vec![WeeklyRule {
            days,
            start_minute: start * 60,
            end_minute: end * 60,
        }],
        overrides: vec![],
        recurring: vec![],
    }
}

pub fn host(id: HostId, schedule: Schedule) -> Host {
    Host {
        id,
        fixed: false,
        group: None,
        schedule,
        busy: vec![],
        bookings: vec![],
        out_of_office: vec![],
    }
}

pub fn event(length: u32) -> EventType {
    EventType {
        id: Some(7),
        length,
        interval: None,
        offset_start: 0,
        minimum_notice: 0,
        before_buffer: 0,
        after_buffer: 0,
        window: BookingWindow::Unlimited,
        booking_limits: PeriodLimits::default(),
        duration_limits: PeriodLimits::default(),
        seats: None,
        unconfirmed_blocks: false,
        only_first_slot: false,
        scheduling: Scheduling::Personal,
        restriction: None,
    }
}

pub fn query(event: EventType, hosts: Vec<Host>, from: &str, to: &str, booker: &str) -> Query {
    Query {
        now: utc("2030-01-01T00:00:00Z"),
        range: Interval::new(utc(from), utc(to)),
        booker_tz: tz(booker),
        event_tz: hosts.first().map(|h| h.schedule.tz).unwrap_or(tz("UTC")),
        week_start: Weekday::Mon,
        event,
        hosts,
        reservations: vec![],
        booker_uid: None,
        rescheduling_uid: None,
    }
}

pub fn booking(start: &str, end: &str) -> Booking {
    Booking {
        uid: Some(format!("b-{start}")),
        interval: Interval::new(utc(start), utc(end)),
        event_type_id: Some(7),
        status: BookingStatus::Accepted,
        before_buffer: 0,
        after_buffer: 0,
        attendees: 1,
    }
}

/// Slot starts as local "HH:MM" in `zone`, for readable expectations.
pub fn local_starts(q: &Query, zone: &str) -> Vec<String> {
    slots(q)
        .iter()
        .map(|s| {
            DateTime::<Utc>::from_timestamp(s.start, 0)
                .unwrap()
                .with_timezone(&tz(zone))
                .format("%H:%M")
                .to_string()
        })
        .collect()
}

fn day_query(length: u32, hosts: Vec<Host>) -> Query {
    query(
        event(length),
        hosts,
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    )
}

#[test]
fn a_working_day_cut_into_slots_of_the_events_length() {
    let q = day_query(60, vec![host(1, hours("UTC", WEEKDAYS, 9, 13))]);
    assert_eq!(
        local_starts(&q, "UTC"),
        ["09:00", "10:00", "11:00", "12:00"]
    );
}

#[test]
fn the_slot_interval_sets_the_step_and_the_length_must_fit() {
    let mut e = event(45);
    e.interval = Some(15);
    let q = query(
        e,
        vec![host(1, hours("UTC", WEEKDAYS, 9, 11))],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    assert_eq!(
        local_starts(&q, "UTC"),
        ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15"]
    );
}

#[test]
fn offset_start_shifts_the_first_start_and_lengthens_the_step() {
    let mut e = event(25);
    e.offset_start = 5;
    let q = query(
        e,
        vec![host(1, hours("UTC", WEEKDAYS, 9, 11))],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    assert_eq!(
        local_starts(&q, "UTC"),
        ["09:05", "09:35", "10:05", "10:35"]
    );
}

#[test]
fn a_busy_block_restarts_the_grid_at_its_end() {
    // Cal.com's `user-booking-statuses-booked-day`: a 15-minute booking at 04:00 moves the
    // 45-minute grid from 04:45 to 04:15.
    let mut h = host(1, hours("UTC", WEEKDAYS, 4, 7));
    h.bookings = vec![booking("2030-03-04T04:00:00Z", "2030-03-04T04:15:00Z")];
    let q = day_query(45, vec![h]);
    assert_eq!(local_starts(&q, "UTC"), ["04:15", "05:00", "05:45"]);
}

#[test]
fn the_grid_is_aligned_in_the_bookers_timezone() {
    // Host in IST 09:30-18:00 (04:00Z-12:30Z), hourly slots: an IST booker sees 10:00, 11:00 …
    // IST (04:30Z …); a UTC booker sees whole UTC hours from 04:00Z.
    let mut schedule = hours("Asia/Kolkata", WEEKDAYS, 9, 18);
    schedule.weekly[0].start_minute = 9 * 60 + 30;
    let ist = query(
        event(60),
        vec![host(1, schedule.clone())],
        "2030-03-04T00:00:00Z",
        "2030-03-04T18:00:00Z",
        "Asia/Kolkata",
    );
    let starts = local_starts(&ist, "Asia/Kolkata");
    assert_eq!(
        starts.first().map(String::as_str),
        Some("10:00"),
        "{starts:?}"
    );
    let utc_booker = query(
        event(60),
        vec![host(1, schedule)],
        "2030-03-04T00:00:00Z",
        "2030-03-04T18:00:00Z",
        "UTC",
    );
    assert_eq!(
        local_starts(&utc_booker, "UTC").first().map(String::as_str),
        Some("04:00")
    );
}

#[test]
fn buffers_of_both_events_add_up() {
    let mut h = host(1, hours("UTC", WEEKDAYS, 9, 13));
    let mut existing = booking("2030-03-04T11:00:00Z", "2030-03-04T11:30:00Z");
    existing.event_type_id = Some(8);
    existing.after_buffer = 10;
    h.bookings = vec![existing];
    let mut e = event(30);
    e.before_buffer = 5;
    let q = query(
        e,
        vec![h],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    // Blocked until 11:30 + 10 (its after buffer) + 5 (our before buffer) = 11:45, and the grid
    // restarts there rounded up to the 30-minute alignment unit, as Cal.com does.
    assert_eq!(
        local_starts(&q, "UTC"),
        ["09:00", "09:30", "10:00", "10:30", "12:00", "12:30"]
    );
}

#[test]
fn minimum_notice_counts_from_now() {
    let mut e = event(30);
    e.minimum_notice = 120;
    let mut q = query(
        e,
        vec![host(1, hours("UTC", WEEKDAYS, 9, 17))],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    q.now = utc("2030-03-04T10:10:00Z");
    assert_eq!(
        local_starts(&q, "UTC").first().map(String::as_str),
        Some("12:30")
    );
}

#[test]
fn pending_bookings_block_only_when_the_event_type_says_so() {
    let mut h = host(1, hours("UTC", WEEKDAYS, 9, 11));
    let mut pending = booking("2030-03-04T09:00:00Z", "2030-03-04T10:00:00Z");
    pending.status = BookingStatus::Pending;
    let mut cancelled = booking("2030-03-04T10:00:00Z", "2030-03-04T11:00:00Z");
    cancelled.status = BookingStatus::Cancelled;
    h.bookings = vec![pending, cancelled];
    let q = day_query(60, vec![h.clone()]);
    assert_eq!(local_starts(&q, "UTC"), ["09:00", "10:00"]);
    let mut blocking = day_query(60, vec![h]);
    blocking.event.unconfirmed_blocks = true;
    assert_eq!(local_starts(&blocking, "UTC"), ["10:00"]);
}

#[test]
fn a_pending_booking_blocks_only_its_own_event_type_when_that_type_says_so() {
    // Cal.com: PENDING bookings of the queried event type block when it blocks unconfirmed
    // bookings; PENDING bookings of any other event type never block.
    let mut h = host(1, hours("UTC", WEEKDAYS, 9, 12));
    let mut own = booking("2030-03-04T09:00:00Z", "2030-03-04T10:00:00Z");
    own.status = BookingStatus::Pending;
    let mut other = booking("2030-03-04T10:00:00Z", "2030-03-04T11:00:00Z");
    other.status = BookingStatus::Pending;
    other.event_type_id = Some(8);
    let mut untyped = booking("2030-03-04T11:00:00Z", "2030-03-04T12:00:00Z");
    untyped.status = BookingStatus::Pending;
    untyped.event_type_id = None;
    h.bookings = vec![own, other, untyped];
    let mut q = day_query(60, vec![h]);
    q.event.unconfirmed_blocks = true;
    assert_eq!(local_starts(&q, "UTC"), ["10:00", "11:00"]);
    let other_type = explain(&q, utc("2030-03-04T10:00:00Z"));
    assert!(other_type.is_slot, "{other_type:?}");
    assert_eq!(
        explain(&q, utc("2030-03-04T09:00:00Z")).reasons,
        vec![Reason::Busy {
            host_id: 1,
            source: super::explain::BusySource::Booking {
                uid: Some("b-2030-03-04T09:00:00Z".into())
            },
            buffer: false
        }]
    );

    // The other event type blocks unconfirmed bookings, this one does not: nothing blocks.
    q.event.unconfirmed_blocks = false;
    assert_eq!(local_starts(&q, "UTC"), ["09:00", "10:00", "11:00"]);

    // An event type without an id has no pending bookings of its own.
    q.event.unconfirmed_blocks = true;
    q.event.id = None;
    assert_eq!(local_starts(&q, "UTC"), ["09:00", "10:00", "11:00"]);
}

#[test]
fn an_override_replaces_the_day_and_zero_zero_closes_it() {
    let mut schedule = hours("UTC", WEEKDAYS, 9, 17);
    schedule.overrides = vec![
        DateOverride {
            date: NaiveDate::from_ymd_opt(2030, 3, 4).unwrap(),
            start_minute: 12 * 60,
            end_minute: 13 * 60,
        },
        DateOverride {
            date: NaiveDate::from_ymd_opt(2030, 3, 5).unwrap(),
            start_minute: 0,
            end_minute: 0,
        },
    ];
    let q = query(
        event(30),
        vec![host(1, schedule)],
        "2030-03-04T00:00:00Z",
        "2030-03-05T23:59:59Z",
        "UTC",
    );
    assert_eq!(local_starts(&q, "UTC"), ["12:00", "12:30"]);
}

#[test]
fn a_booking_limit_closes_the_whole_day_including_straddling_bookings() {
    let mut h = host(1, hours("UTC", 0b111_1111, 0, 24));
    // One booking straddles midnight into the 4th: it counts for the 4th as well.
    h.bookings = vec![booking("2030-03-03T23:30:00Z", "2030-03-04T00:30:00Z")];
    let mut e = event(60);
    e.booking_limits.day = Some(1);
    let q = query(
        e,
        vec![h],
        "2030-03-04T00:00:00Z",
        "2030-03-05T02:59:59Z",
        "UTC",
    );
    assert_eq!(
        local_starts(&q, "UTC"),
        ["00:00", "01:00", "02:00"],
        "only the 5th is open"
    );
}

#[test]
fn a_duration_limit_counts_booked_minutes_plus_the_new_event() {
    let mut h = host(1, hours("UTC", WEEKDAYS, 9, 12));
    h.bookings = vec![booking("2030-03-04T09:00:00Z", "2030-03-04T10:00:00Z")];
    let mut e = event(60);
    e.duration_limits.day = Some(120);
    let q = query(
        e.clone(),
        vec![h.clone()],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    assert_eq!(local_starts(&q, "UTC"), ["10:00", "11:00"]);
    e.duration_limits.day = Some(119);
    let q = query(
        e,
        vec![h],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    assert!(local_starts(&q, "UTC").is_empty());
}

#[test]
fn seats_keep_a_slot_open_until_full_and_report_attendees() {
    let mut h = host(1, hours("UTC", WEEKDAYS, 9, 11));
    let mut seated = booking("2030-03-04T09:00:00Z", "2030-03-04T10:00:00Z");
    seated.attendees = 2;
    h.bookings = vec![seated.clone()];
    let mut e = event(60);
    e.seats = Some(3);
    e.interval = Some(30);
    let q = query(
        e.clone(),
        vec![h.clone()],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    let found = slots(&q);
    let starts: Vec<_> = found.iter().map(|s| (s.start, s.attendees)).collect();
    // 09:30 would overlap the seated meeting without being it; 10:00 is free.
    assert_eq!(
        starts,
        vec![
            (utc("2030-03-04T09:00:00Z"), Some(2)),
            (utc("2030-03-04T10:00:00Z"), Some(0))
        ]
    );
    assert_eq!(
        found[0].booking_uid.as_deref(),
        Some("b-2030-03-04T09:00:00Z")
    );

    seated.attendees = 3;
    h.bookings = vec![seated];
    let full = query(
        e,
        vec![h],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    assert_eq!(local_starts(&full, "UTC"), ["10:00"]);
}

#[test]
fn another_bookers_live_reservation_hides_only_that_slot() {
    let mut q = day_query(30, vec![host(1, hours("UTC", WEEKDAYS, 9, 11))]);
    q.reservations = vec![
        Reservation {
            host_id: Some(1),
            slot: Interval::new(utc("2030-03-04T09:30:00Z"), utc("2030-03-04T10:00:00Z")),
            booker_uid: "other".into(),
            until: utc("2030-01-02T00:00:00Z"),
        },
        Reservation {
            host_id: Some(1),
            slot: Interval::new(utc("2030-03-04T10:00:00Z"), utc("2030-03-04T10:30:00Z")),
            booker_uid: "me".into(),
            until: utc("2030-01-02T00:00:00Z"),
        },
        Reservation {
            host_id: Some(1),
            slot: Interval::new(utc("2030-03-04T10:30:00Z"), utc("2030-03-04T11:00:00Z")),
            booker_uid: "other".into(),
            until: utc("2029-12-31T00:00:00Z"),
        },
    ];
    q.booker_uid = Some("me".into());
    // 09:30 is held by someone else; 10:00 is my own hold; 10:30's hold has expired.
    assert_eq!(local_starts(&q, "UTC"), ["09:00", "10:00", "10:30"]);
}

#[test]
fn collective_events_need_everyone() {
    let mut e = event(60);
    e.scheduling = Scheduling::Collective;
    let q = query(
        e,
        vec![
            host(1, hours("UTC", WEEKDAYS, 9, 13)),
            host(2, hours("UTC", WEEKDAYS, 11, 15)),
        ],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    assert_eq!(local_starts(&q, "UTC"), ["11:00", "12:00"]);
}

#[test]
fn round_robin_never_merges_two_hosts_partial_windows() {
    // Cal.com's `should not merge RR availability`: A free 11:00-11:20, B free 11:15-11:30
    // must not give an 11:00-11:30 slot.
    let mut a = host(1, hours("UTC", WEEKDAYS, 11, 12));
    a.busy = vec![Interval::new(
        utc("2030-03-04T11:20:00Z"),
        utc("2030-03-04T12:00:00Z"),
    )];
    let mut b = host(2, hours("UTC", WEEKDAYS, 11, 12));
    b.busy = vec![
        Interval::new(utc("2030-03-04T11:00:00Z"), utc("2030-03-04T11:15:00Z")),
        Interval::new(utc("2030-03-04T11:45:00Z"), utc("2030-03-04T12:00:00Z")),
    ];
    let mut e = event(30);
    e.scheduling = Scheduling::RoundRobin;
    e.interval = Some(15);
    let q = query(
        e,
        vec![a, b],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    let found = slots(&q);
    let got: Vec<_> = found.iter().map(|s| (s.start, s.hosts.clone())).collect();
    assert_eq!(got, vec![(utc("2030-03-04T11:15:00Z"), vec![2])]);
}

#[test]
fn round_robin_needs_fixed_hosts_and_one_free_host_per_group() {
    let mut fixed = host(1, hours("UTC", WEEKDAYS, 9, 12));
    fixed.fixed = true;
    let mut sales = host(2, hours("UTC", WEEKDAYS, 9, 17));
    sales.group = Some("sales".into());
    let mut tech_a = host(3, hours("UTC", WEEKDAYS, 10, 17));
    tech_a.group = Some("tech".into());
    let mut tech_b = host(4, hours("UTC", WEEKDAYS, 11, 17));
    tech_b.group = Some("tech".into());
    let mut e = event(60);
    e.scheduling = Scheduling::RoundRobin;
    let q = query(
        e,
        vec![fixed, sales, tech_a, tech_b],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    let got: Vec<_> = slots(&q)
        .iter()
        .map(|s| (s.start, s.hosts.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (utc("2030-03-04T10:00:00Z"), vec![1, 2, 3]),
            (utc("2030-03-04T11:00:00Z"), vec![1, 2, 3, 4]),
        ]
    );
}

/// Host `id` of round-robin group `group`, working 09:00-17:00 UTC on weekdays, busy `busy`.
fn grouped(id: HostId, group: &str, busy: &[(&str, &str)]) -> Host {
    let mut h = host(id, hours("UTC", WEEKDAYS, 9, 17));
    h.group = Some(group.into());
    h.busy = busy
        .iter()
        .map(|(from, to)| Interval::new(utc(from), utc(to)))
        .collect();
    h
}

#[test]
fn round_robin_offers_no_slot_when_one_group_has_no_free_host() {
    // Group "a" is free all day; every host of group "b" is busy 10:00-12:00: no slot there,
    // and the explanation names group b's hosts.
    let a = grouped(1, "a", &[]);
    let b1 = grouped(2, "b", &[("2030-03-04T10:00:00Z", "2030-03-04T12:00:00Z")]);
    let b2 = grouped(3, "b", &[("2030-03-04T09:30:00Z", "2030-03-04T12:00:00Z")]);
    let mut e = event(60);
    e.scheduling = Scheduling::RoundRobin;
    let q = query(
        e,
        vec![a, b1, b2],
        "2030-03-04T09:00:00Z",
        "2030-03-04T12:59:59Z",
        "UTC",
    );
    let got: Vec<_> = slots(&q)
        .iter()
        .map(|s| (s.start, s.hosts.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (utc("2030-03-04T09:00:00Z"), vec![1, 2]),
            (utc("2030-03-04T12:00:00Z"), vec![1, 2, 3]),
        ]
    );
    let why = explain(&q, utc("2030-03-04T10:00:00Z"));
    assert!(!why.is_slot);
    let blamed: Vec<HostId> = why.reasons.iter().filter_map(Reason::host).collect();
    assert_eq!(blamed, vec![2, 3]);
    // Without groups, the free host of "a" alone makes the same hour a slot.
    let mut ungrouped = q.clone();
    for h in &mut ungrouped.hosts {
        h.group = None;
    }
    assert!(
        slots(&ungrouped)
            .iter()
            .any(|s| s.start == utc("2030-03-04T10:00:00Z"))
    );
}

#[test]
fn round_robin_never_merges_partial_windows_within_a_group() {
    // Cal.com's no-merge case inside one group: b1 free 11:00-11:20, b2 free 11:15-11:30 (both
    // of group "b"; group "a" free throughout) must not give an 11:00-11:30 slot.
    let a = grouped(1, "a", &[]);
    let b1 = grouped(
        2,
        "b",
        &[
            ("2030-03-04T09:00:00Z", "2030-03-04T11:00:00Z"),
            ("2030-03-04T11:20:00Z", "2030-03-04T17:00:00Z"),
        ],
    );
    let b2 = grouped(
        3,
        "b",
        &[
            ("2030-03-04T09:00:00Z", "2030-03-04T11:15:00Z"),
            ("2030-03-04T11:30:00Z", "2030-03-04T17:00:00Z"),
        ],
    );
    let mut e = event(15);
    e.scheduling = Scheduling::RoundRobin;
    e.interval = Some(15);
    let mut q = query(
        e,
        vec![a, b1, b2],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    let got: Vec<_> = slots(&q)
        .iter()
        .map(|s| (s.start, s.hosts.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (utc("2030-03-04T11:00:00Z"), vec![1, 2]),
            (utc("2030-03-04T11:15:00Z"), vec![1, 3]),
        ]
    );
    q.event.length = 30;
    q.event.interval = Some(15);
    assert!(
        slots(&q).is_empty(),
        "a 30-minute slot would merge b1 and b2"
    );
}

#[test]
fn booking_windows_limit_how_far_ahead() {
    let h = || host(1, hours("UTC", 0b111_1111, 9, 10));
    let mut e = event(60);
    // Now is Friday 2030-03-01; 2 business days ahead is Tuesday the 5th.
    e.window = BookingWindow::Rolling {
        days: 2,
        business_days: true,
    };
    let mut q = query(
        e,
        vec![h()],
        "2030-03-01T00:00:00Z",
        "2030-03-10T00:00:00Z",
        "UTC",
    );
    q.now = utc("2030-03-01T08:00:00Z");
    let days: Vec<_> = slots(&q)
        .iter()
        .map(|s| {
            DateTime::<Utc>::from_timestamp(s.start, 0)
                .unwrap()
                .format("%d")
                .to_string()
        })
        .collect();
    assert_eq!(days, ["01", "02", "03", "04", "05"]);

    q.event.window = BookingWindow::Range {
        first: NaiveDate::from_ymd_opt(2030, 3, 3).unwrap(),
        last: NaiveDate::from_ymd_opt(2030, 3, 4).unwrap(),
    };
    let days: Vec<_> = slots(&q)
        .iter()
        .map(|s| {
            DateTime::<Utc>::from_timestamp(s.start, 0)
                .unwrap()
                .format("%d")
                .to_string()
        })
        .collect();
    assert_eq!(days, ["03", "04"]);

    // Three bookable days, and the 2nd and 3rd are closed: the window stretches to the 5th.
    let mut closed = h();
    closed.schedule.overrides = [2, 3]
        .into_iter()
        .map(|d| DateOverride {
            date: NaiveDate::from_ymd_opt(2030, 3, d).unwrap(),
            start_minute: 0,
            end_minute: 0,
        })
        .collect();
    q.hosts = vec![closed];
    q.event.window = BookingWindow::RollingBookable {
        days: 3,
        business_days: false,
    };
    let days: Vec<_> = slots(&q)
        .iter()
        .map(|s| {
            DateTime::<Utc>::from_timestamp(s.start, 0)
                .unwrap()
                .format("%d")
                .to_string()
        })
        .collect();
    assert_eq!(days, ["01", "04", "05"]);
}

#[test]
fn only_the_first_slot_of_each_booker_day() {
    let mut e = event(60);
    e.only_first_slot = true;
    let q = query(
        e,
        vec![host(1, hours("UTC", WEEKDAYS, 9, 12))],
        "2030-03-04T00:00:00Z",
        "2030-03-05T23:59:59Z",
        "UTC",
    );
    assert_eq!(local_starts(&q, "UTC"), ["09:00", "09:00"]);
}

#[test]
fn a_restriction_schedule_keeps_only_slots_fully_inside_it() {
    let mut e = event(60);
    e.restriction = Some(hours("UTC", WEEKDAYS, 10, 11));
    let q = query(
        e,
        vec![host(1, hours("UTC", WEEKDAYS, 9, 13))],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    assert_eq!(local_starts(&q, "UTC"), ["10:00"]);
}

#[test]
fn out_of_office_removes_the_host() {
    let mut h = host(1, hours("UTC", WEEKDAYS, 9, 11));
    h.out_of_office = vec![Interval::new(
        utc("2030-03-04T00:00:00Z"),
        utc("2030-03-05T00:00:00Z"),
    )];
    let q = query(
        event(60),
        vec![h],
        "2030-03-04T00:00:00Z",
        "2030-03-05T23:59:59Z",
        "UTC",
    );
    assert_eq!(slots(&q).len(), 2, "only the 5th");
}

#[test]
fn a_rescheduled_booking_does_not_block_its_own_new_time() {
    let mut h = host(1, hours("UTC", WEEKDAYS, 9, 10));
    h.bookings = vec![booking("2030-03-04T09:00:00Z", "2030-03-04T10:00:00Z")];
    let mut q = day_query(60, vec![h]);
    assert!(slots(&q).is_empty());
    q.rescheduling_uid = Some("b-2030-03-04T09:00:00Z".into());
    assert_eq!(local_starts(&q, "UTC"), ["09:00"]);
}

#[test]
fn explanations_name_the_host_and_the_source() {
    let mut h = host(1, hours("UTC", WEEKDAYS, 9, 12));
    let mut b = booking("2030-03-04T10:00:00Z", "2030-03-04T10:30:00Z");
    b.after_buffer = 15;
    h.bookings = vec![b];
    h.busy = vec![Interval::new(
        utc("2030-03-04T11:30:00Z"),
        utc("2030-03-04T12:00:00Z"),
    )];
    let mut q = day_query(30, vec![h]);
    q.now = utc("2030-03-04T08:00:00Z");
    q.event.minimum_notice = 90;

    assert!(explain(&q, utc("2030-03-04T09:30:00Z")).is_slot);
    let buffered = explain(&q, utc("2030-03-04T10:30:00Z"));
    assert!(!buffered.is_slot);
    assert_eq!(
        buffered.reasons,
        vec![Reason::Busy {
            host_id: 1,
            source: super::explain::BusySource::Booking {
                uid: Some("b-2030-03-04T10:00:00Z".into())
            },
            buffer: true
        }]
    );
    let external = explain(&q, utc("2030-03-04T11:30:00Z"));
    assert!(matches!(
        external.reasons[..],
        [Reason::Busy {
            source: super::explain::BusySource::ExternalCalendar,
            buffer: false,
            ..
        }]
    ));
    let early = explain(&q, utc("2030-03-04T09:00:00Z"));
    assert!(
        matches!(early.reasons[..], [Reason::BeforeMinimumNotice { .. }]),
        "{early:?}"
    );
    let evening = explain(&q, utc("2030-03-04T18:00:00Z"));
    assert_eq!(
        evening.reasons,
        vec![Reason::OutsideWorkingHours {
            host_id: 1,
            date_override: false
        }]
    );
    // Free from 10:45 (booking plus buffer) to 11:30, but the grid restarts at 11:00.
    let off_grid = explain(&q, utc("2030-03-04T10:50:00Z"));
    assert_eq!(off_grid.reasons, vec![Reason::NotOnGrid]);
}

#[test]
fn round_robin_seats_join_the_hosts_seated_meeting_and_never_overlap_it() {
    // The review's case: a seated round-robin event; a pool host's seated booking 10:00-11:00
    // with one attendee must be offered at 10:00 (with its uid), and never at 10:30.
    let mut h = host(1, hours("UTC", WEEKDAYS, 9, 12));
    h.bookings = vec![booking("2030-03-04T10:00:00Z", "2030-03-04T11:00:00Z")];
    let mut e = event(60);
    e.scheduling = Scheduling::RoundRobin;
    e.seats = Some(3);
    e.interval = Some(30);
    let q = query(
        e,
        vec![h],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    let got: Vec<_> = slots(&q)
        .iter()
        .map(|s| (s.start, s.attendees, s.booking_uid.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (utc("2030-03-04T09:00:00Z"), Some(0), None),
            (
                utc("2030-03-04T10:00:00Z"),
                Some(1),
                Some("b-2030-03-04T10:00:00Z".to_owned())
            ),
            (utc("2030-03-04T11:00:00Z"), Some(0), None),
        ]
    );
}

#[test]
fn on_seated_events_a_hold_of_the_same_start_takes_a_seat_and_others_block() {
    let mut e = event(60);
    e.seats = Some(3);
    let mut q = query(
        e,
        vec![host(1, hours("UTC", WEEKDAYS, 9, 11))],
        "2030-03-04T00:00:00Z",
        "2030-03-04T23:59:59Z",
        "UTC",
    );
    let hold = |start: &str, minutes: i64| Reservation {
        host_id: Some(1),
        slot: Interval::new(utc(start), utc(start) + minutes * 60),
        booker_uid: "other".into(),
        until: utc("2030-01-02T00:00:00Z"),
    };
    // A seat held in the 09:00 meeting; a 30-minute hold (another event type) at 10:15.
    q.reservations = vec![
        hold("2030-03-04T09:00:00Z", 60),
        hold("2030-03-04T10:15:00Z", 30),
    ];
    let got: Vec<_> = slots(&q).iter().map(|s| (s.start, s.attendees)).collect();
    assert_eq!(got, vec![(utc("2030-03-04T09:00:00Z"), Some(1))]);
}

#[test]
fn explanations_tell_a_hidden_later_slot_and_a_date_before_the_window() {
    let mut e = event(60);
    e.only_first_slot = true;
    e.window = BookingWindow::Range {
        first: NaiveDate::from_ymd_opt(2030, 3, 5).unwrap(),
        last: NaiveDate::from_ymd_opt(2030, 3, 6).unwrap(),
    };
    let q = query(
        e,
        vec![host(1, hours("UTC", WEEKDAYS, 9, 12))],
        "2030-03-04T00:00:00Z",
        "2030-03-06T23:59:59Z",
        "UTC",
    );
    assert!(explain(&q, utc("2030-03-05T09:00:00Z")).is_slot);
    assert_eq!(
        explain(&q, utc("2030-03-05T10:00:00Z")).reasons,
        vec![Reason::NotFirstSlotOfDay]
    );
    assert_eq!(
        explain(&q, utc("2030-03-04T09:00:00Z")).reasons,
        vec![Reason::OutsideBookingWindow]
    );
}
