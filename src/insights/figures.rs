//! The figures of insights, computed from counts the database grouped by UTC hour: what each
//! booking came to, bookings per local day or week, busiest local hours, average lead time,
//! round-robin load against weight and page-view conversion. Pure: no IO, no clock, no async.
//! Local dates come from chrono-tz per instant and days are walked as calendar dates.

use chrono::{DateTime, Datelike, Days, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

use crate::availability::local_time::{dates, start_of_day};
use crate::domain::BookingStatus;

/// What a booking came to, as insights count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    /// Awaiting confirmation (or a host).
    Pending,
    /// Accepted, but the host or an attendee did not show up.
    NoShow,
    Cancelled,
    /// Moved to another time: the old booking (the new one counts on its own).
    Rescheduled,
    Rejected,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Accepted,
        Outcome::Pending,
        Outcome::NoShow,
        Outcome::Cancelled,
        Outcome::Rescheduled,
        Outcome::Rejected,
    ];

    pub fn of(status: BookingStatus, rescheduled: bool, no_show: bool) -> Self {
        match status {
            BookingStatus::Cancelled if rescheduled => Self::Rescheduled,
            BookingStatus::Cancelled => Self::Cancelled,
            BookingStatus::Rejected => Self::Rejected,
            BookingStatus::Pending | BookingStatus::AwaitingHost => Self::Pending,
            BookingStatus::Accepted if no_show => Self::NoShow,
            BookingStatus::Accepted => Self::Accepted,
        }
    }

    /// The API's and the CSV's name.
    pub fn key(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Pending => "pending",
            Self::NoShow => "noShow",
            Self::Cancelled => "cancelled",
            Self::Rescheduled => "rescheduled",
            Self::Rejected => "rejected",
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|o| *o == self).unwrap_or(0)
    }

    /// Whether the meeting was (or is still to be) held: what busiest hours count.
    pub fn held(self) -> bool {
        matches!(self, Self::Accepted | Self::Pending | Self::NoShow)
    }
}

/// Bookings per outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts([i64; 6]);

impl Counts {
    pub fn get(&self, outcome: Outcome) -> i64 {
        self.0[outcome.index()]
    }

    fn add(&mut self, outcome: Outcome, n: i64) {
        self.0[outcome.index()] += n;
    }

    pub fn total(&self) -> i64 {
        self.0.iter().sum()
    }
}

/// Bookings starting in one UTC hour with one outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HourTally {
    pub hour: DateTime<Utc>,
    pub outcome: Outcome,
    pub bookings: i64,
    pub lead_seconds: i64,
}

/// Bookings on one local date (or in the week from that Monday) with one outcome, as the
/// database grouped them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayTally {
    pub date: NaiveDate,
    pub outcome: Outcome,
    pub bookings: i64,
}

/// Bookings at one local hour of the day (0-23) with one outcome: the same bookings as the
/// day tallies, counted again for the busiest hours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockTally {
    pub hour: u32,
    pub outcome: Outcome,
    pub bookings: i64,
}

/// The local dates asked about, in the viewer's zone.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub tz: Tz,
}

/// The longest period asked about at once.
pub const MAX_DAYS: i64 = 366;
/// Up to this many days a chart has a point per day; longer, a point per week.
const DAILY_UP_TO: i64 = 62;

impl Period {
    pub fn new(first: NaiveDate, last: NaiveDate, tz: Tz) -> Result<Self, String> {
        if last < first {
            return Err(format!("end ({last}) is before start ({first})"));
        }
        if (last - first).num_days() + 1 > MAX_DAYS {
            return Err(format!("the period is longer than {MAX_DAYS} days"));
        }
        Ok(Self { first, last, tz })
    }

    /// The instants the period covers: `[start of first, start of the day after last)`.
    pub fn instants(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let after = self
            .last
            .checked_add_days(Days::new(1))
            .unwrap_or(self.last);
        let at = |d| DateTime::from_timestamp(start_of_day(self.tz, d), 0).unwrap_or_default();
        (at(self.first), at(after))
    }

    pub fn step(&self) -> Step {
        if (self.last - self.first).num_days() < DAILY_UP_TO {
            Step::Day
        } else {
            Step::Week
        }
    }
}

/// A chart's point: a local day, or a week (Monday to Sunday, clipped to the period).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Day,
    Week,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The first local date the point covers.
    pub start: NaiveDate,
    pub counts: Counts,
}

