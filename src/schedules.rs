//! Schedules use cases: a person's named sets of weekly hours and date overrides, exactly one of
//! which is their default. Every call is scoped to its owner: another user's schedule is "not
//! found", never visible.

use chrono::NaiveDate;

use crate::availability::schedule::{MONDAY_TO_FRIDAY, RecurringWindow};
use crate::domain::TimeZoneName;
use crate::service::ServiceError;
use crate::storage::{Conn, Db, schedules};

pub use crate::storage::schedules::{DateOverride, Pattern, Schedule, WeeklyRule};

/// Recurring patterns one schedule may have.
pub const MAX_PATTERNS: usize = 50;

/// What a new schedule is made of; without `rules` it gets Monday to Friday 09:00-17:00.
pub struct NewSchedule {
    pub name: String,
    pub time_zone: TimeZoneName,
    pub rules: Option<Vec<WeeklyRule>>,
    pub overrides: Vec<DateOverride>,
    pub is_default: bool,
}

/// A partial update: absent fields stay as they are; lists replace the stored ones whole.
#[derive(Default)]
pub struct ScheduleChanges {
    pub name: Option<String>,
    pub time_zone: Option<TimeZoneName>,
    pub rules: Option<Vec<WeeklyRule>>,
    pub overrides: Option<Vec<DateOverride>>,
    pub is_default: Option<bool>,
}

/// A week's hours by weekday, Monday first: each day's `(start, end)` minute ranges, sorted.
pub type Week = [Vec<(i32, i32)>; 7];

/// Each weekday's ranges in `rules`.
pub fn week_of(rules: &[WeeklyRule]) -> Week {
    let mut week: Week = Default::default();
    for rule in rules {
        for (day, ranges) in week.iter_mut().enumerate() {
            if rule.days & (1 << day) != 0 {
                ranges.push((rule.start_minute, rule.end_minute));
            }
        }
    }
    for ranges in &mut week {
        ranges.sort_unstable();
        ranges.dedup();
    }
    week
}

/// Weekly rules for `week`: one rule per distinct range, on every day that has it, so Monday to
/// Friday 09:00-17:00 is one rule, as Cal.com writes it.
pub fn rules_of(week: &Week) -> Vec<WeeklyRule> {
    let mut rules: Vec<WeeklyRule> = Vec::new();
    for (day, ranges) in week.iter().enumerate() {
        for &(start_minute, end_minute) in ranges {
            let same =
                |r: &&mut WeeklyRule| (r.start_minute, r.end_minute) == (start_minute, end_minute);
            match rules.iter_mut().find(same) {
                Some(rule) => rule.days |= 1 << day,
                None => rules.push(WeeklyRule {
                    days: 1 << day,
                    start_minute,
                    end_minute,
                }),
            }
        }
    }
    rules.sort_by_key(|r| (r.start_minute, r.end_minute));
    rules
}

pub fn check_name(name: &str) -> Result<String, ServiceError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ServiceError::Invalid(
            "name: must be 1 to 100 characters".into(),
        ));
    }
    Ok(name.to_owned())
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("Schedule with id={id} not found"))
}

pub async fn create(db: &Db, owner: i64, new: NewSchedule) -> Result<Schedule, ServiceError> {
    let name = check_name(&new.name)?;
    let rules = new.rules.unwrap_or_else(|| {
        vec![WeeklyRule {
            days: i32::from(MONDAY_TO_FRIDAY),
            start_minute: 9 * 60,
            end_minute: 17 * 60,
        }]
    });
    db.transaction(async |c| {
        // A user's first schedule is their default whatever was asked.
        let make_default = new.is_default || schedules::find_default_id(c, owner).await?.is_none();
        let id = schedules::insert(c, owner, &name, new.time_zone.as_str(), false, &rules).await?;
        schedules::replace_overrides(c, id, &new.overrides).await?;
        if make_default {
            schedules::make_default(c, owner, id).await?;
        }
        owned(c, owner, id).await
    })
    .await
}

