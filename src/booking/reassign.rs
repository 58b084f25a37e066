//! Giving a round-robin booking to another of its event type's hosts (Cal.com's
//! `POST /v2/bookings/{uid}/reassign[/{userId}]`): to the host the assignment rules pick among
//! those free at its time, or to the host asked for if they are free. One transaction: the
//! old host's claim on the time becomes the new host's (the database still refuses an
//! overlap), the organiser changes with it, and everyone is told (`BOOKING_REASSIGNED`).

use super::*;
use crate::availability::BookingWindow;

/// The booking after the change, and the host it went to.
pub struct Reassigned {
    pub view: BookingView,
    pub to: User,
}

/// Reassigns booking `uid` to `to`, or to the host the round-robin rules pick.
pub async fn reassign(
    db: &Db,
    outbox: &Outbox,
    uid: &str,
    to: Option<i64>,
    reason: Option<String>,
    actor: Actor,
) -> Result<Reassigned, ServiceError> {
    db.transaction(async |c| {
        let (record, event, current) = locked_round_robin(c, &actor, uid).await?;
        let from = replaced_host(&event, &record, &current)?;
        let slot = free_at(c, &event, &record).await?;
        let free: Vec<i64> = (slot.hosts.iter().copied())
            .filter(|h| !current.contains(h))
            .collect();
        let (to, assignment) = match to {
            Some(to) => (chosen(c, &event, &current, &free, to).await?, None),
            None => picked(c, &event, &slot, &free, from).await?,
        };
        store::move_claim(c, record.id, from, to).await?;
        let to_user = users::find(c, to).await?;
        let from_user = users::find(c, from).await?;
        if record.user_id == from {
            let attendees = store::attendees_of(c, &[record.id]).await?;
            let title = reschedule::moved_title(&event, &record, &to_user, &attendees);
            store::set_organizer(c, record.id, to, &title, assignment.as_deref()).await?;
        }
        let history = entry(
            "reassigned",
            &actor,
            None,
            None,
            json!({"from": from, "to": to}),
            reason.as_deref(),
        );
        store::append_reassignment(c, record.id, &history, from).await?;
        let record = store::find(c, record.id).await?;
        crate::calendars::writeback::host_left(c, &record, from).await?;
        let change = Change::Reassigned { from: &from_user };
        announce(c, outbox, &record, change, None).await?;
        let view = view(c, record).await?;
        Ok(Reassigned { view, to: to_user })
    })
    .await
    .map_err(|e| match e {
        ServiceError::Storage(StorageError::Overlap) => ServiceError::Conflict(
            "The new host's time was taken while the booking was being reassigned; try again"
                .into(),
        ),
        other => other,
    })
}

/// The booking (locked with its event type's hosts), which must be a round-robin booking that
/// stands and has not ended; its event type and its current hosts.
async fn locked_round_robin(
    c: &mut Conn<'_>,
    actor: &Actor,
    uid: &str,
) -> Result<(BookingRecord, EventType, Vec<i64>), ServiceError> {
    let record = owner_only(c, actor, uid).await?;
    let event = event_of(c, &record).await?;
    if event.scheduling() != Some(SchedulingType::RoundRobin) {
        return Err(ServiceError::Invalid(format!(
            "Booking {uid} is not a round-robin booking; only those can be reassigned"
        )));
    }
    let hosts: Vec<i64> = context::hosts_of(&event)
        .iter()
        .map(|h| h.user_id)
        .collect();
    store::lock_hosts(c, &hosts).await?;
    let record = relock(c, record).await?;
    refuse_if_closed(&record, "be reassigned")?;
    if has_ended(&record, Utc::now()) {
        return Err(ServiceError::Invalid(format!(
            "Booking {uid} has already ended and can no longer be reassigned"
        )));
    }
    let current = (store::hosts_of(c, &[record.id]).await?.into_iter())
        .map(|(_, u)| u.id)
        .collect();
    Ok((record, event, current))
}

/// The round-robin host that gives the booking up: the organiser when they are one, else the
/// first of the booking's hosts that is (the fixed hosts stay).
fn replaced_host(
    event: &EventType,
    record: &BookingRecord,
    current: &[i64],
) -> Result<i64, ServiceError> {
    let pooled: Vec<i64> = (context::hosts_of(event).iter())
        .filter(|h| !h.fixed)
        .map(|h| h.user_id)
        .collect();
    let mut candidates = current.iter().copied().filter(|h| pooled.contains(h));
    let first = candidates.next();
    let organiser = pooled.contains(&record.user_id) && current.contains(&record.user_id);
    (if organiser {
        Some(record.user_id)
    } else {
        first
    })
    .ok_or_else(|| {
        ServiceError::Invalid(format!(
            "Booking {} has no round-robin host to replace",
            record.uid
        ))
    })
}

/// The booking's time as a slot of its event type, the booking itself not blocking it: who
/// else is free then. The booker's rules (notice, booking window, first slot only) are not
/// the host's: they do not apply to a booking already made.
async fn free_at(
    c: &mut Conn<'_>,
    event: &EventType,
    record: &BookingRecord,
) -> Result<Slot, ServiceError> {
    let length = (record.end_at - record.start_at).num_minutes().max(1) as u32;
    let tz = Tz::UTC;
    let request = SlotRequest {
        range: day_range(tz, record.start_at.timestamp()),
        booker_tz: tz,
        length: Some(length),
        booker_uid: None,
        rescheduling_uid: Some(record.uid.clone()),
        now: Utc::now(),
    };
    let mut query = build_query(c, event, &request).await?;
    query.event.minimum_notice = 0;
    query.event.window = BookingWindow::Unlimited;
    query.event.only_first_slot = false;
    availability::slots(&query)
        .into_iter()
        .find(|s| s.start == record.start_at.timestamp())
        .ok_or_else(nobody_free)
}

fn nobody_free() -> ServiceError {
    ServiceError::Conflict("No other host of this event type is free at the booking's time".into())
}

/// The host asked for: one of the event type's round-robin hosts, not already on the booking,
/// and free at its time.
async fn chosen(
    c: &mut Conn<'_>,
    event: &EventType,
    current: &[i64],
    free: &[i64],
    to: i64,
) -> Result<i64, ServiceError> {
    let pooled = (context::hosts_of(event).iter()).any(|h| h.user_id == to && !h.fixed);
    if !pooled {
        return Err(ServiceError::Invalid(format!(
            "userId: user {to} is not a round-robin host of this event type"
        )));
    }
    if current.contains(&to) {
        return Err(ServiceError::Invalid(format!(
            "userId: user {to} already hosts this booking"
        )));
    }
    if !free.contains(&to) {
        let name = users::find(c, to).await?.name;
        return Err(ServiceError::Conflict(format!(
            "{name} is not free at the booking's time"
        )));
    }
    Ok(to)
}

/// The host the round-robin rules pick among the free ones, in the group of the host being
/// replaced; with the assignment's reason.
async fn picked(
    c: &mut Conn<'_>,
    event: &EventType,
    slot: &Slot,
    free: &[i64],
    from: i64,
) -> Result<(i64, Option<String>), ServiceError> {
    let groups = round_robin_groups(event);
    let group = (groups.iter())
        .position(|(_, pool)| pool.iter().any(|h| h.id == from))
        .ok_or_else(nobody_free)?;
    let mut others = slot.clone();
    others.hosts = free.to_vec();
    let (picks, reason) = assign_hosts(c, event, &others, None).await?;
    let pick = picks
        .get(group)
        .copied()
        .flatten()
        .ok_or_else(nobody_free)?;
    Ok((pick, reason))
}
