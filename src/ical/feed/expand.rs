//! The instances of one event that reach a range: DTSTART, the RRULE's occurrences and the
//! RDATEs, less the EXDATEs and the instances overrides replace. Series are expanded on their
//! own wall clock (a weekly 09:00 stays at 09:00 across DST) and each instance is resolved to
//! an instant on its own, with bounded work per series and per document.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};

use super::event::{Event, Rule, Until};
use super::time::{Length, Start};

/// Most occurrences one RRULE may produce (counted from where expansion starts, which is
/// near the range for rules without COUNT): a FREQ=SECONDLY rule stops here, not at the end
/// of the range.
pub(super) const MAX_STEPS_PER_SERIES: usize = 20_000;
/// Most occurrences all rules of one document may produce; later series then give only their
/// DTSTART and RDATEs.
pub(super) const MAX_STEPS_PER_DOCUMENT: usize = 1_000_000;

/// An instance's `[start, end)`.
pub(super) type Span = (DateTime<Utc>, DateTime<Utc>);

/// The range asked for.
#[derive(Debug, Clone, Copy)]
pub(super) struct Range {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// What is left of the document's occurrence budget.
pub(super) struct Budget(pub usize);

/// Instances that are not instances of their series: EXDATEs and overridden ones, by instant,
/// and by local date for DATE values against a timed series.
#[derive(Debug, Default)]
pub(super) struct Excluded {
    instants: HashSet<i64>,
    dates: HashSet<NaiveDate>,
}

impl Excluded {
    pub(super) fn add(&mut self, start: Start, zone: Tz) {
        self.instants.insert(start.instant(zone).timestamp());
        if let Start::AllDay(date) = start {
            self.dates.insert(date);
        }
    }

    fn contains(&self, start: Start, begins: DateTime<Utc>) -> bool {
        self.instants.contains(&begins.timestamp())
            || matches!(start, Start::Timed { wall, .. } if self.dates.contains(&wall.date()))
    }
}

/// The `[start, end)` of each instance of `event` that overlaps `range`, sorted. An error names
/// an unreadable RRULE.
pub(super) fn instances(
    event: &Event,
    excluded: &Excluded,
    range: Range,
    zone: Tz,
    budget: &mut Budget,
) -> Result<Vec<Span>, String> {
    let mut starts = vec![(event.start, event.length)];
    if event.recurrence_id.is_none() {
        for rule in &event.rules {
            let walls = occurrences(rule, event.start, event.length, range, zone, budget)?;
            starts.extend(
                walls
                    .into_iter()
                    .map(|wall| (event.start.at(wall), event.length)),
            );
        }
        starts.extend(
            event
                .rdates
                .iter()
                .map(|(start, length)| (*start, length.unwrap_or(event.length))),
        );
    }
    let mut found: Vec<_> = starts
        .into_iter()
        .filter_map(|(start, length)| {
            let begins = start.instant(zone);
            if excluded.contains(start, begins) {
                return None;
            }
            let ends = length.end(start, begins, zone)?;
            (begins < ends && begins < range.to && ends > range.from).then_some((begins, ends))
        })
        .collect();
    found.sort_unstable();
    found.dedup();
    Ok(found)
}

/// The wall-clock starts of `rule`'s occurrences that can reach `range`.
fn occurrences(
    rule: &Rule,
    start: Start,
    length: Length,
    range: Range,
    zone: Tz,
    budget: &mut Budget,
) -> Result<Vec<NaiveDateTime>, String> {
    let (first, tz) = start.wall(zone);
    // Slack each side covers a UTC offset change between the range's ends and the instances
    // near them (DST moves an hour, a few zones two).
    let slack = Duration::hours(3);
    let lower = range.from.with_timezone(&tz).naive_local() - length.bound() - slack;
    let upper = range.to.with_timezone(&tz).naive_local() + slack;
    let until = rule.until.map(|until| match until {
        Until::Instant(at) => at.with_timezone(&tz).naive_local(),
        Until::Wall(wall) => wall,
        Until::Date(date) => date.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default()),
    });
    // RFC 5545 writes rules in ASCII; rrule 0.14 slices weekday names by bytes and panics on
    // anything else (found by the `ics_feed` fuzz target).
    if !rule.text.is_ascii() {
        return Err(format!(
            "its RRULE `{}` has characters a rule cannot have",
            super::event::shown(&rule.text)
        ));
    }
    let parsed: RRule<Unvalidated> = rule.text.parse().map_err(|error| {
        format!(
            "its RRULE `{}` does not read ({error})",
            super::event::shown(&rule.text)
        )
    })?;
    let begin = fast_forward(&parsed, first, lower);
    if until.is_some_and(|until| until < begin) || begin > upper {
        return Ok(Vec::new());
    }
    // The rule runs on the wall clock written as if it were UTC, so the crate never meets a
    // DST change; each wall time is resolved to an instant by the caller.
    let pseudo = |wall: NaiveDateTime| rrule::Tz::UTC.from_utc_datetime(&wall);
    let parsed = match until {
        Some(until) => parsed.until(pseudo(until)),
        None => parsed,
    };
    let rule = parsed.validate(pseudo(begin)).map_err(|error| {
        format!(
            "its RRULE `{}` is not valid ({error})",
            super::event::shown(&rule.text)
        )
    })?;
    let set = RRuleSet::new(pseudo(begin)).rrule(rule).limit();
    let mut walls = Vec::new();
    for (step, at) in (&set).into_iter().enumerate() {
        if step >= MAX_STEPS_PER_SERIES || budget.0 == 0 {
            break;
        }
        budget.0 -= 1;
        let wall = at.naive_utc();
        if wall > upper {
            break;
        }
        if wall >= lower {
            walls.push(wall);
        }
    }
    Ok(walls)
}

/// Where to start expanding: DTSTART, or for a rule without COUNT or BYSETPOS whose period is
/// a fixed number of wall-clock days or seconds, the last start of a period before `lower`.
/// Moving by whole periods keeps every occurrence after it (weeks keep their weekdays), and
/// spares walking years of a daily series to reach today.
fn fast_forward(
    rule: &RRule<Unvalidated>,
    first: NaiveDateTime,
    lower: NaiveDateTime,
) -> NaiveDateTime {
    let interval = i64::from(rule.get_interval().max(1));
    let period = match rule.get_freq() {
        Frequency::Weekly => Duration::days(7 * interval),
        Frequency::Daily => Duration::days(interval),
        Frequency::Hourly => Duration::hours(interval),
        Frequency::Minutely => Duration::minutes(interval),
        Frequency::Secondly => Duration::seconds(interval),
        Frequency::Monthly | Frequency::Yearly => return first,
    };
    if rule.get_count().is_some() || !rule.get_by_set_pos().is_empty() || lower <= first {
        return first;
    }
    let periods = (lower - first).num_seconds() / period.num_seconds();
    period
        .checked_mul(i32::try_from(periods).unwrap_or(i32::MAX))
        .and_then(|skip| first.checked_add_signed(skip))
        .unwrap_or(first)
}
