//! A host's changes to a booking that stands, each one transaction: where it takes place
//! (`relocate`, Cal.com's `PATCH /v2/bookings/{uid}/location`) and asking the booker to pick a
//! new time (`request_reschedule`: the booking is cancelled, and its link lets the booker
//! book again as a reschedule of it).

use super::*;

/// Moves the meeting to `location` (a place, a phone number or a link, as the host gives it).
/// Attendees, hosts, calendars and subscribers are told (`BOOKING_LOCATION_UPDATED`); the
/// same place again changes nothing.
pub async fn relocate(
    db: &Db,
    outbox: &Outbox,
    uid: &str,
    location: &str,
    actor: Actor,
) -> Result<BookingView, ServiceError> {
    db.transaction(async |c| {
        let record = owner_only(c, &actor, uid).await?;
        let record = relock(c, record).await?;
        refuse_if_closed(&record, "change its location")?;
        let previous = record.location.clone().unwrap_or_default();
        if previous == location {
            return view(c, record).await;
        }
        let moved = store::set_location(c, record.id, location).await?;
        let history = entry(
            "location_updated",
            &actor,
            None,
            None,
            json!({"location": {"from": previous, "to": location}}),
            None,
        );
        store::append_note(c, record.id, &history).await?;
        let change = Change::LocationUpdated {
            previous: &previous,
            by_calendar: false,
        };
        announce(c, outbox, &moved, change, None).await?;
        view(c, moved).await
    })
    .await
}

/// The host asks the booker to pick a new time: the booking is cancelled (its time freed, its
/// reminders dropped, its calendar events removed) and marked rescheduled, and the booker's
/// email links to the booking page to choose one. Until they do, its link may still move it
/// ([`awaits_new_time`]). Cal.com's request-reschedule.
pub async fn request_reschedule(
    db: &Db,
    outbox: &Outbox,
    uid: &str,
    reason: Option<String>,
    actor: Actor,
) -> Result<BookingView, ServiceError> {
    db.transaction(async |c| {
        let record = owner_only(c, &actor, uid).await?;
        let record = relock(c, record).await?;
        refuse_if_closed(&record, "be rescheduled")?;
        let host = match actor.user_id() {
            Some(id) => Some(users::find(c, id).await?.email),
            None => None,
        };
        store::set_claims_active(c, record.id, false).await?;
        let cancelled = StatusChange {
            status: BookingStatus::Cancelled,
            cancellation_reason: reason.as_deref(),
            cancelled_by: host.as_deref(),
            rejection_reason: None,
            rescheduled: true,
        };
        store::set_status(c, record.id, &cancelled).await?;
        let history = entry(
            "reschedule_requested",
            &actor,
            Some(record.status),
            Some(BookingStatus::Cancelled),
            json!({"requestedBy": host}),
            reason.as_deref(),
        );
        store::append_history(c, record.id, &history).await?;
        let record = store::find(c, record.id).await?;
        let change = Change::Cancelled {
            request_reschedule: true,
        };
        announce(c, outbox, &record, change, None).await?;
        view(c, record).await
    })
    .await
}

/// A booking the host asked to be moved and that has not been yet: cancelled as rescheduled,
/// with no booking made from it (`successor`). Its booker may still pick a new time.
pub fn awaits_new_time(record: &BookingRecord, successor: Option<&str>) -> bool {
    record.status == BookingStatus::Cancelled && record.rescheduled && successor.is_none()
}

impl BookingView {
    /// Its booker may still pick a new time for it: it stands, or the host asked them to.
    pub fn may_move(&self) -> bool {
        self.record.status.is_active()
            || awaits_new_time(&self.record, self.rescheduled_to.as_deref())
    }
}

/// Refuses to move a booking that is over: cancelled, declined, or moved already; one the host
/// asked to be moved may move once.
pub(super) async fn refuse_unless_movable(
    c: &mut Conn<'_>,
    record: &BookingRecord,
) -> Result<(), ServiceError> {
    if record.status == BookingStatus::Cancelled && record.rescheduled {
        let successor = store::rescheduled_to(c, std::slice::from_ref(&record.uid)).await?;
        let successor = successor.first().map(|(_, to)| to.as_str());
        if awaits_new_time(record, successor) {
            return Ok(());
        }
    }
    refuse_if_closed(record, "be rescheduled")
}

/// Where a host says the meeting is: text as given (Cal.com takes any string), or one of
/// Cal.com's location objects (`address`, `link`, `phone`, `integration`, `attendeeAddress`,
/// `attendeePhone`, `attendeeDefined`), as the booking stores it.
pub fn host_location(given: &Value) -> Result<String, ServiceError> {
    let invalid = |field: &str, why: &str| ServiceError::Invalid(format!("{field}: {why}"));
    let text = |field: &str, raw: Option<&str>| -> Result<String, ServiceError> {
        match raw.map(str::trim) {
            Some("") => Err(invalid(field, "must not be empty")),
            Some(v) if v.chars().count() > 1000 => {
                Err(invalid(field, "must be at most 1000 characters"))
            }
            Some(v) => Ok(v.to_owned()),
            None => Err(invalid(field, "is required")),
        }
    };
    if let Some(raw) = given.as_str() {
        return text("location", Some(raw));
    }
    let Some(kind) = given.get("type").and_then(Value::as_str) else {
        return Err(invalid(
            "location",
            "must be a string or an object with a `type` (address, link, phone, integration, attendeeAddress, attendeePhone, attendeeDefined)",
        ));
    };
    let value = |key: &str| text(&format!("location.{key}"), given[key].as_str());
    match kind {
        "address" | "attendeeAddress" => value("address"),
        "attendeeDefined" => value("location"),
        "phone" | "attendeePhone" => {
            let phone = value("phone")?;
            crate::domain::PhoneNumber::parse(&phone)
                .map(|p| p.as_str().to_owned())
                .map_err(|m| invalid("location.phone", &m))
        }
        "link" => {
            let link = value("link")?;
            match url::Url::parse(&link) {
                Ok(u) if matches!(u.scheme(), "https" | "http") => Ok(link),
                _ => Err(invalid("location.link", "must be an http(s) URL")),
            }
        }
        "integration" => {
            let app = value("integration")?;
            let app = if app == "cal-video" { "daily" } else { &app };
            Ok(format!("integrations:{app}"))
        }
        other => Err(invalid(
            "location.type",
            &format!(
                "`{other}` is not one of address, link, phone, integration, attendeeAddress, attendeePhone, attendeeDefined"
            ),
        )),
    }
}
