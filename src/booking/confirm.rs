//! The host's answer to a booking that needs confirmation: confirm or decline.

use super::*;

/// The host's answer to a pending booking.
enum Answer<'a> {
    Confirm,
    Decline { reason: Option<&'a str> },
}

/// Accepts a pending booking; its time must still be free (409 otherwise).
pub async fn confirm(
    db: &Db,
    outbox: &Outbox,
    uid: &str,
    actor: Actor,
) -> Result<BookingView, ServiceError> {
    answer(db, outbox, uid, Answer::Confirm, actor)
        .await
        .map_err(|e| match e {
            ServiceError::Storage(StorageError::Overlap) => ServiceError::Conflict(
                "The booking's time was taken by another booking while it waited for confirmation; decline it or ask the booker to reschedule".into(),
            ),
            other => other,
        })
}

pub async fn decline(
    db: &Db,
    outbox: &Outbox,
    uid: &str,
    reason: Option<String>,
    actor: Actor,
) -> Result<BookingView, ServiceError> {
    let reason = reason.as_deref();
    answer(db, outbox, uid, Answer::Decline { reason }, actor).await
}

/// Moves a pending booking to accepted (its claims then hold the time) or rejected (they let
/// it go), with its history entry and what it tells the outside world.
async fn answer(
    db: &Db,
    outbox: &Outbox,
    uid: &str,
    answer: Answer<'_>,
    actor: Actor,
) -> Result<BookingView, ServiceError> {
    let (status, action, reason, change) = match answer {
        Answer::Confirm => (BookingStatus::Accepted, "confirmed", None, Change::Created),
        Answer::Decline { reason } => (
            BookingStatus::Rejected,
            "declined",
            reason,
            Change::Rejected,
        ),
    };
    db.transaction(async |c| {
        let record = owner_only(c, &actor, uid).await?;
        let record = relock(c, record).await?;
        if record.status != BookingStatus::Pending {
            return Err(ServiceError::Invalid(format!(
                "Booking {uid} is {} and only pending bookings can be {action}",
                record.status.lower()
            )));
        }
        store::set_claims_active(c, record.id, status == BookingStatus::Accepted).await?;
        let to = StatusChange {
            status,
            cancellation_reason: None,
            cancelled_by: None,
            rejection_reason: reason,
            rescheduled: false,
        };
        store::set_status(c, record.id, &to).await?;
        let from = Some(BookingStatus::Pending);
        let history = entry(action, &actor, from, Some(status), json!({}), reason);
        store::append_history(c, record.id, &history).await?;
        let record = store::find(c, record.id).await?;
        announce(c, outbox, &record, change, None).await?;
        view(c, record).await
    })
    .await
}