async fn owned(c: &mut Conn<'_>, owner: i64, id: i64) -> Result<Schedule, ServiceError> {
    schedules::find_owned(c, owner, id)
        .await?
        .ok_or_else(|| not_found(id))
}

pub async fn get(db: &Db, owner: i64, id: i64) -> Result<Schedule, ServiceError> {
    db.run(async |c| owned(c, owner, id).await).await
}

pub async fn list(db: &Db, owner: i64) -> Result<Vec<Schedule>, ServiceError> {
    Ok(db.run(async |c| schedules::list(c, owner).await).await?)
}

pub async fn default(db: &Db, owner: i64) -> Result<Option<Schedule>, ServiceError> {
    db.run(async |c| -> Result<Option<Schedule>, ServiceError> {
        match schedules::find_default_id(c, owner).await? {
            Some(id) => Ok(Some(owned(c, owner, id).await?)),
            None => Ok(None),
        }
    })
    .await
}

pub async fn update(
    db: &Db,
    owner: i64,
    id: i64,
    changes: ScheduleChanges,
) -> Result<Schedule, ServiceError> {
    let name = changes.name.as_deref().map(check_name).transpose()?;
    db.transaction(async |c| {
        let current = owned(c, owner, id).await?;
        if changes.is_default == Some(false) && current.is_default {
            return Err(ServiceError::Invalid(
                "isDefault: a user always has a default schedule; make another schedule the default instead".into(),
            ));
        }
        if let Some(name) = &name {
            schedules::rename(c, id, name).await?;
        }
        if let Some(zone) = changes.time_zone {
            schedules::set_time_zone(c, id, zone.as_str()).await?;
        }
        if let Some(rules) = &changes.rules {
            schedules::replace_rules(c, id, rules).await?;
        }
        if let Some(overrides) = &changes.overrides {
            schedules::replace_overrides(c, id, overrides).await?;
        }
        if changes.is_default == Some(true) {
            schedules::make_default(c, owner, id).await?;
        }
        owned(c, owner, id).await
    })
    .await
}

pub async fn delete(db: &Db, owner: i64, id: i64) -> Result<(), ServiceError> {
    db.transaction(async |c| {
        let current = owned(c, owner, id).await?;
        if current.is_default {
            return Err(ServiceError::Invalid(
                "This is the default schedule; make another schedule the default before deleting it".into(),
            ));
        }
        // Deleting it would silently lift the restriction and widen those events' hours.
        let restricted = schedules::restricting_event_types(c, id).await?;
        if !restricted.is_empty() {
            return Err(ServiceError::Conflict(format!(
                "Schedule {id} restricts event type(s) {restricted:?}; remove it from them first"
            )));
        }
        schedules::delete(c, id).await?;
        Ok(())
    })
    .await
}

fn is_closed(o: &DateOverride) -> bool {
    o.start_minute == 0 && o.end_minute == 0
}

/// Adds hours on one date. A closed day (`0..0`) replaces the date's other hours; hours replace
/// a closed mark and join the date's other hours.
pub async fn add_date_override(
    db: &Db,
    owner: i64,
    id: i64,
    added: DateOverride,
) -> Result<Schedule, ServiceError> {
    let forwards = added.start_minute < added.end_minute && added.end_minute <= 1440;
    if !(forwards || is_closed(&added)) || added.start_minute < 0 {
        return Err(ServiceError::Invalid(
            "endTime: must be after startTime".into(),
        ));
    }
    db.transaction(async |c| {
        let current = owned(c, owner, id).await?;
        let mut on_date: Vec<DateOverride> = current
            .overrides
            .into_iter()
            .filter(|o| o.date == added.date && !is_closed(o) && *o != added)
            .filter(|_| !is_closed(&added))
            .collect();
        on_date.push(added);
        schedules::replace_overrides_on(c, id, added.date, &on_date).await?;
        owned(c, owner, id).await
    })
    .await
}

/// Removes every override on `date`: the date has its weekly hours again.
pub async fn remove_date_override(
    db: &Db,
    owner: i64,
    id: i64,
    date: NaiveDate,
) -> Result<Schedule, ServiceError> {
    db.transaction(async |c| {
        owned(c, owner, id).await?;
        schedules::replace_overrides_on(c, id, date, &[]).await?;
        owned(c, owner, id).await
    })
    .await
}

