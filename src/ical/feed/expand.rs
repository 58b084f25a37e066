//! The instances of one event that reach a range: DTSTART, the RRULE's occurrences and the
//! RDATEs, less the EXDATEs and the instances overrides replace. Series are expanded on their
//! own wall clock (a weekly 09:00 stays at 09:00 across DST) and each instance is resolved to
//! an instant on its own, with bounded work per series and per document.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};

use super::event::{Event, Rule, Until};
use super::time::{Length, Start};

/// Most occurrences one RRULE may produce (counted from where expansion starts, which is
/// near the range for rules without COUNT, and from DTSTART for rules with COUNT, even when
/// the occurrences before the range are skipped rather than walked): a FREQ=SECONDLY rule
/// stops here, not at the end of the range.
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
/// and by local date for DATE values against a timed series. Kept sorted: a series has few,
/// and each of its instances is looked up.
#[derive(Debug, Default)]
pub(super) struct Excluded {
    instants: Vec<i64>,
    dates: Vec<NaiveDate>,
}

impl Excluded {
    pub(super) fn new(starts: impl IntoIterator<Item = Start>, zone: Tz) -> Self {
        let mut excluded = Self::default();
        for start in starts {
            excluded.instants.push(start.instant(zone).timestamp());
            if let Start::AllDay(date) = start {
                excluded.dates.push(date);
            }
        }
        excluded.instants.sort_unstable();
        excluded.dates.sort_unstable();
        excluded
    }

    fn contains(&self, start: Start, begins: DateTime<Utc>) -> bool {
        self.instants.binary_search(&begins.timestamp()).is_ok()
            || matches!(start, Start::Timed { wall, .. }
                if !self.dates.is_empty() && self.dates.binary_search(&wall.date()).is_ok())
    }
}

/// Hands `found` the `[start, end)` of each instance of `event` that overlaps `range`, in no
/// particular order and possibly twice (an RDATE on an occurrence); the caller sorts and
/// dedups. An error names an unreadable RRULE; instances found before it are then the
/// caller's to drop.
pub(super) fn instances(
    event: &Event,
    excluded: &Excluded,
    range: Range,
    zone: Tz,
    budget: &mut Budget,
    rules: &mut RuleTexts,
    found: &mut impl FnMut(Span),
) -> Result<(), String> {
    // Each instance is resolved to an instant on its own: its wall clock in its own zone.
    let mut instance = |start: Start, length: Length| {
        let begins = start.instant(zone);
        if excluded.contains(start, begins) {
            return;
        }
        if let Some(ends) = length.end(start, begins, zone)
            && begins < ends
            && begins < range.to
            && ends > range.from
        {
            found((begins, ends));
        }
    };
    instance(event.start, event.length);
    if event.recurrence_id.is_some() {
        return Ok(());
    }
    for rule in &event.rules {
        let mut occurrence = |wall: NaiveDateTime| instance(event.start.at(wall), event.length);
        occurrences(rule, event, range, zone, budget, rules, &mut occurrence)?;
    }
    for (start, length) in &event.rdates {
        instance(*start, length.unwrap_or(event.length));
    }
    Ok(())
}

/// Hands `found` the wall-clock starts of `rule`'s occurrences that can reach `range`.
fn occurrences(
    rule: &Rule,
    event: &Event,
    range: Range,
    zone: Tz,
    budget: &mut Budget,
    rules: &mut RuleTexts,
    found: &mut impl FnMut(NaiveDateTime),
) -> Result<(), String> {
    let (first, tz) = event.start.wall(zone);
    let length = event.length;
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
    let parsed = rules.read(&rule.text)?;
    let (begin, skipped) = fast_forward(&parsed, rule.until.is_some(), first, (lower, upper));
    if until.is_some_and(|until| until < begin) || begin > upper || !spend(budget, skipped) {
        return Ok(());
    }
    let parsed = match parsed.get_count() {
        Some(count) if skipped > 0 => match count - skipped {
            0 => return Ok(()),
            left => parsed.count(left),
        },
        _ => parsed,
    };
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
    walk(&set, skipped, (lower, upper), budget, found);
    Ok(())
}

/// The RRULE texts of a document, each read once: feeds repeat a few rules (weekly on these
/// days, daily) across many series.
#[derive(Default)]
pub(super) struct RuleTexts(HashMap<String, Result<RRule<Unvalidated>, String>>);

impl RuleTexts {
    fn read(&mut self, text: &str) -> Result<RRule<Unvalidated>, String> {
        if let Some(read) = self.0.get(text) {
            return read.clone();
        }
        let read = parse_rule(text);
        self.0.insert(text.to_owned(), read.clone());
        read
    }
}

