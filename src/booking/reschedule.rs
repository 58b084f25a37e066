//! Moving a booking: a new booking at the new time, the old one cancelled and marked
//! rescheduled, in one transaction.

use super::*;
use crate::domain::{Email, PersonName, TimeZoneName};
use serde_json::Map;

/// Moves a booking: a new booking at the new time, the old one cancelled and marked
/// rescheduled, in one transaction.
pub async fn reschedule(
    db: &Db,
    outbox: &Outbox,
    calendars: Option<&Calendars>,
    uid: &str,
    change: RescheduleRequest,
    actor: Actor,
) -> Result<BookingView, ServiceError> {
    let rechecked = match calendars {
        Some(calendars) => recheck_move(db, calendars, &actor, uid, &change).await?,
        None => Rechecked::default(),
    };
    db.transaction(async |c| {
        let (old, event, old_hosts) = locked_move(c, &actor, uid).await?;
        let attendees = store::attendees_of(c, &[old.id]).await?;
        if let Some(holder) = seat_to_move(&attendees, &change, uid)? {
            let moving = SeatMove {
                holder: &holder,
                change: &change,
                rechecked: &rechecked,
            };
            return move_seat(c, outbox, &old, &event, moving, &actor).await;
        }
        refuse_seat_move(&actor, &attendees)?;
        let now = Utc::now();
        let length = kept_length(&event, &old);
        let request = move_request(&old, &change, booker_tz(&attendees), length, now);
        let mut slot = new_slot(c, &event, &request, change.start).await?;
        rechecked.narrow(&mut slot);
        let (hosts, reason) = move_hosts(c, &event, &old, &old_hosts, &slot, &change).await?;
        // Release the old time first: the new one may overlap it.
        release_old(c, &old, &change).await?;
        let start_at = change.start;
        let end_at = start_at + Duration::minutes(i64::from(length));
        let by_host = actor.user_id().is_some_and(|u| hosts.contains(&u));
        let status = initial_status(&event, start_at, now, by_host);
        let organizer = users::find(c, hosts[0]).await?;
        let title = moved_title(&event, &old, &organizer, &attendees);
        let moved = json!({"from": {"start": old.start_at, "end": old.end_at}, "to": {"start": start_at, "end": end_at}});
        let new = NewWrite {
            booking: NewBooking {
                uid: new_uid(),
                event_type_id: Some(event.record.id),
                user_id: organizer.id,
                status: status.as_str(),
                start_at: to_db_time(start_at),
                end_at: to_db_time(end_at),
                title,
                description: old.description.clone(),
                location: old.location.clone(),
                responses: old.responses.clone(),
                metadata: old.metadata.clone(),
                ical_uid: old.ical_uid.clone(),
                ical_sequence: old.ical_sequence + 1,
                from_reschedule: Some(old.uid.clone()),
                rescheduled_by: change.rescheduled_by.clone(),
                reschedule_reason: change.reason.clone(),
                assignment_reason: reason,
                created_at: to_db_time(now),
                // A moved occurrence stays in its series.
                recurring_event_id: old.recurring_event_id.clone(),
            },
            people: attendees.iter().map(copy_attendee).collect(),
            hosts: &hosts,
            status,
            actor: &actor,
            changes: json!({"rescheduledFromUid": old.uid, "time": moved, "hosts": hosts}),
            reason: change.reason.as_deref(),
        };
        let (record, _) = write_booking(c, &event, &new).await?;
        rechecked.note(c, record.id, &hosts).await?;
        let history = entry(
            "rescheduled",
            &actor,
            Some(old.status),
            Some(BookingStatus::Cancelled),
            json!({"rescheduledToUid": record.uid, "time": moved, "rescheduledBy": change.rescheduled_by}),
            change.reason.as_deref(),
        );
        store::append_history(c, old.id, &history).await?;
        announce(c, outbox, &record, Change::Rescheduled { from: &old }, None).await?;
        let moved = view(c, record).await?;
        let holder = only_seat(&moved);
        seen_by(c, &actor, moved, Some(&event), holder).await
    })
    .await
    .map_err(|e| match e {
        ServiceError::Storage(StorageError::Overlap) => taken(),
        other => other,
    })
}

