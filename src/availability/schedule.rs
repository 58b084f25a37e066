//! A schedule's working hours as UTC intervals: weekly rules and recurring patterns in the
//! schedule's own timezone, with date overrides replacing whole days. Each local date is resolved
//! on its own, so DST days get exactly their wall-clock hours.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate, NaiveDateTime, TimeDelta};
use chrono_tz::Tz;
use rrule::RRuleSet;

use super::interval::{Interval, IntervalSet};
use super::local_time::{dates, local_date, resolve, resolve_minutes, weekday_index};

/// Monday to Friday as a `WeeklyRule::days` bit set.
pub const MONDAY_TO_FRIDAY: u8 = 0b001_1111;

/// Hours on some weekdays: `days` has bit 0 = Monday … bit 6 = Sunday; minutes after local
/// midnight, `end_minute` 1440 meaning midnight at the end of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeeklyRule {
    pub days: u8,
    pub start_minute: u32,
    pub end_minute: u32,
}

impl WeeklyRule {
    pub fn applies_on(&self, date: NaiveDate) -> bool {
        self.days & (1 << weekday_index(date)) != 0
    }
}

/// Hours for one date that replace its weekly hours; `0..0` closes the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateOverride {
    pub date: NaiveDate,
    pub start_minute: u32,
    pub end_minute: u32,
}

/// Extra availability recurring by an RFC 5545 rule, e.g. every other Tuesday 14:00-16:00.
/// The rule is expanded in floating wall-clock time and each occurrence is then resolved in the
/// schedule's timezone, so DST follows the same rules as weekly hours.
#[derive(Debug, Clone)]
pub struct RecurringWindow {
    /// Parsed with a floating (UTC-labelled) DTSTART holding the local start time.
    pub rule: RRuleSet,
    pub duration_minutes: u32,
}

impl RecurringWindow {
    /// `rrule` is the RRULE value (`FREQ=WEEKLY;INTERVAL=2;BYDAY=TU`), `dtstart` the local start.
    pub fn parse(
        rrule: &str,
        dtstart: NaiveDateTime,
        duration_minutes: u32,
    ) -> Result<Self, String> {
        let rrule = rrule.trim().trim_start_matches("RRULE:");
        let text = format!(
            "DTSTART:{}Z\nRRULE:{rrule}",
            dtstart.format("%Y%m%dT%H%M%S")
        );
        let upper = rrule.to_ascii_uppercase();
        if upper.contains("FREQ=SECONDLY") || upper.contains("FREQ=MINUTELY") {
            return Err(format!(
                "invalid recurrence rule `{rrule}`: repeat hourly at most (FREQ=HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY)"
            ));
        }
        let rule: RRuleSet = text
            .parse()
            .map_err(|e| format!("invalid recurrence rule `{rrule}`: {e}"))?;
        if duration_minutes == 0 || duration_minutes > 1440 {
            return Err("a recurring window lasts 1 to 1440 minutes".to_owned());
        }
        Ok(Self {
            rule,
            duration_minutes,
        })
    }

