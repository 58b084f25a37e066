//! Marking no-shows: the host or attendees who did not come.

use super::*;

pub async fn mark_absent(
    db: &Db,
    uid: &str,
    change: AbsenceRequest,
    actor: Actor,
) -> Result<BookingView, ServiceError> {
    db.transaction(async |c| {
        let record = owner_only(c, &actor, uid).await?;
        let record = relock(c, record).await?;
        if record.status != BookingStatus::Accepted {
            return Err(ServiceError::Invalid(format!(
                "Booking {uid} is {}; only accepted bookings have absences",
                record.status.lower()
            )));
        }
        let attendees = store::attendees_of(c, &[record.id]).await?;
        for (i, (email, _)) in change.attendees.iter().enumerate() {
            if !attendees.iter().any(|a| &a.email == email) {
                return Err(ServiceError::Invalid(format!(
                    "attendees[{i}].email: {email} is not an attendee of booking {uid}"
                )));
            }
        }
        store::set_no_show(c, record.id, change.host, &change.attendees).await?;
        store::append_history(
            c,
            record.id,
            &entry("absence_marked", &actor, Some(record.status), Some(record.status),
                json!({"host": change.host, "attendees": change.attendees.iter().map(|(e, a)| json!({"email": e, "absent": a})).collect::<Vec<_>>()}),
                None),
        )
        .await?;
        let record = store::find(c, record.id).await?;
        webhooks::no_show_changed(c, &record, &change.attendees, change.host).await?;
        view(c, record).await
    })
    .await
}
