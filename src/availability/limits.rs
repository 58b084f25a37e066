//! Booking limits (how many) and duration limits (how many minutes) per calendar day, week,
//! month and year of the event's timezone. A period that has reached its limit is blocked as a
//! whole. Bookings that straddle a period boundary count in every period they touch (Cal.com
//! misses them), with only their minutes inside the period counting towards duration limits.

use std::collections::HashSet;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

use super::busy::counts;
use super::interval::Interval;
use super::local_time::{local_date, start_of_day};
use super::model::{Booking, Query};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Day,
    Week,
    Month,
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LimitKind {
    Bookings,
    Duration,
}

/// A period closed by a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitHit {
    pub period: Period,
    pub kind: LimitKind,
    pub limit: u32,
    #[serde(skip)]
    pub interval: Interval,
}

/// The event type's bookings that count towards its limits, each once.
fn counted_bookings(query: &Query) -> Vec<&Booking> {
    let mut seen = HashSet::new();
    query
        .hosts
        .iter()
        .flat_map(|h| &h.bookings)
        .filter(|b| b.event_type_id == query.event.id && counts(query, b))
        .filter(|b| match &b.uid {
            Some(uid) => seen.insert(uid.as_str()),
            None => true,
        })
        .collect()
}

/// Every period within `horizon` that a limit closes.
pub fn blocked_periods(query: &Query, horizon: Interval) -> Vec<LimitHit> {
    let event = &query.event;
    if event.booking_limits.is_empty() && event.duration_limits.is_empty() {
        return Vec::new();
    }
    let bookings = counted_bookings(query);
    let mut hits = Vec::new();
    for period in [Period::Day, Period::Week, Period::Month, Period::Year] {
        let count_limit = limit_for(&event.booking_limits, period);
        let minutes_limit = limit_for(&event.duration_limits, period);
        if count_limit.is_none() && minutes_limit.is_none() {
            continue;
        }
        for interval in periods(query, period, horizon) {
            let mut count = 0u32;
            let mut seconds = 0i64;
            for booking in &bookings {
                let inside = booking.interval.clip(&interval);
                if !inside.is_empty() {
                    count += 1;
                    seconds += inside.duration();
                }
            }
            if let Some(limit) = count_limit
                && count >= limit
            {
                hits.push(LimitHit {
                    period,
                    kind: LimitKind::Bookings,
                    limit,
                    interval,
                });
            }
            if let Some(limit) = minutes_limit
                && seconds / 60 + i64::from(event.length) > i64::from(limit)
            {
                hits.push(LimitHit {
                    period,
                    kind: LimitKind::Duration,
                    limit,
                    interval,
                });
            }
        }
    }
    hits
}

fn limit_for(limits: &super::model::PeriodLimits, period: Period) -> Option<u32> {
    match period {
        Period::Day => limits.day,
        Period::Week => limits.week,
        Period::Month => limits.month,
        Period::Year => limits.year,
    }
}

/// The calendar periods of the event's timezone that overlap `horizon`.
fn periods(query: &Query, period: Period, horizon: Interval) -> Vec<Interval> {
    let tz = query.event_tz;
    let first = local_date(tz, horizon.start);
    let last = local_date(tz, horizon.end);
    let mut start = match period {
        Period::Day => first,
        Period::Week => {
            let back = (7 + first.weekday().num_days_from_monday()
                - query.week_start.num_days_from_monday())
                % 7;
            first - Days::new(u64::from(back))
        }
        Period::Month => first.with_day(1).unwrap_or(first),
        Period::Year => NaiveDate::from_ymd_opt(first.year(), 1, 1).unwrap_or(first),
    };
    let mut out = Vec::new();
    while start <= last {
        let next = match period {
            Period::Day => start + Days::new(1),
            Period::Week => start + Days::new(7),
            Period::Month => start + Months::new(1),
            Period::Year => start + Months::new(12),
        };
        out.push(Interval::new(
            start_of_day(tz, start),
            start_of_day(tz, next),
        ));
        start = next;
    }
    out
}