    /// Local start times of occurrences starting within `[first, last + 1 day)`. Expansion
    /// stops at 65,535 occurrences; callers bound the rule's frequency and first date so that a
    /// query range never gets there (see `headless`).
    fn occurrences(&self, first: NaiveDate, last: NaiveDate) -> Vec<NaiveDateTime> {
        let utc = rrule::Tz::UTC;
        let from = first
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .with_timezone(&utc);
        let to = last
            .checked_add_days(Days::new(1))
            .unwrap_or(last)
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .with_timezone(&utc);
        // `after`/`before` are inclusive; a start exactly at `to` belongs to the next range.
        self.rule
            .clone()
            .after(from)
            .before(to)
            .all(u16::MAX)
            .dates
            .into_iter()
            .map(|at| at.naive_utc())
            .filter(|at| at.date() <= last)
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Schedule {
    pub tz: Tz,
    pub weekly: Vec<WeeklyRule>,
    pub overrides: Vec<DateOverride>,
    pub recurring: Vec<RecurringWindow>,
}

impl Schedule {
    /// Working hours overlapping `range`, as instants. Windows touching across midnight merge.
    pub fn working_hours(&self, range: Interval) -> IntervalSet {
        if range.is_empty() {
            return IntervalSet::empty();
        }
        // One local day of slack each side: a window of the local day before the range's first
        // instant can still reach into it.
        let first = local_date(self.tz, range.start)
            .pred_opt()
            .unwrap_or(NaiveDate::MIN);
        let last = local_date(self.tz, range.end)
            .succ_opt()
            .unwrap_or(NaiveDate::MAX);

        let mut overridden: BTreeMap<NaiveDate, Vec<&DateOverride>> = BTreeMap::new();
        for o in self
            .overrides
            .iter()
            .filter(|o| o.date >= first && o.date <= last)
        {
            overridden.entry(o.date).or_default().push(o);
        }

        let mut windows = Vec::new();
        for date in dates(first, last) {
            match overridden.get(&date) {
                Some(day) => windows.extend(
                    day.iter()
                        .filter(|o| o.start_minute < o.end_minute)
                        .map(|o| self.window(date, o.start_minute, o.end_minute)),
                ),
                None => windows.extend(
                    self.weekly
                        .iter()
                        .filter(|rule| rule.applies_on(date) && rule.start_minute < rule.end_minute)
                        .map(|rule| self.window(date, rule.start_minute, rule.end_minute)),
                ),
            }
        }
        for pattern in &self.recurring {
            for start in pattern.occurrences(first, last) {
                if overridden.contains_key(&start.date()) {
                    continue;
                }
                let end = start + TimeDelta::minutes(i64::from(pattern.duration_minutes));
                windows.push(Interval::new(
                    resolve(self.tz, start),
                    resolve(self.tz, end),
                ));
            }
        }
        IntervalSet::from_intervals(windows).clip_to(&range)
    }

    fn window(&self, date: NaiveDate, start_minute: u32, end_minute: u32) -> Interval {
        Interval::new(
            resolve_minutes(self.tz, date, start_minute),
            resolve_minutes(self.tz, date, end_minute),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    const WEEKDAYS: u8 = super::MONDAY_TO_FRIDAY;

    fn tz(name: &str) -> Tz {
        name.parse().unwrap()
    }

    fn utc(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    fn fmt(set: &IntervalSet) -> Vec<String> {
        let f = |t: i64| {
            DateTime::<Utc>::from_timestamp(t, 0)
                .unwrap()
                .format("%m-%d %H:%M")
                .to_string()
        };
        set.as_slice()
            .iter()
            .map(|i| format!("{}-{}", f(i.start), f(i.end)))
            .collect()
    }

    fn schedule(zone: &str, weekly: Vec<WeeklyRule>) -> Schedule {
        Schedule {
            tz: tz(zone),
            weekly,
            overrides: vec![],
            recurring: vec![],
        }
    }

    fn rule(days: u8, start: u32, end: u32) -> WeeklyRule {
        WeeklyRule {
            days,
            start_minute: start,
            end_minute: end,
        }
    }

    #[test]
    fn weekly_hours_in_the_schedules_timezone() {
        let s = schedule("Europe/Berlin", vec![rule(WEEKDAYS, 9 * 60, 17 * 60)]);
        // Friday 2030-03-01 to Monday 2030-03-04 (UTC+1).
        let hours = s.working_hours(Interval::new(
            utc("2030-03-01T00:00:00Z"),
            utc("2030-03-05T00:00:00Z"),
        ));
        assert_eq!(
            fmt(&hours),
            vec!["03-01 08:00-03-01 16:00", "03-04 08:00-03-04 16:00"]
        );
    }

    #[test]
    fn windows_touching_across_midnight_merge() {
        let s = schedule(
            "UTC",
            vec![rule(0b000_0001, 23 * 60, 1440), rule(0b000_0010, 0, 30)],
        );
        let hours = s.working_hours(Interval::new(
            utc("2030-03-04T00:00:00Z"),
            utc("2030-03-06T00:00:00Z"),
        ));
        assert_eq!(fmt(&hours), vec!["03-04 23:00-03-05 00:30"]);
    }

    #[test]
    fn overrides_replace_the_day_and_zero_closes_it() {
        let mut s = schedule("UTC", vec![rule(WEEKDAYS, 9 * 60, 17 * 60)]);
        s.overrides = vec![
            DateOverride {
                date: NaiveDate::from_ymd_opt(2030, 3, 4).unwrap(),
                start_minute: 12 * 60,
                end_minute: 14 * 60,
            },
            DateOverride {
                date: NaiveDate::from_ymd_opt(2030, 3, 4).unwrap(),
                start_minute: 15 * 60,
                end_minute: 16 * 60,
            },
            DateOverride {
                date: NaiveDate::from_ymd_opt(2030, 3, 5).unwrap(),
                start_minute: 0,
                end_minute: 0,
            },
            // An override can open a weekend day.
            DateOverride {
                date: NaiveDate::from_ymd_opt(2030, 3, 9).unwrap(),
                start_minute: 10 * 60,
                end_minute: 11 * 60,
            },
        ];
        let hours = s.working_hours(Interval::new(
            utc("2030-03-04T00:00:00Z"),
            utc("2030-03-10T00:00:00Z"),
        ));
        assert_eq!(
            fmt(&hours),
            vec![
                "03-04 12:00-03-04 14:00",
                "03-04 15:00-03-04 16:00",
                "03-06 09:00-03-06 17:00",
                "03-07 09:00-03-07 17:00",
                "03-08 09:00-03-08 17:00",
                "03-09 10:00-03-09 11:00",
            ]
        );
    }

    #[test]
    fn recurring_patterns_add_hours_and_follow_local_time_across_dst() {
        let mut s = schedule("America/New_York", vec![]);
        let start = NaiveDate::from_ymd_opt(2030, 3, 5)
            .unwrap()
            .and_hms_opt(14, 0, 0)
            .unwrap();
        s.recurring = vec![
            RecurringWindow::parse(
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20300401T000000Z",
                start,
                120,
            )
            .unwrap(),
        ];
        let hours = s.working_hours(Interval::new(
            utc("2030-03-01T00:00:00Z"),
            utc("2030-04-30T00:00:00Z"),
        ));
        // 14:00 EST = 19:00Z before 2030-03-10, 14:00 EDT = 18:00Z after; nothing after UNTIL.
        assert_eq!(
            fmt(&hours),
            vec!["03-05 19:00-03-05 21:00", "03-19 18:00-03-19 20:00"]
        );
    }

    #[test]
    fn a_bad_rule_is_an_error_that_names_it() {
        let start = NaiveDate::from_ymd_opt(2030, 3, 5)
            .unwrap()
            .and_hms_opt(14, 0, 0)
            .unwrap();
        let err = RecurringWindow::parse("FREQ=SOMETIMES", start, 60).unwrap_err();
        assert!(err.contains("FREQ=SOMETIMES"), "{err}");
    }
}
