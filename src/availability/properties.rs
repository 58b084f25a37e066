//! Property tests of the whole engine: random but valid situations (1-4 hosts with weekly
//! rules and date overrides in several timezones, DST ones included, bookings of every status
//! with buffers, external busy time, out of office; every scheduling type; windows of 1-40 days
//! around DST transitions) and what must hold for every answer.
//!
//! `PROPTEST_CASES` raises the case count for a longer local run; failures are not persisted
//! (the minimal failing input is printed instead).

use chrono::{Days, Weekday};
use proptest::prelude::*;
use proptest::sample::Index;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::interval::{Interval, IntervalSet};
use super::local_time::local_date;
use super::model::*;
use super::scenarios::{event, tz, utc};
use super::schedule::{DateOverride, Schedule, WeeklyRule};
use super::slots;

const ZONES: &[&str] = &[
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/Los_Angeles",
];

/// Days on which some of `ZONES` change their offset.
const TRANSITIONS: &[&str] = &[
    "2030-03-10T00:00:00Z",
    "2030-03-31T00:00:00Z",
    "2030-04-07T00:00:00Z",
    "2030-10-06T00:00:00Z",
    "2030-10-27T00:00:00Z",
    "2030-11-03T00:00:00Z",
    "2031-03-09T00:00:00Z",
];

const STATUSES: &[BookingStatus] = &[
    BookingStatus::Accepted,
    BookingStatus::Accepted,
    BookingStatus::Accepted,
    BookingStatus::Pending,
    BookingStatus::Cancelled,
    BookingStatus::Rejected,
    BookingStatus::AwaitingHost,
];

const DAY: i64 = 86_400;

#[derive(Debug, Clone)]
struct RawBooking {
    /// Where it starts, in ten-thousandths of the range widened by a day each side.
    at: u32,
    minutes: u32,
    status: usize,
    before: u32,
    after: u32,
    same_event_type: bool,
}

#[derive(Debug, Clone)]
struct RawHost {
    zone: usize,
    rules: Vec<(u8, u32, u32)>,
    /// (day of the range, counted from two days before it; start; end); `start == end` closes.
    overrides: Vec<(u32, u32, u32)>,
    bookings: Vec<RawBooking>,
    busy: Vec<(u32, u32)>,
    away: Vec<(u32, u32)>,
    fixed: bool,
    group: u8,
}

#[derive(Debug, Clone)]
struct RawEvent {
    length: u32,
    interval: Option<u32>,
    offset: u32,
    notice: u32,
    before: u32,
    after: u32,
    scheduling: Scheduling,
    unconfirmed_blocks: bool,
}

#[derive(Debug, Clone)]
struct Raw {
    transition: usize,
    /// The range starts this many minutes before the transition day (up to 20 days).
    lead_minutes: u32,
    days: u32,
    booker: usize,
    /// `now` relative to the range start, in minutes.
    now_minutes: i64,
    event: RawEvent,
    hosts: Vec<RawHost>,
}

/// Minutes after local midnight, on a 5-minute grid, ending by 24:00.
fn window() -> impl Strategy<Value = (u32, u32)> {
    (0u32..288, 1u32..=288).prop_map(|(start, length)| {
        let start = start * 5;
        (start, (start + length * 5).min(1440))
    })
}

fn raw_booking() -> impl Strategy<Value = RawBooking> {
    (
        0u32..=10_000,
        5u32..=240,
        0..STATUSES.len(),
        prop_oneof![Just(0u32), 1u32..=60],
        prop_oneof![Just(0u32), 1u32..=60],
        any::<bool>(),
    )
        .prop_map(
            |(at, minutes, status, before, after, same_event_type)| RawBooking {
                at,
                minutes,
                status,
                before,
                after,
                same_event_type,
            },
        )
}