/// Asks the providers about the new time before the move's transaction, for the hosts the move
/// will give it to, read as the transaction reads them (without its locks).
async fn recheck_move(
    db: &Db,
    calendars: &Calendars,
    actor: &Actor,
    uid: &str,
    change: &RescheduleRequest,
) -> Result<Rechecked, ServiceError> {
    let now = Utc::now();
    let (event, holders, length) = db
        .run(async |c| {
            let (old, event, old_hosts) = movable(c, actor, uid).await?;
            let attendees = store::attendees_of(c, &[old.id]).await?;
            let (holders, length) = match seat_to_move(&attendees, change, uid)? {
                Some(holder) => {
                    let request = seat_request(&event, &holder, change)?;
                    let length = prepare(&event, &request, actor)?.length;
                    let slots = slot_request(&request, length, now);
                    (Holders::of(&event, slots, None), length)
                }
                None => {
                    let length = kept_length(&event, &old);
                    let slots = move_request(&old, change, booker_tz(&attendees), length, now);
                    (
                        move_holders(&event, &old, &old_hosts, change, slots),
                        length,
                    )
                }
            };
            Ok::<_, ServiceError>((event, holders, length))
        })
        .await?;
    let end = change.start + Duration::minutes(i64::from(length));
    recheck(db, Some(calendars), &event, holders, (change.start, end)).await
}

/// Who will hold the moved booking's time ([`move_hosts`] decides it the same way).
fn move_holders(
    event: &EventType,
    old: &BookingRecord,
    old_hosts: &[i64],
    change: &RescheduleRequest,
    request: SlotRequest,
) -> Holders {
    match event.scheduling() {
        Some(SchedulingType::RoundRobin) if change.same_host_only => {
            Holders::All(old_hosts.to_vec())
        }
        _ => Holders::of(event, request, Some(old.user_id)),
    }
}

/// The booker's zone: the first attendee's.
fn booker_tz(attendees: &[AttendeeRecord]) -> Tz {
    (attendees.first())
        .and_then(|a| a.time_zone.parse().ok())
        .unwrap_or(Tz::UTC)
}

/// The seat `change` moves alone: one of several in the booking. A booking's only seat moves
/// with the booking.
fn seat_to_move(
    attendees: &[AttendeeRecord],
    change: &RescheduleRequest,
    uid: &str,
) -> Result<Option<AttendeeRecord>, ServiceError> {
    let Some(seat) = &change.seat_uid else {
        return Ok(None);
    };
    let holder = (attendees.iter().find(|a| a.seat_uid.as_ref() == Some(seat)))
        .ok_or_else(|| ServiceError::NotFound(format!("Seat {seat} not found in booking {uid}")))?;
    let seats = attendees.iter().filter(|a| a.seat_uid.is_some()).count();
    Ok((seats > 1).then(|| holder.clone()))
}

/// One seat's move: its holder, the change, and what the calendars said about the new time.
struct SeatMove<'a> {
    holder: &'a AttendeeRecord,
    change: &'a RescheduleRequest,
    rechecked: &'a Rechecked,
}