/// An RRULE without UNTIL, read by the `rrule` crate; the error says why it does not read.
fn parse_rule(text: &str) -> Result<RRule<Unvalidated>, String> {
    // RFC 5545 writes rules in ASCII; rrule 0.14 slices weekday names by bytes and panics on
    // anything else (found by the `ics_feed` fuzz target).
    if !text.is_ascii() {
        return Err(format!(
            "its RRULE `{}` has characters a rule cannot have",
            super::event::shown(text)
        ));
    }
    text.parse().map_err(|error| {
        format!(
            "its RRULE `{}` does not read ({error})",
            super::event::shown(text)
        )
    })
}

/// The occurrences of `set` in `[lower, upper]`, stopping after `upper` and at the limits; the
/// walk's first step is the rule's occurrence number `skipped`.
fn walk(
    set: &RRuleSet,
    skipped: u32,
    (lower, upper): (NaiveDateTime, NaiveDateTime),
    budget: &mut Budget,
    found: &mut impl FnMut(NaiveDateTime),
) {
    for (index, at) in set.into_iter().enumerate() {
        if skipped as usize + index >= MAX_STEPS_PER_SERIES || budget.0 == 0 {
            break;
        }
        budget.0 -= 1;
        let wall = at.naive_utc();
        if wall > upper {
            break;
        }
        if wall >= lower {
            found(wall);
        }
    }
}

/// Takes from the budget the steps a walk from DTSTART spends on the `skipped` occurrences
/// that [`fast_forward`] passed over, so a COUNT rule costs what it did when walked; false
/// when the walk would have stopped among them.
fn spend(budget: &mut Budget, skipped: u32) -> bool {
    let skipped = skipped as usize;
    let spent = skipped.min(MAX_STEPS_PER_SERIES).min(budget.0);
    budget.0 -= spent;
    spent == skipped
}

/// Where to start expanding, and how many of the rule's occurrences come before it: DTSTART
/// and none, or the last start of a period before `lower` when the rule's period is a fixed
/// number of wall-clock days or seconds and it has no BYSETPOS. Moving by whole periods keeps
/// every occurrence after it (weeks keep their weekdays), and spares walking years of a daily
/// series to reach today.
///
/// A rule with COUNT is moved only when each period holds exactly one occurrence (no BYxxx
/// part) and it has no UNTIL, and not past `upper` (where its walk would stop): the
/// occurrences passed over are then the periods skipped, and the walk goes on from there with
/// the COUNT that is left.
fn fast_forward(
    rule: &RRule<Unvalidated>,
    has_until: bool,
    first: NaiveDateTime,
    (lower, upper): (NaiveDateTime, NaiveDateTime),
) -> (NaiveDateTime, u32) {
    let interval = i64::from(rule.get_interval().max(1));
    let period = match rule.get_freq() {
        Frequency::Weekly => Duration::days(7 * interval),
        Frequency::Daily => Duration::days(interval),
        Frequency::Hourly => Duration::hours(interval),
        Frequency::Minutely => Duration::minutes(interval),
        Frequency::Secondly => Duration::seconds(interval),
        Frequency::Monthly | Frequency::Yearly => return (first, 0),
    };
    let (target, count) = match rule.get_count() {
        None => (lower, None),
        Some(count) if !has_until && rule.get_interval() > 0 && one_per_period(rule) => {
            (lower.min(upper), Some(count))
        }
        Some(_) => return (first, 0),
    };
    if !rule.get_by_set_pos().is_empty() || target <= first {
        return (first, 0);
    }
    let mut periods = (target - first).num_seconds() / period.num_seconds();
    if let Some(count) = count {
        periods = periods.min(i64::from(count));
    }
    let periods = i32::try_from(periods).unwrap_or(i32::MAX);
    match period
        .checked_mul(periods)
        .and_then(|skip| first.checked_add_signed(skip))
    {
        Some(begin) if count.is_some() => (begin, periods.unsigned_abs()),
        Some(begin) => (begin, 0),
        None => (first, 0),
    }
}

/// No BYxxx part: the crate then gives one occurrence per period, at DTSTART's time of day
/// and (weekly) weekday.
fn one_per_period(rule: &RRule<Unvalidated>) -> bool {
    rule.get_by_month().is_empty()
        && rule.get_by_month_day().is_empty()
        && rule.get_by_year_day().is_empty()
        && rule.get_by_week_no().is_empty()
        && rule.get_by_weekday().is_empty()
        && rule.get_by_hour().is_empty()
        && rule.get_by_minute().is_empty()
        && rule.get_by_second().is_empty()
}