fn raw_host() -> impl Strategy<Value = RawHost> {
    (
        0..ZONES.len(),
        prop::collection::vec(
            (1u8..=127, window()).prop_map(|(d, (s, e))| (d, s, e)),
            1..=3,
        ),
        prop::collection::vec(
            (
                0u32..48,
                prop_oneof![1 => Just((0u32, 0u32)), 4 => window()],
            )
                .prop_map(|(d, (s, e))| (d, s, e)),
            0..=3,
        ),
        prop::collection::vec(raw_booking(), 0..=6),
        prop::collection::vec((0u32..=10_000, 5u32..=300), 0..=4),
        prop::collection::vec((0u32..=10_000, 30u32..=2880), 0..=1),
        prop::bool::weighted(0.25),
        0u8..=2,
    )
        .prop_map(
            |(zone, rules, overrides, bookings, busy, away, fixed, group)| RawHost {
                zone,
                rules,
                overrides,
                bookings,
                busy,
                away,
                fixed,
                group,
            },
        )
}

fn raw_event() -> impl Strategy<Value = RawEvent> {
    (
        5u32..=120,
        prop::option::of(5u32..=120),
        prop_oneof![2 => Just(0u32), 1 => 1u32..=30],
        prop_oneof![Just(0u32), 1u32..=2880],
        prop_oneof![Just(0u32), 1u32..=60],
        prop_oneof![Just(0u32), 1u32..=60],
        prop_oneof![
            Just(Scheduling::Personal),
            Just(Scheduling::Collective),
            Just(Scheduling::RoundRobin)
        ],
        any::<bool>(),
    )
        .prop_map(
            |(length, interval, offset, notice, before, after, scheduling, unconfirmed_blocks)| {
                RawEvent {
                    length,
                    interval,
                    offset,
                    notice,
                    before,
                    after,
                    scheduling,
                    unconfirmed_blocks,
                }
            },
        )
}

fn raw() -> impl Strategy<Value = Raw> {
    (
        0..TRANSITIONS.len(),
        0u32..=20 * 1440,
        1u32..=40,
        0..ZONES.len(),
        -3 * 1440i64..=4 * 1440,
        raw_event(),
        prop::collection::vec(raw_host(), 1..=4),
    )
        .prop_map(
            |(transition, lead_minutes, days, booker, now_minutes, event, hosts)| Raw {
                transition,
                lead_minutes,
                days,
                booker,
                now_minutes,
                event,
                hosts,
            },
        )
}