/// Moves one seat of a booking with several: the holder gives the seat up and takes one at the
/// new time (joining the seated booking there, or opening one) with their own answers; the
/// other holders stay. Told as the seat's cancellation and a new seat's booking.
async fn move_seat(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    old: &BookingRecord,
    event: &EventType,
    moving: SeatMove<'_>,
    actor: &Actor,
) -> Result<BookingView, ServiceError> {
    let SeatMove {
        holder,
        change,
        rechecked,
    } = moving;
    let request = seat_request(event, holder, change)?;
    let prepared = prepare(event, &request, actor)?;
    let given_up = CancelRequest {
        reason: change.reason.clone(),
        cancelled_by: Some(holder.email.clone()),
        seat_uid: holder.seat_uid.clone(),
    };
    cancel_seat(c, outbox, old, holder, &given_up, actor).await?;
    let plan = context::Plan::load(c, event).await?;
    let host_users = context::host_users(c, event).await?;
    let fixed = Fixed {
        event,
        plan: &plan,
        host_users: &host_users,
        rechecked,
        series: None,
    };
    let moved = book_in(c, &fixed, &request, &prepared, actor).await?;
    rechecked
        .note(c, moved.record.id, &host_ids(&moved))
        .await?;
    announce_booked(c, outbox, &moved).await?;
    let seat = seat_of(&moved, &holder.email);
    // Where the seat went: what the holder's old links (its reminders' stop link) follow.
    let went = entry(
        "seat_rescheduled",
        actor,
        Some(old.status),
        Some(old.status),
        json!({
            "seatUid": holder.seat_uid, "attendee": holder.email,
            "rescheduledToUid": moved.record.uid,
            "seatReferenceUid": seat.as_ref().and_then(|s| s.seat_uid.clone()),
        }),
        change.reason.as_deref(),
    );
    store::append_history(c, old.id, &went).await?;
    crate::workflows::seat_moved(c, old.id, moved.record.id, &holder.email).await?;
    seen_by(c, actor, moved, Some(event), seat).await
}

/// A booking request for a seat's holder at the new time, from what their seat holds.
fn seat_request(
    event: &EventType,
    holder: &AttendeeRecord,
    change: &RescheduleRequest,
) -> Result<BookingRequest, ServiceError> {
    let stored = |what: &str, e: String| {
        ServiceError::Internal(anyhow::anyhow!(
            "seat {:?}: stored {what}: {e}",
            holder.seat_uid
        ))
    };
    let mut responses = holder.own_responses();
    // The system answers are made again from the attendee; guests do not follow a seat.
    for key in ["name", "email", "guests", "location", "attendeePhoneNumber"] {
        responses.remove(key);
    }
    Ok(BookingRequest {
        event: EventRef::Id(event.record.id),
        start: change.start,
        length: None,
        attendee: AttendeeInput {
            name: PersonName::parse(&holder.name).map_err(|e| stored("name", e))?,
            email: Email::parse(&holder.email).map_err(|e| stored("email", e))?,
            time_zone: TimeZoneName::parse(&holder.time_zone).map_err(|e| stored("zone", e))?,
            language: holder.locale.clone(),
            phone: holder.phone_number.clone(),
        },
        guests: Vec::new(),
        // Guests do not follow a seat, so there are none to cap.
        max_guests: 0,
        location: None,
        responses,
        metadata: Map::new(),
        reservation_uid: None,
        idempotency: None,
        recurrence_count: None,
        routing: None,
        private_link: None,
    })
}

/// A booker cannot move a booking that others hold seats in.
fn refuse_seat_move(actor: &Actor, attendees: &[AttendeeRecord]) -> Result<(), ServiceError> {
    let seats = attendees.iter().filter(|a| a.seat_uid.is_some()).count();
    if actor.user_id().is_none() && seats > 1 {
        return Err(ServiceError::Invalid(
            "start: this booking has several seats and cannot be moved by one booker; cancel your seat (seatUid) and book the new time".into(),
        ));
    }
    Ok(())
}

/// The old booking lets its time go and is marked cancelled by the move.
async fn release_old(
    c: &mut Conn<'_>,
    old: &BookingRecord,
    change: &RescheduleRequest,
) -> Result<(), ServiceError> {
    store::set_claims_active(c, old.id, false).await?;
    let moved_away = StatusChange {
        status: BookingStatus::Cancelled,
        cancellation_reason: change.reason.as_deref(),
        cancelled_by: None,
        rejection_reason: None,
        rescheduled: true,
    };
    store::set_status(c, old.id, &moved_away).await?;
    Ok(())
}

/// The title stays while the organiser does; a new organiser gets the event type's title.
pub(super) fn moved_title(
    event: &EventType,
    old: &BookingRecord,
    organizer: &User,
    attendees: &[AttendeeRecord],
) -> String {
    if organizer.id == old.user_id {
        return old.title.clone();
    }
    let booker = attendees
        .first()
        .map(|a| a.name.as_str())
        .unwrap_or_default();
    event.booking_title(&organizer.name, booker, old.location.as_deref())
}

