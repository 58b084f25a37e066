//! Reservations: a booker's short hold on a slot while they fill in the form. Holds made
//! without an API key are capped: so many open at once per client, and a whole life (from
//! creation, extensions included) of so many minutes.

use super::*;
use crate::storage::bookings::ReservationRecord;

pub const DEFAULT_MINUTES: u32 = 5;
pub const MAX_MINUTES: u32 = 60;

fn not_found(uid: &str) -> ServiceError {
    ServiceError::NotFound(format!("Reservation with uid={uid} not found"))
}

/// An anonymous holder and the caps on them (`KAIROS_RESERVATIONS_PER_CLIENT`,
/// `KAIROS_RESERVATION_MAX_HOLD_MINUTES`).
pub struct Anonymous {
    /// Identifies the client across their holds (a hash of their address).
    pub key: String,
    /// Open holds at once; 0 = no cap.
    pub max_open: u32,
    pub max_hold: Duration,
}

pub struct Hold {
    pub event_type_id: i64,
    pub start: DateTime<Utc>,
    pub length: Option<u32>,
    pub minutes: u32,
    pub booker_tz: Tz,
    /// The private link (`hashedLink`) the booker came through: a hidden event type kept
    /// behind its links is held only through one, as it is booked ([`admit_booker`]).
    pub link: Option<String>,
    /// The caller's user id when they hold with an API key (the event type's owner needs no link).
    pub holder: Option<i64>,
}

/// The event type `hold` names, if the holder reaches it as a booker would book it.
async fn held_event(db: &Db, hold: &Hold) -> Result<EventType, ServiceError> {
    let target = EventRef::Id(hold.event_type_id);
    let purpose = private_links::Use::Booking;
    resolve_for_booker(db, &target, hold.link.as_deref(), hold.holder, purpose).await
}

/// Holds a free slot; the slot must be one the engine offers (other holds excluded).
pub async fn create(
    db: &Db,
    hold: Hold,
    anonymous: Option<&Anonymous>,
) -> Result<ReservationRecord, ServiceError> {
    let event = held_event(db, &hold).await?;
    let uid = uuid::Uuid::new_v4().to_string();
    db.transaction(async |c| {
        if let Some(who) = anonymous {
            check_open_holds(c, who).await?;
        }
        let mut record = place(c, &event, &hold, uid.clone(), None).await?;
        if let Some(who) = anonymous {
            record.booker_key = Some(who.key.clone());
            record.expires_at = record.expires_at.min(record.created_at + who.max_hold);
        }
        store::insert_reservation(c, &record).await?;
        Ok(record)
    })
    .await
}

async fn check_open_holds(c: &mut Conn<'_>, who: &Anonymous) -> Result<(), ServiceError> {
    if who.max_open == 0 {
        return Ok(());
    }
    let open = store::open_reservations_of(c, &who.key, Utc::now()).await?;
    if open >= i64::from(who.max_open) {
        return Err(ServiceError::Conflict(format!(
            "You already hold {open} slots, the most one client may hold at once; book one, \
             release one (DELETE /v2/slots/reservations/{{uid}}) or wait until one expires"
        )));
    }
    Ok(())
}

/// The hold's new expiry, within its whole life for an anonymous holder: a hold that has used
/// its life up is not extended.
fn capped_expiry(
    current: &ReservationRecord,
    wanted: DateTime<Utc>,
    anonymous: Option<&Anonymous>,
) -> Result<DateTime<Utc>, ServiceError> {
    let Some(who) = anonymous else {
        return Ok(wanted);
    };
    let end_of_life = current.created_at + who.max_hold;
    if current.expires_at >= end_of_life {
        return Err(ServiceError::Conflict(format!(
            "This hold was made at {} and may last {} minutes in all, until {}; it cannot be \
             extended or moved. Book the slot, or release it and reserve again",
            current
                .created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            who.max_hold.num_minutes(),
            end_of_life.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )));
    }
    Ok(wanted.min(end_of_life))
}