/// The situation a raw description stands for.
fn build(raw: &Raw) -> Query {
    let start = utc(TRANSITIONS[raw.transition]) - i64::from(raw.lead_minutes) * 60;
    let range = Interval::new(start, start + i64::from(raw.days) * DAY);
    // Positions spread over the range widened by a day each side.
    let span = range.end - range.start + 2 * DAY;
    let at = |tenths: u32| range.start - DAY + span * i64::from(tenths) / 10_000;

    let mut e = event(raw.event.length);
    e.interval = raw.event.interval;
    e.offset_start = raw.event.offset;
    e.minimum_notice = raw.event.notice;
    e.before_buffer = raw.event.before;
    e.after_buffer = raw.event.after;
    e.scheduling = raw.event.scheduling;
    e.unconfirmed_blocks = raw.event.unconfirmed_blocks;

    let mut hosts: Vec<Host> = raw
        .hosts
        .iter()
        .enumerate()
        .map(|(index, h)| {
            let zone = tz(ZONES[h.zone]);
            let first_day = local_date(zone, range.start) - Days::new(2);
            let overrides = h
                .overrides
                .iter()
                .map(|&(d, start_minute, end_minute)| DateOverride {
                    date: first_day + Days::new(u64::from(d % (raw.days + 4))),
                    start_minute,
                    end_minute,
                })
                .collect();
            let bookings = h
                .bookings
                .iter()
                .enumerate()
                .map(|(i, b)| Booking {
                    uid: Some(format!("h{index}-b{i}")),
                    interval: Interval::new(at(b.at), at(b.at) + i64::from(b.minutes) * 60),
                    event_type_id: Some(if b.same_event_type { 7 } else { 8 }),
                    status: STATUSES[b.status],
                    before_buffer: b.before,
                    after_buffer: b.after,
                    attendees: 1,
                })
                .collect();
            let span_of =
                |&(p, minutes): &(u32, u32)| Interval::new(at(p), at(p) + i64::from(minutes) * 60);
            Host {
                id: index as HostId + 1,
                fixed: h.fixed,
                group: match h.group {
                    0 => None,
                    1 => Some("a".to_owned()),
                    _ => Some("b".to_owned()),
                },
                schedule: Schedule {
                    tz: zone,
                    weekly: h
                        .rules
                        .iter()
                        .map(|&(days, start_minute, end_minute)| WeeklyRule {
                            days,
                            start_minute,
                            end_minute,
                        })
                        .collect(),
                    overrides,
                    recurring: vec![],
                },
                busy: h.busy.iter().map(span_of).collect(),
                bookings,
                out_of_office: h.away.iter().map(span_of).collect(),
            }
        })
        .collect();
    if e.scheduling == Scheduling::Personal {
        hosts.truncate(1);
    }
    Query {
        now: range.start + raw.now_minutes * 60,
        range,
        booker_tz: tz(ZONES[raw.booker]),
        event_tz: hosts[0].schedule.tz,
        week_start: Weekday::Mon,
        event: e,
        hosts,
        reservations: vec![],
        booker_uid: None,
        rescheduling_uid: None,
    }
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(96);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn fmt(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// What a booking keeps the host from, for this event: its own buffers plus the event's
/// (written out here rather than taken from the engine). Pending bookings block only when they
/// are of this event type and it blocks unconfirmed bookings.
fn blocked_by_booking(e: &EventType, b: &Booking) -> Option<Interval> {
    let blocks = match b.status {
        BookingStatus::Accepted => true,
        BookingStatus::Pending => e.unconfirmed_blocks && e.id.is_some() && b.event_type_id == e.id,
        _ => false,
    };
    blocks.then(|| {
        Interval::new(
            b.interval.start - i64::from(b.before_buffer + e.after_buffer) * 60,
            b.interval.end + i64::from(b.after_buffer + e.before_buffer) * 60,
        )
    })
}

fn blocked_by_busy(e: &EventType, busy: &Interval) -> Interval {
    Interval::new(
        busy.start - i64::from(e.after_buffer) * 60,
        busy.end + i64::from(e.before_buffer) * 60,
    )
}

/// The hosts a slot must have free: everyone for personal and collective events, the ones it
/// names for round robin (which must include every fixed host and one host of every group).
fn named_hosts<'a>(q: &'a Query, slot: &Slot) -> Result<Vec<&'a Host>, TestCaseError> {
    let mut ids = slot.hosts.clone();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    prop_assert_eq!(before, ids.len(), "a host is named twice: {:?}", slot.hosts);
    match q.event.scheduling {
        Scheduling::Personal | Scheduling::Collective => {
            let mut all: Vec<HostId> = q.hosts.iter().map(|h| h.id).collect();
            all.sort_unstable();
            prop_assert_eq!(
                &ids,
                &all,
                "slot at {} names {:?}",
                fmt(slot.start),
                slot.hosts
            );
        }
        Scheduling::RoundRobin => {
            for h in q.hosts.iter().filter(|h| h.fixed) {
                prop_assert!(ids.contains(&h.id), "fixed host {} missing", h.id);
            }
            let pool: Vec<&Host> = q.hosts.iter().filter(|h| !h.fixed).collect();
            for group in pool.iter().map(|h| &h.group) {
                prop_assert!(
                    pool.iter()
                        .any(|h| &h.group == group && ids.contains(&h.id)),
                    "no host of group {:?} at {}",
                    group,
                    fmt(slot.start)
                );
            }
        }
    }
    Ok(q.hosts.iter().filter(|h| ids.contains(&h.id)).collect())
}

