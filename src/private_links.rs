//! Private links (Cal.com's `hashedLink`): secret URLs (`/d/{link}/{slug}`) that let a booker
//! book an event type, either until an instant or for a number of bookings (one by default: a
//! single-use link). The owner of a personal event type, or an admin or owner of a team's,
//! creates, lists, changes and deletes them; anyone else gets "not found".
//!
//! A hidden event type that has private links is kept behind them: without a link that opens
//! it, its page, its slots and booking it answer "not found" (its owner's key still books it).
//! A hidden event type without links stays reachable by its direct URL, as in Cal.com.
//!
//! A booking made through a link counts against it in the booking's own transaction
//! (`spend`), so of two bookings racing for a single-use link one is refused.

use chrono::{DateTime, Utc};

use crate::event_types::EventType;
use crate::service::ServiceError;
use crate::storage::private_links::{self as store, Lifetime, PrivateLink};
use crate::storage::{Conn, Db, event_types};

/// The most links one event type keeps.
pub const MAX_LINKS: usize = 100;

/// Where a refused link is answered: a booking (Cal.com: 400 `private_link_expired`) or a page
/// or slots (Cal.com: 404).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Booking,
    Viewing,
}

fn refused(purpose: Use) -> ServiceError {
    match purpose {
        Use::Booking => ServiceError::Invalid(
            "hashedLink: this private link has expired, was used up or does not exist \
             (private_link_expired)"
                .into(),
        ),
        Use::Viewing => ServiceError::NotFound(
            "This private link has expired, was used up or does not exist".into(),
        ),
    }
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("Event type with id={id} not found"))
}

/// A new link's lifetime from Cal.com's fields: `expiresAt` (in the future) or
/// `maxUsageCount` (at least 1), not both; neither is a single-use link.
pub fn lifetime(
    expires_at: Option<DateTime<Utc>>,
    max_usage_count: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Lifetime, ServiceError> {
    match (expires_at, max_usage_count) {
        (Some(_), Some(_)) => Err(ServiceError::Invalid(
            "expiresAt: give either expiresAt (a link until then) or maxUsageCount (a link for \
             that many bookings), not both"
                .into(),
        )),
        (Some(at), None) if at <= now => Err(ServiceError::Invalid(
            "expiresAt: must be in the future".into(),
        )),
        (Some(at), None) => Ok(Lifetime::Until(at)),
        (None, Some(n)) => match i32::try_from(n) {
            Ok(n) if n >= 1 => Ok(Lifetime::Uses(n)),
            _ => Err(ServiceError::Invalid(
                "maxUsageCount: must be a whole number from 1 to 2147483647".into(),
            )),
        },
        (None, None) => Ok(Lifetime::Uses(1)),
    }
}

/// Event type `id`'s slug if the caller may manage its links: the owner of a personal one, an
/// admin or owner of a team's.
async fn managed(c: &mut Conn<'_>, caller: i64, id: i64) -> Result<String, ServiceError> {
    let record = event_types::find(c, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let ok = match (record.owner_id, record.team_id) {
        (Some(owner), _) => owner == caller,
        (None, Some(team)) => crate::teams::manageable(c, team, caller).await.is_ok(),
        (None, None) => false,
    };
    if ok {
        Ok(record.slug)
    } else {
        Err(not_found(id))
    }
}

/// Links with the slug of their event type (a link's URL is `/d/{link}/{slug}`).
#[derive(Debug, Clone)]
pub struct Links {
    pub slug: String,
    pub links: Vec<PrivateLink>,
}

pub async fn create(
    db: &Db,
    caller: i64,
    event_type_id: i64,
    lifetime: Lifetime,
) -> Result<Links, ServiceError> {
    db.transaction(async |c| {
        let slug = managed(c, caller, event_type_id).await?;
        if store::of_event_type(c, event_type_id).await?.len() >= MAX_LINKS {
            return Err(ServiceError::Invalid(format!(
                "An event type keeps at most {MAX_LINKS} private links; delete one first"
            )));
        }
        let link = crate::booking::new_uid();
        let created = store::insert(c, event_type_id, &link, lifetime, Utc::now()).await?;
        Ok(Links {
            slug,
            links: vec![created],
        })
    })
    .await
}

pub async fn list(db: &Db, caller: i64, event_type_id: i64) -> Result<Links, ServiceError> {
    db.run(async |c| {
        let slug = managed(c, caller, event_type_id).await?;
        let links = store::of_event_type(c, event_type_id).await?;
        Ok(Links { slug, links })
    })
    .await
}

fn link_not_found(link: &str) -> ServiceError {
    ServiceError::NotFound(format!("Private link `{link}` not found"))
}

/// Gives a link a new lifetime; the bookings it made stay counted.
pub async fn update(
    db: &Db,
    caller: i64,
    event_type_id: i64,
    link: &str,
    lifetime: Lifetime,
) -> Result<Links, ServiceError> {
    db.transaction(async |c| {
        let slug = managed(c, caller, event_type_id).await?;
        let updated = store::update(c, event_type_id, link, lifetime)
            .await?
            .ok_or_else(|| link_not_found(link))?;
        Ok(Links {
            slug,
            links: vec![updated],
        })
    })
    .await
}

pub async fn delete(
    db: &Db,
    caller: i64,
    event_type_id: i64,
    link: &str,
) -> Result<(), ServiceError> {
    db.transaction(async |c| {
        managed(c, caller, event_type_id).await?;
        match store::delete(c, event_type_id, link).await? {
            true => Ok(()),
            false => Err(link_not_found(link)),
        }
    })
    .await
}

/// The event type a link opens while it still books (the page `/d/{link}/{slug}`, slots asked
/// for with only `hashedLink`).
pub async fn event_of(db: &Db, link: &str, now: DateTime<Utc>) -> Result<i64, ServiceError> {
    let found = db.run(async |c| store::find(c, link).await).await?;
    match found {
        Some(l) if !l.is_expired(now) => Ok(l.event_type_id),
        _ => Err(refused(Use::Viewing)),
    }
}

/// Whether a booker may reach `event`: through `link` when one is given (it must open this
/// event type and still book), else unless the event type is kept behind its links. `viewer`:
/// a user whose key is used; one who manages the event type is never kept out.
pub async fn admit(
    db: &Db,
    event: &EventType,
    link: Option<&str>,
    viewer: Option<i64>,
    purpose: Use,
) -> Result<(), ServiceError> {
    let id = event.record.id;
    if link.is_none() && !event.record.hidden {
        return Ok(());
    }
    let now = Utc::now();
    db.run(async |c| match link {
        Some(link) => match store::find(c, link).await? {
            Some(l) if l.event_type_id == id && !l.is_expired(now) => Ok(()),
            _ => Err(refused(purpose)),
        },
        None if !store::exists_for(c, id).await? => Ok(()),
        None => match viewer {
            Some(user) if managed(c, user, id).await.is_ok() => Ok(()),
            _ => Err(not_found(id)),
        },
    })
    .await
}

/// Counts one booking against `link` inside the booking's transaction; refused (400) when it
/// no longer books, which rolls the booking back.
pub async fn spend(c: &mut Conn<'_>, event_type_id: i64, link: &str) -> Result<(), ServiceError> {
    match store::spend(c, event_type_id, link, Utc::now()).await? {
        true => Ok(()),
        false => Err(refused(Use::Booking)),
    }
}