/// The booking to move if `actor` may move it, its event type, and its old hosts.
async fn movable(
    c: &mut Conn<'_>,
    actor: &Actor,
    uid: &str,
) -> Result<(BookingRecord, EventType, Vec<i64>), ServiceError> {
    let old = actionable(c, actor, uid).await?;
    refuse_unless_movable(c, &old).await?;
    let event = event_of(c, &old).await?;
    let switched_off = event.settings.page.rescheduling_disabled();
    host_switch_refused(switched_off, actor, "rescheduling")?;
    let old_hosts: Vec<i64> = store::hosts_of(c, &[old.id])
        .await?
        .into_iter()
        .map(|(_, u)| u.id)
        .collect();
    Ok((old, event, old_hosts))
}

/// The booking to move, locked with the hosts of both its old and its new time, its event
/// type, and its old hosts.
async fn locked_move(
    c: &mut Conn<'_>,
    actor: &Actor,
    uid: &str,
) -> Result<(BookingRecord, EventType, Vec<i64>), ServiceError> {
    let (old, event, old_hosts) = movable(c, actor, uid).await?;
    let lock: Vec<i64> = context::hosts_of(&event)
        .iter()
        .map(|h| h.user_id)
        .chain(old_hosts.iter().copied())
        .collect();
    store::lock_hosts(c, &lock).await?;
    let old = relock(c, old).await?;
    refuse_unless_movable(c, &old).await?;
    Ok((old, event, old_hosts))
}

/// The booking keeps its length while the event type still offers it.
fn kept_length(event: &EventType, old: &BookingRecord) -> u32 {
    let length = (old.end_at - old.start_at).num_minutes().max(1) as u32;
    event
        .length(Some(length))
        .unwrap_or(event.record.length_minutes as u32)
}

/// The slots a moved booking's new start is looked for among: the booker's day, the old
/// booking not blocking it.
fn move_request(
    old: &BookingRecord,
    change: &RescheduleRequest,
    booker_tz: Tz,
    length: u32,
    now: DateTime<Utc>,
) -> SlotRequest {
    SlotRequest {
        range: day_range(booker_tz, change.start.timestamp()),
        booker_tz,
        length: Some(length),
        booker_uid: None,
        rescheduling_uid: Some(old.uid.clone()),
        now,
    }
}

/// The new start as a slot of `request`.
async fn new_slot(
    c: &mut Conn<'_>,
    event: &EventType,
    request: &SlotRequest,
    start: DateTime<Utc>,
) -> Result<Slot, ServiceError> {
    let query = build_query(c, event, request).await?;
    slot_at(&query, start.timestamp())
}

/// Who hosts the moved booking: round robin keeps the old host when free (or must, with
/// `same_host_only`); other event types book their hosts as usual.
async fn move_hosts(
    c: &mut Conn<'_>,
    event: &EventType,
    old: &BookingRecord,
    old_hosts: &[i64],
    slot: &Slot,
    change: &RescheduleRequest,
) -> Result<(Vec<i64>, Option<String>), ServiceError> {
    match event.scheduling() {
        Some(SchedulingType::RoundRobin) if !change.same_host_only => {
            booked_hosts(c, event, slot, Some(old.user_id)).await
        }
        Some(SchedulingType::RoundRobin) => {
            if !old_hosts.iter().all(|h| slot.hosts.contains(h)) {
                return Err(taken());
            }
            let mut same = old_hosts.to_vec();
            same.sort_by_key(|h| *h != old.user_id);
            Ok((same, old.assignment_reason.clone()))
        }
        _ => booked_hosts(c, event, slot, None).await,
    }
}

/// An attendee of the old booking on the new one, with a new seat if they held one.
fn copy_attendee(a: &AttendeeRecord) -> NewAttendee {
    NewAttendee {
        email: a.email.clone(),
        name: a.name.clone(),
        time_zone: a.time_zone.clone(),
        locale: a.locale.clone(),
        phone_number: a.phone_number.clone(),
        seat_uid: a.seat_uid.as_ref().map(|_| new_uid()),
        responses: a.responses.clone(),
    }
}
