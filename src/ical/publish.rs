//! A host's published calendar: their bookings as VEVENTs, their busy time as one VFREEBUSY
//! (RFC 5545 §3.6.4) and their working hours as a VAVAILABILITY (RFC 7953), in one VCALENDAR.
//! Pure: the caller supplies the facts; this module decides only how they are written.
//!
//! The feed may be shared, so it carries no attendee (name or email), answer, description,
//! location or link: a booking is its UID, title, time and status.
//!
//! The crate has types for neither VFREEBUSY nor VAVAILABILITY. It builds components of other
//! kinds as its `Other` type, which it does not export by name and builds only from a parsed
//! component, so [`empty!`] parses an empty one and everything in it is added through the
//! crate's property API.

use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use icalendar::{Calendar, CalendarComponent, Component, Event, EventLike, Property};

use super::invite::{clean, status_of};
use crate::availability::schedule::WeeklyRule;
use crate::domain::BookingStatus;

/// Everything a published calendar shows.
#[derive(Debug, Clone)]
pub struct Publication<'a> {
    /// The calendar's display name (`X-WR-CALNAME`).
    pub name: &'a str,
    /// Stable and not secret (never the token): the UIDs of the VFREEBUSY and the
    /// VAVAILABILITY, so a subscriber replaces its earlier copy.
    pub owner_key: &'a str,
    pub stamp: DateTime<Utc>,
    /// The range the VFREEBUSY covers; busy time is clipped to it.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub events: &'a [Listed<'a>],
    pub busy: &'a [Busy],
    pub hours: Option<Hours<'a>>,
}

/// One booking as the feed shows it.
#[derive(Debug, Clone)]
pub struct Listed<'a> {
    pub uid: &'a str,
    pub sequence: i32,
    pub summary: &'a str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: BookingStatus,
}

/// Time the host is not free, and how (the FREEBUSY `FBTYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub kind: BusyKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BusyKind {
    /// Accepted bookings and external calendars' busy time.
    Busy,
    /// Bookings waiting for the host's confirmation.
    Tentative,
    /// Out of office.
    Unavailable,
}

impl BusyKind {
    const ALL: [Self; 3] = [Self::Busy, Self::Tentative, Self::Unavailable];

    /// The `FBTYPE` parameter; `BUSY` is the default and is left out.
    fn parameter(self) -> Option<&'static str> {
        match self {
            Self::Busy => None,
            Self::Tentative => Some("BUSY-TENTATIVE"),
            Self::Unavailable => Some("BUSY-UNAVAILABLE"),
        }
    }
}

/// Working hours: weekly rules in the schedule's zone.
#[derive(Debug, Clone, Copy)]
pub struct Hours<'a> {
    pub zone: Tz,
    pub rules: &'a [WeeklyRule],
}

/// How often subscribers should read the feed again (RFC 7986 `REFRESH-INTERVAL`).
const REFRESH: &str = "PT15M";

/// Builds an empty component of a kind the crate has no type for (see the module comment).
/// Its value is `None` only if the crate stopped reading unknown kinds as `Other`.
macro_rules! empty {
    ($kind:literal) => {
        match CalendarComponent::from_str(concat!("BEGIN:", $kind, "\r\nEND:", $kind, "\r\n")) {
            Ok(CalendarComponent::Other(component)) => Some(component),
            _ => None,
        }
    };
}

/// The whole `VCALENDAR` (`METHOD:PUBLISH`), CRLF line ends, lines folded at 75 octets.
pub fn render(p: &Publication<'_>) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Kairos//Kairos Scheduling//EN"))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("METHOD", "PUBLISH"))
        .append_property(("X-WR-CALNAME", clean(p.name).as_str()))
        .append_property(
            Property::new("REFRESH-INTERVAL", REFRESH)
                .add_parameter("VALUE", "DURATION")
                .done(),
        )
        .append_property(("X-PUBLISHED-TTL", REFRESH));
    for listed in p.events {
        calendar.push(event(listed, p.stamp));
    }
    if let Some(mut freebusy) = empty!("VFREEBUSY") {
        freebusy
            .append_property(("UID", format!("freebusy-{}@kairos", p.owner_key).as_str()))
            .append_property(("DTSTAMP", utc(p.stamp).as_str()))
            .append_property(("DTSTART", utc(p.from).as_str()))
            .append_property(("DTEND", utc(p.to).as_str()));
        for (kind, start, end) in periods(p.busy, p.from, p.to) {
            let mut line = Property::new("FREEBUSY", format!("{}/{}", utc(start), utc(end)));
            if let Some(fbtype) = kind.parameter() {
                line.add_parameter("FBTYPE", fbtype);
            }
            freebusy.append_multi_property(line.done());
        }
        calendar.push(freebusy);
    }
    if let Some(hours) = p.hours
        && let Some(mut availability) = empty!("VAVAILABILITY")
    {
        availability
            .append_property(("UID", format!("hours-{}@kairos", p.owner_key).as_str()))
            .append_property(("DTSTAMP", utc(p.stamp).as_str()))
            .append_property(("SUMMARY", "Working hours"))
            .append_property(("BUSYTYPE", "BUSY-UNAVAILABLE"));
        let monday = week_start(p.from.with_timezone(&hours.zone).date_naive());
        for (index, rule) in hours.rules.iter().enumerate() {
            let Some(times) = AvailableTimes::of(rule, monday) else {
                continue;
            };
            let Some(mut available) = empty!("AVAILABLE") else {
                break;
            };
            let zone = hours.zone.name();
            available
                .append_property((
                    "UID",
                    format!("hours-{}-{index}@kairos", p.owner_key).as_str(),
                ))
                .append_property(("DTSTAMP", utc(p.stamp).as_str()))
                .append_property(("SUMMARY", "Available"))
                .append_property(local("DTSTART", times.start, zone))
                .append_property(local("DTEND", times.end, zone))
                .append_property(("RRULE", times.rule.as_str()));
            availability.append_component(available);
        }
        calendar.push(availability);
    }
    super::refold(&calendar.to_string())
}

