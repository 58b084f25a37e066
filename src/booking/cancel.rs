//! Cancelling a booking, or giving up one seat of it.

use super::*;

/// Cancels a booking (or one seat of it) and frees its time at once.
pub async fn cancel(
    db: &Db,
    outbox: &Outbox,
    uid: &str,
    change: CancelRequest,
    actor: Actor,
) -> Result<BookingView, ServiceError> {
    db.transaction(async |c| cancel_in(c, outbox, uid, &change, &actor).await)
        .await
}

/// [`cancel`] in the caller's transaction (a series cancels its occurrences in one).
pub(super) async fn cancel_in(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    uid: &str,
    change: &CancelRequest,
    actor: &Actor,
) -> Result<BookingView, ServiceError> {
    let record = actionable(c, actor, uid).await?;
    let record = relock(c, record).await?;
    refuse_if_closed(&record, "be cancelled")?;
    // A switch that cannot be read is not taken as off: `event_if_any` fails.
    let event = event_if_any(c, &record).await?;
    let switched_off = event
        .as_ref()
        .is_some_and(|e| e.settings.page.cancelling_disabled());
    host_switch_refused(switched_off, actor, "cancelling")?;
    let attendees = store::attendees_of(c, &[record.id]).await?;
    let seats_taken = attendees.iter().filter(|a| a.seat_uid.is_some()).count();
    booker_may_cancel(actor, &record, change, seats_taken, Utc::now())?;
    if change.seat_uid.is_none() && actor.user_id().is_none() && seats_taken > 1 {
        return Err(ServiceError::Invalid(
            "seatUid: this booking has several seats; cancel yours by passing its seatUid".into(),
        ));
    }
    if let Some(seat) = &change.seat_uid {
        let Some(seated) = attendees
            .iter()
            .find(|a| a.seat_uid.as_deref() == Some(seat))
        else {
            return Err(ServiceError::NotFound(format!(
                "Seat {seat} not found in booking {uid}"
            )));
        };
        own_seat(actor, seated, uid)?;
        if seats_taken > 1 {
            cancel_seat(c, outbox, &record, seated, change, actor).await?;
            let left = view(c, record).await?;
            return seen_by(c, actor, left, event.as_ref(), Some(seated.clone())).await;
        }
    }
    // The booker cancelling by link is who Cal.com names.
    let booker = attendees.first().map(|a| a.email.clone());
    let cancelled_by = change.cancelled_by.clone().or(booker);
    store::set_claims_active(c, record.id, false).await?;
    store::set_status(
        c,
        record.id,
        &StatusChange {
            status: BookingStatus::Cancelled,
            cancellation_reason: change.reason.as_deref(),
            cancelled_by: cancelled_by.as_deref(),
            rejection_reason: None,
            rescheduled: false,
        },
    )
    .await?;
    store::append_history(
        c,
        record.id,
        &entry(
            "cancelled",
            actor,
            Some(record.status),
            Some(BookingStatus::Cancelled),
            json!({"cancelledBy": cancelled_by}),
            change.reason.as_deref(),
        ),
    )
    .await?;
    let record = store::find(c, record.id).await?;
    let cancelled = Change::Cancelled {
        request_reschedule: false,
    };
    announce(c, outbox, &record, cancelled, None).await?;
    let cancelled = view(c, record).await?;
    let holder = only_seat(&cancelled);
    seen_by(c, actor, cancelled, event.as_ref(), holder).await
}

/// Gives up one seat of a booking with several: the seat's holder is told, the rest stays.
pub(super) async fn cancel_seat(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    record: &BookingRecord,
    seated: &AttendeeRecord,
    change: &CancelRequest,
    actor: &Actor,
) -> Result<(), ServiceError> {
    let seat = seated.seat_uid.as_deref();
    let mut seat_record = record.clone();
    seat_record.status = BookingStatus::Cancelled;
    seat_record.cancellation_reason = change.reason.clone();
    seat_record.cancelled_by = change.cancelled_by.clone().or(Some(seated.email.clone()));
    let cancelled = Change::Cancelled {
        request_reschedule: false,
    };
    announce(c, outbox, &seat_record, cancelled, seat).await?;
    store::remove_attendee(c, seated.id).await?;
    let history = entry(
        "seat_cancelled",
        actor,
        Some(record.status),
        Some(record.status),
        json!({"seatUid": seat, "attendee": seated.email}),
        change.reason.as_deref(),
    );
    store::append_history(c, record.id, &history).await?;
    Ok(())
}

/// What only a host may do: cancel a booking that has ended; and a booker signed in to their
/// portal acts on a seated booking only through the seat they hold (a guest of a seat that was
/// given up holds none, and must not end the others' seats).
fn booker_may_cancel(
    actor: &Actor,
    record: &BookingRecord,
    change: &CancelRequest,
    seats_taken: usize,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if actor.user_id().is_some() {
        return Ok(());
    }
    if has_ended(record, now) {
        return Err(ServiceError::Invalid(format!(
            "Booking {} has already ended and can no longer be cancelled",
            record.uid
        )));
    }
    if matches!(actor, Actor::Attendee(_)) && seats_taken > 0 && change.seat_uid.is_none() {
        return Err(not_found(&record.uid));
    }
    Ok(())
}

/// A booking is over once its end has passed: its booker may no longer move or cancel it.
pub(super) fn has_ended(record: &BookingRecord, now: DateTime<Utc>) -> bool {
    record.end_at <= now
}