async fn place(
    c: &mut Conn<'_>,
    event: &EventType,
    hold: &Hold,
    uid: String,
    own: Option<String>,
) -> Result<ReservationRecord, ServiceError> {
    let hosts: Vec<i64> = context::hosts_of(event).iter().map(|h| h.user_id).collect();
    store::lock_hosts(c, &hosts).await?;
    let now = Utc::now();
    let start = hold.start.timestamp();
    let length = event
        .length(hold.length)
        .map_err(|m| ServiceError::Invalid(format!("slotDuration: {m}")))?;
    let query = build_query(
        c,
        event,
        &SlotRequest {
            range: day_range(hold.booker_tz, start),
            booker_tz: hold.booker_tz,
            length: Some(length),
            booker_uid: own,
            rescheduling_uid: None,
            now,
        },
    )
    .await?;
    let slot = slot_at(&query, start)?;
    let record = ReservationRecord {
        uid,
        event_type_id: event.record.id,
        user_id: match event.scheduling() {
            None => hosts.first().copied(),
            Some(_) if slot.hosts.len() == 1 => slot.hosts.first().copied(),
            Some(_) => None,
        },
        slot_start: hold.start,
        slot_end: hold.start + Duration::minutes(i64::from(length)),
        expires_at: now + Duration::minutes(i64::from(hold.minutes)),
        is_seat: event.record.seats_per_slot.is_some(),
        created_at: now,
        booker_key: None,
    };
    Ok(record)
}

pub async fn get(db: &Db, uid: &str) -> Result<ReservationRecord, ServiceError> {
    db.run(async |c| {
        store::find_reservation(c, uid)
            .await?
            .filter(|r| r.expires_at > Utc::now())
            .ok_or_else(|| not_found(uid))
    })
    .await
}

/// Moves or extends a hold; it keeps its creation time and its holder.
pub async fn update(
    db: &Db,
    uid: &str,
    hold: Hold,
    anonymous: Option<&Anonymous>,
) -> Result<ReservationRecord, ServiceError> {
    let event = held_event(db, &hold).await?;
    db.transaction(async |c| {
        let current = store::find_reservation(c, uid)
            .await?
            .filter(|r| r.expires_at > Utc::now())
            .ok_or_else(|| not_found(uid))?;
        if current.event_type_id != hold.event_type_id {
            return Err(ServiceError::Invalid(format!(
                "eventTypeId: this reservation holds a slot of event type {}; make a new reservation for another",
                current.event_type_id
            )));
        }
        let wanted = Utc::now() + Duration::minutes(i64::from(hold.minutes));
        let expires_at = capped_expiry(&current, wanted, anonymous)?;
        let record = ReservationRecord {
            expires_at,
            created_at: current.created_at,
            booker_key: current.booker_key,
            ..place(c, &event, &hold, uid.to_owned(), Some(uid.to_owned())).await?
        };
        store::update_reservation(c, &record).await?;
        Ok(record)
    })
    .await
}

pub async fn delete(db: &Db, uid: &str) -> Result<(), ServiceError> {
    let removed = db
        .transaction(async |c| store::delete_reservation(c, uid).await)
        .await?;
    if removed == 0 {
        return Err(not_found(uid));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hold(created: DateTime<Utc>, expires: DateTime<Utc>) -> ReservationRecord {
        ReservationRecord {
            uid: "r".into(),
            event_type_id: 1,
            user_id: None,
            slot_start: created,
            slot_end: created,
            expires_at: expires,
            is_seat: false,
            created_at: created,
            booker_key: Some("k".into()),
        }
    }

    #[test]
    fn an_anonymous_hold_is_extended_within_its_life_and_then_no_more() {
        let t0 = Utc::now();
        let who = Anonymous {
            key: "k".into(),
            max_open: 5,
            max_hold: Duration::minutes(15),
        };
        let m = Duration::minutes;
        // Early on, a renewal gets its full five minutes.
        let fresh = hold(t0, t0 + m(5));
        assert_eq!(
            capped_expiry(&fresh, t0 + m(9), Some(&who)).unwrap(),
            t0 + m(9)
        );
        // Near the end, only what is left of the fifteen.
        let late = hold(t0, t0 + m(14));
        assert_eq!(
            capped_expiry(&late, t0 + m(17), Some(&who)).unwrap(),
            t0 + m(15)
        );
        // Used up: refused.
        let spent = hold(t0, t0 + m(15));
        assert!(matches!(
            capped_expiry(&spent, t0 + m(18), Some(&who)),
            Err(ServiceError::Conflict(_))
        ));
        // With an API key, no cap.
        assert_eq!(capped_expiry(&spent, t0 + m(60), None).unwrap(), t0 + m(60));
    }
}
