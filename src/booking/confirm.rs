//! The host's answer to a booking that needs confirmation: confirm or decline.

use super::*;
/// Accepts a pending booking; its time must still be free (409 otherwise).
pub async fn confirm(
    db: &Db,
    outbox: &Outbox,
    uid: &str,
    actor: Actor,
) -> Result<BookingView, ServiceError> {
    db.transaction(async |c| {
        let record = owner_only(c, &actor, uid).await?;
        let record = relock(c, record).await?;
        if record.status != BookingStatus::Pending {
            return Err(ServiceError::Invalid(format!(
                "Booking {uid} is {} and only pending bookings can be confirmed",
                record.status.lower()
            )));
        }
        store::set_claims_active(c, record.id, true).await?;
        store::set_status(
            c,
            record.id,
            &StatusChange {
                status: BookingStatus::Accepted,
                cancellation_reason: None,
                cancelled_by: None,
                rejection_reason: None,
                rescheduled: false,
            },
        )
        .await?;
        store::append_history(
            c,
            record.id,
            &entry("confirmed", &actor, Some(BookingStatus::Pending), Some(BookingStatus::Accepted), json!({}), None),
        )
        .await?;
        let record = store::find(c, record.id).await?;
        announce(c, outbox, &record, Change::Created, None).await?;
        view(c, record).await
    })
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
    db.transaction(async |c| {
        let record = owner_only(c, &actor, uid).await?;
        let record = relock(c, record).await?;
        if record.status != BookingStatus::Pending {
            return Err(ServiceError::Invalid(format!(
                "Booking {uid} is {} and only pending bookings can be declined",
                record.status.lower()
            )));
        }
        store::set_claims_active(c, record.id, false).await?;
        store::set_status(
            c,
            record.id,
            &StatusChange {
                status: BookingStatus::Rejected,
                cancellation_reason: None,
                cancelled_by: None,
                rejection_reason: reason.as_deref(),
                rescheduled: false,
            },
        )
        .await?;
        store::append_history(
            c,
            record.id,
            &entry(
                "declined",
                &actor,
                Some(BookingStatus::Pending),
                Some(BookingStatus::Rejected),
                json!({}),
                reason.as_deref(),
            ),
        )
        .await?;
        let record = store::find(c, record.id).await?;
        announce(c, outbox, &record, Change::Rejected, None).await?;
        view(c, record).await
    })
    .await
}
