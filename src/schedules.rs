//! Schedules use cases: a person's named sets of weekly hours and date overrides, exactly one of
//! which is their default. Every call is scoped to its owner: another user's schedule is "not
//! found", never visible.

use crate::availability::schedule::MONDAY_TO_FRIDAY;
use crate::domain::TimeZoneName;
use crate::service::ServiceError;
use crate::storage::{Conn, Db, schedules};

pub use crate::storage::schedules::{DateOverride, Schedule, WeeklyRule};

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