/// Every invariant of one answer.
fn check_answer(q: &Query, found: &[Slot]) -> Result<(), TestCaseError> {
    let e = &q.event;
    let length = i64::from(e.length) * 60;
    let earliest = q.now + i64::from(e.minimum_notice.max(1)) * 60;
    let wide = Interval::new(q.range.start - 3 * DAY, q.range.end + 3 * DAY);
    let working: Vec<(HostId, IntervalSet)> = q
        .hosts
        .iter()
        .map(|h| (h.id, h.schedule.working_hours(wide)))
        .collect();

    for pair in found.windows(2) {
        prop_assert!(
            pair[0].start < pair[1].start,
            "not sorted and unique: {} then {}",
            fmt(pair[0].start),
            fmt(pair[1].start)
        );
    }
    for slot in found {
        let at = fmt(slot.start);
        let span = Interval::new(slot.start, slot.end);
        prop_assert_eq!(slot.end - slot.start, length, "length of {}", at);
        prop_assert!(slot.start >= earliest, "{} before now + notice", at);
        prop_assert!(
            slot.start >= q.range.start && slot.start <= q.range.end,
            "{} outside the range",
            at
        );
        for h in named_hosts(q, slot)? {
            let hours = &working.iter().find(|(id, _)| *id == h.id).unwrap().1;
            prop_assert!(
                hours.covers(&span),
                "{} outside host {}'s working hours",
                at,
                h.id
            );
            for b in &h.bookings {
                if let Some(blocked) = blocked_by_booking(e, b) {
                    prop_assert!(
                        !blocked.overlaps(&span),
                        "{} overlaps host {}'s booking {:?} (blocked {}..{})",
                        at,
                        h.id,
                        b.uid,
                        fmt(blocked.start),
                        fmt(blocked.end)
                    );
                }
            }
            for busy in &h.busy {
                let blocked = blocked_by_busy(e, busy);
                prop_assert!(
                    !blocked.overlaps(&span),
                    "{} overlaps host {}'s busy time {}..{}",
                    at,
                    h.id,
                    fmt(busy.start),
                    fmt(busy.end)
                );
            }
            for away in &h.out_of_office {
                prop_assert!(!away.overlaps(&span), "{} while host {} is away", at, h.id);
            }
        }
    }
    Ok(())
}

/// Slots with their hosts in id order, to compare answers whatever the hosts' order.
fn normalised(found: &[Slot]) -> Vec<Slot> {
    found
        .iter()
        .cloned()
        .map(|mut s| {
            s.hosts.sort_unstable();
            s
        })
        .collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn slots_keep_clear_of_busy_time_inside_working_hours_after_notice(raw in raw()) {
        let q = build(&raw);
        check_answer(&q, &slots(&q))?;
    }

    #[test]
    fn slots_do_not_depend_on_the_order_of_inputs(raw in raw(), seed in any::<u64>()) {
        let q = build(&raw);
        let found = slots(&q);
        let mut rng = StdRng::seed_from_u64(seed);
        let mut shuffled = q.clone();
        for h in &mut shuffled.hosts {
            h.bookings.shuffle(&mut rng);
            h.busy.shuffle(&mut rng);
            h.out_of_office.shuffle(&mut rng);
            h.schedule.weekly.shuffle(&mut rng);
            h.schedule.overrides.shuffle(&mut rng);
        }
        if q.event.scheduling != Scheduling::Personal {
            shuffled.hosts.shuffle(&mut rng);
        }
        prop_assert_eq!(normalised(&found), normalised(&slots(&shuffled)));
    }

    #[test]
    fn a_booked_slot_fed_back_is_gone(raw in raw(), pick in any::<Index>(), who in any::<Index>()) {
        let q = build(&raw);
        let found = slots(&q);
        if found.is_empty() {
            return Ok(());
        }
        let taken = found[pick.index(found.len())].clone();
        let e = &q.event;
        // Who attends: everyone named, or for round robin the fixed hosts and one of the free
        // round-robin hosts.
        let pool: Vec<HostId> = taken
            .hosts
            .iter()
            .copied()
            .filter(|id| q.hosts.iter().any(|h| h.id == *id && !h.fixed))
            .collect();
        let chosen = match e.scheduling {
            Scheduling::RoundRobin if !pool.is_empty() => Some(pool[who.index(pool.len())]),
            _ => None,
        };
        let attends = |h: &Host| match chosen {
            Some(id) => h.fixed || h.id == id,
            None => taken.hosts.contains(&h.id),
        };
        let booking = Booking {
            uid: Some("fed-back".to_owned()),
            interval: Interval::new(taken.start, taken.end),
            event_type_id: e.id,
            status: BookingStatus::Accepted,
            before_buffer: e.before_buffer,
            after_buffer: e.after_buffer,
            attendees: 1,
        };
        let mut booked = q.clone();
        for h in booked.hosts.iter_mut().filter(|h| attends(h)) {
            h.bookings.push(booking.clone());
        }
        let again = slots(&booked);
        check_answer(&booked, &again)?;

        let any_fixed = q.hosts.iter().any(|h| h.fixed);
        if let Some(same) = again.iter().find(|s| s.start == taken.start) {
            match chosen {
                Some(id) if !any_fixed => prop_assert!(
                    !same.hosts.contains(&id),
                    "host {} still offered at {}",
                    id,
                    fmt(taken.start)
                ),
                _ => prop_assert!(false, "{} still offered after booking it", fmt(taken.start)),
            }
        }
        let blocked = blocked_by_booking(e, &booking).unwrap();
        for slot in &again {
            for h in booked.hosts.iter().filter(|h| attends(h)) {
                prop_assert!(
                    !(slot.hosts.contains(&h.id) && blocked.overlaps(&Interval::new(slot.start, slot.end))),
                    "{} overlaps host {}'s new booking {}..{} with buffers",
                    fmt(slot.start),
                    h.id,
                    fmt(taken.start),
                    fmt(taken.end)
                );
            }
        }
    }
}

