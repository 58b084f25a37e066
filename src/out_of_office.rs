//! Out-of-office use cases: whole days, in the person's time zone, on which none of their event
//! types offers times (the engine removes them as a host; bookings already made stay), with
//! why (Cal.com's reasons) and, optionally, a teammate bookers are sent to meanwhile. Every call
//! is scoped to its owner: another user's period is "not found". A new period is told to the
//! owner's subscribers (`OOO_CREATED`) in the same transaction.

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::availability::local_time::start_of_day;
use crate::domain::TimeZoneName;
use crate::service::ServiceError;
use crate::storage::out_of_office::{self as store, Stored};

pub use crate::storage::out_of_office::Order;
use crate::storage::{Conn, Db, teams, users};
use crate::webhooks;

pub use crate::storage::out_of_office::OutOfOffice;

/// The longest period one entry may cover.
pub const MAX_DAYS: i64 = 366;
/// The longest note, in characters.
pub const MAX_NOTE: usize = 500;

/// Why someone is away: Cal.com's reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Unspecified,
    Vacation,
    Travel,
    Sick,
    PublicHoliday,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Reason::Unspecified,
        Reason::Vacation,
        Reason::Travel,
        Reason::Sick,
        Reason::PublicHoliday,
    ];

    /// The API's word (Cal.com's `reason`).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Unspecified => "unspecified",
            Reason::Vacation => "vacation",
            Reason::Travel => "travel",
            Reason::Sick => "sick",
            Reason::PublicHoliday => "public_holiday",
        }
    }

    pub fn parse(raw: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    /// Cal.com's reason row as its webhooks carry it: id, emoji and message key.
    pub fn calcom(self) -> (i64, &'static str, &'static str) {
        match self {
            Reason::Unspecified => (1, "🏝️", "ooo_reasons_unspecified"),
            Reason::Vacation => (2, "⛱️", "ooo_reasons_vacation"),
            Reason::Travel => (3, "✈️", "ooo_reasons_travel"),
            Reason::Sick => (4, "🤒", "ooo_reasons_sick_leave"),
            Reason::PublicHoliday => (5, "📅", "ooo_reasons_public_holiday"),
        }
    }
}

/// A period as asked for: whole days `from`..=`to` in `zone`, a note, why, and the teammate
/// bookers are sent to meanwhile.
#[derive(Debug, Clone)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub zone: TimeZoneName,
    pub note: String,
    pub reason: Option<Reason>,
    pub redirect_to: Option<i64>,
}

impl Period {
    /// Just the days and a note (the console's form).
    pub fn days(from: NaiveDate, to: NaiveDate, zone: TimeZoneName, note: &str) -> Self {
        Period {
            from,
            to,
            zone,
            note: note.to_owned(),
            reason: None,
            redirect_to: None,
        }
    }

    /// The stored row: `[start of from, start of the day after to)` in the zone.
    fn stored(&self) -> Result<Stored, ServiceError> {
        if self.to < self.from {
            return Err(ServiceError::Invalid("to: must not be before from".into()));
        }
        if (self.to - self.from).num_days() >= MAX_DAYS {
            return Err(ServiceError::Invalid(format!(
                "to: one period covers at most {MAX_DAYS} days"
            )));
        }
        let note = self.note.trim();
        if note.chars().count() > MAX_NOTE {
            return Err(ServiceError::Invalid(format!(
                "note: at most {MAX_NOTE} characters"
            )));
        }
        let instant = |date| DateTime::from_timestamp(start_of_day(self.zone.tz(), date), 0);
        let after = self.to.checked_add_days(Days::new(1));
        let (Some(start), Some(end)) = (instant(self.from), after.and_then(instant)) else {
            return Err(ServiceError::Invalid(
                "from: is outside the supported dates".into(),
            ));
        };
        Ok(Stored {
            start,
            end,
            notes: Some(note.to_owned()).filter(|n| !n.is_empty()),
            reason: self.reason.map(|r| r.as_str().to_owned()),
            redirect_user_id: self.redirect_to,
        })
    }
}

/// Bookers may be sent only to someone the owner shares a team with (never to themselves).
async fn check_redirect(
    c: &mut Conn<'_>,
    owner: i64,
    redirect: Option<i64>,
) -> Result<(), ServiceError> {
    let Some(to) = redirect else {
        return Ok(());
    };
    if to == owner {
        return Err(ServiceError::Invalid(
            "toUserId: bookers cannot be sent to yourself".into(),
        ));
    }
    for team in teams::list_for_user(c, owner).await? {
        if teams::member_ids(c, team.id).await?.contains(&to) {
            return Ok(());
        }
    }
    Err(ServiceError::Invalid(format!(
        "toUserId: user {to} is not a member of one of your teams"
    )))
}

/// Out of office as `period` says; told to the owner's subscribers (`OOO_CREATED`).
pub async fn create(db: &Db, owner: i64, period: &Period) -> Result<OutOfOffice, ServiceError> {
    let stored = period.stored()?;
    db.transaction(async |c| {
        check_redirect(c, owner, period.redirect_to).await?;
        let created = store::insert(c, owner, &stored).await?;
        let user = users::find(c, owner).await?;
        let to_user = match created.redirect_user_id {
            Some(id) => Some(users::find(c, id).await?),
            None => None,
        };
        webhooks::out_of_office_created(c, &created, &user, to_user.as_ref()).await?;
        Ok(created)
    })
    .await
}

/// Replaces the owner's period `id` with `period`.
pub async fn update(
    db: &Db,
    owner: i64,
    id: i64,
    period: &Period,
) -> Result<OutOfOffice, ServiceError> {
    let stored = period.stored()?;
    db.transaction(async |c| {
        check_redirect(c, owner, period.redirect_to).await?;
        store::update_owned(c, owner, id, &stored)
            .await?
            .ok_or_else(|| not_found(id))
    })
    .await
}

/// The owner's period `id`.
pub async fn get(db: &Db, owner: i64, id: i64) -> Result<OutOfOffice, ServiceError> {
    db.run(async |c| store::find_owned(c, owner, id).await)
        .await?
        .ok_or_else(|| not_found(id))
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("Out-of-office period with id={id} not found"))
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
        .run(async |c| store::upcoming(c, owner, Some(now), skip, take, Order::StartAsc).await)
        .await?)
}

/// All of the owner's periods in `order`, a page at a time.
pub async fn all(
    db: &Db,
    owner: i64,
    skip: i64,
    take: i64,
    order: Order,
) -> Result<Vec<OutOfOffice>, ServiceError> {
    Ok(db
        .run(async |c| store::upcoming(c, owner, None, skip, take, order).await)
        .await?)
}

/// Where bookers of `owner` are sent during `[from, to)`: their first period then that names
/// a teammate, with that teammate.
pub async fn redirect_during(
    db: &Db,
    owner: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Option<(OutOfOffice, users::User)>, ServiceError> {
    db.run(async |c| {
        let Some(period) = store::first_redirect(c, owner, from, to).await? else {
            return Ok(None);
        };
        let Some(to_user) = period.redirect_user_id else {
            return Ok(None);
        };
        let user = users::find(c, to_user).await?;
        Ok(Some((period, user)))
    })
    .await
}

pub async fn delete(db: &Db, owner: i64, id: i64) -> Result<(), ServiceError> {
    let deleted = db
        .transaction(async |c| store::delete_owned(c, owner, id).await)
        .await?;
    if deleted { Ok(()) } else { Err(not_found(id)) }
}
