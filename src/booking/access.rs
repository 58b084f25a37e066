//! Who may act on a booking and when: the event type a request names, the booking an actor
//! may change, row locks, closed bookings and the host's switches.

use super::*;

/// The event type a request names, whoever owns it (public booking paths).
pub async fn resolve_event(db: &Db, target: &EventRef) -> Result<EventType, ServiceError> {
    let found = match target {
        EventRef::Id(id) => return db.run(async |c| event_types::find_any(c, *id).await).await,
        EventRef::User { username, slug } => {
            event_types::list_public(db, username, Some(slug), true).await?
        }
        EventRef::Team { team, slug } => {
            event_types::list_public_team(db, team, Some(slug)).await?
        }
    };
    found
        .into_iter()
        .next()
        .ok_or_else(|| event_not_found(target))
}

fn event_not_found(target: &EventRef) -> ServiceError {
    ServiceError::NotFound(match target {
        EventRef::User { username, slug } => {
            format!("Event type `{slug}` of user `{username}` not found")
        }
        EventRef::Team { team, slug } => format!("Event type `{slug}` of team `{team}` not found"),
        EventRef::Id(id) => format!("Event type with id={id} not found"),
    })
}

/// The event type `target` names as a booker reaches it: see [`admit_booker`].
pub async fn resolve_for_booker(
    db: &Db,
    target: &EventRef,
    link: Option<&str>,
    viewer: Option<i64>,
    purpose: private_links::Use,
) -> Result<EventType, ServiceError> {
    let event = resolve_event(db, target).await?;
    admit_booker(db, target, &event, link, viewer, purpose).await?;
    Ok(event)
}

/// Whether a booker reaches `event` (which `target` named): through `link` (a private link
/// that must open it), or unless it is kept behind its private links (`private_links::admit`),
/// which answers exactly as an event type that does not exist.
pub async fn admit_booker(
    db: &Db,
    target: &EventRef,
    event: &EventType,
    link: Option<&str>,
    viewer: Option<i64>,
    purpose: private_links::Use,
) -> Result<(), ServiceError> {
    private_links::admit(db, event, link, viewer, purpose)
        .await
        .map_err(|e| match e {
            ServiceError::NotFound(_) if link.is_none() => event_not_found(target),
            other => other,
        })
}

/// Whose calendar the booking `uid` is on (its event type's owner, else its organiser), or
/// `None` when there is no such booking. For per-host limits, before the change is tried.
pub async fn owner_of_booking(
    db: &Db,
    uid: &str,
) -> Result<Option<crate::storage::event_types::Owner>, ServiceError> {
    use crate::storage::event_types::{self as stored_types, Owner};
    db.run(async |c| {
        use crate::storage::bookings as stored;
        // A recurring series' uid names its occurrences' owner.
        let found = match stored::find_by_uid(c, uid).await? {
            Some(booking) => Some(booking),
            None => stored::series(c, uid).await?.into_iter().next(),
        };
        let Some(booking) = found else {
            return Ok(None);
        };
        let event = match booking.event_type_id {
            Some(id) => stored_types::find(c, id).await?,
            None => None,
        };
        Ok(Some(
            event.map_or(Owner::User(booking.user_id), |e| e.owner()),
        ))
    })
    .await
}

// ---- Changes to a booking ----

/// The booking, if the actor may act on it: anyone holding the uid when acting as the booker;
/// a booker signed in to their portal only on a booking they attend (any other is "not
/// found", as a uid that does not exist); only a host, organiser or team member when acting
/// with an API key.
pub(super) async fn actionable(
    c: &mut Conn<'_>,
    actor: &Actor,
    uid: &str,
) -> Result<BookingRecord, ServiceError> {
    if let Some(user) = actor.user_id() {
        return visible(c, user, uid).await;
    }
    let record = store::find_by_uid(c, uid)
        .await?
        .ok_or_else(|| not_found(uid))?;
    if let Actor::Attendee(email) = actor {
        let attendees = store::attendees_of(c, &[record.id]).await?;
        if !attendees.iter().any(|a| a.email == *email) {
            return Err(not_found(uid));
        }
    }
    Ok(record)
}

/// A portal booker gives up only their own seat.
pub(super) fn own_seat(
    actor: &Actor,
    seated: &AttendeeRecord,
    uid: &str,
) -> Result<(), ServiceError> {
    match actor {
        Actor::Attendee(email) if seated.email != *email => Err(not_found(uid)),
        _ => Ok(()),
    }
}

pub(super) async fn owner_only(
    c: &mut Conn<'_>,
    actor: &Actor,
    uid: &str,
) -> Result<BookingRecord, ServiceError> {
    let user = actor
        .user_id()
        .ok_or_else(|| ServiceError::Unauthorized("This action needs the host's API key".into()))?;
    let record = store::find_by_uid(c, uid)
        .await?
        .ok_or_else(|| not_found(uid))?;
    match access(c, user, &record).await? {
        Some(true) => Ok(record),
        Some(false) => Err(ServiceError::Forbidden(
            "Only the booking's hosts and team admins can do this".into(),
        )),
        None => Err(not_found(uid)),
    }
}

/// Locks the booking row (PostgreSQL) and reads it again: a concurrent change that committed
/// since the first read is seen before anything is decided.
pub(super) async fn relock(
    c: &mut Conn<'_>,
    record: BookingRecord,
) -> Result<BookingRecord, ServiceError> {
    store::lock_booking(c, record.id).await?;
    Ok(store::find(c, record.id).await?)
}

pub(super) fn refuse_if_closed(record: &BookingRecord, action: &str) -> Result<(), ServiceError> {
    match record.status {
        BookingStatus::Accepted | BookingStatus::Pending => Ok(()),
        BookingStatus::Cancelled if record.rescheduled => Err(ServiceError::Invalid(format!(
            "Booking {} was rescheduled and can no longer {action}; act on the new booking instead",
            record.uid
        ))),
        other => Err(ServiceError::Invalid(format!(
            "Booking {} is {} and can no longer {action}",
            record.uid,
            other.lower()
        ))),
    }
}

pub(super) async fn event_of(
    c: &mut Conn<'_>,
    record: &BookingRecord,
) -> Result<EventType, ServiceError> {
    let id = record.event_type_id.ok_or_else(|| {
        ServiceError::Invalid(format!(
            "Booking {}'s event type was deleted; it can only be cancelled",
            record.uid
        ))
    })?;
    event_types::find_any(c, id).await
}

/// The booking's event type, or `None` when it was deleted; a stored event type that cannot be
/// read is an error.
pub(super) async fn event_if_any(
    c: &mut Conn<'_>,
    record: &BookingRecord,
) -> Result<Option<EventType>, ServiceError> {
    event_types::find_if_any(c, record.event_type_id).await
}

pub(super) fn host_switch_refused(
    switched_off: bool,
    actor: &Actor,
    what: &str,
) -> Result<(), ServiceError> {
    if actor.user_id().is_none() && switched_off {
        return Err(ServiceError::Forbidden(format!(
            "The host has turned off {what} for this event type"
        )));
    }
    Ok(())
}