#[test]
fn the_generator_reaches_transition_days_with_slots() {
    // A fixed sanity check of `build`: a New York host around the 2030-03-10 spring-forward.
    let raw = Raw {
        transition: 0,
        lead_minutes: 2 * 1440,
        days: 5,
        booker: 1,
        now_minutes: -1440,
        event: RawEvent {
            length: 60,
            interval: None,
            offset: 0,
            notice: 0,
            before: 0,
            after: 0,
            scheduling: Scheduling::Personal,
            unconfirmed_blocks: false,
        },
        hosts: vec![RawHost {
            zone: 1,
            rules: vec![(0b111_1111, 9 * 60, 10 * 60)],
            overrides: vec![],
            bookings: vec![],
            busy: vec![],
            away: vec![],
            fixed: false,
            group: 0,
        }],
    };
    let q = build(&raw);
    let starts: Vec<String> = slots(&q).iter().map(|s| fmt(s.start)).collect();
    // 09:00 EST = 14:00Z until the 9th, 09:00 EDT = 13:00Z from the 10th.
    assert_eq!(
        starts,
        [
            "2030-03-08T14:00:00Z",
            "2030-03-09T14:00:00Z",
            "2030-03-10T13:00:00Z",
            "2030-03-11T13:00:00Z",
            "2030-03-12T13:00:00Z",
        ]
    );
}

#[test]
fn the_generator_mostly_yields_situations_with_slots() {
    // The properties say little about answers that are empty: most situations must have slots,
    // under every scheduling type.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = raw();
    let mut seen: Vec<(Scheduling, bool)> = Vec::new();
    for _ in 0..200 {
        let q = build(&strategy.new_tree(&mut runner).unwrap().current());
        seen.push((q.event.scheduling, !slots(&q).is_empty()));
    }
    let with_slots = seen.iter().filter(|(_, any)| *any).count();
    assert!(
        with_slots * 2 > seen.len(),
        "{with_slots} of {} have slots",
        seen.len()
    );
    for kind in [
        Scheduling::Personal,
        Scheduling::Collective,
        Scheduling::RoundRobin,
    ] {
        assert!(
            seen.iter().any(|&(k, any)| k == kind && any),
            "no {kind:?} situation with slots"
        );
    }
}