/// The engine's window for a stored pattern: the rule expanded from `starts_on` at
/// `start_minute`, lasting to `end_minute`. Repeating more often than daily is refused, so a
/// pattern started long ago stays cheap to expand.
pub fn recurring_window(pattern: &Pattern) -> Result<RecurringWindow, String> {
    let (start, end) = (pattern.start_minute, pattern.end_minute);
    if !(0..1440).contains(&start) || end <= start || end > 1440 {
        return Err("endTime: must be after startTime, within the day".into());
    }
    let upper = pattern.rrule.to_ascii_uppercase();
    if !["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]
        .iter()
        .any(|f| upper.contains(&format!("FREQ={f}")))
    {
        return Err("rrule: repeat daily, weekly, monthly or yearly".into());
    }
    let first = pattern
        .starts_on
        .and_hms_opt(start as u32 / 60, start as u32 % 60, 0)
        .ok_or("startsOn: is not a date")?;
    RecurringWindow::parse(&pattern.rrule, first, (end - start) as u32)
        .map_err(|m| format!("rrule: {m}"))
}

/// Adds extra hours recurring by `pattern` (its `id` is ignored). They add to the weekly hours;
/// a date override replaces both on its date.
pub async fn add_pattern(
    db: &Db,
    owner: i64,
    id: i64,
    pattern: Pattern,
) -> Result<Schedule, ServiceError> {
    recurring_window(&pattern).map_err(ServiceError::Invalid)?;
    db.transaction(async |c| {
        let current = owned(c, owner, id).await?;
        if current.patterns.len() >= MAX_PATTERNS {
            return Err(ServiceError::Invalid(format!(
                "rrule: a schedule has at most {MAX_PATTERNS} recurring patterns"
            )));
        }
        schedules::insert_pattern(c, id, &pattern).await?;
        owned(c, owner, id).await
    })
    .await
}

/// Removes recurring pattern `pattern` of the owner's schedule `id`.
pub async fn remove_pattern(
    db: &Db,
    owner: i64,
    id: i64,
    pattern: i64,
) -> Result<Schedule, ServiceError> {
    db.transaction(async |c| {
        owned(c, owner, id).await?;
        if !schedules::delete_pattern(c, id, pattern).await? {
            return Err(ServiceError::NotFound(format!(
                "Recurring pattern with id={pattern} not found"
            )));
        }
        owned(c, owner, id).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_and_its_rules_round_trip_with_shared_ranges_merged() {
        let mut week: Week = Default::default();
        for day in &mut week[..5] {
            *day = vec![(540, 720), (780, 1020)];
        }
        week[5] = vec![(600, 840)];
        let rules = rules_of(&week);
        assert_eq!(rules.len(), 3, "{rules:?}");
        assert_eq!(rules[0].days, 0b001_1111);
        assert_eq!(week_of(&rules), week);
        assert!(rules_of(&Week::default()).is_empty());
    }

    #[test]
    fn a_pattern_repeats_daily_at_most_and_stays_within_its_day() {
        let pattern = |rrule: &str, start_minute, end_minute| Pattern {
            id: 0,
            rrule: rrule.into(),
            starts_on: NaiveDate::from_ymd_opt(2030, 3, 2).unwrap(),
            start_minute,
            end_minute,
        };
        assert!(recurring_window(&pattern("FREQ=WEEKLY;INTERVAL=2", 600, 720)).is_ok());
        let refused = [
            pattern("FREQ=HOURLY", 600, 720),
            pattern("FREQ=MINUTELY", 600, 720),
            pattern("FREQ=WEEKLY;BYDAY=XX", 600, 720),
            pattern("FREQ=WEEKLY", 720, 600),
            pattern("FREQ=WEEKLY", 600, 1441),
        ];
        for p in refused {
            assert!(recurring_window(&p).is_err(), "{p:?}");
        }
    }
}