fn event(listed: &Listed<'_>, stamp: DateTime<Utc>) -> Event {
    Event::new()
        .uid(&clean(listed.uid))
        .sequence(u32::try_from(listed.sequence).unwrap_or(0))
        .timestamp(stamp)
        .starts(listed.start)
        .ends(listed.end)
        .summary(&clean(listed.summary))
        .status(status_of(listed.status))
        .append_property(("TRANSP", "OPAQUE"))
        .done()
}

/// The busy time clipped to `[from, to)`, merged per kind (overlapping or touching periods
/// become one), sorted by kind and start.
fn periods(
    busy: &[Busy],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(BusyKind, DateTime<Utc>, DateTime<Utc>)> {
    let mut merged = Vec::new();
    for kind in BusyKind::ALL {
        let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = busy
            .iter()
            .filter(|b| b.kind == kind)
            .map(|b| (b.start.max(from), b.end.min(to)))
            .filter(|(start, end)| start < end)
            .collect();
        spans.sort();
        let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
        for (start, end) in spans {
            current = match current {
                Some((s, e)) if start <= e => Some((s, e.max(end))),
                Some((s, e)) => {
                    merged.push((kind, s, e));
                    Some((start, end))
                }
                None => Some((start, end)),
            };
        }
        merged.extend(current.map(|(s, e)| (kind, s, e)));
    }
    merged
}

/// One weekly rule as an AVAILABLE's first occurrence and recurrence.
struct AvailableTimes {
    start: NaiveDateTime,
    end: NaiveDateTime,
    rule: String,
}

impl AvailableTimes {
    /// `None` for a rule without days or hours. The first occurrence is the rule's first day
    /// in the week starting `monday`, as RFC 5545 asks DTSTART to match the RRULE.
    fn of(rule: &WeeklyRule, monday: NaiveDate) -> Option<Self> {
        const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
        let days: Vec<u64> = (0..7).filter(|d| rule.days & (1 << d) != 0).collect();
        if days.is_empty() || rule.start_minute >= rule.end_minute || rule.end_minute > 1440 {
            return None;
        }
        let first = monday.checked_add_days(Days::new(days[0]))?;
        let midnight = first.and_hms_opt(0, 0, 0)?;
        let by_day: Vec<&str> = days.iter().map(|&d| DAYS[d as usize]).collect();
        Some(Self {
            start: midnight + TimeDelta::minutes(i64::from(rule.start_minute)),
            end: midnight + TimeDelta::minutes(i64::from(rule.end_minute)),
            rule: format!("FREQ=WEEKLY;BYDAY={}", by_day.join(",")),
        })
    }
}

fn week_start(date: NaiveDate) -> NaiveDate {
    let back = u64::from(date.weekday().num_days_from_monday());
    date.checked_sub_days(Days::new(back)).unwrap_or(date)
}

/// A local date-time property with its zone: `DTSTART;TZID=Europe/Berlin:20261207T090000`.
/// The zone is referenced by its IANA name, without a VTIMEZONE (RFC 7809 §3.1 lets a
/// publisher leave out the definitions of IANA zones; calendar clients know them).
fn local(name: &str, at: NaiveDateTime, zone: &str) -> Property {
    Property::new(name, at.format("%Y%m%dT%H%M%S").to_string())
        .add_parameter("TZID", zone)
        .done()
}

fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use icalendar::parser::{Component as Parsed, read_calendar, unfold};

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
            .unwrap()
    }

    fn busy(start: DateTime<Utc>, end: DateTime<Utc>, kind: BusyKind) -> Busy {
        Busy { start, end, kind }
    }

    fn sample(events: &[Listed<'_>], busy: &[Busy], rules: &[WeeklyRule]) -> String {
        render(&Publication {
            name: "Ada Host",
            owner_key: "user-7",
            stamp: at(1, 8, 0),
            from: at(1, 0, 0),
            to: at(31, 0, 0),
            events,
            busy,
            hours: Some(Hours {
                zone: chrono_tz::Europe::Berlin,
                rules,
            }),
        })
    }

    fn values<'a>(component: &'a Parsed<'a>, name: &str) -> Vec<String> {
        component
            .properties
            .iter()
            .filter(|p| p.name.as_str() == name)
            .map(|p| p.val.to_string())
            .collect()
    }

    #[test]
    fn busy_time_is_merged_per_kind_and_clipped_to_the_range() {
        let spans = [
            busy(at(2, 10, 0), at(2, 11, 0), BusyKind::Busy),
            busy(at(2, 10, 30), at(2, 12, 0), BusyKind::Busy),
            busy(at(2, 12, 0), at(2, 12, 30), BusyKind::Busy),
            busy(at(2, 15, 0), at(2, 16, 0), BusyKind::Busy),
            busy(at(2, 11, 0), at(2, 13, 0), BusyKind::Tentative),
            busy(at(30, 23, 0), at(31, 2, 0), BusyKind::Unavailable),
            busy(at(31, 1, 0), at(31, 2, 0), BusyKind::Busy),
        ];
        let got = periods(&spans, at(1, 0, 0), at(31, 0, 0));
        assert_eq!(
            got,
            vec![
                (BusyKind::Busy, at(2, 10, 0), at(2, 12, 30)),
                (BusyKind::Busy, at(2, 15, 0), at(2, 16, 0)),
                (BusyKind::Tentative, at(2, 11, 0), at(2, 13, 0)),
                (BusyKind::Unavailable, at(30, 23, 0), at(31, 0, 0)),
            ]
        );
    }

    #[test]
    fn the_feed_parses_back_with_events_free_busy_and_working_hours() {
        let events = [Listed {
            uid: "abc@kairos",
            sequence: 1,
            summary: "Intro, with Ada",
            start: at(2, 10, 0),
            end: at(2, 10, 30),
            status: BookingStatus::Pending,
        }];
        let spans = [
            busy(at(2, 10, 0), at(2, 10, 30), BusyKind::Tentative),
            busy(at(3, 9, 0), at(3, 9, 45), BusyKind::Busy),
        ];
        let rules = [
            WeeklyRule {
                days: 0b001_1111,
                start_minute: 9 * 60,
                end_minute: 17 * 60,
            },
            WeeklyRule {
                days: 0b100_0000,
                start_minute: 22 * 60,
                end_minute: 1440,
            },
        ];
        let text = sample(&events, &spans, &rules);
        for line in text.split_terminator("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        let unfolded = unfold(&text);
        let calendar = read_calendar(&unfolded).unwrap();
        // The parser hands back the VCALENDAR's own properties and components.
        let all = &calendar.components;
        let kinds: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(kinds, ["VEVENT", "VFREEBUSY", "VAVAILABILITY"], "{text}");
        let event = &all[0];
        assert_eq!(values(event, "UID"), ["abc@kairos"]);
        assert_eq!(values(event, "STATUS"), ["TENTATIVE"]);
        assert_eq!(values(event, "DTSTART"), ["20261202T100000Z"]);
        let freebusy = &all[1];
        assert_eq!(
            values(freebusy, "FREEBUSY"),
            [
                "20261203T090000Z/20261203T094500Z",
                "20261202T100000Z/20261202T103000Z"
            ]
        );
        assert!(unfolded.contains("FREEBUSY;FBTYPE=BUSY-TENTATIVE:20261202T100000Z/"));
        assert_eq!(values(freebusy, "UID"), ["freebusy-user-7@kairos"]);
        let hours = &all[2];
        assert_eq!(values(hours, "BUSYTYPE"), ["BUSY-UNAVAILABLE"]);
        let available: Vec<&Parsed<'_>> = hours.components.iter().collect();
        assert_eq!(available.len(), 2);
        assert_eq!(
            values(available[0], "RRULE"),
            ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"]
        );
        // 2026-12-01 is a Tuesday: the first Monday-to-Friday occurrence of its week is Monday
        // the 30th of November; Sunday evening's is the 6th of December, ending at midnight.
        assert!(unfolded.contains("DTSTART;TZID=Europe/Berlin:20261130T090000\r\n"));
        assert!(unfolded.contains("DTEND;TZID=Europe/Berlin:20261130T170000\r\n"));
        assert!(unfolded.contains("DTSTART;TZID=Europe/Berlin:20261206T220000\r\n"));
        assert!(unfolded.contains("DTEND;TZID=Europe/Berlin:20261207T000000\r\n"));
        assert_eq!(values(available[1], "RRULE"), ["FREQ=WEEKLY;BYDAY=SU"]);
    }

    #[test]
    fn empty_rules_are_left_out() {
        let rules = [
            WeeklyRule {
                days: 0,
                start_minute: 540,
                end_minute: 600,
            },
            WeeklyRule {
                days: 1,
                start_minute: 600,
                end_minute: 600,
            },
        ];
        let text = sample(&[], &[], &rules);
        assert!(text.contains("BEGIN:VAVAILABILITY"), "{text}");
        assert!(!text.contains("BEGIN:AVAILABLE"), "{text}");
        assert!(!text.contains("FREEBUSY:"), "{text}");
    }
}
