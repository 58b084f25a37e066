//! Out-of-office use cases: whole days, in the person's time zone, on which none of their event
//! types offers times (the engine removes them as a host; bookings already made stay). Every call
//! is scoped to its owner: another user's period is "not found".

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::availability::local_time::start_of_day;
use crate::domain::TimeZoneName;
use crate::service::ServiceError;
use crate::storage::{Db, out_of_office};

pub use crate::storage::out_of_office::OutOfOffice;

/// The longest period one entry may cover.
pub const MAX_DAYS: i64 = 366;
/// The longest note, in characters.
pub const MAX_NOTE: usize = 500;

/// Out of office from the start of `from` to the end of `to` (both included) in `zone`.
pub async fn create(
    db: &Db,
    owner: i64,
    from: NaiveDate,
    to: NaiveDate,
    zone: TimeZoneName,
    note: &str,
) -> Result<OutOfOffice, ServiceError> {
    if to < from {
        return Err(ServiceError::Invalid("to: must not be before from".into()));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(ServiceError::Invalid(format!(
            "to: one period covers at most {MAX_DAYS} days"
        )));
    }
    let note = note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(ServiceError::Invalid(format!(
            "note: at most {MAX_NOTE} characters"
        )));
    }
    let instant = |date| DateTime::from_timestamp(start_of_day(zone.tz(), date), 0);
    let after = to.checked_add_days(Days::new(1));
    let (Some(start), Some(end)) = (instant(from), after.and_then(instant)) else {
        return Err(ServiceError::Invalid(
            "from: is outside the supported dates".into(),
        ));
    };
    let note = Some(note).filter(|n| !n.is_empty());
    db.transaction(async |c| Ok(out_of_office::insert(c, owner, start, end, note).await?))
        .await
}

/// The owner's periods that have not ended at `now`, earliest first, a page at a time.
pub async fn upcoming(
    db: &Db,
    owner: i64,
    now: DateTime<Utc>,
    skip: u32,
    take: u32,
) -> Result<Vec<OutOfOffice>, ServiceError> {
    let (skip, take) = (i64::from(skip), i64::from(take));
    Ok(db
        .run(async |c| out_of_office::upcoming(c, owner, now, skip, take).await)
        .await?)
}

pub async fn delete(db: &Db, owner: i64, id: i64) -> Result<(), ServiceError> {
    let deleted = db
        .transaction(async |c| out_of_office::delete_owned(c, owner, id).await)
        .await?;
    if deleted {
        Ok(())
    } else {
        Err(ServiceError::NotFound(format!(
            "Out-of-office period with id={id} not found"
        )))
    }
}