/// Everything the bookings' counts tell.
#[derive(Debug, Clone, PartialEq)]
pub struct Bookings {
    pub totals: Counts,
    /// Mean of (start - created) over every booking counted, in whole minutes.
    pub average_lead_minutes: Option<i64>,
    pub step: Step,
    pub series: Vec<Point>,
    /// Held bookings by the local hour (0-23) they start in.
    pub busiest_hours: [i64; 24],
}

/// The first date of the point `date` belongs to.
fn point_of(period: &Period, step: Step, date: NaiveDate) -> NaiveDate {
    match step {
        Step::Day => date,
        Step::Week => {
            let monday = date - Days::new(u64::from(date.weekday().num_days_from_monday()));
            monday.max(period.first)
        }
    }
}

/// Folds UTC hours into the viewer's local days (or weeks) and hours. An hour's bookings count
/// on the local date and hour its first instant falls in. `days` and `clock` were grouped so
/// already (by the database, for the whole hours of the period), each of the same bookings,
/// whose lead time adds up to `lead_seconds`.
pub fn fold(
    period: &Period,
    hours: &[HourTally],
    days: &[DayTally],
    clock: &[ClockTally],
    lead_seconds: i64,
) -> Bookings {
    let (mut days, mut clock) = (days.to_vec(), clock.to_vec());
    let mut lead = lead_seconds;
    for t in hours {
        let local = t.hour.with_timezone(&period.tz);
        let date = local.date_naive();
        if date < period.first || date > period.last {
            continue;
        }
        lead += t.lead_seconds;
        days.push(DayTally {
            date,
            outcome: t.outcome,
            bookings: t.bookings,
        });
        clock.push(ClockTally {
            hour: local.hour(),
            outcome: t.outcome,
            bookings: t.bookings,
        });
    }
    let step = period.step();
    let mut series = points(period, step);
    let mut totals = Counts::default();
    for d in &days {
        totals.add(d.outcome, d.bookings);
        let start = point_of(period, step, d.date);
        if let Some(p) = series.iter_mut().find(|p| p.start == start) {
            p.counts.add(d.outcome, d.bookings);
        }
    }
    let mut busiest = [0i64; 24];
    for c in clock.iter().filter(|c| c.outcome.held()) {
        if let Some(slot) = busiest.get_mut(c.hour as usize) {
            *slot += c.bookings;
        }
    }
    let total = totals.total();
    Bookings {
        totals,
        average_lead_minutes: (total > 0).then(|| lead / total / 60),
        step,
        series,
        busiest_hours: busiest,
    }
}

/// The chart's points of the period, every count zero.
fn points(period: &Period, step: Step) -> Vec<Point> {
    dates(period.first, period.last)
        .map(|d| point_of(period, step, d))
        .fold(Vec::new(), |mut points, start| {
            if points.last().is_none_or(|p: &Point| p.start != start) {
                points.push(Point {
                    start,
                    counts: Counts::default(),
                });
            }
            points
        })
}

/// A host as insights list them, with their round-robin weight where it applies.
#[derive(Debug, Clone, PartialEq)]
pub struct HostInput {
    pub user_id: i64,
    pub name: String,
    pub weight: Option<i32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HostLoad {
    pub user_id: i64,
    pub name: String,
    /// Active bookings holding the host's time.
    pub bookings: i64,
    /// This host's part of all the listed hosts' bookings (0 to 1).
    pub share: f64,
    pub weight: Option<i32>,
    /// The host's weight over the weights of all weighted hosts (0 to 1).
    pub weight_share: Option<f64>,
}

/// Each host's load beside their weight's share; `counts` are (user id, bookings).
pub fn host_loads(hosts: &[HostInput], counts: &[(i64, i64)]) -> Vec<HostLoad> {
    let count_of = |id| counts.iter().find(|(u, _)| *u == id).map_or(0, |(_, n)| *n);
    let all: i64 = hosts.iter().map(|h| count_of(h.user_id)).sum();
    let weights: i64 = hosts.iter().filter_map(|h| h.weight).map(i64::from).sum();
    hosts
        .iter()
        .map(|h| {
            let bookings = count_of(h.user_id);
            HostLoad {
                user_id: h.user_id,
                name: h.name.clone(),
                bookings,
                share: ratio(bookings, all).unwrap_or(0.0),
                weight: h.weight,
                weight_share: h.weight.and_then(|w| ratio(i64::from(w), weights)),
            }
        })
        .collect()
}

/// An event type's page views and the bookings made in the same period.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    pub event_type_id: i64,
    pub title: String,
    pub views: i64,
    pub bookings: i64,
    /// Bookings per view; none without views.
    pub rate: Option<f64>,
}

impl Conversion {
    pub fn new(event_type_id: i64, title: String, views: i64, bookings: i64) -> Self {
        Self {
            event_type_id,
            title,
            views,
            bookings,
            rate: ratio(bookings, views),
        }
    }
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    if whole > 0 {
        Some(part as f64 / whole as f64)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn tally(y: i32, m: u32, d: u32, h: u32, outcome: Outcome, n: i64) -> HourTally {
        HourTally {
            hour: Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap(),
            outcome,
            bookings: n,
            lead_seconds: n * 3600,
        }
    }

    #[test]
    fn outcomes_follow_status_reschedule_and_absence() {
        use BookingStatus::*;
        assert_eq!(Outcome::of(Cancelled, true, false), Outcome::Rescheduled);
        assert_eq!(Outcome::of(Cancelled, false, true), Outcome::Cancelled);
        assert_eq!(Outcome::of(Accepted, false, true), Outcome::NoShow);
        assert_eq!(Outcome::of(AwaitingHost, false, false), Outcome::Pending);
        assert_eq!(Outcome::of(Rejected, false, false), Outcome::Rejected);
        assert_eq!(Outcome::of(Accepted, false, false), Outcome::Accepted);
    }

    #[test]
    fn a_dst_day_keeps_its_local_hours() {
        // Berlin leaves summer time on 2026-10-25: that day has 25 hours. 22:00 UTC on the
        // 24th is midnight on the 25th (CEST, +2); 23:00 UTC on the 25th is midnight on the
        // 26th (CET, +1).
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let period = Period::new(date(2026, 10, 24), date(2026, 10, 26), tz).unwrap();
        let (from, to) = period.instants();
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 10, 23, 22, 0, 0).unwrap());
        assert_eq!(to, Utc.with_ymd_and_hms(2026, 10, 26, 23, 0, 0).unwrap());
        let tallies = [
            tally(2026, 10, 24, 21, Outcome::Accepted, 1), // 23:00 on the 24th
            tally(2026, 10, 24, 22, Outcome::Accepted, 2), // 00:00 on the 25th
            tally(2026, 10, 25, 0, Outcome::Cancelled, 1), // 02:00 CEST on the 25th
            tally(2026, 10, 25, 1, Outcome::Accepted, 4),  // 02:00 CET, the repeated hour
            tally(2026, 10, 25, 22, Outcome::Accepted, 8), // 23:00 on the 25th
            tally(2026, 10, 25, 23, Outcome::NoShow, 16),  // 00:00 on the 26th
        ];
        let figures = fold(&period, &tallies, &[], &[], 0);
        assert_eq!(figures.step, Step::Day);
        let per_day: Vec<(NaiveDate, i64)> = figures
            .series
            .iter()
            .map(|p| (p.start, p.counts.total()))
            .collect();
        assert_eq!(
            per_day,
            vec![
                (date(2026, 10, 24), 1),
                (date(2026, 10, 25), 15),
                (date(2026, 10, 26), 16)
            ]
        );
        assert_eq!(figures.busiest_hours[0], 18);
        // Both 02:00s, the cancelled one not held.
        assert_eq!(figures.busiest_hours[2], 4);
        assert_eq!(figures.busiest_hours[23], 9);
        assert_eq!(figures.totals.get(Outcome::Cancelled), 1);
        assert_eq!(figures.totals.get(Outcome::NoShow), 16);
        assert_eq!(figures.totals.total(), 32);
        assert_eq!(figures.average_lead_minutes, Some(60));
    }

    #[test]
    fn days_and_hours_grouped_by_the_database_fold_as_their_hours_do() {
        // The tallies of `a_dst_day_keeps_its_local_hours`, grouped per local date and hour.
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let period = Period::new(date(2026, 10, 24), date(2026, 10, 26), tz).unwrap();
        let day = |d, outcome, bookings| DayTally {
            date: date(2026, 10, d),
            outcome,
            bookings,
        };
        let days = [
            day(24, Outcome::Accepted, 1),
            day(25, Outcome::Accepted, 14),
            day(25, Outcome::Cancelled, 1),
            day(26, Outcome::NoShow, 16),
        ];
        let clock = |hour, outcome, bookings| ClockTally {
            hour,
            outcome,
            bookings,
        };
        let hours = [
            clock(23, Outcome::Accepted, 9),
            clock(0, Outcome::Accepted, 2),
            clock(2, Outcome::Cancelled, 1),
            clock(2, Outcome::Accepted, 4),
            clock(0, Outcome::NoShow, 16),
        ];
        let tallies = [
            tally(2026, 10, 24, 21, Outcome::Accepted, 1),
            tally(2026, 10, 24, 22, Outcome::Accepted, 2),
            tally(2026, 10, 25, 0, Outcome::Cancelled, 1),
            tally(2026, 10, 25, 1, Outcome::Accepted, 4),
            tally(2026, 10, 25, 22, Outcome::Accepted, 8),
            tally(2026, 10, 25, 23, Outcome::NoShow, 16),
        ];
        let each_hour = fold(&period, &tallies, &[], &[], 0);
        assert_eq!(fold(&period, &[], &days, &hours, 32 * 3600), each_hour);
        // Part of them per hour, the rest grouped: the same again.
        let mixed = fold(&period, &tallies[5..], &days[..3], &hours[..4], 16 * 3600);
        assert_eq!(mixed, each_hour);
    }

    #[test]
    fn hours_outside_the_local_period_do_not_count() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let period = Period::new(date(2026, 3, 1), date(2026, 3, 1), tz).unwrap();
        // 04:00 UTC is 23:00 on Feb 28 in New York; 05:00 UTC is midnight.
        let tallies = [
            tally(2026, 3, 1, 4, Outcome::Accepted, 1),
            tally(2026, 3, 1, 5, Outcome::Accepted, 2),
        ];
        let figures = fold(&period, &tallies, &[], &[], 0);
        assert_eq!(figures.totals.total(), 2);
        assert_eq!(figures.busiest_hours[0], 2);
    }

    #[test]
    fn long_periods_have_a_point_per_week_from_monday() {
        let period = Period::new(date(2026, 1, 1), date(2026, 3, 31), Tz::UTC).unwrap();
        let figures = fold(
            &period,
            &[tally(2026, 1, 7, 9, Outcome::Accepted, 3)],
            &[],
            &[],
            0,
        );
        assert_eq!(figures.step, Step::Week);
        // 2026-01-01 is a Thursday: the first week is clipped to the period.
        assert_eq!(figures.series[0].start, date(2026, 1, 1));
        assert_eq!(figures.series[1].start, date(2026, 1, 5));
        assert_eq!(figures.series[1].counts.total(), 3);
        assert_eq!(figures.series.last().unwrap().start, date(2026, 3, 30));
        assert_eq!(figures.series.len(), 14);
    }

    #[test]
    fn periods_are_bounded_and_ordered() {
        assert!(Period::new(date(2026, 1, 2), date(2026, 1, 1), Tz::UTC).is_err());
        assert!(Period::new(date(2026, 1, 1), date(2027, 1, 1), Tz::UTC).is_ok());
        assert!(Period::new(date(2026, 1, 1), date(2027, 1, 2), Tz::UTC).is_err());
    }

    #[test]
    fn load_is_set_against_weight() {
        let hosts = [
            HostInput {
                user_id: 1,
                name: "A".into(),
                weight: Some(300),
            },
            HostInput {
                user_id: 2,
                name: "B".into(),
                weight: Some(100),
            },
        ];
        let loads = host_loads(&hosts, &[(1, 6), (2, 4), (9, 5)]);
        assert_eq!(loads[0].bookings, 6);
        assert!((loads[0].share - 0.6).abs() < 1e-9);
        assert_eq!(loads[0].weight_share, Some(0.75));
        assert_eq!(loads[1].weight_share, Some(0.25));
        let none = host_loads(&hosts, &[]);
        assert_eq!(none[0].share, 0.0);
    }

    #[test]
    fn conversion_needs_views() {
        assert_eq!(Conversion::new(1, "x".into(), 0, 3).rate, None);
        assert_eq!(Conversion::new(1, "x".into(), 8, 2).rate, Some(0.25));
    }
}
